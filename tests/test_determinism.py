"""Executing a notebook twice gives identical text outputs.

The committed outputs come from one clean run (``python tools/nbtools.py run``); this test
executes each notebook once more in a fresh kernel and compares, cell by cell, every text
output: streams (stdout, stderr) and the ``text/plain`` of results and displays, after the
nbval sanitizers of ``tests/sanitize.cfg``. Images are not compared (only text). nbval checks
the marked key numbers on every run; this checks everything else a learner reads.

It costs one full execution of every notebook (see the README for the time), so it runs only
when selected: ``python -m pytest -m slow tests/test_determinism.py``.
"""

from __future__ import annotations

import copy
import difflib
import re
from pathlib import Path

import nbformat
import pytest
import tooling

nbtools = tooling.load("nbtools")

pytestmark = pytest.mark.slow

NOTEBOOKS = sorted(nbtools.notebooks_dir().glob("*.ipynb"))
SANITIZE_CFG = Path(__file__).parent / "sanitize.cfg"


@pytest.fixture
def only_when_selected(request: pytest.FixtureRequest) -> None:
    if "slow" not in (request.config.getoption("markexpr") or ""):
        pytest.skip("executes every notebook again (minutes); run with "
                    "python -m pytest -m slow tests/test_determinism.py")


def sanitizers(path: Path = SANITIZE_CFG) -> list[tuple[re.Pattern[str], str]]:
    """The (regex, replacement) pairs of an nbval sanitize file, read by nbval's own parser."""
    from nbval.plugin import get_sanitize_patterns

    pairs = get_sanitize_patterns(path.read_text(encoding="utf-8"))
    return [(re.compile(regex), replace) for regex, replace in pairs]


def sanitize(text: str, rules: list[tuple[re.Pattern[str], str]]) -> str:
    for regex, replacement in rules:
        text = regex.sub(replacement, text)
    return text


def _as_terminal(text: str) -> str:
    """What a terminal shows: on each line, a carriage return overwrites what came before."""
    return "\n".join(line.rsplit("\r", 1)[-1] for line in text.split("\n"))


def text_outputs(cell: nbformat.NotebookNode,
                 rules: list[tuple[re.Pattern[str], str]]) -> list[str]:
    """The text a code cell shows, one string per output (consecutive streams merged)."""
    shown: list[str] = []
    last_stream = None
    for out in cell.get("outputs", []):
        if out.output_type == "stream":
            if last_stream == out.name:
                shown[-1] += out.text
            else:
                shown.append(f"[{out.name}] {out.text}")
            last_stream = out.name
            continue
        last_stream = None
        if out.output_type in ("execute_result", "display_data"):
            plain = out.get("data", {}).get("text/plain")
            if plain is not None:
                shown.append(f"[{out.output_type}] {plain}")
        elif out.output_type == "error":
            shown.append(f"[error] {out.ename}: {out.evalue}")
    return [sanitize(_as_terminal(text), rules) for text in shown]


def execute_copy(path: Path) -> nbformat.NotebookNode:
    """Execute a notebook like ``nbtools run`` does, in memory (the file is not written)."""
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(copy.deepcopy(nb), timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    return client.execute()


def test_notebooks_were_found() -> None:
    assert NOTEBOOKS, f"no notebooks in {nbtools.notebooks_dir()}"


def test_sanitizers_apply() -> None:
    rules = sanitizers()
    assert rules, "tests/sanitize.cfg has no rules"
    assert sanitize("<Figure at 0x7f3a2b>", rules) == "<Figure at 0xADDRESS>"


def test_terminal_view_of_progress_bars() -> None:
    assert _as_terminal(" 10%|#  |\r100%|###|\ndone") == "100%|###|\ndone"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_second_run_shows_the_same_text(path: Path, only_when_selected: None) -> None:
    rules = sanitizers()
    committed = nbformat.read(path, as_version=4)
    fresh = execute_copy(path)
    code = [(i, c) for i, c in enumerate(committed.cells) if c.cell_type == "code"]
    again = [c for c in fresh.cells if c.cell_type == "code"]
    assert len(code) == len(again)
    for (index, before), after in zip(code, again, strict=True):
        old, new = text_outputs(before, rules), text_outputs(after, rules)
        if old != new:
            diff = "\n".join(difflib.unified_diff("\n".join(old).splitlines(),
                                                  "\n".join(new).splitlines(),
                                                  "committed", "second run", lineterm=""))
            pytest.fail(f"{path.name}, cell {index} ({before.source.splitlines()[0][:60]!r}) "
                        f"shows different text on a second run:\n{diff[:3000]}")
