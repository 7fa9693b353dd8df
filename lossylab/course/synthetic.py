"""The synthetic language measured against its exact p_true (notebooks 05 and 07)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from lossylab.grammar import END, SyntheticLanguage
from lossylab.lm import CharLM
from lossylab.ngram import fit_ngram_ladder, ladder_code_lengths

# --- language models measured against the exact p_true ----------------------------------

# A model starts a sentence right after another one ended; this one is typical. (From a
# fresh state there would be no context at all, which never happens in training.)
SENTENCE_PROMPT = "the dog runs.\n"
SYNTHETIC_ORDERS = (2, 4, 6, 8)
N_SAMPLED = 150  # sentences sampled per model for the fractions and masses
SYNTHETIC_SIZES = (100, 1_000, 10_000, 100_000)


def split_sentences(text: str) -> list[str]:
    """The complete sentences of a text (each ending with ``".\\n"``); a tail is dropped.

    Examples
    --------
    >>> split_sentences("a dog runs.\\nthe cats.\\nthe unfin")
    ['a dog runs.\\n', 'the cats.\\n']
    """
    parts = text.split(END)
    return [part + END for part in parts[:-1]]


@dataclass(frozen=True)
class SentenceFractions:
    """Where sampled sentences fall: copied, new and valid, or impossible under p_true.

    Attributes
    ----------
    memorized : float
        Fraction found verbatim in the training sentences.
    generalized : float
        Fraction valid under the grammar (p_true > 0) but not in the training set.
    hallucinated : float
        Fraction with p_true = 0 (invalid, or unfinished within the sampling budget).
    n_sentences : int
        Number of sentences classified.
    """

    memorized: float
    generalized: float
    hallucinated: float
    n_sentences: int


def classify_sentences(sentences: list[str], language: SyntheticLanguage,
                       train: frozenset[str] | set[str]) -> SentenceFractions:
    """Fractions of ``sentences`` that are memorized, generalized and hallucinated.

    Examples
    --------
    >>> lang = SyntheticLanguage()
    >>> classify_sentences(["the dog runs.\\n", "the cat runs.\\n", "the cat run.\\n"],
    ...                    lang, {"the dog runs.\\n"})
    SentenceFractions(memorized=0.3333333333333333, generalized=0.3333333333333333, \
hallucinated=0.3333333333333333, n_sentences=3)
    """
    if not sentences:
        raise ValueError("sentences is empty; classify at least one sentence")
    memorized = sum(s in train for s in sentences)
    valid = sum(s not in train and language.is_valid(s) for s in sentences)
    n = len(sentences)
    return SentenceFractions(memorized / n, valid / n, (n - memorized - valid) / n, n)


@dataclass(frozen=True)
class ModelSentences:
    """The first sentence of each sampled stream, with its exact log2 p_model."""

    sentences: list[str]
    log2_probs: np.ndarray  # float64 (n_sentences,)


def model_sentences(model: CharLM, n_sentences: int, *, temperature: float = 1.0,
                    seed: int = 0, max_chars: int = 80) -> ModelSentences:
    """Sample ``n_sentences`` sentences from a character model, with their probabilities.

    Every stream starts right after a sentence (the prompt ``SENTENCE_PROMPT``) and is
    cut after its first ``".\n"``; a stream that has not ended its sentence within
    ``max_chars`` characters returns its unfinished text (p_true = 0 for it).
    """
    scored = model.sample_scored(n_sentences, max_chars, temperature=temperature, seed=seed,
                                 prompt=SENTENCE_PROMPT)
    sentences, log2_probs = [], np.zeros(n_sentences)
    for i, text in enumerate(scored.texts):
        n_chars = text.index(END) + len(END) if END in text else len(text)
        sentences.append(text[:n_chars])
        log2_probs[i] = scored.log2_probs[i, :n_chars].sum()
    return ModelSentences(sentences, log2_probs)


@dataclass(frozen=True)
class SyntheticPoint:
    """A character model trained on N sentences of the synthetic language, measured exactly.

    Attributes
    ----------
    order, n_sentences, temperature
        The model (n-gram order), its training-set size, the sampling temperature.
    n_params : int
        Stored counts of the model.
    train_bits_per_char, test_bits_per_char : float
        Code length on (the first 1,000 sentences of) the training text and on 1,000
        fresh sentences.
    kl_bits_per_char : float
        ``test_bits_per_char - H``, an estimate of KL(p_true || p_model) per character
        (cross-entropy minus the exact entropy rate H).
    fractions : SentenceFractions
        Memorized / generalized / hallucinated fractions of ``N_SAMPLED`` sampled sentences.
    mode_collapse_mass, hallucination_mass : float
        The definitions of ``lossylab.distributions`` (factor r = 10) over sentences,
        estimated by sampling with exact probabilities: the fraction of sentences drawn
        from p_true with ``p_model <= p_true / r``, and of sentences drawn from the model
        with ``p_true <= p_model / r``.
    """

    order: int
    n_sentences: int
    temperature: float
    n_params: int
    train_bits_per_char: float
    test_bits_per_char: float
    kl_bits_per_char: float
    fractions: SentenceFractions
    mode_collapse_mass: float
    hallucination_mass: float


@lru_cache(maxsize=2)
def training_sentences(*, seed: int = 0) -> tuple[str, ...]:
    """100,000 sentences of the synthetic language (cached); take a prefix for smaller N."""
    return tuple(SyntheticLanguage().sample(max(SYNTHETIC_SIZES), seed=seed))


@lru_cache(maxsize=2)
def held_out_sentences(*, seed: int = 12345) -> tuple[str, ...]:
    """1,000 held-out sentences (cached), drawn with a seed unused for training."""
    return tuple(SyntheticLanguage().sample(1_000, seed=seed))


@lru_cache(maxsize=len(SYNTHETIC_SIZES))
def _ladder(n_sentences: int) -> tuple[CharLM, ...]:

    text = "".join(training_sentences()[:n_sentences])
    return tuple(fit_ngram_ladder(text, max_order=max(SYNTHETIC_ORDERS)))


def synthetic_ladder_model(order: int, n_sentences: int) -> CharLM:
    """The n-gram of ``order`` (0..8) trained on the first ``n_sentences`` sentences (cached)."""
    if n_sentences not in SYNTHETIC_SIZES or not 0 <= order <= max(SYNTHETIC_ORDERS):
        raise ValueError(f"n_sentences must be one of {SYNTHETIC_SIZES} and order from 0 to "
                         f"{max(SYNTHETIC_ORDERS)}, got {n_sentences!r} and {order!r}")
    return _ladder(n_sentences)[order]


@lru_cache(maxsize=len(SYNTHETIC_SIZES))
def _ladder_bits(n_sentences: int) -> tuple[np.ndarray, np.ndarray]:
    """Train and held-out bits/char of every order of the ladder: two (max_order + 1,)."""

    models = list(_ladder(n_sentences))
    train = "".join(training_sentences()[: min(n_sentences, 1_000)])
    return (ladder_code_lengths(models, train).mean(axis=1),
            ladder_code_lengths(models, "".join(held_out_sentences())).mean(axis=1))


@lru_cache(maxsize=256)
def synthetic_point(order: int, n_sentences: int, *, temperature: float = 1.0) -> SyntheticPoint:
    """Train an n-gram of ``order`` on the first ``n_sentences`` sentences and measure it.

    Cached: the notebook's sliders read precomputed points. ``order`` must be one of
    ``SYNTHETIC_ORDERS`` and ``n_sentences`` one of ``SYNTHETIC_SIZES``. Masses use r = 10.
    """
    if order not in SYNTHETIC_ORDERS or n_sentences not in SYNTHETIC_SIZES:
        raise ValueError(f"order must be one of {SYNTHETIC_ORDERS} and n_sentences one of "
                         f"{SYNTHETIC_SIZES}, got {order!r} and {n_sentences!r}")
    language, model = SyntheticLanguage(), _ladder(n_sentences)[order]
    train_bits, test_bits = (float(bits[order]) for bits in _ladder_bits(n_sentences))
    sampled = model_sentences(model, N_SAMPLED, temperature=temperature, seed=order)
    true_on_model = np.array([language.log2_prob(s) for s in sampled.sentences])
    truth = list(held_out_sentences()[:N_SAMPLED])
    true_log2 = np.array([language.log2_prob(s) for s in truth])
    model_on_true = model.sequence_log2_probs(truth, prompt=SENTENCE_PROMPT,
                                              temperature=temperature)
    log2_r = math.log2(10.0)
    return SyntheticPoint(
        order=order, n_sentences=n_sentences, temperature=temperature, n_params=model.n_params,
        train_bits_per_char=train_bits, test_bits_per_char=test_bits,
        kl_bits_per_char=test_bits - language.entropy_bits_per_char(),
        fractions=classify_sentences(sampled.sentences, language,
                                     frozenset(training_sentences()[:n_sentences])),
        mode_collapse_mass=float(np.mean(model_on_true <= true_log2 - log2_r)),
        hallucination_mass=float(np.mean(true_on_model <= sampled.log2_probs - log2_r)),
    )


# --- exact distributions over a language small enough to enumerate ----------------------

SMALL_CONFIG = dict(n_nouns=1, n_intransitive=1, n_transitive=1, n_adjectives=1, n_adverbs=1,
                    n_prepositions=1, n_determiners=0, max_adjectives=1)


def small_language() -> SyntheticLanguage:
    """A configuration with 504 sentences ("dog", "runs", "sees", one adjective ...)."""
    return SyntheticLanguage(**SMALL_CONFIG)


@dataclass(frozen=True)
class SentenceDistributions:
    """p_true and p_model on the same states: every sentence, then one "anything else" state.

    Attributes
    ----------
    sentences : tuple of str
        Every sentence of the language (the last state, "anything else", has no text).
    p_true, p_model : numpy.ndarray
        float64 (len(sentences) + 1,), each summing to 1. The last entry is the mass on
        invalid or unfinished text: 0 for p_true.
    """

    sentences: tuple[str, ...]
    p_true: np.ndarray
    p_model: np.ndarray


def sentence_distributions(language: SyntheticLanguage, model: CharLM, *,
                           temperature: float = 1.0,
                           limit: int = 20_000) -> SentenceDistributions:
    """Exact p_true and p_model over all sentences of a small language, aligned.

    ``p_model(s)`` is the probability that sampling at ``temperature`` after
    ``SENTENCE_PROMPT`` writes exactly ``s`` (ending with ``".\\n"``); what the model puts
    elsewhere goes to the final "anything else" state. The two vectors can be given to
    ``lossylab.distributions`` (KL, mode collapse, hallucination mass).

    Raises
    ------
    ValueError
        If the language has more than ``limit`` sentences.
    """
    pairs = list(language.sentences(limit=limit))
    sentences = tuple(s for s, _ in pairs)
    p_true = np.array([p for _, p in pairs] + [0.0])
    p_model = 2.0 ** model.sequence_log2_probs(list(sentences), prompt=SENTENCE_PROMPT,
                                               temperature=temperature)
    p_model = np.append(p_model, max(0.0, 1.0 - p_model.sum()))
    return SentenceDistributions(sentences, p_true / p_true.sum(), p_model / p_model.sum())
