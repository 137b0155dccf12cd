"""Council settings: one declarative TOML file per council in ``councils/``, the one source of council figures.

A :class:`Council` holds everything that differs between councils: area codes, fee-zone centres,
locality scheme, and every figure the analyses use (:class:`geo.figures.Figure`), each with the document, place
and year it comes from, or the reason it is assumed. What-if values are keyword options of the analyses (a
``radius_miles``, a fee), labelled :data:`WHAT_IF`; a council's settings are never edited.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from geo.errors import DataFileError, UnknownCouncilError
from geo.figures import Document, Figure, series_value
from geo.settings import PROJECT_ROOT, settings

WHAT_IF = "what-if value chosen by the user"
"""The source given for a value the user entered in place of a council's figure."""

REQUIRED_FIGURES = (
    "fee_zone_radius_miles", "rural_uplift_pct", "viability_hours_per_week", "weekly_home_care_hours",
    "home_care_clients", "home_care_providers", "base_fee_per_hour", "bed_demand_65plus", "free_bed_share",
    "assumed_beds_per_home",
)
"""Figures every council's settings file must give (documented or assumed): the analyses read them."""


@dataclass(frozen=True)
class Council:
    """Settings of one council.

    Attributes
    ----------
    slug : str
        Short identifier, also the name of the data folders (``herefordshire``).
    name : str
        Display name.
    lad_codes : tuple of str
        ONS local authority district codes making up the council area.
    fee_zone_centres : tuple of str
        Settlement names (OS Open Names) from which the rural fee-zone radius is measured.
    figures : mapping of str to Figure
        Every figure of the council (see :data:`REQUIRED_FIGURES`), documented or assumed.
    documents : mapping of str to Document
        The council documents the figures cite.
    two_tier : bool
        A county of districts whose documents report by district (district is then an area level).
    district_rows : mapping
        Rows of a by-district table (e.g. Hertfordshire's "Dacorum Rural") -> where their figures are placed:
        ``{"districts": [LAD codes], "rural_only": bool, "urban_only": bool, "assumption": str}``.
    locality_merges : mapping of str to tuple of str
        Locality name -> PCN codes merged into it (e.g. the two Hereford City PCNs).
    osm_extract : str or None
        Bundled OSM extract (path under ``data/``) that gives real roads offline.
    osm_extract_date : str or None
        Date of that extract's data.
    is_default : bool
        The council the app opens with.
    data_folder : Path or None
        Where the council's data files live (laid out as the project's ``data/``): the bundled data for the
        councils shipped with the tool, ``home/data`` for a council set up by the user; None means the bundled
        data folder of :data:`geo.settings.settings`.
    gss_code : str
        ONS code of the social-care council (county or unitary, ``E06000019``); "" when not recorded.
    bundled : bool
        Shipped with the tool (its settings in the project's ``councils/``), as opposed to set up by the user.
    settings_file : Path or None
        The settings file the council was read from.
    vintages : mapping of str to str
        The date of each data layer where it differs from the bundled data's (``{"care_homes": "CQC care
        directory, 1 November 2026"}``), by the layer's key in :data:`layers.catalog.DATASETS`: a council set up
        or brought up to date from newer files records them here.
    """

    slug: str
    name: str
    lad_codes: tuple[str, ...]
    fee_zone_centres: tuple[str, ...]
    figures: Mapping[str, Figure] = field(default_factory=dict)
    documents: Mapping[str, Document] = field(default_factory=dict)
    two_tier: bool = False
    district_rows: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    locality_merges: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    osm_extract: str | None = None
    osm_extract_date: str | None = None
    is_default: bool = False
    data_folder: Path | None = None
    gss_code: str = ""
    bundled: bool = True
    settings_file: Path | None = None
    vintages: Mapping[str, str] = field(default_factory=dict)

    @property
    def data_dir(self) -> Path:
        """The folder the council's data files are read from (see :attr:`data_folder`)."""
        return self.data_folder if self.data_folder is not None else settings.data_folder

    # --- Figures ---------------------------------------------------------------------------------------------

    def figure(self, key: str) -> Figure:
        """One figure by key.

        Raises
        ------
        KeyError
            If the council's settings give no such figure.
        """
        try:
            return self.figures[key]
        except KeyError:
            raise KeyError(f"{self.name}'s settings (councils/{self.slug}.toml) give no figure {key!r}.") from None

    def value(self, key: str, default: Any = None) -> Any:
        """The value of a figure, or ``default`` when the council gives none."""
        figure = self.figures.get(key)
        return default if figure is None else figure.value

    def source(self, key: str) -> str:
        """Where a figure comes from (document and place, or the assumption)."""
        figure = self.figures.get(key)
        return figure.source if figure else "assumption: not in the council's settings"

    def source_of_value(self, key: str, value: float) -> str:
        """Where ``value`` comes from: the figure's source when it is the council's figure, otherwise a what-if
        value the user chose."""
        figure = self.figures.get(key)
        if figure is not None and abs(float(value) - float(figure.value)) < 1e-9:
            return figure.source
        return WHAT_IF

    def is_assumption(self, key: str) -> bool:
        """True when a figure is an assumption rather than a figure from the council's documents."""
        figure = self.figures.get(key)
        return figure is None or figure.is_assumption

    @property
    def whose_figures(self) -> str:
        """Whose figures the council carries, in words: its documents', or assumptions where none is held."""
        return "documents' figures" if self.documents else "assumed figures (no council document held)"

    @property
    def fee_zone_radius_miles(self) -> float:
        return float(self.value("fee_zone_radius_miles"))

    @property
    def rural_uplift_pct(self) -> float:
        return float(self.value("rural_uplift_pct"))

    @property
    def viability_hours_per_week(self) -> float:
        return float(self.value("viability_hours_per_week"))

    @property
    def weekly_home_care_hours(self) -> float:
        return float(self.value("weekly_home_care_hours"))

    @property
    def home_care_clients(self) -> int:
        return int(self.value("home_care_clients"))

    @property
    def home_care_providers(self) -> int:
        return int(self.value("home_care_providers"))

    @property
    def base_fee_per_hour(self) -> float:
        return float(self.value("base_fee_per_hour"))

    @property
    def free_bed_share(self) -> float:
        """Share of beds free at any time (0–1)."""
        return float(self.value("free_bed_share")) / 100.0

    @property
    def assumed_beds_per_home(self) -> int:
        return int(self.value("assumed_beds_per_home"))

    @property
    def care_homes(self) -> int | None:
        return self.value("care_homes")

    @property
    def care_home_beds(self) -> int | None:
        return self.value("care_home_beds")

    def growth(self, key: str, year: int) -> tuple[float, str]:
        """Growth of a documented series (or a figure that ``grows_with`` one) from its first year to ``year``.

        Returns the factor (1.0 at the first year) and a sentence saying where it comes from.
        """
        figure = self.figure(key)
        series = {int(y): float(v) for y, v in figure.value.items()}
        if figure.grows_with:
            driver = self.figure(figure.grows_with)
            base_year = min(series)
            factor, extrapolated = self._driver_factor(driver, base_year, year)
            return factor, self._growth_text(driver, extrapolated)
        first = min(series)
        value, extrapolated = series_value(series, year)
        return value / series[first], self._growth_text(figure, extrapolated)

    @staticmethod
    def _driver_factor(driver: Figure, base_year: int, year: int) -> tuple[float, bool]:
        points = {int(y): float(v) for y, v in driver.value.items()}
        now, extrapolated_now = series_value(points, year)
        then, extrapolated_then = series_value(points, base_year)
        return now / then, extrapolated_now or extrapolated_then

    @staticmethod
    def _growth_text(figure: Figure, extrapolated: bool) -> str:
        text = f"{figure.label}: {figure.source}"
        return text + (" (continued at the same rate beyond the documented years: assumption)" if extrapolated else "")

    def series(self, key: str, year: int) -> tuple[float, str]:
        """A yearly figure at ``year`` (e.g. bed need in 2028): documented years, interpolated, or projected.

        A figure given for one year with ``grows_with`` is projected with that documented series.
        Returns the value and a sentence saying where it comes from.
        """
        figure = self.figure(key)
        points = {int(y): float(v) for y, v in figure.value.items()}
        if figure.grows_with:
            base_year = min(points)
            factor, basis = self.growth(key, year)
            return points[base_year] * factor, f"{figure.source}; {basis}"
        value, extrapolated = series_value(points, year)
        note = " (continued at the same rate beyond the documented years: assumption)" if extrapolated else ""
        return value, figure.source + note

    def home_care_growth(self, year: int) -> tuple[float, str]:
        """Growth of home-care demand from the council's base year to ``year``, and its source.

        Uses the council's ``home_care_growth`` figure; else the documented 85+ (or 65+) population
        projection; else no growth, said so.
        """
        for key in ("home_care_growth", "population_85plus", "population_65plus"):
            figure = self.figures.get(key)
            if figure is not None and isinstance(figure.value, Mapping) and len(figure.value) > 1:
                return self.growth(key, year)
        return 1.0, "assumption: no projection of demand in the council's settings; no growth applied"


