"""Grading a class: the gradebook, feedback, cache, and the sandbox against hostile submissions.

One class folder for ``odds_likelihood`` holds the reference solution, a half-right notebook, an empty, a broken, a
non-notebook and a wrong-assignment file, and six hostile notebooks (the student notebook as handed out plus one
hostile cell); a seventh (an endless loop) arrives late, after the first run. Limits are small so the whole module
stays fast; each hostile row must have a clear status, the run must go on, and nothing of the teacher's files may
change.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import shutil
import socket
import sys
import threading
import uuid
import warnings
import zipfile
from pathlib import Path

import numpy as np
import pytest

from classroom import Limits, _student, _trusted, _wire, build_many, grade_all, sandbox
from classroom.__main__ import main
from classroom._trusted import exception_line
from classroom.feedback import render
from classroom.report import Report, TestOutcome
from classroom.sources import questions

FIXTURES = Path(__file__).resolve().parent / "assignments"
NAME = "odds_likelihood"
LIMITS = Limits(cpu_seconds=4, wall_seconds=120, processes=64, output_bytes=4 * 2**20)
MARKER = f"classroom-pwned-{uuid.uuid4().hex}"  # a hostile notebook's file in /tmp, and its forked processes' name


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("build")
    build_many([NAME, TWIN, DATA_TWIN], out, check_solutions=False)  # one otter process builds all three
    return out


def with_cell(student: dict, source: str) -> str:
    """The student notebook as handed out, plus one code cell at the end."""
    notebook = json.loads(json.dumps(student))
    cell = {"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [], "source": source}
    notebook["cells"].append(cell)
    return json.dumps(notebook)


def hostile_cells(teacher: Path, submissions: Path, port: int) -> dict[str, str]:
    return {
        "writes_outside": f"""
import errno
outcome = {{}}
for target in [{str(teacher / "pwned.txt")!r}, {str(Path(sys.prefix) / "pwned.txt")!r}, "/pwned.txt",
               "/tmp/{MARKER}"]:
    try:
        with open(target, "w") as handle:
            handle.write("pwned")
        outcome[target] = "written"
    except OSError as error:
        outcome[target] = errno.errorcode[error.errno]
raise RuntimeError(f"write attempts: {{outcome}}")
""",
        "reads_other": f"""
import os
found = []
try:
    found.append(f"listing /grading: {{os.listdir('/grading')}}")
except OSError as error:
    found.append(f"listing /grading: {{type(error).__name__}}")
try:
    found.append(open({str(submissions / "ada.ipynb")!r}).read()[:40])
except OSError as error:
    found.append(f"reading ada.ipynb: {{type(error).__name__}}")
raise RuntimeError(f"reads: {{found}}")
""",
        "opens_socket": f"""
import socket
names = [name for _, name in socket.if_nameindex()]
for address in [("127.0.0.1", {port}), ("192.0.2.1", 80)]:  # the teacher's loopback; TEST-NET-1, unroutable
    try:
        socket.create_connection(address, timeout=3).close()
        names.append(f"connected to {{address}}")
    except OSError as error:
        names.append(f"{{address[0]}}: {{error}}")
raise RuntimeError(f"network: {{names}}")
""",
        "fork_bomb": f"""
import os
forks = 0
try:
    while True:
        if os.fork() == 0:  # every child forks too, then keeps its process slot as a long sleep
            while True:
                try:
                    os.fork()
                except OSError:
                    os.execv("/usr/bin/sleep", ["{MARKER}", "600"])
        forks += 1
except OSError as error:
    raise RuntimeError(f"fork bomb stopped after {{forks}} forks: {{error}}") from None
""",
        "allocates_20gb": "hoard = bytearray(20 * 2**30)",
        "prints_50mb": 'print("x" * 50_000_000)',
    }


def snapshot(root: Path) -> dict[str, str]:
    """Every file under ``root`` except the gradebook, with the sha256 of its bytes."""
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file() and "graded" not in path.relative_to(root).parts
    }


def leftover_processes() -> list[int]:
    """Processes the fork bomb left (they carry MARKER as their name): none may outlive the grading."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and MARKER.encode() in (entry / "cmdline").read_bytes():
                found.append(int(entry.name))
        except OSError:  # gone meanwhile, or not ours to read
            continue
    return found


