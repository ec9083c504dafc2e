"""Bulk analysis of stored reports: serially, or scaled out on Dask (``dask.distributed``).

The pending reports are cut into chunks of consecutive ids; each chunk is analysed by
:func:`analyze_chunk` (in this process, or as one Dask task) and committed to the store
in one transaction, in chunk order. A run stopped by Ctrl-C or ``kill -9`` loses at most
the chunks not yet committed, and a rerun picks up exactly those: nothing is lost and no
report is analysed into the store twice.

On Dask, ``workers=N`` starts a :class:`distributed.LocalCluster` of N processes with one
thread each; ``scheduler="tcp://host:8786"`` uses an existing cluster, whose workers must
have the same geo_app installed (with its data). Every worker loads the spaCy model and
the gazetteer once, when :class:`ModelLoader` is registered, not per document. Because
serial and Dask runs cut the same chunks and run the same function, they give the same
records.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from distributed.diagnostics.plugin import WorkerPlugin

import pandas as pd

from geo_app import __version__, settings
from geo_app._errors import DataError, InputError
from geo_app.io.gpkg import to_gpkg_blob
from geo_app.io.store import AnalysisResult, PendingReport, Store, StoredFeature
from geo_app.text.extract import MODEL_NAME
from geo_app.places.gazetteer import default_index_path
from geo_app.pipeline import SCHEMA_VERSION
from geo_app.features import feature_records
from geo_app.pipeline import analyze, analyze_many
from geo_app.places.gazetteer import get_gazetteer
from geo_app.places.composites import composite_geometry, load_composites

# Private defaults (candidates for geo_app.settings).

log = logging.getLogger(__name__)


# --- what runs on a worker -----------------------------------------------------------------------


@lru_cache(maxsize=1)
def data_version() -> str:
    """Version of the data an analysis depends on: gazetteer index and spaCy model."""
    from importlib.metadata import PackageNotFoundError, version


    try:
        model = f"{MODEL_NAME}-{version(MODEL_NAME.replace('_', '-'))}"
    except PackageNotFoundError:
        model = MODEL_NAME
    return f"{default_index_path().stem}+{model}"


def current_versions() -> tuple[str, str, str]:
    """``(geo_app version, data version, schema version)`` of analyses made here."""

    return __version__, data_version(), SCHEMA_VERSION


# Touches every lazily loaded part: direction areas, borders, seas, groups, claims, dates.
_WARM_UP_TEXT = ("Units moved from southern Belarus to Minsk, about 100 km from the Ukrainian border, on 3 March. "
                 "Warships gathered in the Black Sea off Sevastopol, and NATO sent aircraft to the Baltic states. "
                 "Kyiv lies as close as 90 km from the border of Belarus.")


def warm_up(shared_caches: bool = False) -> None:
    """Load everything an analysis uses into this process, once: spaCy pipeline, gazetteer,
    and what the first analysis loads lazily (borders, regions).

    Parameters
    ----------
    shared_caches : bool
        Also build the per-process caches whose entries cost most and are few: the polygons of
        the composite places (the union of their members, ~0.1 s each). Done once in the
        forkserver that local Dask workers are forked from (:mod:`geo_app.batch.preload`), every
        worker shares them instead of building its own; a few seconds in one process otherwise.
    """
    data_version()
    result = analyze_chunk([PendingReport(0, "warm-up", _WARM_UP_TEXT, "2022-03-05", "")])[0]
    if result.error is not None:
        raise DataError(f"geo_app cannot analyse on this machine: {result.error}")
    if shared_caches:
        for comp in load_composites():
            try:
                composite_geometry(comp.id)
            except LookupError:  # a composite whose members the borders lack: none to share
                continue


class ModelLoader(WorkerPlugin):
    """Dask worker plugin: each worker loads the model and gazetteer once, at start-up."""

    name = "geo_app-model-loader"

    def setup(self, worker: Any) -> None:  # noqa: D102 (WorkerPlugin API)
        warm_up()


def _jsonable(value: Any) -> Any:
    """A JSON-ready copy of a property value (numpy/pandas scalars, dates; NaN, NaT -> None)."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if hasattr(value, "tolist") and not isinstance(value, (str, bytes)):  # numpy scalars and arrays
        return _jsonable(value.tolist())
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None

    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    if hasattr(value, "isoformat"):  # date, datetime, pandas Timestamp
        return value.isoformat()
    return str(value)


