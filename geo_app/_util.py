"""Small helpers every layer uses: ISO days (one home for reading a day)."""

from __future__ import annotations

import datetime as dt

from geo_app._errors import InputError


def iso_day(value: dt.date | str | None, what: str = "date") -> str | None:
    """An ISO day (YYYY-MM-DD) from a date, datetime or ISO text (its first 10 characters); None for empty.

    Raises
    ------
    InputError
        Text that is not an ISO date; the message names ``what`` was given (an option, a field).
    """
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    try:
        return dt.date.fromisoformat(str(value).strip()[:10]).isoformat()
    except ValueError as exc:
        raise InputError(f"{what} {value!r} is not an ISO date (YYYY-MM-DD)") from exc


def date_or_none(value: str | None) -> dt.date | None:
    """The date an ISO text starts with, or None when it is empty or not a date (lenient, for stored data)."""
    try:
        return dt.date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None
