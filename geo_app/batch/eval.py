"""Evaluation harness for geoparsing on public news corpora (LGL, GeoWebNews).

Reads the gold annotations, scores toponym recognition (precision, recall, F1;
strict and lenient) and toponym resolution (great-circle error in km on the
WGS84 ellipsoid, Acc@161, AUC, mean and median), times a parser, and prints a
Markdown table next to published figures.

Metrics follow Gritta et al. (2018, 2019):

* recognition, strict: a prediction matches a gold toponym with the identical
  character span; lenient: the identical span, or the same name (case- and
  whitespace-insensitive) with span midpoints fewer than
  :data:`LENIENT_MAX_MIDPOINT_CHARS` characters apart. Each gold toponym and each
  prediction is matched at most once.
* resolution: error = geodesic distance in km between the gold and the
  predicted point; Acc@161 = share of errors below :data:`ACC_KM`; AUC = trapezoid
  integral of ``ln(1 + error)`` over the sorted errors divided by
  ``ln(MAX_ERROR_KM) * (n - 1)`` (0 best, 1 worst).
* area-aware accuracy (when the caller passes ``area_of``): a prediction that is an
  area (a country, region, county or sea with a polygon) is right when the gold point
  lies inside its polygon, wherever its representative point is; a point prediction
  keeps the 161 km rule. A corpus that marks a country by one conventional point then
  no longer decides which point a geoparser must give for the whole country.

The corpora are read from wherever the caller points; nothing is bundled.

Run it with ``geo-app eval`` or ``python -m geo_app.batch.run_eval`` (:mod:`geo_app.batch.run_eval`).
"""

from __future__ import annotations

import datetime
import math
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import shapely

from geo_app._errors import InputError
from geo_app.geo.geodesy import geodesic_km

__all__ = [
    "ACC_KM",
    "GWN_EXCLUDED_TYPES",
    "LENIENT_MAX_MIDPOINT_CHARS",
    "MAX_ERROR_KM",
    "PUBLISHED_SCORES",
    "Document",
    "GoldToponym",
    "Prediction",
    "PublishedScore",
    "area_aware_accuracy",
    "evaluate",
    "format_table",
    "offset_mismatches",
    "read_camcoder",
    "read_corpus",
    "read_gwn",
    "read_lgl",
    "recognition_scores",
    "resolution_scores",
    "sniff_corpus",
]

#: Errors below this many km count as correct in Acc@161 (100 miles).
ACC_KM: float = 161.0
#: Largest possible error, km (half the Earth's circumference, as in Gritta et al.);
#: the AUC normaliser and the error charged for an unresolved toponym.
MAX_ERROR_KM: float = 20039.0
#: Lenient recognition: span midpoints must be fewer than this many characters apart.
LENIENT_MAX_MIDPOINT_CHARS: float = 10.0
#: GeoWebNews types left out of the recognition gold (as in the GeoWebNews paper: 2,720 remain).
GWN_EXCLUDED_TYPES: frozenset[str] = frozenset({"Non_Toponym", "Literal_Expression", "Non_Lit_Expression"})

# Default folder of the benchmark corpora, used when --corpus names a corpus
# ("LGL", "GeoWebNews") rather than a path. Wanted in settings as EVAL_BENCH_DIR.
# Print a progress line every this many documents.
_PROGRESS_EVERY: int = 10

# Spellings of a missing coordinate in CamCoder-format system outputs.
_NO_VALUE: frozenset[str] = frozenset({"", "none", "null", "nan"})
_CORPUS_FILES: dict[str, str] = {"LGL": "lgl.xml", "GeoWebNews": "GWN.xml"}


@dataclass(frozen=True)
class GoldToponym:
    """A toponym annotated in a corpus.

    Attributes
    ----------
    start, end : int
        Character offsets into :attr:`Document.text` (``end`` exclusive), as given.
    name : str
        The annotated surface form (LGL ``phrase``, GeoWebNews ``extractedName``).
    lat, lon : float or None
        Gold point, WGS84 degrees; None when the annotators gave none.
    geonameid : int or None
        GeoNames id of the referent; None when absent.
    """

    start: int
    end: int
    name: str
    lat: float | None
    lon: float | None
    geonameid: int | None

    @property
    def resolvable(self) -> bool:
        """True when this toponym is in the resolution gold (point and GeoNames id)."""
        return self.lat is not None and self.lon is not None and self.geonameid is not None


