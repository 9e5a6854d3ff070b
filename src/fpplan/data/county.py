"""Loading a county: its folder of tables and configuration, validated, as one typed :class:`County`.

``load_county`` reads every table (see :mod:`fpplan.data.schema`), checks each column and every cross-table rule,
and raises :class:`fpplan.DataError` listing all problems at once; it never writes to the folder.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from functools import cache, partial
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from fpplan.data import crosschecks as cc
from fpplan.data import rhythm_checks, validation
from fpplan.data.agesplit import split_groups
from fpplan.data.config import load_config
from fpplan.data.errors import DataError, Problem
from fpplan.data.folder import input_digests
from fpplan.data.geography import Geography, check_coordinates, load_geography
from fpplan.data.labels import Text, label, language, normalise
from fpplan.data.memo import callers_copy, per_county
from fpplan.data.readers import find_table_files, locate, read_raw
from fpplan.data.scenarios import CountyFacts, check_scenario, read_scenarios
from fpplan.data.schema import TABLES, Table
from fpplan.data.validation import scientific, validate_table


@dataclass(frozen=True)
class County:
    """A validated county. Tables and their columns are documented in docs/architecture.md and schema.py."""

    path: Path
    base_year: int
    units: pd.DataFrame
    population: pd.DataFrame
    vital_history: pd.DataFrame
    married_share: pd.DataFrame
    facilities: pd.DataFrame
    staff: pd.DataFrame
    construction_plan: pd.DataFrame
    disbursement: pd.DataFrame
    service_stats: pd.DataFrame
    survey: pd.DataFrame
    exam_scores: pd.DataFrame
    budget: pd.DataFrame
    survey_rounds: pd.DataFrame
    training_register: pd.DataFrame
    subsidy_granted: pd.DataFrame
    equipment: pd.DataFrame
    population_history: pd.DataFrame
    supervision: pd.DataFrame  # the working rhythm (fpplan.data.rhythm_checks; docs/architecture.md)
    work_register: pd.DataFrame
    contraceptive_supply: pd.DataFrame
    village_rooms: pd.DataFrame
    config: dict[str, Any] = field(repr=False)
    scenarios: dict[str, Any] = field(default_factory=dict, repr=False)  # file stem → checked Scenario
    geography: Geography = field(default_factory=Geography, repr=False)  # boundary and road files (data.geography)
    files: dict[str, str] = field(default_factory=dict, repr=False)  # table → the file it was read from (problems)
    # optional tables the county did not hand in (no file; a monthly table with no rows in the store): commands say
    # what they could not assess instead of reading an empty table as "nothing there"
    absent: frozenset[str] = field(default_factory=frozenset, repr=False)
    # the population table as read (``population`` may have been brought forward to ``base_year``: census_year)
    census_year: int | None = field(default=None, repr=False)
    census_population: pd.DataFrame | None = field(default=None, repr=False)

    def has(self, table: str) -> bool:
        """Whether the county handed in ``table`` (an optional table may be absent)."""
        return table not in self.absent

    def census(self) -> County:
        """The county with its population table as read (the census year as base year), e.g. to back-test."""
        if self.census_population is None or self.census_year == self.base_year:
            return self
        return replace(self, population=self.census_population, base_year=self.census_year)

    @property
    @per_county
    def county_code(self) -> str:
        return str(self.units.loc[self.units["level"] == "county", "code"].iloc[0])

    @per_county
    def townships(self) -> pd.DataFrame:
        return self.units[self.units["level"] == "township"].reset_index(drop=True)

    @per_county
    def villages(self) -> pd.DataFrame:
        """Villages with their ``township_code``."""
        villages = self.units[self.units["level"] == "village"]
        return villages.assign(township_code=villages["parent_code"]).reset_index(drop=True)

    @per_county
    def places(self) -> pd.DataFrame:
        """The places services are planned for: every village (code, township_code, distance_km), plus each
        township that has no villages, standing for itself."""
        villages = self.villages()[["code", "township_code", "distance_km"]]
        childless = self.townships()[~self.townships()["code"].isin(villages["township_code"])]
        alone = pd.DataFrame({"code": childless["code"], "township_code": childless["code"], "distance_km": 0.0})
        return pd.concat([villages, alone], ignore_index=True)

    @per_county
    def village_population(self) -> pd.DataFrame:
        """Base-year population by place (village_code, township_code, sex, age, population). A township given
        as a whole is spread over its inhabited villages in equal shares (the data say nothing better)."""
        places = self.places()
        places = places[~places["code"].isin(self.units.loc[cc.uninhabited(self.units), "code"])]
        pop = self.population
        by_place = pop[pop["unit_code"].isin(places["code"])]
        whole = pop[~pop["unit_code"].isin(places["code"])].rename(columns={"unit_code": "township_code"})
        spread = whole.merge(
            places.rename(columns={"code": "unit_code"})[["unit_code", "township_code"]], on="township_code"
        )
        spread["population"] = spread["population"] / spread.groupby(["township_code", "sex", "age"])[
            "unit_code"
        ].transform("size")
        out = pd.concat(
            [
                by_place.assign(township_code=by_place["unit_code"].map(places.set_index("code")["township_code"])),
                spread,
            ],
            ignore_index=True,
        )
        return out.rename(columns={"unit_code": "village_code"})[
            ["village_code", "township_code", "sex", "age", "population"]
        ]

    @per_county
    def township_population(self) -> pd.DataFrame:
        """Base-year population by township_code, sex, age (villages summed to their township)."""
        parent = self.units.set_index("code")["parent_code"]
        level = self.units.set_index("code")["level"]
        unit = self.population["unit_code"]
        township = unit.where(unit.map(level) == "township", unit.map(parent))
        pop = self.population.assign(township_code=township)
        return pop.groupby(["township_code", "sex", "age"], as_index=False)["population"].sum()


def element_aliases(config: dict[str, Any]) -> dict[str, str]:
    """Accepted report headers for each data element (code, zh, en) → element code."""
    model = config.get("data_elements")
    if model is None:
        return {}
    return {normalise(n): code for code, e in model.elements.items() for n in (code, e.zh, e.en)}


def not_collected(config: dict[str, Any]) -> dict[str, str]:
    """Data elements the county does not collect (config/collection.yaml) → the reason."""
    model = config.get("collection")
    return model.reasons() if model is not None else {}


def with_all_elements(stats: pd.DataFrame, config: dict[str, Any]) -> pd.DataFrame:
    """``service_stats`` with a column for every data element: an element the county does not collect (or a store
    that never held it) is a blank column, so every reader finds it and reads "no data"."""
    model = config.get("data_elements")
    if model is None:
        return stats
    missing = [code for code in model.elements if code not in stats.columns]
    return stats.assign(**{code: np.nan for code in missing}) if missing else stats


def collection_problems(config: dict[str, Any], county_dir: Path | None) -> list[Problem]:
    """config/collection.yaml against the other config: every element it names is a data element, and every
    service whose element is not collected has a population-based rate (config/population_rates.yaml)."""
    from fpplan.data.config import config_path

    if any(config.get(name) is None for name in ("collection", "data_elements", "services", "population_rates")):
        return []
    known = config["data_elements"].elements
    file = str(config_path(county_dir, "collection"))
    problems = [
        Problem(
            file=file,
            kind="unknown_element",
            column=f"not_collected.{k}.element",
            value=n.element,
            detail="、".join(f"{code}（{getattr(e, language())}）" for code, e in known.items()),
        )
        for k, n in enumerate(config["collection"].not_collected)
        if n.element not in known
    ]
    problems += _undefined_elements(config, county_dir)
    uncollected = not_collected(config)
    rates = config["population_rates"].rates
    problems += [
        Problem(
            file=str(config_path(county_dir, "population_rates")),
            kind="no_population_rate",
            column=s.element,
            value=name,
        )
        for name, s in config["services"].services.items()
        if s.element in uncollected and name not in rates
    ]
    return problems


def _undefined_elements(config: dict[str, Any], county_dir: Path | None) -> list[Problem]:
    """Services and report indicators that count a data element config/data_elements.yaml does not define (an
    element cut from it instead of being declared not collected)."""
    from fpplan.data.config import config_path
    from fpplan.data.models.indicators import EXTRA_ELEMENTS, elements_of

    known = set(config["data_elements"].elements) | set(EXTRA_ELEMENTS)
    problems = [
        Problem(
            file=str(config_path(county_dir, "services")),
            kind="element_not_defined",
            column=f"services.{name}.element",
            value=s.element,
        )
        for name, s in config["services"].services.items()
        if s.element not in known
    ]
    catalogue = config.get("indicators")
    for code, ind in catalogue.indicators.items() if catalogue is not None else ():
        if ind.data == "report":
            problems += [
                Problem(
                    file=str(config_path(county_dir, "indicators")),
                    kind="element_not_defined",
                    column=f"indicators.{code}",
                    value=e,
                )
                for e in dict.fromkeys(elements_of(ind.numerator) + elements_of(ind.denominator or ""))
                if e not in known
            ]
    return problems


def equipment_aliases(config: dict[str, Any]) -> dict[str, str]:
    """Accepted names of each equipment item (code, zh, en; config/equipment.yaml) → item code."""
    model = config.get("equipment")
    if model is None:
        return {}
    return {normalise(n): code for code, item in model.items.items() for n in (code, item.zh, item.en)}


def _empty(table: Table) -> pd.DataFrame:
    return pd.DataFrame(
        {c.name: pd.Series(dtype=float if c.kind in ("int", "float") else object) for c in table.columns}
    )


def read_table(path: str | Path, table: str, county_dir: str | Path | None = None) -> pd.DataFrame:
    """One table file, read and checked column by column; with ``county_dir``, its codes are also checked against
    the county's (villages, townships, units, stations and staff that exist). Raises DataError."""
    frame, problems = read_table_checked(path, table, county_dir)
    if problems:
        raise DataError(problems)
    return frame


