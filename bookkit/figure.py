"""Interactive figures from precomputed frames: SVG in the web page, a matplotlib still in the PDF.

``interactive_figure`` calls the chapter's ``frame`` function once for every combination of control values and
stores what it returns (lines, points, bars, a readout) in pixel coordinates, rounded to a tenth of a pixel, so the
output is the same bytes on every run and every CPU. The returned ``InteractiveFigure`` displays as a MIME bundle:

- ``text/html``: the figure at its initial values, drawn as SVG, with its controls and the frames as JSON. The book's
  page script (``_ext/static/interactive-figure.js``, loaded by ``_ext/self_check.py`` on pages with a figure)
  enables the controls and redraws from the frames. Without that script (a notebook in JupyterLab) the figure is a
  still at its initial values with its controls disabled.
- ``image/png``: a matplotlib still at the initial values (title, labelled axes, legend, readout): what the PDF
  prints, with ``caption`` as its caption.
- ``text/plain``: the description, the figure's text alternative.

The HTML markup is part of every executed chapter (strict nbval compares it): change it only with a reason, and
re-execute the chapters that use it. Behaviour and styling live in the page script and style sheet instead.
"""

from __future__ import annotations

import base64
import html
import io
import itertools
import json
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

#: the Okabe-Ito palette (as in ``logreg.plotting``), in its order: the default colour of the n-th mark
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000")
#: SVG canvas and plot area, in pixels (the width of the book's text column, as the matplotlib figures)
WIDTH, HEIGHT = 640, 400
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 12, 52
PLOT_W, PLOT_H = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
RIGHT_AXIS = 48  # room taken from the plot for a right-hand axis's labels
#: most frames one figure may hold (every combination of control values): the page carries all of them
MAX_FRAMES = 2000
MARKERS = ("o", "s", "^", "D")
KEY = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
FORMAT_VERSION = "1"
MINUS = "\u2212"


# --- marks ---------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Line:
    """A polyline through ``(x, y)``; NaN in ``x`` or ``y`` breaks it into segments (several curves in one mark).

    ``axis="right"`` measures ``y`` on the figure's right-hand axis (``y2lim``), as do Points and HLine.
    """

    x: Any
    y: Any
    label: str | None = None
    color: str | None = None
    dash: bool = False
    width: float = 2
    axis: str = "left"


@dataclass(frozen=True)
class Points:
    """Markers at ``(x, y)``: ``marker`` is one of ``"o"`` (disc), ``"s"`` (square), ``"^"`` (triangle), ``"D"``."""

    x: Any
    y: Any
    label: str | None = None
    color: str | None = None
    marker: str = "o"
    size: float = 5
    axis: str = "left"


@dataclass(frozen=True)
class Bars:
    """Vertical bars of ``height`` centred at ``x``, ``width`` wide in data units (from 0 to the height)."""

    x: Any
    height: Any
    label: str | None = None
    color: str | None = None
    width: float = 0.8


@dataclass(frozen=True)
class HLine:
    """A horizontal line at ``y`` across the whole plot."""

    y: float
    label: str | None = None
    color: str | None = None
    dash: bool = True
    width: float = 1.5
    axis: str = "left"


@dataclass(frozen=True)
class VLine:
    """A vertical line at ``x`` across the whole plot."""

    x: float
    label: str | None = None
    color: str | None = None
    dash: bool = True
    width: float = 1.5


@dataclass(frozen=True)
class Text:
    """A readout printed under the plot, announced to screen readers when it changes (``aria-live``)."""

    text: str


Mark = Line | Points | Bars | HLine | VLine | Text


# --- controls ------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Slider:
    """A range input over ``values`` (a short grid): the frame function receives the current one as ``name``.

    ``fmt`` formats the value shown beside the slider (a format spec such as ``".2f"``; default: ``g``).
    """

    name: str
    label: str
    values: Any
    initial: Any = None
    fmt: str | None = None


@dataclass(frozen=True)
class Select:
    """A drop-down list over ``options`` (a sequence, or a mapping from the text shown to the value passed)."""

    name: str
    label: str
    options: Any
    initial: Any = None


Control = Slider | Select


@dataclass(frozen=True)
class _Axis:
    lo: float
    hi: float
    start: float
    length: float
    flip: bool
    log: bool = False

    def __call__(self, values: Any) -> np.ndarray:
        values = np.asarray(values, dtype=float)
        if self.log:  # a non-positive value has no place on a log axis: NaN breaks the line there
            with np.errstate(divide="ignore", invalid="ignore"):
                values = np.where(values > 0, np.log10(np.where(values > 0, values, 1.0)), np.nan)
            lo, hi = math.log10(self.lo), math.log10(self.hi)
        else:
            lo, hi = self.lo, self.hi
        fraction = (values - lo) / (hi - lo)
        return self.start + self.length * (1.0 - fraction if self.flip else fraction)


