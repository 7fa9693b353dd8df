"""Character n-gram language models with interpolated (modified) Kneser-Ney smoothing.

An order-k model predicts the next character from the k before it, by counting:
``p(w | h) ~ c(h w) / c(h)``. Raw ratios give zero to every continuation not seen in
training, so smoothing subtracts a discount D from every count (*absolute discounting*)
and gives the mass to the shorter context ``h'`` (``h`` without its oldest character),
recursively down to a uniform distribution over the vocabulary plus the escape:

    p_k(w | h) = (max(c(h w) - D(c), 0) + gamma(h) * p_{k-1}(w | h')) / c(h .)

with ``gamma(h) = D1 N1(h .) + D2 N2(h .) + D3 N3+(h .)`` (N1: distinct w seen once after
h, etc.), so probabilities sum to one. Kneser and Ney's idea: the lower orders, consulted
only when the longer context says little, count *continuations* ``N1+(. h w)``, the
distinct characters seen before ``h w`` ("Francisco" is frequent but follows only "San").
The discounts D1, D2, D3+ per order are Chen and Goodman's estimates from the counts of
counts. Orders go from 0 (the unigram, with a uniform floor) to 10.

Implementation: vectorized numpy. Contexts get integer ids (``suffix id * B + oldest
character``), counts live in sorted int32 arrays searched with ``np.searchsorted``, and the
large tables recompute per-context totals at look-up (the ladder 0..10 holds ~66 MB, not ~360).
Left out compared with KenLM or SRILM: pruning, compressed storage, words.

References
----------
Kneser, R. and Ney, H. (1995). Improved backing-off for m-gram language modeling. ICASSP. Chen,
S. F. and Goodman, J. (1998). An empirical study of smoothing techniques. Harvard TR-10-98.
"""

from __future__ import annotations

import ctypes
from dataclasses import dataclass
from typing import Any

import numpy as np

from lossylab.lm import BLOCK_CHARS, CharLM, check_text, symbol_ids

__all__ = ["MAX_ORDER", "NGramLM", "fit_ngram_ladder", "ladder_code_lengths"]

MAX_ORDER = 10


@dataclass(frozen=True)
class _Table:
    """Counts of (context, next symbol) pairs at one context length, with smoothing stats."""

    pair_keys: np.ndarray  # (n_pairs,) sorted int32/int64: context_id * n_symbols + symbol
    pair_counts: np.ndarray  # (n_pairs,) int32 counts (raw or continuation)
    discounts: np.ndarray  # (4,) float64: discount for a count of 0, 1, 2, 3+
    n_symbols: int
    # per context, stored only for tables with few contexts (else recomputed, _run_stats):
    total: np.ndarray | None  # (n_contexts,) int32: sum of counts per context
    gamma: np.ndarray | None  # (n_contexts,) float64: D1 N1 + D2 N2 + D3 N3+ per context

    def __post_init__(self) -> None:
        for array in (self.pair_keys, self.pair_counts, self.discounts, self.total, self.gamma):
            if array is not None:
                array.setflags(write=False)  # counts never change once fitted


# Tables with more contexts recompute total and gamma at look-up (same numbers, same order):
# half the memory of the high orders, whose contexts have 1-2 pairs on average.
_STORED_STATS_MAX_CONTEXTS = 100_000


def _int_dtype(bound: int) -> type[np.signedinteger[Any]]:
    """int32 when every value (and every query against it) is below ``bound``, else int64."""
    return np.int32 if bound < 2**31 else np.int64


def _lookup(keys: np.ndarray, queries: np.ndarray) -> np.ndarray:
    """Index of each query in the sorted ``keys`` (cast to their dtype: no copy), or -1."""
    queries = queries.astype(keys.dtype, copy=False)
    pos = np.searchsorted(keys, queries)
    pos_ok = np.minimum(pos, len(keys) - 1)
    return np.where((pos < len(keys)) & (keys[pos_ok] == queries), pos_ok, -1)


