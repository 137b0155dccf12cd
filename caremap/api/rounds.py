"""Round viability through the public API: the round model's settings for a council, and a week of rounds planned
and judged (the workflow the app's page shares, :mod:`analyses.rounds.workflow`)."""

from __future__ import annotations

import numbers
from typing import TYPE_CHECKING, Callable, Mapping, Sequence

import geopandas as gpd

from caremap import arguments
from caremap.api.data import synthetic_clients
from geo import checks
from geo.crs import to_bng
from geo.errors import InputDataError
from layers.council_data import CouncilData

if TYPE_CHECKING:  # imported where used: the solver and report libraries take a while to load
    from analyses.rounds import Base, RoundSettings, WeekReport
    from layers.clients import ClientTable
    from routing.engine import TravelEngine


def round_settings(data: CouncilData, engine: "TravelEngine", *, fee: str = "base", fee_rate: float | None = None,
                   fee_year: int | None = None, pay_basis: str = "minimum", reading: str = "straight",
                   measure_from: str = "point", **changes) -> "RoundSettings":
    """The round model's settings for a council: its fee, net of the rural uplift where its figure is an average
    that includes it (with the modelled share of its hours outside its zone on ``reading``), carer pay of the fee's
    year (the legal minimum, or the real Living Wage with ``pay_basis="real"``), then ``changes``.

    Parameters
    ----------
    fee : {"base", "current"}
        The council's base fee, or its current fee where its documents record a rise.
    fee_rate : float, optional
        A fee of your own (£ a contact hour) in place of that fee's rate, paid from the same year.
    fee_year : int, optional
        The year the fee is paid from, whose legal minimum pay applies (default: the fee's own year).
    changes
        Any other :class:`analyses.rounds.RoundSettings` field (``carer_pay_per_hour`` labelled a what-if).

    Raises
    ------
    InputDataError
        For a fee the council's settings do not record, or an option out of range.
    """
    from analyses import fee_costing, fee_zones, rounds
    from analyses.base_fee import council_base_fee, includes_uplift

    data, engine = arguments.council_data(data), arguments.travel_engine_of(engine)
    reading = checks.one_of(reading, fee_zones.READINGS, name="reading")
    measure_from = checks.one_of(measure_from, fee_zones.MEASURE_FROM, name="measure_from")
    pay_basis = checks.one_of(pay_basis, ("minimum", "real"), name="pay_basis")
    if fee_rate is not None:
        fee_rate = checks.FEE_RATE.check(fee_rate, "fee_rate")
    if fee_year is not None:
        fee_year = int(checks.FEE_YEAR.check(fee_year, "fee_year"))
    council = data.council
    share = fee_costing.council_outside_share(data, engine, reading=reading, measure_from=measure_from) \
        if includes_uplift(council) else None
    options = {option.key: option for option in rounds.fee_options(council, base_fee=council_base_fee(council, share))}
    fee = checks.one_of(fee, tuple(options), name="fee")
    option = options[fee] if fee_rate is None and fee_year is None else \
        rounds.what_if_fee(options[fee], options[fee].fee_per_hour if fee_rate is None else fee_rate, year=fee_year)
    return arguments.round_settings_of(rounds.RoundSettings.for_council(council, fee=option, pay_basis=pay_basis,
                                                                        **changes))


def build_rounds(data: CouncilData, engine: "TravelEngine", *,
                 clients: "ClientTable | gpd.GeoDataFrame | int | None" = None,
                 settings: "RoundSettings | None" = None, carers: int | None = None, seed: int = 1,
                 locality: str | None = None, bases: Sequence["Base"] | None = None,
                 providers: Mapping[str, int] | None = None, radius_miles: float | None = None,
                 reading: str = "straight", measure_from: str = "point",
                 progress: Callable[[float, str], None] | None = None) -> "WeekReport":
    """A week of rounds (Monday to Sunday), judged: income with the rural uplift, verdicts, carers, localities,
    continuity and providers.

    Every option is checked before the week is solved (a mistyped ``reading`` fails at once).

    Parameters
    ----------
    data : CouncilData
    engine : TravelEngine
    clients : ClientTable, GeoDataFrame or int, optional
        A client list (:func:`read_clients` as it returns it, or its ``.clients``), or a number of SYNTHETIC
        clients (1 to :data:`analyses.rounds.MAX_PLAN_PLACES`); default 40 synthetic clients.
    settings : RoundSettings, optional
        Default: :func:`round_settings` (the council's base fee, net of the uplift where its figure is an average
        including it, and its rural uplift).
    carers : int, optional
        Carers in all (1–10,000), shared among the bases by their share of the calls; default the suggested count,
        which fits every call that any round can take.
    seed : int
        Seed of the synthetic clients (0 or more).
    locality : str, optional
        PCN locality of the synthetic clients (default the whole council).
    bases : sequence of Base, optional
        Default: in each of the clients' PCN localities, the best one to three of its city and towns by drive time.
    providers : mapping, optional
        Providers per locality; default the council's documented count shared by demand.
    radius_miles, reading, measure_from
        The fee zone: radius 0–30 miles (default the council's), ``"straight"`` or ``"road"``, from each
        settlement's ``"point"`` or ``"extent"``.
    progress : callable, optional
        Called with (fraction, message) while the week is solved.

    Returns
    -------
    WeekReport
        ``rounds`` (each day's, judged: ``verdict`` and ``why``), ``weekly``, ``carers``, ``localities``,
        ``visits``, ``unserved``, ``continuity``, and ``providers`` (with ``providers_source`` and
        ``threshold_hours``): every step of :mod:`analyses.rounds.workflow`, the page's too.

    Raises
    ------
    InputDataError
        For any option out of range or unknown, an unknown locality, or more client addresses than one plan
        takes (:data:`analyses.rounds.MAX_PLAN_PLACES`).
    """
    from analyses import fee_zones, rounds

    data, engine = arguments.council_data(data), arguments.travel_engine_of(engine)
    # Every option first: nothing is solved with an option that would fail afterwards.
    reading = checks.one_of(reading, fee_zones.READINGS, name="reading")
    measure_from = checks.one_of(measure_from, fee_zones.MEASURE_FROM, name="measure_from")
    if radius_miles is not None:
        radius_miles = checks.FEE_ZONE_RADIUS_MILES.check(radius_miles, "radius_miles")
    if carers is not None:
        carers = checks.CARERS.check(carers, "carers")
    seed = checks.SEED.check(seed, "seed")
    locality = arguments.locality_of(data, locality)
    providers = arguments.providers_of(providers)
    bases = arguments.bases_of(bases)
    settings = arguments.round_settings_of(settings)
    if progress is not None and not callable(progress):
        raise InputDataError("progress should be a function of (fraction, message), or None.")
    if clients is None or (isinstance(clients, numbers.Real) and not isinstance(clients, bool)):
        count = 40 if clients is None else checks.whole_number(clients, 1, rounds.MAX_PLAN_PLACES, name="clients",
                                                               what="the number of SYNTHETIC clients")
        clients = synthetic_clients(data, locality=locality, clients=count, seed=seed)
    else:
        clients = to_bng(checks.frame_of(clients, "clients", name="clients", what="a client list"), name="clients")
    rounds.check_plan_size(clients)
    settings = settings or round_settings(data, engine, reading=reading, measure_from=measure_from)
    rule = rounds.ZoneRule.for_council(data.council, reading=reading, measure_from=measure_from,
                                       **({} if radius_miles is None else {"radius_miles": radius_miles}))
    return rounds.build_week(data, engine, clients, settings, zone_rule=rule, bases=bases, carers=carers,
                             providers=providers, progress=progress)
