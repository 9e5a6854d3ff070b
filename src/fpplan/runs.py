"""What ``fpplan project`` does: a deterministic or a stochastic projection of a county (or of every county of a
region), in this process or on dask.distributed, written as tidy tables. Inputs are checked before anything is
computed or written (unknown scenario, negative or impossible trajectory counts, a scheduler that does not
answer): each is a DataError, so the command prints the problems and exits 2 with nothing written.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from fpplan.data.errors import DataError, Problem
from fpplan.data.labels import label, ui
from fpplan.data.scenarios import unknown_scenario


def human_bytes(n: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if n < 1024 or unit == "TiB":
            return f"{n:.0f} {unit}" if unit in ("B", "KiB") else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} TiB"


def human_seconds(s: float) -> str:
    if s < 1:
        return "< 1 s"
    if s < 90:
        return f"{s:.0f} s"
    if s < 5400:
        return f"{s / 60:.0f} min"
    return f"{s / 3600:.1f} h"


def check_trajectories(
    trajectories: int, regions: int, steps: int, scheduler: str | None, workers: int | None, where: str
) -> None:
    """Refuse a negative count; print the time and memory estimate of a stochastic run and refuse it when it would
    not fit in this machine's available memory (the client's part only, for a remote cluster)."""
    import psutil

    from fpplan.demography.streaming import estimate

    if trajectories < 0:
        raise DataError(
            [Problem(file=where, kind="trajectories_negative", column="--trajectories", value=trajectories)]
        )
    if trajectories == 0:
        return
    in_process = scheduler in (None, "local")
    n_workers = (workers or 1) if scheduler is None else (workers or 2)
    e = estimate(trajectories, regions, steps, workers=n_workers)
    need = e.total_bytes(n_workers if scheduler == "local" else 1, in_process)
    available = psutil.virtual_memory().available
    print(
        ui(
            "run_estimate",
            trajectories=f"{trajectories:,}",
            regions=f"{regions:,}",
            steps=steps,
            seconds=human_seconds(e.seconds),
            memory=human_bytes(need),
            available=human_bytes(available),
        ),
        flush=True,
    )
    if need > available:
        raise DataError(
            [
                Problem(
                    file=where,
                    kind="trajectories_too_many",
                    column="--trajectories",
                    value=trajectories,
                    detail=f"~{human_bytes(need)} > {human_bytes(available)}",
                )
            ]
        )


def write_table(frame: pd.DataFrame, path: str | Path, sheets=None, names: dict | None = None) -> None:
    """A table to ``path`` by its suffix: .csv the data as computed (codes, for other programs), .parquet, or, when
    ``sheets`` is given (``sheets()``: name → (table, totals)), .xlsx the officials' sheets; written whole or not at
    all, saying what it replaces."""
    from fpplan.data.output import atomic_path, check_suffix, replacing

    path = check_suffix(path, (".csv", ".xlsx") if sheets is not None else (".csv", ".parquet"))
    replaced = replacing(path)
    with atomic_path(path) as tmp:
        if path.suffix.lower() == ".xlsx":
            from fpplan.app.workbook import write_sheets

            write_sheets(sheets(), tmp, names)
        elif path.suffix.lower() == ".parquet":
            frame.to_parquet(tmp, index=False)
        else:
            frame.to_csv(tmp, index=False)
    if replaced:
        print(replaced)
    print(ui("written", path=path, rows=f"{len(frame):,}"))


def series_path(out: Path) -> Path:
    """Where a stochastic run's yearly series go: beside ``out``, ``<stem>_series<suffix>``."""
    return out.with_name(f"{out.stem}_series{out.suffix}")


def workspace_county(folder: Path):
    """A county of a region opened through its own workspace (its monthly tables from its own store)."""
    from fpplan.data.workspace import Workspace

    return Workspace(folder).county()


