"""Tests for the live-figure helpers behind every slider."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image


def _decode(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


# --- the factories of notebooks 01, 02, 03 -------------------------------------------------


def _controls(box: object) -> list:
    return list(box.children[0].children)  # type: ignore[attr-defined]


def _views(box: object) -> list:
    return list(box.children[1].children)  # type: ignore[attr-defined]
