"""Notebook 04's figures and widgets: round trips of the photographs, generation loss, uploads."""

from __future__ import annotations

import io
import sys
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

import ipywidgets as widgets
import numpy as np
from matplotlib import colormaps
from matplotlib.axes import Axes
from PIL import Image

from lossylab import images, jpeg
from lossylab.course import common
from lossylab.course import nb04 as course
from lossylab.images import RateDistortion
from lossylab.ui import style
from lossylab.ui.live import LiveFigure, array_png, live, number_table
from lossylab.ui.style import Drawn, _axes, _figure

__all__ = ["describe_upload", "generation_widget", "roundtrip_widget", "upload_widget"]

# --- where one round trip lands among the photographs' curves --------------------------------

def _draw_jpeg_rate_psnr(curves: Mapping[str, RateDistortion], *, colors: Mapping[str, str],
                         ylim: tuple[float, float] = (20, 60), ax: Axes | None = None) -> Drawn:
    """PSNR against bits per pixel per photograph, and an empty ring (artist ``marker``)."""
    missing = [name for name in curves if name not in colors]
    if missing:
        raise ValueError(f"colors must give a colour to every curve, missing {missing}")
    ax = _axes(ax)
    for name, rd in curves.items():
        ax.plot(rd.bpp, rd.psnr_db, "-o", ms=2.5, color=colors[name], label=name)
    marker = ax.plot([], [], "o", ms=10, mfc="none", mec="black", mew=2)[0]
    ax.set(xlabel="bits per pixel", ylabel="PSNR (dB)", xscale="log", xlim=(0.1, 16), ylim=ylim)
    ax.legend(loc="upper left", ncol=2, columnspacing=1)  # the empty corner: low rate, high dB
    return Drawn(_figure(ax), ax, {"marker": marker})


def _update_jpeg_rate_psnr(drawn: Drawn, *, bpp: float, psnr_db: float) -> None:
    """Put the ring at one round trip (in place); an infinite PSNR is drawn at the top."""
    top = drawn.ax.get_ylim()[1]
    drawn.artists["marker"].set_data([bpp], [min(psnr_db, top)])


# --- the pictures of a round trip: zoom, error map, numbers ----------------------------------

