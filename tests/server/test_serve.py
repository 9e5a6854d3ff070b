"""The dashboard server without a browser: the workspace is prepared before it listens; off loopback a login is
required and staff-level pages are not served unless the county allows it; bad data stop it with exit 2."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from fpplan.data.models.server import ServerConfig
from fpplan.data.shipped import package_path
from fpplan.demo import write_demo
from fpplan.server import serve
from fpplan.server.settings import server_config

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def status(url: str) -> int:
    """The HTTP status of a GET, redirects not followed (a redirect to the login page is a refusal)."""
    try:
        with urllib.request.build_opener(NoRedirect).open(url, timeout=60) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_loopback_is_recognised() -> None:
    assert serve.is_loopback("127.0.0.1") and serve.is_loopback("::1") and serve.is_loopback("localhost")
    assert not serve.is_loopback("0.0.0.0") and not serve.is_loopback("192.168.1.20")


def test_staff_level_pages_are_left_out_unless_shared(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    (root / "dashboards").mkdir(parents=True)
    page = {"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    (root / "dashboards" / "总览.ipynb").write_text(json.dumps(page))
    (root / "dashboards" / "考试.ipynb").write_text(json.dumps(page | {"metadata": {"fpplan": {"staff_level": True}}}))
    pages = root / "dashboards"
    assert sorted(p.name for p in serve.build_dashboards(False, tmp_path / "a", pages).iterdir()) == ["总览.ipynb"]
    assert sorted(p.name for p in serve.build_dashboards(True, tmp_path / "b", pages).iterdir()) == [
        "总览.ipynb",
        "考试.ipynb",
    ]
    county = tmp_path / "county"
    (county / "config").mkdir(parents=True)
    assert not server_config(county).share_staff_pages
    (county / "config" / "server.yaml").write_text("share_staff_pages: true\n")
    assert server_config(county).share_staff_pages


def test_pages_for_this_machine_are_left_out_unless_shared(tmp_path: Path) -> None:
    """数据导入 (notebook metadata fpplan.local_only) is served on loopback, or when config/server.yaml allows it."""
    root = tmp_path / "repo"
    (root / "dashboards").mkdir(parents=True)
    page = {"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    (root / "dashboards" / "总览.ipynb").write_text(json.dumps(page))
    (root / "dashboards" / "导入.ipynb").write_text(json.dumps(page | {"metadata": {"fpplan": {"local_only": True}}}))
    assert [p.name for p in serve.build_dashboards(True, tmp_path / "a", root / "dashboards").iterdir()] == [
        "总览.ipynb"
    ]
    shared = serve.build_dashboards(False, tmp_path / "b", root / "dashboards", share_local_pages=True)
    assert sorted(p.name for p in shared.iterdir()) == ["导入.ipynb", "总览.ipynb"]
    county = tmp_path / "county"
    (county / "config").mkdir(parents=True)
    (county / "config" / "server.yaml").write_text("share_staff_pages: true\n")
    assert not server_config(county).share_import_page
    (county / "config" / "server.yaml").write_text("share_import_page: true\n")
    assert server_config(county).share_import_page and not server_config(county).share_staff_pages
    # the real page carries the flag
    assert serve.page_flag(ROOT / "dashboards" / "数据导入.ipynb", "local_only")


def test_the_index_page_names_the_county_and_each_page(tmp_path: Path) -> None:
    from fpplan.app.index_page import tree_template

    text = tree_template(["领导总览", "数据导入"], "新河县", ["技术人员月考"], ["没有医疗设备表（equipment）：…"])
    assert text.startswith('{% extends "page.html" %}') and "新河县 · 计划生育服务网络规划看板" in text
    assert "{{ base_url }}{{ frontend }}/render/领导总览.ipynb?{{ query }}" in text
    assert "全县现状与规划年的关键数字" in text and "上传本月的月报文件" in text
    assert "技术人员月考只在本机提供" in text and "没有医疗设备表" in text
    assert "Select items" not in text and "http" not in text  # nothing from outside the machine


def test_off_loopback_a_token_is_required(demo_with_results: Path, tmp_path: Path) -> None:
    county = demo_with_results  # with its results and pages (a county served for the first time: test_wheel.py)
    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "fpplan.server.serve",
                "--host",
                "0.0.0.0",
                "--port",
                str(port),
                "--data",
                str(county),
                "--token",
                "s3cret-token",
            ],
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            for _ in range(1200):
                if "Voil" in log.read_text() and "running at" in log.read_text():
                    break
                assert proc.poll() is None, log.read_text()
                time.sleep(0.5)
            page = f"{base}/voila/render/%E9%A2%86%E5%AF%BC%E6%80%BB%E8%A7%88.ipynb"
            assert status(page) in (302, 401, 403)  # no token: the login page, not the dashboard
            assert status(f"{base}/?token=wrong") in (302, 401, 403)
            assert status(f"{base}/?token=s3cret-token") == 200
            assert status(f"{page}?token=s3cret-token") == 200
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    text = log.read_text()
    assert text.count("s3cret-token") == 2  # printed once as the URL, once as the token; never stored
    assert not list(county.rglob("*token*"))


@pytest.mark.parametrize("launcher", [["fpplan.server.serve"], ["fpplan.cli", "serve"]])
def test_bad_data_stop_the_server_before_it_listens(launcher: list[str], tmp_path: Path) -> None:
    """``python -m fpplan.server.serve`` and ``fpplan serve`` are the same server."""
    county = write_demo(tmp_path / "county")
    (county / "units.csv").write_text("code,name\n1,x\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", *launcher, "--port", str(free_port()), "--data", str(county)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 2
    assert "units.csv" in result.stdout and "Traceback" not in result.stdout + result.stderr


@pytest.mark.parametrize("host", ["127.0.0.1"])
def test_the_command_culls_and_caps_kernels(host: str, tmp_path: Path) -> None:
    args = serve.command(host, 8866, tmp_path, None, ServerConfig(max_kernels=7))
    assert "--KernelManager.transport=ipc" in args
    assert "--AsyncKernelManager.client_class=fpplan.server.kernels.SteadyKernelClient" in args
    assert "--MappingKernelManager.cull_connected=False" in args
    assert "--CappedKernelManager.max_kernels=7" in args
    assert any(a.startswith("--MappingKernelManager.cull_idle_timeout=") for a in args)
    assert not any(a.startswith("--Voila.token") for a in args)
    assert "--Voila.token=abc" in serve.command("0.0.0.0", 8866, tmp_path, "abc")


def test_the_landing_page_is_preheated_only_when_asked(tmp_path: Path) -> None:
    args = serve.command("127.0.0.1", 8866, tmp_path, None, ServerConfig(pool_size=3))
    assert "--VoilaConfiguration.preheat_kernel=True" in args
    [pools] = [a.split("=", 1)[1] for a in args if a.startswith("--VoilaKernelManager.kernel_pools_config=")]
    assert json.loads(pools) == {serve.LANDING: {"pool_size": 3}, "default": {"pool_size": 0}}
    assert not any(
        "preheat" in a or "kernel_pools" in a
        for a in serve.command("127.0.0.1", 8866, tmp_path, None, ServerConfig(pool_size=0))
    )


def test_a_preheated_page_older_than_the_data_is_never_given_out(monkeypatch) -> None:
    """The pool's pages rendered before an import are shut down when a visitor comes; fresh ones are given out."""
    import asyncio
    import logging

    from fpplan.server import voila_app

    state = {"now": "v1"}
    monkeypatch.setattr(voila_app, "data_state", lambda: state["now"])
    shut, refills = [], []

    class Base:  # what Voila's factory returns: pools of render tasks
        log = logging.getLogger("test")

        def __init__(self):
            self._pools = {}

        def fill_if_needed(self, delay=None, notebook_name=None, **_):
            refills.append(notebook_name)

        async def shutdown_kernel(self, kernel_id):
            shut.append(kernel_id)

    manager = voila_app.fresh_pools(lambda base, *a, **k: Base)(None, True, 1)()

    async def run():
        def rendered(kernel_id, data):
            task = asyncio.get_running_loop().create_future()
            task.set_result({"kernel_id": kernel_id, "data_state": data})
            return task

        manager._pools["领导总览.ipynb"] = [rendered("a", "v1"), rendered("b", "v1")]
        assert manager.get_pool_size("领导总览.ipynb") == 2  # nothing changed
        state["now"] = "v2"  # an import
        manager._pools["领导总览.ipynb"].append(rendered("c", "v2"))
        size = manager.get_pool_size("领导总览.ipynb")
        await asyncio.sleep(0)
        return size

    size = asyncio.run(run())
    assert size == 0  # this visitor's page is rendered now
    assert sorted(shut) == ["a", "b"] and refills == ["领导总览.ipynb"]
    assert [t.result()["kernel_id"] for t in manager._pools["领导总览.ipynb"]] == ["c"]


