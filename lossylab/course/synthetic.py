"""The synthetic language of notebooks 05 and 07: n-grams measured against the exact p_true.

The core idea. :mod:`lossylab.grammar` gives the exact probability of any sentence, so a model
trained on its samples is measured, not guessed at: its KL per character (held-out bits per
character minus the exact entropy rate) and what it samples, sentence by sentence: *memorized*
(a training sentence), *generalized* (unseen, p_true above p_model / r) or *hallucinated*
(p_true = 0, or r times less than p_model), the faces of :func:`lossylab.distributions.faces`
with r = 10, each a Monte-Carlo fraction with its 95% interval.

Two named setups, one code path and one prompt: ``"05"`` (100,000 training sentences, seed 0,
models on prefixes of 100 to 100,000; 1,000 held out, seed 12,345) and ``"07"`` (3,000, seed
1; 1,000, seed 2). Results are cached and read-only, so the sliders only look numbers up.

On the small language of :func:`exact_faces` (504 sentences) the faces are exact sums.

References
----------
S. F. Chen and J. Goodman, "An empirical study of smoothing techniques for language modeling",
Harvard TR-10-98 (1998) (the n-grams).
T. M. Cover and J. A. Thomas, *Elements of Information Theory*, 2nd ed., ch. 4 (entropy rate).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TypeVar

import numpy as np

from lossylab.distributions import faces, faces_mc, kl_divergence
from lossylab.grammar import END, SyntheticLanguage
from lossylab.lm import CharLM
from lossylab.neural import train_gru
from lossylab.ngram import NGramLM, fit_ngram_ladder, ladder_code_lengths

__all__ = [
    "R", "SENTENCE_PROMPT", "SYNTHETIC_ORDERS", "SYNTHETIC_SIZES", "exact_faces",
    "first_sentences", "small_language", "synthetic_gru", "synthetic_ladder_model",
    "synthetic_point", "synthetic_setup",
]

# Notebook 05 samples and scores every sentence right after this typical one: in training a
# sentence always follows another (a fresh state, with no context at all, never happens).
SENTENCE_PROMPT = "the dog runs.\n"
SYNTHETIC_ORDERS = (2, 4, 6, 8)  # notebook 05's orders; every ladder has orders 0 to 8
SYNTHETIC_SIZES = (100, 1_000, 10_000, 100_000)  # notebook 05's training-set sizes
R = 10.0  # the factor of mode collapse and hallucination
_MAX_ORDER = max(SYNTHETIC_ORDERS)
_KINDS = ("memorized", "generalized", "hallucinated")
_T = TypeVar("_T")


@dataclass(frozen=True)
class _Spec:
    """How one named setup draws its sentences and samples its models."""

    train_seed: int
    n_train: int
    test_seed: int
    n_test: int
    sizes: tuple[int, ...]  # training prefixes a model may be fitted on
    prompt: str  # read before every sampled or scored sentence
    max_chars: int  # a sampled stream is cut here if its sentence has not ended
    n_sampled: int  # sentences sampled per model (kinds, hallucination mass)
    n_truth: int  # held-out sentences scored per model (mode-collapse mass)


_SPECS = {"05": _Spec(0, 100_000, 12_345, 1_000, SYNTHETIC_SIZES, SENTENCE_PROMPT, 80, 400, 400),
          "07": _Spec(1, 3_000, 2, 1_000, (3_000,), SENTENCE_PROMPT, 80, 400, 500)}


def _read_only(obj: _T, _seen: set[int] | None = None) -> _T:
    """Make every numpy array inside ``obj`` (containers, lossylab objects) read-only."""
    seen = set() if _seen is None else _seen
    if id(obj) not in seen:
        seen.add(id(obj))
        if isinstance(obj, np.ndarray):
            obj.setflags(write=False)
        elif isinstance(obj, (list, tuple, dict)):
            for item in obj.values() if isinstance(obj, dict) else obj:
                _read_only(item, seen)
        elif type(obj).__module__.startswith("lossylab") and hasattr(obj, "__dict__"):
            _read_only(vars(obj), seen)
    return obj


def _spec(setup: str) -> _Spec:
    """The spec of a named setup (ValueError for an unknown name)."""
    if setup not in _SPECS:
        raise ValueError(f"setup must be one of {tuple(_SPECS)}, got {setup!r}")
    return _SPECS[setup]


def _checked(setup: str, order: int, n_sentences: int | None) -> int:
    """Validate one model of a setup's ladder; return its training size."""
    sizes = _spec(setup).sizes
    n = sizes[-1] if n_sentences is None else n_sentences
    if not isinstance(order, (int, np.integer)) or not 0 <= order <= _MAX_ORDER:
        raise ValueError(f"order must be an int from 0 to {_MAX_ORDER}, got {order!r}")
    if n not in sizes:
        raise ValueError(f"n_sentences must be one of {sizes} in setup {setup!r}, got {n!r}")
    return int(n)


