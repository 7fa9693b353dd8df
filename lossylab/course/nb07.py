"""Notebook 07: JPEG and language models side by side, and the course's claims checked.

The core idea. Both compressors keep a few bits (the *rate*) and lose something (the
*distortion*); to compare them, both are measured in bits per symbol.

* **JPEG** describes one photograph. Rate: bits per pixel of the file (``bpp``). Distortion:
  the bits per pixel a lossless code of the errors would still need to give the original back
  (:func:`residual_bits_per_pixel`), so that rate plus distortion is a two-part code.
* **A language model** describes a corpus. Rate: bits to store the model, per character of its
  training text. Distortion: the *excess* bits per character it spends on new text, over the
  exact code length under p_true (the synthetic language, setup ``"07"`` of
  :mod:`lossylab.course.synthetic`: KL(p_true || p_model) per character) or over the best
  model we have (Shakespeare).

Then each claim of the course's argument that could come out false is checked against these
measurements (:func:`claims`; each is a function of its data, so a test can make it fail).
Results are cached and read-only, so the sliders only look numbers up.

What this version leaves out: a real rate-distortion bound (these are operating points of two
codecs, not the best possible codes); the Shakespeare models read the held-out text in short
blocks (:data:`EVAL_BLOCK_CHARS`), a little dearer per character for every model.

References
----------
C. E. Shannon, "Coding theorems for a discrete source with a fidelity criterion", IRE Nat.
Conv. Rec. (1959) (rate and distortion).
T. Chiang, "ChatGPT Is a Blurry JPEG of the Web", The New Yorker, 9 February 2023.
K. Cho, "Are JPEG and LM similar to each other? If so, in what sense, and is this the real
question to ask?", blog post, February 2023.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from lossylab.blockstats import BlockStats, block_stats
from lossylab.course import synthetic
from lossylab.course.common import PHOTOGRAPHS, RD_QUALITIES, photograph, sample_block_pool
from lossylab.course.exercises import Feedback
from lossylab.data import shakespeare_split
from lossylab.distributions import entropy, normalize
from lossylab.images import psnr_db, roundtrip
from lossylab.lm import CharLM
from lossylab.neural import load_pretrained, pretrained_names

__all__ = [
    "BITS_PER_COUNT", "BITS_PER_WEIGHT", "CLAIM_QUALITIES", "EVAL_BLOCK_CHARS", "NGRAM_ORDERS",
    "JPEGCurve", "LMPoint", "best_ngram_order", "check", "claims", "jpeg_block_stats",
    "jpeg_curves", "neural_ladder", "neural_quantization", "ngram_ladder",
    "residual_bits_per_pixel",
]

BITS_PER_COUNT = 64  # a stored n-gram entry as the course's files store it: 32-bit key + count
BITS_PER_WEIGHT = (2, 3, 4, 5, 6, 8, 12, 16)  # the "JPEG the model" curve
NGRAM_ORDERS = tuple(range(max(synthetic.SYNTHETIC_ORDERS) + 1))  # n-gram orders 0..8
EVAL_N_CHARS = 8192  # held-out Shakespeare characters used to compare the neural models
EVAL_BLOCK_CHARS = 256  # ... in 32 blocks read in lockstep (fast; see the module notes)
QUANTIZED = "gru-64"  # the model of the "JPEG the model" curve (the largest if it is missing)
CLAIM_QUALITIES = (10, 90)  # JPEG qualities at which the block distribution is measured


# --- JPEG: rate and distortion in bits per pixel -----------------------------------------
def residual_bits_per_pixel(image: np.ndarray, decoded: np.ndarray) -> float:
    """Bits per pixel that an i.i.d. code of the errors needs to restore ``image`` exactly.

    ``image`` and ``decoded``: uint8 (else TypeError), one shape, (H, W) or (H, W, C) (else
    ValueError). Returns ``sum_c H(e_c)``, the plug-in entropy in bits of each channel's errors
    ``e_c = decoded_c - image_c``: what coding them with their histogram costs (plus a small
    table); 0 for a lossless round trip.

    Examples
    --------
    >>> image = np.zeros((4, 4), dtype=np.uint8)
    >>> residual_bits_per_pixel(image, image)
    0.0
    >>> noisy = image.copy(); noisy[:2] = 1  # half the errors are 0, half are 1
    >>> residual_bits_per_pixel(image, noisy)
    1.0
    """
    ref, test = np.asarray(image), np.asarray(decoded)
    if ref.dtype != np.uint8 or test.dtype != np.uint8:
        raise TypeError(f"image and decoded must be uint8 arrays, got {ref.dtype} and "
                        f"{test.dtype}; convert with np.clip(x, 0, 255).astype(np.uint8)")
    if ref.shape != test.shape or ref.ndim not in (2, 3):
        raise ValueError(f"image and decoded must have the same 2-D or 3-D shape, got "
                         f"{ref.shape} and {test.shape}")
    errors = test.astype(np.int16) - ref.astype(np.int16) + 255  # 0..510
    channels = errors.reshape(-1, 1 if ref.ndim == 2 else ref.shape[2])  # (n_pixels, C)
    return float(sum(entropy(normalize(np.bincount(channels[:, c], minlength=511)))
                     for c in range(channels.shape[1])))


@dataclass(frozen=True)
class JPEGCurve:
    """One photograph through JPEG: ``bpp`` (rate), ``psnr_db`` and ``residual_bits_per_pixel``
    (distortion in bits), arrays aligned with ``qualities``."""

    name: str
    qualities: np.ndarray
    bpp: np.ndarray
    psnr_db: np.ndarray
    residual_bits_per_pixel: np.ndarray

    def at(self, quality: int) -> int:
        """Index of ``quality`` in :attr:`qualities` (ValueError if it was not measured)."""
        hits = np.flatnonzero(self.qualities == quality)
        if len(hits) == 0:
            raise ValueError(f"quality must be one of {self.qualities.tolist()}, got {quality!r}")
        return int(hits[0])


@lru_cache(maxsize=16)
def _jpeg_curve(name: str, qualities: tuple[int, ...]) -> JPEGCurve:
    """One bundled photograph round-tripped at each quality; read-only arrays."""
    image = photograph(name)
    rows = []
    for quality in qualities:
        rt = roundtrip(image, quality)
        rows.append((rt.bpp, psnr_db(image, rt.decoded, data_range=255),
                     residual_bits_per_pixel(image, rt.decoded)))
    arrays = [np.array(qualities), *(np.array(column) for column in zip(*rows, strict=True))]
    for array in arrays:
        array.setflags(write=False)
    return JPEGCurve(name, *arrays)


def jpeg_curves(names: tuple[str, ...] = PHOTOGRAPHS,
                qualities: tuple[int, ...] = RD_QUALITIES) -> tuple[JPEGCurve, ...]:
    """Round-trip bundled photographs at each quality (cached, read-only; 20 ms each at first).

    Examples
    --------
    >>> (curve,) = jpeg_curves(("camera",), (10, 90))
    >>> curve.bpp.round(2).tolist(), curve.residual_bits_per_pixel.round(1).tolist()
    ([0.23, 1.81], [5.1, 3.1])
    """
    return tuple(_jpeg_curve(name, tuple(qualities)) for name in names)


@lru_cache(maxsize=8)
def jpeg_block_stats(quality: int) -> BlockStats:
    """``lossylab.blockstats.block_stats`` of the sample block pool at ``quality``, cached.

    Examples
    --------
    >>> jpeg_block_stats(90).n_blocks
    20054
    """
    return block_stats(sample_block_pool(), quality, r=synthetic.R)


# --- language models: rate and distortion in bits per character -----------------------
@dataclass(frozen=True)
class LMPoint:
    """One language model as a lossy compressor of its training corpus.

    ``model_bits``: ``stored_bits`` (neural) or ``n_params *`` :data:`BITS_PER_COUNT`
    (n-gram); rate ``model_bits_per_train_char``; distortion ``excess_bits_per_char``, the
    held-out ``bits_per_char`` over the floor (p_true or the best model).
    """

    name: str
    n_params: int
    model_bits: float
    model_bits_per_train_char: float
    bits_per_char: float
    excess_bits_per_char: float


def _lm_point(model: CharLM, *, bits_per_char: float, train_chars: int,
              floor_bits_per_char: float) -> LMPoint:
    """Place a model on the rate-distortion plane (``stored_bits``, else 32 bits a count)."""
    stored = getattr(model, "stored_bits", None)
    bits = float(stored if stored is not None else model.n_params * BITS_PER_COUNT)
    return LMPoint(name=model.name, n_params=int(model.n_params), model_bits=bits,
                   model_bits_per_train_char=bits / train_chars, bits_per_char=bits_per_char,
                   excess_bits_per_char=bits_per_char - floor_bits_per_char)


@lru_cache(maxsize=1)
def ngram_ladder() -> tuple[LMPoint, ...]:
    """The n-grams of :data:`NGRAM_ORDERS` on the synthetic language (setup ``"07"``); the
    floor is the exact code length under p_true, so the excess estimates KL per character.

    Examples
    --------
    >>> [p.name for p in ngram_ladder()[:2]]
    ['ngram-0', 'ngram-1']
    """
    setup = synthetic.synthetic_setup("07")
    return tuple(
        _lm_point(model, bits_per_char=model.bits_per_char(setup.test_text),
                  train_chars=len(setup.train_text),
                  floor_bits_per_char=setup.test_true_bits_per_char)
        for model in (synthetic.synthetic_ladder_model(k, setup="07") for k in NGRAM_ORDERS))


def best_ngram_order() -> int:
    """The n-gram order with the smallest KL per character on the synthetic language.

    Examples
    --------
    >>> best_ngram_order()
    6
    """
    return int(np.argmin([p.excess_bits_per_char for p in ngram_ladder()]))


# --- Shakespeare: the neural ladder and its quantization --------------------------------
@lru_cache(maxsize=1)
def _shakespeare() -> tuple[int, str]:
    """Training characters and the held-out slice every neural model reads."""
    split = shakespeare_split()
    return len(split.train), split.test[:EVAL_N_CHARS]


@lru_cache(maxsize=32)
def _neural_point(name: str, bits_per_weight: int | None) -> LMPoint:
    """A pretrained model (quantized if asked) measured, with excess over 0."""
    model = load_pretrained(name)
    if bits_per_weight is not None:
        model = model.quantized(bits_per_weight)
    train_chars, text = _shakespeare()
    bits = float(model.code_lengths(text, block_chars=EVAL_BLOCK_CHARS).mean())
    return _lm_point(model, bits_per_char=bits, train_chars=train_chars, floor_bits_per_char=0.0)


def _neural_points(keys: Sequence[tuple[str, int | None]]) -> tuple[LMPoint, ...]:
    """Measured models with the excess over the best full-precision model."""
    floor = min(_neural_point(name, None).bits_per_char for name in pretrained_names())
    return tuple(dataclasses.replace(p, excess_bits_per_char=p.bits_per_char - floor)
                 for p in (_neural_point(*key) for key in keys))


@lru_cache(maxsize=1)
def neural_ladder() -> tuple[LMPoint, ...]:
    """The pretrained neural ladder on held-out Shakespeare; excess over the best of them.

    Examples
    --------
    >>> [p.name for p in neural_ladder()][:2]
    ['gru-4', 'gru-16']
    """
    return _neural_points([(name, None) for name in pretrained_names()])


@lru_cache(maxsize=4)
def neural_quantization(name: str | None = None,
                        bits: tuple[int, ...] = BITS_PER_WEIGHT) -> tuple[LMPoint, ...]:
    """One pretrained model (default ``"gru-64"``, else the largest) quantized to each of ``bits``.

    Examples
    --------
    >>> [p.name for p in neural_quantization(bits=(8,))]
    ['gru-64-q8']
    """
    if name is None:
        name = QUANTIZED if QUANTIZED in pretrained_names() else pretrained_names()[-1]
    return _neural_points([(name, b) for b in bits])


# --- the course's claims, checked ---------------------------------------------------------
@dataclass(frozen=True)
class _Claim:
    """One sentence of the course's argument, the numbers that test it, and the verdict."""

    statement: str
    measured: tuple[tuple[str, float], ...]
    holds: bool

    def value(self, label: str) -> float:
        """The measurement called ``label`` (KeyError if absent)."""
        return dict(self.measured)[label]


