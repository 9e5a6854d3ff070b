"""Service demand: which station serves whom, service rates from the village reports, and yearly volumes
per station from the population projection.

- Catchment (config/services.yaml): a village is served by its township's station; a service marked ``central``
  goes to the central station whose ``serves`` lists the township (its own station otherwise), ``county`` to
  the county station, ``mobile`` to the mobile vehicle serving the township for villages farther than
  ``mobile_distance_km`` from their station.
- Rate of a service in a township = its yearly volume (the mean month over the last ``rate_months`` months of
  reports × 12; months a village did not report are filled with that village's mean) / the township's population
  base in the base year.
- Volume(station, service, year) = Σ over its villages of rate × the village's share of the township base ×
  the township's projected base in that year.
- Forecast: each service's county monthly volume, ETS(A,N,A) (additive level and 12-month season, statsmodels
  ``ETSModel``) for the next 12 months with an 80% interval: a check on the rates. With three years of reports a
  damped trend over-fits the campaign months (it forecast RTI screening 32% down on flat demo data), so no trend
  term is fitted; a rate that really moves shows as a level shift. A season needs two full cycles: with 6–23 months
  of reports the forecast is ETS(A,N,N) without a season (the report says so), with fewer there is none.
- Services whose data element the county does not collect (config/collection.yaml) take their rate from
  config/population_rates.yaml (``rate_from`` = ``population_rate``).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from fpplan.data.memo import per_county
from fpplan.data.models.planning import ServicesConfig
from fpplan.data.readiness import FORECAST_MIN_MONTHS, SEASONAL_MIN_MONTHS  # what each use of the reports needs

BASES = ("married_women_15_49", "women_15_49", "births", "population", "men_15_64")


def catchments(county, config: ServicesConfig) -> pd.DataFrame:
    """village_code, township_code, and the station serving it for each kind of place (own, central, county,
    mobile)."""
    fac = county.facilities
    villages = county.places().rename(columns={"code": "village_code"})
    stations = fac[fac["level"].isin(["county_station", "township_central", "township_general"])]
    own = stations.drop_duplicates("township_code").set_index("township_code")["code"]
    county_station = stations.loc[stations["level"] == "county_station", "code"]
    county_code = county_station.iloc[0] if len(county_station) else None

    def served_by(level: str) -> pd.Series:
        rows = fac[fac["level"] == level].assign(serves=lambda f: f["serves"].fillna("").str.split(r"[;；,，、]"))
        pairs = rows.explode("serves")
        pairs = pd.concat([pairs.assign(serves=pairs["serves"].str.strip()), rows.assign(serves=rows["township_code"])])
        return pairs[pairs["serves"] != ""].drop_duplicates("serves").set_index("serves")["code"]

    out = villages.assign(own=villages["township_code"].map(own))
    central = out["township_code"].map(served_by("township_central"))
    out["central"] = central.where(central.notna(), out["own"])
    out["county"] = county_code if county_code is not None else out["own"]
    remote = out["distance_km"].fillna(0) > config.mobile_distance_km
    mobile = out["township_code"].map(served_by("mobile_vehicle"))
    out["mobile"] = mobile.where(remote & mobile.notna(), out["own"])
    return out.drop(columns="distance_km")


def village_bases(county) -> pd.DataFrame:
    """Base-year population bases per village: women 15–49, married women 15–49 (the township's married shares
    where given, else the county's), population, men 15–64, births (the village's share of its township's women
    15–49 × the township's latest births)."""
    pop = county.village_population()
    ages = pop["age"]
    women = pop[(pop["sex"] == "female") & ages.between(15, 49)]
    share = county.married_share
    county_share = women["age"].map(share[share["township_code"].isna()].set_index("age")["share"])
    own = share.dropna(subset=["township_code"]).set_index(["township_code", "age"])["share"]
    keys = pd.MultiIndex.from_arrays([women["township_code"], women["age"]])
    married = women["population"] * own.reindex(keys).to_numpy()
    married = married.fillna(women["population"] * county_share)
    frame = pd.DataFrame(
        {
            "women_15_49": women.groupby("village_code")["population"].sum(),
            "married_women_15_49": married.groupby(women["village_code"]).sum(),
            "population": pop.groupby("village_code")["population"].sum(),
            "men_15_64": pop[(pop["sex"] == "male") & ages.between(15, 64)].groupby("village_code")["population"].sum(),
        }
    ).fillna(0.0)
    frame["township_code"] = frame.index.map(
        pop.drop_duplicates("village_code").set_index("village_code")["township_code"]
    )
    vital = county.vital_history[county.vital_history["year"] == county.vital_history["year"].max()]
    births = (vital["births_male"] + vital["births_female"]).groupby(vital["township_code"]).sum()
    women_share = frame["women_15_49"] / frame.groupby("township_code")["women_15_49"].transform("sum")
    frame["births"] = women_share * frame["township_code"].map(births).fillna(0.0)
    return frame.rename_axis("village_code").reset_index()


def uncollected_services(county, config: ServicesConfig) -> dict[str, str]:
    """service → its data element, for the services whose element the county does not collect
    (config/collection.yaml): they are planned from config/population_rates.yaml."""
    model = county.config.get("collection")
    missing = model.reasons() if model is not None else {}
    return {name: s.element for name, s in config.services.items() if s.element in missing}


def _own_services(county, config: ServicesConfig) -> bool:
    """Whether ``config`` is the county's own services config (what is derived from it is kept on the County:
    fpplan.data.memo)."""
    own = getattr(county, "config", None)
    return isinstance(own, dict) and own.get("services") is config


def service_rates(county, config: ServicesConfig) -> pd.DataFrame:
    """township_code, service, annual_volume, base, base_value, rate (per person of the base per year), rate_from
    (``reports``, or ``population_rate`` for a service whose element the county does not collect: the rate of
    config/population_rates.yaml, the volume that rate × the base)."""
    if _own_services(county, config):
        return _county_service_rates(county)
    return _service_rates(county, config)


@per_county
def _county_service_rates(county) -> pd.DataFrame:
    return _service_rates(county, county.config["services"])


def _service_rates(county, config: ServicesConfig) -> pd.DataFrame:
    stats = county.service_stats
    months = sorted(stats["month"].unique())[-config.rate_months :]
    recent = stats[stats["month"].isin(months)]
    elements = sorted({s.element for s in config.services.values()})
    # a village's missing months are filled with its mean month, so a missing report does not lower the rate; the
    # mean month times 12 is a year's volume (also when fewer than 12 months have been reported)
    per_village = recent.groupby("village_code")[elements].mean() * 12
    bases = village_bases(county).set_index("village_code")
    per_village = per_village.reindex(bases.index).fillna(0.0)
    by_township = per_village.groupby(bases["township_code"]).sum()
    base_totals = bases.groupby("township_code")[list(BASES)].sum()
    rows = []
    for name, s in config.services.items():
        volume = by_township[s.element]
        base = base_totals[s.base]
        rows.append(
            pd.DataFrame(
                {
                    "township_code": volume.index,
                    "service": name,
                    "annual_volume": volume.to_numpy(),
                    "base": s.base,
                    "base_value": base.reindex(volume.index).to_numpy(),
                }
            )
        )
    rates = pd.concat(rows, ignore_index=True)
    rates["rate"] = rates["annual_volume"] / rates["base_value"].where(rates["base_value"] > 0)
    rates = rates.fillna({"rate": 0.0})
    fallback = uncollected_services(county, config)
    by_population = rates["service"].isin(list(fallback))
    if by_population.any():
        table = county.config["population_rates"].rates
        rates.loc[by_population, "rate"] = (
            rates.loc[by_population, "service"]
            .map({name: table[name].per_person_year for name in fallback})
            .to_numpy(float)
        )
        rates.loc[by_population, "annual_volume"] = (
            rates.loc[by_population, "rate"] * rates.loc[by_population, "base_value"]
        )
    rates["rate_from"] = np.where(by_population, "population_rate", "reports")
    return rates


def projected_bases(projection, trajectory: int = 0) -> pd.DataFrame:
    """region, year and every population base from a projection (``fpplan.demography.Projection``)."""
    s = projection.summary
    s = s[(s["trajectory"] == trajectory) & (s["region"] != projection.inputs.county_code)]
    men = projection.array[trajectory, :, :, 0, 15:65].sum(-1)
    births = s["births"].copy()
    births = births.fillna(s.groupby("region")["births"].ffill())  # the last year's births: the year before's
    out = s[["region", "year", "population", "women_15_49", "married_women_15_49"]].assign(births=births)
    out["men_15_64"] = men.reshape(-1)
    return out.rename(columns={"region": "township_code"})


def coefficients(county, config: ServicesConfig) -> pd.DataFrame:
    """station, service, cadre, unit_time_hours, township_code, base, coef: the yearly volume a station gets per
    person of a township's population base (rate × the share of that base living in the villages it serves).
    Computed once per County for its own services config (every scenario's plan and the explorer ask for it)."""
    if _own_services(county, config):
        return _county_coefficients(county)
    return _coefficients(county, config)


@per_county
def _county_coefficients(county) -> pd.DataFrame:
    return _coefficients(county, county.config["services"])


def _coefficients(county, config: ServicesConfig) -> pd.DataFrame:
    rates = service_rates(county, config)
    bases = village_bases(county)
    places = catchments(county, config)
    rows = []
    for name, s in config.services.items():  # about fifteen services
        share = bases[s.base] / bases.groupby("township_code")[s.base].transform("sum")
        v = places.assign(share=share.fillna(0.0).to_numpy(), station=places[s.where])
        per = v.groupby(["station", "township_code"], as_index=False)["share"].sum()
        rate = rates[rates["service"] == name].set_index("township_code")["rate"]
        rows.append(
            per.assign(
                service=name,
                cadre=s.cadre,
                unit_time_hours=s.unit_time_hours,
                base=s.base,
                coef=per["share"] * per["township_code"].map(rate).fillna(0.0),
            )
        )
    return pd.concat(rows, ignore_index=True).drop(columns="share")


def volumes_from(coef: pd.DataFrame, bases: pd.DataFrame) -> pd.DataFrame:
    """station, service, cadre, year, volume, workload_hours from coefficients and projected bases
    (township_code, year and one column per base)."""
    long = bases.melt(
        id_vars=["township_code", "year"], value_vars=list(BASES), var_name="base", value_name="base_value"
    )
    grid = coef.merge(long, on=["township_code", "base"])
    grid["volume"] = grid["coef"] * grid["base_value"]
    grid["workload_hours"] = grid["volume"] * grid["unit_time_hours"]
    return grid.groupby(["station", "service", "cadre", "year"], as_index=False)[["volume", "workload_hours"]].sum()


def forecast_method(months: int) -> str:
    """The forecast ``forecast`` makes from ``months`` months of reports: ``seasonal`` ETS(A,N,A) from 24 months,
    ``level`` ETS(A,N,N) (simple exponential smoothing, no season: a flat forecast at the smoothed level) from 6,
    ``none`` below."""
    return "seasonal" if months >= SEASONAL_MIN_MONTHS else "level" if months >= FORECAST_MIN_MONTHS else "none"


def forecast(county, config: ServicesConfig, months_ahead: int = 12, alpha: float = 0.2) -> pd.DataFrame:
    """service, method, last_12_months, forecast_12_months, lower, upper (80%), trend (forecast / last year), one
    row per service the county reports (services of uncollected elements are left out). ``method``: see
    :func:`forecast_method`; with fewer than 12 months, ``last_12_months`` is the mean month × 12. Months with no
    report at all are interpolated."""
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    columns = ["service", "method", "last_12_months", "forecast_12_months", "lower", "upper", "trend"]
    chosen = {name: s for name, s in config.services.items() if name not in uncollected_services(county, config)}
    stats = county.service_stats
    if stats.empty or not chosen:
        return pd.DataFrame(columns=columns)
    monthly = stats.groupby("month")[sorted({s.element for s in chosen.values()})].sum().sort_index()
    monthly.index = pd.PeriodIndex(monthly.index, freq="M").to_timestamp()
    monthly = monthly.asfreq("MS").interpolate()
    method = forecast_method(len(monthly))
    if method == "none":
        return pd.DataFrame(columns=columns)
    seasonal = {"seasonal": "add", "seasonal_periods": 12} if method == "seasonal" else {}
    rows = []
    for name, s in chosen.items():  # about fifteen services
        series = monthly[s.element].astype(float)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fit = ETSModel(series, error="add", trend=None, **seasonal).fit(disp=False)
            pred = fit.get_prediction(start=len(series), end=len(series) + months_ahead - 1)
            frame = pred.summary_frame(alpha=alpha)
        last = series.iloc[-12:].mean() * 12
        total = float(frame["mean"].sum())
        # interval of the 12-month total from the monthly intervals' half-widths, treated as independent
        half = float(np.sqrt(((frame["pi_upper"] - frame["mean"]) ** 2).sum()))
        rows.append(
            {
                "service": name,
                "method": method,
                "last_12_months": last,
                "forecast_12_months": total,
                "lower": total - half,
                "upper": total + half,
                "trend": total / last if last else np.nan,
            }
        )
    return pd.DataFrame(rows, columns=columns)


def village_people(county, projection) -> pd.DataFrame:
    """village_code, township_code, year, women_15_49, married_women_15_49, migrant_women by projection year: each
    township's projected women shared among its villages as in the base year; migrant women as the share of married
    women the last twelve months of reports count (spatial.yaml ``mobile.migrant_share`` where none): the people
    the map's coverage, mobile rounds and sites count (``fpplan.spatial.spatial_results``)."""
    bases = village_bases(county)
    projected = projected_bases(projection)
    people = ["women_15_49", "married_women_15_49"]
    share = bases[people] / bases.groupby("township_code")[people].transform("sum").where(lambda f: f > 0)
    share = share.fillna(0.0).assign(village_code=bases["village_code"], township_code=bases["township_code"])
    grid = share.merge(projected[["township_code", "year", *people]], on="township_code", suffixes=("_share", ""))
    out = grid[["village_code", "township_code", "year"]].copy()
    for p in people:
        out[p] = grid[f"{p}_share"] * grid[p]
    stats = county.service_stats
    ratio = pd.Series(np.nan, index=bases["village_code"])
    if "migrant_women" in stats and len(stats):
        months = sorted(stats["month"].unique())[-12:]
        migrants = stats[stats["month"].isin(months)].groupby("village_code")["migrant_women"].mean()
        married = bases.set_index("village_code")["married_women_15_49"]
        ratio = migrants.reindex(married.index) / married.where(married > 0)
    fallback = county.config["spatial"].mobile.migrant_share.value
    out["migrant_women"] = out["married_women_15_49"] * out["village_code"].map(ratio).fillna(fallback).to_numpy()
    return out.sort_values(["village_code", "year"]).reset_index(drop=True)
