"""Notebook 03's figures and widgets: one 8x8 block through quantization; edit a real file."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import ipywidgets as widgets
import numpy as np
from matplotlib import colormaps
from matplotlib.artist import Artist
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from lossylab import jpeg, jpeg_decode
from lossylab.course import nb03 as course
from lossylab.ui.live import LiveFigure, array_png, live, number_table
from lossylab.ui.style import CMAP_ERROR, CMAP_VALUES, DPI, OKABE_ITO, Drawn

__all__ = ["block_picker_widget", "draw_block_picker", "file_edit_widget"]

_GREY: Mapping[str, Any] = dict(cmap="gray", vmin=0, vmax=255, interpolation="nearest")


def draw_block_picker(luma: np.ndarray, *, row: int, col: int, quantized: np.ndarray,
                      decoded: np.ndarray, figsize: tuple[float, float] = (8.4, 3.7),
                      dpi: float = DPI) -> Drawn:
    """Build a figure following one 8x8 luma block: where it is, its coefficients, its decode.

    ``luma``: the whole image's samples (0-255); ``row``, ``col``: the block, in blocks;
    ``quantized``, ``decoded``: its quantized coefficients (natural order) and its decode, (8, 8).
    Returns a :class:`Drawn` (show ``drawn.fig``): the image, the block, ``log10(1 + |q|)``, the
    decoded block and the 63 AC coefficients in zig-zag order (symmetric log axis).

    Examples
    --------
    >>> zero = np.zeros((8, 8))
    >>> drawn = draw_block_picker(np.zeros((16, 16)), row=1, col=0, quantized=zero, decoded=zero)
    >>> drawn.artists["box"].get_xy()
    (0, 8)
    """
    fig = Figure(figsize=figsize, dpi=dpi, layout="constrained")
    axd = fig.subplot_mosaic([["img", "orig", "coef", "rec"], ["zz", "zz", "zz", "zz"]],
                             height_ratios=[1.3, 1.0])
    axd["img"].imshow(luma, cmap="gray", vmin=0, vmax=255)
    box = Rectangle((0, 0), 8, 8, fill=False, lw=1.5, ec=OKABE_ITO["yellow"])  # no role
    artists: dict[str, Artist] = {
        "box": axd["img"].add_patch(box),
        "orig": axd["orig"].imshow(np.zeros((8, 8)), **_GREY),
        "coef": axd["coef"].imshow(np.zeros((8, 8)), cmap=CMAP_VALUES, vmin=0, vmax=2.5,
                                   interpolation="nearest"),
        "rec": axd["rec"].imshow(np.zeros((8, 8)), **_GREY),
        "zz": axd["zz"].plot(np.arange(1, 64), np.zeros(63), marker="o", ms=3,
                             color="black")[0],
    }
    for key, title in [("img", "luma: where"), ("orig", "block"), ("coef", "log10(1+|q|)"),
                       ("rec", "decoded block")]:
        axd[key].set(title=title, xticks=[], yticks=[])
    axd["zz"].set(xlabel="zig-zag position k", ylabel="quantized value", yscale="symlog",
                  ylim=(-200, 200), xlim=(0, 64))
    drawn = Drawn(fig, axd, artists)
    _update_block_picker(drawn, luma, row=row, col=col, quantized=quantized, decoded=decoded)
    return drawn


def _update_block_picker(drawn: Drawn, luma: np.ndarray, *, row: int, col: int,
                         quantized: np.ndarray, decoded: np.ndarray) -> None:
    """Move the artists of :func:`draw_block_picker` to another block or quality (in place)."""
    n_rows, n_cols = luma.shape[0] // 8, luma.shape[1] // 8
    if not (0 <= row < n_rows and 0 <= col < n_cols):
        raise ValueError(f"row, col must be in [0, {n_rows}) x [0, {n_cols}) for this image, "
                         f"got ({row}, {col})")
    drawn.artists["box"].set_xy((8 * col, 8 * row))
    drawn.artists["orig"].set_data(luma[8 * row : 8 * row + 8, 8 * col : 8 * col + 8])
    drawn.artists["coef"].set_data(np.log10(1 + np.abs(quantized)))
    drawn.artists["rec"].set_data(decoded)
    drawn.artists["zz"].set_ydata(np.asarray(quantized).reshape(64)[jpeg.ZIGZAG][1:])


def _block_at(dct_blocks: np.ndarray, quality: int, row: int, col: int
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One block quantized at ``quality``: (quantization table, quantized, decoded), all 8x8."""
    table = jpeg.quant_tables(quality).luma
    quantized = jpeg.quantize(dct_blocks[row, col], table)
    decoded = jpeg.unlevel_shift(jpeg.idct2(jpeg.dequantize(quantized, table)))
    return table, quantized, decoded


