"""Self-check questions (``{self-check}``) and the page script of interactive figures, for Jupyter Book 1.

Loaded through ``sphinx: local_extensions`` in ``_config.yml``. Syntax (SPECS §1, CONTRIBUTING.md):

Multiple choice: a bullet list whose items start with ``[x]`` (the right option) or ``[ ]`` (a wrong one), each with
one nested bullet holding the feedback for that option; paragraphs after the list are the explanation::

    ```{self-check} If $\\sigma(z) = 0.9$, what are the odds of the positive class?
    :label: sc-sigmoid-odds

    - [ ] 0.9
      - That is the probability itself.
    - [x] 9
      - Right: $0.9 / 0.1 = 9$.

    Explanation (optional).
    ```

Numeric: ``:answer: 9`` (a number literal) or ``:answer-glue: NAME`` (a float glued in the same notebook) and an
absolute ``:tolerance:``; the content is the explanation.

HTML: real radio buttons (or a text input) and buttons, the feedback written into an ``aria-live`` region by
``static/self-check.js``; the outermost element has class ``self-check``. The script and style sheet are added only
to pages that have a question, and ``static/interactive-figure.js`` (bookkit's figures) only to pages with a figure.
Nothing is requested from another host.

LaTeX (``make pdf``): each question prints in place with its options (lettered), and the answers, with the right
option's feedback and the explanation, are gathered at the end of the chapter under "Answers to the self-checks".

A malformed question (no label, an option without feedback, no right option, a numeric answer without tolerance,
an unknown glue name...) is a build error naming the question and the problem.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

logger = logging.getLogger(__name__)

STATIC = Path(__file__).parent / "static"
LABEL = re.compile(r"^sc-[a-z0-9_]+(-[a-z0-9_]+)+$")
NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
RIGHT, WRONG = re.compile(r"^\[[xX]\]\s*"), re.compile(r"^\[ \]\s*")
ANSWERS_TITLE = "Answers to the self-checks"


# --- nodes ---------------------------------------------------------------------------------------------------------
class self_check(nodes.General, nodes.Element):  # noqa: N801 (docutils names nodes in lower case)
    """One question: ``label``, ``kind`` ("choice" or "numeric"), ``answer`` and ``tolerance`` (numeric)."""


class self_check_question(nodes.General, nodes.Element):  # noqa: N801
    """The question's text (inline)."""


class self_check_options(nodes.General, nodes.Element):  # noqa: N801
    """The options of a multiple-choice question."""


class self_check_option(nodes.General, nodes.Element):  # noqa: N801
    """One option: ``correct`` (bool), ``index``; children: its text, its feedback."""


class self_check_option_text(nodes.General, nodes.Element):  # noqa: N801
    """The option's text (inline)."""


class self_check_feedback(nodes.General, nodes.Element):  # noqa: N801
    """Why this option is right or wrong (blocks)."""


class self_check_explanation(nodes.General, nodes.Element):  # noqa: N801
    """Shown once the reader has the right answer (blocks)."""