@dataclass
class _Store:
    """Deduplicated arrays, strings and styles shared by all frames (most frames repeat their x, labels, colours)."""

    arrays: list[list] = field(default_factory=list)
    strings: list[str] = field(default_factory=list)
    styles: list[dict] = field(default_factory=list)
    _index: dict = field(default_factory=dict)

    def _add(self, table: list, item: Any, key: str) -> int:
        lookup = (id(table), key)
        if lookup not in self._index:
            self._index[lookup] = len(table)
            table.append(item)
        return self._index[lookup]

    def array(self, values: list) -> int:
        return self._add(self.arrays, values, json.dumps(values))

    def string(self, text: str) -> int:
        return self._add(self.strings, text, text)

    def style(self, style: dict) -> int:
        return self._add(self.styles, style, json.dumps(style, sort_keys=True))


# --- the figure ----------------------------------------------------------------------------------------------------
class InteractiveFigure:
    """A figure the reader moves with ``controls``: ``frame(**values)`` returns its marks for each combination.

    It displays as HTML (interactive in the book), PNG (the PDF's still) and plain text.

    ``key`` (unique in the book, lower-case words joined by ``-``) names the figure's HTML ids. ``static`` marks are
    drawn under every frame. ``description`` is the text alternative (what moving each control shows); ``caption``
    (default: the description) is the caption of the still printed in the PDF. Every combination of control values
    is computed now and stored in the page: keep grids small (at most 2,000 frames). ``xscale``/``yscale``
    ``"log"`` put an axis on a log scale (ticks at powers of ten; values <= 0 break lines and drop points).
    ``y2lim`` (with ``y2label``, ``y2scale``) adds a right-hand axis for marks drawn with ``axis="right"``.
    """

    def __init__(
        self,
        *,
        key: str,
        title: str,
        controls: Sequence[Control],
        frame: Callable[..., Any],
        xlim: tuple[float, float],
        ylim: tuple[float, float],
        xlabel: str = "",
        ylabel: str = "",
        static: Sequence[Mark] = (),
        description: str,
        caption: str | None = None,
        xscale: str = "linear",
        yscale: str = "linear",
        y2lim: tuple[float, float] | None = None,
        y2label: str = "",
        y2scale: str = "linear",
    ) -> None:
        if not isinstance(key, str) or not KEY.match(key):
            raise ValueError(f"interactive_figure: key {key!r} must be lower-case words joined by '-' (an HTML id)")
        if not title or not description:
            raise ValueError(
                f"interactive_figure {key!r}: a title and a description (the text alternative) are required"
            )
        self.key, self.title, self.xlabel, self.ylabel = key, title, xlabel, ylabel
        self.description = description
        self.caption = caption or description
        self.xscale, self.yscale = _scale(xscale, "xscale", key), _scale(yscale, "yscale", key)
        self.xlim = _limits(xlim, "xlim", key, log=self.xscale == "log")
        self.ylim = _limits(ylim, "ylim", key, log=self.yscale == "log")
        self.controls = _check_controls(controls, key)
        self.static = _check_marks(static, f"interactive_figure {key!r}: static", allow_text=False)
        grids = [_choices(control) for control in self.controls]
        self.initial = tuple(
            _initial_index(control, grid, key) for control, grid in zip(self.controls, grids, strict=True)
        )
        count = math.prod(len(grid) for grid in grids)
        if count > MAX_FRAMES:
            raise ValueError(
                f"interactive_figure {key!r}: {count} combinations of control values, more than {MAX_FRAMES}: "
                "use shorter grids (every frame is stored in the page)"
            )
        self.frames: list[list[Mark]] = []
        for combination in itertools.product(*grids):
            kwargs = {control.name: value for control, (_, value) in zip(self.controls, combination, strict=True)}
            where = f"interactive_figure {key!r}: frame({', '.join(f'{k}={v!r}' for k, v in kwargs.items())})"
            self.frames.append(_check_marks(frame(**kwargs), where, allow_text=True))
        self.y2label, self.y2scale = y2label, _scale(y2scale, "y2scale", key)
        self.y2lim = None if y2lim is None else _limits(y2lim, "y2lim", key, log=self.y2scale == "log")
        on_the_right = [
            m for marks in (self.static, *self.frames) for m in marks if getattr(m, "axis", "left") != "left"
        ]
        if any(mark.axis != "right" for mark in on_the_right):
            raise ValueError(f"interactive_figure {key!r}: a mark's axis is 'left' or 'right'")
        if on_the_right and self.y2lim is None:
            raise ValueError(f"interactive_figure {key!r}: marks on the right axis need y2lim")
        #: the plot's width: narrower when a right-hand axis needs room for its labels
        self._plot_w = PLOT_W if self.y2lim is None else PLOT_W - RIGHT_AXIS
        self._x = _Axis(*self.xlim, LEFT, self._plot_w, flip=False, log=self.xscale == "log")
        self._y = _Axis(*self.ylim, TOP, PLOT_H, flip=True, log=self.yscale == "log")
        self._y2 = None if self.y2lim is None else _Axis(*self.y2lim, TOP, PLOT_H, flip=True, log=self.y2scale == "log")
        self._html: str | None = None
        self._png: bytes | None = None

    # -- frames ----------------------------------------------------------------------------------------------------
    @property
    def initial_frame(self) -> list[Mark]:
        """The marks at the controls' initial values."""
        index = 0
        for control, position in zip(self.controls, self.initial, strict=True):
            index = index * len(_choices(control)) + position
        return self.frames[index]

    def _encode(self, marks: Sequence[Mark], store: _Store) -> list[list[int]]:
        encoded = []
        for n, mark in enumerate(m for m in marks if not isinstance(m, Text)):
            style, arrays = self._pixels(mark, n)
            encoded.append([store.style(style), *(store.array(a) for a in arrays)])
        return encoded

    def _pixels(self, mark: Mark, n: int) -> tuple[dict, list[list]]:
        """The mark's style (JSON-ready) and its coordinate arrays in rounded pixels (None breaks a line)."""
        color = _color(mark.color, n)
        label = {"l": mark.label} if mark.label else {}
        y_axis = self._y2 if getattr(mark, "axis", "left") == "right" else self._y
        if isinstance(mark, HLine | VLine):
            if isinstance(mark, HLine):
                mark = Line(list(self.xlim), [mark.y, mark.y], mark.label, mark.color, mark.dash, mark.width, mark.axis)
            else:
                mark = Line([mark.x, mark.x], list(self.ylim), mark.label, mark.color, mark.dash, mark.width)
        if isinstance(mark, Line):
            xs, ys = _clip_polyline(self._x(mark.x), y_axis(mark.y), self._plot_w)
            style = {"k": "line", "c": color, "w": float(mark.width), "d": bool(mark.dash), **label}
            return style, [xs, ys]
        if isinstance(mark, Points):
            px, py = self._x(mark.x), y_axis(mark.y)
            keep = (
                np.isfinite(px)
                & np.isfinite(py)
                & (px > LEFT - 10)
                & (px < LEFT + self._plot_w + 10)
                & (py > TOP - 10)
                & (py < TOP + PLOT_H + 10)
            )
            style = {"k": "points", "c": color, "m": mark.marker, "s": float(mark.size), **label}
            return style, [_rounded(px[keep]), _rounded(py[keep])]
        # Bars: left edge, top and height in pixels, clamped to the plot area (exact for rectangles)
        x, height = np.asarray(mark.x, dtype=float), np.asarray(mark.height, dtype=float)
        keep = np.isfinite(x) & np.isfinite(height)
        x, height = x[keep], height[keep]
        left = np.clip(self._x(x - mark.width / 2), LEFT, LEFT + self._plot_w)
        right = np.clip(self._x(x + mark.width / 2), LEFT, LEFT + self._plot_w)
        base = self._y(np.full_like(height, self.ylim[0] if self._y.log else 0.0))  # log axis: bars from its bottom
        top = np.clip(np.minimum(base, self._y(height)), TOP, TOP + PLOT_H)
        bottom = np.clip(np.maximum(base, self._y(height)), TOP, TOP + PLOT_H)
        style = {"k": "bars", "c": color, **label}
        return style, [_rounded(left), _rounded(top), _rounded(right - left), _rounded(bottom - top)]

    @staticmethod
    def _readout(marks: Sequence[Mark]) -> str:
        return "\n".join(mark.text for mark in marks if isinstance(mark, Text))

    # -- HTML ------------------------------------------------------------------------------------------------------
    @property
    def html(self) -> str:
        """The figure's HTML: SVG at the initial values, controls, readout, description, frames as JSON."""
        if self._html is None:
            self._html = self._render_html()
        return self._html

    def _render_html(self) -> str:
        store = _Store()
        static = self._encode(self.static, store)
        frames = [[store.string(self._readout(marks)), *self._encode(marks, store)] for marks in self.frames]
        controls = []
        for control, start in zip(self.controls, self.initial, strict=True):
            texts = [text for text, _ in _choices(control)]
            controls.append({"n": control.name, "t": [store.string(text) for text in texts], "i": start})
        data = {
            "v": FORMAT_VERSION,
            "controls": controls,
            "arrays": store.arrays,
            "strings": store.strings,
            "styles": store.styles,
            "static": static,
            "frames": frames,
        }
        ident = f"bk-{self.key}"
        initial = frames[_frame_index(self.initial, [len(c["t"]) for c in controls])]
        parts = [
            f'<figure class="interactive-figure" id="{ident}" data-bookkit="{FORMAT_VERSION}">',
            f'<figcaption class="bk-title" id="{ident}-title">{_esc(self.title)}</figcaption>',
            f'<ul class="bk-legend">{_legend_html([*static, *initial[1:]], store)}</ul>',
            f'<svg class="bk-plot" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="{ident}-title" '
            f'aria-describedby="{ident}-desc" xmlns="http://www.w3.org/2000/svg" font-family="sans-serif" '
            'font-size="13">',
            f'<defs><clipPath id="{ident}-clip"><rect x="{LEFT}" y="{TOP}" width="{self._plot_w}" height="{PLOT_H}"/>'
            "</clipPath></defs>",
            self._axes_svg(),
            f'<g class="bk-static" clip-path="url(#{ident}-clip)">{_marks_svg(static, store)}</g>',
            f'<g class="bk-marks" clip-path="url(#{ident}-clip)">{_marks_svg(initial[1:], store)}</g>',
            "</svg>",
            f'<p class="bk-readout" aria-live="polite">{_readout_html(store.strings[initial[0]])}</p>',
            '<div class="bk-controls">',
        ]
        for control, encoded in zip(self.controls, controls, strict=True):
            cid = f"{ident}-{control.name}"
            texts = [store.strings[t] for t in encoded["t"]]
            start = encoded["i"]
            parts.append('<div class="bk-control">')
            parts.append(f'<label for="{cid}">{_esc(control.label)}</label>')
            if isinstance(control, Slider):
                parts.append(
                    f'<input type="range" id="{cid}" name="{control.name}" min="0" max="{len(texts) - 1}" step="1" '
                    f'value="{start}" aria-valuetext="{_esc(texts[start])}" disabled>'
                    f'<output class="bk-value" for="{cid}">{_esc(texts[start])}</output>'
                )
            else:
                options = "".join(
                    f'<option value="{i}"{" selected" if i == start else ""}>{_esc(text)}</option>'
                    for i, text in enumerate(texts)
                )
                parts.append(f'<select id="{cid}" name="{control.name}" disabled>{options}</select>')
            parts.append("</div>")
        payload = json.dumps(data, separators=(",", ":"), ensure_ascii=False).replace("</", "<\\/")
        parts += [
            "</div>",
            f'<p class="bk-description" id="{ident}-desc">{_esc(self.description)}</p>',
            f'<script type="application/json" class="bk-data">{payload}</script>',
            "</figure>",
        ]
        return "\n".join(parts)

    def _axes_svg(self) -> str:
        x_ticks, y_ticks = _ticks(*self.xlim, log=self._x.log), _ticks(*self.ylim, log=self._y.log)
        x_powers, y_powers = self._x.log and _powers_of_ten(x_ticks), self._y.log and _powers_of_ten(y_ticks)
        bottom, right = TOP + PLOT_H, LEFT + self._plot_w
        grid, labels = [], []
        for tick in x_ticks:
            px = _num(float(self._x(tick)))
            grid.append(f'<line x1="{px}" y1="{TOP}" x2="{px}" y2="{bottom}"/>')
            label = _tick_label(tick, x_powers)
            labels.append(f'<text x="{px}" y="{bottom + 18}" text-anchor="middle">{label}</text>')
        for tick in y_ticks:
            py = _num(float(self._y(tick)))
            grid.append(f'<line x1="{LEFT}" y1="{py}" x2="{right}" y2="{py}"/>')
            label = _tick_label(tick, y_powers)
            labels.append(f'<text x="{LEFT - 6}" y="{py}" text-anchor="end" dy="0.35em">{label}</text>')
        x_title = (
            f'<text x="{LEFT + self._plot_w / 2:g}" y="{HEIGHT - 8}" text-anchor="middle">{_esc(self.xlabel)}</text>'
        )
        y_mid = TOP + PLOT_H / 2
        y_title = (
            f'<text x="14" y="{y_mid:g}" text-anchor="middle" transform="rotate(-90 14 {y_mid:g})">'
            f"{_esc(self.ylabel)}</text>"
        )
        if self._y2 is not None:  # the right-hand axis: its ticks and title (no grid lines of its own)
            y2_ticks = _ticks(*self.y2lim, log=self._y2.log)
            y2_powers = self._y2.log and _powers_of_ten(y2_ticks)
            for tick in y2_ticks:
                py = _num(float(self._y2(tick)))
                label = _tick_label(tick, y2_powers)
                labels.append(f'<text x="{right + 6}" y="{py}" text-anchor="start" dy="0.35em">{label}</text>')
            x2 = WIDTH - 10
            y_title += (
                f'<text x="{x2}" y="{y_mid:g}" text-anchor="middle" transform="rotate(-90 {x2} {y_mid:g})">'
                f"{_esc(self.y2label)}</text>"
            )
        return (
            f'<g class="bk-grid" stroke="#d0d0d0" stroke-width="1">{"".join(grid)}</g>'
            f'<rect class="bk-frame" x="{LEFT}" y="{TOP}" width="{self._plot_w}" height="{PLOT_H}" fill="none" '
            'stroke="#595959"/>'
            f'<g class="bk-axis-text" fill="#1a1a1a">{"".join(labels)}{x_title}{y_title}</g>'
        )

    # -- PNG -------------------------------------------------------------------------------------------------------
    @property
    def png(self) -> bytes:
        """A matplotlib still at the initial values: what the PDF prints."""
        if self._png is None:
            self._png = self._render_png()
        return self._png

    def _render_png(self) -> bytes:
        import matplotlib as mpl
        from matplotlib.figure import Figure

        style = {"figure.dpi": 100, "axes.grid": True, "grid.alpha": 0.3, "font.size": 10}
        with mpl.rc_context(style):
            figure = Figure(figsize=(WIDTH / 100, HEIGHT / 100), dpi=100)
            ax = figure.add_subplot()
            ax2 = ax.twinx() if self.y2lim is not None else None
            marks = [*self.static, *self.initial_frame]
            for n, mark in enumerate(m for m in marks if not isinstance(m, Text)):
                target = ax2 if getattr(mark, "axis", "left") == "right" else ax
                _draw_matplotlib(target, mark, _color(mark.color, n if n < len(self.static) else n - len(self.static)))
            ax.set(xscale=self.xscale, yscale=self.yscale)
            ax.set(title=self.title, xlabel=self.xlabel, ylabel=self.ylabel, xlim=self.xlim, ylim=self.ylim)
            handles, labels = ax.get_legend_handles_labels()
            if ax2 is not None:
                ax2.set(yscale=self.y2scale, ylim=self.y2lim, ylabel=self.y2label)
                ax2.grid(False)
                more_handles, more_labels = ax2.get_legend_handles_labels()
                handles, labels = handles + more_handles, labels + more_labels
            if handles:
                (ax2 or ax).legend(handles, labels, loc="best", fontsize=9)
            readout = self._readout(self.initial_frame)
            bottom = 0.0
            if readout:
                lines = readout.count("\n") + 1
                figure.text(0.5, 0.02, readout, ha="center", va="bottom", fontsize=10)
                bottom = 0.02 + 0.055 * lines
            figure.tight_layout(rect=(0, bottom, 1, 1))
            buffer = io.BytesIO()
            figure.savefig(buffer, format="png", metadata={"Software": None})
        return buffer.getvalue()

    # -- display ---------------------------------------------------------------------------------------------------
    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> tuple[dict, dict]:
        bundle = {
            "text/html": self.html,
            "image/png": base64.b64encode(self.png).decode("ascii"),
            "text/plain": self.description,
        }
        metadata = {"bookkit": {"key": self.key, "caption": self.caption}}
        return bundle, metadata

    def __repr__(self) -> str:
        return f"<InteractiveFigure {self.key!r}: {len(self.frames)} frames>"


