"""Feedback a teacher can hand back: per question the points, and for each failed test what was wrong.

A failed test is described by the hint its author attached and by the exception it raised; never by its code, so
hidden tests stay hidden.
"""

from __future__ import annotations

from classroom.report import TIMEOUT, Report, TestOutcome


def _points(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def describe_failure(test: TestOutcome) -> str:
    """One line for a failed test: which test, its points, the author's hint and the exception raised."""
    kind = "hidden" if test.hidden else f'public: run `grader.check("{test.question}")`'
    where = f"test {test.number} ({kind})"
    what = "; ".join(part for part in (test.hint, f"it raised {test.error}" if test.error else "") if part)
    return f"- {where}, {_points(test.points)} point(s) lost: {what or 'the test failed'}"


def render(report: Report) -> str:
    """The Markdown feedback for one student."""
    lines = [f"# {report.assignment}: feedback for {report.student}", ""]
    if report.status == TIMEOUT:
        lines += ["Your notebook could not be graded: it ran out of time.", ""]
        lines += [f"- {note}" for note in report.notes]
        return "\n".join([*lines, ""])
    if not report.graded:
        reason = report.status.removeprefix("error: ")
        return "\n".join([*lines, f"Your submission could not be graded: {reason}.", ""])
    lines += [f"Autograded score: **{_points(report.total)} / {_points(report.possible)}**.", ""]
    for question, (score, points) in report.scores.items():
        lines += [f"## {question}: {_points(score)} / {_points(points)}", ""]
        failed = [test for test in report.tests if test.question == question and not test.passed]
        lines += [describe_failure(test) for test in failed] or ["All tests passed."]
        lines.append("")
    for question, points in report.manual.items():
        lines += [f"## {question}: written answer, {_points(points)} point(s)", "", "Graded by your teacher.", ""]
    if report.notes:
        lines += ["## While your notebook ran", ""] + [f"- {note}" for note in report.notes] + [""]
    return "\n".join(lines)
