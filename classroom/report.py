"""The result of grading one submission: scores per question, each test's outcome, and a status."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

GRADED = "graded"
TIMEOUT = "timeout"


@dataclass(frozen=True)
class TestOutcome:
    """One test case: which question, public or hidden, passed or not, its points, and what was wrong.

    ``hint`` is the message the assignment's author attached to the test (``failure_message``); ``error`` is the
    exception the test raised (``"AssertionError: ..."``). Neither contains the test's code.
    """

    __test__ = False  # not a pytest class, despite its name

    question: str
    number: int
    hidden: bool
    passed: bool
    points: float
    hint: str = ""
    error: str = ""


@dataclass
class Report:
    """Scores of one submission. ``status`` is ``"graded"``, ``"timeout"`` or ``"error: <reason>"``.

    ``scores`` maps each autograded question to ``(score, points)``; ``manual`` maps each written question to its
    points (a person grades those); ``notes`` lists what the notebook's cells raised, or why grading stopped.
    """

    assignment: str
    student: str = ""
    status: str = GRADED
    scores: dict[str, tuple[float, float]] = field(default_factory=dict)
    manual: dict[str, float] = field(default_factory=dict)
    tests: list[TestOutcome] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0  # wall-clock time of the grading
    cpu_seconds: float = 0.0  # CPU time of otter and the notebook's kernel

    @property
    def graded(self) -> bool:
        return self.status == GRADED

    @property
    def total(self) -> float:
        return sum(score for score, _ in self.scores.values())

    @property
    def possible(self) -> float:
        return sum(points for _, points in self.scores.values())

    def __str__(self) -> str:
        lines = [f"{self.assignment}: {self.student or 'submission'} ({self.status})"]
        lines += [f"  {question:<6}{score:g} / {points:g}" for question, (score, points) in self.scores.items()]
        if self.graded:
            lines.append(f"  total {self.total:g} / {self.possible:g}")
        if self.manual and self.graded:
            lines.append(f"  to grade by hand: {', '.join(self.manual)}")
        lines += [f"  note: {note}" for note in self.notes]
        return "\n".join(lines)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["scores"] = {question: list(pair) for question, pair in self.scores.items()}
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Report:
        return cls(
            assignment=data["assignment"],
            student=data.get("student", ""),
            status=data["status"],
            scores={question: (float(s), float(p)) for question, (s, p) in data.get("scores", {}).items()},
            manual={question: float(points) for question, points in data.get("manual", {}).items()},
            tests=[TestOutcome(**test) for test in data.get("tests", [])],
            notes=list(data.get("notes", [])),
            seconds=float(data.get("seconds", 0.0)),
            cpu_seconds=float(data.get("cpu_seconds", 0.0)),
        )
