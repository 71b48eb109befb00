"""Grade one submission: check it, run otter on a copy inside the sandbox, and turn the outcome into a Report."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from classroom import sandbox
from classroom.build import autograder_zip
from classroom.environment import data_folder, grading_environment, write_import_shim
from classroom.report import GRADED, TIMEOUT, Report, TestOutcome
from classroom.sandbox import Limits
from classroom.sources import BUILD, questions
from classroom.submission import SubmissionError, check_submission, student_name

RUNNER = Path(__file__).resolve().parent / "_runner.py"
#: the status of a grading whose machinery failed (not the submission's fault): never cached
PROCESS_FAILED = "error: the grading process failed"


def _megabytes(size: float) -> str:
    return f"{size / 2**20:.1f} MB"


def _prepare_inputs(folder: Path, submission: Path, bundle: Path, name: str) -> None:
    """The sandbox's read-only ``/grading``: a copy of the one submission, the autograder, the runner, the shim.

    The copy is named as the student notebook (``<assignment>.ipynb``), which its ``otter.Notebook(...)`` expects.
    """
    shutil.copyfile(submission, folder / name)
    shutil.copyfile(bundle, folder / "autograder.zip")
    shutil.copyfile(RUNNER, folder / "runner.py")
    write_import_shim(folder / "shim")
    folder.chmod(0o711)  # the sandbox's user may open these files by name, not list the folder
    for path in folder.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)


def _run_unsandboxed(inputs: Path, command: list[str], limits: Limits, env: dict[str, str]) -> sandbox.Completed:
    """The same runner without isolation (``sandbox=False``): only the wall-clock limit applies."""
    try:
        done = subprocess.run(command, cwd=env["HOME"], capture_output=True, env=env, timeout=limits.wall_seconds)
    except subprocess.TimeoutExpired as stopped:
        return sandbox.Completed(-9, stopped.stdout or b"", stopped.stderr or b"", True)
    return sandbox.Completed(done.returncode, done.stdout, done.stderr, False)


def run_runner(
    submission: Path, assignment: str, bundle: Path, limits: Limits, *, use_sandbox: bool, hidden: Sequence[Path]
) -> dict:
    """Run ``_runner.py`` on one submission and return its JSON summary (or a status saying why there is none)."""
    with tempfile.TemporaryDirectory(prefix="classroom-grading-") as work:
        inputs = Path(work) / "inputs"
        inputs.mkdir()
        name = f"{assignment}.ipynb"
        _prepare_inputs(inputs, submission, bundle, name)
        data = data_folder()
        if use_sandbox:
            at = Path("/grading")
            env = grading_environment(Path("/tmp/home"), at / "shim", data)
            command = [sys.executable, str(at / "runner.py"), str(at / name),
                       str(at / "autograder.zip"), f"{limits.cpu_seconds:g}"]
            done = sandbox.run(command, inputs, limits, env, hidden=hidden, data=data)
        else:
            home = Path(work) / "home"
            home.mkdir()
            env = grading_environment(home, inputs / "shim", data)
            command = [sys.executable, str(inputs / "runner.py"), str(inputs / name),
                       str(inputs / "autograder.zip"), f"{limits.cpu_seconds:g}"]
            done = _run_unsandboxed(inputs, command, limits, env)
    if done.timed_out:
        return {"status": TIMEOUT, "detail": f"grading took longer than {limits.wall_seconds:g} s and was stopped"}
    try:
        return json.loads(done.stdout.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        last = (done.stderr.decode("utf-8", "replace").strip().splitlines() or ["no message"])[-1]
        if done.returncode < 0:
            last = f"killed by signal {-done.returncode}; {last}"
        failed = PROCESS_FAILED.removeprefix("error: ")
        return {"status": "error", "detail": f"{failed} (exit code {done.returncode}): {last}"}


def grade(
    submission: Path,
    assignment: str,
    out: Path = BUILD,
    *,
    limits: Limits | None = None,
    use_sandbox: bool = True,
    hidden: Sequence[Path] = (),
    bundle: Path | None = None,
) -> Report:
    """Grade one submission with the built autograder of ``assignment`` (in ``out``) and return its Report.

    A file that cannot be graded (missing, empty, not a notebook, corrupt, another assignment's), a notebook that
    runs out of time and one that breaks a limit all get a Report with status ``error: ...`` or ``timeout``,
    never an exception. A notebook whose cells raise is graded (questions whose code never ran score zero) and
    its errors are listed in ``notes``. Raises ``ValueError`` for an unknown or unbuilt assignment and
    :class:`~classroom.sandbox.SandboxUnavailable` when bubblewrap is missing (``use_sandbox=False`` skips it).
    """
    started = time.perf_counter()
    limits = limits or Limits()
    asked = questions(assignment)
    report = Report(
        assignment=assignment,
        student=student_name(Path(submission)),
        manual={question.name: question.points for question in asked if question.manual},
    )
    submission = Path(submission).resolve()
    try:
        check_submission(submission, assignment)
    except SubmissionError as problem:
        report.status = f"error: {problem}"
        return report
    bundle = bundle or autograder_zip(assignment, out)
    hidden = [*hidden, submission.parent]
    summary = run_runner(submission, assignment, bundle, limits, use_sandbox=use_sandbox, hidden=hidden)
    report.seconds = time.perf_counter() - started
    report.cpu_seconds = float(summary.get("cpu_seconds", 0.0))
    status = summary.get("status")
    if status == TIMEOUT:
        report.status = TIMEOUT
        report.notes.append(summary.get("detail", ""))
        return report
    if status != GRADED:
        report.status = f"error: {summary.get('detail') or 'grading failed'}"
        return report
    if summary.get("output_bytes", 0) > limits.output_bytes:
        report.status = (
            f"error: output limit exceeded: the notebook's cells displayed {_megabytes(summary['output_bytes'])} "
            f"(limit {_megabytes(limits.output_bytes)})"
        )
        return report
    scores = summary.get("scores", {})
    for question in asked:
        if not question.manual:
            score, points = scores.get(question.name, (0.0, question.points))
            report.scores[question.name] = (float(score), float(points))
    report.tests = [TestOutcome(**test) for test in summary.get("tests", []) if test["question"] in report.scores]
    report.notes = [f"a cell raised {error}" for error in summary.get("errors", [])]
    return report
