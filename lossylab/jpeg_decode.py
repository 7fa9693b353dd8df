"""Reading a real baseline JPEG file: its segments, its tables, its Huffman-coded scan.

A JPEG file is a list of marker segments (T.81 Annex B): SOI, tables (DQT, DHT), a frame
header (SOF), a scan header (SOS) and its entropy-coded data, EOI. :func:`read_segments`
lists them; :func:`decode_coefficients` undoes the Huffman coding exactly; :func:`reconstruct`
runs the inverse steps of :mod:`lossylab.jpeg`. Left out (:class:`UnsupportedJPEGError`):
progressive, lossless, hierarchical, arithmetic-coded and RGB-stored files, 12-bit samples,
CMYK, 4:2:2; and speed: about 0.3 s for a 512x512 colour photograph (libjpeg: 2 ms).

References: ITU-T T.81 (1992), Annexes B, C and F.2.2; IJG libjpeg (jdhuff.c, jidctint.c,
jdsample.c, jdcolor.c).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

import numpy as np

from lossylab import jpeg
from lossylab.jpeg import BLOCK, ZIGZAG, JPEGCoefficients
from lossylab.jpeg_libjpeg import _check_method, _ycbcr_to_rgb_libjpeg

__all__ = ["MAX_PIXELS", "JPEGFormatError", "UnsupportedJPEGError", "decode_coefficients",
           "read_segments", "reconstruct"]


class JPEGFormatError(ValueError):
    """The bytes are not a well-formed JPEG file (truncated, corrupt, or not a JPEG at all)."""


class UnsupportedJPEGError(ValueError):
    """A valid JPEG that this teaching decoder does not read (e.g. a progressive one)."""


# --- segments -----------------------------------------------------------------------------

_MARKER_NAMES = {
    0xD8: "SOI", 0xD9: "EOI", 0xDA: "SOS", 0xDB: "DQT", 0xC4: "DHT", 0xDD: "DRI",
    0xFE: "COM", 0xCC: "DAC", 0xDC: "DNL", 0xDE: "DHP", 0xDF: "EXP",
    **{0xC0 + n: f"SOF{n}" for n in (0, 1, 2, 3, 5, 6, 7, 9, 10, 11, 13, 14, 15)},
    **{0xE0 + n: f"APP{n}" for n in range(16)},
    **{0xD0 + n: f"RST{n}" for n in range(8)},
}
_STANDALONE = {0xD8, 0xD9, 0x01, *range(0xD0, 0xD8)}  # markers without a length field


@dataclass(frozen=True)
class _Segment:
    """One marker segment of a JPEG file (fields: see :func:`read_segments`)."""

    name: str
    marker: int
    offset: int
    length: int
    n_bytes: int
    payload: bytes = b""

    def __repr__(self) -> str:
        return f"Segment({self.name}, offset={self.offset}, length={self.length})"


def _check_bytes(data: bytes) -> bytes:
    """``data`` as bytes starting with SOI, or a TypeError / JPEGFormatError saying why."""
    if isinstance(data, (bytearray, memoryview)):
        data = bytes(data)
    if not isinstance(data, bytes):
        raise TypeError(f"data must be bytes (a JPEG file's content), got {type(data).__name__}")
    if len(data) < 4 or data[:2] != b"\xff\xd8":
        raise JPEGFormatError(
            f"not a JPEG file: it does not start with the SOI marker FF D8 "
            f"(first bytes: {data[:4].hex(' ') or 'none'}); pass the bytes of a .jpg file")
    return data


def _scan_end(data: bytes, start: int) -> int:
    """Offset of the first marker after entropy-coded data starting at ``start``."""
    pos = start
    while True:
        pos = data.find(b"\xff", pos)
        if pos < 0 or pos + 1 >= len(data):
            raise JPEGFormatError(
                f"truncated JPEG: the scan starting at byte {start} runs to the end of the "
                f"data ({len(data)} bytes) without an end marker; the file is incomplete")
        following = data[pos + 1]
        if following == 0x00 or 0xD0 <= following <= 0xD7 or following == 0xFF:
            pos += 1  # a stuffed 0xFF, a restart marker, or a fill byte: still in the scan
            continue
        return pos


def read_segments(data: bytes) -> tuple[_Segment, ...]:
    """List the marker segments of a JPEG file's bytes, from SOI to EOI, in file order.

    A :class:`JPEGFormatError` if the data is not a JPEG, is truncated, or is malformed. Each
    segment has ``.name`` ("SOI", "DQT", "SOS", ...), ``.marker``, ``.offset`` (of its 0xFF),
    ``.length`` (the length field, counting itself; 0 for SOI and EOI), ``.n_bytes`` (bytes
    spanned; for SOS with the entropy-coded data) and ``.payload`` (for SOS the header only).

    Examples
    --------
    >>> from lossylab.images import roundtrip  # a real file, written by Pillow
    >>> [s.name for s in read_segments(roundtrip(np.zeros((8, 8), np.uint8), 75).data)]
    ['SOI', 'APP0', 'DQT', 'SOF0', 'DHT', 'DHT', 'SOS', 'EOI']
    """
    data = _check_bytes(data)
    segments = [_Segment("SOI", 0xFFD8, 0, 0, 2)]
    pos = 2
    while True:
        while data[pos : pos + 2] == b"\xff\xff":
            pos += 1  # fill bytes before a marker
        if pos + 2 > len(data):
            raise JPEGFormatError(
                f"truncated JPEG: the data ends at byte {len(data)} before the EOI marker "
                "(FF D9); the file is incomplete, re-download or re-save it")
        if data[pos] != 0xFF:
            raise JPEGFormatError(
                f"corrupt JPEG: expected a marker (FF xx) at byte {pos}, "
                f"found {data[pos:pos + 2].hex(' ')}")
        code = data[pos + 1]
        name = _MARKER_NAMES.get(code, f"0xFF{code:02X}")
        if code == 0xD9:
            segments.append(_Segment("EOI", 0xFFD9, pos, 0, 2))
            return tuple(segments)
        if code in _STANDALONE:
            raise JPEGFormatError(f"corrupt JPEG: unexpected marker {name} at byte {pos}")
        if pos + 4 > len(data):
            raise JPEGFormatError(f"truncated JPEG: segment {name} at byte {pos} has no length")
        length = int.from_bytes(data[pos + 2 : pos + 4], "big")
        end = pos + 2 + length
        if length < 2 or end > len(data):
            raise JPEGFormatError(
                f"truncated JPEG: segment {name} at byte {pos} declares {length} bytes "
                f"but only {len(data) - pos - 2} remain")
        payload = data[pos + 4 : end]
        if code == 0xDA:
            end = _scan_end(data, end)
        segments.append(_Segment(name, 0xFF00 | code, pos, length, end - pos, payload))
        pos = end


# --- tables and frame header ----------------------------------------------------------------

def _parse_dqt(payload: bytes, tables: dict[int, np.ndarray]) -> None:
    """Add the quantization tables of a DQT payload to ``tables`` (id -> natural order)."""
    pos = 0
    while pos < len(payload):
        precision, table_id = payload[pos] >> 4, payload[pos] & 15
        size = 64 * (2 if precision else 1)
        if precision > 1 or table_id > 3 or pos + 1 + size > len(payload):
            raise JPEGFormatError(f"corrupt JPEG: bad DQT table (precision {precision}, "
                                  f"id {table_id}, {len(payload) - pos - 1} bytes left)")
        dtype = ">u2" if precision else "u1"
        values = np.frombuffer(payload, dtype=dtype, count=64, offset=pos + 1)
        natural = np.empty(64, dtype=np.int32)
        natural[ZIGZAG] = values  # the file stores tables in zig-zag order
        tables[table_id] = natural.reshape(BLOCK, BLOCK)
        pos += 1 + size


HuffmanTables = dict[tuple[str, int], tuple[tuple[int, ...], bytes]]


def _parse_dht(payload: bytes, tables: HuffmanTables) -> None:
    """Add the Huffman tables of a DHT payload to ``tables`` ((class, id) -> counts, symbols)."""
    pos = 0
    while pos < len(payload):
        if pos + 17 > len(payload):
            raise JPEGFormatError("corrupt JPEG: a DHT segment ends inside a table header")
        table_class, table_id = payload[pos] >> 4, payload[pos] & 15
        counts = tuple(payload[pos + 1 : pos + 17])
        n_codes = sum(counts)
        if table_class > 1 or table_id > 3 or n_codes > 256 or pos + 17 + n_codes > len(payload):
            raise JPEGFormatError(f"corrupt JPEG: bad DHT table (class {table_class}, "
                                  f"id {table_id}, {n_codes} codes)")
        symbols = payload[pos + 17 : pos + 17 + n_codes]
        tables[("DC" if table_class == 0 else "AC", table_id)] = (counts, symbols)
        pos += 17 + n_codes


@functools.lru_cache(maxsize=32)
def _huffman_lookup(counts: tuple[int, ...], symbols: bytes) -> tuple[int, ...]:
    """A 65536-entry table: the next 16 bits -> ``(code length << 8) | symbol`` (0: no code)."""
    # Codes are canonical (T.81 Annex C): within a length they count up, and moving to the next
    # length appends a 0 bit. Cached (most files carry the same four standard tables), hence a
    # tuple: nothing can change a cached table.
    lookup = np.zeros(1 << 16, dtype=np.int32)
    code, index = 0, 0
    for length, count in enumerate(counts, start=1):
        for _ in range(count):
            if code >= 1 << length:
                raise JPEGFormatError("corrupt JPEG: a DHT table has more codes than fit")
            first = code << (16 - length)
            lookup[first : first + (1 << (16 - length))] = (length << 8) | symbols[index]
            code, index = code + 1, index + 1
        code <<= 1
    return tuple(lookup.tolist())


_UNSUPPORTED_SOF = {
    0xC2: "progressive JPEG", 0xC3: "lossless JPEG", 0xC5: "hierarchical JPEG",
    0xC6: "hierarchical progressive JPEG", 0xC7: "hierarchical lossless JPEG",
    0xC9: "arithmetic-coded JPEG", 0xCA: "arithmetic-coded progressive JPEG",
    0xCB: "arithmetic-coded lossless JPEG",
    **dict.fromkeys((0xCD, 0xCE, 0xCF), "arithmetic-coded hierarchical JPEG")}


@dataclass(frozen=True)
class _Frame:
    """The frame header (SOF): size and, per component, (id, h, v, quantization table id)."""

    height: int
    width: int
    components: tuple[tuple[int, int, int, int], ...]  # (id, h, v, quant table id)


def _parse_sof(segment: _Segment) -> _Frame:
    """Read a frame header, refusing what this decoder does not read."""
    code = segment.marker & 0xFF
    if code in _UNSUPPORTED_SOF:
        what = _UNSUPPORTED_SOF[code]
        raise UnsupportedJPEGError(
            f"not supported: {what} ({segment.name}); this decoder reads baseline "
            "Huffman-coded files only. Re-save it as baseline, e.g. with Pillow: "
            "Image.open(f).save(out, 'JPEG', progressive=False)")
    p = segment.payload
    if len(p) < 6 or len(p) < 6 + 3 * p[5]:
        raise JPEGFormatError(f"corrupt JPEG: the {segment.name} header is too short")
    precision, height, width, n = p[0], int.from_bytes(p[1:3], "big"), \
        int.from_bytes(p[3:5], "big"), p[5]
    if precision != 8:
        raise UnsupportedJPEGError(f"not supported: {precision}-bit samples (only 8-bit)")
    if height == 0 or width == 0:
        raise UnsupportedJPEGError(f"not supported: image size {width}x{height} (DNL marker)")
    if n not in (1, 3):
        raise UnsupportedJPEGError(
            f"not supported: {n} colour components (only greyscale and YCbCr; CMYK is not read)")
    comps = tuple((p[6 + 3 * i], p[7 + 3 * i] >> 4, p[7 + 3 * i] & 15, p[8 + 3 * i])
                  for i in range(n))
    if any(not 1 <= h <= 4 or not 1 <= v <= 4 or t > 3 for _, h, v, t in comps):
        raise JPEGFormatError(f"corrupt JPEG: bad sampling factors or table ids {comps}")
    return _Frame(height, width, comps)


# --- the Huffman-coded scan ---------------------------------------------------------------

def _bit_windows(chunk: bytes) -> tuple[list[int], int]:
    """Unstuff a scan interval and return, for every byte offset, the 32 bits starting there."""
    # Reading n <= 16 bits at any bit position is then one list look-up and a shift, not a loop
    # over bits. Zeros pad the end: a corrupt stream reads zeros (caught by the length check).
    raw = chunk.replace(b"\xff\x00", b"\xff")  # byte stuffing: FF 00 in the file means FF
    b = np.frombuffer(raw + bytes(1024), dtype=np.uint8).astype(np.int64)
    windows = (b[:-3] << 24) | (b[1:-2] << 16) | (b[2:-1] << 8) | b[3:]
    return windows.tolist(), 8 * len(raw)


def _decode_interval(chunk: bytes, jobs: list[tuple[list[int], int, int, Any, Any]],
                     n_components: int) -> None:
    """Decode the blocks ``jobs`` (store, base, component slot, DC and AC look-ups) in order."""
    # The one long function of the module: the inner loop, kept flat for speed. Per block
    # (T.81 F.2.2): a DC size category s, then s raw bits, the difference from the previous
    # block's DC; then AC symbols (run << 4 | size): skip ``run`` zeros, read ``size`` bits;
    # 0x00 ends the block (EOB), 0xF0 skips 16 zeros (ZRL).
    w, n_bits = _bit_windows(chunk)
    preds = [0] * n_components
    pos = 0
    for store, base, slot, dc_lut, ac_lut in jobs:
        entry = dc_lut[(w[pos >> 3] >> (16 - (pos & 7))) & 0xFFFF]
        if not entry:
            raise JPEGFormatError("corrupt JPEG: an invalid Huffman code in the scan (DC)")
        pos += entry >> 8
        s = entry & 0xFF
        if s:
            if s > 11:
                raise JPEGFormatError(f"corrupt JPEG: DC size category {s} > 11")
            v = (w[pos >> 3] >> (32 - s - (pos & 7))) & ((1 << s) - 1)
            pos += s
            preds[slot] += v - (1 << s) + 1 if v < 1 << (s - 1) else v
        store[base] = preds[slot]
        k = 1
        while k < 64:
            entry = ac_lut[(w[pos >> 3] >> (16 - (pos & 7))) & 0xFFFF]
            if not entry:
                raise JPEGFormatError("corrupt JPEG: an invalid Huffman code in the scan (AC)")
            pos += entry >> 8
            s = entry & 15
            if s:
                k += (entry >> 4) & 15
                if k > 63 or s > 10:
                    raise JPEGFormatError("corrupt JPEG: AC coefficients run past the block")
                v = (w[pos >> 3] >> (32 - s - (pos & 7))) & ((1 << s) - 1)
                pos += s
                store[base + k] = v - (1 << s) + 1 if v < 1 << (s - 1) else v
                k += 1
            elif entry & 0xF0 == 0xF0:
                k += 16  # ZRL: sixteen zeros
            else:
                break  # EOB: the rest of the block is zero
        if pos > n_bits:
            raise JPEGFormatError(
                "truncated JPEG: the scan data ends in the middle of a block; "
                "the file is incomplete")


def _split_restarts(scan: bytes, restart_interval: int) -> list[bytes]:
    """The scan's restart intervals (the data between RST markers)."""
    if not restart_interval:
        return [scan]
    return re.split(rb"\xff[\xd0-\xd7]", scan)


