"""The one-click brief (DOCX and PDF) and the map/brief use cases: read back, not just written."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from geo_app import features as L
from geo_app._errors import InputError
from geo_app.pipeline import analyze
from geo_app.render import brief as B
from geo_app.render import plot
from geo_app.text.reports import Report, sample_reports
from geo_app.ui import usecases as U
from geo_app.ui.cli import app

SEEDS = sorted(Path("/work/shared/seeds").glob("*.txt"))


@pytest.fixture(scope="module")
def sample_brief() -> tuple[B.Brief, list[dict[str, str]]]:
    reports = list(sample_reports())
    analyses = [analyze(r.text, r.published, report_id=r.report_id, source=r.source) for r in reports]
    gdf = L.features_gdf(analyses)
    png, info = plot.render(gdf, title="Sample brief")
    labels = U.report_labels(reports)
    content = B.assemble(analyses, gdf, title="Sample brief – Belarus, Україна", window="all dates", map_png=png,
                         labels=labels, outliers=info.outliers)
    return content, content.claims


def _docx_text(data: bytes) -> str:
    import docx

    doc = docx.Document(io.BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts += [c.text for c in row.cells]
    return "\n".join(parts)


def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)


def _squash(text: str) -> str:
    return "".join(text.split())


def test_claim_rows_hold_every_claim(sample_brief):
    content, rows = sample_brief
    assert rows, "the sample reports make claims"
    gdf = L.features_gdf([analyze(r.text, r.published, report_id=r.report_id, source=r.source)
                          for r in sample_reports()])
    assert len(rows) == int((gdf["kind"] == "claim").sum())
    for row in rows:
        assert row["Quote"] and row["Source"] and row["Verdict"] in {"consistent", "overstated", "understated",
                                                                     "contradicted", "unverifiable"}
        assert ":" in row["Measured"] and row["Date"]


def test_docx_reads_back(sample_brief):
    import docx

    content, rows = sample_brief
    data = B.to_docx(content)
    text = _docx_text(data)
    doc = docx.Document(io.BytesIO(data))
    assert len(doc.inline_shapes) == 1  # the map
    assert len(doc.tables[0].rows) == len(rows) + 1
    for row in rows:
        assert row["Quote"] in text and row["Claimed vs measured"] in text
    assert "CC BY 4.0" in text and "Natural Earth" in text and "public domain" in text
    assert "Україна" in text


def test_pdf_reads_back(sample_brief):
    content, rows = sample_brief
    data = B.to_pdf(content)
    assert data[:5] == b"%PDF-"
    text = _squash(_pdf_text(data))
    for row in rows:
        assert _squash(row["Quote"])[:60] in text, row["Quote"]
        assert _squash(row["Verdict"]) in text
    assert _squash("GeoNames gazetteer (geonames.org), licensed CC BY 4.0") in text
    assert _squash("Natural Earth (naturalearthdata.com), public domain") in text
    assert "Україна" in text  # DejaVu carries Cyrillic


@pytest.mark.skipif(not shutil.which("pdftoppm"), reason="poppler-utils not installed")
def test_pdf_first_page_renders(sample_brief, tmp_path):
    content, _ = sample_brief
    pdf = tmp_path / "b.pdf"
    pdf.write_bytes(B.to_pdf(content))
    subprocess.run(["pdftoppm", "-r", "40", "-f", "1", "-l", "1", "-png", str(pdf), str(tmp_path / "p")], check=True)
    page = next(tmp_path.glob("p*.png"))
    px = plot.png_pixels(page.read_bytes())
    assert px.shape[0] > px.shape[1]  # A4 portrait
    assert px[..., :3].std() > 20  # not blank: the map is on the first page


def test_write_picks_by_suffix(sample_brief, tmp_path):
    content, _ = sample_brief
    assert B.write(content, tmp_path / "x.docx").read_bytes()[:2] == b"PK"
    assert B.write(content, tmp_path / "x.pdf").read_bytes()[:5] == b"%PDF-"
    with pytest.raises(InputError):
        B.write(content, tmp_path / "x.odt")


def test_parse_bbox_and_view_bbox():
    assert U.parse_bbox("20,44,42,56") == (20.0, 44.0, 42.0, 56.0)
    assert U.parse_bbox(None) is None and U.parse_bbox("") is None
    for bad in ("1,2,3", "a,b,c,d", "40,44,20,56", "20,95,42,96"):
        with pytest.raises(InputError):
            U.parse_bbox(bad)
    state = {"bounds": {"_southWest": {"lat": 44.0, "lng": -200.0}, "_northEast": {"lat": 56.0, "lng": 42.0}}}
    assert U.view_bbox(state) == (-180.0, 44.0, 42.0, 56.0)
    assert U.view_bbox(None) is None and U.view_bbox({"bounds": {}}) is None


def test_report_titles():
    headline = Report(text="Troops gather near the border\n\nThe army said on Monday ...")
    sentence = Report(text="The army said on Monday that troops gathered.\nMore.", meta={"file": "a.txt"})
    assert U.report_title(headline) == "Troops gather near the border"
    assert U.report_title(sentence) == "a.txt"
    assert U.report_title(Report(text="x", title="Given")) == "Given"
    assert U.default_title([headline, sentence]) == "Troops gather near the border; a.txt"


@pytest.mark.skipif(not SEEDS, reason="the seed reports are not on this machine")
def test_cli_brief_and_map_on_the_seeds(tmp_path):
    runner = CliRunner()
    for suffix in ("docx", "pdf"):
        out = tmp_path / f"brief.{suffix}"
        result = runner.invoke(app, ["brief", *map(str, SEEDS), "--out", str(out)])
        assert result.exit_code == 0, result.output
        data = out.read_bytes()
        text = _squash(_docx_text(data) if suffix == "docx" else _pdf_text(data))
        assert _squash("Kyiv → the southern Belarus border") in text
        assert _squash("more than 9000 km away") in text
        assert "CCBY4.0" in text and "NaturalEarth" in text
    bad = runner.invoke(app, ["brief", str(SEEDS[0]), "--out", str(tmp_path / "b.txt")])
    assert bad.exit_code == 2
    png = tmp_path / "m.png"
    result = runner.invoke(app, ["map", *map(str, SEEDS), "--png", str(png), "--bbox", "22,45,36,55"])
    assert result.exit_code == 0, result.output
    w, s, e, n = __import__("json").loads(plot.png_text(png.read_bytes())["geo_app:bbox"])
    assert w <= 22 and e >= 36 and s <= 45 and n >= 55 and e - w < 20


def test_brief_uses_the_map_spelling_and_says_not_measured():
    """Places by source use the map's one spelling; a claim with no measurement says so."""
    import geopandas as gpd
    from shapely.geometry import LineString, Point

    from geo_app.places.gazetteer import get_gazetteer
    from geo_app.render import brief

    gomel = next(m.place for m in get_gazetteer().lookup("Gomel") if m.place.feature_class == "P")
    rows = [
        {"kind": "place", "layer": "places", "text": "Gomel", "name": gomel.name, "place_key": gomel.key,
         "report_id": "r1"},
        {"kind": "claim", "layer": "claims", "text": "5 km", "name": "? → the Sudan border", "place_key": None,
         "report_id": "r1", "claimed_km": 5.0, "measured_km": None, "bound": "at_most", "claim_type": "distance"},
    ]
    gdf = gpd.GeoDataFrame(rows, geometry=[Point(31, 52.4), LineString([(22, 13), (22.5, 13)])], crs="EPSG:4326")
    assert brief.places_by_source(gdf, {"r1": "Report one"}) == [("Report one", ["Gomel"])]
    (row,) = brief.claim_rows(gdf, {"r1": "Report one"})
    assert row["Claimed vs measured"] == "claimed at most 5.0 km; not measured", row