def _figure_from_toml(key: str, entry: Mapping[str, Any], documents: Mapping[str, Document], path: Path) -> Figure:
    if "value" not in entry:
        raise DataFileError(f"{path.name}: figure {key!r} has no value. Give `value = …` with `doc` and `where`, or "
                            f"with `assumption`.")
    document = None
    if "doc" in entry:
        if entry["doc"] not in documents:
            raise DataFileError(f"{path.name}: figure {key!r} cites document {entry['doc']!r}, which is not listed "
                                f"under [documents].")
        document = documents[entry["doc"]]
        if not entry.get("where"):
            raise DataFileError(f"{path.name}: figure {key!r} cites {document.title} but not where in it: add "
                                f"`where = \"section, table or line\"`.")
    elif not entry.get("assumption"):
        raise DataFileError(f"{path.name}: figure {key!r} has neither a source document (`doc`) nor an "
                            f"`assumption` saying why this value.")
    return Figure(key=key, label=str(entry.get("label", key.replace("_", " "))), value=entry["value"],
                  unit=str(entry.get("unit", "")), year=str(entry.get("year", "")), document=document,
                  where=str(entry.get("where", "")), assumption=str(entry.get("assumption", "")),
                  grows_with=str(entry.get("grows_with", "")), scope=str(entry.get("scope", "")),
                  includes=str(entry.get("includes", "")))


