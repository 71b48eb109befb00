"""Grade a whole class: every file of a folder, in parallel, into a gradebook, feedback files and a histogram.

``grade_all(folder, name)`` writes into ``<folder>/../graded/<name>/``:

- ``grades.csv``: one row per file (student named from the file name), each question's points (written
  questions left empty for the teacher), total, possible, status (``graded``, ``timeout`` or ``error: ...``), notes;
- ``feedback/<student>.md``: what to hand back;
- ``histogram.png``: the autograded totals;
- ``.cache/``: one result per (submission, autograder, limits) hash, so a re-run grades only what changed.
"""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
import statistics
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TextIO

from tqdm import tqdm

from classroom import sandbox
from classroom.build import autograder_zip
from classroom.environment import data_folder
from classroom.feedback import render
from classroom.grade import PROCESS_FAILED, PROGRAMS, grade, setup_notebook
from classroom.report import Report
from classroom.sandbox import Limits
from classroom.sources import BUILD, Question, questions
from classroom.submission import student_name

CACHE_VERSION = b"classroom-gradebook-2"


@dataclass
class Gradebook:
    """What :func:`grade_all` wrote, and how many submissions it actually graded (the rest came from the cache)."""

    assignment: str
    folder: Path
    reports: list[Report]
    graded_now: int

    @property
    def csv(self) -> Path:
        return self.folder / "grades.csv"

    @property
    def histogram(self) -> Path:
        return self.folder / "histogram.png"

    def feedback(self, student: str) -> Path:
        return self.folder / "feedback" / f"{student}.md"

    def report(self, student: str) -> Report:
        return next(report for report in self.reports if report.student == student)


def submissions_in(folder: Path) -> list[Path]:
    """Every file of ``folder`` except hidden ones (``.DS_Store``), sorted: each gets a row, notebook or not."""
    return sorted(path for path in folder.iterdir() if path.is_file() and not path.name.startswith("."))


def unique_students(files: list[Path]) -> dict[Path, str]:
    """A student name per file; a second file with the same stem (``ada.ipynb``, ``ada.txt``) keeps its suffix."""
    names: dict[Path, str] = {}
    for path in files:
        name = student_name(path)
        if name in names.values():
            name = student_name(Path(path.name.replace(".", "_")))
        names[path] = name
    return names


def cache_key(submission: Path, bundle_digest: str, limits: Limits, use_sandbox: bool) -> str:
    """Hash of everything a grade depends on: the submission, the autograder, the limits and the grading programs."""
    digest = hashlib.sha256(CACHE_VERSION)
    for program in PROGRAMS:
        digest.update(program.read_bytes())
    digest.update(json.dumps([asdict(limits), use_sandbox, bundle_digest]).encode())
    digest.update(submission.read_bytes())
    return digest.hexdigest()


def write_csv(path: Path, reports: list[Report], asked: list[Question]) -> None:
    autograded = [question for question in asked if not question.manual]
    possible = sum(question.points for question in autograded)
    header = ["student"]
    header += [q.name if not q.manual else f"{q.name} (written, {q.points:g})" for q in asked]
    header += ["total", "possible", "status", "notes"]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for report in reports:
            cells = [report.student]
            for question in asked:
                known = report.graded and question.name in report.scores
                cells.append(f"{report.scores[question.name][0]:g}" if known else "")
            cells += [f"{report.total:g}" if report.graded else "", f"{possible:g}", report.status]
            cells.append(" | ".join(report.notes))
            writer.writerow(cells)


