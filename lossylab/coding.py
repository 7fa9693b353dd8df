"""Arithmetic coding with a language model: from bits per character to real bytes.

A model that gives the next character probability ``p`` can code it in about ``-log2 p``
bits; arithmetic coding makes that exact for a whole text. Start with [0, 1); for each
character, cut the interval into one slice per symbol, widths proportional to the model's
probabilities, and keep the slice of the character that comes. The final width is
``prod_t p(x_t | x_<t)``; a number inside it written with about ``sum_t -log2 p`` bits
identifies the text, and a decoder with the same model rebuilds the same slices. Here:
:func:`interval_narrowing` (the picture, in exact fractions); a header (model name and
fingerprint, length, checksums: damaged data or the wrong model is a ``ValueError``);
:func:`compress` / :func:`decompress` through ``constriction``'s range coder (Bamler 2022) or
:mod:`lossylab.arithmetic_coder`. Left out compared with a production coder: carry-less
range-coder tricks, error *correction* (CRC-32 only detects damage).

References
----------
Bamler, R. (2022). Understanding entropy coding with ANS: a statistician's perspective.
arXiv:2201.01741 (``constriction``). MacKay, D. J. C. (2003). *Information Theory, Inference,
and Learning Algorithms*, chapter 6.
"""

from __future__ import annotations

import hashlib
import struct
import zlib
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import constriction
import numpy as np

from lossylab.arithmetic_coder import ArithmeticDecoder, ArithmeticEncoder
from lossylab.lm import BlockStepper, CharLM, check_text

__all__ = ["CODERS", "PRECISION_BITS", "compress", "decompress",
           "interval_narrowing", "read_header"]

_MAGIC = b"LLAB"
_FORMAT_VERSION = 2  # 2: the fingerprint hashes every weight (1: GRU files depended on the CPU)
CODERS = ("range", "arithmetic")
PRECISION_BITS = 24  # integer frequency tables sum to 2**24 (as constriction's default)
_BYTE_TOTAL = 256  # escaped characters' UTF-8 bytes: uniform over 256 values


# --- 1. the picture: integer frequencies, interval narrowing ---------------------------
def _quantize_probs(p_model: np.ndarray, *, precision_bits: int = PRECISION_BITS) -> np.ndarray:
    """Integer frequencies >= 1 summing to ``2**precision_bits`` (1 to 30) per row of p_model."""
    # Every symbol gets 1 (it stays codable), the other 2**k - n counts go in proportion to p,
    # floored, the rest to the largest fractional parts (ties: the lower symbol): deterministic,
    # so encoder and decoder agree, and it costs at most about n / 2**k of the mass.
    if not isinstance(precision_bits, (int, np.integer)) or not 1 <= precision_bits <= 30:
        raise ValueError(f"precision_bits must be an int from 1 to 30, got {precision_bits!r}")
    p = np.asarray(p_model, dtype=np.float64)
    rows = np.atleast_2d(p)  # (batch, n_symbols)
    total, n_symbols = 1 << int(precision_bits), rows.shape[-1]
    if rows.ndim != 2 or n_symbols == 0 or n_symbols > total:
        raise ValueError("p_model must have shape (n_symbols,) or (batch, n_symbols) with 1 to "
                         f"2**precision_bits = {total} symbols, got shape {p.shape}; raise "
                         "precision_bits")
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


@dataclass(frozen=True)
class _NarrowingStep:
    """One character of :func:`interval_narrowing` (fields described there)."""

    char: str
    symbol: int
    low: float
    high: float
    slice_low: float
    slice_high: float
    cumulative: np.ndarray
    bits: float


@dataclass(frozen=True)
class _Narrowing:
    """The result of :func:`interval_narrowing` (fields described there)."""

    steps: tuple[_NarrowingStep, ...]
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


