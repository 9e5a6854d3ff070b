"""The dashboards' kernel manager: jupyter_server's, with a cap on live kernels (Voila has none of its own:
voila-dashboards/voila#617), so a burst of visitors cannot take the machine's memory.

A kernel whose page has left (its tab closed: it connected, and no longer is) is shut down ``page_left_seconds``
later unless the page connects again (Voila never does it: voila#1458; the culler would, minutes later). When the cap
is reached, kernels whose page has left and kernels no page is connected to that have been idle for a while are shut
down at once, side by side; if none can go, the visitor gets "503: too many visitors, try again in a minute" instead
of a page that never loads. A static page's kernel started for one visitor (the pool empty) is shut down once idle:
its page never connects to it.

Kernels take their turn to start (``StartGate``): at most ``starts_at_once`` kernels start and run their page at the
same time, at ``niceness`` from their first instruction. A page's figures are written before its kernel is needed
(``fpplan.server.voila_app``), so eight visitors coming at once see them painted while their kernels start one after
another, instead of eight kernels importing pandas on two cores beside eight browsers; each page's controls come
when its kernel has run the page. A kernel whose page has gone while it waited for its turn (the visitor saw the
figures and left, as most leaders do) leaves the queue and is never launched (``visits.PageLeft``): before, every
such kernel still started (~1.5 CPU-s each) after its visitor had gone, and sixteen of them took the CPU from the
visitors of the next page.
"""

from __future__ import annotations

import asyncio
import logging
import os
from datetime import timedelta
from functools import partial
from pathlib import Path
from urllib.parse import unquote, urlparse

from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.channels import AsyncZMQSocketChannel
from jupyter_server._tz import utcnow
from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager, ServerKernelManager
from jupyter_server.utils import ensure_async
from tornado import web
from traitlets import Float, Instance, Integer, Type, default

from fpplan.data.models.server import ServerConfig
from fpplan.server.visits import VISIT, PageLeft

DEFAULTS = ServerConfig()  # config/server.yaml's defaults; fpplan serve passes the county's settings


class StartGate:
    """At most ``size`` kernels starting and running their page at once (0: no limit); the others wait their turn.

    A kernel enters before its process is launched and leaves when its page's cells have run or the page was
    abandoned mid-way (``leave``: Voila's renderer, ``fpplan.server.voila_app.with_kernel_awaited``), when it is shut
    down, or at the latest ``hold_seconds`` after it entered. A kernel still waiting whose page has gone is
    ``withdraw``n: its ``enter`` raises ``PageLeft`` at once."""

    def __init__(self, size: int = 0, hold_seconds: float = 15.0):
        self.size = size
        self.hold_seconds = hold_seconds
        self._free: asyncio.Semaphore | None = None
        self._held: dict[str, asyncio.TimerHandle] = {}
        self._waiting: dict[str, asyncio.Future] = {}

    async def enter(self, kernel_id: str) -> None:
        if self.size <= 0:
            return
        if self._free is None:
            self._free = asyncio.Semaphore(self.size)
        waiting = asyncio.ensure_future(self._free.acquire())
        self._waiting[kernel_id] = waiting
        try:
            await waiting
        except asyncio.CancelledError:
            if self._waiting.get(kernel_id) is not waiting:  # withdrawn: its page has gone
                raise PageLeft(kernel_id) from None
            raise
        finally:
            if self._waiting.get(kernel_id) is waiting:
                del self._waiting[kernel_id]
        self._held[kernel_id] = asyncio.get_running_loop().call_later(self.hold_seconds, self.leave, kernel_id)

    def withdraw(self, kernel_id: str) -> bool:
        """The kernel, waiting for its turn, no longer needs it (its page has gone): it leaves the queue at once.
        False if it is not waiting (its turn has come, or it never queued)."""
        waiting = self._waiting.get(kernel_id)
        if waiting is None or waiting.done():
            return False
        del self._waiting[kernel_id]
        waiting.cancel()
        return True

    def leave(self, kernel_id: str) -> None:
        """The kernel's turn is over (nothing if it holds none)."""
        handle = self._held.pop(kernel_id, None)
        if handle is not None:
            handle.cancel()
            self._free.release()

    @property
    def holding(self) -> int:
        return len(self._held)

    @property
    def queued(self) -> int:
        return len(self._waiting)


