"""Structural checks of every chapter: what the book promises its readers, checked on the stored notebooks."""

from __future__ import annotations

import json
import re
import string
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))  # also when run as `python tests/test_chapters.py NAME`
from reader_notebooks import glued_values  # noqa: E402  (the values glued in a notebook's stored outputs)

CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))


MAX_CODE_COLUMNS = 88  # the page's width without horizontal scrolling; chapters/ruff.toml sets the same for ruff
# A MyST comment line before a paragraph or table whose numbers are not results of the notebook: quoted published
# figures (``% published: Ng's ex2``) or definitions (``% definition: a 97.5th percentile``).
PUBLISHED_MARKER = re.compile(r"^%\s*(published|definition)\b")


def load(path: Path) -> dict:
    return json.loads(path.read_text())


def markdown(notebook: dict) -> str:
    return "\n".join("".join(cell["source"]) for cell in notebook["cells"] if cell["cell_type"] == "markdown")


def test_there_are_chapters_and_all_are_in_the_table_of_contents():
    toc = (ROOT / "_toc.yml").read_text()
    assert len(CHAPTERS) >= 10
    missing = [path.stem for path in CHAPTERS if f"chapters/{path.stem}" not in toc]
    assert missing == []


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda path: path.stem)
def test_chapter_structure(path):
    notebook = load(path)
    text = markdown(notebook)
    assert text.lstrip().startswith("# "), "a chapter opens with its title"
    assert "Learning objectives" in text.split("\n## ")[0], "learning objectives come first"
    assert "## Summary" in text
    exercises = re.findall(r"```\{exercise\}", text)
    solutions = re.findall(r"```\{solution-start\}", text)
    assert len(exercises) >= 2 and len(solutions) == len(exercises), "2-4 exercises, each with a solution"
    assert len(re.findall(r"```\{solution-end\}", text)) == len(solutions)


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda path: path.stem)
def test_stored_outputs_are_complete_and_clean(path):
    code_cells = [cell for cell in load(path)["cells"] if cell["cell_type"] == "code"]
    assert all(cell.get("execution_count") for cell in code_cells), "notebooks are stored executed"
    for cell in code_cells:
        for output in cell.get("outputs", []):
            assert output["output_type"] != "error", f"an error is stored in {path.name}: {output.get('evalue')}"
            assert output.get("name") != "stderr", f"stderr noise in {path.name}: {''.join(output['text'])[:200]}"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda path: path.stem)
def test_every_figure_has_alt_text(path):
    for cell in load(path)["cells"]:
        outputs = cell.get("outputs", [])
        for output in outputs:  # bookkit's interactive figures: the description is their text alternative
            if "bookkit" in output.get("metadata", {}):
                description = "".join(output["data"]["text/plain"])
                assert len(description.split()) >= 8, f"interactive figure without a real description in {path.name}"
        shows_image = any("image/png" in o.get("data", {}) and "bookkit" not in o.get("metadata", {}) for o in outputs)
        if shows_image:
            alt = cell["metadata"].get("mystnb", {}).get("image", {}).get("alt", "")
            where = "".join(cell["source"])[:80]
            assert len(alt.split()) >= 8, f"figure without a real description in {path.name}: {where}"


def test_glue_names_are_unique_across_the_book():
    seen: dict[str, str] = {}
    for path in CHAPTERS:
        for cell in load(path)["cells"]:
            if cell["cell_type"] == "code":
                for name in re.findall(r'glue\(\s*f?"([^"]+)"', "".join(cell["source"])):
                    assert seen.setdefault(name, path.stem) == path.stem, f"glue name {name} used twice"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda path: path.stem)
def test_chapters_import_logreg_and_never_copy_it(path):
    source = "\n".join("".join(cell["source"]) for cell in load(path)["cells"] if cell["cell_type"] == "code")
    assert "import logreg" in source or "from logreg" in source
    assert "sys.path" not in source and "../logreg" not in source, "import logreg, never a relative path"


# --- claims are computed: glue that resolves, no hand-typed results, alt text built from glue ---------------


