"""Set up any English social-care council from the national pack: its layers and a settings file of labelled figures.

A council set up here lives in the user's folder (``settings.setup_councils_folder`` for its settings,
``settings.setup_data_folder`` for its layers), never inside the project, and is then found by every command, the
public API and the app by name, slug or GSS code (:func:`geo.council.load_council`).

No council document is held for such a council, so every figure of its settings file is a labelled national
default or assumption:

- the fee rule (four miles, 20% uplift) and the 300-hour viability threshold are **Herefordshire's**, named as such
  and offered as what-ifs;
- home-care hours, clients and providers scale Herefordshire's per resident aged 65+ to the council's own people;
- bed need applies a cited national rate (:data:`CARE_HOME_RATE_65PLUS`) to the council's own people aged 65+ and
  grows with the ONS 2016-based projections of its districts, as home-care demand grows with its people aged 85+;
- fee-zone centres are the council's city and towns in OS Open Names (:data:`layers.cut.CENTRE_KINDS` says what a
  London borough, which has none, gets).

The four bundled councils are already available with their documents' figures: they are never overwritten.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable

import numpy as np

from geo.council import Council, list_councils, load_council, read_council_file
from geo.errors import InputDataError
from geo.files import replaced_whole
from geo.settings import settings
from layers.catalog import DATASETS
from layers.cut import CutSummary, NationalPack, cut_council
from layers.social_care import SocialCareCouncil, find_social_care_council

if TYPE_CHECKING:
    from layers.refresh import RefreshReport

Progress = Callable[[float, str], None]

ONS_CARE_HOMES_2021 = ("ONS, 'Older people living in care homes in 2021 and changes since 2011' (Census 2021, "
                       "England and Wales, 9 October 2023)")
CARE_HOME_RATE_65PLUS = 2.5
"""Percent of people aged 65+ living in a care home at Census 2021 (:data:`ONS_CARE_HOMES_2021`: 278,946 people)."""
CARE_HOME_RESIDENTS_65PLUS_PCT = 82.1
"""Percent of all care-home residents who were aged 65+ at Census 2021 (same source)."""
NURSING_SHARE_PCT = 49.4
"""Percent of care-home residents aged 65+ living in homes with nursing at Census 2021 (same source)."""
HEREFORDSHIRE_65PLUS = 48_458
"""Herefordshire's people aged 65+ (ONS mid-2020): the denominator of the rates scaled from its documents."""
PROJECTION_POINTS = (2018, 2020, 2023, 2025, 2028, 2030, 2033, 2035, 2038, 2041)
"""Years of the ONS projections written into a set-up council's settings (interpolated between)."""

DERIVED_VINTAGES = {
    "msoa21": "MSOA 2021 areas dissolved from their LSOAs by name (no ONS MSOA boundary or code is held: the name is "
              "the code)",
    "wards22": "wards of May 2024 dissolved from the LSOAs the ONS lookup best-fits to them (not ONS ward boundaries)",
    "hospitals": "none: no national hospital list is held",
}


@dataclass
class SetupResult:
    """One council set up (or found bundled): its settings, what was cut and how long it took."""

    council: Council
    status: str
    seconds: float = 0.0
    summary: CutSummary | None = None

    def describe(self) -> str:
        """A few lines for the command line: what was written and what was left out."""
        if self.summary is None:
            return f"{self.council.name}: {self.status}."
        counts = self.summary.counts
        lines = [f"{self.council.name} ({self.council.gss_code}, {self.summary.council.kind}): {self.status} in "
                 f"{self.seconds:.1f} s, as '{self.council.slug}'.",
                 f"  {counts['lsoa']:,} LSOAs, {counts['postcodes']:,} postcodes, {counts['practices']:,} GP practices "
                 f"in {counts['pcns']:,} PCNs, {counts['border_practices']:,} more within 15 km, {counts['care_homes']:,} "
                 f"care homes ({counts['care_home_beds']:,} beds) and {counts['care_homes_beyond']:,} within 15 km "
                 f"beyond.",
                 f"  Fee-zone centres ({self.summary.centre_kind or 'none'}): "
                 f"{', '.join(self.summary.centres[:12]) or 'none'}{' …' if len(self.summary.centres) > 12 else ''}."]
        lines += [f"  Note: {note}" for note in self.summary.notes]
        lines.append("  Data and their dates:")
        lines += [f"    {key}: {text}" for key, text in self.council.vintages.items()]
        lines.append(f"  Settings: {self.council.settings_file}")
        return "\n".join(lines)


