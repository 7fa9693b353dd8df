"""Learning while coding: models mixed by weights that adapt, and counts of the text so far.

The decoder sees the same characters in the same order as the encoder, so it can repeat
every update the encoder makes: nothing but the starting models travels with the file.
**Experts**: the static models (e.g. the GRU and the n-gram) and, per order ``k``, counts
of what followed the last ``k`` characters so far in *this* text, smoothed toward the static
models' mean: ``p_k(w | h) = (c(h, w) + beta p_base(w)) / (c(h) + beta)``. **Geometric
mixing**, as in PAQ and cmix: ``p(w) ~ 2 ** sum_i W_i log2 p_i(w)``, by two sets of weights
(one chosen by how much the longest matching context has seen and whether it was unanimous,
one by the last character), their predictions averaged. **Learning**: after each character
``x``, one gradient step on its code length, ``W_i += lr (log2 p_i(x) - E_p[log2 p_i])``.
With no static model it starts from nothing (uniform ``p_base``): coding a text *is* training
on it, the prequential code (Dawid 1984). The coder sees only integers (log2 and 2**x from
:mod:`decimal` tables, weights Q16) or IEEE-exact elementwise ``+ - * /``: the same bits on
every CPU. Left out compared with cmix or NNCP: bitwise prediction, hashed contexts, SSE
stages, dynamic evaluation of the network.

References
----------
Mahoney, M. (2005). Adaptive weighing of context models for lossless data compression. Florida
Tech. TR CS-2005-16. Dawid, A. P. (1984). The prequential approach. *JRSS A* 147(2), 278-292.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal, localcontext
from functools import cache
from typing import Any

import numpy as np

from lossylab.lm import CharLM

__all__ = ["AdaptiveMix", "default_mix"]

_Q = 10  # log2 probabilities in Q10
_W1 = 1 << 16  # mixing weights in Q16: 65536 is a weight of 1
_CONF_SETS = 4  # per longest seen order: (seen >= 4 times) x (unanimous), 2 x 2


@cache
def _tables() -> tuple[np.ndarray, np.ndarray]:
    """Q10 log2 of mantissas 0.5 + (i + 1/2) / 8192, and 2**30 * 2**(-i / 1024) (decimal)."""
    with localcontext() as ctx:
        ctx.prec = 30
        ln2 = Decimal(2).ln()
        log2 = [round((Decimal(0.5) + (Decimal(i) + Decimal(0.5)) / 8192).ln() / ln2 * 1024)
                for i in range(4096)]
        pow2 = [round(Decimal(2) ** (30 - Decimal(i) / 1024)) for i in range(1024)]
    return np.array(log2, dtype=np.int64), np.array(pow2, dtype=np.int64)


def _log2_q(p: np.ndarray) -> np.ndarray:
    """int64 Q10 log2 of positive float64 ``p`` (exact frexp, then a table)."""
    mantissa, exponent = np.frexp(p)  # p = mantissa * 2**exponent, mantissa in [0.5, 1)
    index = np.floor((mantissa - 0.5) * 8192).astype(np.int64)
    return (exponent.astype(np.int64) << _Q) + _tables()[0][index]


def _mix(weights: np.ndarray, features: np.ndarray) -> np.ndarray:
    """int64 (batch, n_symbols) ``2**30 * 2**(logit - max logit)``, >= 1 (geometric mixing)."""
    logit = np.einsum("bk,bkv->bv", weights, features) >> 16  # Q10 log2
    drop = logit.max(axis=1, keepdims=True) - logit
    return np.maximum(_tables()[1][drop & 1023] >> np.minimum(drop >> _Q, 40), 1)


class _State:
    """The mutable state of one coding pass: static states, history, counts, weights."""

    def __init__(self, mix: AdaptiveMix, batch: int) -> None:
        self.static = [m.initial_state(batch) for m in mix.models]
        self.history = np.full((batch, max((*mix.orders, 1))), mix.n_symbols, np.int64)
        self.rows: dict[int, int] = {}  # 16 * (context key) + order index -> row of counts
        self.counts = np.zeros((4096, mix.n_symbols), np.int64)
        n_experts = len(mix.models) + len(mix.orders)
        # two mixers: weight sets chosen by the longest seen context, and by the last symbol
        self.weights = [np.zeros((n_sets, n_experts), np.int64) for n_sets in
                        ((len(mix.orders) + 1) * _CONF_SETS, mix.n_symbols + 1)]
        first = len(mix.models) or n_experts  # static models share 1 (else all experts do)
        for weights in self.weights:
            weights[:, :first] = _W1 // first
        self.cache: tuple[Any, ...] | None = None  # what probs computed, for the update


class AdaptiveMix(CharLM):
    """Static models and adaptive counts of orders ``orders``, mixed by learned weights.

    :meth:`advance_blocks` changes the state in place: one pass over one text at a time.

    Parameters
    ----------
    models : sequence of CharLM
        Static experts sharing one vocabulary (may be empty: then give ``vocab``).
    orders : sequence of int
        Context lengths of the adaptive counts (increasing, 0 to 12).
    vocab : str, optional
        The alphabet when ``models`` is empty.
    beta, learning_rate : float
        Weight of ``p_base`` in the counts' predictions; step of the weights per bit.

    Examples
    --------
    >>> from lossylab.coding import compress, decompress
    >>> mix = AdaptiveMix([], orders=(0, 1, 2), vocab=" abcdr")
    >>> text = "abracadabra " * 30
    >>> round(mix.bits_per_char(text), 2), decompress(compress(text, mix), mix) == text
    (0.47, True)
    """

    def __init__(self, models: Sequence[CharLM], *, orders: Sequence[int] = (2, 3, 4, 5, 6, 7),
                 vocab: str | None = None, beta: float = 0.5,
                 learning_rate: float = 0.002) -> None:
        if not all(isinstance(m, CharLM) for m in models):
            raise TypeError("models must be lossylab.lm.CharLM instances")
        self.models = list(models)
        vocabs = {m.vocab for m in self.models} | ({vocab} if vocab is not None else set())
        if len(vocabs) != 1 or not next(iter(vocabs)):
            raise ValueError("the models must share one vocab (or give vocab= without models), "
                             f"got {len(vocabs)} different ones")
        self.orders = tuple(int(k) for k in orders)
        if not (self.orders or self.models) or list(self.orders) != sorted(set(self.orders)) \
                or not all(0 <= k <= 12 for k in self.orders):
            raise ValueError(f"orders must be increasing ints from 0 to 12, got {orders!r}")
        if not (beta > 0 and 0 < learning_rate < 1):
            raise ValueError(f"need beta > 0, 0 < learning_rate < 1; got {beta}, {learning_rate}")
        self.vocab, self.beta = next(iter(vocabs)), float(beta)
        width, base = max((*self.orders, 1)), self.n_symbols + 1  # history @ _powers: the keys
        self._powers = np.zeros((width, len(self.orders)), dtype=np.int64)  # (width, n_orders)
        for i, k in enumerate(self.orders):
            self._powers[width - k:, i] = 16 * base ** np.arange(k, dtype=np.int64)
        self._step = round(learning_rate * 0.6931471805599453 * 64 * 1024)  # Q10 err -> Q16
        parts = "+".join(m.name for m in self.models) or "untrained"
        self.name = f"mix-{parts}-o{''.join(map(str, self.orders))}"
        self.n_params = sum(m.n_params for m in self.models)
        self.arithmetic = "adaptive-v1-" + "-".join(m.arithmetic for m in self.models)

    def weight_arrays(self) -> tuple[np.ndarray, ...]:
        """The static models' arrays and the settings (a file's fingerprint hashes them)."""
        settings = np.array([*self.orders, self.beta, self._step], dtype=np.float64)
        return (settings, *(a for m in self.models for a in m.weight_arrays()))

    def initial_state(self, batch: int = 1) -> _State:
        """A fresh pass: nothing counted yet, the starting weights."""
        return _State(self, int(batch))

    def _keys(self, state: _State) -> list[int]:
        """Key of each (stream, order) context, stream-major: 16 * (last k symbols) + order."""
        return (state.history @ self._powers + np.arange(len(self.orders))).ravel().tolist()

    def probs(self, state: _State) -> np.ndarray:
        """Mixed distributions, float64 (batch, n_symbols): integer weights over their sum."""
        statics = [m.probs(s) for m, s in zip(self.models, state.static, strict=True)]
        batch, n_orders = len(state.history), len(self.orders)
        base = sum(statics[1:], statics[0]) / len(statics) if statics else \
            np.full((batch, self.n_symbols), 1.0 / self.n_symbols)
        keys = self._keys(state)
        rows = np.array([state.rows.get(key, -1) for key in keys], dtype=np.int64)
        counts = np.where(rows[:, None] >= 0, state.counts[rows], 0).reshape(
            batch, n_orders, self.n_symbols)
        total = counts.sum(axis=2)  # (batch, n_orders)
        adaptive = (counts + self.beta * base[:, None]) / (total[:, :, None] + self.beta)
        features = _log2_q(np.concatenate([np.stack(statics, axis=1), adaptive], axis=1)
                           if statics else adaptive)  # (batch, n_experts, n_symbols) Q10
        conf = np.concatenate([np.zeros((batch, 1), np.int64), 2 * (total >= 4) + (
            10 * counts.max(axis=2) >= 9 * total)], axis=1)  # column 0: no order seen
        seen = np.concatenate([np.ones((batch, 1), bool), total > 0], axis=1)
        longest = n_orders - np.argmax(seen[:, ::-1], axis=1)  # the longest order seen, or 0
        chosen = longest * _CONF_SETS + conf[np.arange(batch), longest]
        sets = (chosen, state.history[:, -1])
        w = [_mix(weights[s], features) for weights, s in zip(state.weights, sets, strict=True)]
        state.cache = (features, w, sets, rows, keys)
        mean = sum((wi << 24) // wi.sum(axis=1, keepdims=True) for wi in w)  # about 2**25
        return mean / mean.sum(axis=1, keepdims=True)  # integer-valued sums: exact

    def advance(self, state: _State, symbols: np.ndarray) -> _State:
        """:meth:`advance_blocks` with every stream active (the state changes in place)."""
        return self.advance_blocks(state, symbols, np.ones(len(state.history), dtype=bool))

    def advance_blocks(self, state: _State, symbols: np.ndarray, active: np.ndarray) -> _State:
        """Learn from each active stream's symbol (weights, then counts), then read it."""
        symbols = np.asarray(symbols, dtype=np.int64)
        if state.cache is None:
            self.probs(state)
        features, w, sets, rows, keys = state.cache  # type: ignore[misc]
        live = np.flatnonzero(active)
        for weights, wi, chosen in zip(state.weights, w, sets, strict=True):
            expected = np.einsum("bv,bkv->bk", wi[live], features[live]) // wi[live].sum(1)[:, None]
            error = features[live, :, symbols[live]] - expected  # (n_live, n_experts) Q10
            np.add.at(weights, chosen[live], (error * self._step) >> _Q)
        n_orders = len(self.orders)  # next: every live (stream, order), stream-major
        flat = (live[:, None] * n_orders + np.arange(n_orders)).ravel()
        for j in flat[rows[flat] < 0].tolist():  # new contexts get rows in a fixed order
            rows[j] = state.rows.setdefault(keys[j], len(state.rows))
        while len(state.rows) > len(state.counts):
            state.counts = np.concatenate([state.counts, np.zeros_like(state.counts)])
        np.add.at(state.counts, (rows[flat], np.repeat(symbols[live], n_orders)), 1)
        state.static = list(map(lambda m, s: m.advance(s, symbols), self.models, state.static))
        state.history = np.concatenate([state.history[:, 1:], symbols[:, None]], axis=1)
        state.cache = None
        return state


def default_mix() -> AdaptiveMix:
    """The best compressor here: gru-256, ngram-6 (the training split), counts of orders 2-7.

    >>> default_mix().name
    'mix-gru-256+ngram-6-o234567'
    """
    from lossylab import data, neural  # data and weights are only needed here
    from lossylab.ngram import NGramLM

    return AdaptiveMix([neural.load_pretrained("gru-256"),
                        NGramLM(6).fit(data.shakespeare_split().train)])