#: The public name: ``interactive_figure(key=..., ...)`` builds an :class:`InteractiveFigure`.
interactive_figure = InteractiveFigure


# --- helpers -------------------------------------------------------------------------------------------------------
def _scale(scale: str, name: str, key: str) -> str:
    if scale not in ("linear", "log"):
        raise ValueError(f"interactive_figure {key!r}: {name} must be 'linear' or 'log', got {scale!r}")
    return scale


def _limits(limits: Any, name: str, key: str, log: bool = False) -> tuple[float, float]:
    try:
        lo, hi = (float(v) for v in limits)
    except (TypeError, ValueError):
        message = f"interactive_figure {key!r}: {name} must be two numbers (low, high), got {limits!r}"
        raise ValueError(message) from None
    if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
        raise ValueError(f"interactive_figure {key!r}: {name} must be finite with low < high, got {limits!r}")
    if log and lo <= 0:
        raise ValueError(f"interactive_figure {key!r}: {name} of a log axis must be positive, got {limits!r}")
    return lo, hi


def _check_controls(controls: Sequence[Control], key: str) -> tuple[Control, ...]:
    controls = tuple(controls)
    if not controls:
        raise ValueError(f"interactive_figure {key!r}: at least one control (Slider or Select) is required")
    names = set()
    for control in controls:
        if not isinstance(control, Slider | Select):
            raise ValueError(f"interactive_figure {key!r}: controls must be Slider or Select, got {control!r}")
        if not NAME.match(control.name) or control.name in names:
            raise ValueError(
                f"interactive_figure {key!r}: control name {control.name!r} must be a unique Python identifier"
            )
        if not control.label:
            raise ValueError(f"interactive_figure {key!r}: control {control.name!r} needs a visible label")
        names.add(control.name)
    return controls


