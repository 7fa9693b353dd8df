"""Fast in-place widgets: a live figure, number tables, PNG helpers (ipywidgets).

A slider must answer in well under 50 ms: a figure is drawn once and shown as an image; on a
move only the artists that change are redrawn on the cached rest ("blitting",
:class:`LiveFigure`) and re-encoded as a fast PNG. :func:`live` wires controls to one update
function. Left out: ipympl, which needs a browser round trip per frame.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import ipywidgets as widgets
import numpy as np
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

__all__ = ["LiveFigure", "array_png", "live", "number_table", "r_slider"]


def _png(image: np.ndarray) -> bytes:
    """PNG-encode a uint8 array with the fastest zlib level (speed matters more than size)."""
    buffer = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(image)).save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


def array_png(image: np.ndarray) -> bytes:
    """Encode a uint8 image array (H, W) or (H, W, 3) as PNG bytes (else a ValueError).

    Examples
    --------
    >>> array_png(np.zeros((2, 3), np.uint8))[1:4]
    b'PNG'
    """
    if image.dtype != np.uint8 or image.ndim not in (2, 3):
        raise ValueError(f"image must be a uint8 array of shape (H, W) or (H, W, 3), got "
                         f"{image.dtype} {image.shape}; convert with "
                         "np.clip(x, 0, 255).astype(np.uint8)")
    return _png(image)


class LiveFigure:
    """A matplotlib figure shown as an ``ipywidgets.Image`` and refreshed in place.

    ``fig`` is not managed by pyplot (:func:`lossylab.ui.style.new_figure`); ``animated``
    are the artists a move changes: the rest is cached and :meth:`refresh` redraws only them
    (a few ms instead of ~40; ``refresh(full=True)`` after changing anything static). Show
    ``.widget`` (an ``ipywidgets.Image``).

    Examples
    --------
    >>> from lossylab.ui.style import new_figure
    >>> fig, ax = new_figure(figsize=(2, 1))
    >>> (line,) = ax.plot([0, 1], [0, 1])
    >>> live_fig = LiveFigure(fig, animated=[line])
    >>> line.set_ydata([1, 0])
    >>> live_fig.refresh()  # redraws only the line
    >>> bytes(live_fig.widget.value[1:4])
    b'PNG'
    """

    def __init__(self, fig: Figure, *, animated: Sequence[Artist] = ()) -> None:
        self.fig = fig
        self.canvas = FigureCanvasAgg(fig)
        self.animated = list(animated)
        for artist in self.animated:
            artist.set_animated(True)  # skipped by canvas.draw(), drawn by refresh()
        self._background: Any = None
        self.widget = widgets.Image(format="png")
        self.refresh(full=True)

    def refresh(self, *, full: bool = False) -> None:
        """Re-render into the widget after moving artists (``full``: the background too)."""
        if full or self._background is None:
            self.canvas.draw()
            # the layout is fixed after the first full draw so the cached background stays valid
            self.fig.set_layout_engine("none")
            self._background = self.canvas.copy_from_bbox(self.fig.bbox)
        else:
            self.canvas.restore_region(self._background)
        for artist in self.animated:
            (artist.axes or self.fig).draw_artist(artist)
        rgba = np.asarray(self.canvas.buffer_rgba())  # (height, width, 4) uint8
        self.widget.value = _png(rgba[..., :3])


def live(update: Callable[..., Any], controls: Mapping[str, widgets.ValueWidget],
         *views: widgets.Widget, layout: str = "vertical") -> widgets.Box:
    """Wire controls to an update function and lay them out above the views.

    ``update(**values)`` gets each control's value under its key, now and on every change
    (what it prints goes to an output area); ``views`` are what it changes in place, stacked
    or side by side (``layout``, else a ValueError). Returns a Box: controls, views, output.

    Examples
    --------
    >>> import contextlib, io
    >>> seen, slider = [], widgets.IntSlider(value=1)
    >>> with contextlib.redirect_stdout(io.StringIO()):  # outside Jupyter clear_output prints
    ...     box = live(lambda k: seen.append(k), {"k": slider})
    ...     slider.value = 2
    >>> seen
    [1, 2]
    """
    if layout not in ("vertical", "horizontal"):
        raise ValueError(f"layout must be 'vertical' or 'horizontal', got {layout!r}")
    output = widgets.interactive_output(update, dict(controls))
    box = widgets.VBox if layout == "vertical" else widgets.HBox
    return widgets.VBox([widgets.HBox(list(controls.values())), box(list(views)), output])


def number_table(rows: Mapping[str, str]) -> str:
    """Format label/value pairs as a small HTML table for an ``ipywidgets.HTML``.

    Examples
    --------
    >>> number_table({"H": "1.000 bits"}).count("<tr>")
    1
    """
    cells = "".join(f"<tr><td style='padding-right:1em'>{k}</td><td style='text-align:right'>"
                    f"<b>{v}</b></td></tr>" for k, v in rows.items())
    return f"<table style='font-family:monospace'>{cells}</table>"


def r_slider(value: float) -> widgets.FloatLogSlider:
    """A slider for the factor r, from 10**0.1 (about 1.26; r must exceed 1) to 1000, log scale.

    Examples
    --------
    >>> r_slider(10).value
    10.0
    """
    return widgets.FloatLogSlider(value=value, base=10, min=0.1, max=3, step=0.1, description="r")
