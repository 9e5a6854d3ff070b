"""Serve the dashboards with Voila: ``fpplan serve [--host 127.0.0.1] [--port 8866] [--data DIR]`` (or
``python -m fpplan.server``).

Before the server starts, the county's workspace is brought up to date: its folder's monthly tables imported into
the store, the results every page shows computed once for this version of the data (``fpplan.app.results``). A
region folder (a folder of county folders, ``fpplan.data.region``) is served as a region: every county's results
and the region's summary computed first (``fpplan.app.region_results``), 地区总览 its landing page, each county's
pages at ``?county=CODE``.

- Binds to 127.0.0.1 unless told otherwise. Off the loopback address a login is required: the token given with
  ``--token`` (or ``$FPPLAN_TOKEN``), else one generated at start and printed once (never stored). Pages that show
  staff-level results (notebook metadata ``fpplan.staff_level``) are served off loopback only when the county's
  ``config/server.yaml`` says ``share_staff_pages: true``; pages that change the county's data (``fpplan.local_only``:
  数据导入) only when it says ``share_import_page: true``. The kernels' cap, culling and preheated pool come from
  the same file (``fpplan.server.settings``).
- The index (Voila's tree page) is the county's, in Chinese: its name, one line on what each page is for, the pages
  kept on this machine and what the county's data do not allow (``fpplan.app.index_page``).
- Serves only the dashboards the package ships (copied into a folder of its own under the system's temporary
  folder, with the template and Voila's configuration; the server runs there), never data files; uses the
  ``fpplan`` template (Voila's lab template with Font Awesome from the installed ``fontawesome-free`` package
  instead of a CDN).
- Kernels talk to the server over unix sockets (with TCP a kernel started right after another sometimes got a
  port still held by the first). The executor waits for each cell's reply in short polls
  (``fpplan.server.kernels.SteadyKernelClient``): a single unbounded wait sometimes missed a reply already in its
  socket and the page never loaded. Idle kernels of closed pages are culled (Voila cannot shut them down when a tab
  closes: voila-dashboards/voila#1458); open pages keep theirs; at most ``--max-kernels`` run at once.
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import os
import secrets
import shutil
import socket
import sys
import tempfile
from importlib.util import find_spec
from pathlib import Path

from fpplan.data import environment, shipped
from fpplan.data.errors import DataError, print_problems
from fpplan.data.models.server import ServerConfig
from fpplan.server.settings import VOILA_CONFIG, server_config

LOOPBACK = ("127.0.0.1", "localhost", "::1")
LANDING = "领导总览.ipynb"  # the page leaders open first: kept preheated
REGION_LANDING = "地区总览.ipynb"  # the same when the data are a region (its county pages are rendered per visit)


def build_template(work: Path) -> Path:
    """Assemble the template (the package's index.html.j2 + Font Awesome's css and webfonts) under ``work``; return
    the JUPYTER_PATH dir."""
    share = work / "share" / "jupyter"
    target = share / "voila" / "templates" / "fpplan"
    shutil.copytree(shipped.voila_template(), target, dirs_exist_ok=True)
    package = Path(find_spec("fontawesome-free").submodule_search_locations[0])  # PyPI's fontawesome-free
    source = package / "static" / "fontawesome_free"
    for part in ("css", "webfonts"):
        shutil.copytree(source / part, target / "static" / "fontawesome" / part, dirs_exist_ok=True)
    return share


def is_loopback(host: str) -> bool:
    if host in LOOPBACK:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def page_flag(notebook: Path, key: str) -> bool:
    """A flag in the notebook's metadata ``fpplan`` (``staff_level``, ``static_page``)."""
    meta = json.loads(notebook.read_text(encoding="utf-8")).get("metadata", {})
    return bool(meta.get("fpplan", {}).get(key))


def build_dashboards(
    share_staff_pages: bool,
    work: Path,
    source: Path | None = None,
    share_local_pages: bool = False,
    region: bool = False,
) -> Path:
    """The dashboards this server shows (``source``: a folder of pages, default the package's), copied into
    ``work/dashboards``: staff-level pages left out unless shared; pages for this machine only (``local_only``, such
    as 数据导入) left out unless shared; the region's pages (``region_page``) only when the data are a region. Each
    server has its own ``work`` folder: two servers of one installation never serve each other's."""
    target = work / "dashboards"
    target.mkdir(parents=True)
    pages = sorted(source.glob("*.ipynb")) if source is not None else shipped.dashboards()
    for notebook in pages:
        if (
            (share_staff_pages or not page_flag(notebook, "staff_level"))
            and (share_local_pages or not page_flag(notebook, "local_only"))
            and region >= page_flag(notebook, "region_page")
        ):
            shutil.copy2(notebook, target / notebook.name)
    return target


