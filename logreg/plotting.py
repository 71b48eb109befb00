"""The book's figure style: the Okabe–Ito palette, distinguishable with every common colour-vision deficiency."""

from __future__ import annotations

import matplotlib as mpl
import numpy as np
from cycler import cycler
from matplotlib.axes import Axes
from matplotlib.transforms import Bbox, IdentityTransform

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


def points_under_legend(ax: Axes) -> int:
    """How many plotted points (line vertices, scatter markers, contour vertices) the legend's box covers.

    The book's figures assert ``points_under_legend(ax) == 0``: a legend must not hide data. Points are
    compared in display coordinates after drawing the figure; a legend placed outside the axes covers none.
    Only vertices count, so lines should be sampled densely (they are, in the book: ``np.linspace``).
    """
    legend = ax.get_legend()
    if legend is None:
        return 0
    ax.figure.canvas.draw()
    box = legend.get_window_extent()
    count = 0
    for line in ax.get_lines():
        if line.get_visible():
            count += _inside(box, line.get_transform().transform(line.get_xydata()))
    for collection in ax.collections:
        if not collection.get_visible():
            continue
        if isinstance(collection.get_offset_transform(), IdentityTransform):  # contours, fills: data in paths
            for path in collection.get_paths():
                count += _inside(box, collection.get_transform().transform(path.vertices))
        else:  # scatter: one marker per offset, given in data coordinates
            count += _inside(box, collection.get_offset_transform().transform(collection.get_offsets()))
    return count


def _inside(box: Bbox, points: np.ndarray) -> int:
    points = np.asarray(points, dtype=float).reshape(-1, 2)
    points = points[np.all(np.isfinite(points), axis=1)]
    inside = (points[:, 0] > box.x0) & (points[:, 0] < box.x1) & (points[:, 1] > box.y0) & (points[:, 1] < box.y1)
    return int(np.sum(inside))
