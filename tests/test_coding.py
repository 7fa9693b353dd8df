"""Tests of lossylab.coding and lossylab.arithmetic_coder: exact round trips, sizes close to
-log2 p, clear errors."""

from __future__ import annotations

import bz2
import zlib

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lossylab.arithmetic_coder import ArithmeticDecoder, ArithmeticEncoder
from lossylab.coding import (
    CODERS,
    compress,
    decompress,
    interval_narrowing,
    read_header,
)
from lossylab.coding import _model_fingerprint as model_fingerprint
from lossylab.coding import _quantize_probs as quantize_probs
from lossylab.lm import BLOCK_CHARS, CharLM
from lossylab.neural import GRULM, init_params
from lossylab.ngram import NGramLM

VOCAB = "".join(sorted(set(" \n!',.:;?ETaehilmnorstuw")))


class MarkovLM(CharLM):
    """Test model: a random first-order Markov chain (state = last symbol), float64."""

    def __init__(self, vocab: str = VOCAB, *, seed: int = 0, name: str = "markov") -> None:
        self.vocab, self.name = vocab, name
        n = len(vocab) + 1
        table = np.random.default_rng(seed).dirichlet(np.full(n, 0.3), size=n + 1)
        self.table = (table + 1e-4) / (table + 1e-4).sum(axis=1, keepdims=True)
        self.n_params = self.table.size

    def initial_state(self, batch: int = 1) -> np.ndarray:
        return np.full(batch, len(self.vocab) + 1, dtype=np.int64)

    def advance(self, state: np.ndarray, symbols: np.ndarray) -> np.ndarray:
        return np.asarray(symbols, dtype=np.int64).copy()

    def probs(self, state: np.ndarray) -> np.ndarray:
        return self.table[state]


MODELS = {
    "markov": MarkovLM(),
    "ngram": NGramLM(3).fit("To be, or not to be: that is the question.\n"
                            "Whether 'tis nobler in the mind\n" * 3),
    "neural": GRULM(VOCAB, init_params(len(VOCAB) + 1, 8, seed=1), name="gru-test"),
}
MODEL_PARAMS = list(MODELS)

# Texts mixing the vocab with characters no model knows: emoji, NUL, accents, CJK.
ALPHABET = st.sampled_from(list(VOCAB) * 4 + ["😀", "\x00", "é", "字", "\U0010ffff", "A"])
TEXTS = st.text(alphabet=ALPHABET, max_size=60) | st.text(max_size=20)
FAST = settings(max_examples=40, deadline=None,
                suppress_health_check=[HealthCheck.too_slow])


# --- quantize_probs -------------------------------------------------------------------


@FAST
@given(st.lists(st.floats(0, 1), min_size=1, max_size=80).filter(lambda p: sum(p) > 0),
       st.integers(8, 30))
def test_quantize_probs_positive_fixed_total_close(p: list[float], precision_bits: int) -> None:
    freqs = quantize_probs(np.array(p), precision_bits=precision_bits)
    total = 1 << precision_bits
    assert freqs.sum() == total and freqs.min() >= 1
    share = np.array(p) / sum(p) * (total - len(p))
    assert np.all(np.abs(freqs - 1 - share) <= 1)  # within one count of the exact share


def test_quantize_probs_gives_every_symbol_one_count_then_shares() -> None:
    assert quantize_probs(np.array([0.5, 0.3, 0.2, 0.0]), precision_bits=4).tolist() == [7, 5, 3, 1]


def test_quantize_probs_batched_rows_match_single_rows() -> None:
    p = np.random.default_rng(0).dirichlet(np.ones(30), size=5)
    batched = quantize_probs(p)
    assert all(np.array_equal(batched[i], quantize_probs(p[i])) for i in range(5))


