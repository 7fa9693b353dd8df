"""lossylab: JPEG and language-model training as lossy compression of a distribution.

A thin, tested library behind the notebooks in ``notebooks/``. Submodules are
imported lazily (``lossylab.jpeg`` is loaded the first time you touch it), so
``import lossylab`` stays fast and has no side effects.

Modules
-------
data           sample photographs, Tiny Shakespeare, the synthetic language
distributions  entropy, KL, channels, mode collapse and hallucination mass
jpeg           real JPEG round trips, a baseline JPEG decoder, a safe image loader
lm             n-gram and neural character language models, one interface
coding         arithmetic coding with a language model
plotting       colour-blind-safe style and figure helpers (matplotlib)
widgets        fast in-place widgets for the notebooks (ipywidgets)
exercises      self-check functions for the notebooks' exercises
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_SUBMODULES = (
    "bench",
    "coding",
    "data",
    "distributions",
    "exercises",
    "jpeg",
    "lm",
    "nbtools",
    "plotting",
    "train",
    "widgets",
)

__all__ = ["__version__", *_SUBMODULES]


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module 'lossylab' has no attribute {name!r}")
