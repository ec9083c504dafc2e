"""Big reports: progress through the steps of an analysis, and cancelling one (app and CLI)."""

from __future__ import annotations


from geo_app import settings
from geo_app.pipeline import STAGES, analyze, parse_records
from geo_app.ui import app

TEXT = ("Units moved from southern Belarus to Minsk, about 100 km from the Ukrainian border, on 3 March. "
        "Kyiv lies as close as 90 km from the border of Belarus.")


def test_analyze_reports_each_step_in_order() -> None:
    seen: list[tuple[str, float]] = []
    result = analyze(TEXT, "2022-03-05", progress=lambda stage, done: seen.append((stage, done)))
    assert [s for s, _ in seen] == ["extract", "resolve", "claims", "done"]
    assert [d for _, d in seen] == sorted(d for _, d in seen) and seen[-1][1] == 1.0
    assert [s for s, _ in seen] == [s for s in STAGES]
    assert result.resolutions


def test_a_raising_progress_callback_stops_the_analysis() -> None:
    class Stop(Exception):
        pass

    def stop_at_resolve(stage: str, done: float) -> None:
        if stage == "resolve":
            raise Stop

    try:
        analyze(TEXT, progress=stop_at_resolve)
    except Stop:
        pass
    else:
        raise AssertionError("the analysis went on after its callback raised")


def test_parse_records_reports_steps_of_big_records_only(monkeypatch) -> None:
    monkeypatch.setattr(settings, "BIG_REPORT_CHARS", 100)
    seen: list[tuple[object, str]] = []
    records = [("small", {"id": "s", "text": "Kyiv."}), ("big", {"id": "b", "text": TEXT})]
    out = dict(parse_records(records, on_stage=lambda key, stage, done: seen.append((key, stage))))
    assert set(out) == {"small", "big"} and not any(isinstance(v, Exception) for v in out.values())
    assert {k for k, _ in seen} == {"big"}
    assert [s for _, s in seen] == ["extract", "resolve", "claims", "done"]


def test_big_job_finishes_into_the_page_cache_handoff() -> None:
    key = (TEXT, "2022-03-05", "big-1", "wire")
    job = app.BigJob(key, "code-x")
    job.wait(120)
    assert job.finished and job.error is None and job.stage == "done"
    handed = app.analyze_report_of(*key, "code-x")  # taken from the job, not made again
    assert handed.report_id == "big-1" and handed.resolutions
    assert ((key, "code-x")) not in app._FINISHED


def test_cancelled_big_job_stops_and_leaves_no_result() -> None:
    key = (TEXT * 50, "", "big-2", "")
    job = app.BigJob(key, "code-y")
    job.cancel.set()
    job.wait(120)
    assert job.finished and job.error is None
    assert job.stage in ("waiting", "extract")  # stopped at the first step boundary after the cancel
    assert (key, "code-y") not in app._FINISHED


def test_upload_hint_names_the_limit() -> None:
    assert f"{settings.BIG_REPORT_CHARS:,}" in app.UPLOAD_HINT and "Upload" in app.UPLOAD_HINT


def test_app_analyses_a_big_report_through_its_job(monkeypatch) -> None:
    from streamlit.testing.v1 import AppTest

    monkeypatch.setattr(settings, "BIG_REPORT_CHARS", 150)
    at = AppTest.from_file(str(settings.PACKAGE_DIR / "ui" / "app.py"), default_timeout=240)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    at.text_area(key="paste_text").input("Published: 2022-03-05\n\n" + TEXT).run()
    at.button(key="add_paste").click().run()
    at.button(key="analyze").click().run()
    assert not at.exception, [e.value for e in at.exception]
    big = [r for r in at.session_state["reports"].values() if len(r.text) >= 150]
    assert big and all(r.report_id in at.session_state["view"]["report_ids"] for r in big)
    assert {k[0][2] for k in at.session_state["big_done"]} >= {r.report_id for r in big}
    assert not at.session_state["big_jobs"]  # finished jobs are not kept
    assert any("Upload it as a file instead of pasting" in c.value for c in at.caption)
