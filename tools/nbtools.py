"""The course's table of contents: navigation cells, the README's table, one command to re-run.

Every notebook begins with a generated cell (title, previous · index · next, Binder and
Colab links naming the release tag ``v<version>`` of pyproject.toml), then a generated setup
cell that does nothing except on Google Colab, and ends with one (navigation to the next
notebook); all three are tagged so this tool can rewrite them idempotently. The README's
table of notebooks is generated from the same :data:`COURSE`, between the
``<!-- notebook-table -->`` markers, and so are its launch badges (between
``<!-- launch-badges -->``). Committed outputs must come from one clean top-to-bottom run,
made by::

    python tools/nbtools.py run            # every notebook, in place
    python tools/nbtools.py run 04 05      # only these (by number or file name)
    python tools/nbtools.py nav            # only rewrite the navigation cells and the README table

Run it from the repository root, with ``LOSSYLAB_DATA_DIR`` set if you are offline.
This is maintainers' tooling: it lives beside the package, not in the wheel.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

REPOSITORY = "lossylab/lossylab"  # GitHub owner/name used by the launch links
NAV_TOP = "nav-top"
NAV_BOTTOM = "nav-bottom"
SETUP = "colab-setup"
BADGES_START = "<!-- launch-badges -->"
BADGES_END = "<!-- /launch-badges -->"
TABLE_START = "<!-- notebook-table -->"
TABLE_END = "<!-- /notebook-table -->"


@dataclass(frozen=True)
class NotebookInfo:
    """One notebook of the course: its file, title, what it teaches, and its sliders."""

    filename: str
    title: str
    learn: str
    sliders: str


COURSE: tuple[NotebookInfo, ...] = (
    NotebookInfo(
        "00_index.ipynb",
        "Lossy compression of a distribution: the map of the course",
        "The idea of the course, the order of the notebooks, and how to use the widgets.",
        "a warm-up quantizer",
    ),
    NotebookInfo(
        "01_distributions.ipynb",
        "A compressor maps p_true to p_compressed",
        "Channels p(x'|x) as matrices; why a many-to-one map lowers entropy; KL both ways; "
        "mode collapse and hallucination mass; describing a distribution vs one instance.",
        "quantizer levels, noise, factor r",
    ),
    NotebookInfo(
        "02_learning.ipynb",
        "Learning is lossy compression",
        "Maximum-likelihood mixtures fitted by EM; train vs held-out bits; the four faces "
        "measured exactly against p_true's own split; the two-part (MDL) code.",
        "data size N, model size K, factor r",
    ),
    NotebookInfo(
        "03_jpeg_step_by_step.ipynb",
        "JPEG, step by step",
        "The three lossy steps measured (colour rounding, chroma subsampling, quantization); the "
        "8x8 DCT and zig-zag; editing a real file's bytes and decoding it with numpy.",
        "quality, block picker, file edits",
    ),
    NotebookInfo(
        "04_jpeg_roundtrips.ipynb",
        "Real JPEG round trips, and JPEG as a map between distributions",
        "Bits per pixel vs PSNR/SSIM under a Gaussian model's R(D); 4:4:4 vs 4:2:0; generation "
        "loss; many-to-one collapse of 8x8 blocks, textures starved, blocking invented; uploads.",
        "quality, photograph, subsampling, generations",
    ),
    NotebookInfo(
        "05_tiny_lm.ipynb",
        "A tiny language model",
        "n-gram and GRU character models; train vs held-out bits/char; memorization, "
        "generalization, hallucination and mode collapse, exactly on a synthetic language.",
        "model size, temperature, data size",
    ),
    NotebookInfo(
        "06_lm_compressor.ipynb",
        "The language model as a real compressor",
        "Arithmetic coding made visible; Shakespeare against gzip, bz2, xz and PPMd; mixing "
        "models and learning while coding; the prequential code; quantized weights.",
        "model size, bits per weight, your text",
    ),
    NotebookInfo(
        "07_side_by_side.ipynb",
        "JPEG and language models side by side",
        "Rate and distortion on one footing; the course's argument checked against its own "
        "measurements; where the analogy breaks; open questions.",
        "JPEG quality, model size",
    ),
)


def notebooks_dir() -> Path:
    """The ``notebooks/`` folder of the repository this file is in (or of the cwd)."""
    here = Path(__file__).resolve().parent.parent / "notebooks"
    return here if here.is_dir() else Path.cwd() / "notebooks"


def readme_path() -> Path:
    """The ``README.md`` beside :func:`notebooks_dir`."""
    return notebooks_dir().parent / "README.md"


def _link(info: NotebookInfo) -> str:
    number = info.filename[:2]
    return f"[{number} · {info.title}]({info.filename})"


def nav_line(position: int) -> str:
    """Markdown ``previous · index · next`` line for the notebook at ``position`` in COURSE."""
    parts = []
    if position > 0:
        parts.append(f"← {_link(COURSE[position - 1])}")
    if position != 0:
        parts.append("[Index](00_index.ipynb)")
    if position + 1 < len(COURSE):
        parts.append(f"{_link(COURSE[position + 1])} →")
    return " · ".join(parts)


def version() -> str:
    """The package version, read from pyproject.toml (the release tag is ``v`` + it)."""
    text = (notebooks_dir().parent / "pyproject.toml").read_text(encoding="utf-8")
    found = re.search(r'^version = "([^"]+)"', text, re.M)
    if not found:
        raise ValueError("pyproject.toml has no version = \"...\" line")
    return found.group(1)


def launch_badges(filename: str = "00_index.ipynb", *, folder: str = "notebooks") -> str:
    """Markdown badges opening ``filename`` at the release tag, on Binder and on Colab."""
    tag = f"v{version()}"
    binder = f"https://mybinder.org/v2/gh/{REPOSITORY}/{tag}?urlpath=lab/tree/{folder}/{filename}"
    colab = f"https://colab.research.google.com/github/{REPOSITORY}/blob/{tag}/{folder}/{filename}"
    return (f"[![Launch Binder](https://mybinder.org/badge_logo.svg)]({binder}) "
            f"[![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)]({colab})")


def top_cell_source(position: int) -> str:
    """Source of the generated first cell: navigation, launch badges, title."""
    info = COURSE[position]
    number = info.filename[:2]
    return f"{nav_line(position)}  {launch_badges(info.filename)}\n\n# {number} · {info.title}"


def setup_cell_source(requirement: str | None = None) -> str:
    """Source of the generated setup cell: on Colab only, install lossylab at the release tag.

    Every package already installed is passed to pip as a constraint, so Colab's Jupyter,
    ipywidgets, numpy, ... stay as they are and only what lossylab lacks is added.
    ``requirement`` replaces the git address (tests install from a local folder).
    """
    if requirement is None:
        requirement = f"lossylab @ git+https://github.com/{REPOSITORY}@v{version()}"
    return f"""# On Google Colab only (elsewhere this cell does nothing): install lossylab
