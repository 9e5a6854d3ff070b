"""Serve the dashboards with Voila: ``python -m fpplan.app.serve [--host 127.0.0.1] [--port 8866] [--data DIR]``.

Binds to 127.0.0.1 unless told otherwise; serves ``dashboards/`` only (no data files); runs from the repository
root so that ``voila.json`` is read; uses the ``fpplan`` template (Voila's lab template with Font Awesome served
from the installed ``fontawesome-free`` package instead of a CDN), assembled under ``build/``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from importlib.util import find_spec
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def build_template(root: Path = ROOT) -> Path:
    """Assemble the template (our index.html.j2 + Font Awesome's css and webfonts); return the JUPYTER_PATH dir."""
    share = root / "build" / "share" / "jupyter"
    target = share / "voila" / "templates" / "fpplan"
    shutil.copytree(root / "share" / "jupyter" / "voila" / "templates" / "fpplan", target, dirs_exist_ok=True)
    package = Path(find_spec("fontawesome-free").submodule_search_locations[0])  # PyPI's fontawesome-free
    source = package / "static" / "fontawesome_free"
    for part in ("css", "webfonts"):
        shutil.copytree(source / part, target / "static" / "fontawesome" / part, dirs_exist_ok=True)
    return share


def command(host: str, port: int, root: Path = ROOT) -> list[str]:
    return [sys.executable, "-m", "voila", str(root / "dashboards"), f"--Voila.ip={host}", f"--port={port}",
            "--no-browser", "--template=fpplan",
            # kernels talk over unix sockets: with TCP, a kernel started right after another sometimes got a port
            # still held by the first and its page never finished loading (seen here with Voila 0.5.13)
            "--KernelManager.transport=ipc"]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="serve the fpplan dashboards / 启动仪表盘")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8866)
    parser.add_argument("--data", default=os.environ.get("FPPLAN_DATA", str(ROOT / "data" / "demo")),
                        help="county data folder / 县数据文件夹")
    args = parser.parse_args(argv)
    share = build_template()
    env = os.environ | {"FPPLAN_DATA": str(Path(args.data).resolve()),
                        "JUPYTER_PATH": os.pathsep.join(filter(None, [str(share), os.environ.get("JUPYTER_PATH")]))}
    os.chdir(ROOT)
    print(f"fpplan dashboards: http://{args.host}:{args.port}/  (county: {env['FPPLAN_DATA']})", flush=True)
    os.execvpe(sys.executable, command(args.host, args.port), env)


if __name__ == "__main__":
    main()
