"""The ``fpplan`` command: one subcommand per task, bilingual help, no traceback for bad data (every problem printed
by ``fpplan.data.errors.print_problems``, exit 2)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from fpplan.data.errors import DataError, Problem, print_problems
from fpplan.data.labels import label, language, set_language, ui


def _demo(args: argparse.Namespace) -> int:
    from fpplan.demo import write_demo
    from fpplan.demo.region import write_demo_region

    if args.shape:
        from fpplan.demo.shapes import write_county

        out = write_county(args.out_dir, args.shape, seed=args.seed)
    else:
        out = write_demo_region(args.out_dir, args.counties) if args.counties else write_demo(args.out_dir)
    print(out)
    return 0


def _init(args: argparse.Namespace) -> int:
    """A county folder from the files a county office keeps (fpplan.data.intake)."""
    from fpplan.data.intake import init_county

    path, log = init_county(args.data_dir, args.from_files, name=args.name, code=args.code, year=args.year)
    print(ui("intake_written", path=path, tables=len({t for _, t, _ in log.files}), report=path / "导入说明.md"))
    return 0


def _template(args: argparse.Namespace) -> int:
    """A workbook to fill in instead of the office's own files (fpplan.data.intake.template)."""
    from fpplan.data.intake.template import write_template

    print(ui("template_written", path=write_template(args.out, args.county)))
    return 0


def _validate(args: argparse.Namespace) -> int:
    """Everything the other commands read, checked at once: every table and config file of the folder, its
    scenarios, and, where the county has a store, the store (whole, of this county, its rows against the county)."""
    from fpplan.data import load_county
    from fpplan.data.region import is_region_folder
    from fpplan.data.workspace import against_county

    if is_region_folder(Path(args.data_dir)):
        from fpplan.runs import validate_region

        return validate_region(args.data_dir)

    problems: list[Problem] = []
    county = None
    try:
        county = load_county(args.data_dir)
    except DataError as error:
        problems += error.problems
    if Path(args.data_dir).is_dir():
        workspace = open_workspace(args)
        if workspace.store.exists:
            problems += workspace.store.check()
            if county is not None and not problems:
                for name, frame in workspace.store.snapshot().tables.items():
                    if len(frame):
                        problems += against_county(frame, name, county, f"{workspace.store.path}:{name}")
    if problems:
        raise DataError(problems)
    print(
        ui("data_clean"),
        ui(
            "data_clean_summary",
            path=county.path,
            units=len(county.units),
            year=county.base_year,
            scenarios=len(county.scenarios),
        ),
    )
    from fpplan.data.readiness import readiness

    stored = open_county(args, sync=False) if Path(args.data_dir).is_dir() and workspace.store.exists else county
    print(ui("readiness_title") + ":")
    for line in readiness(stored):
        print(f"- {line}")
    return 0


def open_workspace(args: argparse.Namespace):
    """The workspace of the county folder the command names (``--store`` for a store elsewhere)."""
    from fpplan.data.workspace import Workspace

    return Workspace(args.data_dir, store=getattr(args, "store", None))


def open_county(args: argparse.Namespace, sync: bool = True):
    """The county the command names, its monthly tables read from its store (imported first from the folder)."""
    return open_workspace(args).county(sync=sync)


def _scenario(county, data_dir: str, name: str):
    """The county's scenario ``name`` (checked with the county by load_county), or a DataError naming the others."""
    from fpplan.data.scenarios import unknown_scenario
    from fpplan.demography import load_scenarios

    scenarios = load_scenarios(county)
    if name not in scenarios:
        raise DataError([unknown_scenario(data_dir, name, scenarios)])
    return scenarios[name]


def _project(args: argparse.Namespace) -> int:
    """Project a county (or every county of a region) under one of its scenarios and write the tidy result."""
    from fpplan.data.region import is_region_folder
    from fpplan.runs import project_command

    workspace = None if is_region_folder(Path(args.data_dir)) else open_workspace(args)
    if workspace is not None:
        _scenario(workspace.static_county(), args.data_dir, args.scenario)  # before the store is touched
    return project_command(
        args.data_dir,
        args.scenario,
        args.trajectories,
        args.out,
        seed=args.seed,
        scheduler=args.scheduler,
        workers=args.workers,
        trajectories_out=args.trajectories_out,
        open_county=lambda folder: (workspace or open_workspace(args)).county(),  # the county read once
    )


def _backtest(args: argparse.Namespace) -> int:
    """Project the county's past population to its base year and report against what happened. Reads only the
    folder's demographic tables (no store, nothing written there)."""
    from fpplan.demography.backtest import load_backtest_county
    from fpplan.runs import backtest_command

    return backtest_command(load_backtest_county(args.data_dir), args.trajectories, args.seed, args.out)


