"""One adapter per publisher's data (see :class:`layers.refresh.sources.base.Source`), in the order a refresh runs
them: a source checked against another's table comes after it (boundaries and population after the lookups)."""

from __future__ import annotations

from layers.refresh.sources.base import Source
from layers.refresh.sources.cqc import CareHomesSource
from layers.refresh.sources.gp import GPPracticesSource
from layers.refresh.sources.ons import BoundariesSource, LookupsSource, RuralUrbanSource
from layers.refresh.sources.population import PopulationSource
from layers.refresh.sources.postcodes import PostcodesSource
from layers.refresh.sources.projections import ProjectionsSource


def all_sources() -> dict[str, Source]:
    """A fresh adapter for each source, by name, in the order they run."""
    sources = (LookupsSource(), BoundariesSource(), RuralUrbanSource(), PopulationSource(), ProjectionsSource(),
               PostcodesSource(), GPPracticesSource(), CareHomesSource())
    return {source.name: source for source in sources}


SOURCE_NAMES: tuple[str, ...] = tuple(all_sources())
"""What ``--refresh`` accepts besides ``all``."""
