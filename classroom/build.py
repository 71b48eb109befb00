"""Build assignments with ``otter assign``: a student notebook to hand out and an autograder to keep."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from classroom.environment import data_folder, grading_environment, write_import_shim
from classroom.lite import browser_version
from classroom.sources import BUILD, assignment_names, source_notebook

BUILD_TIMEOUT_SECONDS = 600

# One Python process builds every requested assignment: otter's import costs more than an assignment's build.
_BUILD_SCRIPT = """
import json, sys
from otter.assign import main
for master, result, no_run_tests in json.loads(sys.argv[1]):
    print("building", master, flush=True)
    main(master, result, no_run_tests=no_run_tests)
"""


def build_many(names: Sequence[str], out: Path = BUILD, *, check_solutions: bool = True) -> list[Path]:
    """Run ``otter assign`` on each named source, writing ``out/<name>/{student,student-lite,autograder}``.

    With ``check_solutions`` otter also runs every test against the solution notebook and the build fails if one
    does not pass (the test suite skips that step because it grades the solutions itself). Raises
    ``ValueError`` for an unknown name and ``RuntimeError`` (naming the assignment) when otter fails.
    """
    jobs, targets = [], []
    for name in names:
        master = source_notebook(name)
        target = Path(out).resolve() / name
        shutil.rmtree(target, ignore_errors=True)  # no stale autograder zips from an earlier build
        jobs.append([str(master), str(target), not check_solutions])
        targets.append(target)
    if not jobs:
        return []
    with tempfile.TemporaryDirectory(prefix="classroom-build-") as scratch:
        home = Path(scratch)
        completed = subprocess.run(
            [sys.executable, "-c", _BUILD_SCRIPT, json.dumps(jobs)],
            cwd=scratch,
            capture_output=True,
            text=True,
            timeout=BUILD_TIMEOUT_SECONDS,
            env=grading_environment(home, write_import_shim(home / "shim"), data_folder()),
        )
    if completed.returncode != 0:  # with check_solutions a failing test on the solutions lands here too
        started = [line.split(" ", 1)[1] for line in completed.stdout.splitlines() if line.startswith("building ")]
        which = Path(started[-1]).stem if started else "?"
        detail = "\n".join((completed.stdout + completed.stderr).strip().splitlines()[-15:])
        raise RuntimeError(f"otter assign failed for {which!r}:\n{detail}")
    for target in targets:
        write_browser_version(target)
    return targets


def write_browser_version(target: Path) -> Path:
    """``<target>/student-lite/<name>.ipynb``: the student notebook for the browser site (see :mod:`classroom.lite`)."""
    student = target / "student" / f"{target.name}.ipynb"
    notebook = json.loads(student.read_text(encoding="utf-8"))
    lite = browser_version(notebook, notebook["metadata"]["otter"]["tests"])
    folder = target / "student-lite"
    folder.mkdir(exist_ok=True)
    path = folder / student.name
    path.write_text(json.dumps(lite, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def build(name: str, out: Path = BUILD, *, check_solutions: bool = True) -> Path:
    """Build one assignment; returns its output folder ``out/<name>``."""
    return build_many([name], out, check_solutions=check_solutions)[0]


def build_all(out: Path = BUILD, *, check_solutions: bool = True) -> list[Path]:
    """Build every assignment into ``out``."""
    return build_many(assignment_names(), out, check_solutions=check_solutions)


def autograder_zip(name: str, out: Path = BUILD) -> Path:
    """The autograder bundle of a built assignment, the file Gradescope takes (its name carries a timestamp)."""
    bundles = sorted((Path(out) / name / "autograder").glob(f"{name}-autograder_*.zip"))
    if not bundles:
        raise ValueError(f"assignment {name!r} is not built yet in {out}: run `make assignments` first")
    return bundles[-1]
