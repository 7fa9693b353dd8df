"""Tests for lossylab.ui.nb07: the side-by-side figure and its widget, on small inputs (Agg)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

from lossylab.course.nb07 import JPEGCurve, LMPoint
from lossylab.ui import nb07 as ui07
from lossylab.ui import style


def _side_by_side_inputs() -> tuple[list, list]:
    qualities = np.array([10, 50, 90])
    jpeg = [JPEGCurve(name, qualities, bpp=np.array([0.3, 1.0, 3.0]) * s,
                      psnr_db=np.array([28.0, 34.0, 42.0]) + s,
                      residual_bits_per_pixel=np.array([15.0, 12.0, 9.0]) / s)
            for name, s in (("a", 1.0), ("b", 2.0))]
    points = [LMPoint(f"m{i}", 10 * i, 100.0 * i, 0.1 * 2**i, 3.0 - i, 1.0 / (i + 1))
              for i in range(1, 4)]
    return jpeg, [("n-gram", points, "C0"), ("gru", points[:2], "C1")]


def _labelled(ax: object) -> None:
    assert ax.get_xlabel() and ax.get_ylabel(), "both axes need a label"  # type: ignore[attr-defined]


def _controls(box: object) -> list:
    return list(box.children[0].children)  # type: ignore[attr-defined]


def _views(box: object) -> list:
    return list(box.children[1].children)  # type: ignore[attr-defined]


# --- the figure -------------------------------------------------------------------------------


def test_draw_side_by_side_rings_the_chosen_points_and_moves_them() -> None:
    jpeg, lm = _side_by_side_inputs()
    _, axes = style.new_figure(1, 2, figsize=(6, 2.5))
    drawn = ui07.draw_side_by_side(jpeg, lm, jpeg_colors=["k", "r"], quality=50,
                                   picks=[2, 0], axes=axes)
    assert set(drawn.ax) == {"jpeg", "lm"} and set(drawn.artists) == {"jpeg", "lm0", "lm1"}
    _labelled(drawn.ax["jpeg"])
    _labelled(drawn.ax["lm"])
    assert [t.get_text() for t in drawn.ax["lm"].get_legend().get_texts()] == ["n-gram", "gru"]
    assert [t.get_text() for t in drawn.ax["jpeg"].get_legend().get_texts()] == ["a", "b"]
    np.testing.assert_allclose(drawn.artists["jpeg"].get_xdata(), [1.0, 2.0])  # quality 50
    np.testing.assert_allclose(drawn.artists["lm0"].get_data(), [[0.8], [0.25]])  # point m3
    ui07._update(drawn, jpeg, lm, quality=90, picks=[0, 1])
    np.testing.assert_allclose(drawn.artists["jpeg"].get_ydata(), [9.0, 4.5])
    np.testing.assert_allclose(drawn.artists["lm1"].get_data(), [[0.4], [1 / 3]])


def test_side_by_side_rejects_unknown_quality_colours_and_picks() -> None:
    jpeg, lm = _side_by_side_inputs()
    with pytest.raises(ValueError, match="colors must have one entry per curve"):
        ui07.draw_side_by_side(jpeg, lm, jpeg_colors=["k"], quality=10, picks=[0, 0],
                               axes=style.new_figure(1, 2)[1])
    drawn = ui07.draw_side_by_side(jpeg, lm, jpeg_colors=["k", "r"], quality=10,
                                   picks=[0, 0], axes=style.new_figure(1, 2)[1])
    with pytest.raises(ValueError, match="quality must be one of"):
        ui07._update(drawn, jpeg, lm, quality=55, picks=[0, 0])
    with pytest.raises(ValueError, match="picks must hold one index per language-model curve"):
        ui07._update(drawn, jpeg, lm, quality=10, picks=[0, 2])
    with pytest.raises(ValueError, match="picks must hold one index"):
        ui07.picked_points(lm, [0])


# --- the table and the widget -----------------------------------------------------------------


def test_side_by_side_rows_average_jpeg_and_list_each_model() -> None:
    jpeg, lm = _side_by_side_inputs()
    rows = ui07.side_by_side_rows(jpeg, 50, [lm[0][1][2]])
    assert rows == {"JPEG quality 50 (mean of 2)": "1.50 bpp, 35.5 dB, 9.00 bits/pixel missing",
                    "m3": "0.8 model bits/char, 0.000 bits/char, excess 0.250"}


def test_side_by_side_widget_moves_with_each_slider() -> None:
    jpeg, lm = _side_by_side_inputs()
    box = ui07.side_by_side_widget(jpeg, lm, jpeg_colors=["k", "r"], quality=50,
                                   knobs=[("order", (1, 2, 3), 0), ("size", ("s", "m"), 1)])
    quality, order, size = _controls(box)
    assert quality.options == (10, 50, 90)
    assert order.options[order.index] == ("1", 0) and size.options[size.index] == ("m", 1)
    image, table = _views(box)
    seen = {(bytes(image.value), table.value)}
    for slider, value in [(quality, 90), (order, 2), (size, 0)]:
        slider.value = value
        seen.add((bytes(image.value), table.value))
    assert len(seen) == 4, "every slider move must change the figure and the table"
    assert "JPEG quality 90" in table.value and "m3" in table.value


def test_side_by_side_widget_needs_one_knob_value_per_point() -> None:
    jpeg, lm = _side_by_side_inputs()
    with pytest.raises(ValueError, match="knobs must have one entry per language-model curve"):
        ui07.side_by_side_widget(jpeg, lm, jpeg_colors=["k", "r"], quality=50,
                                 knobs=[("order", (1, 2), 0), ("size", ("s", "m"), 1)])