# --- the directive -------------------------------------------------------------------------------------------------
class SelfCheckDirective(SphinxDirective):
    required_arguments = 1
    final_argument_whitespace = True
    has_content = True
    option_spec = {
        "label": directives.unchanged,
        "answer": directives.unchanged,
        "answer-glue": directives.unchanged,
        "tolerance": directives.unchanged,
        "class": directives.class_option,
    }

    def run(self) -> list[nodes.Node]:
        label = self.options.get("label", "").strip()
        question_text = " ".join(self.arguments[0].split())
        if not label:
            raise self.error(f"self-check {question_text[:60]!r}: :label: is required (sc-<chapter>-<what>)")
        self.where = f"self-check {label}"
        stem = Path(self.env.docname).name
        if not LABEL.match(label) or not label.startswith(f"sc-{stem}-"):
            raise self.error(f"{self.where}: the label must be sc-{stem}-<what> (lower case, words joined by '-')")

        node = self_check(classes=["self-check", *self.options.get("class", [])], ids=[label], label=label)
        self.set_source_info(node)
        question = self_check_question()
        inline, messages = self.state.inline_text(self.arguments[0], self.lineno)
        question += inline
        node += question

        body = nodes.Element()
        self.state.nested_parse(self.content, self.content_offset, body)
        blocks = list(body.children)
        has_list = bool(blocks) and isinstance(blocks[0], nodes.bullet_list) and self._marked(blocks[0])
        if "answer" in self.options or "answer-glue" in self.options:
            if has_list:
                raise self.error(f"{self.where}: a numeric question (:answer:) cannot also have options")
            node["kind"] = "numeric"
            node["answer"], node["tolerance"] = self._numeric()
        else:
            if not has_list:
                raise self.error(
                    f"{self.where}: no options. Write a list whose items start with [x] (right) or [ ] (wrong), each "
                    "with one nested bullet of feedback, or give :answer: / :answer-glue: and :tolerance:"
                )
            node["kind"] = "choice"
            node += self._options(blocks.pop(0))
        if blocks:
            explanation = self_check_explanation()
            explanation += blocks
            node += explanation
        self._register(label)
        return [node, *messages]

    @staticmethod
    def _marked(bullets: nodes.bullet_list) -> bool:
        first = bullets.children[0] if bullets.children else None
        text = first.children[0].astext() if first is not None and first.children else ""
        return bool(RIGHT.match(text) or WRONG.match(text))

    def _options(self, bullets: nodes.bullet_list) -> self_check_options:
        options = self_check_options()
        for index, item in enumerate(bullets.children, start=1):
            head = item.children[0] if item.children else None
            text = head.astext() if isinstance(head, nodes.paragraph) else ""
            marker = RIGHT.match(text) or WRONG.match(text)
            if marker is None:
                raise self.error(f"{self.where}: option {index} must start with [x] (right) or [ ] (wrong)")
            rest, shown = item.children[1:], text[len(marker.group(0)) :][:40]
            if len(rest) != 1 or not isinstance(rest[0], nodes.bullet_list) or len(rest[0].children) != 1:
                raise self.error(
                    f"{self.where}: option {index} ({shown!r}) needs its feedback as ONE nested bullet "
                    "(why this option is right or wrong)"
                )
            _strip_marker(head, len(marker.group(0)))
            option = self_check_option(correct=bool(RIGHT.match(text)), index=index)
            option_text = self_check_option_text()
            option_text += head.children
            feedback = self_check_feedback()
            feedback += rest[0].children[0].children
            if not feedback.astext().strip():
                raise self.error(f"{self.where}: option {index} has empty feedback")
            option += [option_text, feedback]
            options += option
        right = sum(option["correct"] for option in options.children)
        if len(options.children) < 2 or right != 1:
            raise self.error(
                f"{self.where}: a multiple-choice question needs at least two options and exactly one right one "
                f"([x]); it has {len(options.children)} options, {right} marked right"
            )
        return options

    def _numeric(self) -> tuple[float, float]:
        if "answer" in self.options and "answer-glue" in self.options:
            raise self.error(f"{self.where}: give :answer: or :answer-glue:, not both")
        tolerance_text = self.options.get("tolerance", "").strip()
        if not NUMBER.match(tolerance_text) or not float(tolerance_text) > 0:
            raise self.error(f"{self.where}: a numeric question needs :tolerance: (a positive number, absolute)")
        if "answer" in self.options:
            text = self.options["answer"].strip()
            if not NUMBER.match(text):
                raise self.error(
                    f"{self.where}: :answer: {text!r} is not a number literal (use :answer-glue: NAME "
                    "for a number the chapter computes)"
                )
            answer = float(text)
        else:
            answer = self._glued(self.options["answer-glue"].strip())
        return answer, float(tolerance_text)

    def _glued(self, name: str) -> float:
        """The float glued as ``name`` in this notebook (myst-nb keeps the notebook's glue data on its renderer)."""
        from myst_nb.core.variables import RetrievalError
        from myst_nb.ext.glue.utils import retrieve_glue_data

        try:
            data = retrieve_glue_data(self.state.document, name).data
        except RetrievalError:
            raise self.error(
                f"{self.where}: no value glued as {name!r} in this notebook "
                f"(glue({name!r}, float(value), display=False) in a hidden cell)"
            ) from None
        text = str(data.get("text/plain", "")).strip()
        try:
            value = float(text.removeprefix("np.float64(").removesuffix(")"))
        except ValueError:
            raise self.error(f"{self.where}: the value glued as {name!r} is not a number: {text[:40]!r}") from None
        if not math.isfinite(value):
            raise self.error(f"{self.where}: the value glued as {name!r} is {value}")
        return value

    def _register(self, label: str) -> None:
        labels = self.env.domaindata.setdefault("self_check", {}).setdefault("labels", {})
        in_this_file = self.env.temp_data.setdefault("self_check_labels", set())
        if label in in_this_file or labels.get(label, self.env.docname) != self.env.docname:
            raise self.error(f"{self.where}: the label is already used in {labels.get(label, self.env.docname)}")
        in_this_file.add(label)
        labels[label] = self.env.docname


