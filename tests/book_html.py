"""Offline checks of the built HTML book: alt text on every image and internal links that resolve."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
HTML = ROOT / "_build" / "html"
#: the whole book as one PDF: `make pdf` builds it and copies it into the site (so does `make book` once it exists);
#: the intro links to it. Links to it count as broken only once it has been built (tests/test_pdf.py checks it).
PDF_NAME = "logreg-book.pdf"
#: what a build is made from: when any of these is newer than a built artefact, the artefact is stale
BOOK_SOURCES = ("chapters/*.ipynb", "*.md", "_toc.yml", "_config.yml", "references.bib", "logreg/*.py")


def is_stale(artefact: Path) -> bool:
    """True if ``artefact`` is missing or older than a source of the book (the checks of it would test an old book).

    ``make book``, ``make pdf`` and ``make browser-test`` rebuild before they check, so there it is never stale;
    a plain ``make test`` after editing a chapter skips the built-book checks instead of failing on the old build.
    """
    if not artefact.exists():
        return True
    newest = max(path.stat().st_mtime for pattern in BOOK_SOURCES for path in ROOT.glob(pattern))
    return artefact.stat().st_mtime < newest


PATH_LIKE_ALT = re.compile(r"(\.(png|jpe?g|svg|gif)$)|(^[./_]*_images/)", re.IGNORECASE)


class PageParser(HTMLParser):
    """Collects images, links and element ids of one page."""

    def __init__(self) -> None:
        super().__init__()
        self.images: list[dict[str, str | None]] = []
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if attributes.get("id"):
            self.ids.add(attributes["id"])
        if tag == "img":
            self.images.append(attributes)
        if tag == "a" and attributes.get("href"):
            self.links.append(attributes["href"])


class StartTags(HTMLParser):
    """The start tags of an HTML fragment with their attributes, in document order."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def find(self, tag: str, **attrs: str) -> list[dict]:
        """The attributes of every ``tag`` whose attributes include ``attrs``."""
        return [a for t, a in self.tags if t == tag and all(a.get(k) == v for k, v in attrs.items())]


def parse(page: Path) -> PageParser:
    parser = PageParser()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser


#: folders of the built site that hold no page of the book: copied static files, notebook sources, images, and the
#: JupyterLite application (lite/: JupyterLab's own HTML shells, built by scripts/build_lite.py).
NOT_PAGES = {"_static", "_sources", "_images", "lite"}


def all_pages(html: Path = HTML) -> list[Path]:
    """Every HTML page Sphinx wrote, generated ones (index, search, the proof index) included."""
    return sorted(page for page in html.rglob("*.html") if not NOT_PAGES & set(page.relative_to(html).parts))


def book_pages(html: Path = HTML) -> list[Path]:
    """Every page of the book, without Sphinx's generated index/search pages and copied static files."""
    skipped = {"genindex.html", "search.html"}
    return [page for page in all_pages(html) if page.name not in skipped]


def bad_images(html: Path = HTML) -> list[str]:
    """Images with no alt text, or an alt text that is only a file path (myst-nb's default)."""
    problems = []
    for page in book_pages(html):
        for image in parse(page).images:
            alt = (image.get("alt") or "").strip()
            if not alt or PATH_LIKE_ALT.search(alt) or len(alt.split()) < 2:
                problems.append(f"{page.relative_to(html)}: <img src={image.get('src')!r} alt={alt!r}>")
    return problems


def broken_links(html: Path = HTML) -> list[str]:
    """Internal links whose target page or #anchor does not exist."""
    ids: dict[Path, set[str]] = {}
    problems = []
    for page in book_pages(html):
        for href in parse(page).links:
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or href.startswith(("mailto:", "javascript:")):
                continue
            target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            if target.is_dir():
                target = target / "index.html"
            pdf_not_built = not (ROOT / "_build" / "latex" / PDF_NAME).is_file()
            if not target.is_file() and target.name == PDF_NAME and pdf_not_built:
                continue
            if not target.is_file():
                problems.append(f"{page.relative_to(html)}: {href} (no such file)")
                continue
            if parts.fragment and target.suffix == ".html":
                if target not in ids:
                    ids[target] = parse(target).ids
                if unquote(parts.fragment) not in ids[target]:
                    problems.append(f"{page.relative_to(html)}: {href} (no such anchor)")
    return problems