@pytest.fixture(scope="module")
def class_run(built, tmp_path_factory):
    teacher = tmp_path_factory.mktemp("teacher")
    submissions = teacher / "submissions"
    submissions.mkdir()
    (teacher / "answers_key.txt").write_text("not for students")
    student = json.loads((built / NAME / "student" / f"{NAME}.ipynb").read_text())
    shutil.copy(built / NAME / "autograder" / f"{NAME}.ipynb", submissions / "ada.ipynb")
    shutil.copy(FIXTURES / "half_right_odds_likelihood.ipynb", submissions / "bea.ipynb")
    (submissions / "carl.ipynb").write_text("")
    (submissions / "dan.ipynb").write_text('{"cells": [')
    (submissions / "eve.txt").write_text("my answers are in the email")
    shutil.copy(FIXTURES / "half_right_sigmoid_log_loss.ipynb", submissions / "fay.ipynb")
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.setblocking(False)
    for name, source in hostile_cells(teacher, submissions, listener.getsockname()[1]).items():
        (submissions / f"{name}.ipynb").write_text(with_cell(student, source))
    before = [snapshot(teacher)]
    out = io.StringIO()
    first = grade_all(submissions, NAME, built, workers=2, limits=LIMITS, progress=False, stream=out)
    after = [snapshot(teacher)]
    # a late submission: only it is graded on the second run
    (submissions / "loops_forever.ipynb").write_text(with_cell(student, "while True:\n    pass"))
    before.append(snapshot(teacher))
    second = grade_all(submissions, NAME, built, workers=2, limits=LIMITS, progress=False, stream=io.StringIO())
    after.append(snapshot(teacher))
    try:
        listener.accept()
        accepted = True
    except BlockingIOError:
        accepted = False
    listener.close()
    return {"teacher": teacher, "first": first, "second": second, "summary": out.getvalue(), "before": before,
            "after": after, "accepted": accepted, "leftover": leftover_processes()}


def test_full_partial_and_bad_files_get_their_rows(class_run):
    book = class_run["first"]
    ada, bea = book.report("ada"), book.report("bea")
    assert ada.status == "graded" and ada.total == ada.possible == 9, "the reference solution scores full marks"
    assert bea.status == "graded" and bea.scores == {"q1": (3.0, 3.0), "q2": (2.0, 3.0), "q3": (1.0, 3.0)}
    assert bea.notes == ["a cell raised NameError: name 'plot_likelihood' is not defined"]
    assert ada.manual == bea.manual == {"q4": 2.0}
    assert book.report("carl").status == "error: carl.ipynb is empty (0 bytes)"
    assert book.report("dan").status.startswith("error: dan.ipynb is not a valid notebook: it is not readable JSON")
    assert book.report("eve").status.startswith("error: eve.txt is not a Jupyter notebook")
    assert book.report("fay").status == (
        "error: fay.ipynb is a submission for assignment 'sigmoid_log_loss', not 'odds_likelihood'"
    )


