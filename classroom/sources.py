"""Where the assignments live, and what each one asks.

An assignment is one otter-assign *source* notebook, ``assignments/<name>/<name>.ipynb``, holding the questions,
their solutions and their tests. Built assignments go to ``_build/assignments/<name>/``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "assignments"
BUILD = ROOT / "_build" / "assignments"


@dataclass(frozen=True)
class Question:
    """One question of an assignment: its name (``q1``...), points, and whether a person grades it."""

    name: str
    points: float
    manual: bool


def assignment_names() -> list[str]:
    """Every assignment with a source notebook ``assignments/<name>/<name>.ipynb``, sorted."""
    return sorted(path.parent.name for path in SOURCES.glob("*/*.ipynb") if path.stem == path.parent.name)


def source_notebook(name: str) -> Path:
    """The source notebook of assignment ``name``; a clear ``ValueError`` for an unknown name."""
    if name not in assignment_names():
        raise ValueError(f"no assignment {name!r}; choose one of {assignment_names()}")
    return SOURCES / name / f"{name}.ipynb"


def questions(name: str) -> list[Question]:
    """The questions of an assignment in order, read from the ``# BEGIN QUESTION`` cells of its source."""
    found = []
    for cell in json.loads(source_notebook(name).read_text(encoding="utf-8"))["cells"]:
        text = "".join(cell["source"])
        if cell["cell_type"] == "raw" and text.startswith("# BEGIN QUESTION"):
            config = yaml.safe_load(text.split("\n", 1)[1])
            found.append(Question(str(config["name"]), float(config["points"]), bool(config.get("manual", False))))
    return found