@dataclass(frozen=True)
class Document:
    """A corpus article with its recognition gold.

    Attributes
    ----------
    doc_id : str
        LGL ``docid`` or GeoWebNews ``file``.
    text : str
        Article body the offsets refer to.
    toponyms : tuple of GoldToponym
        Recognition gold; the resolution gold is the subset with
        :attr:`GoldToponym.resolvable`.
    published : datetime.date or None
        Publication (LGL: download) date when known.
    """

    doc_id: str
    text: str
    toponyms: tuple[GoldToponym, ...]
    published: datetime.date | None = None


@dataclass(frozen=True)
class Prediction:
    """A toponym found by a system; ``lat``/``lon`` (WGS84 degrees) None if unresolved.

    ``place_key`` and ``feature_code`` name the predicted place when the system knows it (the
    area-aware score looks up its polygon with them); None for systems that give points only.
    """

    start: int
    end: int
    name: str
    lat: float | None
    lon: float | None
    place_key: str | None = None
    feature_code: str | None = None


@dataclass(frozen=True)
class PublishedScore:
    """A published figure to compare against (shares in 0..1)."""

    corpus: str
    system: str
    metric: str
    value: float
    note: str
    source: str


_LRE_2018 = "Gritta et al. 2018, What's missing in geographical parsing? (LRE)"
_ACL_2018 = "Gritta et al. 2018, Which Melbourne? (ACL), Table 1"
_GWN_2019 = "Gritta et al. 2019, A Pragmatic Guide to Geoparsing Evaluation"
_MORDECAI3 = "Mordecai 3 README (Halterman)"

#: Published anchors shown under the results table by :func:`format_table`.
PUBLISHED_SCORES: tuple[PublishedScore, ...] = (
    PublishedScore("LGL", "Topocluster", "recognition F1", 0.71, "best system", _LRE_2018),
    PublishedScore("LGL", "Edinburgh Geoparser", "recognition F1", 0.62, "", _LRE_2018),
    PublishedScore("LGL", "CLAVIN", "recognition F1", 0.57, "", _LRE_2018),
    PublishedScore("LGL", "CamCoder", "Acc@161", 0.76, "end-to-end", _ACL_2018),
    PublishedScore("LGL", "Edinburgh Geoparser", "Acc@161", 0.76, "end-to-end", _ACL_2018),
    PublishedScore("LGL", "population baseline", "Acc@161", 0.70, "end-to-end", _ACL_2018),
    PublishedScore("LGL", "Mordecai 3", "Acc@161 gold spans", 0.827, "gold spans", _MORDECAI3),
    PublishedScore("GeoWebNews", "spaCy v2", "recognition F1", 0.749, "", _GWN_2019),
    PublishedScore("GeoWebNews", "Google Cloud NL", "recognition F1", 0.832, "", _GWN_2019),
    PublishedScore("GeoWebNews", "Edinburgh Geoparser", "Acc@161", 0.919, "own matched subset", _GWN_2019),
    PublishedScore("GeoWebNews", "Mordecai 3", "Acc@161 gold spans", 0.941, "gold spans", _MORDECAI3),
)


# --- readers ----------------------------------------------------------------------


def _parse_xml(path: Path) -> ET.Element:
    try:
        return ET.parse(path).getroot()
    except FileNotFoundError:
        raise InputError(f"corpus file not found: {path}") from None
    except ET.ParseError as exc:
        raise InputError(f"{path} is not well-formed XML: {exc}") from None


def _int(text: str | None, what: str, path: Path) -> int:
    try:
        return int((text or "").strip())
    except ValueError:
        raise InputError(f"{path}: {what} is not an integer: {text!r}") from None


def _float_or_none(text: str | None) -> float | None:
    text = (text or "").strip()
    return float(text) if text else None


def _parse_date(text: str | None) -> datetime.date | None:
    # dltime looks like "2009-03-20 12:24:52.002364-05"; only the date is wanted.
    try:
        return datetime.date.fromisoformat((text or "").strip()[:10])
    except ValueError:
        return None


