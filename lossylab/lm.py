"""One interface for every character language model: probabilities, bits, samples.

A character language model is a machine that, after reading some text, says how
likely each next character is. That single ability gives three things:

* **bits per character**: the code length of a text is ``sum_t -log2 p(x_t | x_<t)``,
  exactly what an arithmetic coder driven by the model would spend (``lossylab.coding``);
* **samples**: draw each next character from the model's distribution (sharpened or
  flattened by a temperature);
* **a distribution over texts**: ``p_model(x) = prod_t p(x_t | x_<t)``, the
  "compressed" version of the training text's ``p_true``.

Every model (n-gram, neural, quantized neural) subclasses :class:`CharLM` and
implements only three batched, incremental methods: ``initial_state(batch)``,
``advance(state, symbols)`` and ``probs(state)``. Everything else is built here on
top of them, once.

Symbols. A model knows a sorted string of characters, ``vocab``; symbol ``i`` is
``vocab[i]`` and symbol ``len(vocab)`` is the *escape*, which stands for any
character the model never saw. An escaped character costs ``-log2 p(escape)`` plus
its UTF-8 bytes at 8 bits each (UTF-8 is self-delimiting, so a decoder knows where
the bytes end). So any Unicode text has a finite code length, never a KeyError.

Blocks in lockstep. To evaluate a long text fast, it is cut into blocks of
``BLOCK_CHARS`` characters; every block starts from a fresh ``initial_state`` and
all blocks are stepped together as one batch (:class:`BlockStepper`). The code
lengths (:meth:`CharLM.code_lengths`) and the arithmetic coder use this very same
stepper, so encoder, decoder and code-length computation see bit-identical
probabilities. Forgetting the context every 8192 characters costs little: 0.0008
bits/char for the order-6 n-gram on held-out Tiny Shakespeare (measured 2026-11-26);
models with a longer memory lose a little more (at most ~0.01 bits/char).
Subclasses may override :meth:`CharLM.code_lengths` with a faster computation of the
very same values (the n-gram does, tested against the lockstep loop).

Also here: batched sampling with a prompt and per-stream temperatures
(:meth:`CharLM.sample_streams`, :meth:`CharLM.sample_scored`), exact probabilities of
whole texts under sampling (:meth:`CharLM.sequence_log2_probs`), and measures of how much
of a sample is copied from the training text (:class:`TrainingIndex`).

What this leaves out compared with a production LM toolkit: tokenization (we work
on characters), state caching across calls, and any GPU batching.

References
----------
Shannon, C. E. (1951). Prediction and entropy of printed English. *Bell System
Technical Journal* 30(1), 50-64.
Cho, K. (2023). "Are JPEG and LM similar to each other? If so, in what sense, and is this
the real question to ask?" Blog post, February 2023 (a reply to T. Chiang, "ChatGPT Is a
Blurry JPEG of the Web", The New Yorker, 9 February 2023).
"""

from __future__ import annotations

import abc
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:  # pragma: no cover - imported lazily by __getattr__ at the end
    pass
from typing import TYPE_CHECKING

BLOCK_CHARS = 8192  # characters per block of the canonical lockstep evaluation


def _check_text(text: Any, *, name: str = "text") -> str:
    if not isinstance(text, str):
        raise TypeError(
            f"{name} must be a str, got {type(text).__name__}; decode bytes first "
            "with .decode('utf-8')"
        )
    return text


def _codepoints(text: str) -> np.ndarray:
    """Unicode code points of ``text`` as uint32, lone surrogates included."""
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


def utf8_lengths(text: str) -> np.ndarray:
    """Number of UTF-8 bytes of each character of ``text`` (1 to 4).

    Lone surrogates (possible in a Python ``str``) count 3 bytes, as they are
    written with the ``"surrogatepass"`` error handler.

    Parameters
    ----------
    text : str

    Returns
    -------
    numpy.ndarray
        int64, shape (len(text),).

    Examples
    --------
    >>> utf8_lengths("aé€😀").tolist()
    [1, 2, 3, 4]
    """
    cps = _codepoints(_check_text(text))
    return 1 + (cps >= 0x80) + (cps >= 0x800) + (cps >= 0x10000).astype(np.int64)


