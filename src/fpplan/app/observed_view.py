"""The county's recent records beside a scenario's inputs, as officials read them (the CLI's ``scenarios`` and
``project`` printouts, notebook 02, the 情景分析 page): every number from :func:`fpplan.demography.observed.observed`
and the scenario file; nothing computed here."""

from __future__ import annotations

import pandas as pd

from fpplan.data.labels import label, language, ui
from fpplan.demography.observed import observed

SHOWN = ["year", "births", "deaths", "in_migrants", "out_migrants", "net_migration", "tfr"]


def observed_table(county, years: int = 5) -> pd.DataFrame:
    """The last ``years`` recorded years with Chinese (or English) headers, persons as whole numbers, TFR to two
    decimals."""
    return format_observed(observed(county, years))


def format_observed(frame: pd.DataFrame) -> pd.DataFrame:
    """:func:`fpplan.demography.observed.observed`'s table (as computed, or as stored with the results) for reading."""
    frame = frame[SHOWN].copy()
    for column in SHOWN[1:-1]:
        frame[column] = frame[column].map(lambda v: f"{v:,.0f}")
    frame["tfr"] = frame["tfr"].map(lambda v: "" if pd.isna(v) else f"{v:.2f}")
    frame["year"] = frame["year"].astype(int).astype(str)
    return frame.rename(columns={c: ui(f"observed_{c}") for c in SHOWN})


def _path(values: dict | None) -> str:
    sep = "、" if language() == "zh" else ", "
    return sep.join(f"{ui('year_value', year=y)} {v:g}" for y, v in sorted((values or {}).items()))


def scenario_line(key: str, scenario) -> str:
    """One scenario's inputs in a sentence: TFR path, yearly net migration path, communities arriving."""
    name = scenario.name.zh if language() == "zh" else scenario.name.en
    tfr = _path(scenario.tfr) if scenario.tfr else ui("scenario_recent_level")
    migration = _path(scenario.net_migration) if scenario.net_migration else ui("scenario_recent_level")
    lumps = "、".join(
        ui("scenario_lump", name=x.name, year=x.year, size=f"{x.size:,.0f}") for x in scenario.lump_inflows
    )
    text = ui("scenario_inputs_line", name=name, file=key, tfr=tfr, migration=migration)
    return text + (ui("scenario_lumps", lumps=lumps) if lumps else "")


def observed_lines(county, scenarios: dict) -> list[str]:
    """The printout: a title, the recent records as a table, then each scenario's inputs."""
    table = observed_table(county)
    lines = [ui("observed_title")]
    lines += table.to_string(index=False).splitlines() if len(table) else [ui("observed_none")]
    lines.append(ui("scenario_inputs_title"))
    lines += [f"- {scenario_line(key, s)}" for key, s in scenarios.items()]
    return lines


def first_year_check(county, projection) -> str | None:
    """The projection's births in its base year beside the births recorded that year, when the records have it."""
    vital = county.vital_history
    row = vital[vital["year"] == projection.inputs.base_year]
    if row.empty:
        return None
    totals = projection.county_total()
    projected = float(
        totals.loc[(totals["trajectory"] == 0) & (totals["year"] == projection.inputs.base_year), "births"].iloc[0]
    )
    recorded = float((row["births_male"] + row["births_female"]).sum())
    return ui(
        "births_check",
        year=projection.inputs.base_year,
        projected=f"{projected:,.0f}",
        recorded=f"{recorded:,.0f}",
        label=label("columns", "births"),
    )
