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
    """How many plotted points the legend's box covers: points along drawn lines and contours (sampled
    densely between their vertices, so a straight line through the box counts) and scatter markers.

    The book's figures assert ``points_under_legend(ax) == 0``: a legend must not hide data. Points are
    compared in display coordinates after drawing the figure; a legend placed outside the axes covers none.
    Filled areas count by their outline only.
    """
    legend = ax.get_legend()
    if legend is None:
        return 0
    ax.figure.canvas.draw()
    box = legend.get_window_extent()
    count = 0
    for line in ax.get_lines():
        if not line.get_visible():
            continue
        points = line.get_transform().transform(line.get_xydata())
        joined = line.get_linestyle() not in ("None", "none", "", " ")
        count += _inside(box, _densify(points) if joined else points)
    for collection in ax.collections:
        if not collection.get_visible():
            continue
        if isinstance(collection.get_offset_transform(), IdentityTransform):  # contours, fills: data in paths
            transform = collection.get_transform()
            for path in collection.get_paths():
                for polyline in path.to_polygons(closed_only=False):
                    count += _inside(box, _densify(transform.transform(polyline)))
        else:  # scatter: one marker per offset, given in data coordinates
            count += _inside(box, collection.get_offset_transform().transform(collection.get_offsets()))
    return count


def _densify(points: np.ndarray, per_segment: int = 16) -> np.ndarray:
    """Points along a polyline: each segment sampled ``per_segment`` times (display coordinates)."""
    points = np.asarray(points, dtype=float).reshape(-1, 2)
    if len(points) < 2:
        return points
    fractions = np.linspace(0.0, 1.0, per_segment, endpoint=False)[None, :, None]
    starts, ends = points[:-1, None, :], points[1:, None, :]
    return np.vstack([(starts + fractions * (ends - starts)).reshape(-1, 2), points[-1:]])


def _inside(box: Bbox, points: np.ndarray) -> int:
    points = np.asarray(points, dtype=float).reshape(-1, 2)
    points = points[np.all(np.isfinite(points), axis=1)]
    inside = (points[:, 0] > box.x0) & (points[:, 0] < box.x1) & (points[:, 1] > box.y0) & (points[:, 1] < box.y1)
    return int(np.sum(inside))
