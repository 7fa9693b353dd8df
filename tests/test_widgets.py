"""Tests for the live-figure helpers behind every slider."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from lossylab.course import nb04 as course04
from lossylab.course import nb06 as course06
from lossylab.ui import nb03 as ui03
from lossylab.ui import nb04 as ui04
from lossylab.ui import nb06 as ui06


def _decode(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


# --- the factories of notebooks 01, 02, 03 -------------------------------------------------


def _controls(box: object) -> list:
    return list(box.children[0].children)  # type: ignore[attr-defined]


def _views(box: object) -> list:
    return list(box.children[1].children)  # type: ignore[attr-defined]


def test_block_picker_widget_follows_quality_and_block() -> None:
    from lossylab import jpeg

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


# --- the factories and views of notebook 04 ---------------------------------------------------


def test_error_png_colours_the_worst_error_at_half_size() -> None:

    original = np.zeros((6, 8, 3), np.uint8)
    decoded = original.copy()
    decoded[1, 2, 1] = 40  # saturates the colour map (vmax 32)
    png = Image.open(io.BytesIO(ui04.error_png(original, decoded)))
    assert png.mode == "P" and png.size == (4, 3)
    np.testing.assert_array_equal(np.asarray(png), course04.worst_error(original, decoded))
    top = _decode(ui04.error_png(original, decoded))[0, 1]
    bottom = _decode(ui04.error_png(original, decoded))[0, 0]
    assert tuple(top) != tuple(bottom)
    with pytest.raises(ValueError, match="vmax must be a positive"):
        ui04.error_png(original, decoded, vmax=0)
    with pytest.raises(ValueError, match="must be uint8 arrays"):
        ui04.error_png(original.astype(float), decoded.astype(float))


def test_roundtrip_rows_give_ratios_and_ask_for_ssim() -> None:
    from lossylab import images

    image = np.full((16, 16), 128, np.uint8)
    rt = images.roundtrip(image, 50)
    rows = ui04.roundtrip_rows(image, rt, psnr_db=40.0, png_n_bytes=2 * rt.n_bytes, ssim=None)
    assert rows["ratio vs PNG"] == "2.00" and rows["SSIM"] == "press the button"
    assert rows["ratio vs raw"] == f"{256 / rt.n_bytes:.1f}"
    assert ui04.roundtrip_rows(image, rt, psnr_db=40.0, png_n_bytes=1, ssim=0.5)["SSIM"] \
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

    files = course04.odd_image_files(sample_image("astronaut"))
    assert len(files) == 10
    outcomes = {name: ui04.describe_upload(data) for name, data in files.items()}
    assert outcomes["notes.txt"][1] is None and outcomes["notes.txt"][0].startswith("<b>Refused")
    about, loaded = outcomes["rgba.png"]
    assert loaded is not None and loaded.pixels.shape == (64, 64, 3) and "64x64" in about
    rt, line = ui04.describe_roundtrip(loaded.pixels, 50)
    assert line == f" Quality 50: {rt.n_bytes:,} bytes, {rt.bpp:.2f} bpp."
    with pytest.raises(ValueError, match="image must be RGB"):
        course04.odd_image_files(np.zeros((64, 64), np.uint8))


def test_upload_widget_shows_the_upload_as_jpeg() -> None:
    import datetime

    from lossylab.data import sample_image

    box = ui04.upload_widget(quality=40)
    upload, inner = box.children
    (slider,) = list(inner.children[0].children)
    message, view = inner.children[1].children
    assert "Upload an image" in message.value
    data = course04.odd_image_files(sample_image("astronaut"))["grey.png"]
    upload.value = ({"name": "grey.png", "type": "image/png", "size": len(data),
                     "content": memoryview(data),
                     "last_modified": datetime.datetime(2026, 1, 1)},)
    assert bytes(view.value)[:2] == b"\xff\xd8" and "Quality 40" in message.value
    slider.value = 90
    assert "Quality 90" in message.value


# --- the factories of notebook 06 -------------------------------------------------------------


def test_chars_text_says_never_when_the_model_is_worse() -> None:
    assert ui06.chars_text(1e6) == "1,000,000 chars"
    assert ui06.chars_text(float("inf"), reference="gzip") == "never (worse than gzip)"


def test_adjusted_rate_widget_charges_the_model_to_the_text() -> None:

    bits_per_char = {"a-1": 3.0, "a-2": 2.5, "b-1": 2.0}
    model_bits = {"a-1": 1e3, "a-2": 1e5, "b-1": 1e6}
    box = ui06.adjusted_rate_widget({"a": ["a-1", "a-2"], "b": ["b-1"]},
                                       bits_per_char=bits_per_char, model_bits=model_bits,
                                       reference_bits_per_char=2.9, name="b-1", n_chars=1e5)
    model, length = _controls(box)
    image, table = _views(box)
    expected = course06.adjusted_bits_per_char(2.0, 1e6, 1e5)
    assert f"{expected:.3f}" in table.value and "1,111,111 chars" in table.value
    before = bytes(image.value)
    length.value = 9.0
    assert bytes(image.value) != before and "1,000,000,000 chars" in table.value
    model.value = "a-1"  # 3.0 bits/char: worse than the reference
    assert "never (worse than xz)" in table.value
    with pytest.raises(ValueError, match="must cover every model"):
        ui06.adjusted_rate_widget({"a": ["a-1", "c"]}, bits_per_char=bits_per_char,
                                     model_bits=model_bits, reference_bits_per_char=2.9,
                                     name="a-1", n_chars=1e5)


def test_quantization_widget_reads_the_precomputed_sweep() -> None:
    sweep = {(b, pt): (10.0 / b + pt, 1e3 * b, f"<sample {b} {pt}>")
             for b in (2, 4, 8) for pt in (True, False)}
    box = ui06.quantization_widget(sweep, float_rate=1.5, bits=4)
    bits, scheme = _controls(box)
    image, table = _views(box)
    assert (bits.min, bits.max) == (2, 8) and "&lt;sample 4 True>" in table.value
    before = bytes(image.value)
    scheme.value = False
    bits.value = 8
    assert "&lt;sample 8 False>" in table.value and "1.250" in table.value
    assert bytes(image.value) != before
    with pytest.raises(ValueError, match="sweep must hold"):
        ui06.quantization_widget({(2, True): (1.0, 1.0, "")}, float_rate=1.0, bits=2)


def test_text_rates_and_text_widget() -> None:
    from lossylab.ngram import NGramLM

    model = NGramLM(1).fit("to be or not to be")
    rows = ui06.text_rates("to be", [model])
    assert rows == {model.name: f"{model.bits_per_char('to be'):.3f}",
                    "gzip": f"{course06.gzip_bits_per_char('to be'):.3f}"}
    box = ui06.text_widget([model], text="to be")
    (text,) = _controls(box)
    (view,) = _views(box)
    assert "gzip" in view.value
    text.value = ""
    assert view.value == "type some text"
