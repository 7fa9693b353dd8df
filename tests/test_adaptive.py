"""Tests of lossylab.adaptive: exact round trips, learning that pays, portable integer steps,
foreign files refused."""

from __future__ import annotations

import numpy as np
import pytest

from lossylab import data, neural
from lossylab.adaptive import AdaptiveMix, _log2_q, default_mix
from lossylab.coding import compress, decompress, read_header
from lossylab.ngram import NGramLM

TEXT = "to be or not to be, that is the question: whether 'tis nobler in the mind\n" * 8


@pytest.fixture(scope="module")
def static() -> NGramLM:
    return NGramLM(2).fit(TEXT + "XYZ")


@pytest.mark.parametrize("text", ["", "t", TEXT, TEXT[:300] + "\N{GRINNING FACE}\0é" + TEXT[:50]])
@pytest.mark.parametrize("orders", [(0,), (1, 3), (2, 3, 4, 5, 6, 7)])
def test_round_trip_is_exact_with_and_without_static_models(static, text, orders):
    for models in ([], [static]):
        mix = AdaptiveMix(models, orders=orders, vocab=static.vocab)
        assert decompress(compress(text, mix), mix) == text


def test_payload_is_the_code_length_within_a_few_bytes(static):
    mix = AdaptiveMix([static])
    ideal = mix.code_lengths(TEXT).sum()
    header = read_header(compress(TEXT, mix))
    assert 0 <= 8 * header.payload_bytes - ideal < 64


def test_learning_while_coding_beats_the_static_model_on_repeated_text(static):
    # the text repeats 8 times: counts of what was coded predict the repeats
    static_bits = static.bits_per_char(TEXT)
    mixed_bits = AdaptiveMix([static]).bits_per_char(TEXT)
    assert mixed_bits < 0.5 * static_bits
    untrained = AdaptiveMix([], orders=(0, 1, 2, 3, 4), vocab=static.vocab)
    bits = untrained.code_lengths(TEXT).reshape(8, -1).sum(axis=1)  # per repeat of the line
    assert bits[-1] < 0.1 * bits[0]  # it learned the line from coding it


def test_same_bytes_every_time_and_a_fresh_state_per_pass(static):
    mix = AdaptiveMix([static])
    first = compress(TEXT, mix)
    assert compress(TEXT, mix) == first
    assert mix.bits_per_char(TEXT) == mix.bits_per_char(TEXT)


def test_another_setting_or_model_is_refused(static):
    blob = compress(TEXT, AdaptiveMix([static], orders=(1, 2)))
    with pytest.raises(ValueError, match="compressed with model"):
        decompress(blob, AdaptiveMix([static], orders=(1, 2, 3)))
    other = AdaptiveMix([static], orders=(1, 2), learning_rate=0.003)
    with pytest.raises(ValueError, match="fingerprint mismatch"):
        decompress(blob, other)
    damaged = bytearray(blob)
    damaged[-3] ^= 0x10
    with pytest.raises(ValueError, match="damaged"):
        decompress(bytes(damaged), AdaptiveMix([static], orders=(1, 2)))


def test_integer_log2_is_within_a_thousandth_of_a_bit():
    p = np.geomspace(1e-15, 1.0, 20_001)
    assert np.max(np.abs(_log2_q(p) / 1024 - np.log2(p))) < 1e-3


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"orders": (3, 2)}, "orders must be increasing"),
    ({"orders": (13,)}, "orders must be increasing"),
    ({"beta": 0.0}, "need beta > 0"),
    ({"learning_rate": 2.0}, "learning_rate"),
])
def test_bad_settings_are_clear_errors(static, kwargs, match):
    with pytest.raises(ValueError, match=match):
        AdaptiveMix([static], **kwargs)


def test_models_must_share_a_vocab(static):
    with pytest.raises(ValueError, match="share one vocab"):
        AdaptiveMix([static, NGramLM(1).fit("abc")])
    with pytest.raises(ValueError, match="share one vocab"):
        AdaptiveMix([])
    with pytest.raises(TypeError, match="CharLM"):
        AdaptiveMix(["gru-256"])  # type: ignore[list-item]


def test_the_default_mixture_beats_both_of_its_static_models_on_held_out_text():
    mix = default_mix()
    text = data.shakespeare_split().test[:3000]
    mixed = mix.bits_per_char(text)
    assert mixed < min(m.bits_per_char(text) for m in mix.models)
    assert [m.name for m in mix.models] == ["gru-256", "ngram-6"]
    assert isinstance(mix.models[0], neural.GRULM)


def test_without_counts_the_weights_alone_mix_the_static_models(static):
    # orders=() mixes only the static models; a vanishing learning rate keeps the weights fixed
    learned = AdaptiveMix([static, NGramLM(1).fit(TEXT + "XYZ")], orders=())
    assert decompress(compress(TEXT, learned), learned) == TEXT
    fixed = AdaptiveMix([static], orders=(), learning_rate=1e-9)
    np.testing.assert_allclose(fixed.code_lengths(TEXT), static.code_lengths(TEXT), atol=0.01)
