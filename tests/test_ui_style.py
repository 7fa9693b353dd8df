"""Tests for lossylab.ui.style: the course style, figures outside pyplot, Drawn."""

from __future__ import annotations

import matplotlib
import numpy as np
from matplotlib.figure import Figure

from lossylab.ui import nb01 as ui
from lossylab.ui import style
from lossylab.ui.live import LiveFigure


def test_use_style_sets_the_course_style() -> None:
    with matplotlib.rc_context():
        style.use_style()
        assert matplotlib.rcParams["axes.spines.top"] is False
        assert matplotlib.rcParams["legend.frameon"] is False
        assert matplotlib.rcParams["image.cmap"] == style.CMAP_VALUES


def test_palette_roles_are_okabe_ito_colours() -> None:
    assert set(style.COLORS) >= {"true", "model", "collapse", "hallucination", "generalization"}
    palette = set(style.OKABE_ITO.values())
    assert all(style.COLORS[k] in palette for k in ("true", "model", "collapse", "hallucination"))


def test_new_figure_is_not_managed_by_pyplot() -> None:
    import matplotlib.pyplot as plt

    fig, axes = style.new_figure(1, 2, figsize=(4, 2))
    assert isinstance(fig, Figure) and axes.shape == (2,)
    assert fig not in map(plt.figure, plt.get_fignums())


def test_drawn_figures_render_with_agg() -> None:
    _, ax = style.new_figure(figsize=(4, 3))
    drawn = ui.draw_mismatch(np.array([0.5, 0.5]), np.array([0.9, 0.1]), ax=ax)
    assert bytes(LiveFigure(drawn.fig).widget.value).startswith(b"\x89PNG")
    assert drawn.animated == list(drawn.artists.values())


def test_one_palette_with_fixed_meanings() -> None:
    from lossylab.course.common import PHOTOGRAPHS

    roles = [style.COLORS[k] for k in ("true", "model", "collapse", "hallucination",
                                       "generalization")]
    assert len(set(roles)) == len(roles)
    # orange and vermillion look alike: they never carry two different roles
    assert style.OKABE_ITO["vermillion"] not in roles and style.COLORS["model"] == \
        style.OKABE_ITO["orange"]
    assert tuple(style.PHOTO_COLORS) == PHOTOGRAPHS
    assert len(set(style.PHOTO_COLORS.values())) == len(PHOTOGRAPHS)
    assert set(style.PHOTO_COLORS.values()) <= set(style.OKABE_ITO.values())


def test_use_style_gives_readable_text_and_sharp_figures() -> None:
    from matplotlib.font_manager import FontProperties

    with matplotlib.rc_context():
        style.use_style()
        assert matplotlib.rcParams["figure.dpi"] == style.DPI >= 100
        assert matplotlib.rcParams["savefig.dpi"] >= 110
        for key in ("font.size", "legend.fontsize", "xtick.labelsize", "ytick.labelsize",
                    "axes.titlesize", "axes.labelsize"):
            size = FontProperties(size=matplotlib.rcParams[key]).get_size_in_points()
            assert size >= 9, f"{key} is {size} pt"
