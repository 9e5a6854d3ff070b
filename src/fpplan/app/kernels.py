"""The dashboards' kernel manager: jupyter_server's, with a cap on live kernels (Voila has none of its own:
voila-dashboards/voila#617), so a burst of visitors cannot take the machine's memory.

When the cap is reached, kernels whose page has gone (no connection) and that have been idle for a while are shut
down first (Voila cannot shut a kernel down when its tab closes: voila#1458; the culler does it later); if none can
go, the visitor gets "503: too many visitors, try again in a minute" instead of a page that never loads.
"""

from __future__ import annotations

from datetime import timedelta

from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.channels import AsyncZMQSocketChannel
from jupyter_server._tz import utcnow
from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from jupyter_server.utils import ensure_async
from tornado import web
from traitlets import Float, Integer, Type


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


class SteadyChannel(AsyncZMQSocketChannel):
    """A kernel channel whose wait for a message never depends on one wake-up alone.

    Voila's executor waits for a cell's ``execute_reply`` with no timeout. Seen here (Voila 0.5.13, pyzmq 27, IPC
    or TCP, worse under load): the kernel has run the cell, sent every output and its reply, and is idle, yet the
    executor's wait on the shell socket is never woken, so the page streams heartbeats forever ("pages that never
    load", about one cold visit in sixteen on an idle machine, most visits on a loaded one). The reply is in the
    socket: a fresh poll finds it, because pyzmq checks the socket's events when a poll starts. So an unbounded
    wait is made of short polls."""

    SLICE_MS = 500

    async def get_msg(self, timeout: float | None = None):
        if timeout is not None:
            return await super().get_msg(timeout)
        while not await self.socket.poll(self.SLICE_MS):
            pass
        return await self._recv()


class SteadyKernelClient(AsyncKernelClient):
    """The kernel client Voila's executor uses (``AsyncKernelManager.client_class``), with steady channels."""

    shell_channel_class = Type(SteadyChannel)
    iopub_channel_class = Type(SteadyChannel)
    control_channel_class = Type(SteadyChannel)
