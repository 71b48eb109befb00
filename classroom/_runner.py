"""Grade one notebook with otter and print a JSON summary: the program that runs *inside* the sandbox.

It is copied into the sandbox on its own (standard library and otter only) because the sandbox sees neither the
classroom package nor the rest of the teacher's files. Usage::

    python _runner.py SUBMISSION.ipynb AUTOGRADER.zip CPU_SECONDS

The summary goes to the original standard output as one JSON object; otter's own printing, the kernel's and the
student's stray writes to file descriptors 1 and 2 go to /dev/null. Keys: ``status`` ("graded", "error" or
"timeout"), ``detail``, ``scores`` ({question: [score, possible]}), ``tests`` (one entry per test case, without its
code), ``errors`` (exceptions raised by the notebook's cells) and ``output_bytes`` (the size of every cell output).
"""

from __future__ import annotations

import json
import os
import resource
import sys

MAX_TEXT = 500  # characters kept of any message that comes from the student's code
_EXCEPTION_SUFFIXES = ("Error", "Exception", "Exit", "Interrupt", "Warning")


def _short(text: str) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 3] + "..."


def exception_line(doctest_report: str) -> str:
    """The exception a failed doctest raised ("AssertionError: hint"), never the test's code; "" if none.

    Only the first failed example counts (doctest goes on after a failure). Its report holds the example's source,
    the traceback's frames (with source lines) and, last, the exception: the last line that starts with an
    exception's name.
    """
    first = doctest_report.split("Failed example:")[1:2]
    if not first or "Exception raised:" not in first[0]:
        return ""
    found = ""
    for line in first[0].split("Exception raised:", 1)[1].splitlines():
        name = line.strip().split(":", 1)[0]
        if all(part.isidentifier() for part in name.split(".")) and name.endswith(_EXCEPTION_SUFFIXES):
            found = line.strip()
    return _short(found)


def summarise(results) -> dict:
    """Scores, per-test outcomes and cell errors of otter's ``GradingResults``."""
    tests, scores = [], {}
    for question, test_file in results.results.items():
        scores[question] = [float(test_file.score), float(test_file.possible)]
        for number, outcome in enumerate(test_file.test_case_results, start=1):
            case = outcome.test_case
            tests.append(
                {
                    "question": question,
                    "number": number,
                    "hidden": bool(case.hidden),
                    "passed": bool(outcome.passed),
                    "points": float(case.points or 0),
                    "hint": _short(case.failure_message or ""),
                    "error": "" if outcome.passed else exception_line(outcome.message or ""),
                }
            )
    errors, output_bytes = [], 0
    for cell in getattr(results.notebook, "cells", []):
        for output in cell.get("outputs", []):
            output_bytes += len(json.dumps(output))
            if output.get("output_type") == "error":
                name, value = output.get("ename", "Error"), output.get("evalue", "")
                errors.append(_short(f"{name}: {value}" if value else name))
    return {"status": "graded", "detail": "", "scores": scores, "tests": tests, "errors": errors,
            "output_bytes": output_bytes}


def children_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def grade(submission: str, autograder: str, cpu_seconds: float) -> dict:
    from nbclient.exceptions import CellTimeoutError, DeadKernelError
    from otter.run import main as otter_run

    try:
        results = otter_run(submission, autograder=autograder, output_dir=None, no_logo=True)
    except (DeadKernelError, CellTimeoutError) as error:
        used = children_cpu_seconds()
        if used >= 0.9 * cpu_seconds:
            return {"status": "timeout",
                    "detail": f"the notebook used its {cpu_seconds:g} s of CPU time and was stopped (an endless loop?)"}
        return {"status": "error", "detail": _short(f"the notebook's kernel died ({type(error).__name__})")}
    failure = getattr(results, "_catastrophic_error", None)
    if failure is not None:
        return {"status": "error", "detail": _short(f"otter could not collect the results: {failure!r}")}
    return summarise(results)


def main(argv: list[str]) -> int:
    submission, autograder, cpu_seconds = argv[0], argv[1], float(argv[2])
    results_fd = os.dup(1)  # not inherited by the kernel (Python's dup is close-on-exec)
    quiet = os.open(os.devnull, os.O_WRONLY)
    os.dup2(quiet, 1)
    os.dup2(quiet, 2)
    try:
        payload = grade(submission, autograder, cpu_seconds)
    except BaseException as error:  # report every failure as a row; the sandbox is thrown away anyway
        payload = {"status": "error", "detail": _short(f"{type(error).__name__}: {error}")}
    own = resource.getrusage(resource.RUSAGE_SELF)
    payload["cpu_seconds"] = own.ru_utime + own.ru_stime + children_cpu_seconds()
    with os.fdopen(results_fd, "w", encoding="utf-8") as out:
        json.dump(payload, out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
