"""A report's notebooks run one after the other in one kernel (the libraries imported once), each from an empty
namespace, as in a kernel of its own; what the previous notebook imported is set aside from the garbage collector
(``reports.RESET``), so that the next reset is quick."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest

from fpplan.app.reports import NotebookKernel
from fpplan.data.errors import DataError


def _notebook(path: Path, *sources: str) -> Path:
    parameters = nbformat.v4.new_code_cell("x = 0")
    parameters.metadata["tags"] = ["parameters"]
    book = nbformat.v4.new_notebook()
    book.cells = [parameters, *(nbformat.v4.new_code_cell(s) for s in sources)]
    book.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(book, path)
    return path


def _printed(executed: Path) -> str:
    book = json.loads(executed.read_text(encoding="utf-8"))
    texts = [o.get("text", "") for c in book["cells"] if c["cell_type"] == "code" for o in c["outputs"]]
    return "".join("".join(t) if isinstance(t, list) else t for t in texts)


def test_notebooks_share_a_kernel_but_not_their_names(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    first = _notebook(tmp_path / "01_a.ipynb", "import os\nleft_behind = x * 10\nprint(os.getpid(), left_behind)")
    second = _notebook(
        tmp_path / "02_b.ipynb",
        "import os\nprint(os.getpid(), x, 'left_behind' in globals(), 'os' in globals(), 'gc' in globals(),"
        " __import__('gc').get_freeze_count() > 10_000)",
    )
    third = _notebook(tmp_path / "03_c.ipynb", "print(left_behind)")
    with NotebookKernel(out) as kernel:
        pid, value = _printed(kernel.run(first, {"x": 7})).split()
        assert value == "70"
        # the same process; the libraries left set aside from the garbage collector by the reset, no name with them
        assert _printed(kernel.run(second, {"x": 2})).split() == [pid, "2", "False", "True", "False", "True"]
        with pytest.raises(DataError) as info:  # a name the previous notebook defined is gone
            kernel.run(third, {"x": 1})
    (problem,) = info.value.problems
    assert (problem.kind, problem.value) == ("notebook_failed", "03_c") and "NameError" in problem.message("en")
