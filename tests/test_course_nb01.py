"""Tests for lossylab.course.nb01: the numbers of the mismatch widget, the exercises' answers."""

from __future__ import annotations

import numpy as np
import pytest

from lossylab import distributions as D
from lossylab.course import nb01 as course


def test_channel_mismatch_pushes_forward_and_measures() -> None:
    p_true = np.array([0.5, 0.25, 0.25])
    channel = D.quantizer_channel(3, 1)
    p_model, v = course.channel_mismatch(p_true, channel, r=2)
    np.testing.assert_array_equal(p_model, D.push_forward(p_true, channel))
    m = D.mismatch(p_true, p_model, r=2)
    assert {k: v[k] for k in ("entropy_true_bits", "kl_model_true_bits", "mode_collapse_mass",
                              "hallucination_mass", "r")} == {
        "entropy_true_bits": 1.5, "kl_model_true_bits": m.kl_model_true_bits,
        "mode_collapse_mass": m.mode_collapse_mass, "hallucination_mass": 1.0, "r": 2.0}
    assert v["table_true_bits"] == D.description_bits(p_true)
    assert v["table_model_bits"] == D.description_bits(p_model) == pytest.approx(
        np.log2(3) + 16)
    with pytest.raises(ValueError, match="not row-stochastic"):
        course.channel_mismatch(p_true, np.full((3, 3), 0.5))


def test_entropy_exercise_accepts_the_right_number_only() -> None:
    assert course.check("entropy", 1.875).correct  # 1/2*1 + 1/4*2 + 1/8*3 + 2 * 1/16*4
    assert not course.check("entropy", 2.0).correct
    assert not course.check("entropy", None).correct
    assert "1.875" not in course.check("entropy", 2.0).message  # the hint hides the answer


def test_channel_entropy_exercise() -> None:
    def check(**answer: bool | None) -> bool:
        return course.check("channel_entropy", **answer).correct

    assert check(deterministic_can_raise=False, stochastic_can_raise=True)
    assert not check(deterministic_can_raise=True, stochastic_can_raise=True)
    assert not check(deterministic_can_raise=False, stochastic_can_raise=False)
    assert not check(deterministic_can_raise=None, stochastic_can_raise=True)


def test_max_output_entropy_exercise() -> None:
    assert course.check("max_output_entropy", 3).correct
    assert not course.check("max_output_entropy", 6).correct


def test_check_names_the_exercises_when_the_name_is_wrong() -> None:
    feedback = course.check("entropies", 1.875)
    assert not feedback.correct
    assert "'entropy', 'channel_entropy', 'max_output_entropy'" in feedback.message
