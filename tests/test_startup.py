"""fpplan's own processes (the command line, the server, the kernel of fpplan's notebooks) skip jsonschema's slow
optional import (``fpplan.startup``); Jupyter's libraries still work there, and a library user's process that imports
fpplan is left as it is."""

from __future__ import annotations

import subprocess
import sys


def python(code: str) -> str:
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    return result.stdout.strip()


def test_the_server_and_the_command_line_skip_it_and_notebooks_still_validate() -> None:
    printed = python(
        "import sys\n"
        "import fpplan.server\n"
        "import jupyter_server.serverapp, nbformat\n"
        "nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell('1 + 1')])\n"
        "nbformat.validate(nb)\n"
        "bad = nbformat.v4.new_notebook(); bad['cells'] = [{'cell_type': 'code'}]\n"
        "try:\n"
        "    nbformat.validate(bad); print('accepted')\n"
        "except nbformat.ValidationError:\n"
        "    print('refused')\n"
        "print(sys.modules['rfc3987_syntax'])\n"
    )
    assert printed.splitlines() == ["refused", "None"]  # validation works; the module was never imported
    printed = python(
        "import sys\n"
        "from fpplan.cli import main\n"
        "main(['scenarios', '/nonexistent'])\n"
        "print(sys.modules['rfc3987_syntax'])\n"
    )
    assert printed.splitlines()[-1] == "None"


def test_fpplans_notebooks_skip_it_before_plotly_draws() -> None:
    """What a notebook's first cell imports (the report's kernel, a planner's kernel in JupyterLab), then plotly's
    renderers, which import nbformat and jsonschema."""
    printed = python(
        "import sys\n"
        "from fpplan.app.notebook import open_county\n"
        "import plotly.io as pio\n"
        "pio.renderers['plotly_mimetype']\n"
        "print('jsonschema' in sys.modules, sys.modules['rfc3987_syntax'])\n"
    )
    assert printed == "True None"


def test_a_library_users_process_is_left_as_it_is() -> None:
    assert python("import sys, fpplan, jsonschema; print(type(sys.modules['rfc3987_syntax']).__name__)") == "module"
