"""The book's presentation helpers: figures a reader can move in the web page, with no kernel and no CDN.

``logreg`` is the mathematics; ``bookkit`` is how the book shows it. A chapter computes every frame of an
interactive figure at build time (``interactive_figure``); the page draws them as SVG with a small script the book
ships (``_ext/self_check.py`` loads it on the pages that use it), and the PDF prints a still at the initial values.
"""

from bookkit.figure import (
    Bars,
    HLine,
    InteractiveFigure,
    Line,
    Points,
    Select,
    Slider,
    Text,
    VLine,
    interactive_figure,
)

__all__ = [
    "Bars",
    "HLine",
    "InteractiveFigure",
    "Line",
    "Points",
    "Select",
    "Slider",
    "Text",
    "VLine",
    "interactive_figure",
]
