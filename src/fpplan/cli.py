"""The ``fpplan`` command: one subcommand per task, bilingual help, no traceback for bad data."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from fpplan.data.errors import DataError, Problem
from fpplan.data.labels import label, set_language, ui

MAX_PRINTED_PROBLEMS = 200


def print_problems(error: DataError) -> None:
    """Every problem as a table line: file, row, column, value, message (zh or en per --lang)."""
    table = error.table()
    print(ui("problems_found", n=len(table)))
    shown = table.head(MAX_PRINTED_PROBLEMS).fillna("")
    headers = {c: ui(c) if c != "message" else ui("problem") for c in shown.columns}
    print(shown.rename(columns=headers).to_string(index=False))
    if len(table) > MAX_PRINTED_PROBLEMS:
        print(f"… (+{len(table) - MAX_PRINTED_PROBLEMS})")


def _demo(args: argparse.Namespace) -> int:
    from fpplan.demo import write_demo

    out = write_demo(args.out_dir)
    print(out)
    return 0


def _validate(args: argparse.Namespace) -> int:
    from fpplan.data import load_county

    county = load_county(args.data_dir)
    print(ui("data_clean"), f"({county.path}, {len(county.units)} units, base year {county.base_year})")
    return 0


def _unknown_scenario(data_dir: str, name: str, known) -> DataError:
    return DataError([Problem(file=str(Path(data_dir) / "config" / "scenarios"), kind="unknown_scenario",
                              value=name, detail=", ".join(known))])


def _scenario(county, data_dir: str, name: str):
    """The county's scenario ``name`` (checked with the county by load_county), or a DataError naming the others."""
    from fpplan.demography import load_scenarios

    scenarios = load_scenarios(county)
    if name not in scenarios:
        raise _unknown_scenario(data_dir, name, scenarios)
    return scenarios[name]


def _project(args: argparse.Namespace) -> int:
    """Project a county under one of its scenarios and write the tidy result (.csv or .parquet, by suffix)."""
    from fpplan.app.output import atomic_path, check_suffix, replacing
    from fpplan.data import load_county
    from fpplan.demography import prepare, project

    path = check_suffix(args.out, (".csv", ".parquet"))
    if args.trajectories < 0:
        raise DataError([Problem(file="--trajectories", kind="trajectories_negative", column="--trajectories",
                                 value=args.trajectories)])
    county = load_county(args.data_dir)
    scenario = _scenario(county, args.data_dir, args.scenario)
    inputs = prepare(county)
    check_cost(county, inputs, scenario, args.trajectories, path)
    projection = project(inputs, scenario, trajectories=args.trajectories, seed=2025, scenario_name=args.scenario)
    frame = projection.population
    replaced = replacing(path)
    with atomic_path(path) as tmp:
        if path.suffix.lower() == ".parquet":
            frame.to_parquet(tmp, index=False)
        else:
            frame.to_csv(tmp, index=False)
    for note in projection.notes:
        print(note)
    if replaced:
        print(replaced)
    print(f"{path} ({len(frame)} rows)")
    return 0


