"""What a county collects and when its plan starts: the data elements its monthly reports do not carry
(collection.yaml), the population-based rates that stand in for the services it does not report
(population_rates.yaml), and the plan's first year (timeline.yaml)."""

from __future__ import annotations

from pydantic import Field, field_validator

from fpplan.data.models import Frozen


class NotCollected(Frozen):
    """A data element of config/data_elements.yaml the county's monthly reports do not carry, and why."""

    element: str
    reason: str = Field(min_length=1)


class Collection(Frozen):
    """config/collection.yaml: the elements the county does not collect (default: none). Their columns may be absent
    from ``service_stats``; indicators that need them are 无数据 with the reason; services they count are planned
    from population_rates.yaml."""

    not_collected: tuple[NotCollected, ...] = ()

    @field_validator("not_collected")
    @classmethod
    def _once(cls, value: tuple[NotCollected, ...]) -> tuple[NotCollected, ...]:
        seen = [n.element for n in value]
        twice = sorted({e for e in seen if seen.count(e) > 1})
        if twice:
            raise ValueError(f"element listed twice: {', '.join(twice)}")
        return value

    def reasons(self) -> dict[str, str]:
        """element → the reason it is not collected."""
        return {n.element: n.reason for n in self.not_collected}


class PopulationRate(Frozen):
    """A service's yearly volume per person of its population base (the service's ``base`` in services.yaml)."""

    per_person_year: float = Field(ge=0)
    source: str = Field(min_length=1)


class PopulationRates(Frozen):
    """config/population_rates.yaml: service → the rate used when the county does not report the service's element."""

    source: str
    rates: dict[str, PopulationRate]


class Timeline(Frozen):
    """config/timeline.yaml: when the plan starts.

    ``start_year``: the plan's first year (None: the year after the latest complete year of the vital history, or
    after the population table's year when that is later). The population table is brought forward to the year
    before it with the recorded births, deaths and migration when ``bring_forward`` (fpplan.data.forward)."""

    start_year: int | None = Field(default=None, ge=1990, le=2100)
    bring_forward: bool = True
    source: str = ""