def interval_narrowing(text: str, model: CharLM, *, precision_bits: int = PRECISION_BITS,
                       context: str = "") -> _Narrowing:
    """The interval-narrowing steps of arithmetic coding for 1 to 64 characters (exact).

    The model first reads ``context`` (not coded), as in the middle of a text.

    ``low_t = low_{t-1} + width_{t-1} * C(x_t) / T``, ``width_t = width_{t-1} * f(x_t) / T``
    (``f``: integer frequencies, ``C`` their running sum, ``T = 2**precision_bits``).

    Returns a frozen record: ``.steps``, one per character (``char``, ``symbol``, ``low``/``high``
    after it, ``slice_low``/``slice_high`` and ``cumulative`` relative to the previous interval,
    ``bits``); ``.low``, ``.high``, ``.ideal_bits`` and ``.code``, the shortest bits ``b`` with
    ``[0.b, 0.b + 2**-len(b))`` inside the final interval.
    """
    if not isinstance(text, str) or not 1 <= len(text) <= 64:
        raise ValueError(f"text must be a str of 1 to 64 characters, got {text!r:.80}")
    symbols = model.symbols(text)
    n_chars = len(check_text(context, name="context")) + len(text)
    stepper = BlockStepper(model, n_chars, block_chars=n_chars)  # one block: the context's
    for symbol in model.symbols(context).tolist():
        stepper.advance(np.array([symbol]))
    low, width, total = Fraction(0), Fraction(1), 1 << precision_bits
    steps = []
    for char, symbol in zip(text, symbols.tolist(), strict=True):
        cumulative = np.concatenate([[0], np.cumsum(_quantize_probs(
            stepper.probs(), precision_bits=precision_bits)[0])])  # (n_symbols + 1,)
        slice_low, slice_high = Fraction(int(cumulative[symbol]), total), \
            Fraction(int(cumulative[symbol + 1]), total)
        low, width = low + width * slice_low, width * (slice_high - slice_low)
        steps.append(_NarrowingStep(char, symbol, float(low), float(low + width),
                                   float(slice_low), float(slice_high), cumulative / total,
                                   -np.log2(float(slice_high - slice_low))))
        stepper.advance(np.array([symbol]))
    ideal_bits = float(sum(step.bits for step in steps))
    return _Narrowing(tuple(steps), float(low), float(low + width), ideal_bits,
                     _shortest_code(low, low + width))


# --- 2. the file format ----------------------------------------------------------------
@dataclass(frozen=True)
class _Header:
    """What a decoder needs besides the model (layout: see ``_pack_header``)."""

    coder: str
    model_name: str
    fingerprint: bytes
    n_chars: int
    text_crc: int
    payload_bytes: int
    payload_crc: int
    n_bytes: int  # size of the header itself


def _model_fingerprint(model: CharLM) -> bytes:
    """8 bytes of SHA-256 of a model's vocab, arithmetic version and every weight array."""
    digest = hashlib.sha256(_utf8(f"{model.vocab}\0{model.arithmetic}"))
    for array in map(np.asarray, model.weight_arrays()):
        digest.update(_utf8(f"{array.dtype.kind}{array.shape}"))
        digest.update(np.ascontiguousarray(array, dtype=array.dtype.newbyteorder("<")).tobytes())
    return digest.digest()[:8]


def _utf8(text: str) -> bytes:
    """UTF-8 bytes of ``text``."""
    return text.encode("utf-8", "surrogatepass")  # lone surrogates round-trip too


def _pack_header(coder: str, model: CharLM, text: str, payload: bytes) -> bytes:
    """The header of ``payload``, little-endian; any damage is a ValueError before decoding."""
    # magic b"LLAB", version, coder, name length (u8 each) and UTF-8 name, fingerprint (8
    # bytes), characters, CRC-32 of the text's UTF-8, payload bytes, CRC-32 of the payload,
    # CRC-32 of the preceding header bytes (u32 each)
    name = _utf8(model.name)
    if len(name) > 255 or len(text) >= 2**32 or len(payload) >= 2**32:
        raise ValueError("model name (<= 255 bytes) or text (< 2**32 characters) too long")
    head = _MAGIC + struct.pack("<BBB", _FORMAT_VERSION, CODERS.index(coder), len(name)) + name
    head += _model_fingerprint(model)
    head += struct.pack("<IIII", len(text), zlib.crc32(_utf8(text)), len(payload),
                        zlib.crc32(payload))
    return head + struct.pack("<I", zlib.crc32(head))