def command(
    host: str,
    port: int,
    dashboards: Path,
    token: str | None,
    config: ServerConfig | None = None,
    landing: str = LANDING,
) -> list[str]:
    """Voila's command line with the server's settings (``config``: ``fpplan.server.settings.server_config``; the
    package's defaults when not given). Only ``landing`` is rendered ahead: a page that depends on the request (a
    region's county pages: ``?county=``) must never be (Voila's pool ignores the query string)."""
    config = config or ServerConfig()
    pools = {landing: {"pool_size": config.pool_size}, "default": {"pool_size": 0}}
    args = [
        sys.executable,
        "-m",
        "fpplan.server.voila_app",
        str(dashboards),
        f"--Voila.ip={host}",
        f"--port={port}",
        "--no-browser",
        "--template=fpplan",
        "--KernelManager.transport=ipc",
        "--AsyncKernelManager.client_class=fpplan.server.kernels.SteadyKernelClient",
        "--VoilaConfiguration.multi_kernel_manager_class=fpplan.server.kernels.CappedKernelManager",
        f"--CappedKernelManager.max_kernels={config.max_kernels}",
        f"--CappedKernelManager.reclaim_after={config.reclaim_after_seconds}",
        f"--CappedKernelManager.static_idle_seconds={config.static_idle_seconds}",
        f"--CappedKernelManager.niceness={config.kernel_niceness}",
        f"--CappedKernelManager.starts_at_once={config.kernel_starts_at_once}",
        f"--CappedKernelManager.page_left_seconds={config.page_left_seconds}",
        "--CappedKernelManager.use_pending_kernels=True",  # a page is written while its kernel starts (voila_app)
        f"--MappingKernelManager.cull_idle_timeout={config.cull_idle_seconds}",
        f"--MappingKernelManager.cull_interval={config.cull_interval_seconds}",
        "--MappingKernelManager.cull_connected=False",
    ]
    if config.pool_size:
        args += [
            "--VoilaConfiguration.preheat_kernel=True",
            f"--VoilaKernelManager.fill_delay={config.fill_delay_seconds}",
            "--VoilaKernelManager.kernel_pools_config=" + json.dumps(pools, ensure_ascii=False),
        ]
    if token:
        args.append(f"--Voila.token={token}")
    if environment.text("FPPLAN_SERVER_DEBUG"):
        args.append("--Voila.log_level=DEBUG")
    return args


def prepare(data: Path, store: Path | None, region: bool = False) -> tuple[str, list[str]]:
    """The workspace (a region: every county's) brought up to date before anyone visits; bad data end here with
    their problems (exit 2). Returns the county's (or region's) name and what its data do not allow (for the
    index)."""
    from fpplan.app.pages.build import ensure_pages
    from fpplan.app.results import current
    from fpplan.data.errors import Problem
    from fpplan.data.labels import ui
    from fpplan.data.readiness import not_assessed
    from fpplan.data.workspace import Workspace

    try:
        if region:
            from fpplan.app.region_results import ensure_region_results
            from fpplan.data.region import county_folders, read_region_config, region_name

            if store:
                raise DataError([Problem(file=str(data), kind="region_store", value=str(store))])
            done = ensure_region_results(data)
            print(
                ui(
                    "region_written", n=len(county_folders(data)), computed=done.counties_computed, seconds=done.seconds
                ),
                flush=True,
            )
            return region_name(read_region_config(data)[0], data), []
        workspace = Workspace(data, store)
        outcome = ensure_pages(workspace)  # the results and the pages rendered ahead from them
        notes = not_assessed(workspace.county(sync=False))
    except DataError as error:
        print_problems(error)
        sys.exit(2)
    print(
        ui(
            "results_computed" if outcome.computed else "results_ready",
            version=outcome.version[:12],
            seconds=outcome.seconds,
        ),
        flush=True,
    )
    return current(data)["county"]["name"], notes


