"""Nothing the tool does leaves process-wide state changed behind it: the csv module's field limit, OSMnx's settings
(tests/test_road_builder.py), the tool's own settings, matplotlib's backend (tests/test_package.py)."""

from __future__ import annotations

import csv

from analyses import uploads


def test_a_csv_with_a_long_cell_is_read_and_the_field_limit_put_back(rutland):
    before = csv.field_size_limit()
    name = "x" * (before + 100_000)  # longer than the csv module reads by default
    content = f"client_id,postcode,hours_per_week,name\nA1,LE15 6DT,7,{name}\nA2,LE15 9EL,5,Bea\n".encode()
    table = uploads.fee_zone_clients(content, "long.csv", rutland)
    assert table.clients["client_id"].tolist() == ["A1", "A2"] and len(table.clients["name"].iloc[0]) == len(name)
    assert csv.field_size_limit() == before
