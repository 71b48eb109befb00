"""Every chapter reads like a textbook: few quoted numbers, no machinery on the page, not too long.

The limits are DEVELOPERS.md's: at most 1.5 glued numbers per 100 words of prose, about 2,000 words of prose,
every ``glue(...)`` call in a hidden cell, and no word about how the book is made or checked.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))

_spec = importlib.util.spec_from_file_location("prose_stats", ROOT / "scripts" / "prose_stats.py")
prose_stats = importlib.util.module_from_spec(_spec)
sys.modules["prose_stats"] = prose_stats
_spec.loader.exec_module(prose_stats)


@pytest.fixture(scope="module", params=CHAPTERS, ids=lambda path: path.stem)
def chapter(request) -> prose_stats.ProseStats:
    return prose_stats.stats(request.param)


def test_few_numbers_in_the_prose(chapter):
    assert chapter.glued_per_100_words <= prose_stats.MAX_GLUED_PER_100_WORDS, (
        f"{chapter.glued} glued numbers in {chapter.words} words: let outputs and hidden asserts carry the rest"
    )


def test_not_too_long(chapter):
    assert chapter.words <= prose_stats.MAX_PROSE_WORDS, (
        f"{chapter.words} words of prose: tighten them (collapsed blocks, self-checks and exercises count too)"
    )


def test_no_machinery_on_the_page(chapter):
    assert chapter.process_words == ()


def test_glue_calls_are_hidden(chapter):
    assert chapter.visible_glue_cells == 0, "scripts/hide_glue.py moves them into hidden cells"


# --- the checker itself --------------------------------------------------------------------------------------


def test_process_words_are_caught():
    text = (
        "The seed article says so. It meets the speed bar. The unit tests check it; outputs are not compared. "
        "When this page was built it took 3 s. The issue asks for 1e-6."
    )
    kinds = {found.split(":")[0] for found in prose_stats.process_words(text)}
    assert kinds == {"seed", "bar", "unit tests", "compared", "built", "issue"}


def test_statistics_words_are_not_process_words():
    text = (
        "A Wald test on the test set, compared with a likelihood-ratio test; error bars; a bar chart; "
        "the random state is fixed."
    )
    assert prose_stats.process_words(text) == []


def test_words_and_glued_numbers_are_counted_in_prose_only():
    markdown = (
        "# Title\n\nThe fit reaches {glue:text}`x_acc:.3f` on $n = 100$ rows.\n\n"
        "```python\nprint('code is not prose')\n```\n\n"
        "```{admonition} For the curious\n:class: dropdown\nMore words here.\n```\n\n"
        "% a MyST comment\n$$\nJ(\\beta) = 0\n$$\n"
    )
    text = prose_stats.prose(markdown)
    assert text.count("GLUED") == 1
    # Title; The fit reaches 0 on rows; For the curious; More words here
    assert prose_stats.count_words(text.replace("GLUED", "0")) == 13


def test_a_visible_glue_call_is_found():
    visible = {"cell_type": "code", "metadata": {}, "source": ["x = 1\n", 'glue("x", x, display=False)']}
    hidden = {"cell_type": "code", "metadata": {"tags": ["remove-cell"]}, "source": ['glue("x", 1)']}
    assert prose_stats.visible_glue_calls(visible) and not prose_stats.visible_glue_calls(hidden)


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda path: path.stem)
def test_no_directive_title_with_inline_code_opens_a_backtick_fence(path):
    """CommonMark ends a backtick fence's info string at a backtick: ```{admonition} How `x` works is no directive
    but a code block that swallows the text up to the next fence (open such blocks with ~~~ or :::)."""
    import json
    import re

    bad = [
        line
        for cell in json.loads(path.read_text())["cells"]
        if cell["cell_type"] == "markdown"
        for line in "".join(cell["source"]).split("\n")
        if re.match(r"^\s*`{3,}\{[\w:-]+\}.*`", line)
    ]
    assert bad == []