def bundled_council(target: SocialCareCouncil) -> Council | None:
    """The bundled council (with its documents' figures) that ``target`` is, if any."""
    for council in list_councils():
        if council.bundled and (council.gss_code == target.code or council.slug == target.slug):
            return council
    return None


def _toml_value(value) -> str:
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{key} = {_toml_value(item)}" for key, item in value.items()) + " }"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(item) for item in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, np.integer, np.floating)):
        return repr(round(float(value), 4)) if isinstance(value, (float, np.floating)) else str(int(value))
    return json.dumps(str(value), ensure_ascii=False)


def _figure(key: str, label: str, value, unit: str, assumption: str, **extra) -> str:
    lines = [f"[figures.{key}]", f"label = {_toml_value(label)}", f"value = {_toml_value(value)}",
             f"unit = {_toml_value(unit)}"]
    lines += [f"{name} = {_toml_value(item)}" for name, item in extra.items()]
    lines.append(f"assumption = {_toml_value(assumption)}")
    return "\n".join(lines)


def _projection(summary: CutSummary, lowest_age: int) -> dict[int, int]:
    """People aged ``lowest_age`` and over projected at :data:`PROJECTION_POINTS` and the population's own year,
    wherever the projection's round covers them."""
    table = summary.projection
    if table is None or table.empty:
        return {}
    ages = table[table.index >= lowest_age]
    years = sorted({*PROJECTION_POINTS, summary.population_year} & {int(column) for column in ages.columns})
    return {year: int(round(float(ages[str(year)].sum()))) for year in years}


def _whole(value: float) -> int:
    return max(1, int(round(value)))


