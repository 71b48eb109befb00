"""The ``{self-check}`` directive (_ext/self_check.py): parse, render to HTML and LaTeX, and refuse malformed input.

Each test builds a tiny Sphinx project of notebooks (myst-nb, not executed: the glue outputs are stored, as in the
book's chapters) in a temporary folder: the real chapters are not touched.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from book_html import StartTags

ROOT = Path(__file__).resolve().parent.parent
EXT = ROOT / "_ext"
sys.path.insert(0, str(EXT))
import self_check  # noqa: E402

CONF = f"""
import sys
sys.path.insert(0, {str(EXT)!r})
extensions = ["myst_nb", "self_check"]
nb_execution_mode = "off"
myst_enable_extensions = ["dollarmath", "colon_fence"]
exclude_patterns = ["_build"]
html_theme = "basic"
latex_documents = [("index", "book.tex", "Book", "Author", "manual")]
suppress_warnings = ["myst.header"]
"""

CHOICE = """```{self-check} If $\\sigma(z) = 0.9$, what are the odds of the positive class?
:label: sc-quiz-odds

- [ ] 0.9
  - That is the probability itself; the odds divide it by the probability of the other class.
- [x] 9
  - Right: $0.9 / 0.1 = 9$, nine to one.
- [ ] 0.1
  - That is the probability of the other class.

The odds are $p / (1 - p)$, here {glue:text}`quiz_odds:.0f` to one.
```"""

NUMERIC = """```{self-check} A miss costs five false alarms. Above which probability should we predict "malignant"?
:label: sc-quiz-threshold
:answer-glue: quiz_threshold
:tolerance: 0.005

Predict malignant when $5p > 1 - p$, that is $p > 1/6$.
```"""

LITERAL = """```{self-check} How many parameters has a logistic regression on two features with an intercept?
:label: sc-quiz-parameters
:answer: 3
:tolerance: 0.5
```"""


def glue_output(name: str, value: float) -> dict:
    """The output ``glue(name, value, display=False)`` stores in a notebook."""
    prefix = "application/papermill.record/"
    return nbformat.v4.new_output(
        "display_data",
        data={f"{prefix}text/plain": repr(value)},
        metadata={"scrapbook": {"name": name, "mime_prefix": prefix}},
    )


def notebook(*markdown: str, glue: dict[str, float] | None = None) -> str:
    code = nbformat.v4.new_code_cell("glue(...)", outputs=[glue_output(k, v) for k, v in (glue or {}).items()])
    code.metadata["tags"] = ["remove-cell"]
    cells = [nbformat.v4.new_markdown_cell("# Quiz"), code, *(nbformat.v4.new_markdown_cell(text) for text in markdown)]
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nbformat.writes(nb)


def build(tmp_path: Path, pages: dict[str, str], builder: str = "html") -> tuple[subprocess.CompletedProcess, Path]:
    source = tmp_path / "src"
    source.mkdir(exist_ok=True)
    (source / "conf.py").write_text(CONF)
    toctree = "\n".join(pages)
    (source / "index.md").write_text(f"# Book\n\n```{{toctree}}\n{toctree}\n```\n")
    for name, text in pages.items():
        (source / f"{name}.ipynb").write_text(text)
    out = tmp_path / builder
    result = subprocess.run(
        [sys.executable, "-m", "sphinx", "-b", builder, "-W", "-n", "--keep-going", "-q", "-E", str(source), str(out)],
        capture_output=True,
        text=True,
    )
    return result, out


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("self_check")
    pages = {
        "quiz": notebook(CHOICE, NUMERIC, LITERAL, glue={"quiz_threshold": 1 / 6, "quiz_odds": 9.0}),
        "plain": notebook("No questions here."),
    }
    result, out = build(tmp_path, pages)
    assert result.returncode == 0, result.stderr
    return out


def question_html(html: str, label: str) -> str:
    start = html.index(f'id="{label}"')
    start = html.rindex("<div", 0, start)
    end = html.find('<div class="self-check', start + 1)
    return html[start : end if end > 0 else None]


def test_multiple_choice_renders_radio_buttons_with_feedback_for_each_option(built):
    html = (built / "quiz.html").read_text()
    question = question_html(html, "sc-quiz-odds")
    tags = StartTags(question)
    (outer,) = tags.find("div", id="sc-quiz-odds")
    assert outer["class"].split()[0] == "self-check" and outer["data-kind"] == "choice"
    radios = tags.find("input", type="radio")
    assert [r["id"] for r in radios] == ["sc-quiz-odds-1", "sc-quiz-odds-2", "sc-quiz-odds-3"]
    assert {r["name"] for r in radios} == {"sc-quiz-odds"}
    assert ["data-correct" in r for r in radios] == [False, True, False]
    assert [label["for"] for label in tags.find("label")] == [r["id"] for r in radios]
    assert len(tags.find("div", **{"class": "sc-option-feedback", "hidden": None})) == 3
    assert "the odds divide it by the probability of the other class" in question
    assert tags.find("div", role="status", **{"aria-live": "polite"})
    assert [b["class"] for b in tags.find("button")] == ["sc-check", "sc-reveal"]
    assert tags.find("legend", **{"class": "sc-question"})
    # the [x] / [ ] markers are gone; math and glue are rendered
    assert "[x]" not in question and "[ ]" not in question
    assert '<span class="math notranslate nohighlight">' in question
    assert re.search(r'<span class="pasted-text">9</span> to one', question)


def test_numeric_question_takes_its_answer_from_the_glued_value(built):
    html = (built / "quiz.html").read_text()
    tags = StartTags(question_html(html, "sc-quiz-threshold"))
    (outer,) = tags.find("div", id="sc-quiz-threshold")
    assert outer["data-kind"] == "numeric"
    assert float(outer["data-answer"]) == pytest.approx(1 / 6, abs=1e-12)
    assert outer["data-tolerance"] == "0.005" and outer["data-answer-text"] == "0.167"
    (field,) = tags.find("input", **{"class": "sc-input"})
    assert tags.find("label", **{"for": field["id"]})
    (literal,) = StartTags(question_html(html, "sc-quiz-parameters")).find("div", id="sc-quiz-parameters")
    assert literal["data-answer"] == "3.0" and literal["data-answer-text"] == "3"
    assert html.count('id="sc-quiz-odds"') == 1


def test_scripts_are_served_locally_and_only_on_pages_with_questions(built):
    quiz, plain = (built / "quiz.html").read_text(), (built / "plain.html").read_text()
    assert '<script defer="defer" src="_static/self-check.js' in quiz and "self-check.css" in quiz
    assert "self-check.js" not in plain and "self-check.css" not in plain
    assert "interactive-figure.js" not in quiz
    assert (built / "_static" / "self-check.js").is_file()
    for asset in ("self-check.js", "self-check.css", "interactive-figure.js", "interactive-figure.css"):
        text = (EXT / "static" / asset).read_text()
        assert not re.search(r"https?://(?!www\.w3\.org/2000/svg)", text), asset  # nothing from another host


def test_latex_prints_questions_in_place_and_answers_at_the_end_of_the_chapter(tmp_path):
    pages = {
        "quiz": notebook(CHOICE, NUMERIC, "## Summary\n\nThe end.", glue={"quiz_threshold": 1 / 6, "quiz_odds": 9.0})
    }
    result, out = build(tmp_path, pages, builder="latex")
    assert result.returncode == 0, result.stderr
    tex = (out / "book.tex").read_text().replace(r"\sphinxhyphen{}", "-")
    first = tex.index("Self-check 1")
    answers = tex.index(self_check.ANSWERS_TITLE)
    assert first < tex.index("Self-check 2") < tex.index("The end.") < answers
    printed, gathered = tex[:answers], tex[answers:]
    # in place: the options, lettered, without their feedback
    assert re.search(r"\\begin\{enumerate\}.*0\.9.*9.*0\.1", printed, re.S)
    assert "nine to one" not in printed and "1/6" not in printed
    # at the end: the right option with its feedback and the explanation; the numeric answer with its tolerance
    assert re.search(r"Self-check 1\. \}\(b\) 9", gathered)
    assert "nine to one" in gathered and "The odds are" in gathered
    assert "0.167 (within 0.005)" in gathered and "1/6" in gathered


MALFORMED = {
    "nolabel": ("```{self-check} Q?\n\n- [x] a\n  - yes\n- [ ] b\n  - no\n```", ":label: is required"),
    "badlabel": (
        "```{self-check} Q?\n:label: sc-other-q\n\n- [x] a\n  - yes\n- [ ] b\n  - no\n```",
        "sc-badlabel-<what>",
    ),
    "nofeedback": (
        "```{self-check} Q?\n:label: sc-nofeedback-q\n\n- [x] a\n  - yes\n- [ ] b\n```",
        "option 2 ('b') needs its feedback",
    ),
    "noright": (
        "```{self-check} Q?\n:label: sc-noright-q\n\n- [ ] a\n  - no\n- [ ] b\n  - no\n```",
        "exactly one right one ([x]); it has 2 options, 0 marked right",
    ),
    "tworight": (
        "```{self-check} Q?\n:label: sc-tworight-q\n\n- [x] a\n  - yes\n- [x] b\n  - yes\n```",
        "2 options, 2 marked right",
    ),
    "nooptions": ("```{self-check} Q?\n:label: sc-nooptions-q\n\nJust text.\n```", "no options"),
    "notolerance": ("```{self-check} Q?\n:label: sc-notolerance-q\n:answer: 3\n```", "needs :tolerance:"),
    "badanswer": (
        "```{self-check} Q?\n:label: sc-badanswer-q\n:answer: three\n:tolerance: 1\n```",
        "not a number literal",
    ),
    "unknownglue": (
        "```{self-check} Q?\n:label: sc-unknownglue-q\n:answer-glue: nowhere\n:tolerance: 0.1\n```",
        "no value glued as 'nowhere'",
    ),
    "backticks": (
        "```{self-check} What does `np.mean` return?\n:label: sc-backticks-q\n:answer: 1\n:tolerance: 0.1\n```",
        "open and close the block with ~~~ or :::",
    ),
    "duplicate": (
        "```{self-check} Q?\n:label: sc-duplicate-q\n:answer: 1\n:tolerance: 0.1\n```\n\n"
        "```{self-check} R?\n:label: sc-duplicate-q\n:answer: 2\n:tolerance: 0.1\n```",
        "already used in duplicate",
    ),
}


def test_malformed_questions_fail_the_strict_build_with_a_clear_message(tmp_path):
    pages = {name: notebook(text) for name, (text, _) in MALFORMED.items()}
    result, _ = build(tmp_path, pages)
    assert result.returncode != 0
    for name, (_, message) in MALFORMED.items():
        lines = [line for line in result.stderr.splitlines() if f"{name}.ipynb" in line]
        assert any(message in line for line in lines), (name, message, lines)


def test_a_wellformed_question_alone_builds_cleanly(tmp_path):
    # the malformed test above cannot pass by a build that always fails; inline code in the title works in a ~~~
    # or ::: fence
    tilde = "~~~{self-check} What does `np.mean` return?\n:label: sc-ok-tilde\n:answer: 1\n:tolerance: 0.1\n~~~"
    colon = ":::{self-check} What does `np.sum` return?\n:label: sc-ok-colon\n:answer: 2\n:tolerance: 0.1\n:::"
    result, out = build(tmp_path, {"ok": notebook(LITERAL.replace("sc-quiz-", "sc-ok-"), tilde, colon)})
    assert result.returncode == 0, result.stderr
    html = (out / "ok.html").read_text()
    assert html.count('<div class="self-check"') == 3 and "<code" in html


def test_config_registers_the_extension():
    config = (ROOT / "_config.yml").read_text()
    assert re.search(r"^\s+self_check: _ext\b", config, re.M)
