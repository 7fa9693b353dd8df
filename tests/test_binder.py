"""Launching the collection where a class runs: Binder, Colab, hubs.

- ``binder/`` names lossylab's runtime dependencies, each pinned exactly, and nothing of the
  server stack that repo2docker's image brings (so its JupyterLab, Notebook and jupyter_server
  stay intact) and no test tool; no pin of it replaces a package of repo2docker's environment
  (``.ci/repo2docker-py3.11.txt``, copied from its lock); postBuild installs lossylab
  non-editable and survives a failed corpus download.
- Every launch badge and link names the release tag of the current version.
- The notebooks' Colab setup cell does nothing outside Colab, and on Colab asks pip to keep
  every installed package; the upload widget reads both FileUpload value formats
  (ipywidgets 7 and 8) and offers Colab's own upload there.
(``.ci/launch`` runs the slow checks: the Binder simulation and the classic-Notebook browser
tests with ipywidgets 7.7.1.)
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import types
from pathlib import Path

import nbformat
import numpy as np
import pytest
import tooling
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
BINDER = ROOT / "binder"
yaml = pytest.importorskip("yaml", reason="PyYAML comes with JupyterLab (jupyter-events)")
tomllib = pytest.importorskip("tomllib", reason="tomllib is in the standard library from 3.11")
nbtools = tooling.load("nbtools")

# The server stack repo2docker's image brings, and the test tools: never in binder/.
SERVER_STACK = {"jupyterlab", "notebook", "jupyter-server", "jupyterlab-server", "nbclassic",
                "jupyter-builder", "jupyterlab-widgets", "widgetsnbextension", "ipykernel",
                "jupyterhub", "jupyter", "notebook-shim", "traitlets", "tornado"}
TEST_TOOLS = {"pytest", "nbval", "hypothesis", "ruff", "playwright"}


def _name(requirement: str) -> str:
    return re.sub(r"[-_.]+", "-", re.split(r"[<>=!~;\[ ]", requirement.strip(), maxsplit=1)[0]
                  ).lower()


def _pins(lines: list[str]) -> dict[str, str]:
    """``name -> requirement`` for requirement lines (comments and blanks skipped)."""
    return {_name(r): r.strip() for r in lines if r.strip() and not r.lstrip().startswith("#")}


def binder_pip() -> dict[str, str]:
    env = yaml.safe_load((BINDER / "environment.yml").read_text(encoding="utf-8"))
    return _pins(next(d["pip"] for d in env["dependencies"] if isinstance(d, dict)))


def base_environment() -> dict[str, str]:
    """repo2docker's Python 3.11 environment: name -> version."""
    lines = (ROOT / ".ci" / "repo2docker-py3.11.txt").read_text(encoding="utf-8").splitlines()
    return {name: r.split("==")[1] for name, r in _pins(lines).items()}


def runtime_dependencies() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return {_name(r) for r in project["dependencies"]}


def test_binder_names_every_runtime_dependency_and_no_server_or_test_tool() -> None:
    pins = binder_pip()
    missing = runtime_dependencies() - set(pins)
    assert not missing, f"binder/environment.yml lacks runtime dependencies {sorted(missing)}"
    assert not set(pins) & SERVER_STACK, f"server stack pinned: {sorted(set(pins) & SERVER_STACK)}"
    assert not set(pins) & TEST_TOOLS, f"test tools in the learner image: {set(pins) & TEST_TOOLS}"


def test_binder_pins_exactly_and_replaces_nothing_of_the_base_image() -> None:
    """Pinned (==) unless the base image has it; a range then, which its version satisfies."""
    from packaging.requirements import Requirement

    base = base_environment()
    assert base["jupyterlab"] == "4.4.9" and base["notebook"] == "7.4.7"
    for name, requirement in binder_pip().items():
        if name in base:
            spec = Requirement(requirement).specifier
            assert "==" not in requirement and base[name] in spec, (
                f"{requirement} would replace the image's {name} {base[name]}")
        else:
            assert re.fullmatch(r"[\w.-]+==[\w.]+", requirement), f"not pinned: {requirement}"


