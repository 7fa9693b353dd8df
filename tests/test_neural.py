"""Tests of the numpy GRU language model: gradients, optimiser, storage, interface, ladder."""

from __future__ import annotations

import time

import numpy as np
import pytest

from lossylab import lm, neural
from lossylab.neural import GRULM, PARAM_NAMES, init_params
from lossylab.neural import _Adam as Adam
from lossylab.neural import _loss_and_grads as loss_and_grads

TEXT = "to be, or not to be: that is the question. " * 30


def _tiny_problem(seed: int = 0):
    """A float64 model with non-trivial weights, a chunk of data and a non-zero h0."""
    rng = np.random.default_rng(seed)
    params = init_params(5, 3, seed=seed, dtype=np.float64)
    for key in params:  # biases start at zero: perturb everything so every path is tested
        params[key] = params[key] + rng.normal(0.0, 0.3, params[key].shape)
    inputs = rng.integers(0, 5, size=(4, 2))  # (T, batch)
    targets = rng.integers(0, 5, size=(4, 2))
    h0 = rng.normal(0.0, 0.5, size=(2, 3))
    return params, inputs, targets, h0


@pytest.mark.parametrize("key", PARAM_NAMES)
def test_gradient_matches_finite_differences(key):
    params, inputs, targets, h0 = _tiny_problem()
    _, grads, _ = loss_and_grads(params, inputs, targets, h0)
    numeric = np.zeros_like(params[key])
    eps = 1e-6
    for index in np.ndindex(params[key].shape):
        original = params[key][index]
        params[key][index] = original + eps
        plus = loss_and_grads(params, inputs, targets, h0)[0]
        params[key][index] = original - eps
        minus = loss_and_grads(params, inputs, targets, h0)[0]
        params[key][index] = original
        numeric[index] = (plus - minus) / (2 * eps)
    assert grads[key].shape == params[key].shape
    assert np.abs(numeric).max() > 1e-4  # the check is not vacuous
    np.testing.assert_allclose(grads[key], numeric, rtol=1e-5, atol=1e-8)


def test_forward_matches_the_model_interface():
    # the float training forward pass and the integer advance/probs compute the same thing
    # (weights to 2**-14, state to 2**-15, tables every 2**-8 interpolated)
    params, inputs, targets, h0 = _tiny_problem(1)
    model = GRULM("abcd", {k: v.astype(np.float32) for k, v in params.items()})
    loss, _, h_last = loss_and_grads(params, inputs, targets, h0)
    state, nll = np.round(h0 * 2**15).astype(np.int64), []
    for t in range(len(inputs)):
        state = model.advance(state, inputs[t])
        nll.append(-np.log(model.probs(state)[np.arange(2), targets[t]]))
    assert state.dtype == np.int64
    np.testing.assert_allclose(np.mean(nll), loss, rtol=1e-3)
    np.testing.assert_allclose(state / 2**15, h_last, atol=1e-3)


def test_adam_first_step_moves_by_the_learning_rate_and_minimises_a_quadratic():
    params = {"w": np.array([3.0, -2.0, 0.5])}
    opt = Adam(params)
    opt.step(params, {"w": 2 * params["w"]}, learning_rate=0.1)
    np.testing.assert_allclose(params["w"], [2.9, -1.9, 0.4], atol=1e-6)
    for _ in range(2000):
        opt.step(params, {"w": 2 * params["w"]}, learning_rate=0.01)
    assert np.abs(params["w"]).max() < 1e-2


def test_save_load_round_trip_without_pickle(tmp_path):
    vocab = "\n !aé€😀"
    model = GRULM(vocab, init_params(len(vocab) + 1, 6, seed=3), name="round-trip")
    path = model.save(tmp_path / "m.npz", metadata={"note": "x"})
    with np.load(path, allow_pickle=False) as data:  # readable without pickle
        assert data["vocab"].dtype.kind == "i"
    loaded = GRULM.load(path)
    assert loaded.vocab == vocab and loaded.name == "round-trip"
    assert loaded.metadata["note"] == "x"
    for key in PARAM_NAMES:
        np.testing.assert_array_equal(loaded.params[key], model.params[key])
    np.testing.assert_array_equal(loaded.next_probs("aé😀!"), model.next_probs("aé😀!"))


def test_probs_are_valid_and_unseen_characters_are_escaped():
    model = GRULM("abc", init_params(4, 5, seed=0))
    p = model.probs(model.initial_state(3))
    assert p.shape == (3, 4) and p.dtype == np.float64
    np.testing.assert_allclose(p.sum(axis=1), 1.0)
    assert (p > 0).all()
    lengths = model.code_lengths("ab€c")
    assert np.isfinite(lengths).all() and lengths[2] > 24  # escape + 3 UTF-8 bytes


def test_batched_lockstep_agrees_with_one_stream():
    model = GRULM(" abc", init_params(5, 8, seed=2))
    rng = np.random.default_rng(0)
    streams = rng.integers(0, 5, size=(3, 20))  # three streams, escape included
    state = model.initial_state(3)
    batched = []
    for t in range(streams.shape[1]):
        batched.append(model.probs(state))
        state = model.advance(state, streams[:, t])
    for b in range(3):
        single = model.initial_state(1)
        for t in range(streams.shape[1]):
            np.testing.assert_array_equal(model.probs(single)[0], batched[t][b])  # bit-exact
            single = model.advance(single, streams[b : b + 1, t])


