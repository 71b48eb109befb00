"""Move ``glue(...)`` calls out of the code cells a reader sees, into hidden cells.

    .venv/bin/python scripts/hide_glue.py chapters/NAME.ipynb [...]

For every visible code cell, the top-level ``glue(...)`` statements and ``from myst_nb import glue`` go into the
hidden (``remove-cell``) code cell that follows it, or a new one inserted after it. A call stays where it is (and
is reported) when a later statement of the same cell reassigns a name it reads: moving it would glue another
value. Cells with IPython magics are left alone. The notebook must be executed again afterwards.
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import json
import sys
from pathlib import Path

HIDDEN = ("remove-cell", "remove-input")
GLUE_IMPORT = "from myst_nb import glue"


def _is_glue_call(node: ast.stmt) -> bool:
    return (
        isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Call)
        and isinstance(node.value.func, ast.Name)
        and node.value.func.id == "glue"
    )


def _is_glue_import(node: ast.stmt) -> bool:
    return (
        isinstance(node, ast.ImportFrom)
        and node.module == "myst_nb"
        and [alias.name for alias in node.names] == ["glue"]
    )


def _assigned(node: ast.stmt) -> set[str]:
    return {
        target.id
        for target in ast.walk(node)
        if isinstance(target, ast.Name) and isinstance(target.ctx, ast.Store)
    }


def _read(node: ast.stmt) -> set[str]:
    return {name.id for name in ast.walk(node) if isinstance(name, ast.Name) and isinstance(name.ctx, ast.Load)}


def split_cell(source: str) -> tuple[str, list[str], list[str]]:
    """(what stays visible, the statements to hide, the calls that must stay, as text)."""
    tree = ast.parse(source)
    lines = source.split("\n")
    body = tree.body
    moved, kept_back, drop = [], [], set()
    for index, node in enumerate(body):
        if not (_is_glue_call(node) or _is_glue_import(node)):
            continue
        text = "\n".join(lines[node.lineno - 1 : node.end_lineno])
        later_writes: set[str] = set().union(*(_assigned(other) for other in body[index + 1 :]))
        if _is_glue_call(node) and _read(node) & later_writes:
            kept_back.append(text)
            continue
        if not _is_glue_import(node):
            moved.append(text)
        drop.update(range(node.lineno - 1, node.end_lineno))
    remaining = [line for number, line in enumerate(lines) if number not in drop]
    compact: list[str] = []
    for line in remaining:
        if not line.strip() and (not compact or not compact[-1].strip()):
            continue
        compact.append(line)
    while compact and not compact[-1].strip():
        compact.pop()
    return "\n".join(compact), moved, kept_back


def _source_lines(text: str) -> list[str]:
    parts = text.split("\n")
    return [line + "\n" for line in parts[:-1]] + [parts[-1]]


def _hidden_cell(text: str) -> dict:
    return {
        "cell_type": "code",
        "execution_count": None,
        "id": "glue-" + hashlib.sha256(text.encode()).hexdigest()[:8],
        "metadata": {"tags": ["remove-cell"]},
        "outputs": [],
        "source": _source_lines(text),
    }


def hide_glue(notebook: dict) -> tuple[int, list[str]]:
    """Rewrite ``notebook`` in place; return how many calls moved and the ones kept back."""
    cells = notebook["cells"]
    moved_total, kept_total = 0, []
    needs_import = True
    index = 0
    while index < len(cells):
        cell = cells[index]
        tags = set(cell.get("metadata", {}).get("tags", []))
        source = "".join(cell["source"])
        if cell["cell_type"] != "code" or tags & set(HIDDEN) or "glue" not in source:
            if cell["cell_type"] == "code" and GLUE_IMPORT in source:
                needs_import = False
            index += 1
            continue
        if any(line.lstrip().startswith(("%", "!")) for line in source.split("\n")):
            index += 1
            continue
        visible, moved, kept_back = split_cell(source)
        kept_total += kept_back
        if not moved and visible == source.rstrip("\n"):
            index += 1
            continue
        header = [GLUE_IMPORT] if needs_import and moved else []
        needs_import = needs_import and not moved
        hidden_text = "\n".join(header + moved)
        if not visible.strip():
            cell["source"] = _source_lines(hidden_text)
            cell.setdefault("metadata", {}).setdefault("tags", []).append("remove-cell")
            moved_total += len(moved)
            index += 1
            continue
        cell["source"] = _source_lines(visible)
        if moved:
            following = cells[index + 1] if index + 1 < len(cells) else None
            follow_tags = set(following.get("metadata", {}).get("tags", [])) if following else set()
            if following and following["cell_type"] == "code" and "remove-cell" in follow_tags:
                following["source"] = _source_lines(hidden_text + "\n" + "".join(following["source"]))
            else:
                cells.insert(index + 1, _hidden_cell(hidden_text))
        moved_total += len(moved)
        index += 1
    return moved_total, kept_total


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("notebooks", nargs="+", type=Path)
    args = parser.parse_args(argv)
    for path in args.notebooks:
        notebook = json.loads(path.read_text())
        moved, kept_back = hide_glue(notebook)
        path.write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n")
        print(f"{path}: {moved} glue call(s) moved into hidden cells; execute the notebook again")
        for text in kept_back:
            print(f"  left in place (a later line of its cell changes what it reads): {text.splitlines()[0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
