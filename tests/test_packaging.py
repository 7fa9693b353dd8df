"""The project's frame: one set of packages in pyproject.toml and environment.yml, the layout,
and the README's two Quickstart commands (which .ci/run executes verbatim)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
tomllib = pytest.importorskip("tomllib", reason="tomllib is in the standard library from 3.11")
yaml = pytest.importorskip("yaml", reason="PyYAML comes with JupyterLab (jupyter-events)")


def _name(requirement: str) -> str:
    """'scikit-image>=0.21' -> 'scikit-image'; 'Pillow' -> 'pillow'."""
    return re.split(r"[<>=!~;\[ ]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def pyproject_packages() -> set[str]:
    project = _pyproject()["project"]
    names = {_name(r) for r in project["dependencies"]}
    names |= {_name(r) for r in project["optional-dependencies"]["test"]}
    return names


def environment_packages() -> set[str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    names: set[str] = set()
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            names |= {_name(r) for r in dep["pip"]}
        else:
            names.add(_name(dep))
    return names - {"python", "pip"}


def test_environment_and_pyproject_name_the_same_packages() -> None:
    py, env = pyproject_packages(), environment_packages()
    assert py == env, (
        f"only in pyproject: {sorted(py - env)}; only in environment.yml: {sorted(env - py)}"
    )


def test_the_required_packages_are_there() -> None:
    required = {"numpy", "matplotlib", "ipywidgets", "pillow", "jupyterlab", "scikit-image",
                "constriction", "pooch", "tqdm", "pytest", "nbval", "hypothesis", "ruff"}
    assert required <= pyproject_packages()


def test_environment_pins_every_package_and_pyproject_pins_none() -> None:
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert all("==" in r for r in pip_section), "environment.yml must pin exact versions"
    project = _pyproject()["project"]
    all_reqs = project["dependencies"] + [r for extra in project["optional-dependencies"].values()
                                          for r in extra]
    assert not [r for r in all_reqs if "==" in r], "pyproject.toml gives lower bounds only"
    widgets_pin = next(r for r in pip_section if r.startswith("ipywidgets=="))
    lab_pin = next(r for r in pip_section if r.startswith("jupyterlab=="))
    assert int(widgets_pin.split("==")[1].split(".")[0]) >= 8
    assert int(lab_pin.split("==")[1].split(".")[0]) >= 4


def test_python_versions() -> None:
    assert _pyproject()["project"]["requires-python"] == ">=3.10,<3.14"


def test_top_level_layout() -> None:
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True)
    if tracked.returncode != 0:
        pytest.skip("not a git checkout")
    top = {p.split("/")[0] for p in tracked.stdout.splitlines()}
    allowed = {"notebooks", "lossylab", "environment.yml", "pyproject.toml", "tests", "README.md",
               ".ci", "postBuild", ".gitignore", "benchmarks"}
    assert top, "git ls-files listed nothing"
    assert top <= allowed, f"clutter at the top: {sorted(top - allowed)}"


def readme_commands() -> tuple[str, str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    found = []
    for marker in ("open-command", "test-command"):
        match = re.search(rf"<!-- {marker} -->\s*```(?:bash|sh)?\n(.+?)\n```", readme, re.S)
        assert match, f"README.md has no ```bash block after <!-- {marker} -->"
        found.append(match.group(1).strip())
    return found[0], found[1]


def test_readme_has_exactly_two_quickstart_commands() -> None:
    open_cmd, test_cmd = readme_commands()
    for cmd in (open_cmd, test_cmd):
        assert "\n" not in cmd, f"a Quickstart command must be one line: {cmd!r}"
        assert "pip install" in cmd
    assert "jupyter lab" in open_cmd and "notebooks/00_index.ipynb" in open_cmd
    assert "pytest" in test_cmd


def test_ci_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "test-command" in ci, ".ci/run must take the test command from the README"
    assert "LOSSYLAB_DATA_DIR" in ci and "ruff check" in ci
    assert re.search(r"python3? -m venv", ci), ".ci/run must create a fresh virtual environment"


def test_readme_lists_every_notebook() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    notebooks = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    assert notebooks, "no notebooks found"
    missing = [p.name for p in notebooks if p.name not in readme]
    assert not missing, f"README.md does not list {missing}"


def test_import_has_no_side_effects() -> None:
    code = ("import matplotlib as mpl; before = dict(mpl.rcParams); import lossylab, sys; "
            "import lossylab.data, lossylab.ui.style, lossylab.ui.live; "
            "assert dict(mpl.rcParams) == before; print('ok')")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout == "ok\n", result.stderr
