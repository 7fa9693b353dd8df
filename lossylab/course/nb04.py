"""Notebook 04 (real JPEG round trips): the photographs' cached measurements, the answers."""

from __future__ import annotations

import io
from functools import cache

from PIL import Image

from lossylab.blockstats import block_stats
from lossylab.course.common import RD_QUALITIES, photograph, sample_block_pool
from lossylab.course.exercises import Feedback
from lossylab.images import RateDistortion, psnr_db, rate_distortion, roundtrip, ssim
from lossylab.jpeg import check_quality

__all__ = ["check", "photograph_png_n_bytes", "photograph_rate_distortion", "photograph_ssim"]


def _encode(im: Image.Image, fmt: str, **params: object) -> bytes:
    """The bytes of ``im`` saved by Pillow in format ``fmt``."""
    buffer = io.BytesIO()
    im.save(buffer, format=fmt, **params)  # type: ignore[arg-type]
    return buffer.getvalue()


@cache
def _photograph_png(name: str) -> bytes:
    """The lossless PNG of a photograph (Pillow, default level 6), cached: the yardstick."""
    return _encode(Image.fromarray(photograph(name)), "PNG")


def photograph_png_n_bytes(name: str) -> int:
    """Size of the lossless PNG of :func:`~lossylab.course.common.photograph` ``(name)``.

    Examples
    --------
    >>> photograph_png_n_bytes("camera") > 100_000
    True
    """
    return len(_photograph_png(name))


_SSIM_CACHE: dict[tuple[str, int, str], float] = {}


def photograph_ssim(name: str, quality: int, subsampling: str = "4:2:0", *,
                    compute: bool = True) -> float | None:
    """SSIM of a photograph's JPEG round trip, cached; ``compute=False``: cached value or None.

    Examples
    --------
    >>> photograph_ssim("camera", 50) == photograph_ssim("camera", 50, compute=False)
    True
    """
    key = (name, check_quality(quality), subsampling)
    if key not in _SSIM_CACHE:
        if not compute:
            return None
        image = photograph(name)
        decoded = roundtrip(image, quality, subsampling=subsampling).decoded
        _SSIM_CACHE[key] = ssim(image, decoded, data_range=255)
    return _SSIM_CACHE[key]


@cache
def photograph_rate_distortion(name: str, subsampling: str = "4:2:0") -> RateDistortion:
    """:func:`~lossylab.images.rate_distortion` of a photograph at ``RD_QUALITIES``, cached.

    Examples
    --------
    >>> photograph_rate_distortion("camera").bpp.flags.writeable
    False
    """
    image = photograph(name)
    rd = rate_distortion(image, RD_QUALITIES, subsampling=subsampling)  # one round trip each
    for q, score in zip(rd.qualities, rd.ssim, strict=True):  # the widget shows these SSIMs
        _SSIM_CACHE.setdefault((name, int(q), subsampling), float(score))
    arrays = (rd.qualities, rd.n_bytes, rd.bpp, rd.psnr_db, rd.ssim)
    for array in arrays:
        array.setflags(write=False)
    return RateDistortion(*arrays)


# --- the exercises ------------------------------------------------------------------------

def _check_quality_for_psnr(answer: int) -> Feedback:
    """Exercise 04.1: the lowest JPEG quality at which "camera" reaches PSNR >= 35 dB."""
    if not (isinstance(answer, int) and not isinstance(answer, bool) and 1 <= answer <= 100):
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


def _check_png_ratio(answer: float) -> Feedback:
    """Exercise 04.2: how many times smaller than the PNG is astronaut's JPEG at quality 75."""
    expected = photograph_png_n_bytes("astronaut") / roundtrip(photograph("astronaut"), 75).n_bytes
    return Feedback.number(
        answer, expected, rel=0.01,
        right="That is the ratio: lossless PNG against JPEG at quality 75 (4:2:0).",
        hint="Divide the PNG's n_bytes (course.photograph_png_n_bytes) by the JPEG's "
        "n_bytes at quality 75 with the default 4:2:0 subsampling.")


def _check_distinct_blocks(answer: int) -> Feedback:
    """Exercise 04.3: distinct decoded blocks of the sample block pool at quality 20."""
    pool = sample_block_pool()
    if Feedback.is_close(answer, block_stats(pool, 20).n_distinct_after, rel=0.0, abs_=0.5):
        return Feedback(True, f"Right: {pool.n_distinct:,} distinct blocks before, "
                        "and your number after.")
    hint = "Count distinct decoded blocks (blockstats.block_stats(pool, 20).n_distinct_after)."
    if Feedback.is_close(answer, pool.n_distinct, rel=0.0, abs_=0.5):
        hint = "That is the count before JPEG; count the decoded blocks instead."
    return Feedback(False, hint)


_CHECKS = {"quality_for_psnr": _check_quality_for_psnr, "png_ratio": _check_png_ratio,
           "distinct_blocks": _check_distinct_blocks}


def check(exercise: str, *answer: object, **named: object) -> Feedback:
    """Check your answer to one of notebook 04's exercises (names below).

    ``exercise`` is ``"quality_for_psnr"`` (04.1), ``"png_ratio"`` (04.2) or
    ``"distinct_blocks"`` (04.3).

    Examples
    --------
    >>> check("quality_for_psnr", 50)
    ✘ Not yet. At quality 50 camera reaches only 32.60 dB: go up.
    """
    return Feedback.dispatch(_CHECKS, exercise, *answer, **named)
