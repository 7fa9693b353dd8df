"""Tests of notebook 06's figures and widgets (lossylab.ui.nb06), with the Agg backend."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
from matplotlib.axes import Axes

from lossylab import coding
from lossylab.course import nb06 as course06
from lossylab.ngram import NGramLM
from lossylab.ui import nb06 as ui06
from lossylab.ui import style


def _ax(figsize: tuple[float, float] = (4, 3)) -> Axes:
    _, ax = style.new_figure(figsize=figsize)
    return ax


def _labelled(ax: Axes) -> None:
    assert ax.get_xlabel() and ax.get_ylabel(), "both axes need a label"


def _controls(box: object) -> list:
    return list(box.children[0].children)  # type: ignore[attr-defined]


def _views(box: object) -> list:
    return list(box.children[1].children)  # type: ignore[attr-defined]


# --- figures ----------------------------------------------------------------------------


def test_draw_narrowing_shows_one_row_per_character() -> None:
    model = NGramLM(1).fit("abracadabra")
    narrowing = coding.interval_narrowing("abra", model)
    drawn = ui06.draw_narrowing(narrowing, ax=_ax())
    assert len(drawn.ax.patches) == 4 and drawn.artists == {}
    assert [t.get_text().split(":")[0] for t in drawn.ax.texts] == ["'a'", "'b'", "'r'", "'a'"]
    assert drawn.ax.get_xlabel() and drawn.ax.get_ylim() == (3.5, -0.5)


def test_draw_model_ladder_draws_families_and_standard_compressors() -> None:
    families = {"ngram": ([0, 10, 100], [4.0, 3.0, 2.5]), "gru": ([50, 500], [3.2, 2.4])}
    drawn = ui06.draw_model_ladder(families, given_train={"gzip": 3.1, "xz": 2.5},
                                   points={"mix": (600, 1.9)}, ax=_ax())
    _labelled(drawn.ax)
    assert len(drawn.ax.lines) == 2 + 2 + 1
    assert list(drawn.ax.lines[0].get_xdata()) == [1, 10, 100], "0 parameters drawn at 1 (log)"
    labels = [t.get_text() for t in drawn.ax.texts]
    assert labels == ["xz given train 2.50", "gzip given train 3.10", "mix 1.90"]  # direct labels
    with pytest.raises(ValueError, match="one rate per model size"):
        ui06.draw_model_ladder({"a": ([1, 2], [3.0])}, given_train={}, ax=_ax())


def test_model_ladder_labels_sit_on_their_lines_in_no_role_colour() -> None:
    families = {"ngram": ([10, 1e6], [4.8, 2.2]), "gru": ([1e3, 3e5], [3.5, 2.2])}
    given = {"gzip": 3.10, "bz2": 2.40, "xz": 2.52, "ppmd": 2.03}  # bz2 and xz close together
    ax = ui06.draw_model_ladder(families, given_train=given, ax=_ax()).ax
    texts = {t.get_text().split()[0]: t for t in ax.texts}
    for name, rate in given.items():
        assert texts[name].xy[1] == rate and texts[name].get_va() == "center"  # on its line
    assert texts["xz"].xy[0] > texts["bz2"].xy[0] + 0.2, "close lines: labels side by side"
    assert texts["gzip"].xy[0] == texts["ppmd"].xy[0] == 0.01
    roles = {style.COLORS[k] for k in ("true", "model", "collapse", "hallucination",
                                       "generalization")}
    assert not {line.get_color() for line in ax.lines[:2]} & roles


def test_draw_adjusted_rates_moves_curves_and_ring() -> None:
    families = {"ngram": ([1e3, 1e5], [5.0, 9.0]), "gru": ([1e4, 1e6], [4.0, 20.0])}
    drawn = ui06.draw_adjusted_rates(families, reference_bits_per_char=3.0, ax=_ax())
    _labelled(drawn.ax)
    assert set(drawn.artists) == {"line0", "line1", "marker"}
    assert len(drawn.artists["marker"].get_xdata()) == 0
    ui06._update_adjusted_rates(drawn, [[2.5, 2.6], [2.7, 3.5]], marker=(1e4, 2.7))
    np.testing.assert_allclose(drawn.artists["line1"].get_ydata(), [2.7, 3.5])
    assert drawn.artists["marker"].get_data() == ([1e4], [2.7])


def test_draw_quantization_rings_one_setting() -> None:
    drawn = ui06.draw_quantization([2, 4, 8], {"per tensor": [9.0, 2.4, 2.0],
                                               "per row": [5.0, 2.2, 2.0]},
                                   float_rate=2.0, ax=_ax())
    _labelled(drawn.ax)
    assert drawn.ax.get_ylim()[0] == 0 and len(drawn.ax.lines) == 4
    ui06._update_quantization(drawn, bits=4, rate=2.4)
    assert drawn.artists["marker"].get_data() == ([4], [2.4])
    with pytest.raises(ValueError, match="one rate per model size"):
        ui06.draw_quantization([2, 4], {"per row": [1.0]}, float_rate=2.0, ax=_ax())


# --- widgets ----------------------------------------------------------------------------


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


def test_text_rates_format_the_course_numbers_and_text_widget_shows_them() -> None:
    model = NGramLM(1).fit("to be or not to be")
    rates = course06.text_bits_per_char("to be", [model])
    assert ui06.text_rates("to be", [model]) == {name: f"{r:.3f}" for name, r in rates.items()}
    assert list(rates) == [model.name, "gzip"]
    box = ui06.text_widget([model], text="to be")
    (text,) = _controls(box)
    (view,) = _views(box)
    assert "gzip" in view.value
    text.value = ""
    assert view.value == "type some text"
