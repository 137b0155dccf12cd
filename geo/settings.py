"""Where the tool finds and keeps its files, and how long it waits for the network: one place, read when used.

Modelled on ``osmnx.settings``: a single object, :data:`settings`, whose attributes a script may set::

    from caremap import settings
    settings.home = "/srv/caremap"          # set-up councils, caches and downloads live here
    settings.requests_timeout = 600         # seconds for one download request

Nothing is read at import time. An attribute not set in code is read, when it is used, from its environment
variable (``CAREMAP_HOME``, ``CAREMAP_CACHE_DIR``, …) or else takes its default, so a test or a user can move
every folder without touching the code. :meth:`Settings.overridden` changes some for a ``with`` block only.

Folders
-------
``data_folder``
    The data bundled with the tool (the four councils' layers, the national pack): ``data/`` of the project.
``councils_folder``
    The bundled councils' settings files: ``councils/`` of the project.
``home``
    The user's own folder: councils set up with ``python -m caremap setup`` (``home/councils``,
    ``home/data``), the cache and downloads. A platform default (``~/.local/share/caremap`` on Linux), never inside
    the project.
``cache_folder``
    Built road networks, prepared roads and downloaded publishers' files: ``home/cache`` by default.

Publishers
----------
The national data are refreshed from their publishers (:mod:`layers.refresh`) at base URLs that a mirror or a test
replaces: ``ons_arcgis_url``, ``nomis_url``, ``snpp_url``, ``os_downloads_url``, ``onspd_url``, ``ods_url``,
``cqc_page_url``, ``geofabrik_url`` (``CAREMAP_ONS_ARCGIS_URL``, …), asked with ``user_agent``, retried
``download_retries`` times from ``retry_backoff`` seconds (a server's Retry-After honoured up to ``retry_wait_max``),
and deemed offline when none accepts a connection within ``reach_timeout`` seconds.
"""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path
from typing import Any, Callable, Iterator

PROJECT_ROOT = Path(__file__).resolve().parent.parent
"""The project folder (the tool is installed in place, so its data and councils sit beside the packages)."""


def platform_home() -> Path:
    """The user's data folder for the tool, as the platform expects it (XDG on Linux, Application Support on
    macOS, LOCALAPPDATA on Windows)."""
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local"
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "caremap"


def _default_user_agent() -> str:
    try:
        from importlib.metadata import version

        release = version("caremap")
    except Exception:  # not installed (a source checkout run in place)
        release = "dev"
    return f"caremap/{release} (adult social care planning; refreshes open data from its publishers)"


class _Setting:
    """One setting: the value set in code, else its environment variable, else its default (all read on use)."""

    def __init__(self, env: str | None, default: Callable[["Settings"], Any], kind: Callable[[Any], Any],
                 doc: str) -> None:
        self.env, self.default, self.kind, self.__doc__ = env, default, kind, doc

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, instance: "Settings | None", owner: type) -> Any:
        if instance is None:
            return self
        if self.name in instance._values:
            return instance._values[self.name]
        text = os.environ.get(self.env) if self.env else None
        return self.kind(text) if text else self.default(instance)

    def __set__(self, instance: "Settings", value: Any) -> None:
        if value is None:
            instance._values.pop(self.name, None)
        else:
            instance._values[self.name] = self.kind(value)


def _path(value: Any) -> Path:
    return Path(value).expanduser()


