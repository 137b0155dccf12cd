import pytest

from geo.council import default_council, list_councils, load_council
from geo.errors import UnknownCouncilError


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


def test_overrides_return_a_new_council_and_leave_the_original():
    council = load_council("herefordshire")
    wider = council.with_overrides(fee_zone_radius_miles=6)
    assert wider.fee_zone_radius_miles == 6 and council.fee_zone_radius_miles == 4
    with pytest.raises(TypeError):
        council.with_overrides(radius=6)
