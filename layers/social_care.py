"""England's 153 social-care councils, from the national pack's lookup: which council a name means, and why a name
is not one (a Welsh or Scottish council, a district of a two-tier county, a county abolished since 2021).

:func:`council_by_name` is the library's way to load a council: one with settings, or a refusal that says how to
set it up from the pack (:mod:`layers.setup`).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

import pandas as pd

from geo.council import Council, list_councils, load_council, simple_name
from geo.errors import CareMapError, UnknownCouncilError
from layers.national import read_pack_table

KINDS = {"E06": "unitary authority", "E08": "metropolitan borough", "E09": "London borough", "E10": "county council"}
"""The kinds of English council that commission adult social care, by the first three letters of their GSS code."""

FORMER_COUNCILS = {
    "Cumbria": ("E10000006", ("Cumberland", "Westmorland and Furness"), "April 2023"),
    "Northamptonshire": ("E10000021", ("North Northamptonshire", "West Northamptonshire"), "April 2021"),
}
"""County councils abolished since 2021 whose name no council now has: name -> (code, successors, when)."""

WALES = ("Blaenau Gwent", "Bridgend", "Caerphilly", "Cardiff", "Carmarthenshire", "Ceredigion", "Conwy",
         "Denbighshire", "Flintshire", "Gwynedd", "Isle of Anglesey", "Merthyr Tydfil", "Monmouthshire",
         "Neath Port Talbot", "Newport", "Pembrokeshire", "Powys", "Rhondda Cynon Taf", "Swansea", "Torfaen",
         "Vale of Glamorgan", "Wrexham", "Wales", "Cymru")
"""Wales's 22 principal councils (and the country's names)."""

SCOTLAND = ("Aberdeen City", "Aberdeenshire", "Angus", "Argyll and Bute", "City of Edinburgh", "Edinburgh",
            "Clackmannanshire", "Dumfries and Galloway", "Dundee City", "East Ayrshire", "East Dunbartonshire",
            "East Lothian", "East Renfrewshire", "Falkirk", "Fife", "Glasgow City", "Glasgow", "Highland", "Inverclyde",
            "Midlothian", "Moray", "Na h-Eileanan Siar", "North Ayrshire", "North Lanarkshire", "Orkney Islands",
            "Perth and Kinross", "Renfrewshire", "Scottish Borders", "Shetland Islands", "South Ayrshire",
            "South Lanarkshire", "Stirling", "West Dunbartonshire", "West Lothian", "Scotland")
"""Scotland's 32 council areas (and common short forms)."""

NORTHERN_IRELAND = ("Northern Ireland", "Belfast", "Derry and Strabane", "Armagh City, Banbridge and Craigavon",
                    "Antrim and Newtownabbey", "Ards and North Down", "Causeway Coast and Glens",
                    "Fermanagh and Omagh", "Lisburn and Castlereagh", "Mid and East Antrim", "Mid Ulster",
                    "Newry, Mourne and Down")


@dataclass(frozen=True)
class SocialCareCouncil:
    """One of England's 153 councils with adult social-care duties (ONS county and unitary authorities, 2024).

    Attributes
    ----------
    code : str
        GSS code (``E06000019``).
    name : str
        Its name as ONS writes it (``Herefordshire, County of``).
    lad_codes, lad_names : tuple of str
        Its districts (May 2024): one for a unitary, metropolitan or London borough, several for a county.
    """

    code: str
    name: str
    lad_codes: tuple[str, ...]
    lad_names: tuple[str, ...]

    @property
    def kind(self) -> str:
        return KINDS[self.code[:3]]

    @property
    def two_tier(self) -> bool:
        """A county council of districts: the districts are an area level of its own."""
        return self.code.startswith("E10")

    @property
    def short_name(self) -> str:
        """The name people use: ONS's ``"Bristol, City of"`` is Bristol, ``"Herefordshire, County of"``
        Herefordshire."""
        return re.sub(r",\s*(City|County) of$", "", self.name).strip()

    @property
    def slug(self) -> str:
        """Folder and command-line name: the short name in lower case, words joined by hyphens."""
        return re.sub(r"[^a-z0-9]+", "-", self.short_name.lower()).strip("-")


def social_care_councils(lookup: pd.DataFrame | None = None) -> list[SocialCareCouncil]:
    """England's 153 social-care councils with their districts, by name.

    Parameters
    ----------
    lookup : DataFrame, optional
        The ``lookup_lad24_ctyua24`` table (read from the pack when not given).
    """
    lookup = read_pack_table("lookup_lad24_ctyua24") if lookup is None else lookup
    councils = []
    for (code, name), rows in lookup.sort_values("LAD24CD").groupby(["CTYUA24CD", "CTYUA24NM"], sort=False):
        if str(code)[:3] not in KINDS:
            continue
        councils.append(SocialCareCouncil(str(code), str(name), tuple(rows["LAD24CD"].astype(str)),
                                          tuple(rows["LAD24NM"].astype(str))))
    return sorted(councils, key=lambda council: council.short_name)