def _strip_marker(paragraph: nodes.paragraph, length: int) -> None:
    """Remove the leading ``[x] `` / ``[ ] `` from the paragraph's first text node(s)."""
    while length > 0 and paragraph.children and isinstance(paragraph.children[0], nodes.Text):
        text = str(paragraph.children[0])
        cut = min(length, len(text))
        length -= cut
        if text[cut:]:
            paragraph.replace(paragraph.children[0], nodes.Text(text[cut:]))
        else:
            paragraph.remove(paragraph.children[0])


UNPARSED = re.compile(r"^\s*(`{3,}|~{3,}|:{3,})\s*\{self-check\}", re.MULTILINE)


def find_unparsed_questions(app: Sphinx, doctree: nodes.document) -> None:
    """A backtick fence whose title holds `inline code` is no fence in CommonMark: the question silently became a
    paragraph or a code block. Say so (a warning, so the strict build fails)."""
    for node in doctree.findall(lambda n: isinstance(n, nodes.paragraph | nodes.literal_block)):
        if UNPARSED.search(node.astext()):
            logger.warning(
                "self-check: this question was not parsed as one. A title with `inline code` cannot open a ``` fence "
                "(CommonMark); open and close the block with ~~~ or ::: instead",
                location=node,
            )


def purge_labels(app: Sphinx, env: Any, docname: str) -> None:
    labels = env.domaindata.get("self_check", {}).get("labels", {})
    for label in [label for label, doc in labels.items() if doc == docname]:
        del labels[label]


def merge_labels(app: Sphinx, env: Any, docnames: set[str], other: Any) -> None:
    labels = env.domaindata.setdefault("self_check", {}).setdefault("labels", {})
    for label, docname in other.domaindata.get("self_check", {}).get("labels", {}).items():
        if label in labels and labels[label] != docname:
            logger.warning(f"self-check {label}: the label is used in {labels[label]} and {docname}")
        labels[label] = docname


# --- HTML ----------------------------------------------------------------------------------------------------------
def _answer_text(answer: float, tolerance: float) -> str:
    """The answer with as many decimals as the tolerance resolves (0.005 -> 0.167), without zeros that add nothing
    to an exact answer (0.25, not 0.250; 3, not 3.0)."""
    decimals = max(0, math.ceil(-math.log10(tolerance)))
    text = f"{answer:.{decimals}f}"
    if "." in text and float(text.rstrip("0").rstrip(".")) == answer:
        text = text.rstrip("0").rstrip(".")
    return text


def visit_self_check_html(self: Any, node: self_check) -> None:
    attrs = {"data-kind": node["kind"]}
    if node["kind"] == "numeric":
        attrs |= {
            "data-answer": repr(float(f"{node['answer']:.12g}")),
            "data-tolerance": repr(node["tolerance"]),
            "data-answer-text": _answer_text(node["answer"], node["tolerance"]),
        }
    self.body.append(self.starttag(node, "div", "", **attrs))  # id: the label (node["ids"])
    self.body.append('<p class="sc-tag">Self-check</p>')
    if node["kind"] == "choice":
        self.body.append('<fieldset class="sc-fieldset">')


