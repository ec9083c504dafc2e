"""Scale-out on Dask: a 2-worker LocalCluster gives the same store as a serial run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from geo_app import settings

from geo_app._errors import InputError
from geo_app.ui.cli import app
from geo_app.batch.distributed import dask_client, run_analysis
from geo_app.text.reports import Report, sample_reports
from geo_app.io.store import Store

pytest.importorskip("distributed")


def _corpus() -> list[Report]:
    """The sample reports, rotations of their paragraphs, and a report without places."""
    out = []
    for r in sample_reports():
        paras = [p for p in r.text.split("\n\n") if p.strip()]
        for k in range(len(paras)):
            out.append(Report(text="\n\n".join(paras[k:] + paras[:k]), source=r.source, published=r.published))
    out.append(Report(text="Nothing happened anywhere today.", source="Quiet", published=None))
    return out


def _snapshot(store: Store) -> tuple[list, list]:
    records = [(rid, json.dumps(rec, sort_keys=True)) for rid, rec in store.analyses()]
    features = [(rid, f.geometry, json.dumps(f.properties, sort_keys=True)) for rid, f in store.features()]
    return records, features


@pytest.fixture(scope="module")
def client():
    with dask_client(workers=2) as c:
        yield c


def test_serial_and_two_workers_give_identical_records(client, tmp_path: Path) -> None:
    reports = _corpus()
    assert len(reports) >= 8
    stores = {}
    for name in ("serial", "dask"):
        store = Store(tmp_path / f"{name}.gpkg")
        store.add_reports((r, "test") for r in reports)
        stores[name] = store
    serial = run_analysis(stores["serial"], chunk_size=2)
    dist = run_analysis(stores["dask"], client=client, chunk_size=2)
    assert serial.analysed == dist.analysed == len(reports)
    assert not serial.failed and not dist.failed and dist.workers == 2

    records, features = _snapshot(stores["serial"])
    assert (records, features) == _snapshot(stores["dask"])
    assert len(features) > len(records)  # the comparison covers geometries, not only empty lists
    # Results flow back into the store in order: analyses were committed in report order.
    con = stores["dask"]._con
    assert [r[0] for r in con.execute("SELECT report_id FROM analyses ORDER BY id")] == list(range(1, len(reports) + 1))
    for store in stores.values():
        store.close()

    # Each worker loaded the model once (at start-up, through the plugin) and both did work.
    def nlp_cache() -> tuple[int, int]:
        from geo_app.text.extract import get_nlp

        info = get_nlp.cache_info()
        return info.misses, info.hits

    per_worker = client.run(nlp_cache)
    assert len(per_worker) == 2
    assert all(misses == 1 for misses, _ in per_worker.values())
    assert all(hits >= 1 for _, hits in per_worker.values())
    assert sum(hits for _, hits in per_worker.values()) >= len(reports) // 2


def test_cli_analyze_on_an_existing_scheduler(client, tmp_path: Path) -> None:
    db = tmp_path / "s.gpkg"
    runner = CliRunner()
    files = [str(p) for p in sorted(settings.SAMPLES_DIR.glob("*.txt"))]
    assert runner.invoke(app, ["ingest", *files, "--db", str(db)]).exit_code == 0
    result = runner.invoke(app, ["analyze", "--scheduler", client.scheduler.address, "--batch-size", "1",
                                 "--db", str(db), "--json"])
    assert result.exit_code == 0, result.stderr
    res = json.loads(result.stdout)
    assert (res["mode"], res["analysed"], res["pending"], res["analysed_total"]) == ("scheduler", 3, 3, 3)
    assert res["workers"] == 2


def test_unreachable_scheduler_is_a_clear_input_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(settings, "DASK_CONNECT_TIMEOUT_S", 1)
    with pytest.raises(InputError, match="cannot reach the Dask scheduler at tcp://127.0.0.1:9"):
        with dask_client(scheduler="tcp://127.0.0.1:9"):
            pass


def test_local_workers_start_with_geo_app_preloaded(client) -> None:
    """Workers are forked from the forkserver that imported geo_app.batch.preload (model, gazetteer and
    borders loaded once there), so none loads its own copy (settings.DASK_SHARED_START)."""
    from geo_app import settings

    probe = "(lambda m: m is not None and m.LOADED)(__import__('sys').modules.get('geo_app.batch.preload'))"
    loaded = client.run(eval, probe)
    assert len(loaded) == 2
    assert all(loaded.values()) == settings.DASK_SHARED_START