#: Types of feature_records values that are JSON-ready as they are.
_PLAIN = frozenset({str, int, bool})


def _features_many(analyses: Sequence[Any]) -> list[tuple[StoredFeature, ...]]:
    """The map features of each analysis in the feature schema of :func:`geo_app.features.features_gdf`
    (the same values, EPSG:4326), one tuple per analysis.

    Built with :func:`geo_app.features.feature_records`, the table's rows as plain values: a
    GeoDataFrame per chunk cost as much as the features themselves and is not needed to store them.
    """
    out: list[list[StoredFeature]] = [[] for _ in analyses]
    records, owners = feature_records(analyses)
    for owner, (geom, props) in zip(owners, records):
        blob = None if geom is None or geom.is_empty else to_gpkg_blob(geom)
        out[owner].append(StoredFeature(blob, {k: v if v is None or type(v) in _PLAIN else _jsonable(v)
                                               for k, v in props.items()}))
    return [tuple(f) for f in out]


def _results(items: Sequence[PendingReport], analyses: Sequence[Any]) -> list[AnalysisResult]:
    for item, analysis in zip(items, analyses):
        analysis.source = item.source  # analyze_many does not take the source
    version = data_version()
    return [AnalysisResult(item.id, analysis.to_record(), feats, version)
            for item, analysis, feats in zip(items, analyses, _features_many(analyses))]


def analyze_chunk(items: Sequence[PendingReport]) -> list[AnalysisResult]:
    """Analyse a chunk of reports (one spaCy batch); a report that fails gets ``error`` set.

    This is the unit of work of both serial and Dask runs.
    """

    try:
        analyses = list(analyze_many([(p.report_key, p.text, p.published) for p in items],
                                     batch_size=max(len(items), 1)))
        return _results(items, analyses)
    except Exception:  # noqa: BLE001 - one bad report must not sink its chunk: redo one by one
        log.debug("chunk failed as a batch; analysing its reports one by one", exc_info=True)
    out = []
    for p in items:
        try:
            out.extend(_results([p], [analyze(p.text, p.published, report_id=p.report_key, source=p.source)]))
        except Exception as exc:  # noqa: BLE001 - reported per report, the batch goes on
            kind = "" if isinstance(exc, (InputError, ValueError)) else f"{type(exc).__name__}: "
            out.append(AnalysisResult(p.id, None, error=f"{kind}{exc}"))
    return out


# --- the run -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RunSummary:
    """What one :func:`run_analysis` did."""

    pending: int  # reports to analyse when the run started
    analysed: int  # analyses committed by this run
    replaced: int  # of which replaced an analysis made by other versions
    unchanged: int  # already committed by another run with the same versions
    failed: tuple[tuple[int, str], ...]  # (report id, reason); they stay pending
    seconds: float
    mode: str  # "serial" | "local-cluster" | "scheduler"
    workers: int
    interrupted: bool = False

    @property
    def remaining(self) -> int:
        """Reports still pending (failed or not reached)."""
        return self.pending - self.analysed - self.unchanged

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "pending": self.pending, "analysed": self.analysed, "replaced": self.replaced,
            "unchanged": self.unchanged, "failed": len(self.failed), "remaining": self.remaining,
            "failures": [{"id": i, "reason": r} for i, r in self.failed], "seconds": round(self.seconds, 3),
            "docs_per_second": round(self.analysed / self.seconds, 3) if self.seconds > 0 else None,
            "mode": self.mode, "workers": self.workers, "interrupted": self.interrupted,
        }


def _main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


