"""Data for the course: sample photographs (bundled with scikit-image) and Tiny Shakespeare.

Tiny Shakespeare (A. Karpathy's char-rnn corpus, 2015: 1,115,394 bytes of public-domain plays)
is downloaded once with pooch, checked against its SHA-256 and cached, unless the environment
variable ``LOSSYLAB_DATA_DIR`` names a folder holding ``tinyshakespeare.txt`` (hash-checked
too; e.g. a hub's shared read-only folder). The first 90% of characters train, the last 10%
are held out. (The synthetic language is generated: :mod:`lossylab.grammar`.)
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

__all__ = ["SHAKESPEARE_FILENAME", "SHAKESPEARE_N_BYTES", "SHAKESPEARE_SHA256",
           "SHAKESPEARE_URL", "DataError", "face_blocks", "sample_image",
           "sample_image_names", "shakespeare_split", "tiny_shakespeare"]

SHAKESPEARE_URL = ("https://raw.githubusercontent.com/karpathy/char-rnn/master/data/"
                   "tinyshakespeare/input.txt")
SHAKESPEARE_SHA256 = "86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed"
SHAKESPEARE_N_BYTES = 1_115_394
SHAKESPEARE_FILENAME = "tinyshakespeare.txt"
_TRAIN_FRACTION = 0.9

_SAMPLE_IMAGES = ("astronaut", "camera", "coffee", "chelsea", "rocket", "immunohistochemistry",
                  "moon", "coins", "clock", "brick", "grass", "gravel", "page", "text")


class DataError(RuntimeError):
    """The corpus could not be found, downloaded or verified; the message says how to fix it."""


def sample_image_names() -> tuple[str, ...]:
    """Names accepted by :func:`sample_image`, in a stable order.

    Examples
    --------
    >>> "astronaut" in sample_image_names()
    True
    """
    return _SAMPLE_IMAGES


def sample_image(name: str) -> np.ndarray:
    """Return one of scikit-image's bundled photographs as a uint8 array.

    Parameters
    ----------
    name : str
        One of :func:`sample_image_names` (else ValueError, listing them).

    Returns
    -------
    numpy.ndarray
        uint8, shape (height, width) for greyscale or (height, width, 3) for colour.

    Examples
    --------
    >>> sample_image("camera").shape
    (512, 512)
    """
    if name not in _SAMPLE_IMAGES:
        raise ValueError(f"unknown sample image {name!r}; choose one of: "
                         f"{', '.join(_SAMPLE_IMAGES)}")
    import skimage.data  # imported here: it takes ~0.3 s and most users need only one image
    return np.asarray(getattr(skimage.data, name)()).astype(np.uint8, copy=False)


def face_blocks() -> np.ndarray:
    """Return scikit-image's bundled face set (LFW subset) as uint8 greyscale images.

    Returns
    -------
    numpy.ndarray
        uint8, shape (200, 25, 25): 100 faces then 100 non-faces, grey levels 0-255.

    Examples
    --------
    >>> face_blocks().shape
    (200, 25, 25)
    """
    import skimage.data
    return np.round(skimage.data.lfw_subset() * 255).astype(np.uint8)  # from floats in [0, 1]


def _data_dir() -> Path | None:
    """The folder named by ``LOSSYLAB_DATA_DIR``, or None when it is unset or empty."""
    value = os.environ.get("LOSSYLAB_DATA_DIR", "").strip()
    return Path(value).expanduser() if value else None


def _cache_dir() -> Path:
    """Where downloads are cached (pooch's per-user cache folder for lossylab)."""
    import pooch
    return Path(pooch.os_cache("lossylab"))


def _check_hash(path: Path) -> None:
    """Raise DataError unless ``path`` holds exactly the Tiny Shakespeare corpus."""
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != SHAKESPEARE_SHA256:
        raise DataError(
            f"{path} is not the Tiny Shakespeare corpus: its SHA-256 is {digest[:16]}... "
            f"({path.stat().st_size:,} bytes), expected {SHAKESPEARE_SHA256[:16]}... "
            f"({SHAKESPEARE_N_BYTES:,} bytes). The file is damaged or truncated: delete it "
            f"and run again to download a fresh copy, or copy a good one from {SHAKESPEARE_URL}")


def _shakespeare_path() -> Path:
    """A verified copy: ``$LOSSYLAB_DATA_DIR/tinyshakespeare.txt``, else the (filled) cache."""
    if (folder := _data_dir()) is not None:
        path = folder / SHAKESPEARE_FILENAME
        if not path.is_file():
            raise DataError(
                f"LOSSYLAB_DATA_DIR is set to {folder}, but {path} does not exist. "
                f"Put tinyshakespeare.txt there (from {SHAKESPEARE_URL}), "
                "or unset LOSSYLAB_DATA_DIR to download it automatically.")
        _check_hash(path)
        return path
    cached = _cache_dir() / SHAKESPEARE_FILENAME
    if cached.is_file():
        _check_hash(cached)
        return cached
    return _download(cached)


def _download(target: Path) -> Path:
    """Fetch the corpus into ``target`` with pooch, checking its SHA-256 (DataError if not)."""
    import pooch
    try:
        return Path(pooch.retrieve(SHAKESPEARE_URL, known_hash=f"sha256:{SHAKESPEARE_SHA256}",
                                   fname=target.name, path=target.parent, progressbar=False))
    except ValueError as err:  # pooch raises ValueError on a hash mismatch
        raise DataError(
            f"the downloaded Tiny Shakespeare failed its hash check ({err}). "
            "Try again later, or download it by hand into LOSSYLAB_DATA_DIR.") from None
    except Exception as err:  # network errors come in many types (requests, OSError, ...)
        raise DataError(
            f"could not download Tiny Shakespeare from {SHAKESPEARE_URL} ({type(err).__name__}: "
            f"{err}). You seem to be offline. Fix: on a machine with internet, save that file as "
            "tinyshakespeare.txt in a folder, and set LOSSYLAB_DATA_DIR to that folder.") from None


def tiny_shakespeare() -> str:
    """Return the whole Tiny Shakespeare corpus as text (1,115,394 characters).

    Raises
    ------
    DataError
        If the corpus is missing and cannot be downloaded, or fails its hash check.

    Examples
    --------
    >>> _data_dir() is None or len(tiny_shakespeare()) == SHAKESPEARE_N_BYTES
    True
    """
    return _shakespeare_path().read_text(encoding="utf-8")


@dataclass(frozen=True)
class _TextSplit:
    """The train / held-out texts of :func:`shakespeare_split`."""

    train: str
    test: str


def shakespeare_split() -> _TextSplit:
    """Return Tiny Shakespeare split into the first 90% (train) and last 10% (test).

    Returns
    -------
    record (frozen dataclass)
        ``train`` (1,003,854 characters) and ``test`` (111,540). DataError as
        :func:`tiny_shakespeare`.

    Examples
    --------
    >>> _data_dir() is None or len(shakespeare_split().test) == 111_540
    True
    """
    text = tiny_shakespeare()
    cut = int(len(text) * _TRAIN_FRACTION)
    return _TextSplit(train=text[:cut], test=text[cut:])