def read_table_checked(
    path: str | Path, table: str, county_dir: str | Path | None = None, county: County | None = None
) -> tuple[pd.DataFrame | None, list[Problem]]:
    """One table file and its problems: the typed table (rows that could be read; None when the file could not
    be read at all), so that callers can add their own checks and report every problem at once. With
    ``county_dir``, codes are checked against the county's (see ``read_table``), its configuration and tables read
    from the folder; with ``county`` (a validated County: what a workspace holds), against that County's
    configuration and tables, nothing else read."""
    path = Path(path)
    if county is not None:
        config, problems = county.config, []
        table_of = partial(getattr, county)
    else:
        config, problems = load_config(Path(county_dir) if county_dir else None)
        table_of = _folder_tables(Path(county_dir)) if county_dir else None
    sheets: dict[int, str] = {}
    frame, found = _read(path, TABLES[table], element_aliases(config), sheets, frozenset(not_collected(config)))
    problems += found
    if table_of is not None and frame is not None:
        problems += locate(_against_county(frame, table, table_of, str(path)), {str(path): sheets})
    if frame is not None and table in rhythm_checks.TABLES:  # the working rhythm's own rules, before any import
        units = table_of("units") if table_of is not None else None
        problems += locate(rhythm_checks.check_table(frame, table, str(path), units, config), {str(path): sheets})
    return (None if frame is None else _finish(frame, TABLES[table])), problems