def depart_self_check_html(self: Any, node: self_check) -> None:
    self.body.append("</div>\n")


def _controls_html(label: str, numeric: bool) -> str:
    reveal = "Show the answer"
    return (
        '<div class="sc-actions">'
        f'<button type="button" class="sc-check">Check</button>'
        f'<button type="button" class="sc-reveal">{reveal}</button>'
        "</div>"
        f'<div class="sc-feedback" id="{label}-feedback" role="status" aria-live="polite"></div>'
    )


def visit_question_html(self: Any, node: self_check_question) -> None:
    parent = node.parent
    if parent["kind"] == "choice":
        self.body.append('<legend class="sc-question">')
    else:
        self.body.append(f'<p class="sc-question" id="{parent["label"]}-question">')


def depart_question_html(self: Any, node: self_check_question) -> None:
    parent = node.parent
    if parent["kind"] == "choice":
        self.body.append("</legend>")
        return
    label = parent["label"]
    self.body.append(
        "</p>"
        '<div class="sc-answer">'
        f'<label for="{label}-input">Your answer</label>'
        f'<input type="text" inputmode="decimal" autocomplete="off" id="{label}-input" class="sc-input" '
        f'aria-describedby="{label}-question">'
        "</div>" + _controls_html(label, numeric=True)
    )


def visit_options_html(self: Any, node: self_check_options) -> None:
    self.body.append('<div class="sc-options">')


def depart_options_html(self: Any, node: self_check_options) -> None:
    self.body.append("</div></fieldset>" + _controls_html(node.parent["label"], numeric=False))


def visit_option_html(self: Any, node: self_check_option) -> None:
    label = node.parent.parent["label"]
    ident = f"{label}-{node['index']}"
    correct = ' data-correct="true"' if node["correct"] else ""
    self.body.append(
        f'<div class="sc-option"><input type="radio" name="{label}" id="{ident}" value="{node["index"]}"{correct}>'
        f'<label for="{ident}">'
    )


def depart_option_html(self: Any, node: self_check_option) -> None:
    self.body.append("</div>")


def visit_option_text_html(self: Any, node: self_check_option_text) -> None:
    pass


def depart_option_text_html(self: Any, node: self_check_option_text) -> None:
    self.body.append("</label>")


def visit_feedback_html(self: Any, node: self_check_feedback) -> None:
    self.body.append('<div class="sc-option-feedback" hidden>')


def visit_explanation_html(self: Any, node: self_check_explanation) -> None:
    self.body.append('<div class="sc-explanation" hidden>')


def depart_div_html(self: Any, node: nodes.Element) -> None:
    self.body.append("</div>")


def add_page_assets(app: Sphinx, pagename: str, templatename: str, context: dict, doctree: Any) -> None:
    """The question and figure scripts, only on the pages that use them (JB1 would put _static/*.js on all)."""
    if doctree is None:
        return
    if any(True for _ in doctree.findall(self_check)):
        app.add_css_file("self-check.css")
        app.add_js_file("self-check.js", defer="defer")
    if any('class="interactive-figure"' in node.astext() for node in doctree.findall(nodes.raw)):
        app.add_css_file("interactive-figure.css")
        app.add_js_file("interactive-figure.js", defer="defer")


def add_static_folder(app: Sphinx, config: Any) -> None:
    config.html_static_path.append(str(STATIC))


# --- LaTeX: questions in place, answers at the end of the chapter ---------------------------------------------------
class SelfChecksOnPaper(SphinxPostTransform):
    """Turn each question into an admonition with lettered options, and gather the answers per chapter."""

    default_priority = 200
    formats = ("latex",)

    def run(self, **kwargs: Any) -> None:
        chapters = [*self.document.findall(addnodes.start_of_file), self.document]
        for chapter in chapters:
            questions = _own_questions(chapter)
            if not questions:
                continue
            answers: list[nodes.Node] = [nodes.rubric(ANSWERS_TITLE, ANSWERS_TITLE)]
            for number, question in enumerate(questions, start=1):
                answers += _answer(question, number)
                question.replace_self(_on_paper(question, number))
            target = _last_section(chapter)
            target += answers


