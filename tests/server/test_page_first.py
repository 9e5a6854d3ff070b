"""Eight visitors at once on a live page (issue 27): its figures rendered ahead are written before its kernel is
started and before the front end's heavy styles; the page template is compiled once, not at every visit; a visitor's
kernel starts in the background, when its turn comes (one kernel starting at a time), at a lower priority than the
server from its first instruction; a kernel whose page has left makes room at the cap. The Voila, nbconvert,
jupyter_server and jupyter_client internals these use are checked here."""

from __future__ import annotations

import asyncio
import inspect
import os
import re
import time
from pathlib import Path

import jinja2
import nbformat
import pytest
import zmq.asyncio

from fpplan.server import serve
from fpplan.server.kernels import CappedKernelManager, StartGate
from fpplan.server.visits import VISIT, PageLeft
from fpplan.server.voila_app import TemplateCode, with_kernel_awaited, with_left_pages, with_template_code

KERNEL = "<!--kernel started here-->"
FRONT_END = ("voila-style.js", "static/index.css", "fontawesome/css/all.min.css", "theme-light.css")


def render(tmp_path: Path, monkeypatch, static_html: str | None) -> str:
    """The fpplan template rendered by Voila's exporter as the server renders a page; KERNEL marks where the
    template starts the kernel."""
    from voila.exporter import VoilaExporter
    from voila.paths import collect_template_paths

    monkeypatch.setenv("JUPYTER_PATH", str(serve.build_template(tmp_path)))
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("scenario_explorer()")])
    nb.metadata.kernelspec = {"name": "python3", "language": "python", "display_name": "Python 3"}
    nb.metadata.fpplan = {"page": "scenarios"} | ({"static_html": static_html} if static_html else {})
    exporter = VoilaExporter(
        template_paths=collect_template_paths(["voila", "nbconvert"], "fpplan"),
        template_name="fpplan",
        theme="light",
        base_url="/",
    )
    out: list[str] = []

    async def kernel_start(nb):
        out.append(KERNEL)
        return "kernel-id"

    async def cells(nb, kernel_id):
        for cell in nb.cells:
            yield cell

    async def generate():
        context = {"frontend": "voila", "kernel_start": kernel_start, "cell_generator": cells}
        context |= {"main_js": "voila.js", "progressive_rendering": False, "notebook_execute": None}
        resources = {"base_url": "/", "theme": "light", "template": "fpplan", "metadata": {"name": "情景分析"}}
        async for html, _ in exporter.generate_from_notebook_node(nb, resources, extra_context=context):
            out.append(html)

    asyncio.run(generate())
    return "".join(out)


def test_a_live_pages_figures_come_before_its_kernel_and_the_front_ends_styles(tmp_path: Path, monkeypatch) -> None:
    figures = "<div class='fpplan-figure' id='fpplan-figure-population'><svg class='main-svg'></svg></div>"
    live = render(tmp_path / "live", monkeypatch, figures)
    head = live[: live.index("</head>")]
    assert not any(name in head for name in FRONT_END), "the front end's styles hold the figures' first paint"
    assert live.index(figures) < live.index(KERNEL)  # the figures leave before the kernel is waited for
    for name in FRONT_END:  # then the styles, once each, before the front end that needs them
        assert live.count(name) == 1, name
        assert live.index(KERNEL) < live.index(name) < live.index("voila.js"), name
    assert "body { margin: 0; }" in head  # the figures where they will stay once JupyterLab's styles come

    plain = render(tmp_path / "plain", monkeypatch, None)  # a page with nothing rendered ahead: as Voila has it
    head = plain[: plain.index("</head>")]
    for name in FRONT_END:
        assert plain.count(name) == 1 and name in head, name
    assert "body { margin: 0; }" not in plain


