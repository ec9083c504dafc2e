"""Ingest: report files, folders and JSONL batches into the store, bad inputs rejected with a reason.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Iterable
from pathlib import Path



from geo_app import settings
from geo_app._errors import InputError, LimitExceededError
from geo_app.text.reports import REPORT_SUFFIXES, Report, iter_jsonl_reports, read_report_file
from geo_app.io.store import IngestSummary, Rejected, Store

#: File types ``ingest`` reads from a folder (report files and JSONL batches).
INGEST_SUFFIXES = (*REPORT_SUFFIXES, ".jsonl")


def collect_paths(paths: Iterable[Path | str]) -> tuple[list[Path], list[str]]:
    """Files to ingest from files and folders (recursive, hidden entries left out), and the
    files of other types found in folders. A missing path raises :class:`InputError`."""
    files: list[Path] = []
    skipped: list[str] = []
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            raise InputError(f"{path}: no such file or folder")
        if not path.is_dir():
            files.append(path)
            continue
        for folder, dirs, names in os.walk(path):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in sorted(names):
                if name.startswith("."):
                    continue
                file = Path(folder) / name
                if file.suffix.lower() in INGEST_SUFFIXES:
                    files.append(file)
                else:
                    skipped.append(str(file))
    return files, skipped


def _read_one(path: Path, source: str) -> Report:
    if path.suffix.lower() not in REPORT_SUFFIXES:
        raise InputError(f"unsupported file type {path.suffix or '(none)'!r} (use {', '.join(INGEST_SUFFIXES)})")
    size = path.stat().st_size
    if size > settings.MAX_REPORT_CHARS * 4:  # checked before reading: never load a huge file
        raise LimitExceededError(f"{size:,} bytes, over the limit for one report "
                                 f"(raise geo_app.settings.MAX_REPORT_CHARS, now {settings.MAX_REPORT_CHARS:,} characters)")
    report = read_report_file(path)
    return dataclasses.replace(report, source=source) if source and not report.source else report


def ingest_paths(store: Store, paths: Iterable[Path | str], *, source: str = "",
                 progress: Callable[[str], None] | None = None,
                 on_start: Callable[[int], None] | None = None) -> IngestSummary:
    """Add every report in these files and folders (``.txt``, ``.md``, ``.html``, ``.jsonl``).

    Bad inputs are rejected with a reason and the rest go on; duplicates (same content
    hash) are counted, not stored again. Reports are committed in batches of
    ``settings.INGEST_BATCH_SIZE``: after a crash, rerunning adds what is missing.

    Parameters
    ----------
    source
        Source name for reports that do not state one.
    progress
        Called with each file's name after it is read (for a progress bar).
    on_start
        Called with the number of files found, before any is read.
    """
    files, skipped = collect_paths(paths)
    if on_start is not None:
        on_start(len(files))
    added: list[int] = []
    dups: list[tuple[str, int]] = []
    rejected: list[Rejected] = []
    batch: list[tuple[Report, str]] = []

    def flush() -> None:
        for (_, origin), (rid, is_new) in zip(batch, store.add_reports(batch)):
            (added.append(rid) if is_new else dups.append((origin, rid)))
        batch.clear()

    for path in files:
        try:
            if path.suffix.lower() == ".jsonl":
                for item in iter_jsonl_reports(path):
                    if isinstance(item, Report):
                        if not item.source and source:
                            item = dataclasses.replace(item, source=source)
                        batch.append((item, f"{path}:{item.meta.get('line', '')}"))
                    else:
                        rejected.append(Rejected(str(path), str(item)))
                    if len(batch) >= settings.INGEST_BATCH_SIZE:
                        flush()
            else:
                batch.append((_read_one(path, source), str(path)))
        except (InputError, OSError) as exc:
            reason = str(exc) if isinstance(exc, InputError) else f"cannot read: {exc.strerror or exc}"
            rejected.append(Rejected(str(path), reason.removeprefix(f"{path.name}: ")))
        if len(batch) >= settings.INGEST_BATCH_SIZE:
            flush()
        if progress is not None:
            progress(path.name)
    if batch:
        flush()
    return IngestSummary(tuple(added), tuple(dups), tuple(rejected), tuple(skipped))
