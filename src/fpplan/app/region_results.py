"""A region's results: every county's results computed once per data version (``fpplan.app.results``), and a
small region summary beside them, read by the 地区总览 page, the region report and brief.

``ensure_region_results(region_folder)`` brings each county's results up to date (``ensure_results`` of its
workspace, in worker processes, or on a dask.distributed cluster where ``region.yaml`` names a ``scheduler``),
reads each county's headline numbers from its own results (``county_headline``), ranks the counties by every
measure, and writes ``REGION/.fpplan/region/<version>/summary.json`` (+ the page's ``overview.json``, with its
figures as SVG images) whole, then points ``current.json`` at it; the version names the counties' result
versions. A county whose files have not changed since (sizes and times: ``fpplan.data.folder.fingerprint``) is
not opened again, so a region of 100 counties with one new month in one county recomputes that county only.

Readers (``current``, ``county_folder``, ``is_stale``) use only the standard library.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from fpplan.app import results

REGION_RESULTS = Path(".fpplan") / "region"
SUMMARY = "summary.json"
# the measures counties are ranked by (larger first: more need or more to do), the first the default
MEASURES = (
    "red",
    "amber",
    "population_change_pct",
    "population_horizon",
    "women_15_49_base",
    "staff_gap",
    "area_gap_m2",
    "still_to_secure_wan_yuan",
)


@dataclass(frozen=True)
class RegionOutcome:
    version: str
    folder: Path
    computed: bool  # the region summary was written anew
    counties_computed: int  # counties whose results were computed (not found up to date)
    seconds: float


# --- reading (light) --------------------------------------------------------------------------------------------


def region_root(region: str | Path) -> Path:
    return Path(region) / REGION_RESULTS


def current(region: str | Path) -> dict | None:
    """The region summary in use (``summary.json`` with ``path``), or None."""
    root = region_root(region)
    try:
        pointer = json.loads((root / results.CURRENT).read_text(encoding="utf-8"))
        folder = root / pointer["folder"]
        summary = json.loads((folder / SUMMARY).read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError, KeyError):
        return None
    return summary | {"path": str(folder)}


def document(summary: dict, name: str) -> dict:
    return json.loads((Path(summary["path"]) / f"{name}.json").read_text(encoding="utf-8"))


def county_folder(region: str | Path, code: str | None) -> Path:
    """The folder of the region's county ``code`` (its first county when ``code`` is empty or not one of them;
    the pages say which county they show)."""
    from fpplan.data.region import county_folders

    summary = current(region)
    counties = summary["counties"] if summary else []
    for row in counties:
        if row["code"] == code:
            return Path(region) / row["folder"]
    if counties:
        return Path(region) / counties[0]["folder"]
    return county_folders(Path(region))[0]


def fingerprints(region: str | Path) -> dict[str, str]:
    """folder name → fingerprint of each county folder of the region (sizes and times of its files)."""
    from fpplan.data.folder import STORE_NAME, fingerprint
    from fpplan.data.region import county_folders

    return {f.name: fingerprint(f.resolve(), f.resolve() / STORE_NAME) for f in county_folders(Path(region))}


def is_stale(region: str | Path, summary: dict | None) -> bool:
    """Whether any county's data may have changed since ``summary`` (or a county came or went)."""
    if summary is None:
        return True
    return fingerprints(region) != {c["folder"]: c["fingerprint"] for c in summary["counties"]}


def state(region: str | Path) -> str:
    """What a region page rendered now would show: the summary in use and every county's files."""
    summary = current(region) or {}
    every = json.dumps(fingerprints(region), sort_keys=True)
    return f"{summary.get('version')}:{hashlib.sha256(every.encode()).hexdigest()}"


# --- one county's numbers, from its own results --------------------------------------------------------------------


def county_headline(manifest: dict) -> dict:
    """The county's headline numbers for the region, read from its results (the plan scenario): population in the
    base year and at the horizon, women 15–49 in the base year, the technical-staff gap at the horizon, the
    floor-area gap in the base year, the subsidy still to secure, and the county indicators red and amber in the
    newest complete year (as the county's overview shows them).

    The plan's numbers come from the results' ``headline`` table where the results hold one (the plan computes them
    once: fpplan.planning.gaps.headline); results without it (computed before it existed) give the same numbers as
    the county's overview cards of those results."""
    scenario = manifest["plan_scenario"]
    base = int(manifest["base_year"])
    try:
        h = results.table(manifest, "headline", scenario).iloc[0]
        out = {
            "base_year": int(h["base_year"]),
            "horizon": int(h["horizon"]),
            "population_base": float(h["population_base"]),
            "population_horizon": float(h["population_horizon"]),
            "women_15_49_base": float(h["women_15_49_base"]),
            "staff_gap": float(h["staff_gap_before_persons"]),
            "staff_gap_unit": "persons",
            "area_gap_m2": float(h["area_gap_base_m2"]),
            "still_to_secure_wan_yuan": float(h["still_to_secure_wan_yuan"]),
        }
    except FileNotFoundError:
        out = _headline_before_plan_headline(manifest, scenario, base)
    out["population_change_pct"] = (
        100.0 * (out["population_horizon"] - out["population_base"]) / out["population_base"]
        if out["population_base"]
        else None
    )
    return out | _lights(manifest)