def test_the_page_template_is_compiled_once_and_again_when_its_file_changes(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "page.html.j2").write_text("{% block body %}<p>{{ name }}</p>{% endblock %}", encoding="utf-8")
    compiled = []
    compile_ = jinja2.Environment.compile

    def counting(self, source, name=None, filename=None, raw=False, defer_init=False):
        compiled.append((name, self.is_async))
        return compile_(self, source, name, filename, raw, defer_init)

    monkeypatch.setattr(jinja2.Environment, "compile", counting)
    cache = TemplateCode()

    def page(is_async: bool = True) -> str:  # a new environment per page, as Voila makes one
        env = jinja2.Environment(loader=jinja2.FileSystemLoader(tmp_path), enable_async=is_async, bytecode_cache=cache)
        template = env.get_template("page.html.j2")
        return asyncio.run(template.render_async(name="县")) if is_async else template.render(name="县")

    assert [page(), page(), page()] == ["<p>县</p>"] * 3
    assert compiled == [("page.html.j2", True)]
    assert page(is_async=False) == "<p>县</p>"  # sync code is compiled apart from async code
    assert compiled == [("page.html.j2", True), ("page.html.j2", False)]
    (tmp_path / "page.html.j2").write_text("{% block body %}<h1>{{ name }}</h1>{% endblock %}", encoding="utf-8")
    assert page() == "<h1>县</h1>"  # the file changed: compiled again
    assert len(compiled) == 3

    from voila.exporter import VoilaExporter

    class Exporter(VoilaExporter):
        pass

    with_template_code(Exporter, cache)
    assert Exporter(template_name="lab").environment.bytecode_cache is cache
    assert getattr(VoilaExporter(template_name="lab").environment, "bytecode_cache", None) is not cache


# The kernel managers made here use the process's zmq context: a manager that made its own destroys it when it is
# garbage-collected, later, in whatever test runs then, and that waited for ever on a socket of the event loop this
# test closed (seen: a worker of the suite hung in MultiKernelManager.__del__ → Context.term). The server keeps one
# manager for its whole life.
PROCESS_CONTEXT = zmq.asyncio.Context.instance()
# kernels at niceness 10, or at this process's own if the tests run lower still (only root may raise a priority)
OWN_NICENESS = os.getpriority(os.PRIO_PROCESS, 0)
KERNEL_NICENESS = max(10, OWN_NICENESS)


def kernel_manager(tmp_path: Path, **settings) -> CappedKernelManager:
    """The server's kernel manager (kernels started in the background), with ``settings``."""
    return CappedKernelManager(
        use_pending_kernels=True, connection_dir=str(tmp_path), context=PROCESS_CONTEXT, **({"niceness": 0} | settings)
    )


async def shut_down(manager: CappedKernelManager, *kernel_ids: str) -> None:
    """Shut the kernels down and wait until they are gone (a pending kernel's shutdown returns before)."""
    for kernel_id in kernel_ids:
        await manager.shutdown_kernel(kernel_id, now=True)
        stopping = manager._pending_kernels.get(kernel_id)
        if stopping is not None:
            await stopping


def test_a_visitors_kernel_starts_in_the_background_and_yields_the_cpu_to_the_server(tmp_path: Path) -> None:
    async def visit():
        manager = kernel_manager(tmp_path, niceness=10)
        kernel_id = await manager.start_kernel(kernel_name="python3")
        try:
            kernel = manager.get_kernel(kernel_id)
            assert kernel_id in manager.list_kernel_ids()  # counted against the cap while it starts
            assert not kernel.ready.done()  # the page is written while the kernel starts
            await asyncio.wait_for(kernel.ready, 60)
            pid = kernel.provisioner.pid
            deadline = time.monotonic() + 10
            while os.getpriority(os.PRIO_PROCESS, pid) != KERNEL_NICENESS and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            assert os.getpriority(os.PRIO_PROCESS, pid) == KERNEL_NICENESS
            assert os.getpriority(os.PRIO_PROCESS, 0) == OWN_NICENESS  # the server itself is untouched
            client = kernel.client()
            client.start_channels()
            await client.wait_for_ready(timeout=60)  # and the kernel works
            reply = await client.execute_interactive("import os; x = os.nice(0)", user_expressions={"n": "x"})
            assert reply["content"]["user_expressions"]["n"]["data"]["text/plain"] == str(KERNEL_NICENESS)
            client.stop_channels()
        finally:
            await shut_down(manager, kernel_id)

    asyncio.run(visit())