def council_from_toml(data: Mapping[str, Any], path: Path, *, data_folder: Path | None = None,
                      bundled: bool = True) -> Council:
    """Build a :class:`Council` from a parsed settings file, checking every figure names its source.

    Raises
    ------
    DataFileError
        If a required figure is missing or a figure has no source.
    """
    documents = {key: Document(key, str(entry["title"]), entry.get("year"), entry.get("seed"))
                 for key, entry in data.get("documents", {}).items()}
    figures = {key: _figure_from_toml(key, entry, documents, path) for key, entry in data.get("figures", {}).items()}
    missing = [key for key in REQUIRED_FIGURES if key not in figures]
    if missing:
        raise DataFileError(f"{path.name} lacks the figure(s) {', '.join(missing)}. Add each under [figures] with its "
                            f"source document or an `assumption`.")
    for figure in figures.values():
        if figure.grows_with and figure.grows_with not in figures:
            raise DataFileError(f"{path.name}: figure {figure.key!r} grows with {figure.grows_with!r}, which is not a "
                                f"figure of the file.")
        if figure.includes and figure.includes not in figures:
            raise DataFileError(f"{path.name}: figure {figure.key!r} includes {figure.includes!r}, which is not a "
                                f"figure of the file.")
    merges = {name: tuple(codes) for name, codes in data.get("localities", {}).get("merges", {}).items()}
    roads = data.get("roads", {})
    return Council(
        slug=data["slug"],
        name=data["name"],
        lad_codes=tuple(data["lad_codes"]),
        fee_zone_centres=tuple(data.get("fee_zones", {}).get("centres", ())),
        figures=figures,
        documents=documents,
        two_tier=bool(data.get("two_tier", False)),
        district_rows={name: dict(row) for name, row in data.get("district_rows", {}).items()},
        locality_merges=merges,
        osm_extract=roads.get("osm_extract"),
        osm_extract_date=roads.get("osm_extract_date"),
        is_default=bool(data.get("default", False)) and bundled,
        data_folder=data_folder,
        gss_code=str(data.get("gss_code", "")),
        bundled=bundled,
        settings_file=path,
        vintages={str(key): str(value) for key, value in data.get("vintages", {}).items()},
    )


def read_council_file(path: Path, *, data_folder: Path | None = None, bundled: bool = True) -> Council:
    """One council's settings file, checked (see :func:`council_from_toml`).

    Raises
    ------
    DataFileError
        If the file cannot be read or parsed, or a figure lacks its source.
    """
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as error:
        hint = ("Restore it from the repository (git checkout -- councils)." if bundled else
                f"Set the council up again: python -m caremap setup --council {path.stem}.")
        raise DataFileError(f"Cannot read the council settings {path}: {error}. {hint}") from error
    return council_from_toml(data, path, data_folder=data_folder, bundled=bundled)


_READ: dict[tuple[Path, int, int, bool], Council] = {}
"""Councils already read, by file, its modification time and size (a file changed on disk is read again)."""


