"""A one-click brief: the map, the claims, the places, the agreement and the notes, as DOCX or PDF.

:func:`assemble` gathers what a brief says from analysed reports (their features, claims and
:func:`geo_app.check.cross_report.cross_report`); :func:`to_docx` writes it with python-docx (an
editable Word file) and :func:`to_pdf` with ReportLab, in DejaVu Sans taken from
matplotlib's bundled fonts (so non-Latin text prints on a fresh machine with no system
fonts). Both carry the same text: every claim row, the attribution of the data (GeoNames
CC BY 4.0, Natural Earth public domain) and the method.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import geopandas as gpd
import pandas as pd
from docx import Document
from docx.shared import Cm, Pt
from matplotlib import get_data_path
from PIL import Image as PILImage
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Image, ListFlowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from geo_app import features as L
from geo_app._errors import InputError
from geo_app.check.cross_report import cross_report
from geo_app.render.names import english_names

#: File kinds :func:`write` knows, by suffix.
BRIEF_SUFFIXES = (".docx", ".pdf")
#: Data attribution every brief carries.
ATTRIBUTION_NOTES = (
    "Places: GeoNames gazetteer (geonames.org), licensed CC BY 4.0.",
    "Borders, first-level regions and marine areas: Natural Earth (naturalearthdata.com), public domain.",
)
#: How the figures were made.
METHOD_NOTES = (
    "Places are found by named-entity recognition (spaCy) and resolved offline against the GeoNames gazetteer; "
    "each is dated by the report's own dates where it gives them.",
    "Distances are geodesic on the WGS84 ellipsoid (pyproj Geod): between gazetteer points, or from a point to "
    "the nearest point of a border or area. Adjacency is the length of shared border.",
    "Verdicts: consistent (the measurement agrees with the claim within its tolerance), overstated, understated, "
    "contradicted (the places or relation do not hold), unverifiable (the places or figures could not be pinned "
    "down well enough to check).",
    "The map is a Lambert azimuthal equal-area projection centred on the frame; its scale bar is true at the centre.",
)
_CLAIM_HEADERS = ("Quote", "Source", "Date", "Measured", "Claimed vs measured", "Verdict")
#: The claims table's relative column widths on the PDF (raised where a word would not fit).
_CLAIM_SHARES = (4.8, 2.3, 1.6, 3.7, 2.5, 2.1)
_PDF_TEXT_WIDTH_CM = 17.0  # A4 less 2 cm margins
_CELL_PADDING_PT = 12.0  # ReportLab's table cells: 6 pt left and right


@dataclass
class Brief:
    """What a brief says, ready to write (plain text everywhere; the writers escape it)."""

    title: str
    window: str
    map_png: bytes
    claims: list[dict[str, str]] = field(default_factory=list)
    places_by_source: list[tuple[str, list[str]]] = field(default_factory=list)
    shared_places: list[tuple[str, str]] = field(default_factory=list)
    agreements: list[str] = field(default_factory=list)
    disagreements: list[str] = field(default_factory=list)
    outliers: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    created: str = ""


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    return " ".join(str(value).split())


def _km(value: Any) -> str:
    return f"{float(value):,.1f} km" if value is not None and pd.notna(value) else ""


def claim_rows(gdf: gpd.GeoDataFrame, labels: Mapping[str, str]) -> list[dict[str, str]]:
    """One row per claim feature: quote, source, date, what was measured against what, figures, verdict."""
    if gdf.empty:
        return []
    claims = gdf[gdf["kind"] == "claim"]
    claims = claims.assign(name=english_names(gdf)[claims.index])  # the map's spelling (render.names)
    rows = []
    for _, r in claims.iterrows():
        start, end = _text(r.get("date_start")), _text(r.get("date_end"))
        date = (start if start == end or not end else f"{start} to {end}") if start else (
            f"published {_text(r.get('published'))}" if _text(r.get("published")) else "undated")
        bound = {"at_most": "at most ", "at_least": "at least ", "about": "about "}.get(_text(r.get("bound")), "")
        claimed = _km(r.get("claimed_km"))
        measured = _km(r.get("measured_km"))
        figures = (f"claimed {bound}{claimed}; " if claimed else "") + (
            f"measured {measured}" if measured else "not measured" if claimed else "")
        if claimed and _text(r.get("claim_type")) == "adjacency":  # a stated border length (see the reason)
            figures = f"claimed border length {bound}{claimed}; {_text(r.get('reason'))}"
        what = _text(r.get("name"))
        kind = _text(r.get("claim_type"))
        method = _text(r.get("method"))
        rows.append({
            "Quote": _text(r.get("quote")),
            "Source": labels.get(str(r.get("report_id")), _text(r.get("source")) or str(r.get("report_id"))),
            "Date": date,
            "Measured": f"{kind}: {what}" + (f" ({method})" if method else ""),
            "Claimed vs measured": figures or "no figure",
            "Verdict": _text(r.get("verdict")) or "unverifiable",
            "Data": _text(r.get("data_source")),
        })
    return rows


def places_by_source(gdf: gpd.GeoDataFrame, labels: Mapping[str, str]) -> list[tuple[str, list[str]]]:
    """The distinct places each report names (mentions, not claims or derived areas), by report label."""
    if gdf.empty:
        return []
    mentions = gdf[(gdf["kind"] != "claim") & gdf["layer"].isin(L.POINT_LAYERS)]
    if not mentions.empty:  # the map's spelling of each place (render.names)
        mentions = mentions.assign(name=english_names(mentions))
    out: list[tuple[str, list[str]]] = []
    for report_id, part in mentions.groupby("report_id", sort=False):
        names = sorted({_text(n) for n in part["name"] if _text(n)}, key=str.casefold)
        out.append((labels.get(str(report_id), str(report_id)), names))
    return sorted(out, key=lambda item: item[0].casefold())


def _agreement(analyses: Sequence[Any], labels: Mapping[str, str]) -> tuple[list[tuple[str, str]], list[str], list[str]]:
    found = cross_report(list(analyses))
    shared = [(p["name"], "; ".join(labels.get(m["report_id"], m["report_id"]) for m in p["mentions"]))
              for p in found.get("shared_places", [])]

    def describe(item: dict[str, Any]) -> str:
        parts = []
        for c in item["claims"]:
            ends = " → ".join(x for x in (c.get("from_name"), c.get("to_name")) if x) or " / ".join(item["endpoints"])
            says = c.get("claimed_text") or c.get("quote") or ""
            parts.append(f"{labels.get(c['report_id'], c['report_id'])}: {ends}: \u201c{_text(says)}\u201d "
                         f"({c.get('verdict') or 'unverifiable'})")
        extra = f"; figures differ by {item['difference_km']:,.0f} km" if "difference_km" in item else ""
        return f"{item['claim_type']}: " + " | ".join(parts) + extra

    return shared, [describe(i) for i in found.get("agreements", [])], [describe(i) for i in found.get("disagreements", [])]


def assemble(analyses: Sequence[Any], gdf: gpd.GeoDataFrame, *, title: str, window: str, map_png: bytes,
             labels: Mapping[str, str] | None = None, outliers: Sequence[str] = (),
             created: dt.date | None = None) -> Brief:
    """Gather a brief from analysed reports.

    Parameters
    ----------
    analyses : sequence of Analysis
        The reports, analysed (:func:`geo_app.pipeline.analyze`).
    gdf : GeoDataFrame
        Their features (:func:`geo_app.features.features_gdf`), filtered to the window.
    title, window : str
        The brief's title and its date window as a phrase.
    map_png : bytes
        The map (:func:`geo_app.render.plot.render`).
    labels : mapping, optional
        How to name each report (report id -> title or source); the id otherwise.
    outliers : sequence of str
        Places left out of the map's frame.
    created : date, optional
        Date printed on the brief (none if None: the file is then the same for the same input).
    """
    labels = dict(labels or {})
    shared, agree, disagree = _agreement(analyses, labels)
    return Brief(
        title=title, window=window, map_png=map_png, claims=claim_rows(gdf, labels),
        places_by_source=places_by_source(gdf, labels), shared_places=shared, agreements=agree,
        disagreements=disagree, outliers=list(outliers), notes=[*METHOD_NOTES, *ATTRIBUTION_NOTES],
        created=created.isoformat() if created else "",
    )


def _sections(brief: Brief) -> list[tuple[str, list[str]]]:
    """The brief's text sections after the claims table (heading, paragraphs): one source for both writers."""
    places = [f"{src}: {', '.join(names) if names else 'none'}" for src, names in brief.places_by_source]
    agreement = ([f"Places several reports name: {', '.join(f'{n} ({s})' for n, s in brief.shared_places)}."]
                 if brief.shared_places else ["No place is named by more than one report."])
    agreement += [f"Agree: {a}" for a in brief.agreements] or ["No two reports make the same claim."]
    agreement += [f"Disagree: {d}" for d in brief.disagreements] or ["No claims disagree."]
    out = [("Places by source", places or ["No places found."]),
           ("Cross-report agreement", agreement)]
    if brief.outliers:
        out.append(("Outside the map's frame", [", ".join(brief.outliers) + "."]))
    out.append(("Method and data", list(brief.notes)))
    return out


