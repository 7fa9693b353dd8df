"""A neural character language model in pure numpy: a small GRU, trained by hand.

The model reads one character at a time and keeps a hidden state ``h`` of
``hidden_size`` numbers, a lossy summary of everything read so far. Each step

    a = W_x[s] + b                        (input side: a table look-up, one row per symbol)
    g = h @ W_h                           (recurrent side: one matrix product)
    r = sigmoid(a_r + g_r)                (reset gate)
    z = sigmoid(a_z + g_z)                (update gate)
    n = tanh(a_n + r * (g_n + b_hn))      (candidate state)
    h' = (1 - z) * n + z * h

and the next-character distribution is ``softmax(h' @ W_out + b_out)`` over the vocabulary
plus the escape. :func:`train_gru` minimises the cross-entropy (the code length of the
training text) by truncated back-propagation through time, written out by hand (checked
against finite differences), with Adam and a cosine learning rate. Also the pretrained
ladder (:func:`load_pretrained`) and :meth:`GRULM.quantized`. Inference runs in integers, the
same bits on every CPU and batch shape: weights Q14, state Q15, products of integer-valued
float64 arrays (exact below 2**53, checked), tanh/sigmoid/exp from :mod:`decimal` tables.

References
----------
Cho et al. (2014), "Learning Phrase Representations using RNN Encoder-Decoder" (the GRU).
Kingma and Ba (2015), "Adam". Karpathy (2015), "The Unreasonable Effectiveness of Recurrent
Neural Networks". Jacob et al. (2018), "Quantization and training of neural networks for
efficient integer-arithmetic-only inference".
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass
from decimal import Decimal, localcontext
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from lossylab.lm import CharLM, check_text, symbol_ids

__all__ = ["GRULM", "PARAM_NAMES", "WEIGHTS_DIR", "init_params", "load_pretrained",
           "pretrained_names", "train_gru", "train_small"]

WEIGHTS_DIR = Path(__file__).resolve().parent / "weights"
_LADDER_JSON = "ladder.json"
PARAM_NAMES = ("W_x", "b", "W_h", "b_hn", "W_out", "b_out")
_W, _H, _STEP = 14, 15, 8  # weights Q14, state Q15, tables every 2**-8; pre-activations Q29
_ARITHMETIC = f"fixed-w{_W}-h{_H}-t{_STEP}"  # named in a compressed file's fingerprint

_Params = dict[str, np.ndarray]


# --- parameters and the forward / backward pass ---------------------------------------------
def init_params(n_symbols: int, hidden_size: int, *, seed: int = 0,
                dtype: Any = np.float32) -> _Params:
    """Seeded initial parameters of a GRU over ``n_symbols`` (vocabulary + escape), H hidden units.

    Weights uniform in +-1/sqrt(H) (PyTorch's default), biases zero: ``W_x`` (n_symbols, 3H),
    ``b`` (3H,), ``W_h`` (H, 3H), ``b_hn`` (H,), ``W_out`` (H, n_symbols), ``b_out`` (n_symbols,).

    >>> init_params(5, 4)["W_h"].shape
    (4, 12)
    """
    if n_symbols < 2 or hidden_size < 1:
        raise ValueError(f"need n_symbols >= 2 and hidden_size >= 1, got {n_symbols} and "
                         f"{hidden_size}")
    rng = np.random.default_rng(seed)
    bound, h3 = 1.0 / math.sqrt(hidden_size), 3 * hidden_size

    def uniform(*shape: int) -> np.ndarray:
        return rng.uniform(-bound, bound, size=shape).astype(dtype)

    return {"W_x": uniform(n_symbols, h3), "b": np.zeros(h3, dtype=dtype),
            "W_h": uniform(hidden_size, h3), "b_hn": np.zeros(hidden_size, dtype=dtype),
            "W_out": uniform(hidden_size, n_symbols), "b_out": np.zeros(n_symbols, dtype=dtype)}


@cache
def _table(kind: str) -> np.ndarray:
    """Read-only int64 table (decimal): tanh(i/256) 2**15, |i| <= 4096, or exp(-i/256) 2**40."""
    with localcontext() as ctx:
        ctx.prec = 40
        if kind == "tanh":  # odd: tabulate x >= 0 and mirror
            half = [round((e - 1) / (e + 1) * (1 << _H)) for e in (Decimal(i / 128).exp()
                                                                   for i in range(4097))]
            values = [-v for v in half[:0:-1]] + half
        else:
            values = [round((-Decimal(i / 256)).exp() * (1 << 40)) for i in range(48 * 256 + 1)]
    return _frozen(values, np.int64)


def _lookup(kind: str, x: np.ndarray, frac_bits: int = _W + _H) -> np.ndarray:
    """Integer linear interpolation of a table at fixed-point ``x`` (clamped to its range)."""
    table, shift, first = _table(kind), frac_bits - _STEP, 16 * (kind == "tanh")  # from -first
    pos = np.clip(x + (first << frac_bits), 0, ((len(table) - 1) << shift) - 1)
    index, frac = pos >> shift, pos & ((1 << shift) - 1)
    low = table[index]
    return low + (((table[index + 1] - low) * frac) >> shift)


def _loss_and_grads(params: _Params, inputs: np.ndarray, targets: np.ndarray,
                    h0: np.ndarray) -> tuple[float, _Params, np.ndarray]:
    """Mean cross-entropy (nats) of a (T, batch) chunk from h0, its exact gradient, last h."""
    # Back-propagation through time. Backward through one step, with dh the gradient
    # reaching h': dn = dh (1 - z), dz = dh (h - n), da_n = dn (1 - n^2),
    # dr = da_n (g_n + b_hn), dh_prev = dh z + [dr r(1-r), dz z(1-z), da_n r] @ W_h^T.
    steps, batch = inputs.shape
    hidden = h0.shape[1]
    a_all = params["W_x"][inputs] + params["b"]  # (T, batch, 3H)
    h_prev = np.empty((steps, batch, hidden), dtype=h0.dtype)
    gates = np.empty((steps, batch, 3 * hidden), dtype=h0.dtype)  # r, z, n after nonlinearity
    g_n = np.empty((steps, batch, hidden), dtype=h0.dtype)  # g_n + b_hn
    h = h0
    for t in range(steps):
        h_prev[t] = h
        g = h @ params["W_h"]
        rz = 0.5 * (1.0 + np.tanh(0.5 * (a_all[t, :, : 2 * hidden] + g[:, : 2 * hidden])))
        g_n[t] = g[:, 2 * hidden :] + params["b_hn"]
        n = np.tanh(a_all[t, :, 2 * hidden :] + rz[:, :hidden] * g_n[t])
        gates[t, :, : 2 * hidden] = rz
        gates[t, :, 2 * hidden :] = n
        h = n + rz[:, hidden:] * (h - n)
    h_all = np.concatenate([h_prev[1:], h[None]], axis=0).reshape(steps * batch, hidden)
    loss, d_logits = _softmax_cross_entropy(h_all @ params["W_out"] + params["b_out"], targets)
    grads = {"W_out": h_all.T @ d_logits, "b_out": d_logits.sum(axis=0)}
    d_h_out = (d_logits @ params["W_out"].T).reshape(steps, batch, hidden)
    d_a, d_g = _backward_through_time(params["W_h"], h_prev, gates, g_n, d_h_out)
    d_a2 = d_a.reshape(steps * batch, 3 * hidden)
    grads["W_x"] = np.zeros_like(params["W_x"])
    np.add.at(grads["W_x"], inputs.reshape(-1), d_a2)
    grads["b"] = d_a2.sum(axis=0)
    d_g2 = d_g.reshape(steps * batch, 3 * hidden)
    grads["W_h"] = h_prev.reshape(steps * batch, hidden).T @ d_g2
    grads["b_hn"] = d_g2[:, 2 * hidden :].sum(axis=0)
    return loss, grads, h


def _softmax_cross_entropy(logits: np.ndarray, targets: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean cross-entropy (nats) of (N, V) logits against N targets, and d loss / d logits."""
    shifted = logits - logits.max(axis=1, keepdims=True)
    p = np.exp(shifted)
    p /= p.sum(axis=1, keepdims=True)
    rows = np.arange(len(p))
    flat = targets.reshape(-1)
    loss = float(-np.mean(np.log(p[rows, flat])))
    p[rows, flat] -= 1.0
    p /= len(p)
    return loss, p


def _backward_through_time(w_h: np.ndarray, h_prev: np.ndarray, gates: np.ndarray,
                           g_n: np.ndarray, d_h_out: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Gradients w.r.t. the input pre-activations a and recurrent pre-activations g, per step."""
    steps, batch, hidden = h_prev.shape
    d_a = np.empty_like(gates)  # (T, batch, 3H)
    d_g = np.empty_like(gates)
    d_h = np.zeros((batch, hidden), dtype=h_prev.dtype)
    w_h_t = np.ascontiguousarray(w_h.T)
    for t in range(steps - 1, -1, -1):
        d_h = d_h + d_h_out[t]
        r, z, n = gates[t, :, :hidden], gates[t, :, hidden : 2 * hidden], gates[t, :, 2 * hidden :]
        d_an = d_h * (1.0 - z) * (1.0 - n * n)
        d_a[t, :, :hidden] = d_an * g_n[t] * r * (1.0 - r)
        d_a[t, :, hidden : 2 * hidden] = d_h * (h_prev[t] - n) * z * (1.0 - z)
        d_a[t, :, 2 * hidden :] = d_an
        d_g[t, :, : 2 * hidden] = d_a[t, :, : 2 * hidden]
        d_g[t, :, 2 * hidden :] = d_an * r
        d_h = d_h * z + d_g[t] @ w_h_t
    return d_a, d_g


# --- the optimiser ---------------------------------------------------------------------------
class _Adam:
    """Adam (Kingma and Ba 2015) with bias correction, updating parameters in place."""

    def __init__(self, params: _Params, *, beta1: float = 0.9, beta2: float = 0.999,
                 eps: float = 1e-8) -> None:
        self.beta1, self.beta2, self.eps = beta1, beta2, eps
        self.m, self.v = ({key: np.zeros_like(value) for key, value in params.items()}
                          for _ in range(2))
        self.t = 0

    def step(self, params: _Params, grads: _Params, *, learning_rate: float) -> None:
        """Move ``params`` one Adam step along ``-grads``."""
        self.t += 1
        scale = learning_rate * math.sqrt(1 - self.beta2**self.t) / (1 - self.beta1**self.t)
        for key, grad in grads.items():
            self.m[key] = self.m[key] * self.beta1 + (1 - self.beta1) * grad
            self.v[key] = self.v[key] * self.beta2 + (1 - self.beta2) * grad * grad
            update = scale * self.m[key] / (np.sqrt(self.v[key]) + self.eps)
            params[key] -= update.astype(params[key].dtype, copy=False)


# --- the model --------------------------------------------------------------------------------
class GRULM(CharLM):
    """A GRU character language model; ``params`` as from :func:`init_params` (kept read-only).

    ``bits_per_weight`` (32, fewer once quantized) and ``n_scales`` (the (offset, step) pairs
    of quantized weights) make ``stored_bits``; ``metadata`` is a free-form record.

    >>> model = GRULM("ab", init_params(3, 4))
    >>> model.name, model.n_params, model.next_probs("ab").shape
    ('gru-4', 115, (3,))
    """

    def __init__(self, vocab: str, params: _Params, *, name: str | None = None,
                 bits_per_weight: int = 32, n_scales: int = 0,
                 metadata: dict[str, Any] | None = None) -> None:
        _check_vocab(vocab)
        if missing := [key for key in PARAM_NAMES if key not in params]:
            raise ValueError(f"params lacks {missing}; build it with init_params()")
        n_symbols, h3 = params["W_x"].shape
        if n_symbols != len(vocab) + 1:
            raise ValueError(f"params are for {n_symbols} symbols but vocab has {len(vocab)} "
                             f"characters (+1 escape = {len(vocab) + 1}); pass the vocab the "
                             "model was trained with")
        self.vocab = vocab
        self.params = {key: _frozen(params[key], np.float32) for key in PARAM_NAMES}
        self.hidden_size = h3 // 3
        self.name = name if name is not None else f"gru-{self.hidden_size}"
        self.n_params = int(sum(self.params[key].size for key in PARAM_NAMES))
        self.bits_per_weight = int(bits_per_weight)
        self._n_scales = int(n_scales)  # quantization scales stored beside the weights
        self.metadata = dict(metadata or {})  # e.g. training settings and measured bits/char
        self.arithmetic = _ARITHMETIC
        q = {key: np.round(self.params[key].astype(np.float64) * (1 << _W)) for key in PARAM_NAMES}
        if 2.0**_H * max(np.abs(q[key]).sum(axis=0).max() for key in ("W_h", "W_out")) >= 2**53:
            raise ValueError("weights too large for exact integer inference (sums reach 2**53)")
        self._q = {key: _frozen(q[key] if key in ("W_h", "W_out") else q[key].astype(np.int64)
                                << _H) for key in PARAM_NAMES}  # matrices float64, rest Q29

    @property
    def stored_bits(self) -> int:
        """Size of the parameters at their stored precision, in bits (scales: 32 bits each)."""
        return self.n_params * self.bits_per_weight + 64 * self._n_scales

    def initial_state(self, batch: int = 1) -> np.ndarray:
        """Hidden states of ``batch`` fresh streams: int64 zeros (batch, hidden_size), Q15."""
        return np.zeros((int(batch), self.hidden_size), dtype=np.int64)

    def advance(self, state: np.ndarray, symbols: np.ndarray) -> np.ndarray:
        """One GRU step per stream (module docstring) in integers; a new (batch, hidden) array."""
        q, hid, h = self._q, self.hidden_size, np.asarray(state, dtype=np.int64)
        a = q["W_x"][np.asarray(symbols, dtype=np.int64)] + q["b"]  # (batch, 3H) Q29
        g = (h.astype(np.float64) @ q["W_h"]).astype(np.int64)  # exact: sums < 2**53
        rz = (_lookup("tanh", a[:, : 2 * hid] + g[:, : 2 * hid], _W + _H + 1) + (1 << _H)) >> 1
        n = _lookup("tanh", a[:, 2 * hid :] + ((rz[:, :hid] * (g[:, 2 * hid :] + q["b_hn"])) >> _H))
        return n + ((rz[:, hid:] * (h - n)) >> _H)

    def probs(self, state: np.ndarray) -> np.ndarray:
        """Softmax of the output layer from integer exp weights (each >= 2e-12 of the largest)."""
        logits = (np.asarray(state, np.float64) @ self._q["W_out"]).astype(np.int64)
        logits += self._q["b_out"]
        w = np.maximum(_lookup("exp", logits.max(axis=1, keepdims=True) - logits), 2)
        return w / w.sum(axis=1, keepdims=True)

    def weight_arrays(self) -> tuple[np.ndarray, ...]:
        """The integer weights inference uses (hashed into a compressed file's fingerprint)."""
        return tuple(self._q[key] for key in PARAM_NAMES)

    def quantized(self, bits_per_weight: int, *, per_tensor: bool = True) -> GRULM:
        """A copy ``"<name>-q<bits>"`` with weights rounded to ``2**bits_per_weight`` levels (2-16).

        ``w_q = lo + step * round((w - lo) / step)``, ``step = (hi - lo) / (2**bits - 1)`` per
        tensor (or per row: finer, more side information; 64 bits per (lo, step) pair).
        """
        if not isinstance(bits_per_weight, (int, np.integer)) or not 2 <= bits_per_weight <= 16:
            raise ValueError("bits_per_weight must be an int from 2 to 16, "
                             f"got {bits_per_weight!r}")
        params, n_scales = {}, 0
        for key in PARAM_NAMES:
            params[key], scales = _quantize_uniform(self.params[key], int(bits_per_weight),
                                                    per_tensor=per_tensor)
            n_scales += scales
        return GRULM(self.vocab, params, name=f"{self.name}-q{bits_per_weight}",
                     bits_per_weight=int(bits_per_weight), n_scales=n_scales)

    def save(self, path: str | Path, *, metadata: dict[str, Any] | None = None) -> Path:
        """Write the model to an ``.npz`` file; ``metadata`` (JSON-able) as a JSON string."""
        path = Path(path)
        meta = {"name": self.name, "hidden_size": self.hidden_size, **(metadata or {})}
        vocab_codes = np.array([ord(ch) for ch in self.vocab], dtype=np.int32)
        np.savez(path, vocab=vocab_codes, metadata=np.array(json.dumps(meta)), **self.params)
        return path

    @classmethod
    def load(cls, path: str | Path) -> GRULM:
        """Read a model written by :meth:`save` (``np.load(..., allow_pickle=False)``)."""
        with np.load(Path(path), allow_pickle=False) as data:
            vocab = "".join(chr(int(code)) for code in data["vocab"])
            meta = json.loads(str(data["metadata"]))
            params = {key: data[key] for key in PARAM_NAMES}
        return cls(vocab, params, name=meta.get("name"), metadata=meta)


def _frozen(weights: np.ndarray, dtype: Any = None) -> np.ndarray:
    """A read-only copy (of ``dtype``): a model's weights never change once it is built."""
    out = np.array(weights, dtype=dtype)
    out.setflags(write=False)
    return out


def _quantize_uniform(weights: np.ndarray, bits: int, *, per_tensor: bool = True
                      ) -> tuple[np.ndarray, int]:
    """Round ``weights`` to ``2**bits`` evenly spaced levels; returns (values, n_scale_pairs)."""
    w = np.asarray(weights, dtype=np.float64)
    rows = w.reshape(1, -1) if per_tensor or w.ndim < 2 else w.reshape(w.shape[0], -1)
    lo = rows.min(axis=1, keepdims=True)
    step = (rows.max(axis=1, keepdims=True) - lo) / (2**bits - 1)
    safe = np.where(step > 0, step, 1.0)
    q = lo + safe * np.round((rows - lo) / safe)
    return q.reshape(w.shape).astype(np.float32), rows.shape[0]


def _check_vocab(vocab: Any) -> None:
    """TypeError/ValueError unless ``vocab`` is a non-empty str of sorted distinct characters."""
    if not isinstance(vocab, str) or len(vocab) == 0:
        raise TypeError(f"vocab must be a non-empty str, got {vocab!r}")
    if list(vocab) != sorted(set(vocab)):
        raise ValueError("vocab must hold sorted, distinct characters: use "
                         "''.join(sorted(set(text)))")


# --- training ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class _TrainingRun:
    """The result of :func:`train_gru`: the model, its loss curve and the wall time."""

    model: GRULM
    loss_bits: np.ndarray  # (n_steps,) training cross-entropy of each chunk, bits/char
    seconds: float


def train_gru(text: str, *, hidden_size: int, n_steps: int, batch_size: int = 32,
              seq_len: int = 64, learning_rate: float = 3e-3, final_lr_fraction: float = 0.05,
              clip_norm: float = 1.0, reset_prob: float = 1 / 16, seed: int = 0,
              progress: bool = True, name: str | None = None) -> _TrainingRun:
    """Train a GRU language model on ``text`` by truncated back-propagation through time.

    The text (its characters: the vocabulary) is cut into ``batch_size`` streams; each of the
    ``n_steps`` Adam updates reads the next ``seq_len`` characters of every stream from the
    state left by the previous one. Learning rate: warm-up over 2% of the steps, cosine decay
    to ``final_lr_fraction`` of the peak; gradients clipped to a global norm of ``clip_norm``;
    a stream restarts from zero with probability ``reset_prob`` per step; ``seed`` seeds all.

    Returns a frozen record: ``.model`` (GRULM), ``.loss_bits`` (float64 (n_steps,),
    bits/char of every step), ``.seconds``; ValueError if the text is too short or a setting bad.
    """
    _check_training_settings(text, hidden_size, n_steps, batch_size, seq_len, learning_rate)
    from tqdm.auto import tqdm  # imported here: only training needs it

    start = time.perf_counter()
    vocab = "".join(sorted(set(text)))
    params = init_params(len(vocab) + 1, hidden_size, seed=seed)
    streams = _streams(text, vocab, batch_size)  # (batch, stream_len) int64
    optimizer = _Adam(params)
    reset_rng = np.random.default_rng([seed, 1])
    h = np.zeros((batch_size, hidden_size), dtype=np.float32)
    losses, pos = np.empty(n_steps), 0
    bar = tqdm(range(n_steps), disable=not progress, desc=name or f"gru-{hidden_size}",
               unit="step", mininterval=1.0)
    for step in bar:
        if pos + seq_len + 1 > streams.shape[1]:  # a new epoch: start the streams over
            pos, h = 0, np.zeros_like(h)
        h = np.where(reset_rng.random((batch_size, 1)) < reset_prob, np.float32(0.0), h)
        chunk = streams[:, pos : pos + seq_len + 1].T  # (seq_len + 1, batch)
        loss, grads, h = _loss_and_grads(params, chunk[:-1], chunk[1:], h)
        _clip_(grads, clip_norm)
        lr = learning_rate * _lr_factor(step, n_steps, final_lr_fraction)
        optimizer.step(params, grads, learning_rate=lr)
        losses[step] = loss / math.log(2)
        pos += seq_len
        if step % 50 == 0:
            bar.set_postfix(bits_per_char=f"{losses[max(0, step - 49):step + 1].mean():.3f}")
    model = GRULM(vocab, params, name=name)
    return _TrainingRun(model=model, loss_bits=losses, seconds=time.perf_counter() - start)


def train_small(text: str, *, hidden_size: int = 32, n_steps: int = 300, seed: int = 0,
                progress: bool = False) -> GRULM:
    """Train a small GRU in a few seconds (batch 32, chunks of 32, learning rate 1e-2).

    >>> train_small("to be or not to be " * 60, hidden_size=8, n_steps=20).vocab
    ' benort'
    """
    return train_gru(text, hidden_size=hidden_size, n_steps=n_steps, batch_size=32, seq_len=32,
                     learning_rate=1e-2, seed=seed, progress=progress).model


def _check_training_settings(text: Any, hidden_size: int, n_steps: int, batch_size: int,
                             seq_len: int, learning_rate: float) -> None:
    """ValueError (TypeError for a non-str text) naming the first bad setting."""
    check_text(text)
    for label, value in [("hidden_size", hidden_size), ("n_steps", n_steps),
                         ("batch_size", batch_size), ("seq_len", seq_len)]:
        if not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{label} must be an int >= 1, got {value!r}")
    if len(text) < batch_size * (seq_len + 1):
        raise ValueError(f"text has {len(text)} characters, fewer than batch_size * (seq_len + 1) "
                         f"= {batch_size * (seq_len + 1)}; use a longer text or smaller "
                         "batch_size/seq_len")
    if not (learning_rate > 0 and math.isfinite(learning_rate)):
        raise ValueError(f"learning_rate must be a finite number > 0, got {learning_rate!r}")


def _streams(text: str, vocab: str, batch_size: int) -> np.ndarray:
    """The text as symbols, cut into ``batch_size`` equal contiguous streams."""
    symbols = symbol_ids(text, vocab)  # every char is in vocab: no escape
    stream_len = len(symbols) // batch_size
    return symbols[: batch_size * stream_len].reshape(batch_size, stream_len)


def _lr_factor(step: int, n_steps: int, final_fraction: float) -> float:
    """Linear warm-up over 2% of the steps, then cosine decay to ``final_fraction``."""
    warmup = max(1, n_steps // 50)
    if step < warmup:
        return (step + 1) / warmup
    progress = (step - warmup) / max(1, n_steps - warmup)
    return final_fraction + (1 - final_fraction) * 0.5 * (1 + math.cos(math.pi * progress))


def _clip_(grads: _Params, max_norm: float) -> None:
    """Rescale ``grads`` in place when their global norm exceeds ``max_norm``."""
    norm = math.sqrt(sum(float(np.vdot(g, g)) for g in grads.values()))
    if norm > max_norm:
        for g in grads.values():
            g *= max_norm / norm


# --- the pretrained ladder --------------------------------------------------------------------
def _ladder_records(weights_dir: str | Path | None = None) -> list[dict[str, Any]]:
    """The entries of ``ladder.json``, smallest to largest ([] if no ladder was trained)."""
    path = Path(weights_dir or WEIGHTS_DIR) / _LADDER_JSON
    return list(json.loads(path.read_text())["models"]) if path.is_file() else []


def pretrained_names() -> list[str]:
    """Names of the pretrained models shipped with lossylab, smallest to largest.

    >>> pretrained_names()[0]
    'gru-4'
    """
    return [entry["name"] for entry in _ladder_records()
            if (WEIGHTS_DIR / f"{entry['name']}.npz").is_file()]


def load_pretrained(name: str) -> GRULM:
    """Load the pretrained model ``name``, one of :func:`pretrained_names` (else ValueError);
    ``.metadata`` holds its ``ladder.json`` record (``python tools/train_ladder.py``).

    >>> model = load_pretrained("gru-4")
    >>> model.n_params < model.metadata["train_chars"]
    True
    """
    names = pretrained_names()
    if name not in names:
        raise ValueError(f"no pretrained model named {name!r}; choose one of {names} "
                         "(or train them with python tools/train_ladder.py)")
    return GRULM.load(WEIGHTS_DIR / f"{name}.npz")
