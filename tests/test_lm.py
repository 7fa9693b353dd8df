"""Tests of the CharLM base class, with two toy models defined here (uniform and bigram)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from lossylab import lm


class UniformLM(lm.CharLM):
    """Every symbol (escape included) equally likely; the state counts characters read."""

    def __init__(self, vocab: str = "abc") -> None:
        self.name = "uniform"
        self.vocab = vocab
        self.n_params = 0

    def initial_state(self, batch: int = 1) -> np.ndarray:
        return np.zeros(batch, dtype=np.int64)

    def advance(self, state: np.ndarray, symbols: np.ndarray) -> np.ndarray:
        return state + 1

    def probs(self, state: np.ndarray) -> np.ndarray:
        return np.full((len(state), self.n_symbols), 1.0 / self.n_symbols)


class BigramLM(lm.CharLM):
    """p(next | previous symbol) from a fixed random table; state = previous symbol."""

    def __init__(self, vocab: str = "\n ab", seed: int = 1) -> None:
        self.name = "bigram"
        self.vocab = vocab
        rng = np.random.default_rng(seed)
        # (n_symbols + 1, n_symbols): one extra row for "start of block"
        table = rng.random((len(vocab) + 2, len(vocab) + 1)) + 0.05
        self.table = table / table.sum(axis=1, keepdims=True)
        self.n_params = self.table.size

    def initial_state(self, batch: int = 1) -> np.ndarray:
        return np.full(batch, self.n_symbols, dtype=np.int64)  # the "start" row

    def advance(self, state: np.ndarray, symbols: np.ndarray) -> np.ndarray:
        return np.asarray(symbols, dtype=np.int64).copy()

    def probs(self, state: np.ndarray) -> np.ndarray:
        return self.table[state]

    def reference_bits(self, text: str, block_chars: int) -> np.ndarray:
        """Code lengths by a plain loop over characters (the oracle)."""
        bits = []
        for i, ch in enumerate(text):
            prev = self.n_symbols if i % block_chars == 0 else self._symbol(text[i - 1])
            sym = self._symbol(ch)
            extra = 0 if sym < len(self.vocab) else 8 * len(ch.encode("utf-8", "surrogatepass"))
            bits.append(-math.log2(self.table[prev, sym]) + extra)
        return np.array(bits)

    def _symbol(self, ch: str) -> int:
        return self.vocab.index(ch) if ch in self.vocab else len(self.vocab)


def test_symbols_map_unseen_characters_to_escape() -> None:
    model = UniformLM("abc")
    assert model.escape == 3 and model.n_symbols == 4
    assert model.symbols("abzc€\ud800").tolist() == [0, 1, 3, 2, 3, 3]
    assert model.symbols("").dtype == np.int64


def test_symbols_rejects_bytes() -> None:
    with pytest.raises(TypeError, match="text must be a str"):
        UniformLM().symbols(b"abc")


def test_symbols_rejects_unsorted_vocab() -> None:
    with pytest.raises(ValueError, match="vocab must be sorted"):
        UniformLM("ba").symbols("ab")


@pytest.mark.parametrize("text", ["a", "abcabc", "a" * 5 + "é😀z", "\ud800"])
def test_uniform_code_lengths_are_log2_n_symbols_plus_escape_bytes(text: str) -> None:
    model = UniformLM("abc")
    bits = model.code_lengths(text)
    extra = [0 if ch in "abc" else 8 * len(ch.encode("utf-8", "surrogatepass")) for ch in text]
    np.testing.assert_allclose(bits, 2.0 + np.array(extra))


@pytest.mark.parametrize("n_chars", [1, 7, lm.BLOCK_CHARS, lm.BLOCK_CHARS + 3, 2 * lm.BLOCK_CHARS])
def test_bigram_code_lengths_match_a_character_loop(n_chars: int) -> None:
    model = BigramLM()
    rng = np.random.default_rng(n_chars)
    text = "".join(rng.choice(list("ab \nQ"), size=n_chars))  # Q is unseen
    np.testing.assert_allclose(
        model.code_lengths(text), model.reference_bits(text, lm.BLOCK_CHARS), rtol=1e-12
    )


def test_blocks_reset_the_context() -> None:
    model = BigramLM()
    text = "ab" * lm.BLOCK_CHARS
    bits = model.code_lengths(text)
    start = -math.log2(model.table[model.n_symbols, 2])  # "a" from the start row
    assert bits[lm.BLOCK_CHARS] == pytest.approx(start)
    assert bits[2] == pytest.approx(-math.log2(model.table[3, 2]))  # "a" after "b"


def test_bits_per_char_is_mean_code_length_and_rejects_empty() -> None:
    model = BigramLM()
    assert model.bits_per_char("ab a\n") == pytest.approx(model.code_lengths("ab a\n").mean())
    with pytest.raises(ValueError, match="text is empty"):
        model.bits_per_char("")


def test_next_probs_follows_the_context() -> None:
    model = BigramLM()
    np.testing.assert_array_equal(model.next_probs(""), model.table[model.n_symbols])
    np.testing.assert_array_equal(model.next_probs("ab"), model.table[3])
    np.testing.assert_array_equal(model.next_probs("aZ"), model.table[model.escape])


def test_block_stepper_layout_and_padding() -> None:
    seen: list[np.ndarray] = []

    class Recorder(UniformLM):
        def advance(self, state: np.ndarray, symbols: np.ndarray) -> np.ndarray:
            seen.append(symbols.copy())
            return state + 1

    stepper = lm.BlockStepper(Recorder("ab"), 5, block_chars=2)
    assert (stepper.n_blocks, stepper.n_steps) == (3, 2)
    assert stepper.block_lengths.tolist() == [2, 2, 1]
    grid = stepper.to_blocks(np.arange(1, 6))
    assert grid.tolist() == [[1, 2], [3, 4], [5, 0]]
    np.testing.assert_array_equal(stepper.from_blocks(grid), np.arange(1, 6))
    for _ in range(stepper.n_steps):
        assert stepper.probs().shape == (3, 3)
        stepper.advance(np.array([1, 1, 1]))
    assert [s.tolist() for s in seen] == [[1, 1, 1], [1, 1, 0]]  # finished block padded with 0


def test_block_stepper_empty_text() -> None:
    stepper = lm.BlockStepper(UniformLM(), 0)
    assert (stepper.n_blocks, stepper.n_steps) == (0, 0)
    assert UniformLM().code_lengths("").shape == (0,)


def test_sample_is_seeded_in_vocab_and_never_escapes() -> None:
    model = BigramLM()
    a = model.sample(300, seed=3)
    assert a == model.sample(300, seed=3)
    assert a != model.sample(300, seed=4)
    assert len(a) == 300 and set(a) <= set(model.vocab)
    assert model.sample(0) == ""


def test_sample_frequencies_follow_the_model() -> None:
    model = UniformLM("ab")  # escape dropped: a and b each 1/2
    text = model.sample(4000, seed=0)
    assert abs(text.count("a") / 4000 - 0.5) < 0.03


def test_low_temperature_is_greedy() -> None:
    model = BigramLM()
    text = model.sample(50, temperature=1e-3, seed=0)
    state = model.initial_state(1)
    for ch in text:
        best = int(np.argmax(model.probs(state)[0, : model.escape]))
        assert ch == model.vocab[best]
        state = model.advance(state, np.array([best]))


@pytest.mark.parametrize("temperature", [0, -1.0, float("nan"), float("inf")])
def test_sample_rejects_bad_temperature(temperature: float) -> None:
    with pytest.raises(ValueError, match="temperature must be a finite number > 0"):
        UniformLM().sample(5, temperature=temperature)


def test_sample_rejects_bad_length() -> None:
    with pytest.raises(ValueError, match="n_chars must be an int >= 0"):
        UniformLM().sample(-1)


def test_tempered_sharpens_and_flattens() -> None:
    p = np.array([0.7, 0.2, 0.1])
    assert lm._tempered(p, 0.5)[0] > 0.7 > lm._tempered(p, 2.0)[0]
    np.testing.assert_allclose(lm._tempered(p, 1.0), p)
    np.testing.assert_allclose(lm._tempered(p, 1e6), np.full(3, 1 / 3), atol=1e-5)


def test_escaped_characters_cost_their_utf8_bytes() -> None:
    text = "aé€😀\n\x7f\x80\u07ff\u0800\uffff\U00010000\ud800"
    bits = UniformLM("").code_lengths(text)  # empty vocab: every character is escaped
    assert (bits / 8).tolist() == [len(ch.encode("utf-8", "surrogatepass")) for ch in text]


def test_check_text_is_the_one_text_check() -> None:
    assert lm.check_text("") == "" and lm.check_text("ab", allow_empty=False) == "ab"
    with pytest.raises(TypeError, match=r"prompt must be a str, got bytes; decode bytes first"):
        lm.check_text(b"ab", name="prompt")
    with pytest.raises(ValueError, match="text is empty; give at least one character"):
        lm.check_text("", allow_empty=False)


def test_symbol_ids_match_a_dict_lookup(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(0)
    vocab = "".join(sorted(set("abc xyz€")))
    text = "".join(rng.choice(list("abc xyz€😀\x00\ud800Q"), size=3000))
    expected = [vocab.index(ch) if ch in vocab else len(vocab) for ch in text]
    assert lm.symbol_ids(text, vocab).tolist() == expected
    small = lm.symbol_ids(text, vocab, dtype=np.int8)
    assert small.dtype == np.int8 and small.tolist() == expected
    assert lm.symbol_ids("abc", "").tolist() == [0, 0, 0]
    monkeypatch.setattr(lm, "_CHUNK", 7)  # many chunks give the same result
    assert lm.symbol_ids(text, vocab).tolist() == expected


def test_sample_streams_are_independent_and_seeded() -> None:
    model = BigramLM()
    streams = model.sample_streams(4, 100, seed=2)
    assert len(streams) == 4 and all(len(s) == 100 for s in streams)
    assert len(set(streams)) == 4
    assert streams == model.sample_streams(4, 100, seed=2)
    assert model.sample_streams(1, 100, seed=2) == [model.sample(100, seed=2)]


def test_sample_streams_read_the_prompt_first() -> None:
    model = BigramLM()
    first = [s[0] for s in model.sample_streams(4000, 1, seed=0, prompt="b")]
    freq = np.array([first.count(ch) for ch in model.vocab]) / 4000
    expected = model.table[3, : model.escape] / model.table[3, : model.escape].sum()
    np.testing.assert_allclose(freq, expected, atol=0.03)


def test_sample_streams_rejects_zero_streams() -> None:
    with pytest.raises(ValueError, match="n_streams must be an int >= 1"):
        UniformLM().sample_streams(0, 5)


def test_sequence_log2_probs_sum_to_one_over_all_texts_of_a_length() -> None:
    model = BigramLM()
    texts = [a + b for a in model.vocab for b in model.vocab]
    for temperature in (0.5, 1.0, 2.0):
        log2_p = model.sequence_log2_probs(texts, prompt="a", temperature=temperature)
        assert np.sum(2.0**log2_p) == pytest.approx(1.0, abs=1e-12)


def test_sequence_log2_probs_match_a_manual_product() -> None:
    model = BigramLM()
    q = model.table[:, : model.escape] / model.table[:, : model.escape].sum(axis=1, keepdims=True)
    expected = np.log2(q[model.n_symbols, 2] * q[2, 3] * q[3, 0])  # "ab\n" from the start
    got = model.sequence_log2_probs(["ab\n", "a", "", "aQ"])
    np.testing.assert_allclose(got[:3], [expected, np.log2(q[model.n_symbols, 2]), 0.0])
    assert got[3] == -np.inf  # unseen characters are never sampled


def test_sequence_log2_probs_agree_with_sampling_frequencies() -> None:
    model = BigramLM()
    drawn = model.sample_streams(20_000, 2, seed=5, temperature=0.7, prompt="b")
    texts = sorted(set(drawn))
    p = 2.0 ** model.sequence_log2_probs(texts, prompt="b", temperature=0.7)
    freq = np.array([drawn.count(t) for t in texts]) / len(drawn)
    np.testing.assert_allclose(freq, p, atol=0.015)


def test_per_stream_temperatures() -> None:
    model = BigramLM()
    mixed = model.sample_streams(2, 50, temperature=[1e-3, 1.0], seed=1)
    assert mixed[0] == model.sample_streams(2, 50, temperature=1e-3, seed=1)[0]
    assert mixed[1] == model.sample_streams(2, 50, temperature=1.0, seed=1)[1]
    with pytest.raises(ValueError, match="one per stream"):
        model.sample_streams(3, 5, temperature=[1.0, 2.0])


def test_sample_scored_log2_probs_match_sequence_log2_probs() -> None:
    model = BigramLM()
    scored = model.sample_scored(5, 12, temperature=0.8, seed=4, prompt="a")
    assert scored.texts == model.sample_streams(5, 12, temperature=0.8, seed=4, prompt="a")
    np.testing.assert_allclose(scored.log2_probs.sum(axis=1),
                               model.sequence_log2_probs(scored.texts, prompt="a",
                                                         temperature=0.8), rtol=1e-12)
