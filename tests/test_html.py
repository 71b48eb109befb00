"""The built book: every image described, every internal link alive, maths served locally. Needs `make book`."""

import re

import pytest
from book_html import HTML, bad_images, book_pages, broken_links, is_stale

pytestmark = pytest.mark.skipif(
    is_stale(HTML / "index.html"), reason="no built book, or older than its sources: `make book`"
)


def test_the_book_has_its_pages():
    names = {page.stem for page in book_pages()}
    assert {"intro", "glossary", "bibliography", "teachers", "sigmoid", "marks", "newton_speed"} <= names


def test_every_image_has_meaningful_alt_text():
    assert bad_images() == []


def test_every_internal_link_resolves():
    assert broken_links() == []


def test_mathjax_is_served_from_the_book_not_a_cdn():
    page = (HTML / "chapters" / "sigmoid.html").read_text()
    scripts = re.findall(r'<script[^>]*src="([^"]*mathjax[^"]*)"', page, flags=re.IGNORECASE)
    assert scripts and all(not src.startswith(("http:", "https:", "//")) for src in scripts)
    assert (HTML / "_static" / "mathjax" / "tex-mml-chtml.js").is_file()


def test_notebook_pages_have_launch_and_download_buttons():
    page = (HTML / "chapters" / "marks.html").read_text()
    assert "mybinder.org/v2/gh/logreg-book/logreg-book" in page
    assert "colab.research.google.com/github/logreg-book/logreg-book" in page
    assert "_sources/chapters/marks.ipynb" in page, "download as .ipynb"


def test_every_page_states_the_licences_in_its_footer():
    for page in book_pages():
        if 'http-equiv="Refresh"' in page.read_text():
            continue  # index.html only redirects to the intro
        footer = page.read_text().split('<footer class="bd-footer-content', 1)[-1]
        assert "MIT licence" in footer and "CC BY 4.0" in footer, page.name


def test_the_intro_says_where_browser_packages_come_from_and_offers_the_pdf():
    intro = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", (HTML / "intro.html").read_text()))
    assert "numpy, scipy, scikit-learn and matplotlib are loaded from the Pyodide CDN" in intro
    assert "PDF of the whole book" in intro
