"""A region: a folder holding one sub-folder per county (and an optional ``region.yaml``, see
``fpplan.data.models.region``), so that a prefecture or a province can validate, project, plan and compare its
counties. Each county keeps its own folder (and its own workspace and store).

``load_region`` loads every county with ``fpplan.data.load_county`` and refuses, with every problem at once and
each with its file: a missing folder, a region with no county folder, two counties with the same county code, an
unreadable or invalid ``region.yaml``, and every problem of every county. ``load_counties`` accepts a county
folder or a region folder, so commands work on either.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from fpplan.data.config import parse, read_yaml
from fpplan.data.errors import DataError, Problem
from fpplan.data.labels import language
from fpplan.data.models.region import RegionConfig
from fpplan.data.readers import find_table_files

REGION_FILE = "region.yaml"


@dataclass(frozen=True)
class Region:
    path: Path
    name: str
    code: str
    counties: dict  # county code → County, in folder order

    def county_names(self) -> dict[str, str]:
        """county code → its name (the county row of its units table)."""
        return {
            code: str(c.units.loc[c.units["level"] == "county", "name"].iloc[0]) for code, c in self.counties.items()
        }


def is_county_folder(path: Path) -> bool:
    """A county folder has its own units table (``units.csv``, ``行政区划.xlsx`` …)."""
    return path.is_dir() and "units" in find_table_files(path)[0]


def is_region_folder(path: Path) -> bool:
    """A region folder is not a county folder and has a ``region.yaml`` or at least one county sub-folder."""
    path = Path(path)
    if not path.is_dir() or is_county_folder(path):
        return False
    return (path / REGION_FILE).exists() or any(is_county_folder(p) for p in path.iterdir())


def county_folders(path: Path) -> list[Path]:
    """The county sub-folders of a region folder, sorted by name (hidden folders and others skipped)."""
    return [p for p in sorted(Path(path).iterdir()) if not p.name.startswith(".") and is_county_folder(p)]


def read_region_config(path: Path) -> tuple[RegionConfig, list[Problem]]:
    """The region folder's ``region.yaml`` (defaults where there is none) and its problems."""
    config, problems = RegionConfig(), []
    if (path / REGION_FILE).exists():
        data, found = read_yaml(path / REGION_FILE)
        if not found:
            parsed, found = parse(data or {}, RegionConfig, str(path / REGION_FILE))
            config = parsed or config
        problems += found
    return config, problems


def region_name(config: RegionConfig, path: Path) -> str:
    """The region's name in the interface language (else any, else the folder's name)."""
    return config.name.get(language()) or next(iter(config.name.values()), "") or Path(path).name


def load_region(path: str | Path, open_county: Callable[[Path], object] | None = None) -> Region:
    """Every county of the region folder at ``path``, each opened by ``open_county(folder)`` (default
    ``load_county``; the commands open each county through its own workspace and store); raises DataError
    listing every problem."""
    from fpplan.data.county import load_county

    open_county = open_county or load_county
    path = Path(path)
    if not path.is_dir():
        raise DataError([Problem(file=str(path), kind="missing_region")])
    config, problems = read_region_config(path)
    folders = county_folders(path)
    if not folders:
        problems.append(Problem(file=str(path), kind="empty_region"))
    counties: dict = {}
    first_folder: dict[str, Path] = {}
    for folder in folders:  # a handful of counties, each loaded and validated in full
        try:
            county = open_county(folder)
        except DataError as error:
            problems += error.problems
            continue
        code = county.county_code
        if code in counties:
            problems.append(
                Problem(
                    file=str(find_table_files(folder)[0]["units"]),
                    kind="duplicate_county",
                    value=code,
                    detail=f"{first_folder[code].name}, {folder.name}",
                )
            )
            continue
        counties[code], first_folder[code] = county, folder
    if problems:
        raise DataError(problems)
    return Region(path=path, name=region_name(config, path), code=config.code or path.name, counties=counties)


def load_counties(path: str | Path, open_county: Callable[[Path], object] | None = None) -> tuple[Region | None, dict]:
    """(region, {county code: County}) for a region folder; (None, {code: County}) for a county folder. Each
    county is opened by ``open_county(folder)`` (default ``load_county``)."""
    from fpplan.data.county import load_county

    open_county = open_county or load_county
    if is_region_folder(Path(path)):
        region = load_region(path, open_county)
        return region, region.counties
    county = open_county(Path(path))
    return None, {county.county_code: county}
