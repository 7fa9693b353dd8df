"""Tests for the draw layer: every draw_* function on small inputs, with the Agg backend."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from lossylab import jpeg
from lossylab.ui import nb03 as ui03
from lossylab.ui import nb04 as ui04
from lossylab.ui import nb06 as ui06
from lossylab.ui import style


def _ax(figsize: tuple[float, float] = (4, 3)) -> Axes:
    _, ax = style.new_figure(figsize=figsize)
    return ax


def _labelled(ax: Axes) -> None:
    assert ax.get_xlabel() and ax.get_ylabel(), "both axes need a label"


def test_draw_block_picker_follows_one_block() -> None:
    luma = np.arange(32 * 32, dtype=np.uint8).reshape(32, 32)  # 4 x 4 blocks
    table = jpeg.quant_tables(50).luma
    blocks = jpeg.dct2(jpeg.level_shift(jpeg.blockify(luma)))  # (4, 4, 8, 8)
    q = jpeg.quantize(blocks[1, 2], table)
    decoded = jpeg.unlevel_shift(jpeg.idct2(jpeg.dequantize(q, table)))
    drawn = ui03.draw_block_picker(luma, row=1, col=2, quantized=q, decoded=decoded)
    assert isinstance(drawn.fig, Figure) and set(drawn.ax) == {"img", "orig", "coef", "rec", "zz"}
    _labelled(drawn.ax["zz"])
    assert all(drawn.ax[k].get_title() for k in ("img", "orig", "coef", "rec"))
    assert drawn.artists["box"].get_xy() == (16, 8)
    np.testing.assert_array_equal(drawn.artists["orig"].get_array(), luma[8:16, 16:24])
    np.testing.assert_array_equal(drawn.artists["zz"].get_ydata(), q.reshape(64)[jpeg.ZIGZAG][1:])
    zero = np.zeros((8, 8), int)
    ui03.update_block_picker(drawn, luma, row=3, col=0, quantized=zero, decoded=zero)
    assert drawn.artists["box"].get_xy() == (0, 24)
    assert not np.any(drawn.artists["zz"].get_ydata())
    with pytest.raises(ValueError, match="row, col must be in"):
        ui03.update_block_picker(drawn, luma, row=4, col=0, quantized=zero, decoded=zero)


# --- notebook 04 ------------------------------------------------------------------------------


def test_draw_jpeg_rate_psnr_rings_one_round_trip() -> None:
    from lossylab.images import RateDistortion

    q = np.array([10, 50, 90])
    rd = RateDistortion(q, np.array([900, 3000, 9000]), np.array([0.3, 1.0, 3.0]),
                        np.array([28.0, 34.0, 42.0]), np.full(3, np.nan))
    drawn = ui04.draw_jpeg_rate_psnr({"a": rd, "b": rd}, colors={"a": "k", "b": "r"},
                                         ax=_ax())
    _labelled(drawn.ax)
    assert len(drawn.ax.lines) == 3 and drawn.ax.get_xscale() == "log"
    assert len(drawn.artists["marker"].get_xdata()) == 0, "no ring before the first update"
    ui04.update_jpeg_rate_psnr(drawn, bpp=1.0, psnr_db=34.0)
    assert drawn.artists["marker"].get_data() == ([1.0], [34.0])
    ui04.update_jpeg_rate_psnr(drawn, bpp=24.0, psnr_db=np.inf)  # identical images
    assert drawn.artists["marker"].get_ydata() == [60.0]
    with pytest.raises(ValueError, match="colors must give a colour to every curve"):
        ui04.draw_jpeg_rate_psnr({"a": rd}, colors={"b": "r"}, ax=_ax())


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
