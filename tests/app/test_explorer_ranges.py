"""The scenario explorer's sliders span what config/bounds.yaml calls plausible and the county's own years, never a
range written into the page."""

from __future__ import annotations

from fpplan.app.explorer import control_ranges
from fpplan.data.config import load


def test_the_sliders_span_the_bounds_and_the_horizon() -> None:
    bounds = load("bounds")  # TFR 0.5–4, e0 40–95, net migration up to 5% a year, one inflow up to half the county
    start = {"tfr": 1.2, "e0": 80.0, "migration": -900.0, "farm_year": 2028, "farm_size": 9000.0}
    ranges = control_ranges(bounds, 2025, 2035, 170_000.0, [start])
    assert ranges["tfr"] == {"min": 0.5, "max": 4.0} and ranges["e0"] == {"min": 40, "max": 95}
    assert ranges["migration"] == {"min": -8500.0, "max": 8500.0}  # 5% of 170,000, to the hundred
    assert ranges["farm_size"] == {"min": 0.0, "max": 85_000.0}  # half of 170,000, to the 500
    assert ranges["farm_year"] == {"min": 2026, "max": 2035}  # after the base year, up to the horizon
    # a scenario of the county's own beyond a bound (a later farm, a 2040 horizon) widens its slider
    late = start | {"farm_year": 2040, "tfr": 4.4}
    wider = control_ranges(bounds, 2025, 2035, 170_000.0, [start, late])
    assert wider["farm_year"]["max"] == 2040 and wider["tfr"]["max"] == 4.4