def test_the_renderer_waits_for_a_kernel_started_in_the_background() -> None:
    calls = []

    class Renderer:
        async def _jinja_kernel_start(self, nb, kernel_id, kernel_future):
            calls.append(kernel_future)
            return kernel_id

        async def _cleanup_resources(self):
            calls.append("cleaned")

        async def _jinja_cell_generator(self, nb, kernel_id):
            for cell in ("a", "b", "c"):
                yield cell
            await self._cleanup_resources()

    class Manager:
        def __init__(self):
            self.ready = asyncio.get_running_loop().create_future()

    with_kernel_awaited(Renderer)

    async def run():
        manager = Manager()
        task = asyncio.ensure_future(Renderer()._jinja_kernel_start(None, "k1", manager))
        await asyncio.sleep(0.05)
        assert calls == [] and not task.done()  # not connected to a kernel still starting
        manager.ready.set_result(None)
        assert await task == "k1" and calls == [manager]
        failed = Manager()
        failed.ready.set_exception(RuntimeError("kernel did not start"))
        with pytest.raises(RuntimeError, match="did not start"):
            await Renderer()._jinja_kernel_start(None, "k2", failed)
        assert calls == [manager]

        # a kernel's turn to start ends when its page's cells have run (the renderer's clean-up)
        gate = StartGate(1)
        turn = Manager()
        turn.parent, turn.kernel_id = type("Parent", (), {"start_gate": gate})(), "k3"
        turn.ready.set_result(None)
        await gate.enter("k3")
        renderer = Renderer()
        assert await renderer._jinja_kernel_start(None, "k3", turn) == "k3" and gate.holding == 1
        await renderer._cleanup_resources()
        assert gate.holding == 0 and calls[-1] == "cleaned"
        # a page abandoned after its first cell (the visitor left): its turn ends when the cells' generator closes
        await gate.enter("k3")
        cells = renderer._jinja_cell_generator(None, "k3")
        assert await cells.__anext__() == "a" and gate.holding == 1
        await cells.aclose()
        assert gate.holding == 0
        await gate.enter("k3")  # and one that ran to its end
        assert [c async for c in renderer._jinja_cell_generator(None, "k3")] == ["a", "b", "c"]
        assert gate.holding == 0

    asyncio.run(run())


def test_kernels_take_their_turn_to_start() -> None:
    async def run():
        gate = StartGate(1, hold_seconds=0.3)
        order = []

        async def kernel(name):
            await gate.enter(name)
            order.append(name)

        first, second, third = (asyncio.ensure_future(kernel(n)) for n in ("a", "b", "c"))
        await asyncio.sleep(0.05)
        assert order == ["a"] and not second.done()  # one starting at a time
        gate.leave("b")  # not holding a turn: nothing
        await asyncio.sleep(0.05)
        assert order == ["a"]
        gate.leave("a")  # a's page has run
        await asyncio.sleep(0.05)
        assert order == ["a", "b"] and gate.holding == 1
        await asyncio.sleep(0.4)  # b's page never finished (its visitor left): its turn ends all the same
        assert order == ["a", "b", "c"]
        gate.leave("c")
        assert gate.holding == 0 and first.done() and third.done()
        unlimited = StartGate(0)
        for name in "xyz":
            await asyncio.wait_for(unlimited.enter(name), 1)
        assert unlimited.holding == 0

    asyncio.run(run())


def test_a_kernel_is_launched_at_its_turn_at_the_configured_niceness(tmp_path: Path) -> None:
    """Two visitors at once with one start at a time: the second kernel's process is not even launched until the
    first kernel's page has run; both run at niceness 10 from the start (the server at 0)."""

    async def visits():
        manager = kernel_manager(tmp_path, niceness=10, starts_at_once=1)
        first = await manager.start_kernel(kernel_name="python3")
        second = await manager.start_kernel(kernel_name="python3")
        try:
            await asyncio.wait_for(manager.get_kernel(first).ready, 60)
            pid = manager.get_kernel(first).provisioner.pid
            assert os.getpriority(os.PRIO_PROCESS, pid) == KERNEL_NICENESS
            assert os.getpriority(os.PRIO_PROCESS, 0) == OWN_NICENESS
            await asyncio.sleep(0.5)
            waiting = manager.get_kernel(second)
            assert not waiting.ready.done() and not waiting.has_kernel  # no process yet: its turn has not come
            manager.start_gate.leave(first)  # the first page's cells have run
            await asyncio.wait_for(waiting.ready, 60)
            assert os.getpriority(os.PRIO_PROCESS, waiting.provisioner.pid) == KERNEL_NICENESS
        finally:
            await shut_down(manager, first, second)
        assert manager.start_gate.holding == 0  # a kernel shut down holds no turn

    asyncio.run(visits())