def block_picker_widget(luma: np.ndarray, dct_blocks: np.ndarray, *, quality: int, row: int,
                        col: int, zero_fraction: Sequence[float], lossy: Any = None
                        ) -> widgets.Box:
    """Live :func:`draw_block_picker`, with quality, row and column sliders.

    ``luma`` (8 n_rows, 8 n_cols) and the DCT of its level-shifted blocks ``dct_blocks``
    (n_rows, n_cols, 8, 8), else a ValueError; ``quality``, ``row``, ``col``: initial values;
    ``zero_fraction``: the image's fraction of zero luma coefficients at qualities 1 to 100;
    ``lossy`` (optional): :func:`lossylab.course.nb03.lossy_steps` of the image, to split its
    squared error into the three lossy steps. Shows the sliders, the figure and a table.

    Examples
    --------
    >>> import contextlib, io
    >>> with contextlib.redirect_stdout(io.StringIO()):  # outside Jupyter clear_output prints
    ...     box = block_picker_widget(np.zeros((8, 16)), np.zeros((1, 2, 8, 8)), quality=50,
    ...                               row=0, col=1, zero_fraction=[1.0] * 100)
    >>> [slider.description for slider in box.children[0].children]
    ['quality', 'block row', 'block col']
    """
    n_rows, n_cols = dct_blocks.shape[:2]
    if dct_blocks.shape[2:] != (8, 8) or luma.shape != (8 * n_rows, 8 * n_cols):
        raise ValueError(f"dct_blocks must have shape (H/8, W/8, 8, 8) for luma of shape "
                         f"(H, W), got {dct_blocks.shape} and {luma.shape}")
    if len(zero_fraction) != 100:
        raise ValueError(f"zero_fraction must have 100 entries (qualities 1..100), "
                         f"got {len(zero_fraction)}")
    _, quantized, decoded = _block_at(dct_blocks, quality, row, col)
    drawn = draw_block_picker(luma, row=row, col=col, quantized=quantized, decoded=decoded)
    live_fig = LiveFigure(drawn.fig, animated=drawn.animated)
    table = widgets.HTML()

    def update(quality: int, row: int, col: int) -> None:
        steps, quantized, decoded = _block_at(dct_blocks, quality, row, col)
        _update_block_picker(drawn, luma, row=row, col=col, quantized=quantized, decoded=decoded)
        table.value = number_table({
            "non-zero in this block": f"{np.count_nonzero(quantized)} / 64",
            "DC step, largest step": f"{steps[0, 0]}, {steps.max()}",
            "zero luma coefficients (image)": f"{zero_fraction[quality - 1]:.1%}",
            **({} if lossy is None else {
                "image MSE: colour, 4:2:0, quantization":
                    ", ".join(f"{x:.2f}" for x in lossy.shares(quality))})})
        live_fig.refresh()

    controls = {"quality": widgets.IntSlider(value=quality, min=1, max=100, description="quality"),
                "row": widgets.IntSlider(value=row, min=0, max=n_rows - 1, description="block row"),
                "col": widgets.IntSlider(value=col, min=0, max=n_cols - 1, description="block col")}
    return live(update, controls, live_fig.widget, table)


