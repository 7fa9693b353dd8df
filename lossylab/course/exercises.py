"""Self-check feedback shared by every notebook's exercises (the answers live in ``nbNN.py``)."""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = ["Feedback"]


@dataclass(frozen=True)
class Feedback:
    """The verdict of a self-check: ``correct`` and a message (a hint when wrong).

    Examples
    --------
    >>> Feedback(False, "Average the code lengths.")
    ✘ Not yet. Average the code lengths.
    """

    correct: bool
    message: str

    def __str__(self) -> str:
        mark = "✔ Right." if self.correct else "✘ Not yet."
        return f"{mark} {self.message}"

    def _repr_markdown_(self) -> str:
        """Shown as Markdown in a notebook."""
        return str(self)

    def __repr__(self) -> str:
        """The same text as ``str``."""
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