def project_command(
    data_dir: str,
    scenario: str,
    trajectories: int,
    out: str,
    seed: int = 2025,
    scheduler: str | None = None,
    workers: int | None = None,
    trajectories_out: str | None = None,
    horizon: int | None = None,
    open_county=None,
) -> int:
    """``fpplan project``: the tidy population (deterministic) or the quantile tables (stochastic) of a county or
    of every county of a region (a ``county`` column then says which). ``open_county(folder)`` opens a county
    folder (the command's workspace); a region's counties are opened through their own workspaces."""
    from fpplan.data.output import check_suffix
    from fpplan.data.region import is_region_folder, load_counties
    from fpplan.demography import county_inputs, load_scenarios, project

    check_suffix(out, (".csv", ".parquet"))  # the suffix decides the format; a wrong one is refused before any work
    if trajectories < 0:
        raise DataError(
            [Problem(file=data_dir, kind="trajectories_negative", column="--trajectories", value=trajectories)]
        )
    region_folder = is_region_folder(Path(data_dir))
    region, counties = load_counties(data_dir, workspace_county if region_folder else open_county)
    chosen, problems = {}, []
    for code, county in counties.items():
        scenarios = load_scenarios(county)
        if scenario in scenarios:
            chosen[code] = scenarios[scenario]
        else:
            problems.append(unknown_scenario(county.path, scenario, scenarios))
    if problems:
        raise DataError(problems)
    inputs = {code: county_inputs(county) for code, county in counties.items()}
    regions = sum(len(i.regions) for i in inputs.values())
    steps = max((horizon or chosen[code].horizon) - inputs[code].base_year for code in inputs)
    check_trajectories(trajectories, regions, steps, scheduler, workers, data_dir)
    out_path = Path(out)
    if trajectories == 0:
        if scheduler:
            print(ui("deterministic_in_process"))
        frames = []
        for code, county_inputs in inputs.items():
            projection = project(county_inputs, chosen[code], horizon=horizon, scenario_name=scenario)
            for note in projection.notes:
                print(note)
            if region is None:  # one county: its recent records beside the scenario's inputs
                from fpplan.app.observed_view import first_year_check, observed_lines

                print("\n".join(observed_lines(counties[code], {scenario: chosen[code]})))
                check = first_year_check(counties[code], projection)
                if check:
                    print(check)
            frames.append(_with_county(projection.population, code, region))
        write_table(pd.concat(frames, ignore_index=True), out_path)
        return 0
    return _stochastic(
        inputs, chosen, scenario, trajectories, seed, scheduler, workers, out_path, trajectories_out, horizon, region
    )


def _with_county(frame: pd.DataFrame, code: str, region) -> pd.DataFrame:
    if region is not None:
        frame.insert(0, "county", code)
    return frame


def _stochastic(
    inputs, chosen, scenario, trajectories, seed, scheduler, workers, out_path, trajectories_out, horizon, region
) -> int:
    from fpplan.demography.streaming import project_stochastic

    client = mapper = None
    if scheduler:
        from fpplan.demography import cluster

        client = cluster.connect(scheduler, workers)
        mapper = cluster.dask_mapper(client)
    try:
        groups, series = [], []
        for i, (code, county_inputs) in enumerate(inputs.items()):
            path = None
            if trajectories_out:
                path = Path(trajectories_out)
                if region is not None:
                    path = path.with_name(f"{path.stem}_{code}{path.suffix}")
            summary = project_stochastic(
                county_inputs,
                chosen[code],
                trajectories,
                seed=None if seed is None else seed + i,
                horizon=horizon,
                mapper=mapper,
                trajectories_path=path,
                scenario_name=scenario,
            )
            for note in summary.notes:
                print(note)
            if path is not None:
                print(
                    ui(
                        "written",
                        path=path,
                        rows=f"{trajectories * len(county_inputs.regions) * len(summary.years) * 202:,}",
                    )
                )
            groups.append(_with_county(summary.groups.assign(scenario=scenario), code, region))
            series.append(_with_county(summary.series.assign(scenario=scenario), code, region))
    finally:
        if client is not None:
            cluster.close(client)
    write_table(pd.concat(groups, ignore_index=True), out_path)
    write_table(pd.concat(series, ignore_index=True), series_path(out_path))
    return 0


def _checked(folder: Path):
    """``fpplan validate`` of one county of a region: its folder validated, its store checked read-only."""
    from fpplan.data.county import load_county
    from fpplan.data.workspace import Workspace

    county = load_county(folder)
    problems = Workspace(folder).check()
    if problems:
        raise DataError(problems)
    return county


def validate_region(data_dir: str) -> int:
    """``fpplan validate REGION``: every county checked (all problems of all counties at once); writes nothing."""
    from fpplan.data.region import load_region

    region = load_region(data_dir, _checked)
    print(ui("region_counties", name=region.name, code=region.code, n=len(region.counties)))
    for code, name in region.county_names().items():
        county = region.counties[code]
        print(
            ui("county_clean", county=f"{name} ({code})"),
            f"({county.path}, {len(county.units)} units, base year {county.base_year})",
        )
    print(ui("data_clean"))
    return 0


def plan_region(data_dir: str, scenario: str, out: str) -> int:
    """``fpplan plan REGION``: one plan per county; the region workbook (summary + a sheet per county) at ``out``
    and each county's full workbook beside it (``<stem>_<county code>.xlsx``)."""
    from fpplan.app.plan_outputs import plan_outputs, write_plan_workbook
    from fpplan.app.region_workbook import region_summary, write_region_workbook
    from fpplan.data.region import load_region
    from fpplan.demography import load_scenarios

    region = load_region(data_dir, workspace_county)
    problems = [
        unknown_scenario(c.path, scenario, s)
        for c in region.counties.values()
        if scenario not in (s := load_scenarios(c))
    ]
    if problems:
        raise DataError(problems)
    outputs = {code: plan_outputs(county, scenario) for code, county in region.counties.items()}
    plans = {code: o.plan for code, o in outputs.items()}
    problems = [p for plan in plans.values() for p in getattr(plan, "problems", ())]
    if problems:  # a plan that cannot be handed in: nothing is written
        raise DataError(problems)
    path = write_region_workbook(region.county_names(), plans, out)
    for code, o in outputs.items():  # each county's full workbook, the map's sheets included
        write_plan_workbook(o, path.with_name(f"{path.stem}_{code}{path.suffix}"))
    print(ui("region_counties", name=region.name, code=region.code, n=len(plans)))
    summary = region_summary(region.county_names(), plans)
    from fpplan.app.printouts import text_table

    shown = summary.assign(county=summary["name"].where(summary["name"] != "", summary["county"])).drop(columns="name")
    print(text_table(shown, headers={"county": label("enums.level", "county")}))
    print(path)
    return 0