def _claim(statement: str, measured: dict[str, float], holds: bool) -> _Claim:
    """A claim from a dict of labelled measurements."""
    return _Claim(statement, tuple((k, float(v)) for k, v in measured.items()), bool(holds))


def _claim_entropy(before: float, low: float, high: float, q: tuple[int, int]) -> _Claim:
    """The lower the quality, the larger JPEG's entropy drop (the drop itself is a theorem)."""
    return _claim(f"The lower the quality, the more the entropy of the 8x8 blocks drops (q={q[0]} "
                  f"below q={q[1]}).", {"entropy before (bits/block)": before,
                                        f"after, q={q[0]}": low, f"after, q={q[1]}": high},
                  low < high <= before)


def _claim_jpeg_faces(low: BlockStats, high: BlockStats) -> _Claim:
    """JPEG collapses and hallucinates more at low quality, on the feature histogram."""
    m = {f"mode collapse, q={low.quality}": low.mode_collapse_mass,
         f"mode collapse, q={high.quality}": high.mode_collapse_mass,
         f"hallucination, q={low.quality}": low.hallucination_mass,
         f"hallucination, q={high.quality}": high.hallucination_mass}
    v = list(m.values())
    return _claim("On the 9x9 histogram of block features (activity, border step), JPEG starves "
                  "and invents more mass at low quality than at high.", m,
                  v[0] > v[1] and v[2] > v[3])


