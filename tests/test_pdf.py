"""The whole book as one PDF (`make pdf` builds it, then runs this file). Skipped unless the PDF exists.

Read back with Debian's poppler-utils (pdftotext, pdfimages): every page of _toc.yml is in it under its title, every
cross-reference resolved (no "??"), every exercise with its solution, figures and typeset maths, and no ANSI colour
codes from cell outputs (they break xelatex).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest
import yaml
from book_html import HTML, PDF_NAME, is_stale

ROOT = Path(__file__).resolve().parent.parent
LATEX = ROOT / "_build" / "latex"
PDF = LATEX / PDF_NAME
pytestmark = pytest.mark.skipif(
    is_stale(PDF) or shutil.which("pdftotext") is None,
    reason="no PDF, or older than its sources: run `make pdf` (needs poppler-utils)",
)


def toc_sources() -> list[Path]:
    """The root page and every file _toc.yml lists, in book order."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    names = [toc["root"]] + [entry["file"] for part in toc.get("parts", []) for entry in part.get("chapters", [])]
    return [next(ROOT.glob(f"{name}.*")) for name in names]


def markdown_of(source: Path) -> str:
    if source.suffix == ".ipynb":
        cells = json.loads(source.read_text())["cells"]
        return "\n".join("".join(cell["source"]) for cell in cells if cell["cell_type"] == "markdown")
    return source.read_text()


def title_of(source: Path) -> str:
    return re.search(r"^# (.+)$", markdown_of(source), flags=re.MULTILINE).group(1)


def normalise(text: str) -> str:
    """Compare as a reader would: ligatures and typographic quotes/dashes folded, case and line breaks ignored."""
    text = unicodedata.normalize("NFKC", text)
    for typographic, plain in {"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-", "\u00ad": ""}.items():
        text = text.replace(typographic, plain)
    return " ".join(re.sub(r"[`*]", "", text).split()).lower()


@pytest.fixture(scope="module")
def text() -> str:
    return subprocess.run(["pdftotext", str(PDF), "-"], capture_output=True, text=True, check=True).stdout


@pytest.mark.parametrize("source", toc_sources(), ids=lambda path: path.stem)
def test_every_page_of_the_book_is_in_the_pdf(text, source):
    assert normalise(title_of(source)) in normalise(text)


def test_every_cross_reference_is_resolved(text):
    assert "??" not in text
    assert "There were undefined references" not in (LATEX / PDF.with_suffix(".log").name).read_text(errors="replace")


def test_every_exercise_has_its_solution_in_the_pdf(text):
    solutions = sum(markdown_of(source).count("{solution-start}") for source in toc_sources())
    assert solutions > 0
    assert normalise(text).count("solution to exercise") == solutions


def test_figures_and_maths_are_typeset(text):
    images = subprocess.run(["pdfimages", "-list", str(PDF)], capture_output=True, text=True, check=True).stdout
    figures = len(images.splitlines()) - 2  # two header lines
    shown = 0
    for source in toc_sources():
        if source.suffix == ".ipynb":
            for cell in json.loads(source.read_text())["cells"]:
                hidden = {"remove-cell", "remove-output"} & set(cell["metadata"].get("tags", []))
                if cell["cell_type"] == "code" and not hidden:
                    shown += sum("image/png" in output.get("data", {}) for output in cell["outputs"])
    assert figures >= shown > 0
    assert "\\frac" not in text and "$$" not in text, "no raw TeX left"
    assert "σ" in text or "𝜎" in text, "the sigmoid's symbol, typeset"


def test_no_ansi_colour_codes_reach_latex(text):
    assert "\x1b" not in (LATEX / PDF.with_suffix(".tex").name).read_text()
    assert not re.search(r"\[\d{1,2}(;\d+)*m", text)


@pytest.mark.skipif(is_stale(HTML / "intro.html"), reason="no HTML book, or older than its sources")
def test_the_website_offers_the_pdf():
    assert (HTML / PDF_NAME).read_bytes() == PDF.read_bytes()
    assert f'href="{PDF_NAME}"' in (HTML / "intro.html").read_text()


# --- self-check questions and interactive figures (issue 20) -------------------------------------------------------
ANSWERS_TITLE = "answers to the self-checks"  # _ext/self_check.py ANSWERS_TITLE


def self_checks_of(source: Path) -> int:
    return len(re.findall(r"^```\{self-check\}", markdown_of(source), flags=re.MULTILINE))


def test_self_check_answers_are_gathered_at_the_end_of_each_chapter(text):
    counts = [(source, self_checks_of(source)) for source in toc_sources()]
    counts = [(source, n) for source, n in counts if n]
    if not counts:
        pytest.skip("no self-check questions in the book yet")
    blocks = normalise(text).split(ANSWERS_TITLE)
    assert len(blocks) - 1 == len(counts), "one block of answers per chapter with questions"
    for (source, n), before, after in zip(counts, blocks[:-1], blocks[1:], strict=True):
        assert normalise(title_of(source)) in before, f"{source.stem}: its answers come after the chapter starts"
        for k in range(1, n + 1):
            assert f"self-check {k} " in before, f"{source.stem}: question {k} printed in place"
            assert f"self-check {k}. " in after, f"{source.stem}: answer {k} at the end of the chapter"


def interactive_figure_captions(source: Path) -> list[str]:
    if source.suffix != ".ipynb":
        return []
    cells = json.loads(source.read_text())["cells"]
    return [
        output["metadata"]["bookkit"]["caption"]
        for cell in cells
        if cell["cell_type"] == "code" and "remove-output" not in cell["metadata"].get("tags", [])
        for output in cell["outputs"]
        if "bookkit" in output.get("metadata", {})
    ]


def test_interactive_figures_print_their_still_with_its_caption(text):
    captions = [caption for source in toc_sources() for caption in interactive_figure_captions(source)]
    if not captions:
        pytest.skip("no interactive figures in the book yet")
    printed = normalise(text)
    assert [caption for caption in captions if normalise(caption)[:60] not in printed] == []
    assert "interactive-figure" not in printed and "bk-data" not in printed
