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


def tab_until(page, label: str, limit: int = 80) -> list[dict]:
    stops = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        stops.append(page.evaluate(FOCUSED))
        if stops[-1]["label"] == label:
            return stops
    raise AssertionError(f"{label!r} not reached in {limit} Tab presses: {[stop['label'] for stop in stops]}")


def test_launch_and_download_menus_are_reachable_by_keyboard_with_visible_focus(browser, site):
    page, _ = open_page(browser, f"{site}/chapters/marks.html")
    stops = tab_until(page, "Launch interactive content")
    page.keyboard.press("Enter")
    entries = [page.evaluate(FOCUSED)]
    for _ in range(6):
        if "lite/notebooks" in (entries[-1]["href"] or ""):
            break
        page.keyboard.press("ArrowDown")
        entries.append(page.evaluate(FOCUSED))
    assert entries[-1]["label"] == "In your browser", [entry["label"] for entry in entries]
    page.keyboard.press("Escape")
    stops += entries + tab_until(page, "Download this page")
    page.keyboard.press("Enter")
    page.keyboard.press("ArrowDown")
    stops.append(page.evaluate(FOCUSED))
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

    setup = page.locator(".jp-Notebook .jp-CodeCell").nth(1)
    assert "colab" in setup.inner_text().lower(), "the chapter's set-up cell"
    before = setup.locator(".jp-InputPrompt").inner_text()
    setup.locator(".jp-InputArea-editor").click()
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
