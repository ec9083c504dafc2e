"""The report store: every report and its analysis in one SQLite file that is also a GeoPackage.

One file (``settings.DB_PATH``, or ``--db PATH``) holds

* ``reports``: text, source, URL, publication date, language, content hash (unique: the
  same report twice is stored once), where it came from and when it was added;
* ``analyses``: one committed analysis per report (the :meth:`Analysis.to_record` JSON)
  with the geo_app, data and schema versions that produced it;
* ``features``: the map features of each analysis (WGS84, EPSG:4326) as GeoPackage
  geometry blobs, with their properties as JSON and, so QGIS can style and filter on them,
  as real columns too (``verdict``, ``measured_km``, ``layer``, ``geonameid``, ... see
  :data:`FEATURE_PROPERTY_COLUMNS`); dates are ``DATE`` columns.

Why the store *is* a GeoPackage rather than exported to one: QGIS (or any GDAL client)
opens the archive itself, with no export step to forget. The GeoPackage core tables
(``gpkg_spatial_ref_sys``, ``gpkg_contents``, ``gpkg_geometry_columns``) are written here
with the standard library; ``reports`` and ``analyses`` are registered as attribute
tables, ``features`` and ``user_layer_features`` as feature tables with an R-tree spatial
index (``gpkg_rtree_index``). The file declares GeoPackage 1.2 (``user_version`` 10200): it
uses nothing of 1.3/1.4, and GDAL 3.6 (Debian 12, and the QGIS built on it) warns on 1.4
files and checks them against the 1.4 R-tree trigger set. The R-tree triggers call the
GeoPackage SQL functions ``ST_IsEmpty``/``ST_MinX``/...; every connection of this module
registers them (GDAL registers its own).

Every write runs in one ``BEGIN IMMEDIATE`` transaction in WAL mode (switched on by the first
write of a connection: reading never modifies the file) with ``synchronous=FULL``: a crash or
``kill -9`` mid-write leaves the previous state. Closing the last connection checkpoints the
WAL and switches the file back to the rollback journal (``journal_mode=DELETE``), so a copy on read-only media (a DVD, a read-only share) opens in
any SQLite or GDAL reader; ``Store(path, readonly=True)`` (chosen by itself when the file
cannot be written) reads such a copy without writing to it. The schema version lives in
``geo_app_meta`` (``PRAGMA user_version`` belongs to GeoPackage); opening an older file
migrates it, each step in its own transaction.

Why this module is long: :class:`Store` is one transactional object (reports, analyses, features,
user layers, versions) whose methods share its connection and locking rules; the schema, the
GeoPackage codec, ingest and export already live in their own modules.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import sqlite3
import struct
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import shapely
import numpy as np


from geo_app import settings
from geo_app._errors import DataError, InputError, NotFoundError
from geo_app.text.reports import Report
from geo_app.layers.load import UserLayer, empty_layer_gdf, layer_frame
from geo_app.io.gpkg import (
    blob_bounds,
    ENVELOPE_BYTES,
    executescript_in_tx,
    from_gpkg_blob,
    GPKG_APPLICATION_ID,
    GPKG_USER_VERSION,
    register_gpkg_functions,
    SRS_ID,
)
from geo_app._util import date_or_none, iso_day
from geo_app.io.schema import FEATURE_PROPERTY_COLUMNS, MIGRATIONS, SCHEMA_VERSION, column_value
from geo_app.io import geojson
from geo_app.geo.geojson import geometry_dict

_REPORT_COLUMNS = ("id", "report_key", "title", "source", "url", "published", "language", "content_hash",
                   "origin", "added_at")


# --- plain data -------------------------------------------------------------------------------


@dataclass(frozen=True)
class StoredReport:
    """A report as stored, with its store id (``text`` is empty in listings)."""

    id: int
    report_key: str
    title: str
    source: str
    url: str
    published: dt.date | None
    language: str
    content_hash: str
    origin: str
    added_at: str
    analysed: bool = False
    text: str = ""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (ISO dates)."""
        return {
            "id": self.id, "report_key": self.report_key, "title": self.title, "source": self.source,
            "url": self.url, "published": self.published.isoformat() if self.published else None,
            "language": self.language, "content_hash": self.content_hash, "origin": self.origin,
            "added_at": self.added_at, "analysed": self.analysed,
        }


@dataclass(frozen=True)
class PendingReport:
    """What an analysis needs of a stored report."""

    id: int
    report_key: str
    text: str
    published: str | None  # ISO date
    source: str


@dataclass(frozen=True)
class StoredFeature:
    """One map feature of an analysis: a GeoPackage geometry blob (None: no geometry) and
    JSON-ready properties."""

    geometry: bytes | None
    properties: dict[str, Any]