def scorecard_region(data_dir: str, level: str, period: str, target_set: str | None, out: str | None) -> int:
    """``fpplan scorecard REGION``: every county's scorecard at ``level``, the region roll-up (Σ numerators /
    Σ denominators) and the units ranked; ``out`` (.csv: every row, region rows with county = region code;
    .xlsx: ranking, region and county sheets)."""
    from fpplan.app.printouts import county_names, text_table
    from fpplan.data.region import load_region
    from fpplan.indicators.regions import region_scorecard

    region = load_region(data_dir, workspace_county)
    result = region_scorecard(region.counties, level, period, target_set)
    names = {code: name for county in region.counties.values() for code, name in county_names(county).items()}
    ranking = result.ranking.assign(county=result.ranking["county"].map(names))
    shown = result.region[["name", "value", "target", "units_met", "units_counted"]].rename(
        columns={"name": "indicator_name"}
    )
    print(ui("region_counties", name=region.name, code=region.code, n=len(region.counties)))
    print(
        text_table(
            ranking.drop(columns="county") if level == "county" else ranking,
            names,
            headers={"unit": label("enums.level", level), "county": label("enums.level", "county")},
        )
    )
    print(text_table(shown, names, headers={"value": ui("scorecard_value")}))
    if out:
        region_rows = result.region.assign(county=region.code, unit=region.code, period=period)

        def sheets() -> dict:  # the officials' sheets: names, words, decimals
            cards = result.cards.drop(
                columns=[
                    c
                    for c in ("indicator", "note", "note_arg", "undecided", "period", "target_source")
                    if c in result.cards
                ]
            )
            cards = cards.assign(county=cards["county"].map(names)).rename(columns={"name": "indicator_name"})
            return {
                label("columns", "rank"): (ranking, []),
                region.name: (shown, []),
                label("enums.level", level): (cards, []),
            }

        write_table(pd.concat([result.cards, region_rows], ignore_index=True), out, sheets, names)
    return 0


def backtest_command(county, trajectories: int, seed: int | None, out: str | None) -> int:
    """``fpplan backtest``: project the county's history year to its base year and report against what happened
    (``fpplan.demography.backtest``); ``out``: the table by township (.csv/.xlsx/.parquet)."""
    from fpplan.demography.backtest import backtest
    from fpplan.demography.hindcast import history_year

    if trajectories < 1:
        raise DataError(
            [Problem(file=str(county.path), kind="trajectories_negative", column="--trajectories", value=trajectories)]
        )
    start = history_year(county)
    check_trajectories(trajectories, len(county.townships()), county.base_year - start, None, None, str(county.path))
    result = backtest(county, trajectories, seed)
    print(ui("backtest_title", first=result.first_year, last=result.last_year))
    shown = result.table[
        [
            "region",
            "series",
            "observed",
            "projected",
            "naive",
            "error_projected_pct",
            "error_naive_pct",
            "inside_80",
            "inside_95",
        ]
    ]
    print(shown.round(1).to_string(index=False))
    print(result.summary.pivot(index="measure", columns="series", values="value").round(2).to_string())
    for row in result.coverage.itertuples():
        level, share = round(row.level * 100), f"{row.share:.0%} ({row.inside}/{row.values})"
        print(ui("backtest_coverage", level=level, share=share))
        if row.verdict != "about":
            print(
                ui(
                    "backtest_miscalibrated",
                    direction=ui("narrow" if row.verdict == "too_narrow" else "wide"),
                    level=level,
                    share=share,
                )
            )
    for note in result.notes:
        print(note)
    if out:
        path = Path(out)
        if path.suffix == ".xlsx":
            path.parent.mkdir(parents=True, exist_ok=True)
            with pd.ExcelWriter(path, engine="xlsxwriter") as writer:
                for name, frame in (
                    ("townships", result.table),
                    ("summary", result.summary),
                    ("coverage", result.coverage),
                ):
                    frame.to_excel(writer, sheet_name=name, index=False)
            print(ui("written", path=path, rows=f"{len(result.table):,}"))
        else:
            write_table(result.table, path)
    return 0