# {version()} and what it lacks, keeping every package Colab has (Jupyter, ipywidgets, ...).
import sys

if "google.colab" in sys.modules:
    import subprocess
    from importlib import metadata

    keep = {{d.metadata["Name"].lower(): d.version for d in metadata.distributions()
            if d.metadata["Name"]}}
    with open("/tmp/colab-keep.txt", "w") as file:
        file.write("\\n".join(f"{{name}}=={{v}}" for name, v in sorted(keep.items())))
    lossylab = "{requirement}"
    pip = [sys.executable, "-m", "pip", "install", "-q", "-c", "/tmp/colab-keep.txt", lossylab]
    done = subprocess.run(pip, capture_output=True, text=True)
    print(done.stderr[-3000:] if done.returncode else "lossylab is installed.")"""


def bottom_cell_source(position: int) -> str:
    """Source of the generated last cell: where to go next."""
    if position + 1 < len(COURSE):
        follow = f"**Next:** {_link(COURSE[position + 1])}"
    else:
        follow = "**This is the last notebook.** Back to the [Index](00_index.ipynb)."
    return f"---\n{follow}\n\n{nav_line(position)}"


def _position(path: Path) -> int:
    for i, info in enumerate(COURSE):
        if info.filename == path.name:
            return i
    raise ValueError(f"{path.name} is not in COURSE (tools/nbtools.py); add it there first")


def _tagged(nb: object, tag: str) -> list:
    """The cells of ``nb`` carrying ``tag``."""
    return [c for c in nb.cells if tag in c.get("metadata", {}).get("tags", [])]


def update_navigation(path: Path) -> bool:
    """Insert or rewrite the tagged generated cells of one notebook; True if it changed."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    position = _position(path)
    changed = False
    for tag, source, index in (
        (NAV_TOP, top_cell_source(position), 0),
        (SETUP, setup_cell_source(), 1),
        (NAV_BOTTOM, bottom_cell_source(position), -1),  # -1: append
    ):
        cells = _tagged(nb, tag)
        if cells:
            if cells[0].source != source:
                cells[0].source = source
                changed = True
            continue
        if tag == SETUP:
            cell = nbformat.v4.new_code_cell(source, metadata={"tags": [tag]})
        else:
            cell = nbformat.v4.new_markdown_cell(source, metadata={"tags": [tag]})
        nb.cells.insert(len(nb.cells) if index < 0 else index, cell)
        changed = True
    if changed:
        nbformat.write(nb, path)
    return changed


