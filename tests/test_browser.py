"""The built book in a real browser (headless Chromium driven by Playwright): run by `make browser-test`.

Checks what a reader sees, offline (the browser resolves no host but 127.0.0.1): maths typeset by the locally
served MathJax with its assistive MathML, every image loaded, launch and download buttons present and reachable by
keyboard with a visible focus, no console errors; every page of the book passes axe-core's WCAG 2.1 AA rules in
light and dark mode; and a chapter opens in the book's JupyterLite site, whose kernel starts from the Pyodide core
the site serves. Saves screenshots to _build/screenshots/.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import re
import shutil
import threading
import time
from pathlib import Path

import pytest
from book_html import HTML, all_pages, book_pages

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = pytest.mark.skipif(
    os.environ.get("BROWSER_TEST") != "1" or not (HTML / "index.html").is_file() or not os.path.exists(CHROMIUM),
    reason="browser test: run `make browser-test` (builds the book, needs Debian's chromium)",
)
PAGES = [
    "intro",
    "chapters/sigmoid",
    "chapters/gradient_descent",
    "chapters/marks",
    "chapters/breast_cancer",
    "glossary",
]
SCREENSHOTS = HTML.parent / "screenshots"
# Upstream console noise, harmless and outside this project: Jupyter Book 1.0.4 adds sphinx-thebe's inline config
# script twice (the second `const` declaration throws), and pydata-sphinx-theme logs an error on a first visit,
# before any colour mode is stored. Anything else logged as an error fails the test.
KNOWN_UPSTREAM_ERRORS = ("Identifier 'THEBE_JS_URL' has already been declared", "Got invalid theme mode: .")
CHROMIUM_FLAGS = [
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",  # offline: every other host fails to resolve
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def site():
    """Serve the built HTML on loopback, as a reader's browser would load it."""
    handler = functools.partial(QuietHandler, directory=str(HTML))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


