"""Exception hierarchy of geo_app.

Every error subclasses :class:`GeoAppError` *and* a builtin, so callers can
catch either (``except ValueError`` catches :class:`InputError`), as geopy does.
"""

from __future__ import annotations


class GeoAppError(Exception):
    """Base class of every error geo_app raises on purpose."""


class InputError(GeoAppError, ValueError):
    """The input (a report, a query, a file) cannot be used; the message says why."""


class NotFoundError(GeoAppError, LookupError):
    """A place, a layer or a stored record does not exist."""


class DataError(GeoAppError, RuntimeError):
    """Bundled data (borders, gazetteer) is missing or corrupt; rebuild it."""


class LimitExceededError(InputError):
    """An input is larger than a configured limit; the message names the setting."""