def settings_text(summary: CutSummary, reference: Council, national_beds_per_home: float,
                  vintages: dict[str, str]) -> str:
    """The settings file of a council set up from the national pack (see the module's docstring).

    Parameters
    ----------
    summary : CutSummary
        What :func:`layers.cut.cut_council` wrote for it.
    reference : Council
        Herefordshire, whose documented figures are offered as what-ifs.
    national_beds_per_home : float
        Mean beds per CQC care home in England.
    vintages : mapping
        Layer key -> date of its data (with ``projections``: the projections' round).
    """
    target = summary.council
    name = target.short_name
    people65, year = summary.population["65plus"], summary.population_year
    estimates = f"ONS mid-{year}"
    reference65 = HEREFORDSHIRE_65PLUS
    per65 = people65 / reference65
    held = f"no {name} document held"
    hereford = "Herefordshire Market Position Statement 2020-25"
    centres = {"city and town": f"the places OS Open Names calls a city or town in {name}",
               "suburban area": f"{name}'s suburban areas (OS Open Names has no city or town in a London borough, so "
                                f"the whole borough lies within the zone and no postcode earns the rural uplift)",
               "village": f"{name}'s villages (OS Open Names has no city, town or suburb here)"}.get(
        summary.centre_kind, "no settlement: choose centres on the Fee zones page")
    need65 = CARE_HOME_RATE_65PLUS / 100 * people65
    under65 = need65 * (100 - CARE_HOME_RESIDENTS_65PLUS_PCT) / CARE_HOME_RESIDENTS_65PLUS_PCT
    districts = ", ".join(target.lad_names)
    projection_source = (f"national data, not a council document: {vintages.get('projections', 'ONS projections')} "
                         f"for {districts} (districts on their May 2024 codes)")
    reference_value = reference.value
    # Herefordshire's base fee net of its uplift; its uplift-inclusive average only where its settings lack that figure
    # (an older copy of them), said so.
    fee_key, fee_words = (("base_fee_net_per_hour", "base fee net of its rural uplift")
                          if "base_fee_net_per_hour" in reference.figures else
                          ("base_fee_per_hour", "average fee, rural uplifts included (its settings give no base net "
                                                "of the uplift)"))
    blocks = [
        f"# {target.name} ({target.code}, {target.kind}): set up from the national data shipped with the tool.\n"
        f"# No council document is held: every figure below is a labelled national default or assumption.\n"
        f"slug = {_toml_value(target.slug)}\nname = {_toml_value(target.name)}\ngss_code = {_toml_value(target.code)}\n"
        f"lad_codes = {_toml_value(list(target.lad_codes))}\ntwo_tier = {_toml_value(target.two_tier)}\n"
        f"set_up_from = \"national pack\"",
        f"[fee_zones]\ncentres = {_toml_value(list(summary.centres))}",
        "[vintages]\n" + "\n".join(f"{key} = {_toml_value(text)}" for key, text in vintages.items()),
        _figure("fee_zone_radius_miles", "Rural fee zone radius", reference_value("fee_zone_radius_miles"), "miles",
                f"{held}: Herefordshire's four-mile rule ({hereford}), offered as a what-if, measured from {centres}"),
        _figure("rural_uplift_pct", "Rural fee uplift", reference_value("rural_uplift_pct"), "%",
                f"{held}: Herefordshire's 20% rural uplift ({hereford}), offered as a what-if"),
        _figure("viability_hours_per_week", "Provider viability threshold", reference_value("viability_hours_per_week"),
                "hours/week", f"{held}: the threshold the {hereford} calls commonly accepted"),
        _figure("weekly_home_care_hours", "Home-care hours commissioned",
                _whole(reference_value("weekly_home_care_hours") * per65), "hours/week",
                f"{held}: Herefordshire's hours per resident aged 65+ ({reference_value('weekly_home_care_hours'):,} / "
                f"{reference65:,} aged 65+ in mid-2020) × {name}'s {people65:,} aged 65+ ({estimates})"),
        _figure("home_care_clients", "Home-care clients", _whole(reference_value("home_care_clients") * per65), "people",
                f"{held}: Herefordshire's customers per resident aged 65+ ({reference_value('home_care_clients'):,} / "
                f"{reference65:,}) × {name}'s {people65:,} aged 65+"),
        _figure("home_care_providers", "Home-care providers", _whole(reference_value("home_care_providers") * per65),
                "providers", f"{held}: Herefordshire's approved providers per resident aged 65+ "
                             f"({reference_value('home_care_providers')} / {reference65:,}) × {name}'s {people65:,}; "
                             f"set your own"),
        _figure("base_fee_per_hour", "Base home-care fee", reference_value(fee_key), "£/hour",
                f"{held}: Herefordshire's {fee_words} as a placeholder ({reference.source(fee_key)}); set {name}'s "
                f"own rate", year=reference.figure(fee_key).year),
    ]
    projected65, projected85 = _projection(summary, 65), _projection(summary, 85)
    if projected65:
        blocks += [
            _figure("population_65plus", "People aged 65+ (projected)", projected65, "people",
                    f"{projection_source}, persons aged 65+", year=f"{min(projected65)}-{max(projected65)}"),
            _figure("population_85plus", "People aged 85+ (projected)", projected85, "people",
                    f"{projection_source}, persons aged 85+; home-care demand is taken to grow with them",
                    year=f"{min(projected85)}-{max(projected85)}"),
        ]
    grows = {"grows_with": "population_65plus"} if projected65 else {}
    blocks += [
        _figure("bed_demand_65plus", "Care-home bed need, aged 65+", {year: _whole(need65)}, "beds",
                f"national rate: {CARE_HOME_RATE_65PLUS}% of people aged 65+ lived in a care home at Census 2021 "
                f"({ONS_CARE_HOMES_2021}) × {name}'s {people65:,} aged 65+ ({estimates})"
                + (", grown with its projected people aged 65+" if projected65 else "; no projection, so no growth"),
                year=str(year), **grows),
        _figure("bed_demand_under65", "Care-home bed need, aged under 65", _whole(under65), "beds",
                f"national share: {100 - CARE_HOME_RESIDENTS_65PLUS_PCT:.1f}% of care-home residents were under 65 at "
                f"Census 2021 ({ONS_CARE_HOMES_2021}: {CARE_HOME_RESIDENTS_65PLUS_PCT}% aged 65+), applied to "
                f"{name}'s need aged 65+", year=str(year)),
        _figure("nursing_share", "Placements in nursing homes", NURSING_SHARE_PCT, "%",
                f"national share: {NURSING_SHARE_PCT}% of care-home residents aged 65+ lived in homes with nursing at "
                f"Census 2021 ({ONS_CARE_HOMES_2021})"),
        _figure("free_bed_share", "Beds free at any time", reference_value("free_bed_share"), "%",
                f"{held}: Herefordshire's ({reference.source('free_bed_share')})"),
        _figure("assumed_beds_per_home", "Beds per home where a file gives none", _whole(national_beds_per_home),
                "beds", f"national mean: beds per CQC-registered care home in England "
                        f"({vintages.get('care_homes', 'CQC care directory')}: {national_beds_per_home:.1f})"),
    ]
    return "\n\n".join(blocks) + "\n"


