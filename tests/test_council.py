import pytest

from geo.council import default_council, list_councils, load_council
from geo.errors import UnknownCouncilError
from geo.figures import without_line_pointers


def test_herefordshire_is_the_default_with_its_documented_rule():
    council = default_council()
    assert council.slug == "herefordshire"
    assert council.fee_zone_centres == ("Hereford", "Leominster", "Ross-on-Wye", "Ledbury", "Bromyard", "Kington")
    assert council.fee_zone_radius_miles == 4
    assert council.rural_uplift_pct == 20
    assert council.viability_hours_per_week == 300
    assert not council.is_assumption("rural_uplift_pct")


def test_four_councils_ship_and_rutland_has_real_roads():
    assert [c.slug for c in list_councils()] == ["herefordshire", "hertfordshire", "rutland", "worcestershire"]
    rutland = load_council("Rutland")
    assert rutland.fee_zone_centres == ("Oakham", "Uppingham")
    assert rutland.osm_extract == "osm/rutland-latest.osm.pbf"
    assert rutland.is_assumption("rural_uplift_pct")


def test_unknown_council_lists_the_known_ones():
    with pytest.raises(UnknownCouncilError, match="Known councils: herefordshire, hertfordshire, rutland, worcestershire"):
        load_council("Shropshire")


def _numbers(value) -> list[float]:
    """Every number in a figure's value (a number, a series by year, or a table by name)."""
    if isinstance(value, dict):
        return [number for item in value.values() for number in _numbers(item)]
    return [float(value)] if isinstance(value, (int, float)) and not isinstance(value, bool) else []


def test_every_figure_names_its_document_and_place_or_says_why_it_is_assumed():
    for council in list_councils():
        for figure in council.figures.values():
            if figure.is_assumption:
                assert figure.assumption and figure.source.startswith("assumption: "), (council.slug, figure.key)
            else:
                assert figure.document.title and figure.where and figure.year, (council.slug, figure.key)
                assert figure.document.title in figure.source and without_line_pointers(figure.where) in figure.source
            # Pointers into the team's plain-text copies of the documents stay in the settings file, not the text.
            assert "seed" not in figure.source, (council.slug, figure.key, figure.source)


def test_no_code_holds_a_council_figure_as_a_literal():
    # Distinctive figures (decimals, or several significant digits above 100) appear only in councils/*.toml (the
    # councils' and the national figures: the National Living Wage by year).
    import ast
    from pathlib import Path

    def distinctive(number: float) -> bool:
        if number != int(number):
            return number != 1.0
        digits = str(int(number)).rstrip("0")
        return number > 100 and len(digits) >= 2

    from geo.council import national_figures

    figures = {number for council in list_councils() for figure in council.figures.values()
               for number in _numbers(figure.value) if distinctive(number)}
    # National pay rates to the penny (£10.42; not £9.50, which is also a font's leading in the report).
    figures |= {number for figure in national_figures().values() for number in _numbers(figure.value)
                if round(number * 10) != number * 10}
    root = Path(__file__).resolve().parent.parent
    found = []
    for folder in ("geo", "layers", "routing", "analyses", "ui", "app_pages", "caremap"):
        for path in (root / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.Constant) and type(node.value) in (int, float) and float(node.value) in figures:
                    found.append(f"{path.relative_to(root)}:{node.lineno} {node.value}")
    assert found == []


def test_herefordshire_figures_from_its_documents():
    council = load_council("herefordshire")
    assert council.home_care_providers == 33 and council.value("framework_providers") == 11
    assert council.value("fee_rise_pct") == 8.7 and "Better Care Fund" in council.source("fee_rise_pct")
    assert council.series("bed_demand_65plus", 2028)[0] == 2000 and council.series("bed_demand_65plus", 2033)[0] == 2325
    assert council.value("nursing_share") == 40 and council.value("dementia_in_care_homes") == {"2016": 1200,
                                                                                                "2036": 2300}


def test_growth_is_each_councils_own():
    herefordshire, hertfordshire = load_council("herefordshire"), load_council("hertfordshire")
    assert herefordshire.home_care_growth(2028)[0] == pytest.approx(1.29)
    # Hertfordshire's 85+ grow 29,000 -> 42,000 (2015-2025): not Herefordshire's factor.
    factor, source = hertfordshire.home_care_growth(2025)
    assert factor == pytest.approx(42 / 29) and "Hertfordshire Older People Market Position Statement" in source
    assert "same rate beyond the documented years" in hertfordshire.home_care_growth(2030)[1]


def test_a_settings_file_without_sources_is_refused(tmp_path):
    from geo.council import council_from_toml
    from geo.errors import DataFileError

    with pytest.raises(DataFileError, match="neither a source document"):
        council_from_toml({"slug": "x", "name": "X", "lad_codes": [], "figures": {"rural_uplift_pct": {"value": 20}}},
                          tmp_path / "x.toml")
    with pytest.raises(DataFileError, match="lacks the figure"):
        council_from_toml({"slug": "x", "name": "X", "lad_codes": []}, tmp_path / "x.toml")