@pytest.mark.parametrize(("p", "match"), [
    (np.array([0.5, -0.1]), "non-negative"),
    (np.array([0.0, 0.0]), "summing to > 0"),
    (np.array([np.nan, 1.0]), "finite"),
    (np.ones(20), "symbols"),
])
def test_quantize_probs_rejects_bad_input(p: np.ndarray, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        quantize_probs(p, precision_bits=4)


def test_quantize_probs_rejects_bad_precision() -> None:
    with pytest.raises(ValueError, match="precision_bits must be an int from 1 to 30"):
        quantize_probs(np.ones(3), precision_bits=31)


# --- the hand-written arithmetic coder ----------------------------------------------------


@FAST
@given(st.integers(2, 40), st.integers(0, 300), st.integers(0, 2**32 - 1),
       st.sampled_from([8, 16, 24, 30]))
def test_arithmetic_coder_round_trip_near_ideal(n_symbols: int, n_coded: int, seed: int,
                                                precision_bits: int) -> None:
    rng = np.random.default_rng(seed)
    p = rng.dirichlet(np.full(n_symbols, 0.5), size=n_coded)  # one distribution per symbol
    freqs = quantize_probs(p, precision_bits=precision_bits) if n_coded else np.zeros((0, 1))
    cumulative = np.concatenate([np.zeros((n_coded, 1), np.int64), np.cumsum(freqs, 1)], 1)
    symbols = [int(rng.choice(n_symbols, p=row / row.sum())) for row in freqs]
    encoder = ArithmeticEncoder()
    for row, s in zip(cumulative, symbols, strict=True):
        encoder.encode(int(row[s]), int(row[s + 1]), int(row[-1]))
    data = encoder.finish()
    decoder = ArithmeticDecoder(data)
    assert [decoder.decode(row) for row in cumulative] == symbols
    ideal_bits = sum(-np.log2(freqs[i, s] / freqs[i].sum()) for i, s in enumerate(symbols))
    assert 8 * len(data) <= ideal_bits + 2 + 8  # two final bits, at most 7 bits of padding


def test_interval_narrowing_matches_model_and_code() -> None:
    model = MarkovLM()
    narrowing = interval_narrowing("to see", model)
    assert [step.char for step in narrowing.steps] == list("to see")
    assert narrowing.ideal_bits == pytest.approx(model.code_lengths("to see").sum(), abs=1e-3)
    code_value = int(narrowing.code, 2) / 2 ** len(narrowing.code)
    assert narrowing.low <= code_value < narrowing.high
    assert len(narrowing.code) <= narrowing.ideal_bits + 2  # shortest dyadic interval inside
    widths = [s.slice_high - s.slice_low for s in narrowing.steps]
    assert narrowing.high - narrowing.low == pytest.approx(np.prod(widths), rel=1e-9)


def test_interval_narrowing_rejects_long_text() -> None:
    with pytest.raises(ValueError, match="1 to 64 characters"):
        interval_narrowing("x" * 65, MarkovLM())


# --- compress / decompress: exact round trips --------------------------------------------


@pytest.mark.parametrize("key", MODEL_PARAMS)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=TEXTS)
def test_round_trip_any_text(key: str, text: str) -> None:
    model = MODELS[key]
    assert decompress(compress(text, model), model) == text


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=TEXTS)
def test_round_trip_hand_written_coder(text: str) -> None:
    model = MODELS["markov"]
    assert decompress(compress(text, model, coder="arithmetic"), model) == text


@pytest.mark.parametrize("text", ["", "\x00", "😀", "\ud800 lone surrogate", "é" * 3])
@pytest.mark.parametrize("coder", CODERS)
def test_round_trip_edge_cases(text: str, coder: str) -> None:
    model = MarkovLM()
    assert decompress(compress(text, model, coder=coder), model) == text


def _long_text(n_chars: int, seed: int = 0) -> str:
    """A long text sampled from the test model, with a few unseen characters sprinkled in."""
    chars = list(MarkovLM().sample(n_chars, seed=seed))
    for i in range(0, n_chars, 997):
        chars[i] = "😀"
    return "".join(chars)


def test_long_text_round_trip_and_size_near_ideal() -> None:
    text = _long_text(2 * BLOCK_CHARS + 123)  # three blocks, the last one short
    model = MarkovLM()
    data = compress(text, model)
    assert decompress(data, model) == text
    ideal_bits = model.code_lengths(text).sum()
    # the range coder's payload is within 0.1% plus a few bytes of sum(-log2 p)
    assert abs(8 * read_header(data).payload_bytes - ideal_bits) <= 0.001 * ideal_bits + 64


@pytest.mark.parametrize("key", MODEL_PARAMS)
def test_payload_matches_code_lengths_for_every_model_kind(key: str) -> None:
    model = MODELS[key]
    text = ("To be, or not to be: that is the question. 😀\n" * 40)[:1500]
    data = compress(text, model)
    ideal_bits = model.code_lengths(text).sum()
    assert abs(8 * read_header(data).payload_bytes - ideal_bits) <= 0.001 * ideal_bits + 64


def test_hand_written_and_range_coder_sizes_agree() -> None:
    text = _long_text(3000, seed=1)
    model = MarkovLM()
    fast, slow = (compress(text, model, coder=coder) for coder in CODERS)
    assert decompress(slow, model) == text
    ideal_bits = model.code_lengths(text).sum()
    for data in (fast, slow):
        payload_bits = 8 * read_header(data).payload_bytes
        assert abs(payload_bits - ideal_bits) <= 0.001 * ideal_bits + 64
    assert abs(len(fast) - len(slow)) <= 8


