"""The notebooks readers run or download (browser site, download button, Binder/Colab/JupyterHub): no raw MyST,
the same code in the same order, and they run."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))


def load_module(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


reader = load_module(ROOT / "scripts" / "reader_notebooks.py", "reader_notebooks")
html_fixes = load_module(ROOT / "_ext" / "book_html_fixes.py", "book_html_fixes")


def code_without_notes(notebook: dict) -> list[str]:
    notes = (reader.SETUP_NOTE + "\n", reader.CHECK_NOTE + "\n")
    sources = []
    for cell in notebook["cells"]:
        if cell["cell_type"] == "code":
            source = "".join(cell["source"])
            for note in notes:
                source = source.removeprefix(note)
            sources.append(source)
    return sources


@pytest.fixture(scope="module", params=CHAPTERS, ids=lambda path: path.stem)
def pair(request) -> tuple[dict, dict]:
    chapter = json.loads(request.param.read_text())
    return chapter, reader.reader_notebook(chapter, "https://example.org/book/")


def test_no_raw_myst_is_left(pair):
    chapter, notebook = pair
    assert reader.raw_myst(chapter), "the chapter itself is MyST (else this test proves nothing)"
    assert reader.raw_myst(notebook) == []


def test_the_same_code_runs_in_the_same_order(pair):
    chapter, notebook = pair
    assert code_without_notes(notebook) == code_without_notes(chapter)


def test_a_glue_name_the_notebook_lacks_is_an_error():
    with pytest.raises(KeyError, match="not glued"):
        reader.reader_markdown("{glue:text}`nowhere_x:.2f`", {}, "https://example.org/book/")


def test_hidden_cells_and_solutions_are_collapsed(pair):
    chapter, notebook = pair
    for before, after in zip(chapter["cells"], notebook["cells"], strict=False):
        if after["cell_type"] == "code" and {"remove-cell", "remove-input"} & set(before["metadata"].get("tags", [])):
            assert after["metadata"]["jupyter"]["source_hidden"] is True
            assert "".join(after["source"]).startswith("#"), "a hidden cell opens with a comment saying what it is"


def test_roles_become_markdown():
    values = {"x_rate": 0.123456}
    text = reader.reader_markdown(
        "A {term}`sigmoid`, {cite}`muens2020`, {doc}`odds`, {glue:text}`x_rate:.3f` and {ref}`the table <tab-x>`.",
        values,
        "https://example.org/book/",
    )
    assert "[**sigmoid**](https://example.org/book/glossary.html#term-sigmoid)" in text
    assert reader.anchor("newton's method") == "term-Newton-s-method"  # Sphinx's id, the glossary's case
    assert "[Muens (2020)](https://example.org/book/bibliography.html)" in text
    assert "(odds.ipynb)" in text and "0.123 and the table." in text


def test_directives_become_markdown():
    source = (
        "```{admonition} For the curious: floating point\n:class: dropdown\nDetails.\n```\n\n"
        "```{exercise} Slope\n:label: ex-x-1\nShow it.\n```\n\n"
        "```{self-check} Odds at 0.9?\n:label: sc-x\n\n"
        "- [ ] 0.9\n  - The probability.\n- [x] 9\n  - Right.\n\nWhy.\n```"
    )
    text = reader.reader_markdown(source, {}, "https://example.org/book/")
    assert "<details><summary>For the curious: floating point</summary>" in text
    assert "### Exercise: Slope" in text and "Show it." in text
    assert "> **Check yourself.** Odds at 0.9?" in text and "**Right:** (b) 9" in text
    assert "- *0.9*: The probability." in text
    assert reader.raw_myst({"cells": [{"cell_type": "markdown", "source": [text]}]}) == []


def test_launch_buttons_open_the_reader_branch():
    binder = "https://mybinder.org/v2/gh/org/book/main?urlpath=lab/tree/chapters/x.ipynb"
    colab = "https://colab.research.google.com/github/org/book/blob/main/chapters/x.ipynb"
    hub = "https://hub.example.edu/hub/user-redirect/git-pull?repo=r&urlpath=lab/tree/book/chapters/x.ipynb&branch=main"
    assert "/book/reader-notebooks?urlpath" in html_fixes.reader_branch_url(binder, "main")
    assert "/blob/reader-notebooks/chapters/x.ipynb" in html_fixes.reader_branch_url(colab, "main")
    assert html_fixes.reader_branch_url(hub, "main").endswith("&branch=reader-notebooks")
    assert html_fixes.reader_branch_url("https://github.com/org/book/edit/main/x.md", "main").endswith("/main/x.md")


def test_a_reader_notebook_runs_top_to_bottom(tmp_path):
    """The smallest chapter's reader notebook, executed as a reader would (the others share its construction:
    the same code cells, checked above)."""
    import nbformat
    from nbclient import NotebookClient

    smallest = min(CHAPTERS, key=lambda path: path.stat().st_size)
    notebook = nbformat.reads(json.dumps(reader.reader_notebook(json.loads(smallest.read_text()))), as_version=4)
    NotebookClient(notebook, timeout=120, resources={"metadata": {"path": str(ROOT / "chapters")}}).execute()
    errors = [o for c in notebook.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert errors == []