def _mcu_grid(frame: _Frame) -> tuple[int, int, int, int]:
    """(MCU rows, MCU cols, max h, max v) of an interleaved scan over the whole frame."""
    h_max = max(c[1] for c in frame.components)
    v_max = max(c[2] for c in frame.components)
    return (-(-frame.height // (8 * v_max)), -(-frame.width // (8 * h_max)), h_max, v_max)


def _component_blocks(frame: _Frame, h: int, v: int) -> tuple[int, int]:
    """(rows, cols) of 8x8 blocks that hold pixels of a component with factors h, v."""
    _, _, h_max, v_max = _mcu_grid(frame)
    comp_height = -(-frame.height * v // v_max)
    comp_width = -(-frame.width * h // h_max)
    return -(-comp_height // 8), -(-comp_width // 8)


def _scan_jobs(frame: _Frame, scan: list[tuple[int, list[int], list[int]]],
               stores: list[list[int]], grid_cols: list[int]) -> tuple[list[Any], int]:
    """The blocks of a scan in coding order, and how many blocks make one MCU."""
    jobs: list[Any] = []
    if len(scan) == 1:  # non-interleaved: one block per MCU, only the blocks with pixels
        index, dc, ac = scan[0]
        _, h, v, _ = frame.components[index]
        rows, cols = _component_blocks(frame, h, v)
        for row in range(rows):
            for col in range(cols):
                jobs.append((stores[index], (row * grid_cols[index] + col) * 64, 0, dc, ac))
        return jobs, 1
    mcu_rows, mcu_cols, _, _ = _mcu_grid(frame)
    for my in range(mcu_rows):
        for mx in range(mcu_cols):
            for slot, (index, dc, ac) in enumerate(scan):
                _, h, v, _ = frame.components[index]
                for by in range(v):
                    for bx in range(h):
                        base = ((my * v + by) * grid_cols[index] + mx * h + bx) * 64
                        jobs.append((stores[index], base, slot, dc, ac))
    return jobs, sum(frame.components[i][1] * frame.components[i][2] for i, _, _ in scan)


def _decode_scan(data: bytes, segment: _Segment, frame: _Frame, tables: HuffmanTables,
                 stores: list[list[int]], grid_cols: list[int], restart_interval: int) -> None:
    """Decode one scan (SOS header and its data) into the components' zig-zag ``stores``."""
    p = segment.payload
    n = p[0] if p else 0
    if n == 0 or len(p) < 4 + 2 * n:
        raise JPEGFormatError("corrupt JPEG: the SOS header is too short")
    ids = [c[0] for c in frame.components]
    scan = []
    for i in range(n):
        cid, dc_id, ac_id = p[1 + 2 * i], p[2 + 2 * i] >> 4, p[2 + 2 * i] & 15
        if cid not in ids or ("DC", dc_id) not in tables or ("AC", ac_id) not in tables:
            raise JPEGFormatError(f"corrupt JPEG: scan component {cid} has no frame component "
                                  f"or no Huffman table (DC {dc_id}, AC {ac_id})")
        scan.append((ids.index(cid), _huffman_lookup(*tables[("DC", dc_id)]),
                     _huffman_lookup(*tables[("AC", ac_id)])))
    if (p[1 + 2 * n], p[2 + 2 * n], p[3 + 2 * n]) != (0, 63, 0):
        raise UnsupportedJPEGError("not supported: progressive JPEG (spectral selection in SOS)")
    jobs, per_mcu = _scan_jobs(frame, scan, stores, grid_cols)
    chunks = _split_restarts(data[segment.offset + 2 + segment.length :
                                  segment.offset + segment.n_bytes], restart_interval)
    step = per_mcu * restart_interval if restart_interval else len(jobs)
    if len(chunks) < -(-len(jobs) // step):
        raise JPEGFormatError(f"truncated JPEG: the scan has {len(chunks)} restart intervals, "
                              f"the image needs {-(-len(jobs) // step)}")
    for i, start in enumerate(range(0, len(jobs), step)):
        _decode_interval(chunks[i], jobs[start : start + step], n)


def _check_colours(frame: _Frame, adobe: int | None) -> None:
    """Refuse 3 components not stored as YCbCr: Adobe APP14 transform 0 (RGB), 2, ...; R, G, B."""
    ids = tuple(c[0] for c in frame.components)
    if len(ids) == 3 and (adobe not in (None, 1) or ids == (82, 71, 66)):  # ASCII R, G, B
        what = "components R, G, B" if adobe in (None, 1) else f"Adobe APP14 transform {adobe}"
        raise UnsupportedJPEGError(
            f"not supported: colours not stored as YCbCr ({what}, e.g. Pillow's keep_rgb=True); "
            "re-save it without keep_rgb, e.g. Image.open(f).convert('RGB').save(out, 'JPEG')")

MAX_PIXELS = 16_000_000  # the pure-Python decoder needs ~20 bytes and ~1 us per pixel


def decode_coefficients(data: bytes, *, max_pixels: int = MAX_PIXELS) -> JPEGCoefficients:
    """Read a baseline JPEG's quantized DCT coefficients (undo the Huffman coding only).

    ``data``: a baseline (SOF0) or extended sequential (SOF1) Huffman-coded, 8-bit, greyscale
    or YCbCr file, with or without restart markers; larger than ``max_pixels``: a ValueError.
    Returns :class:`~lossylab.jpeg.JPEGCoefficients` with the file's tables. Raises
    :class:`UnsupportedJPEGError` or :class:`JPEGFormatError` (ValueErrors) for what this
    decoder does not read and for data that is not a JPEG, is truncated or is corrupt.

    Examples
    --------
    >>> from lossylab.images import roundtrip  # a real file, written by Pillow
    >>> coefs = decode_coefficients(roundtrip(np.full((8, 16), 200, np.uint8), 75).data)
    >>> coefs.components[0].coefficients.shape, int(coefs.components[0].coefficients[0, 0, 0, 0])
    ((1, 2, 8, 8), 72)
    """
    quant: dict[int, np.ndarray] = {}
    huffman: HuffmanTables = {}
    frame, restart_interval, stores, grid_cols, n_scans, adobe = None, 0, [], [], 0, None
    for segment in read_segments(data):
        if segment.name == "DQT":
            _parse_dqt(segment.payload, quant)
        elif segment.name == "DHT":
            _parse_dht(segment.payload, huffman)
        elif segment.name == "DRI":
            if len(segment.payload) < 2:
                raise JPEGFormatError("corrupt JPEG: the DRI segment is too short")
            restart_interval = int.from_bytes(segment.payload[:2], "big")
        elif segment.name.startswith("SOF"):
            if frame is not None:
                raise JPEGFormatError("corrupt JPEG: more than one frame header (SOF)")
            frame = _parse_sof(segment)
            if frame.height * frame.width > max_pixels:
                raise ValueError(
                    f"the JPEG is {frame.width}x{frame.height} pixels, more than max_pixels="
                    f"{max_pixels:,}; this teaching decoder is slow: crop or shrink the image "
                    "first, or pass a larger max_pixels")
            mcu_rows, mcu_cols, _, _ = _mcu_grid(frame)
            grid_cols = [mcu_cols * h for _, h, _, _ in frame.components]
            stores = [[0] * (mcu_rows * v * cols * 64)
                      for (_, _, v, _), cols in zip(frame.components, grid_cols, strict=True)]
        elif segment.name == "APP14" and segment.payload[:5] == b"Adobe":
            adobe = segment.payload[11] if len(segment.payload) > 11 else -1
        elif segment.name == "SOS":
            if frame is None:
                raise JPEGFormatError("corrupt JPEG: a scan (SOS) before the frame header (SOF)")
            _check_colours(frame, adobe)
            _decode_scan(data, segment, frame, huffman, stores, grid_cols, restart_interval)
            n_scans += 1
    if frame is None or n_scans == 0:
        raise JPEGFormatError("corrupt JPEG: no frame header (SOF) or no scan (SOS) in the data")
    return _assemble(frame, quant, huffman, stores, grid_cols, restart_interval)


def _assemble(frame: _Frame, quant: dict[int, np.ndarray], huffman: HuffmanTables,
              stores: list[list[int]], grid_cols: list[int], restart_interval: int
              ) -> JPEGCoefficients:
    """The decoded stores as natural-order blocks, without the blocks that only pad an MCU."""
    components = []
    for (cid, h, v, table_id), store, cols in zip(frame.components, stores, grid_cols,
                                                   strict=True):
        if table_id not in quant:
            raise JPEGFormatError(f"corrupt JPEG: component {cid} uses a missing DQT table")
        zigzag = np.array(store, dtype=np.int32).reshape(-1, cols, 64)
        natural = np.empty_like(zigzag)
        natural[..., ZIGZAG] = zigzag
        rows, n_cols = _component_blocks(frame, h, v)
        blocks = natural[:rows, :n_cols].reshape(rows, n_cols, BLOCK, BLOCK)
        components.append((cid, h, v, quant[table_id], blocks))
    return JPEGCoefficients.from_components(frame.height, frame.width, components,
                                            restart_interval=restart_interval,
                                            huffman_tables=dict(huffman))


# --- back to pixels --------------------------------------------------------------------------

_YCBCR_TO_RGB = np.array([[1.0, 0.0, 1.402],  # the inverse of jpeg's RGB -> YCbCr (JFIF 1.02)
                          [1.0, -0.344136, -0.714136],
                          [1.0, 1.772, 0.0]])


def _ycbcr_to_rgb(ycbcr: np.ndarray, method: str) -> np.ndarray:
    """JFIF YCbCr (h, w, 3) back to RGB, float64: exact, or libjpeg's tables (clipped)."""
    if _check_method(method) == "libjpeg":
        return _ycbcr_to_rgb_libjpeg(ycbcr.astype(np.float64))
    return jpeg._mix(ycbcr.astype(np.float64) - [0.0, 128.0, 128.0], _YCBCR_TO_RGB)


def _unblockify(blocks: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """Put (n_by, n_bx, 8, 8) blocks back together and crop to ``shape``: undo ``blockify``."""
    n_by, n_bx = blocks.shape[:2]
    return blocks.swapaxes(1, 2).reshape(n_by * BLOCK, n_bx * BLOCK)[: shape[0], : shape[1]]


def reconstruct(coefficients: JPEGCoefficients, *, method: str = "libjpeg") -> np.ndarray:
    """Turn quantized coefficients into pixels: dequantize, inverse DCT, upsample, to RGB.

    Per block ``B = C.T @ (q * Q) @ C + 128``, rounded and clipped to 0..255; 4:2:0 chroma is
    doubled with :func:`lossylab.jpeg.upsample` (libjpeg's "fancy" filter, as Pillow does).

    ``coefficients`` from :func:`decode_coefficients` or ``jpeg.forward_coefficients`` (an
    :class:`UnsupportedJPEGError` for subsampling other than 4:4:4 and 4:2:0); ``method``
    "libjpeg" (fixed point: equal to Pillow's pixels) or "float" (about 98% equal). Returns
    uint8 pixels, (height, width) or (height, width, 3).

    Examples
    --------
    >>> pixels = reconstruct(jpeg.forward_coefficients(np.full((9, 5, 3), 200, np.uint8), 75))
    >>> pixels.shape, sorted(set(pixels.ravel().tolist()))
    ((9, 5, 3), [200])
    """
    c = coefficients
    if c.subsampling == "other":
        factors = [(comp.h_sampling, comp.v_sampling) for comp in c.components]
        raise UnsupportedJPEGError(
            f"not supported: chroma sampling factors {factors}; this decoder reads greyscale, "
            "4:4:4 and 4:2:0. Re-save with Pillow's subsampling=0 or 2.")
    h_max = max(comp.h_sampling for comp in c.components)
    v_max = max(comp.v_sampling for comp in c.components)
    planes = []
    for comp in c.components:
        shape = (-(-c.height * comp.v_sampling // v_max), -(-c.width * comp.h_sampling // h_max))
        dct = jpeg.dequantize(comp.coefficients, comp.quant_table)
        pixels = jpeg.unlevel_shift(jpeg.idct2(dct, method=method))  # (n_by, n_bx, 8, 8) uint8
        plane = _unblockify(pixels, shape)  # (component height, width) uint8
        if shape != (c.height, c.width):
            plane = jpeg.upsample(plane, (c.height, c.width))
        planes.append(plane)
    if len(planes) == 1:
        return planes[0]
    return jpeg.to_samples(_ycbcr_to_rgb(np.stack(planes, axis=-1), method))
