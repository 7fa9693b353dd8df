"""Notebook 03's edit-the-file widget in a real browser: it renders, responds, never a traceback.

In headless Chromium on JupyterLab (the fixtures of ``conftest.py``): run notebook 03, then
pick each kind of edit on the widget, move its slider with the keyboard, and check that the
decoder's report and the picture change, that a refused file is reported in words, and that
no cell shows an error or a Python traceback. Run with ``python -m pytest -m browser
tests/browser/test_nb03_edit.py``.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

import pytest
from browser_harness import LabServer
from test_notebooks_in_browser import (
    JS_ERRORS,
    JS_NOTEBOOK_READY,
    JS_PANEL_TEXT,
    JS_SHUTDOWN,
    _wait_for,
    run_all_cells,
    widget_problems,
)

pytestmark = pytest.mark.browser

NOTEBOOK = "03_jpeg_step_by_step.ipynb"
KINDS = ("DQT entry", "zero a position", "flip a scan bit")
SLIDER_FOR = {"DQT entry": "new step", "zero a position": "zig-zag k",
              "flip a scan bit": "scan bit"}


def _report(page: Any, kind: str) -> str:
    """The widget's report line for ``kind`` ("" while it is not shown)."""
    reports = page.locator(".widget-html", has_text=f"{kind}:")
    return reports.last.inner_text() if reports.count() else ""


def _picture(page: Any, widget: Any) -> str:
    """The source of the widget's live figure (a new blob URL after every refresh)."""
    return widget.locator("img").first.get_attribute("src") or ""


def _press(page: Any, slider: Any, key: str, times: int) -> None:
    handle = slider.locator(".noUi-handle").first
    handle.scroll_into_view_if_needed()
    handle.focus()
    for _ in range(times):
        page.keyboard.press(key)
    page.wait_for_timeout(200)
    handle.blur()  # continuous_update=False: the value is sent when the slider lets go


def test_edit_the_file_widget_responds(browser: Any, lab_server: LabServer,
                                       screenshots: Path) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    try:
        page.goto(lab_server.notebook_url(NOTEBOOK), wait_until="domcontentloaded",
                  timeout=120_000)
        page.wait_for_selector(".jp-NotebookPanel", timeout=120_000)
        _wait_for(page, JS_NOTEBOOK_READY, timeout_s=120, what="the kernel to start")
        run_all_cells(page)
        assert not page.evaluate(JS_ERRORS)
        toggles = page.locator(".widget-toggle-buttons", has_text="flip a scan bit")
        _wait_for(page, "() => document.querySelectorAll('.widget-toggle-buttons').length > 0",
                  timeout_s=60, what="the edit widget")
        assert toggles.count() == 1, "the edit widget is not rendered"
        widget = page.locator(".widget-vbox", has=toggles).first  # the outermost box
        assert "inf dB" in _report(page, "DQT entry")  # unedited at first
        for kind in KINDS:
            toggles.locator("button", has_text=kind).click()
            _wait_for(page, f"() => document.body.innerText.includes({kind!r} + ':')",
                      timeout_s=30, what=f"the report of {kind!r}")
            before_report, before_picture = _report(page, kind), _picture(page, widget)
            slider = widget.locator(".widget-slider", has_text=SLIDER_FOR[kind])
            _press(page, slider, "ArrowRight", 7)
            _wait_for(page, f"""() => [...document.querySelectorAll('.widget-html')]
                .some(n => n.innerText.includes({kind!r} + ':')
                      && n.innerText !== {before_report!r})""",
                      timeout_s=30, what=f"the report to change after moving {kind!r}")
            report = _report(page, kind)
            assert "decoded:" in report or "refused:" in report, report
            if "decoded:" in report:
                assert _picture(page, widget) != before_picture, "the picture did not change"
        text = page.evaluate(JS_PANEL_TEXT)
        assert "Traceback" not in text and not widget_problems(page)
        assert not page.evaluate(JS_ERRORS)
    finally:
        with contextlib.suppress(Exception):
            page.screenshot(path=str(screenshots / "03_edit_widget.png"), full_page=False)
        with contextlib.suppress(Exception):
            page.evaluate(JS_SHUTDOWN)
        page.close()
