"""Notebook 05's cached results (lossylab.course.nb05) cannot be corrupted by a notebook cell."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import numpy as np
import pytest

from lossylab import data
from lossylab.course import nb05 as course


@pytest.fixture(scope="module", autouse=True)
def _shakespeare() -> None:
    folder = os.environ.get("LOSSYLAB_DATA_DIR", "").strip()
    if not folder or not (Path(folder).expanduser() / data.SHAKESPEARE_FILENAME).is_file():
        pytest.skip("LOSSYLAB_DATA_DIR does not point at a folder with tinyshakespeare.txt")


def test_the_ladder_is_a_tuple_of_models_with_read_only_counts() -> None:
    ladder = course.shakespeare_ladder()
    assert isinstance(ladder, tuple) and [m.order for m in ladder] == list(range(11))
    model = ladder[3]
    before = model.code_lengths("To be, or not to be")
    counts = model._tables[-1].pair_counts
    with pytest.raises(ValueError, match="assignment destination is read-only"):
        counts[:] = 0
    again = course.shakespeare_ladder()[3]
    np.testing.assert_array_equal(again.code_lengths("To be, or not to be"), before)


def test_the_curve_is_frozen() -> None:
    curve = course.shakespeare_curve()
    before = curve.test_bits_per_char
    with pytest.raises(TypeError):
        curve.test_bits_per_char[0] = 0.0  # type: ignore[index]
    with pytest.raises(dataclasses.FrozenInstanceError):
        curve.test_bits_per_char = (0.0,)  # type: ignore[misc]
    assert course.shakespeare_curve().test_bits_per_char == before
    assert len(before) == 11 and min(before) < 2.5


def test_the_samples_are_a_read_only_mapping() -> None:
    samples = course.shakespeare_samples(3, n_chars=50)
    assert list(samples) == list(course.SAMPLE_TEMPERATURES)
    assert all(len(text) == 50 for text in samples.values())
    with pytest.raises(TypeError):
        samples[1.0] = "corrupted"  # type: ignore[index]
    assert course.shakespeare_samples(3, n_chars=50)[1.0] == samples[1.0] != "corrupted"