def _zoom(image: np.ndarray, *, window: tuple[slice, slice] | None = None, size: int = 64,
          factor: int = 4) -> np.ndarray:
    """Crop ``window`` (default: the central square) and enlarge it ``factor`` x (8x8 grid)."""
    if isinstance(factor, bool) or not isinstance(factor, (int, np.integer)) or factor < 1:
        raise ValueError(f"factor must be a positive integer, got {factor!r}")
    if window is None:
        h, w = image.shape[:2]
        window = (slice(h // 2 - size // 2, h // 2 + size // 2),
                  slice(w // 2 - size // 2, w // 2 + size // 2))
    crop = image[window]
    if crop.size == 0:
        raise ValueError(f"window {window} is empty for an image of shape {image.shape}; "
                         "pick rows and columns inside the image")
    return np.repeat(np.repeat(crop, factor, axis=0), factor, axis=1)


def _worst_error(original: np.ndarray, decoded: np.ndarray) -> np.ndarray:
    """uint8 error map: ``max |x - x'|`` over the channels and each 2x2 square (half size)."""
    if original.shape != decoded.shape or original.dtype != np.uint8 \
            or decoded.dtype != np.uint8:
        raise ValueError(f"original and decoded must be uint8 arrays of one shape, got "
                         f"{original.dtype} {original.shape} and {decoded.dtype} {decoded.shape}"
                         "; convert with np.clip(x, 0, 255).astype(np.uint8)")
    # uint8 without overflow, and elementwise maxima: .max(axis=...) is several times slower,
    # and this runs on every slider move
    err = np.maximum(original, decoded) - np.minimum(original, decoded)
    if err.ndim == 3:
        err = np.maximum(np.maximum(err[..., 0], err[..., 1]), err[..., 2])
    if min(err.shape) >= 2:  # (H // 2, W // 2)
        err = err[: err.shape[0] // 2 * 2, : err.shape[1] // 2 * 2]
        err = np.maximum(np.maximum(err[0::2, 0::2], err[1::2, 0::2]),
                         np.maximum(err[0::2, 1::2], err[1::2, 1::2]))
    return err


@lru_cache(maxsize=4)
def _error_palette(vmax: float) -> bytes:
    """The error colour map as PNG palette bytes: grey level e -> cmap(min(e / vmax, 1))."""
    rgb = colormaps[style.CMAP_ERROR](np.minimum(np.arange(256) / vmax, 1))[:, :3]
    return (rgb * 255).astype(np.uint8).tobytes()  # 768 bytes, immutable (cached)


def _error_png(original: np.ndarray, decoded: np.ndarray, *, vmax: float = 32.0) -> bytes:
    """:func:`_worst_error` as a small palette PNG coloured with ``style.CMAP_ERROR``."""
    if not vmax > 0:
        raise ValueError(f"vmax must be a positive number of grey levels, got {vmax!r}")
    im = Image.fromarray(_worst_error(original, decoded))
    im.putpalette(_error_palette(float(vmax)))
    buffer = io.BytesIO()
    im.save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


def _roundtrip_rows(image: np.ndarray, rt: Any, *, psnr_db: float, png_n_bytes: int,
                    ssim: float | None) -> dict[str, str]:
    """A round trip's size, bpp, ratios to raw and PNG, PSNR, SSIM (None: "press the button")."""
    return {"bytes": f"{rt.n_bytes:,}", "bits per pixel": f"{rt.bpp:.3f}",
            "ratio vs raw": f"{image.nbytes / rt.n_bytes:.1f}",
            "ratio vs PNG": f"{png_n_bytes / rt.n_bytes:.2f}", "PSNR": f"{psnr_db:.2f} dB",
            "SSIM": "press the button" if ssim is None else f"{ssim:.4f}"}


@lru_cache(maxsize=8)
def _half_size_png(name: str) -> bytes:
    """A photograph, lossless, at half size (2x2 box average): what the "original" view shows."""
    return array_png(np.asarray(Image.fromarray(common.photograph(name)).reduce(2)))


def roundtrip_widget(quality: widgets.IntSlider, *, colors: Mapping[str, str],
                     windows: Mapping[str, tuple[slice, slice]] | None = None,
                     name: str = "astronaut", subsampling: str = "4:2:0",
                     figsize: tuple[float, float] = (4.2, 2.6)) -> widgets.Box:
    """Real JPEG round trips of the bundled photographs: original, file, zoom, error, numbers.

    ``quality`` is the slider (passed in: a test can move it); ``colors`` the photographs
    offered (of ``course.common.PHOTOGRAPHS``) and their colours; ``windows`` a zoom window per
    photograph (default: the central 64 x 64); ``name`` (one of ``colors``, else a ValueError)
    and ``subsampling`` the initial settings. Shows the original, the JPEG file itself, a zoom,
    an error map, the numbers (SSIM on a button) and the rate-distortion curves, this round
    trip ringed; curves and PNGs are made once (~1 s per photograph).

    Examples
    --------
    >>> import contextlib, io
    >>> with contextlib.redirect_stdout(io.StringIO()):  # outside Jupyter clear_output prints
    ...     box = roundtrip_widget(widgets.IntSlider(50), colors={"camera": "k"}, name="camera")
    >>> "PSNR" in box.children[1].children[0].children[0].value
    True
    """
    if name not in colors:
        raise ValueError(f"name must be one of the photographs of colors {tuple(colors)}, "
                         f"got {name!r}")
    windows = dict(windows or {})
    fig, ax = style.new_figure(figsize=figsize)
    fig.set_dpi(style.DPI)
    curves = {n: course.photograph_rate_distortion(n) for n in colors}
    drawn = _draw_jpeg_rate_psnr(curves, colors=colors, ax=ax)
    for n in colors:  # cached now, so that switching photographs stays fast
        course.photograph_png_n_bytes(n)
        _half_size_png(n)
    live_fig = LiveFigure(fig, animated=drawn.animated)
    views = [widgets.Image(format=f, width=200) for f in ("png", "jpeg", "png", "png")]
    table, button = widgets.HTML(), widgets.Button(description="compute SSIM")

    def update(quality: int, name: str, subsampling: str) -> None:
        image = common.photograph(name)
        rt = images.roundtrip(image, quality, subsampling=subsampling)
        psnr = images.psnr_db(image, rt.decoded, data_range=255)
        views[0].value = _half_size_png(name)
        views[1].value = rt.data  # the real file
        views[2].value = array_png(_zoom(rt.decoded, window=windows.get(name)))
        views[3].value = _error_png(image, rt.decoded)
        ssim = course.photograph_ssim(name, quality, subsampling, compute=False)
        table.value = number_table(_roundtrip_rows(
            image, rt, psnr_db=psnr, png_n_bytes=course.photograph_png_n_bytes(name), ssim=ssim))
        _update_jpeg_rate_psnr(drawn, bpp=rt.bpp, psnr_db=psnr)
        live_fig.refresh()

    controls = {"quality": quality,
                "name": widgets.Dropdown(options=tuple(colors), value=name,
                                         description="photograph"),
                "subsampling": widgets.ToggleButtons(options=list(jpeg.SUBSAMPLINGS),
                                                     value=subsampling, description="chroma")}

    def on_ssim(_: Any) -> None:
        values = {key: control.value for key, control in controls.items()}
        course.photograph_ssim(values["name"], values["quality"], values["subsampling"])
        update(**values)  # computes and caches (~0.1 s), then shows it

    button.on_click(on_ssim)
    return widgets.VBox([live(update, controls, widgets.HBox(views)),
                         widgets.HBox([widgets.VBox([table, button]), live_fig.widget])])


def generation_widget(loss: Any, *, window: tuple[slice, slice] | None = None,
                      n: int = 1) -> widgets.Box:
    """A slider over the generations of :func:`lossylab.images.generation_loss`: zoom and numbers.

    ``loss`` is that function's result, computed before (a move encodes a small PNG); ``window``
    the zoom window (default: the central 64 x 64 pixels), ``n`` the initial generation.

    Examples
    --------
    >>> import contextlib, io  # outside Jupyter, clear_output prints: silence it
    >>> loss = images.generation_loss(np.zeros((16, 16), np.uint8), 50, 2)
    >>> with contextlib.redirect_stdout(io.StringIO()): box = generation_widget(loss, n=2)
    >>> box.children[0].children[0].max
    2
    """
    view, text = widgets.Image(format="png", width=256), widgets.HTML()

    def update(n: int) -> None:
        view.value = array_png(_zoom(loss.decoded[n - 1], window=window))
        text.value = number_table({"generation": str(n), "PSNR": f"{loss.psnr_db[n - 1]:.2f} dB",
                                   "bytes": f"{loss.n_bytes[n - 1]:,}"})

    slider = widgets.IntSlider(value=n, min=1, max=len(loss.decoded), description="generation N")
    return live(update, {"n": slider}, widgets.HBox([view, text]))


def describe_upload(data: bytes) -> tuple[str, Any]:
    """Load an upload with :func:`lossylab.images.load_image` and say what happened.

    Returns HTML (format, size, mode and conversions, or why the file was refused) and what
    :func:`~lossylab.images.load_image` returned (None if refused).

    Examples
    --------
    >>> describe_upload(b"")
    ('<b>Refused:</b> the file is empty (0 bytes): choose the file again or re-export it', None)
    """
    try:
        loaded = images.load_image(data)
    except images.ImageLoadError as err:  # every refusal: empty, not an image, too large, ...
        return f"<b>Refused:</b> {err}", None
    h, w = loaded.pixels.shape[:2]
    return f"<b>{loaded.format}</b> {w}x{h} ({loaded.mode}): {'; '.join(loaded.notes)}.", loaded


def _describe_roundtrip(pixels: np.ndarray, quality: int) -> tuple[Any, str]:
    """:func:`lossylab.images.roundtrip` of ``pixels`` at ``quality``, and a one-line summary."""
    rt = images.roundtrip(pixels, quality)
    return rt, f" Quality {quality}: {rt.n_bytes:,} bytes, {rt.bpp:.2f} bpp."


def upload_widget(*, quality: int = 50) -> widgets.Box:
    """Upload any image and see it as the JPEG file libjpeg writes, with a quality slider.

    ``quality`` is the initial quality (the slider acts when released: a large upload takes a
    while). Shows :func:`describe_upload`, then the round trip's size, and the JPEG file.

    Examples
    --------
    >>> import contextlib, io  # outside Jupyter, clear_output prints: silence it
    >>> with contextlib.redirect_stdout(io.StringIO()): box = upload_widget(quality=75)
    >>> box.children[1].children[0].children[0].value
    75
    """
    upload = widgets.FileUpload(accept="image/*", multiple=False, description="your image")
    slider = widgets.IntSlider(value=quality, min=1, max=100, description="quality",
                               continuous_update=False)
    message, view = widgets.HTML(), widgets.Image(format="jpeg", width=320)
    own: dict[str, Any] = {}  # the last upload: "about" (HTML) and, if accepted, "pixels"

    def update(quality: int) -> None:
        if "pixels" not in own:
            message.value = own.get("about", "Upload an image to see it as JPEG.")
            return
        rt, line = _describe_roundtrip(own["pixels"], quality)
        view.value = rt.data
        message.value = own["about"] + line

    def accept(name: str, data: bytes) -> None:
        about, loaded = describe_upload(data)
        own.clear()
        own["about"] = f"{name}: {about}"
        if loaded is not None:
            own["pixels"] = loaded.pixels
        update(slider.value)

    def on_upload(change: Mapping[str, Any]) -> None:
        new = change["new"]  # ipywidgets 8: ({"name", "content"},); 7: {name: {"content"}}
        if new:
            name, file = (next(iter(new.items())) if isinstance(new, Mapping)
                          else (new[0]["name"], new[0]))
            accept(name, bytes(file["content"]))

    def colab_upload(_: Any) -> None:  # Colab's own upload: FileUpload fails there above ~1 MB
        from google.colab import files  # type: ignore[import-not-found]  # only on Colab
        with out:
            for name, data in files.upload().items():
                accept(name, data)

    upload.observe(on_upload, names="value")
    top: widgets.Widget = upload
    if "google.colab" in sys.modules:
        colab, out = widgets.Button(description="large file (Colab)"), widgets.Output()
        colab.on_click(colab_upload)
        top = widgets.HBox([upload, colab, out])
    return widgets.VBox([top, live(update, {"quality": slider}, message, view)])