def _preload_forkserver() -> None:
    """Have the forkserver that local workers are forked from load geo_app first
    (:mod:`geo_app.batch.preload`): each worker then starts with the model, gazetteer and
    borders loaded, sharing their pages copy-on-write, instead of loading them itself.

    Call it with ``distributed.worker.multiprocessing-method`` set to ``forkserver``. It has no
    effect once this process's forkserver runs (it then already holds what it preloaded).
    """
    from distributed.utils import get_mp_context

    ctx = get_mp_context()  # sets distributed's own preload list, once per process
    from multiprocessing import forkserver

    current = list(getattr(forkserver._forkserver, "_preload_modules", None) or ["distributed"])  # noqa: SLF001
    if "geo_app.batch.preload" not in current:
        ctx.set_forkserver_preload([*current, "geo_app.batch.preload"])


@contextmanager
def dask_client(workers: int = 0, scheduler: str | None = None) -> Iterator[Any]:
    """A Dask client with :class:`ModelLoader` registered (model loaded on every worker).

    Parameters
    ----------
    workers
        Start a LocalCluster of this many worker processes, one thread each.
    scheduler
        Address of an existing scheduler (``tcp://host:8786``); wins over ``workers``.
    """
    import dask
    from distributed import Client, LocalCluster

    cluster = None
    try:
        if scheduler:
            try:
                client = Client(scheduler, timeout=settings.DASK_CONNECT_TIMEOUT_S)
            except (OSError, TimeoutError) as exc:
                raise InputError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from exc
        else:
            if workers < 1:
                raise InputError(f"--workers must be at least 1 for a local cluster, not {workers}")

            get_gazetteer()  # build a missing index once here, not in every worker at the same time
            # Workers inherit an ignored SIGINT: a Ctrl-C in the terminal reaches the whole process
            # group, and only this process should handle it (commit, then close the cluster).
            previous = signal.signal(signal.SIGINT, signal.SIG_IGN) if _main_thread() else None
            try:
                # No dashboard, so no use for the workers' statistical profiler (a stack sample every 10 ms).
                config: dict[str, Any] = {"distributed.worker.profile.enabled": False}
                # Dask sets MALLOC_TRIM_THRESHOLD_ for its workers, which also fixes glibc's mmap
                # threshold at 128 kB: every larger array (the NER's, a batch's) is then mapped and
                # unmapped afresh, ~400,000 page faults per 300 reports (0.7 s of system time, 15 %
                # of a worker's time). Left unset, malloc keeps such blocks as a serial run does.
                config["distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_"] = None
                if settings.DASK_SHARED_START:
                    config["distributed.worker.multiprocessing-method"] = "forkserver"
                with dask.config.set(config):
                    if settings.DASK_SHARED_START:
                        _preload_forkserver()
                    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                           dashboard_address=None, silence_logs=logging.ERROR)
            finally:
                if previous is not None:
                    signal.signal(signal.SIGINT, previous)
            client = Client(cluster)
    except BaseException:
        if cluster is not None:
            cluster.close()
        raise
    try:
        client.register_plugin(ModelLoader())
        yield client
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def run_analysis(store: Store, *, since: dt.date | str | None = None, outdated: bool = False, workers: int = 0,
                 scheduler: str | None = None, client: Any = None, chunk_size: int | None = None,
                 progress: Callable[[int], None] | None = None,
                 on_start: Callable[[int], None] | None = None) -> RunSummary:
    """Analyse every stored report not yet analysed, committing chunk by chunk in order.

    Parameters
    ----------
    since
        Only reports published on or after this date.
    outdated
        Also re-analyse reports analysed by another geo_app or data version.
    workers, scheduler, client
        Serial when all are unset; else on Dask: a LocalCluster of ``workers`` processes,
        the cluster at ``scheduler``, or an existing ``client``.
    chunk_size
        Reports per task and per commit (default ``settings.ANALYZE_BATCH_SIZE``, 32); on Dask a
        run of few reports is cut finer (``settings.DASK_MIN_CHUNKS_PER_WORKER``).
    progress
        Called with the number of reports of each committed chunk.
    on_start
        Called with the number of pending reports before any work.

    A Ctrl-C (KeyboardInterrupt) stops the run after the last committed chunk and
    returns the summary with ``interrupted=True``.
    """
    chunk_size = settings.ANALYZE_BATCH_SIZE if chunk_size is None else chunk_size
    if chunk_size < 1:
        raise InputError(f"the batch size must be at least 1, not {chunk_size}")
    started = time.perf_counter()
    ids = store.pending_ids(since=since, current=current_versions() if outdated else None)
    if on_start is not None:
        on_start(len(ids))
    chunks = [ids[i:i + chunk_size] for i in range(0, len(ids), chunk_size)]
    totals = {"analysed": 0, "replaced": 0, "unchanged": 0}
    failed: list[tuple[int, str]] = []

    def commit(results: list[AnalysisResult]) -> None:
        counts = store.commit_analyses(results)
        totals["analysed"] += counts.committed
        totals["replaced"] += counts.replaced
        totals["unchanged"] += counts.unchanged
        failed.extend((r.report_id, r.error) for r in results if r.error is not None)
        if progress is not None:
            progress(len(results))

    if client is not None:
        mode, n_workers = "client", len(client.scheduler_info().get("workers", {}))
    elif scheduler:
        mode, n_workers = "scheduler", 0
    elif workers:
        mode, n_workers = "local-cluster", workers
    else:
        mode, n_workers = "serial", 0
    interrupted = False
    try:
        if mode == "serial":
            for chunk in chunks:
                commit(analyze_chunk(store.load_pending(chunk)))
        elif client is not None:
            _run_on_dask(client, store, chunks, commit)
        elif chunks:
            with dask_client(workers, scheduler) as own:
                n_workers = len(own.scheduler_info().get("workers", {}))
                _run_on_dask(own, store, chunks, commit)
    except KeyboardInterrupt:
        interrupted = True
    return RunSummary(len(ids), totals["analysed"], totals["replaced"], totals["unchanged"], tuple(failed),
                      time.perf_counter() - started, mode, n_workers, interrupted)


