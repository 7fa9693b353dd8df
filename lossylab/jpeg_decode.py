"""Reading a real baseline JPEG file: segments, tables, the Huffman-coded scan."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import numpy as np

from lossylab.jpeg import (
    BLOCK,
    ZIGZAG,
    Component,
    JPEGCoefficients,
    JPEGFormatError,
    UnsupportedJPEGError,
    dequantize,
    idct2,
    to_samples,
    unblockify,
    unlevel_shift,
    upsample,
    ycbcr_to_rgb,
)

# --- reading a real file: segments -----------------------------------------------------------

_MARKER_NAMES = {
    0xD8: "SOI", 0xD9: "EOI", 0xDA: "SOS", 0xDB: "DQT", 0xC4: "DHT", 0xDD: "DRI",
    0xFE: "COM", 0xCC: "DAC", 0xDC: "DNL", 0xDE: "DHP", 0xDF: "EXP",
    **{0xC0 + n: f"SOF{n}" for n in (0, 1, 2, 3, 5, 6, 7, 9, 10, 11, 13, 14, 15)},
    **{0xE0 + n: f"APP{n}" for n in range(16)},
    **{0xD0 + n: f"RST{n}" for n in range(8)},
}
_STANDALONE = {0xD8, 0xD9, 0x01, *range(0xD0, 0xD8)}  # markers without a length field


@dataclass(frozen=True)
class Segment:
    """One marker segment of a JPEG file.

    Attributes
    ----------
    name : str
        ``"SOI"``, ``"APP0"``, ``"DQT"``, ``"SOF0"``, ``"DHT"``, ``"SOS"``, ``"EOI"``, ...
    marker : int
        The marker code, e.g. 0xFFD8.
    offset : int
        Byte offset of the marker's 0xFF in the file.
    length : int
        The segment's length field (it counts itself, not the 2 marker bytes); 0 for markers
        without one (SOI, EOI).
    n_bytes : int
        Bytes the segment spans in the file, marker included; for SOS this includes the
        entropy-coded scan data that follows the header.
    payload : bytes
        The bytes after the length field (for SOS: the header only).
    """

    name: str
    marker: int
    offset: int
    length: int
    n_bytes: int
    payload: bytes = b""

    def __repr__(self) -> str:
        return f"Segment({self.name}, offset={self.offset}, length={self.length})"


def _check_bytes(data: bytes) -> bytes:
    if isinstance(data, (bytearray, memoryview)):
        data = bytes(data)
    if not isinstance(data, bytes):
        raise TypeError(f"data must be bytes (a JPEG file's content), got {type(data).__name__}")
    if len(data) < 4 or data[:2] != b"\xff\xd8":
        raise JPEGFormatError(
            f"not a JPEG file: it does not start with the SOI marker FF D8 "
            f"(first bytes: {data[:4].hex(' ') or 'none'}); pass the bytes of a .jpg file"
        )
    return data


def _scan_end(data: bytes, start: int) -> int:
    """Offset of the first marker after entropy-coded data starting at ``start``."""
    pos = start
    while True:
        pos = data.find(b"\xff", pos)
        if pos < 0 or pos + 1 >= len(data):
            raise JPEGFormatError(
                f"truncated JPEG: the scan starting at byte {start} runs to the end of the "
                f"data ({len(data)} bytes) without an end marker; the file is incomplete"
            )
        following = data[pos + 1]
        if following == 0x00 or 0xD0 <= following <= 0xD7 or following == 0xFF:
            pos += 1  # a stuffed 0xFF, a restart marker, or a fill byte: still in the scan
            continue
        return pos


def read_segments(data: bytes) -> tuple[Segment, ...]:
    """List the marker segments of a JPEG file, from SOI to EOI.

    Parameters
    ----------
    data : bytes
        The content of a JPEG file.

    Returns
    -------
    tuple of Segment
        In file order; RST markers inside a scan are part of the SOS segment.

    Raises
    ------
    JPEGFormatError
        (a ValueError) if the data is not a JPEG, is truncated, or is malformed.

    Examples
    --------
    >>> import io
    >>> from PIL import Image
    >>> buffer = io.BytesIO()
    >>> Image.new("L", (8, 8)).save(buffer, format="JPEG")
    >>> [s.name for s in read_segments(buffer.getvalue())]
    ['SOI', 'APP0', 'DQT', 'SOF0', 'DHT', 'DHT', 'SOS', 'EOI']
    """
    data = _check_bytes(data)
    segments = [Segment("SOI", 0xFFD8, 0, 0, 2)]
    pos = 2
    while True:
        while pos < len(data) and data[pos] == 0xFF and pos + 1 < len(data) \
                and data[pos + 1] == 0xFF:
            pos += 1  # fill bytes before a marker
        if pos + 2 > len(data):
            raise JPEGFormatError(
                f"truncated JPEG: the data ends at byte {len(data)} before the EOI marker "
                "(FF D9); the file is incomplete, re-download or re-save it"
            )
        if data[pos] != 0xFF:
            raise JPEGFormatError(
                f"corrupt JPEG: expected a marker (FF xx) at byte {pos}, "
                f"found {data[pos:pos + 2].hex(' ')}"
            )
        code = data[pos + 1]
        name = _MARKER_NAMES.get(code, f"0xFF{code:02X}")
        if code == 0xD9:
            segments.append(Segment("EOI", 0xFFD9, pos, 0, 2))
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
                f"but only {len(data) - pos - 2} remain"
            )
        payload = data[pos + 4 : end]
        if code == 0xDA:
            end = _scan_end(data, end)
        segments.append(Segment(name, 0xFF00 | code, pos, length, end - pos, payload))
        pos = end


# --- reading a real file: tables and frame header ------------------------------------------


def _parse_dqt(payload: bytes, tables: dict[int, np.ndarray]) -> None:
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
def _huffman_lookup(counts: tuple[int, ...], symbols: bytes) -> list[int]:
    """A 65536-entry table: the next 16 bits -> ``(code length << 8) | symbol`` (0: no code).

    Codes are canonical (T.81 Annex C): within a length they count up, and moving to the next
    length appends a 0 bit. Cached: most files carry the same four standard tables. The
    decoder only reads the list, never changes it.
    """
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
    return lookup.tolist()


_UNSUPPORTED_SOF = {
    0xC2: "progressive JPEG", 0xC3: "lossless JPEG", 0xC5: "hierarchical JPEG",
    0xC6: "hierarchical progressive JPEG", 0xC7: "hierarchical lossless JPEG",
    0xC9: "arithmetic-coded JPEG", 0xCA: "arithmetic-coded progressive JPEG",
    0xCB: "arithmetic-coded lossless JPEG", 0xCD: "arithmetic-coded hierarchical JPEG",
    0xCE: "arithmetic-coded hierarchical JPEG", 0xCF: "arithmetic-coded hierarchical JPEG",
}


@dataclass(frozen=True)
class _Frame:
    height: int
    width: int
    components: tuple[tuple[int, int, int, int], ...]  # (id, h, v, quant table id)


def _parse_sof(segment: Segment) -> _Frame:
    code = segment.marker & 0xFF
    if code in _UNSUPPORTED_SOF:
        what = _UNSUPPORTED_SOF[code]
        raise UnsupportedJPEGError(
            f"not supported: {what} ({segment.name}); this decoder reads baseline "
            "Huffman-coded files only. Re-save it as baseline, e.g. with Pillow: "
            "Image.open(f).save(out, 'JPEG', progressive=False)"
        )
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
            f"not supported: {n} colour components (only greyscale and YCbCr; CMYK is not read)"
        )
    comps = tuple((p[6 + 3 * i], p[7 + 3 * i] >> 4, p[7 + 3 * i] & 15, p[8 + 3 * i])
                  for i in range(n))
    if any(not 1 <= h <= 4 or not 1 <= v <= 4 or t > 3 for _, h, v, t in comps):
        raise JPEGFormatError(f"corrupt JPEG: bad sampling factors or table ids {comps}")
    return _Frame(height, width, comps)


# --- reading a real file: the Huffman-coded scan -------------------------------------------


def _bit_windows(chunk: bytes) -> tuple[list[int], int]:
    """Unstuff a scan interval and return, for every byte offset, the 32 bits starting there.

    With these windows, reading n <= 16 bits at any bit position is one list look-up and a
    shift, instead of a Python loop over bits. Zeros pad the end so that a corrupt stream
    reads zeros (and is caught by the length check) rather than an IndexError.
    """
    raw = chunk.replace(b"\xff\x00", b"\xff")  # byte stuffing: FF 00 in the file means FF
    b = np.frombuffer(raw + bytes(1024), dtype=np.uint8).astype(np.int64)
    windows = (b[:-3] << 24) | (b[1:-2] << 16) | (b[2:-1] << 8) | b[3:]
    return windows.tolist(), 8 * len(raw)


def _decode_interval(chunk: bytes, jobs: list[tuple[list[int], int, int, list[int], list[int]]],
                     n_components: int) -> None:
    """Decode the blocks ``jobs`` (store, base, component slot, DC and AC look-ups) in order.

    This is the one long function of the module: it is the inner loop, kept flat for speed.
    For each block, T.81 F.2.2: a DC size category s, then s raw bits giving the difference
    from the previous block's DC; then AC symbols (run << 4 | size): skip ``run`` zeros,
    read ``size`` bits; 0x00 ends the block (EOB), 0xF0 skips 16 zeros (ZRL).
    """
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
                "the file is incomplete"
            )


def _split_restarts(scan: bytes, restart_interval: int) -> list[bytes]:
    if not restart_interval:
        return [scan]
    import re

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


def _decode_scan(data: bytes, segment: Segment, frame: _Frame, tables: HuffmanTables,
                 stores: list[list[int]], grid_cols: list[int], restart_interval: int) -> None:
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


MAX_PIXELS = 16_000_000  # the pure-Python decoder needs ~20 bytes and ~1 us per pixel


def decode_coefficients(data: bytes, *, max_pixels: int = MAX_PIXELS) -> JPEGCoefficients:
    """Read a baseline JPEG's quantized DCT coefficients (undo the Huffman coding only).

    Parameters
    ----------
    data : bytes
        A JPEG file: baseline (SOF0) or extended sequential (SOF1) Huffman-coded, 8-bit,
        greyscale or YCbCr, interleaved or not, with or without restart markers.
    max_pixels : int
        Refuse images with more pixels than this (before allocating anything for them).

    Returns
    -------
    JPEGCoefficients
        Per component: the quantization table it uses and its coefficients, int32
        (n_by, n_bx, 8, 8) in natural order (blocks that only pad the last MCU are dropped).

    Raises
    ------
    UnsupportedJPEGError
        For progressive, lossless, hierarchical or arithmetic-coded files, 12-bit samples, or
        neither 1 nor 3 components. A ValueError.
    JPEGFormatError
        If the data is not a JPEG, is truncated, or is corrupt. A ValueError.
    ValueError
        If the image has more than ``max_pixels`` pixels.

    Notes
    -----
    The coefficient ``q[u, v]`` of a block stands for the DCT value ``q[u, v] * Q[u, v]``;
    DC values are coded as differences from the previous block of the same component.

    Examples
    --------
    >>> import io
    >>> from PIL import Image
    >>> buffer = io.BytesIO()
    >>> Image.new("L", (16, 8), color=200).save(buffer, format="JPEG", quality=75)
    >>> coefs = decode_coefficients(buffer.getvalue())
    >>> coefs.components[0].coefficients.shape, int(coefs.components[0].coefficients[0, 0, 0, 0])
    ((1, 2, 8, 8), 72)
    """
    quant: dict[int, np.ndarray] = {}
    huffman: HuffmanTables = {}
    frame, restart_interval, stores, grid_cols, n_scans = None, 0, [], [], 0
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
                    "first, or pass a larger max_pixels"
                )
            mcu_rows, mcu_cols, _, _ = _mcu_grid(frame)
            grid_cols = [mcu_cols * h for _, h, _, _ in frame.components]
            stores = [[0] * (mcu_rows * v * cols * 64)
                      for (_, _, v, _), cols in zip(frame.components, grid_cols, strict=True)]
        elif segment.name == "SOS":
            if frame is None:
                raise JPEGFormatError("corrupt JPEG: a scan (SOS) before the frame header (SOF)")
            _decode_scan(data, segment, frame, huffman, stores, grid_cols, restart_interval)
            n_scans += 1
    if frame is None or n_scans == 0:
        raise JPEGFormatError("corrupt JPEG: no frame header (SOF) or no scan (SOS) in the data")
    return _assemble(frame, quant, huffman, stores, grid_cols, restart_interval)


def _assemble(frame: _Frame, quant: dict[int, np.ndarray], huffman: HuffmanTables,
              stores: list[list[int]], grid_cols: list[int], restart_interval: int
              ) -> JPEGCoefficients:
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
        components.append(Component(cid, h, v, quant[table_id], blocks))
    return JPEGCoefficients(frame.height, frame.width, tuple(components), restart_interval,
                            dict(huffman))


# --- back to pixels --------------------------------------------------------------------------


def reconstruct(coefficients: JPEGCoefficients, *, method: str = "libjpeg") -> np.ndarray:
    """Turn quantized coefficients into pixels: dequantize, inverse DCT, upsample, to RGB.

    Parameters
    ----------
    coefficients : JPEGCoefficients
        From :func:`decode_coefficients` or :func:`forward_coefficients`.
    method : {"libjpeg", "float"}
        Inverse DCT and colour conversion in libjpeg's fixed point (matches Pillow's pixels
        exactly but for rare rounding cases) or with the exact formulas (within a grey level
        or two of Pillow).

    Returns
    -------
    numpy.ndarray
        uint8, (height, width) for greyscale, (height, width, 3) RGB for colour.

    Raises
    ------
    UnsupportedJPEGError
        For chroma subsampling other than 4:4:4 and 4:2:0.

    Notes
    -----
    Per block ``B = C.T @ (q * Q) @ C + 128``, rounded and clipped to 0..255. 4:2:0 chroma
    is doubled with :func:`upsample` (libjpeg's "fancy" triangle filter, the one Pillow uses),
    then :func:`ycbcr_to_rgb`.
    """
    c = coefficients
    if c.subsampling not in ("grey", "4:4:4", "4:2:0"):
        factors = [(comp.h_sampling, comp.v_sampling) for comp in c.components]
        raise UnsupportedJPEGError(
            f"not supported: chroma sampling factors {factors}; this decoder reads greyscale, "
            "4:4:4 and 4:2:0. Re-save with Pillow's subsampling=0 or 2."
        )
    h_max = max(comp.h_sampling for comp in c.components)
    v_max = max(comp.v_sampling for comp in c.components)
    planes = []
    for comp in c.components:
        shape = (-(-c.height * comp.v_sampling // v_max), -(-c.width * comp.h_sampling // h_max))
        dct = dequantize(comp.coefficients, comp.quant_table)
        pixels = unlevel_shift(idct2(dct, method=method))  # (n_by, n_bx, 8, 8) uint8
        plane = unblockify(pixels, shape)  # (component height, width) uint8
        if shape != (c.height, c.width):
            plane = upsample(plane, (c.height, c.width))
        planes.append(plane)
    if len(planes) == 1:
        return planes[0]
    return to_samples(ycbcr_to_rgb(np.stack(planes, axis=-1), method=method))


def decode(data: bytes, *, method: str = "libjpeg", max_pixels: int = MAX_PIXELS) -> np.ndarray:
    """Decode a baseline JPEG file to pixels, in numpy: the whole decoder in one call.

    Parameters
    ----------
    data : bytes
        The content of a baseline, Huffman-coded JPEG file (greyscale or YCbCr, 4:4:4 or
        4:2:0).
    method : {"libjpeg", "float"}
        See :func:`reconstruct`.
    max_pixels : int
        See :func:`decode_coefficients`.

    Returns
    -------
    numpy.ndarray
        uint8, (height, width) or (height, width, 3) RGB.

    Raises
    ------
    UnsupportedJPEGError, JPEGFormatError
        See :func:`decode_coefficients` (both are ValueErrors).

    Notes
    -----
    ``decode(data) == reconstruct(decode_coefficients(data))``. Chroma is upsampled with
    libjpeg's "fancy" (triangle filter) upsampling, not by repeating each sample 2x2,
    because that is what Pillow does (and it avoids blocky colour edges); with it and
    ``method="libjpeg"`` our pixels equal Pillow's. With ``method="float"`` (the exact
    inverse DCT) about 98% of values are equal and the rest differ by 1 to 3 grey levels.

    Examples
    --------
    >>> import io
    >>> from PIL import Image
    >>> buffer = io.BytesIO()
    >>> Image.new("RGB", (9, 5), color=(200, 30, 90)).save(buffer, format="JPEG")
    >>> pixels = decode(buffer.getvalue())
    >>> pixels.shape, pixels.dtype.name
    ((5, 9, 3), 'uint8')
    """
    return reconstruct(decode_coefficients(data, max_pixels=max_pixels), method=method)


# --- how many bytes should the scan take? ---------------------------------------------------


def _mcu_order(blocks: np.ndarray) -> np.ndarray:
    """Blocks of a 2x2-sampled luma in the order an interleaved scan codes them.

    The grid is padded to whole MCUs as libjpeg does: each extra block repeats its
    neighbour's DC and has no AC.
    """
    n_by, n_bx = blocks.shape[:2]
    padded = np.pad(blocks, ((0, n_by % 2), (0, n_bx % 2), (0, 0), (0, 0)), mode="edge")
    padded[n_by:, :, :, :] *= 0
    padded[:, n_bx:, :, :] *= 0
    padded[n_by:, :, 0, 0] = padded[n_by - 1 : n_by, :, 0, 0]
    padded[:, n_bx:, 0, 0] = padded[:, n_bx - 1 : n_bx, 0, 0]
    rows, cols = padded.shape[0] // 2, padded.shape[1] // 2
    return padded.reshape(rows, 2, cols, 2, 8, 8).transpose(0, 2, 1, 3, 4, 5)


def _block_symbols(blocks: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """The symbols T.81 codes for one component's blocks: (DC symbols, AC symbols, extra bits).

    DC: the size category of the difference from the previous block in coding order. AC: for
    each non-zero coefficient in zig-zag order, ``run << 4 | size`` (a ZRL 0xF0 for each 16
    zeros of a longer run), and an EOB 0x00 unless the block ends with a non-zero.
    """
    zz = blocks.reshape(-1, 64)[:, ZIGZAG].astype(np.int64)  # (n_blocks, 64)
    size = np.frexp(np.abs(zz).astype(np.float64))[1]  # bits to write |v|: 0 for v = 0
    dc_diff = np.diff(zz[:, 0], prepend=0)
    dc_size = np.frexp(np.abs(dc_diff).astype(np.float64))[1]
    rows, cols = np.nonzero(zz[:, 1:])  # AC non-zeros, row-major: blocks in order
    first = np.r_[True, rows[1:] != rows[:-1]]
    prev = np.where(first, -1, np.r_[-1, cols[:-1]])
    run = cols - prev - 1
    ac = (run % 16) << 4 | size[rows, cols + 1]
    n_zrl = int(np.sum(run // 16))
    ends_nonzero = np.zeros(len(zz), dtype=bool)
    ends_nonzero[rows[cols == 62]] = True
    n_eob = int(np.sum(~ends_nonzero))
    symbols = np.concatenate([ac, np.full(n_zrl, 0xF0), np.zeros(n_eob, dtype=np.int64)])
    return dc_size, symbols, int(size[:, 1:].sum() + dc_size.sum())


def _entropy_bits(symbols: np.ndarray) -> float:
    """``n * H`` of the empirical distribution of ``symbols``: ``-sum_s c_s log2(c_s / n)``."""
    counts = np.unique(symbols, return_counts=True)[1].astype(np.float64)
    return float(-np.sum(counts * np.log2(counts / counts.sum()))) if counts.size else 0.0


def _code_lengths(counts: tuple[int, ...], symbols: bytes) -> dict[int, int]:
    lengths = [length for length, n in enumerate(counts, start=1) for _ in range(n)]
    return dict(zip(symbols, lengths, strict=True))


@dataclass(frozen=True)
class ScanEstimate:
    """How many bits the entropy-coded scan needs, by three accounts.

    Attributes
    ----------
    n_symbols : int
        Huffman-coded symbols (DC size categories, AC run/size pairs, EOB, ZRL).
    entropy_bits : float
        Their empirical entropy: each table's symbols cost ``-log2`` of their frequency.
    extra_bits : int
        The raw bits after the symbols that give the coefficients' values.
    huffman_bits : int or None
        The symbols' cost with the file's own Huffman tables (None without tables).
    """

    n_symbols: int
    entropy_bits: float
    extra_bits: int
    huffman_bits: int | None

    @property
    def n_bytes(self) -> float:
        """The entropy estimate of the scan's size: ``(entropy_bits + extra_bits) / 8``."""
        return (self.entropy_bits + self.extra_bits) / 8