@dataclass(frozen=True, eq=False)
class _SyntheticSetup:
    """Training and held-out sentences of the synthetic language (see :func:`synthetic_setup`)."""

    language: SyntheticLanguage
    train: tuple[str, ...]
    test: tuple[str, ...]
    train_text: str
    test_text: str
    test_true_bits_per_char: float
    entropy_bits_per_char: float


@lru_cache(maxsize=len(_SPECS))
def synthetic_setup(setup: str) -> _SyntheticSetup:
    """The sentences of setup ``"05"`` or ``"07"`` (see the module notes), cached.

    Returns
    -------
    frozen dataclass
        ``language`` (read-only); ``train``, ``test`` (tuples of sentences) and ``train_text``,
        ``test_text`` joining them; ``test_true_bits_per_char``, the held-out text's exact
        code length, close to the exact ``entropy_bits_per_char``.

    Examples
    --------
    >>> data = synthetic_setup("07")
    >>> len(data.train), len(data.test), data.train[0].endswith(".\\n")
    (3000, 1000, True)
    """
    spec = _spec(setup)
    language = _read_only(SyntheticLanguage())
    train = tuple(language.sample(spec.n_train, seed=spec.train_seed))
    test = tuple(language.sample(spec.n_test, seed=spec.test_seed))
    test_text = "".join(test)
    true_bits = -sum(language.log2_prob(s) for s in test) / len(test_text)
    return _SyntheticSetup(language, train, test, "".join(train), test_text, true_bits,
                           language.entropy_bits_per_char())


@lru_cache(maxsize=len(SYNTHETIC_SIZES) + 1)
def _ladder(setup: str, n_sentences: int) -> tuple[NGramLM, ...]:
    """Orders 0 to 8 fitted on the first ``n_sentences`` training sentences, read-only."""
    text = "".join(synthetic_setup(setup).train[:n_sentences])
    return _read_only(tuple(fit_ngram_ladder(text, max_order=_MAX_ORDER)))


@lru_cache(maxsize=len(SYNTHETIC_SIZES) + 1)
def _ladder_bits(setup: str, n_sentences: int) -> tuple[np.ndarray, np.ndarray]:
    """Bits/char of every order on the first 1,000 training sentences and on the test text."""
    data, models = synthetic_setup(setup), list(_ladder(setup, n_sentences))
    train = "".join(data.train[: min(n_sentences, 1_000)])
    return _read_only((ladder_code_lengths(models, train).mean(axis=1),
                       ladder_code_lengths(models, data.test_text).mean(axis=1)))


def synthetic_ladder_model(order: int, n_sentences: int | None = None, *,
                           setup: str = "05") -> NGramLM:
    """The n-gram of ``order`` (0 to 8) fitted on the first ``n_sentences`` training sentences.

    ``n_sentences``: one of :data:`SYNTHETIC_SIZES` in setup ``"05"``, 3,000 in ``"07"``
    (default: the largest); ValueError for any other order, size or setup. All orders come
    from one count (:func:`lossylab.ngram.fit_ngram_ladder`), cached and read-only.

    Examples
    --------
    >>> synthetic_ladder_model(3, setup="07").name
    'ngram-3'
    """
    return _ladder(setup, _checked(setup, order, n_sentences))[order]