def port_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as s:
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def add_arguments(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """The server's options (``fpplan serve`` and ``python -m fpplan.server``)."""
    parser.add_argument("--host", default="127.0.0.1", help="0.0.0.0: share on the network (a login is required)")
    parser.add_argument("--port", type=int, default=8866)
    parser.add_argument(
        "--data",
        default=str(environment.data_folder()),
        help="county or region folder (default $FPPLAN_DATA, else data/demo) / 县或地区数据文件夹",
    )
    parser.add_argument("--store", default=environment.text("FPPLAN_STORE"), help="store file / 数据库文件")
    parser.add_argument(
        "--token",
        default=environment.text("FPPLAN_TOKEN"),
        help="login token off loopback (default: generated and printed once)",
    )
    parser.add_argument(
        "--max-kernels",
        type=int,
        default=None,
        help="kernels at once (default config/server.yaml max_kernels) / 同时运行的内核数",
    )
    parser.add_argument(
        "--pool",
        type=int,
        default=None,
        help="landing pages kept rendered ahead for visitors (0: none; default config/server.yaml "
        "pool_size) / 预先准备的总览页数",
    )
    return parser


WORK_PREFIX = "fpplan-serve-"


def work_folder() -> Path:
    """The server's folder (its dashboards, the template, Voila's configuration) in the system's temporary folder,
    marked with the process id the server will have (it replaces this process, so it cannot remove the folder when it
    stops); the folders of servers no longer running are removed first."""
    root = Path(tempfile.gettempdir())
    for old in root.glob(WORK_PREFIX + "*"):
        try:
            pid = int((old / "pid").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue  # not marked by a server (or being made): left alone
        if not running(pid):
            shutil.rmtree(old, ignore_errors=True)
    work = Path(tempfile.mkdtemp(prefix=WORK_PREFIX))
    (work / "pid").write_text(str(os.getpid()), encoding="utf-8")
    return work


def running(pid: int) -> bool:
    """Whether a process with this id is running (another user's counts)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def main(argv: list[str] | None = None) -> None:
    run(add_arguments(argparse.ArgumentParser(description="serve the fpplan dashboards / 启动仪表盘")).parse_args(argv))


def run(args: argparse.Namespace) -> None:
    """Prepare the data, then replace this process with the Voila server."""
    from fpplan.data.region import is_region_folder

    data = Path(args.data).resolve()
    store = Path(args.store).resolve() if args.store else None
    region = is_region_folder(data)
    county_name, notes = prepare(data, store, region)
    try:
        config = server_config(data, args.max_kernels, args.pool)
    except DataError as error:
        print_problems(error)
        sys.exit(2)
    loopback = is_loopback(args.host)
    token = None if loopback else (args.token or secrets.token_urlsafe(24))
    work = work_folder()
    dashboards = build_dashboards(
        config.share_staff_pages or loopback,
        work,
        share_local_pages=config.share_import_page or loopback,
        region=region,
    )
    share = build_template(work)
    from fpplan.app.index_page import write_tree

    withheld = sorted({p.stem for p in shipped.dashboards()} - {p.stem for p in dashboards.glob("*.ipynb")})
    write_tree(share / "voila" / "templates" / "fpplan", dashboards, county_name, withheld, notes)
    (work / "voila.json").write_text(json.dumps(VOILA_CONFIG, indent=1), encoding="utf-8")
    env = dict(os.environ)
    for name, value in environment.for_kernels(data, store, region).items():  # the pages find the folder served;
        if value is None:  # a region's pages show the county their address names (?county=); the token stays here
            env.pop(name, None)
        else:
            env[name] = value
    env["JUPYTER_PATH"] = os.pathsep.join(filter(None, [str(share), os.environ.get("JUPYTER_PATH")]))
    if not port_free(args.host, args.port):
        print(f"port {args.port} on {args.host} is in use / 端口已被占用: --port", file=sys.stderr)
        sys.exit(2)
    os.chdir(work)  # Voila reads its configuration (voila.json) from the folder it starts in
    shown = args.host if loopback else socket.gethostname()
    url = f"http://{shown}:{args.port}/" + (f"?token={token}" if token else "")
    print(f"fpplan dashboards: {url}  ({'region' if region else 'county'}: {data})", flush=True)
    if region:
        from urllib.parse import quote

        print(
            f"地区总览 / region overview: http://{shown}:{args.port}/voila/render/{quote(REGION_LANDING)}"
            + (f"?token={token}" if token else ""),
            flush=True,
        )
    if token:
        print("login token (shown once, not stored) / 登录口令（只显示一次）: " + token, flush=True)
    os.execvpe(
        sys.executable,
        command(args.host, args.port, dashboards, token, config, REGION_LANDING if region else LANDING),
        env,
    )


if __name__ == "__main__":
    main()
