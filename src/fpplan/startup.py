"""What fpplan's own processes (the command line, the dashboards' server) set before Jupyter's libraries load.

jsonschema, which nbformat, papermill and jupyter_server import, imports ``rfc3987_syntax`` for its optional check of
the ``iri`` string format, and that module compiles 38 Lark grammars when it is imported: 1.3 CPU-s in every such
process (a report, the server; jsonschema issue #1428). No schema these processes validate uses that format
(nbformat's and jupyter_events' do not), so :func:`skip_unused_imports` marks the module as absent: jsonschema then
leaves ``iri`` unchecked, as it does wherever the module is not installed. Only fpplan's entry points call it (the
command line, the server, and :mod:`fpplan.app.notebook`, which fpplan's notebooks start with: the report's kernel
and a planner's JupyterLab kernel import plotly's renderers, hence nbformat and jsonschema), so a library user's own
process is left as it is.
"""

from __future__ import annotations

import sys

UNUSED = ("rfc3987_syntax",)  # imported by jsonschema only if present; slow to import, unused by fpplan's processes


def skip_unused_imports() -> None:
    """Mark the modules in ``UNUSED`` absent for this process (an ``import`` of them raises ImportError), unless one
    is already imported."""
    for name in UNUSED:
        sys.modules.setdefault(name, None)
