"""Fixes to what Jupyter Book 1's stack writes, loaded through ``sphinx: local_extensions``.

- Bibliography (WCAG 2.1 AA, found by axe-core): docutils wraps citations in ``<div role="list">`` but gives each
  entry the deprecated DPUB role ``doc-biblioentry``, so the list has no ``listitem`` children
  (``aria-required-children``, critical) and every entry uses a deprecated role (``aria-deprecated-role``). Entries
  get ``role="listitem"``, what DPUB-ARIA 1.1 recommends in its place.
- myst-nb's collapsible code cells (tags ``hide-input``, ``hide-cell``) write ``<summary aria-label="Toggle hidden
  content">`` around the visible words "Show code cell source": the accessible name does not contain the visible
  label (WCAG 2.5.3, axe-core ``label-content-name-mismatch``). The summary keeps its visible words as its name.
- The launch menu's JupyterLite entry says what it does for a reader who has never heard of JupyterLite: run this
  chapter in your browser, nothing to install.
- Binder, Colab and JupyterHub open the chapter's reader notebook (plain Markdown, no raw MyST), which the deploy
  workflow publishes on the branch ``reader-notebooks`` (``scripts/reader_notebooks.py``); the edit and repository
  buttons stay on the source branch.
- PDF (``make pdf``): sphinx-exercise labels an exercise ``exercise:LABEL`` in LaTeX and rewrites only references from
  the same chapter to it; a reference from another chapter kept Sphinx's ``DOCNAME:LABEL`` and printed "??". Those
  references get sphinx-exercise's own LaTeX reference node, with the number Sphinx computed ("Exercise 13"); and
  a solution's title keeps the space in "Solution to Exercise 3", which LaTeX lost inside the link.
"""

from __future__ import annotations

import re
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.transforms.post_transforms import SphinxPostTransform

LITE_TEXT = "In your browser"
READER_BRANCH = "reader-notebooks"  # scripts/reader_notebooks.py, published by .github/workflows/deploy.yml
LITE_TOOLTIP = "Run this chapter in your browser (JupyterLite): nothing to install"


def use_listitem_for_citations(app: Sphinx) -> None:
    """Subclass the HTML translator in use (pydata-sphinx-theme's, set up at priority 500)."""
    if app.builder.format != "html":
        return
    base = app.registry.translators.get(app.builder.name) or app.builder.default_translator_class

    class CitationListTranslator(base):  # type: ignore[misc, valid-type]
        def visit_citation(self, node: Any) -> None:
            super().visit_citation(node)
            self.body[-1] = self.body[-1].replace('role="doc-biblioentry"', 'role="listitem"')

    app.set_translator(app.builder.name, CitationListTranslator, override=True)


def name_the_lite_launch(app: Sphinx, pagename: str, templatename: str, context: dict, doctree: Any) -> None:
    """Relabel sphinx-book-theme's "JupyterLite" launch entry (added at priority 501)."""
    for group in context.get("header_buttons", []):
        for button in group.get("buttons", []) if isinstance(group, dict) else []:
            if button.get("text") == "JupyterLite":
                button["text"], button["tooltip"] = LITE_TEXT, LITE_TOOLTIP
            elif button.get("url"):
                button["url"] = reader_branch_url(button["url"], context.get("theme_repository_branch") or "main")


def reader_branch_url(url: str, branch: str) -> str:
    """A Binder, Colab or nbgitpuller (JupyterHub) launch URL moved from ``branch`` to the reader notebooks'."""
    url = re.sub(rf"(/v2/gh/[^/]+/[^/]+/){re.escape(branch)}(?=[?/]|$)", rf"\g<1>{READER_BRANCH}", url)  # Binder
    url = re.sub(rf"(/github/[^/]+/[^/]+/blob/){re.escape(branch)}/", rf"\g<1>{READER_BRANCH}/", url)  # Colab
    return re.sub(rf"([?&]branch=){re.escape(branch)}(?=&|$)", rf"\g<1>{READER_BRANCH}", url)  # nbgitpuller


def name_summaries_by_their_words(app: Sphinx, pagename: str, templatename: str, context: dict, doctree: Any) -> None:
    """Drop myst-nb's ``aria-label`` from the summaries of collapsible code cells (see the module docstring)."""
    if "body" in context:
        context["body"] = context["body"].replace('<summary aria-label="Toggle hidden content">', "<summary>")


class ExerciseReferencesAcrossChapters(SphinxPostTransform):
    """In LaTeX, point references from other chapters at sphinx-exercise's ``exercise:LABEL``."""

    default_priority = 23  # after sphinx-exercise's own reference rewriting (22)
    formats = ("latex",)

    def run(self, **kwargs: Any) -> None:
        from sphinx_exercise.nodes import exercise_enumerable_node, exercise_latex_number_reference

        registry = getattr(self.env, "sphinx_exercise_registry", {})
        for node in list(self.document.findall(nodes.reference)):
            label = node.get("refuri", "").rpartition("#")[2]
            target = registry.get(label, {}).get("node") if label and "refid" not in node else None
            if not isinstance(target, exercise_enumerable_node):
                continue
            replacement = exercise_latex_number_reference(refid=label)
            replacement += node.children
            node.replace_self(replacement)
        # "Solution to" + a link whose text starts with " Exercise 3": LaTeX drops that leading space
        for title in list(self.document.findall(nodes.title)):
            if len(title) > 1 and isinstance(title[0], nodes.Text) and isinstance(title[1], nodes.reference):
                link_text = title[1][0] if len(title[1]) else None
                if isinstance(link_text, nodes.Text) and link_text.startswith(" "):
                    title[0].parent.replace(title[0], nodes.Text(f"{title[0]} "))
                    title[1].replace(link_text, nodes.Text(link_text.lstrip()))


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_post_transform(ExerciseReferencesAcrossChapters)
    app.connect("builder-inited", use_listitem_for_citations, priority=900)
    app.connect("html-page-context", name_the_lite_launch, priority=600)
    app.connect("html-page-context", name_summaries_by_their_words)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
