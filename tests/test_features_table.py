"""One feature table per chunk (the store's analyze path) gives each report the features it gets alone."""

from __future__ import annotations

from geo_app.batch.distributed import _features_many
from geo_app.features import features_gdf, features_table
from geo_app.pipeline import analyze

TEXTS = (
    "Units moved from southern Belarus to Minsk, about 100 km from the Ukrainian border, on 3 March.",
    "No place is named here.",
    "Warships gathered in the Black Sea off Sevastopol. Kyiv lies 90 km from the border of Belarus.",
)


def test_features_table_owners_split_back_to_each_analysis() -> None:
    analyses = [analyze(t, "2022-03-05", report_id=f"r{i}") for i, t in enumerate(TEXTS)]
    table, owners = features_table(analyses)
    assert len(owners) == len(table)
    for k, analysis in enumerate(analyses):
        alone = features_gdf([analysis])
        mine = table[[o == k for o in owners]]
        assert list(mine["feature_id"]) == list(alone["feature_id"])
    assert owners.count(1) == 0  # the report without places has no features
    assert owners.count(0) > 0 and owners.count(2) > 0


def test_chunk_features_equal_one_by_one() -> None:
    analyses = [analyze(t, "2022-03-05", report_id=f"r{i}") for i, t in enumerate(TEXTS)]
    assert _features_many(analyses) == [_features_many([a])[0] for a in analyses]
