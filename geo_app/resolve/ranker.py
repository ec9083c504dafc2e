"""The trained candidate ranker over :data:`geo_app.resolve.features.FEATURE_NAMES`.

For one mention, each gazetteer candidate ``j`` gets a score ``s_j``: a linear part
``w . (x_j - mean) / scale`` plus the sum of small regression trees (gradient boosting; each tree
a set of node arrays: feature, threshold, left, right, value; ``x <= threshold`` goes left, a
feature of -1 marks a leaf), and the probability ``exp(s_j) / sum_k exp(s_k)`` of being the
place meant. The weights are
learnt from the development corpora (LGL, GeoWebNews) by ``scripts/train_ranker.py``, which
also reports document-level cross-validated figures; the model is committed as JSON
(``settings.RANKER_MODEL_PATH``) and loaded here with json and numpy only. The package never
reads the corpora.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from geo_app import settings
from geo_app._errors import InputError
from geo_app.resolve.features import FEATURE_NAMES

__all__ = ["MODEL_FORMAT", "Ranker", "get_ranker", "load_ranker"]

#: The ``format`` field a model file must carry.
MODEL_FORMAT = "geo_app.ranker/1"


#: Rows x trees walked per block in :meth:`Ranker.scores` (bounds memory; the speed is the same).
_WALK_BLOCK = 1 << 20


@dataclass(frozen=True)
class Ranker:
    """Weights of a conditional-logit ranker.

    Attributes
    ----------
    features : tuple of str
        Column names, equal to :data:`FEATURE_NAMES`.
    mean, scale, coef : numpy.ndarray
        Standardisation and weights of the linear part, one per feature.
    trees : tuple of tuple of numpy.ndarray
        Boosted trees as (feature, threshold, left, right, value) node arrays; may be empty.
    meta : dict
        What the training script recorded (corpora, folds, figures).
    """

    features: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    meta: dict[str, Any]
    trees: tuple[tuple[np.ndarray, ...], ...] = ()

    def scores(self, X: np.ndarray) -> np.ndarray:
        """Scores (log-odds up to a constant) of candidate rows ``X`` (n, n_features)."""
        X = np.asarray(X, dtype=float)
        s = ((X - self.mean) / self.scale) @ self.coef
        if not self.trees or len(X) == 0:
            return s
        # All trees walked at once: one (rows x trees) array of current nodes (indices into the
        # trees' concatenated node arrays), as many steps as the deepest tree (a leaf's children are
        # itself, so a walk that reached one stays there); in blocks of rows, so a 2 MB report's
        # 60,000 candidates do not hold several (rows x trees) arrays at once.
        feature, threshold, children, value, roots, depth = self._flat
        n_features = X.shape[1]
        step = max(1, _WALK_BLOCK // max(roots.size, 1))
        for a in range(0, len(X), step):
            rows = np.ascontiguousarray(X[a:a + step]).ravel()
            base = (np.arange(len(rows) // n_features, dtype=np.int64) * n_features)[:, None]
            node = np.broadcast_to(roots, (len(base), roots.size))
            for _ in range(depth):
                # x > threshold (NaN too) goes right: child index 2 * node + 1.
                right = ~(rows.take(base + feature.take(node)) <= threshold.take(node))
                node = children.take(2 * node + right)
            s[a:a + step] += value.take(node).sum(axis=1)
        return s

    @cached_property
    def _flat(self) -> tuple[Any, ...]:
        """The trees' node arrays concatenated: feature (0 at a leaf), threshold, children (left and
        right of node ``i`` at ``2i`` and ``2i + 1``, as indices into the concatenation; a leaf's
        are itself), value, each tree's root, and the depth of the deepest tree."""
        sizes = np.array([len(t[0]) for t in self.trees])
        roots = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
        feature = np.concatenate([t[0] for t in self.trees]).astype(np.int64)
        threshold = np.concatenate([t[1] for t in self.trees]).astype(float)
        left = np.concatenate([t[2].astype(np.int64) + r for t, r in zip(self.trees, roots)])
        right = np.concatenate([t[3].astype(np.int64) + r for t, r in zip(self.trees, roots)])
        value = np.concatenate([t[4] for t in self.trees]).astype(float)
        leaf = feature < 0
        own = np.arange(feature.size, dtype=np.int64)
        children = np.column_stack([np.where(leaf, own, left), np.where(leaf, own, right)]).ravel()
        # Depth of each node, parents before children (a tree's children come after their parent).
        level = np.zeros(feature.size, dtype=np.int64)
        for i in np.flatnonzero(~leaf).tolist():
            level[left[i]] = level[right[i]] = level[i] + 1
        return np.where(leaf, 0, feature), threshold, children, value, roots, int(level.max(initial=0))

    def probabilities_each(self, Xs: list[np.ndarray]) -> list[np.ndarray]:
        """:meth:`probabilities` of several mentions' rows, scored in one batch."""
        sizes = [len(X) for X in Xs]
        if not sum(sizes):
            return [np.zeros(0) for _ in Xs]
        s = self.scores(np.vstack([X for X in Xs if len(X)]))
        out = []
        for part in np.split(s, np.cumsum(sizes)[:-1]):
            e = np.exp(part - part.max()) if part.size else part
            out.append(e / e.sum() if part.size else part)
        return out

    def probabilities(self, X: np.ndarray) -> np.ndarray:
        """The candidates' probabilities of being the place meant (they sum to 1)."""
        s = self.scores(X)
        if s.size == 0:
            return s
        e = np.exp(s - s.max())
        return e / e.sum()

    def to_dict(self) -> dict[str, Any]:
        """The JSON form written by the training script."""
        return {"format": MODEL_FORMAT, "features": list(self.features), "mean": self.mean.tolist(),
                "scale": self.scale.tolist(), "coef": self.coef.tolist(),
                "trees": [{k: a.tolist() for k, a in zip(_TREE_KEYS, tree)} for tree in self.trees],
                "meta": self.meta}


    def to_json(self) -> str:
        """The model file's text: :meth:`to_dict` as JSON, weights and leaf values rounded to 9
        decimals, split thresholds at full precision (rounded, splits on tiny values such as the
        ``near`` feature's exp(-km / 50) of far places moved and the file scored otherwise than
        the model measured)."""
        data = self.to_dict()
        for key in ("mean", "scale", "coef"):
            data[key] = [round(float(v), 9) for v in data[key]]
        for tree in data["trees"]:
            tree["threshold"] = [float(v) for v in tree["threshold"]]
            tree["value"] = [round(float(v), 9) for v in tree["value"]]
        return json.dumps(data, indent=1) + "\n"


