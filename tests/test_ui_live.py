"""Tests for lossylab.ui.live: the blitted live figure, PNG helpers, the wiring of controls."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from lossylab.ui import live as ui_live
from lossylab.ui.style import new_figure


def _decode(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


def test_live_figure_redraws_animated_artists_only_where_they_changed() -> None:
    fig, ax = new_figure(figsize=(3, 2))
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    (line,) = ax.plot([0, 1], [0, 0.1], lw=4)
    live = ui_live.LiveFigure(fig, animated=[line])
    before = _decode(live.widget.value)
    line.set_ydata([0.9, 0.9])
    live.refresh()
    after = _decode(live.widget.value)
    assert before.shape == after.shape
    changed = np.any(before != after, axis=2)
    assert changed.any(), "moving the line must change the picture"
    assert changed.mean() < 0.2, "only the line's pixels should change"
    # a full redraw gives the same picture as the blitted one
    live.refresh(full=True)
    assert np.array_equal(_decode(live.widget.value), after)


def test_live_figure_and_array_png_make_png() -> None:
    fig, ax = new_figure(figsize=(2, 2))
    ax.plot([0, 1], [1, 0])
    assert bytes(ui_live.LiveFigure(fig).widget.value).startswith(b"\x89PNG")
    image = np.zeros((4, 5, 3), np.uint8)
    assert _decode(ui_live.array_png(image)).shape == (4, 5, 3)


def test_array_png_rejects_floats() -> None:
    with pytest.raises(ValueError, match="uint8 array"):
        ui_live.array_png(np.zeros((4, 4)))


def test_live_calls_update_on_every_change() -> None:
    import ipywidgets

    seen: list[int] = []
    slider = ipywidgets.IntSlider(value=1, min=0, max=5)
    box = ui_live.live(lambda k: seen.append(k), {"k": slider})
    slider.value = 3
    slider.value = 4
    assert seen == [1, 3, 4]
    assert isinstance(box, ipywidgets.VBox)


def test_live_rejects_unknown_layout() -> None:
    import ipywidgets

    with pytest.raises(ValueError, match="layout must be"):
        ui_live.live(lambda k: None, {"k": ipywidgets.IntSlider()}, layout="grid")


def test_number_table_and_r_slider() -> None:
    html = ui_live.number_table({"H(p_true)": "1.000 bits", "KL": "inf bits"})
    assert html.count("<tr>") == 2 and "<b>inf bits</b>" in html
    slider = ui_live.r_slider(10)
    assert (slider.value, slider.max) == (10, 3) and 1 < 10**slider.min < 1.3  # r > 1