def _as_rgb(pixels: np.ndarray, zoom: int = 2) -> np.ndarray:
    """A picture as RGB (greyscale repeated), each pixel a ``zoom`` x ``zoom`` square."""
    rgb = np.stack([pixels] * 3, axis=-1) if pixels.ndim == 2 else pixels
    return np.repeat(np.repeat(rgb, zoom, axis=0), zoom, axis=1)


def file_edit_widget(data: bytes) -> widgets.Box:
    """Edit a JPEG file (a DQT entry, a zig-zag position, a scan bit) and see what decodes.

    ``data``: a baseline JPEG small enough to decode on every move (160 x 160: about 20 ms).
    Shows the decoded picture, its difference from the unedited one (``CMAP_ERROR``, 0 to 64
    grey levels) and what the decoder reported (:func:`lossylab.course.nb03.edit_file`); a
    refused file leaves the picture grey.

    Examples
    --------
    >>> import contextlib, io
    >>> from lossylab.images import roundtrip
    >>> data = roundtrip(np.zeros((16, 16, 3), np.uint8), 50).data
    >>> with contextlib.redirect_stdout(io.StringIO()):  # outside Jupyter clear_output prints
    ...     box = file_edit_widget(data)
    >>> box.children[0].children[0].options
    ('DQT entry', 'zero a position', 'flip a scan bit')
    """
    unedited = course.edit_file(data)
    original, n_bits = unedited.decoded, unedited.n_scan_bits
    assert original is not None  # the unedited file decodes, or edit_file raised
    shown = _as_rgb(original, 1).astype(np.int16)
    palette = (colormaps[CMAP_ERROR](np.minimum(np.arange(256) / 64, 1))[:, :3] * 255)
    palette = palette.astype(np.uint8)  # |difference| 0..255 -> RGB, saturating at 64
    views = [widgets.Image(format="png", width=320, height=320) for _ in range(2)]
    report = widgets.HTML()

    def update(kind: str, table: int, k: int, value: int, bit: int) -> None:
        edit = course.edit_file(data, **({"DQT entry": {"dqt": (table, k, value)},
                                          "zero a position": {"zero_position": k},
                                          "flip a scan bit": {"flip_bit": bit}}[kind]))
        picture = np.full(shown.shape, 128, np.uint8) if edit.decoded is None else edit.decoded
        error = np.abs(_as_rgb(picture, 1) - shown).max(axis=-1) * (edit.decoded is not None)
        views[0].value = array_png(_as_rgb(picture))
        views[1].value = array_png(_as_rgb(palette[np.minimum(error, 255)]))
        report.value = f"<b>{kind}</b>: {edit.message}"

    slow = {"continuous_update": False}
    controls = {
        "kind": widgets.ToggleButtons(options=("DQT entry", "zero a position", "flip a scan bit"),
                                      description="edit"),
        "table": widgets.Dropdown(options=(("luma", 0), ("chroma", 1)), description="DQT table"),
        "k": widgets.IntSlider(value=0, min=0, max=63, description="zig-zag k", **slow),
        "value": widgets.IntSlider(value=int(jpeg_decode.decode_coefficients(data).components[0]
                                             .quant_table[0, 0]),  # the file's own: no edit yet
                                   min=0, max=255, description="new step", **slow),
        "bit": widgets.IntSlider(value=n_bits // 2, min=0, max=n_bits - 1, description="scan bit",
                                 **slow)}
    titles = ("decoded", "difference from the unedited file (dark: none; yellow: 64 or more)")
    box = live(update, controls, widgets.HBox([widgets.VBox([widgets.HTML(t), v])
                                               for t, v in zip(titles, views, strict=True)]),
               report)
    box.children = (widgets.VBox([controls["kind"], widgets.HBox(
        [controls["table"], controls["k"], controls["value"], controls["bit"]])]),
        *box.children[1:])
    return box