@dataclass(frozen=True)
class ScoredSample:
    """Sampled texts with the log2 probability of each character (see ``sample_scored``)."""

    texts: list[str]
    log2_probs: np.ndarray  # float64 (n_streams, n_chars)


class CharLM(abc.ABC):
    """Base class of every character language model in lossylab.

    Subclasses set ``name``, ``vocab`` (sorted, distinct characters) and ``n_params``
    and implement :meth:`initial_state`, :meth:`advance` and :meth:`probs`.

    Attributes
    ----------
    name : str
        Short label, e.g. ``"ngram-5"`` or ``"gru-256"``.
    vocab : str
        The characters the model knows, sorted; symbol ``i`` is ``vocab[i]``.
    n_params : int
        Number of parameters (for an n-gram: stored counts).
    """

    name: str = "charlm"
    vocab: str = ""
    n_params: int = 0

    @property
    def escape(self) -> int:
        """The escape symbol (``len(vocab)``), used for any character outside ``vocab``."""
        return len(self.vocab)

    @property
    def n_symbols(self) -> int:
        """Size of the output distribution: the vocabulary plus the escape."""
        return len(self.vocab) + 1

    # --- the incremental, batched core ---------------------------------------------------
    @abc.abstractmethod
    def initial_state(self, batch: int = 1) -> Any:
        """An opaque state for ``batch`` parallel streams that have read nothing yet."""

    @abc.abstractmethod
    def advance(self, state: Any, symbols: np.ndarray) -> Any:
        """Return a NEW state after each stream reads one symbol (int64, shape (batch,)).

        The input state must not be mutated; the escape symbol is allowed.
        """

    @abc.abstractmethod
    def probs(self, state: Any) -> np.ndarray:
        """Next-symbol distributions, float64 (batch, n_symbols); rows sum to 1, entries > 0."""

    # --- built on the three methods above ------------------------------------------------
    def symbols(self, text: str) -> np.ndarray:
        """Map characters to symbols; characters outside ``vocab`` become the escape.

        Parameters
        ----------
        text : str

        Returns
        -------
        numpy.ndarray
            int64, shape (len(text),), values in ``0 .. len(vocab)``.
        """
        cps = _codepoints(_check_text(text))
        known = _codepoints(self.vocab)
        if np.any(np.diff(known.astype(np.int64)) <= 0):
            raise ValueError(
                f"vocab must be sorted distinct characters, got {self.vocab[:40]!r}; "
                "build it with ''.join(sorted(set(text)))"
            )
        idx = np.searchsorted(known, cps)
        hit = idx < len(known)
        hit[hit] = known[idx[hit]] == cps[hit]
        return np.where(hit, idx, self.escape).astype(np.int64)

    def next_probs(self, context: str) -> np.ndarray:
        """Distribution of the next character after reading ``context`` (from a fresh state).

        Parameters
        ----------
        context : str
            Text read so far; may be empty and may contain unseen characters.

        Returns
        -------
        numpy.ndarray
            float64, shape (n_symbols,): ``vocab`` order, then the escape.
        """
        state = self.initial_state(1)
        for symbol in self.symbols(context):
            state = self.advance(state, np.array([symbol], dtype=np.int64))
        return self.probs(state)[0]

    def code_lengths(self, text: str, *, block_chars: int = BLOCK_CHARS) -> np.ndarray:
        """Bits spent on each character by an ideal coder driven by the model.

        Parameters
        ----------
        text : str
        block_chars : int, keyword-only
            Block length of the lockstep evaluation (``BLOCK_CHARS``, as the coder); shorter
            blocks mean more streams and fewer steps, faster for a neural model, at the
            cost of a fresh state at every block start.

        Returns
        -------
        numpy.ndarray
            float64, shape (len(text),).

        Notes
        -----
        ``bits_t = -log2 p(x_t | block context)``, plus ``8 * utf8_bytes(x_t)`` for an
        escaped character. The text is read in blocks of ``block_chars`` characters in
        lockstep (:class:`BlockStepper`), exactly as ``lossylab.coding`` does.
        """
        symbols = self.symbols(text)
        stepper = BlockStepper(self, len(symbols), block_chars=block_chars)
        grid = stepper.to_blocks(symbols)  # (n_blocks, n_steps) int64, padded with 0
        bits = np.zeros(grid.shape, dtype=np.float64)
        rows = np.arange(stepper.n_blocks)
        for t in range(stepper.n_steps):
            p = stepper.probs()  # (n_blocks, n_symbols)
            bits[:, t] = -np.log2(p[rows, grid[:, t]])
            stepper.advance(grid[:, t])
        lengths = stepper.from_blocks(bits)
        escaped = symbols == self.escape
        if escaped.any():
            lengths[escaped] += 8.0 * utf8_lengths(text)[escaped]
        return lengths

    def bits_per_char(self, text: str) -> float:
        """Mean code length in bits per character of ``text``.

        Raises
        ------
        ValueError
            If ``text`` is empty.
        """
        if len(_check_text(text)) == 0:
            raise ValueError("text is empty; bits_per_char needs at least one character")
        return float(np.mean(self.code_lengths(text)))

    def sample(self, n_chars: int, *, temperature: float = 1.0, seed: int = 0) -> str:
        """Draw ``n_chars`` characters from the model, starting from a fresh state.

        Parameters
        ----------
        n_chars : int
            Number of characters to generate (>= 0).
        temperature : float
            > 0. Each step samples from ``p ** (1 / temperature)`` renormalized: below 1
            sharpens toward the most likely character, above 1 flattens.
        seed : int
            Seed of the random generator; the same seed gives the same text.

        Returns
        -------
        str
            Never contains the escape (its probability is dropped and the rest renormalized).
        """
        return self.sample_streams(1, n_chars, temperature=temperature, seed=seed)[0]

    def sample_streams(self, n_streams: int, n_chars: int, *,
                       temperature: float | Sequence[float] = 1.0, seed: int = 0,
                       prompt: str = "") -> list[str]:
        """Draw ``n_streams`` independent texts of ``n_chars`` characters, as one batch.

        Much faster than ``n_streams`` calls of :meth:`sample` (one batched step per
        character). With ``n_streams=1`` and no prompt it gives exactly :meth:`sample`.

        Parameters
        ----------
        n_streams : int
            Number of texts (>= 1).
        n_chars : int
            Characters per text (>= 0), not counting the prompt.
        temperature : float or sequence of float, keyword-only
            As in :meth:`sample`; a sequence gives each stream its own temperature.
        seed : int, keyword-only
            As in :meth:`sample`.
        prompt : str, keyword-only
            Text every stream reads first (not included in the result), e.g. ``".\\n"``
            to start at the beginning of a sentence.

        Returns
        -------
        list of str
        """
        return self.sample_scored(n_streams, n_chars, temperature=temperature, seed=seed,
                                  prompt=prompt).texts

    def sample_scored(self, n_streams: int, n_chars: int, *,
                      temperature: float | Sequence[float] = 1.0, seed: int = 0,
                      prompt: str = "") -> ScoredSample:
        """:meth:`sample_streams`, also returning the log2 probability of every drawn character.

        Returns
        -------
        ScoredSample
            ``.texts`` exactly as :meth:`sample_streams` with the same arguments, and
            ``.log2_probs``, float64 (n_streams, n_chars): ``log2 q_T(x_t | context)`` under
            the tempered, escape-free distribution the character was drawn from.
        """
        temperature = _check_sampling(n_streams, n_chars, temperature)
        if n_chars > 0 and not self.vocab:
            raise ValueError(f"model {self.name!r} has an empty vocab; fit it on some text first")
        n_streams, n_chars = int(n_streams), int(n_chars)
        uniforms = np.random.default_rng(seed).random((n_chars, n_streams))
        state = self.initial_state(n_streams)
        for symbol in self.symbols(_check_text(prompt, name="prompt")):
            state = self.advance(state, np.full(n_streams, symbol, dtype=np.int64))
        drawn = np.zeros((n_chars, n_streams), dtype=np.int64)
        log2_probs = np.zeros((n_chars, n_streams))
        rows = np.arange(n_streams)
        for t in range(n_chars):
            q = tempered(self.probs(state)[:, : self.escape], temperature)  # (n_streams, vocab)
            # inverse-CDF draw; the min guards against round-off in the last cumsum entry
            cdf = np.cumsum(q, axis=1)
            drawn[t] = np.minimum((cdf < uniforms[t][:, None]).sum(axis=1), self.escape - 1)
            log2_probs[t] = np.log2(q[rows, drawn[t]])
            state = self.advance(state, drawn[t])
        chars = np.array(list(self.vocab))
        texts = ["".join(chars[drawn[:, b]]) for b in range(n_streams)]
        return ScoredSample(texts, log2_probs.T.copy())

    def sequence_log2_probs(self, texts: Sequence[str], *, prompt: str = "",
                            temperature: float = 1.0) -> np.ndarray:
        """log2 probability that sampling after ``prompt`` starts with each of ``texts``.

        Exactly the distribution of :meth:`sample_streams` with the same prompt and
        temperature: the escape is dropped, so a text with an unseen character gets -inf.
        All texts are scored together as one batch.

        Parameters
        ----------
        texts : sequence of str
        prompt : str, keyword-only
            Context read before every text (``".\\n"``: the start of a sentence).
        temperature : float, keyword-only

        Returns
        -------
        numpy.ndarray
            float64 (len(texts),).

        Notes
        -----
        ``log2 p(text) = sum_t log2 q_T(x_t | prompt, x_<t)`` with
        ``q_T = p ** (1/T) / sum_{v != escape} p(v) ** (1/T)``.
        """
        t_col = _check_temperature(temperature, 1)[0, 0]
        n = len(texts)
        lengths = np.array([len(_check_text(t, name="texts[i]")) for t in texts], dtype=np.int64)
        width = int(lengths.max()) if n else 0
        grid = np.zeros((n, width), dtype=np.int64)  # (n_texts, width) symbols, 0-padded
        for i, text in enumerate(texts):
            grid[i, : lengths[i]] = self.symbols(text)
        state = self.initial_state(max(n, 1))
        for symbol in self.symbols(_check_text(prompt, name="prompt")):
            state = self.advance(state, np.full(max(n, 1), symbol, dtype=np.int64))
        total = np.zeros(n)
        rows = np.arange(n)
        with np.errstate(divide="ignore"):
            for t in range(width):
                q = tempered(self.probs(state)[:n, : self.escape], t_col)  # (n, vocab)
                padded = np.concatenate([q, np.zeros((n, 1))], axis=1)  # escape: probability 0
                total += np.where(t < lengths, np.log2(padded[rows, grid[:, t]]), 0.0)
                state = self.advance(state, grid[:, t])
        return total

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r}: {len(self.vocab)} chars, " \
               f"{self.n_params:,} params>"


