"""Memorization: how much of a sample is copied verbatim from the training text.

A model can compress its training text by generalizing (learning the rules) or by
memorizing (storing the text). Three measures of a sample tell them apart: its longest
substring found verbatim in the training text, the fraction of its character n-grams
found there, and the fraction of its words the training text never uses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from lossylab.lm import check_text, symbol_ids

__all__ = ["TrainingIndex"]

_WORD = re.compile(r"[a-z]+(?:'[a-z]+)*")


@dataclass(frozen=True)
class _Memorization:
    """The three measures of :meth:`TrainingIndex.memorization` for one sample."""

    longest_verbatim_chars: int
    ngram_in_train_fraction: float
    invented_word_fraction: float


class TrainingIndex:
    """Fast look-ups into a training text: which substrings of a sample occur in it.

    Every n-gram of ``train`` gets an integer code, sorted once with its positions: an m-gram
    (m <= n) occurs iff a code falls in its range (one ``searchsorted``; the last n - 1
    characters are missed); longer matches extend from the positions of their first n-gram.

    >>> index = TrainingIndex("the cat sat on the mat.")
    >>> found = index.memorization("a cat sat on the hat.")
    >>> found.longest_verbatim_chars  # " cat sat on the "
    16
    >>> round(found.ngram_in_train_fraction, 3), found.invented_word_fraction  # a, hat
    (0.643, 0.3333333333333333)
    """

    def __init__(self, train: str, *, n: int = 8) -> None:
        self.train = check_text(train, name="train")
        self.n = int(n)
        self.vocab = "".join(sorted(set(train)))
        self.base = len(self.vocab) + 1  # symbols 0..len(vocab)-1, len(vocab) = unseen
        if self.base ** self.n >= 2**63:
            raise ValueError(f"n={self.n} is too large for {self.base - 1} distinct characters; "
                             "use a smaller n")
        self._train_symbols = symbol_ids(train, self.vocab)
        codes = self._codes(self._train_symbols, self.n)  # (len(train) - n + 1,)
        self._positions = np.argsort(codes, kind="stable")
        self._sorted = codes[self._positions]
        self.words = frozenset(_WORD.findall(train.lower()))

    def _codes(self, symbols: np.ndarray, m: int) -> np.ndarray:
        """int64 code of the m-gram starting at each position: (len(symbols) - m + 1,)."""
        codes = symbols[: max(len(symbols) - m + 1, 0)].copy()
        for k in range(1, m):
            codes = codes * self.base + symbols[k: k + len(codes)]
        return codes

    def _ranges(self, symbols: np.ndarray, m: int) -> tuple[np.ndarray, np.ndarray]:
        """[lo, hi) ranges in the sorted n-gram codes of the n-grams starting with each m-gram."""
        scale = self.base ** (self.n - m)
        codes = self._codes(symbols, m)
        return (np.searchsorted(self._sorted, codes * scale),
                np.searchsorted(self._sorted, (codes + 1) * scale))

    def longest_verbatim(self, sample: str) -> int:
        """Length of the longest substring of ``sample`` that occurs in the training text."""
        symbols = symbol_ids(check_text(sample, name="sample"), self.vocab)
        best = 0
        for m in range(1, self.n + 1):
            lo, hi = self._ranges(symbols, m)
            if not np.any(hi > lo):
                return best
            best = m
        for start in np.flatnonzero(hi > lo):  # lo, hi: the ranges of m = n, from the loop
            if len(symbols) - start <= best:
                break  # too close to the end to beat the best match
            positions = self._positions[lo[start]: hi[start]]  # where its n-gram occurs
            best = max(best, self._extend(symbols, int(start), positions))
        return best

    def _extend(self, symbols: np.ndarray, start: int, positions: np.ndarray) -> int:
        """Longest match of ``symbols[start:]`` at any of ``positions`` (all match n chars)."""
        length, alive = self.n, positions
        while start + length < len(symbols) and len(alive):
            ahead = alive + length
            alive = alive[(ahead < len(self._train_symbols))]
            alive = alive[self._train_symbols[alive + length] == symbols[start + length]]
            length += 1 if len(alive) else 0
        return length

    def ngram_in_train_fraction(self, sample: str) -> float:
        """Fraction of the sample's character n-grams that occur in the training text."""
        lo, hi = self._ranges(symbol_ids(check_text(sample, name="sample"), self.vocab), self.n)
        return float(np.mean(hi > lo)) if len(lo) else 0.0

    def invented_word_fraction(self, sample: str) -> float:
        """Fraction of the sample's complete words never seen in the training text."""
        text = check_text(sample, name="sample").lower()
        words = _WORD.findall(text)
        if words and text[-1:].isalpha():
            words = words[:-1]  # the last word may be cut by the end of the sample
        return float(np.mean([w not in self.words for w in words])) if words else 0.0

    def memorization(self, sample: str) -> _Memorization:
        """The three measures, frozen: ``longest_verbatim_chars`` and the two fractions.

        Words are lower-cased letters and apostrophes; one cut by the sample's end is left out.
        """
        return _Memorization(self.longest_verbatim(sample), self.ngram_in_train_fraction(sample),
                            self.invented_word_fraction(sample))
