"""Tests for the live-figure helpers behind every slider."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from lossylab.course import nb06 as course06
from lossylab.ui import nb06 as ui06


def _decode(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


# --- the factories of notebooks 01, 02, 03 -------------------------------------------------


def _controls(box: object) -> list:
    return list(box.children[0].children)  # type: ignore[attr-defined]


def _views(box: object) -> list:
    return list(box.children[1].children)  # type: ignore[attr-defined]


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