def test_each_hostile_submission_is_contained_and_reported(class_run):
    book = class_run["first"]
    notes = {report.student: " ".join(report.notes) for report in book.reports}
    assert {"writes_outside", "reads_other", "opens_socket", "fork_bomb", "allocates_20gb", "prints_50mb"} <= set(notes)
    # writes: the teacher's folder is not even visible, the Python installation and / are read-only; only the
    # sandbox's own /tmp takes the write, and it is thrown away
    assert f"'{class_run['teacher'] / 'pwned.txt'}': 'ENOENT'" in notes["writes_outside"]
    assert f"'{Path(sys.prefix) / 'pwned.txt'}': 'EROFS'" in notes["writes_outside"]
    assert "'/pwned.txt': 'EROFS'" in notes["writes_outside"]
    assert f"'/tmp/{MARKER}': 'written'" in notes["writes_outside"]
    assert not (Path("/tmp") / MARKER).exists() and not Path("/pwned.txt").exists()
    # reads: another student's file does not exist in the sandbox. As root the submission runs under its own user
    # id and cannot even list its inputs folder; as a teacher's normal user it shares the user id (inside a user
    # namespace), so it sees its own inputs (never the autograder, which only the tests' sandbox holds).
    if os.geteuid() == 0:
        assert "listing /grading: PermissionError" in notes["reads_other"]
    else:
        listed = notes["reads_other"].split("listing /grading: [")[1].split("]")[0]
        assert sorted(name.strip(" '") for name in listed.split(",")) == ["odds_likelihood.ipynb", "program", "shim"]
    assert "reading ada.ipynb: FileNotFoundError" in notes["reads_other"]
    # network: loopback only, and it is the sandbox's own (the teacher's listener never hears from it)
    assert "network: ['lo', '127.0.0.1: [Errno 111] Connection refused'" in notes["opens_socket"]
    assert "192.0.2.1: [Errno 101] Network is unreachable" in notes["opens_socket"]
    assert not class_run["accepted"]
    # processes, memory, output and CPU limits
    forks = int(notes["fork_bomb"].split("stopped after ")[1].split(" forks")[0])
    assert 0 <= forks < LIMITS.processes and "Resource temporarily unavailable" in notes["fork_bomb"]
    assert "MemoryError" in notes["allocates_20gb"]
    for name in ("writes_outside", "reads_other", "opens_socket", "fork_bomb", "allocates_20gb"):
        report = book.report(name)
        assert report.status == "graded" and report.total == 0, f"{name}: graded, and the untouched answers score 0"
    assert book.report("prints_50mb").status == (
        "error: output limit exceeded: the notebook's cells displayed 47.7 MB (limit 4.0 MB)"
    )
    late = class_run["second"].report("loops_forever")
    assert late.status == "timeout" and "used its 4 s of CPU time" in late.notes[0]
    assert class_run["leftover"] == [], "no sandboxed process outlives its grading"


def test_nothing_of_the_teachers_files_changes(class_run):
    assert class_run["after"] == class_run["before"]
    assert sorted(path.name for path in class_run["teacher"].iterdir()) == ["answers_key.txt", "graded", "submissions"]


def test_rerun_grades_only_the_late_submission(class_run):
    first, second = class_run["first"], class_run["second"]
    assert first.graded_now == len(first.reports) == 12
    assert second.graded_now == 1 and len(second.reports) == 13
    for report in first.reports:
        again = second.report(report.student)
        assert (again.status, again.scores, again.notes) == (report.status, report.scores, report.notes)


def test_gradebook_csv_feedback_histogram_and_summary(class_run, built):
    book = class_run["second"]
    assert book.folder == class_run["teacher"] / "graded" / NAME
    rows = list(csv_rows(book.csv))
    assert rows[0] == ["student", "q1", "q2", "q3", "q4 (written, 2)", "total", "possible", "status", "notes"]
    by_student = {row[0]: row for row in rows[1:]}
    assert len(by_student) == 13
    assert by_student["bea"][1:8] == ["3", "2", "1", "", "6", "9", "graded"]
    assert by_student["carl"][1:8] == ["", "", "", "", "", "9", "error: carl.ipynb is empty (0 bytes)"]
    assert by_student["loops_forever"][7] == "timeout"

    feedback = book.feedback("bea").read_text()
    assert "## q2: 2 / 3" in feedback and "## q4: written answer, 2 point(s)" in feedback
    assert "p_at_5_hours is the sigmoid of the log-odds at h = 5" in feedback  # the failed hidden test's hint
    assert "- test 1 (public: run `grader.check(\"q3\")`)" in feedback  # a failed public test: how to rerun it
    hidden_code = hidden_test_lines(built)
    for path in (book.folder / "feedback").iterdir():
        text = path.read_text()
        assert not [line for line in hidden_code if line in text], f"{path.name} reveals a hidden test"
    assert "could not be graded: dan.ipynb is not a valid notebook" in book.feedback("dan").read_text()

    png = book.histogram.read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and int.from_bytes(png[16:20], "big") == 768

    summary = class_run["summary"].splitlines()
    assert summary[0].startswith("odds_likelihood: 12 submissions: 7 graded, 5 errors, 0 timeouts (12 new, 0 cached)")
    # seven graded rows: ada 3 + 3 + 3, bea 3 + 2 + 1, five hostile notebooks 0
    table = {line.split()[0]: line.split()[1:] for line in summary[2:-1]}
    assert table["q1"] == ["7", "0.86", "0.00", "3"] and table["q2"] == ["7", "0.71", "0.00", "3"]
    assert table["total"] == ["7", "2.14", "0.00", "9"]


