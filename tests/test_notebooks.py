"""Structure of the committed notebooks: the course conventions every notebook follows.

nbval (configured in pyproject.toml) re-executes the notebooks and compares the outputs of the
cells marked ``# NBVAL_CHECK_OUTPUT``; these tests check what nbval does not: the notebooks in the
folder match the course's table of contents, their navigation cells are current, and their stored
outputs come from one clean top-to-bottom run with no errors.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
import tooling

nbtools = tooling.load("nbtools")

NOTEBOOKS = sorted(nbtools.notebooks_dir().glob("[0-9][0-9]_*.ipynb"))
IDS = [p.name for p in NOTEBOOKS]


def test_folder_matches_course() -> None:
    assert NOTEBOOKS, "no notebooks found"
    names = [info.filename for info in nbtools.COURSE]
    assert all(p.name in names for p in NOTEBOOKS), "a notebook is missing from COURSE"
    assert names[0] == "00_index.ipynb" and NOTEBOOKS[0].name == "00_index.ipynb"


def _read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_navigation_cells_are_current(path: Path) -> None:
    nb = _read(path)
    position = [i.filename for i in nbtools.COURSE].index(path.name)
    hint = "run python tools/nbtools.py nav"
    assert nb.cells[0].source == nbtools.top_cell_source(position), hint
    assert nb.cells[-1].source == nbtools.bottom_cell_source(position)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_outputs_come_from_one_clean_run(path: Path) -> None:
    code = [c for c in _read(path).cells if c.cell_type == "code"]
    counts = [c.execution_count for c in code]
    assert counts == list(range(1, len(code) + 1)), "re-run with python tools/nbtools.py run"
    for cell in code:
        tags = cell.get("metadata", {}).get("tags", [])
        errors = [o for o in cell.outputs if o.output_type == "error"]
        if "raises-exception" not in tags:
            assert not errors, f"error output in cell {cell.execution_count}: {errors[0].ename}"
        for out in cell.outputs:
            text = out.get("text", "") + str(out.get("data", {}).get("text/plain", ""))
            assert "<PIL." not in text and "<matplotlib." not in text, (
                f"cell {cell.execution_count} shows an object repr; end the line with ';'"
            )


@pytest.mark.parametrize("path", [p for p in NOTEBOOKS if p.name != "00_index.ipynb"],
                         ids=[n for n in IDS if n != "00_index.ipynb"])
def test_teaching_structure(path: Path) -> None:
    nb = _read(path)
    markdown = [c.source for c in nb.cells if c.cell_type == "markdown"]
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    assert len(markdown) >= 0.4 * len(nb.cells), "prose leads: about half the cells are markdown"
    text = "\n".join(markdown)
    for heading in ("## Summary", "## Exercises"):
        assert heading in text, f"missing {heading!r}"
    assert "you will" in text.lower(), "say what the reader will learn"
    checked = [s for s in code if s.lstrip().startswith("# NBVAL_CHECK_OUTPUT")]
    assert checked, "key numbers belong in cells marked # NBVAL_CHECK_OUTPUT"
    sliders = ("ipywidgets", "widgets.", "live(", "_widget(")
    assert any(any(word in s for word in sliders) for s in code), "no slider"
    images = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs
              if "image/png" in o.get("data", {})]
    assert images, "store at least one static figure for readers on GitHub"


def test_navigation_tool_is_idempotent(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("Some prose.")]
    path = tmp_path / "03_jpeg_step_by_step.ipynb"
    nbformat.write(nb, path)
    assert nbtools.update_navigation(path) is True
    first = path.read_text(encoding="utf-8")
    assert nbtools.update_navigation(path) is False
    assert path.read_text(encoding="utf-8") == first
    cells = _read(path).cells
    assert [c.metadata.get("tags") for c in (cells[0], cells[-1])] == [["nav-top"], ["nav-bottom"]]
    assert "02_learning.ipynb" in cells[0].source and "04_jpeg_roundtrips.ipynb" in cells[0].source


def test_unknown_notebook_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "99_unknown.ipynb"
    nbformat.write(nbformat.v4.new_notebook(), path)
    with pytest.raises(ValueError, match=r"not in COURSE \(tools/nbtools.py\)"):
        nbtools.update_navigation(path)


def test_readme_table_is_generated_from_course() -> None:
    readme = nbtools.readme_path().read_text(encoding="utf-8")
    start, end = readme.index(nbtools.TABLE_START), readme.index(nbtools.TABLE_END)
    shown = readme[start + len(nbtools.TABLE_START):end].strip()
    assert shown == nbtools.readme_table(), "run python tools/nbtools.py nav"
    for info in nbtools.COURSE:
        assert f"(notebooks/{info.filename})" in shown


def test_readme_table_rewrite_is_idempotent(tmp_path: Path) -> None:
    path = tmp_path / "README.md"
    path.write_text(f"# x\n\n{nbtools.TABLE_START}\n| old |\n{nbtools.TABLE_END}\n\nafter\n",
                    encoding="utf-8")
    assert nbtools.update_readme(path) is True
    first = path.read_text(encoding="utf-8")
    assert nbtools.update_readme(path) is False
    assert first.endswith(f"{nbtools.TABLE_END}\n\nafter\n") and "| old |" not in first
    assert "p(x'\\|x)" in first  # a | inside a cell is escaped, or it would split the cell
    path.write_text("no markers\n", encoding="utf-8")
    with pytest.raises(ValueError, match="no <!-- notebook-table -->"):
        nbtools.update_readme(path)