_TREE_KEYS = ("feature", "threshold", "left", "right", "value")


def _tree(raw: dict[str, Any], n_features: int, path: Path) -> tuple[np.ndarray, ...]:
    try:
        feature, left, right = (np.asarray(raw[k], dtype=np.int64) for k in ("feature", "left", "right"))
        threshold, value = (np.asarray(raw[k], dtype=float) for k in ("threshold", "value"))
    except (KeyError, TypeError, ValueError):
        raise InputError(f"{path}: a tree needs integer feature/left/right and numeric threshold/value") from None
    n = len(feature)
    inner = feature >= 0
    if (n == 0 or any(len(a) != n for a in (threshold, left, right, value)) or (feature >= n_features).any()
            or (inner & ((left <= np.arange(n)) | (right <= np.arange(n)) | (left >= n) | (right >= n))).any()):
        # Children after their parent: the walk always ends.
        raise InputError(f"{path}: malformed tree")
    return feature, threshold, left, right, value


def load_ranker(path: Path) -> Ranker:
    """Read a ranker from its JSON file.

    Raises
    ------
    InputError
        When the file is missing, not a ranker, or names other features than this code computes.
    """
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot read the ranker model {path}: {exc}") from None
    if data.get("format") != MODEL_FORMAT:
        raise InputError(f"{path} is not a {MODEL_FORMAT} model")
    features = tuple(data["features"])
    if features != FEATURE_NAMES:
        missing = sorted(set(FEATURE_NAMES) ^ set(features))
        raise InputError(f"{path} was trained on other features than geo_app computes ({missing or 'order'}); "
                         "retrain with scripts/train_ranker.py")
    arrays = [np.asarray(data[k], dtype=float) for k in ("mean", "scale", "coef")]
    if any(a.shape != (len(features),) for a in arrays) or not all(np.isfinite(a).all() for a in arrays):
        raise InputError(f"{path}: mean, scale and coef must be {len(features)} finite numbers each")
    if (arrays[1] <= 0).any():
        raise InputError(f"{path}: scale must be positive")
    trees = tuple(_tree(t, len(features), Path(path)) for t in data.get("trees") or ())
    return Ranker(features, *arrays, meta=dict(data.get("meta") or {}), trees=trees)


@lru_cache(maxsize=1)
def get_ranker() -> Ranker:
    """The committed ranker (``settings.RANKER_MODEL_PATH``), loaded once."""
    return load_ranker(settings.RANKER_MODEL_PATH)