# a code column → the table it refers to and the level of unit it must be (None: any)
REFERENCES = {
    "village_code": ("units", "village"),
    "township_code": ("units", "township"),
    "unit_code": ("units", None),
    "station_code": ("facilities", None),
    "staff_id": ("staff", None),
}
_KEYS = {"units": "code", "facilities": "code", "staff": "staff_id"}


def _folder_tables(county_dir: Path):
    """``name → table`` of the county folder's own files, each read once when first asked for; None for a table
    the folder lacks or that does not pass its own checks (``fpplan validate`` names their problems)."""
    files, _ = find_table_files(county_dir) if county_dir.is_dir() else ({}, [])

    @cache
    def table_of(name: str) -> pd.DataFrame | None:
        found = files.get(name)
        read, bad = _read(found, TABLES[name], {}, {}) if found else (None, [])
        return None if bad else read

    return table_of


def _against_county(frame: pd.DataFrame, table: str, table_of, file: str) -> list[Problem]:
    """Codes of ``frame`` the county does not have (``table_of(name)``: the county's units, facilities or staff;
    None: not checked)."""
    problems = []
    for column, (target, level) in REFERENCES.items():
        if column not in frame or target == table:
            continue
        other = table_of(target)
        if other is None:
            continue
        codes = other[_KEYS[target]] if level is None else other.loc[other["level"] == level, "code"]
        named = ~scientific(frame[column])  # already named as such
        problems += cc.references(frame[named], column, pd.Index(codes), file, label("tables", target))
    return problems


