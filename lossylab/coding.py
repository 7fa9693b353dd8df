"""Arithmetic coding with a language model: from bits per character to real bytes.

A model that gives the next character probability ``p`` can code it in about
``-log2 p`` bits. Arithmetic coding makes that exact for a whole text: start with
the interval [0, 1); for each character, cut the current interval into one slice
per symbol, with widths proportional to the model's probabilities, and keep the
slice of the character that actually comes. After the text, the interval has width
``prod_t p(x_t | x_<t)``, and any number inside it that can be written with about
``sum_t -log2 p(x_t | x_<t)`` binary digits identifies the whole text. A decoder
with the same model rebuilds the same slices and reads the characters back.

This module has three parts (and a few lines of bookkeeping at the end):

1. **The lesson**: a short integer arithmetic coder (:class:`ArithmeticEncoder`,
   :class:`ArithmeticDecoder`) in the style of Witten, Neal and Cleary (1987): 32-bit
   ``low``/``high`` registers, a bit is sent as soon as both agree on it, and the
   "pending bits" trick handles an interval straddling the middle. It works on integer
   frequency tables, made from the model's float probabilities by
   :func:`quantize_probs`; :func:`interval_narrowing` returns the narrowing steps of a
   short string for drawing.
2. **A file format**: a small header (magic, format version, coder, model name and
   fingerprint, text length, checksums) so that a damaged or foreign byte string, or
   the wrong model, gives a clear ``ValueError`` instead of garbage.
3. **compress / decompress**: the model is stepped through the text with
   :class:`lossylab.lm.BlockStepper`, the same loop that computes
   :meth:`lossylab.lm.CharLM.code_lengths`, so encoder and decoder see bit-identical
   probabilities. The fast path uses the range coder of ``constriction`` (Bamler
   2022); ``coder="arithmetic"`` uses the pure-Python coder above (slow, but every
   line is readable). Characters outside the model's vocabulary are coded as the
   escape symbol followed by their UTF-8 bytes at 8 bits each.

At the end, the arithmetic of paying for the model: :func:`adjusted_bits_per_char`,
:func:`break_even_chars` against a reference coder, and :func:`gzip_bits_per_char`.

Stream layout (both coders): the symbols step by step (at step ``t``, character
``t`` of every block that is still running, block by block), then the UTF-8 bytes of
the escaped characters in text order. The model reads the escape symbol, not the
character behind it, so the bytes do not change its probabilities and can come last.

What this leaves out compared with a production coder (e.g. the one in ``xz`` or a
neural compressor like NNCP): adaptive models updated while coding, carry-less
range-coder tricks for speed, and any error *correction* (a damaged file is only
detected by CRC-32 checksums, never repaired).

References
----------
Witten, I. H., Neal, R. M. and Cleary, J. G. (1987). Arithmetic coding for data
compression. *Communications of the ACM* 30(6), 520-540.
Bamler, R. (2022). Understanding entropy coding with asymmetric numeral systems
(ANS): a statistician's perspective. arXiv:2201.01741 (the ``constriction`` library).
MacKay, D. J. C. (2003). *Information Theory, Inference, and Learning Algorithms*,
chapter 6 (stream codes).
"""

from __future__ import annotations

import hashlib
import struct
import zlib
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from lossylab.lm import BlockStepper, CharLM

PRECISION_BITS = 24  # integer frequency tables sum to 2**24 (as constriction's default)
CODE_BITS = 32  # width of the low/high registers of the hand-written coder
_FULL = (1 << CODE_BITS) - 1
_HALF = 1 << (CODE_BITS - 1)
_QUARTER = 1 << (CODE_BITS - 2)

MAGIC = b"LLAB"
FORMAT_VERSION = 1
CODERS = ("range", "arithmetic")
_BYTE_TOTAL = 256  # escaped characters' UTF-8 bytes: uniform over 256 values


# --- 1. the lesson: integer arithmetic coding -------------------------------------------


