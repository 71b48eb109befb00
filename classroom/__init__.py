"""classroom: the teachers' tooling of the logreg book (build, grade, sandbox, gradebook), beside ``logreg``.

``logreg`` holds the mathematics that learners install; this package builds otter-grader assignments from
``assignments/``, grades submissions inside a bubblewrap sandbox, and writes a class's gradebook, feedback and
histogram. It is not installed with ``pip install logreg``: run it from the repository root,
``python -m classroom --help`` (its dependencies, otter-grader, tqdm and matplotlib, are in ``requirements.txt``).
"""

from classroom.build import autograder_zip, build, build_all, build_many
from classroom.grade import grade
from classroom.gradebook import Gradebook, grade_all
from classroom.report import Report, TestOutcome
from classroom.sandbox import Limits, SandboxUnavailable
from classroom.sources import BUILD, ROOT, SOURCES, Question, assignment_names, questions
from classroom.submission import SubmissionError, check_submission, student_name

__all__ = [
    "BUILD",
    "ROOT",
    "SOURCES",
    "Gradebook",
    "Limits",
    "Question",
    "Report",
    "SandboxUnavailable",
    "SubmissionError",
    "TestOutcome",
    "assignment_names",
    "autograder_zip",
    "build",
    "build_all",
    "build_many",
    "check_submission",
    "grade",
    "grade_all",
    "questions",
    "student_name",
]
