"""Memorization: how much of a sample is copied from the training text."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # pragma: no cover - imported lazily by __getattr__ at the end
    pass
from typing import TYPE_CHECKING

from lossylab.lm import _check_text, _codepoints

# --- memorization: how much of a sample is copied from the training text ------------------

_WORD = re.compile(r"[a-z]+(?:'[a-z]+)*")


@dataclass(frozen=True)
class Memorization:
    """How much of a sample is verbatim training text.

    Attributes
    ----------
    longest_verbatim_chars : int
        Length of the longest substring of the sample found verbatim in the training text.
    ngram_in_train_fraction : float
        Fraction of the sample's character n-grams (n = ``TrainingIndex.n``) found in it.
    invented_word_fraction : float
        Fraction of the sample's words (lower-cased letters and apostrophes) that never
        occur in the training text; a word cut by the end of the sample is not counted.
    """

    longest_verbatim_chars: int
    ngram_in_train_fraction: float
    invented_word_fraction: float


class TrainingIndex:
    """Fast look-ups into a training text: which substrings of a sample occur in it.

    Every n-gram of the training text gets an integer code (base ``len(vocab) + 1``);
    the codes are sorted once, with their positions. An m-gram (m <= n) occurs in the
    text iff some n-gram code falls in its code range (one ``searchsorted``), and longer
    matches are extended from the positions of their first n-gram, character by character.
    (An m-gram that occurs only within the last n - 1 characters of the text is missed.)

    Parameters
    ----------
    train : str
        The training text.
    n : int, keyword-only
        Length of the indexed n-grams (8 by default); also the n of
        :meth:`ngram_in_train_fraction`.

    Examples
    --------
    >>> index = TrainingIndex("the cat sat on the mat.")
    >>> found = index.memorization("a cat sat on the hat.")
    >>> found.longest_verbatim_chars  # " cat sat on the "
    16
    >>> round(found.ngram_in_train_fraction, 3), found.invented_word_fraction  # a, hat
    (0.643, 0.3333333333333333)
    """

    def __init__(self, train: str, *, n: int = 8) -> None:
        self.train = _check_text(train, name="train")
        self.n = int(n)
        self.vocab = "".join(sorted(set(train)))
        self.base = len(self.vocab) + 1  # symbols 0..len(vocab)-1, len(vocab) = unseen
        if self.base ** self.n >= 2**63:
            raise ValueError(f"n={self.n} is too large for {self.base - 1} distinct characters; "
                             "use a smaller n")
        self._train_symbols = self._symbols(train)
        codes = self._codes(self._train_symbols, self.n)  # (len(train) - n + 1,)
        self._positions = np.argsort(codes, kind="stable")
        self._sorted = codes[self._positions]
        self.words = frozenset(_WORD.findall(train.lower()))

    def _symbols(self, text: str) -> np.ndarray:
        known = _codepoints(self.vocab)
        cps = _codepoints(text)
        if len(known) == 0:
            return np.zeros(len(cps), dtype=np.int64)
        idx = np.minimum(np.searchsorted(known, cps), len(known) - 1)
        return np.where(known[idx] == cps, idx, len(known)).astype(np.int64)

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
        symbols = self._symbols(_check_text(sample, name="sample"))
        best = 0
        for m in range(1, self.n + 1):
            lo, hi = self._ranges(symbols, m)
            if not np.any(hi > lo):
                return best
            best = m
        lo, hi = self._ranges(symbols, self.n)
        for start in np.flatnonzero(hi > lo):
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
        lo, hi = self._ranges(self._symbols(_check_text(sample, name="sample")), self.n)
        return float(np.mean(hi > lo)) if len(lo) else 0.0

    def invented_word_fraction(self, sample: str) -> float:
        """Fraction of the sample's complete words never seen in the training text."""
        text = _check_text(sample, name="sample").lower()
        words = _WORD.findall(text)
        if words and text[-1:].isalpha():
            words = words[:-1]  # the last word may be cut by the end of the sample
        return float(np.mean([w not in self.words for w in words])) if words else 0.0

    def memorization(self, sample: str) -> Memorization:
        """All three measures for one sample."""
        return Memorization(self.longest_verbatim(sample), self.ngram_in_train_fraction(sample),
                            self.invented_word_fraction(sample))