def quantize_probs(p_model: np.ndarray, *, precision_bits: int = PRECISION_BITS) -> np.ndarray:
    """Turn float probabilities into integer frequencies that sum to ``2**precision_bits``.

    Parameters
    ----------
    p_model : numpy.ndarray
        float, shape (n_symbols,) or (batch, n_symbols); non-negative, finite, each row
        with a positive sum (rows need not be normalized).
    precision_bits : int, keyword-only
        1 to 30; the total of every row is ``2**precision_bits``.

    Returns
    -------
    numpy.ndarray
        int64, same shape: every entry >= 1 (so every symbol stays codable), rows sum to
        ``2**precision_bits``.

    Raises
    ------
    ValueError
        If the probabilities are not finite and non-negative, a row sums to 0, or there
        are more symbols than ``2**precision_bits``.

    Notes
    -----
    Every symbol first gets 1; the remaining ``2**k - n`` counts are shared in
    proportion to ``p``: ``floor(p_i * (2**k - n))``, and the counts lost to flooring go
    to the largest fractional parts (ties to the lower symbol). The rule is
    deterministic, so an encoder and a decoder given bit-identical ``p`` agree. The
    cost over ``-log2 p`` is at most about ``n / 2**k`` of the probability mass.

    Examples
    --------
    >>> quantize_probs(np.array([0.5, 0.3, 0.2, 0.0]), precision_bits=4).tolist()
    [7, 5, 3, 1]
    """
    if not isinstance(precision_bits, (int, np.integer)) or not 1 <= precision_bits <= 30:
        raise ValueError(f"precision_bits must be an int from 1 to 30, got {precision_bits!r}")
    p = np.asarray(p_model, dtype=np.float64)
    rows = np.atleast_2d(p)  # (batch, n_symbols)
    total, n_symbols = 1 << int(precision_bits), rows.shape[-1]
    if rows.ndim != 2 or n_symbols == 0 or n_symbols > total:
        raise ValueError(
            f"p_model must have shape (n_symbols,) or (batch, n_symbols) with 1 to "
            f"2**precision_bits = {total} symbols, got shape {p.shape}; raise precision_bits"
        )
    sums = rows.sum(axis=1, keepdims=True)
    if not (np.all(np.isfinite(rows)) and np.all(rows >= 0) and np.all(sums > 0)):
        raise ValueError("p_model must be finite and non-negative with every row summing to > 0")
    scaled = rows / sums * (total - n_symbols)  # (batch, n_symbols) float64
    freqs = np.floor(scaled).astype(np.int64)
    short = total - n_symbols - freqs.sum(axis=1, keepdims=True)  # counts still to hand out
    order = np.argsort(-(scaled - freqs), axis=1, kind="stable")
    rank = np.empty_like(order)
    np.put_along_axis(rank, order, np.arange(n_symbols)[None, :], axis=1)
    freqs += 1 + (rank < short)
    return freqs.reshape(p.shape)


