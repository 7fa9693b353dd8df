"""Fixtures for the real-browser tests: a JupyterLab server and a headless Chromium.

The server runs on 127.0.0.1 with token authentication (never disabled) on a free port, with
its root in a temporary copy of ``notebooks/`` so the runs never modify the repository, and
with its own settings, workspaces and runtime folders so the user's JupyterLab is untouched.
Chromium is the system one (Debian package ``chromium``), driven by Playwright without any
browser download. Without Playwright or Chromium every test is skipped with the reason.

Run them with ``python -m pytest -m browser tests/browser``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser_harness import CHROMIUM, CHROMIUM_ARGS, SCREENSHOTS, SOURCE, LabServer, running_lab


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Run the browser tests only when asked for with ``-m browser`` (they take minutes)."""
    if "browser" in (config.getoption("markexpr") or ""):
        return
    skip = pytest.mark.skip(reason="real-browser tests run only when selected: "
                            "python -m pytest -m browser tests/browser")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def lab_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabServer]:
    """JupyterLab on 127.0.0.1, token auth, serving a temporary copy of the notebooks."""
    pytest.importorskip("jupyterlab", reason="JupyterLab is not installed: pip install -e '.[lab]'")
    with running_lab(SOURCE, tmp_path_factory.mktemp("lab")) as server:
        yield server


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Headless system Chromium through Playwright (skipped with the reason when missing)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("Playwright is not installed: pip install -e '.[browser]'")
    if not CHROMIUM.is_file():
        pytest.skip(f"Chromium not found at {CHROMIUM}: apt-get install -y chromium "
                    "(or set LOSSYLAB_CHROMIUM to its path)")
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                      args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(exist_ok=True)
    return SCREENSHOTS