def _plan(args: argparse.Namespace) -> int:
    """Every planning table for a scenario, written as the officials' workbook (.xlsx); a plan that cannot be
    handed in (a target area below its grade's standard, rules no hiring plan can meet) is refused and nothing is
    written. When the workspace's results are current for the data (computed in this language; no --start-year),
    the plan they keep is written instead of computing it again (fpplan.app.results.stored_plan)."""
    from fpplan.app.plan_outputs import plan_outputs, write_plan_workbook
    from fpplan.app.results import stored_plan
    from fpplan.data.output import check_suffix, replacing
    from fpplan.data.region import is_region_folder

    out = check_suffix(args.out, (".xlsx",))
    if is_region_folder(Path(args.data_dir)):
        from fpplan.runs import plan_region

        return plan_region(args.data_dir, args.scenario, args.out)
    workspace = open_workspace(args)
    _scenario(workspace.static_county(), args.data_dir, args.scenario)  # before the store is touched
    county = workspace.county()
    kept = stored_plan(workspace, args.scenario) if args.start_year is None else None  # current results: not again
    outputs, officials = kept or (plan_outputs(county, args.scenario, start_year=args.start_year), None)
    plan = outputs.plan
    if plan.problems:
        raise DataError(list(plan.problems))
    replaced = replacing(out)
    if replaced:
        print(replaced)
    path = write_plan_workbook(outputs, out, officials)
    from fpplan.app.printouts import plan_lines

    print("\n".join(plan_lines(plan, path)))
    return 0


def _scenarios(args: argparse.Namespace) -> int:
    """The county's scenarios (config/scenarios/*.yaml), saved ones included."""
    from fpplan.demography import load_scenarios

    scenarios = load_scenarios(args.data_dir)
    for key, scenario in scenarios.items():
        print(f"{key}\t{scenario.name.zh}\t{scenario.name.en}")
    from fpplan.app.observed_view import observed_lines
    from fpplan.data import load_county

    try:
        county = load_county(args.data_dir)
    except DataError:
        return 0  # the scenarios are listed; `fpplan validate` names what is wrong with the county's tables
    print("\n".join(observed_lines(county, scenarios)))
    return 0


def _import_reports(args: argparse.Namespace) -> int:
    """Validate every file, then import each into the county's store in its own transaction (exit 2 and nothing
    written when one is bad); then bring the results every reader sees up to date."""
    workspace = open_workspace(args)
    for result in workspace.import_files(args.files, table=args.table):
        if result.import_id is None:
            print(f"{result.file}: {ui('import_unchanged')}")
        else:
            print(
                f"{result.file}: "
                + ui(
                    "import_done",
                    table=label("tables", result.table),
                    rows=result.rows,
                    new=result.rows_new,
                    replaced=result.rows_replaced,
                    values=result.values_replaced,
                )
            )
    if not args.no_results:
        _refresh_results(workspace)
    return 0


def _imports(args: argparse.Namespace) -> int:
    """The store's import log, or its integrity check, or the way back from a damaged store."""
    from fpplan.data.labels import column_label

    workspace = open_workspace(args)
    if args.restore:
        used, saved = workspace.restore()
        print(ui("store_restored", file=used, saved=saved))
        return 0
    if args.rebuild:
        print(ui("store_rebuilt", n=workspace.rebuild()))
        return 0
    problems = workspace.check()
    if problems:
        raise DataError(problems)
    if args.check:
        print(ui("store_whole", path=workspace.store.path))
        return 0
    log = workspace.imports()
    if log.empty:
        print(ui("imports_none"))
        return 0
    shown = log[
        [
            "import_id",
            "table_name",
            "file",
            "imported_at",
            "imported_by",
            "source",
            "rows",
            "rows_new",
            "rows_replaced",
            "values_replaced",
        ]
    ].copy()
    shown["table_name"] = shown["table_name"].map(lambda t: label("tables", t))
    shown["imported_at"] = shown["imported_at"].dt.strftime("%Y-%m-%d %H:%M")
    print(shown.rename(columns=column_label).to_string(index=False))
    return 0


def _refresh_results(workspace) -> None:
    from fpplan.app.pages.build import ensure_pages

    outcome = ensure_pages(workspace)  # the results and the dashboards' pages rendered ahead
    key = "results_computed" if outcome.computed else "results_ready"
    print(ui(key, version=outcome.version[:12], seconds=outcome.seconds))


