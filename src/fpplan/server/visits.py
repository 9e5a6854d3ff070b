"""The page request a kernel is being started for: set by ``fpplan.server.voila_app.with_left_pages`` around Voila's
page handler, read by ``fpplan.server.kernels.CappedKernelManager.start_kernel``, which notes the kernel's id on the
request. A visitor who leaves while the page is still being written then makes that kernel one whose page has gone.
"""

from __future__ import annotations

from contextvars import ContextVar

VISIT: ContextVar = ContextVar("fpplan_visit", default=None)
