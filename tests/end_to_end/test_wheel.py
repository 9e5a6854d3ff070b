"""A real package: a wheel built from the repository, installed into a fresh virtual environment, runs ``fpplan
demo`` (a county of the small shape), ``plan``, ``serve`` (the overview answers with its figure) and ``report`` from a
folder outside the checkout. The fresh environment reuses this environment's installed libraries through a ``.pth``
line (installing them again would take minutes and the network), and their data files (``JUPYTER_PATH``), but not its
fpplan: the one that runs is the wheel's, checked."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import sysconfig
import time
import urllib.request
import zipfile
from pathlib import Path
from urllib.parse import quote

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.wheel


def run(args: list, cwd: Path, env: dict, timeout: int = 600) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> tuple[Path, dict]:
    """(the fresh environment's bin folder, the environment to run it in)."""
    base = tmp_path_factory.mktemp("wheel")
    env = {
        k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV") and not k.startswith("FPPLAN_")
    }
    run([sys.executable, "-m", "pip", "wheel", ROOT, "--no-deps", "-q", "-w", base / "dist"], base, env)
    [wheel] = (base / "dist").glob("fpplan-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for shipped in (
        "fpplan/notebooks/01_数据检查.ipynb",
        "fpplan/dashboards/领导总览.ipynb",
        "fpplan/share/jupyter/voila/templates/fpplan/static/plotly/plotly-basic.min.js",
        "fpplan/defaults/config/server.yaml",
        "fpplan/defaults/labels/core.yaml",
    ):
        assert shipped in names, shipped
    fresh = base / "venv"
    run([sys.executable, "-m", "venv", "--without-pip", fresh], base, env)
    site = Path(
        run(
            [fresh / "bin" / "python", "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], base, env
        ).stdout.strip()
    )
    (site / "libraries.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")  # after its own
    run(
        [sys.executable, "-m", "pip", "--python", fresh / "bin" / "python", "install", "--no-deps", "-q", wheel],
        base,
        env,
    )
    env = env | {
        "PATH": f"{fresh / 'bin'}{os.pathsep}{env.get('PATH', '')}",
        # the reused libraries' own data files (nbconvert's and Voila's templates) where they were installed
        "JUPYTER_PATH": str(Path(sys.prefix) / "share" / "jupyter"),
    }
    where = run([fresh / "bin" / "python", "-c", "import fpplan; print(fpplan.__file__)"], base, env).stdout.strip()
    assert Path(where).is_relative_to(site), where  # the wheel's fpplan, not the checkout's
    return fresh / "bin", env


def test_the_wheel_runs_demo_plan_report_and_serve_from_any_folder(installed, tmp_path: Path) -> None:
    bin_dir, env = installed
    elsewhere = tmp_path / "office"
    elsewhere.mkdir()
    fpplan = bin_dir / "fpplan"
    # the small generated county (3 townships, no map): the wheel's report and pages on a county without coordinates;
    # the demo's own report is made and read by tests/end_to_end/test_reports.py and test_official_outputs.py
    run([fpplan, "demo", "county", "--shape", "small"], elsewhere, env)
    started = time.perf_counter()
    run([fpplan, "report", "county", "--period", "2025Q4", "--out", "reports"], elsewhere, env, timeout=1200)
    [folder] = (elsewhere / "reports").iterdir()
    pages = [p for p in folder.glob("*.html")]
    assert len(pages) == 1 and len(list((folder / "notebooks").glob("*.ipynb"))) == 5, sorted(folder.rglob("*"))
    text = pages[0].read_text(encoding="utf-8")
    assert text.count("<h1") >= 6  # the cover and a section per notebook
    report_seconds = time.perf_counter() - started
    run([fpplan, "plan", "county", "--out", "plan.xlsx"], elsewhere, env)  # after the report: the plan its results keep
    assert zipfile.is_zipfile(elsewhere / "plan.xlsx")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = (tmp_path / "serve.log").open("w")
    proc = subprocess.Popen(
        [str(fpplan), "serve", "--data", "county", "--port", str(port), "--pool", "0"],
        cwd=elsewhere,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        page = f"http://127.0.0.1:{port}/voila/render/{quote('领导总览.ipynb')}"
        body = ""
        for _ in range(600):
            assert proc.poll() is None, (tmp_path / "serve.log").read_text()
            try:
                with urllib.request.urlopen(page, timeout=120) as response:
                    body = response.read().decode("utf-8")
                break
            except OSError:
                time.sleep(0.5)
        assert "领导总览" in body and "fpplan-figure" in body, body[-2000:]
        # a county served for the first time: its results and pages were made before the server listened
        assert list((elsewhere / "county" / ".fpplan" / "results").glob("*/pages/.complete")), "no pages rendered ahead"
        assert "plotly-basic.min.js" in body  # the template's own plotly.js, from the package
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()
    print(f"report {report_seconds:.0f} s")