def _scorecard(args: argparse.Namespace) -> int:
    """The scorecard of one period (month 2025-07, quarter 2025Q3, half-year 2025S1 or year 2025) at a level."""
    from fpplan.data.output import check_suffix

    if args.out:
        check_suffix(args.out, (".csv", ".xlsx"))  # a wrong suffix is refused before any work
    from fpplan.app.printouts import county_names, scorecard_sheets, scorecard_text
    from fpplan.data.region import is_region_folder
    from fpplan.indicators.scorecard import scorecard
    from fpplan.runs import write_table

    if is_region_folder(Path(args.data_dir)):
        from fpplan.runs import scorecard_region

        return scorecard_region(args.data_dir, args.level, args.period, args.target_set, args.out)
    county = open_county(args)
    try:
        card = scorecard(county, args.level, args.period, args.target_set)
    except ValueError:  # a period id or target set that does not exist
        raise DataError([_choice_refused(args, county)]) from None
    catalogue, names = county.config["indicators"], county_names(county)
    print(scorecard_text(card, catalogue, names, args.period, args.level))
    if args.out:
        write_table(card, args.out, lambda: scorecard_sheets(card, catalogue, args.period), names)
    return 0


def _choice_refused(args: argparse.Namespace, county) -> Problem:
    """The target set or period a command was given that does not exist, as the problem to print."""
    sets = county.config["indicators"].target_sets
    if getattr(args, "target_set", None) is not None and args.target_set not in sets:
        return Problem(
            file=str(county.path / "config" / "indicators.yaml"),
            kind="unknown_target_set",
            value=args.target_set,
            detail="、".join(f"{k}（{getattr(v, language())}）" for k, v in sets.items()),
        )
    return Problem(file=str(args.data_dir), kind="bad_period", value=args.period)


def _exams(args: argparse.Namespace) -> int:
    """The year's staff exams: each pseudonymous staff id's results and consequences, collective prizes and fines."""
    from fpplan.app.printouts import county_names, text_table
    from fpplan.app.workbook import exam_sheets, write_sheets
    from fpplan.rules import exam_consequences

    county = open_county(args)
    if not county.has("exam_scores"):  # nothing to assess: say so rather than print empty tables
        print(ui("absent_exam_scores"))
        return 0
    names = county_names(county)
    result = exam_consequences(county, args.year)
    for key, table in (("exams_people", result["people"]), ("exams_collective", result["collective"])):
        print(label("ui", key))
        print(text_table(table, names))
    if args.out:
        print(write_sheets(exam_sheets(result), args.out, names))
    return 0


def _survey(args: argparse.Namespace) -> int:
    """The demand survey of a period: needs by class for the county, township quarters, common problems."""
    from fpplan.app.printouts import county_names, text_table
    from fpplan.app.workbook import survey_sheets, write_sheets
    from fpplan.rules import survey_rollup

    county = open_county(args)
    if not county.has("survey"):
        print(ui("absent_survey"))
        return 0
    names = county_names(county)
    try:
        result = survey_rollup(county, args.period)
    except ValueError:
        raise DataError([_choice_refused(args, county)]) from None
    for key, part in (
        ("survey_county", "county"),
        ("survey_township", "township_quarterly"),
        ("survey_common", "common_problems"),
    ):
        print(label("ui", key))
        print(text_table(result[part], names))
    if args.out:
        print(write_sheets(survey_sheets(result, county.config["rules"].survey), args.out, names))
    return 0


def _report(args: argparse.Namespace) -> int:
    from fpplan.app.reports import run_report
    from fpplan.data.region import is_region_folder

    if is_region_folder(Path(args.data_dir)):
        from fpplan.app.region_reports import no_store, run_region_report

        no_store(args.data_dir, args.store)
        return run_region_report(args.data_dir, args.scenario, args.out, period=args.period, replace=args.replace)
    return run_report(
        args.data_dir,
        args.scenario,
        args.out,
        period=args.period,
        replace=args.replace,
        store=args.store,
        target_set=args.targets,
    )


def _brief(args: argparse.Namespace) -> int:
    from fpplan.app.brief import run_brief
    from fpplan.data.region import is_region_folder

    if is_region_folder(Path(args.data_dir)):
        from fpplan.app.region_reports import no_store, run_region_brief

        no_store(args.data_dir, args.store)
        return run_region_brief(args.data_dir, args.period, args.scenario, args.out)
    return run_brief(args.data_dir, args.period, args.scenario, args.out, store=args.store, target_set=args.targets)