@lru_cache(maxsize=2)
def synthetic_gru(n_sentences: int = 10_000, *, n_steps: int = 1_500) -> CharLM:
    """A GRU (64 units) trained live on the first ``n_sentences`` of setup ``"05"`` (cached).

    ``n_steps`` Adam steps on batches of 32 chunks of 64 characters, learning rate 1e-2, seed 0:
    about 20 s on one core. Trained in float, so its digits can differ from CPU to CPU.

    Examples
    --------
    >>> synthetic_gru(100, n_steps=2).name
    'gru-64'
    """
    text = "".join(synthetic_setup("05").train[: _checked("05", 0, n_sentences)])
    return train_gru(text, hidden_size=64, n_steps=n_steps, batch_size=32, seq_len=64,
                     learning_rate=1e-2, seed=0, progress=False, name="gru-64").model


def first_sentences(model: CharLM, n_sentences: int, *, setup: str = "05", seed: int = 0,
                    temperature: float = 1.0) -> tuple[tuple[str, ...], np.ndarray]:
    """Sample ``n_sentences`` sentences: the first sentence of independent streams.

    Each stream reads :data:`SENTENCE_PROMPT` and is cut after its first ``".\\n"``, or left
    unfinished (p_true = 0) after 80 characters. Returns the sentences (a tuple) and their
    log2 probabilities under the model as sampled (float64, read-only).

    Examples
    --------
    >>> model = NGramLM(1).fit("ab.\\nba.\\n" * 5)
    >>> sentences, log2_probs = first_sentences(model, 3, setup="07")
    >>> all(s.endswith(".\\n") for s in sentences), bool(np.all(log2_probs < 0))
    (True, True)
    """
    spec = _spec(setup)
    scored = model.sample_scored(n_sentences, spec.max_chars, temperature=temperature,
                                 seed=seed, prompt=spec.prompt)
    sentences, log2_probs = [], np.zeros(n_sentences)
    for i, text in enumerate(scored.texts):
        n_chars = text.index(END) + len(END) if END in text else len(text)
        sentences.append(text[:n_chars])
        log2_probs[i] = scored.log2_probs[i, :n_chars].sum()
    return tuple(sentences), _read_only(log2_probs)


@dataclass(frozen=True)
class _SyntheticPoint:
    """One n-gram of a setup's ladder measured against p_true (see :func:`synthetic_point`)."""

    order: int
    n_sentences: int
    temperature: float
    n_params: int
    train_bits_per_char: float
    test_bits_per_char: float
    kl_bits_per_char: float
    faces: object  # the record of lossylab.distributions.faces_mc
    samples: tuple[str, ...]
    kinds: tuple[str, ...]


def synthetic_point(order: int, n_sentences: int | None = None, *, temperature: float = 1.0,
                    setup: str = "05") -> _SyntheticPoint:
    """Measure the model of :func:`synthetic_ladder_model` against p_true (cached).

    Samples 400 sentences with ``seed=order``; scores the first 400 (``"05"``) or 500 (``"07"``)
    held-out ones. Raises ValueError as :func:`synthetic_ladder_model`.

    Returns
    -------
    frozen dataclass
        ``order``, ``n_sentences``, ``temperature``, ``n_params``; ``train_bits_per_char``
        (first 1,000 training sentences), ``test_bits_per_char`` and ``kl_bits_per_char``
        (minus the held-out text's exact code length, paired); ``samples`` and their ``kinds``;
        ``faces`` (:func:`lossylab.distributions.faces_mc` at :data:`R`, on whole sentences).

    Examples
    --------
    >>> point = synthetic_point(2, 100)
    >>> point.faces.n_model, len(point.samples), point.kl_bits_per_char > 0
    (400, 400, True)
    """
    return _point(setup, order, _checked(setup, order, n_sentences), temperature)