def _read(
    path: Path,
    table: Table,
    elements: dict[str, str],
    sheets: dict[int, str],
    uncollected: frozenset[str] = frozenset(),
) -> tuple[pd.DataFrame | None, list[Problem]]:
    """One file read and checked column by column; ``sheets`` receives its sheet names (see ``readers.locate``);
    ``uncollected``: data elements the county does not collect (they may be absent)."""
    raw, problems = read_raw(path, sheets)
    if raw is None:
        return None, problems
    frame, problems = validate_table(raw, table, str(path), elements, uncollected)
    return frame, locate(problems, {str(path): sheets})


def _finish(frame: pd.DataFrame, table: Table) -> pd.DataFrame:
    """Whole-number columns without blanks become int64; the index is reset."""
    for column in table.columns:
        if column.kind == "int" and column.name in frame and frame[column.name].notna().all():
            frame[column.name] = frame[column.name].astype(np.int64)
    return frame.reset_index(drop=True)


def _split_population(pop: pd.DataFrame, file: str) -> tuple[pd.DataFrame, list[Problem]]:
    """Population given in 5-year groups (0-4 … 95-99, 100+) → single years 0–100 (Sprague; fpplan.data.agesplit)."""
    cells = pop.groupby("unit_code").size()
    problems = [
        Problem(
            file=file,
            kind="incomplete",
            column="age_group",
            value=code,
            detail=Text("lang_age_group_cells", code=code, n=n),
        )
        for code, n in cells[cells != 42].items()
    ]
    if problems:
        return pop, problems
    wide = pop.pivot_table(index=["year", "unit_code", "sex"], columns="age", values="population", aggfunc="sum")
    wide = wide.reindex(columns=np.arange(0, 101, 5, dtype=float), fill_value=0.0)
    single = split_groups(wide.to_numpy())
    out = pd.DataFrame(single, index=wide.index, columns=np.arange(101)).stack().rename("population").reset_index()
    out = out.rename(columns={"level_3": "age"})[["year", "unit_code", "sex", "age", "population"]]
    return out, []


def load_county(
    path: str | Path,
    stored: dict[str, pd.DataFrame] | None = None,
    store_name: str = "",
    only: tuple[str, ...] | None = None,
    optional: tuple[str, ...] = (),
) -> County:
    """Read and validate the county folder at ``path``; raises DataError with every problem found.

    ``stored``: the monthly tables as the workspace's store holds them (``fpplan.data.workspace``): they are
    taken from there instead of the folder's files (they were validated when imported; cross-table rules still
    run, naming ``store_name``); ``{}``: the monthly tables left empty (the workspace's static county). ``only``:
    read only these tables (each required unless optional in the schema or in ``optional``); the others are left
    empty, and scenarios and geography are not read (``fpplan backtest``).

    A county read whole (no ``stored`` tables, no ``only``) is kept for the process: read again at the same place,
    with the same content in each of its input files (``fpplan.data.folder.input_digests``) on the same day, it is
    the same County (its tables the caller's own copies: copy-on-write), not read and validated again (a report's
    five notebooks, a command's steps, the import page all read it)."""
    path = Path(path)
    if not path.is_dir():
        raise DataError([Problem(file=str(path), kind="missing_folder" if not path.exists() else "not_a_folder")])
    if stored or only is not None or optional:
        return _read_county(path, stored, store_name, only, optional)
    key = (str(path.resolve()), stored is None, store_name, input_digests(path), validation.today())
    county = _READ.pop(key, None)
    if county is None:
        county = _read_county(path, stored, store_name, only, optional)
    _READ[key] = county  # the newest last
    while len(_READ) > KEPT_COUNTIES:
        _READ.pop(next(iter(_READ)))
    return own_copy(county)


