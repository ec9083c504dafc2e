"""geo_app: turn news reports into checked, dated maps, offline."""

from __future__ import annotations

from geo_app._errors import DataError, GeoAppError, InputError, LimitExceededError, NotFoundError

__version__ = "0.1.0"

__all__ = [
    "DataError",
    "GeoAppError",
    "InputError",
    "LimitExceededError",
    "NotFoundError",
    "__version__",
]