def _claim_rate(curves: Sequence[JPEGCurve]) -> _Claim:
    """On the quality grid, bpp rises and the missing bits fall on every photograph."""
    ok = [bool(np.all(np.diff(c.bpp) > 0) and np.all(np.diff(c.residual_bits_per_pixel) < 0))
          for c in curves]
    return _claim(f"On the quality grid {curves[0].qualities[0]}, {curves[0].qualities[1]}, ..., "
                  f"{curves[0].qualities[-1]}, every photograph's bpp rises and its missing bits "
                  "fall (single quality steps can break this).",
                  {"photographs where this holds": sum(ok), "photographs": len(ok)}, all(ok))


def _claim_best_order(excess: Sequence[float]) -> _Claim:
    """The n-gram closest to p_true is not the largest."""
    best = int(np.argmin(excess))
    return _claim("A bigger n-gram is not always closer to p_true: the order with the smallest "
                  "KL per character is not the largest.",
                  {"best order": best, "KL at the best order (bits/char)": excess[best],
                   f"KL at order {len(excess) - 1} (bits/char)": excess[-1]},
                  best < len(excess) - 1)


def _claim_lm_faces(f: Any, order: int) -> _Claim:
    """Most samples hallucinated, and more generalized than memorized: 95% intervals apart."""
    (_, m_hi), (g_lo, _), (h_lo, _) = (f.interval(k) for k in
                                       ("memorization", "generalization", "hallucination"))
    return _claim(f"The order-{order} n-gram hallucinates most of its sentences, and generalizes "
                  "more often than it copies (95% intervals, whole sentences).",
                  {"hallucinated": f.hallucination, "lower bound": h_lo,
                   "generalized": f.generalization, "its lower bound": g_lo,
                   "memorized": f.memorization, "its upper bound": m_hi},
                  h_lo > 0.5 and g_lo > m_hi)


