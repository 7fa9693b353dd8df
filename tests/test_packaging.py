"""The project's frame: one set of packages in pyproject.toml and environment.yml, the layout,
the wheel (the package and its weights, none of the tooling), the tools' command lines, and the
README's two Quickstart commands (which .ci/run executes verbatim)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import zipfile
from importlib import metadata
from pathlib import Path, PurePosixPath

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
    for extra in ("test", "lab"):
        names |= {_name(r) for r in project["optional-dependencies"][extra]}
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


def test_no_jupyter_server_among_the_runtime_dependencies() -> None:
    """`pip install lossylab` on a hub or on Colab must not replace the server around it."""
    project = _pyproject()["project"]
    runtime = {_name(r) for r in project["dependencies"]}
    server = {"jupyterlab", "notebook", "jupyter-server", "jupyterlab-server", "nbclassic",
              "jupyter", "jupyterlab-widgets", "widgetsnbextension"}
    assert not runtime & server, f"server packages in the runtime dependencies: {runtime & server}"
    assert [_name(r) for r in project["optional-dependencies"]["lab"]] == ["jupyterlab"]
    widgets = next(r for r in project["dependencies"] if _name(r) == "ipywidgets")
    assert widgets == "ipywidgets>=7.7.1", "Colab's ipywidgets 7.7.1 must stay admissible"


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
    """3.10 and newer, no upper cap; the classifiers name each version from 3.10 to 3.14."""
    project = _pyproject()["project"]
    assert project["requires-python"] == ">=3.10"
    named = {c.rsplit(" :: ", 1)[1] for c in project["classifiers"]
             if c.startswith("Programming Language :: Python :: 3.")}
    assert named == {f"3.{minor}" for minor in range(10, 15)}


def test_top_level_layout() -> None:
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True)
    if tracked.returncode != 0:
        pytest.skip("not a git checkout")
    top = {p.split("/")[0] for p in tracked.stdout.splitlines()}
    allowed = {"notebooks", "lossylab", "environment.yml", "pyproject.toml", "tests", "README.md",
               ".ci", "binder", ".gitignore", "benchmarks", "tools", "solutions"}
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
    # JupyterLab is the lab extra; the tests need it too (nbclient, PyYAML, the browser tests).
    for cmd in (open_cmd, test_cmd):
        extras = re.search(r'-e "?\.\[([\w,]+)\]', cmd)
        assert extras and "lab" in extras.group(1).split(","), f"install the lab extra: {cmd}"


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


# --------------------------------------------------------------------------------------
# The wheel holds the package and its data, and nothing of the tooling.
# --------------------------------------------------------------------------------------

TOOLING_STEMS = {"bench", "nbtools", "train", "train_ladder"}
NOT_PACKAGED = {"tools", "benchmarks", "tests", "notebooks"}


def _have_build_backend() -> bool:
    """True if this environment's setuptools meets ``[build-system] requires``."""
    from packaging.requirements import Requirement

    for text in _pyproject()["build-system"]["requires"]:
        requirement = Requirement(text)
        try:
            if metadata.version(requirement.name) not in requirement.specifier:
                return False
        except metadata.PackageNotFoundError:
            return False
    return True


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A wheel built from a copy of the working tree (so the build writes nothing here)."""
    source = tmp_path_factory.mktemp("source") / "lossylab"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(
        ".git", "build", "dist", "*.egg-info", "__pycache__", ".venv", "screenshots",
        ".hypothesis", ".pytest_cache", ".ipynb_checkpoints", "*.whl"))
    out = tmp_path_factory.mktemp("wheel")
    command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out),
               str(source)]
    if _have_build_backend():  # no network, no download: the installed setuptools builds it
        command.insert(command.index("--no-deps"), "--no-build-isolation")
    result = subprocess.run(command, capture_output=True, text=True, timeout=300)
    if result.returncode != 0 and "--no-build-isolation" not in command and re.search(
            r"No matching distribution|Could not find a version|Failed to establish",
            result.stderr):
        pytest.skip("cannot build the wheel here: the setuptools of [build-system] is not "
                    "installed and the package index is unreachable")
    assert result.returncode == 0, result.stderr[-3000:]
    (built,) = out.glob("lossylab-*.whl")
    return built


def _wheel_names(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as archive:
        return archive.namelist()


def test_wheel_holds_every_module_of_the_package(wheel: Path) -> None:
    names = set(_wheel_names(wheel))
    modules = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "lossylab").rglob("*.py")
                     if "__pycache__" not in p.parts)
    for required in ("lossylab/__init__.py", "lossylab/course/__init__.py",
                     "lossylab/ui/__init__.py"):
        assert required in modules, f"{required} is not in the working tree"
    missing = [m for m in modules if m not in names]
    assert not missing, f"the wheel lacks {missing}"
    assert any(m.startswith("lossylab/course/nb") for m in modules)
    assert any(m.startswith("lossylab/ui/nb") for m in modules)


def test_wheel_holds_the_pretrained_weights(wheel: Path) -> None:
    names = set(_wheel_names(wheel))
    weights = sorted(p.relative_to(ROOT).as_posix()
                     for p in (ROOT / "lossylab" / "weights").glob("*.npz"))
    assert weights, "no weights in lossylab/weights"
    assert "lossylab/weights/ladder.json" in names
    assert not [w for w in weights if w not in names], "the wheel lacks some weights"


def test_wheel_holds_nothing_of_the_tooling(wheel: Path) -> None:
    names = _wheel_names(wheel)
    top = {PurePosixPath(n).parts[0] for n in names}
    assert top == {"lossylab", "lossylab-0.1.0.dist-info"}, f"unexpected in the wheel: {top}"
    tooling = [n for n in names if PurePosixPath(n).stem in TOOLING_STEMS
               or NOT_PACKAGED & set(PurePosixPath(n).parts)]
    assert not tooling, f"tooling in the wheel: {tooling}"


def test_wheel_imports_its_subpackages(wheel: Path, tmp_path: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(tmp_path)
    code = ("import lossylab, lossylab.course, lossylab.ui, lossylab.neural as n; "
            "print(lossylab.__file__); print(len(n.pretrained_names()))")
    result = subprocess.run([sys.executable, "-I", "-c", f"import sys; sys.path.insert(0, "
                             f"{str(tmp_path)!r}); {code}"], capture_output=True, text=True,
                            cwd=tmp_path, timeout=120)
    assert result.returncode == 0, result.stderr
    where, n_models = result.stdout.splitlines()
    assert Path(where).is_relative_to(tmp_path), f"imported {where}, not the wheel's copy"
    assert int(n_models) == len(list((tmp_path / "lossylab" / "weights").glob("*.npz"))) > 0


# --------------------------------------------------------------------------------------
# The tools keep their command lines, run from the repository root.
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("script", ["benchmarks/bench.py", "tools/nbtools.py",
                                    "tools/train_ladder.py"])
def test_tool_runs_from_the_repository_root(script: str) -> None:
    result = subprocess.run([sys.executable, script, "--help"], cwd=ROOT, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert f"usage: python {script}" in result.stdout


def test_no_tool_is_left_in_the_package() -> None:
    left = [p.name for p in (ROOT / "lossylab").glob("*.py") if p.stem in TOOLING_STEMS]
    assert not left, f"tooling in lossylab/: {left}"


def test_train_ladder_trains_a_small_model_elsewhere(tmp_path: Path) -> None:
    command = [sys.executable, "tools/train_ladder.py", "--sizes", "gru-4", "--steps", "2",
               "--jobs", "1", "--out", str(tmp_path)]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    written = json.loads((tmp_path / "ladder.json").read_text(encoding="utf-8"))
    assert [m["name"] for m in written["models"]] == ["gru-4"]
    assert written["models"][0]["n_steps"] == 2 and (tmp_path / "gru-4.npz").is_file()
    shipped = json.loads((ROOT / "lossylab" / "weights" / "ladder.json").read_text("utf-8"))
    assert written["regenerate"] == shipped["regenerate"] == "python tools/train_ladder.py"


def test_train_ladder_merges_records_in_ladder_order(tmp_path: Path) -> None:
    # was tests/test_neural.py::test_train_script_merges_records_in_ladder_order
    import tooling

    from lossylab import neural

    train = tooling.load("train_ladder")
    names = train.ladder_names()
    train.write_record(tmp_path, {"name": names[-1], "test_bits_per_char": 2.0})
    train.write_record(tmp_path, {"name": names[0], "test_bits_per_char": 3.0})
    train.write_record(tmp_path, {"name": names[-1], "test_bits_per_char": 1.9})  # replaces
    records = json.loads((tmp_path / "ladder.json").read_text(encoding="utf-8"))["models"]
    assert [r["name"] for r in records] == [names[0], names[-1]]
    assert records[-1]["test_bits_per_char"] == 1.9
    assert [spec.name for spec in train.LADDER] == neural.pretrained_names()