def _refusal(wanted: str, lookup: pd.DataFrame, councils: list[SocialCareCouncil]) -> str | None:
    """Why ``wanted`` names no council that can be set up, when it names something else we know of."""
    if wanted[:1] in ("w", "s", "n") and re.fullmatch(r"[wsn]\d{8}", wanted):
        country = {"w": "Wales", "s": "Scotland", "n": "Northern Ireland"}[wanted[0]]
        return (f"{wanted.upper()} is a code in {country}. Social care there is run under {country}'s own laws and "
                f"the national data shipped with the tool cover England only.")
    for country, names in (("Wales", WALES), ("Scotland", SCOTLAND), ("Northern Ireland", NORTHERN_IRELAND)):
        for name in names:
            if wanted == simple_name(name):
                return (f"{name} is in {country}, whose social care is devolved (run under {country}'s own laws) "
                        f"and whose GP, postcode and care-home data are not in the national data shipped with the "
                        f"tool, which covers England only.")
    districts = lookup[lookup["LAD24CD"].astype(str).str.startswith("E07")]
    for row in districts.itertuples():
        if wanted in (simple_name(row.LAD24CD), simple_name(row.LAD24NM)):
            return (f"{row.LAD24NM} ({row.LAD24CD}) is a district council: in a two-tier area the county commissions "
                    f"adult social care, so set up {row.CTYUA24NM} ({row.CTYUA24CD}), of which {row.LAD24NM} is a "
                    f"district: python -m caremap setup --council \"{row.CTYUA24NM}\".")
    for name, (code, successors, when) in FORMER_COUNCILS.items():
        if wanted in (simple_name(name), simple_name(code)):
            return (f"{name} County Council was replaced in {when} by {' and '.join(successors)}: set up either of "
                    f"them.")
    return None


def find_social_care_council(name: str, councils: list[SocialCareCouncil] | None = None,
                             lookup: pd.DataFrame | None = None) -> SocialCareCouncil:
    """The social-care council ``name`` means: its ONS name, its short name or its GSS code, case and punctuation
    forgiven (``"herefordshire"``, ``"Herefordshire, County of"``, ``"E06000019"``).

    Raises
    ------
    UnknownCouncilError
        For a Welsh, Scottish or Northern Irish council, a district council (naming its county), a council
        abolished since 2021 (naming its successors), or an unknown name (listing the closest names).
    """
    lookup = read_pack_table("lookup_lad24_ctyua24") if lookup is None else lookup
    councils = social_care_councils(lookup) if councils is None else councils
    wanted = simple_name(name)
    for council in councils:
        if wanted and wanted in (simple_name(council.code), simple_name(council.name), simple_name(council.slug)):
            return council
    refusal = _refusal(wanted, lookup, councils) if wanted else None
    if refusal:
        raise UnknownCouncilError(refusal)
    names = [council.short_name for council in councils]
    close = difflib.get_close_matches(str(name).strip(), names, n=5, cutoff=0.5)
    if not close:
        by_simple = {simple_name(item): item for item in names}
        close = [by_simple[key] for key in difflib.get_close_matches(wanted, list(by_simple), n=5, cutoff=0.5)]
    hint = f" Closest names: {', '.join(close)}." if close else ""
    raise UnknownCouncilError(f"{name!r} is not one of England's 153 social-care councils.{hint} List them all with: "
                              f"python -m caremap councils --available.")


def council_by_name(name: str) -> Council:
    """A council with settings (:func:`geo.council.load_council`), or a refusal that says, from the national data,
    which of the 153 it would be and how to set it up, why it cannot be (Wales, a district…), or the closest names.

    Raises
    ------
    UnknownCouncilError
        If no council of that name has settings.
    """
    try:
        return load_council(name)
    except UnknownCouncilError:
        known = ", ".join(council.slug for council in list_councils())
        try:
            target = find_social_care_council(name)
        except CareMapError as error:  # a refusal, an unknown name, or a damaged national pack: each says why
            why = str(error)
        else:
            why = (f"{target.name} is not set up yet. Set it up from the national data shipped with the tool "
                   f"(offline, seconds): python -m caremap setup --council {target.slug}")
        raise UnknownCouncilError(f"Unknown council {name!r}. Known councils: {known}. {why}") from None