def council_vintages(pack: NationalPack) -> dict[str, str]:
    """The vintage of every layer of a council just cut from ``pack`` (the tables it was read from, or how it was
    derived), and of the projections its growth figures use: its settings file's ``[vintages]``."""
    recorded = pack.layer_vintages()
    vintages = {key: recorded.get(key) or DERIVED_VINTAGES[key] for key in DATASETS
                if DATASETS[key].per_council and (key in recorded or key in DERIVED_VINTAGES)}
    projections = [pack.vintages[name] for name in ("snpp_age60plus", "snpp2016_age60plus") if name in pack.vintages]
    return vintages | ({"projections": projections[0]} if projections else {})


class Setup:
    """Sets councils up from one reading of the national pack (shared by every council of ``--all``)."""

    def __init__(self, pack: NationalPack | None = None) -> None:
        self.pack = pack or NationalPack()

    @property
    def councils(self) -> list[SocialCareCouncil]:
        return self.pack.councils

    def find(self, name: str) -> SocialCareCouncil:
        return find_social_care_council(name, self.councils, self.pack.table("lookup_lad24_ctyua24"))

    def national_beds_per_home(self) -> float:
        beds = self.pack.table("cqc_care_homes")["Care homes beds"]
        return float(beds.sum()) / max(1, int(beds.notna().sum()))

    def run(self, target: SocialCareCouncil, *, progress: Progress | None = None) -> SetupResult:
        """Set ``target`` up (or say it is bundled): cut its layers, then write its settings file last, so a council
        whose cut failed is never listed."""
        report = progress or (lambda fraction, message: None)
        bundled = bundled_council(target)
        if bundled is not None:
            return SetupResult(bundled, f"bundled with the tool, with its {bundled.whose_figures}: nothing to set up")
        start = time.perf_counter()
        settings_path = settings.setup_councils_folder / f"{target.slug}.toml"
        again = settings_path.is_file()
        report(0.05, f"Reading the national data for {target.short_name}…")
        self.pack.lsoa  # noqa: B018 - the largest tables first, so the progress bar moves evenly afterwards
        self.pack.postcodes  # noqa: B018
        report(0.45, f"Cutting {target.short_name}'s areas, people, postcodes, practices and care homes…")
        summary = cut_council(target, self.pack, settings.setup_data_folder)
        report(0.9, "Writing its settings…")
        text = settings_text(summary, load_council("herefordshire"), self.national_beds_per_home(),
                             council_vintages(self.pack))
        with replaced_whole(settings_path) as partial:
            partial.write_text(text, encoding="utf-8")
        council = read_council_file(settings_path, data_folder=settings.setup_data_folder, bundled=False)
        report(1.0, f"{council.name} is set up.")
        return SetupResult(council, "set up again" if again else "set up", time.perf_counter() - start, summary)


def setup_council(name: str, *, progress: Progress | None = None) -> SetupResult:
    """Set one English social-care council up from the national pack (see :class:`Setup`).

    Parameters
    ----------
    name : str
        Its name as ONS writes it (case and punctuation forgiven; ``"Herefordshire"`` for ``"Herefordshire, County
        of"``) or its GSS code.
    progress : callable, optional
        Called with (fraction done, message).

    Raises
    ------
    UnknownCouncilError
        For an unknown name (the closest are listed), a council in Wales, Scotland or Northern Ireland, a district
        council (its county is named) or an abolished one.
    DataFileError
        If a file of the national pack is missing or damaged (the message names it and the fix).
    """
    setup = Setup()
    return setup.run(setup.find(name), progress=progress)


def setup_all(*, progress: Progress | None = None) -> list[SetupResult]:
    """Set up every English social-care council from one reading of the pack; the bundled four are left as they are
    (their documents' figures) and reported as such."""
    setup = Setup()
    results = []
    for number, target in enumerate(setup.councils):
        if progress:
            progress(number / len(setup.councils), f"{target.short_name} ({number + 1} of {len(setup.councils)})")
        results.append(setup.run(target))
    return results