def csv_rows(path: Path):
    import csv

    with path.open(newline="", encoding="utf-8") as handle:
        yield from csv.reader(handle)


def hidden_test_lines(built: Path) -> list[str]:
    """The code lines of every hidden test in the autograder (longer than 12 characters)."""
    bundle = next((built / NAME / "autograder").glob("*.zip"))
    lines = []
    with zipfile.ZipFile(bundle) as archive:
        for member in archive.namelist():
            if member.startswith("tests/"):
                namespace: dict = {}
                exec(archive.read(member).decode(), namespace)
                for suite in namespace["test"]["suites"]:
                    for case in suite["cases"]:
                        if case["hidden"]:
                            lines += [line[4:].strip() for line in case["code"].splitlines() if len(line) > 16]
    assert len(lines) > 10
    return lines


def test_failed_test_is_described_by_hint_and_exception_not_code():
    report = (
        "**********************************************************************\n"
        "Line 2, in q1 1\nFailed example:\n    assert np.isclose(secret_value(), 0.7310585786300049), 'p wrong'\n"
        "Exception raised:\n    Traceback (most recent call last):\n"
        '      File "/usr/lib/python3.11/doctest.py", line 1353, in __run\n'
        '        exec(compile(example.source, filename, "single",\n'
        '      File "<doctest q1 1[1]>", line 1, in <module>\n'
        "        assert np.isclose(secret_value(), 0.7310585786300049), 'p wrong'\n"
        "    AssertionError: p wrong\n"
        "**********************************************************************\n"
        "Line 3, in q1 1\nFailed example:\n    assert other()\nException raised:\n    NameError: other\n"
    )
    assert exception_line(report) == "AssertionError: p wrong"
    assert exception_line("") == ""
    test = TestOutcome("q1", 2, True, False, 1.5, hint="p is the sigmoid of the log-odds", error="AssertionError")
    text = render(Report("odds_likelihood", "zoe", scores={"q1": (1.5, 3.0)}, tests=[test], manual={"q4": 2.0}))
    assert "- test 2 (hidden), 1.5 point(s) lost: p is the sigmoid of the log-odds; it raised AssertionError" in text
    assert "secret_value" not in text


def test_sandbox_mounts_only_what_grading_needs(tmp_path):
    read_only = sandbox.default_read_only()
    assert Path(sys.prefix).resolve() in read_only
    root = Path(__file__).resolve().parent.parent
    assert root not in read_only and not any(root.is_relative_to(path) for path in read_only)
    args = sandbox.bwrap_arguments(tmp_path, Limits(), read_only, uid=200_123)
    for flag in ("--unshare-net", "--unshare-pid", "--unshare-ipc", "--die-with-parent", "--new-session"):
        assert flag in args
    assert args[args.index("--remount-ro") + 1] == "/" and "--bind" not in args  # nothing writable from the host
    assert "--reuid=200123" in sandbox.drop_privileges(200_123) and "--no-new-privs" in sandbox.drop_privileges(1)
    assert "--nproc=128" in sandbox.limit_arguments(Limits()) and "--cpu=120:121" in sandbox.limit_arguments(Limits())
    with pytest.raises(ValueError, match="lies inside"):
        sandbox.ensure_hidden([Path(sys.prefix) / "submissions"], read_only)
    with pytest.raises(ValueError, match="cpu_seconds must be positive"):
        Limits(cpu_seconds=0)
    if os.geteuid() == 0:
        with sandbox.sandbox_uid() as first, sandbox.sandbox_uid() as second:
            assert first != second, "concurrent sandboxes get their own user (and process limit)"


def test_grading_gets_the_data_without_network(tmp_path, monkeypatch):
    from classroom.environment import data_folder, grading_environment
    from logreg import datasets

    cache = tmp_path / "cache"
    cache.mkdir()
    for remote in (datasets.MARKS, datasets.MICROCHIPS):  # from the suite's offline mirror
        shutil.copy(datasets.fetch(remote), cache / remote.name)
    monkeypatch.setenv("LOGREG_DATA_DIR", str(tmp_path / "mirror"))
    assert data_folder() == tmp_path / "mirror"
    # no mirror: the files are fetched (here: found in pooch's cache, checked) and that folder is mounted instead
    monkeypatch.delenv("LOGREG_DATA_DIR")
    monkeypatch.setenv("LOGREG_CACHE_DIR", str(cache))
    assert data_folder() == cache.resolve()
    env = grading_environment(Path("/tmp/home"), None, cache)
    assert env["LOGREG_DATA_DIR"] == str(cache) and "LOGREG_CACHE_DIR" in env and "PYTHONPATH" not in env
    assert not {"SSH_AUTH_SOCK", "GITHUB_TOKEN", "HTTP_PROXY"} & set(env), "an allow-list, nothing else leaks"