KEPT_COUNTIES = 2  # counties kept read per process (~20 MB each for the demo)
_READ: dict[tuple, County] = {}


def own_copy(county: County) -> County:
    """The county with each table (a copy-on-write frame) and each dict its own (``memo.callers_copy``): what a caller
    changes stays the caller's, and what is derived and kept on a County (``fpplan.data.memo``) starts afresh."""
    copies: dict[int, Any] = {}  # one copy of each value: fields that are one frame stay one
    own = {
        f.name: copies.setdefault(id(value), callers_copy(value))
        for f in fields(county)
        if isinstance(value := getattr(county, f.name), (pd.DataFrame, dict))
    }
    return replace(county, **own)


def _read_county(
    path: Path,
    stored: dict[str, pd.DataFrame] | None,
    store_name: str,
    only: tuple[str, ...] | None,
    optional: tuple[str, ...],
) -> County:
    files, problems = find_table_files(path)
    config, found = load_config(path)
    problems += found + collection_problems(config, path) + rhythm_checks.config_problems(config, path)
    elements = element_aliases(config)
    uncollected = frozenset(not_collected(config))
    tables: dict[str, pd.DataFrame] = {}
    sheets: dict[str, dict[int, str]] = {}  # file → sheet position → name
    clean: set[str] = set()
    absent: set[str] = set()
    for name, table in TABLES.items():
        if only is not None and name not in only:
            tables[name] = _empty(table)
            continue
        if stored is not None and table.monthly:
            frame = stored.get(name)
            tables[name] = frame.copy() if frame is not None and len(frame) else _empty(table)
            if not len(tables[name]):
                absent.add(name)
            files[name] = Path(f"{store_name}:{name}")
            clean.add(name)
            continue
        if name not in files:
            if not table.optional and name not in optional:
                problems.append(
                    Problem(
                        file=str(path / f"{name}.csv"),
                        kind="missing_file",
                        detail=Text("lang_table_file", name=name, zh=label("tables", name, "zh")),
                    )
                )
            tables[name] = _empty(table)
            absent.add(name)
            if table.optional:
                clean.add(name)
            continue
        frame, found = _read(files[name], table, elements, sheets.setdefault(str(files[name]), {}), uncollected)
        problems += found
        tables[name] = frame if frame is not None else _empty(table)
        if not found:
            clean.add(name)
    files = {name: str(files.get(name, path / f"{name}.csv")) for name in TABLES}
    if "population" in clean and "age_group" in tables["population"]:
        tables["population"], found = _split_population(tables["population"], files["population"])
        problems += found
        if found:
            clean.discard("population")
    problems += locate(_cross_checks(tables, clean, files, equipment_aliases(config)), sheets)
    if "units" in clean and only is None:
        problems += locate(rhythm_checks.check(tables, clean, files, config), sheets)
    scenarios, geography = {}, Geography()
    if only is None:
        scenarios, found = _scenarios(path, tables, clean, config)
        problems += found
        geography, found = _geography(path, tables, clean, files, config)
        problems += found
    if problems:
        raise DataError(problems)
    tables["equipment"]["item"] = tables["equipment"]["item"].map(lambda v: equipment_aliases(config)[normalise(v)])
    tables = rhythm_checks.canonical(tables, config)
    tables = {name: _finish(frame, TABLES[name]) for name, frame in tables.items()}
    tables["service_stats"] = with_all_elements(tables["service_stats"], config)
    census_year = int(tables["population"]["year"].iloc[0])
    county = County(
        path=path,
        base_year=census_year,
        config=config,
        scenarios=scenarios,
        geography=geography,
        files=files,
        absent=frozenset(absent),
        census_year=census_year,
        census_population=tables["population"],
        **tables,
    )
    return brought_forward(county)