def _choices(control: Control) -> list[tuple[str, Any]]:
    """(text shown, value passed to frame) for each position of the control."""
    if isinstance(control, Slider):
        values = np.asarray(control.values)
        if values.ndim != 1 or len(values) < 2 or not np.issubdtype(values.dtype, np.number):
            raise ValueError(f"Slider {control.name!r}: values must be a 1-d sequence of at least two numbers")
        if not np.all(np.isfinite(values)):
            raise ValueError(f"Slider {control.name!r}: values must be finite")
        python = [value.item() for value in values]
        return [(_value_text(value, control.fmt), value) for value in python]
    options = control.options
    if isinstance(options, Mapping):
        pairs = [(str(text), value) for text, value in options.items()]
    else:
        pairs = [(str(value), value) for value in options]
    if len(pairs) < 2:
        raise ValueError(f"Select {control.name!r}: options must hold at least two choices")
    return pairs


def _initial_index(control: Control, grid: list[tuple[str, Any]], key: str) -> int:
    if control.initial is None:
        return 0
    for index, (text, value) in enumerate(grid):
        if isinstance(control, Slider):
            if abs(value - control.initial) <= 1e-9 * (1 + abs(control.initial)):
                return index
        elif value == control.initial or (isinstance(control.options, Mapping) and text == control.initial):
            return index
    raise ValueError(
        f"interactive_figure {key!r}: initial value {control.initial!r} of {control.name!r} is not one of its values"
    )