def _read_cached(path: Path, *, data_folder: Path | None, bundled: bool) -> Council:
    stat = path.stat()
    key = (path, stat.st_mtime_ns, stat.st_size, bundled)
    if key not in _READ:
        _READ[key] = read_council_file(path, data_folder=data_folder, bundled=bundled)
    return _READ[key]


NATIONAL_FILE = "national.toml"
"""The file of national figures among the bundled councils' settings: figures the same for every council."""

_NATIONAL: dict[tuple[Path, int, int], dict[str, Figure]] = {}


def national_figures() -> Mapping[str, Figure]:
    """Figures the same for every council, bundled or set up (``councils/national.toml``: the National Living Wage
    and the real Living Wage by year), each with its document and place as a council's figures have.

    Read from the bundled councils' folder (:data:`geo.settings.settings`), or the project's own when that folder
    holds no such file.

    Raises
    ------
    DataFileError
        If the file cannot be read or a figure lacks its source.
    """
    path = settings.councils_folder / NATIONAL_FILE
    if not path.exists():
        path = PROJECT_ROOT / "councils" / NATIONAL_FILE
    try:
        stat = path.stat()
        key = (path, stat.st_mtime_ns, stat.st_size)
        if key not in _NATIONAL:
            with path.open("rb") as handle:
                data = tomllib.load(handle)
            documents = {name: Document(name, str(entry["title"]), entry.get("year"), entry.get("seed"))
                         for name, entry in data.get("documents", {}).items()}
            _NATIONAL[key] = {name: _figure_from_toml(name, entry, documents, path)
                              for name, entry in data.get("figures", {}).items()}
    except (OSError, tomllib.TOMLDecodeError, KeyError) as error:
        raise DataFileError(f"Cannot read the national figures {path}: {error}. Restore it from the repository "
                            f"(git checkout -- councils).") from error
    return _NATIONAL[key]


def national_figure(key: str) -> Figure:
    """One national figure by key (:func:`national_figures`).

    Raises
    ------
    KeyError
        If ``councils/national.toml`` gives no such figure.
    """
    figures = national_figures()
    if key not in figures:
        raise KeyError(f"The national figures (councils/{NATIONAL_FILE}) give no figure {key!r}.")
    return figures[key]


def _registry() -> dict[str, Council]:
    """Every council with settings, by slug: the bundled ones (``settings.councils_folder``) and those set up by
    the user (``settings.setup_councils_folder``), read when asked for, so a council set up a moment ago is found.
    A bundled council wins over a set-up one of the same slug (its figures come from the council's documents)."""
    councils: dict[str, Council] = {}
    for path in sorted(settings.setup_councils_folder.glob("*.toml")):
        council = _read_cached(path, data_folder=settings.setup_data_folder, bundled=False)
        councils[council.slug] = council
    for path in sorted(settings.councils_folder.glob("*.toml")):
        if path.name == NATIONAL_FILE:
            continue
        council = _read_cached(path, data_folder=None, bundled=True)
        councils[council.slug] = council
    return councils


def list_councils() -> list[Council]:
    """All councils with settings, bundled and set up: the default first, then by name."""
    return sorted(_registry().values(), key=lambda c: (not c.is_default, c.name))


def default_council() -> Council:
    """The council the app opens with (Herefordshire)."""
    return list_councils()[0]


def simple_name(text: str) -> str:
    """A name as compared: lower case, letters and digits only, ONS's ", County of" and ", City of" left out
    (``"Herefordshire, County of"`` → ``"herefordshire"``)."""
    text = re.sub(r",\s*(city|county) of\s*$", "", str(text).strip(), flags=re.IGNORECASE)
    return re.sub(r"[^a-z0-9]", "", text.lower().replace("&", "and"))


def load_council(name: str) -> Council:
    """Settings of one council, bundled or set up, by slug, display name or GSS code (case and punctuation
    forgiven; ONS's "Herefordshire, County of" for Herefordshire).

    Raises
    ------
    UnknownCouncilError
        If no council of that name has a settings file; the message lists the known ones and how to set another up
        (:func:`layers.social_care.council_by_name` says, from the national data, which council it would be).
    """
    wanted = simple_name(name)
    councils = _registry()
    for council in councils.values():
        if wanted and wanted in (simple_name(council.slug), simple_name(council.name), simple_name(council.gss_code)):
            return council
    known = ", ".join(c.slug for c in list_councils())
    raise UnknownCouncilError(f"Unknown council {name!r}. Known councils: {known}. Any other English social-care "
                              f"council can be set up from the national data shipped with the tool: python -m caremap "
                              f"setup --council NAME.")
