"""lossylab: JPEG and language-model training as lossy compression of a distribution.

A thin, tested library behind the notebooks in ``notebooks/``. Submodules are
imported lazily (``lossylab.jpeg`` is loaded the first time you touch it), so
``import lossylab`` stays fast and has no side effects.

Modules
-------
data           sample photographs, Tiny Shakespeare, the synthetic language
distributions  entropy, KL, channels, mode collapse and hallucination mass, EM mixtures
jpeg           JPEG opened up: colour, DCT, quantization tables, a baseline decoder
images         real JPEG round trips, PSNR/SSIM, a safe image loader, 8x8-block statistics
lm             one interface for character language models (CharLM), blocks in lockstep
ngram          interpolated Kneser-Ney character n-grams
neural         a numpy GRU character model and the pretrained ladder
grammar        a synthetic language whose p_true is known exactly
coding         arithmetic coding with a language model
compare        JPEG and language models on one rate-distortion footing
plotting       colour-blind-safe style and figure helpers (matplotlib)
widgets        fast in-place widgets for the notebooks (ipywidgets)
exercises      self-check functions for the notebooks' exercises
nbtools        the course's table of contents; re-run every notebook
bench          the benchmark (python -m lossylab.bench)
train          training the pretrained ladder (python -m lossylab.train)
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_SUBMODULES = (
    "coding",
    "course",
    "data",
    "distributions",
    "grammar",
    "images",
    "jpeg",
    "jpeg_decode",
    "jpeg_libjpeg",
    "lm",
    "memorization",
    "mixtures",
    "neural",
    "ngram",
    "ui",
)

__all__ = ["__version__", *_SUBMODULES]


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module 'lossylab' has no attribute {name!r}")
