"""Classroom assignments: build student notebooks and autograders with otter-grader, and grade offline.

Sources live in ``assignments/<name>/<name>.ipynb`` (solutions and tests inside, in otter-assign format).
``python -m logreg.classroom build`` writes ``_build/assignments/<name>/{student,autograder}``;
``python -m logreg.classroom grade SUBMISSION.ipynb NAME`` prints a per-question score. otter is imported only here,
so ``import logreg`` stays light.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "assignments"
BUILD = ROOT / "_build" / "assignments"
GRADING_TIMEOUT_SECONDS = 300


class SubmissionError(ValueError):
    """A submission that cannot be graded: missing, not a notebook, or for another assignment."""


def assignment_names() -> list[str]:
    """Every assignment with a source notebook ``assignments/<name>/<name>.ipynb``."""
    return sorted(path.parent.name for path in SOURCES.glob("*/*.ipynb") if path.stem == path.parent.name)


def build(name: str, out: Path = BUILD, *, check_solutions: bool = True) -> Path:
    """Run ``otter assign`` on one source; returns the assignment's output folder.

    With ``check_solutions`` otter also runs every test against the solution notebook and fails the build if one
    does not pass (the test suite skips that step because it grades the solutions itself).
    """
    if name not in assignment_names():
        raise ValueError(f"no assignment {name!r}; choose one of {assignment_names()}")
    target = out / name
    completed = subprocess.run(
        [sys.executable, "-m", "otter", "assign", f"{name}.ipynb", str(target)]
        + ([] if check_solutions else ["--no-run-tests"]),
        cwd=SOURCES / name,
        capture_output=True,
        text=True,
        timeout=GRADING_TIMEOUT_SECONDS,
    )
    if completed.returncode != 0:  # otter assign runs the tests on the solutions: a failing test lands here
        detail = "\n".join((completed.stdout + completed.stderr).strip().splitlines()[-15:])
        raise RuntimeError(f"otter assign failed for {name!r}:\n{detail}")
    return target


def build_all(out: Path = BUILD, *, check_solutions: bool = True) -> list[Path]:
    """Build every assignment into ``out``."""
    return [build(name, out, check_solutions=check_solutions) for name in assignment_names()]


def autograder_zip(name: str, out: Path = BUILD) -> Path:
    """The autograder bundle of a built assignment (its file name carries a timestamp)."""
    bundles = sorted((out / name / "autograder").glob(f"{name}-autograder_*.zip"))
    if not bundles:
        raise ValueError(f"assignment {name!r} is not built yet: run `make assignments` first")
    return bundles[-1]


@dataclass
class Report:
    """Scores of one graded submission; ``manual`` lists the written questions left for a human."""

    assignment: str
    scores: dict[str, tuple[float, float]] = field(default_factory=dict)
    manual: list[str] = field(default_factory=list)

    @property
    def total(self) -> float:
        return sum(score for score, _ in self.scores.values())

    @property
    def possible(self) -> float:
        return sum(points for _, points in self.scores.values())

    def __str__(self) -> str:
        lines = [f"{self.assignment}: autograded questions"]
        lines += [f"  {question:<6}{score:g} / {points:g}" for question, (score, points) in self.scores.items()]
        lines.append(f"  total {self.total:g} / {self.possible:g}")
        if self.manual:
            lines.append(f"  to grade by hand: {', '.join(self.manual)}")
        return "\n".join(lines)


def _check_submission(submission: Path, name: str) -> None:
    if not submission.is_file():
        raise SubmissionError(f"{submission} does not exist")
    if submission.suffix != ".ipynb":
        raise SubmissionError(f"{submission.name} is not a Jupyter notebook (.ipynb); submit the notebook itself")
    try:
        notebook = json.loads(submission.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise SubmissionError(f"{submission.name} is not a valid notebook: it is not readable JSON ({error})") from None
    if not isinstance(notebook, dict) or "cells" not in notebook:
        raise SubmissionError(f"{submission.name} is not a valid notebook: it has no cells")
    meant_for = notebook.get("metadata", {}).get("otter", {}).get("assignment_name")
    if meant_for is not None and meant_for != name:
        raise SubmissionError(f"{submission.name} is a submission for assignment {meant_for!r}, not {name!r}")


def questions(name: str) -> dict[str, bool]:
    """The questions of an assignment's source, each mapped to whether it is graded by hand."""
    source = json.loads((SOURCES / name / f"{name}.ipynb").read_text(encoding="utf-8"))
    found = {}
    for cell in source["cells"]:
        text = "".join(cell["source"])
        if cell["cell_type"] == "raw" and text.startswith("# BEGIN QUESTION"):
            found[text.split("name:")[1].split()[0]] = "manual: true" in text
    return found


def grade(submission: Path, name: str, out: Path = BUILD) -> Report:
    """Grade one submission with the built autograder, in a separate process with a time limit.

    Raises :class:`SubmissionError` with a clear message for a missing file, a non-notebook or a corrupt notebook.
    A notebook whose cells raise is graded all the same (the failing questions score 0).
    """
    submission = Path(submission).resolve()
    _check_submission(submission, name)
    bundle = autograder_zip(name, out)
    with tempfile.TemporaryDirectory() as scratch:
        results = Path(scratch) / "results"
        results.mkdir()
        # otter writes its own files next to the submission: grade a copy in a scratch folder
        copy = Path(scratch) / submission.name
        copy.write_bytes(submission.read_bytes())
        try:
            completed = subprocess.run(
                [sys.executable, "-m", "otter", "run", "-a", str(bundle), "-o", str(results), "--no-logo", str(copy)],
                cwd=scratch,
                capture_output=True,
                text=True,
                timeout=GRADING_TIMEOUT_SECONDS,
                env={**os.environ, "PYTHONWARNINGS": "ignore"},
            )
        except subprocess.TimeoutExpired:
            raise SubmissionError(
                f"grading {submission.name} took longer than {GRADING_TIMEOUT_SECONDS} s; look for an endless loop"
            ) from None
        result_file = results / "results.json"
        if completed.returncode != 0 or not result_file.is_file():
            last = (completed.stderr.strip().splitlines() or ["no output"])[-1]
            raise SubmissionError(f"could not grade {submission.name} as {name!r}: {last}")
        tests = json.loads(result_file.read_text())["tests"]
    asked = questions(name)
    report = Report(assignment=name, manual=[question for question, manual in asked.items() if manual])
    for question in asked:
        if not asked[question]:
            report.scores[question] = (0.0, 0.0)
    for test in tests:
        question = test["name"].split(" ")[0]
        if question not in report.scores:  # otter's summary rows such as "Public Tests"
            continue
        score, points = report.scores.get(question, (0.0, 0.0))
        report.scores[question] = (score + float(test.get("score", 0)), points + float(test.get("max_score", 0)))
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m logreg.classroom", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("build", help="build every assignment into _build/assignments")
    grading = commands.add_parser("grade", help="grade one submission")
    grading.add_argument("submission", type=Path)
    grading.add_argument("assignment", choices=assignment_names())
    args = parser.parse_args(argv)
    if args.command == "build":
        for path in build_all():
            print(f"built {path.relative_to(ROOT)}: student/ to hand out, autograder/ to keep")
        return 0
    try:
        print(grade(args.submission, args.assignment))
    except (SubmissionError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