def _frame_index(positions: Sequence[int], sizes: Sequence[int]) -> int:
    index = 0
    for position, size in zip(positions, sizes, strict=True):
        index = index * size + position
    return index


def _check_marks(marks: Any, where: str, allow_text: bool) -> list[Mark]:
    if isinstance(marks, Line | Points | Bars | HLine | VLine | Text):
        marks = [marks]
    if not isinstance(marks, list | tuple):
        raise ValueError(f"{where} must return a list of marks (Line, Points, Bars, HLine, VLine, Text), got {marks!r}")
    for mark in marks:
        if not isinstance(mark, Line | Points | Bars | HLine | VLine | Text):
            raise ValueError(f"{where}: {mark!r} is not a mark (Line, Points, Bars, HLine, VLine, Text)")
        if isinstance(mark, Text) and not allow_text:
            raise ValueError(f"{where}: Text is a readout of one frame; it cannot be static")
        if isinstance(mark, Line | Points):
            x, y = np.asarray(mark.x, dtype=float), np.asarray(mark.y, dtype=float)
            if x.ndim != 1 or x.shape != y.shape:
                name = type(mark).__name__
                raise ValueError(f"{where}: {name} needs 1-d x and y of one length, got {x.shape}, {y.shape}")
        if isinstance(mark, Bars) and np.asarray(mark.x).shape != np.asarray(mark.height).shape:
            raise ValueError(f"{where}: Bars needs x and height of one length")
        if isinstance(mark, Points) and mark.marker not in MARKERS:
            raise ValueError(f"{where}: marker {mark.marker!r} is not one of {MARKERS}")
    return list(marks)