def test_the_server_starts_kernels_in_the_background_at_the_configured_niceness(tmp_path: Path) -> None:
    from fpplan.data.models.server import ServerConfig

    config = ServerConfig(kernel_niceness=7, kernel_starts_at_once=2, page_left_seconds=3)
    args = serve.command("127.0.0.1", 8866, tmp_path, None, config)
    assert "--CappedKernelManager.use_pending_kernels=True" in args
    assert "--CappedKernelManager.niceness=7" in args
    assert "--CappedKernelManager.starts_at_once=2" in args and "--CappedKernelManager.page_left_seconds=3.0" in args
    assert (ServerConfig().kernel_niceness, ServerConfig().kernel_starts_at_once) == (10, 1)


def test_the_internals_used_are_where_they_were() -> None:
    from jupyter_client.multikernelmanager import MultiKernelManager
    from nbconvert.exporters.templateexporter import TemplateExporter
    from voila.notebook_renderer import NotebookRenderer

    # with_kernel_awaited: the template's kernel start, given the manager Voila got for the kernel id; the clean-up
    # after the page's cells ran
    assert "_cleanup_resources" in inspect.getsource(NotebookRenderer._jinja_cell_generator)
    assert inspect.isasyncgenfunction(NotebookRenderer._jinja_cell_generator)
    assert "_cleanup_resources" in inspect.getsource(NotebookRenderer._jinja_notebook_execute)
    # TurnKernelManager: the process launched here, with Popen's arguments passed through
    from jupyter_client.launcher import launch_kernel
    from jupyter_client.manager import KernelManager
    from jupyter_server.services.kernels.kernelmanager import MappingKernelManager

    assert "provisioner.launch_kernel(kernel_cmd, **kw)" in inspect.getsource(KernelManager._async_launch_kernel)
    assert "**kw" in inspect.getsource(launch_kernel).split("Popen(")[-1]
    # a page that left: jupyter_server tells the manager of every connection and disconnection
    assert "_kernel_connections[kernel_id] -= 1" in inspect.getsource(MappingKernelManager.notify_disconnect)
    start = inspect.getsource(NotebookRenderer._jinja_kernel_start)
    assert list(inspect.signature(NotebookRenderer._jinja_kernel_start).parameters) == [
        "self",
        "nb",
        "kernel_id",
        "kernel_future",
    ]
    assert "km = await ensure_async(kernel_future)" in start
    # pending kernels: start_kernel returns before the kernel's process is up
    assert "use_pending_kernels" in CappedKernelManager.class_traits(config=True)
    assert "self._using_pending_kernels()" in inspect.getsource(MultiKernelManager._async_start_kernel)
    # a kernel never launched (its page left first) is taken out of the pending kernels the server's shutdown visits
    assert "self._pending_kernels[kernel_id] = task" in inspect.getsource(MultiKernelManager._async_start_kernel)
    assert "self._pending_kernels" in inspect.getsource(MultiKernelManager._async_shutdown_all)
    # with_left_pages: the page handler starts the kernel in its own request's task, and writes the page without
    # waiting for each write (a visitor who left is seen only by tornado's on_connection_close)
    from voila.handler import VoilaHandler
    from voila.tornado.handler import TornadoVoilaHandler

    assert "self.kernel_manager.start_kernel(" in inspect.getsource(VoilaHandler.get_generator)
    assert "self.get_generator(" in inspect.getsource(TornadoVoilaHandler.get)
    # with_template_code: one Jinja environment per exporter, made here
    assert re.search(r"environment = Environment\(", inspect.getsource(TemplateExporter._create_environment))


