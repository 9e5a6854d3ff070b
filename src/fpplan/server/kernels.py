"""The dashboards' kernel manager: jupyter_server's, with a cap on live kernels (Voila has none of its own:
voila-dashboards/voila#617), so a burst of visitors cannot take the machine's memory.

When the cap is reached, kernels whose page has gone (no connection) and that have been idle for a while are shut
down first (Voila cannot shut a kernel down when its tab closes: voila#1458; the culler does it later); if none can
go, the visitor gets "503: too many visitors, try again in a minute" instead of a page that never loads. A static
page's kernel started for one visitor (the pool empty) is shut down once idle: its page never connects to it.
"""

from __future__ import annotations

import asyncio
import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import unquote, urlparse

from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.channels import AsyncZMQSocketChannel
from jupyter_server._tz import utcnow
from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from jupyter_server.utils import ensure_async
from tornado import web
from traitlets import Float, Integer, Type

from fpplan.data.models.server import ServerConfig

DEFAULTS = ServerConfig()  # config/server.yaml's defaults; fpplan serve passes the county's settings


class CappedKernelManager(AsyncMappingKernelManager):
    max_kernels = Integer(DEFAULTS.max_kernels, config=True, help="Kernels that may run at once (0: no limit).")
    reclaim_after = Float(
        DEFAULTS.reclaim_after_seconds,
        config=True,
        help="Seconds without activity after which a kernel with no page connected may be shut "
        "down to make room for a new visitor.",
    )

    niceness = Integer(
        DEFAULTS.kernel_niceness,
        config=True,
        help="Niceness the kernels run at (0: the server's): a burst of kernels starting at once leaves the CPU "
        "to the server, which writes every visitor's page first.",
    )

    static_idle_seconds = Float(
        DEFAULTS.static_idle_seconds,
        config=True,
        help="Seconds a static page's kernel, started for one visitor, may stay idle before it is "
        "shut down (its page never connects to it).",
    )

    async def start_kernel(self, *args, **kwargs):
        if self.max_kernels and len(self.list_kernel_ids()) >= self.max_kernels:
            await self._reclaim()
            if len(self.list_kernel_ids()) >= self.max_kernels:
                self.log.warning("kernel limit %d reached: visitor asked to retry", self.max_kernels)
                raise web.HTTPError(
                    503, "too many visitors at once: please try again in a minute / 访问人数过多，请稍后再试"
                )
        kernel_id = await super().start_kernel(*args, **kwargs)
        asyncio.ensure_future(self._when_started(kernel_id))
        if is_static_visit(self.root_dir, kwargs.get("env") or {}):
            asyncio.ensure_future(self._shut_down_when_idle(kernel_id))
        return kernel_id

    async def _when_started(self, kernel_id: str) -> None:
        """Once a kernel started in the background (``use_pending_kernels``) is up: its process at ``niceness``; a
        kernel that could not start is forgotten (its page fails; it does not count against the cap)."""
        manager = self._kernels.get(kernel_id)
        try:
            await manager.ready
        except Exception:  # noqa: BLE001 — logged by jupyter_client; the page waiting for it fails with it
            self.log.warning("kernel %s did not start: removed", kernel_id)
            self.remove_kernel(kernel_id)
            self._kernel_connections.pop(kernel_id, None)
            return
        self._lower_priority(kernel_id)

    def _lower_priority(self, kernel_id: str) -> None:
        """The kernel's process (and what it starts later: its threads inherit it) at ``niceness``."""
        pid = getattr(getattr(self._kernels.get(kernel_id), "provisioner", None), "pid", None)
        if self.niceness and pid:
            try:
                os.setpriority(os.PRIO_PROCESS, pid, self.niceness)
            except OSError as error:  # gone already, or not ours to change: it runs at the server's priority
                self.log.info("kernel %s left at the server's priority: %s", kernel_id, error)

    async def _shut_down_when_idle(self, kernel_id: str) -> None:
        """Shut down a static page's kernel once it has been idle ``static_idle_seconds`` with no page connected
        (its page is written by then). Preheated static pages are shut down by fpplan.server.voila_app."""
        idle = timedelta(seconds=self.static_idle_seconds)
        while kernel_id in self:
            await asyncio.sleep(1)
            kernel = self._kernels.get(kernel_id)
            if kernel is None or self._kernel_connections.get(kernel_id, 0):
                continue
            if getattr(kernel, "execution_state", "") == "idle" and utcnow() - kernel.last_activity > idle:
                self.log.info("kernel %s of a static page shut down (page written)", kernel_id)
                await ensure_async(self.shutdown_kernel(kernel_id))
                return

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
                stopping = self._pending_kernels.get(kernel_id)
                if stopping is not None:  # a pending kernel's shutdown returns before the kernel is gone
                    await stopping


def is_static_visit(root_dir: str, env: dict) -> bool:
    """Whether a kernel is started for one visitor of a static page (not for the preheated pool): Voila passes the
    request's address and the preheat flag in the kernel's environment."""
    if env.get("VOILA_PREHEAT") != "False" or "/voila/render/" not in env.get("VOILA_REQUEST_URL", ""):
        return False
    from fpplan.server.voila_app import is_static

    name = unquote(urlparse(env["VOILA_REQUEST_URL"]).path).split("/voila/render/", 1)[1]
    return is_static(Path(root_dir) / name)


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