def test_binder_conda_part_only_names_python_and_pip() -> None:
    env = yaml.safe_load((BINDER / "environment.yml").read_text(encoding="utf-8"))
    conda = [d for d in env["dependencies"] if not isinstance(d, dict)]
    assert conda == ["python=3.11", "pip"], conda  # the lock's Python; Binder's env is 3.11


def test_binder_pins_agree_with_the_tested_environment() -> None:
    """The runtime pins of binder/ are the ones environment.yml was tested with."""
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    tested = _pins(next(d["pip"] for d in env["dependencies"] if isinstance(d, dict)))
    for name in runtime_dependencies() - set(base_environment()):
        assert binder_pip()[name] == tested[name], (binder_pip()[name], tested[name])


def test_postbuild_installs_non_editable_and_survives_a_failed_download() -> None:
    script = (BINDER / "postBuild").read_text(encoding="utf-8")
    assert script.startswith("#!/usr/bin/env bash") and "set -euo pipefail" in script
    assert os.access(BINDER / "postBuild", os.X_OK) and os.access(BINDER / "start", os.X_OK)
    install = next(line for line in script.splitlines() if "pip install" in line)
    assert " -e " not in install and "--no-deps" in install and install.endswith(" .")
    assert re.search(r"if ! python -c .*; then\n\s+echo", script), "the fetch must not fail"
    assert not (ROOT / "postBuild").exists(), "repo2docker reads binder/ only: one postBuild"


def test_postbuild_fetch_failure_does_not_fail_the_build(tmp_path: Path) -> None:
    """Run postBuild with a pip and a python that fail to fetch: exit 0, and the message."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    prefix = tmp_path / "prefix"
    fake = bin_dir / "python"
    fake.write_text(f"""#!/usr/bin/env bash
case "$*" in
  *"-m pip install"*) exit 0 ;;
  *"print(sys.prefix)"*) echo {prefix} ;;
  *) echo "ConnectionError: no network" >&2; exit 1 ;;
esac
""")
    fake.chmod(0o755)
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}"}
    result = subprocess.run(["bash", str(BINDER / "postBuild")], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "could not be fetched now" in result.stdout
    assert (prefix / "share" / "lossylab").is_dir()


def test_start_sets_the_data_dir_only_when_the_corpus_is_there(tmp_path: Path) -> None:
    bin_dir, prefix = tmp_path / "bin", tmp_path / "prefix"
    bin_dir.mkdir()
    (bin_dir / "python").write_text(f"#!/usr/bin/env bash\necho {prefix}\n")
    (bin_dir / "python").chmod(0o755)
    env = {k: v for k, v in os.environ.items() if k != "LOSSYLAB_DATA_DIR"}
    env["PATH"] = f"{bin_dir}:{os.environ['PATH']}"

    def shown() -> str:
        command = [str(BINDER / "start"), "bash", "-c", 'echo "${LOSSYLAB_DATA_DIR:-unset}"']
        return subprocess.run(command, env=env, capture_output=True, text=True).stdout.strip()

    assert shown() == "unset"
    (prefix / "share" / "lossylab").mkdir(parents=True)
    (prefix / "share" / "lossylab" / "tinyshakespeare.txt").write_text("x")
    assert shown() == str(prefix / "share" / "lossylab")


# --------------------------------------------------------------------------------------
# Versioned launch links
# --------------------------------------------------------------------------------------

LINK = re.compile(r"mybinder\.org/v2/gh/[\w-]+/[\w-]+/([^?/)\s]+)|colab\.research\.google\.com"
                  r"/github/[\w-]+/[\w-]+/blob/([^/)\s]+)|lossylab@([^\s\"`]+?)[\"`]")


def _refs(text: str) -> list[str]:
    return [next(g for g in m.groups() if g) for m in LINK.finditer(text)]


def test_version_is_one_number_everywhere() -> None:
    import lossylab

    assert nbtools.version() == lossylab.__version__


def test_the_link_pattern_sees_every_kind_of_link() -> None:
    text = nbtools.top_cell_source(1) + nbtools.setup_cell_source()
    assert _refs(text) == [f"v{nbtools.version()}"] * 3
    assert _refs("mybinder.org/v2/gh/a/b/HEAD?urlpath=x") == ["HEAD"]


def test_readme_badges_and_links_name_the_current_version() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    refs = _refs(readme)
    assert len(refs) >= 4, refs  # two badges, two install lines
    assert set(refs) == {f"v{nbtools.version()}"}, f"run python tools/nbtools.py nav: {refs}"


@pytest.mark.parametrize("path", sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")),
                         ids=lambda p: p.name)
def test_notebook_badges_name_the_current_version(path: Path) -> None:
    """Fails until ``python tools/nbtools.py nav`` has rewritten the committed notebooks."""
    cells = nbformat.read(path, as_version=4).cells
    first = cells[0].source
    assert "Open In Colab" in first and "Launch Binder" in first
    assert f"notebooks/{path.name}" in first
    assert set(_refs(first)) == {f"v{nbtools.version()}"}, "run python tools/nbtools.py nav"
    assert cells[1].source == nbtools.setup_cell_source(), "run python tools/nbtools.py nav"
    assert cells[1].metadata.get("tags") == [nbtools.SETUP]


# --------------------------------------------------------------------------------------
# Colab: the setup cell, and the upload widget
# --------------------------------------------------------------------------------------


def test_setup_cell_does_nothing_outside_colab() -> None:
    code = nbtools.setup_cell_source()
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=60)
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_setup_cell_on_colab_keeps_every_installed_package(tmp_path: Path) -> None:
    """With google.colab present, pip gets every installed package as a constraint."""
    calls = tmp_path / "calls.txt"
    stub = f"""
