"""What the workbench shows, computed once per version of the data and read by every visitor.

``ensure_results(workspace)`` computes, for the county's shipped scenarios and periods, every table the
dashboards and reports show (projection summaries, demand, WISN, floor area, money, scorecards, data quality) and
the leader's overview as ready-to-draw figures, into ``COUNTY/.fpplan/results/<version>/`` (Parquet and JSON),
then points ``current.json`` at it. It does nothing when the data have not changed (``Workspace.version``: the
input files, the store's import log, fpplan's version). Two processes never compute the same version twice (a
file lock); a version is published whole or not at all (written aside, then renamed).

Readers (``current``, ``table``, ``document``) use only the standard library and pyarrow/pandas when a table is
asked for, so a dashboard kernel that shows precomputed figures starts in a fraction of a second.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from fpplan.data.errors import DataError, Problem
from fpplan.data.labels import language

RESULTS = Path(".fpplan") / "results"
CURRENT = "current.json"
KEEP = 2  # versions kept besides the current one (a visitor may still be reading one)
PLAN_SCENARIO = "medium"  # the scenario the overview and the construction plan show first (when the county has it)
WORKBOOK = "plan.xlsx"  # each scenario's plan workbook, written when first asked for (plan_workbook)
WORKBOOK_INPUTS = "plan_workbook.pickle"  # what it is written from
SCORECARD_LEVELS = ("township", "county")
SCORECARD_KINDS = ("year", "half_year", "quarter")


@dataclass(frozen=True)
class Outcome:
    version: str
    folder: Path
    computed: bool
    seconds: float


# --- reading (light) --------------------------------------------------------------------------------------------


def results_root(county_folder: str | Path) -> Path:
    return Path(county_folder) / RESULTS


def current(county_folder: str | Path) -> dict | None:
    """The manifest of the results in use (version, data as of, scenarios, periods, names), or None."""
    pointer = results_root(county_folder) / CURRENT
    try:
        manifest = json.loads(pointer.read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return None
    folder = results_root(county_folder) / manifest["folder"]
    return manifest | {"path": str(folder)} if folder.is_dir() else None


def document(manifest: dict, name: str) -> dict:
    """A JSON document of the results (e.g. ``overview``)."""
    return json.loads((Path(manifest["path"]) / f"{name}.json").read_text(encoding="utf-8"))


def table(manifest: dict, name: str, scenario: str | None = None):
    """A table of the results as a DataFrame (``scenario``: one of the scenario tables)."""
    import pandas as pd

    folder = Path(manifest["path"]) / ("scenarios/" + scenario if scenario else "")
    return pd.read_parquet(folder / f"{name}.parquet")


def county_folder(manifest: dict) -> Path:
    """The county folder whose results ``manifest`` describes."""
    return Path(manifest["path"]).parents[2]


def catalogue(manifest: dict):
    """The county's indicator catalogue (its config/indicators.yaml, else the package's)."""
    from fpplan.data.config import load

    return load("indicators", county_folder(manifest))


def scorecards(manifest: dict, target_set: str | None = None):
    """The precomputed scorecards (every level, kind and period), judged against ``target_set`` (default: the
    county's default set, against which they were computed)."""
    from fpplan.indicators.scorecard import rejudge

    cards = table(manifest, "scorecards")
    cat = catalogue(manifest)
    if target_set is None or target_set == cat.default_target_set:
        return cards
    return rejudge(cards, cat, target_set)


def target_set_name(manifest: dict, target_set: str | None = None) -> str:
    """The name of ``target_set`` (default: the county's default) in the current language: 本县目标."""
    cat = catalogue(manifest)
    return getattr(cat.target_sets[target_set or cat.default_target_set], language())


def file(manifest: dict, name: str, scenario: str | None = None) -> Path:
    return Path(manifest["path"]) / ("scenarios/" + scenario if scenario else "") / name


def plan_workbook(manifest: dict, scenario: str) -> Path:
    """The scenario's plan workbook (``plan.xlsx``: fpplan.app.plan_outputs.write_plan_workbook), written the first
    time anyone asks for it, from what the results kept of its plan (``plan_workbook.pickle``: the plan, map,
    intervals and officials' tables, in the language the results were computed in), so a county whose workbook
    nobody downloads never spends the time writing it; results computed before kept the workbook itself."""
    path = file(manifest, WORKBOOK, scenario)
    if path.is_file():
        return path
    with _locked(path.parent):  # two visitors asking at once: written once
        if not path.is_file():
            import pickle

            from fpplan.app.plan_outputs import write_plan_workbook
            from fpplan.data import labels

            with (path.parent / WORKBOOK_INPUTS).open("rb") as handle:
                outputs, officials, lang = pickle.load(handle)
            before = labels.language()
            labels.set_language(lang)
            try:
                write_plan_workbook(outputs, path, officials)
            finally:
                labels.set_language(before)
    return path


def stored_plan(workspace, scenario: str):
    """What the workspace's results keep of ``scenario``'s plan (``plan_workbook.pickle``: the plan outputs of
    fpplan.app.plan_outputs.plan_outputs and the officials' tables), when those results are the data's as they are
    now (``Workspace.version``: call it after ``workspace.county()``, which imports the folder's new monthly files)
    and were computed in the language in use: ``(outputs, officials)``, the very plan ``fpplan plan`` would compute
    again (the same projection inputs and calibration, the default first year); None otherwise."""
    import pickle

    manifest = current(workspace.folder)
    if manifest is None or manifest.get("version") != workspace.version():
        return None
    if scenario not in manifest.get("scenarios", {}):
        return None
    try:
        with file(manifest, WORKBOOK_INPUTS, scenario).open("rb") as handle:
            outputs, officials, lang = pickle.load(handle)
    except FileNotFoundError:  # results computed before they kept it, or pruned meanwhile
        return None
    return (outputs, officials) if lang == language() else None


def is_stale(county_folder: str | Path, manifest: dict | None, store: str | Path | None = None) -> bool:
    """Whether the data may have changed since ``manifest`` was computed (file sizes and times only)."""
    from fpplan.data.folder import STORE_NAME, fingerprint

    if manifest is None:
        return True
    folder = Path(county_folder).resolve()
    return fingerprint(folder, Path(store) if store else folder / STORE_NAME) != manifest.get("fingerprint")


# --- computing --------------------------------------------------------------------------------------------------


@contextmanager
def _locked(root: Path):
    root.mkdir(parents=True, exist_ok=True)
    with (root / ".lock").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)  # waits while another process computes
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def ensure_results(workspace, force: bool = False) -> Outcome:
    """Results for the workspace's data as they are now: computed if this version has none, else reused."""
    from fpplan.data.folder import fingerprint

    start = time.perf_counter()
    root = results_root(workspace.folder)
    with _locked(root):
        county = workspace.county(sync=True)  # the folder's monthly files into the store first: part of the version
        version = workspace.version()
        name = version[:16]
        manifest = current(workspace.folder)
        stamp = fingerprint(workspace.folder, workspace.store.path)
        if not force and manifest is not None and manifest["version"] == version:
            if manifest.get("fingerprint") != stamp:  # touched, not changed
                _publish(root, {k: v for k, v in manifest.items() if k != "path"} | {"fingerprint": stamp})
            return Outcome(version, root / name, False, time.perf_counter() - start)
        target = root / name
        if force or not target.is_dir():
            staging = root / f".staging-{os.getpid()}"
            shutil.rmtree(staging, ignore_errors=True)
            staging.mkdir(parents=True)
            try:
                info = compute(workspace, staging, county)
            except BaseException:
                shutil.rmtree(staging, ignore_errors=True)
                raise
            shutil.rmtree(target, ignore_errors=True)
            os.replace(staging, target)
        else:
            info = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
        _publish(root, info | {"version": version, "folder": name, "fingerprint": stamp})
        _prune(root, keep=name)
    return Outcome(version, target, True, time.perf_counter() - start)