def read_header(data: bytes) -> _Header:
    """Parse and check the header of ``data`` made by :func:`compress`, as a frozen record.

    Fields as in ``_Header``; ValueError if ``data`` is not lossylab data, of an unknown
    version or coder, damaged, truncated or extended.
    """
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError(f"data must be bytes (from compress), got {type(data).__name__}")
    data = bytes(data)
    if data[:4] != _MAGIC:
        raise ValueError(f"data does not start with {_MAGIC!r} (got {data[:4]!r}): it was not "
                         "made by lossylab.coding.compress, or its first bytes are damaged")
    if len(data) > 4 and data[4] != _FORMAT_VERSION:
        raise ValueError(f"unsupported format version {data[4]}: this lossylab reads version "
                         f"{_FORMAT_VERSION}; " + ("the data is from a newer lossylab, upgrade"
                         if data[4] > _FORMAT_VERSION else "compress the text again"))
    if len(data) < 7 or len(data) < 7 + data[6] + 28:
        raise ValueError(f"data is truncated: only {len(data)} bytes, not even a full header")
    end = 7 + data[6] + 24  # end of the fields covered by the header CRC
    (header_crc,) = struct.unpack_from("<I", data, end)
    if zlib.crc32(data[:end]) != header_crc:
        raise ValueError("the header is damaged (its CRC-32 does not match); data is corrupt")
    coder_id, name_len = data[5], data[6]
    if coder_id >= len(CODERS):
        raise ValueError(f"unsupported coder {coder_id}: this lossylab knows {CODERS}; upgrade")
    name = data[7: 7 + name_len].decode("utf-8", "surrogatepass")
    n_chars, text_crc, payload_bytes, payload_crc = struct.unpack_from("<IIII", data,
                                                                        15 + name_len)
    header = _Header(CODERS[coder_id], name, data[7 + name_len: 15 + name_len], n_chars,
                    text_crc, payload_bytes, payload_crc, end + 4)
    if len(data) - header.n_bytes != payload_bytes:
        raise ValueError(f"the payload has {len(data) - header.n_bytes} bytes but the header "
                         f"records {payload_bytes}: the data was truncated or has extra bytes "
                         "appended")
    if zlib.crc32(data[header.n_bytes:]) != payload_crc:
        raise ValueError("the payload is damaged (its CRC-32 does not match); data is corrupt")
    return header


def _check_model(header: _Header, model: CharLM) -> None:
    """ValueError unless ``model`` is the one the header names (name and fingerprint)."""
    if header.model_name != model.name:
        raise ValueError(f"data was compressed with model {header.model_name!r} but you passed "
                         f"{model.name!r}; decompress with the same model")
    if header.fingerprint != _model_fingerprint(model):
        raise ValueError(f"data was compressed with a model named {header.model_name!r} whose "
                         f"weights, vocab or arithmetic differ from the {model.name!r} you passed "
                         "(fingerprint mismatch); decompress with the very same model")


# --- 3. compress / decompress ----------------------------------------------------------
def _check_model_type(model: Any) -> None:
    """TypeError unless ``model`` is a CharLM."""
    if not isinstance(model, CharLM):
        raise TypeError(f"model must be a lossylab.lm.CharLM, got {type(model).__name__}; e.g. "
                        "lossylab.neural.load_pretrained(name) or lossylab.ngram.NGramLM")


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


def _encode_range(model: CharLM, symbols: np.ndarray, extra: bytes, progress: Any) -> bytes:
    """Payload of constriction's range coder: the symbols step by step, then ``extra``."""
    queue, family = constriction.stream.queue, constriction.stream.model
    stepper, encoder = BlockStepper(model, len(symbols), on_step=progress), queue.RangeEncoder()
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


def _decode_range(model: CharLM, payload: bytes, n_chars: int,
                  progress: Any) -> tuple[np.ndarray, Any]:
    """The symbols of a range-coded payload, and a function reading the bytes after them."""
    queue, family = constriction.stream.queue, constriction.stream.model
    if len(payload) % 4:
        raise ValueError("the payload length is not a multiple of 4 bytes: data is damaged")
    decoder = queue.RangeDecoder(np.frombuffer(payload, dtype="<u4").astype(np.uint32))
    categorical = family.Categorical(perfect=False)
    stepper = BlockStepper(model, n_chars, on_step=progress)
    grid = np.zeros((stepper.n_blocks, stepper.n_steps), dtype=np.int64)
    for t in range(stepper.n_steps):
        active = stepper.active()
        grid[active, t] = decoder.decode(categorical, stepper.probs()[active])
        stepper.advance(grid[:, t])
    uniform = family.Uniform(_BYTE_TOTAL)
    return stepper.from_blocks(grid), lambda: int(decoder.decode(uniform))