def _at_niceness(niceness: int) -> None:
    """This process at ``niceness`` (or lower still, if it already is: only root may raise a priority)."""
    os.setpriority(os.PRIO_PROCESS, 0, max(niceness, os.getpriority(os.PRIO_PROCESS, 0)))


class TurnKernelManager(ServerKernelManager):
    """One kernel (``CappedKernelManager.kernel_manager_class``): launched when its turn comes (the manager's
    ``StartGate``), its process at the manager's ``niceness`` from the start."""

    async def _async_launch_kernel(self, kernel_cmd: list[str], **kw) -> None:
        gate: StartGate | None = getattr(self.parent, "start_gate", None)
        niceness = getattr(self.parent, "niceness", 0)
        if gate is not None:
            await gate.enter(self.kernel_id)
            if self.kernel_id in getattr(self.parent, "_page_left", ()):  # gone just as its turn came
                gate.leave(self.kernel_id)
                raise PageLeft(self.kernel_id)
        if niceness:
            kw["preexec_fn"] = partial(_at_niceness, niceness)  # in the child, before python starts
        try:
            await super()._async_launch_kernel(kernel_cmd, **kw)
        except BaseException:
            if gate is not None:
                gate.leave(self.kernel_id)
            raise


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

    starts_at_once = Integer(
        DEFAULTS.kernel_starts_at_once,
        config=True,
        help="Kernels that start and run their page at the same time (0: no limit); the others wait their turn.",
    )

    page_left_seconds = Float(
        DEFAULTS.page_left_seconds,
        config=True,
        help="Seconds after its page left (the tab closed: no connection) that a kernel is shut down, unless the "
        "page connects again (0: left to the culler).",
    )

    start_gate = Instance(StartGate)

    @default("start_gate")
    def _default_start_gate(self) -> StartGate:
        return StartGate(self.starts_at_once)

    @default("kernel_manager_class")
    def _default_kernel_manager_class(self) -> str:
        return "fpplan.server.kernels.TurnKernelManager"

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._page_left: set[str] = set()  # kernels whose page has gone (page_left)
        self._reclaiming: asyncio.Lock | None = None  # one reclaim at a time (made in the server's event loop)
        self.log.addFilter(_no_page_left_traces)  # a kernel not launched is one line (_when_started), not tracebacks

    def notify_connect(self, kernel_id: str) -> None:
        super().notify_connect(kernel_id)
        self._page_left.discard(kernel_id)

    def notify_disconnect(self, kernel_id: str) -> None:
        super().notify_disconnect(kernel_id)
        self.page_left(kernel_id)

    def page_left(self, kernel_id: str) -> None:
        """The page of ``kernel_id`` has gone: its tab closed (its last connection ended), or its visitor left
        while the page was still being written (``fpplan.server.voila_app.with_left_pages``: the page never
        connects; Voila would run its cells to the end all the same). Unless a page connects to it again, the kernel
        is shut down ``page_left_seconds`` later, and goes first at the cap; one still waiting for its turn to start
        is never launched."""
        if kernel_id in self and not self._kernel_connections.get(kernel_id, 0):
            self._page_left.add(kernel_id)
            if self.start_gate.withdraw(kernel_id):
                return  # never launched: its start fails with PageLeft and it is removed (_when_started)
            if self.page_left_seconds:
                asyncio.get_event_loop().call_later(
                    self.page_left_seconds, lambda: asyncio.ensure_future(self._shut_down_if_left(kernel_id))
                )

    def remove_kernel(self, kernel_id: str):
        self.start_gate.leave(kernel_id)
        self._page_left.discard(kernel_id)
        return super().remove_kernel(kernel_id)

    async def start_kernel(self, *args, **kwargs):
        if self.max_kernels and len(self.list_kernel_ids()) >= self.max_kernels:
            if self._reclaiming is None:
                self._reclaiming = asyncio.Lock()
            async with self._reclaiming:  # visitors arriving together: the second counts after the first's reclaim
                if len(self.list_kernel_ids()) >= self.max_kernels:
                    await self._reclaim()
            if len(self.list_kernel_ids()) >= self.max_kernels:
                self.log.warning("kernel limit %d reached: visitor asked to retry", self.max_kernels)
                raise web.HTTPError(
                    503, "too many visitors at once: please try again in a minute / 访问人数过多，请稍后再试"
                )
        kernel_id = await super().start_kernel(*args, **kwargs)
        visit = VISIT.get()
        if visit is not None:
            visit.fpplan_kernel_id = kernel_id
        asyncio.ensure_future(self._when_started(kernel_id))
        if is_static_visit(self.root_dir, kwargs.get("env") or {}):
            asyncio.ensure_future(self._shut_down_when_idle(kernel_id))
        return kernel_id

    async def _when_started(self, kernel_id: str) -> None:
        """A kernel started in the background (``use_pending_kernels``) that could not start, or was never launched
        because its page left first, is forgotten (its page fails, or is written with no cells; it does not count
        against the cap, and the server's shutdown does not look for it)."""
        manager = self._kernels.get(kernel_id)
        try:
            await manager.ready
        except PageLeft:
            self.log.info("kernel %s not started: its page left before its turn", kernel_id)
            await ensure_async(manager.cleanup_resources())  # its connection file
            self._forget(kernel_id)
        except Exception:  # noqa: BLE001 — logged by jupyter_client; the page waiting for it fails with it
            self.log.warning("kernel %s did not start: removed", kernel_id)
            self._forget(kernel_id)

    def _forget(self, kernel_id: str) -> None:
        """A kernel that never ran, out of every list (jupyter_client keeps a failed start among the pending
        kernels, and shutting the server down then failed on it: 404)."""
        self.remove_kernel(kernel_id)
        self._pending_kernels.pop(kernel_id, None)
        self._kernel_connections.pop(kernel_id, None)

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
        """Shut down the kernels whose page has left, and those no page is connected to that have been idle
        ``reclaim_after`` seconds."""
        limit = utcnow() - timedelta(seconds=self.reclaim_after)
        going = []
        for kernel_id in list(self.list_kernel_ids()):
            kernel = self._kernels.get(kernel_id)
            if kernel is None or self._kernel_connections.get(kernel_id, 0):
                continue
            idle = getattr(kernel, "execution_state", "") != "busy" and getattr(kernel, "last_activity", limit) < limit
            if kernel_id in self._page_left or idle:
                self.log.info("kernel %s reclaimed for a new visitor (its page left, or none connected)", kernel_id)
                going.append(kernel_id)
        await asyncio.gather(*(self._shut_down(kernel_id, now=True) for kernel_id in going))  # side by side

    async def _shut_down(self, kernel_id: str, now: bool = False) -> None:
        """Shut a kernel down and wait until it is gone (a pending kernel's shutdown returns before)."""
        if kernel_id not in self:
            return
        await ensure_async(self.shutdown_kernel(kernel_id, now=now))
        stopping = self._pending_kernels.get(kernel_id)
        if stopping is not None:
            await stopping

    async def _shut_down_if_left(self, kernel_id: str) -> None:
        """A kernel whose page left ``page_left_seconds`` ago and has not come back is shut down (once it has run
        what it was running: the cells of a page its visitor left while it was being written)."""
        if kernel_id in self._page_left and kernel_id in self and not self._kernel_connections.get(kernel_id, 0):
            if getattr(self._kernels.get(kernel_id), "execution_state", "") == "busy":
                asyncio.get_event_loop().call_later(
                    1.0, lambda: asyncio.ensure_future(self._shut_down_if_left(kernel_id))
                )
                return
            self.log.info("kernel %s shut down: its page left", kernel_id)
            await self._shut_down(kernel_id)


def _no_page_left_traces(record: logging.LogRecord) -> bool:
    """Whether a log record is kept: not jupyter_client's tracebacks of a kernel not launched because its page left
    (``PageLeft`` is how that start ends, not an error)."""
    exc = record.exc_info[1] if record.exc_info else None
    return not isinstance(exc, PageLeft) and not isinstance(record.msg, PageLeft)


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
