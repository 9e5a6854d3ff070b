"""The planner's notebooks as committed: the five planned ones, parameters tagged, outputs stripped, setup shared
through the package, each opening with what it answers and which parameters it takes. (They are executed, as a user
runs them, by the report in tests/end_to_end/test_reports.py.)"""

from __future__ import annotations

import json

from fpplan.app.reports import notebooks

NAMES = ["01_数据检查", "02_人口预测", "03_服务需求与人员", "04_建设规划", "05_指标评估"]
PARAMETERS = ("data_dir", "period", "scenario", "base_year", "horizon", "store")


def test_the_notebooks_are_the_five_planned_ones() -> None:
    assert [n.stem for n in notebooks()] == NAMES
    for path in notebooks():
        nb = json.loads(path.read_text(encoding="utf-8"))
        assert nb["metadata"]["kernelspec"]["name"] == "python3"
        tagged = [c for c in nb["cells"] if "parameters" in c.get("metadata", {}).get("tags", [])]
        assert len(tagged) == 1
        assert all(f"{name} =" in "".join(tagged[0]["source"]) for name in PARAMETERS), path.name
        assert not any(c.get("outputs") for c in nb["cells"] if c["cell_type"] == "code"), "commit stripped notebooks"


def test_each_starts_with_what_it_answers_and_its_parameters_and_shares_its_setup() -> None:
    setups = set()
    for path in notebooks():
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        intro = "".join(cells[0]["source"])
        assert cells[0]["cell_type"] == "markdown" and intro.startswith("# ")
        assert "**本笔记本回答**" in intro and "**参数**" in intro
        assert all(f"`{name}`" in intro for name in ("data_dir", "period", "scenario")), path.name
        setup = "".join(cells[2]["source"])
        assert "from fpplan.app.notebook import open_county" in setup
        setups.add(setup)
        code = "".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
        assert (
            "pd.set_option" not in code and ".round(" not in code
        )  # display set up and numbers formatted by the package
    assert len(setups) == 1  # the same one-call setup everywhere