@dataclass(frozen=True)
class AnalysisResult:
    """The analysis of one stored report, ready to commit (``error`` set if it failed)."""

    report_id: int
    record: dict[str, Any] | None
    features: tuple[StoredFeature, ...] = ()
    data_version: str = "unknown"
    error: str | None = None


@dataclass(frozen=True)
class CommitCounts:
    """What :meth:`Store.commit_analyses` did."""

    committed: int = 0
    replaced: int = 0  # an older analysis was replaced
    unchanged: int = 0  # the same versions were already committed (nothing done twice)
    gone: int = 0  # the report was removed meanwhile


@dataclass(frozen=True)
class Rejected:
    """An input that was not stored, and why."""

    origin: str
    reason: str


@dataclass(frozen=True)
class IngestSummary:
    """Counts and ids of one :func:`ingest_paths` run."""

    added: tuple[int, ...] = ()
    duplicates: tuple[tuple[str, int], ...] = ()  # (origin, id of the stored copy)
    rejected: tuple[Rejected, ...] = ()
    skipped: tuple[str, ...] = ()  # files of other types found in folders

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form: counts, ids and reasons."""
        return {
            "added": len(self.added), "duplicates": len(self.duplicates), "rejected": len(self.rejected),
            "skipped": len(self.skipped), "added_ids": list(self.added),
            "duplicate_of": [{"origin": o, "id": i} for o, i in self.duplicates],
            "rejections": [{"origin": r.origin, "reason": r.reason} for r in self.rejected],
            "skipped_files": list(self.skipped),
        }


# --- the store ---------------------------------------------------------------------------------------


def _now() -> str:
    """UTC now in the GeoPackage DATETIME form (``2024-05-01T12:00:00.000Z``)."""
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _fold(value: str | None) -> str:
    return unicodedata.normalize("NFKC", value or "").casefold()


class Store:
    """The report store in one SQLite/GeoPackage file; create or migrate it on open.

    Parameters
    ----------
    path
        The store file (default ``settings.DB_PATH``); created with its folder if absent.

    readonly
        Open without writing anything (no migration, no journal change): for a copy on
        read-only media. Chosen by itself when the file exists and cannot be written.
        Writing methods then raise :class:`InputError`; reading works on every schema
        version this geo_app knows.

    Use as a context manager or call :meth:`close`. One ``Store`` per thread (SQLite
    connections are not shared); several processes may use one file at once (WAL; one
    writer at a time, readers never blocked). Keep the file on a local disk: WAL does not
    work over network file systems. The last connection to close switches the file back
    to the rollback journal, so the closed file is one self-contained file.
    """

    def __init__(self, path: Path | str | None = None, *, readonly: bool = False) -> None:
        self.path = Path(path) if path is not None else Path(settings.DB_PATH)
        if self.path.is_dir():
            raise InputError(f"{self.path} is a folder; give a store file (e.g. {self.path / 'reports.gpkg'})")
        if not readonly and self.path.is_file() and not os.access(self.path, os.W_OK):
            readonly = True  # read-only media or permissions: read it as it is
        self.readonly = readonly
        if readonly:
            if not self.path.is_file():
                raise InputError(f"{self.path}: no such store file (a read-only store must exist)")
        else:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise InputError(f"cannot create the folder of the store {self.path}: {exc.strerror or exc}") from exc
        self._con = self._connect()
        try:
            if readonly:
                self._check_readable()
            else:
                self._migrate()
        except BaseException:
            self._con.close()
            raise

    # -- connection and schema --------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        try:
            if self.readonly:
                con = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None,
                                      timeout=settings.STORE_BUSY_TIMEOUT_S)
                con.execute("PRAGMA query_only = 1")
            else:
                con = sqlite3.connect(self.path, isolation_level=None, timeout=settings.STORE_BUSY_TIMEOUT_S)
            con.execute(f"PRAGMA busy_timeout = {int(settings.STORE_BUSY_TIMEOUT_S * 1000)}")
            if not self.readonly:
                # FULL: a committed report survives a power cut, not just a killed process.
                con.execute("PRAGMA synchronous = FULL")
            # WAL is switched on by the first write (_tx), not here: a reader leaves the file untouched
            # (its modification time is the app's cache key), and a closed file is in rollback mode.
            self._wal = False
        except sqlite3.OperationalError as exc:
            raise InputError(f"cannot open the store {self.path}: {exc}") from exc
        except sqlite3.DatabaseError as exc:
            raise InputError(f"{self.path} is not a geo_app store (SQLite says: {exc})") from exc
        con.create_function("geo_app_fold", 1, _fold, deterministic=True)
        register_gpkg_functions(con)
        return con

    def _check_readable(self) -> None:
        """A read-only open: the file must be a store of a schema this geo_app reads."""
        version = _read_version(self._con)
        if version == 0:
            raise InputError(f"{self.path} is not a geo_app store (or an empty file), and it is read-only")
        if version > SCHEMA_VERSION:
            raise DataError(f"{self.path} has store schema {version}, newer than this geo_app "
                            f"understands ({SCHEMA_VERSION}); upgrade geo_app")

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: committed whole or (on any exception, or a kill) not at all."""
        if self.readonly:
            raise InputError(f"the store {self.path} is open read-only (read-only media or file); "
                             "copy it to a writable disk to change it")
        if not self._wal:  # writers run in WAL mode: readers in other processes are never blocked
            self._con.execute("PRAGMA journal_mode = WAL")
            self._wal = True
        self._con.execute("BEGIN IMMEDIATE")
        try:
            yield self._con
        except BaseException:
            if self._con.in_transaction:  # SQLite may have rolled back already (disk full, I/O error)
                self._con.execute("ROLLBACK")
            raise
        self._con.execute("COMMIT")

    @property
    def schema_version(self) -> int:
        """Schema version of the open file."""
        return _read_version(self._con)

    def _migrate(self) -> None:
        version = _read_version(self._con)
        if version > SCHEMA_VERSION:
            raise DataError(f"{self.path} has store schema {version}, newer than this geo_app "
                            f"understands ({SCHEMA_VERSION}); upgrade geo_app")
        for target in range(version + 1, SCHEMA_VERSION + 1):
            with self._tx() as con:
                if _read_version(con) >= target:  # another process migrated meanwhile
                    continue
                if target == 1:
                    _check_empty(con, self.path)
                    con.execute(f"PRAGMA application_id = {GPKG_APPLICATION_ID}")
                if target in (1, 4):  # schema 4: GeoPackage 1.4 -> 1.2 (what GDAL 3.6 reads without a warning)
                    con.execute(f"PRAGMA user_version = {GPKG_USER_VERSION}")
                executescript_in_tx(con, MIGRATIONS[target - 1])
                con.execute("INSERT OR REPLACE INTO geo_app_meta (key, value) VALUES ('schema_version', ?)",
                            (str(target),))
                con.execute("INSERT OR REPLACE INTO geo_app_meta (key, value) VALUES (?, ?)",
                            (f"migrated_to_{target}_at", _now()))
        if version < SCHEMA_VERSION:
            # GDAL reads application_id from the file header, not through the WAL.
            self._con.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def close(self) -> None:
        """Close the file (committed data is already on disk).

        Writes switch the file to WAL; the last connection to close checkpoints the WAL into
        the file and switches it back to the rollback journal (``journal_mode=DELETE``): the
        closed file is then one self-contained file that readers on read-only media open (in
        WAL mode they cannot: "unable to open database file"). While another connection is
        open, that one does it later. A file already in rollback mode is left untouched.
        """
        try:
            if not self.readonly and not self._con.in_transaction and \
                    str(self._con.execute("PRAGMA journal_mode").fetchone()[0]).lower() == "wal":
                self._con.execute("PRAGMA busy_timeout = 0")  # never wait for others here
                self._con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                self._con.execute("PRAGMA journal_mode = DELETE")
        except sqlite3.Error:
            pass  # another connection has the file open (it switches when it closes), or it is gone
        finally:
            self._con.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- reports ----------------------------------------------------------------------------------

    def add_reports(self, reports: Iterable[tuple[Report, str]]) -> list[tuple[int, bool]]:
        """Store ``(report, origin)`` pairs in one transaction; ``(id, added)`` for each.

        A report whose content hash is already stored is not added again: its pair is
        ``(id of the stored copy, False)``.
        """
        out: list[tuple[int, bool]] = []
        with self._tx() as con:
            for report, origin in reports:
                h = report.content_hash
                # Look first: a refused INSERT would still use up an id.
                row = con.execute("SELECT id FROM reports WHERE content_hash = ?", (h,)).fetchone()
                if row is not None:
                    out.append((row[0], False))
                    continue
                cur = con.execute(
                    "INSERT INTO reports (report_key, title, text, source, url, published, language, content_hash, "
                    "origin, added_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
                    (report.report_id, report.title, report.text, report.source, report.url, iso_day(report.published),
                     report.language or "en", h, origin, _now()),
                )
                out.append((int(cur.lastrowid), True))
        return out

    def add_report(self, report: Report, origin: str = "") -> tuple[int, bool]:
        """Store one report; ``(id, added)`` (``added`` False for a duplicate)."""
        return self.add_reports([(report, origin)])[0]

    def get(self, report_id: int) -> StoredReport:
        """One stored report with its text; :class:`NotFoundError` if there is none."""
        row = self._con.execute(f"SELECT {self._select_cols('r')}, r.text FROM reports r "
                                "LEFT JOIN analyses a ON a.report_id = r.id WHERE r.id = ?", (report_id,)).fetchone()
        if row is None:
            raise NotFoundError(f"no stored report with id {report_id} in {self.path}")
        return self._report(row[:-1], text=row[-1])

    @staticmethod
    def _select_cols(alias: str) -> str:
        return ", ".join(f"{alias}.{c}" for c in _REPORT_COLUMNS) + ", a.id IS NOT NULL"

    @staticmethod
    def _report(row: Sequence[Any], text: str = "") -> StoredReport:
        values = dict(zip(_REPORT_COLUMNS, row))
        values["published"] = date_or_none(values["published"])
        return StoredReport(**values, analysed=bool(row[len(_REPORT_COLUMNS)]), text=text)

    def search(self, text: str | None = None, *, source: str | None = None, date_from: dt.date | str | None = None,
               date_to: dt.date | str | None = None, limit: int | None = None, offset: int = 0,
               with_text: bool = False) -> list[StoredReport]:
        """Stored reports matching every given filter, oldest publication first.

        Parameters
        ----------
        text
            Words that must all occur in the title or text (case- and accent-width-insensitive).
        source
            Text that must occur in the source name (case-insensitive).
        date_from, date_to
            Inclusive publication-date bounds; reports without a date never match a bound.
        limit, offset
            Paging (``limit=None``: all).
        """
        where, args = [], []
        for word in (text or "").split():
            where.append("instr(geo_app_fold(r.title || ' ' || r.text), ?) > 0")
            args.append(_fold(word))
        if source:
            where.append("instr(geo_app_fold(r.source), ?) > 0")
            args.append(_fold(source))
        if date_from is not None:
            where.append("r.published >= ?")
            args.append(iso_day(date_from))
        if date_to is not None:
            where.append("r.published <= ?")
            args.append(iso_day(date_to))
        sql = (f"SELECT {self._select_cols('r')}{', r.text' if with_text else ''} FROM reports r "
               "LEFT JOIN analyses a ON a.report_id = r.id"
               + (" WHERE " + " AND ".join(where) if where else "")
               + " ORDER BY r.published IS NULL, r.published, r.id LIMIT ? OFFSET ?")
        rows = self._con.execute(sql, (*args, -1 if limit is None else limit, offset)).fetchall()
        if with_text:
            return [self._report(row[:-1], text=row[-1]) for row in rows]
        return [self._report(row) for row in rows]

    def list(self, limit: int | None = None, offset: int = 0) -> list[StoredReport]:
        """All stored reports (no text), oldest publication first."""
        return self.search(limit=limit, offset=offset)

    def remove(self, report_ids: Iterable[int]) -> list[int]:
        """Remove reports with their analyses and features, in one transaction; the ids removed.

        Raises :class:`NotFoundError` (and removes nothing) if an id is not stored.
        """
        ids = list(dict.fromkeys(int(i) for i in report_ids))
        with self._tx() as con:
            missing = [i for i in ids if con.execute("SELECT 1 FROM reports WHERE id = ?", (i,)).fetchone() is None]
            if missing:
                raise NotFoundError(f"no stored report with id {', '.join(map(str, missing))} in {self.path}")
            for i in ids:
                con.execute("DELETE FROM features WHERE report_id = ?", (i,))
                con.execute("DELETE FROM analyses WHERE report_id = ?", (i,))
                con.execute("DELETE FROM reports WHERE id = ?", (i,))
        return ids

    def counts(self) -> dict[str, int]:
        """Numbers of reports, analysed reports, pending reports and features."""
        reports = self._con.execute("SELECT count(*) FROM reports").fetchone()[0]
        analysed = self._con.execute("SELECT count(*) FROM analyses").fetchone()[0]
        features = self._con.execute("SELECT count(*) FROM features").fetchone()[0]
        return {"reports": reports, "analysed": analysed, "pending": reports - analysed, "features": features}

    def date_span(self) -> tuple[dt.date | None, dt.date | None]:
        """Earliest and latest date in the archive (publication dates and feature dates)."""
        lo, hi = self._con.execute(
            "SELECT min(d), max(d) FROM (SELECT published AS d FROM reports UNION ALL "
            "SELECT date_start FROM features UNION ALL SELECT date_end FROM features)").fetchone()
        return date_or_none(lo), date_or_none(hi)

    # -- analyses ---------------------------------------------------------------------------------

    def pending_ids(self, *, since: dt.date | str | None = None,
                    current: tuple[str, str, str] | None = None) -> list[int]:
        """Ids of reports not yet analysed, in store order.

        Parameters
        ----------
        since
            Only reports published on or after this date.
        current
            ``(geo_app_version, data_version, schema_version)``: also reports whose analysis
            was made by other versions (their old analysis stays until the new one commits).
        """
        cond = "a.id IS NULL"
        args: list[Any] = []
        if current is not None:
            cond = "(a.id IS NULL OR a.geo_app_version != ? OR a.data_version != ? OR a.schema_version != ?)"
            args.extend(current)
        if since is not None:
            cond += " AND r.published >= ?"
            args.append(iso_day(since))
        sql = f"SELECT r.id FROM reports r LEFT JOIN analyses a ON a.report_id = r.id WHERE {cond} ORDER BY r.id"
        return [row[0] for row in self._con.execute(sql, args)]

    def load_pending(self, report_ids: Sequence[int]) -> list[PendingReport]:
        """Text and metadata of these reports (in the given order; removed ones left out)."""
        found: dict[int, PendingReport] = {}
        for start in range(0, len(report_ids), 500):
            chunk = list(report_ids[start:start + 500])
            marks = ",".join("?" * len(chunk))
            for row in self._con.execute(
                    f"SELECT id, report_key, text, published, source FROM reports WHERE id IN ({marks})", chunk):
                found[row[0]] = PendingReport(*row)
        return [found[i] for i in report_ids if i in found]

    def commit_analyses(self, results: Sequence[AnalysisResult]) -> CommitCounts:
        """Commit analyses (failed ones are skipped) in one transaction.

        A report's previous analysis and features are replaced in the same transaction,
        so until it commits the old result stays. An analysis already committed with the
        same versions is kept as it is (an analysis is never stored twice).
        """
        committed = replaced = unchanged = gone = 0
        now = _now()
        bounds: list[tuple[float, float, float, float]] = []
        with self._tx() as con:
            for res in results:
                if res.error is not None or res.record is None:
                    continue
                report = con.execute("SELECT published FROM reports WHERE id = ?", (res.report_id,)).fetchone()
                if report is None:
                    gone += 1
                    continue
                versions = (str(res.record.get("geo_app_version", "")), res.data_version,
                            str(res.record.get("schema_version", "")))
                old = con.execute("SELECT id, geo_app_version, data_version, schema_version FROM analyses "
                                  "WHERE report_id = ?", (res.report_id,)).fetchone()
                if old is not None and tuple(old[1:]) == versions:
                    unchanged += 1
                    continue
                if old is not None:
                    con.execute("DELETE FROM features WHERE analysis_id = ?", (old[0],))
                    con.execute("DELETE FROM analyses WHERE id = ?", (old[0],))
                    replaced += 1
                cur = con.execute(
                    "INSERT INTO analyses (report_id, geo_app_version, data_version, schema_version, record, "
                    "committed_at) VALUES (?,?,?,?,?,?)",
                    (res.report_id, *versions, json.dumps(res.record, ensure_ascii=False, sort_keys=True), now),
                )
                analysis_id = cur.lastrowid
                rows = []
                for feat in res.features:
                    props = feat.properties
                    start, end = _feature_dates(props, report[0])
                    rows.append((feat.geometry, res.report_id, analysis_id, _str_or_none(props.get("kind")),
                                 _str_or_none(props.get("name")), start, end, report[0],
                                 json.dumps(props, ensure_ascii=False, sort_keys=True), *_property_values(props)))
                    if feat.geometry is not None:
                        bounds.append(blob_bounds(feat.geometry))
                con.executemany(_INSERT_FEATURE, rows)  # one statement for the report's features
                committed += 1
            if committed:
                self._touch_contents(con, now, bounds)
        return CommitCounts(committed, replaced, unchanged, gone)

    @staticmethod
    def _touch_contents(con: sqlite3.Connection, now: str, bounds: list[tuple[float, float, float, float]]) -> None:
        con.execute("UPDATE gpkg_contents SET last_change = ? WHERE table_name IN ('features', 'analyses')", (now,))
        bounds = [b for b in bounds if b[0] == b[0]]  # NaN: empty geometry
        if bounds:
            con.execute(
                "UPDATE gpkg_contents SET min_x = min(coalesce(min_x, ?1), ?1), min_y = min(coalesce(min_y, ?2), ?2), "
                "max_x = max(coalesce(max_x, ?3), ?3), max_y = max(coalesce(max_y, ?4), ?4) "
                "WHERE table_name = 'features'",
                (min(b[0] for b in bounds), min(b[1] for b in bounds), max(b[2] for b in bounds),
                 max(b[3] for b in bounds)),
            )

    def analysis(self, report_id: int) -> dict[str, Any]:
        """The committed analysis of a report: versions, commit time and record."""
        row = self._con.execute("SELECT id, geo_app_version, data_version, schema_version, committed_at, record "
                                "FROM analyses WHERE report_id = ?", (report_id,)).fetchone()
        if row is None:
            raise NotFoundError(f"report {report_id} has no committed analysis in {self.path}")
        return {"analysis_id": row[0], "geo_app_version": row[1], "data_version": row[2], "schema_version": row[3],
                "committed_at": row[4], "record": json.loads(row[5])}

    def analyses(self) -> Iterator[tuple[int, dict[str, Any]]]:
        """``(report id, record)`` of every committed analysis, in report order."""
        for report_id, record in self._con.execute("SELECT report_id, record FROM analyses ORDER BY report_id"):
            yield report_id, json.loads(record)

    def features(self, *, date_from: dt.date | str | None = None, date_to: dt.date | str | None = None,
                 report_ids: Iterable[int] | None = None) -> Iterator[tuple[int, StoredFeature]]:
        """``(report id, feature)`` of committed analyses, in report and feature order.

        With a date bound, only features whose date range (their own, else the report's
        publication date) overlaps ``[date_from, date_to]``; undated features are left out.
        With ``report_ids``, only the features of these stored reports.
        """
        where, args = [], []
        if date_from is not None:
            where.append("coalesce(date_end, date_start, published) >= ?")
            args.append(iso_day(date_from))
        if date_to is not None:
            where.append("coalesce(date_start, published) <= ?")
            args.append(iso_day(date_to))
        if report_ids is not None:
            ids = sorted({int(i) for i in report_ids})
            where.append("report_id IN (SELECT value FROM json_each(?))")
            args.append(json.dumps(ids))
        sql = ("SELECT report_id, geom, properties FROM features"
               + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY report_id, fid")
        for report_id, geom, props in self._con.execute(sql, args):
            yield report_id, StoredFeature(geom, json.loads(props))

    def features_gdf(self, *, date_from: dt.date | str | None = None, date_to: dt.date | str | None = None,
                     report_ids: Iterable[int] | None = None) -> Any:
        """Stored features as the GeoDataFrame of :func:`geo_app.layers.features_gdf` (EPSG:4326).

        Date bounds and ``report_ids`` as in :meth:`features`.
        """


        collection = {"type": "FeatureCollection", "features": [
            {"type": "Feature", "properties": feat.properties,
             "geometry": geometry_dict(from_gpkg_blob(feat.geometry), None) if feat.geometry is not None else None}
            for _, feat in self.features(date_from=date_from, date_to=date_to, report_ids=report_ids)
        ]}
        return geojson.from_geojson(collection)

    # -- user layers (schema 3; geo_app.layers) ----------------------------------------------

    def add_user_layer(self, layer: Any, gdf: Any, repairs: Sequence[Any] = ()) -> tuple[Any, bool]:
        """Store one loaded layer file (:func:`geo_app.user_layers.load_user_layer`) in one transaction.

        Files added under one name form a series: either one undated file, or dated files
        (a file dated as a whole may not share its date with another such file).

        Returns
        -------
        (UserLayer, bool)
            The stored layer (with ``layer_id`` and ``added_at``), and whether it was added:
            the same name, dates and content already stored give that copy and False.

        Raises
        ------
        InputError
            The name is taken in a way that conflicts (see above); the message says how to go on.
        """

        now = _now()
        with self._tx() as con:
            rows = con.execute("SELECT id, source_file, date_start, date_end, date_field, content_hash "
                               "FROM user_layers WHERE name = ?", (layer.name,)).fetchall()
            for lid, src, start, end, field, digest in rows:
                if digest == layer.content_hash and (start, end, field) == (layer.date_start, layer.date_end,
                                                                           layer.date_field):
                    return self._user_layer_row(con, lid), False
            for lid, src, start, end, field, _ in rows:
                if start is None or not layer.dated:
                    raise InputError(f"a layer named {layer.name!r} is already stored (id {lid}, from {src}) and one "
                                     "of the two is undated; remove it first (geo-app layers remove "
                                     f"{json.dumps(layer.name)}) or choose another --name")
                if field is None and layer.date_field is None and start == layer.date_start:
                    raise InputError(f"layer {layer.name!r} already has a file dated {start} (id {lid}, from {src}); "
                                     f"remove it first (geo-app layers remove {json.dumps(layer.name)} --id {lid})")
            cur = con.execute(
                "INSERT INTO user_layers (name, source_file, source_layer, source_crs, geometry_type, feature_count, "
                "date_start, date_end, date_field, notes, repairs, content_hash, added_at) "
                "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (layer.name, layer.source_file, layer.source_layer, layer.crs, layer.geometry_type,
                 int(len(gdf)), layer.date_start, layer.date_end, layer.date_field,
                 json.dumps(list(layer.notes), ensure_ascii=False),
                 json.dumps([dataclasses.asdict(r) for r in repairs], ensure_ascii=False), layer.content_hash, now),
            )
            layer_id = int(cur.lastrowid)
            geoms = shapely.force_2d(gdf.geometry.to_numpy())
            wkbs = shapely.to_wkb(geoms, flavor="iso", byte_order=1)
            bounds = shapely.bounds(geoms)
            head = b"GP\x00\x03" + struct.pack("<i", SRS_ID)
            con.executemany(
                "INSERT INTO user_layer_features (geom, layer_id, layer_name, feature_key, name, date_start, date_end, "
                "properties) VALUES (?,?,?,?,?,?,?,?)",
                ((head + struct.pack("<4d", b[0], b[2], b[1], b[3]) + w, layer_id, layer.name, str(k), _str_or_none(n),
                  a, e, json.dumps(p, ensure_ascii=False, sort_keys=True))
                 for w, b, k, n, a, e, p in zip(wkbs, bounds, gdf["feature_key"], gdf["name"], gdf["date_start"],
                                                gdf["date_end"], gdf["properties"])),
            )
            con.execute(
                "UPDATE gpkg_contents SET last_change = ?1, min_x = min(coalesce(min_x, ?2), ?2), "
                "min_y = min(coalesce(min_y, ?3), ?3), max_x = max(coalesce(max_x, ?4), ?4), "
                "max_y = max(coalesce(max_y, ?5), ?5) WHERE table_name = 'user_layer_features'",
                (now, *(float(v) for v in (bounds[:, 0].min(), bounds[:, 1].min(), bounds[:, 2].max(),
                                           bounds[:, 3].max()))),
            )
            return self._user_layer_row(con, layer_id), True

    _USER_LAYER_COLUMNS = ("id, name, source_file, source_layer, source_crs, geometry_type, feature_count, date_start, "
                           "date_end, date_field, notes, repairs, content_hash, added_at")

    @staticmethod
    def _user_layer(row: Sequence[Any]) -> Any:

        (lid, name, src, src_layer, crs, gtype, count, start, end, field, notes, repairs, digest, added) = row
        return UserLayer(name=name, source_file=src, feature_count=int(count), crs=crs, geometry_type=gtype,
                         date_start=start, date_end=end, date_field=field, source_layer=src_layer,
                         notes=tuple(json.loads(notes)), n_repaired=len(json.loads(repairs)), content_hash=digest,
                         layer_id=int(lid), added_at=added)

    def _user_layer_row(self, con: sqlite3.Connection, layer_id: int) -> Any:
        row = con.execute(f"SELECT {self._USER_LAYER_COLUMNS} FROM user_layers WHERE id = ?", (layer_id,)).fetchone()
        return self._user_layer(row)

    def user_layers(self, name: str | None = None) -> list[Any]:
        """Stored layer files (:class:`geo_app.user_layers.UserLayer`), by name then date then id."""
        sql = f"SELECT {self._USER_LAYER_COLUMNS} FROM user_layers"
        args: tuple[Any, ...] = ()
        if name is not None:
            sql += " WHERE name = ?"
            args = (name,)
        sql += " ORDER BY name, date_start IS NOT NULL, date_start, id"
        return [self._user_layer(r) for r in self._con.execute(sql, args)]

    def user_layer_names(self) -> list[str]:
        """Names of the stored layers (a dated series counts once), sorted."""
        return [r[0] for r in self._con.execute("SELECT DISTINCT name FROM user_layers ORDER BY name")]

    def user_layer_repairs(self, layer_id: int) -> list[dict[str, Any]]:
        """The repairs made when a layer file was loaded (``feature_key``, ``name``, ``reason``, ``result``)."""
        row = self._con.execute("SELECT repairs FROM user_layers WHERE id = ?", (layer_id,)).fetchone()
        if row is None:
            raise NotFoundError(f"no stored layer with id {layer_id} in {self.path}")
        return list(json.loads(row[0]))

    def user_layer_gdf(self, name: str | None = None, *, layer_ids: Iterable[int] | None = None) -> Any:
        """Features of stored layers (all, one name's series, or some files) as a layer GeoDataFrame.

        Columns :data:`geo_app.user_layers.LAYER_COLUMNS` plus ``geometry`` (EPSG:4326);
        ``feature_id`` is ``"<layer id>:<feature key>"``, unique in the store.
        """


        where, args = [], []
        if name is not None:
            where.append("f.layer_name = ?")
            args.append(name)
        if layer_ids is not None:
            where.append("f.layer_id IN (SELECT value FROM json_each(?))")
            args.append(json.dumps(sorted({int(i) for i in layer_ids})))
        rows = self._con.execute(
            "SELECT f.geom, f.layer_id, f.layer_name, l.source_file, f.feature_key, f.name, f.date_start, f.date_end, "
            "f.properties FROM user_layer_features f JOIN user_layers l ON l.id = f.layer_id"
            + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY f.layer_name, l.date_start, f.fid",
            args).fetchall()
        if not rows:
            return empty_layer_gdf()
        blobs = [r[0] for r in rows]
        wkbs = np.array([b[8 + ENVELOPE_BYTES[(b[3] >> 1) & 0b111]:] for b in blobs], dtype=object)
        geoms = shapely.from_wkb(wkbs)
        data = {
            "feature_id": [f"{r[1]}:{r[4]}" for r in rows], "layer_id": [int(r[1]) for r in rows],
            "layer_name": [r[2] for r in rows], "source_file": [r[3] for r in rows],
            "feature_key": [r[4] for r in rows], "name": [r[5] for r in rows], "date_start": [r[6] for r in rows],
            "date_end": [r[7] for r in rows], "properties": [json.loads(r[8]) for r in rows],
        }
        return layer_frame(data, geoms)

    def user_layer_span(self) -> tuple[dt.date | None, dt.date | None]:
        """Earliest and latest date of the stored layers' features."""
        lo, hi = self._con.execute(
            "SELECT min(d), max(d) FROM (SELECT date_start AS d FROM user_layer_features UNION ALL "
            "SELECT date_end FROM user_layer_features)").fetchone()
        return date_or_none(lo), date_or_none(hi)

    def remove_user_layers(self, name: str, *, date: dt.date | str | None = None,
                           layer_id: int | None = None) -> list[int]:
        """Remove a layer (every file of its series), or one file by ``layer_id`` or by its ``date``.

        Returns the ids removed; :class:`NotFoundError` (nothing removed) if nothing matches.
        """
        where, args = ["name = ?"], [name]
        if layer_id is not None:
            where.append("id = ?")
            args.append(int(layer_id))
        if date is not None:
            where.append("date_start = ?")
            args.append(iso_day(date))
        with self._tx() as con:
            ids = [r[0] for r in con.execute(f"SELECT id FROM user_layers WHERE {' AND '.join(where)}", args)]
            if not ids:
                what = f"layer {name!r}" + (f" with id {layer_id}" if layer_id is not None else "") + (
                    f" dated {iso_day(date)}" if date is not None else "")
                names = [r[0] for r in con.execute("SELECT DISTINCT name FROM user_layers ORDER BY name")]
                raise NotFoundError(f"no stored {what} in {self.path} (layers: {', '.join(names) or 'none'})")
            for i in ids:
                con.execute("DELETE FROM user_layer_features WHERE layer_id = ?", (i,))
                con.execute("DELETE FROM user_layers WHERE id = ?", (i,))
        return ids


