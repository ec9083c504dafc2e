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


def test_feature_records_hold_the_table_values() -> None:
    from geo_app.batch.distributed import _jsonable
    from geo_app.features import feature_records

    analyses = [analyze(t, "2022-03-05", report_id=f"r{i}") for i, t in enumerate(TEXTS)]
    table, owners = features_table(analyses)
    records, record_owners = feature_records(analyses)
    assert record_owners == owners and len(records) == len(table) > 0
    columns = [c for c in table.columns if c != table.geometry.name]
    for (geom, props), (_, row) in zip(records, table.iterrows()):
        assert list(props) == columns
        assert _jsonable(props) == _jsonable({c: row[c] for c in columns})
        assert geom.equals(row.geometry)


def test_plain_values_are_typed_as_the_table_types_them() -> None:
    import geopandas as gpd

    from geo_app.batch.distributed import _jsonable
    from geo_app.features import COLUMNS, _plain_float, _plain_int, _plain_text, typed

    for value in (None, 3, 2.5, float("nan"), float("inf"), "4.5", "x", True):
        frame = typed(gpd.GeoDataFrame({c: [value if c == "confidence" else None] for c in COLUMNS},
                                       geometry=[None], crs="EPSG:4326"))
        assert _jsonable(frame["confidence"].iloc[0]) == _plain_float(value), value
    for value in (None, 3, 3.0, "12", float("nan")):
        frame = typed(gpd.GeoDataFrame({c: [value if c == "geonameid" else None] for c in COLUMNS},
                                       geometry=[None], crs="EPSG:4326"))
        assert _jsonable(frame["geonameid"].iloc[0]) == _plain_int(value), value
    assert _plain_text(float("nan")) is None and _plain_text("Minsk") == "Minsk"