def _finer(chunks: list[list[int]], at_least: int) -> list[list[int]]:
    """``chunks`` in order, each split into equal parts until there are ``at_least`` (if they hold
    that many reports); ids keep their order."""
    total = sum(len(c) for c in chunks)
    if len(chunks) >= at_least or total <= len(chunks):
        return chunks
    size = max(1, math.ceil(total / at_least))
    out = []
    for chunk in chunks:
        parts = math.ceil(len(chunk) / size)
        step = len(chunk) / parts
        out.extend(chunk[round(k * step):round((k + 1) * step)] for k in range(parts))
    return out


def _run_on_dask(client: Any, store: Store, chunks: list[list[int]],
                 commit: Callable[[list[AnalysisResult]], None]) -> None:
    """Submit chunks with a bounded queue and commit their results in submission order.

    A run of few reports is cut finer first (``settings.DASK_MIN_CHUNKS_PER_WORKER`` chunks per
    worker at least, each chunk split evenly), so no worker waits idle on the last chunk."""
    n_workers = max(len(client.scheduler_info().get("workers", {})), 1)
    queue: deque[Any] = deque()
    todo = iter(_finer(chunks, n_workers * max(int(settings.DASK_MIN_CHUNKS_PER_WORKER), 1)))

    def submit_next() -> None:
        chunk = next(todo, None)
        if chunk is not None:
            items = store.load_pending(chunk)
            queue.append(client.submit(analyze_chunk, items, pure=False, key=f"geo_app-chunk-{chunk[0]}-{time.time_ns()}"))

    for _ in range(n_workers * settings.DASK_INFLIGHT_PER_WORKER):
        submit_next()
    try:
        while queue:
            future = queue.popleft()
            results = future.result()
            submit_next()
            commit(results)
    finally:
        for future in queue:
            future.cancel()
