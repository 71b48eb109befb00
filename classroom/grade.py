"""Grade one submission: check it, run its notebook and the tests in two sandboxes, and turn the outcome into a Report.

The notebook runs in one sandbox (``_student.py``) that holds no test; the autograder's tests run in another
(``_trusted.py``) that runs no student code and reaches the notebook's names over two pipes (``_wire.py``).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
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

HERE = Path(__file__).resolve().parent
#: the programs of the two grading processes and the wire between them (copied into each sandbox)
STUDENT_SIDE = HERE / "_student.py"
TESTS_SIDE = HERE / "_trusted.py"
WIRE = HERE / "_wire.py"
PROGRAMS = (STUDENT_SIDE, TESTS_SIDE, WIRE)
#: the status of a grading whose machinery failed (not the submission's fault): never cached
PROCESS_FAILED = "error: the grading process failed"
#: how a process stopped by its CPU limit ends: SIGXCPU, then SIGKILL (bubblewrap exits with 128 + the signal)
CPU_LIMIT_CODES = {128 + signal.SIGXCPU, 128 + signal.SIGKILL, -signal.SIGXCPU, -signal.SIGKILL}


def _megabytes(size: float) -> str:
    return f"{size / 2**20:.1f} MB"


def setup_notebook(bundle: Path, assignment: str) -> Path | None:
    """The assignment's solution notebook beside its autograder zip (``otter assign`` writes both), whose set-up
    cells the tests' process runs itself; ``None`` when it is not there."""
    path = Path(bundle).parent / f"{assignment}.ipynb"
    return path if path.is_file() else None


def _prepare_inputs(folder: Path, submission: Path, name: str, program: Path, bundle: Path | None,
                    setup: Path | None = None) -> None:
    """One sandbox's read-only ``/grading``: a copy of the submission, its program, the wire, the import shim and,
    for the tests' process only, the autograder and the teacher's notebook (for its set-up cells).

    The copy is named as the student notebook (``<assignment>.ipynb``), which its ``otter.Notebook(...)`` expects.
    """
    folder.mkdir()
    shutil.copyfile(submission, folder / name)
    (folder / "program").mkdir()  # a folder of its own: Python must list a folder to import from it
    shutil.copyfile(program, folder / "program" / program.name)
    shutil.copyfile(WIRE, folder / "program" / WIRE.name)
    if bundle is not None:
        shutil.copyfile(bundle, folder / "autograder.zip")
    if setup is not None:
        shutil.copyfile(setup, folder / "setup.ipynb")
    write_import_shim(folder / "shim")
    folder.chmod(0o711)  # the sandbox's user may open these files by name, not list the folder
    for path in folder.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)


def run_two_processes(
    submission: Path, assignment: str, bundle: Path, limits: Limits, *, use_sandbox: bool, hidden: Sequence[Path]
) -> dict:
    """Grade one submission in two processes and return the tests' JSON summary (or a status saying why not).

    The submission's notebook runs in one sandbox (``_student.py``), which holds no test; the tests run in a
    second one (``_trusted.py``), which runs no student code. Two pipes join them and nothing else does.
    """
    with tempfile.TemporaryDirectory(prefix="classroom-grading-") as work:
        name = f"{assignment}.ipynb"
        inputs = {"student": Path(work) / "student", "tests": Path(work) / "tests"}
        _prepare_inputs(inputs["student"], submission, name, STUDENT_SIDE, None)
        setup = setup_notebook(bundle, assignment)
        _prepare_inputs(inputs["tests"], submission, name, TESTS_SIDE, bundle, setup)
        homes = {side: Path(work) / f"{side}-home" for side in inputs}
        for home in homes.values():
            home.mkdir()
        at = {side: Path("/grading") if use_sandbox else folder for side, folder in inputs.items()}
        data = data_folder()
        env = {side: grading_environment(Path("/tmp/home") if use_sandbox else homes[side], at[side] / "shim", data)
               for side in inputs}
        to_student, from_tests = os.pipe()
        from_student, to_tests = os.pipe()
        pipes = [to_student, from_tests, from_student, to_tests]
        student = [sys.executable, str(at["student"] / "program" / STUDENT_SIDE.name), str(at["student"] / name),
                   str(to_student), str(to_tests)]
        tests = [sys.executable, str(at["tests"] / "program" / TESTS_SIDE.name), str(at["tests"] / "autograder.zip"),
                 str(at["tests"] / name), str(from_tests), str(from_student), f"{limits.call_seconds:g}",
                 f"{limits.wall_seconds:g}", str(at["tests"] / "setup.ipynb") if setup else "-"]
        try:
            sides = [(student, inputs["student"], env["student"], (to_student, to_tests), homes["student"]),
                     (tests, inputs["tests"], env["tests"], (from_tests, from_student), homes["tests"])]
            return _run_both(sides, limits, use_sandbox, hidden, data, pipes)
        finally:
            for fd in pipes:
                with contextlib.suppress(OSError):
                    os.close(fd)


def _run_both(sides, limits: Limits, use_sandbox: bool, hidden: Sequence[Path], data, pipes: list[int]) -> dict:
    """Start both sandboxes, wait for the tests' process, stop the notebook's, and read the tests' summary."""
    (student_command, student_inputs, student_env, student_fds, student_home) = sides[0]
    (tests_command, tests_inputs, tests_env, tests_fds, tests_home) = sides[1]
    with (
        sandbox.start(student_command, student_inputs, limits, student_env, hidden=hidden, data=data,
                      pass_fds=student_fds, sandboxed=use_sandbox, cwd=student_home) as student,
        sandbox.start(tests_command, tests_inputs, limits, tests_env, hidden=hidden, data=data,
                      pass_fds=tests_fds, sandboxed=use_sandbox, cwd=tests_home) as tests,
    ):
        for fd in pipes:  # only the two processes hold the pipes now: one's end is the other's end-of-file
            os.close(fd)
        pipes.clear()
        finished = tests.wait(limits.wall_seconds + 10)
        student_code = student.process.returncode if student.wait(0.5) else None
        student.stop()
        tests.stop()
        done = tests.completed()
    if not finished:
        return {"status": TIMEOUT, "detail": f"grading took longer than {limits.wall_seconds:g} s and was stopped"}
    try:
        summary = json.loads(done.stdout.decode("utf-8"))
        if not isinstance(summary, dict):
            raise ValueError("not a summary")
    except (UnicodeDecodeError, ValueError):
        last = (done.stderr.decode("utf-8", "replace").strip().splitlines() or ["no message"])[-1]
        if done.returncode < 0:
            last = f"killed by signal {-done.returncode}; {last}"
        failed = PROCESS_FAILED.removeprefix("error: ")
        return {"status": "error", "detail": f"{failed} (exit code {done.returncode}): {last}"}
    if summary.get("status") == "student-ended":
        if student_code in CPU_LIMIT_CODES:
            summary.update(status=TIMEOUT, detail=f"the notebook used its {limits.cpu_seconds:g} s of CPU time and "
                           "was stopped (an endless loop?)")
        else:
            summary.update(status="error", detail="the notebook's process ended before its cells had run")
    elif summary.get("status") == "student-timeout":
        summary["status"] = TIMEOUT
    return summary


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
    summary = run_two_processes(submission, assignment, bundle, limits, use_sandbox=use_sandbox, hidden=hidden)
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