def test_command_line_reports_problems_without_tracebacks(tmp_path, capsys, built):
    text_file = tmp_path / "answers.txt"
    text_file.write_text("my answers")
    assert main(["grade", str(text_file), NAME]) == 2
    assert "answers.txt is not a Jupyter notebook" in capsys.readouterr().out
    assert main(["grade-all", str(tmp_path / "missing"), NAME]) == 2
    assert "is not a folder of submissions" in capsys.readouterr().err
    assert [q.name for q in questions(NAME)] == ["q1", "q2", "q3", "q4"]


# --- tampering with the grade: every hostile twin scores exactly what its honest twin scores ----------------------

TWIN = "sigmoid_log_loss"
#: the honest twin's answers: a sigmoid that overflows (and warns) and a log loss that is infinite for a
#: confidently wrong prediction; everything else right (5.67 of 8 points)
TWIN_ANSWERS = {
    "def sigmoid(": "def sigmoid(z):\n    return 1 / (1 + np.exp(-np.asarray(z, dtype=float)))\n",
    "def log_loss(": (
        "def log_loss(beta, X, y):\n"
        "    p = sigmoid(np.asarray(X) @ np.asarray(beta))\n"
        "    return float(np.mean(-y * np.log(p) - (1 - y) * np.log(1 - p)))\n"
    ),
}
TWIN_LIMITS = Limits(cpu_seconds=30, wall_seconds=120, call_seconds=20)


