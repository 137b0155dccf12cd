"""New care-home sites: candidate places, and the best k of them for older people's access.

Two measures of what a new home adds, each site given both:

* **reach** — people aged 65+ (projected) brought within a drive time of a home for older people: the
  maximal covering location problem (MCLP), solved exactly with PySAL ``spopt`` (CBC through PuLP), or
  greedily when no solver runs (said so). When (nearly) everyone is already within the drive time asked
  for, the drive time is tightened until there is someone to reach, and the result says so.
* **access** — the E2SFCA access gap closed: the beds, within weighted reach, that people aged 65+ below
  the council's average access lack to reach it (Σ people × (average − access)⁺ / 1,000). A new home of
  ``new_beds`` beds adds ``1,000 × weight × beds / catchment`` to the access of everyone it reaches
  (its own catchment, as E2SFCA's first step), so sites are chosen greedily by the gap each closes.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations
from typing import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from analyses.coverage import CoverageResult, step_weights
from geo.checks import one_of
from layers.candidate_sites import CANDIDATE_KIND
from layers.council_data import CouncilData
from layers.postcodes import assign_lsoa
from routing.engine import TravelEngine

MEASURES = {"reach": "people aged 65+ brought within a drive time", "access": "E2SFCA access gap closed"}
"""What a site can be chosen for (key -> description)."""
EXACT_SOLVER = "exact: maximal covering location solved by PySAL spopt with the CBC solver"
GREEDY_FALLBACK = ("greedy fallback: the exact solver could not run, so each site is the one adding most people "
                   "(within 1 − 1/e ≈ 63% of the best possible)")
GREEDY_REACH = "greedy (as asked): each site is the one adding most people"
GREEDY_ACCESS = "greedy: each site is the one that closes most of the remaining access gap"
MIN_BEYOND_SHARE = 0.05
"""When fewer than this share of people aged 65+ live beyond the drive time asked for, it is tightened."""
TIGHTEN_STEP_MIN = 5.0
PLACES_TEXT = "towns and villages with a postcode within 1 km, at least 1 km from a home for older people"
USER_TEXT = "the candidate sites you gave"


def mclp_greedy(covers: np.ndarray, weights: np.ndarray, k: int) -> list[int]:
    """Choose ``k`` candidates greedily by newly covered weight. ``covers`` is candidates × demand (bool)."""
    chosen: list[int] = []
    covered = np.zeros(covers.shape[1], dtype=bool)
    for _ in range(min(k, covers.shape[0])):
        gains = (covers & ~covered) @ weights
        gains[chosen] = -1
        best = int(np.argmax(gains))
        if gains[best] <= 0:
            break
        chosen.append(best)
        covered |= covers[best]
    return chosen


def mclp_brute_force(covers: np.ndarray, weights: np.ndarray, k: int) -> tuple[tuple[int, ...], float]:
    """Exact MCLP by trying every set of ``k`` candidates (small cases and tests only)."""
    best, best_value = (), -1.0
    for combination in combinations(range(covers.shape[0]), min(k, covers.shape[0])):
        value = float(weights[covers[list(combination)].any(axis=0)].sum())
        if value > best_value:
            best, best_value = combination, value
    return best, best_value


def mclp_solve(covers: np.ndarray, weights: np.ndarray, k: int) -> tuple[list[int], str]:
    """MCLP: exactly with PySAL spopt (CBC through PuLP), else greedily; returns the candidates and which ran
    (:data:`EXACT_SOLVER` or :data:`GREEDY_FALLBACK`)."""
    import pulp
    from spopt.locate import MCLP

    # Demand points reached by the same candidates are covered together: one point of their summed weight is the
    # same problem, much smaller (a county's 30,000 postcodes fall into a few hundred such sets).
    patterns, together = np.unique(covers.T, axis=0, return_inverse=True)
    merged = np.bincount(together.ravel(), weights=weights, minlength=len(patterns))
    cost = np.where(patterns, 0.0, 2.0)  # demand × candidates: 0 within reach, 2 beyond a radius of 1
    try:
        model = MCLP.from_cost_matrix(cost, merged, service_radius=1.0, p_facilities=min(k, covers.shape[0]))
        model = model.solve(pulp.PULP_CBC_CMD(msg=False))
    except Exception:  # no CBC binary, or it failed: the greedy answer is within 1 − 1/e of the best
        return mclp_greedy(covers, weights, k), GREEDY_FALLBACK
    return [index for index, variable in enumerate(model.fac_vars) if variable.value() and variable.value() > 0.5], \
        EXACT_SOLVER


@dataclass
class SiteChoice:
    """Suggested new sites and what each adds.

    Attributes
    ----------
    sites : GeoDataFrame
        The chosen places in the order they add most: ``name``, ``kind``, ``postcode``, ``area_name``,
        ``locality_name``, ``new_people_within`` (people aged 65+, projected, newly within ``minutes``) and
        ``access_gap_closed`` (beds of the access gap closed), each counted after the sites before it.
    covered_before, covered_after : float
        Projected people aged 65+ within ``minutes`` of a home for older people, without and with the sites.
    population : float
        All projected people aged 65+.
    minutes : float
        The drive time sites were judged by (tightened from ``requested_minutes`` when nearly everyone was
        already within it).
    measure : str
        ``"reach"`` or ``"access"`` (:data:`MEASURES`).
    solver : str
        How the sites were chosen (:data:`EXACT_SOLVER`, :data:`GREEDY_FALLBACK` or :data:`GREEDY_ACCESS`).
    requested_minutes : float
        The drive time asked for.
    gap_before, gap_after : float
        The access gap (beds) without and with the sites.
    new_beds : float
        Beds assumed in each new home.
    candidates : int
        How many places were considered.
    candidates_from : str
        What they were (:data:`PLACES_TEXT` or :data:`USER_TEXT`).
    note : str
        What was changed from the request and why ("" when nothing was).
    """

    sites: gpd.GeoDataFrame
    covered_before: float
    covered_after: float
    population: float
    minutes: float
    measure: str = "reach"
    solver: str = ""
    requested_minutes: float = 0.0
    gap_before: float = 0.0
    gap_after: float = 0.0
    new_beds: float = 0.0
    candidates: int = 0
    candidates_from: str = PLACES_TEXT
    note: str = ""

    @property
    def greedy_fallback(self) -> bool:
        """True when the exact covering solver could not run and the greedy answer was used."""
        return self.solver == GREEDY_FALLBACK


def default_new_beds(homes: gpd.GeoDataFrame, *, fallback: float = 0.0) -> float:
    """Beds of each suggested new home unless given: the mean of today's homes for older people, in whole beds
    (``fallback`` without any). The page offers it and the report and command line use it, so a site's gain is one
    figure everywhere."""
    older = homes[homes["older_people"].astype(bool)] if "older_people" in homes.columns else homes
    return float(round(older["beds"].mean())) if len(older) else float(fallback)


def reach_minutes(minutes_nearest: np.ndarray, people: np.ndarray, requested: float, *,
                  min_share: float = MIN_BEYOND_SHARE, step: float = TIGHTEN_STEP_MIN) -> float:
    """The drive time to choose sites by: ``requested``, or, when fewer than ``min_share`` of people live beyond
    it, the longest multiple of ``step`` below it beyond which at least that share live (``step`` at least)."""
    total = float(people.sum())
    if total <= 0:
        return requested

    def beyond(limit: float) -> float:
        return float(people[~(minutes_nearest <= limit)].sum()) / total

    limit = float(requested)
    if beyond(limit) >= min_share:
        return limit
    limit = np.floor((limit - 1e-9) / step) * step
    while limit > step and beyond(limit) < min_share:
        limit -= step
    return float(max(limit, step))


def _access_gap(people: np.ndarray, access: np.ndarray, average: float) -> float:
    """Beds within weighted reach that people below the average access lack to reach it."""
    return float((people * np.clip(average - access, 0.0, None)).sum() / 1000.0)


def suggest_sites(result: CoverageResult, candidates: gpd.GeoDataFrame, engine: TravelEngine, *, k: int = 3,
                  minutes: float = 20.0, exact: bool = True, measure: str = "reach",
                  new_beds: float | None = None) -> SiteChoice:
    """Choose ``k`` candidate places for new homes for older people, and what each adds.

    Parameters
    ----------
    result : CoverageResult
    candidates : GeoDataFrame
        Places with ``name``, ``kind`` and point geometry (:func:`candidate_places`, or a user's list).
    engine : TravelEngine
    k : int
        Sites to choose (0 chooses none).
    minutes : float
        Drive time a site should bring people within; tightened when (nearly) everyone is already within it.
    exact : bool
        Solve the covering problem exactly (``measure="reach"``); False for greedy.
    measure : {"reach", "access"}
        Choose by people brought within the drive time, or by the E2SFCA access gap closed.
    new_beds : float, optional
        Beds of each new home for the access gain (default :func:`default_new_beds`: the mean of the homes for
        older people, in whole beds).

    Returns
    -------
    SiteChoice
    """
    one_of(measure, MEASURES, name="measure")
    settings = result.settings
    postcodes = result.postcodes
    people_now = postcodes["pop_65plus"].to_numpy()
    people = people_now * settings.projection_factor(result.year)
    nearest = postcodes["minutes_nearest"].to_numpy()
    older = result.older_homes
    beds = float(new_beds if new_beds is not None else default_new_beds(older))
    access = postcodes["access"].to_numpy()
    average = float((access * people_now).sum() / people_now.sum()) if people_now.sum() > 0 else 0.0
    gap_before = _access_gap(people, access, average)
    limit = reach_minutes(nearest, people, minutes)
    beyond = float(people[~(nearest <= minutes)].sum())
    if limit == minutes:
        note = ""
    elif beyond < 0.5:
        note = (f"All people aged 65+ already live within {minutes:g} minutes of a home for older people, so sites "
                f"are judged at {limit:g} minutes instead.")
    else:
        note = (f"Only {beyond:,.0f} people aged 65+ (projected, {beyond / people.sum():.1%}) live more than "
                f"{minutes:g} minutes from a home for older people, so sites are judged at {limit:g} minutes instead.")
    within = nearest <= limit
    before = float(people[within].sum())
    empty = candidates.iloc[:0].assign(new_people_within=[], access_gap_closed=[])
    given = USER_TEXT if len(candidates) and candidates["kind"].eq(CANDIDATE_KIND).all() else PLACES_TEXT
    chosen_none = SiteChoice(empty, before, before, float(people.sum()), limit, measure, "", float(minutes), gap_before,
                             gap_before, beds, len(candidates), given, note)
    if k <= 0 or len(candidates) == 0:
        return chosen_none
    xy = np.column_stack([postcodes.geometry.x, postcodes.geometry.y])
    cutoff = max(limit, max(settings.e2sfca_weights))
    cost = engine.matrix(xy, np.column_stack([candidates.geometry.x, candidates.geometry.y]), cutoff=cutoff,
                         with_other=False).minutes
    covers = (cost <= limit).T & ~within  # candidates × postcodes: newly within reach
    weight = step_weights(cost, settings.e2sfca_weights)
    catchment = people_now @ weight
    lift = 1000.0 * np.divide(weight * beds, catchment, out=np.zeros_like(weight), where=catchment > 0).T
    if measure == "reach" and covers.any():
        columns = covers.any(axis=0)
        if exact:
            chosen, solver = mclp_solve(covers[:, columns], people[columns], k)
        else:
            chosen, solver = mclp_greedy(covers[:, columns], people[columns], k), GREEDY_REACH
        chosen = [chosen[position] for position in mclp_greedy(covers[chosen][:, columns], people[columns], len(chosen))]
        if len(chosen) < k:
            note = (note + " " if note else "") + (f"Only {len(chosen)} candidate place(s) bring anyone new within "
                                                   f"{limit:g} minutes.")
    else:
        if measure == "reach":
            note = (note + " " if note else "") + (f"No candidate place brings anyone new within {limit:g} minutes, so "
                                                   f"sites are chosen by the access gap they close instead.")
            measure = "access"
        chosen, solver = _greedy_access(lift, people, access, average, k), GREEDY_ACCESS
    gains_people, gains_gap = [], []
    covered, current = within.copy(), access.copy()
    for position in chosen:
        gains_people.append(float(people[covers[position] & ~covered].sum()))
        covered |= covers[position]
        updated = current + lift[position]
        gains_gap.append(_access_gap(people, current, average) - _access_gap(people, updated, average))
        current = updated
    sites = candidates.iloc[chosen].copy()
    sites["new_people_within"] = gains_people
    sites["access_gap_closed"] = gains_gap
    return SiteChoice(sites.reset_index(drop=True), before, before + float(sum(gains_people)), float(people.sum()),
                      limit, measure, solver, float(minutes), gap_before, gap_before - float(sum(gains_gap)), beds,
                      len(candidates), given, note)


def _greedy_access(lift: np.ndarray, people: np.ndarray, access: np.ndarray, average: float, k: int) -> list[int]:
    """Candidates (rows of ``lift``, candidates × postcodes) chosen one by one by the access gap each closes."""
    chosen: list[int] = []
    current = access.copy()
    for _ in range(min(k, lift.shape[0])):
        gaps = (people * np.clip(average - (current + lift), 0.0, None)).sum(axis=1)
        gaps[chosen] = np.inf
        best = int(np.argmin(gaps))
        if gaps[best] >= (people * np.clip(average - current, 0.0, None)).sum() - 1e-9:
            break
        chosen.append(best)
        current = current + lift[best]
    return chosen


def candidate_places(data: CouncilData, homes: gpd.GeoDataFrame, *,
                     kinds: Sequence[str] = ("city", "town", "village"), min_distance_m: float = 1000.0,
                     postcode_within_m: float = 1000.0) -> gpd.GeoDataFrame:
    """Settlements that could host a new home: named places of the given kinds in the council, at least
    ``min_distance_m`` from any home for older people, with a postcode within ``postcode_within_m`` (a place
    people live at, not a name on a map).

    Returns
    -------
    GeoDataFrame
        ``name``, ``kind``, ``postcode`` (the nearest), ``area_name`` and ``locality_name`` of its LSOA, point geometry.
    """
    places = data.places[data.places["kind"].isin(kinds)]
    places = places[places.within(data.outline.union_all())]
    older = homes[homes["older_people"].astype(bool)] if "older_people" in homes.columns else homes
    if len(older):
        places = places[places.distance(older.union_all()) >= min_distance_m]
    tree = cKDTree(np.column_stack([data.postcodes.geometry.x, data.postcodes.geometry.y]))
    distance, position = tree.query(np.column_stack([places.geometry.x, places.geometry.y]))
    places = places.assign(postcode=data.postcodes["postcode"].to_numpy()[position])[distance <= postcode_within_m]
    return _with_area(places[["name", "kind", "postcode", "geometry"]].reset_index(drop=True), data)


def _with_area(sites: gpd.GeoDataFrame, data: CouncilData) -> gpd.GeoDataFrame:
    """Sites with the ``area_name`` and ``locality_name`` of the LSOA they are in (or nearest)."""
    if sites.empty:
        return sites.assign(area_name=pd.Series(dtype=str), locality_name=pd.Series(dtype=str))
    lsoa = data.lsoa.set_index("lsoa21_code")
    codes = assign_lsoa(sites, data.lsoa)
    return sites.assign(area_name=codes.map(lsoa["area_name"]).to_numpy(),
                        locality_name=codes.map(lsoa["locality_name"]).to_numpy())


def user_candidates(sites: gpd.GeoDataFrame, data: CouncilData) -> gpd.GeoDataFrame:
    """A user's candidate sites (:func:`layers.candidate_sites.read_candidate_sites`) with their area and locality."""
    return _with_area(sites[["name", "kind", "postcode", "geometry"]].reset_index(drop=True), data)
