"""The dashboards' kernel manager: jupyter_server's, with a cap on live kernels (Voila has none of its own:
voila-dashboards/voila#617), so a burst of visitors cannot take the machine's memory.

When the cap is reached, kernels whose page has gone (no connection) and that have been idle for a while are shut
down first (Voila cannot shut a kernel down when its tab closes: voila#1458; the culler does it later); if none can
go, the visitor gets "503: too many visitors, try again in a minute" instead of a page that never loads.
"""

from __future__ import annotations

from datetime import timedelta

from jupyter_server._tz import utcnow
from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from jupyter_server.utils import ensure_async
from tornado import web
from traitlets import Float, Integer


class CappedKernelManager(AsyncMappingKernelManager):
    max_kernels = Integer(24, config=True, help="Kernels that may run at once (0: no limit).")
    reclaim_after = Float(60.0, config=True,
                          help="Seconds without activity after which a kernel with no page connected may be shut "
                               "down to make room for a new visitor.")

    async def start_kernel(self, *args, **kwargs):
        if self.max_kernels and len(self.list_kernel_ids()) >= self.max_kernels:
            await self._reclaim()
            if len(self.list_kernel_ids()) >= self.max_kernels:
                self.log.warning("kernel limit %d reached: visitor asked to retry", self.max_kernels)
                raise web.HTTPError(503, "too many visitors at once: please try again in a minute / 访问人数过多，请稍后再试")
        return await super().start_kernel(*args, **kwargs)

    async def _reclaim(self) -> None:
        """Shut down the kernels no page is connected to and that have been idle ``reclaim_after`` seconds."""
        limit = utcnow() - timedelta(seconds=self.reclaim_after)
        for kernel_id in list(self.list_kernel_ids()):
            kernel = self._kernels.get(kernel_id)
            if kernel is None or self._kernel_connections.get(kernel_id, 0):
                continue
            if getattr(kernel, "execution_state", "") != "busy" and getattr(kernel, "last_activity", limit) < limit:
                self.log.info("kernel %s reclaimed for a new visitor (no page connected, idle)", kernel_id)
                await ensure_async(self.shutdown_kernel(kernel_id))