def tampering_cells() -> dict[str, str]:
    """One notebook per way of tampering, each the honest twin plus cells that would raise its score if the tests
    ran in the submission's process (as otter runs them), without changing a single answer."""
    return {
        # functions the tests call, replaced by ones that always agree
        "patches_functions": """
import builtins, math, operator, warnings
import numpy as np
np.allclose = np.isclose = np.array_equal = lambda *args, **kwargs: True
np.isfinite = lambda *args, **kwargs: True
math.isclose = math.isfinite = lambda *args, **kwargs: True
operator.eq = operator.lt = operator.le = lambda *args: True
builtins.abs = lambda *args: 0.0
warnings.simplefilter = warnings.filterwarnings = lambda *args, **kwargs: None
""",
        # otter's result classes (what the student did) and the grading program's own wire
        "rewrites_classes": """
import sys
if "otter.test_files" not in sys.modules:  # otter here is a stand-in: load the real one, and patch it all the same
    sys.modules.pop("otter", None)
import otter.test_files.abstract_test as abstract
import otter.test_files.ok_test as ok_test
ok_test.run_doctest = lambda name, code, environment: (True, "")
abstract.TestFile.score = property(lambda self: self.possible)
wire = sys.modules.get("_wire")
if wire is not None:
    original = wire.send

    def send(fd, message, deadline=None):
        if isinstance(message, dict):
            message = {**message, "status": "graded", "passed": True, "scores": {"q1": [4, 4], "q2": [4, 4]}}
        return original(fd, message, deadline)

    wire.send = send
for module in list(sys.modules.values()):
    for name in ("Link", "Resolver", "Server"):
        if isinstance(getattr(module, name, None), type):
            setattr(getattr(module, name), "verdict", "passed")
""",
        # an answer that claims to equal anything, and to be the expected number when converted
        "lies_with_objects": """
import numpy as np


class Expected:
    def __eq__(self, other):
        return True

    __hash__ = None

    def __float__(self):
        return 800.0

    def __array__(self, dtype=None, copy=None):
        return np.array(800.0)


honest_log_loss = log_loss


def log_loss(beta, X, y):
    value = honest_log_loss(beta, X, y)
    return value if np.isfinite(value) else Expected()
""",
        # an ndarray subclass whose comparisons and ufuncs always agree, holding the twin's own numbers
        "lies_with_ndarray": """
import numpy as np


class Agreeable(np.ndarray):
    def __eq__(self, other):
        return np.ones(self.shape, dtype=bool)

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        if ufunc in (np.isfinite, np.equal):
            return np.ones(np.shape(inputs[0]), dtype=bool)
        plain = [item.view(np.ndarray) if isinstance(item, np.ndarray) else item for item in inputs]
        return getattr(ufunc, method)(*plain, **kwargs)


honest_log_loss, honest_sigmoid = log_loss, sigmoid


def log_loss(beta, X, y):
    value = honest_log_loss(beta, X, y)
    return value if np.isfinite(value) else np.asarray(value).view(Agreeable)


def sigmoid(z):
    return np.asarray(honest_sigmoid(z)).view(Agreeable)
""",
        # looks for the autograder, its tests or expected values anywhere it can read
        "searches_files": """
import os, sys
found = []
public = {"/proc", "/sys", "/dev", "/usr"} | {os.path.realpath(p) for p in (sys.prefix, sys.base_prefix)}
for top, folders, files in os.walk("/"):
    if os.path.realpath(top) in public:  # the operating system and Python: the same for every student
        folders.clear()
        continue
    for name in files:
        if "autograder" in name or name in ("q1.py", "q2.py", "otter_config.json") or name.endswith(".zip"):
            found.append(os.path.join(top, name))
raise RuntimeError(f"searched the file system, found {found}")
""",
        # a results file where a grader might look, and output that imitates the runner's summary
        "fakes_results": """
import json, os, sys
fake = {"status": "graded", "detail": "", "scores": {"q1": [4.0, 4.0], "q2": [4.0, 4.0]}, "tests": [],
        "errors": [], "output_bytes": 0}
for folder in ("/tmp", os.path.expanduser("~"), os.getcwd(), "/grading"):
    for name in ("results.json", "results.pkl", "grading_results.json"):
        try:
            with open(os.path.join(folder, name), "w") as handle:
                json.dump(fake, handle)
        except OSError:
            pass
print(json.dumps(fake))
sys.__stdout__.write(json.dumps(fake))
for fd in (1, 2):
    os.write(fd, json.dumps(fake).encode())
""",
        # a function that answers differently when a test calls it, using what it finds on the call stack
        "inspects_stack": """
import inspect
import numpy as np

honest_log_loss, honest_sigmoid = log_loss, sigmoid


def called_from_a_test():
    return any(frame.filename.startswith("<doctest") or "otter" in frame.filename for frame in inspect.stack())


def log_loss(beta, X, y):
    value = honest_log_loss(beta, X, y)
    return 800.0 if called_from_a_test() and not np.isfinite(value) else value


def sigmoid(z):
    if called_from_a_test():
        small = np.exp(-np.abs(np.asarray(z, dtype=float)))
        return np.where(np.asarray(z) >= 0, 1 / (1 + small), small / (1 + small))
    return honest_sigmoid(z)
""",
    }


def without_checks(notebook: dict) -> dict:
    """The notebook without its ``grader.check`` cells, so that, under otter, the tests run after every cell."""
    notebook = json.loads(json.dumps(notebook))
    notebook["cells"] = [cell for cell in notebook["cells"] if not "".join(cell["source"]).startswith("grader.check")]
    return notebook


def with_answers(solution: dict, answers: dict[str, str]) -> dict:
    notebook = json.loads(json.dumps(solution))
    for cell in notebook["cells"]:
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        for start, answer in answers.items():
            if cell["cell_type"] == "code" and source.startswith(start):
                cell["source"] = answer
    return notebook


@pytest.fixture(scope="module")
def twin_run(built, tmp_path_factory):
    teacher = tmp_path_factory.mktemp("twins")
    submissions = teacher / "submissions"
    submissions.mkdir()
    solution = json.loads((built / TWIN / "autograder" / f"{TWIN}.ipynb").read_text())
    twin = with_answers(solution, TWIN_ANSWERS)
    (submissions / "honest_twin.ipynb").write_text(json.dumps(twin))
    for name, source in tampering_cells().items():
        (submissions / f"{name}.ipynb").write_text(with_cell(without_checks(twin), source))
    book = grade_all(submissions, TWIN, built, workers=2, limits=TWIN_LIMITS, progress=False, stream=io.StringIO())
    return {"book": book, "rows": {row[0]: row for row in csv_rows(book.csv)}}