def render_from_glue(notebook: dict) -> list[tuple[int, str, str]]:
    """(cell index, "alt" or "caption", text) for every cell whose metadata ``glue_template`` builds its alt text
    or caption from the notebook's glued values, e.g. ``{"alt": "... ends at ({gd_path_end_b1:.2f}, ...)"}``."""
    values = glued_values(notebook)
    return [
        (index, key, template.format(**values))
        for index, cell in enumerate(notebook["cells"])
        for key, template in cell["metadata"].get("glue_template", {}).items()
    ]


def fill_from_glue(notebook: dict) -> dict:
    """Write the rendered ``glue_template`` texts into myst-nb's alt text and caption (after executing)."""
    for index, key, text in render_from_glue(notebook):
        mystnb = notebook["cells"][index]["metadata"].setdefault("mystnb", {})
        if key == "alt":
            mystnb.setdefault("image", {})["alt"] = text
        else:
            mystnb.setdefault("figure", {})["caption"] = text
    return notebook


def prose_blocks(notebook: dict) -> list[str]:
    """Markdown blocks (split at blank lines) as a reader sees them, without code, comments, directive options
    and blocks marked ``% published`` (a MyST comment line before a quoted table or sentence of published figures)."""
    blocks = []
    for cell in notebook["cells"]:
        if cell["cell_type"] != "markdown":
            continue
        lines: list[str] = []
        fences: list[tuple[str, bool]] = []  # open fences: (marker, is_code); directives' bodies are prose
        skip_block = False
        for line in "".join(cell["source"]).split("\n"):
            fence = re.match(r"^\s*(`{3,}|~{3,})\s*(\S*)", line)
            in_code = bool(fences) and fences[-1][1]
            if fence and (in_code or not fence.group(2)) and fences and fence.group(1).startswith(fences[-1][0]):
                fences.pop()  # a closing fence
                lines.append("")
                continue
            if fence and not in_code:
                fences.append((fence.group(1), not fence.group(2).startswith("{")))
                lines.append("")
                continue
            if in_code or re.match(r"^\s*:[\w-]+:", line):
                continue
            if PUBLISHED_MARKER.match(line.strip()):
                skip_block = True
                continue
            if line.strip().startswith("%"):
                continue
            if not line.strip():
                skip_block = False
            lines.append("" if skip_block else line)
        blocks.extend(block for block in "\n".join(lines).split("\n\n") if block.strip())
    return blocks


def hand_typed_decimals(block: str) -> list[str]:
    """Decimals with three or more significant digits, outside inline code and roles (glue, doc, term...)."""
    text = re.sub(r"`[^`]*`", " ", block)  # inline code, {glue:text}`...`, {doc}`...`
    text = re.sub(r"\]\([^)]*\)|<https?://[^>]*>", " ", text)  # link targets
    text = re.sub(r"\d+(?:\.\d+){2,}", " ", text)  # version numbers such as 1.9.1
    text = re.sub(r"[_^]\{[^{}]*\}", " ", text)  # LaTeX indices, e.g. the quantile in z_{0.975}
    found = []
    for number in re.findall(r"(?<![\w.])\d*\.\d+", text):
        digits = number.replace(".", "").lstrip("0")
        if len(digits) >= 3:
            found.append(number)
    return found


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda path: path.stem)
def test_every_glue_reference_is_glued_in_that_notebook(path):
    notebook = load(path)
    text = markdown(notebook)
    used = {name.split(":")[0].strip() for name in re.findall(r"\{glue(?::\w+)?\}`([^`]+)`", text)}
    for cell in notebook["cells"]:
        for template in cell["metadata"].get("glue_template", {}).values():
            used |= {field for _, field, _, _ in string.Formatter().parse(template) if field}
    values = glued_values(notebook)
    missing = sorted(used - set(values))
    assert missing == [], f"{path.name} uses glue names it never glues: {missing}"
    numpy_reprs = sorted(name for name, value in values.items() if str(value).startswith("np."))
    assert numpy_reprs == [], f"{path.name} glues NumPy scalars (convert with float/int): {numpy_reprs}"