def targets_option(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument(
        "--targets",
        default=None,
        help="评价指标所用的目标集（默认本县目标）/ the target set indicators are "
        "judged against (default: the county's own)",
    )


def _serve(args: argparse.Namespace) -> int:
    from fpplan.server.serve import run

    run(args)  # replaces this process with the dashboard server
    return 0


def store_option(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument(
        "--store",
        default=None,
        help="数据库文件（默认 县文件夹/fpplan.duckdb）/ store file (default COUNTY/fpplan.duckdb)",
    )


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

    cmd = add("demo", "写出演示县数据 / write the demo county", _demo)
    cmd.add_argument("out_dir", help="输出文件夹 / output folder")
    cmd.add_argument(
        "--counties",
        type=int,
        default=0,
        choices=[0, 1, 2, 3],
        help="写出含几个县的演示区域 / write a demo region of this many counties (0 = one county)",
    )
    cmd.add_argument(
        "--shape",
        default=None,
        choices=["small", "seed003"],
        help="另一形态的生成县：small（3乡镇15村）、seed003（16乡镇448村）/ a generated county of another shape",
    )
    cmd.add_argument("--seed", type=int, default=3, help="生成县的随机种子 / seed of a generated county (--shape)")
    cmd = add(
        "init", "由县里原样的表格文件建立县文件夹 / make the county folder from the county office's own files", _init
    )
    cmd.add_argument("data_dir", help="要建立的县文件夹（新的或空的）/ the county folder to write (new or empty)")
    cmd.add_argument(
        "--from",
        dest="from_files",
        nargs="+",
        required=True,
        help="县里的表格文件（CSV/XLSX，按内容识别）/ the county's files (CSV/XLSX, recognised by content)",
    )
    cmd.add_argument("--name", default=None, help="县名，如 新河县 / county name")
    cmd.add_argument("--code", default=None, help="县代码（6位），须与村名单一致 / county code (6 digits)")
    cmd.add_argument("--year", type=int, default=None, help="人口表的年份（标题中没有时）/ the population table's year")
    cmd = add("template", "写出填报模板（.xlsx）/ write the fill-in template workbook", _template)
    cmd.add_argument("out", help="输出 .xlsx / output .xlsx")
    cmd.add_argument(
        "--county", default=None, help="已有的县文件夹：填入乡镇、村、服务站 / a county folder whose names to fill in"
    )
    cmd = add("validate", "检查县数据文件夹 / check a county data folder", _validate)
    cmd.add_argument("data_dir", help="县数据文件夹 / county data folder")
    store_option(cmd)
    cmd = add("project", "人口预测 / project the population", _project)
    cmd.add_argument("data_dir")
    cmd.add_argument("--scenario", default="medium", help="情景名称 / scenario name")
    cmd.add_argument(
        "--trajectories",
        type=int,
        default=0,
        help="随机轨迹数（≥0，大量时先估计时间与内存）/ stochastic trajectories (≥ 0; a large count is "
        "estimated first; 0 = deterministic)",
    )
    cmd.add_argument("--out", required=True, help="输出 .csv 或 .parquet / output .csv or .parquet")
    cmd.add_argument("--seed", type=int, default=2025, help="随机种子 / random seed")
    cmd.add_argument(
        "--scheduler",
        default=None,
        help="在 Dask 上运行：local 或 tcp://HOST:8786 / run on dask.distributed: local or tcp://HOST:8786",
    )
    cmd.add_argument(
        "--workers", type=int, default=None, help="local 集群的进程数 / worker processes for --scheduler local"
    )
    cmd.add_argument(
        "--trajectories-out", default=None, help="全部轨迹写入 .parquet / write every trajectory to this .parquet"
    )
    store_option(cmd)
    cmd = add("backtest", "回溯检验人口预测 / back-test the projection against what happened", _backtest)
    cmd.add_argument("data_dir")
    cmd.add_argument("--trajectories", type=int, default=1000, help="随机轨迹数 / stochastic trajectories")
    cmd.add_argument("--seed", type=int, default=2025, help="随机种子 / random seed")
    cmd.add_argument("--out", default=None, help="输出 .csv/.xlsx / output file")
    cmd = add("plan", "服务需求、人员与建设规划 / demand, staffing and construction plan", _plan)
    cmd.add_argument("data_dir")
    cmd.add_argument("--scenario", default="medium")
    cmd.add_argument("--out", required=True, help="输出工作簿 .xlsx / output workbook .xlsx")
    cmd.add_argument(
        "--start-year",
        type=int,
        default=None,
        help="规划起始年（默认基年的下一年）/ the plan's first year (default: the year after the base year)",
    )
    store_option(cmd)
    add("scenarios", "列出情景 / list the scenarios", _scenarios).add_argument("data_dir")
    cmd = add("import-reports", "把月报导入本县数据库 / import monthly tables into the county's store", _import_reports)
    cmd.add_argument("data_dir", help="县数据文件夹 / county data folder")
    cmd.add_argument("files", nargs="+", help="月报文件 / report files (CSV/XLSX)")
    cmd.add_argument("--table", default=None, help="表名（默认按表头识别）/ table (default: from the header)")
    cmd.add_argument("--no-results", action="store_true", help="不重新计算结果 / do not recompute the results")
    store_option(cmd)
    cmd = add("imports", "导入记录与数据库检查 / the store's import log and integrity", _imports)
    cmd.add_argument("data_dir", help="县数据文件夹 / county data folder")
    what = cmd.add_mutually_exclusive_group()
    what.add_argument("--check", action="store_true", help="检查数据库是否完整 / check the store's integrity")
    what.add_argument(
        "--restore", action="store_true", help="恢复最近一次导入前的状态 / restore the state before the last import"
    )
    what.add_argument(
        "--rebuild", action="store_true", help="按导入记录重建数据库 / rebuild the store from its logged files"
    )
    store_option(cmd)
    cmd = add("scorecard", "指标评分表 / indicator scorecard", _scorecard)
    cmd.add_argument("data_dir")
    cmd.add_argument("--level", default="township", choices=["village", "township", "county"])
    cmd.add_argument(
        "--period", required=True, help="如 2025、2025S1、2025Q3、2025-07 / e.g. 2025, 2025S1, 2025Q3, 2025-07"
    )
    cmd.add_argument("--target-set", default=None, help="目标集 / target set")
    cmd.add_argument("--out", default=None, help="输出 .csv/.xlsx / output file")
    store_option(cmd)
    cmd = add("exams", "技术人员月考奖惩 / staff exams, prizes and penalties", _exams)
    cmd.add_argument("data_dir")
    cmd.add_argument("--year", type=int, required=True, help="年份 / year")
    cmd.add_argument("--out", default=None, help="输出工作簿 .xlsx / output workbook .xlsx")
    cmd = add("survey", "群众需求调查汇总 / demand-survey roll-up", _survey)
    cmd.add_argument("data_dir")
    cmd.add_argument("--period", required=True, help="如 2025、2025S1、2025Q3、2025-07 / e.g. 2025, 2025Q3")
    cmd.add_argument("--out", default=None, help="输出工作簿 .xlsx / output workbook .xlsx")
    cmd = add(
        "report", "生成某一报告期、某一情景的分析报告与简报 / the report and brief of a period and scenario", _report
    )
    cmd.add_argument("data_dir")
    cmd.add_argument(
        "--period",
        default=None,
        help="报告期，如 2025Q3、2025（默认最近一个完整季度）/ period, e.g. 2025Q3, 2025 (default: the newest complete quarter)",
    )
    cmd.add_argument("--scenario", default="medium")
    cmd.add_argument(
        "--out",
        default="reports",
        help="输出文件夹，报告写入其中的 县代码_报告期_情景/ / output folder (the report goes into COUNTY_PERIOD_SCENARIO/)",
    )
    cmd.add_argument(
        "--replace",
        action="store_true",
        help="替换已有的同一报告 / replace an existing report of the same county, period and scenario",
    )
    targets_option(cmd)
    store_option(cmd)
    cmd = add("brief", "一页简报（Word 与 PDF）/ the one-page brief (Word and PDF)", _brief)
    cmd.add_argument("data_dir")
    cmd.add_argument("--period", default=None, help="报告期，如 2025Q3 / period, e.g. 2025Q3")
    cmd.add_argument("--scenario", default="medium")
    cmd.add_argument("--out", required=True, help="输出文件夹 / output folder")
    targets_option(cmd)
    store_option(cmd)
    from fpplan.server.serve import add_arguments

    add_arguments(add("serve", "启动仪表盘（县或地区文件夹）/ serve the dashboards of a county or a region", _serve))
    return p


def main(argv: list[str] | None = None) -> int:
    from fpplan.startup import skip_unused_imports

    skip_unused_imports()  # before a report or the server loads Jupyter's libraries
    args = parser().parse_args(argv)
    previous = language()
    set_language(args.lang)
    try:
        return args.run(args)
    except DataError as error:
        print_problems(error)
        return 2
    finally:
        set_language(previous)  # a command run in-process (tests, notebooks) leaves the language as it found it


if __name__ == "__main__":
    sys.exit(main())