def _read_version(con: sqlite3.Connection) -> int:
    try:
        row = con.execute("SELECT value FROM geo_app_meta WHERE key = 'schema_version'").fetchone()
    except sqlite3.OperationalError:
        return 0
    except sqlite3.DatabaseError as exc:
        raise InputError(f"not a geo_app store (SQLite says: {exc})") from exc
    return int(row[0]) if row else 0


def _check_empty(con: sqlite3.Connection, path: Path) -> None:
    tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    if tables:
        raise InputError(f"{path} is a database but not a geo_app store (it has tables {', '.join(tables[:5])}); "
                         "give another --db path")


def _str_or_none(value: Any) -> str | None:
    return None if value is None else str(value)


_PROPERTY_COLUMN_NAMES = ", ".join(c for c, _, _ in FEATURE_PROPERTY_COLUMNS)
_INSERT_FEATURE = ("INSERT INTO features (geom, report_id, analysis_id, kind, name, date_start, date_end, "
                   f"published, properties, {_PROPERTY_COLUMN_NAMES}) "
                   f"VALUES (?,?,?,?,?,?,?,?,?{',?' * len(FEATURE_PROPERTY_COLUMNS)})")


def _property_values(props: dict[str, Any]) -> list[Any]:
    return [column_value(props.get(key), sql_type) for _, key, sql_type in FEATURE_PROPERTY_COLUMNS]


def _feature_dates(props: dict[str, Any], published: str | None) -> tuple[str | None, str | None]:
    start = date_or_none(_str_or_none(props.get("date_start")))
    end = date_or_none(_str_or_none(props.get("date_end")))
    if start is None and end is None:
        return published, published
    return (start or end).isoformat(), (end or start).isoformat()  # type: ignore[union-attr]