def _unique_inverse(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(keys, return_inverse=True)`` for keys >= 0: dense below 4M, int32 inverse."""
    top = int(keys.max()) + 1 if len(keys) else 0
    id_dtype = _int_dtype(len(keys) + 1)
    if top <= 4_000_000:
        present = np.zeros(top, dtype=bool)
        present[keys] = True
        rank = np.cumsum(present, dtype=id_dtype)  # (top,) id + 1 of each present key
        rank -= 1
        return np.flatnonzero(present), rank[keys]
    perm = np.argsort(keys)
    ordered = keys[perm]
    first = np.ones(len(keys), dtype=bool)  # first occurrence of each key in sorted order
    np.not_equal(ordered[1:], ordered[:-1], out=first[1:])
    unique = ordered[first]
    del ordered
    rank = np.cumsum(first, dtype=id_dtype)
    rank -= 1
    inverse = np.empty(len(keys), dtype=id_dtype)
    inverse[perm] = rank
    return unique, inverse


def _unique_counts(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(keys, return_counts=True)``, sorting ``keys`` in place (no copy)."""
    keys.sort()
    starts = np.flatnonzero(np.concatenate([[True], keys[1:] != keys[:-1], [True]]))
    return keys[starts[:-1]], np.diff(starts)


def _discounts(counts: np.ndarray) -> np.ndarray:
    """Modified Kneser-Ney discounts [0, D1, D2, D3+] from the counts of counts."""
    # Y = n1 / (n1 + 2 n2), D_c = c - (c + 1) Y n_{c+1} / n_c (Chen & Goodman 1998), clipped
    # to [0.05, c - 0.05] so every probability stays positive; 0.5 c without the counts.
    n = np.bincount(np.minimum(counts, 5), minlength=6).astype(np.float64)  # n[c] for c <= 4
    y = n[1] / (n[1] + 2 * n[2]) if n[1] + 2 * n[2] > 0 else 0.5
    d = np.zeros(4)
    for c in (1, 2, 3):
        d[c] = c - (c + 1) * y * n[c + 1] / n[c] if n[c] > 0 and n[c + 1] > 0 else 0.5 * c
        d[c] = min(max(d[c], 0.05), c - 0.05)
    return d


def _table(pair_keys: np.ndarray, pair_counts: np.ndarray, n_contexts: int,
           n_symbols: int) -> _Table:
    """Smoothing statistics per context for sorted unique pair keys and their counts."""
    pair_counts = pair_counts.astype(_int_dtype(int(pair_counts.sum()) + 1))
    discounts = _discounts(pair_counts)
    pair_keys = pair_keys.astype(_int_dtype(n_contexts * n_symbols))
    if n_contexts > _STORED_STATS_MAX_CONTEXTS:
        return _Table(pair_keys, pair_counts, discounts, n_symbols, None, None)
    context = pair_keys // n_symbols  # (n_pairs,) context id of each pair
    total = np.bincount(context, weights=pair_counts, minlength=n_contexts)
    removed = discounts[np.minimum(pair_counts, 3)]  # (n_pairs,) discount of each pair
    gamma = np.bincount(context, weights=removed, minlength=n_contexts)
    return _Table(pair_keys, pair_counts, discounts, n_symbols,
                  total.astype(pair_counts.dtype), gamma)


def _runs(table: _Table, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """[start, end) of each context's (contiguous, CSR-like) pairs; empty for ids of -1."""
    seen = ids >= 0
    first = np.where(seen, ids, 0).astype(table.pair_keys.dtype) * table.n_symbols
    start = np.searchsorted(table.pair_keys, first)
    end = np.searchsorted(table.pair_keys, first + table.n_symbols)
    return start, np.where(seen, end, start)


def _context_stats(table: _Table, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """total and gamma of each context id (any shape; for -1, 1 and 0: never used)."""
    if table.total is not None and table.gamma is not None:
        return table.total[ids], table.gamma[ids]
    flat = ids.reshape(-1)
    total, gamma = _sums(table, flat, *_pairs(table, flat))
    return total.reshape(ids.shape), gamma.reshape(ids.shape)


def _pairs(table: _Table, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For every pair of each context in ``ids``: its row in ``ids`` and its position."""
    start, end = _runs(table, ids)
    lengths = end - start
    rows = np.repeat(np.arange(len(ids)), lengths)
    return rows, np.arange(lengths.sum()) + np.repeat(start - (np.cumsum(lengths) - lengths),
                                                      lengths)


def _sums(table: _Table, ids: np.ndarray, rows: np.ndarray,
          pos: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """total and gamma per context, summed pair by pair in key order (as in _table: same bits)."""
    counts = table.pair_counts[pos]
    total = np.bincount(rows, weights=counts, minlength=len(ids))
    gamma = np.bincount(rows, weights=table.discounts[np.minimum(counts, 3)], minlength=len(ids))
    return np.where(ids >= 0, total, 1.0), gamma


def _kept(table: _Table, index: np.ndarray) -> np.ndarray:
    """float64 ``max(count - D(count), 0)``, the discounted count of the pairs at ``index``."""
    counts = table.pair_counts[index]
    return np.maximum(counts - table.discounts[np.minimum(counts, 3)], 0.0)


def _pair_kept(table: _Table, pair_keys: np.ndarray) -> np.ndarray:
    """Discounted count of each (context, symbol) pair key, 0 when never seen."""
    index = _lookup(table.pair_keys, pair_keys)
    return np.where(index >= 0, _kept(table, index), 0.0)


def _dense_kept(table: _Table, ids: np.ndarray, n_symbols: int) -> tuple[np.ndarray, ...]:
    """Discounted counts (batch, n_symbols) after each context id (-1: zeros), total, gamma."""
    rows, pos = _pairs(table, ids)
    kept = np.zeros((len(ids), n_symbols))
    kept[rows, table.pair_keys[pos] % n_symbols] = _kept(table, pos)
    total, gamma = _sums(table, ids, rows, pos)
    return kept, total[:, None], gamma[:, None]


def _interpolate(table: _Table, ids: np.ndarray, kept: np.ndarray,
                 lower: np.ndarray) -> np.ndarray:
    """One Kneser-Ney step: mix discounted counts with the lower order (ids of -1: lower)."""
    total, gamma = _context_stats(table, ids)
    mixed = (kept + gamma * lower) / total
    return np.where(ids >= 0, mixed, lower)


def _back(symbols: np.ndarray, j: int, bos: int, block_chars: int = BLOCK_CHARS) -> np.ndarray:
    """The symbol ``j`` positions earlier in the same block (``bos`` before its start)."""
    out = np.full(len(symbols), bos, dtype=symbols.dtype)
    out[j:] = symbols[: max(len(symbols) - j, 0)]
    for offset in range(min(j, block_chars)):  # the first j positions of every block
        out[offset::block_chars] = bos
    return out


@dataclass(frozen=True)
class _Counts:
    """Everything counted from one text, for every context length up to ``max_order``."""

    vocab: str
    context_keys: list[np.ndarray]  # [j] sorted int32/int64 (n_contexts_j,); j = 0 is [0]
    raw: list[_Table]  # [j] raw counts with contexts of length j (top of an order-j model)
    continuation: list[_Table]  # [j] continuation counts N1+(. h w), j < max_order

    def __post_init__(self) -> None:
        for keys in self.context_keys:
            keys.setflags(write=False)


def _count(text: str, max_order: int) -> _Counts:
    """Count all (context, symbol) pairs of ``text`` for context lengths 0..max_order."""
    vocab = "".join(sorted(set(text)))
    n_symbols, base = len(vocab) + 1, len(vocab) + 2  # base: symbols plus beginning-of-block
    symbol_dtype = np.int8 if base < 2**7 else np.int16 if base < 2**15 else np.int32
    symbols = symbol_ids(text, vocab, dtype=symbol_dtype)  # (N,), no escape: vocab is complete
    ids = np.zeros(len(symbols), dtype=np.int32)  # context id per position, length 0
    context_keys = [np.zeros(1, dtype=np.int32)]
    raw: list[_Table] = []
    for j in range(max_order + 1):
        if j > 0:  # one (N,) array at a time: ids are int32, keys int32 when they fit
            key_dtype = _int_dtype(len(context_keys[j - 1]) * base)
            keys = ids.astype(key_dtype, copy=False)  # reuses ids' memory when int32
            del ids
            keys *= base
            keys += _back(symbols, j, base - 1)
            unique, ids = _unique_inverse(keys)
            del keys
            context_keys.append(unique.astype(key_dtype))
        pairs = ids.astype(_int_dtype(len(context_keys[j]) * n_symbols))
        pairs *= n_symbols
        pairs += symbols
        pair_keys, pair_counts = _unique_counts(pairs)
        del pairs
        raw.append(_table(pair_keys, pair_counts, len(context_keys[j]), n_symbols))
    continuation = [_continuation(raw[j + 1].pair_keys, context_keys, j, n_symbols, base)
                    for j in range(max_order)]
    _release_freed_heap()
    return _Counts(vocab, context_keys, raw, continuation)


def _release_freed_heap() -> None:
    """Give freed temporaries back to the OS (glibc's malloc_trim; ~70 MB after the ladder)."""
    try:
        ctypes.CDLL(None).malloc_trim(0)
    except (AttributeError, OSError, TypeError):  # no glibc: nothing to release
        pass


def _continuation(upper_pairs: np.ndarray, context_keys: list[np.ndarray], j: int,
                  n_symbols: int, base: int) -> _Table:
    """Continuation counts at length j: distinct characters seen before each (h, w)."""
    upper_pairs = upper_pairs.astype(np.int64)
    upper_context = context_keys[j + 1][upper_pairs // n_symbols]  # key = parent * base + char
    pairs = (upper_context.astype(np.int64) // base) * n_symbols + upper_pairs % n_symbols
    pair_keys, pair_counts = _unique_counts(pairs)
    return _table(pair_keys, pair_counts, len(context_keys[j]), n_symbols)


class NGramLM(CharLM):
    """Character n-gram model of ``order`` 0 (unigram) to 10; ``n_params``: stored pairs.

    >>> model = NGramLM(2).fit("abracadabra " * 20)
    >>> model.name, model.vocab, model.vocab[int(model.next_probs("ab").argmax())]
    ('ngram-2', ' abcdr', 'r')
    """

    def __init__(self, order: int) -> None:
        if not isinstance(order, (int, np.integer)) or not 0 <= order <= MAX_ORDER:
            raise ValueError(f"order must be an int from 0 (unigram) to {MAX_ORDER}, got {order!r}")
        self.order = int(order)
        self.name = f"ngram-{self.order}"
        self.vocab = ""
        self.n_params = 0
        self._contexts: list[np.ndarray] = []
        self._tables: list[_Table] = []

    def fit(self, text: str) -> NGramLM:
        """Count ``text`` (not empty) and return ``self``; its characters are the vocabulary."""
        self._set_counts(_count(check_text(text, allow_empty=False), self.order))
        return self

    def _set_counts(self, counts: _Counts) -> None:
        """Use the tables of ``counts`` up to this model's order."""
        self.vocab = counts.vocab
        self._contexts = counts.context_keys[: self.order + 1]
        self._tables = [*counts.continuation[: self.order], counts.raw[self.order]]
        self.n_params = int(sum(len(t.pair_keys) for t in self._tables))

    # --- the CharLM core ----------------------------------------------------------------
    def initial_state(self, batch: int = 1) -> np.ndarray:
        """(batch, order) int64: the last ``order`` symbols, beginning-of-block at first."""
        self._check_fitted()
        return np.full((batch, self.order), self.n_symbols, dtype=np.int64)

    def advance(self, state: np.ndarray, symbols: np.ndarray) -> np.ndarray:
        """The new last ``order`` symbols of each stream (a new array)."""
        symbols = np.asarray(symbols, dtype=np.int64).reshape(-1, 1)
        return np.concatenate([state, symbols], axis=1)[:, 1:]

    def probs(self, state: np.ndarray) -> np.ndarray:
        """float64 (batch, n_symbols), computed for every symbol at once."""
        self._check_fitted()
        state = np.asarray(state, dtype=np.int64)
        p = np.full((len(state), self.n_symbols), 1.0 / self.n_symbols)
        for j, ids in enumerate(self._context_ids(state[:, ::-1].T, len(state))):
            if not np.any(ids >= 0):
                break  # no stream has a context this long: longer ones are unseen too
            kept, total, gamma = _dense_kept(self._tables[j], ids, self.n_symbols)
            p = np.where(ids[:, None] >= 0, (kept + gamma * p) / total, p)
        return p

    def code_lengths(self, text: str, *, block_chars: int = BLOCK_CHARS) -> np.ndarray:
        """Same values as :meth:`CharLM.code_lengths`, computed for all positions at once."""
        self._check_fitted()
        symbols = self.symbols(text)
        if block_chars < 1:
            raise ValueError(f"block_chars must be >= 1, got {block_chars}")
        backs = [_back(symbols, j, self.n_symbols, block_chars) for j in range(1, self.order + 1)]
        p = np.full(len(symbols), 1.0 / self.n_symbols)
        for j, ids in enumerate(self._context_ids(backs, len(symbols))):
            kept = _pair_kept(self._tables[j], ids * self.n_symbols + symbols)
            p = _interpolate(self._tables[j], ids, kept, p)
        return self._add_escape_bits(-np.log2(p), text, symbols)

    def weight_arrays(self) -> tuple[np.ndarray, ...]:
        """The context keys and count tables (a compressed file's fingerprint hashes them)."""
        return (*self._contexts, *(a for t in self._tables
                                   for a in (t.pair_keys, t.pair_counts, t.discounts)))

    def _context_ids(self, backs: Any, n: int) -> list[np.ndarray]:
        """Context ids (-1: unseen) of lengths 0..order; ``backs[j - 1]``: symbols j back."""
        base = self.n_symbols + 1
        ids = np.zeros(n, dtype=np.int64)
        out = [ids]
        for j in range(1, self.order + 1):
            queries = np.where(ids >= 0, ids * base + backs[j - 1], -1)
            ids = _lookup(self._contexts[j], queries)
            out.append(ids)
        return out

    def _check_fitted(self) -> None:
        """ValueError unless :meth:`fit` was called."""
        if not self.vocab:
            raise ValueError(f"{self.name} is not fitted; call .fit(text) first")


def fit_ngram_ladder(text: str, *, max_order: int = MAX_ORDER) -> list[NGramLM]:
    """Models of every order 0..max_order on ``text`` (``models[k]``: order k), counted once
    (they share their lower-order tables: about the cost of the largest order alone).

    >>> [m.order for m in fit_ngram_ladder("to be or not to be", max_order=3)]
    [0, 1, 2, 3]
    """
    counts = _count(check_text(text, allow_empty=False), NGramLM(max_order).order)
    models = [NGramLM(k) for k in range(max_order + 1)]
    for model in models:
        model._set_counts(counts)
    return models


def ladder_code_lengths(models: list[NGramLM], text: str) -> np.ndarray:
    """float64 (len(models), len(text)): row k is ``models[k].code_lengths(text)``, faster.

    ``models`` is one :func:`fit_ngram_ladder` result (else ValueError), sharing look-ups.
    """
    top = models[-1]
    shared = all(
        m.order == k
        and all(a is b for a, b in zip(m._contexts, top._contexts[: k + 1], strict=True))
        and all(a is b for a, b in zip(m._tables[:k], top._tables[:k], strict=True))
        for k, m in enumerate(models)
    )
    if not shared:
        raise ValueError("models must be the list returned by one fit_ngram_ladder call")
    symbols = top.symbols(text)
    backs = [_back(symbols, j, top.n_symbols) for j in range(1, top.order + 1)]
    lower = np.full(len(symbols), 1.0 / top.n_symbols)  # continuation chain below order k
    bits = np.zeros((len(models), len(symbols)))
    for k, ids in enumerate(top._context_ids(backs, len(symbols))):
        keys = ids * top.n_symbols + symbols
        raw = models[k]._tables[k]
        bits[k] = -np.log2(_interpolate(raw, ids, _pair_kept(raw, keys), lower))
        if k < top.order:
            cont = top._tables[k]
            lower = _interpolate(cont, ids, _pair_kept(cont, keys), lower)
    return top._add_escape_bits(bits, text, symbols)
