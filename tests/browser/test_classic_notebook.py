"""Every notebook in the classic Notebook 6.5 front end with ipywidgets 7.7.1, as on Colab.

Google Colab's runtime ships ipywidgets 7.7.1, widgetsnbextension 3.6 and notebook 6.5; its
own front end cannot be run here, so this is the closest stack available: the classic Notebook
served on 127.0.0.1 (token auth) from a temporary copy of the notebooks, in headless Chromium.
For each notebook: clear the outputs, run all cells, wait until the kernel is done, then check
that no cell shows an error (except cells tagged ``raises-exception``), that every widget
output was rendered, and that moving the first slider with the keyboard changes what the
notebook shows. Screenshots go to ``tests/browser/screenshots/classic-*.png``.

These tests run only where ``notebook`` 6 and ipywidgets 7 are installed (``.ci/run`` makes
such a virtual environment from ``.ci/colab-kernel.txt``); elsewhere they are skipped.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest
from browser_harness import (
    SOURCE,
    _stop,
    _wait_until_up,
    free_port,
    nbtools,
    run_until_idle,
    wait_for,
)

pytestmark = pytest.mark.browser


def _major(name: str) -> int | None:
    try:
        return int(metadata.version(name).split(".")[0])
    except metadata.PackageNotFoundError:
        return None


CLASSIC = _major("notebook") == 6 and _major("ipywidgets") == 7
SKIP_REASON = ("needs the classic Notebook 6 and ipywidgets 7 (Colab's versions): "
               "made by .ci/run from .ci/colab-kernel.txt")
NOTEBOOKS = sorted(SOURCE.glob("*.ipynb"))
RUN_TIMEOUT_S = 300
SLIDER_TIMEOUT_S = 30

JS_READY = """() => {
    const nb = window.Jupyter && window.Jupyter.notebook;
    if (!nb || !nb.kernel || !nb.kernel.is_connected()) { return false; }
    const icon = document.querySelector('#kernel_indicator_icon');
    return !!icon && icon.classList.contains('kernel_idle_icon');
}"""
JS_RUN_ALL = """() => {
    Jupyter.notebook.clear_all_output();
    Jupyter.notebook.execute_all_cells();
    return true;
}"""
JS_RUN_STATE = """() => {
    const code = Jupyter.notebook.get_cells().filter(c => c.cell_type === 'code');
    const icon = document.querySelector('#kernel_indicator_icon');
    return {idle: icon.classList.contains('kernel_idle_icon'),
            busy: code.filter(c => c.input_prompt_number === '*').length,
            executed: code.filter(c => typeof c.input_prompt_number === 'number').length,
            total: code.length};
}"""
JS_ERRORS = """() => {
    const errors = [];
    Jupyter.notebook.get_cells().forEach((cell, index) => {
        if (cell.cell_type !== 'code') { return; }
        if ((cell.metadata.tags || []).includes('raises-exception')) { return; }
        cell.output_area.outputs.forEach(out => {
            if (out.output_type !== 'error') { return; }
            errors.push(`cell ${index}: ${out.ename}: ${out.evalue}`);
        });
    });
    return errors;
}"""
# Widget outputs (their mime type) and how many of them hold a rendered widget view.
JS_WIDGETS = """() => {
    let expected = 0;
    Jupyter.notebook.get_cells().forEach(cell => {
        if (cell.cell_type !== 'code') { return; }
        cell.output_area.outputs.forEach(out => {
            if (out.data && out.data['application/vnd.jupyter.widget-view+json']) { expected += 1; }
        });
    });
    const views = Array.from(document.querySelectorAll('.jupyter-widgets-view'));
    const rendered = views.filter(v => v.querySelector('.jupyter-widgets') !== null).length;
    const text = document.querySelector('#notebook-container').innerText;
    return {expected, rendered, missing: text.includes('could not be displayed')};
}"""
JS_FINGERPRINT = """() => {
    const parts = [];
    document.querySelectorAll('#notebook-container .output_area').forEach(node => {
        const copy = node.cloneNode(true);
        copy.querySelectorAll('.widget-readout, .ui-slider').forEach(n => n.remove());
        parts.push(copy.textContent);
        node.querySelectorAll('img').forEach(img => parts.push(img.src.slice(0, 200)
                                                               + img.src.length));
    });
    return parts.join('\\n');
}"""


@pytest.fixture(scope="module")
def classic_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """The classic Notebook on 127.0.0.1 (token auth) serving a copy of the notebooks."""
    if not CLASSIC:
        pytest.skip(SKIP_REASON)
    base = tmp_path_factory.mktemp("classic")
    root = base / "notebooks"
    shutil.copytree(SOURCE, root, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    for sub in ("config", "runtime", "ipython"):
        (base / sub).mkdir()
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(base / "config"),
           "JUPYTER_RUNTIME_DIR": str(base / "runtime"), "IPYTHONDIR": str(base / "ipython")}
    port, token = free_port(), secrets.token_hex(24)
    command = [sys.executable, "-m", "notebook", "--no-browser", "--ip=127.0.0.1",
               f"--port={port}", "--port-retries=0", f"--NotebookApp.token={token}",
               f"--NotebookApp.notebook_dir={root}"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")
    log = base / "notebook.log"
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=root, env=env, stdout=out,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url, token, process, log, server="The Notebook server")
        yield url, token
    finally:
        _stop(process)


def _run_all(page: Any) -> dict[str, Any]:
    return run_until_idle(page, JS_RUN_ALL, JS_RUN_STATE,
                          lambda state: state["idle"] and state["busy"] == 0,
                          timeout_s=RUN_TIMEOUT_S)


def _move_first_slider(page: Any) -> tuple[str, str] | None:
    """Move the first slider (a jQuery UI slider in ipywidgets 7) with the keyboard."""
    sliders = page.locator("#notebook-container .widget-slider")
    if sliders.count() == 0:
        return None
    slider = sliders.first
    slider.scroll_into_view_if_needed()
    readout = slider.locator(".widget-readout")
    before = readout.inner_text() if readout.count() else ""
    after = before
    slider.locator(".ui-slider-handle").first.focus()
    for key in ("ArrowRight", "ArrowLeft"):  # at the maximum, right does nothing
        for _ in range(3):
            page.keyboard.press(key)
        page.wait_for_timeout(300)
        after = readout.inner_text() if readout.count() else ""
        if after != before:
            break
    return before, after


def test_classic_stack_is_colabs() -> None:
    if not CLASSIC:
        pytest.skip(SKIP_REASON)
    assert metadata.version("ipywidgets") == "7.7.1"
    assert metadata.version("widgetsnbextension").startswith("3.6.")
    assert metadata.version("notebook").startswith("6.5.")
    assert _major("jupyterlab") is None, "lossylab must not have pulled in JupyterLab"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_in_classic_notebook(path: Path, browser: Any, classic_server: tuple[str, str],
                                      screenshots: Path) -> None:
    url, token = classic_server
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    page_errors: list[str] = []
    page.on("pageerror", lambda err: page_errors.append(str(err)))
    page.on("console", lambda msg: msg.type == "error" and page_errors.append(msg.text))
    try:
        page.goto(f"{url}/notebooks/{path.name}?token={token}", wait_until="domcontentloaded",
                  timeout=120_000)
        wait_for(page, JS_READY, timeout_s=120, what="the kernel to start")
        state = _run_all(page)
        errors = page.evaluate(JS_ERRORS)
        assert not errors, f"{path.name} shows errors: {errors}"
        assert state["executed"] == state["total"] > 0, f"not every cell ran: {state}"

        deadline = time.monotonic() + 60
        widgets = page.evaluate(JS_WIDGETS)
        while widgets["rendered"] < widgets["expected"] and time.monotonic() < deadline:
            page.wait_for_timeout(500)
            widgets = page.evaluate(JS_WIDGETS)
        assert widgets["expected"] > 0, f"{path.name} displayed no widget"
        assert widgets["rendered"] >= widgets["expected"] and not widgets["missing"], (
            f"{path.name}: not every widget rendered: {widgets}; page errors: {page_errors}")

        before = page.evaluate(JS_FINGERPRINT)
        moved = _move_first_slider(page)
        if moved is None:
            declared = next((i.sliders for i in nbtools.COURSE if i.filename == path.name), "")
            assert declared in ("", "none"), f"{path.name} should have sliders ({declared})"
        else:
            assert moved[0] != moved[1], f"the slider did not move with the keyboard: {moved}"
            wait_for(page, f"() => ({JS_FINGERPRINT})() !== {json.dumps(before)}",
                      timeout_s=SLIDER_TIMEOUT_S, what="the view to change after a slider move")
            errors = page.evaluate(JS_ERRORS)
            assert not errors, f"{path.name} shows errors after the slider move: {errors}"
    finally:
        with contextlib.suppress(Exception):
            page.screenshot(path=str(screenshots / f"classic-{path.stem}.png"), full_page=False)
        with contextlib.suppress(Exception):
            page.evaluate("() => Jupyter.notebook.kernel.kill()")
        page.close()