def _publish(root: Path, manifest: dict) -> None:
    tmp = root / f".{CURRENT}.{os.getpid()}"
    tmp.write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(tmp, root / CURRENT)


def _prune(root: Path, keep: str) -> None:
    versions = sorted(
        (p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")),
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )
    for old in [p for p in versions if p.name != keep][KEEP:]:
        shutil.rmtree(old, ignore_errors=True)


def compute(workspace, out: Path, county=None) -> dict:
    """Every table and figure the workbench shows, for the workspace's data, written into ``out``; returns the
    manifest (also written as ``out/manifest.json``). ``county``: ``workspace.county()`` when just read."""
    import pickle

    from fpplan.app import figure_images, overview_content
    from fpplan.app.plan_outputs import (
        INTERVAL_SEED,
        INTERVAL_TRAJECTORIES,
        plan_outputs,
        projection_inputs,
    )
    from fpplan.data.scenarios import load_scenarios
    from fpplan.data.workspace import fpplan_version
    from fpplan.demography.calibration import document as calibration_document
    from fpplan.indicators import periods
    from fpplan.indicators.quality import quality_report
    from fpplan.planning.officials import officials_tables
    from fpplan.planning.plan import explorer_model

    county = county if county is not None else workspace.county(sync=False)
    as_of = workspace.data_as_of(county)
    scenarios = load_scenarios(county)
    plan_scenario = PLAN_SCENARIO if PLAN_SCENARIO in scenarios else next(iter(scenarios))
    calibration, inputs = projection_inputs(county)  # back-tests: the migration window, the intervals' coverage
    plans = {}
    for key in scenarios:
        outputs = plan_outputs(county, key, inputs=inputs, calibration=calibration)  # plan, map, intervals
        plan = plans[key] = outputs.plan
        folder = out / "scenarios" / key
        folder.mkdir(parents=True)
        officials = officials_tables(plan)  # stored and in the workbook: made once
        for name, frame in plan_tables(plan, officials).items():
            _parquet(frame, folder / f"{name}.parquet")
        _parquet(outputs.intervals, folder / "intervals.parquet")  # calibrated, with their back-tested coverage
        for name, frame in (outputs.spatial or {}).items():
            _parquet(frame, folder / f"spatial_{name}.parquet")
        with (folder / WORKBOOK_INPUTS).open("wb") as handle:  # the workbook itself when asked for: plan_workbook
            pickle.dump((outputs, officials, language()), handle, protocol=pickle.HIGHEST_PROTOCOL)
    months = county.service_stats["month"]
    available = {
        kind: sorted(periods.of_months(months, kind).unique().tolist()) for kind in (*SCORECARD_KINDS, "month")
    }
    complete = complete_periods(months)
    cards = scorecard_tables(county, complete)
    _parquet(cards, out / "scorecards.parquet")
    _parquet(trend_table(county), out / "trends.parquet")
    names = dict(zip(county.units["code"], county.units["name"])) | dict(
        zip(county.facilities["code"], county.facilities["name"])
    )
    manifest = {
        "fpplan_version": fpplan_version(),
        "created_at": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "county": {"code": county.county_code, "name": names.get(county.county_code, county.county_code)},
        "base_year": county.base_year,
        "data_as_of": {
            "last_month": as_of.last_month,
            "last_import": as_of.last_import.isoformat(timespec="minutes") if as_of.last_import is not None else None,
        },
        "scenarios": {key: {"zh": s.name.zh, "en": s.name.en} for key, s in scenarios.items()},
        "plan_scenario": plan_scenario,
        "periods": available,
        "scored_periods": complete,
        "names": names,
        "townships": county.townships()["code"].tolist(),
    }
    overview = overview_content.build(county, plans[plan_scenario], cards, manifest)
    images = figure_images.svg_image_sets_soon(overview["figures"])  # the landing page shows them without JS
    from fpplan.demography.observed import observed

    _parquet(observed(county), out / "observed.parquet")  # the recent records beside the scenarios' inputs
    from fpplan.indicators.causes import causes_inputs

    for name, frame in causes_inputs(county).items():  # what a red cell's cause analysis reads besides the above
        _parquet(frame, out / f"causes_{name}.parquet")
    for name, frame in quality_report(county).items():
        _parquet(frame, out / f"quality_{name}.parquet")
    from fpplan.indicators.supervision import page_tables

    for name, frame in page_tables(county, workspace.store.imports()).items():  # the 督导与考核 page
        _parquet(frame, out / f"supervision_{name}.parquet")
    with (out / "model.pickle").open("wb") as handle:  # what the scenario explorer needs to recalculate live
        band = {"calibration": calibration, "trajectories": INTERVAL_TRAJECTORIES, "seed": INTERVAL_SEED}
        pickle.dump(explorer_model(county, plans, inputs, scenarios, band), handle)
    images = images.result()  # drawn by chromium while the tables above were computed and written
    overview["images"] = images.get(figure_images.WIDTH, {})
    overview["images_phone"] = images.get(figure_images.PHONE_WIDTH, {})  # the same at a phone's width
    (out / "overview.json").write_text(json.dumps(overview, ensure_ascii=False), encoding="utf-8")
    (out / "calibration.json").write_text(
        json.dumps(calibration_document(calibration), ensure_ascii=False), encoding="utf-8"
    )
    (out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    return manifest  # the pages rendered ahead from these results: fpplan.app.pages.build.ensure_pages


def _parquet(frame, path: Path) -> None:
    import numpy as np

    frame = frame.copy(deep=False)  # copy-on-write: the columns replaced below are this copy's only
    if not all(isinstance(c, str) for c in frame.columns):
        frame.columns = [str(c) for c in frame.columns]
    for k in np.flatnonzero(frame.dtypes.to_numpy() == object):  # mixed object columns (e.g. codes and blanks) as
        frame.isetitem(k, as_text(frame.iloc[:, k]))  # text; a missing value stays missing
    frame.to_parquet(path, index=False)


def as_text(values):
    """An object column as Parquet stores it: text stays text, a missing value (None, NaN, NA, NaT) becomes None,
    anything else its ``str``. One C pass for a column of text and blanks; the rare mixed column element by
    element."""
    import numpy as np
    import pandas as pd

    out = values.to_numpy(dtype=object, copy=True)
    out[pd.isna(out)] = None
    if pd.api.types.infer_dtype(out, skipna=True) not in ("string", "empty"):
        out = np.array([v if v is None or isinstance(v, str) else str(v) for v in out] or [], dtype=object)
    return pd.Series(out, index=values.index, name=values.name, dtype=object)


def plan_tables(plan, officials: dict | None = None) -> dict:
    """The planning tables of one scenario, as stored with the results; the officials' tables as
    ``officials_<name>`` (fpplan.planning.officials; ``officials``: officials_tables(plan) when already made), the
    plan year and what stops the plan as ``plan_info``."""
    import pandas as pd

    from fpplan.app.workbook import plan_sections, section_notes
    from fpplan.planning.officials import officials_tables

    tables = officials if officials is not None else officials_tables(plan)  # and the page's sections from them
    county_rows = plan.projection.county_total()
    messages = [p.message() for p in plan.problems] or [None]
    info = pd.DataFrame({"plan_year": plan.plan_year, "problem": messages})
    return (
        {
            "county_series": county_rows,
            "summary": plan.projection.summary,
            "volumes": plan.volumes,
            "wisn": plan.wisn,
            "head_count": plan.head_count,
            "structure": plan.structure,
            "recruitment": plan.recruitment,
            "capacity": plan.capacity,
            "shortfall": plan.shortfall,
            "construction_plan": plan.construction_plan,
            "budget": plan.budget,
            "cash_flow": plan.cash_flow,
            "money": plan.money,
            "plan_info": info,
            "roster": plan.roster,
            "station_gap": plan.station_gap,
            "cadre_gap": plan.cadre_gap,
            "county_by_year": plan.county_by_year,
            "per_capita": plan.per_capita,
            "headline": pd.DataFrame([plan.headline]),
            "plan_notes": pd.DataFrame({"note": pd.Series(plan.notes, dtype=object)}),
        }
        | {f"officials_{k}": v for k, v in tables.items()}
        | {f"section_{k}": v for k, v in plan_sections(plan, tables).items()}
        | {"section_notes": section_notes(plan)}
    )


def complete_periods(months) -> dict[str, list[str]]:
    """The periods of each kind whose every month has reports (a scorecard of a half-reported quarter would
    mislead), newest last."""
    from fpplan.indicators import periods

    have = set(months.unique())
    out = {}
    for kind in (*SCORECARD_KINDS, "month"):
        ids = sorted(periods.of_months(months, kind).unique().tolist())
        out[kind] = [p for p in ids if set(periods.parse(p)[1]) <= have]
    return out


def scorecard_tables(county, complete: dict[str, list[str]]):
    """Scorecards of every complete period of the scored kinds, at township and county level (one vectorized pass
    per level and kind: fpplan.indicators.scorecard.scorecards); the newest period of each kind and level carries
    the four-quarter forecast."""
    import pandas as pd

    from fpplan.indicators import periods
    from fpplan.indicators.scorecard import forecasts, scorecards

    target_set = county.config["indicators"].default_target_set
    frames, ahead_of = [], {}
    for level in SCORECARD_LEVELS:
        for kind in SCORECARD_KINDS:
            chosen = complete.get(kind, [])
            if not chosen:
                continue
            card = scorecards(county, level, kind, target_set)
            card = card[card["period"].isin(chosen)]
            end = periods.of_months(pd.Series(periods.parse(chosen[-1])[1][-1:]), "quarter").iloc[0]
            if (level, end) not in ahead_of:  # the newest year, half-year and quarter often end in the same quarter
                ahead_of[level, end] = forecasts(county, level, end, target_set)
            ahead = ahead_of[level, end].assign(period=chosen[-1])
            card = card.merge(ahead, on=["unit", "period", "indicator"], how="left")
            card["expected_met"] = card["expected_met"].astype(object).where(card["expected_met"].notna(), "")
            frames.append(card.assign(level=level, kind=kind))
    if not frames:  # not one complete quarter yet: an empty scorecard with its columns
        from fpplan.indicators.scorecard import CARD_COLUMNS

        return pd.DataFrame(columns=[*CARD_COLUMNS, "level", "kind"])
    return pd.concat(frames, ignore_index=True)


def trend_table(county):
    """Every report indicator over the twelve months ending at each quarter (rolling years), by township: the
    trend charts' series."""
    from fpplan.indicators.scorecard import rolling_series

    return rolling_series(county, "township")


# --- what a run is for: the period, scenario and target set checked against the results ----------------------


def prepare(
    data_dir: str | Path,
    period: str | None,
    scenario: str | None,
    store: str | Path | None = None,
    target_set: str | None = None,
):
    """The workspace's results brought up to date, the period, scenario and target set checked against them:
    (manifest, period, scenario). A DataError (zh/en) when the data are bad, or the period, scenario or target set
    is not there."""
    from fpplan.data.workspace import Workspace

    workspace = Workspace(data_dir, store)
    static = workspace.static_county()  # bad data: every problem at once, before anything runs or is written
    problems = []
    if scenario is not None and scenario not in static.scenarios:
        from fpplan.data.scenarios import unknown_scenario

        problems.append(unknown_scenario(workspace.folder, scenario, static.scenarios))
    sets = static.config["indicators"].target_sets
    if target_set is not None and target_set not in sets:
        problems.append(
            Problem(
                file=str(workspace.folder / "config" / "indicators.yaml"),
                kind="unknown_target_set",
                value=target_set,
                detail="、".join(f"{k}（{getattr(v, language())}）" for k, v in sets.items()),
            )
        )
    known = current(workspace.folder)  # the periods the data had last time, read only
    if period is not None and known is not None:
        problems += all_problems(lambda: period_of(known, period))
    if problems:
        raise DataError(problems)
    workspace.county()
    ensure_results(workspace)
    manifest = current(workspace.folder)
    problems = all_problems(lambda: period_of(manifest, period), lambda: scenario_of(manifest, scenario))
    if problems:
        raise DataError(problems)
    return manifest, period_of(manifest, period), scenario_of(manifest, scenario)


def all_problems(*checks) -> list:
    """The problems of every check (a call that raises DataError), all of them, not only the first's."""
    problems = []
    for check in checks:
        try:
            check()
        except DataError as error:
            problems += error.problems
    return problems


def _county_folder(manifest: dict) -> str:
    return str(Path(manifest["path"]).parents[2]) if manifest.get("path") else ""


def period_of(manifest: dict, period: str | None) -> str:
    """The period asked for, checked against the periods the results have scorecards for; default the newest
    complete quarter. A DataError (zh/en) names the periods there are."""
    from fpplan.indicators import periods as periods_module

    scored = manifest.get("scored_periods", {})
    if period is None:
        quarters = scored.get("quarter") or scored.get("year") or []
        if not quarters:  # fewer than three months, or no three of one quarter
            months = manifest.get("periods", {}).get("month", [])
            raise DataError(
                [
                    Problem(
                        file=_county_folder(manifest),
                        kind="no_complete_period",
                        value=len(months),
                        detail=f"{months[0]}–{months[-1]}" if months else "—",
                    )
                ]
            )
        return quarters[-1]
    period = str(period)
    try:
        kind = periods_module.kind_of(period)
    except ValueError:
        raise DataError([Problem(file=_county_folder(manifest), kind="bad_period", value=period)]) from None
    have = scored.get(kind, [])
    if period not in have:
        choices = ", ".join(p for k in ("year", "half_year", "quarter") for p in scored.get(k, [])[-6:])
        raise DataError([Problem(file=_county_folder(manifest), kind="unknown_period", value=period, detail=choices)])
    return period


def scenario_of(manifest: dict, scenario: str | None) -> str:
    known = manifest.get("scenarios", {})
    scenario = scenario or manifest.get("plan_scenario")
    if scenario not in known:
        from fpplan.data.scenarios import unknown_scenario

        raise DataError([unknown_scenario(_county_folder(manifest), scenario, known)])
    return scenario
