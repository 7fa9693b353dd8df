"""Tests for lossylab.ui.nb03: the block-picker figure and its widget (Agg backend)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
from matplotlib.figure import Figure

from lossylab import jpeg
from lossylab.ui import nb03 as ui03


def _controls(box: object) -> list:
    return list(box.children[0].children)  # type: ignore[attr-defined]


def _views(box: object) -> list:
    return list(box.children[1].children)  # type: ignore[attr-defined]


def test_draw_block_picker_follows_one_block() -> None:
    luma = np.arange(32 * 32, dtype=np.uint8).reshape(32, 32)  # 4 x 4 blocks
    table = jpeg.quant_tables(50).luma
    blocks = jpeg.dct2(jpeg.level_shift(jpeg.blockify(luma)))  # (4, 4, 8, 8)
    q = jpeg.quantize(blocks[1, 2], table)
    decoded = jpeg.unlevel_shift(jpeg.idct2(jpeg.dequantize(q, table)))
    drawn = ui03.draw_block_picker(luma, row=1, col=2, quantized=q, decoded=decoded)
    assert isinstance(drawn.fig, Figure) and set(drawn.ax) == {"img", "orig", "coef", "rec", "zz"}
    assert drawn.ax["zz"].get_xlabel() and drawn.ax["zz"].get_ylabel()
    assert all(drawn.ax[k].get_title() for k in ("img", "orig", "coef", "rec"))
    assert drawn.artists["box"].get_xy() == (16, 8)
    np.testing.assert_array_equal(drawn.artists["orig"].get_array(), luma[8:16, 16:24])
    np.testing.assert_array_equal(drawn.artists["zz"].get_ydata(), q.reshape(64)[jpeg.ZIGZAG][1:])
    zero = np.zeros((8, 8), int)
    ui03._update_block_picker(drawn, luma, row=3, col=0, quantized=zero, decoded=zero)
    assert drawn.artists["box"].get_xy() == (0, 24)
    assert not np.any(drawn.artists["zz"].get_ydata())
    with pytest.raises(ValueError, match="row, col must be in"):
        ui03._update_block_picker(drawn, luma, row=4, col=0, quantized=zero, decoded=zero)


def test_block_picker_widget_follows_quality_and_block() -> None:
    luma = np.random.default_rng(0).integers(0, 256, (24, 32)).astype(np.uint8)  # 3 x 4 blocks
    dct_blocks = jpeg.dct2(jpeg.level_shift(jpeg.blockify(luma)))
    box = ui03.block_picker_widget(luma, dct_blocks, quality=75, row=1, col=1,
                                   zero_fraction=np.linspace(1, 0, 100))
    quality, row, col = _controls(box)
    assert (row.max, col.max) == (2, 3)
    image, table = _views(box)
    assert "75.8%" not in table.value and "25.3%" in table.value  # entry 74 of linspace(1, 0)
    before = bytes(image.value)
    quality.value = 1
    assert "100.0%" in table.value and bytes(image.value) != before
    col.value = 3  # the last block: the callback works at the end of the range
    assert "/ 64" in table.value


def test_block_picker_widget_checks_shapes() -> None:
    luma = np.zeros((16, 16), np.uint8)
    with pytest.raises(ValueError, match="dct_blocks must have shape"):
        ui03.block_picker_widget(luma, np.zeros((1, 2, 8, 8)), quality=50, row=0, col=0,
                                 zero_fraction=[0.5] * 100)
    with pytest.raises(ValueError, match="zero_fraction must have 100 entries"):
        ui03.block_picker_widget(luma, np.zeros((2, 2, 8, 8)), quality=50, row=0, col=0,
                                 zero_fraction=[0.5])


def test_block_picker_table_splits_the_error_into_three_steps() -> None:
    class Steps:
        def shares(self, quality: int) -> tuple[float, float, float]:
            return (0.25, 1.5, float(quality))

    luma = np.zeros((16, 16), np.uint8)
    box = ui03.block_picker_widget(luma, np.zeros((2, 2, 8, 8)), quality=40, row=0, col=0,
                                   zero_fraction=[0.5] * 100, lossy=Steps())
    quality, _, _ = _controls(box)
    _, table = _views(box)
    assert "0.25, 1.50, 40.00" in table.value
    quality.value = 90
    assert "0.25, 1.50, 90.00" in table.value


def test_file_edit_widget_shows_the_edit_and_refuses_cleanly() -> None:
    from lossylab.data import sample_image
    from lossylab.images import roundtrip

    data = roundtrip(sample_image("astronaut")[100:164, 200:264], 50).data
    box = ui03.file_edit_widget(data)
    kind = box.children[0].children[0]
    table, k, value, bit = box.children[0].children[1].children
    pictures, report = _views(box)
    image, error = (view.children[1] for view in pictures.children)
    assert kind.value == "DQT entry" and "inf dB" in report.value  # the file's own DC step
    before, no_error = bytes(image.value), bytes(error.value)
    value.value = 200
    assert "DQT entry" in report.value and "dB against the unedited file" in report.value
    assert bytes(image.value) != before and bytes(error.value) != no_error
    kind.value = "zero a position"
    assert "zero a position" in report.value
    kind.value = "flip a scan bit"
    outcomes = set()
    for b in range(0, bit.max, 97):
        bit.value = b
        outcomes.add(report.value.split(": ")[1].split(" ")[0])
    assert outcomes == {"decoded", "refused"}  # some flips decode, some are refused
    assert table.options == (("luma", 0), ("chroma", 1))
