"""The CLI contracts used from outside: geocode, parse --jsonl, check --json, --help."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from geo_app.ui.cli import app

runner = CliRunner()


def test_help_lists_the_commands():
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("geocode", "parse", "check", "eval", "map", "app", "gazetteer"):
        assert command in result.output


def test_geocode_kiev_offline():
    result = runner.invoke(app, ["geocode", "Kiev"])
    assert result.exit_code == 0
    assert "Kyiv" in result.output and "703448" in result.output and "50.45" in result.output
    data = json.loads(runner.invoke(app, ["geocode", "Kiev", "--json"]).output)
    assert data["geonameid"] == 703448 and data["country_code"] == "UA"


def test_geocode_unknown_place_is_exit_1():
    result = runner.invoke(app, ["geocode", "Xyzzyplugh"])
    assert result.exit_code == 1


def test_parse_jsonl_contract(tmp_path):
    src = tmp_path / "in.jsonl"
    out = tmp_path / "out.jsonl"
    lines = [
        {"id": "a", "text": "Kyiv is as close as 100 km from the border of Belarus.", "published": "2022-02-10"},
        {"id": "b", "text": ""},
        {"id": "c", "text": "Drills in southern Belarus from February 10-20.", "published": "2022-02-10"},
        "not an object",
        {"id": "d", "text": "x", "published": "31 February"},
    ]
    src.write_text("\n".join(json.dumps(x) for x in lines) + "\n{broken json\n", encoding="utf-8")
    result = runner.invoke(app, ["parse", "--jsonl", str(src), "--out", str(out)])
    assert result.exit_code == 1  # some lines were bad, the rest were parsed
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(records) == 6
    a = records[0]
    assert a["id"] == "a" and {m["text"] for m in a["mentions"]} >= {"Kyiv"}
    for m in a["mentions"]:
        assert {"start", "end", "text", "kind", "name", "geonameid", "lat", "lon", "feature_class", "country_code",
                "confidence", "date_start", "date_end"} <= set(m)
        assert lines[0]["text"][m["start"]:m["end"]] == m["text"]
    assert a["distances"][0]["km"] == 100.0 and a["distances"][0]["bound"] == "at_most"
    assert records[1]["mentions"] == []  # empty text: a clear, empty result
    c = records[2]
    assert any(m["kind"] == "qualified" and m["text"] == "southern Belarus" for m in c["mentions"])
    assert any(d["date_start"] == "2022-02-10" and d["date_end"] == "2022-02-20" for d in c["dates"])
    assert "error" in records[3] and "error" in records[4] and "error" in records[5]


def test_check_json_prints_the_claim_alone():
    result = runner.invoke(app, ["check", "Kyiv", "--border", "Belarus", "--claimed", "100", "--bound", "at-most", "--json"])
    assert result.exit_code == 0
    claim = json.loads(result.output)
    assert claim["verdict"] == "consistent"
    assert claim["measured_km"] == pytest.approx(87.0, abs=1.0)
    assert "WGS84" in claim["method"] and "Natural Earth" in claim["data_source"]


def test_check_to_a_place():
    claim = json.loads(runner.invoke(app, ["check", "Kyiv", "--to", "Minsk", "--json"]).output)
    assert claim["measured_km"] == pytest.approx(434, abs=4)


def test_check_needs_one_target():
    result = runner.invoke(app, ["check", "Kyiv"])
    assert result.exit_code == 2


def test_console_script_runs_in_a_fresh_process():
    out = subprocess.run([sys.executable, "-m", "geo_app.ui.cli", "geocode", "Kiev", "--json"],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and json.loads(out.stdout)["name"] == "Kyiv"
