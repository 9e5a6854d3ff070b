"""A demo region (a prefecture of three counties) for trying ``fpplan validate | project | plan | scorecard`` on a
region folder: ``write_demo_region(OUT_DIR)`` writes ``region.yaml`` and one demo county per sub-folder, each
drawn with its own seed (so the counties differ) and given its own county code and name (the demo county's
codes and name rewritten in every file). Deterministic: the same bytes every run.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import yaml

from fpplan.demo.county import COUNTY, write_demo

REGION = {"name": {"zh": "演示州", "en": "demo prefecture"}, "code": "6523", "source": "demo assumption"}
# code, name, seed: seeds whose staff rosters can meet the shipped staffing standards (fpplan plan refuses a plan
# that cannot be handed in)
COUNTIES = (("650123", "演示县", 2025), ("650124", "演示东县", 2026), ("650125", "演示西县", 2029))


def county_list(counties: int) -> list[tuple[str, str, int]]:
    """(code, name, seed) of ``counties`` demo counties: the three above, then copies of them in turn (codes
    660003, 660004 …, names 演示4号县 …) for a large region (benchmarks/bench_region.py)."""
    extra = [(f"66{i:04d}", f"演示{i + 1}号县", COUNTIES[i % len(COUNTIES)][2]) for i in range(len(COUNTIES), counties)]
    return [*COUNTIES[:counties], *extra]


def write_demo_region(out_dir: str | Path, counties: int = 3) -> Path:
    """Write a region of ``counties`` demo counties to ``out_dir`` and return its path (beyond three, the three
    counties' data again under new codes and names)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    (out / "region.yaml").write_text(yaml.safe_dump(REGION, allow_unicode=True, sort_keys=False), encoding="utf-8")
    with tempfile.TemporaryDirectory() as tmp:
        sources = {seed: write_demo(Path(tmp) / str(seed), seed=seed) for _, _, seed in COUNTIES[:counties]}
        for code, name, seed in county_list(counties):
            source = sources[seed]
            for path in sorted(source.rglob("*")):
                if path.is_dir():
                    continue
                target = out / code / path.relative_to(source)
                target.parent.mkdir(parents=True, exist_ok=True)
                text = path.read_text(encoding="utf-8").replace(COUNTY, code).replace("演示县", name)
                target.write_text(text, encoding="utf-8")
    return out
