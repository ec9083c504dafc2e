"""The whole analysis of a report: extract -> resolve -> check, as plain data.

:func:`analyze` is the one entry point the CLI, the app, the store and the evaluation
use; :func:`parse_record` gives the batch contract of ``geo-app parse --jsonl``.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

from geo_app import __version__, settings
from geo_app._errors import GeoAppError, InputError
from geo_app.check.finder import claims_for
from geo_app.resolve.resolver import Resolution, Resolver
from geo_app.text.extract import Extraction, check_text, extract, extract_many
from geo_app.text.reports import Cleaning, clean_text, detect_published

K = TypeVar("K")

#: Version of the batch output and GeoJSON property schema (schema/*.json).
SCHEMA_VERSION = "1.0"

#: The steps of one analysis, in order, with the share of the work done before each starts
#: (measured on a 500,000-character report by benchmarks/bench_big_report.py), for progress bars.
STAGES: dict[str, float] = {"extract": 0.0, "resolve": 0.6, "claims": 0.97, "done": 1.0}

#: A progress callback: called with a step of :data:`STAGES` and its share of the work done.
#: It may raise to stop the analysis between two steps (the app's cancel button does).
StageCallback = Callable[[str, float], None]


def _no_progress(stage: str, done: float) -> None:
    """The default progress callback: nothing."""


def _keyed_stage(on_stage: Callable[[K, str, float], None], key: K, stage: str, done: float) -> None:
    on_stage(key, stage, done)


@dataclass
class Analysis:
    """One report analysed: its extraction, resolved mentions and checked claims."""

    report_id: str
    extraction: Extraction
    resolutions: list[Resolution]
    claims: list[Any] = field(default_factory=list)
    source: str = ""

    def to_record(self) -> dict[str, Any]:
        """The batch-contract record (one JSONL line of ``geo-app parse``)."""
        return {
            "id": self.report_id,
            "published": self.extraction.published.isoformat() if self.extraction.published else None,
            "mentions": [r.to_dict() for r in self.resolutions],
            "distances": [d.to_dict() for d in self.extraction.distances],
            "dates": [d.to_dict() for d in self.extraction.dates],
            "claims": [c.to_dict() for c in self.claims],
            "geo_app_version": __version__,
            "schema_version": SCHEMA_VERSION,
        }


def parse_date(value: object) -> dt.date | None:
    """A publication date from ISO text (or a date); None for empty; InputError if malformed."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip()[:10])
    except ValueError as exc:
        raise InputError(f"publication date {value!r} is not an ISO date (YYYY-MM-DD)") from exc


def _finish(report_id: str, ex: Extraction, *, with_claims: bool, source: str = "",
            progress: StageCallback = _no_progress) -> Analysis:
    progress("resolve", STAGES["resolve"])
    resolutions = Resolver().resolve(ex)
    claims: list[Any] = []
    if with_claims:
        progress("claims", STAGES["claims"])
        claims = claims_for(report_id, ex, resolutions)
    progress("done", STAGES["done"])
    return Analysis(report_id, ex, resolutions, claims, source)


def _published(value: object, text: str) -> dt.date | None:
    """The publication date given, else the one the report states at its top (a wire dateline
    "NIAMEY, March 14, 2026 -", "Published 10 February 2022"), as reports read from files get it."""
    if value is not None and value != "":
        return parse_date(value)
    return detect_published(text)


def analyze(text: str, published: object = None, *, report_id: str = "report", source: str = "",
            with_claims: bool = True, progress: StageCallback | None = None) -> Analysis:
    """Analyse one report: mentions, resolutions, distances, dates and checked claims.

    Parameters
    ----------
    progress : callable, optional
        Called before each step with its name and the share of the work done
        (:data:`STAGES`), and once with ``"done"``; what it raises stops the analysis.
    """
    step = progress or _no_progress
    step("extract", STAGES["extract"])
    ex = extract(text, _published(published, text))
    return _finish(report_id, ex, with_claims=with_claims, source=source, progress=step)


def analyze_many(items: Iterable[tuple[str, str, object]], *, with_claims: bool = True,
                 batch_size: int = 32) -> Iterator[Analysis]:
    """Analyse ``(report_id, text, published)`` items, batching the NER step."""
    batch: list[tuple[str, str, dt.date | None]] = []

    def flush() -> Iterator[Analysis]:
        exs = extract_many([(t, p) for _, t, p in batch], batch_size=batch_size)
        for (rid, _, _), ex in zip(batch, exs):
            yield _finish(rid, ex, with_claims=with_claims)
        batch.clear()

    for report_id, text, published in items:
        batch.append((report_id, text, _published(published, text)))
        if len(batch) >= batch_size:
            yield from flush()
    if batch:
        yield from flush()


@dataclass(frozen=True)
class _BatchItem:
    """One input record of the batch contract, validated and cleaned, ready for the model."""

    report_id: str
    text: str  # as sent
    clean: str  # same length: control characters and lone surrogates replaced
    published: dt.date | None
    cleanings: tuple[Cleaning, ...]


