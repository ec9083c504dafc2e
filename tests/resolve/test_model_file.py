"""The ranker's model file scores as the model the training script measured (issue 13)."""

from __future__ import annotations

import numpy as np

from geo_app.resolve.features import FEATURE_NAMES
from geo_app.resolve.ranker import Ranker, get_ranker, load_ranker


def test_a_split_on_a_tiny_value_survives_the_model_file(tmp_path):
    # One tree splitting "near" (exp(-km / 50): 1e-9 is a place ~1,000 km away) at 3e-8.
    n = len(FEATURE_NAMES)
    col = FEATURE_NAMES.index("near")
    tree = (np.array([col, -1, -1]), np.array([3e-8, 0.0, 0.0]), np.array([1, -1, -1]),
            np.array([2, -1, -1]), np.array([0.0, -1.0, 1.0]))
    model = Ranker(FEATURE_NAMES, np.zeros(n), np.ones(n), np.zeros(n), {}, (tree,))
    X = np.zeros((3, n))
    X[:, col] = [1e-9, 5e-8, 0.5]
    path = tmp_path / "model.json"
    path.write_text(model.to_json(), encoding="utf-8")
    written = load_ranker(path)
    assert list(written.scores(X)) == list(model.scores(X)) == [-1.0, 1.0, 1.0]


def test_the_committed_model_records_end_to_end_figures_cross_validated():
    meta = get_ranker().meta
    for corpus in ("LGL", "GeoWebNews"):
        in_sample, cv = meta["acc161_pipeline_spans_in_sample"][corpus], meta["acc161_pipeline_spans_cv"][corpus]
        assert 0.5 < cv <= 1 and abs(in_sample - cv) < 0.03
    assert "pipeline" in meta["trained_on_spans"]
