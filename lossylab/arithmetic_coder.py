"""Arithmetic coding by hand: integer registers, one interval narrowed symbol by symbol.

The coder keeps an interval ``[low, high]`` of 32-bit integers standing for part of
[0, 1); coding a symbol whose slice is ``[cum_low, cum_high)`` of ``total`` (integer
frequencies) narrows it to that slice. When the interval sits in one half, the leading bit
of every number inside is settled: it is sent and the interval doubled; when it straddles
the middle inside the two central quarters, it is doubled too and a *pending* bit, sent
(inverted) after the next settled bit, remembered. A text of probability ``P`` costs about
``-log2 P + 2`` bits. The decoder mirrors every step; ``lossylab.coding`` drives the coder
with a language model, whose probabilities it rounds to integer frequencies. Left out compared
with a production coder: carry-less range-coder tricks and byte-wise output (``constriction``).

References
----------
Witten, I. H., Neal, R. M. and Cleary, J. G. (1987). Arithmetic coding for data compression.
*Communications of the ACM* 30(6), 520-540. MacKay, D. J. C. (2003), chapter 6.
"""

from __future__ import annotations

import numpy as np

__all__ = ["ArithmeticDecoder", "ArithmeticEncoder"]

_CODE_BITS = 32  # width of the low/high registers
_FULL = (1 << _CODE_BITS) - 1
_HALF = 1 << (_CODE_BITS - 1)
_QUARTER = 1 << (_CODE_BITS - 2)


class ArithmeticEncoder:
    """Integer arithmetic encoder (Witten, Neal and Cleary 1987), 32-bit registers.

    >>> cumulative = [0, 2, 3, 4]  # frequencies [2, 1, 1] out of a total of 4
    >>> encoder = ArithmeticEncoder()
    >>> for symbol in [0, 2, 1]:
    ...     encoder.encode(cumulative[symbol], cumulative[symbol + 1], 4)
    >>> encoder.finish(), len(encoder.bits)  # 1 + 2 + 2 = 5 bits of information, 2 to finish
    (b'r', 7)
    """

    def __init__(self) -> None:
        self.low, self.high = 0, _FULL
        self.pending = 0
        self.bits: list[int] = []

    def _emit(self, bit: int) -> None:
        """Send ``bit``, then the pending bits (inverted)."""
        self.bits.append(bit)
        self.bits.extend([1 - bit] * self.pending)
        self.pending = 0

    def encode(self, cum_low: int, cum_high: int, total: int) -> None:
        """Narrow the interval to the slice ``[cum_low, cum_high)`` of ``total`` (<= 2**30)."""
        width = self.high - self.low + 1
        self.high = self.low + width * cum_high // total - 1
        self.low = self.low + width * cum_low // total
        while True:
            if self.high < _HALF:  # both in the lower half: the next bit is 0
                self._emit(0)
            elif self.low >= _HALF:  # both in the upper half: the next bit is 1
                self._emit(1)
                self.low -= _HALF
                self.high -= _HALF
            elif self.low >= _QUARTER and self.high < 3 * _QUARTER:  # straddling the middle
                self.pending += 1
                self.low -= _QUARTER
                self.high -= _QUARTER
            else:
                return
            self.low, self.high = 2 * self.low, 2 * self.high + 1  # zoom in by 2

    def finish(self) -> bytes:
        """Send two more bits that pin a number inside the final interval; return the bytes."""
        self.pending += 1
        self._emit(0 if self.low < _QUARTER else 1)
        return np.packbits(np.array(self.bits, dtype=np.uint8)).tobytes()


class ArithmeticDecoder:
    """The decoder matching :class:`ArithmeticEncoder`; reads zeros past the end of data.

    >>> decoder = ArithmeticDecoder(b'r')
    >>> [decoder.decode(np.array([0, 2, 3, 4])) for _ in range(3)]
    [0, 2, 1]
    """

    def __init__(self, data: bytes) -> None:
        self.bits = np.unpackbits(np.frombuffer(data, dtype=np.uint8)).tolist()
        self.position = 0
        self.low, self.high = 0, _FULL
        self.value = 0
        for _ in range(_CODE_BITS):
            self.value = 2 * self.value + self._next_bit()

    def _next_bit(self) -> int:
        """The next bit of the data (0 past its end)."""
        bit = self.bits[self.position] if self.position < len(self.bits) else 0
        self.position += 1
        return bit

    def decode(self, cumulative: np.ndarray) -> int:
        """Read one symbol; ``cumulative`` is int (n_symbols + 1,) from 0 up to the total."""
        total = int(cumulative[-1])
        width = self.high - self.low + 1
        target = ((self.value - self.low + 1) * total - 1) // width
        symbol = int(np.searchsorted(cumulative, target, side="right")) - 1
        cum_low, cum_high = int(cumulative[symbol]), int(cumulative[symbol + 1])
        self.high = self.low + width * cum_high // total - 1
        self.low = self.low + width * cum_low // total
        while True:
            if self.high < _HALF:
                pass
            elif self.low >= _HALF:
                self.low, self.high, self.value = self.low - _HALF, self.high - _HALF, \
                    self.value - _HALF
            elif self.low >= _QUARTER and self.high < 3 * _QUARTER:
                self.low, self.high, self.value = self.low - _QUARTER, self.high - _QUARTER, \
                    self.value - _QUARTER
            else:
                return symbol
            self.low, self.high = 2 * self.low, 2 * self.high + 1
            self.value = 2 * self.value + self._next_bit()
