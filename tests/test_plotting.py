"""Tests for the draw layer: every draw_* function on small inputs, with the Agg backend."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
from matplotlib.axes import Axes

from lossylab.ui import nb06 as ui06
from lossylab.ui import style


def _ax(figsize: tuple[float, float] = (4, 3)) -> Axes:
    _, ax = style.new_figure(figsize=figsize)
    return ax


def _labelled(ax: Axes) -> None:
    assert ax.get_xlabel() and ax.get_ylabel(), "both axes need a label"


# --- notebook 06 ------------------------------------------------------------------------------


def test_draw_narrowing_shows_one_row_per_character() -> None:
    from lossylab import coding
    from lossylab.ngram import NGramLM

    model = NGramLM(1).fit("abracadabra")
    narrowing = coding.interval_narrowing("abra", model)
    drawn = ui06.draw_narrowing(narrowing, ax=_ax())
    assert len(drawn.ax.patches) == 4 and drawn.artists == {}
    assert [t.get_text().split(":")[0] for t in drawn.ax.texts] == ["'a'", "'b'", "'r'", "'a'"]
    assert drawn.ax.get_xlabel() and drawn.ax.get_ylim() == (3.5, -0.5)


def test_draw_model_ladder_draws_families_and_standard_compressors() -> None:
    families = {"ngram": ([0, 10, 100], [4.0, 3.0, 2.5]), "gru": ([50, 500], [3.2, 2.4])}
    drawn = ui06.draw_model_ladder(families, alone={"gzip": 3.2, "xz": 2.9},
                                       given_train={"gzip": 3.1, "xz": 2.5}, ax=_ax())
    _labelled(drawn.ax)
    assert len(drawn.ax.lines) == 2 + 4
    assert list(drawn.ax.lines[0].get_xdata()) == [1, 10, 100], "0 parameters drawn at 1 (log)"
    with pytest.raises(ValueError, match="one rate per model size"):
        ui06.draw_model_ladder({"a": ([1, 2], [3.0])}, alone={}, given_train={}, ax=_ax())
    with pytest.raises(ValueError, match="alone and given_train must name the same"):
        ui06.draw_model_ladder(families, alone={"xz": 1.0}, given_train={}, ax=_ax())


def test_draw_adjusted_rates_moves_curves_and_ring() -> None:
    families = {"ngram": ([1e3, 1e5], [5.0, 9.0]), "gru": ([1e4, 1e6], [4.0, 20.0])}
    drawn = ui06.draw_adjusted_rates(families, reference_bits_per_char=3.0, ax=_ax())
    _labelled(drawn.ax)
    assert set(drawn.artists) == {"line0", "line1", "marker"}
    assert len(drawn.artists["marker"].get_xdata()) == 0
    ui06.update_adjusted_rates(drawn, [[2.5, 2.6], [2.7, 3.5]], marker=(1e4, 2.7))
    np.testing.assert_allclose(drawn.artists["line1"].get_ydata(), [2.7, 3.5])
    assert drawn.artists["marker"].get_data() == ([1e4], [2.7])


def test_draw_quantization_rings_one_setting() -> None:
    drawn = ui06.draw_quantization([2, 4, 8], {"per tensor": [9.0, 2.4, 2.0],
                                                   "per row": [5.0, 2.2, 2.0]},
                                       float_rate=2.0, ax=_ax())
    _labelled(drawn.ax)
    assert drawn.ax.get_ylim()[0] == 0 and len(drawn.ax.lines) == 4
    ui06.update_quantization(drawn, bits=4, rate=2.4)
    assert drawn.artists["marker"].get_data() == ([4], [2.4])
    with pytest.raises(ValueError, match="one rate per model size"):
        ui06.draw_quantization([2, 4], {"per row": [1.0]}, float_rate=2.0, ax=_ax())