def _own_questions(chapter: nodes.Element) -> list[self_check]:
    """The questions of this file, not of the files included in it (the LaTeX builder nests each chapter in a
    ``start_of_file`` node, whose children do not point back to it: walk down, not up)."""
    found, todo = [], list(reversed(chapter.children))
    while todo:
        node = todo.pop()
        if isinstance(node, self_check):
            found.append(node)
        elif isinstance(node, nodes.Element) and not isinstance(node, addnodes.start_of_file):
            todo.extend(reversed(node.children))
    return found


def _last_section(chapter: nodes.Element) -> nodes.Element:
    sections = [child for child in chapter.children if isinstance(child, nodes.section)]
    return sections[-1] if sections else chapter


def _letter(index: int) -> str:
    return "abcdefghijklmnopqrstuvwxyz"[index - 1]


def _on_paper(question: self_check, number: int) -> nodes.Element:
    title = f"Self-check {number}"
    box = nodes.admonition(classes=["self-check"], ids=question["ids"])
    box += nodes.title(title, title)
    paragraph = nodes.paragraph()
    paragraph += _copies(question.next_node(self_check_question).children)
    box += paragraph
    options = question.next_node(self_check_options)
    if options is not None:
        items = nodes.enumerated_list(enumtype="loweralpha", prefix="(", suffix=")")
        for option in options.children:
            item = nodes.list_item()
            text = nodes.paragraph()
            text += _copies(option.next_node(self_check_option_text).children)
            item += text
            items += item
        box += items
    else:
        hint = f"Your answer (a number, within {question['tolerance']:g}): ____________"
        box += nodes.paragraph(hint, hint)
    where = "The answer is at the end of the chapter."
    box += nodes.paragraph("", "", nodes.emphasis(where, where))
    return box


def _copies(children: list[nodes.Node]) -> list[nodes.Node]:
    """Copies of nodes without their parents: ``copy.deepcopy`` follows each node's ``parent`` and copied the
    whole book once per question (8 GB and minutes in the PDF build); docutils' ``Node.deepcopy`` does not."""
    return [child.deepcopy() for child in children]


def _answer(question: self_check, number: int) -> list[nodes.Node]:
    head = nodes.paragraph()
    head += nodes.strong(f"Self-check {number}. ", f"Self-check {number}. ")
    blocks: list[nodes.Node] = [head]
    options = question.next_node(self_check_options)
    if options is not None:
        right = next(option for option in options.children if option["correct"])
        head += nodes.Text(f"({_letter(right['index'])}) ")
        head += _copies(right.next_node(self_check_option_text).children)
        blocks += _copies(right.next_node(self_check_feedback).children)
    else:
        text = f"{_answer_text(question['answer'], question['tolerance'])} (within {question['tolerance']:g})."
        head += nodes.Text(text)
    explanation = question.next_node(self_check_explanation)
    if explanation is not None:
        blocks += _copies(explanation.children)
    return blocks


def _skip(self: Any, node: nodes.Node) -> None:
    raise nodes.SkipNode


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_directive("self-check", SelfCheckDirective)
    html = {
        self_check: (visit_self_check_html, depart_self_check_html),
        self_check_question: (visit_question_html, depart_question_html),
        self_check_options: (visit_options_html, depart_options_html),
        self_check_option: (visit_option_html, depart_option_html),
        self_check_option_text: (visit_option_text_html, depart_option_text_html),
        self_check_feedback: (visit_feedback_html, depart_div_html),
        self_check_explanation: (visit_explanation_html, depart_div_html),
    }
    for node_class, visitors in html.items():
        # LaTeX never sees these nodes (SelfChecksOnPaper replaces them); other builders skip them
        app.add_node(
            node_class, html=visitors, latex=(_skip, None), text=(_skip, None), man=(_skip, None), texinfo=(_skip, None)
        )
    app.add_post_transform(SelfChecksOnPaper)
    app.connect("doctree-read", find_unparsed_questions)
    app.connect("env-purge-doc", purge_labels)
    app.connect("env-merge-info", merge_labels)
    app.connect("config-inited", add_static_folder)
    app.connect("html-page-context", add_page_assets)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
