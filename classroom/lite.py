"""Student notebooks for the book's browser site (JupyterLite), where otter-grader is not available.

``grader.check("q1")`` needs otter, which has not been shown to install under Pyodide. The browser version of a
student notebook therefore runs each question's *public* tests as plain asserts, each failing with its hint; the
hidden tests still run only when the teacher grades. The notebook keeps its otter metadata, so a student can hand
in the browser version and it is graded like the other.
"""

from __future__ import annotations

import copy
import re

SETUP = '''# In the book's browser site (JupyterLite) otter-grader is not available: each question's public checks
# are plain asserts in the cell after your answer. The hidden tests run only when your teacher grades.
import os
import sys

if "pyodide" in sys.modules:  # the browser site serves logreg (piplite) and the data files
    %pip install logreg
    os.environ.setdefault("LOGREG_DATA_DIR", "/drive/data")'''

_CHECK = re.compile(r'grader\.check\("(\w+)"\)')


def _source(cell: dict) -> str:
    return cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])


def doctest_to_code(doctest: str) -> str:
    """otter's stored test (``>>> `` and ``... `` prompts) as plain Python."""
    return "\n".join(line[4:] for line in doctest.splitlines() if line.startswith((">>> ", "... ", ">>>", "...")))


def public_checks(question: str, test: dict) -> str:
    """The public test cases of one question as a cell: each runs, and fails with its hint."""
    blocks = [f"# public checks of {question} (where otter runs, this is grader.check({question!r}))"]
    cases = [case for suite in test["suites"] for case in suite["cases"] if not case.get("hidden", False)]
    for number, case in enumerate(cases, start=1):
        body = "\n".join("    " + line if line else line for line in doctest_to_code(case["code"]).splitlines())
        hint = case.get("failure_message") or "this check failed"
        blocks.append(f"try:\n{body}\nexcept Exception as error:\n"
                      f"    raise AssertionError({f'{question}, check {number}: {hint}'!r}) from error")
    blocks.append(f"print({f'{question}: the public checks pass'!r})")
    return "\n".join(blocks)


def browser_version(notebook: dict, tests: dict) -> dict:
    """``notebook`` (a student notebook, or its solution) with otter's cells replaced by plain checks.

    ``tests`` are the public tests otter stores in the student notebook's metadata (``metadata.otter.tests``).
    """
    lite = copy.deepcopy(notebook)
    cells = []
    for cell in lite["cells"]:
        text = _source(cell).strip()
        if cell["cell_type"] == "code" and "otter.Notebook(" in text:
            cells.append({**cell, "source": SETUP, "outputs": [], "execution_count": None,
                          "metadata": {**cell.get("metadata", {}), "tags": ["lite-setup"]}})
        elif cell["cell_type"] == "code" and (match := _CHECK.fullmatch(text)):
            cells.append({**cell, "source": public_checks(match.group(1), tests[match.group(1)]), "outputs": [],
                          "execution_count": None})
        elif text == "grader.check_all()" or "rerun all of the autograder tests" in text:
            continue
        else:
            cells.append(cell)
    lite["cells"] = cells
    return lite
