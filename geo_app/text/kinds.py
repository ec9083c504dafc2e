"""What kind of thing a candidate name is: place, not a place, or demonym.

A multinomial logistic regression over the features of :func:`geo_app.text.spans.candidate_features`,
trained by ``scripts/train_kinds.py`` on the LGL and GeoWebNews gold with document-level
cross-validation. The model ships as JSON (feature names, coefficients, intercepts, the
acceptance threshold and the figures it was trained with); inference is a sparse dot product
in numpy. No pickle, and the package never reads the corpora.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from geo_app import settings
from geo_app._errors import NotFoundError

#: Classes, in the order of the model's coefficient rows.
CLASSES = ("not", "place", "demonym")
MODEL_PATH = Path(__file__).with_name("kinds_model.json")


@dataclass(frozen=True)
class KindModel:
    """A trained kind classifier: feature index, weights (features x classes), intercepts."""

    index: dict[str, int]
    coef: np.ndarray
    intercept: np.ndarray
    threshold: float
    threshold_unknown: float
    meta: dict

    def predict(self, rows: list[dict[str, float]]) -> np.ndarray:
        """Class probabilities, one row per feature dict, columns in :data:`CLASSES` order."""
        if not rows:
            return np.zeros((0, len(CLASSES)))
        z = np.tile(self.intercept, (len(rows), 1))
        at, cols, vals = [], [], []
        index = self.index
        for i, row in enumerate(rows):
            for k, v in row.items():
                j = index.get(k)
                if j is not None:
                    at.append(i)
                    cols.append(j)
                    vals.append(v)
        if cols:
            np.add.at(z, np.asarray(at), self.coef[np.asarray(cols)] * np.asarray(vals)[:, None])
        z -= z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)


def model_from_dict(data: dict) -> KindModel:
    """Build a model from its JSON form (as written by ``scripts/train_kinds.py``)."""
    names = data["features"]
    coef = np.asarray(data["coef"], dtype=float)  # classes x features
    if list(data["classes"]) != list(CLASSES) or coef.shape != (len(CLASSES), len(names)):
        raise ValueError("kind model: classes or coefficient shape do not match its features")
    threshold = float(data.get("threshold", settings.KIND_ACCEPT_THRESHOLD))
    return KindModel({n: i for i, n in enumerate(names)}, coef.T.copy(), np.asarray(data["intercept"], dtype=float),
                     threshold, float(data.get("threshold_unknown", threshold)), data.get("meta", {}))


@lru_cache(maxsize=1)
def get_model() -> KindModel:
    """The committed kind model (loaded once per process)."""
    if not MODEL_PATH.exists():
        raise NotFoundError(f"kind model {MODEL_PATH} missing: run scripts/train_kinds.py")
    return model_from_dict(json.loads(MODEL_PATH.read_text(encoding="utf-8")))