@lru_cache(maxsize=256)
def _point(setup: str, order: int, n_sentences: int, temperature: float) -> _SyntheticPoint:
    """:func:`synthetic_point`, validated."""
    spec, data = _SPECS[setup], synthetic_setup(setup)
    language, model = data.language, _ladder(setup, n_sentences)[order]
    train_bits, test_bits = (float(bits[order]) for bits in _ladder_bits(setup, n_sentences))
    samples, model_on_samples = first_sentences(model, spec.n_sampled, setup=setup, seed=order,
                                                temperature=temperature)
    truth = list(data.test[: spec.n_truth])
    model_on_truth = model.sequence_log2_probs(truth, prompt=spec.prompt,
                                               temperature=temperature)
    seen = frozenset(data.train[:n_sentences])
    in_train = np.array([s in seen for s in samples])
    true_on_samples = np.array([language.log2_prob(s) for s in samples])
    found = faces_mc(true_on_samples, model_on_samples, in_train,
                     (np.array([language.log2_prob(s) for s in truth]), model_on_truth), r=R)
    invented = true_on_samples <= model_on_samples - np.log2(R)
    kinds = tuple(_KINDS[0] if m else _KINDS[2] if h else _KINDS[1]
                  for m, h in zip(in_train, invented, strict=True))
    return _SyntheticPoint(
        order=order, n_sentences=n_sentences, temperature=temperature, n_params=model.n_params,
        train_bits_per_char=train_bits, test_bits_per_char=test_bits,
        kl_bits_per_char=test_bits - data.test_true_bits_per_char, faces=found,
        samples=samples, kinds=kinds)


# --- exact distributions over a language small enough to enumerate ----------------------
def small_language() -> SyntheticLanguage:
    """A configuration of the grammar with 504 sentences ("dog", "runs", one adjective ...).

    Examples
    --------
    >>> len(list(small_language().sentences()))
    504
    """
    return SyntheticLanguage(n_nouns=1, n_intransitive=1, n_transitive=1, n_adjectives=1,
                             n_adverbs=1, n_prepositions=1, n_determiners=0, max_adjectives=1)


@dataclass(frozen=True)
class _ExactFaces:
    """p_true and p_model on the same states, and their faces (see :func:`exact_faces`)."""

    sentences: tuple[str, ...]
    p_true: np.ndarray
    p_model: np.ndarray
    seen: np.ndarray
    faces: object  # the record of lossylab.distributions.faces
    kl_bits_per_sentence: float


def exact_faces(model: CharLM, train: object = (), *, temperature: float = 1.0,
                language: SyntheticLanguage | None = None, limit: int = 20_000) -> _ExactFaces:
    """The four faces, exactly, over every sentence of a small language plus "anything else".

    ``p_model(s)`` is the probability that sampling at ``temperature`` after
    :data:`SENTENCE_PROMPT` writes exactly ``s``; the last state, "anything else" (invalid or
    unfinished text, p_true = 0), takes the rest. ``train`` (the training sentences) marks the
    states of p-hat_train. ``language``: default :func:`small_language`; ValueError for more
    than ``limit`` sentences.

    Returns
    -------
    frozen dataclass
        ``sentences``; ``p_true``, ``p_model`` (float64, one entry per sentence and the last
        for "anything else", each summing to 1) and ``seen`` (bool); ``faces``
        (:func:`lossylab.distributions.faces` at :data:`R`); ``kl_bits_per_sentence``.

    Examples
    --------
    >>> small = small_language()
    >>> train = small.sample(200, seed=0)
    >>> d = exact_faces(NGramLM(3).fit("".join(train)), train)
    >>> len(d.p_true) == len(d.sentences) + 1, float(d.p_true[-1])
    (True, 0.0)
    >>> f = d.faces
    >>> round(f.memorization + f.generalization + f.hallucination, 9)
    1.0
    """
    language = small_language() if language is None else language
    pairs = list(language.sentences(limit=limit))
    sentences = tuple(s for s, _ in pairs)
    p_true = np.array([p for _, p in pairs] + [0.0])
    p_model = 2.0 ** model.sequence_log2_probs(list(sentences), prompt=SENTENCE_PROMPT,
                                               temperature=temperature)
    p_model = np.append(p_model, max(0.0, 1.0 - p_model.sum()))
    p_true, p_model = p_true / p_true.sum(), p_model / p_model.sum()
    known = frozenset(train)
    seen = np.array([s in known for s in sentences] + [False])
    return _read_only(_ExactFaces(sentences, p_true, p_model, seen,
                                  faces(p_true, p_model, seen, r=R),
                                  kl_divergence(p_true, p_model)))