def read_lgl(path: Path) -> list[Document]:
    """Read LGL (``lgl.xml``, Lieberman et al. 2010).

    Parameters
    ----------
    path : Path
        The ``lgl.xml`` file.

    Returns
    -------
    list of Document
        588 articles in file order; every annotated toponym (5,088) is recognition
        gold, those with a gazetteer entry (4,462) carry lat/lon and GeoNames id.
        ``published`` is the date of ``<dltime>`` when it parses.
    """
    path = Path(path)
    root = _parse_xml(path)
    docs = []
    for art in root.iter("article"):
        toponyms = []
        for top in art.iter("toponym"):
            gaz = top.find("gaztag")
            gid = gaz.get("geonameid") if gaz is not None else None
            toponyms.append(
                GoldToponym(
                    start=_int(top.findtext("start"), "start", path),
                    end=_int(top.findtext("end"), "end", path),
                    name=top.findtext("phrase") or "",
                    lat=_float_or_none(gaz.findtext("lat")) if gaz is not None else None,
                    lon=_float_or_none(gaz.findtext("lon")) if gaz is not None else None,
                    geonameid=int(gid) if gid and gid.strip() else None,
                )
            )
        docs.append(
            Document(
                doc_id=art.get("docid") or str(len(docs)),
                text=art.findtext("text") or "",
                toponyms=tuple(toponyms),
                published=_parse_date(art.findtext("dltime")),
            )
        )
    return docs


def read_gwn(path: Path, *, exclude_types: Collection[str] = GWN_EXCLUDED_TYPES) -> list[Document]:
    """Read GeoWebNews (``GWN.xml``, Gritta et al. 2019).

    Parameters
    ----------
    path : Path
        The ``GWN.xml`` file.
    exclude_types : collection of str, optional
        Annotation types left out; the default keeps the paper's 2,720
        recognition toponyms. Pass ``()`` to keep all 6,612 annotations.

    Returns
    -------
    list of Document
        200 articles in file order. A toponym carries a GeoNames id only when
        ``geonamesID`` is non-empty (2,401: the resolution gold); annotator-only
        coordinates are kept in lat/lon. Offsets are kept as given even where
        they do not spell ``extractedName`` (see :func:`offset_mismatches`).
    """
    path = Path(path)
    root = _parse_xml(path)
    excluded = frozenset(exclude_types)
    docs = []
    for art in root.iter("article"):
        toponyms = []
        for top in art.iter("toponym"):
            if (top.findtext("type") or "").strip() in excluded:
                continue
            gid = (top.findtext("geonamesID") or "").strip()
            toponyms.append(
                GoldToponym(
                    start=_int(top.findtext("start"), "start", path),
                    end=_int(top.findtext("end"), "end", path),
                    name=top.findtext("extractedName") or "",
                    lat=_float_or_none(top.findtext("latitude")),
                    lon=_float_or_none(top.findtext("longitude")),
                    geonameid=int(gid) if gid else None,
                )
            )
        docs.append(
            Document(
                doc_id=art.get("file") or str(len(docs)),
                text=art.findtext("text") or "",
                toponyms=tuple(toponyms),
            )
        )
    return docs


def sniff_corpus(path: Path) -> tuple[str, Path]:
    """Tell which corpus a file or folder holds.

    Parameters
    ----------
    path : Path
        ``lgl.xml``, ``GWN.xml``, or a folder holding one of them (``LGL/``,
        ``GeoWebNews/``).

    Returns
    -------
    tuple of (str, Path)
        ``"LGL"`` or ``"GeoWebNews"``, and the XML file to read.
    """
    path = Path(path)
    if path.is_dir():
        found = [(name, path / fname) for name, fname in _CORPUS_FILES.items() if (path / fname).is_file()]
        if len(found) != 1:
            raise InputError(f"{path} holds {'none' if not found else 'more than one'} of lgl.xml, GWN.xml")
        path = found[0][1]
    if not path.is_file():
        raise InputError(f"corpus file not found: {path}")
    with path.open("rb") as fh:
        head = fh.read(4096).decode("utf-8", errors="replace")
    if "<feedid>" in head or "docid=" in head:
        return "LGL", path
    if "GeoWebNews" in head or "<extractedName>" in head or 'file="' in head:
        return "GeoWebNews", path
    raise InputError(f"{path} is neither LGL (lgl.xml) nor GeoWebNews (GWN.xml)")


def read_corpus(path: Path) -> list[Document]:
    """Read LGL or GeoWebNews, whichever ``path`` (file or folder) holds; see :func:`sniff_corpus`."""
    name, file = sniff_corpus(path)
    return read_lgl(file) if name == "LGL" else read_gwn(file)


