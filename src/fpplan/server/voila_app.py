"""The Voila server of the dashboards: Voila with two additions, started by ``fpplan.server.serve``.

- A preheated pool (pages run ahead in waiting kernels) that never shows data older than the store's: a waiting
  page rendered before an import is discarded when a visitor comes (``fresh_pools``).
- A static page (notebook metadata ``fpplan.static_page``: plain HTML written into the page by the fpplan template,
  which loads no front end; figures as SVG images, or drawn by the template's small plotly.js) has its kernel shut
  down once the page is written.
- The leader pages' image and PDF at ``/fpplan/export/…`` (``fpplan.server.export.ExportHandler``).
- A visitor's kernel started in the background (``CappedKernelManager.use_pending_kernels``, set by
  ``fpplan.server.serve``): Voila awaited the kernel's process before writing the first byte of a page, so a live
  page's figures rendered ahead waited for it (seconds when eight visitors came at once); the page's renderer now
  waits for its kernel only where the template starts it, after those figures (``with_kernel_awaited``).
- Kernels take turns to start (``fpplan.server.kernels.StartGate``): a kernel's turn ends when its page's cells
  have run (``with_kernel_awaited``).
- The page template compiled once (``TemplateCode``), not at every visit: Voila makes a new exporter, hence a new
  Jinja environment, for every page it renders, and compiling the template's files took half the server's time
  when eight visitors came at once.
"""

from __future__ import annotations

import asyncio
from functools import cache
from pathlib import Path

from jinja2 import BytecodeCache
from jupyter_server.utils import ensure_async

from fpplan.server.visits import PageLeft

STATIC_KERNEL_GRACE_SECONDS = 5


def data_state() -> str:
    """What a page rendered now would show: the results in use and the county's data files (sizes and times); for
    a region (its landing page is the one rendered ahead), the region's summary and every county's files."""
    from fpplan.app import results
    from fpplan.app.panels.common import county_path, data_path, region_mode, store_path
    from fpplan.data.folder import STORE_NAME, fingerprint

    if region_mode():
        from fpplan.app import region_results

        return region_results.state(data_path())
    folder = county_path().resolve()
    manifest = results.current(folder) or {}
    store = store_path() or folder / STORE_NAME
    return f"{manifest.get('version')}:{fingerprint(folder, store)}"


def fresh_pools(factory):
    """Wrap Voila's ``voila_kernel_manager_factory`` so that a preheated page (the notebook already run in a waiting
    kernel) is given to a visitor only if the data have not changed since it ran: after an import its kernel is
    shut down and the visitor gets a page rendered now (the pool refills with fresh ones)."""

    def make(base, preheat_kernel, default_pool_size, **kwargs):
        manager = factory(base, preheat_kernel, default_pool_size, **kwargs)
        if not preheat_kernel:
            return manager

        class FreshPoolKernelManager(manager):
            async def _initialize(self, notebook_path, kernel_id=None, **kw):
                state = data_state()
                content = await super()._initialize(notebook_path, kernel_id, **kw)
                return content | {"data_state": state}

            async def get_rendered_notebook(self, notebook_name: str, *args, **kw):
                """A static page's kernel is not needed once its page is written (the page never connects to it)."""
                task, rendered, kernel_id = await super().get_rendered_notebook(notebook_name, *args, **kw)
                if is_static(Path(self.root_dir) / notebook_name):

                    def shut_down(_):
                        asyncio.get_event_loop().call_later(
                            STATIC_KERNEL_GRACE_SECONDS,
                            lambda: asyncio.ensure_future(ensure_async(self.shutdown_kernel(kernel_id))),
                        )

                    task.add_done_callback(shut_down)
                return task, rendered, kernel_id

            def get_pool_size(self, notebook_name: str) -> int:
                pool = self._pools.get(notebook_name, [])
                state = data_state()
                stale = [
                    task
                    for task in pool
                    if task.done()
                    and not task.cancelled()
                    and task.exception() is None
                    and task.result().get("data_state") != state
                ]
                for task in stale:
                    pool.remove(task)
                    self.log.info("preheated kernel %s shows data since changed: shut down", task.result()["kernel_id"])
                    asyncio.ensure_future(ensure_async(self.shutdown_kernel(task.result()["kernel_id"])))
                if stale:
                    self.fill_if_needed(delay=0, notebook_name=notebook_name)
                    return 0  # the refill is under way: this visitor's page is rendered now
                return len(pool)

        return FreshPoolKernelManager

    return make


@cache
def _static_page(notebook: str, modified: float) -> bool:
    from fpplan.server.serve import page_flag

    return page_flag(Path(notebook), "static_page")


def is_static(notebook: Path) -> bool:
    """Whether the notebook is a static page (metadata ``fpplan.static_page``)."""
    return notebook.is_file() and _static_page(str(notebook), notebook.stat().st_mtime)


class TemplateCode(BytecodeCache):
    """Compiled templates kept in memory for every page rendered after (Jinja's bytecode cache: a template whose
    file changed is compiled again, its checksum no longer matching)."""

    def __init__(self):
        self.code: dict[str, tuple[str, object]] = {}

    def get_bucket(self, environment, name, filename, source):
        """A template's code for sync and async rendering kept apart (they are compiled differently)."""
        return super().get_bucket(environment, f"{name}|async={environment.is_async}", filename, source)

    def load_bytecode(self, bucket) -> None:
        checksum, code = self.code.get(bucket.key, (None, None))
        if checksum == bucket.checksum:
            bucket.code = code

    def dump_bytecode(self, bucket) -> None:
        self.code[bucket.key] = (bucket.checksum, bucket.code)


