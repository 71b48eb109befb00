"""Structural checks of every chapter: what the book promises its readers, checked on the stored notebooks."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))


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
        shows_image = any("image/png" in output.get("data", {}) for output in cell.get("outputs", []))
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