def read_camcoder(path: Path) -> list[list[Prediction]]:
    """Read a file in CamCoder format (gold or system output).

    One line per document; toponyms separated by ``||``, fields by ``,,``:
    ``gazetteer_name,,mention,,lat,,lon,,start,,end[,,extra]``.

    Parameters
    ----------
    path : Path
        The ``.txt`` file.

    Returns
    -------
    list of list of Prediction
        One list per line, in file order; ``name`` is the mention, lat/lon in
        WGS84 degrees (None when empty or ``None``).
    """
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise InputError(f"file not found: {path}") from None
    out: list[list[Prediction]] = []
    for lineno, line in enumerate(lines, 1):
        preds = []
        for item in line.split("||"):
            if not item.strip():
                continue
            fields = item.split(",,")
            if len(fields) < 6:
                raise InputError(f"{path}:{lineno}: expected at least 6 ',,'-separated fields in {item!r}")
            try:
                lat, lon = (None if f.strip().casefold() in _NO_VALUE else float(f) for f in fields[2:4])
                start, end = int(fields[4]), int(fields[5])
            except ValueError:
                raise InputError(f"{path}:{lineno}: bad number in {item!r}") from None
            preds.append(Prediction(start=start, end=end, name=fields[1], lat=lat, lon=lon))
        out.append(preds)
    return out


def offset_mismatches(docs: Iterable[Document]) -> list[tuple[str, GoldToponym, str]]:
    """Gold toponyms whose offsets do not spell their name.

    Returns
    -------
    list of (doc_id, GoldToponym, str)
        Each mismatch with the text its offsets actually cover.
    """
    return [
        (doc.doc_id, top, doc.text[top.start : top.end])
        for doc in docs
        for top in doc.toponyms
        if doc.text[top.start : top.end] != top.name
    ]


# --- metrics ----------------------------------------------------------------------


def _norm_name(name: str) -> str:
    return " ".join(name.split()).casefold()


def _match(
    gold: Sequence[GoldToponym], preds: Sequence[Prediction]
) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """Pair gold and predicted toponyms of one document.

    Returns strict pairs and lenient pairs (a superset), as (gold index,
    prediction index); each index is used at most once per kind.
    """
    by_span: dict[tuple[int, int], list[int]] = {}
    for pi, p in enumerate(preds):
        by_span.setdefault((p.start, p.end), []).append(pi)
    strict = []
    for gi, g in enumerate(gold):
        candidates = by_span.get((g.start, g.end))
        if candidates:
            strict.append((gi, candidates.pop(0)))

    used_gold = {gi for gi, _ in strict}
    used_pred = {pi for _, pi in strict}
    free_preds: dict[str, list[int]] = {}
    for pi, p in enumerate(preds):
        if pi not in used_pred:
            free_preds.setdefault(_norm_name(p.name), []).append(pi)
    candidates_l = []
    for gi, g in enumerate(gold):
        if gi in used_gold:
            continue
        g_mid = (g.start + g.end) / 2
        for pi in free_preds.get(_norm_name(g.name), ()):
            p = preds[pi]
            dist = abs((p.start + p.end) / 2 - g_mid)
            if dist < LENIENT_MAX_MIDPOINT_CHARS:
                candidates_l.append((dist, gi, pi))
    # Closest pairs first: a greedy assignment that rarely differs from the optimum.
    lenient = list(strict)
    for _, gi, pi in sorted(candidates_l):
        if gi not in used_gold and pi not in used_pred:
            used_gold.add(gi)
            used_pred.add(pi)
            lenient.append((gi, pi))
    return strict, lenient


def _prf(tp: int, n_pred: int, n_gold: int) -> dict[str, float | int]:
    precision = tp / n_pred if n_pred else 0.0
    recall = tp / n_gold if n_gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"tp": tp, "fp": n_pred - tp, "fn": n_gold - tp, "precision": precision, "recall": recall, "f1": f1}


def _check_doc_ids(docs: Sequence[Document], predictions: Mapping[str, Sequence[Prediction]]) -> None:
    unknown = set(predictions) - {d.doc_id for d in docs}
    if unknown:
        sample = ", ".join(sorted(unknown)[:5])
        raise InputError(f"predictions for {len(unknown)} document(s) not among the docs: {sample}")


