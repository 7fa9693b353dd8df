"""The instructors' model answers run: every ```python block of every solutions/*.md file.

Each file's blocks are executed top to bottom in one namespace (the Agg backend, the repository
root as working directory), so an answer that no longer matches the library fails here.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = sorted((ROOT / "solutions").glob("[0-9]*.md"))
BLOCK = re.compile(r"^```python\n(.*?)^```", re.DOTALL | re.MULTILINE)


def python_blocks(text: str) -> list[str]:
    """The ```python fenced blocks of a markdown text, in order."""
    return BLOCK.findall(text)


def test_python_blocks_are_found() -> None:
    text = "# t\n\n```python\nx = 1\n```\n\nprose\n\n```python\ny = x + 1\n```\n```text\nno\n```\n"
    assert python_blocks(text) == ["x = 1\n", "y = x + 1\n"]


def test_the_index_names_every_notebook_and_every_solutions_file() -> None:
    index = (ROOT / "solutions" / "README.md").read_text(encoding="utf-8")
    notebooks = sorted((ROOT / "notebooks").glob("0[1-9]_*.ipynb"))
    assert all(f"({p.stem}.md)" in index and p.name in index for p in notebooks)
    assert all(f"({p.name})" in index for p in SOLUTIONS), "solutions/README.md must list it"


@pytest.mark.slow
@pytest.mark.parametrize("path", SOLUTIONS, ids=[p.name for p in SOLUTIONS])
def test_solution_code_runs(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("MPLBACKEND", "Agg")
    blocks = python_blocks(path.read_text(encoding="utf-8"))
    namespace: dict[str, object] = {"__name__": f"solutions_{path.stem}"}
    for number, block in enumerate(blocks, start=1):
        try:
            exec(compile(block, f"{path.name} block {number}", "exec"), namespace)  # noqa: S102
        except Exception as err:
            raise AssertionError(f"{path.name}, python block {number} failed: {err!r}") from err
    assert os.getcwd() == str(ROOT)
