"""Self-check functions for the notebooks' exercises.

Each ``check_*`` function takes the learner's answer and returns a :class:`Feedback`
that says right or wrong with a hint, without revealing the answer. Nothing is
printed: the notebook shows the returned object.

Examples
--------
>>> fb = Feedback(correct=False, message="Count the states first.")
>>> fb.correct
False
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Feedback:
    """The verdict of a self-check: ``correct`` and a message (a hint when wrong)."""

    correct: bool
    message: str

    def __str__(self) -> str:
        mark = "✔ Right." if self.correct else "✘ Not yet."
        return f"{mark} {self.message}"

    def _repr_markdown_(self) -> str:
        return str(self)

    def __repr__(self) -> str:
        return str(self)


def _close(answer: float, expected: float, *, rel: float = 1e-3, abs_: float = 1e-6) -> bool:
    """True when ``answer`` is a finite number within tolerance of ``expected``."""
    try:
        value = float(answer)
    except (TypeError, ValueError):
        return False
    return math.isfinite(value) and math.isclose(value, expected, rel_tol=rel, abs_tol=abs_)


def _number_feedback(answer: float, expected: float, *, right: str, hint: str,
                     rel: float = 1e-3) -> Feedback:
    """Compare a numeric answer with the expected value and return right/wrong with a hint."""
    if _close(answer, expected, rel=rel):
        return Feedback(True, right)
    return Feedback(False, hint)


# --- 01 distributions ------------------------------------------------------------------


def check_entropy(answer: float | None) -> Feedback:
    """Exercise 01.1: the entropy of (1/2, 1/4, 1/8, 1/16, 1/16), in bits.

    Examples
    --------
    >>> check_entropy(None).correct
    False
    """
    from lossylab.distributions import entropy

    expected = entropy([1 / 2, 1 / 4, 1 / 8, 1 / 16, 1 / 16])
    return _number_feedback(
        answer, expected, right="Each outcome costs -log2 p bits; the entropy is their average.",
        hint="Average the code lengths -log2 p(x): 1 bit for 1/2, 2 bits for 1/4, and so on, "
             "each weighted by its probability.")


def check_channel_entropy(*, deterministic_can_raise: bool | None,
                          stochastic_can_raise: bool | None) -> Feedback:
    """Exercise 01.2: which kinds of channel can raise entropy (two booleans)."""
    if deterministic_can_raise is None or stochastic_can_raise is None:
        return Feedback(False, "Answer both parts with True or False.")
    if deterministic_can_raise:
        return Feedback(False, "A function can merge states but never split them: what does "
                               "merging p1 and p2 into one entry do to -sum p log p?")
    if not stochastic_can_raise:
        return Feedback(False, "Push a point mass through the noisy channel and compare the "
                               "entropies before and after.")
    return Feedback(True, "Merging only lowers entropy; a stochastic channel adds its own "
                          "randomness, which can raise it.")


def check_max_output_entropy(answer: float | None) -> Feedback:
    """Exercise 01.3: the largest entropy of an 8-level quantizer's output, in bits."""
    return _number_feedback(
        answer, math.log2(8), right="At most 8 outputs, so at most log2(8) bits, reached "
                                    "only when the 8 bins are equally likely.",
        hint="The output takes at most 8 values. Which distribution on 8 values has the largest "
             "entropy, and what is it?")


# --- 02 learning -----------------------------------------------------------------------


def check_mdl_k(answer: int | None) -> Feedback:
    """Exercise 02.1: the K that minimises the two-part code at the default data size."""
    from lossylab.distributions import LEARNING_DEFAULT_N, learning_curve

    curve = learning_curve(LEARNING_DEFAULT_N)
    if answer == curve.mdl_k:
        return Feedback(True, "That K minimises model bits + data bits.")
    return Feedback(False, f"Read the two-part code curve at N = {LEARNING_DEFAULT_N}: find the K "
                           "where model bits + data bits is smallest (not the train bits).")


def check_heldout_k(answer: int | None) -> Feedback:
    """Exercise 02.2: the K with the fewest held-out bits at the default data size."""
    from lossylab.distributions import LEARNING_DEFAULT_N, learning_curve

    curve = learning_curve(LEARNING_DEFAULT_N)
    if answer == curve.heldout_k:
        return Feedback(True, "That K has the fewest held-out bits per sample.")
    return Feedback(False, f"Use the held-out curve at N = {LEARNING_DEFAULT_N}: the train curve "
                           "keeps falling with K, the held-out one does not.")