def to_docx(brief: Brief) -> bytes:
    """The brief as an editable Word document (python-docx)."""

    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Cm(2.0))
    section.top_margin = section.bottom_margin = Cm(1.8)
    doc.styles["Normal"].font.name = "DejaVu Sans"
    doc.styles["Normal"].font.size = Pt(9)
    doc.core_properties.title = brief.title
    doc.core_properties.subject = brief.window
    doc.add_heading(brief.title, level=1)
    doc.add_paragraph(brief.window + (f" · prepared {brief.created}" if brief.created else ""))
    doc.add_picture(io.BytesIO(brief.map_png), width=Cm(16.0))
    doc.add_heading("Claims checked", level=2)
    if brief.claims:
        table = doc.add_table(rows=1, cols=len(_CLAIM_HEADERS))
        table.style = "Table Grid"
        for cell, head in zip(table.rows[0].cells, _CLAIM_HEADERS):
            cell.text = ""
            cell.paragraphs[0].add_run(head).bold = True
        for row in brief.claims:
            cells = table.add_row().cells
            for cell, head in zip(cells, _CLAIM_HEADERS):
                cell.text = row[head]
        for r in table.rows:
            for cell in r.cells:
                for p in cell.paragraphs:
                    for run in p.runs:
                        run.font.size = Pt(7.5)
        # The PDF's column rule (each column fits its longest word; the quote gets the most room),
        # not Word's equal columns: Word's default cell margins are 0.19 cm each side.
        regular, bold = _register_fonts()
        widths = column_widths([_CLAIM_HEADERS, *([row[h] for h in _CLAIM_HEADERS] for row in brief.claims)],
                               _CLAIM_SHARES, total=_PDF_TEXT_WIDTH_CM * cm, font=regular, size=7.5, bold=bold,
                               padding=0.38 * cm)
        table.autofit = False
        for j, width in enumerate(widths):
            for cell in table.columns[j].cells:
                cell.width = Pt(width)
    else:
        doc.add_paragraph("No claims found.")
    for heading, paragraphs in _sections(brief):
        doc.add_heading(heading, level=2)
        for text in paragraphs:
            doc.add_paragraph(text, style="List Bullet" if heading != "Outside the map's frame" else None)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _register_fonts() -> tuple[str, str]:
    """DejaVu Sans (regular, bold) for ReportLab, from matplotlib's bundled fonts."""

    names = ("GeoAppDejaVu", "GeoAppDejaVu-Bold")
    if names[0] not in pdfmetrics.getRegisteredFontNames():
        ttf = Path(get_data_path()) / "fonts" / "ttf"
        pdfmetrics.registerFont(TTFont(names[0], str(ttf / "DejaVuSans.ttf")))
        pdfmetrics.registerFont(TTFont(names[1], str(ttf / "DejaVuSans-Bold.ttf")))
        pdfmetrics.registerFontFamily(names[0], normal=names[0], bold=names[1], italic=names[0], boldItalic=names[1])
    return names