def recognition_scores(docs: Sequence[Document], predictions: Mapping[str, Sequence[Prediction]]) -> dict:
    """Score toponym recognition.

    Parameters
    ----------
    docs : sequence of Document
        Gold documents; every toponym counts.
    predictions : mapping of str to sequence of Prediction
        Predictions by ``doc_id``; a missing document has none.

    Returns
    -------
    dict
        ``n_docs``, ``n_gold``, ``n_pred`` and, under ``"strict"`` and
        ``"lenient"``, ``tp``, ``fp``, ``fn``, ``precision``, ``recall``, ``f1``
        (0.0 when undefined).
    """
    _check_doc_ids(docs, predictions)
    n_gold = n_pred = tp_strict = tp_lenient = 0
    for doc in docs:
        preds = predictions.get(doc.doc_id, ())
        strict, lenient = _match(doc.toponyms, preds)
        n_gold += len(doc.toponyms)
        n_pred += len(preds)
        tp_strict += len(strict)
        tp_lenient += len(lenient)
    return {
        "n_docs": len(docs),
        "n_gold": n_gold,
        "n_pred": n_pred,
        "strict": _prf(tp_strict, n_pred, n_gold),
        "lenient": _prf(tp_lenient, n_pred, n_gold),
    }


def resolution_scores(errors_km: Sequence[float]) -> dict:
    """Summarise resolution errors.

    Parameters
    ----------
    errors_km : sequence of float
        Great-circle errors, km, one per resolved toponym.

    Returns
    -------
    dict
        ``n``; ``acc161``, share of errors below :data:`ACC_KM`; ``auc``, area
        under the curve of ``ln(1 + error) / ln(MAX_ERROR_KM)`` over the sorted
        errors (0 best, 1 worst; for one error its own scaled value);
        ``mean_km``; ``median_km``. All but ``n`` are None when ``n`` is 0.
    """
    errors = np.asarray(errors_km, dtype=float).ravel()
    if np.isnan(errors).any() or (errors < 0).any():
        raise InputError("resolution errors must be non-negative numbers of km")
    n = int(errors.size)
    if n == 0:
        return {"n": 0, "acc161": None, "auc": None, "mean_km": None, "median_km": None}
    scaled = np.log1p(np.sort(errors)) / math.log(MAX_ERROR_KM)
    if n == 1:
        auc = float(scaled[0])
    else:
        # Trapezoid rule over unit steps, normalised by the x-range n - 1.
        auc = float(((scaled[1:] + scaled[:-1]) / 2).sum() / (n - 1))
    return {
        "n": n,
        "acc161": float((errors < ACC_KM).mean()),
        "auc": auc,
        "mean_km": float(errors.mean()),
        "median_km": float(np.median(errors)),
    }


def _distances_km(
    lat1: Sequence[float], lon1: Sequence[float], lat2: Sequence[float], lon2: Sequence[float]
) -> np.ndarray:
    """Geodesic distances, km, on :data:`geo_app.settings.ELLIPSOID`, element-wise."""
    lat1a, lon1a, lat2a, lon2a = (np.asarray(a, dtype=float) for a in (lat1, lon1, lat2, lon2))
    if lat1a.size == 0:
        return np.zeros(0)
    return np.asarray(geodesic_km(lon1a, lat1a, lon2a, lat2a), dtype=float)


def _errors_km(pairs: Sequence[tuple[GoldToponym, Prediction]]) -> tuple[np.ndarray, int]:
    """Errors of (gold, prediction) pairs; an unresolved prediction costs MAX_ERROR_KM."""
    resolved = [(g, p) for g, p in pairs if p.lat is not None and p.lon is not None]
    unresolved = len(pairs) - len(resolved)
    dist = _distances_km(
        [g.lat for g, _ in resolved], [g.lon for g, _ in resolved],
        [p.lat for _, p in resolved], [p.lon for _, p in resolved],
    )  # fmt: skip
    return np.concatenate([dist, np.full(unresolved, MAX_ERROR_KM)]), unresolved


# --- end to end -------------------------------------------------------------------