def brought_forward(county: County) -> County:
    """The county with its population brought forward from the population table's year (a census) to the latest
    complete year of its vital history, or to the year before config/timeline.yaml's ``start_year``
    (fpplan.data.forward); unchanged when that is not later, or ``bring_forward`` is off. DataError when a
    year in between lacks a township's records, or the start year is not after the population table's year."""
    from fpplan.data.config import config_path
    from fpplan.data.forward import bring_forward, complete_years, target_year, to_villages

    timeline = county.config.get("timeline")
    if timeline is None or county.census_year is None:
        return county
    census = county.census_year
    if timeline.start_year is not None and timeline.start_year <= census:
        raise DataError(
            [
                Problem(
                    file=str(config_path(county.path, "timeline")),
                    kind="start_before_base",
                    column="start_year",
                    value=timeline.start_year,
                    detail=str(census),
                )
            ]
        )
    if not timeline.bring_forward:
        return county
    townships = county.township_population()
    codes = sorted(townships["township_code"].unique())
    target = target_year(census, county.vital_history, codes, timeline.start_year)
    if target <= census:
        return county
    complete = set(complete_years(county.vital_history, codes))
    gaps = [y for y in range(census, target) if y not in complete]
    if gaps:
        vital = county.vital_history
        problems = [
            Problem(
                file=county.files.get("vital_history", str(county.path / "vital_history.csv")),
                kind="vital_history_gap",
                column=str(census),
                value=y,
                detail=", ".join(sorted(set(codes) - set(vital.loc[vital["year"] == y, "township_code"]))),
            )
            for y in gaps
        ]
        raise DataError(problems)
    forward = bring_forward(townships, county.vital_history, census, target)
    villages = to_villages(county.village_population(), forward.population, target - census)
    population = pd.DataFrame(
        {
            "year": np.int64(target),
            "unit_code": villages["village_code"],
            "sex": villages["sex"],
            "age": villages["age"].astype(np.int64),
            "population": villages["population"],
        }
    )
    return replace(county, base_year=target, population=population)


def _scenarios(
    path: Path, t: dict[str, pd.DataFrame], clean: set[str], config: dict[str, Any]
) -> tuple[dict[str, Any], list[Problem]]:
    """The county's scenarios, each checked against the bounds and as much of the county as passed its checks."""
    scenarios, files, problems = read_scenarios(path)
    if "bounds" not in config:
        return scenarios, problems
    population = "population" in clean and len(t["population"])
    facts = CountyFacts(
        base_year=int(t["population"]["year"].iloc[0]) if population else None,
        population=float(t["population"]["population"].sum()) if population else None,
        townships=pd.Index(t["units"].loc[t["units"]["level"] == "township", "code"]) if "units" in clean else None,
        plan_stations=pd.Index(t["construction_plan"]["station_code"]) if "construction_plan" in clean else None,
        stations=pd.Index(t["facilities"]["code"]) if "facilities" in clean else None,
    )
    for name, scenario in scenarios.items():
        problems += check_scenario(scenario, files[name], config["bounds"].scenario, facts)
    return scenarios, problems


def _geography(
    path: Path, t: dict[str, pd.DataFrame], clean: set[str], files: dict[str, str], config: dict[str, Any]
) -> tuple[Geography, list[Problem]]:
    """Coordinates of units and facilities, and the boundary and road files (fpplan.data.geography)."""
    extent = config["spatial"].extent if config.get("spatial") is not None else None
    problems = [
        p for name in ("units", "facilities") if name in clean for p in check_coordinates(t[name], files[name], extent)
    ]
    geography, found = load_geography(path, t["units"] if "units" in clean else None, config)
    return geography, problems + found


