"""How many bytes should step 6 take? The symbols JPEG's Huffman stage codes, and their entropy.

Step 6 turns each block's coefficients into symbols (T.81 F.1.2): the DC difference's size
category; for the AC in zig-zag order ``run << 4 | size``, ZRL (16 zeros) and EOB; each is
Huffman-coded and followed by ``size`` raw bits. No code whose lengths depend only on the
symbol beats a stream's empirical entropy: :func:`scan_estimate` counts it, with the raw bits
and the file's own cost. Left out: restart intervals, and the encoder itself.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lossylab.distributions import entropy, normalize
from lossylab.jpeg import ZIGZAG, JPEGCoefficients

__all__ = ["scan_estimate"]


def _mcu_order(blocks: np.ndarray) -> np.ndarray:
    """Blocks of a 2x2-sampled luma in interleaved scan order, padded to whole MCUs."""
    # as libjpeg pads: each extra block repeats its neighbour's DC and has no AC
    n_by, n_bx = blocks.shape[:2]
    padded = np.pad(blocks, ((0, n_by % 2), (0, n_bx % 2), (0, 0), (0, 0)), mode="edge")
    padded[n_by:, :, :, :] *= 0
    padded[:, n_bx:, :, :] *= 0
    padded[n_by:, :, 0, 0] = padded[n_by - 1 : n_by, :, 0, 0]
    padded[:, n_bx:, 0, 0] = padded[:, n_bx - 1 : n_bx, 0, 0]
    rows, cols = padded.shape[0] // 2, padded.shape[1] // 2
    return padded.reshape(rows, 2, cols, 2, 8, 8).transpose(0, 2, 1, 3, 4, 5)


def _block_symbols(blocks: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """The symbols T.81 codes for one component's blocks: (DC symbols, AC symbols, extra bits)."""
    # AC: a ZRL 0xF0 for each 16 zeros of a longer run, an EOB 0x00 unless the block ends non-zero
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
    """``n H`` bits: ``n`` symbols at the entropy ``H`` of their empirical distribution."""
    if symbols.size == 0:
        return 0.0
    return len(symbols) * entropy(normalize(np.unique(symbols, return_counts=True)[1]))


def _code_lengths(counts: tuple[int, ...], symbols: bytes) -> dict[int, int]:
    """Symbol -> code length of a Huffman table given as (counts per length, symbols)."""
    lengths = [length for length, n in enumerate(counts, start=1) for _ in range(n)]
    return dict(zip(symbols, lengths, strict=True))


@dataclass(frozen=True)
class _ScanEstimate:
    """How many bits the entropy-coded scan needs (fields: see :func:`scan_estimate`)."""

    n_symbols: int
    entropy_bits: float
    extra_bits: int
    huffman_bits: int | None

    @property
    def n_bytes(self) -> float:
        """The entropy estimate of the scan's size, in bytes."""
        return (self.entropy_bits + self.extra_bits) / 8


def scan_estimate(coefficients: JPEGCoefficients) -> _ScanEstimate:
    """Estimate the size of the Huffman-coded scan from the quantized coefficients.

    A stream with counts ``c_s`` (total n) costs at least ``-sum_s c_s log2(c_s / n)`` bits;
    blocks in scan order (with libjpeg's MCU padding). Returns ``.n_symbols``, their empirical
    ``.entropy_bits`` per stream, the raw ``.extra_bits``, the ``.huffman_bits`` with the
    file's own tables (None without), and ``.n_bytes = (entropy_bits + extra_bits) / 8``.

    Examples
    --------
    >>> from lossylab.jpeg import forward_coefficients
    >>> estimate = scan_estimate(forward_coefficients(np.full((16, 16), 128, np.uint8), 75))
    >>> estimate.n_symbols, estimate.entropy_bits, estimate.extra_bits  # 4 blocks: DC 0, EOB
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
    entropy_bits = sum(_entropy_bits(symbols) for symbols in joined.values())
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
    return _ScanEstimate(n_symbols, entropy_bits, extra, huffman)