def _color(color: str | None, n: int) -> str:
    if color is None:
        return PALETTE[n % len(PALETTE)]
    from matplotlib.colors import to_hex

    try:
        return to_hex(color).upper()
    except ValueError:
        raise ValueError(f"interactive_figure: {color!r} is not a colour") from None


def _num(value: float) -> float | int:
    """A pixel coordinate rounded to a tenth, as the shortest JSON number (320 rather than 320.0)."""
    value = round(value, 1) + 0.0  # + 0.0 turns -0.0 into 0.0
    return int(value) if value.is_integer() else value


def _rounded(values: np.ndarray) -> list:
    return [_num(float(v)) for v in values]


def _clip_polyline(px: np.ndarray, py: np.ndarray, plot_w: float = PLOT_W) -> tuple[list, list]:
    """Pixel polyline clipped to the plot area grown by its own size on each side; None where the line breaks.

    Clipping keeps the numbers short and exact where they are drawn: a curve that runs off to 1e9 would otherwise
    store 1e9, and clamping the point instead would change the slope of the visible part.
    """
    box = (LEFT - plot_w, TOP - PLOT_H, LEFT + 2 * plot_w, TOP + 2 * PLOT_H)
    finite = np.isfinite(px) & np.isfinite(py)
    inside = finite & (px >= box[0]) & (px <= box[2]) & (py >= box[1]) & (py <= box[3])
    xs: list = []
    ys: list = []
    if np.all(inside | ~finite):  # the usual case: nothing to clip, NaN breaks the line
        for x, y, ok in zip(px, py, finite, strict=True):
            if ok:
                xs.append(_num(float(x)))
                ys.append(_num(float(y)))
            elif xs and xs[-1] is not None:
                xs.append(None)
                ys.append(None)
    else:
        last = None
        for i in range(len(px) - 1):
            if not (finite[i] and finite[i + 1]):
                continue
            segment = _clip_segment(px[i], py[i], px[i + 1], py[i + 1], box)
            if segment is None:
                continue
            (x0, y0), (x1, y1) = segment
            if last != (x0, y0):
                if xs:
                    xs.append(None)
                    ys.append(None)
                xs.append(_num(x0))
                ys.append(_num(y0))
            xs.append(_num(x1))
            ys.append(_num(y1))
            last = (x1, y1)
    return _without_lone_points(xs, ys)


