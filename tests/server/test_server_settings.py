"""The server's settings (config/server.yaml, refused like every config file when a key is unknown), the FPPLAN_*
environment variables read in one place and listed in the README, and the Voila internals the server's workarounds
use, pinned and checked: a Voila or jupyter_server that moves them fails here, not in front of a visitor."""

from __future__ import annotations

import inspect
import re
import tomllib
from importlib.metadata import version
from pathlib import Path

import pytest

from fpplan import DataError
from fpplan.data import environment
from fpplan.data.models.server import ServerConfig
from fpplan.server import serve
from fpplan.server.settings import server_config

ROOT = Path(__file__).resolve().parents[2]


def test_server_yaml_is_read_with_its_model_and_unknown_keys_are_refused(tmp_path: Path) -> None:
    county = tmp_path / "county"
    (county / "config").mkdir(parents=True)
    assert server_config(county) == ServerConfig(
        source=server_config(county).source
    )  # the package's file: the model's defaults
    (county / "config" / "server.yaml").write_text("share_staf_pages: true\nmax_kernels: -1\n", encoding="utf-8")
    with pytest.raises(DataError) as info:
        server_config(county)
    found = {(p.file, p.column) for p in info.value.problems}
    assert found == {
        (str(county / "config" / "server.yaml"), "share_staf_pages"),
        (str(county / "config" / "server.yaml"), "max_kernels"),
    }


def test_the_environment_and_the_command_line_override_the_file(tmp_path: Path, monkeypatch) -> None:
    county = tmp_path / "county"
    (county / "config").mkdir(parents=True)
    (county / "config" / "server.yaml").write_text("pool_size: 2\ncull_idle_seconds: 100\n", encoding="utf-8")
    monkeypatch.setenv("FPPLAN_CULL_IDLE", "20")
    monkeypatch.setenv("FPPLAN_CULL_INTERVAL", "3")
    config = server_config(county)
    assert (config.pool_size, config.cull_idle_seconds, config.cull_interval_seconds) == (2, 20, 3)
    assert server_config(county, max_kernels=5, pool_size=0) == config.model_copy(
        update={"max_kernels": 5, "pool_size": 0}
    )
    args = serve.command("127.0.0.1", 8866, tmp_path, None, config)
    assert "--MappingKernelManager.cull_idle_timeout=20" in args and "--MappingKernelManager.cull_interval=3" in args
    monkeypatch.setenv("FPPLAN_POOL_SIZE", "many")
    with pytest.raises(DataError) as info:
        server_config(county)
    assert [(p.file, p.column, p.value) for p in info.value.problems] == [("$FPPLAN_POOL_SIZE", "pool_size", "many")]


def test_fpplan_environment_variables_are_read_in_one_place_and_listed_in_the_readme() -> None:
    src = ROOT / "src" / "fpplan"
    readers = sorted(
        str(p.relative_to(src))
        for p in src.rglob("*.py")
        if re.search(r"os\.environ[^\n]*FPPLAN_|getenv\([\"']FPPLAN_", p.read_text(encoding="utf-8"))
    )
    assert readers == [], readers  # only fpplan.data.environment reads them (through its VARIABLES)
    named = set(re.findall(r"FPPLAN_[A-Z_]+", "\n".join(p.read_text(encoding="utf-8") for p in src.rglob("*.py"))))
    assert named <= set(environment.VARIABLES), named - set(environment.VARIABLES)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = set(re.findall(r"^\| `(FPPLAN_[A-Z_]+)` \|", readme, flags=re.MULTILINE))
    assert table == set(environment.VARIABLES)
    with pytest.raises(KeyError):
        environment.text("FPPLAN_NOT_A_SETTING")


def test_voila_is_pinned_to_the_version_the_workarounds_were_written_for() -> None:
    dependencies = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    [pin] = [d for d in dependencies if re.match(r"voila\b", d)]
    assert pin == f"voila=={version('voila')}"
    environment_yml = (ROOT / "environment.yml").read_text(encoding="utf-8")
    assert f"voila=={version('voila')}" in environment_yml.replace(" ", "")


def test_the_private_parts_the_workarounds_use_are_where_they_were() -> None:
    """fpplan.server.kernels and fpplan.server.voila_app reach into jupyter_server, jupyter_client and Voila; each
    name they use is checked here."""
    import jupyter_server._tz
    import voila.app
    import voila.utils
    from jupyter_client.channels import AsyncZMQSocketChannel
    from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
    from voila.voila_kernel_manager import voila_kernel_manager_factory

    # CappedKernelManager: the kernels and how many pages are connected to each
    assert hasattr(AsyncMappingKernelManager, "_kernels") and hasattr(AsyncMappingKernelManager, "_kernel_connections")
    assert callable(jupyter_server._tz.utcnow)
    # SteadyChannel: a wait made of polls, then the channel's own receive
    assert inspect.iscoroutinefunction(AsyncZMQSocketChannel._recv)
    assert "timeout" in inspect.signature(AsyncZMQSocketChannel.get_msg).parameters
    # fresh_pools replaces Voila's factory and wraps its handlers
    assert voila.app.voila_kernel_manager_factory is voila_kernel_manager_factory
    assert list(inspect.signature(voila_kernel_manager_factory).parameters)[:3] == [
        "base_class",
        "preheat_kernel",
        "default_pool_size",
    ]
    assert "voila_kernel_manager_factory(" in inspect.getsource(voila.app.Voila)  # looked up at run time, by name
    assert callable(voila.app.Voila.init_handlers) and callable(voila.app.main)
    pooled = voila_kernel_manager_factory(AsyncMappingKernelManager, True, 1)
    for name in ("_initialize", "get_rendered_notebook", "get_pool_size", "fill_if_needed", "shutdown_kernel"):
        assert callable(getattr(pooled, name, None)), name
    assert list(inspect.signature(pooled._initialize).parameters)[1:3] == ["notebook_path", "kernel_id"]
    assert "self._pools" in inspect.getsource(pooled.__init__) and "self.root_dir" in inspect.getsource(pooled.__init__)
    # what a pool's tasks give and what a visitor's page is made of (fresh_pools reads both)
    assert 'return {"task": task, "renderer": renderer, "kernel_id": kernel_id}' in inspect.getsource(
        pooled._initialize
    )
    assert "return render_task, renderer.rendered_cache, kernel_id" in inspect.getsource(pooled.get_rendered_notebook)
    # is_static_visit: what Voila puts in a kernel's environment
    assert (voila.utils.ENV_VARIABLE.VOILA_PREHEAT, voila.utils.ENV_VARIABLE.VOILA_REQUEST_URL) == (
        "VOILA_PREHEAT",
        "VOILA_REQUEST_URL",
    )
