"""Classroom assignments: otter builds them, hides solutions and hidden tests, grades offline with partial credit."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from logreg import classroom

HERE = Path(__file__).resolve().parent / "assignments"
NAMES = classroom.assignment_names()


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("assignments")
    paths = classroom.build_all(out, check_solutions=False)  # the solutions are graded below instead
    assert [path.name for path in paths] == NAMES
    return out


def test_three_assignments_each_with_a_written_question():
    assert NAMES == ["gradient_descent", "regularisation", "sigmoid_log_loss"]
    for name in NAMES:
        asked = classroom.questions(name)
        assert sum(asked.values()) >= 1 and sum(not manual for manual in asked.values()) >= 2


def solution_lines(name: str) -> list[str]:
    """The substantial code lines between ``# BEGIN SOLUTION`` and ``# END SOLUTION`` in a source notebook."""
    lines, inside = [], False
    for cell in json.loads((classroom.SOURCES / name / f"{name}.ipynb").read_text())["cells"]:
        if cell["cell_type"] != "code":
            continue
        for line in "".join(cell["source"]).splitlines():
            if line.strip() in ("# BEGIN SOLUTION", "# END SOLUTION"):
                inside = line.strip() == "# BEGIN SOLUTION"
            elif inside and len(line.strip()) > 15:
                lines.append(line.strip())
    return lines


@pytest.mark.parametrize("name", NAMES)
def test_student_notebook_has_no_solutions_or_hidden_tests(built, name):
    student = json.loads((built / name / "student" / f"{name}.ipynb").read_text())
    code = "\n".join("".join(cell["source"]) for cell in student["cells"] if cell["cell_type"] == "code")
    everything = json.dumps(student)
    assert solution_lines(name), "the source has solutions to hide"
    assert [line for line in solution_lines(name) if line in code] == []
    for leaked in ("BEGIN SOLUTION", "# HIDDEN", "inspect.getsource", "BEGIN TESTS"):
        assert leaked not in everything, f"{leaked!r} leaked into the student notebook"
    assert "grader.check_all()" in code, "students can still run the public tests"
    assert list((built / name / "autograder").glob(f"{name}-autograder_*.zip"))


@pytest.mark.parametrize("name", NAMES)
def test_solution_gets_full_marks(built, name):
    report = classroom.grade(built / name / "autograder" / f"{name}.ipynb", name, built)
    assert report.total == report.possible > 0
    assert report.manual == ["q3"]


def test_untouched_student_notebook_gets_zero(built):
    untouched = built / "gradient_descent" / "student" / "gradient_descent.ipynb"
    report = classroom.grade(untouched, "gradient_descent", built)
    assert report.possible == 8 and report.total == 0


def test_half_right_submission_that_raises_gets_partial_marks(built):
    submission = HERE / "half_right_sigmoid_log_loss.ipynb"
    assert "raise RuntimeError" in submission.read_text(), "the fixture also has a cell that raises"
    report = classroom.grade(submission, "sigmoid_log_loss", built)
    # naive sigmoid: right values, but it overflows (a hidden test); log_loss left blank; a later cell raises
    assert report.scores == {"q1": (3.0, 4.0), "q2": (0.0, 4.0)}
    assert "3 / 4" in str(report) and "to grade by hand: q3" in str(report)


def test_bad_submissions_get_a_clear_report(built, tmp_path, capsys):
    text_file = tmp_path / "answers.txt"
    text_file.write_text("my answers")
    corrupt = tmp_path / "corrupt.ipynb"
    corrupt.write_text("{not json")
    cases = [
        (text_file, "is not a Jupyter notebook"),
        (corrupt, "is not a valid notebook"),
        (tmp_path / "missing.ipynb", "does not exist"),
    ]
    for path, message in cases:
        with pytest.raises(classroom.SubmissionError, match=message):
            classroom.grade(path, "sigmoid_log_loss", built)
    wrong = built / "regularisation" / "autograder" / "regularisation.ipynb"
    with pytest.raises(classroom.SubmissionError, match="for assignment 'regularisation', not 'sigmoid_log_loss'"):
        classroom.grade(wrong, "sigmoid_log_loss", built)
    assert classroom.main(["grade", str(text_file), "sigmoid_log_loss"]) == 2
    assert "error: answers.txt is not a Jupyter notebook" in capsys.readouterr().err


def test_unbuilt_or_unknown_assignment_is_named(tmp_path):
    with pytest.raises(ValueError, match="not built yet"):
        classroom.autograder_zip("sigmoid_log_loss", tmp_path)
    with pytest.raises(ValueError, match="no assignment 'nope'"):
        classroom.build("nope", tmp_path)