def _prepare(record: object) -> _BatchItem:
    """Validate and clean one input record; InputError when it cannot be answered at all."""
    if not isinstance(record, dict):
        raise InputError("each input line must be a JSON object with 'id' and 'text'")
    if "text" not in record:
        raise InputError("input object has no 'text'")
    text = record["text"]
    if not isinstance(text, str):
        raise InputError(f"a report must be text, not {type(text).__name__}")
    clean, cleanings = clean_text(text)
    check_text(clean)  # the length limit (settings.MAX_REPORT_CHARS)
    rid = record.get("id")
    return _BatchItem("" if rid is None else str(rid), text, clean, _published(record.get("published"), clean),
                      tuple(cleanings))


def _as_sent(item: _BatchItem, analysis: Analysis) -> dict[str, Any]:
    """The output record with its cleaning ``warnings`` and, when the text was cleaned, every
    quoted span cut from the text as sent, so ``text[start:end] == item["text"]`` holds for it."""
    out = analysis.to_record()
    out["warnings"] = [c.to_dict() for c in item.cleanings]
    if not item.cleanings:
        return out
    for key in ("mentions", "distances", "dates"):
        for span in out[key]:
            span["text"] = item.text[span["start"]:span["end"]]
    sentences = analysis.extraction.sentences
    for claim in out["claims"]:  # a quote is its sentence, stripped: cut it from the text as sent too
        quote, index = claim.get("quote"), claim.get("sentence")
        if not quote or not isinstance(index, int) or not 0 <= index < len(sentences):
            continue
        start, end = sentences[index]
        at = start + len(item.clean[start:end]) - len(item.clean[start:end].lstrip())
        if item.clean[at:at + len(quote)] == quote:
            claim["quote"] = item.text[at:at + len(quote)]
    return out


def _extract_batch(items: list[_BatchItem], batch_size: int) -> list[Extraction | Exception]:
    """Extractions of the items, batched through spaCy; one by one (with per-item errors) when a
    batch fails, so one bad report never fails its neighbours."""
    try:
        return list(extract_many([(i.clean, i.published) for i in items], batch_size=batch_size))
    except (ValueError, GeoAppError):
        pass
    out: list[Extraction | Exception] = []
    for item in items:
        try:
            out.append(extract(item.clean, item.published))
        except (ValueError, GeoAppError) as exc:
            out.append(exc)
    return out


def parse_record(record: dict[str, Any]) -> dict[str, Any]:
    """One line of the batch contract: ``{"id", "text", "published"?}`` -> the parse output.

    Control characters and unpaired surrogates in the text are replaced one for one before the
    analysis and listed in ``warnings``; offsets and quoted spans refer to the text as sent.
    Raises :class:`InputError` when the record cannot be answered (not an object, no text).
    """
    item = _prepare(record)
    return _as_sent(item, _finish(item.report_id, extract(item.clean, item.published), with_claims=True))


def parse_records(items: Iterable[tuple[K, object]], *, batch_size: int | None = None,
                  on_stage: Callable[[K, str, float], None] | None = None
                  ) -> Iterator[tuple[K, dict[str, Any] | Exception]]:
    """The batch contract over many records, batching the NER step as :func:`analyze_many` does.

    Parameters
    ----------
    items : iterable of (key, record)
        ``record`` is one decoded input line, or an exception already raised for it (a line
        that was not UTF-8 or not JSON), passed through in its place. ``key`` is the caller's
        (e.g. the line number) and comes back unchanged.
    batch_size : int, optional
        Records per spaCy batch (default ``settings.PARSE_BATCH_SIZE``).
    on_stage : callable, optional
        For a big record (``settings.BIG_REPORT_CHARS`` characters or more): called with its
        key, each step of :data:`STAGES` and the share of its work done, for a progress display.

    Yields
    ------
    tuple of (key, dict or Exception)
        One per item, in input order: the output record of :func:`parse_record`, or the
        exception (an :class:`InputError`, a ``ValueError``) that this record alone raised.
    """
    size = batch_size or settings.PARSE_BATCH_SIZE
    pending: list[tuple[K, _BatchItem | Exception]] = []
    ready_count = 0

    def flush() -> Iterator[tuple[K, dict[str, Any] | Exception]]:
        nonlocal ready_count
        ready = [p for _, p in pending if isinstance(p, _BatchItem)]
        big = {id(p): key for key, p in pending if isinstance(p, _BatchItem)
               and len(p.clean) >= settings.BIG_REPORT_CHARS} if on_stage is not None else {}
        for key in big.values():
            on_stage(key, "extract", STAGES["extract"])  # type: ignore[misc]
        extractions = iter(_extract_batch(ready, size) if ready else [])
        for key, prepared in pending:
            if isinstance(prepared, Exception):
                yield key, prepared
                continue
            ex = next(extractions)
            if isinstance(ex, Exception):
                yield key, ex
                continue
            try:
                step: StageCallback = _no_progress
                if on_stage is not None and id(prepared) in big:
                    step = functools.partial(_keyed_stage, on_stage, key)
                result = _as_sent(prepared, _finish(prepared.report_id, ex, with_claims=True, progress=step))
            except (ValueError, GeoAppError) as exc:
                yield key, exc
                continue
            yield key, result
        pending.clear()
        ready_count = 0

    for key, record in items:
        if isinstance(record, Exception):
            pending.append((key, record))
        else:
            try:
                pending.append((key, _prepare(record)))
                ready_count += 1
            except (ValueError, GeoAppError) as exc:
                pending.append((key, exc))
        # A full batch for the model; or many bad lines in a row, which are not held back for long.
        if ready_count >= size or len(pending) >= 4 * size:
            yield from flush()
    if pending:
        yield from flush()