# --- 03 JPEG step by step --------------------------------------------------------------


def check_dc_step(answer: float) -> Feedback:
    """Exercise 03.1: the luma quantization step of the DC coefficient at quality 30."""
    from lossylab.jpeg import quant_tables

    expected = int(quant_tables(30).luma[0, 0])
    return _number_feedback(
        answer, expected, rel=1e-9,
        right="Below quality 50 the tables grow as 5000 / quality: coarser steps, smaller files.",
        hint="Quality 30 is below 50, so the scale is 5000 // 30 percent; then "
        "(16 * scale + 50) // 100, clipped to 1..255.",
    )


def check_flat_block_dc(answer: float) -> Feedback:
    """Exercise 03.2: the quantized DC of a flat block of grey level 200 at quality 75."""
    from lossylab.jpeg import quant_tables

    expected = round(8 * (200 - 128) / int(quant_tables(75).luma[0, 0]))
    return _number_feedback(
        answer, expected, rel=1e-9,
        right="A flat block has one non-zero coefficient: everything else is an EOB.",
        hint="Level-shift first (subtract 128); the DC of the orthonormal DCT is 8 times the "
        "block's mean; then divide by the DC step of the quality-75 luma table and round.",
    )


def check_zero_fraction(answer: float) -> Feedback:
    """Exercise 03.3: fraction of zero luma coefficients of the astronaut at quality 50."""
    from lossylab.data import sample_image
    from lossylab.jpeg import forward_coefficients

    luma = forward_coefficients(sample_image("astronaut"), 50).components[0].coefficients
    return _number_feedback(
        answer, float((luma == 0).mean()), rel=5e-3,
        right="Most of the 64 numbers per block are zero: that is where the bytes are saved.",
        hint="Use forward_coefficients(image, 50).components[0].coefficients (the luma) and "
        "take the mean of (coefficients == 0); give a fraction between 0 and 1, not a percent.",
    )



# --- 04 JPEG round trips ---------------------------------------------------------------


def _is_quality(answer: object) -> bool:
    return isinstance(answer, int) and not isinstance(answer, bool) and 1 <= answer <= 100


def check_quality_for_psnr(answer: int) -> Feedback:
    """Notebook 04: the lowest JPEG quality at which "camera" reaches PSNR >= 35 dB."""
    from lossylab.images import photograph, psnr_db, roundtrip

    if not _is_quality(answer):
        return Feedback(False, "Answer with an integer quality from 1 to 100.")
    image = photograph("camera")

    def psnr(quality: int) -> float:
        return psnr_db(image, roundtrip(image, quality).decoded, data_range=255)

    reached = psnr(answer)
    if reached < 35:
        return Feedback(False, f"At quality {answer} camera reaches only {reached:.2f} dB: go up.")
    if answer > 1 and psnr(answer - 1) >= 35:
        return Feedback(False, f"Quality {answer} reaches 35 dB, but so does a lower one: go down.")
    return Feedback(True, f"Quality {answer} is the first to reach 35 dB ({reached:.2f} dB).")


def check_png_ratio(answer: float) -> Feedback:
    """Notebook 04: how many times smaller than the PNG is astronaut's JPEG at quality 75."""
    from lossylab.images import photograph, photograph_png_n_bytes, roundtrip

    expected = photograph_png_n_bytes("astronaut") / roundtrip(photograph("astronaut"), 75).n_bytes
    return _number_feedback(
        answer, expected, rel=0.01,
        right="That is the ratio: lossless PNG against JPEG at quality 75 (4:2:0).",
        hint="Divide the PNG's n_bytes (images.photograph_png_n_bytes) by the JPEG's "
        "n_bytes at quality 75 with the default 4:2:0 subsampling.",
    )


def check_distinct_blocks(answer: int) -> Feedback:
    """Notebook 04: distinct decoded blocks of the sample block pool at quality 20."""
    from lossylab.images import block_stats, sample_block_pool

    pool = sample_block_pool()
    expected = block_stats(pool, 20).n_distinct_after
    if _close(answer, expected, rel=0.0, abs_=0.5):
        return Feedback(True, f"Right: {pool.n_distinct:,} distinct blocks before, "
                        "and your number after.")
    hint = "Count distinct decoded blocks (block_stats(pool, 20).n_distinct_after, or np.unique)."
    if _close(answer, pool.n_distinct, rel=0.0, abs_=0.5):
        hint = "That is the count before JPEG; count the decoded blocks instead."
    return Feedback(False, hint)



