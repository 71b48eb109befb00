"""bookkit.interactive_figure: frames, determinism, the MIME bundle, and clear errors for bad input."""

from __future__ import annotations

import base64
import json
import re
import subprocess
import sys

import numpy as np
import pytest
from book_html import StartTags

from bookkit import Bars, HLine, Line, Points, Select, Slider, Text, VLine, interactive_figure
from bookkit.figure import LEFT, PLOT_H, PLOT_W, TOP, _clip_polyline

X = np.linspace(-6, 6, 121)


def sigmoid_frame(w, b):
    p = 1 / (1 + np.exp(-(w * X + b)))
    return [Line(X, p, label="σ(wx + b)"), Text(f"boundary at x = {-b / w:.2f}" if w != 0 else "no boundary: w = 0")]


def sigmoid_figure(**overrides):
    arguments = dict(
        key="sigmoid-weight-intercept",
        title="The sigmoid σ(wx + b) as w and b move",
        xlabel="x",
        ylabel="probability",
        xlim=(-6, 6),
        ylim=(0, 1),
        controls=[
            Slider("w", "weight w", values=np.round(np.linspace(-3, 3, 25), 2), initial=1.0),
            Slider("b", "intercept b", values=np.round(np.linspace(-4, 4, 17), 2), initial=0.0),
        ],
        frame=sigmoid_frame,
        static=[Points([-1, 0, 2], [0, 1, 1], label="data", color="#E69F00")],
        description="Moving w changes how steep the curve is; moving b slides it sideways.",
        caption="The sigmoid at w = 1, b = 0.",
    )
    return interactive_figure(**(arguments | overrides))


def data_of(html: str) -> dict:
    match = re.search(r'<script type="application/json" class="bk-data">(.*?)</script>', html, re.S)
    return json.loads(match.group(1).replace("<\\/", "</"))


@pytest.fixture(scope="module")
def figure():
    return sigmoid_figure()


def test_every_combination_of_control_values_is_one_frame_in_row_major_order(figure):
    data = data_of(figure.html)
    assert len(data["frames"]) == 25 * 17
    # frame index = index(w) * 17 + index(b): w = -3 (index 0), b = 4 (index 16) is frame 16
    readout = data["strings"][data["frames"][16][0]]
    assert readout == "boundary at x = 1.33"  # -b / w = 4 / 3
    assert data["controls"][0]["i"] == 16 and data["controls"][1]["i"] == 8  # w = 1.0, b = 0.0
    assert [data["strings"][t] for t in data["controls"][0]["t"]][:3] == ["−3", "−2.75", "−2.5"]


def test_frames_are_pixels_rounded_to_a_tenth_and_the_curve_is_where_the_sigmoid_is(figure):
    data = data_of(figure.html)
    initial = data["frames"][16 * 17 + 8]  # w = 1, b = 0
    _, x_index, y_index = initial[1]
    xs, ys = data["arrays"][x_index], data["arrays"][y_index]
    assert len(xs) == len(ys) == 121
    assert all(round(v, 1) == v for v in xs + ys)
    # x = 0 is the middle of the plot; sigmoid(0) = 0.5 is half way up
    assert xs[60] == LEFT + PLOT_W / 2 and ys[60] == TOP + PLOT_H / 2
    # the x grid is stored once for all 425 frames
    assert sum(1 for frame in data["frames"] if frame[1][1] == x_index) == 425


def test_output_is_the_same_bytes_on_every_run():
    code = (
        "import sys; sys.path.insert(0, 'tests'); from test_bookkit import sigmoid_figure; "
        "import hashlib; f = sigmoid_figure(); "
        "print(hashlib.sha256(f.html.encode()).hexdigest(), hashlib.sha256(f.png).hexdigest())"
    )
    runs = {
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout for _ in "12"
    }
    assert len(runs) == 1
    assert not re.search(r"\d{4}-\d\d-\d\d|[0-9a-f]{32}", sigmoid_figure().html)  # no timestamp, no random id


