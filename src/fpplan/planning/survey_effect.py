"""The demand survey drives the plan: "对一年来采集到的群众需求信息进行综合分析，用于制定下一计划生育优质服务工作计划"
(seed 000 第五篇 三(一)4).

- The survey's year: the latest calendar year of the county's demand survey; its needs classed over that year
  (:func:`fpplan.rules.survey.need_classes`: 核心/主要/一般/潜在需求, needs conflicting with law or policy flagged).
- Each service's uplift: config/rules.yaml ``survey.services`` names the services each need asks for and
  ``survey.uplift`` the relative rise a class brings (core: +10%, demo assumption). A service takes the largest
  uplift of the lawful needs asking for it (never their sum: two core needs asking for counselling raise it once);
  a need flagged as conflicting with law or policy raises nothing.
- Volume with the survey = volume × (1 + uplift) in every year after the survey's year (the base year stays as
  reported); the workload and so the WISN staff need rise with it. The plan's volumes, WISN, recruitment and gaps
  are those with the survey; the volumes without it are kept to show what the survey changed.
- Staff need of a service (FTE) = its workload hours / the available working time × the category allowance factor
  (WISN, :mod:`fpplan.planning.staffing`); the individual allowances are not by service (they stay in the
  stations' totals).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from fpplan.rules.survey import year_classes

UPLIFT_COLUMNS = ["service", "needs", "class", "uplift"]
EFFECT_COLUMNS = [
    "service",
    "cadre",
    "needs",
    "class",
    "uplift",
    "volume_without",
    "volume_with",
    "staff_without_fte",
    "staff_with_fte",
]


@dataclass(frozen=True)
class SurveyInputs:
    """What the survey brings to a plan: ``year`` (None: no survey), its ``months`` with data, the needs classed
    (``classes``) and each service's ``uplift`` (service, needs, class, uplift)."""

    year: int | None
    months: int
    classes: pd.DataFrame
    uplift: pd.DataFrame

    def factors(self) -> dict[str, float]:
        """service → 1 + uplift, for the services the survey raises."""
        u = self.uplift[self.uplift["uplift"] > 0]
        return dict(zip(u["service"], 1.0 + u["uplift"].astype(float)))


def service_uplift(classes: pd.DataFrame, rules, services) -> pd.DataFrame:
    """service, needs (';'-joined codes of the lawful needs asking for it), class (the highest of their classes),
    uplift (the largest of their classes' uplifts), for every service of ``services`` some need asks for."""
    order = {c.code: k for k, c in enumerate(rules.classes)}
    lawful = classes[~classes["conflict"].astype(bool).to_numpy()]
    pairs = pd.DataFrame(
        [(need, service) for need in lawful["need"] for service in rules.services.get(need, ()) if service in services],
        columns=["need", "service"],
    )  # tens of needs
    if pairs.empty:
        return pd.DataFrame({c: pd.Series(dtype=float if c == "uplift" else object) for c in UPLIFT_COLUMNS})
    pairs["class"] = pairs["need"].map(lawful.set_index("need")["class"])
    pairs["rank"] = pairs["class"].map(order)
    pairs["uplift"] = pairs["class"].map({k: u.uplift for k, u in rules.uplift.items()}).fillna(0.0)
    pairs = pairs.sort_values(["service", "rank", "need"])
    out = pairs.groupby("service", sort=True).agg(
        needs=("need", ";".join), **{"class": ("class", "first")}, uplift=("uplift", "max")
    )
    return out.reset_index()[UPLIFT_COLUMNS]


def survey_inputs(county) -> SurveyInputs:
    """The latest year of the county's demand survey, its needs classed and each service's uplift; without a
    survey: year None and nothing raised."""
    rules = county.config["rules"].survey
    services = set(county.config["services"].services)
    survey = county.survey
    if not county.has("survey") or survey.empty:
        empty = service_uplift(pd.DataFrame(columns=["need", "class", "conflict"]), rules, services)
        return SurveyInputs(None, 0, pd.DataFrame(columns=["need", "class", "conflict"]), empty)
    months = survey["month"].astype(str)
    year = int(months.str[:4].max())
    classes = year_classes(county, year)
    return SurveyInputs(
        year, int(months[months.str[:4] == str(year)].nunique()), classes, service_uplift(classes, rules, services)
    )


def apply(volumes: pd.DataFrame, factors: dict[str, float], after_year: int | None) -> pd.DataFrame:
    """``volumes`` (station, service, cadre, year, volume, workload_hours) with volume and workload × the service's
    factor in the years after ``after_year`` (the survey's year); unchanged without a survey."""
    if after_year is None or not factors:
        return volumes
    factor = volumes["service"].map(factors).fillna(1.0).to_numpy(float)
    factor = np.where(volumes["year"].to_numpy() > after_year, factor, 1.0)
    return volumes.assign(volume=volumes["volume"] * factor, workload_hours=volumes["workload_hours"] * factor)


def effect_table(
    without: pd.DataFrame,
    with_survey: pd.DataFrame,
    uplift: pd.DataFrame,
    year: int,
    available_hours: float,
    caf: float,
) -> pd.DataFrame:
    """Per service in ``year``: cadre, needs, class, uplift, the county's volume without and with the survey and the
    staff need of the service (FTE, module docstring) without and with it."""
    keys = ["service", "cadre"]
    a = without[without["year"] == year].groupby(keys)[["volume", "workload_hours"]].sum()
    b = with_survey[with_survey["year"] == year].groupby(keys)[["volume", "workload_hours"]].sum()
    out = pd.DataFrame(
        {
            "volume_without": a["volume"],
            "volume_with": b["volume"].reindex(a.index),
            "staff_without_fte": a["workload_hours"] / available_hours * caf,
            "staff_with_fte": b["workload_hours"].reindex(a.index) / available_hours * caf,
        }
    ).reset_index()
    out = out.merge(uplift, on="service", how="left").fillna({"uplift": 0.0})
    return out[EFFECT_COLUMNS].sort_values(["uplift", "service"], ascending=[False, True]).reset_index(drop=True)
