"""JPEG and language models side by side: rate, distortion, and the course's claims checked.

The core idea. Both compressors keep a few bits (the *rate*) and lose something (the
*distortion*); to compare them we measure both in bits per symbol.

* **JPEG** describes one photograph. Rate: bits per pixel of the file (``bpp``).
  Distortion in bits: how many more bits per pixel a lossless code of the errors
  (original minus decoded) would need to give the original back,
  :func:`residual_bits_per_pixel`. Rate plus that distortion is a two-part code of the
  image: the JPEG file, then the correction. (PSNR is shown too: with Gaussian-looking
  errors, every 6.02 dB of PSNR is one bit less of error per sample.)
* **A language model** describes a corpus. Rate: bits to store the model, per character
  of its training text (the model as "a compressed copy" of what it read). Distortion:
  the *excess* bits per character it spends on new text from the same source, over
  the entropy rate where p_true is known (the synthetic language: an estimate of
  ``KL(p_true || p_model)`` per character) or over the best model we have (Shakespeare).

The other half of the module checks the course's argument against measurements: the
entropy drop under JPEG's many-to-one map, mode collapse and hallucination for both,
and generalization (valid, never-seen sentences) of an n-gram on the synthetic
language. Each check is a :class:`Claim` with its numbers and a ``holds`` verdict.

Everything costly is computed once and cached (``functools.lru_cache``), so the
notebook's sliders only look numbers up.

What this version leaves out: a real rate-distortion bound (we compare operating
points of two codecs, not the best possible codes); the Shakespeare models are
evaluated on a slice of the held-out text in short blocks (:data:`EVAL_BLOCK_CHARS`)
rather than with the canonical 8192-character blocks, which costs a little more per
character for every model alike; the sentence-level mode-collapse and hallucination
masses are Monte-Carlo estimates from samples, not sums over every sentence.

References
----------
C. E. Shannon, "Coding theorems for a discrete source with a fidelity criterion",
IRE Nat. Conv. Rec. (1959) (rate and distortion).
T. Chiang, "ChatGPT Is a Blurry JPEG of the Web", The New Yorker, 9 February 2023.
K. Cho, "Are JPEG and LM similar to each other? If so, in what sense, and is this the
real question to ask?", blog post, February 2023.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

from lossylab import distributions as D
from lossylab.grammar import END  # the end of every sentence, a full stop and a newline

if TYPE_CHECKING:  # pragma: no cover
    from lossylab.blockstats import BlockStats
    from lossylab.grammar import SyntheticLanguage
    from lossylab.lm import CharLM
    from lossylab.ngram import NGramLM
from typing import TYPE_CHECKING

from lossylab.course.common import PHOTOGRAPHS, RD_QUALITIES
from lossylab.course.exercises import Feedback, _number_feedback

BITS_PER_COUNT = 32  # an n-gram's stored count, charged like a float32 weight
BITS_PER_WEIGHT = (2, 3, 4, 5, 6, 8, 12, 16)  # the "JPEG the model" curve
NGRAM_ORDERS = tuple(range(9))  # n-gram orders 0..8 on the synthetic language
SYNTHETIC_N_TRAIN = 3000  # training sentences (about 110,000 characters)
SYNTHETIC_N_TEST = 1000  # held-out sentences, drawn with another seed
N_SAMPLED = 300  # sentences sampled from a model to measure what it generates
N_COLLAPSE = 500  # held-out sentences (the first ones) for the mode-collapse estimate
EVAL_N_CHARS = 8192  # held-out Shakespeare characters used to compare the neural models
EVAL_BLOCK_CHARS = 256  # ... in 32 blocks read in lockstep (fast; see the module notes)
QUANTIZED = "gru-64"  # the model of the "JPEG the model" curve (the largest if it is missing)
R = 10.0  # the factor of mode collapse and hallucination


# --- JPEG: rate and distortion in bits per pixel -----------------------------------------


def residual_bits_per_pixel(image: np.ndarray, decoded: np.ndarray) -> float:
    """Bits per pixel that an i.i.d. code of the errors needs to restore ``image`` exactly.

    Parameters
    ----------
    image, decoded : numpy.ndarray
        uint8 arrays of the same shape, (H, W) or (H, W, C).

    Returns
    -------
    float
        ``sum_c H(e_c)`` over the channels c, where ``e_c = decoded_c - image_c`` takes
        values in -255..255 and H is the plug-in entropy of its histogram, in bits.
        0 for a lossless round trip.

    Raises
    ------
    TypeError
        If either array is not uint8.
    ValueError
        If the shapes differ or are not 2-D / 3-D.

    Notes
    -----
    Coding each error with the empirical distribution of its channel's errors costs
    exactly ``H(e_c)`` bits per sample (plus a small table), so JPEG's ``bpp`` plus this
    number is a two-part lossless code of the image: an upper bound on what the lost
    detail is worth. For Gaussian errors of standard deviation s it is about
    ``log2(s) + 2.05`` bits per sample: 6.02 dB more PSNR, one bit less.

    Examples
    --------
    >>> image = np.zeros((4, 4), dtype=np.uint8)
    >>> residual_bits_per_pixel(image, image)
    0.0
    >>> noisy = image.copy(); noisy[:2] = 1  # half the errors are 0, half are 1
    >>> residual_bits_per_pixel(image, noisy)
    1.0
    """
    from lossylab.distributions import entropy, normalize

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


def psnr_from_mse_db(mse: float, *, data_range: float = 255.0) -> float:
    """PSNR in dB from a mean squared error: ``10 log10(data_range**2 / mse)``.

    The same number as :func:`lossylab.images.psnr_db` (scikit-image), computed here from
    the errors we already have, without importing scikit-image's metrics (which load
    scipy.stats: seconds on a busy machine). ``inf`` for ``mse == 0``.

    Examples
    --------
    >>> round(psnr_from_mse_db(255.0**2 / 1000), 6)
    30.0
    """
    if not (math.isfinite(mse) and mse >= 0):
        raise ValueError(f"mse must be a finite number >= 0, got {mse!r}")
    return math.inf if mse == 0 else 10 * math.log10(data_range**2 / mse)


def _mse(image: np.ndarray, decoded: np.ndarray) -> float:
    return float(np.mean((decoded.astype(np.float64) - image.astype(np.float64)) ** 2))


@dataclass(frozen=True)
class JPEGCurve:
    """One photograph through JPEG at several qualities (arrays aligned with ``qualities``).

    Attributes
    ----------
    name : str
    qualities : numpy.ndarray
    bpp : numpy.ndarray
        Rate: bits per pixel of the JPEG file.
    psnr_db : numpy.ndarray
    residual_bits_per_pixel : numpy.ndarray
        Distortion in bits (:func:`residual_bits_per_pixel`).
    """

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
def jpeg_curve(name: str, qualities: tuple[int, ...] = RD_QUALITIES) -> JPEGCurve:
    """Round-trip a bundled photograph (``lossylab.course.common.PHOTOGRAPHS``) at each quality.

    Cached: about 20 ms per quality the first time, free afterwards.

    Examples
    --------
    >>> curve = jpeg_curve("camera", (10, 90))
    >>> bool(curve.bpp[0] < curve.bpp[1] and curve.residual_bits_per_pixel[0] >
    ...      curve.residual_bits_per_pixel[1])
    True
    """
    from lossylab.course.common import photograph
    from lossylab.images import roundtrip

    image = photograph(name)
    rows = []
    for quality in qualities:
        rt = roundtrip(image, quality)
        rows.append((rt.bpp, psnr_from_mse_db(_mse(image, rt.decoded)),
                     residual_bits_per_pixel(image, rt.decoded)))
    bpp, psnr, residual = (np.array(column) for column in zip(*rows, strict=True))
    return JPEGCurve(name=name, qualities=np.array(qualities), bpp=bpp, psnr_db=psnr,
                     residual_bits_per_pixel=residual)


def jpeg_curves() -> tuple[JPEGCurve, ...]:
    """:func:`jpeg_curve` of every photograph at :data:`~lossylab.course.common.RD_QUALITIES`."""
    return tuple(jpeg_curve(name) for name in PHOTOGRAPHS)


@lru_cache(maxsize=8)
def jpeg_block_stats(quality: int) -> BlockStats:
    """``lossylab.course.nb04.block_stats`` of the sample block pool at ``quality``, cached."""
    from lossylab.blockstats import block_stats
    from lossylab.course.common import sample_block_pool

    return block_stats(sample_block_pool(), quality, r=R)


# --- language models: rate and distortion in bits per character -----------------------


@dataclass(frozen=True)
class LMPoint:
    """One language model as a lossy compressor of its training corpus.

    Attributes
    ----------
    name : str
    n_params : int
    model_bits : float
        Size of the model: ``stored_bits`` for a neural model, ``n_params *``
        :data:`BITS_PER_COUNT` for an n-gram.
    model_bits_per_train_char : float
        Rate: ``model_bits / train_chars``.
    bits_per_char : float
        Code length of the held-out text under the model.
    excess_bits_per_char : float
        Distortion: ``bits_per_char - floor_bits_per_char``.
    """

    name: str
    n_params: int
    model_bits: float
    model_bits_per_train_char: float
    bits_per_char: float
    excess_bits_per_char: float


def model_bits(model: CharLM) -> float:
    """Bits to store a model: ``stored_bits`` if it has them, else ``n_params * 32``."""
    stored = getattr(model, "stored_bits", None)
    return float(stored if stored is not None else model.n_params * BITS_PER_COUNT)


def lm_point(model: CharLM, *, bits_per_char: float, train_chars: int,
             floor_bits_per_char: float) -> LMPoint:
    """Place a model on the rate-distortion plane (see :class:`LMPoint`).

    Raises
    ------
    ValueError
        If ``train_chars`` is not a positive integer.

    Examples
    --------
    >>> from lossylab.ngram import NGramLM
    >>> model = NGramLM(1).fit("abc" * 10)
    >>> p = lm_point(model, bits_per_char=1.5, train_chars=30, floor_bits_per_char=1.25)
    >>> p.model_bits == 32 * model.n_params, p.excess_bits_per_char
    (True, 0.25)
    """
    if not isinstance(train_chars, (int, np.integer)) or train_chars < 1:
        raise ValueError(f"train_chars must be a positive int, got {train_chars!r}")
    bits = model_bits(model)
    return LMPoint(name=model.name, n_params=int(model.n_params), model_bits=bits,
                   model_bits_per_train_char=bits / train_chars, bits_per_char=bits_per_char,
                   excess_bits_per_char=bits_per_char - floor_bits_per_char)


# --- the synthetic language: p_true known ------------------------------------------------


@dataclass(frozen=True, eq=False)
class SyntheticSetup:
    """Train and held-out sentences of the synthetic language, with their exact p_true.

    Attributes
    ----------
    language : SyntheticLanguage
    train, test : tuple of str
        Sentences (each ends with ``".\\n"``), seeds 1 and 2.
    train_text, test_text : str
        Their concatenations.
    test_true_bits_per_char : float
        ``-sum log2 p_true(test sentences) / len(test_text)``: the test text's exact
        code length under p_true (close to the entropy rate).
    entropy_bits_per_char : float
        The exact entropy rate.
    """

    language: SyntheticLanguage
    train: tuple[str, ...]
    test: tuple[str, ...]
    train_text: str
    test_text: str
    test_true_bits_per_char: float
    entropy_bits_per_char: float


@lru_cache(maxsize=1)
def synthetic_setup() -> SyntheticSetup:
    """The synthetic-language data of notebook 07 (cached)."""
    from lossylab.grammar import SyntheticLanguage

    language = SyntheticLanguage()
    train = tuple(language.sample(SYNTHETIC_N_TRAIN, seed=1))
    test = tuple(language.sample(SYNTHETIC_N_TEST, seed=2))
    test_text = "".join(test)
    true_bits = -sum(language.log2_prob(s) for s in test) / len(test_text)
    return SyntheticSetup(language=language, train=train, test=test, train_text="".join(train),
                          test_text=test_text, test_true_bits_per_char=true_bits,
                          entropy_bits_per_char=language.entropy_bits_per_char())


@lru_cache(maxsize=1)
def ngram_models() -> tuple[NGramLM, ...]:
    """The n-grams of :data:`NGRAM_ORDERS`, fitted on the synthetic training text (cached)."""
    from lossylab.ngram import fit_ngram_ladder

    return tuple(fit_ngram_ladder(synthetic_setup().train_text, max_order=max(NGRAM_ORDERS)))


@lru_cache(maxsize=1)
def ngram_ladder() -> tuple[LMPoint, ...]:
    """n-grams of :data:`NGRAM_ORDERS` on the synthetic language; excess = KL per character.

    The floor is the held-out text's exact code length under p_true, so the excess is
    the sample estimate of ``KL(p_true || p_model)`` per character.
    """
    setup = synthetic_setup()
    return tuple(
        lm_point(model, bits_per_char=model.bits_per_char(setup.test_text),
                 train_chars=len(setup.train_text),
                 floor_bits_per_char=setup.test_true_bits_per_char)
        for model in ngram_models()
    )


def first_sentences(model: CharLM, n_sentences: int, *, n_chars: int = 100, seed: int = 0,
                    temperature: float = 1.0, end: str = END) -> list[str]:
    """Sample ``n_sentences`` sentences: the first sentence of independent streams.

    Each stream starts after ``end`` (the start of a sentence) and is cut after its
    first ``end``; a stream with no ``end`` within ``n_chars`` is returned unfinished
    (such a string is never valid). Their probabilities under the sampling distribution
    are ``model.sequence_log2_probs(sentences, prompt=end)``.
    """
    streams = model.sample_streams(n_sentences, n_chars, temperature=temperature, seed=seed,
                                   prompt=end)
    return [s[: s.index(end) + len(end)] if end in s else s for s in streams]


@dataclass(frozen=True)
class SampleSplit:
    """What a model's sampled sentences are, as fractions that sum to 1.

    Attributes
    ----------
    n_samples : int
    memorized : float
        Valid and in the training set.
    generalized : float
        Valid (p_true > 0) and never seen in training.
    hallucinated : float
        Invalid: p_true = 0.
    """

    n_samples: int
    memorized: float
    generalized: float
    hallucinated: float


def split_samples(samples: Sequence[str], language: SyntheticLanguage,
                  train: Sequence[str]) -> SampleSplit:
    """Classify sampled sentences as memorized, generalized or hallucinated.

    Raises
    ------
    ValueError
        If ``samples`` is empty.

    Examples
    --------
    >>> from lossylab.grammar import SyntheticLanguage
    >>> lang = SyntheticLanguage()
    >>> split_samples(["the dog runs.\\n", "the dog runs.\\n", "dog the.\\n", "a cat sleeps.\\n"],
    ...               lang, ["the dog runs.\\n"])
    SampleSplit(n_samples=4, memorized=0.5, generalized=0.25, hallucinated=0.25)
    """
    if len(samples) == 0:
        raise ValueError("samples is empty; sample at least one sentence")
    seen = set(train)
    valid = np.array([language.is_valid(s) for s in samples])
    known = np.array([s in seen for s in samples])
    n = len(samples)
    return SampleSplit(n_samples=n, memorized=float(np.sum(valid & known)) / n,
                       generalized=float(np.sum(valid & ~known)) / n,
                       hallucinated=float(np.sum(~valid)) / n)


@dataclass(frozen=True)
class SentenceMismatch:
    """How an n-gram of the synthetic language differs from p_true, sentence by sentence.

    Attributes
    ----------
    order : int
    kl_bits_per_char : float
        Estimate of ``KL(p_true || p_model)`` per character (held-out sentences).
    mode_collapse_mass, hallucination_mass : float
        Monte-Carlo estimates at factor :data:`R` (:func:`mode_collapse_mass_mc` on
        :data:`N_COLLAPSE` held-out sentences, :func:`hallucination_mass_mc` on the samples).
    split : SampleSplit
        Memorized / generalized / hallucinated fractions of :data:`N_SAMPLED` samples.
    samples : tuple of str
        The sampled sentences.
    """

    order: int
    kl_bits_per_char: float
    mode_collapse_mass: float
    hallucination_mass: float
    split: SampleSplit
    samples: tuple[str, ...]


@lru_cache(maxsize=16)
def sentence_mismatch(order: int) -> SentenceMismatch:
    """Measure mode collapse, hallucination and generalization of the order-``order`` n-gram.

    Raises
    ------
    ValueError
        If ``order`` is not in :data:`NGRAM_ORDERS`.
    """
    if order not in NGRAM_ORDERS:
        raise ValueError(f"order must be one of {list(NGRAM_ORDERS)}, got {order!r}")
    setup, model = synthetic_setup(), ngram_models()[order]
    language = setup.language
    test = setup.test[:N_COLLAPSE]
    true_on_test = np.array([language.log2_prob(s) for s in test])
    samples = first_sentences(model, N_SAMPLED, seed=order)
    true_on_samples = np.array([language.log2_prob(s) for s in samples])
    return SentenceMismatch(
        order=order,
        kl_bits_per_char=ngram_ladder()[order].excess_bits_per_char,
        mode_collapse_mass=D.mode_collapse_mass_mc(
            true_on_test, model.sequence_log2_probs(test, prompt=END)),
        hallucination_mass=D.hallucination_mass_mc(
            true_on_samples, model.sequence_log2_probs(samples, prompt=END)),
        split=split_samples(samples, language, setup.train),
        samples=tuple(samples),
    )


# --- Shakespeare: the neural ladder and its quantization --------------------------------


@lru_cache(maxsize=1)
def _shakespeare() -> tuple[int, str]:
    from lossylab.data import shakespeare_split

    split = shakespeare_split()
    return len(split.train), split.test[:EVAL_N_CHARS]


@lru_cache(maxsize=32)
def _neural_bits_per_char(name: str, bits_per_weight: int | None) -> tuple[float, CharLM]:
    from lossylab.neural import load_pretrained

    model = load_pretrained(name)
    if bits_per_weight is not None:
        model = model.quantized(bits_per_weight)
    return float(model.code_lengths(_shakespeare()[1], block_chars=EVAL_BLOCK_CHARS).mean()), model


def _neural_points(keys: Sequence[tuple[str, int | None]]) -> tuple[LMPoint, ...]:
    train_chars = _shakespeare()[0]
    floor = min(_neural_bits_per_char(name, None)[0] for name in neural_names())
    return tuple(lm_point(model, bits_per_char=bpc, train_chars=train_chars,
                          floor_bits_per_char=floor)
                 for bpc, model in (_neural_bits_per_char(*key) for key in keys))


def neural_names() -> list[str]:
    """The pretrained ladder (``lossylab.neural.pretrained_names``), smallest to largest."""
    from lossylab.neural import pretrained_names

    return pretrained_names()


@lru_cache(maxsize=1)
def neural_ladder() -> tuple[LMPoint, ...]:
    """The pretrained neural ladder on held-out Shakespeare; excess over the best of them."""
    return _neural_points([(name, None) for name in neural_names()])


@lru_cache(maxsize=4)
def neural_quantization(name: str | None = None,
                        bits: tuple[int, ...] = BITS_PER_WEIGHT) -> tuple[LMPoint, ...]:
    """One pretrained model quantized to each of ``bits`` bits per weight.

    By default :data:`QUANTIZED` (a mid-size model: evaluating it eight times is cheap),
    or the largest model if that one is not installed.
    """
    if name is None:
        name = QUANTIZED if QUANTIZED in neural_names() else neural_names()[-1]
    return _neural_points([(name, b) for b in bits])


# --- the course's claims, checked ---------------------------------------------------------


@dataclass(frozen=True)
class Claim:
    """One sentence of the course's argument with the numbers that test it.

    Attributes
    ----------
    statement : str
    measured : tuple of (str, float)
        Labelled measurements, in the order they are read.
    holds : bool
        Whether the measurements support the statement.
    """

    statement: str
    measured: tuple[tuple[str, float], ...]
    holds: bool

    def value(self, label: str) -> float:
        """The measurement called ``label`` (KeyError if absent)."""
        return dict(self.measured)[label]


CLAIM_QUALITIES = (10, 90)  # JPEG qualities at which the block distribution is measured


def best_ngram_order() -> int:
    """The n-gram order with the smallest KL per character on the synthetic language."""
    return int(np.argmin([p.excess_bits_per_char for p in ngram_ladder()]))


def _claim_entropy_drops() -> Claim:
    stats = [jpeg_block_stats(q) for q in CLAIM_QUALITIES]
    after = [s.entropy_after_bits for s in stats]
    before = stats[0].entropy_before_bits
    measured = (("entropy before (bits/block)", before),
                *((f"entropy after, q={q}", h) for q, h in zip(CLAIM_QUALITIES, after,
                                                            strict=True)))
    return Claim("JPEG is many-to-one: the entropy of the 8x8 blocks drops, the more so the "
                 "lower the quality.", measured,
                 holds=bool(all(h <= before for h in after) and np.all(np.diff(after) > 0)))


def _claim_jpeg_mismatch() -> Claim:
    low, high = jpeg_block_stats(CLAIM_QUALITIES[0]), jpeg_block_stats(CLAIM_QUALITIES[-1])
    q0, q1 = CLAIM_QUALITIES[0], CLAIM_QUALITIES[-1]
    measured = (
        (f"mode collapse mass, q={q0}", low.mode_collapse_mass),
        (f"mode collapse mass, q={q1}", high.mode_collapse_mass),
        (f"hallucination mass, q={q0}", low.hallucination_mass),
        (f"hallucination mass, q={q1}", high.hallucination_mass),
        (f"blocking score, q={q0} (grey levels)", low.blocking_score),
        (f"blocking score, q={q1} (grey levels)", high.blocking_score),
    )
    v = [value for _, value in measured]
    return Claim("JPEG collapses modes (textures flattened) and hallucinates (blocking and "
                 "ringing), more at low quality.", measured,
                 holds=v[0] > v[1] > 0 and v[2] > v[3] and v[4] > v[5])


def _claim_rate_buys_fidelity() -> Claim:
    curves = jpeg_curves()
    monotone = [bool(np.all(np.diff(c.bpp) > 0) and np.all(np.diff(c.residual_bits_per_pixel) < 0))
                for c in curves]
    return Claim("For JPEG more rate always buys less distortion: on every photograph, bpp "
                 "rises and the missing bits per pixel fall as the quality rises.",
                 (("photographs where this holds", float(sum(monotone))),
                  ("photographs", float(len(curves)))), holds=all(monotone))


def _claim_lm_kl() -> Claim:
    ladder, best = ngram_ladder(), best_ngram_order()
    measured = (("best order", float(best)),
                ("KL at the best order (bits/char)", ladder[best].excess_bits_per_char),
                (f"KL at order {len(ladder) - 1} (bits/char)", ladder[-1].excess_bits_per_char))
    return Claim("A model fitted to finite data never reaches p_true (KL > 0), and a bigger "
                 "model is not always closer: the best n-gram order is not the largest.",
                 measured, holds=ladder[best].excess_bits_per_char > 0 and best < len(ladder) - 1)


def _claim_lm_mismatch() -> Claim:
    m = sentence_mismatch(best_ngram_order())
    return Claim("The fitted model collapses modes and hallucinates too, sentence by sentence.",
                 (("mode collapse mass", m.mode_collapse_mass),
                  ("hallucination mass", m.hallucination_mass),
                  ("hallucinated samples (p_true = 0)", m.split.hallucinated)),
                 holds=m.mode_collapse_mass > 0 and m.hallucination_mass > 0)


def _claim_generalization() -> Claim:
    m = sentence_mismatch(best_ngram_order())
    return Claim("The model also generalizes: it samples valid sentences it never saw, more "
                 "often than it copies training sentences.",
                 (("generalized (valid, unseen)", m.split.generalized),
                  ("memorized (in training)", m.split.memorized)),
                 holds=m.split.generalized > m.split.memorized)


def _claim_determinism() -> Claim:
    from lossylab.course.common import photograph
    from lossylab.images import roundtrip

    image = photograph("camera")
    same = roundtrip(image, 50).data == roundtrip(image, 50).data
    model = ngram_models()[best_ngram_order()]
    a, b = first_sentences(model, 20, seed=0), first_sentences(model, 20, seed=1)
    differ = float(np.mean([x != y for x, y in zip(a, b, strict=True)]))
    return Claim("JPEG is a deterministic map (the same image always gives the same bytes); "
                 "sampling from a language model is not (two seeds, different sentences).",
                 (("identical JPEG files on a second run", float(same)),
                  ("samples that differ between two seeds", differ)),
                 holds=same and differ > 0.5)


def _claim_quantization() -> Claim:
    points = neural_quantization()
    excess = {b: p.excess_bits_per_char for b, p in zip(BITS_PER_WEIGHT, points, strict=True)}
    name = points[0].name.rsplit("-q", 1)[0]  # "gru-64-q2" -> "gru-64"
    full = next(p for p in neural_ladder() if p.name == name).excess_bits_per_char
    measured = ((f"{name}: excess, float32 (bits/char)", full),
                ("excess, 8 bits/weight", excess[8]), ("excess, 2 bits/weight", excess[2]))
    return Claim("Quantizing the weights is JPEG for the model: at 8 bits per weight it costs "
                 "almost nothing (< 0.02 bits/char), at 2 bits a lot (> 0.1).", measured,
                 holds=excess[8] - full < 0.02 and excess[2] - full > 0.1)


@lru_cache(maxsize=1)
def claims() -> tuple[Claim, ...]:
    """Every claim of the course checked against this notebook's measurements (cached).

    The last one (quantization) is included only when the pretrained ladder is installed.
    """
    checks = [_claim_entropy_drops, _claim_jpeg_mismatch, _claim_rate_buys_fidelity,
              _claim_lm_kl, _claim_lm_mismatch, _claim_generalization, _claim_determinism]
    if neural_names():
        checks.append(_claim_quantization)
    return tuple(check() for check in checks)


# --- 07 side by side -------------------------------------------------------------------


def check_db_per_bit(answer: float | None) -> Feedback:
    """Exercise 07.1: how many dB of PSNR one bit per sample of error is worth.

    Examples
    --------
    >>> check_db_per_bit(None).correct
    False
    """
    return _number_feedback(
        answer, 20 * math.log10(2), rel=2e-3,
        right="Halving the error's standard deviation saves one bit per sample and adds "
              "20 log10(2) dB to the PSNR.",
        hint="PSNR = 20 log10(255 / s) for an error of standard deviation s. What happens to it "
             "when s is halved (one bit less of error per sample)?")


def check_best_ngram_order(answer: int | None) -> Feedback:
    """Exercise 07.2: the n-gram order closest to p_true (smallest KL per character)."""
    pass

    if answer == best_ngram_order():
        return Feedback(True, "That order has the smallest excess bits per character: longer "
                              "contexts are seen too rarely in the training sentences to help.")
    return Feedback(False, "Read the right panel: find the n-gram point that sits lowest "
                           "(smallest KL per character), not the one furthest right.")


def check_shared_property(answer: str | None) -> Feedback:
    """Exercise 07.3: which property JPEG and the n-gram ladder share (a letter a-d)."""
    choice = str(answer).strip().lower() if answer is not None else ""
    if choice == "c":
        return Feedback(True, "Both put mass where p_true has little: blocking and ringing "
                              "for JPEG, invalid sentences for the n-gram.")
    hints = {
        "a": "Look at the n-gram curve: does more model rate always lower the KL per character?",
        "b": "Sample twice from the same model with two seeds: same sentence?",
        "d": "Which n-gram order is closest to p_true: the largest one?",
    }
    return Feedback(False, hints.get(choice, "Answer with one letter: 'a', 'b', 'c' or 'd'."))