def _without_lone_points(xs: list, ys: list) -> tuple[list, list]:
    """Drop runs of a single point (they draw nothing) and trailing breaks."""
    out_x: list = []
    out_y: list = []
    run: list = []
    for point in [*zip(xs, ys, strict=True), (None, None)]:
        if point[0] is not None:
            run.append(point)
            continue
        if len(run) > 1:
            if out_x:
                out_x.append(None)
                out_y.append(None)
            out_x.extend(x for x, _ in run)
            out_y.extend(y for _, y in run)
        run = []
    return out_x, out_y


def _clip_segment(
    x0: float, y0: float, x1: float, y1: float, box: tuple[float, float, float, float]
) -> tuple[tuple[float, float], tuple[float, float]] | None:
    """Liang-Barsky: the part of the segment inside ``box`` (xmin, ymin, xmax, ymax), or None."""
    dx, dy = x1 - x0, y1 - y0
    t0, t1 = 0.0, 1.0
    for p, q in ((-dx, x0 - box[0]), (dx, box[2] - x0), (-dy, y0 - box[1]), (dy, box[3] - y0)):
        if p == 0:
            if q < 0:
                return None
            continue
        t = q / p
        if p < 0:
            t0 = max(t0, t)
        else:
            t1 = min(t1, t)
        if t0 > t1:
            return None
    start = (float(x0), float(y0)) if t0 == 0 else (float(x0 + t0 * dx), float(y0 + t0 * dy))
    end = (float(x1), float(y1)) if t1 == 1 else (float(x0 + t1 * dx), float(y0 + t1 * dy))
    return start, end


def _ticks(lo: float, hi: float, log: bool = False) -> list[float]:
    from matplotlib.ticker import MaxNLocator

    if log:  # powers of ten (every other one, or more sparsely, when there are many)
        first, last = math.ceil(math.log10(lo) - 1e-9), math.floor(math.log10(hi) + 1e-9)
        step = max(1, math.ceil((last - first + 1) / 7))
        decades = [10.0**k for k in range(first, last + 1, step)]
        if len(decades) >= 2:
            return decades
        from matplotlib.ticker import LogLocator

        ticks = LogLocator(subs=(1.0, 2.0, 5.0)).tick_values(lo, hi)
        return [float(f"{t:.10g}") for t in ticks if lo * (1 - 1e-9) <= t <= hi * (1 + 1e-9)]

    ticks = MaxNLocator(nbins=6, steps=[1, 2, 2.5, 5, 10]).tick_values(lo, hi)
    span = hi - lo
    return [float(t) for t in ticks if lo - 1e-9 * span <= t <= hi + 1e-9 * span]


SUPERSCRIPT = str.maketrans("-0123456789", "\u207b\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079")


def _powers_of_ten(ticks: list[float]) -> bool:
    return all(t > 0 and math.log10(t).is_integer() for t in ticks)


def _tick_label(value: float, power: bool = False) -> str:
    """``value`` as a tick label; ``power``: written as a power of ten, as matplotlib does on a log axis (10⁻²)."""
    value = float(f"{value:.10g}") + 0.0
    if power:
        return "10" + str(round(math.log10(value))).translate(SUPERSCRIPT)
    return f"{value:g}".replace("-", MINUS)