def area_aware_accuracy(
    pairs: Sequence[tuple[GoldToponym, Prediction]],
    errors_km: Sequence[float],
    area_of: Callable[[Prediction], Any],
) -> float | None:
    """Share of (gold, prediction) pairs right by area: inside the predicted area's polygon, or,
    for a point prediction, fewer than :data:`ACC_KM` km off.

    Parameters
    ----------
    pairs : sequence of (GoldToponym, Prediction)
        Matched pairs, resolved ones first in the order of ``errors_km`` (as :func:`_errors_km`).
    errors_km : sequence of float
        Their errors, km (unresolved ones charged :data:`MAX_ERROR_KM`).
    area_of : callable
        ``area_of(prediction)`` -> a shapely polygon (lon/lat, WGS84) or None for a point.

    Returns
    -------
    float or None
        The share; None without pairs.
    """
    if not pairs:
        return None
    right = 0
    for (gold, pred), err in zip(pairs, errors_km):
        if pred.lat is None or pred.lon is None:
            continue
        geom = area_of(pred)
        if geom is not None:
            right += bool(shapely.contains_xy(geom, gold.lon, gold.lat))
        else:
            right += err < ACC_KM
    return right / len(pairs)


def _resolved_first(pairs: Sequence[tuple[GoldToponym, Prediction]]) -> list[tuple[GoldToponym, Prediction]]:
    """Pairs in the order :func:`_errors_km` reports their errors (resolved first)."""
    resolved = [(g, p) for g, p in pairs if p.lat is not None and p.lon is not None]
    return resolved + [(g, p) for g, p in pairs if p.lat is None or p.lon is None]


def evaluate(
    docs: Sequence[Document],
    parse: Callable[[Document], Sequence[Prediction]],
    *,
    gold_spans_resolver: Callable[[Document, Sequence[GoldToponym]], Sequence[Prediction]] | None = None,
    area_of: Callable[[Prediction], Any] | None = None,
    limit: int | None = None,
    progress: bool = False,
) -> dict:
    """Run a geoparser over a corpus and score it.

    Parameters
    ----------
    docs : sequence of Document
        Gold corpus.
    parse : callable
        ``parse(doc) -> predictions``; it must not look at ``doc.toponyms``.
    gold_spans_resolver : callable, optional
        ``resolver(doc, gold) -> predictions``, one per gold toponym handed over
        (the resolution gold of ``doc``), lat/lon None when unresolved.
    area_of : callable, optional
        ``area_of(prediction)`` -> the predicted area's polygon or None; with it, the
        results carry ``acc_area`` beside ``acc161`` (see :func:`area_aware_accuracy`).
    limit : int, optional
        Score only the first ``limit`` documents.
    progress : bool, optional
        Print a progress line to stderr.

    Returns
    -------
    dict
        ``n_docs``, ``n_words`` (whitespace-separated), ``gold_offset_mismatches``;
        ``recognition`` (see :func:`recognition_scores`); ``resolution``, end to
        end on the resolution gold the system recognised (strict-or-lenient
        match), see :func:`resolution_scores`, plus ``n_gold``, ``coverage``
        (matched share of the resolution gold) and ``unresolved`` (recognised but
        without a point, charged :data:`MAX_ERROR_KM`); ``resolution_gold_spans``
        (None without a resolver), likewise plus ``n_gold`` and ``unresolved``;
        ``timing``: ``parse_s``, ``docs_per_s``, ``words_per_s`` and, with a
        resolver, ``gold_spans_s``.
    """
    if limit is not None:
        if limit < 0:
            raise InputError(f"limit must be >= 0, got {limit}")
        docs = docs[:limit]
    n_docs = len(docs)
    n_words = sum(len(doc.text.split()) for doc in docs)

    predictions: dict[str, Sequence[Prediction]] = {}
    parse_s = 0.0
    for i, doc in enumerate(docs, 1):
        t0 = time.perf_counter()
        predictions[doc.doc_id] = list(parse(doc))
        parse_s += time.perf_counter() - t0
        if progress and (i % _PROGRESS_EVERY == 0 or i == n_docs):
            print(f"\r[eval] parsed {i}/{n_docs} documents", end="\n" if i == n_docs else "", file=sys.stderr)

    recognition = recognition_scores(docs, predictions)

    pairs: list[tuple[GoldToponym, Prediction]] = []
    n_res_gold = 0
    for doc in docs:
        preds = predictions[doc.doc_id]
        _, lenient = _match(doc.toponyms, preds)
        n_res_gold += sum(t.resolvable for t in doc.toponyms)
        pairs.extend((doc.toponyms[gi], preds[pi]) for gi, pi in lenient if doc.toponyms[gi].resolvable)
    errors, unresolved = _errors_km(pairs)
    resolution = resolution_scores(errors) | {
        "n_gold": n_res_gold,
        "coverage": len(pairs) / n_res_gold if n_res_gold else None,
        "unresolved": unresolved,
    }
    if area_of is not None:
        resolution["acc_area"] = area_aware_accuracy(_resolved_first(pairs), errors, area_of)

    timing: dict[str, float | None] = {
        "parse_s": parse_s,
        "docs_per_s": n_docs / parse_s if parse_s > 0 else None,
        "words_per_s": n_words / parse_s if parse_s > 0 else None,
    }

    gold_spans = None
    if gold_spans_resolver is not None:
        gs_pairs: list[tuple[GoldToponym, Prediction]] = []
        gs_s = 0.0
        for doc in docs:
            gold = [t for t in doc.toponyms if t.resolvable]
            if not gold:
                continue
            t0 = time.perf_counter()
            resolved = list(gold_spans_resolver(doc, gold))
            gs_s += time.perf_counter() - t0
            if len(resolved) != len(gold):
                raise InputError(
                    f"gold_spans_resolver returned {len(resolved)} predictions for {len(gold)} "
                    f"gold toponyms in document {doc.doc_id}"
                )
            gs_pairs.extend(zip(gold, resolved))
        gs_errors, gs_unresolved = _errors_km(gs_pairs)
        gold_spans = resolution_scores(gs_errors) | {"n_gold": len(gs_pairs), "unresolved": gs_unresolved}
        if area_of is not None:
            gold_spans["acc_area"] = area_aware_accuracy(_resolved_first(gs_pairs), gs_errors, area_of)
        timing["gold_spans_s"] = gs_s

    return {
        "n_docs": n_docs,
        "n_words": n_words,
        "gold_offset_mismatches": len(offset_mismatches(docs)),
        "recognition": recognition,
        "resolution": resolution,
        "resolution_gold_spans": gold_spans,
        "timing": timing,
    }


