"""The whole analysis of a report: extract -> resolve -> check, as plain data.

:func:`analyze` is the one entry point the CLI, the app, the store and the evaluation
use; :func:`parse_record` gives the batch contract of ``geo-app parse --jsonl``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from geo_app import __version__
from geo_app._errors import InputError
from geo_app.text.extract import Extraction, extract, extract_many
from geo_app.check.claims import claims_for
from geo_app.resolve.resolver import Resolution, Resolver

#: Version of the batch output and GeoJSON property schema (schema/*.json).
SCHEMA_VERSION = "1.0"


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


def _finish(report_id: str, ex: Extraction, *, with_claims: bool, source: str = "") -> Analysis:
    resolutions = Resolver().resolve(ex)
    claims: list[Any] = []
    if with_claims:
        claims = claims_for(report_id, ex, resolutions)
    return Analysis(report_id, ex, resolutions, claims, source)


def analyze(text: str, published: object = None, *, report_id: str = "report", source: str = "",
            with_claims: bool = True) -> Analysis:
    """Analyse one report: mentions, resolutions, distances, dates and checked claims."""
    return _finish(report_id, extract(text, parse_date(published)), with_claims=with_claims, source=source)


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
        batch.append((report_id, text, parse_date(published)))
        if len(batch) >= batch_size:
            yield from flush()
    if batch:
        yield from flush()


def parse_record(record: dict[str, Any]) -> dict[str, Any]:
    """One line of the batch contract: ``{"id", "text", "published"?}`` -> the parse output."""
    if not isinstance(record, dict):
        raise InputError("each input line must be a JSON object with 'id' and 'text'")
    if "text" not in record:
        raise InputError("input object has no 'text'")
    analysis = analyze(record["text"], record.get("published"), report_id=str(record.get("id", "")))
    return analysis.to_record()