def test_a_static_page_started_for_one_visitor_is_recognised() -> None:
    """Its kernel is shut down once idle (the page never connects to it); preheated kernels and pages with
    controls are left alone."""
    from urllib.parse import quote

    from fpplan.server.kernels import is_static_visit

    root = str(package_path("dashboards"))
    url = "http://127.0.0.1:8866/voila/render/{}.ipynb?voila-template=fpplan"
    assert is_static_visit(root, {"VOILA_PREHEAT": "False", "VOILA_REQUEST_URL": url.format(quote("领导总览"))})
    assert not is_static_visit(root, {"VOILA_PREHEAT": "True", "VOILA_REQUEST_URL": url.format(quote("领导总览"))})
    assert not is_static_visit(root, {"VOILA_PREHEAT": "False", "VOILA_REQUEST_URL": url.format(quote("情景分析"))})
    assert not is_static_visit(root, {"VOILA_PREHEAT": "False", "VOILA_REQUEST_URL": url.format("nothing")})
    assert not is_static_visit(root, {})


def test_a_server_removes_the_folders_of_servers_no_longer_running(tmp_path: Path, monkeypatch) -> None:
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    ended = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True, check=True
    )
    stopped, alive, unmarked = (tmp_path / f"{serve.WORK_PREFIX}{n}" for n in ("a", "b", "c"))
    for folder, pid in ((stopped, ended.stdout.strip()), (alive, str(os.getpid())), (unmarked, None)):
        (folder / "dashboards").mkdir(parents=True)
        if pid:
            (folder / "pid").write_text(pid, encoding="utf-8")
    work = serve.work_folder()
    assert not stopped.exists()  # its server has stopped
    assert alive.exists() and unmarked.exists()  # a server running; a folder not marked by a server
    assert work.parent == tmp_path and (work / "pid").read_text(encoding="utf-8") == str(os.getpid())
