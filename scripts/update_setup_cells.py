"""Rewrite every chapter's hidden set-up cell (metadata ``"colab_install": true``) to one canonical source.

The cell is the first code cell of each chapter, tagged ``remove-cell`` so the book does not show it. It must do
nothing on a machine with the book's venv (nbval compares its empty output); on Google Colab install the ``logreg``
package and myst-nb (whose ``glue`` every chapter imports); and in the browser site (JupyterLite, Pyodide:
``sys.platform == "emscripten"``) install ``logreg`` and the glue stand-in from the site's own wheels (``%pip`` is
piplite there) and point ``LOGREG_DATA_DIR`` at the data files the site ships in ``data/``, which the kernel sees
under ``/drive``.

Usage: ``.venv/bin/python scripts/update_setup_cells.py [NOTEBOOK ...]`` (default: every ``chapters/*.ipynb``).
It changes only that cell's source, keeps the file's JSON layout, and prints the files it changed.
``tests/test_lite.py`` checks that every chapter's set-up cell equals :data:`SETUP_SOURCE`.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SETUP_SOURCE = """\
# Set-up, hidden in the book. On Google Colab: install the book's package. In your
# browser (JupyterLite): install it from the book's site and use the data shipped
# with the site. Anywhere else this cell does nothing.
import sys

if "google.colab" in sys.modules:
    %pip install --quiet "logreg @ git+https://github.com/logreg-book/logreg-book@main"
    %pip install --quiet myst-nb  # the chapters glue numbers into the text with it
elif sys.platform == "emscripten":
    %pip install --quiet logreg myst-nb-glue
    import os

    os.environ["LOGREG_DATA_DIR"] = "/drive/data"
""".rstrip("\n")


def dumps(notebook: dict) -> str:
    """A notebook as nbformat writes it (sorted keys, one-space indent, UTF-8 kept)."""
    return json.dumps(notebook, sort_keys=True, indent=1, ensure_ascii=False) + "\n"


def setup_cells(notebook: dict) -> list[dict]:
    return [cell for cell in notebook["cells"] if cell.get("metadata", {}).get("colab_install")]


def update(path: Path) -> bool:
    """Set the set-up cell of ``path`` to :data:`SETUP_SOURCE`; True if the file changed."""
    text = path.read_text(encoding="utf-8")
    notebook = json.loads(text)
    if dumps(notebook) != text:
        raise SystemExit(f"{path}: not in nbformat's JSON layout; rewriting it would change more than one cell")
    cells = setup_cells(notebook)
    if len(cells) != 1 or cells[0]["cell_type"] != "code":
        raise SystemExit(f"{path}: expected one code cell with metadata colab_install, found {len(cells)}")
    cells[0]["source"] = SETUP_SOURCE.splitlines(keepends=True)
    updated = dumps(notebook)
    if updated == text:
        return False
    path.write_text(updated, encoding="utf-8")
    return True


def main(argv: list[str]) -> None:
    paths = [Path(arg) for arg in argv] or sorted((ROOT / "chapters").glob("*.ipynb"))
    for path in paths:
        if update(path):
            print(f"updated {path}")


if __name__ == "__main__":
    main(sys.argv[1:])