# --- reporting --------------------------------------------------------------------


def _get(result: Mapping[str, Any], *keys: str) -> Any:
    value: Any = result
    for key in keys:
        if not isinstance(value, Mapping) or value.get(key) is None:
            return None
        value = value[key]
    return value


def _fmt(value: float | None, digits: int = 3) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def format_table(results: Mapping[str, dict]) -> str:
    """Render results as Markdown, followed by the published anchors.

    Parameters
    ----------
    results : mapping of str to dict
        Corpus name to an :func:`evaluate` result.

    Returns
    -------
    str
        Two Markdown tables: the results (P and R strict; km rounded to whole
        km) and :data:`PUBLISHED_SCORES` for the corpora shown (all if none match).
    """
    head = (
        "| corpus | P | R | F1 strict | F1 lenient | Acc@161 | Acc area | AUC | mean km | median km "
        "| Acc@161 gold spans | Acc area gold spans |\n"
        "|---|---|---|---|---|---|---|---|---|---|---|---|"
    )
    rows = [head]
    for corpus, res in results.items():
        cells = [
            corpus,
            _fmt(_get(res, "recognition", "strict", "precision")),
            _fmt(_get(res, "recognition", "strict", "recall")),
            _fmt(_get(res, "recognition", "strict", "f1")),
            _fmt(_get(res, "recognition", "lenient", "f1")),
            _fmt(_get(res, "resolution", "acc161")),
            _fmt(_get(res, "resolution", "acc_area")),
            _fmt(_get(res, "resolution", "auc")),
            _fmt(_get(res, "resolution", "mean_km"), 0),
            _fmt(_get(res, "resolution", "median_km"), 0),
            _fmt(_get(res, "resolution_gold_spans", "acc161")),
            _fmt(_get(res, "resolution_gold_spans", "acc_area")),
        ]
        rows.append("| " + " | ".join(cells) + " |")

    wanted = {name.casefold() for name in results}
    anchors = [s for s in PUBLISHED_SCORES if s.corpus.casefold() in wanted] or list(PUBLISHED_SCORES)
    anchor_rows = ["| corpus | system | metric | value | note | source |", "|---|---|---|---|---|---|"]
    anchor_rows += [
        f"| {s.corpus} | {s.system} | {s.metric} | {s.value:.3f} | {s.note} | {s.source} |" for s in anchors
    ]
    return "\n".join(rows) + "\n\nPublished figures:\n\n" + "\n".join(anchor_rows) + "\n"