def scan_estimate(coefficients: JPEGCoefficients) -> ScanEstimate:
    """Estimate the size of the Huffman-coded scan from the quantized coefficients.

    Parameters
    ----------
    coefficients : JPEGCoefficients
        From :func:`decode_coefficients` or :func:`forward_coefficients`.

    Returns
    -------
    ScanEstimate

    Notes
    -----
    JPEG codes four streams of symbols (DC and AC, luma and chroma, each with its own
    table). For a stream with counts ``c_s`` (total n), no code whose lengths depend only on
    the symbol can beat the empirical entropy ``-sum_s c_s log2(c_s / n)`` bits. The
    magnitude bits after each symbol are written raw. Blocks are taken in the scan's
    order (2x2 MCUs for 4:2:0 luma, with the padding blocks libjpeg adds); restart
    intervals are ignored. ``huffman_bits`` assumes the usual JFIF assignment: tables 0 for
    luma, 1 for chroma.

    Examples
    --------
    >>> from lossylab.jpeg import forward_coefficients
    >>> flat = forward_coefficients(np.full((16, 16), 128, dtype=np.uint8), 75)
    >>> estimate = scan_estimate(flat)  # 4 blocks: DC size 0 and an EOB each
    >>> estimate.n_symbols, estimate.entropy_bits, estimate.extra_bits
    (8, 0.0, 0)
    """
    streams: dict[tuple[str, int], list[np.ndarray]] = {}
    extra = 0
    for index, comp in enumerate(coefficients.components):
        table_id = 0 if index == 0 else 1
        blocks = comp.coefficients
        if len(coefficients.components) > 1 and (comp.h_sampling, comp.v_sampling) == (2, 2):
            blocks = _mcu_order(blocks)
        dc, ac, bits = _block_symbols(blocks)
        streams.setdefault(("DC", table_id), []).append(dc)
        streams.setdefault(("AC", table_id), []).append(ac)
        extra += bits
    joined = {key: np.concatenate(parts) for key, parts in streams.items()}
    entropy = sum(_entropy_bits(symbols) for symbols in joined.values())
    tables = coefficients.huffman_tables
    huffman = None
    if tables and all(key in tables for key in joined):
        huffman = 0
        for key, symbols in joined.items():
            lengths = _code_lengths(*tables[key])
            values, counts = np.unique(symbols, return_counts=True)
            huffman += sum(lengths.get(int(v), 16) * int(c) for v, c in zip(values, counts,
                                                                           strict=True))
    n_symbols = sum(len(s) for s in joined.values())
    return ScanEstimate(n_symbols, entropy, extra, huffman)