def test_a_stated_border_length_shows_the_measured_length_not_the_gap() -> None:
    gdf, _ = L.features_table([analyze("Ukraine shares a 1,084 km border with Belarus.", report_id="r1")])
    (row,) = B.claim_rows(gdf, {"r1": "Report one"})
    assert row["Claimed vs measured"].startswith("claimed border length 1,084")
    assert "shared border measures" in row["Claimed vs measured"]
    assert row["Verdict"] == "consistent"


def test_pdf_claims_table_cuts_no_word(tmp_path):
    """A long hyphenated word of a report's title and a date range stay whole in the PDF table."""
    from PIL import Image as PILImage

    label = "Caucasus Daily: Shelling reported on Armenia-Azerbaijan border near Jermuk"
    png = io.BytesIO()
    PILImage.new("RGB", (40, 30), "white").save(png, format="PNG")
    row = {"Quote": "Shelling was reported about 50 km north of Goris on Sunday.", "Source": label,
           "Date": "2026-04-10 to 2026-04-14", "Measured": "distance: Goris → Jermuk",
           "Claimed vs measured": "claimed about 50.0 km; measured 52.3 km", "Verdict": "consistent", "Data": ""}
    text = _pdf_text(B.to_pdf(B.Brief(title="t", window="w", map_png=png.getvalue(), claims=[row])))
    assert "Armenia-Azerbaijan" in text and "2026-04-10" in text and "2026-04-14" in text, text
    regular, bold = B._register_fonts()
    widths = B.column_widths([B._CLAIM_HEADERS, [row[h] for h in B._CLAIM_HEADERS]], B._CLAIM_SHARES,
                             total=480.0, font=regular, size=7, bold=bold)
    assert abs(sum(widths) - 480.0) < 1e-6
    from reportlab.pdfbase.pdfmetrics import stringWidth

    for cell, width in zip([row[h] for h in B._CLAIM_HEADERS], widths):
        assert all(stringWidth(w, regular, 7) + 12 <= width + 1e-6 for w in cell.split()), (cell, width)


def test_docx_claims_table_columns_follow_their_content(sample_brief):
    """The Word table is not six equal columns: the quote is widest and every column holds its longest word."""
    import docx
    from docx.shared import Pt
    from reportlab.pdfbase.pdfmetrics import stringWidth

    brief, rows = sample_brief
    table = docx.Document(io.BytesIO(B.to_docx(brief))).tables[0]
    widths = [table.columns[j].cells[0].width for j in range(len(B._CLAIM_HEADERS))]
    assert widths[0] == max(widths) and len(set(widths)) > 1, widths
    assert abs(sum(widths) - Pt(17.0 / 2.54 * 72)) < Pt(2)
    regular, _ = B._register_fonts()
    for j, head in enumerate(B._CLAIM_HEADERS):
        longest = max(stringWidth(w, regular, 7.5) for r in brief.claims for w in r[head].split())
        assert Pt(longest) <= widths[j], (head, longest, widths[j])
