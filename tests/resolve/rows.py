"""The ranker's feature rows of one mention, for tests that look at single features."""

from __future__ import annotations

import datetime as dt

import numpy as np

from geo_app.resolve.resolver import Resolver
from geo_app.text.extract import extract


def feature_rows(text: str, name: str, published: dt.date) -> tuple[list, np.ndarray]:
    """The candidates of the mention written ``name`` and their first-pass feature rows."""
    ex = extract(text, published)
    resolver = Resolver()
    cands = resolver.all_candidates(ex)
    best = [max(c, key=lambda nm: nm.place.population).place if c else None for c in cands]
    Xs = resolver.features(ex, cands, best, {})
    i = next(i for i, m in enumerate(ex.mentions) if m.text == name)
    return cands[i], Xs[i]