class Settings:
    """The tool's settings (see the module's docstring). Set an attribute to change it; set it to None to go back
    to the environment variable or the default."""

    data_folder = _Setting("CAREMAP_DATA_DIR", lambda s: PROJECT_ROOT / "data", _path,
                           "Bundled data (``data/`` of the project).")
    councils_folder = _Setting("CAREMAP_COUNCILS_DIR", lambda s: PROJECT_ROOT / "councils", _path,
                               "Bundled councils' settings files (``councils/`` of the project).")
    home = _Setting("CAREMAP_HOME", lambda s: platform_home(), _path,
                    "The user's folder: set-up councils, cache, downloads (env ``CAREMAP_HOME``).")
    cache_folder = _Setting("CAREMAP_CACHE_DIR", lambda s: s.home / "cache", _path,
                            "Built road networks, prepared roads and downloads (default ``home/cache``).")
    requests_timeout = _Setting("CAREMAP_TIMEOUT", lambda s: 180.0, float,
                                "Longest wait for one network request, seconds.")
    overpass_url = _Setting("CAREMAP_OVERPASS_URL", lambda s: "https://overpass-api.de/api", str,
                            "Overpass API the roads are downloaded from.")

    # Publishers of the national data (``layers.refresh``): where each is asked, who asks, and how patiently.
    # A mirror or a test's stand-in server replaces a base URL; each is read when used.
    user_agent = _Setting("CAREMAP_USER_AGENT", lambda s: _default_user_agent(), str,
                          "User-Agent sent to the publishers (they ask for a contact).")
    download_retries = _Setting("CAREMAP_RETRIES", lambda s: 4, int,
                                "Retries of one request after a 429, a 5xx, a dropped connection or a cut body.")
    retry_backoff = _Setting("CAREMAP_RETRY_BACKOFF", lambda s: 2.0, float,
                             "First wait before a retry, seconds (doubled each time unless the server says when).")
    retry_wait_max = _Setting("CAREMAP_RETRY_WAIT_MAX", lambda s: 300.0, float,
                              "Longest wait honoured from a Retry-After header, seconds.")
    reach_timeout = _Setting("CAREMAP_REACH_TIMEOUT", lambda s: 3.0, float,
                             "Seconds to wait for a publisher to accept a connection before the machine is deemed "
                             "offline.")
    ons_arcgis_url = _Setting("CAREMAP_ONS_ARCGIS_URL",
                              lambda s: "https://services1.arcgis.com/ESMARspQHYMw9BZ9/arcgis/rest/services", str,
                              "ONS Open Geography Portal's ArcGIS REST services (boundaries, lookups, rural-urban).")
    nomis_url = _Setting("CAREMAP_NOMIS_URL", lambda s: "https://www.nomisweb.co.uk/api/v01", str,
                         "Nomis API (ONS small-area population estimates).")
    snpp_url = _Setting("CAREMAP_SNPP_URL",
                        lambda s: "https://www.ons.gov.uk/file?uri=/peoplepopulationandcommunity/populationandmigration/"
                                  "populationprojections/datasets/localauthoritiesinenglandz1/2022based/"
                                  "2022snpppopulationsyoa5yr.zip", str,
                        "ONS subnational population projections zip (persons by single year of age; the default "
                        "address is unconfirmed: a mirror or ONS's current one is set here).")
    os_downloads_url = _Setting("CAREMAP_OS_DOWNLOADS_URL", lambda s: "https://api.os.uk/downloads/v1", str,
                                "Ordnance Survey Downloads API (Code-Point Open).")
    onspd_url = _Setting("CAREMAP_ONSPD_URL",
                         lambda s: "https://www.arcgis.com/sharing/rest/content/items/"
                                   "3635ca7f69df4733af27caf86473ffa1/data", str,
                         "ONS Postcode Directory zip (an alternative to Code-Point Open).")
    ods_url = _Setting("CAREMAP_ODS_URL", lambda s: "https://www.odsdatasearchandexport.nhs.uk/api", str,
                       "NHS ODS Data Search and Export API (GP practices, PCNs, branch surgeries).")
    cqc_page_url = _Setting("CAREMAP_CQC_PAGE_URL",
                            lambda s: "https://www.cqc.org.uk/about-us/transparency/using-cqc-data", str,
                            "CQC's 'Using CQC data' page, which links the monthly care directory.")
    geofabrik_url = _Setting("CAREMAP_GEOFABRIK_URL", lambda s: "https://download.geofabrik.de", str,
                             "Geofabrik's OpenStreetMap extracts.")

    def __init__(self) -> None:
        self._values: dict[str, Any] = {}

    @property
    def setup_councils_folder(self) -> Path:
        """Settings files of the councils set up by the user (``home/councils``)."""
        return self.home / "councils"

    @property
    def setup_data_folder(self) -> Path:
        """Data of the councils set up by the user (``home/data``, laid out as ``data/``)."""
        return self.home / "data"

    @contextlib.contextmanager
    def overridden(self, **values: Any) -> Iterator["Settings"]:
        """Change some settings for the duration of a ``with`` block, then put back what was there."""
        unknown = [name for name in values if not isinstance(getattr(type(self), name, None), _Setting)]
        if unknown:
            raise AttributeError(f"No setting named {', '.join(unknown)}; settings are "
                                 f"{', '.join(self.names())}.")
        saved = {name: self._values.get(name) for name in values}
        try:
            for name, value in values.items():
                setattr(self, name, value)
            yield self
        finally:
            for name, value in saved.items():
                setattr(self, name, value)

    @classmethod
    def names(cls) -> list[str]:
        """Every setting's name."""
        return [name for name, value in vars(cls).items() if isinstance(value, _Setting)]

    def __repr__(self) -> str:
        return "Settings(" + ", ".join(f"{name}={getattr(self, name)!r}" for name in self.names()) + ")"


settings = Settings()
"""The settings of this process (see :class:`Settings`)."""
