"""The Voila server of the dashboards: Voila with two additions, started by ``fpplan.server.serve``.

- A preheated pool (pages run ahead in waiting kernels) that never shows data older than the store's: a waiting
  page rendered before an import is discarded when a visitor comes (``fresh_pools``).
- A static page (notebook metadata ``fpplan.static_page``: plain HTML written into the page by the fpplan template,
  which loads no front end; figures as SVG images, or drawn by the template's small plotly.js) has its kernel shut
  down once the page is written.
- The leader pages' image and PDF at ``/fpplan/export/…`` (``fpplan.server.export.ExportHandler``).
"""

from __future__ import annotations

import asyncio
from functools import cache
from pathlib import Path

from jupyter_server.utils import ensure_async

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


def main() -> None:
    """Voila with fresh preheated pools (``python -m fpplan.server.voila_app`` + Voila's arguments;
    ``fpplan.server.serve`` starts it)."""
    import voila.app

    from fpplan.app.pages.serving import with_pages

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