def _claim_quantization(name: str, full: float, excess: dict[int, float]) -> _Claim:
    """The knee of weight quantization lies between 4 and 6 bits per weight."""
    return _claim("Quantizing the weights is JPEG for the model: from 6 bits per weight up the "
                  "excess rises by < 0.02 bits/char, at 4 bits and below by > 0.1.",
                  {f"{name}: excess, float32 (bits/char)": full,
                   **{f"{b} bits/weight": excess[b] for b in (2, 4, 6, 8)}},
                  all(excess[b] - full < 0.02 for b in excess if b >= 6)
                  and all(excess[b] - full > 0.1 for b in excess if b <= 4))


@lru_cache(maxsize=1)
def claims() -> tuple[_Claim, ...]:
    """Each claim of the course that could come out false, checked on this notebook (cached).

    Each has a ``statement``, the labelled numbers that test it (``measured``, (str, float)
    pairs; ``claim.value(label)`` looks one up) and whether they support it (``holds``). The
    last one (quantization) needs the pretrained ladder.

    Examples
    --------
    >>> all(claim.holds for claim in claims())
    True
    """
    low, high = (jpeg_block_stats(q) for q in CLAIM_QUALITIES)
    best = best_ngram_order()
    found = [_claim_entropy(low.entropy_before_bits, low.entropy_after_bits,
                            high.entropy_after_bits, CLAIM_QUALITIES),
             _claim_jpeg_faces(low, high), _claim_rate(jpeg_curves()),
             _claim_best_order([p.excess_bits_per_char for p in ngram_ladder()]),
             _claim_lm_faces(synthetic.synthetic_point(best, setup="07").faces, best)]
    if pretrained_names():
        points = neural_quantization()
        name = points[0].name.rsplit("-q", 1)[0]  # "gru-64-q2" -> "gru-64"
        full = next(p for p in neural_ladder() if p.name == name).excess_bits_per_char
        found.append(_claim_quantization(name, full, {
            b: p.excess_bits_per_char for b, p in zip(BITS_PER_WEIGHT, points, strict=True)}))
    return tuple(found)


