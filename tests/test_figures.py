"""Every figure stored in a notebook is sharp enough to read: at least 110 dots per inch.

The course style (``lossylab.ui.style.use_style``) draws figures at 100 dpi and stores them
as retina PNGs at 200 dpi; matplotlib writes the dpi into each PNG's pHYs chunk, which is
what this reads. A notebook stored before the style changed fails until it is re-executed
(``python tools/nbtools.py run``).
"""

from __future__ import annotations

import base64
import io
import struct
from pathlib import Path

import matplotlib
import nbformat
import pytest

matplotlib.use("Agg")

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("[0-9]*.ipynb"))
MIN_DPI = 110


def png_dpi(png: bytes) -> float:
    """Horizontal dots per inch from a PNG's pHYs chunk (0 when it has none)."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos = 8
    while pos + 8 <= len(png):
        length, kind = struct.unpack(">I4s", png[pos : pos + 8])
        if kind == b"pHYs":
            per_unit, _, unit = struct.unpack(">IIB", png[pos + 8 : pos + 17])
            return per_unit * 0.0254 if unit == 1 else 0.0  # unit 1: pixels per metre
        if kind == b"IDAT":
            return 0.0  # pHYs must come before the image data
        pos += 12 + length
    return 0.0


def stored_figures(path: Path) -> list[tuple[int, float]]:
    """(cell index, dpi) of every PNG output of a notebook."""
    nb = nbformat.read(path, as_version=4)
    return [(i, png_dpi(base64.b64decode(output["data"]["image/png"])))
            for i, cell in enumerate(nb.cells) if cell.cell_type == "code"
            for output in cell.outputs if "image/png" in output.get("data", {})]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_every_stored_figure_has_at_least_110_dpi(path: Path) -> None:
    blurry = [(cell, round(dpi)) for cell, dpi in stored_figures(path) if dpi < MIN_DPI]
    assert not blurry, f"figures below {MIN_DPI} dpi (cell, dpi): {blurry}; re-execute the notebook"


@pytest.mark.parametrize("dpi, sharp", [(80, False), (109, False), (110, True), (200, True)])
def test_png_dpi_reads_what_matplotlib_stored(dpi: int, sharp: bool) -> None:
    from matplotlib.figure import Figure

    buffer = io.BytesIO()
    Figure(figsize=(2, 1)).savefig(buffer, format="png", dpi=dpi)
    assert png_dpi(buffer.getvalue()) == pytest.approx(dpi, abs=0.1)
    assert (png_dpi(buffer.getvalue()) >= MIN_DPI) is sharp


def test_the_course_style_stores_retina_figures_in_a_kernel() -> None:
    from IPython.core.interactiveshell import InteractiveShell
    from matplotlib.figure import Figure

    from lossylab.ui.style import use_style

    shell = InteractiveShell.instance()
    with matplotlib.rc_context():
        use_style()
        fig = Figure(figsize=(2, 1), dpi=matplotlib.rcParams["figure.dpi"])
        fig.subplots().plot([0, 1])
        data, _ = shell.display_formatter.format(fig)
    png = data["image/png"]
    png = png if isinstance(png, bytes) else base64.b64decode(png)
    assert png_dpi(png) >= MIN_DPI