def test_honest_twin_scores_what_otter_gives_it(twin_run):
    twin = twin_run["book"].report("honest_twin")
    assert twin.status == "graded" and twin.notes == []
    assert twin.scores == {"q1": (3.0, 4.0), "q2": (pytest.approx(8 / 3), 4.0)}
    failed = {(test.question, test.number): test.error for test in twin.tests if not test.passed}
    assert failed == {("q1", 3): "RuntimeWarning: overflow encountered in exp", ("q2", 3): "AssertionError"}


@pytest.mark.parametrize("name", sorted(tampering_cells()))
def test_tampering_gets_exactly_the_honest_twins_total(twin_run, name):
    rows, book = twin_run["rows"], twin_run["book"]
    assert rows[name][rows["student"].index("status")] == "graded"
    total = rows["student"].index("total")
    assert rows[name][total] == rows["honest_twin"][total] == "5.66667", "the same total in grades.csv"
    report, twin = book.report(name), book.report("honest_twin")
    assert [(t.question, t.number, t.passed) for t in report.tests] == [
        (t.question, t.number, t.passed) for t in twin.tests
    ]


DATA_TWIN = "evaluating_classifier"
#: the honest twin's wrong answer: the threshold 0.5 (one of ``thresholds``), not the cheapest one
DATA_TWIN_ANSWERS = {
    "def total_cost(": (
        "def total_cost(y_true, p, threshold, cost_fn=10.0, cost_fp=1.0):\n"
        "    y_true, predicted = np.asarray(y_true), np.asarray(p) >= threshold\n"
        "    return float(cost_fn * np.sum(~predicted & (y_true == 1)) + cost_fp * np.sum(predicted & (y_true == 0)))\n"
        "\n\n"
        "best_threshold = float(thresholds[49])\n"
        "malignant_recall = float(np.mean(p_test[y_test == 1] >= best_threshold))\n"
    ),
}


def test_changing_the_set_up_data_changes_nothing(built, tmp_path):
    """A notebook that shrinks ``thresholds`` to its own wrong answer would pass "best_threshold minimises the cost
    over thresholds" if the tests took the data from it; they take the teacher's set-up, so it scores as its twin."""
    submissions = tmp_path / "submissions"
    submissions.mkdir()
    solution = json.loads((built / DATA_TWIN / "autograder" / f"{DATA_TWIN}.ipynb").read_text())
    twin = with_answers(solution, DATA_TWIN_ANSWERS)
    (submissions / "honest_twin.ipynb").write_text(json.dumps(twin))
    (submissions / "changes_data.ipynb").write_text(
        with_cell(without_checks(twin), "thresholds = np.array([best_threshold])")
    )
    book = grade_all(submissions, DATA_TWIN, built, workers=2, limits=TWIN_LIMITS, progress=False,
                     stream=io.StringIO())
    twin, changed = book.report("honest_twin"), book.report("changes_data")
    assert twin.status == changed.status == "graded"
    assert [(t.question, t.number) for t in twin.tests if not t.passed] == [("q2", 3)]
    assert changed.total == twin.total == 9 - twin.tests[5].points


def test_tampering_finds_nothing_to_tamper_with(twin_run):
    notes = {report.student: " ".join(report.notes) for report in twin_run["book"].reports}
    assert "searched the file system, found []" in notes["searches_files"], "no test, zip or answer is visible"
    assert notes["fakes_results"] == notes["inspects_stack"] == ""


# --- the wire between the two processes, without sandboxes (fast) -----------------------------------------------


@contextlib.contextmanager
def linked(namespace: dict, call_seconds: float = 5.0):
    """A tests'-side Link to a submission-side Server answering from ``namespace`` in a thread of this process."""
    to_student, from_tests = os.pipe()
    from_student, to_tests = os.pipe()
    server = _student.Server(namespace, to_student, to_tests)
    thread = threading.Thread(target=server.serve, daemon=True)
    thread.start()
    try:
        yield _trusted.Link(from_tests, from_student, call_seconds)
    finally:
        os.close(from_tests)  # the server sees the end of its input and stops
        thread.join(timeout=5)
        for fd in (to_student, from_student, to_tests):
            os.close(fd)


def get(link: _trusted.Link, name: str):
    return link.request({"op": "get", "name": name}, name)


