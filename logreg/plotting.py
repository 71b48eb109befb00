"""The book's figure style: the Okabe–Ito palette, distinguishable with every common colour-vision deficiency."""

from __future__ import annotations

import matplotlib as mpl
from cycler import cycler

BLUE = "#0072B2"
ORANGE = "#E69F00"
GREEN = "#009E73"
VERMILLION = "#D55E00"
PURPLE = "#CC79A7"
SKY = "#56B4E9"
YELLOW = "#F0E442"
OKABE_ITO = (BLUE, ORANGE, GREEN, VERMILLION, PURPLE, SKY, YELLOW, "#000000")


def use_book_style() -> None:
    """Gridded figures sized for the book's page, with default line colours in the Okabe–Ito order.

    6.4 x 4 inches at 100 dpi: a 640 x 400 pixel image, the width of the page's text column, so that
    10-point labels are shown at their size and stay sharp (the inline backend renders at ``figure.dpi``).
    """
    mpl.rcParams.update(
        {
            "figure.dpi": 100,
            "figure.figsize": (6.4, 4.0),
            "axes.grid": True,
            "grid.alpha": 0.3,
            "axes.prop_cycle": cycler(color=OKABE_ITO),
        }
    )
