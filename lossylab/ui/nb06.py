"""Notebook 06's figures and widgets: coding, the model ladder, paying for the model."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import ipywidgets as widgets
import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes

from lossylab.course import nb06 as course
from lossylab.lm import CharLM
from lossylab.ui import style
from lossylab.ui.live import LiveFigure, live, number_table
from lossylab.ui.style import COLORS, OKABE_ITO, Drawn, _axes, _figure

__all__ = ["adjusted_rate_widget", "chars_text", "draw_adjusted_rates", "draw_model_ladder",
           "draw_narrowing", "draw_quantization", "quantization_widget", "text_rates",
           "text_widget"]

# Families (n-gram, GRU, a third) in black and grey with their own markers: not role colours.
_FAMILY_STYLES = ((OKABE_ITO["black"], "o-"), (COLORS["neutral"], "s-"), ("black", "^--"))


# --- arithmetic coding, the model ladder, paying for the model, rounding weights ----------
def draw_narrowing(narrowing: Any, *, ax: Axes | None = None) -> Drawn:
    """Draw each step of :func:`lossylab.coding.interval_narrowing` (a static :class:`Drawn`).

    Row t: the interval after t characters, stretched to [0, 1), the slice that came as a bar.
    """
    ax = _axes(ax)
    for row, step in enumerate(narrowing.steps):
        ax.vlines(step.cumulative, row - 0.35, row + 0.35, color=COLORS["neutral"], lw=0.4)
        ax.barh(row, step.slice_high - step.slice_low, left=step.slice_low, height=0.7,
                color=COLORS["model"])
        ax.text(1.02, row, f"{step.char!r}: {step.bits:5.2f} bits", va="center",
                family="monospace")
    ax.set(xlim=(0, 1), ylim=(len(narrowing.steps) - 0.5, -0.5), yticks=[],
           xlabel="position inside the previous interval (stretched to [0, 1))")
    return Drawn(_figure(ax), ax, {})


def _check_families(families: Mapping[str, tuple[Any, Any]]) -> None:
    """ValueError unless there are at most three families, each with as many x as y."""
    if len(families) > len(_FAMILY_STYLES):
        raise ValueError(f"families must have at most 3 entries, got {len(families)}")
    for label, (x, y) in families.items():
        if len(x) != len(y):
            raise ValueError(f"family {label!r} must have one rate per model size, got "
                             f"{len(x)} sizes and {len(y)} rates")


def draw_model_ladder(families: Mapping[str, tuple[Sequence[float], Sequence[float]]], *,
                      given_train: Mapping[str, float],
                      points: Mapping[str, tuple[float, float]] | None = None,
                      ax: Axes | None = None) -> Drawn:
    """Draw held-out bits per character against model parameters (a static :class:`Drawn`).

    ``families``: up to three labels -> (parameters, bits/char); ``given_train``: compressors
    -> rate given the training text (labelled lines); ``points``: name -> (parameters, rate).
    """
    _check_families(families)
    ax = _axes(ax)
    for (label, (n_params, rates)), (color, fmt) in zip(
            families.items(), _FAMILY_STYLES[:len(families)], strict=True):
        ax.plot(np.maximum(n_params, 1), rates, fmt, color=color, label=label)
    low, high = ax.get_ylim()
    x, last = 0.01, -np.inf
    for name, rate in sorted(given_train.items(), key=lambda item: item[1]):
        x, last = (x + 0.27 if rate - last < 0.06 * (high - low) else 0.01), rate  # side by side
        ax.axhline(rate, color=COLORS["neutral"], ls="--", lw=1)  # each label on its line
        ax.annotate(f"{name} given train {rate:.2f}", (x, rate), xycoords=("axes fraction", "data"),
                    va="center", color=COLORS["neutral"], bbox={"fc": "white", "lw": 0, "pad": 1})
    for name, (n_params, rate) in (points or {}).items():
        ax.plot([n_params], [rate], "*", ms=12, color=OKABE_ITO["black"])
        ax.annotate(f"{name} {rate:.2f}", (n_params, rate), xytext=(-9, -2),
                    textcoords="offset points", ha="right", va="center")
    ax.set(xscale="log", xlabel="model parameters", ylabel="bits per character (held out)")
    ax.legend(loc="upper right")
    return Drawn(_figure(ax), ax, {})


def _ring_at(ax: Axes, marker: tuple[float, float] | None) -> Artist:
    """A large open circle at ``marker`` (empty if None), drawn over the curves."""
    x, y = ([], []) if marker is None else ([marker[0]], [marker[1]])
    return ax.plot(x, y, "o", ms=10, mfc="none", mec="black")[0]


def draw_adjusted_rates(families: Mapping[str, tuple[Sequence[float], Sequence[float]]], *,
                        reference_bits_per_char: float, reference_label: str = "xz alone",
                        marker: tuple[float, float] | None = None,
                        ax: Axes | None = None) -> Drawn:
    """Draw each model's adjusted rate (model bits included) against its size in bits.

    ``families``: up to three labels -> (sizes in bits, adjusted bits/char); ``marker`` (size,
    rate) rings one model. Artists ``line0``, ``line1``, ... and ``marker`` move.
    """
    _check_families(families)
    ax = _axes(ax)
    artists: dict[str, Artist] = {
        f"line{i}": ax.plot(sizes, rates, fmt, ms=3, color=color, label=label)[0]
        for i, ((label, (sizes, rates)), (color, fmt)) in enumerate(zip(
            families.items(), _FAMILY_STYLES[:len(families)], strict=True))}
    ax.axhline(reference_bits_per_char, color=COLORS["neutral"], ls="--", lw=1,
               label=reference_label)
    ax.set(xscale="log", yscale="log", xlabel="model size (bits)", ylabel="adjusted bits/char",
           ylim=(1.5, 1000))
    ticks = [2, 3, 5, 10, 30, 100, 300, 1000]
    ax.set_yticks(ticks, labels=[str(t) for t in ticks])
    ax.legend(loc="upper left")
    artists["marker"] = _ring_at(ax, marker)
    return Drawn(_figure(ax), ax, artists)


def _update_adjusted_rates(drawn: Drawn, rates: Sequence[Sequence[float]], *,
                           marker: tuple[float, float]) -> None:
    """Move the curves of :func:`draw_adjusted_rates` (one rate list per family) and the ring."""
    for i, family_rates in enumerate(rates):
        drawn.artists[f"line{i}"].set_ydata(family_rates)
    drawn.artists["marker"].set_data([marker[0]], [marker[1]])


def draw_quantization(bits: Sequence[int], rates: Mapping[str, Sequence[float]], *,
                      float_rate: float, ax: Axes | None = None) -> Drawn:
    """Draw bits per character against bits per weight, one curve per rounding scheme.

    ``rates``: scheme label -> bits/char at each of ``bits``; the artist ``marker`` moves.
    """
    _check_families({label: (bits, r) for label, r in rates.items()})
    ax = _axes(ax)
    for (label, scheme_rates), (color, fmt) in zip(rates.items(), _FAMILY_STYLES, strict=False):
        ax.plot(bits, scheme_rates, fmt, ms=3, color=color, label=label)
    ax.axhline(float_rate, color=COLORS["neutral"], ls="--", lw=1, label="float32")
    ax.set(xlabel="bits per weight", ylabel="bits/char (excerpt)", ylim=(0, None))
    ax.legend()
    return Drawn(_figure(ax), ax, {"marker": _ring_at(ax, None)})


def _update_quantization(drawn: Drawn, *, bits: int, rate: float) -> None:
    """Ring one setting on :func:`draw_quantization` (in place)."""
    drawn.artists["marker"].set_data([bits], [rate])


# --- the widgets: paying for the model, rounding its weights, your own text ---------------
def chars_text(n_chars: float, *, reference: str = "xz") -> str:
    """A break-even length as text: ``"12,345 chars"``, or never if the model is worse.

    >>> chars_text(12345.4), chars_text(float("inf"))
    ('12,345 chars', 'never (worse than xz)')
    """
    return f"{n_chars:,.0f} chars" if np.isfinite(n_chars) else f"never (worse than {reference})"


def adjusted_rate_widget(families: Mapping[str, Sequence[str]], *,
                         bits_per_char: Mapping[str, float], model_bits: Mapping[str, float],
                         reference_bits_per_char: float, reference: str = "xz", name: str,
                         n_chars: float, figsize: tuple[float, float] = (5, 2.6)) -> widgets.Box:
    """Live :func:`draw_adjusted_rates`: sliders for a model and the text length N (10^4-10^9).

    ``families``: labels -> model names, smallest first; ``bits_per_char``, ``model_bits``: per
    model; ``name``, ``n_chars``: the first setting. A Box: sliders, figure, table.
    """
    missing = [n for names in families.values() for n in names
               if n not in bits_per_char or n not in model_bits]
    if missing or name not in bits_per_char or name not in model_bits:
        raise ValueError(f"bits_per_char and model_bits must cover every model of families and "
                         f"name {name!r}; missing {missing or [name]}")

    def adjusted(n: str, n_text: float) -> float:
        return course.adjusted_bits_per_char(bits_per_char[n], model_bits[n], n_text)

    def rates(n_text: float) -> list[list[float]]:
        return [[adjusted(n, n_text) for n in names] for names in families.values()]

    fig, ax = style.new_figure(figsize=figsize)
    drawn = draw_adjusted_rates(
        {label: ([model_bits[n] for n in names], r)
         for (label, names), r in zip(families.items(), rates(n_chars), strict=True)},
        reference_bits_per_char=reference_bits_per_char, reference_label=f"{reference} alone",
        ax=ax)
    live_fig = LiveFigure(fig, animated=drawn.animated)  # only the curves and the ring move
    table = widgets.HTML()

    def update(name: str, log10_chars: float) -> None:
        n_text = 10.0 ** log10_chars
        _update_adjusted_rates(drawn, rates(n_text),
                               marker=(model_bits[name], adjusted(name, n_text)))
        live_fig.refresh()
        break_even = course.break_even_chars(bits_per_char[name], model_bits[name],
                                             reference_bits_per_char=reference_bits_per_char)
        table.value = number_table({
            "text length N": f"{n_text:,.0f} chars", "model": name,
            "raw bits/char": f"{bits_per_char[name]:.3f}",
            "adjusted bits/char": f"{adjusted(name, n_text):.3f}",
            f"break-even vs {reference}": chars_text(break_even, reference=reference)})

    controls = {"name": widgets.SelectionSlider(options=list(bits_per_char), value=name,
                                                description="model"),
                "log10_chars": widgets.FloatSlider(value=np.log10(n_chars), min=4, max=9,
                                                   step=0.1, description="log10 N")}
    return live(update, controls, live_fig.widget, table, layout="horizontal")


def quantization_widget(sweep: Mapping[tuple[int, bool], tuple[float, float, str]], *,
                        float_rate: float, bits: int = 8,
                        figsize: tuple[float, float] = (4.5, 2.6)) -> widgets.Box:
    """Live :func:`draw_quantization`: bits per weight, per tensor or per row.

    ``sweep``: ``(bits, per_tensor)`` -> (bits/char, model bits, a sample) for every bits value
    and both schemes (a move evaluates no model). A Box: slider, toggle, figure, table.
    """
    all_bits = sorted({b for b, _ in sweep})
    if any((b, pt) not in sweep for b in all_bits for pt in (True, False)) or bits not in all_bits:
        raise ValueError(f"sweep must hold (bits, True) and (bits, False) for every bits value, "
                         f"and bits must be one of them; got keys {sorted(sweep)}, bits={bits!r}")
    fig, ax = style.new_figure(figsize=figsize)
    drawn = draw_quantization(
        all_bits, {label: [sweep[b, pt][0] for b in all_bits]
                   for label, pt in (("per tensor", True), ("per row", False))},
        float_rate=float_rate, ax=ax)
    live_fig = LiveFigure(fig, animated=drawn.animated)
    table = widgets.HTML()

    def update(bits: int, per_tensor: bool) -> None:
        rate, size, sample = sweep[bits, per_tensor]
        _update_quantization(drawn, bits=bits, rate=rate)
        live_fig.refresh()
        table.value = number_table({"bits/char": f"{rate:.3f}",
                                    "model size": f"{size / 8e3:.1f} kB"}) + \
            f"<pre style='font-size:10px'>{sample.replace('<', '&lt;')}</pre>"

    controls = {"bits": widgets.IntSlider(value=bits, min=all_bits[0], max=all_bits[-1],
                                          description="bits/weight"),
                "per_tensor": widgets.ToggleButtons(options=[("per tensor", True),
                                                             ("per row", False)], value=True)}
    return live(update, controls, live_fig.widget, table, layout="horizontal")


def text_rates(text: str, models: Sequence[CharLM]) -> dict[str, str]:
    """:func:`lossylab.course.nb06.text_bits_per_char`, formatted: name -> ``"2.345"``."""
    return {name: f"{rate:.3f}" for name, rate in course.text_bits_per_char(text, models).items()}


def text_widget(models: Sequence[CharLM], *, text: str) -> widgets.Box:
    """A text box and the bits per character of its text (:func:`text_rates`), on Enter."""
    box = widgets.Textarea(value=text, rows=3, layout=widgets.Layout(width="90%"),
                           continuous_update=False)
    view = widgets.HTML()

    def update(text: str) -> None:
        view.value = number_table(text_rates(text, models)) if text else "type some text"

    return live(update, {"text": box}, view)