# --- 05 tiny language model ------------------------------------------------------------


HELD_OUT_LINE_CHARS = 64  # notebook 05, exercise 1: the first 64 characters of the held-out text


def check_line_bits(answer: float) -> Feedback:
    """Notebook 05: mean bits/char of the order-4 n-gram on the first 64 held-out characters."""
    from lossylab.data import shakespeare_split
    from lossylab.ngram import shakespeare_ladder

    line = shakespeare_split().test[:HELD_OUT_LINE_CHARS]
    expected = shakespeare_ladder()[4].bits_per_char(line)
    return _number_feedback(
        answer, expected, rel=1e-3,
        right="That is the mean of -log2 p(next character | the 4 before it) over the line.",
        hint="Loop over t, take p = model.next_probs(line[max(0, t - 4):t]) and the entry of "
        "model.symbols(line[t])[0]; average -log2 of those 64 numbers.",
    )


def check_sentence_bits(answer: float) -> Feedback:
    """Notebook 05: -log2 p_true of "the dogs that the cat chases run.\\n" in bits."""
    from lossylab.data import synthetic_language

    expected = -synthetic_language().log2_prob("the dogs that the cat chases run.\n")
    if _close(answer, -expected, rel=1e-3):
        return Feedback(False, "Mind the sign: a code length is -log2 p, a positive number.")
    return _number_feedback(
        answer, expected, rel=1e-3,
        right="That many bits is what an ideal code for the true language spends on it.",
        hint="Use the language's log2_prob on the sentence, with its final '.\\n'.",
    )


def check_plausible_hallucination(sentence: str) -> Feedback:
    """Notebook 05: an invalid sentence that the order-4 model finds cheap (< 1.6 bits/char)."""
    from lossylab.data import synthetic_language
    from lossylab.grammar import END, SENTENCE_PROMPT, synthetic_ladder_model

    if not isinstance(sentence, str) or not sentence.endswith(END) or len(sentence) < 10:
        return Feedback(False, "Give a sentence as a str of at least 10 characters ending "
                        "with '.\\n'.")
    if synthetic_language().is_valid(sentence):
        return Feedback(False, "The grammar accepts that sentence (p_true > 0), so it is no "
                        "hallucination. Break the agreement of subject and verb.")
    model = synthetic_ladder_model(4, 10_000)
    bits = model.code_lengths(SENTENCE_PROMPT + sentence)[len(SENTENCE_PROMPT):].mean()
    if bits >= 1.6:
        return Feedback(False, f"Invalid, but the model spends {bits:.2f} bits/char on it: "
                        "keep every 5-character window natural and break only long-range rules.")
    return Feedback(True, f"A hallucination the model likes: p_true = 0, only {bits:.2f} "
                    "bits/char for the 4-gram.")



# --- 06 the LM as a compressor ---------------------------------------------------------


def check_interval_bits(answer: float | None) -> Feedback:
    """Exercise 06.1: bits of information of three characters with p = 1/2, 1/4, 1/8.

    Examples
    --------
    >>> check_interval_bits(None).correct
    False
    """
    return _number_feedback(
        answer, 6.0, right="The width is the product of the probabilities, and -log2 of a "
                           "product is the sum of the code lengths 1 + 2 + 3.",
        hint="The final width is the product of the three probabilities; take -log2 of it "
             "(or add -log2 p for each character).")


def check_escape_bits(answer: float | None) -> Feedback:
    """Exercise 06.2: extra bits of an escaped emoji (its UTF-8 bytes at 8 bits each).

    Examples
    --------
    >>> check_escape_bits(32).correct
    True
    """
    return _number_feedback(
        answer, 8.0 * len("\N{GRINNING FACE}".encode()),
        right="Four UTF-8 bytes at 8 bits each: the model knows nothing about it, so it pays "
              "the full raw price.",
        hint="Count the UTF-8 bytes of the emoji and multiply by the bits per byte.")


def check_break_even(answer: float | None) -> Feedback:
    """Exercise 06.3: characters needed before a 100,000 x 8-bit model beats xz (3 vs 2 bits/char).

    Examples
    --------
    >>> check_break_even(None).correct
    False
    """
    return _number_feedback(
        answer, 100_000 * 8 / (3.0 - 2.0),
        right="The model costs 800,000 bits and saves 1 bit per character, so it pays for "
              "itself after 800,000 characters.",
        hint="Model size in bits divided by the bits saved per character (xz rate minus "
             "model rate).")


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
    from lossylab.compare import best_ngram_order

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
