"""What kind of thing a candidate name is: place, not a place, or demonym.

A multinomial logistic regression over the features of :func:`geo_app.text.spans.candidate_features`,
trained by ``scripts/train_kinds.py`` on the LGL and GeoWebNews gold with document-level
cross-validation. The model ships as JSON (feature names, coefficients, intercepts, the
acceptance threshold and the figures it was trained with); inference is a sparse dot product
in numpy. No pickle, and the package never reads the corpora.

Optionally (key ``"stack"`` in the JSON) gradient-boosted trees decide place-or-demonym against
not a place from the regression's log-probabilities and the non-lexical features (gazetteer,
NER label, shape, head noun): the interactions a linear model cannot form ("an organisation
span naming a city of 200,000 at a sentence start"). The trees keep the regression's split
between place and demonym.

Optionally (key ``"stage1"``) a second regression over the features a doc has before the NER
runs (the first stage of the selective NER), with the band ``low``..``high`` of its probability
of place-or-demonym inside which a candidate is left to the NER (``low_cap``: the bar for a
capitalised run the gazetteer lacks).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain, repeat
from pathlib import Path

import numpy as np

from geo_app import settings
from geo_app._errors import NotFoundError

#: Classes, in the order of the model's coefficient rows.
CLASSES = ("not", "place", "demonym")
MODEL_PATH = Path(__file__).with_name("kinds_model.json")


@dataclass(frozen=True)
class TreeStack:
    """Boosted binary trees (keep vs not) over dense inputs; nodes as flat arrays."""

    index: dict[str, int]  # input name -> column; "__lr0".."__lr2" are the regression's log-probs
    baseline: float
    feature: np.ndarray  # (trees, nodes) int
    threshold: np.ndarray  # (trees, nodes) float
    left: np.ndarray  # (trees, nodes) int
    right: np.ndarray  # (trees, nodes) int
    leaf: np.ndarray  # (trees, nodes) bool
    value: np.ndarray  # (trees, nodes) float
    depth: int

    def keep(self, rows: list[dict[str, float]], lr: np.ndarray) -> np.ndarray:
        """Probability of place-or-demonym for each row."""
        n = len(rows)
        X = np.zeros((n, len(self.index)))
        for i, row in enumerate(rows):
            for k, v in row.items():
                j = self.index.get(k)
                if j is not None:
                    X[i, j] = v
        logp = np.log(np.clip(lr, 1e-9, 1.0))
        for c in range(lr.shape[1]):
            j = self.index.get(f"__lr{c}")
            if j is not None:
                X[:, j] = logp[:, c]
        trees = np.arange(self.feature.shape[0])[None, :]
        node = np.zeros((n, self.feature.shape[0]), dtype=np.int64)
        rows_ix = np.arange(n)[:, None]
        for _ in range(self.depth):
            f = self.feature[trees, node]
            go_left = X[rows_ix, f] <= self.threshold[trees, node]
            nxt = np.where(go_left, self.left[trees, node], self.right[trees, node])
            node = np.where(self.leaf[trees, node], node, nxt)
        raw = self.baseline + self.value[trees, node].sum(axis=1)
        return 1.0 / (1.0 + np.exp(-raw))


def stack_from_dict(data: dict) -> TreeStack:
    """Build the tree stack from its JSON form: ``inputs`` and per-tree node lists."""
    trees = data["trees"]
    width = max(len(t["feature"]) for t in trees)

    def pad(key: str, fill: float, dtype: type) -> np.ndarray:
        return np.array([list(t[key]) + [fill] * (width - len(t[key])) for t in trees], dtype=dtype)

    return TreeStack({n: i for i, n in enumerate(data["inputs"])}, float(data["baseline"]),
                     pad("feature", 0, np.int64), pad("threshold", 0.0, float), pad("left", 0, np.int64),
                     pad("right", 0, np.int64), pad("leaf", 1, bool), pad("value", 0.0, float),
                     int(data["depth"]))


@dataclass(frozen=True)
class KindModel:
    """A trained kind classifier: feature index, weights (features x classes), intercepts."""

    index: dict[str, int]
    coef: np.ndarray
    intercept: np.ndarray
    threshold: float
    threshold_unknown: float
    meta: dict
    stack: TreeStack | None = None
    #: The first stage of the selective NER: a model over the same features without the NER's
    #: (see :func:`geo_app.text.extract.stage_one`), which leaves a candidate to the NER when its
    #: probability of place or demonym lies in ``[low, high]``.
    stage1: KindModel | None = None
    low: float = 0.0
    high: float = 1.0
    low_cap: float | None = None  # the bar for capitalised runs the gazetteer lacks (default low)

    def predict(self, rows: list[dict[str, float]], *, linear_only: bool = False) -> np.ndarray:
        """Class probabilities, one row per feature dict, columns in :data:`CLASSES` order
        (with the tree stack when the model has one, unless ``linear_only``)."""
        p = self.predict_linear(rows)
        if self.stack is None or linear_only or not rows:
            return p
        keep = self.stack.keep(rows, p)
        share = p[:, 1:] / np.clip(p[:, 1:].sum(axis=1, keepdims=True), 1e-12, None)
        return np.column_stack([1.0 - keep, keep[:, None] * share])

    def predict_linear(self, rows: list[dict[str, float]]) -> np.ndarray:
        """The logistic regression's class probabilities."""
        if not rows:
            return np.zeros((0, len(CLASSES)))
        n = len(rows)
        z = np.tile(self.intercept, (n, 1))
        # The feature names and values of all rows in one pass each, read by C iterators.
        sizes = list(map(len, rows))
        total = sum(sizes)
        cols = np.fromiter(map(self.index.get, chain.from_iterable(rows), repeat(-1, total)), dtype=np.int64,
                           count=total)
        vals = np.fromiter(chain.from_iterable(map(dict.values, rows)), dtype=float, count=total)
        at = np.repeat(np.arange(n), sizes)
        known = cols >= 0
        if known.any():
            at, cols, vals = at[known], cols[known], vals[known]
            weights = self.coef[cols]  # the rows of the features present, gathered once
            for k in range(z.shape[1]):
                z[:, k] += np.bincount(at, weights=weights[:, k] * vals, minlength=n)
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
    stack = stack_from_dict(data["stack"]) if data.get("stack") else None
    stage1 = model_from_dict({"classes": data["classes"], **data["stage1"]}) if data.get("stage1") else None
    return KindModel({n: i for i, n in enumerate(names)}, coef.T.copy(), np.asarray(data["intercept"], dtype=float),
                     threshold, float(data.get("threshold_unknown", threshold)), data.get("meta", {}), stack,
                     stage1, float(data.get("low", 0.0)), float(data.get("high", 1.0)),
                     None if data.get("low_cap") is None else float(data["low_cap"]))


@lru_cache(maxsize=1)
def get_model() -> KindModel:
    """The committed kind model (loaded once per process)."""
    if not MODEL_PATH.exists():
        raise NotFoundError(f"kind model {MODEL_PATH} missing: run scripts/train_kinds.py")
    return model_from_dict(json.loads(MODEL_PATH.read_text(encoding="utf-8")))