def test_mime_bundle_has_html_png_and_the_description_as_text(figure):
    bundle, metadata = figure._repr_mimebundle_()
    assert set(bundle) == {"text/html", "image/png", "text/plain"}
    assert bundle["text/plain"] == "Moving w changes how steep the curve is; moving b slides it sideways."
    png = base64.b64decode(bundle["image/png"])
    assert png.startswith(b"\x89PNG") and b"Software" not in png
    assert metadata == {"bookkit": {"key": "sigmoid-weight-intercept", "caption": "The sigmoid at w = 1, b = 0."}}


def test_html_contract_for_the_page_and_its_readers(figure):
    html = figure.html
    elements = StartTags(html)
    (outer,) = elements.find("figure")
    assert outer["class"] == "interactive-figure" and outer["id"] == "bk-sigmoid-weight-intercept"
    assert html.startswith("<figure") and html.rstrip().endswith("</figure>")
    ranges = elements.find("input", type="range")
    assert [r["id"] for r in ranges] == ["bk-sigmoid-weight-intercept-w", "bk-sigmoid-weight-intercept-b"]
    assert ranges[0]["min"] == "0" and ranges[0]["max"] == "24" and ranges[0]["value"] == "16"
    assert ranges[0]["aria-valuetext"] == "1"
    # each control has a visible label tied to it; the readout is announced; the SVG is a named, described image
    assert [label["for"] for label in elements.find("label")] == [r["id"] for r in ranges]
    assert elements.find("p", **{"class": "bk-readout", "aria-live": "polite"})
    (svg,) = elements.find("svg", **{"class": "bk-plot"})
    assert svg["role"] == "img" and svg["aria-labelledby"].endswith("-title")
    assert svg["aria-describedby"].endswith("-desc")
    assert "boundary at x = −0.00" not in html and "boundary at x = -0.00" in html  # readouts are the author's text
    # disabled until the book's page script takes over (a notebook shows a still)
    assert all("disabled" in r for r in ranges)


def test_initial_svg_draws_the_initial_frame_and_the_static_marks(figure):
    html = figure.html
    marks = re.search(r'<g class="bk-marks"[^>]*>(.*?)</g>\n', html, re.S).group(1)
    assert marks.startswith('<path d="M64 ') and 'stroke="#0072B2"' in marks
    assert "L344 180L" in marks  # the curve passes through (0, 0.5)
    static = re.search(r'<g class="bk-static"[^>]*>(.*?)</g></g>', html, re.S).group(1)
    assert static.count("<circle") == 3


def test_select_passes_the_option_values_and_shows_their_text():
    seen = []

    def frame(kind):
        seen.append(kind)
        return [Line([0, 1], [0, 1] if kind == 1 else [1, 0]), Text(f"kind {kind}")]

    figure = interactive_figure(
        key="select-demo",
        title="t",
        xlim=(0, 1),
        ylim=(0, 1),
        frame=frame,
        controls=[Select("kind", "Kind", {"rising": 1, "falling": 2}, initial=2)],
        description="d",
    )
    assert seen == [1, 2]
    elements = StartTags(figure.html)
    assert [o.get("selected", "-") for o in elements.find("option")] == ["-", None]
    assert ">rising</option>" in figure.html
    assert re.search(r'class="bk-readout"[^>]*>(.*?)</p>', figure.html).group(1) == "kind 2"


def test_every_mark_kind_renders_in_svg_and_png():
    def frame(t):
        return [
            Line([0, 1, np.nan, 2, 3], [0, t, np.nan, t, 0], label="broken", dash=True),
            Points([1, 2], [t, t], marker="s", label="points"),
            Bars([0.5, 2.5], [t, -t], width=0.5, label="bars"),
            HLine(0.5, label="half"),
            VLine(1.5),
            Text("first line"),
            Text("second line"),
        ]

    figure = interactive_figure(
        key="all-marks",
        title="All marks",
        xlim=(0, 3),
        ylim=(-1, 1),
        frame=frame,
        controls=[Slider("t", "t", [0.25, 0.5, 0.75], initial=0.5)],
        description="d",
    )
    html = figure.html
    assert html.count("<li>") == 4  # four labelled marks in the legend
    assert 'stroke-dasharray="6 4"' in html and "<rect x=" in html
    assert "first line<br>second line" in html
    path = re.search(r'<g class="bk-marks"[^>]*><path d="([^"]*)"', html).group(1)
    assert path.count("M") == 2  # NaN breaks the line into two segments
    assert figure.png.startswith(b"\x89PNG")