def test_at_the_cap_a_reclaimed_kernel_is_gone_before_the_new_visitor_is_counted(tmp_path: Path) -> None:
    """With kernels started in the background, a shutdown returns before the kernel is gone: the cap must not count
    the kernel just reclaimed (the new visitor would be refused with room made for them)."""

    async def visits():
        manager = kernel_manager(tmp_path, max_kernels=1, reclaim_after=0)
        first = await manager.start_kernel(kernel_name="python3")
        await asyncio.wait_for(manager.get_kernel(first).ready, 60)
        second = await manager.start_kernel(kernel_name="python3")  # the first, idle and unconnected, makes room
        try:
            assert manager.list_kernel_ids() == [second]
            await asyncio.wait_for(manager.get_kernel(second).ready, 60)
            manager._kernel_connections[second] = 1  # a page connected to it: it is not reclaimed
            from tornado import web

            with pytest.raises(web.HTTPError) as refused:
                await manager.start_kernel(kernel_name="python3")
            assert refused.value.status_code == 503 and manager.list_kernel_ids() == [second]
        finally:
            manager._kernel_connections[second] = 0
            await shut_down(manager, second)

    asyncio.run(visits())


def test_at_the_cap_a_kernel_whose_page_left_makes_room_at_once(tmp_path: Path) -> None:
    """A kernel whose page has gone (it connected, and disconnected) is never used again (Voila starts a kernel per
    page): at the cap it goes first, however recently it was active; a kernel whose page has not connected yet (a
    page still loading) stays until it has been idle ``reclaim_after``."""

    async def visits():
        manager = kernel_manager(tmp_path, max_kernels=1, reclaim_after=3600)
        from tornado import web

        first = await manager.start_kernel(kernel_name="python3")
        await asyncio.wait_for(manager.get_kernel(first).ready, 60)
        with pytest.raises(web.HTTPError) as refused:  # its page is still loading: it stays
            await manager.start_kernel(kernel_name="python3")
        assert refused.value.status_code == 503
        manager.notify_connect(first)
        manager.notify_disconnect(first)  # the visitor closed the tab
        second = await manager.start_kernel(kernel_name="python3")
        try:
            assert manager.list_kernel_ids() == [second]
        finally:
            await shut_down(manager, second)

    asyncio.run(visits())


def test_a_kernel_whose_page_left_is_shut_down_unless_the_page_comes_back(tmp_path: Path) -> None:
    async def visits():
        # no turns to start (no renderer here ends one: the third kernel would wait for the hold's 15 s)
        manager = kernel_manager(tmp_path, page_left_seconds=0.5, starts_at_once=0)
        gone, back = [await manager.start_kernel(kernel_name="python3") for _ in range(2)]
        for kernel_id in (gone, back):
            await asyncio.wait_for(manager.get_kernel(kernel_id).ready, 60)
            manager.notify_connect(kernel_id)
            manager.notify_disconnect(kernel_id)
        manager.notify_connect(back)  # its page reconnected within the grace (a network blip)
        visit = type("Request", (), {})()
        token = VISIT.set(visit)  # the page request it is started for (fpplan.server.voila_app.with_left_pages)
        try:
            never = await manager.start_kernel(kernel_name="python3")
        finally:
            VISIT.reset(token)
        assert visit.fpplan_kernel_id == never
        await asyncio.wait_for(manager.get_kernel(never).ready, 60)
        manager.page_left(never)  # its visitor left while the page was being written: it never connects
        deadline = time.monotonic() + 20
        while (gone in manager or never in manager) and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
        try:
            assert manager.list_kernel_ids() == [back]
        finally:
            await shut_down(manager, back)

    asyncio.run(visits())


def test_a_visitor_who_leaves_while_the_page_is_written_leaves_its_kernel() -> None:
    """Voila writes a page to its end even when its visitor has gone (its cells run in a task of their own); the
    kernel started for that request is told its page has gone when tornado sees the connection close mid-page."""
    left, closed = [], []

    class Manager:
        def page_left(self, kernel_id):
            left.append(kernel_id)

        async def start_kernel(self, kernel_id):  # as CappedKernelManager.start_kernel notes it
            VISIT.get().fpplan_kernel_id = kernel_id

    class Handler:
        kernel_manager = Manager()

        async def get(self, path=None):
            if path is not None:  # a live page: a kernel started for it; a static one has none
                await self.kernel_manager.start_kernel(path)

        def on_connection_close(self):
            closed.append(self)

    with_left_pages(Handler)
    live, static = Handler(), Handler()
    asyncio.run(live.get("k9"))
    asyncio.run(static.get())
    assert VISIT.get() is None  # the request's mark is gone once its page is written
    live.on_connection_close()
    static.on_connection_close()
    assert left == ["k9"] and closed == [live, static]  # tornado's own handling kept