def open_page(browser, url):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []

    def record(text: str) -> None:
        if not text.startswith(KNOWN_UPSTREAM_ERRORS):
            errors.append(text)

    page.on("console", lambda message: record(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: record(str(error)))
    page.goto(url, wait_until="networkidle")
    return page, errors


@pytest.mark.parametrize("path", PAGES)
def test_page_renders_maths_and_images_without_errors(browser, site, path):
    page, errors = open_page(browser, f"{site}/{path}.html")
    if path.startswith("chapters/"):
        page.wait_for_selector("mjx-container", state="attached", timeout=20_000)
        assert page.locator("mjx-container").count() > 3, "MathJax typeset the maths"
        page.wait_for_selector("mjx-assistive-mml", state="attached", timeout=20_000)
        assert page.locator("mjx-assistive-mml").count() == page.locator("mjx-container").count(), (
            "every formula carries MathML for screen readers"
        )
        body = page.inner_text("article")
        assert "$$" not in body and "\\frac" not in body, "no raw TeX left on the page"
    broken = page.evaluate(
        "Array.from(document.images).filter(i => i.offsetParent !== null && !(i.complete && i.naturalWidth > 0))"
        ".map(i => i.src)"
    )
    assert broken == []
    assert errors == []
    page.close()


def test_launch_and_download_buttons(browser, site):
    page, _ = open_page(browser, f"{site}/chapters/marks.html")
    html = page.content()
    for target in (
        "mybinder.org",
        "colab.research.google.com",
        "_sources/chapters/marks.ipynb",
        "../lite/notebooks/index.html?path=chapters/marks.ipynb",
    ):
        assert target in html, f"missing button: {target}"
    if os.environ.get("JUPYTERHUB_URL"):
        assert "hub/user-redirect/git-pull" in html, "JupyterHub (nbgitpuller) button"
    page.close()


@pytest.mark.parametrize(("path", "name"), [("chapters/sigmoid", "sigmoid"), ("chapters/marks", "marks")])
def test_screenshots(browser, site, path, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page, _ = open_page(browser, f"{site}/{path}.html")
    page.wait_for_selector("mjx-container", state="attached", timeout=20_000)
    target = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(target), full_page=False)
    assert target.stat().st_size > 20_000
    page.emulate_media(color_scheme="dark")
    page.evaluate("document.documentElement.dataset.theme = 'dark'")
    page.screenshot(path=str(SCREENSHOTS / f"{name}-dark.png"), full_page=False)
    page.close()


# --- keyboard ------------------------------------------------------------------------------------------------------
FOCUSED = """() => {
  const e = document.activeElement, s = getComputedStyle(e);
  return {label: (e.getAttribute('aria-label') || e.textContent).trim().slice(0, 60), href: e.getAttribute('href'),
          outline: [s.outlineStyle, parseFloat(s.outlineWidth)], shadow: s.boxShadow};
}"""


# Every visible code block and text output, measured: wider content than box means a sideways scroll bar.
SIDEWAYS = """() => Array.from(document.querySelectorAll('article pre'))
    .filter(pre => pre.offsetParent !== null && pre.scrollWidth > pre.clientWidth + 1)
    .map(pre => pre.innerText.split('\\n').reduce((a, b) => (b.length > a.length ? b : a), '').slice(0, 100))"""


@pytest.mark.parametrize(("width", "height"), [(1280, 800), (1440, 900)])
def test_no_code_block_scrolls_sideways(browser, site, width, height):
    """A laptop screen shows every code line and output whole (DEVELOPERS.md: code fits the page)."""
    page = browser.new_page(viewport={"width": width, "height": height})
    wide = {}
    for path in book_pages():
        if path.name == "index.html":
            continue  # it only redirects to the introduction
        page.goto(f"{site}/{path.relative_to(HTML).as_posix()}", wait_until="load")
        found = page.evaluate(SIDEWAYS)
        if found:
            wide[path.relative_to(HTML).as_posix()] = found
    page.close()
    assert wide == {}


def test_the_sideways_check_finds_a_wide_block(browser, site):
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.goto(f"{site}/chapters/sigmoid.html", wait_until="load")
    page.evaluate("() => { const pre = document.querySelector('article pre'); pre.textContent += 'x'.repeat(200); }")
    assert len(page.evaluate(SIDEWAYS)) == 1
    page.close()


def focus_is_visible(focused: dict) -> bool:
    """An outline, or a box-shadow ring of some width in a colour that is not transparent."""
    style, width = focused["outline"]
    shadow = focused["shadow"]
    ring = shadow != "none" and not shadow.startswith("rgba(0, 0, 0, 0)") and re.search(r"[1-9][\d.]*px", shadow)
    return (style != "none" and width > 0) or bool(ring)


def focused(page, settle_ms: int = 1000) -> dict:
    """The focused element, read again for up to ``settle_ms`` while its focus ring is not drawn yet: on a busy
    machine the first Tab can land before the stylesheets' focus rules apply. A ring that never appears fails."""
    state = page.evaluate(FOCUSED)
    for _ in range(settle_ms // 100):
        if focus_is_visible(state):
            break
        page.wait_for_timeout(100)
        state = page.evaluate(FOCUSED)
    return state


def tab_until(page, label: str, limit: int = 80) -> list[dict]:
    stops = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        stops.append(focused(page))
        if stops[-1]["label"] == label:
            return stops
    raise AssertionError(f"{label!r} not reached in {limit} Tab presses: {[stop['label'] for stop in stops]}")


def test_launch_and_download_menus_are_reachable_by_keyboard_with_visible_focus(browser, site):
    page, _ = open_page(browser, f"{site}/chapters/marks.html")
    stops = tab_until(page, "Launch interactive content")
    page.keyboard.press("Enter")
    entries = [focused(page)]
    for _ in range(6):
        if "lite/notebooks" in (entries[-1]["href"] or ""):
            break
        page.keyboard.press("ArrowDown")
        entries.append(focused(page))
    assert entries[-1]["label"] == "In your browser", [entry["label"] for entry in entries]
    page.keyboard.press("Escape")
    stops += entries + tab_until(page, "Download this page")
    page.keyboard.press("Enter")
    page.keyboard.press("ArrowDown")
    stops.append(focused(page))
    assert stops[-1]["href"].endswith("marks.ipynb"), stops[-1]
    assert [stop["label"] for stop in stops if not focus_is_visible(stop)] == []
    page.close()


# --- WCAG 2.1 AA with axe-core ---------------------------------------------------------------------------------------
AXE_JS = Path(os.environ.get("AXE_JS", HTML.parent.parent / ".axe_core/node_modules/axe-core/axe.min.js"))
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
MODES = ("light", "dark")
PAGES_FOR_AXE = [page.relative_to(HTML).as_posix() for page in all_pages()] if HTML.is_dir() else []


@pytest.fixture(scope="module")
def contexts(browser):
    """One browser context per colour mode: pydata-sphinx-theme reads the reader's choice from localStorage."""
    made = {}
    for mode in MODES:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.add_init_script(f"localStorage.setItem('mode', '{mode}')")
        made[mode] = context
    yield made
    for context in made.values():
        context.close()


@pytest.mark.skipif(not AXE_JS.is_file(), reason="axe-core not installed: `make browser-test` installs it")
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("path", PAGES_FOR_AXE)
def test_page_passes_wcag_21_aa(contexts, site, path, mode):
    page = contexts[mode].new_page()
    page.goto(f"{site}/{path}", wait_until="load")
    if page.locator('meta[http-equiv="refresh"]').count():  # index.html sends the reader on to the first page
        page.wait_for_url(lambda url: not url.endswith(path), timeout=10_000)
        page.wait_for_load_state("load")
    page.evaluate("async () => { if (window.MathJax?.startup?.promise) await MathJax.startup.promise; }")
    assert page.evaluate("document.documentElement.dataset.theme") == mode
    page.add_script_tag(path=str(AXE_JS))
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        WCAG_21_AA,
    )
    page.close()
    found = [
        f"{violation['id']} ({violation['impact']}) on {path}, {mode} mode: {node['html'][:200]} at {node['target']}"
        for violation in result["violations"]
        for node in violation["nodes"]
    ]
    assert found == [], "\n".join(found)


# --- the chapter in the browser (JupyterLite) -------------------------------------------------------------------
LITE_CHAPTER = "chapters/sigmoid.ipynb"
CDN_WHEEL = re.compile(r"^https://cdn\.jsdelivr\.net/pyodide/v[\d.]+/full/[^/]+\.whl$")


def run_new_cell_above(page, code: str, index: int) -> str:
    """Insert a code cell above cell `index` (command mode `a`), type `code`, run it, return its output text."""
    page.locator(".jp-Notebook .jp-Cell").nth(index).click()
    page.keyboard.press("Escape")
    page.keyboard.press("a")
    page.keyboard.press("Enter")
    page.keyboard.type(code)
    page.keyboard.press("Shift+Enter")
    output = page.locator(".jp-Notebook .jp-Cell").nth(index).locator(".jp-OutputArea-output")
    output.first.wait_for(timeout=120_000)
    return output.first.inner_text()


def test_a_chapter_runs_in_the_browser_on_the_self_hosted_pyodide(browser, site):
    """Offline, the kernel starts from the site's own Pyodide core and runs pure Python; the set-up cell installs
    logreg and the glue stand-in from the site's wheels; the only requests that fail are wheels on the Pyodide CDN
    (numpy, scipy, scikit-learn, matplotlib and their dependencies), which a reader online gets from there."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    failed, errors, served = [], [], []
    context.on("requestfailed", lambda request: failed.append(request.url))
    context.on("response", lambda r: (errors if r.status >= 400 else served).append((r.status, r.url)))
    page = context.new_page()
    started = time.perf_counter()
    page.goto(f"{site}/lite/notebooks/index.html?path={LITE_CHAPTER}")
    page.wait_for_selector(".jp-Notebook .jp-CodeCell", timeout=60_000)
    data_line = (HTML / "lite" / "files" / "data" / "marks.txt").read_text().splitlines()[0]
    pure_python = 'import sys; print(sys.platform, 6 * 7, open("/drive/data/marks.txt").readline())'
    text = run_new_cell_above(page, pure_python, 0)
    kernel_seconds = time.perf_counter() - started
    assert text.split() == ["emscripten", "42", data_line], text
    core = f"{site}/lite/static/pyodide/"
    assert {"pyodide.asm.wasm", "python_stdlib.zip"} <= {url.removeprefix(core) for _, url in served}

    shipped = json.loads((HTML / "lite" / "files" / LITE_CHAPTER).read_text())["cells"]
    first_code = next(cell for cell in shipped if cell["cell_type"] == "code")
    assert "colab" in "".join(first_code["source"]).lower(), "the chapter's set-up cell comes first"
    assert first_code["metadata"]["jupyter"]["source_hidden"], "collapsed in the reader notebook"
    setup = page.locator(".jp-Notebook .jp-CodeCell").nth(1)  # after the cell inserted above it
    before = setup.locator(".jp-InputPrompt").inner_text()
    setup.locator(".jp-InputPrompt").click()  # select the collapsed cell and run it from command mode
    page.keyboard.press("Escape")
    page.keyboard.press("Shift+Enter")
    page.wait_for_function(
        "([cell, before]) => { const p = cell.querySelector('.jp-InputPrompt').textContent;"
        " return /\\[\\d+\\]/.test(p) && p !== before; }",
        arg=[setup.element_handle(), before],
        timeout=120_000,
    )
    check = (
        "import importlib.util as u, os; print([m for m in ('logreg', 'pooch', 'myst_nb') if u.find_spec(m)], "
        "os.environ['LOGREG_DATA_DIR'])"
    )
    installed = run_new_cell_above(page, check, 2)
    assert installed.strip() == "['logreg', 'pooch', 'myst_nb'] /drive/data", installed
    page.screenshot(path=str(SCREENSHOTS / "lite-sigmoid.png"))
    context.close()

    assert errors == [], "every file the site is asked for exists"
    assert failed, "offline, the CDN wheels cannot load"
    assert [url for url in failed if not CDN_WHEEL.match(url)] == [], "nothing else fails"
    print(f"Lite kernel ran its first cell {kernel_seconds:.1f} s after opening the chapter")


# --- self-check questions and interactive figures (issue 20) -------------------------------------------------------
# Every chapter page of the built book that has them, plus a throw-away book built here from the book's own
# configuration with one of each kind (so the widgets are checked even before the chapters use them).
ROOT = HTML.parent.parent
WIDGETS_FIGURE = """import numpy as np
from bookkit import Line, Points, Select, Slider, Text, VLine, interactive_figure

x = np.linspace(-6, 6, 121)


def frame(w, b):
    return [
        Line(x, 1 / (1 + np.exp(-(w * x + b))), label="σ(wx + b)", color="#0072B2"),
        Text(f"boundary at x = {-b / w:.2f}" if w != 0 else "no boundary: w = 0"),
    ]


interactive_figure(
    key="widgets-sigmoid",
    title="The sigmoid as w and b move",
    xlabel="x",
    ylabel="probability",
    xlim=(-6, 6),
    ylim=(0, 1),
    controls=[
        Slider("w", "weight w", values=np.round(np.linspace(-3, 3, 13), 2), initial=1.0),
        Slider("b", "intercept b", values=np.round(np.linspace(-4, 4, 17), 2), initial=1.0),
    ],
    frame=frame,
    static=[Points([-2, -1, 1, 3], [0, 0, 1, 1], label="data", color="#D55E00")],
    description="Moving w changes how steep the curve is; moving b slides it sideways.",
)"""
WIDGETS_SELECT = """interactive_figure(
    key="widgets-select",
    title="A curve to choose",
    xlabel="x",
    ylabel="y",
    xlim=(-6, 6),
    ylim=(-1, 1),
    controls=[Select("kind", "curve", ["linear", "cubic"], initial="linear")],
    frame=lambda kind: [Line(x, x / 6 if kind == "linear" else (x / 6) ** 3, label=kind), VLine(0.0), Text(kind)],
    description="Choosing the curve switches between a line and a cubic.",
)"""
WIDGETS_QUESTIONS = """## Check your understanding

```{self-check} If $\\\\sigma(z) = 0.9$, what are the odds of the positive class?
:label: sc-widgets-odds

- [ ] 0.9
  - That is the probability itself; the odds divide it by the probability of the other class.
- [x] 9
  - Right: $0.9 / 0.1 = 9$, nine to one.
- [ ] 0.1
  - That is the probability of the other class.

The odds are $p / (1 - p)$.
```

```{self-check} A miss costs as much as five false alarms. Above which probability should we predict "malignant"?
:label: sc-widgets-threshold
:answer-glue: widgets_threshold
:tolerance: 0.005

Predict malignant when $5p > 1 - p$, that is $p > 1/6$.
```
"""
WIDGETS_PAGE = "chapters/widgets.html"


def widget_pages(kind: str) -> list[str]:
    """Chapter pages of the built book with at least one element of class ``kind``."""
    pages = sorted((HTML / "chapters").glob("*.html")) if HTML.is_dir() else []
    return [page.relative_to(HTML).as_posix() for page in pages if f'class="{kind}' in page.read_text()]


@pytest.fixture(scope="module")
def widget_site(tmp_path_factory):
    """A throw-away book with the book's configuration and extensions, holding one of each widget; served."""
    import subprocess
    import sys

    import nbformat

    book = tmp_path_factory.mktemp("widgets_book")
    for name in ("_config.yml", "references.bib"):
        shutil.copy2(ROOT / name, book / name)
    for name in ("_ext", "book_static", "_templates"):
        shutil.copytree(ROOT / name, book / name, ignore=shutil.ignore_patterns("__pycache__"))
    if (ROOT / ".mathjax_static").is_dir():
        (book / ".mathjax_static").symlink_to(ROOT / ".mathjax_static")
    (book / "_toc.yml").write_text("format: jb-book\nroot: intro\nchapters:\n- file: chapters/widgets\n")
    (book / "intro.md").write_text("# Widgets\n\nA page of self-checks and interactive figures.\n")
    glue = nbformat.v4.new_code_cell('from myst_nb import glue\n\nglue("widgets_threshold", 1 / 6, display=False)')
    glue.metadata["tags"] = ["remove-cell"]
    cells = [
        nbformat.v4.new_markdown_cell("# Widgets\n\nFigures and questions, $x^2$."),
        nbformat.v4.new_code_cell(WIDGETS_FIGURE),
        nbformat.v4.new_code_cell(WIDGETS_SELECT),
        glue,
        nbformat.v4.new_markdown_cell(WIDGETS_QUESTIONS),
    ]
    notebook = nbformat.v4.new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    (book / "chapters").mkdir()
    nbformat.write(notebook, book / "chapters" / "widgets.ipynb")
    command = [str(Path(sys.executable).parent / "jupyter-book"), "build", str(book), "-W", "-n", "--keep-going"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    handler = functools.partial(QuietHandler, directory=str(book / "_build" / "html"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def widget_targets(kind: str) -> list[tuple[str, str]]:
    return [("widgets", WIDGETS_PAGE)] + [("book", page) for page in widget_pages(kind)]


def open_widget_page(request, browser, where: str, path: str):
    """The page, its console errors, and every URL it requested."""
    site = request.getfixturevalue("widget_site" if where == "widgets" else "site")
    page, errors = open_page(browser, f"{site}/{path}")
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    page.reload(wait_until="networkidle")  # again, now that requests are recorded from the start
    page.evaluate("async () => { if (window.MathJax?.startup?.promise) await MathJax.startup.promise; }")
    return page, errors, requested, site


def status_of(question):
    status = question.locator('[role="status"][aria-live="polite"]')
    assert status.count() == 1, "the question's feedback is announced (aria-live)"
    return status


def answer_wrongly_then_rightly(page, question) -> None:
    """Keyboard only: a wrong answer shows its feedback, the right one says so and shows the explanation."""
    status = status_of(question)
    explanation = question.locator(".sc-explanation")
    if question.get_attribute("data-kind") == "choice":
        wrong = question.locator('input[type="radio"]:not([data-correct])').first
        wrong.focus()
        page.keyboard.press("Space")
        question.locator(".sc-check").press("Enter")
        assert status.inner_text().startswith("Not quite")
        shows_its_feedback = "([s, f]) => s.innerHTML.includes(f.innerHTML) && f.innerHTML.trim() !== ''"
        feedback = wrong.locator("xpath=..").locator(".sc-option-feedback")
        assert page.evaluate(shows_its_feedback, [status.element_handle(), feedback.element_handle()])
        assert explanation.count() == 0 or not explanation.is_visible()
        right = question.locator('input[type="radio"][data-correct]')
        right.focus()
        page.keyboard.press("Space")
        question.locator(".sc-check").press("Enter")
    else:
        answer, tolerance = (
            float(question.get_attribute("data-answer")),
            float(question.get_attribute("data-tolerance")),
        )
        field = question.locator(".sc-input")
        field.focus()
        page.keyboard.type(repr(answer + 3 * tolerance + 1))
        page.keyboard.press("Enter")
        assert status.inner_text().startswith("Not quite") and "too high" in status.inner_text()
        field.fill("")
        field.focus()
        page.keyboard.type(question.get_attribute("data-answer-text"))
        page.keyboard.press("Enter")
    assert status.inner_text().startswith("Correct"), status.inner_text()
    assert explanation.count() == 0 or explanation.is_visible()


@pytest.mark.parametrize(("where", "path"), widget_targets("self-check"))
def test_self_checks_answer_back_offline(request, browser, where, path):
    page, errors, requested, site = open_widget_page(request, browser, where, path)
    questions = page.locator(".self-check")
    assert questions.count() > 0
    kinds = {questions.nth(i).get_attribute("data-kind") for i in range(questions.count())}
    # one question per chapter page; on the throw-away page one of each kind
    for kind in sorted(kinds) if where == "widgets" else [questions.first.get_attribute("data-kind")]:
        answer_wrongly_then_rightly(page, page.locator(f'.self-check[data-kind="{kind}"]').first)
    assert [url for url in requested if not url.startswith(site)] == [], "no request leaves the book's server"
    assert errors == []
    page.close()


def move_every_control(page, figure) -> None:
    """Each control by keyboard (focus, then an arrow key): the SVG redraws, the value and the readout follow."""
    import json

    data = json.loads(figure.locator("script.bk-data").text_content())
    controls = figure.locator("input[type=range], select")
    assert controls.count() == len(data["controls"]) > 0
    for k in range(controls.count()):
        control = controls.nth(k)
        ident = control.get_attribute("id")
        assert control.is_enabled(), f"{ident}: the page script enabled it"
        assert figure.locator(f'label[for="{ident}"]').is_visible(), f"{ident}: a visible label"
        size, before = len(data["controls"][k]["t"]), int(control.input_value())
        drawn = figure.locator(".bk-marks").inner_html()
        is_range = control.get_attribute("type") == "range"
        key = (
            ("ArrowRight" if is_range else "ArrowDown")
            if before < size - 1
            else ("ArrowLeft" if is_range else "ArrowUp")
        )
        control.focus()
        page.keyboard.press(key)
        after = int(control.input_value())
        assert after != before, f"{ident}: {key} moved it"
        assert figure.locator(".bk-marks").inner_html() != drawn, f"{ident}: the drawing changed"
        positions = [int(controls.nth(j).input_value()) for j in range(controls.count())]
        index = 0
        for control_data, position in zip(data["controls"], positions, strict=True):
            index = index * len(control_data["t"]) + position
        expected = data["strings"][data["frames"][index][0]]
        assert figure.locator(".bk-readout").inner_text().strip() == expected.strip(), f"{ident}: the readout"
        value = data["strings"][data["controls"][k]["t"][after]]
        if is_range:
            assert control.get_attribute("aria-valuetext") == value
            assert figure.locator(f'output[for="{ident}"]').inner_text() == value, f"{ident}: its current value"


@pytest.mark.parametrize(("where", "path"), widget_targets("interactive-figure"))
def test_interactive_figures_move_by_keyboard_offline(request, browser, where, path):
    page, errors, requested, site = open_widget_page(request, browser, where, path)
    figures = page.locator(".interactive-figure")
    assert figures.count() > 0
    for i in range(figures.count()):
        figure = figures.nth(i)
        assert figure.locator("svg.bk-plot[role=img]").count() == 1
        assert figure.locator('.bk-readout[aria-live="polite"]').count() == 1
        move_every_control(page, figure)
    assert [url for url in requested if not url.startswith(site)] == [], "no request leaves the book's server"
    assert errors == []
    page.close()


@pytest.mark.skipif(not AXE_JS.is_file(), reason="axe-core not installed: `make browser-test` installs it")
@pytest.mark.parametrize("mode", MODES)
def test_widgets_pass_wcag_21_aa_before_and_after_use(browser, widget_site, mode):
    """The throw-away page (the book's pages are in test_page_passes_wcag_21_aa), also with feedback shown."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_init_script(f"localStorage.setItem('mode', '{mode}')")
    page = context.new_page()
    page.goto(f"{widget_site}/{WIDGETS_PAGE}", wait_until="networkidle")
    page.evaluate("async () => { if (window.MathJax?.startup?.promise) await MathJax.startup.promise; }")
    assert page.evaluate("document.documentElement.dataset.theme") == mode
    page.add_script_tag(path=str(AXE_JS))
    run_axe = (
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})"
    )
    found = []
    for state in ("fresh", "answered"):
        if state == "answered":
            for i in range(page.locator(".self-check").count()):
                question = page.locator(".self-check").nth(i)
                question.locator(".sc-reveal").click()
            page.locator(".interactive-figure input[type=range]").first.press("ArrowRight")
        result = page.evaluate(run_axe, WCAG_21_AA)
        found += [
            f"{violation['id']} ({violation['impact']}), {mode} mode, {state}: {node['html'][:200]}"
            for violation in result["violations"]
            for node in violation["nodes"]
        ]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"widgets-{mode}.png"), full_page=True)
    context.close()
    assert found == [], "\n".join(found)
