"""The plan's own numbers: natural and mechanical growth rates (‰) per year from the projection, held against the
county's limit on natural growth (seed 004: 自然增长率控制在7.5‰以下). The seed's whole construction case rests on
them: "根据人口机械增长率和人口自然增长率测算" the county's population by the plan year (seed 000 §三(二)).

natural = (births − deaths) / mid-year population × 1000; mechanical = net migration / mid-year population × 1000
(fpplan.demography Projection.series); total = natural + mechanical. A stochastic projection is summarised by the
median over trajectories.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from fpplan.data.models.indicators import Catalogue, Target
from fpplan.indicators.catalogue import resolved_targets, status, target_for, target_text

TARGET_SET = "seed004_county"


def growth_target(catalogue: Catalogue, target_set: str | None = None) -> Target | None:
    """The yearly county target of natural_growth_rate in ``target_set`` (default seed004_county, which states it)."""
    targets = resolved_targets(catalogue, target_set or TARGET_SET).get("natural_growth_rate")
    return target_for(targets, "county", "year")


def growth_rates(summary: pd.DataFrame, target: Target | None, county_code: str | None = None) -> pd.DataFrame:
    """region, year, natural_growth_per_mille, mechanical_growth_per_mille, total_growth_per_mille, target, status
    (green / red against ``target`` for the natural rate) per region and year; the last projected year (no flows)
    is left out. ``summary``: Projection.summary (or its county rows); ``county_code``: keep only the county."""
    frame = summary if county_code is None else summary[summary["region"] == county_code]
    columns = ["natural_growth_per_mille", "mechanical_growth_per_mille"]
    out = frame.groupby(["region", "year"], as_index=False)[columns].median().dropna(subset=columns)
    out["total_growth_per_mille"] = out[columns].sum(axis=1)
    out["target"] = target_text(target)
    light = status(out["natural_growth_per_mille"].to_numpy(), target)
    out["status"] = np.asarray(light, dtype=object)
    return out.reset_index(drop=True)


def projection_growth(projection, catalogue: Catalogue, target_set: str | None = None) -> pd.DataFrame:
    """:func:`growth_rates` of a Projection's county rows against the natural-growth target."""
    return growth_rates(projection.county_total(), growth_target(catalogue, target_set), projection.inputs.county_code)
