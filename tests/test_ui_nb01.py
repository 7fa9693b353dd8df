"""Tests for lossylab.ui.nb01: the mismatch figure (Agg) and the live widget of notebook 01."""

from __future__ import annotations

import ipywidgets
import numpy as np
import pytest
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from lossylab import distributions as D
from lossylab import mixtures
from lossylab.course import nb01 as course
from lossylab.ui import nb01 as ui
from lossylab.ui import style


def _ax(figsize: tuple[float, float] = (4, 3)) -> Axes:
    _, ax = style.new_figure(figsize=figsize)
    return ax


def test_draw_mismatch_labels_axes_and_colours_both_faces() -> None:
    p_true = np.array([0.5, 0.3, 0.2, 0.0])
    p_model = np.array([0.0, 0.3, 0.2, 0.5])  # state 0 collapsed, state 3 invented
    drawn = ui.draw_mismatch(p_true, p_model, r=10, ax=_ax())
    assert isinstance(drawn.fig, Figure) and isinstance(drawn.ax, Axes)
    assert drawn.ax.get_xlabel() and drawn.ax.get_ylabel(), "both axes need a label"
    assert set(drawn.artists) == {"model", "collapse", "hallucination", "true"}
    floor = ui.MISMATCH_FLOOR
    collapse = drawn.artists["collapse"].get_data().values
    hallucination = drawn.artists["hallucination"].get_data().values
    np.testing.assert_allclose(collapse, [0.5, floor, floor, floor])
    np.testing.assert_allclose(hallucination, [floor, floor, floor, 0.5])


def test_update_mismatch_moves_artists_in_place() -> None:
    p_true = np.array([0.5, 0.3, 0.2, 0.0])
    drawn = ui.draw_mismatch(p_true, p_true, r=10, ax=_ax())
    before = {name: artist for name, artist in drawn.artists.items()}
    assert np.all(drawn.artists["collapse"].get_data().values == ui.MISMATCH_FLOOR)
    ui._update_mismatch(drawn, p_true, np.array([0.02, 0.48, 0.5, 0.0]), r=10)
    assert drawn.artists == before  # the same objects, new data
    assert drawn.artists["collapse"].get_data().values[0] == pytest.approx(0.5)
    assert len(drawn.ax.patches) == 4, "no artist added by an update"


def test_draw_mismatch_uses_current_axes_when_none_given() -> None:
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    try:
        assert ui.draw_mismatch(np.array([0.5, 0.5]), np.array([0.5, 0.5])).ax is ax
    finally:
        plt.close(fig)


def test_draw_mismatch_rejects_mismatched_shapes_and_bad_r() -> None:
    with pytest.raises(ValueError, match="p_true and p_model must be 1-D arrays of one length"):
        ui.draw_mismatch(np.ones(3) / 3, np.ones(4) / 4, ax=_ax())
    with pytest.raises(ValueError, match="r must be a finite number > 1"):
        ui.draw_mismatch(np.ones(3) / 3, np.ones(3) / 3, r=0, ax=_ax())


def test_mismatch_rows_format_the_numbers_of_the_course() -> None:
    p_true = np.array([0.5, 0.25, 0.25])
    p_model, numbers = course.channel_mismatch(p_true, D.noisy_channel(3, 1.0), r=2)
    rows = ui._mismatch_rows(numbers, model_name="p_noisy")
    m = D.mismatch(p_true, p_model, r=2)
    assert rows["H(p_true)"] == "1.500 bits"
    assert rows["KL(p_noisy || p_true)"] == f"{m.kl_model_true_bits:.3f} bits"
    assert rows["table of p_noisy"] == f"{D.description_bits(p_model):.0f} bits"
    assert rows["mode collapse mass"] == f"{m.mode_collapse_mass:.3f}"
    assert list(rows) == ["H(p_true)", "H(p_noisy)", "table of p_true", "table of p_noisy",
                          "KL(p_true || p_noisy)", "KL(p_noisy || p_true)", "mode collapse mass",
                          "hallucination mass"]


def _controls(box: object) -> list:
    return list(box.children[0].children)  # type: ignore[attr-defined]


def _views(box: object) -> list:
    return list(box.children[1].children)  # type: ignore[attr-defined]


def test_mismatch_widget_redraws_and_retabulates_on_every_move() -> None:
    p_true = mixtures.grid_mixture(np.arange(16), means=[4, 11], widths=[1.5, 2.0],
                                   weights=[0.5, 0.5])
    knob = ipywidgets.IntSlider(value=4, min=1, max=16)
    box = ui.mismatch_widget(p_true, lambda n: D.quantizer_channel(16, n), knob)
    image, table = _views(box)
    r_slider = _controls(box)[1]
    first_png, first_table = bytes(image.value), table.value
    assert "H(p_compressed)" in first_table and first_png.startswith(b"\x89PNG")
    knob.value = 16  # the identity channel: nothing lost
    assert bytes(image.value) != first_png
    assert "mode collapse mass</td><td style='text-align:right'><b>0.000" in table.value
    r_slider.value = 100.0
    assert table.value != first_table