def _encode_arithmetic(model: CharLM, symbols: np.ndarray, extra: bytes,
                       progress: Any) -> bytes:
    """:func:`_encode_range` with the hand-written :class:`ArithmeticEncoder`."""
    stepper, encoder = BlockStepper(model, len(symbols), on_step=progress), ArithmeticEncoder()
    grid, total = stepper.to_blocks(symbols), 1 << PRECISION_BITS
    for t in range(stepper.n_steps):
        cumulative = np.cumsum(_quantize_probs(stepper.probs()), axis=1)  # (n_blocks, n_symbols)
        for b in np.flatnonzero(stepper.active()).tolist():
            symbol = int(grid[b, t])
            low = int(cumulative[b, symbol - 1]) if symbol else 0
            encoder.encode(low, int(cumulative[b, symbol]), total)
        stepper.advance(grid[:, t])
    for byte in extra:
        encoder.encode(byte, byte + 1, _BYTE_TOTAL)
    return encoder.finish()


def _decode_arithmetic(model: CharLM, payload: bytes, n_chars: int,
                       progress: Any) -> tuple[np.ndarray, Any]:
    """:func:`_decode_range` with the hand-written :class:`ArithmeticDecoder`."""
    stepper, decoder = BlockStepper(model, n_chars, on_step=progress), ArithmeticDecoder(payload)
    grid = np.zeros((stepper.n_blocks, stepper.n_steps), dtype=np.int64)
    for t in range(stepper.n_steps):
        freqs = _quantize_probs(stepper.probs())  # (n_blocks, n_symbols)
        cumulative = np.concatenate([np.zeros((len(freqs), 1), np.int64),
                                     np.cumsum(freqs, axis=1)], axis=1)
        for b in np.flatnonzero(stepper.active()).tolist():
            grid[b, t] = decoder.decode(cumulative[b])
        stepper.advance(grid[:, t])
    byte_table = np.arange(_BYTE_TOTAL + 1)
    return stepper.from_blocks(grid), lambda: decoder.decode(byte_table)


def compress(text: str, model: CharLM, *, coder: str = "range", progress: Any = None) -> bytes:
    """Compress any str losslessly with arithmetic coding driven by ``model`` (a CharLM).

    Unseen characters are the escape plus their UTF-8 bytes. ``coder``: ``"range"``
    (constriction's) or ``"arithmetic"`` (hand-written, ~10x slower). A header (about 30 bytes
    plus the model name), then the payload, within a few bytes of the code length. ``progress``
    (optional) is called as ``progress(step, n_steps)`` after each lockstep step.

    >>> from lossylab.ngram import NGramLM
    >>> model = NGramLM(2).fit("abracadabra")
    >>> decompress(compress("abracadabra!", model), model)
    'abracadabra!'
    """
    check_text(text)
    _check_model_type(model)
    if coder not in CODERS:
        raise ValueError(f"coder must be one of {CODERS}, got {coder!r}")
    symbols = model.symbols(text)
    extra = _escape_bytes(text, symbols, model.escape)
    encode = _encode_range if coder == "range" else _encode_arithmetic
    payload = encode(model, symbols, extra, progress) if len(text) else b""
    return _pack_header(coder, model, text, payload) + payload


def decompress(data: bytes, model: CharLM, *, progress: Any = None) -> str:
    """Invert :func:`compress` with the same ``model`` (``progress``: as there).

    ValueError if ``data`` is not lossylab data, is truncated or damaged, or was made with
    another model.
    """
    header = read_header(data)
    _check_model_type(model)
    _check_model(header, model)
    payload = bytes(data)[header.n_bytes:]
    if header.n_chars == 0:
        return ""
    decode = _decode_range if header.coder == "range" else _decode_arithmetic
    try:
        symbols, read_byte = decode(model, payload, header.n_chars, progress)
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
    """The text of ``symbols``, the escapes replaced by the ``escaped`` characters in order."""
    table = list(model.vocab) + [""]
    chars = [table[s] for s in symbols.tolist()]
    for i, char in zip(np.flatnonzero(symbols == model.escape).tolist(), escaped,
                       strict=True):
        chars[i] = char
    return "".join(chars)
