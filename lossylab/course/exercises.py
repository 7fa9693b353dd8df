"""Self-check feedback shared by every notebook's exercises (the answers live in ``nbNN.py``)."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
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

    @staticmethod
    def is_close(answer: object, expected: float, *, rel: float = 1e-3,
                 abs_: float = 1e-6) -> bool:
        """True when ``answer`` is a finite number within tolerance of ``expected``.

        Examples
        --------
        >>> Feedback.is_close("1.8751", 1.875), Feedback.is_close(None, 1.875)
        (True, False)
        """
        try:
            value = float(answer)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return False
        return math.isfinite(value) and math.isclose(value, expected, rel_tol=rel, abs_tol=abs_)

    @classmethod
    def number(cls, answer: object, expected: float, *, right: str, hint: str,
               rel: float = 1e-3) -> Feedback:
        """Right (with ``right``) when ``answer`` is close to ``expected``, else ``hint``.

        Examples
        --------
        >>> Feedback.number(2.0, 2.0, right="Yes: 2 bits.", hint="Count the outcomes.")
        ✔ Right. Yes: 2 bits.
        """
        return cls(True, right) if cls.is_close(answer, expected, rel=rel) else cls(False, hint)

    @classmethod
    def dispatch(cls, checks: Mapping[str, Callable[..., Feedback]], exercise: str,
                 *answer: object, **named: object) -> Feedback:
        """Run the self-check called ``exercise`` (a key of ``checks``) on the answer.

        Each notebook's ``check(exercise, ...)`` is this, with the notebook's own checks.

        Examples
        --------
        >>> checks = {"double": lambda x: Feedback(x == 4, "2 + 2.")}
        >>> Feedback.dispatch(checks, "double", 4)
        ✔ Right. 2 + 2.
        >>> Feedback.dispatch(checks, "triple", 4)
        ✘ Not yet. There is no exercise 'triple' here; the exercises are: 'double'.
        """
        if exercise not in checks:
            names = ", ".join(repr(name) for name in checks)
            return cls(False, f"There is no exercise {exercise!r} here; the exercises are: "
                              f"{names}.")
        return checks[exercise](*answer, **named)