def test_the_hand_typed_number_rule_on_a_sample_notebook():
    text = "\n".join(
        [
            "The gap is 0.507 after {glue:text}`gd_gap:.3f` epochs; scikit-learn 1.9.1 agrees; $z_{0.975}$.",
            "",
            "```python",
            "rate = 0.00209",
            "```",
            "",
            "```{exercise} A title",
            ":label: ex-x-1",
            "Use the rate 0.00418 here.",
            "```",
            "",
            "% published: the seed",
            "| loss | 0.2034977 |",
            "| beta | 1.7184 |",
            "",
            "After the quote, 3.14159 counts again; 0.5, 0.05 and 2.5 do not (fewer than three digits).",
        ]
    )
    notebook = {"cells": [{"cell_type": "markdown", "source": [text], "metadata": {}}]}
    found = [number for block in prose_blocks(notebook) for number in hand_typed_decimals(block)]
    assert found == ["0.507", "0.00418", "3.14159"]


def test_alt_text_is_rendered_from_glued_values():
    glued = {
        "output_type": "display_data",
        "metadata": {"scrapbook": {"name": "x_end", "mime_prefix": "application/papermill.record/"}},
        "data": {"application/papermill.record/text/plain": "3.2349"},
    }
    figure = {
        "cell_type": "code",
        "source": [],
        "outputs": [],
        "metadata": {"glue_template": {"alt": "ends at {x_end:.2f}"}},
    }
    notebook = {"cells": [{"cell_type": "code", "source": [], "metadata": {}, "outputs": [glued]}, figure]}
    assert glued_values(notebook) == {"x_end": 3.2349}
    assert render_from_glue(notebook) == [(1, "alt", "ends at 3.23")]
    assert fill_from_glue(notebook)["cells"][1]["metadata"]["mystnb"]["image"]["alt"] == "ends at 3.23"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda path: path.stem)
def test_no_hand_typed_results_in_prose(path):
    """A decimal with >= 3 significant digits in prose is a result: glue it. Published figures quoted for comparison
    (and numbers that define rather than report) go in a block after a ``% published`` (``% definition``) comment
    line; inline code, glue roles and LaTeX indices are not prose."""
    offending = [
        (number, block.strip()[:100]) for block in prose_blocks(load(path)) for number in hand_typed_decimals(block)
    ]
    assert offending == [], f"hand-typed numbers in {path.name} (glue, or mark % published/definition): {offending}"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda path: path.stem)
def test_alt_text_and_captions_built_from_glue_are_up_to_date(path):
    notebook = load(path)
    for index, key, expected in render_from_glue(notebook):
        mystnb = notebook["cells"][index]["metadata"].get("mystnb", {})
        stored = mystnb.get("image", {}).get("alt") if key == "alt" else mystnb.get("figure", {}).get("caption")
        assert stored == expected, f"{path.name} cell {index}: {key} is stale; rerun fill_from_glue after executing"


def line_fits(line: str) -> bool:
    """At most 88 columns, except (as ruff's E501) a line whose last word is a URL that starts within the limit."""
    if len(line) <= MAX_CODE_COLUMNS:
        return True
    last = line.split()[-1] if line.split() else ""
    return "://" in last and line.rfind(last) < MAX_CODE_COLUMNS


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda path: path.stem)
def test_code_fits_the_page(path):
    too_long = [
        (index, len(line))
        for index, cell in enumerate(load(path)["cells"])
        if cell["cell_type"] == "code"
        for line in "".join(cell["source"]).split("\n")
        if not line_fits(line)
    ]
    assert too_long == [], f"code lines over {MAX_CODE_COLUMNS} columns in {path.name} (cell, length): {too_long}"


if __name__ == "__main__":  # python tests/test_chapters.py chapters/NAME.ipynb ...: fill alt text from glue
    import sys

    import nbformat

    for name in sys.argv[1:]:
        filled = fill_from_glue(load(Path(name)))
        nbformat.write(nbformat.from_dict(filled), name)
        print(f"{name}: {len(render_from_glue(filled))} alt texts/captions built from glue")