# --- damaged, foreign or mismatched data -------------------------------------------------

GOOD_TEXT = "To be, or not to be: that is the question. 😀\n" * 5


@pytest.fixture(scope="module")
def good_data() -> bytes:
    return compress(GOOD_TEXT, MarkovLM())


@pytest.mark.parametrize("keep", [0, 3, 10, 30, -5, -1])
def test_truncated_data_raises(good_data: bytes, keep: int) -> None:
    with pytest.raises(ValueError, match="truncated|does not start"):
        decompress(good_data[:keep], MarkovLM())


def test_extra_bytes_raise(good_data: bytes) -> None:
    with pytest.raises(ValueError, match="extra bytes appended"):
        decompress(good_data + b"\x00", MarkovLM())


@settings(max_examples=60, deadline=None)
@given(position=st.integers(0, 10_000), flip=st.integers(1, 255))
def test_any_flipped_byte_raises(good_data: bytes, position: int, flip: int) -> None:
    damaged = bytearray(good_data)
    damaged[position % len(damaged)] ^= flip
    with pytest.raises(ValueError, match="damaged|does not start|unsupported|truncated"):
        decompress(bytes(damaged), MarkovLM())


@pytest.mark.parametrize("foreign", [
    b"", b"LLAB", zlib.compress(GOOD_TEXT.encode()), bz2.compress(GOOD_TEXT.encode()),
    bytes(np.random.default_rng(0).integers(0, 256, 200, dtype=np.uint8)),
])
def test_foreign_bytes_raise(foreign: bytes) -> None:
    with pytest.raises(ValueError, match="does not start with|truncated"):
        decompress(foreign, MarkovLM())


def test_wrong_model_name_raises(good_data: bytes) -> None:
    with pytest.raises(ValueError, match="compressed with model 'markov' but you passed 'other'"):
        decompress(good_data, MarkovLM(name="other"))


def test_same_name_other_weights_raises(good_data: bytes) -> None:
    with pytest.raises(ValueError, match="fingerprint mismatch"):
        decompress(good_data, MarkovLM(seed=1))
    assert model_fingerprint(MarkovLM()) != model_fingerprint(MarkovLM(seed=1))


def test_gru_with_other_recurrent_weights_is_another_model_not_damage() -> None:
    params = init_params(len(VOCAB) + 1, 8, seed=1)
    model = GRULM(VOCAB, params, name="gru-test")
    data = compress(GOOD_TEXT, model)
    scaled = GRULM(VOCAB, {**params, "W_h": params["W_h"] * 1.05}, name="gru-test")
    with pytest.raises(ValueError, match="compressed with a model named 'gru-test' whose weights"
                                         ".*differ from the 'gru-test' you passed"):
        decompress(data, scaled)
    for key in params:  # every weight is in the fingerprint, not only the output layer
        changed = GRULM(VOCAB, {**params, key: params[key] + 0.01}, name="gru-test")
        assert model_fingerprint(changed) != model_fingerprint(model), key
    assert decompress(data, GRULM(VOCAB, params, name="gru-test")) == GOOD_TEXT
    with pytest.raises(ValueError, match="compressed with model 'gru-test' but you passed 'gru-8'"):
        decompress(data, GRULM(VOCAB, params))


def test_damaged_payload_says_damaged(good_data: bytes) -> None:
    damaged = bytearray(good_data)
    damaged[-3] ^= 0x10
    with pytest.raises(ValueError, match="the payload is damaged"):
        decompress(bytes(damaged), MarkovLM())


@pytest.mark.parametrize(("version", "message"), [(3, "the data is from a newer lossylab"),
                                                  (1, "compress the text again")])
def test_other_format_versions_say_so(good_data: bytes, version: int, message: str) -> None:
    other = bytearray(good_data)
    other[4] = version
    with pytest.raises(ValueError, match=f"unsupported format version {version}: this lossylab "
                                         f"reads version 2; {message}"):
        decompress(bytes(other), MarkovLM())


def test_bad_arguments_raise() -> None:
    with pytest.raises(TypeError, match="text must be a str, got bytes; decode bytes first"):
        compress(b"bytes", MarkovLM())  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="model must be a lossylab.lm.CharLM"):
        compress("text", "ngram-3")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="coder must be one of"):
        compress("text", MarkovLM(), coder="huffman")
    with pytest.raises(TypeError, match="data must be bytes"):
        decompress("text", MarkovLM())  # type: ignore[arg-type]