def write_histogram(path: Path, assignment: str, totals: list[float], possible: float) -> None:
    """A bar per possible total (Agg canvas: no display needed, no global backend switched)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(6.4, 4.0), dpi=120)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    top = max(possible, max(totals, default=0.0))
    edges = [step - 0.5 for step in range(int(top) + 2)]
    axes.hist(totals, bins=edges, color="#0072B2", edgecolor="white", label=f"{len(totals)} graded")
    axes.set(title=f"{assignment}: autograded totals", xlabel=f"total points (of {possible:g})",
             ylabel="students", xlim=(edges[0], edges[-1]))
    axes.yaxis.get_major_locator().set_params(integer=True)
    axes.legend(loc="upper left")
    figure.tight_layout()
    figure.savefig(path)


def summary_lines(assignment: str, reports: list[Report], asked: list[Question], graded_now: int) -> list[str]:
    """Counts by status, then the mean and median of each autograded question and of the total."""
    graded = [report for report in reports if report.graded]
    timeouts = sum(report.status == "timeout" for report in reports)
    errors = len(reports) - len(graded) - timeouts
    lines = [
        f"{assignment}: {len(reports)} submissions: {len(graded)} graded, {errors} errors, {timeouts} timeouts "
        f"({graded_now} new, {len(reports) - graded_now} cached)",
        f"{'question':<10}{'count':>7}{'mean':>8}{'median':>8}{'points':>8}",
    ]
    columns = [(q.name, q.points) for q in asked if not q.manual]
    columns.append(("total", sum(points for _, points in columns)))
    for name, points in columns:
        values = [report.total if name == "total" else report.scores[name][0] for report in graded]
        if values:
            mean, median = f"{statistics.fmean(values):.2f}", f"{statistics.median(values):.2f}"
        else:
            mean = median = "-"
        lines.append(f"{name:<10}{len(values):>7}{mean:>8}{median:>8}{points:>8g}")
    return lines


def grade_all(
    submissions: Path,
    assignment: str,
    out: Path = BUILD,
    *,
    workers: int = 2,
    limits: Limits | None = None,
    use_sandbox: bool = True,
    progress: bool = True,
    stream: TextIO | None = None,
) -> Gradebook:
    """Grade every file in ``submissions`` with the built autograder of ``assignment``; see the module docstring.

    ``workers`` gradings run at once. Nothing a submission does stops the run: each gets its row.
    """
    if workers < 1:
        raise ValueError(f"workers must be at least 1; got {workers}")
    submissions = Path(submissions).resolve()
    if not submissions.is_dir():
        raise ValueError(f"{submissions} is not a folder of submissions")
    limits = limits or Limits()
    if use_sandbox:
        sandbox.check_available()
        sandbox.ensure_hidden([submissions, submissions.parent / "graded"], sandbox.default_read_only(data_folder()))
    asked = questions(assignment)
    with tempfile.TemporaryDirectory(prefix="classroom-autograder-") as private:
        # a private copy: rebuilding the assignment while the class is graded must not pull it from under the run
        bundle = Path(shutil.copy(autograder_zip(assignment, out), private))
        setup = setup_notebook(autograder_zip(assignment, out), assignment)
        if setup is not None:  # the teacher's set-up cells, which the tests' process runs itself
            shutil.copy(setup, private)
        return _grade_folder(submissions, assignment, bundle, asked, workers, limits, use_sandbox, progress, stream)


def _grade_in_worker(path: Path, assignment: str, bundle: Path, limits: Limits, use_sandbox: bool,
                     hidden: list[Path]) -> Report:
    """:func:`grade`, with any unforeseen failure turned into an error row: nothing stops the run."""
    try:
        return grade(path, assignment, limits=limits, use_sandbox=use_sandbox, hidden=hidden, bundle=bundle)
    except Exception as error:  # noqa: BLE001 - reported in the row, and never cached
        report = Report(assignment=assignment, student=student_name(path))
        report.status = f"{PROCESS_FAILED}: {type(error).__name__}: {error}"
        return report


def _grade_folder(
    submissions: Path,
    assignment: str,
    bundle: Path,
    asked: list[Question],
    workers: int,
    limits: Limits,
    use_sandbox: bool,
    progress: bool,
    stream: TextIO | None,
) -> Gradebook:
    setup = setup_notebook(bundle, assignment)
    bundle_digest = hashlib.sha256(bundle.read_bytes() + (setup.read_bytes() if setup else b"")).hexdigest()
    target = submissions.parent / "graded" / assignment
    cache = target / ".cache"
    cache.mkdir(parents=True, exist_ok=True)
    files = submissions_in(submissions)
    students = unique_students(files)

    reports: dict[Path, Report] = {}
    to_grade: dict[Path, str] = {}
    for path in files:
        key = cache_key(path, bundle_digest, limits, use_sandbox)
        cached = cache / f"{key}.json"
        if cached.is_file():
            reports[path] = Report.from_json(json.loads(cached.read_text(encoding="utf-8")))
        else:
            to_grade[path] = key

    hidden = [submissions, target]
    with (
        tqdm(total=len(files), initial=len(reports), unit="notebook", desc=f"grading {assignment}",
             disable=not progress, file=sys.stderr) as bar,
        ThreadPoolExecutor(max_workers=workers) as pool,
    ):
        futures = {
            pool.submit(_grade_in_worker, path, assignment, bundle, limits, use_sandbox, hidden): path
            for path in to_grade
        }
        for future in as_completed(futures):
            path = futures[future]
            report = reports[path] = future.result()
            if not report.status.startswith(PROCESS_FAILED):
                (cache / f"{to_grade[path]}.json").write_text(json.dumps(report.to_json()), encoding="utf-8")
            bar.update(1)

    ordered = []
    for path in files:
        reports[path].student = students[path]
        ordered.append(reports[path])
    feedback = target / "feedback"
    shutil.rmtree(feedback, ignore_errors=True)
    feedback.mkdir()
    for report in ordered:
        (feedback / f"{report.student}.md").write_text(render(report), encoding="utf-8")
    write_csv(target / "grades.csv", ordered, asked)
    possible = sum(question.points for question in asked if not question.manual)
    write_histogram(target / "histogram.png", assignment, [r.total for r in ordered if r.graded], possible)
    book = Gradebook(assignment, target, ordered, graded_now=len(to_grade))
    lines = summary_lines(assignment, ordered, asked, book.graded_now)
    lines.append(f"gradebook: {book.csv}; feedback: {feedback}/; histogram: {book.histogram}")
    print("\n".join(lines), file=stream or sys.stdout)
    return book