def test_only_plain_data_crosses_and_it_arrives_with_exact_types():
    import pandas as pd

    class Lying(float):
        def __eq__(self, other):
            return True

        def __float__(self):
            return 0.73

    class Agreeable(np.ndarray):
        def __eq__(self, other):
            return True

    namespace = {
        "plain": [1, 2.5, "text", None, True, (1, 2), {"key": np.float64(1.5)}, float("nan")],
        "array": np.arange(6, dtype=np.int32).reshape(2, 3),
        "lying": Lying(0.5),
        "subclass": np.array([0.25, 0.5]).view(Agreeable),
        "frame": pd.DataFrame({"x": [1.0, 2.0], "name": ["a", "b"]}, index=[10, 11]),
        "objects": np.array([{"a": 1}, None], dtype=object),
    }
    with linked(namespace) as link:
        plain = get(link, "plain")
        assert plain[:6] == [1, 2.5, "text", None, True, (1, 2)] and np.isnan(plain[7])
        assert [type(item) for item in plain] == [int, float, str, type(None), bool, tuple, dict, float]
        assert type(plain[6]["key"]) is np.float64
        array = get(link, "array")
        assert type(array) is np.ndarray and array.dtype == np.int32 and array.shape == (2, 3)
        lying = get(link, "lying")
        assert type(lying) is float and lying == 0.5, "the value the object holds, not the one it claims"
        subclass = get(link, "subclass")
        assert type(subclass) is np.ndarray and subclass.tolist() == [0.25, 0.5] and not (subclass == 1.0).any()
        frame = get(link, "frame")
        assert type(frame) is pd.DataFrame and frame["x"].tolist() == [1.0, 2.0] and list(frame.index) == [10, 11]
        with pytest.raises(TypeError, match="cannot be sent to the grader: an array of dtype object cannot cross"):
            get(link, "objects")
    pickled = io.BytesIO()
    np.save(pickled, np.array([{"a": 1}], dtype=object), allow_pickle=True)
    import base64

    with pytest.raises(_wire.WireError, match="could not be read"):
        _wire.decode({"$": "ndarray", "npy": base64.b64encode(pickled.getvalue()).decode()})
    with pytest.raises(_wire.WireError):
        _wire.decode({"$": "pickle", "data": "gASV"})
    with pytest.raises(_wire.WireError):
        _wire.decode({"not": "tagged"})


def test_student_objects_are_reached_by_calls_and_answers_are_checked():
    class Model:
        coef_ = np.array([1.0, -2.0])

        def predict(self, X):
            return np.asarray(X) @ self.coef_

    def apply(function, value):
        return function(value) + 1  # calls back into the tests' process

    namespace = {"model": Model(), "apply": apply, "np": np, "fails": lambda: int("x"), "quits": lambda: exit(3),
                 "overflow": lambda: np.exp(np.float64(1000.0))}
    with linked(namespace) as link:
        model = get(link, "model")
        assert type(model) is _trusted.StudentObject
        assert model.coef_.tolist() == [1.0, -2.0] and model.predict([[1.0, 1.0]]).tolist() == [-1.0]
        assert get(link, "apply")(lambda x: x * 10, 4) == 41
        assert get(link, "np") is np, "a module is imported by the tests' process, never proxied"
        with pytest.raises(TypeError, match="is not plain data"):
            np.isclose(model, 0.5)
        with pytest.raises(TypeError, match="is not plain data"):
            assert model == 0.5
        with pytest.raises(ValueError, match="invalid literal"):
            get(link, "fails")()
        with pytest.raises(RuntimeError, match="SystemExit"):
            get(link, "quits")()
        with pytest.raises(NameError):
            get(link, "missing")
        overflow = get(link, "overflow")
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # a test's warnings filter applies to what the student's call raised
            with pytest.raises(RuntimeWarning, match="overflow encountered in exp"):
                overflow()


def test_each_call_has_a_time_limit():
    import time

    with linked({"slow": lambda: time.sleep(1.5)}, call_seconds=0.3) as link:
        slow = get(link, "slow")
        started = time.monotonic()
        with pytest.raises(TimeoutError, match="did not finish within 0.3 s"):
            slow()
        assert time.monotonic() - started < 2
        with pytest.raises(RuntimeError, match="did not finish"):
            get(link, "slow")  # the submission is busy: every later use fails at once