def _check_sampling(n_streams: Any, n_chars: Any, temperature: Any) -> np.ndarray:
    """Validate sampling options; return the temperature as float64 (n_streams, 1)."""
    if not isinstance(n_streams, (int, np.integer)) or n_streams < 1:
        raise ValueError(f"n_streams must be an int >= 1, got {n_streams!r}")
    if not isinstance(n_chars, (int, np.integer)) or n_chars < 0:
        raise ValueError(f"n_chars must be an int >= 0, got {n_chars!r}")
    return _check_temperature(temperature, n_streams)


def _check_temperature(temperature: Any, n_rows: int) -> np.ndarray:
    """Temperature(s) as float64 (n_rows, 1), or ValueError."""
    try:
        values = np.asarray(temperature, dtype=np.float64)
    except (TypeError, ValueError):
        values = np.array(np.nan)
    if values.ndim > 1 or (values.ndim == 1 and len(values) != n_rows) \
            or not np.all(np.isfinite(values) & (values > 0)):
        raise ValueError(
            f"temperature must be a finite number > 0 (or one per stream), got {temperature!r}; "
            "use e.g. 0.5 (conservative), 1.0 (the model), 1.5 (adventurous)"
        )
    return np.broadcast_to(values, (n_rows,)).reshape(n_rows, 1)


