"""The built book in a real browser (headless Chromium driven by Playwright): run by `make browser-test`.

Checks what a reader sees: maths typeset by the locally served MathJax, every image loaded, launch and download
buttons present, no console errors. Saves screenshots to _build/screenshots/.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading

import pytest
from book_html import HTML

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
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def site():
    """Serve the built HTML on loopback, as a reader's browser would load it."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(HTML))
    handler.log_message = lambda *args: None
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
    for target in ("mybinder.org", "colab.research.google.com", "_sources/chapters/marks.ipynb"):
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
