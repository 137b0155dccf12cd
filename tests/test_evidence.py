"""Evidence: documented figures beside the tool's own, recomputed from the bundled data."""


import geopandas as gpd
import pandas as pd

from analyses.evidence import COLUMNS, evidence_table


def _row(table: pd.DataFrame, figure: str) -> pd.Series:
    return table.set_index("Figure").loc[figure]


def test_herefordshire_population_and_rural_share_are_recomputed(herefordshire):
    table = evidence_table(herefordshire)
    assert table.columns.tolist() == COLUMNS
    people = _row(table, "People aged 65+")
    assert people["Documented"] == "46,625" and people["Tool's figure"] == "48,458"
    assert people["Year"].startswith("2018") and "Market Position Statement" in people["Source"]
    rural = _row(table, "People living in rural areas")
    assert rural["Documented"] == "53%" and rural["Tool's figure"] == "53.1%"  # 53% of people (BCF plan 2023-25)
    assert "Better Care Fund" in rural["Source"]
    assert _row(table, "Land classified as rural")["Tool's figure"] == "94.6%"
    assert _row(table, "PCN localities")["Difference"] == "none"
    # Documented figures come first; assumptions say so.
    kinds = table["Kind"].tolist()
    assert kinds == sorted(kinds, key=lambda kind: kind == "assumption")
    assert _row(table, "Average home-care fee (2019/20), rural uplifts included")["Kind"] == "assumption"


def test_hertfordshire_hours_by_district_are_set_beside_the_model(all_councils):
    table = evidence_table(all_councils["hertfordshire"])
    watford = _row(table, "Home-care hours by district (lead + spot): Watford")
    assert watford["Documented"] == "2,845 hours/week" and watford["Tool's figure"] == "2,845"
    shared = _row(table, "Home-care hours by district (lead + spot): East and North Herts")
    assert shared["Tool's figure"] == "—" and "shared over" in shared["How the tool gets it"]


def test_homes_and_beds_are_counted_from_a_loaded_file(rutland):
    homes = gpd.GeoDataFrame({"in_council": [True, True, False], "beds": [30.0, 20.0, 50.0],
                              "nursing": [True, False, True]}, geometry=gpd.points_from_xy([0, 0, 0], [0, 0, 0]),
                             crs=27700)
    import dataclasses

    from geo.figures import Document, Figure

    # Rutland documents no beds: give it two figures from a test document to check against.
    document = Document("test", "A test document", 2020)
    figures = {**rutland.council.figures,
               "care_home_beds": Figure("care_home_beds", "Care-home beds", 40, "beds", "2020", document, "page 1"),
               "nursing_beds": Figure("nursing_beds", "Nursing-home beds", 30, "beds", "2020", document, "page 1")}
    data = dataclasses.replace(rutland, council=dataclasses.replace(rutland.council, figures=figures))
    table = evidence_table(data, homes=homes, homes_source="homes.csv")
    beds = _row(table, "Care-home beds")
    assert beds["Tool's figure"] == "50" and beds["Difference"] == "10 more (+25.0%)" and "homes.csv" in beds[
        "How the tool gets it"]
    assert _row(table, "Nursing-home beds")["Tool's figure"] == "30"


def test_command_line_writes_the_evidence(tmp_path):
    from caremap import cli

    out = tmp_path / "evidence.csv"
    assert cli.main(["evidence", "--council", "herefordshire", "--out", str(out)]) == 0
    table = pd.read_csv(out, comment="#")
    assert "48,458" in table["Tool's figure"].tolist()


def test_homes_without_a_nursing_column_are_counted_without_the_split(rutland, rutland_care_homes):
    homes = rutland_care_homes.homes.drop(columns="nursing")  # a list that says nothing of nursing
    table = evidence_table(rutland, homes=homes, homes_source="homes.csv")
    assert len(table) == len(rutland.council.figures)


def test_evidence_counts_the_shipped_homes_without_any_file(herefordshire):
    table = evidence_table(herefordshire)
    homes, beds = _row(table, "Care homes in the county"), _row(table, "Care-home beds in the county")
    assert homes["Tool's figure"] == "88" and homes["Difference"] == "1 more (+1.1%)"
    assert beds["Tool's figure"] == "2,150" and "CQC care directory, 1 March 2021 shipped with the tool" in beds[
        "How the tool gets it"]