def _cross_checks(
    t: dict[str, pd.DataFrame], clean: set[str], files: dict[str, str], items: dict[str, str]
) -> list[Problem]:
    """Cross-table rules, each run only when the tables it reads passed their own checks."""
    problems: list[Problem] = []
    if "units" not in clean:
        return problems
    units = t["units"]
    problems += cc.check_units(units, files["units"])
    townships = pd.Index(units.loc[units["level"] == "township", "code"])
    villages = pd.Index(units.loc[units["level"] == "village", "code"])
    if "population" in clean:
        problems += cc.check_population(t["population"], units, files["population"])
        problems += cc.check_village_population(t["population"], units, files["population"], files["units"])
    if "vital_history" in clean:
        women = _women_15_49_by_township(t["population"], units) if "population" in clean else pd.Series(dtype=float)
        problems += cc.check_vital_history(t["vital_history"], women, townships, files["vital_history"])
    if "married_share" in clean:
        problems += cc.check_married_share(t["married_share"], townships, files["married_share"])
    if "population_history" in clean:
        problems += cc.references(
            t["population_history"], "township_code", townships, files["population_history"], "townships"
        )
    if "facilities" in clean:
        problems += cc.check_facilities(t["facilities"], units, files["facilities"])
        stations = pd.Index(t["facilities"]["code"])
        if "staff" in clean:
            problems += cc.references(t["staff"], "station_code", stations, files["staff"], "facilities")
        if "construction_plan" in clean:
            problems += cc.check_plan(t["construction_plan"], stations, files["construction_plan"])
            if "disbursement" in clean:
                problems += cc.check_disbursement(t["disbursement"], t["construction_plan"], files["disbursement"])
        if "subsidy_granted" in clean:
            problems += cc.references(
                t["subsidy_granted"], "station_code", stations, files["subsidy_granted"], "facilities"
            )
        if {"station_code", "item"} <= set(t["equipment"].columns) and items:  # plain text: checked even when
            problems += cc.check_equipment(t["equipment"], stations, items, files["equipment"])  # counts are bad
    if "service_stats" in clean:
        problems += cc.references(t["service_stats"], "village_code", villages, files["service_stats"], "villages")
    if "survey" in clean:
        problems += cc.references(t["survey"], "village_code", villages, files["survey"], "villages")
    for name in ("survey_rounds", "training_register"):
        if name in clean and len(t[name]):
            problems += cc.references(t[name], "unit_code", pd.Index(units["code"]), files[name], "units")
    if "survey_rounds" in clean and len(t["survey_rounds"]):
        rounds = t["survey_rounds"]
        over = rounds["yes_count"] > rounds["sample_size"]
        problems += [
            Problem(
                file=files["survey_rounds"],
                kind="inconsistent",
                row=int(r),
                column="yes_count",
                value=v,
                detail=Text("lang_yes_over_sample", yes=f"{v:g}", sample=f"{s:g}"),
            )
            for r, v, s in zip(
                cc.rows_of(rounds.index[over]), rounds.loc[over, "yes_count"], rounds.loc[over, "sample_size"]
            )
        ]
    if "exam_scores" in clean and "staff" in clean:
        problems += cc.references(
            t["exam_scores"], "staff_id", pd.Index(t["staff"]["staff_id"]), files["exam_scores"], "staff"
        )
    return problems


def _women_15_49_by_township(pop: pd.DataFrame, units: pd.DataFrame) -> pd.Series:
    parent = units.set_index("code")["parent_code"]
    level = units.set_index("code")["level"]
    women = pop[(pop["sex"] == "female") & pop["age"].between(15, 49)]
    unit = women["unit_code"]
    township = unit.where(unit.map(level) == "township", unit.map(parent))
    return women.groupby(township)["population"].sum()