# --- Bringing councils up to date from the publishers ------------------------------------------------------------

REFRESH_SHARE = 0.7
"""Share of a progress bar given to the refresh (the rest to re-cutting the councils)."""


@dataclass
class UpToDate:
    """A refresh of the national tables from the publishers and the councils re-cut from them.

    Attributes
    ----------
    report : RefreshReport
        Each source's outcome (and, from a folder, what it held).
    asked : list of str
        The sources asked for.
    results : list of SetupResult
        The councils re-cut (a bundled council is reported as such and keeps its bundled data).
    """

    report: "RefreshReport"
    asked: list[str]
    results: list[SetupResult]

    @property
    def kept_shipped(self) -> list[str]:
        """Sources asked for that kept the copy the tool had (nothing usable from the publisher or the cache)."""
        from layers.refresh import SHIPPED

        return [outcome.source for outcome in self.report.outcomes
                if outcome.status == SHIPPED and outcome.source in self.asked]

    def warnings(self) -> list[str]:
        """One warning per source not refreshed now: from the cache (how old) or the copy kept (its date), and why."""
        from layers.refresh import REFRESHED

        return [outcome.line() for outcome in self.report.outcomes if outcome.status != REFRESHED]


def bring_up_to_date(name: str | None = None, *, sources: str | list[str] | None = None, offline: bool = False,
                     from_folder: str | Path | None = None, progress: Progress | None = None, client=None,
                     adapters: tuple = (), recut: bool = True) -> UpToDate:
    """Refresh the national tables from their publishers (online, from the raw cache, or from files downloaded by
    hand), then re-cut a council from them, or every council set up so far.

    Parameters
    ----------
    name : str, optional
        The council (name, slug or GSS code). None: every council set up from the national data.
    sources : "all", a source name or several, optional
        What to refresh (:data:`layers.refresh.SOURCE_NAMES`); by default all, or, from a folder, the sources whose
        files it holds.
    offline : bool
        The raw cache only (no request).
    from_folder : path, optional
        A folder of the publishers' files downloaded by hand, recognised by their content.
    progress : callable, optional
        Called with (fraction done, message).
    client : layers.refresh.fetch.Client, optional
        The session with the publishers (tests give one that does not sleep).
    adapters : iterable of Source
        Adapters in place of the default ones of the same name (:func:`layers.refresh.refresh`).
    recut : bool
        Cut the councils again (False: only refresh the national tables).

    Raises
    ------
    PublishersUnreachable
        Within seconds, when online and no publisher can be reached: one message saying what to do instead.
    UnknownCouncilError, InputDataError
        For an unknown council, an unknown source, or a folder holding none of the publishers' files.
    """
    from layers import refresh as publishers

    report = progress or (lambda fraction, message: None)
    named = Setup().find(name) if name is not None else None  # an unknown name is refused before any download
    if from_folder is not None and not Path(from_folder).is_dir():
        raise InputDataError(f"{from_folder} is not a folder: give the folder the publishers' files were downloaded "
                             f"into.")
    if sources is None and from_folder is not None:
        recognition = publishers.recognise(from_folder)
        sources = recognition.sources()
        if not sources:
            raise InputDataError(f"None of the publishers' files is in {from_folder}.\n{recognition.report()}")
    try:
        asked = publishers.resolve_sources(sources or "all")
    except ValueError as error:
        raise InputDataError(str(error)) from error
    done: list[str] = []

    refreshed = publishers.refresh(asked, offline=offline, from_folder=from_folder, client=client, adapters=adapters,
                                   progress=lambda line: report(REFRESH_SHARE * len(done) / len(asked),
                                                                line.splitlines()[0]),
                                   on_outcome=lambda outcome: done.append(outcome.source))
    setup = Setup()  # read the pack again: the refreshed tables are preferred now
    codes = [] if not recut else [named.code] if named else [council.gss_code for council in list_councils()
                                                             if not council.bundled and council.gss_code]
    results = []
    for number, code in enumerate(codes):
        start = REFRESH_SHARE + (1 - REFRESH_SHARE) * number / len(codes)
        target = setup.find(code)
        results.append(setup.run(target, progress=lambda fraction, message, start=start: report(
            start + (1 - REFRESH_SHARE) * fraction / len(codes), message)))
    report(1.0, "Up to date.")
    return UpToDate(refreshed, asked, results)
