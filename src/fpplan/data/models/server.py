"""How the dashboard server serves a county or a region (config/server.yaml; ``fpplan.server.settings``)."""

from __future__ import annotations

from pydantic import Field

from fpplan.data.models import Frozen


class ServerConfig(Frozen):
    """Which pages leave this machine, and how many kernels run. A county's own file may give only the keys it
    changes; ``FPPLAN_CULL_IDLE``, ``FPPLAN_CULL_INTERVAL`` and ``FPPLAN_POOL_SIZE`` override the file, the command
    line's ``--max-kernels`` and ``--pool`` override both."""

    source: str | None = None
    share_staff_pages: bool = False  # pages with staff-level results (notebook metadata fpplan.staff_level)
    share_import_page: bool = False  # pages that change the data (fpplan.local_only: 数据导入)
    max_kernels: int = Field(default=24, ge=0)  # kernels at once (0: no limit); beyond, a visitor is asked to retry
    pool_size: int = Field(
        default=0, ge=0
    )  # landing pages run ahead in kernels (0: none; every page is rendered ahead with the results, fpplan.app.pages)
    fill_delay_seconds: float = Field(default=20, ge=0)  # the pool refills this long after a visitor takes a page
    cull_idle_seconds: int = Field(default=300, ge=0)  # a kernel no page is connected to, idle this long, is shut down
    cull_interval_seconds: int = Field(default=30, ge=1)  # how often idle kernels are looked for
    reclaim_after_seconds: float = Field(default=60, ge=0)  # at the cap: idle kernels with no page go first
    kernel_niceness: int = Field(default=10, ge=0, le=19)  # kernels yield the CPU to the server (0: not)
    page_left_seconds: float = Field(default=10, ge=0)  # a kernel whose page closed is shut down this long after
    kernel_starts_at_once: int = Field(default=1, ge=0)  # kernels starting and running their page at once (0: any)
    static_idle_seconds: float = Field(default=20, ge=0)  # a static page's own kernel, once its page is written