# --- exercises ------------------------------------------------------------------------------
def check(exercise: str, *answer: object, **named: object) -> Feedback:
    """Check your answer to one of notebook 07's exercises.

    Parameters
    ----------
    exercise : {"db_per_bit", "best_ngram_order", "shared_property"}
        07.1 the dB of PSNR one bit per sample of error is worth; 07.2 the n-gram order
        closest to p_true; 07.3 the property JPEG and the n-gram ladder share (a letter a-d).
    *answer
        Your answer (None while you have none).

    Examples
    --------
    >>> check("shared_property", " C ").correct, check("db_per_bit", None).correct
    (True, False)
    """
    return Feedback.dispatch(_CHECKS, exercise, *answer, **named)


def _check_db_per_bit(answer: float | None) -> Feedback:
    """Exercise 07.1: 20 log10(2) dB per bit."""
    return Feedback.number(
        answer, 20 * math.log10(2), rel=2e-3,
        right="Halving the error's standard deviation saves one bit per sample and adds "
              "20 log10(2) dB to the PSNR.",
        hint="PSNR = 20 log10(255 / s) for an error of standard deviation s. What happens to it "
             "when s is halved (one bit less of error per sample)?")


def _check_best_ngram_order(answer: int | None) -> Feedback:
    """Exercise 07.2: :func:`best_ngram_order`."""
    if answer == best_ngram_order():
        return Feedback(True, "That order has the smallest excess bits per character: longer "
                              "contexts are seen too rarely in the training sentences to help.")
    return Feedback(False, "Read the right panel: find the n-gram point that sits lowest "
                           "(smallest KL per character), not the one furthest right.")


def _check_shared_property(answer: str | None) -> Feedback:
    """Exercise 07.3: (c), both put mass where the original distribution has little."""
    choice = str(answer).strip().lower() if answer is not None else ""
    if choice == "c":
        return Feedback(True, "Both put mass where the original has little: blocking and ringing "
                              "for JPEG (rare among the photographs' blocks, p̂_train), invalid "
                              "sentences for the n-gram (p_true = 0).")
    hints = {
        "a": "Look at the n-gram curve: does more model rate always lower the KL per character?",
        "b": "Sample twice from the same model with two seeds: same sentence?",
        "d": "Which n-gram order is closest to p_true: the largest one?",
    }
    return Feedback(False, hints.get(choice, "Answer with one letter: 'a', 'b', 'c' or 'd'."))


_CHECKS = {"db_per_bit": _check_db_per_bit, "best_ngram_order": _check_best_ngram_order,
           "shared_property": _check_shared_property}