def _headline_before_plan_headline(manifest: dict, scenario: str, base: int) -> dict:
    """The overview cards' numbers from results that have no ``headline`` table (fpplan.app.overview_content)."""
    series = results.table(manifest, "county_series", scenario)
    series = series[series["trajectory"] == 0] if "trajectory" in series else series
    series = series.set_index("year")
    horizon = int(series.index.max())
    wisn = results.table(manifest, "wisn", scenario)
    shortage = (wisn["required"] - wisn["existing"]).clip(lower=0).groupby(wisn["year"]).sum()
    capacity = results.table(manifest, "capacity", scenario)
    area = capacity["gap_m2"].clip(lower=0).groupby(capacity["year"]).sum()
    subsidy = results.table(manifest, "officials_subsidy", scenario)
    return {
        "base_year": base,
        "horizon": horizon,
        "population_base": float(series.loc[base, "population"]),
        "population_horizon": float(series.loc[horizon, "population"]),
        "women_15_49_base": float(series.loc[base, "women_15_49"]),
        "staff_gap": float(shortage.get(horizon, 0.0)),
        "staff_gap_unit": "fte",
        "area_gap_m2": float(area.get(base, 0.0)),
        "still_to_secure_wan_yuan": float(subsidy["still_to_secure_wan_yuan"].sum()),
    }


def _lights(manifest: dict) -> dict:
    """The county's indicators red and amber in its newest complete year (None when no year is complete)."""
    years = manifest["scored_periods"].get("year", [])
    if not years:
        return {"period": None, "red": None, "amber": None, "indicators": None}
    cards = results.table(manifest, "scorecards")
    card = cards[(cards["level"] == "county") & (cards["kind"] == "year") & (cards["period"] == years[-1])]
    return {
        "period": years[-1],
        "red": int((card["status"] == "red").sum()),
        "amber": int((card["status"] == "amber").sum()),
        "indicators": len(card),
    }


def county_task(folder: str) -> dict:
    """One county of a region: its results brought up to date, its headline read (runs in a worker)."""
    from fpplan.data.errors import DataError
    from fpplan.data.workspace import Workspace

    start = time.perf_counter()
    try:
        outcome = results.ensure_results(Workspace(folder))
    except DataError as error:
        return {"folder": Path(folder).name, "problems": list(error.problems)}
    manifest = results.current(folder)
    return {
        "folder": Path(folder).name,
        "code": manifest["county"]["code"],
        "name": manifest["county"]["name"],
        "version": manifest["version"],
        "fingerprint": manifest["fingerprint"],
        "data_as_of": manifest["data_as_of"],
        "computed": outcome.computed,
        "seconds": round(time.perf_counter() - start, 2),
        **county_headline(manifest),
    }


def worker_task(folder: str) -> dict:
    """``county_task`` in a region's worker process (one county after another), then its garbage collected and what
    is left (the modules, numba's and the engines' caches the first county loaded, some 270,000 objects) frozen out of
    the collector's full passes: each later county then spends ~0.01 CPU-s instead of ~0.2 in those passes, which
    otherwise walk every live object twice a county; nothing computed changes. Only in a worker of fpplan's own: a
    process that lives on (a kernel, the tests) would never collect what it froze."""
    import gc

    try:
        return county_task(folder)
    finally:
        gc.collect()
        gc.freeze()


# --- computing --------------------------------------------------------------------------------------------------


def _map(folders: list[str], scheduler: str, workers: int) -> list[dict]:
    """``county_task`` of every folder: in this process for one, else in worker processes, or on dask."""
    if scheduler:
        from fpplan.demography import cluster

        client = cluster.connect(scheduler, workers or None)
        try:
            return client.gather(client.map(county_task, folders, pure=False))
        finally:
            cluster.close(client)
    n = min(workers or os.cpu_count() or 1, len(folders))
    if n <= 1:
        return [county_task(f) for f in folders]
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from fpplan.app.figure_images import keep_renderer_open

    with ProcessPoolExecutor(
        n, mp_context=multiprocessing.get_context("spawn"), initializer=keep_renderer_open
    ) as pool:
        return list(pool.map(worker_task, folders))


