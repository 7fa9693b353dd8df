"""Every notebook in a real browser: runs with no error, every widget renders, sliders respond.

For each notebook, in headless Chromium on a JupyterLab served from a temporary copy of the
notebooks: clear the outputs, run all cells in a fresh kernel, wait until the kernel is done,
then check that no cell shows an error (except cells tagged ``raises-exception``), that no
widget shows "Error displaying widget" or is stuck at "Loading widget...", and that moving the
first slider with the keyboard changes what the notebook shows. A screenshot of each notebook
is saved in ``tests/browser/screenshots/`` (git-ignored).
"""

from __future__ import annotations

import contextlib
import time
from pathlib import Path
from typing import Any

import pytest
from browser_harness import SOURCE, LabServer, nbtools, run_until_idle, wait_for

pytestmark = pytest.mark.browser

NOTEBOOKS = sorted(SOURCE.glob("*.ipynb"))
RUN_TIMEOUT_S = 300  # all cells of one notebook, on a shared two-core machine
WIDGET_TIMEOUT_S = 60  # for "Loading widget..." to go away
SLIDER_TIMEOUT_S = 30  # for the view to change after a slider move
WIDGET_PROBLEMS = ("Error displaying widget", "Loading widget...")

# JavaScript run in the page. ``window.jupyterapp`` exists because the server was started
# with --LabApp.expose_app_in_browser.
JS_NOTEBOOK_READY = """async () => {
    const panel = window.jupyterapp.shell.currentWidget;
    if (!panel || !panel.sessionContext) { return false; }
    await panel.context.ready;
    await panel.sessionContext.ready;
    const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
    return !!kernel && kernel.status === 'idle';
}"""
JS_RUN_ALL = """async () => {
    const commands = window.jupyterapp.commands;
    await commands.execute('notebook:clear-all-cell-outputs');
    commands.execute('notebook:run-all-cells');  // not awaited: we poll for the end
    return true;
}"""
# Done when the kernel is idle and no cell is queued or running ("[*]").
JS_RUN_STATE = """() => {
    const panel = window.jupyterapp.shell.currentWidget;
    const kernel = panel.sessionContext.session.kernel;
    const code = panel.content.widgets.filter(c => c.model.type === 'code');
    const busy = code.filter(c => (c.promptNode && c.promptNode.textContent.includes('*')));
    return {kernel: kernel.status, busy: busy.length, executed:
            code.filter(c => c.model.executionCount !== null).length, total: code.length};
}"""
# Error outputs of cells not tagged raises-exception, read from the notebook model.
JS_ERRORS = """() => {
    const panel = window.jupyterapp.shell.currentWidget;
    const errors = [];
    panel.content.widgets.forEach((cell, index) => {
        if (cell.model.type !== 'code') { return; }
        const tags = cell.model.getMetadata('tags') || [];
        if (tags.includes('raises-exception')) { return; }
        for (const output of cell.model.outputs.toJSON()) {
            if (output.output_type === 'error') {
                errors.push(`cell ${index}: ${output.ename}: ${output.evalue}`);
            }
        }
    });
    return errors;
}"""
# What the notebook shows, without the moved slider's own readout: the text of every
# output and the source of every image (an ipywidgets.Image gets a new blob URL per update).
JS_FINGERPRINT = """() => {
    const root = window.jupyterapp.shell.currentWidget.content.node;
    const parts = [];
    root.querySelectorAll('.jp-OutputArea-output').forEach(node => {
        const copy = node.cloneNode(true);
        copy.querySelectorAll('.widget-readout, .noUi-target').forEach(n => n.remove());
        parts.push(copy.textContent);
        node.querySelectorAll('img').forEach(img => parts.push(img.src.slice(0, 200)
                                                               + img.src.length));
    });
    return parts.join('\\n');
}"""


_wait_for = wait_for  # the name test_nb03_edit imports


def run_all_cells(page: Any) -> dict[str, Any]:
    """Clear outputs, run every cell, and wait until the kernel has finished all of them."""
    return run_until_idle(page, JS_RUN_ALL, JS_RUN_STATE,
                          lambda state: state["kernel"] == "idle" and state["busy"] == 0,
                          timeout_s=RUN_TIMEOUT_S)


JS_PANEL_ID = "() => window.jupyterapp.shell.currentWidget.id"
JS_PANEL_TEXT = "() => window.jupyterapp.shell.currentWidget.content.node.innerText"
JS_SHUTDOWN = """async () => {
    const panel = window.jupyterapp.shell.currentWidget;
    if (panel && panel.sessionContext) { await panel.sessionContext.shutdown(); }
}"""


def widget_problems(page: Any) -> list[str]:
    text = page.evaluate(JS_PANEL_TEXT)
    return [problem for problem in WIDGET_PROBLEMS if problem in text]


def move_first_slider(page: Any) -> tuple[str, str] | None:
    """Move the first slider with the keyboard; return its readout before and after."""
    sliders = page.locator(f"#{page.evaluate(JS_PANEL_ID)} .widget-slider")
    if sliders.count() == 0:
        return None
    slider = sliders.first
    slider.scroll_into_view_if_needed()
    readout = slider.locator(".widget-readout")
    before = readout.inner_text() if readout.count() else ""
    handle = slider.locator(".noUi-handle").first
    handle.focus()
    for key in ("ArrowRight", "ArrowLeft"):  # at the maximum, right does nothing
        for _ in range(3):
            page.keyboard.press(key)
        page.wait_for_timeout(300)
        after = readout.inner_text() if readout.count() else ""
        if after != before:
            break
    return before, after


def test_notebooks_were_found() -> None:
    assert NOTEBOOKS, f"no notebooks found in {SOURCE}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_in_browser(path: Path, browser: Any, lab_server: LabServer,
                             screenshots: Path) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    try:
        page.goto(lab_server.notebook_url(path.name), wait_until="domcontentloaded",
                  timeout=120_000)
        page.wait_for_selector(".jp-NotebookPanel", timeout=120_000)
        _wait_for(page, JS_NOTEBOOK_READY, timeout_s=120, what="the kernel to start")
        state = run_all_cells(page)
        assert state["executed"] > 0 or state["total"] == 0, f"nothing ran: {state}"

        errors = page.evaluate(JS_ERRORS)
        assert not errors, f"{path.name} shows errors: {errors}"

        deadline = time.monotonic() + WIDGET_TIMEOUT_S
        while widget_problems(page) == ["Loading widget..."] and time.monotonic() < deadline:
            page.wait_for_timeout(500)
        assert not widget_problems(page), f"{path.name}: {widget_problems(page)}"

        before = page.evaluate(JS_FINGERPRINT)
        moved = move_first_slider(page)
        if moved is None:
            declared = next((i.sliders for i in nbtools.COURSE if i.filename == path.name), "")
            assert declared in ("", "none"), (
                f"{path.name} should have sliders ({declared}) but none is rendered")
        else:
            assert moved[0] != moved[1], f"the slider did not move with the keyboard: {moved}"
            _wait_for(page, f"() => ({JS_FINGERPRINT})() !== {_js_string(before)}",
                      timeout_s=SLIDER_TIMEOUT_S, what="the view to change after a slider move")
            assert not widget_problems(page), f"{path.name}: {widget_problems(page)}"
    finally:  # by-products: never let them hide the test's own failure
        with contextlib.suppress(Exception):
            page.screenshot(path=str(screenshots / f"{path.stem}.png"))
        with contextlib.suppress(Exception):
            page.evaluate(JS_SHUTDOWN)  # free the kernel's memory before the next notebook
        page.close()


def _js_string(text: str) -> str:
    import json

    return json.dumps(text)