def _tokens(text: str) -> list[str]:
    """The pieces a table cell may not break inside: its words (ReportLab breaks lines at spaces
    only, and cuts a longer word anywhere: "Ar|menia-Azerbai|jan")."""
    return text.split()


def column_widths(rows: Sequence[Sequence[str]], shares: Sequence[float], *, total: float, font: str,
                  size: float, bold: str | None = None, padding: float = _CELL_PADDING_PT) -> list[float]:
    """Table column widths (points) that add up to ``total``, where no word is cut.

    Each column gets at least its longest word ("Armenia-Azerbaijan", a date "2026-04-14") plus
    the cell padding, as far as ``total`` allows; the width left is shared in proportion to
    ``shares``.

    Parameters
    ----------
    rows : sequence of sequence of str
        The cells, header first (set in ``bold`` if given).
    shares : sequence of float
        The columns' relative widths when every piece fits anyway.
    total : float
        The table's width, points.
    font, size : str, float
        The cells' font (a registered ReportLab font name) and size, points.
    bold : str, optional
        The header's font.
    padding : float
        Left plus right padding of a cell, points.

    Returns
    -------
    list of float
    """
    need = [0.0] * len(shares)
    for i, row in enumerate(rows):
        face = bold if (i == 0 and bold) else font
        for j, cell in enumerate(row):
            widest = max((stringWidth(t, face, size) for t in _tokens(str(cell))), default=0.0)
            need[j] = max(need[j], widest + padding)
    if sum(need) > total:  # cannot all fit: scale the needs down (a long word is then cut, as before)
        return [n * total / sum(need) for n in need]
    base = [total * s / sum(shares) for s in shares]
    # raise the columns that need it; take the difference from the others, in proportion to their spare room
    short = sum(max(0.0, n - b) for n, b in zip(need, base))
    spare = [max(0.0, b - n) for n, b in zip(need, base)]
    room = sum(spare)
    return [max(n, b) - (short * sp / room if room else 0.0) for n, b, sp in zip(need, base, spare)]


