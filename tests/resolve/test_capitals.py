"""Only a country's capital is coded a capital (PPLC), not the towns named like it (issue 13)."""

from __future__ import annotations

import sqlite3

from geo_app.places.gazetteer import get_gazetteer


def test_only_washington_dc_is_coded_a_capital():
    capitals = [nm.place for nm in get_gazetteer().lookup("Washington", weak=True) if nm.place.feature_code == "PPLC"]
    assert [(p.country_code, p.admin1_code) for p in capitals] == [("US", "DC")]


def test_a_country_has_one_capital_coded_town_per_name():
    gaz = get_gazetteer()
    with sqlite3.connect(gaz.path) as con:
        rows = con.execute("SELECT country_code, name, COUNT(*) FROM places WHERE feature_code = 'PPLC' "
                           "GROUP BY country_code, name HAVING COUNT(*) > 1").fetchall()
    assert rows == []