def test_advance_does_not_mutate_the_state():
    model = GRULM("ab", init_params(3, 4, seed=0))
    state = model.initial_state(2)
    before = state.copy()
    model.advance(state, np.array([0, 1]))
    np.testing.assert_array_equal(state, before)


def test_quantization_error_shrinks_with_bits():
    model = neural.train_small(TEXT, hidden_size=8, n_steps=30, seed=0)
    text = TEXT[:200]
    reference = model.bits_per_char(text)
    errors, gaps = [], []
    for bits in (2, 4, 8, 12, 16):
        q = model.quantized(bits)
        assert q.stored_bits < model.stored_bits and q.name.endswith(f"-q{bits}")
        errors.append(max(np.abs(q.params[k] - model.params[k]).max() for k in PARAM_NAMES))
        gaps.append(abs(q.bits_per_char(text) - reference))
    assert all(a > b for a, b in zip(errors, errors[1:], strict=False))
    assert gaps[-1] < 1e-3 < gaps[0]
    per_row = model.quantized(4, per_tensor=False)
    per_row_error = max(np.abs(per_row.params[k] - model.params[k]).max() for k in PARAM_NAMES)
    assert per_row_error <= errors[1] and per_row.stored_bits > model.quantized(4).stored_bits


@pytest.mark.parametrize("bits", [1, 17, 4.0])
def test_quantized_rejects_bad_bits(bits):
    model = GRULM("ab", init_params(3, 2))
    with pytest.raises(ValueError, match="bits_per_weight must be an int from 2 to 16"):
        model.quantized(bits)


def test_weights_are_a_read_only_copy():
    params = init_params(3, 2)
    model = GRULM("ab", params)
    params["W_h"][:] = 0.0  # the caller's arrays stay the caller's
    assert model.params["W_h"].any()
    with pytest.raises(ValueError, match="read-only"):
        model.params["W_h"][0, 0] = 1.0
    loaded = neural.load_pretrained("gru-4")
    with pytest.raises(ValueError, match="read-only"):
        loaded.params["W_x"][:] = 0.0
    np.testing.assert_array_equal(neural.load_pretrained("gru-4").params["W_x"],
                                  loaded.params["W_x"])


def test_training_text_must_be_a_str():
    with pytest.raises(TypeError, match="text must be a str, got bytes"):
        neural.train_gru(b"abc" * 100, hidden_size=4, n_steps=1, progress=False)


def test_stored_bits_of_a_float32_model():
    model = GRULM("ab", init_params(3, 2))
    assert model.stored_bits == 32 * model.n_params


def test_seeded_training_decreases_the_loss_and_is_deterministic():
    first = neural.train_gru(TEXT, hidden_size=8, n_steps=60, batch_size=4, seq_len=16,
                             learning_rate=1e-2, seed=5, progress=False)
    second = neural.train_gru(TEXT, hidden_size=8, n_steps=60, batch_size=4, seq_len=16,
                              learning_rate=1e-2, seed=5, progress=False)
    assert first.loss_bits[-10:].mean() < first.loss_bits[:10].mean() - 0.5
    np.testing.assert_array_equal(first.loss_bits, second.loss_bits)
    for key in PARAM_NAMES:
        np.testing.assert_array_equal(first.model.params[key], second.model.params[key])
    other = neural.train_gru(TEXT, hidden_size=8, n_steps=5, batch_size=4, seq_len=16, seed=6,
                             progress=False)
    assert not np.array_equal(other.model.params["W_h"], first.model.params["W_h"])


def test_training_rejects_a_text_too_short():
    with pytest.raises(ValueError, match="use a longer text or smaller batch_size"):
        neural.train_gru("abc", hidden_size=4, n_steps=1, progress=False)


def test_model_rejects_mismatched_vocab_and_unsorted_vocab():
    with pytest.raises(ValueError, match="params are for 3 symbols"):
        GRULM("abc", init_params(3, 2))
    with pytest.raises(ValueError, match="sorted, distinct"):
        GRULM("ba", init_params(3, 2))


def test_ladder_loads_fast_and_grows():
    names = neural.pretrained_names()
    assert len(names) >= 5
    start = time.perf_counter()
    models = [neural.load_pretrained(name) for name in names]
    assert time.perf_counter() - start < 1.0
    sizes = [model.n_params for model in models]
    assert sizes == sorted(sizes) and len(set(sizes)) == len(sizes)
    assert sizes[0] < 2_000 and sizes[-1] >= 200_000
    assert all(isinstance(model, lm.CharLM) for model in models)
    records = neural._ladder_records()
    assert [r["name"] for r in records] == names
    assert all(r["n_params"] == m.n_params for r, m in zip(records, models, strict=True))


def test_unknown_pretrained_name_lists_the_ladder():
    with pytest.raises(ValueError, match="gru-4"):
        neural.load_pretrained("gru-99999")


def test_smallest_shipped_model_reproduces_its_recorded_held_out_bits():
    pytest.importorskip("pooch")
    from lossylab.data import shakespeare_split

    model = neural.load_pretrained(neural.pretrained_names()[0])
    measured = model.bits_per_char(shakespeare_split().test)
    # recorded by python tools/train_ladder.py (lossylab/weights/ladder.json)
    assert measured == pytest.approx(model.metadata["test_bits_per_char"], abs=1e-3)