def test_a_kernel_waiting_for_its_turn_whose_page_left_leaves_the_queue() -> None:
    async def run():
        gate = StartGate(1)
        await gate.enter("a")
        waiting = [asyncio.ensure_future(gate.enter(name)) for name in ("b", "c")]
        await asyncio.sleep(0.05)
        assert gate.queued == 2 and not any(w.done() for w in waiting)
        assert gate.withdraw("b") and gate.queued == 1  # b's page has gone
        await asyncio.sleep(0)
        with pytest.raises(PageLeft):
            await waiting[0]
        assert not gate.withdraw("a") and not gate.withdraw("b")  # holding its turn, or no longer queued
        gate.leave("a")
        await asyncio.wait_for(waiting[1], 1)  # the turn b gave up goes to c, not to nobody
        assert gate.holding == 1 and gate.queued == 0
        gate.leave("c")
        assert gate.holding == 0

    asyncio.run(run())


def test_a_kernel_whose_page_left_before_its_turn_is_never_launched(tmp_path: Path, caplog) -> None:
    """Eight visitors who see the figures and leave: the kernels still waiting for their turn are never launched
    (no process, no connection file), the one starting runs on, and the next visitor's kernel gets the turn."""

    async def visits():
        manager = kernel_manager(tmp_path, starts_at_once=1, page_left_seconds=0.2)
        first = await manager.start_kernel(kernel_name="python3")
        second = await manager.start_kernel(kernel_name="python3")
        third = await manager.start_kernel(kernel_name="python3")
        try:
            waiting = manager.get_kernel(second)
            connection_file = Path(waiting.connection_file)
            await asyncio.sleep(0.3)
            assert not waiting.has_kernel and connection_file.is_file()
            manager.page_left(second)  # its visitor left while the kernel waited
            with pytest.raises(PageLeft):
                await asyncio.wait_for(waiting.ready, 5)
            await asyncio.sleep(0.1)
            assert second not in manager and not waiting.has_kernel and not connection_file.exists()
            assert second not in manager._pending_kernels  # the server's shutdown does not look for it
            assert manager.list_kernel_ids() == [first, third]
            await asyncio.wait_for(manager.get_kernel(first).ready, 60)
            manager.start_gate.leave(first)  # the first page's cells have run: the third's turn (not the second's)
            await asyncio.wait_for(manager.get_kernel(third).ready, 60)
            assert manager.get_kernel(third).has_kernel
        finally:
            await shut_down(manager, first, third)
        assert manager.start_gate.holding == 0 and manager.start_gate.queued == 0

    import logging

    log = CappedKernelManager().log  # the manager's logger (traitlets'): seen by caplog for this test only
    propagate, log.propagate = log.propagate, True
    try:
        with caplog.at_level(logging.INFO):
            asyncio.run(visits())
    finally:
        log.propagate = propagate
    assert any("its page left before its turn" in r.getMessage() for r in caplog.records)
    assert not [r for r in caplog.records if r.exc_info]  # one line, no traceback


def test_a_page_whose_kernel_was_never_launched_is_written_without_cells() -> None:
    cleaned = []

    class Renderer:
        async def _jinja_kernel_start(self, nb, kernel_id, kernel_future):
            raise AssertionError("never connected to a kernel not launched")

        async def _cleanup_resources(self):
            cleaned.append(True)

        async def _jinja_cell_generator(self, nb, kernel_id):
            yield "cell"

    with_kernel_awaited(Renderer)

    async def run():
        gate = StartGate(1)
        manager = type("Manager", (), {})()
        manager.parent, manager.kernel_id = type("Parent", (), {"start_gate": gate})(), "k1"
        manager.ready = asyncio.get_running_loop().create_future()
        manager.ready.set_exception(PageLeft("k1"))
        renderer = Renderer()
        assert await renderer._jinja_kernel_start(None, "k1", manager) == "k1"
        assert [c async for c in renderer._jinja_cell_generator(None, "k1")] == []
        await renderer._cleanup_resources()
        assert cleaned == [] and gate.holding == 0

    asyncio.run(run())
