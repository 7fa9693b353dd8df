"""The real-browser harness: where Chromium and the notebooks are, and a JupyterLab server.

The server runs on 127.0.0.1 with token authentication (never disabled) on a free port, with
its root in a temporary copy of ``notebooks/`` so the runs never modify the repository, and
with its own settings, workspaces and runtime folders so the user's JupyterLab is untouched.
"""

from __future__ import annotations

import importlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# The course's table of contents lives in tools/nbtools.py, beside the package (not in it).
_TOOLS = Path(__file__).resolve().parents[2] / "tools"
if str(_TOOLS) not in sys.path:
    sys.path.insert(0, str(_TOOLS))
nbtools = importlib.import_module("nbtools")

CHROMIUM = Path(os.environ.get("LOSSYLAB_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
# The notebooks under test (default: the repository's); another folder can be given for
# trying the harness itself.
SOURCE = Path(os.environ.get("LOSSYLAB_BROWSER_NOTEBOOKS", str(nbtools.notebooks_dir())))
SCREENSHOTS = Path(__file__).parent / "screenshots"

# JupyterLab user settings: every cell in the DOM (no virtual scrolling, so every widget is
# rendered and findable), and no news or update checks (no network).
LAB_SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false", "checkForUpdates": False},
}


@dataclass(frozen=True)
class LabServer:
    """A running JupyterLab: where it is, how to log in, and the folder it serves."""

    url: str
    token: str
    root: Path

    def notebook_url(self, name: str) -> str:
        """Open ``name`` alone: ``reset`` starts from an empty workspace each time."""
        return f"{self.url}/lab/tree/{name}?reset&token={self.token}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _write_settings(folder: Path) -> None:
    for name, values in LAB_SETTINGS.items():
        plugin, file = name.rsplit("/", 1)
        target = folder / plugin / file
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(values), encoding="utf-8")


def _wait_until_up(url: str, token: str, process: subprocess.Popen, log: Path,
                   server: str = "JupyterLab") -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{server} exited early:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=5) as r:
                if r.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{server} did not answer within 120 s:\n{log.read_text()[-3000:]}")


def _stop(process: subprocess.Popen) -> None:
    """Stop the server and its kernels (it runs in its own process group)."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


@contextmanager
def running_lab(source: Path, base: Path) -> Iterator[LabServer]:
    """Start JupyterLab on 127.0.0.1 (token auth) serving a copy of ``source`` made in ``base``.

    The server and its kernels run in their own process group, stopped on exit.
    """
    root = base / "notebooks"
    shutil.copytree(source, root, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    for sub in ("settings", "workspaces", "config", "runtime", "ipython"):
        (base / sub).mkdir()
    _write_settings(base / "settings")
    env = {
        **os.environ,
        "JUPYTERLAB_SETTINGS_DIR": str(base / "settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(base / "workspaces"),
        "JUPYTER_CONFIG_DIR": str(base / "config"),
        "JUPYTER_RUNTIME_DIR": str(base / "runtime"),
        "IPYTHONDIR": str(base / "ipython"),
    }
    port, token = free_port(), secrets.token_hex(24)
    command = [
        sys.executable, "-m", "jupyterlab", "--no-browser",
        "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
        "--LabApp.expose_app_in_browser=True",  # window.jupyterapp, to run all cells
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        "--LabApp.news_url=None",
        "--LabApp.extension_manager=readonly",  # no PyPI queries
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")  # CI containers run as root
    log = base / "jupyterlab.log"
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=root, env=env, stdout=out,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    try:
        url = f"http://127.0.0.1:{port}"
        _wait_until_up(url, token, process, log)
        yield LabServer(url=url, token=token, root=root)
    finally:
        _stop(process)


def wait_for(page: Any, script: str, *, timeout_s: float, what: str) -> Any:
    """Evaluate ``script`` in the page every 250 ms until it is truthy; fail after ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = page.evaluate(script)
        if value:
            return value
        page.wait_for_timeout(250)
    raise AssertionError(f"timed out after {timeout_s:.0f} s waiting for {what}")


def run_until_idle(page: Any, run_all: str, run_state: str, is_done: Any, *,
                   timeout_s: float = 300) -> dict[str, Any]:
    """Start every cell with ``run_all``, then poll ``run_state`` until ``is_done(state)`` has held
    for 1.5 s (a kernel is briefly idle between cells); fail after ``timeout_s``."""
    page.evaluate(run_all)
    deadline, idle_since, state = time.monotonic() + timeout_s, None, {}
    while time.monotonic() < deadline:
        state = page.evaluate(run_state)
        idle_since = (idle_since or time.monotonic()) if is_done(state) else None
        if idle_since is not None and time.monotonic() - idle_since > 1.5:
            return state
        page.wait_for_timeout(250)
    raise AssertionError(f"the notebook did not finish running in {timeout_s:.0f} s: {state}")