def tempered(p: np.ndarray, temperature: float | np.ndarray) -> np.ndarray:
    """Renormalized ``p ** (1 / temperature)`` along the last axis (computed in log space).

    Examples
    --------
    >>> tempered(np.array([0.5, 0.25, 0.25]), 1.0).tolist()
    [0.5, 0.25, 0.25]
    >>> np.round(tempered(np.array([0.5, 0.25, 0.25]), 0.5), 3).tolist()
    [0.667, 0.167, 0.167]
    """
    logits = np.log(p) / temperature
    logits -= logits.max(axis=-1, keepdims=True)
    weights = np.exp(logits)
    return weights / weights.sum(axis=-1, keepdims=True)


class BlockStepper:
    """Step a model through a text cut into blocks, all blocks in lockstep.

    The one loop behind :meth:`CharLM.code_lengths` and ``lossylab.coding``: both
    encoder and decoder drive it identically, so they see bit-identical probabilities.
    Character ``t`` of block ``b`` is text position ``b * block_chars + t``. At every
    step ``t`` (``0 .. n_steps - 1``):

    1. ``p = stepper.probs()``: float64 (n_blocks, n_symbols); row ``b`` is the
       distribution of character ``t`` of block ``b``. Only rows where
       ``stepper.active()`` is True correspond to real characters (only the last
       block can be shorter).
    2. code or decode the active symbols, then ``stepper.advance(symbols)`` with
       int64 (n_blocks,); entries of finished blocks are replaced by 0 (padding), so
       the batch shape never changes.

    Parameters
    ----------
    model : CharLM
    n_chars : int
        Length of the whole text (a decoder knows it from the header).
    block_chars : int, keyword-only
        Block length, ``BLOCK_CHARS`` by default.

    Examples
    --------
    >>> class Uniform(CharLM):
    ...     vocab = "ab"
    ...     def initial_state(self, batch=1): return np.zeros(batch)
    ...     def advance(self, state, symbols): return state + 1
    ...     def probs(self, state): return np.full((len(state), 3), 1 / 3)
    >>> stepper = BlockStepper(Uniform(), 5, block_chars=2)
    >>> stepper.n_blocks, stepper.n_steps, stepper.active().tolist()
    (3, 2, [True, True, True])
    >>> stepper.advance(np.array([0, 1, 0])); stepper.active().tolist()
    [True, True, False]
    """

    def __init__(self, model: CharLM, n_chars: int, *, block_chars: int = BLOCK_CHARS) -> None:
        if n_chars < 0 or block_chars < 1:
            raise ValueError(
                f"need n_chars >= 0 and block_chars >= 1, got {n_chars} and {block_chars}"
            )
        self.model = model
        self.n_chars = int(n_chars)
        self.block_chars = int(block_chars)
        self.n_blocks = -(-self.n_chars // self.block_chars)  # ceil
        self.n_steps = min(self.n_chars, self.block_chars)
        # (n_blocks,) number of real characters in each block
        self.block_lengths = np.minimum(
            self.block_chars, self.n_chars - self.block_chars * np.arange(self.n_blocks)
        )
        self.t = 0
        self.state = model.initial_state(self.n_blocks)

    def active(self) -> np.ndarray:
        """bool (n_blocks,): blocks that have a character at the current step."""
        return self.block_lengths > self.t

    def probs(self) -> np.ndarray:
        """float64 (n_blocks, n_symbols): distributions of the characters at the current step."""
        return self.model.probs(self.state)

    def advance(self, symbols: np.ndarray) -> None:
        """Feed one symbol per block (finished blocks are padded with 0) and move to t + 1."""
        symbols = np.where(self.active(), np.asarray(symbols, dtype=np.int64), 0)
        self.state = self.model.advance(self.state, symbols)
        self.t += 1

    def to_blocks(self, values: np.ndarray) -> np.ndarray:
        """Lay a (n_chars,) array out as (n_blocks, n_steps), padding the last block with 0."""
        grid = np.zeros(self.n_blocks * self.n_steps, dtype=values.dtype)
        if self.n_blocks:
            grid[: self.n_chars] = values
        return grid.reshape(self.n_blocks, self.n_steps)

    def from_blocks(self, grid: np.ndarray) -> np.ndarray:
        """Inverse of :meth:`to_blocks`: the (n_chars,) values in text order."""
        return grid.reshape(-1)[: self.n_chars].copy()