def ensure_region_results(region: str | Path, force: bool = False, workers: int | None = None) -> RegionOutcome:
    """The region's results for its counties' data as they are now (see the module docstring); ``force``: the
    summary written anew even if its version is there (the counties' results are recomputed only when their data
    changed). Raises DataError with every problem of every county (and of ``region.yaml``) at once."""
    from fpplan.data.errors import DataError, Problem
    from fpplan.data.readers import find_table_files
    from fpplan.data.region import county_folders, read_region_config, region_name
    from fpplan.data.workspace import fpplan_version

    start = time.perf_counter()
    region = Path(region).resolve()
    if not region.is_dir():
        raise DataError([Problem(file=str(region), kind="missing_region")])
    config, problems = read_region_config(region)
    folders = county_folders(region)
    if not folders:
        problems.append(Problem(file=str(region), kind="empty_region"))
    if problems:
        raise DataError(problems)
    root = region_root(region)
    with results._locked(root):
        summary = current(region)
        known = {c["folder"]: c for c in (summary or {}).get("counties", [])}
        now = fingerprints(region)
        todo = [f for f in folders if f.name not in known or known[f.name]["fingerprint"] != now[f.name]]
        done = _map([str(f) for f in todo], config.scheduler, workers if workers is not None else config.workers)
        problems = [p for row in done for p in row.get("problems", [])]
        rows = {f.name: known.get(f.name) for f in folders} | {row["folder"]: row for row in done}
        first: dict[str, str] = {}
        for name, row in rows.items():
            if row is None or "problems" in row:
                continue
            if row["code"] in first:
                problems.append(
                    Problem(
                        file=str(find_table_files(region / name)[0]["units"]),
                        kind="duplicate_county",
                        value=row["code"],
                        detail=f"{first[row['code']]}, {name}",
                    )
                )
            first.setdefault(row["code"], name)
        if problems:
            raise DataError(problems)
        counties = [{k: v for k, v in rows[f.name].items() if k not in ("computed", "seconds")} for f in folders]
        version = hashlib.sha256(
            json.dumps(
                [[c["folder"], c["version"]] for c in counties] + [config.model_dump(), fpplan_version()],
                sort_keys=True,
            ).encode()
        ).hexdigest()
        computed = sum(bool(row.get("computed")) for row in done)
        if not force and summary is not None and summary["version"] == version:
            if [c["fingerprint"] for c in summary["counties"]] != [c["fingerprint"] for c in counties]:
                _write(
                    Path(summary["path"]) / SUMMARY,
                    {k: v for k, v in summary.items() if k != "path"} | {"counties": counties},
                )  # touched, not changed
            return RegionOutcome(version, Path(summary["path"]), False, computed, time.perf_counter() - start)
        name = version[:16]
        staging = root / f".staging-{os.getpid()}"
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        try:
            new = summarise(region_name(config, region), config.code or region.name, counties)
            new |= {
                "version": version,
                "fpplan_version": fpplan_version(),
                "created_at": time.strftime("%Y-%m-%dT%H:%M:%S"),
            }
            from fpplan.app import region_content

            content = region_content.build(new)
            _write(staging / "overview.json", content)
            _write(staging / SUMMARY, new)
            target = root / name
            shutil.rmtree(target, ignore_errors=True)
            os.replace(staging, target)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        results._publish(root, {"version": version, "folder": name})
        results._prune(root, keep=name)
    return RegionOutcome(version, target, True, computed, time.perf_counter() - start)


def _write(path: Path, doc: dict) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    tmp.write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(tmp, path)


def summarise(name: str, code: str, counties: list[dict]) -> dict:
    """The region's totals, and the counties ranked by every measure (larger first; ties by county code; a county
    with no value for a measure last)."""

    def total(key: str) -> float:
        return float(sum(c[key] for c in counties))

    base, horizon = total("population_base"), total("population_horizon")
    years = sorted({c["base_year"] for c in counties}), sorted({c["horizon"] for c in counties})
    with_red = [c for c in counties if c["red"]]
    totals = {
        "counties": len(counties),
        "base_years": years[0],
        "horizons": years[1],
        "population_base": base,
        "population_horizon": horizon,
        "population_change_pct": 100.0 * (horizon - base) / base if base else None,
        "women_15_49_base": total("women_15_49_base"),
        "staff_gap": total("staff_gap"),
        "staff_gap_units": sorted({c["staff_gap_unit"] for c in counties}),
        "area_gap_m2": total("area_gap_m2"),
        "still_to_secure_wan_yuan": total("still_to_secure_wan_yuan"),
        "counties_with_red": len(with_red),
        "counties_scored": sum(c["red"] is not None for c in counties),
        "periods": sorted({c["period"] for c in counties if c["period"]}),
    }
    rankings = {}
    for measure in MEASURES:
        scored = sorted((c for c in counties if c[measure] is not None), key=lambda c: (-c[measure], c["code"]))
        rankings[measure] = [c["code"] for c in scored] + [c["code"] for c in counties if c[measure] is None]
    months = sorted({c["data_as_of"]["last_month"] for c in counties if c["data_as_of"].get("last_month")})
    return {
        "region": {"name": name, "code": code},
        "counties": counties,
        "totals": totals,
        "measures": list(MEASURES),
        "rankings": rankings,
        "data_as_of": {"first_month": months[0] if months else None, "last_month": months[-1] if months else None},
    }