def _value_text(value: Any, fmt: str | None) -> str:
    if fmt is not None:
        text = format(value, fmt)
    elif isinstance(value, float):
        text = f"{value:.6g}"
    else:
        text = str(value)
    return text.replace("-", MINUS) if isinstance(value, int | float) else text


def _esc(text: str) -> str:
    return html.escape(str(text), quote=True)


def _readout_html(text: str) -> str:
    return "<br>".join(_esc(line) for line in text.split("\n")) if text else ""


def _path(xs: list, ys: list) -> str:
    commands, pen_down = [], False
    for x, y in zip(xs, ys, strict=True):
        if x is None:
            pen_down = False
            continue
        commands.append(f"{'L' if pen_down else 'M'}{x} {y}")
        pen_down = True
    return "".join(commands)


def _marks_svg(marks: list[list[int]], store: _Store) -> str:
    """SVG of encoded marks (the page script draws the same from the same data)."""
    out = []
    for style_index, *array_indices in marks:
        style = store.styles[style_index]
        arrays = [store.arrays[i] for i in array_indices]
        color = style["c"]
        if style["k"] == "line":
            dash = ' stroke-dasharray="6 4"' if style["d"] else ""
            out.append(
                f'<path d="{_path(*arrays)}" fill="none" stroke="{color}" stroke-width="{style["w"]:g}"'
                f' stroke-linejoin="round"{dash}/>'
            )
        elif style["k"] == "points":
            out.append(f'<g fill="{color}" stroke="#ffffff" stroke-width="0.75">')
            out.extend(_marker(style["m"], x, y, style["s"]) for x, y in zip(*arrays, strict=True))
            out.append("</g>")
        else:
            out.append(f'<g fill="{color}">')
            out.extend(f'<rect x="{x}" y="{y}" width="{w}" height="{h}"/>' for x, y, w, h in zip(*arrays, strict=True))
            out.append("</g>")
    return "".join(out)


def _marker(marker: str, x: float, y: float, size: float) -> str:
    if marker == "o":
        return f'<circle cx="{x}" cy="{y}" r="{size:g}"/>'
    if marker == "s":
        return f'<rect x="{_num(x - size)}" y="{_num(y - size)}" width="{2 * size:g}" height="{2 * size:g}"/>'
    left, right, top, bottom = _num(x - size), _num(x + size), _num(y - size), _num(y + size)
    if marker == "^":
        return f'<path d="M{_num(x)} {top}L{right} {bottom}L{left} {bottom}Z"/>'
    return f'<path d="M{_num(x)} {top}L{right} {_num(y)}L{_num(x)} {bottom}L{left} {_num(y)}Z"/>'


def _legend_html(marks: list[list[int]], store: _Store) -> str:
    items = []
    for style_index, *_ in marks:
        style = store.styles[style_index]
        if "l" not in style:
            continue
        color = style["c"]
        if style["k"] == "line":
            dash = ' stroke-dasharray="6 4"' if style["d"] else ""
            swatch = f'<line x1="0" y1="6" x2="24" y2="6" stroke="{color}" stroke-width="{style["w"]:g}"{dash}/>'
        elif style["k"] == "points":
            swatch = _marker(style["m"], 12, 6, min(style["s"], 5)).replace("/>", f' fill="{color}"/>')
        else:
            swatch = f'<rect x="4" y="1" width="16" height="10" fill="{color}"/>'
        items.append(f'<li><svg width="24" height="12" aria-hidden="true">{swatch}</svg>{_esc(style["l"])}</li>')
    return "".join(items)


def _draw_matplotlib(ax: Any, mark: Mark, color: str) -> None:
    label = mark.label or None
    if isinstance(mark, Line):
        ax.plot(mark.x, mark.y, color=color, lw=mark.width, ls="--" if mark.dash else "-", label=label)
    elif isinstance(mark, HLine):
        ax.axhline(mark.y, color=color, lw=mark.width, ls="--" if mark.dash else "-", label=label)
    elif isinstance(mark, VLine):
        ax.axvline(mark.x, color=color, lw=mark.width, ls="--" if mark.dash else "-", label=label)
    elif isinstance(mark, Points):
        ax.plot(
            mark.x,
            mark.y,
            ls="none",
            marker=mark.marker,
            ms=2 * mark.size,
            color=color,
            mec="white",
            mew=0.75,
            label=label,
        )
    elif isinstance(mark, Bars):
        ax.bar(mark.x, mark.height, width=mark.width, color=color, label=label)