def to_pdf(brief: Brief) -> bytes:
    """The brief as a PDF (ReportLab, A4 portrait, DejaVu Sans embedded)."""
    regular, bold = _register_fonts()
    body = ParagraphStyle("body", fontName=regular, fontSize=9, leading=11.5)
    small = ParagraphStyle("small", parent=body, fontSize=7, leading=8.6)
    head = ParagraphStyle("head", parent=small, fontName=bold)
    h1 = ParagraphStyle("h1", parent=body, fontName=bold, fontSize=15, leading=18, spaceAfter=4)
    h2 = ParagraphStyle("h2", parent=body, fontName=bold, fontSize=11, leading=14, spaceBefore=8, spaceAfter=3)

    def para(text: str, style: ParagraphStyle = body) -> Paragraph:
        return Paragraph(escape(text), style)

    story: list[Any] = [para(brief.title, h1),
                        para(brief.window + (f" · prepared {brief.created}" if brief.created else ""))]
    story.append(Spacer(1, 6))
    with PILImage.open(io.BytesIO(brief.map_png)) as img:
        w_px, h_px = img.size
    width = 16.0 * cm
    story.append(Image(io.BytesIO(brief.map_png), width=width, height=width * h_px / w_px))
    story.append(para("Claims checked", h2))
    if brief.claims:
        data = [[para(h, head) for h in _CLAIM_HEADERS]]
        data += [[para(row[h], small) for h in _CLAIM_HEADERS] for row in brief.claims]
        widths = column_widths([_CLAIM_HEADERS, *([row[h] for h in _CLAIM_HEADERS] for row in brief.claims)],
                               _CLAIM_SHARES, total=_PDF_TEXT_WIDTH_CM * cm, font=regular, size=small.fontSize,
                               bold=bold)
        table = Table(data, colWidths=widths, repeatRows=1)
        table.setStyle(TableStyle([
            ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#999999")),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ]))
        story.append(table)
    else:
        story.append(para("No claims found."))
    for heading, paragraphs in _sections(brief):
        story.append(para(heading, h2))
        story.append(ListFlowable([para(t) for t in paragraphs], bulletType="bullet", start="•",
                                  bulletFontName=regular, leftIndent=10))
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=2 * cm, rightMargin=2 * cm, topMargin=1.8 * cm,
                            bottomMargin=1.8 * cm, title=brief.title, subject=brief.window, author="geo_app",
                            creator="geo_app", invariant=1)
    doc.build(story)
    return buf.getvalue()


def write(brief: Brief, path: str | Path) -> Path:
    """Write the brief as DOCX or PDF, by the path's suffix."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in BRIEF_SUFFIXES:
        raise InputError(f"{path.name}: a brief is written as {' or '.join(BRIEF_SUFFIXES)}, not {suffix or 'no suffix'!r}")
    path.write_bytes(to_docx(brief) if suffix == ".docx" else to_pdf(brief))
    return path
