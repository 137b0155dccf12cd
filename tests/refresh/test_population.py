"""Nomis population adapter: short and empty pages, parameters Nomis does not know (an empty 200), the district
check, and Rutland's pack rows reproduced."""

from __future__ import annotations

import pandas as pd
import pytest

from layers.refresh.errors import PublisherError, SourceCheckFailed
from layers.refresh.sources.population import MID2020_LSOA11, NomisQuery, PopulationSource
from tests.refresh.publishers import RUTLAND, pack_csv
from tests.refresh.standin import Reply

NOMIS_PATH = "/nomis/api/v01/dataset/NM_2010_1.data.csv"


@pytest.fixture
def with_lookup(context):
    context.made["lookup_lsoa11_lsoa21_ltla22"] = pack_csv("lookup_lsoa11_lsoa21_ltla22")
    return context


def test_pages_of_at_most_n_rows_end_at_nomiss_own_count_and_reproduce_the_pack(publishers, with_lookup):
    publishers.nomis.page_rows = 500  # 23 LSOAs x 92 ages = 2,116 rows: four full pages and a short one
    source = PopulationSource(MID2020_LSOA11)
    release = source.download(with_lookup)
    assert [e["counts"]["rows"] for e in release.manifest["files"] if e["role"] == "lsoa"] == [500] * 4 + [116]
    assert [int(request.query["RecordOffset"]) for request in publishers.server.requests_to(NOMIS_PATH)][:5] == \
        [0, 500, 1000, 1500, 2000]
    converted = source.convert(release, with_lookup)
    table = converted.tables["population_mid2020_lsoa11"]
    expected = pack_csv("population_mid2020_lsoa11_syoa")
    pd.testing.assert_frame_equal(table.astype(str), expected, check_dtype=False)
    assert converted.vintages["population_mid2020_lsoa11"] == \
        "ONS small-area population estimates, mid-2020 (NM_2010_1, Nomis)"
    assert converted.notes == ["District totals checked: 1 districts within 5% (largest gap 0.00%)."]


def test_an_empty_page_ends_the_paging_when_nomis_does_not_count(publishers, with_lookup):
    publishers.nomis.page_rows = 1000
    release = PopulationSource(MID2020_LSOA11).download(with_lookup)
    # with the count, the third (short) page is the last; asking once more would get an empty page
    assert len(release.paths("lsoa")) == 3
    publishers.server.script(NOMIS_PATH, [None, Reply(200, b"", {"Content-Type": "text/csv"})])
    with pytest.raises(SourceCheckFailed, match="1,000 rows arrived, but 2,116 expected"):
        PopulationSource(MID2020_LSOA11).download(with_lookup)


def test_parameters_nomis_does_not_know_give_an_empty_200_which_is_an_error(publishers, with_lookup):
    query = NomisQuery("NM_2010_1", "TYPE999", "TYPE433", "2020", 2011)
    with pytest.raises(PublisherError, match="Nomis returned no rows for NM_2010_1 LSOA populations.*TYPE999"):
        PopulationSource(query).download(with_lookup)


def test_lsoas_far_from_their_district_total_are_refused(publishers, with_lookup):
    publishers.nomis.district_totals = {RUTLAND: 44_000}
    source = PopulationSource(MID2020_LSOA11)
    with pytest.raises(SourceCheckFailed, match=r"more than 5% away from the published total: E06000017 "
                                                r"\(40,476 against 44,000\)"):
        source.convert(source.download(with_lookup), with_lookup)


def test_a_missing_lsoa_is_caught_against_the_lookup(publishers, with_lookup):
    publishers.nomis.lsoa_rows = publishers.nomis.lsoa_rows[92:]
    source = PopulationSource(MID2020_LSOA11)
    with pytest.raises(SourceCheckFailed, match="22 LSOAs with a population against the lookup's LSOAs, but 23"):
        source.convert(source.download(with_lookup), with_lookup)