def readme_table() -> str:
    """The README's markdown table of the notebooks, generated from :data:`COURSE`."""

    def cell(text: str) -> str:
        return text.replace("|", "\\|")

    rows = [f"| [{info.filename[:2]} · {cell(info.title)}](notebooks/{info.filename}) | "
            f"{cell(info.learn)} | {cell(info.sliders)} |" for info in COURSE]
    return "\n".join(["| notebook | what you learn | sliders |", "|---|---|---|", *rows])


def update_readme(path: Path | None = None) -> bool:
    """Rewrite the README's notebook table and its launch badges, if it has their markers.

    Returns True if the file changed; ValueError if it has no notebook-table markers.
    """
    path = readme_path() if path is None else path
    text = new = path.read_text(encoding="utf-8")
    for start, end, body in ((TABLE_START, TABLE_END, readme_table()),
                             (BADGES_START, BADGES_END, launch_badges())):
        pattern = re.compile(re.escape(start) + r"\n.*?" + re.escape(end), re.S)
        if not pattern.search(new):
            if start == BADGES_START:
                continue
            raise ValueError(f"{path} has no {start} ... {end} block")
        new = pattern.sub(lambda _, s=start, e=end, b=body: f"{s}\n{b}\n{e}", new, count=1)
    if new == text:
        return False
    path.write_text(new, encoding="utf-8")
    return True


def execute_notebook(path: Path, *, timeout: int = 600) -> float:
    """Execute a notebook top to bottom in a fresh kernel and save it in place.

    Returns the wall time in seconds. Widget state is stored in the notebook so the
    widgets' last view can be shown by renderers that support it.
    """
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
        store_widget_state=True,
    )
    start = time.perf_counter()
    client.execute()
    elapsed = time.perf_counter() - start
    nbformat.write(nb, path)
    return elapsed


def select(names: Sequence[str]) -> list[Path]:
    """Notebook paths for names given as numbers (``"04"``) or file names; all if empty."""
    folder = notebooks_dir()
    paths = sorted(folder.glob("[0-9][0-9]_*.ipynb"))
    if not names:
        return paths
    chosen = [p for p in paths if any(p.name.startswith(n) or p.name == n for n in names)]
    if not chosen:
        raise SystemExit(f"no notebook in {folder} matches {list(names)}")
    return chosen


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python tools/nbtools.py", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["run", "nav"])
    parser.add_argument("names", nargs="*", help="notebook numbers or file names (default: all)")
    args = parser.parse_args(argv)
    for path in select(args.names):
        update_navigation(path)
        if args.command == "run":
            print(f"executing {path.name} ...", end=" ", flush=True)
            print(f"{execute_notebook(path):.1f} s", flush=True)
    if update_readme():
        print(f"rewrote the notebook table of {readme_path()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
