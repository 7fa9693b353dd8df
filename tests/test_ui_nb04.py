"""Tests for lossylab.ui.nb04: notebook 04's figures, views and widgets (Agg backend)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import io

import numpy as np
import pytest
from PIL import Image
from test_bad_input import odd_image_files

from lossylab.images import RateDistortion
from lossylab.ui import nb04 as ui04
from lossylab.ui import style


def _decode(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


def _controls(box: object) -> list:
    return list(box.children[0].children)  # type: ignore[attr-defined]


def test_draw_jpeg_rate_psnr_rings_one_round_trip() -> None:
    q = np.array([10, 50, 90])
    rd = RateDistortion(q, np.array([900, 3000, 9000]), np.array([0.3, 1.0, 3.0]),
                        np.array([28.0, 34.0, 42.0]), np.full(3, np.nan))
    _, ax = style.new_figure(figsize=(4, 3))
    drawn = ui04._draw_jpeg_rate_psnr({"a": rd, "b": rd}, colors={"a": "k", "b": "r"}, ax=ax)
    assert drawn.ax.get_xlabel() and drawn.ax.get_ylabel()
    assert len(drawn.ax.lines) == 3 and drawn.ax.get_xscale() == "log"
    assert len(drawn.artists["marker"].get_xdata()) == 0, "no ring before the first update"
    ui04._update_jpeg_rate_psnr(drawn, bpp=1.0, psnr_db=34.0)
    assert drawn.artists["marker"].get_data() == ([1.0], [34.0])
    ui04._update_jpeg_rate_psnr(drawn, bpp=24.0, psnr_db=np.inf)  # identical images
    assert drawn.artists["marker"].get_ydata() == [60.0]
    with pytest.raises(ValueError, match="colors must give a colour to every curve"):
        ui04._draw_jpeg_rate_psnr({"a": rd}, colors={"b": "r"}, ax=ax)


def test_zoom_enlarges_a_window_and_checks_it() -> None:
    image = np.arange(16, dtype=np.uint8).reshape(4, 4)
    assert ui04._zoom(image, size=2, factor=2).tolist() == [
        [5, 5, 6, 6], [5, 5, 6, 6], [9, 9, 10, 10], [9, 9, 10, 10]]
    with pytest.raises(ValueError, match="factor must be a positive integer"):
        ui04._zoom(image, factor=0)
    with pytest.raises(ValueError, match="is empty"):
        ui04._zoom(image, window=(slice(5, 9), slice(0, 2)))


def test_worst_error_is_the_largest_channel_error_per_2x2_square() -> None:
    a = np.zeros((4, 4), np.uint8)
    b = a.copy()
    b[1, 2] = 7
    assert ui04._worst_error(a, b).tolist() == [[0, 7], [0, 0]]
    rgb = np.full((2, 2, 3), 200, np.uint8)
    other = rgb.copy()
    other[0, 1, 2] = 10  # 190 below: no uint8 wrap-around
    assert ui04._worst_error(rgb, other).tolist() == [[190]]


def test_error_palette_cache_is_read_only() -> None:
    palette = ui04._error_palette(32.0)
    assert isinstance(palette, bytes) and len(palette) == 768
    with pytest.raises(TypeError):
        palette[0] = 0  # type: ignore[index]
    assert ui04._error_palette(32.0) is palette


def test_half_size_original_is_lossless() -> None:
    from lossylab.course import common

    png = ui04._half_size_png("camera")
    with pytest.raises(TypeError):
        png[0] = 0  # type: ignore[index]
    expected = np.asarray(Image.fromarray(common.photograph("camera")).reduce(2))
    assert np.array_equal(np.asarray(Image.open(io.BytesIO(png))), expected)


def test_error_png_colours_the_worst_error_at_half_size() -> None:

    original = np.zeros((6, 8, 3), np.uint8)
    decoded = original.copy()
    decoded[1, 2, 1] = 40  # saturates the colour map (vmax 32)
    png = Image.open(io.BytesIO(ui04._error_png(original, decoded)))
    assert png.mode == "P" and png.size == (4, 3)
    np.testing.assert_array_equal(np.asarray(png), ui04._worst_error(original, decoded))
    top = _decode(ui04._error_png(original, decoded))[0, 1]
    bottom = _decode(ui04._error_png(original, decoded))[0, 0]
    assert tuple(top) != tuple(bottom)
    with pytest.raises(ValueError, match="vmax must be a positive"):
        ui04._error_png(original, decoded, vmax=0)
    with pytest.raises(ValueError, match="must be uint8 arrays of one shape"):
        ui04._error_png(original.astype(float), decoded.astype(float))


def test_roundtrip_rows_give_ratios_and_ask_for_ssim() -> None:
    from lossylab import images

    image = np.full((16, 16), 128, np.uint8)
    rt = images.roundtrip(image, 50)
    rows = ui04._roundtrip_rows(image, rt, psnr_db=40.0, png_n_bytes=2 * rt.n_bytes, ssim=None)
    assert rows["ratio vs PNG"] == "2.00" and rows["SSIM"] == "press the button"
    assert rows["ratio vs raw"] == f"{256 / rt.n_bytes:.1f}"
    assert ui04._roundtrip_rows(image, rt, psnr_db=40.0, png_n_bytes=1, ssim=0.5)["SSIM"] \
        == "0.5000"


def test_roundtrip_widget_shows_the_real_file_and_moves_the_ring() -> None:
    import ipywidgets

    quality = ipywidgets.IntSlider(value=55, min=1, max=100)
    box = ui04.roundtrip_widget(quality, colors={"camera": "k"}, name="camera")
    original, jpeg_view, zoom, error = box.children[0].children[1].children[0].children
    table = box.children[1].children[0].children[0]
    figure = box.children[1].children[1]
    assert bytes(jpeg_view.value)[:2] == b"\xff\xd8" and bytes(zoom.value)[:4] == b"\x89PNG"
    assert _decode(zoom.value).shape[:2] == (256, 256)  # 64 x 64 pixels, 4x
    assert "SSIM" in table.value and "press the button" not in table.value  # 55 is on the curve
    before = (bytes(jpeg_view.value), bytes(figure.value), table.value)
    quality.value = 7
    assert "press the button" in table.value
    assert all(a != b for a, b in zip(before, (bytes(jpeg_view.value), bytes(figure.value),
                                                table.value), strict=True))
    with pytest.raises(ValueError, match="name must be one of the photographs"):
        ui04.roundtrip_widget(quality, colors={"camera": "k"})


def test_generation_widget_shows_each_generation() -> None:
    from lossylab import images
    from lossylab.data import sample_image

    loss = images.generation_loss(sample_image("camera")[:64, :64], 30, 3, shift_px=1)
    box = ui04.generation_widget(loss, window=(slice(0, 16), slice(0, 16)))
    (slider,) = _controls(box)
    view, text = box.children[1].children[0].children
    assert slider.max == 3 and _decode(view.value).shape[:2] == (64, 64)
    slider.value = 3
    assert f"{loss.psnr_db[2]:.2f} dB" in text.value


def test_describe_upload_refuses_or_loads_every_odd_file() -> None:
    from lossylab.data import sample_image

    files = odd_image_files(sample_image("astronaut"))
    assert len(files) == 10
    outcomes = {name: ui04.describe_upload(data) for name, data in files.items()}
    assert outcomes["notes.txt"][1] is None and outcomes["notes.txt"][0].startswith("<b>Refused")
    about, loaded = outcomes["rgba.png"]
    assert loaded is not None and loaded.pixels.shape == (64, 64, 3) and "64x64" in about
    rt, line = ui04._describe_roundtrip(loaded.pixels, 50)
    assert line == f" Quality 50: {rt.n_bytes:,} bytes, {rt.bpp:.2f} bpp."


def test_upload_widget_shows_the_upload_as_jpeg() -> None:
    import datetime

    from lossylab.data import sample_image

    box = ui04.upload_widget(quality=40)
    upload, inner = box.children
    (slider,) = list(inner.children[0].children)
    message, view = inner.children[1].children
    assert "Upload an image" in message.value
    data = odd_image_files(sample_image("astronaut"))["grey.png"]
    upload.value = ({"name": "grey.png", "type": "image/png", "size": len(data),
                     "content": memoryview(data),
                     "last_modified": datetime.datetime(2026, 1, 1)},)
    assert bytes(view.value)[:2] == b"\xff\xd8" and "Quality 40" in message.value
    slider.value = 90
    assert "Quality 90" in message.value
