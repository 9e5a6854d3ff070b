"""The page request a kernel is being started for: set by ``fpplan.server.voila_app.with_left_pages`` around Voila's
page handler, read by ``fpplan.server.kernels.CappedKernelManager.start_kernel``, which notes the kernel's id on the
request. A visitor who leaves while the page is still being written then makes that kernel one whose page has gone;
a kernel whose page has gone before its turn to start came is never launched (``PageLeft``).
"""

from __future__ import annotations

from contextvars import ContextVar

VISIT: ContextVar = ContextVar("fpplan_visit", default=None)


class PageLeft(RuntimeError):
    """A kernel not launched: its page had gone before its turn to start came (``fpplan.server.kernels.StartGate``).
    Its start fails with this; the renderer of that page (``fpplan.server.voila_app.with_kernel_awaited``) writes
    the rest of the page without running its cells, and the server logs one line, not a traceback."""