class ArithmeticEncoder:
    """Integer arithmetic encoder (Witten, Neal and Cleary 1987), 32-bit registers.

    The current interval is ``[low, high]`` (inclusive, integers in ``0 .. 2**32 - 1``).
    :meth:`encode` narrows it to the slice ``[cum_low, cum_high)`` out of ``total``;
    whenever the interval sits entirely in one half, the leading bit is settled and
    sent; when it straddles the middle inside the two central quarters, it is widened
    and a "pending" bit is remembered, sent (inverted) after the next settled bit.

    Examples
    --------
    >>> cumulative = [0, 2, 3, 4]  # frequencies [2, 1, 1] out of a total of 4
    >>> encoder = ArithmeticEncoder()
    >>> for symbol in [0, 2, 1]:
    ...     encoder.encode(cumulative[symbol], cumulative[symbol + 1], 4)
    >>> data = encoder.finish()
    >>> data, len(encoder.bits)  # 1 + 2 + 2 = 5 bits of information, 2 to finish
    (b'r', 7)
    """

    def __init__(self) -> None:
        self.low, self.high = 0, _FULL
        self.pending = 0
        self.bits: list[int] = []

    def _emit(self, bit: int) -> None:
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

    Examples
    --------
    >>> decoder = ArithmeticDecoder(b'r')
    >>> [decoder.decode(np.array([0, 2, 3, 4])) for _ in range(3)]
    [0, 2, 1]
    """

    def __init__(self, data: bytes) -> None:
        self.bits = np.unpackbits(np.frombuffer(data, dtype=np.uint8)).tolist()
        self.position = 0
        self.low, self.high = 0, _FULL
        self.value = 0
        for _ in range(CODE_BITS):
            self.value = 2 * self.value + self._next_bit()

    def _next_bit(self) -> int:
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


@dataclass(frozen=True)
class NarrowingStep:
    """One character of :func:`interval_narrowing`.

    ``low``/``high`` is the interval after the character (absolute, inside [0, 1));
    ``slice_low``/``slice_high`` is where the character's slice sits inside the
    previous interval (relative, in [0, 1]); ``cumulative`` (n_symbols + 1,) are all
    the slice boundaries of that step (relative); ``bits = -log2(slice width)``.
    """

    char: str
    symbol: int
    low: float
    high: float
    slice_low: float
    slice_high: float
    cumulative: np.ndarray
    bits: float


@dataclass(frozen=True)
class Narrowing:
    """The result of :func:`interval_narrowing`: the steps, the final interval and a code.

    ``code`` is the shortest binary fraction ``0.b1b2...`` whose whole dyadic interval
    ``[code, code + 2**-len(code))`` lies inside the final interval: that bit string
    alone identifies the text. ``ideal_bits`` is ``-log2(high - low)``, summed step by
    step. ``low`` and ``high`` are rounded to floats: beyond about 50 bits of information
    they become equal, while ``code`` stays exact (computed with fractions).
    """

    steps: tuple[NarrowingStep, ...]
    low: float
    high: float
    ideal_bits: float
    code: str


def _shortest_code(low: Fraction, high: Fraction) -> str:
    """Shortest bit string b with [0.b, 0.b + 2**-len(b)) inside [low, high)."""
    n_bits = 0
    while True:
        n_bits += 1
        scale = 1 << n_bits
        start = -(-low.numerator * scale // low.denominator)  # ceil(low * 2**n)
        if Fraction(start + 1, scale) <= high:
            return format(start, f"0{n_bits}b")


def interval_narrowing(text: str, model: CharLM, *,
                       precision_bits: int = PRECISION_BITS) -> Narrowing:
    """The interval-narrowing steps of arithmetic coding for a short text (exact fractions).

    Parameters
    ----------
    text : str
        A short text (1 to 64 characters, one block); unseen characters become the escape
        (their UTF-8 bytes are not part of this picture).
    model : CharLM
    precision_bits : int, keyword-only
        Precision of the integer frequency tables (:func:`quantize_probs`).

    Returns
    -------
    Narrowing

    Raises
    ------
    ValueError
        If ``text`` is empty or longer than 64 characters.

    Notes
    -----
    ``low_t = low_{t-1} + width_{t-1} * C(x_t) / T`` and
    ``width_t = width_{t-1} * f(x_t) / T``, where ``f`` are the integer frequencies,
    ``C`` their running sum and ``T = 2**precision_bits``.
    """
    if not isinstance(text, str) or not 1 <= len(text) <= 64:
        raise ValueError(f"text must be a str of 1 to 64 characters, got {text!r:.80}")
    symbols = model.symbols(text)
    stepper = BlockStepper(model, len(text))
    low, width, total = Fraction(0), Fraction(1), 1 << precision_bits
    steps = []
    for char, symbol in zip(text, symbols.tolist(), strict=True):
        cumulative = np.concatenate([[0], np.cumsum(quantize_probs(
            stepper.probs(), precision_bits=precision_bits)[0])])  # (n_symbols + 1,)
        slice_low, slice_high = Fraction(int(cumulative[symbol]), total), \
            Fraction(int(cumulative[symbol + 1]), total)
        low, width = low + width * slice_low, width * (slice_high - slice_low)
        steps.append(NarrowingStep(char, symbol, float(low), float(low + width),
                                   float(slice_low), float(slice_high), cumulative / total,
                                   -np.log2(float(slice_high - slice_low))))
        stepper.advance(np.array([symbol]))
    ideal_bits = float(sum(step.bits for step in steps))
    return Narrowing(tuple(steps), float(low), float(low + width), ideal_bits,
                     _shortest_code(low, low + width))


# --- 2. the file format ----------------------------------------------------------------


@dataclass(frozen=True)
class Header:
    """What a decoder needs besides the model: read with :func:`read_header`.

    Layout (little-endian): magic ``b"LLAB"``, version (u8), coder (u8), model-name
    length (u8) and UTF-8 name, model fingerprint (8 bytes), number of characters
    (u32), CRC-32 of the text's UTF-8 (u32), payload length in bytes (u32), CRC-32 of
    the payload (u32), CRC-32 of all the preceding header bytes (u32). The payload
    follows. The checksums make any damage a ``ValueError`` before decoding starts
    (payload CRC) and catch a model that does not reproduce its probabilities (text CRC).
    """

    coder: str
    model_name: str
    fingerprint: bytes
    n_chars: int
    text_crc: int
    payload_bytes: int
    payload_crc: int
    n_bytes: int  # size of the header itself


def model_fingerprint(model: CharLM) -> bytes:
    """8 bytes identifying a model: SHA-256 of its name, vocab, size and first prediction.

    The first prediction (``probs`` of a fresh state, float64) tells apart models with
    the same name and shape but different weights (e.g. quantized ones).
    """
    digest = hashlib.sha256()
    digest.update(model.name.encode("utf-8", "surrogatepass"))
    digest.update(model.vocab.encode("utf-8", "surrogatepass"))
    digest.update(struct.pack("<Q", int(model.n_params)))
    first = np.ascontiguousarray(model.probs(model.initial_state(1)), dtype="<f8")
    digest.update(first.tobytes())
    return digest.digest()[:8]


def _utf8(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")  # lone surrogates round-trip too


def _pack_header(coder: str, model: CharLM, text: str, payload: bytes) -> bytes:
    name = model.name.encode("utf-8", "surrogatepass")
    if len(name) > 255 or len(text) >= 2**32 or len(payload) >= 2**32:
        raise ValueError("model name (<= 255 bytes) or text (< 2**32 characters) too long")
    head = MAGIC + struct.pack("<BBB", FORMAT_VERSION, CODERS.index(coder), len(name)) + name
    head += model_fingerprint(model)
    head += struct.pack("<IIII", len(text), zlib.crc32(_utf8(text)), len(payload),
                        zlib.crc32(payload))
    return head + struct.pack("<I", zlib.crc32(head))


def read_header(data: bytes) -> Header:
    """Parse and check the header of a byte string made by :func:`compress`.

    Raises
    ------
    ValueError
        If ``data`` is too short, is not lossylab-compressed data (wrong magic), has an
        unknown version or coder, a damaged header or payload (CRC mismatch), or a
        payload whose length differs from the one recorded (truncated or extended data).
    """
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError(f"data must be bytes (from compress), got {type(data).__name__}")
    data = bytes(data)
    if data[:4] != MAGIC:
        raise ValueError(
            f"data does not start with {MAGIC!r} (got {data[:4]!r}): it was not made by "
            "lossylab.coding.compress, or its first bytes are damaged"
        )
    if len(data) < 7 or len(data) < 7 + data[6] + 28:
        raise ValueError(f"data is truncated: only {len(data)} bytes, not even a full header")
    end = 7 + data[6] + 24  # end of the fields covered by the header CRC
    (header_crc,) = struct.unpack_from("<I", data, end)
    if zlib.crc32(data[:end]) != header_crc:
        raise ValueError("the header is damaged (its CRC-32 does not match); data is corrupt")
    version, coder_id, name_len = data[4], data[5], data[6]
    if version != FORMAT_VERSION or coder_id >= len(CODERS):
        raise ValueError(
            f"unsupported format version {version} / coder {coder_id}: this lossylab "
            f"reads version {FORMAT_VERSION} with coders {CODERS}; upgrade lossylab"
        )
    name = data[7: 7 + name_len].decode("utf-8", "surrogatepass")
    n_chars, text_crc, payload_bytes, payload_crc = struct.unpack_from("<IIII", data,
                                                                        15 + name_len)
    header = Header(CODERS[coder_id], name, data[7 + name_len: 15 + name_len], n_chars,
                    text_crc, payload_bytes, payload_crc, end + 4)
    if len(data) - header.n_bytes != payload_bytes:
        raise ValueError(
            f"the payload has {len(data) - header.n_bytes} bytes but the header records "
            f"{payload_bytes}: the data was truncated or has extra bytes appended"
        )
    if zlib.crc32(data[header.n_bytes:]) != payload_crc:
        raise ValueError("the payload is damaged (its CRC-32 does not match); data is corrupt")
    return header


def _check_model(header: Header, model: CharLM) -> None:
    if header.model_name != model.name:
        raise ValueError(
            f"data was compressed with model {header.model_name!r} but you passed "
            f"{model.name!r}; decompress with the same model"
        )
    if header.fingerprint != model_fingerprint(model):
        raise ValueError(
            f"data was compressed with a different model also named {model.name!r} "
            "(fingerprint mismatch: other vocab, size or weights); use the very same model"
        )


# --- 3. compress / decompress ----------------------------------------------------------


def _check_inputs(text: Any, model: Any) -> None:
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}; decode bytes first")
    if not isinstance(model, CharLM):
        raise TypeError(
            f"model must be a lossylab.lm.CharLM, got {type(model).__name__}; e.g. "
            "lossylab.neural.load_pretrained(name) or lossylab.ngram.NGramLM"
        )


def _escape_bytes(text: str, symbols: np.ndarray, escape: int) -> bytes:
    """UTF-8 bytes of the escaped characters, in text order."""
    return b"".join(_utf8(text[i]) for i in np.flatnonzero(symbols == escape).tolist())


def _utf8_length(lead: int) -> int:
    """Length of a UTF-8 sequence from its lead byte (0 if it cannot start one)."""
    for limit, length in ((0x80, 1), (0xC2, 0), (0xE0, 2), (0xF0, 3), (0xF5, 4)):
        if lead < limit:
            return length
    return 0


def _read_escaped(read_byte: Any, n_escaped: int, vocab: str) -> list[str]:
    """Decode ``n_escaped`` UTF-8 characters, each from ``read_byte()`` calls."""
    chars = []
    for _ in range(n_escaped):
        lead = read_byte()
        length = _utf8_length(lead)
        raw = bytes([lead] + [read_byte() for _ in range(length - 1)]) if length else b""
        try:
            char = raw.decode("utf-8", "surrogatepass")
        except UnicodeDecodeError:
            char = ""
        if len(char) != 1 or char in vocab:
            raise ValueError("the payload is damaged: an escaped character is not valid UTF-8")
        chars.append(char)
    return chars


def _encode_range(model: CharLM, symbols: np.ndarray, extra: bytes) -> bytes:
    import constriction

    queue, family = constriction.stream.queue, constriction.stream.model
    stepper, encoder = BlockStepper(model, len(symbols)), queue.RangeEncoder()
    categorical = family.Categorical(perfect=False)
    grid = stepper.to_blocks(symbols)  # (n_blocks, n_steps) int64
    rows, coded = [], []  # per step: (n_active, n_symbols) float64 and (n_active,) symbols
    for t in range(stepper.n_steps):
        active = stepper.active()
        rows.append(stepper.probs()[active])
        coded.append(grid[active, t])
        if t == stepper.n_steps - 1 or len(rows) * stepper.n_blocks >= 16384:
            # one batched call per chunk: same bits as one call per symbol, much faster
            encoder.encode(np.concatenate(coded).astype(np.int32), categorical,
                           np.concatenate(rows))
            rows, coded = [], []
        stepper.advance(grid[:, t])
    if extra:
        encoder.encode(np.frombuffer(extra, dtype=np.uint8).astype(np.int32),
                       family.Uniform(_BYTE_TOTAL))
    return encoder.get_compressed().astype("<u4").tobytes()


def _decode_range(model: CharLM, payload: bytes, n_chars: int) -> tuple[np.ndarray, Any]:
    import constriction

    queue, family = constriction.stream.queue, constriction.stream.model
    if len(payload) % 4:
        raise ValueError("the payload length is not a multiple of 4 bytes: data is damaged")
    decoder = queue.RangeDecoder(np.frombuffer(payload, dtype="<u4").astype(np.uint32))
    categorical, stepper = family.Categorical(perfect=False), BlockStepper(model, n_chars)
    grid = np.zeros((stepper.n_blocks, stepper.n_steps), dtype=np.int64)
    for t in range(stepper.n_steps):
        active = stepper.active()
        grid[active, t] = decoder.decode(categorical, stepper.probs()[active])
        stepper.advance(grid[:, t])
    uniform = family.Uniform(_BYTE_TOTAL)
    return stepper.from_blocks(grid), lambda: int(decoder.decode(uniform))


def _encode_arithmetic(model: CharLM, symbols: np.ndarray, extra: bytes) -> bytes:
    stepper, encoder = BlockStepper(model, len(symbols)), ArithmeticEncoder()
    grid, total = stepper.to_blocks(symbols), 1 << PRECISION_BITS
    for t in range(stepper.n_steps):
        cumulative = np.cumsum(quantize_probs(stepper.probs()), axis=1)  # (n_blocks, n_symbols)
        for b in np.flatnonzero(stepper.active()).tolist():
            symbol = int(grid[b, t])
            low = int(cumulative[b, symbol - 1]) if symbol else 0
            encoder.encode(low, int(cumulative[b, symbol]), total)
        stepper.advance(grid[:, t])
    for byte in extra:
        encoder.encode(byte, byte + 1, _BYTE_TOTAL)
    return encoder.finish()


def _decode_arithmetic(model: CharLM, payload: bytes, n_chars: int) -> tuple[np.ndarray, Any]:
    stepper, decoder = BlockStepper(model, n_chars), ArithmeticDecoder(payload)
    grid = np.zeros((stepper.n_blocks, stepper.n_steps), dtype=np.int64)
    for t in range(stepper.n_steps):
        freqs = quantize_probs(stepper.probs())  # (n_blocks, n_symbols)
        cumulative = np.concatenate([np.zeros((len(freqs), 1), np.int64),
                                     np.cumsum(freqs, axis=1)], axis=1)
        for b in np.flatnonzero(stepper.active()).tolist():
            grid[b, t] = decoder.decode(cumulative[b])
        stepper.advance(grid[:, t])
    byte_table = np.arange(_BYTE_TOTAL + 1)
    return stepper.from_blocks(grid), lambda: decoder.decode(byte_table)


def compress(text: str, model: CharLM, *, coder: str = "range") -> bytes:
    """Compress ``text`` losslessly with arithmetic coding driven by ``model``.

    Parameters
    ----------
    text : str
        Any Python string: characters outside ``model.vocab`` (emoji, NUL, even lone
        surrogates) are coded as the escape symbol plus their UTF-8 bytes.
    model : CharLM
        The decoder needs the very same model (checked by name and fingerprint).
    coder : {"range", "arithmetic"}, keyword-only
        ``"range"``: constriction's range coder (fast). ``"arithmetic"``: the
        pure-Python coder of this module (readable, ~10x slower).

    Returns
    -------
    bytes
        Header (about 30 bytes plus the model name) followed by the payload.

    Raises
    ------
    TypeError
        If ``text`` is not a str or ``model`` not a CharLM.
    ValueError
        If ``coder`` is unknown.

    Notes
    -----
    The payload is within a few bytes of ``model.code_lengths(text).sum() / 8``.

    Examples
    --------
    >>> from lossylab.ngram import NGramLM
    >>> model = NGramLM(2).fit("abracadabra")
    >>> data = compress("abracadabra!", model)
    >>> decompress(data, model)
    'abracadabra!'
    """
    _check_inputs(text, model)
    if coder not in CODERS:
        raise ValueError(f"coder must be one of {CODERS}, got {coder!r}")
    symbols = model.symbols(text)
    extra = _escape_bytes(text, symbols, model.escape)
    encode = _encode_range if coder == "range" else _encode_arithmetic
    payload = encode(model, symbols, extra) if len(text) else b""
    return _pack_header(coder, model, text, payload) + payload


def decompress(data: bytes, model: CharLM) -> str:
    """Invert :func:`compress`: rebuild the text from the bytes and the same model.

    Parameters
    ----------
    data : bytes
        Output of :func:`compress`.
    model : CharLM
        The model used to compress.

    Returns
    -------
    str

    Raises
    ------
    ValueError
        If ``data`` is not lossylab-compressed data, is truncated or damaged (header or
        text checksum mismatch, invalid payload), or was made with another model.
    TypeError
        If ``model`` is not a CharLM or ``data`` not bytes.
    """
    header = read_header(data)
    _check_inputs("", model)
    _check_model(header, model)
    payload = bytes(data)[header.n_bytes:]
    if header.n_chars == 0:
        return ""
    decode = _decode_range if header.coder == "range" else _decode_arithmetic
    try:
        symbols, read_byte = decode(model, payload, header.n_chars)
        escaped = _read_escaped(read_byte, int(np.sum(symbols == model.escape)), model.vocab)
    except ValueError:
        raise
    except Exception as err:  # constriction reports invalid data with AssertionError etc.
        raise ValueError(f"the payload is damaged and cannot be decoded ({err})") from None
    text = _symbols_to_text(symbols, model, escaped)
    if zlib.crc32(_utf8(text)) != header.text_crc:
        raise ValueError("the payload is damaged: the decoded text fails its CRC-32 check")
    return text


def _symbols_to_text(symbols: np.ndarray, model: CharLM, escaped: list[str]) -> str:
    table = list(model.vocab) + [""]
    chars = [table[s] for s in symbols.tolist()]
    for i, char in zip(np.flatnonzero(symbols == model.escape).tolist(), escaped,
                       strict=True):
        chars[i] = char
    return "".join(chars)


@dataclass(frozen=True)
class CompressionResult:
    """Sizes of one compression: real bytes next to the ideal code length.

    ``n_bytes`` is the whole output (header + payload), ``payload_bytes`` the coded
    part, ``ideal_bits`` ``= model.code_lengths(text).sum()``; ``bits_per_char`` counts
    the whole output, ``overhead_bits`` ``= 8 * payload_bytes - ideal_bits``.
    """

    n_chars: int
    n_bytes: int
    payload_bytes: int
    header_bytes: int
    ideal_bits: float
    bits_per_char: float
    overhead_bits: float


def compression_result(text: str, model: CharLM, data: bytes, *,
                       ideal_bits: float | None = None) -> CompressionResult:
    """Measure ``data = compress(text, model)`` against the ideal code length of ``text``.

    Parameters
    ----------
    text : str
        The text that was compressed.
    model : CharLM
        The model it was compressed with.
    data : bytes
        The output of :func:`compress`.
    ideal_bits : float, keyword-only
        ``model.code_lengths(text).sum()`` if already known (it costs one pass of the
        model over the text); computed when omitted.

    Returns
    -------
    CompressionResult

    Examples
    --------
    >>> from lossylab.ngram import NGramLM
    >>> model = NGramLM(2).fit("abracadabra")
    >>> result = compression_result("abracadabra", model, compress("abracadabra", model))
    >>> result.n_chars, result.overhead_bits < 64
    (11, True)
    """
    header = read_header(data)
    if ideal_bits is None:
        ideal_bits = float(model.code_lengths(text).sum())
    n_chars = len(text)
    return CompressionResult(
        n_chars, len(data), header.payload_bytes, header.n_bytes, ideal_bits,
        8 * len(data) / n_chars if n_chars else float("nan"),
        8 * header.payload_bytes - ideal_bits,
    )