import subprocess, sys, types
sys.modules["google.colab"] = types.ModuleType("google.colab")
def run(args, **kwargs):
    open({str(calls)!r}, "w").write("\\n".join(args))
    return types.SimpleNamespace(returncode=0, stderr="")
subprocess.run = run
"""
    code = stub + nbtools.setup_cell_source()
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "lossylab is installed.\n"
    args = calls.read_text().splitlines()
    assert args[:4] == [sys.executable, "-m", "pip", "install"] and "-U" not in args
    assert args[-1] == f"lossylab @ git+https://github.com/lossylab/lossylab@v{nbtools.version()}"
    keep = Path(args[args.index("-c") + 1]).read_text().splitlines()
    from importlib import metadata

    for name in ("ipywidgets", "numpy", "traitlets", "ipykernel"):
        assert f"{name}=={metadata.version(name)}" in keep


def _png() -> bytes:
    out = io.BytesIO()
    Image.fromarray(np.full((16, 24, 3), 128, np.uint8)).save(out, format="PNG")
    return out.getvalue()


@pytest.mark.parametrize("version", [7, 8])
def test_upload_widget_reads_both_fileupload_formats(version: int) -> None:
    import contextlib

    from lossylab.ui import nb04

    with contextlib.redirect_stdout(io.StringIO()):
        box = nb04.upload_widget(quality=40)
    upload = box.children[0]
    data = _png()
    if version == 7:  # {name: {"metadata": {...}, "content": bytes}}
        value = {"grey.png": {"metadata": {"name": "grey.png", "size": len(data)},
                              "content": data}}
    else:  # ({"name", "type", "size", "content": memoryview, ...},)
        value = ({"name": "grey.png", "type": "image/png", "size": len(data),
                  "content": memoryview(data), "last_modified": 0},)
    with contextlib.redirect_stdout(io.StringIO()):
        upload._notify_trait("value", (), value)  # as a change of either version would
    text = box.children[1].children[1].children[0].value
    assert text.startswith("grey.png: <b>PNG</b> 24x16") and "Quality 40" in text


def test_upload_widget_offers_colabs_own_upload_on_colab(monkeypatch: pytest.MonkeyPatch
                                                         ) -> None:
    import contextlib

    from lossylab.ui import nb04

    colab = types.ModuleType("google.colab")
    colab.files = types.SimpleNamespace(upload=lambda: {"big.png": _png()})
    monkeypatch.setitem(sys.modules, "google.colab", colab)
    with contextlib.redirect_stdout(io.StringIO()):
        box = nb04.upload_widget(quality=40)
        upload, button, _ = box.children[0].children
        button.click()
    assert "large file" in button.description
    assert box.children[1].children[1].children[0].value.startswith("big.png: <b>PNG</b> 24x16")