def with_template_code(exporter_class, cache: TemplateCode) -> None:
    """Voila's exporter with ``cache`` in every Jinja environment it makes (one per page rendered)."""
    create = exporter_class._create_environment

    def _create_environment(self):
        environment = create(self)
        environment.bytecode_cache = cache
        return environment

    exporter_class._create_environment = _create_environment


def with_kernel_awaited(renderer_class) -> None:
    """Voila's renderer waiting, where the template starts the kernel, for the kernel started in the background
    (a pending kernel: its manager's ``ready``) before it connects to it; a kernel that failed to start fails the
    page there, as it failed the request before, except one never launched because its visitor had left
    (``PageLeft``): the page is written to its end with no cells. Once the page's cells have run, the kernel's turn
    to start is over (``fpplan.server.kernels.StartGate``): the next visitor's kernel starts."""
    start = renderer_class._jinja_kernel_start
    cleanup = renderer_class._cleanup_resources

    async def _jinja_kernel_start(self, nb, kernel_id, kernel_future):
        manager = await ensure_async(kernel_future)
        gate = getattr(getattr(manager, "parent", None), "start_gate", None)
        if gate is not None:
            self._fpplan_turn = (gate, manager.kernel_id)
        ready = getattr(manager, "ready", None)
        if ready is not None:
            try:
                await ready
            except PageLeft:  # its visitor left before its turn: the rest of the page is written with no cells run
                self._fpplan_page_left = True
                return kernel_id
        return await start(self, nb, kernel_id, manager)

    async def _cleanup_resources(self):
        turn = getattr(self, "_fpplan_turn", None)
        if turn is not None:
            gate, kernel_id = turn
            gate.leave(kernel_id)
        if not getattr(self, "_fpplan_page_left", False):  # a kernel never launched has no client to stop
            await cleanup(self)

    cells = renderer_class._jinja_cell_generator

    async def _jinja_cell_generator(self, nb, kernel_id):
        """The page's cells run one by one; a page abandoned mid-way (its visitor left: the generator is closed
        unfinished) ends its kernel's turn too. A page whose kernel was never launched runs none."""
        if getattr(self, "_fpplan_page_left", False):
            return
        try:
            async for cell in cells(self, nb, kernel_id):
                yield cell
        finally:
            turn = getattr(self, "_fpplan_turn", None)
            if turn is not None:
                turn[0].leave(turn[1])

    renderer_class._jinja_kernel_start = _jinja_kernel_start
    renderer_class._cleanup_resources = _cleanup_resources
    renderer_class._jinja_cell_generator = _jinja_cell_generator


def with_left_pages(handler_class) -> None:
    """Voila's page handler noting the kernel it starts for a request (``fpplan.server.visits.VISIT``), and telling
    the kernel manager when the visitor leaves before the page is written to the end (tornado's
    ``on_connection_close``: the tab closed while the kernel waited for its turn or ran the cells). Voila renders
    the page to its end in a task of its own even then, and no page ever connects to that kernel: without this it
    counted against the kernel cap until the culler (eight visitors who each leave after the figures, twice, and
    the next eight were asked to retry)."""
    from fpplan.server.visits import VISIT

    get = handler_class.get

    async def tracked_get(self, *args, **kwargs):
        token = VISIT.set(self)
        try:
            return await get(self, *args, **kwargs)
        finally:
            VISIT.reset(token)

    closed = handler_class.on_connection_close

    def on_connection_close(self):
        closed(self)
        kernel_id = getattr(self, "fpplan_kernel_id", None)
        left = getattr(self.kernel_manager, "page_left", None)
        if kernel_id is not None and left is not None:  # tornado calls it only while the page is being written
            left(kernel_id)

    handler_class.get = tracked_get
    handler_class.on_connection_close = on_connection_close


def main() -> None:
    """Voila with fresh preheated pools (``python -m fpplan.server.voila_app`` + Voila's arguments;
    ``fpplan.server.serve`` starts it)."""
    import voila.app
    import voila.exporter
    import voila.notebook_renderer
    import voila.tornado.handler

    from fpplan.app.pages.serving import with_pages

    with_template_code(voila.exporter.VoilaExporter, TemplateCode())
    with_kernel_awaited(voila.notebook_renderer.NotebookRenderer)
    with_left_pages(voila.tornado.handler.TornadoVoilaHandler)
    voila.app.voila_kernel_manager_factory = fresh_pools(voila.app.voila_kernel_manager_factory)
    voila.app.Voila.init_handlers = with_pages(with_exports(voila.app.Voila.init_handlers))  # pages from the results
    voila.app.main()


def with_exports(init_handlers):
    """Voila's handlers and, first, the leader pages' image and PDF (``fpplan.server.export``)."""

    def handlers(self) -> list:
        from jupyter_server.utils import url_path_join

        from fpplan.server.export import PAGES, ExportHandler

        route = url_path_join(self.server_url, rf"/fpplan/export/({'|'.join(PAGES)})\.(png|pdf)")
        return [(route, ExportHandler)] + init_handlers(self)

    return handlers


if __name__ == "__main__":
    main()
