"""Notebook 04's figures and widgets: round trips, generation loss, uploads."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
from matplotlib.axes import Axes

if TYPE_CHECKING:
    from lossylab.images import RateDistortion
import io
from functools import lru_cache

import ipywidgets as widgets
from PIL import Image

from lossylab import images

if TYPE_CHECKING:
    from lossylab.images import GenerationLoss, LoadedImage, RoundTrip
from typing import TYPE_CHECKING

from lossylab.course import common
from lossylab.course import nb04 as course
from lossylab.ui import style
from lossylab.ui.live import LiveFigure, array_png, live, number_table
from lossylab.ui.style import Drawn, _axes, _figure

# --- notebook 04: where one round trip lands among the photographs' curves -------------------


def draw_jpeg_rate_psnr(curves: Mapping[str, RateDistortion], *, colors: Mapping[str, str],
                        ylim: tuple[float, float] = (20, 60), ax: Axes | None = None) -> Drawn:
    """Draw PSNR against bits per pixel for several photographs, with a ring for one round trip.

    Parameters
    ----------
    curves : mapping of str to lossylab.images.RateDistortion
        Photograph name to its rate-distortion curve.
    colors : mapping of str to str, keyword-only
        Photograph name to colour (every name of ``curves``).
    ylim : (float, float), keyword-only
        Range of the PSNR axis (dB).
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    Drawn
        Artist ``marker`` (empty until :func:`update_jpeg_rate_psnr` places it).

    Raises
    ------
    ValueError
        If a curve has no colour.
    """
    missing = [name for name in curves if name not in colors]
    if missing:
        raise ValueError(f"colors must give a colour to every curve, missing {missing}")
    ax = _axes(ax)
    for name, rd in curves.items():
        ax.plot(rd.bpp, rd.psnr_db, "-o", ms=2.5, color=colors[name], label=name)
    marker = ax.plot([], [], "o", ms=10, mfc="none", mec="black", mew=2)[0]
    ax.set(xlabel="bits per pixel", ylabel="PSNR (dB)", xscale="log", xlim=(0.1, 16), ylim=ylim)
    ax.legend(fontsize=7, loc="lower right")
    return Drawn(_figure(ax), ax, {"marker": marker})


def update_jpeg_rate_psnr(drawn: Drawn, *, bpp: float, psnr_db: float) -> None:
    """Put the ring of :func:`draw_jpeg_rate_psnr` at one round trip (in place).

    An infinite PSNR (identical images) is drawn at the top of the axis.
    """
    top = drawn.ax.get_ylim()[1]
    drawn.artists["marker"].set_data([bpp], [min(psnr_db, top)])


# --- notebook 04: real round trips of the photographs, generation loss, uploads -------------


@lru_cache(maxsize=4)
def _error_palette(vmax: float) -> list[int]:
    """The error colour map as a flat PNG palette: grey level e -> cmap(min(e / vmax, 1))."""
    from matplotlib import colormaps

    rgb = colormaps[style.CMAP_ERROR](np.minimum(np.arange(256) / vmax, 1))[:, :3]
    return (rgb * 255).astype(np.uint8).ravel().tolist()  # (768,) ints


def error_png(original: np.ndarray, decoded: np.ndarray, *, vmax: float = 32.0) -> bytes:
    """The error map of :func:`lossylab.course.nb04.worst_error` as a small palette PNG.

    Parameters
    ----------
    original, decoded : numpy.ndarray
        uint8, same shape, (H, W) or (H, W, 3).
    vmax : float, keyword-only
        Error (grey levels) at which the colour saturates.

    Returns
    -------
    bytes
        A PNG, half the size of the image, coloured with ``lossylab.ui.style.CMAP_ERROR``.

    Raises
    ------
    ValueError
        If ``vmax`` is not positive (and as :func:`lossylab.course.nb04.worst_error`).
    """
    if not vmax > 0:
        raise ValueError(f"vmax must be a positive number of grey levels, got {vmax!r}")
    im = Image.fromarray(course.worst_error(original, decoded))
    im.putpalette(_error_palette(float(vmax)))
    buffer = io.BytesIO()
    im.save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


def roundtrip_rows(image: np.ndarray, rt: RoundTrip, *, psnr_db: float, png_n_bytes: int,
                   ssim: float | None) -> dict[str, str]:
    """The numbers of one round trip: size, bpp, compression ratios, PSNR, SSIM.

    Parameters
    ----------
    image : numpy.ndarray
        The original (its ``nbytes`` is the raw size).
    rt : lossylab.images.RoundTrip
    psnr_db : float, keyword-only
    png_n_bytes : int, keyword-only
        Size of the lossless PNG of ``image``.
    ssim : float or None, keyword-only
        None shows "press the button" (SSIM is too slow for every slider move).

    Returns
    -------
    dict of str to str
        Label to formatted value, for :func:`number_table`.
    """
    return {"bytes": f"{rt.n_bytes:,}", "bits per pixel": f"{rt.bpp:.3f}",
            "ratio vs raw": f"{image.nbytes / rt.n_bytes:.1f}",
            "ratio vs PNG": f"{png_n_bytes / rt.n_bytes:.2f}", "PSNR": f"{psnr_db:.2f} dB",
            "SSIM": "press the button" if ssim is None else f"{ssim:.4f}"}


@lru_cache(maxsize=8)
def _half_size_png(name: str) -> bytes:
    """A photograph, lossless, at half size (2x2 box average): what the "original" view shows."""
    return images.png_bytes(np.asarray(Image.fromarray(common.photograph(name)).reduce(2)))


def roundtrip_widget(quality: widgets.IntSlider, *, colors: Mapping[str, str],
                     windows: Mapping[str, tuple[slice, slice]] | None = None,
                     name: str = "astronaut", subsampling: str = "4:2:0",
                     figsize: tuple[float, float] = (4.2, 2.6)) -> widgets.Box:
    """Real JPEG round trips of the bundled photographs: original, file, zoom, error, numbers.

    Parameters
    ----------
    quality : ipywidgets.IntSlider
        The quality slider (passed in, so that a notebook can time it).
    colors : mapping of str to str, keyword-only
        The photographs offered (names of :data:`lossylab.images.PHOTOGRAPHS`) and the colour
        of each one's curve.
    windows : mapping of str to (slice, slice), keyword-only
        Zoom window per photograph (default: the central 64 x 64 pixels).
    name, subsampling : str, keyword-only
        Initial photograph and chroma subsampling ("4:2:0" or "4:4:4").
    figsize : (float, float), keyword-only
        Size of the rate-distortion figure.

    Returns
    -------
    ipywidgets.Box
        The three controls, four pictures (the middle one is the JPEG file itself), a table of
        :func:`roundtrip_rows` with a button that computes SSIM, and the rate-distortion figure
        of :func:`lossylab.ui.nb04.draw_jpeg_rate_psnr` with the current round trip ringed.

    Raises
    ------
    ValueError
        If ``name`` is not one of ``colors``.

    Notes
    -----
    The rate-distortion curves and the PNGs are computed once (about 1 s per photograph) and
    cached, so that a move costs one encode and decode, one PSNR and a few small PNGs.
    """
    if name not in colors:
        raise ValueError(f"name must be one of the photographs of colors {tuple(colors)}, "
                         f"got {name!r}")
    windows = dict(windows or {})
    fig, ax = style.new_figure(figsize=figsize)
    fig.set_dpi(80)
    curves = {n: course.photograph_rate_distortion(n) for n in colors}
    drawn = draw_jpeg_rate_psnr(curves, colors=colors, ax=ax)
    for n in colors:  # cached now, so that switching photographs stays fast
        course.photograph_png(n)
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
        views[2].value = array_png(course.zoom(rt.decoded, window=windows.get(name)))
        views[3].value = error_png(image, rt.decoded)
        ssim = course.photograph_ssim(name, quality, subsampling, compute=False)
        table.value = number_table(roundtrip_rows(
            image, rt, psnr_db=psnr, png_n_bytes=course.photograph_png_n_bytes(name), ssim=ssim))
        update_jpeg_rate_psnr(drawn, bpp=rt.bpp, psnr_db=psnr)
        live_fig.refresh()

    controls = {"quality": quality,
                "name": widgets.Dropdown(options=tuple(colors), value=name,
                                         description="photograph"),
                "subsampling": widgets.ToggleButtons(options=["4:2:0", "4:4:4"],
                                                     value=subsampling, description="chroma")}

    def on_ssim(_: Any) -> None:
        values = {key: control.value for key, control in controls.items()}
        course.photograph_ssim(values["name"], values["quality"], values["subsampling"])
        update(**values)  # computes and caches (~0.1 s), then shows it

    button.on_click(on_ssim)
    return widgets.VBox([live(update, controls, widgets.HBox(views)),
                         widgets.HBox([widgets.VBox([table, button]), live_fig.widget])])


def generation_widget(loss: GenerationLoss, *, window: tuple[slice, slice] | None = None,
                      n: int = 1) -> widgets.Box:
    """A slider over the generations of :func:`lossylab.images.generation_loss`: zoom and numbers.

    Parameters
    ----------
    loss : lossylab.images.GenerationLoss
        Computed before: a move only re-encodes a small PNG.
    window : (slice, slice), keyword-only
        Zoom window (default: the central 64 x 64 pixels).
    n : int, keyword-only
        Initial generation, 1 to ``len(loss.decoded)``.

    Returns
    -------
    ipywidgets.Box
        The slider, the zoomed crop of generation N and a table (PSNR, bytes).
    """
    view, text = widgets.Image(format="png", width=256), widgets.HTML()

    def update(n: int) -> None:
        view.value = array_png(course.zoom(loss.decoded[n - 1], window=window))
        text.value = number_table({"generation": str(n), "PSNR": f"{loss.psnr_db[n - 1]:.2f} dB",
                                   "bytes": f"{loss.n_bytes[n - 1]:,}"})

    slider = widgets.IntSlider(value=n, min=1, max=len(loss.decoded), description="generation N")
    return live(update, {"n": slider}, widgets.HBox([view, text]))


def describe_upload(data: bytes) -> tuple[str, LoadedImage | None]:
    """Load an upload with :func:`lossylab.images.load_image` and say what happened.

    Parameters
    ----------
    data : bytes
        The file's contents.

    Returns
    -------
    about : str
        HTML: the format, size, mode and conversions made, or why the file was refused.
    loaded : lossylab.images.LoadedImage or None
        None if the file was refused.
    """
    try:
        loaded = images.load_image(data)
    except images.ImageLoadError as err:  # every refusal: empty, not an image, too large, ...
        return f"<b>Refused:</b> {err}", None
    h, w = loaded.pixels.shape[:2]
    return f"<b>{loaded.format}</b> {w}x{h} ({loaded.mode}): {'; '.join(loaded.notes)}.", loaded


def describe_roundtrip(pixels: np.ndarray, quality: int) -> tuple[RoundTrip, str]:
    """Round-trip ``pixels`` at ``quality``; the round trip and a one-line summary (text)."""
    rt = images.roundtrip(pixels, quality)
    return rt, f" Quality {quality}: {rt.n_bytes:,} bytes, {rt.bpp:.2f} bpp."


def upload_widget(*, quality: int = 50) -> widgets.Box:
    """Upload any image and see it as the JPEG file libjpeg writes, with a quality slider.

    Parameters
    ----------
    quality : int, keyword-only
        Initial quality (the slider updates when released: a large upload takes a while).

    Returns
    -------
    ipywidgets.Box
        The upload button, the slider, a message (:func:`describe_upload`, then
        :func:`describe_roundtrip`) and the JPEG file.
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
        rt, line = describe_roundtrip(own["pixels"], quality)
        view.value = rt.data
        message.value = own["about"] + line

    def on_upload(change: Mapping[str, Any]) -> None:
        if not change["new"]:
            return
        file = change["new"][0]
        about, loaded = describe_upload(file["content"])
        own.clear()
        own["about"] = f"{file['name']}: {about}"
        if loaded is not None:
            own["pixels"] = loaded.pixels
        update(slider.value)

    upload.observe(on_upload, names="value")
    return widgets.VBox([upload, live(update, {"quality": slider}, message, view)])