def check_cost(county, inputs, scenario, trajectories: int, path: Path) -> None:
    """Before a large stochastic run: print its expected time, memory and output size, and refuse it when the
    machine's available memory or the output folder's free space would not hold it (fpplan.demography.cost)."""
    import shutil

    from fpplan.demography import cost

    if trajectories < cost.ESTIMATE_FROM:
        return
    c = cost.estimate_cost(county, trajectories, scenario, inputs, path.suffix.lower())
    if c.seconds > cost.ANNOUNCE_SECONDS or c.memory_bytes > cost.ANNOUNCE_BYTES:
        print(ui("cost_estimate", n=trajectories, minutes=int(c.seconds // 60), seconds=int(c.seconds % 60),
                 memory=_gb(c.memory_bytes), output=_gb(c.output_bytes), rows=c.rows))
    problems = []
    available = cost.available_memory()
    if c.memory_bytes > available:
        most = int(trajectories * available / c.memory_bytes)
        problems.append(Problem(file="--trajectories", kind="too_many_trajectories", column="--trajectories",
                                value=trajectories, detail=f"{_gb(c.memory_bytes)} > {_gb(available)}; ≤ {most:,}"))
    free = shutil.disk_usage(path.parent if path.parent.exists() else Path.cwd()).free
    if c.output_bytes > free:
        problems.append(Problem(file=str(path), kind="output_too_large", value=_gb(c.output_bytes), detail=_gb(free)))
    if problems:
        raise DataError(problems)


def _gb(n: float) -> str:
    return f"{n / 1e9:.1f} GB"


def _plan(args: argparse.Namespace) -> int:
    """Every planning table for a scenario, written as the officials' workbook (.xlsx)."""
    from fpplan.app.output import check_suffix, replacing
    from fpplan.app.workbook import write_workbook
    from fpplan.data import load_county
    from fpplan.planning.plan import make_plan

    out = check_suffix(args.out, (".xlsx",))
    county = load_county(args.data_dir)
    _scenario(county, args.data_dir, args.scenario)
    plan = make_plan(county, args.scenario)
    replaced = replacing(out)
    if replaced:
        print(replaced)
    path = write_workbook(plan, out)
    short = plan.shortfall.dropna(subset=["first_short_year"])
    print(f"{path}: {len(plan.construction_plan)} projects, {plan.construction_plan['cost_wan_yuan'].sum():g} 万元; "
          f"{len(short)} stations short of floor area at some point")
    return 0


def _import_reports(args: argparse.Namespace) -> int:
    """Import each file in its own transaction; a bad file is reported and changes nothing (exit 2)."""
    from fpplan.data.store import ReportStore

    store = ReportStore(args.db)
    problems = []
    try:
        for file in args.files:
            try:
                result = store.import_file(file)
            except DataError as error:
                problems += error.problems
                continue
            if result.import_id is None:
                print(f"{file}: {label('ui', 'import_unchanged')}")
            else:
                print(f"{file}: " + label("ui", "import_done").format(
                    rows=result.rows, values=result.values_written, replaced=result.values_replaced))
    finally:
        store.close()
    if problems:
        raise DataError(problems)
    return 0


def _scorecard(args: argparse.Namespace) -> int:
    from fpplan.app.output import atomic_path, check_suffix, replacing

    path = check_suffix(args.out, (".csv", ".xlsx")) if args.out else None
    from fpplan.data import load_county
    from fpplan.data.labels import column_label
    from fpplan.indicators.scorecard import scorecard

    card = scorecard(load_county(args.data_dir), args.level, args.period, args.target_set)
    columns = ["unit", "name", "value", "target", "status", "change", "forecast", "expected_met"]
    shown = card.reindex(columns=columns)
    shown["status"] = shown["status"].map(lambda s: label("ui", f"status_{s}"))
    print(shown.round(2).to_string(index=False))
    if path is not None:
        replaced = replacing(path)
        with atomic_path(path) as tmp:
            if path.suffix.lower() == ".xlsx":
                card.rename(columns=column_label).to_excel(tmp, index=False)
            else:
                card.to_csv(tmp, index=False)
        if replaced:
            print(replaced)
        print(path)
    return 0


def _report(args: argparse.Namespace) -> int:
    from fpplan.app.reports import run_report

    return run_report(args.data_dir, args.scenario, args.out)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="fpplan",
        description="计划生育服务网络规划工作台 / planning workbench for county family-planning service networks",
    )
    p.add_argument("--lang", choices=["zh", "en"], default="zh", help="界面语言 / interface language (default zh)")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name: str, help_: str, run: Callable[[argparse.Namespace], int]) -> argparse.ArgumentParser:
        cmd = sub.add_parser(name, help=help_, description=help_)
        cmd.set_defaults(run=run)
        return cmd

    add("demo", "写出演示县数据 / write the demo county", _demo).add_argument("out_dir", help="输出文件夹 / output folder")
    add("validate", "检查县数据文件夹 / check a county data folder", _validate).add_argument(
        "data_dir", help="县数据文件夹 / county data folder")
    cmd = add("project", "人口预测 / project the population", _project)
    cmd.add_argument("data_dir")
    cmd.add_argument("--scenario", default="medium", help="情景名称 / scenario name")
    cmd.add_argument("--trajectories", type=int, default=0,
                     help="随机轨迹数（≥0，大量时先估计时间与内存）/ stochastic trajectories (≥ 0; a large count is "
                          "estimated first; 0 = deterministic)")
    cmd.add_argument("--out", required=True, help="输出 .csv 或 .parquet / output .csv or .parquet")
    cmd = add("plan", "服务需求、人员与建设规划 / demand, staffing and construction plan", _plan)
    cmd.add_argument("data_dir")
    cmd.add_argument("--scenario", default="medium")
    cmd.add_argument("--out", required=True, help="输出工作簿 .xlsx / output workbook .xlsx")
    cmd = add("import-reports", "导入月报到数据库 / import monthly reports into the store", _import_reports)
    cmd.add_argument("db", help="DuckDB 数据库文件 / DuckDB database file")
    cmd.add_argument("files", nargs="+", help="月报文件 / report files (CSV/XLSX)")
    cmd = add("scorecard", "指标评分表 / indicator scorecard", _scorecard)
    cmd.add_argument("data_dir")
    cmd.add_argument("--level", default="township", choices=["village", "township", "county"])
    cmd.add_argument("--period", required=True, help="如 2025、2025S1、2025Q1、2025-01 / e.g. 2025, 2025Q1")
    cmd.add_argument("--target-set", default=None, help="目标集 / target set")
    cmd.add_argument("--out", default=None, help="输出 .csv/.xlsx / output file")
    cmd = add("report", "生成可重复的分析报告 / render the reproducible report", _report)
    cmd.add_argument("data_dir")
    cmd.add_argument("--scenario", default="medium")
    cmd.add_argument("--out", default="reports", help="输出文件夹 / output folder")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    set_language(args.lang)
    try:
        return args.run(args)
    except DataError as error:
        print_problems(error)
        return 2


if __name__ == "__main__":
    sys.exit(main())