def test_lines_that_leave_the_plot_are_clipped_exactly_not_clamped():
    # a line from the middle of the plot straight up to 1e9 pixels: the stored part keeps its direction
    xs, ys = _clip_polyline(np.array([300.0, 400.0]), np.array([200.0, -1e9]))
    assert xs[0] == 300 and ys[0] == 200
    assert ys[1] == TOP - PLOT_H and abs(xs[1] - 300) < 0.1
    # NaN and infinity break the line
    xs, ys = _clip_polyline(np.array([100.0, 110, np.nan, 120, 130]), np.array([100.0, 110, 1, np.inf, 130]))
    assert xs == [100, 110] and ys == [100, 110]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"key": "Sigmoid Weight"}, "key 'Sigmoid Weight'"),
        ({"description": ""}, "description"),
        ({"xlim": (1, 1)}, "xlim"),
        ({"controls": []}, "at least one control"),
        ({"controls": [Slider("w", "w", [1, 2], initial=3)]}, "initial value 3 of 'w'"),
        ({"controls": [Slider("w", "w", [1.0])]}, "at least two numbers"),
        ({"controls": [Slider("w", "", [1, 2])]}, "visible label"),
        ({"controls": [Slider("w", "w", np.linspace(0, 1, 50)), Slider("b", "b", np.linspace(0, 1, 50))]}, "2500"),
        ({"frame": lambda w, b: "a line"}, "must return a list of marks"),
        ({"frame": lambda w, b: [Line([0, 1], [0])]}, "1-d x and y of one length"),
        ({"frame": lambda w, b: [Points([0], [0], marker="*")]}, "marker '*'"),
        ({"static": [Text("x")]}, "cannot be static"),
    ],
)
def test_bad_input_is_a_clear_value_error(overrides, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        sigmoid_figure(**overrides)


def test_the_frame_error_names_the_control_values():
    with pytest.raises(ValueError, match=r"frame\(w=-3\.0, b=-4\.0\)"):
        sigmoid_figure(frame=lambda w, b: None)


def test_the_pdf_prints_the_still_with_its_caption(tmp_path):
    """myst-nb picks the PNG for LaTeX; bookkit's MIME renderer plugin (pyproject entry point) adds the caption."""
    from importlib.metadata import entry_points

    import nbformat

    plugins = {entry.value for entry in entry_points(group="myst_nb.mime_renderers")}
    assert "bookkit.mystnb:StillWithCaption" in plugins, "no entry point: run `make venv`"

    figure = sigmoid_figure()
    bundle, metadata = figure._repr_mimebundle_()
    output = nbformat.v4.new_output("display_data", data=bundle, metadata=metadata)
    cells = [nbformat.v4.new_markdown_cell("# Figures"), nbformat.v4.new_code_cell("figure", outputs=[output])]
    source = tmp_path / "src"
    source.mkdir()
    notebook = nbformat.v4.new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(notebook, source / "index.ipynb")
    (source / "conf.py").write_text(
        'extensions = ["myst_nb"]\nnb_execution_mode = "off"\n'
        'latex_documents = [("index", "book.tex", "Book", "Author", "manual")]\n'
    )
    command = [sys.executable, "-m", "sphinx", "-b", "latex", "-W", "-q", str(source), str(tmp_path / "latex")]
    result = subprocess.run(command, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    tex = (tmp_path / "latex" / "book.tex").read_text()
    assert re.search(
        r"\\begin\{figure\}.*\\sphinxincludegraphics.*\.png\}.*\\caption\{The sigmoid at w = 1, b = 0\.\}", tex, re.S
    )
    assert "bk-data" not in tex and "interactive-figure" not in tex  # the HTML is not printed


def test_log_axes_map_powers_of_ten_evenly_and_drop_what_they_cannot_show():
    def frame(c):
        grid = np.logspace(-4, 4, 9)
        return [Line(grid, c * grid, label="line"), Points([0.0, 1.0], [1.0, 1.0]), Text(f"C = {c:g}")]

    figure = interactive_figure(
        key="log-axes",
        title="Log axes",
        xlim=(1e-4, 1e4),
        ylim=(1e-4, 1e4),
        xscale="log",
        yscale="log",
        frame=frame,
        controls=[Slider("c", "C", [0.1, 1.0, 10.0], initial=1.0)],
        description="d",
    )
    data = data_of(figure.html)
    _, x_index, y_index = data["frames"][1][1]
    xs, ys = data["arrays"][x_index], data["arrays"][y_index]
    # nine decades across 560 pixels: 70 pixels apart; y = x on equal log axes is the diagonal
    assert xs == [LEFT + 70 * k for k in range(9)]
    assert ys == [TOP + PLOT_H - PLOT_H / 8 * k for k in range(9)]
    # x = 0 has no place on a log axis: only the point at x = 1 is kept
    _, px, _ = data["frames"][1][2]
    assert data["arrays"][px] == [LEFT + PLOT_W / 2]
    assert "10⁻⁴" in figure.html and "10⁴" in figure.html
    with pytest.raises(ValueError, match="of a log axis must be positive"):
        interactive_figure(**{**LOG_ARGS, "xlim": (0, 1)})
    with pytest.raises(ValueError, match="xscale must be 'linear' or 'log'"):
        interactive_figure(**{**LOG_ARGS, "xscale": "symlog"})
    assert figure.png.startswith(b"\x89PNG")


LOG_ARGS = dict(
    key="log-bad",
    title="t",
    xlim=(1, 10),
    ylim=(0, 1),
    xscale="log",
    frame=lambda c: [Text("x")],
    controls=[Slider("c", "C", [1, 2])],
    description="d",
)


def test_a_right_hand_axis_measures_its_marks_and_narrows_the_plot():
    def frame(w):
        p = 1 / (1 + np.exp(-w * X))
        return [Line(X, p, label="probability"), Line(X, p / (1 - p), label="odds", axis="right", dash=True)]

    figure = interactive_figure(
        key="odds-axis",
        title="Probability and odds",
        xlim=(-6, 6),
        ylim=(0, 1),
        y2lim=(0.01, 100),
        y2scale="log",
        y2label="odds",
        frame=frame,
        controls=[Slider("w", "w", [0.5, 1.0], initial=1.0)],
        description="d",
    )
    data = data_of(figure.html)
    width = PLOT_W - 48
    assert f'<rect x="{LEFT}" y="{TOP}" width="{width}" height="{PLOT_H}"/>' in figure.html  # the clip path
    probability, odds = data["frames"][1][1:]
    xs, p_ys, o_ys = data["arrays"][probability[1]], data["arrays"][probability[2]], data["arrays"][odds[2]]
    assert xs[60] == LEFT + width / 2
    # at x = 0: probability 0.5 is half way up the left axis, odds 1 half way up the log right axis (0.01 .. 100)
    assert p_ys[60] == o_ys[60] == TOP + PLOT_H / 2
    assert 'text-anchor="start"' in figure.html and ">10²</text>" in figure.html and "rotate(-90 630" in figure.html
    assert figure.png.startswith(b"\x89PNG")
    with pytest.raises(ValueError, match="need y2lim"):
        interactive_figure(**{**LOG_ARGS, "xscale": "linear", "frame": lambda c: [Line([0, 1], [0, 1], axis="right")]})
    with pytest.raises(ValueError, match="'left' or 'right'"):
        interactive_figure(**{**LOG_ARGS, "xscale": "linear", "frame": lambda c: [Points([0], [0], axis="top")]})
