"""lossylab: JPEG and language-model training as lossy compression of a distribution.

A thin, tested library behind the notebooks in ``notebooks/``, in three layers; each imports
only from the layers below it (``tests/test_architecture.py`` checks it). Submodules are
imported lazily (``lossylab.jpeg`` is loaded the first time you touch it), so
``import lossylab`` stays fast and has no side effects.

Mechanisms: the ideas themselves (numpy; Pillow only in ``images``)
--------------------------------------------------------------------
distributions     entropy, KL, channels, mode-collapse and hallucination mass
mixtures          Gaussian mixtures fitted by EM, the two-part code, novelty
jpeg              the encoder's forward path, step by step (colour, DCT, quantization)
jpeg_libjpeg      appendix: libjpeg's integer arithmetic, to match Pillow bit for bit
jpeg_decode       reading a real baseline JPEG file and decoding its Huffman-coded scan
jpeg_entropy      how many bytes the Huffman stage should take
images            real JPEG round trips (Pillow), PSNR and SSIM, a careful image loader
blockstats        JPEG as a map between distributions of 8x8 blocks
lm                one interface for character language models (CharLM), blocks in lockstep
memorization      how much of a sample is copied from the training text
ngram             interpolated Kneser-Ney character n-grams
neural            a numpy GRU character model and the pretrained ladder
grammar           a synthetic language whose p_true is known exactly
arithmetic_coder  arithmetic coding by hand
coding            compressing text with a language model: a real file format
adaptive          mixing models and learning while coding: the best compressor here
data              sample photographs and Tiny Shakespeare

Course: what belongs to one notebook
-------------------------------------
course.nb01 ... course.nb07   each notebook's setups, cached experiments and exercise answers
course.common, course.synthetic, course.exercises   what several notebooks share

Presentation: the only place matplotlib and ipywidgets are imported
--------------------------------------------------------------------
ui.style, ui.live             the plot style, live figures and number tables
ui.nb01 ... ui.nb07           each notebook's figures and widgets

Tooling lives outside the package: ``benchmarks/bench.py``, ``tools/nbtools.py``,
``tools/train_ladder.py``.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_SUBMODULES = (
    "adaptive",
    "arithmetic_coder",
    "blockstats",
    "coding",
    "course",
    "data",
    "distributions",
    "grammar",
    "images",
    "jpeg",
    "jpeg_decode",
    "jpeg_entropy",
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
