"""The tests' side of grading: run the autograder's tests against the submission, which lives in another process.

This program runs in its own sandbox with the pristine Python environment. It never imports or executes the
student's code: it reads the tests from the autograder zip, waits until the submission's process
(``_student.py``) has run the notebook, and runs every test with otter's scoring, in a namespace whose names
come from four places only:

- a name the teacher's set-up cells bind (the code before the first question: ``X_train``, ``p_test``,
  ``thresholds``) is computed here, by running those cells from the teacher's own notebook;
- a name the notebook last bound with an ``import`` statement is imported here, from the pristine environment
  (``np``, ``logreg``, ``make_pipeline``...), so the tests' NumPy, scikit-learn and ``logreg`` are never the
  submission's;
- any other name is asked of the submission's process: plain data arrives as data (rebuilt with exact types by
  :mod:`_wire`, never unpickled); anything else (a function, a fitted pipeline) arrives as a
  :class:`StudentObject`, a proxy whose calls, attributes and items are requests over the pipe, each with a
  time limit, each answer plain data or another proxy;
- ``inspect.getsource`` inside a test reads the student's definition from the submitted notebook's text (the
  last top-level statement that binds the name), never from the other process.

Usage: ``python _trusted.py AUTOGRADER.zip SUBMISSION.ipynb FD_TO_STUDENT FD_FROM_STUDENT CALL_SECONDS
READY_SECONDS SETUP.ipynb`` (``-``: no set-up notebook). One JSON object goes to the original standard output,
as the old in-kernel runner's did.
"""

from __future__ import annotations

import ast
import builtins
import contextlib
import dataclasses
import doctest
import importlib
import inspect
import io
import json
import os
import resource
import sys
import time
import types
import warnings
import zipfile
from textwrap import dedent

try:
    import _wire  # in the sandbox, beside this file
except ImportError:  # imported from the classroom package
    from classroom import _wire

MAX_TEXT = 500  # characters kept of any message that comes from the student's code
_EXCEPTION_SUFFIXES = ("Error", "Exception", "Exit", "Interrupt", "Warning")
#: third-party packages whose imports in the notebook the tests' process repeats itself (the standard library too)
LIBRARIES = frozenset({"numpy", "scipy", "pandas", "sklearn", "logreg", "matplotlib", "statsmodels"})
_NEVER_IMPORTED = frozenset({"antigravity", "this", "idlelib", "tkinter", "turtle", "turtledemo"})


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


# --- the tests, as otter reads and scores them ------------------------------------------------------------------


@dataclasses.dataclass
class Case:
    body: str
    hidden: bool
    points: float | None
    failure_message: str


@dataclasses.dataclass
class TestFile:
    name: str
    cases: list[Case]
    all_or_nothing: bool


def resolve_points(total, cases: list[Case]) -> list[Case]:
    """Each case's points, as ``otter.test_files.abstract_test.TestFile.resolve_test_file_points`` decides."""
    if isinstance(total, list):
        if len(total) != len(cases):
            raise ValueError("Points specified in test has different length than number of test cases")
        cases = [dataclasses.replace(case, points=points) for case, points in zip(cases, total, strict=True)]
        total = None
    values = [case.points for case in cases]
    given = sum(value for value in values if value is not None)
    missing = sum(value is None for value in values)
    if total is not None:
        if given > total:
            raise ValueError("More points specified in test cases than allowed for test")
        rest = (total - given) / missing if missing else 0.0
    elif given == 0 and all(value in (0, None) for value in values):
        rest = 1 / missing if missing else 0.0
    else:
        rest = 0.0
    return [dataclasses.replace(case, points=rest if case.points is None else case.points) for case in cases]


def read_tests(bundle: str) -> list[TestFile]:
    """The OK-format test files (``tests/*.py``) of an otter autograder zip, in name order."""
    found = []
    with zipfile.ZipFile(bundle) as archive:
        for member in sorted(name for name in archive.namelist() if name.startswith("tests/") and name.endswith(".py")):
            namespace: dict = {}
            exec(archive.read(member).decode("utf-8"), namespace)  # the teacher's file, as otter reads it
            spec = namespace["test"]
            (suite,) = spec["suites"]
            cases = [Case(dedent(case["code"]), case.get("hidden", True), case.get("points"),
                          case.get("failure_message") or "") for case in suite["cases"]]
            found.append(TestFile(spec["name"], resolve_points(spec.get("points"), cases),
                                  spec.get("all_or_nothing", False)))
    return found


# --- what the submitted notebook says, read as text -------------------------------------------------------------


def _cell_sources(path: str) -> list[str]:
    with open(path, encoding="utf-8") as handle:
        notebook = json.load(handle)
    sources = []
    for cell in notebook.get("cells", []) if isinstance(notebook, dict) else []:
        if isinstance(cell, dict) and cell.get("cell_type") == "code":
            source = cell.get("source", "")
            sources.append("".join(source) if isinstance(source, list) else str(source))
    return sources


def _top_level(statements: list[ast.stmt]):
    """Statements run at the top of a cell, including those inside if/for/while/with/try, not inside functions."""
    for statement in statements:
        yield statement
        if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            continue
        for field in ("body", "orelse", "finalbody"):
            yield from _top_level(getattr(statement, field, []) or [])
        for handler in getattr(statement, "handlers", []) or []:
            yield from _top_level(handler.body)


def _bound_names(statement: ast.stmt) -> list[str]:
    if isinstance(statement, ast.Import | ast.ImportFrom):
        return [alias.asname or alias.name.split(".")[0] for alias in statement.names]
    if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return [statement.name]
    heads = [node for field in ("targets", "target", "items") for node in _as_list(getattr(statement, field, None))]
    return [node.id for head in heads for node in ast.walk(head) if isinstance(node, ast.Name)]


def _as_list(value) -> list:
    return value if isinstance(value, list) else [] if value is None else [value]


def notebook_bindings(path: str) -> dict[str, tuple[ast.stmt, str]]:
    """For each name, the last top-level statement of the notebook that binds it, and that statement's text."""
    last: dict[str, tuple[ast.stmt, str]] = {}
    for source in _cell_sources(path):
        code = "\n".join("pass" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines())
        try:
            tree = ast.parse(code)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue
        for statement in _top_level(tree.body):
            if isinstance(statement, ast.If | ast.For | ast.While | ast.With | ast.Try) and not _bound_names(statement):
                continue
            text = ast.get_source_segment(code, statement) or ""
            for name in _bound_names(statement):
                last[name] = (statement, text)
    return last


def _allowed(module: str) -> bool:
    top = module.split(".")[0]
    return top not in _NEVER_IMPORTED and (top in LIBRARIES or top in sys.stdlib_module_names)


def import_binding(statement: ast.stmt, name: str) -> object:
    """What ``name`` is after ``statement`` (an import), imported here; ImportError when it cannot be."""
    for alias in statement.names:
        if isinstance(statement, ast.Import):
            if alias.asname == name or (alias.asname is None and alias.name.split(".")[0] == name):
                if not _allowed(alias.name):
                    break
                module = importlib.import_module(alias.name)
                return module if alias.asname else importlib.import_module(name)
        elif (alias.asname or alias.name) == name and statement.level == 0 and statement.module:
            if alias.name == "*" or not _allowed(statement.module):
                break
            module = importlib.import_module(statement.module)
            if hasattr(module, alias.name):
                return getattr(module, alias.name)
            return importlib.import_module(f"{statement.module}.{alias.name}")
    raise ImportError(f"{name} is not imported here")


# --- the student's objects, reached across the pipe -------------------------------------------------------------


class StudentObject:
    """A function or object of the submission: every use is a request to its process, every answer plain data."""

    __slots__ = ("_link", "_id", "_label", "_name")

    def __init__(self, link: Link, number: int, label: str, name: str | None) -> None:
        object.__setattr__(self, "_link", link)
        object.__setattr__(self, "_id", number)
        object.__setattr__(self, "_label", label)
        object.__setattr__(self, "_name", name)

    def __call__(self, *args, **kwargs):
        return self._link.request({"op": "call", "id": self._id, "args": self._link.encode(list(args)),
                                   "kwargs": self._link.encode(kwargs)}, f"{self._label}(...)")

    def __getattr__(self, name: str):
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        return self._link.request({"op": "getattr", "id": self._id, "name": name}, f"{self._label}.{name}")

    def __getitem__(self, key):
        return self._link.request({"op": "getitem", "id": self._id, "key": self._link.encode(key)},
                                  f"{self._label}[...]")

    def __len__(self) -> int:
        value = self._link.request({"op": "len", "id": self._id}, f"len({self._label})")
        if type(value) is not int:
            raise TypeError(f"len({self._label}) did not return a whole number")
        return value

    def __setattr__(self, name: str, value) -> None:
        raise AttributeError("the student's objects cannot be changed from the tests")

    def _not_data(self, *args, **kwargs):
        raise TypeError(f"{self!r} is not plain data (a number, a string, a list, an array...), so the grader cannot "
                        "use it as one")

    # a proxy never pretends to be a number, an array or equal to anything: the test fails with a clear message
    __array__ = __float__ = __int__ = __index__ = __complex__ = _not_data
    __eq__ = __ne__ = __lt__ = __le__ = __gt__ = __ge__ = _not_data
    __hash__ = object.__hash__

    def __repr__(self) -> str:
        return f"<the student's {self._label}>"


class Link:
    """The tests' end of the pipe: sends requests, checks and rebuilds every answer, enforces the time limit."""

    def __init__(self, fd_out: int, fd_in: int, call_seconds: float) -> None:
        self.fd_out, self.fd_in, self.call_seconds = fd_out, fd_in, call_seconds
        self.callbacks: list[object] = []
        self.broken = ""

    def refer(self, value: object) -> dict:
        if type(value) is StudentObject:
            return {"$": "ref", "id": value._id}
        if callable(value):
            self.callbacks.append(value)
            return {"$": "callback", "id": len(self.callbacks) - 1}
        raise TypeError(f"a {type(value).__name__} cannot be sent to the student's code")

    def encode(self, value: object) -> object:
        try:
            return _wire.encode(value, self.refer)
        except _wire.WireError as error:
            raise TypeError(str(error)) from None

    def decode(self, data: object, label: str) -> object:
        def resolve(tag: dict) -> object:
            if tag["$"] == "module" and type(tag.get("name")) is str and _allowed(tag["name"]):
                return importlib.import_module(tag["name"])
            if tag["$"] == "ref" and type(tag.get("id")) is int:
                kind = tag.get("type") if type(tag.get("type")) is str else "object"
                return StudentObject(self, tag["id"], f"{kind} {label}"[:80], None)
            raise _wire.WireError(f"{tag['$']!r} cannot arrive from the student's code")

        try:
            return _wire.decode(data, resolve)
        except (_wire.WireError, ImportError) as error:
            raise TypeError(f"{label} returned something that cannot be graded: {error}") from None

    def request(self, message: dict, label: str) -> object:
        if self.broken:
            raise RuntimeError(self.broken)
        deadline = time.monotonic() + self.call_seconds
        try:
            _wire.send(self.fd_out, message, deadline)
            reply = _wire.receive(self.fd_in, deadline)
            while isinstance(reply, dict) and reply.get("op") == "callback":
                self._answer_callback(reply, label)
                reply = _wire.receive(self.fd_in, deadline)
        except _wire.WireTimeout:
            self.broken = f"{label} did not finish within {self.call_seconds:g} s"
            raise TimeoutError(self.broken) from None
        except _wire.WireClosed:
            self.broken = f"the notebook's process ended during {label}"
            raise RuntimeError(self.broken) from None
        except _wire.WireError as error:
            self.broken = f"{label}: {error}"
            raise TypeError(self.broken) from None
        if isinstance(reply, dict) and "ok" in reply:
            value = self.decode(reply["ok"], label)
            self._warn(reply.get("warnings"))
            return value
        if isinstance(reply, dict) and isinstance(reply.get("error"), list) and len(reply["error"]) == 2:
            name, text = (str(part)[:MAX_TEXT] for part in reply["error"])
            kind = getattr(builtins, name, None)
            if isinstance(kind, type) and issubclass(kind, Exception) and not issubclass(kind, StopIteration):
                raise kind(text)
            raise RuntimeError(f"{name}: {text}")
        self.broken = f"{label}: an answer that is not a reply"
        raise TypeError(self.broken)

    @staticmethod
    def _warn(reported: object) -> None:
        """Raise again, here, the warnings the student's call raised, so a test's warnings filter applies."""
        for item in reported if isinstance(reported, list) else []:
            if isinstance(item, list) and len(item) == 2:
                kind = getattr(builtins, str(item[0]), None)
                if not (isinstance(kind, type) and issubclass(kind, Warning)):
                    kind = RuntimeWarning
                warnings.warn(str(item[1])[:MAX_TEXT], kind, stacklevel=3)

    def _answer_callback(self, message: dict, label: str) -> None:
        try:
            function = self.callbacks[message["id"]]
            args = self.decode(message.get("args", []), f"a call back from {label}")
            kwargs = self.decode(message.get("kwargs", {"$": "dict", "items": []}), f"a call back from {label}")
            reply = {"ok": self.encode(function(*args, **kwargs))}
        except Exception as error:  # noqa: BLE001 - the test's function failed: the student's code sees why
            reply = {"error": [type(error).__name__, _short(str(error))]}
        _wire.send(self.fd_out, reply, time.monotonic() + self.call_seconds)


def run_setup(path: str) -> dict:
    """The names the teacher's set-up cells bind (imports, data, splits), computed here from the teacher's own
    notebook: the code cells before the first answer cell, without otter's ``grader = otter.Notebook(...)``."""
    namespace: dict = {"__name__": "__main__"}
    if path == "-":
        return {}
    with open(path, encoding="utf-8") as handle:
        cells = json.load(handle)["cells"]
    for cell in cells:
        if "otter_assign_solution_cell" in cell.get("metadata", {}).get("tags", []):
            break
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        if cell["cell_type"] == "code" and "otter.Notebook(" not in source:
            with contextlib.suppress(Exception):
                exec(compile(source, "<set-up>", "exec"), namespace)  # the teacher's code
    return {name: value for name, value in namespace.items() if not name.startswith("__")}


class Resolver:
    """Turns a name a test uses into a value: the teacher's set-up, imported here, or asked of the submission."""

    def __init__(self, link: Link, bindings: dict[str, tuple[ast.stmt, str]], setup: dict | None = None) -> None:
        self.link, self.bindings, self.setup = link, bindings, setup or {}
        self.known: dict[str, object] = {}
        self.imported_from_text: dict[int, str] = {}

    def __call__(self, name: str) -> object:
        if name not in self.known:
            self.known[name] = self._find(name)
        return self.known[name]

    def _find(self, name: str) -> object:
        if name in self.setup:  # data and imports of the teacher's set-up: never the submission's copy
            return self.setup[name]
        statement, text = self.bindings.get(name, (None, ""))
        if isinstance(statement, ast.Import | ast.ImportFrom):
            with contextlib.suppress(Exception):
                value = import_binding(statement, name)
                self.imported_from_text[id(value)] = text
                return value
        try:
            value = self.link.request({"op": "get", "name": name}, name)
        except NameError:
            raise KeyError(name) from None
        if type(value) is StudentObject:
            value = StudentObject(self.link, value._id, name, name)
        return value

    def source(self, value: object) -> str:
        """``inspect.getsource`` for the tests: the student's definition as written in the notebook."""
        if type(value) is StudentObject:
            return self.bindings.get(value._name, (None, ""))[1] + "\n" if value._name else ""
        if id(value) in self.imported_from_text:
            return self.imported_from_text[id(value)] + "\n"
        return inspect.getsource(value)


class Namespace(dict):
    """The tests' globals: a name not defined yet is resolved on first use (builtins stay the pristine ones)."""

    def __init__(self, resolver: Resolver, *args) -> None:
        super().__init__(*args)
        self.resolver = resolver

    def copy(self) -> Namespace:  # doctest copies its globals: keep resolving in the copy
        return Namespace(self.resolver, self)

    def __missing__(self, name: str) -> object:
        if name.startswith("__") or hasattr(builtins, name):
            raise KeyError(name)
        return self.resolver(name)


def tests_builtins(resolver: Resolver) -> dict:
    """The builtins the tests run with: the real ones, except that ``import inspect`` gets a ``getsource`` that
    reads the notebook's text."""
    shim = types.ModuleType("inspect")
    shim.__dict__.update(inspect.__dict__)
    shim.getsource = resolver.source
    real_import = builtins.__import__

    def importing(name, globals=None, locals=None, fromlist=(), level=0):  # noqa: A002 - __import__'s signature
        if name == "inspect" and level == 0:
            return shim
        return real_import(name, globals, locals, fromlist, level)

    table = dict(vars(builtins))
    table["__import__"] = importing
    return table


def run_case(name: str, body: str, namespace: Namespace) -> tuple[bool, str]:
    """One test case as ``otter.test_files.ok_test.run_doctest`` runs it: (passed, doctest's report)."""
    examples = [part for part in doctest.DocTestParser().parse(body, name) if isinstance(part, doctest.Example)]
    test = doctest.DocTest(examples, namespace, name, None, None, body)
    runner = doctest.DocTestRunner(verbose=True)
    report = io.StringIO()
    with contextlib.redirect_stdout(report), contextlib.redirect_stderr(report):
        runner.run(test, clear_globs=False)
        failed = runner.summarize(verbose=False).failed
    return failed == 0, report.getvalue()


def grade(tests: list[TestFile], namespace: Namespace) -> tuple[dict, list]:
    scores, outcomes = {}, []
    for test_file in tests:
        passed = []
        for number, case in enumerate(test_file.cases, start=1):
            ok, report = run_case(f"{test_file.name} {number - 1}", case.body, namespace)
            passed.append(ok)
            outcomes.append({"question": test_file.name, "number": number, "hidden": bool(case.hidden),
                             "passed": ok, "points": float(case.points or 0), "hint": _short(case.failure_message),
                             "error": "" if ok else exception_line(report)})
        possible = sum(case.points for case in test_file.cases)
        if test_file.all_or_nothing:
            score = possible if all(passed) else 0
        else:
            score = sum(case.points for case, ok in zip(test_file.cases, passed, strict=True) if ok)
        scores[test_file.name] = [float(score), float(possible)]
    return scores, outcomes


def _ready_report(message: object) -> dict:
    """The submission's own account of its run (cell errors, output size): only ever shown as its notes."""
    report = message.get("ready") if isinstance(message, dict) else None
    if not isinstance(report, dict):
        raise _wire.WireError("the notebook's process did not start as expected")
    errors = report.get("errors") if isinstance(report.get("errors"), list) else []
    size, cpu = report.get("output_bytes"), report.get("cpu_seconds")
    return {"errors": [_short(str(error)) for error in errors[:50]],
            "output_bytes": size if type(size) is int and size >= 0 else 0,
            "student_cpu_seconds": float(cpu) if type(cpu) in (int, float) and 0 <= cpu < 1e6 else 0.0}


def run(bundle: str, submission: str, fd_out: int, fd_in: int, call_seconds: float, ready_seconds: float,
        setup_path: str = "-") -> dict:
    tests = read_tests(bundle)
    bindings = notebook_bindings(submission)
    setup = run_setup(setup_path)
    try:
        ready = _ready_report(_wire.receive(fd_in, time.monotonic() + ready_seconds))
    except _wire.WireClosed:
        return {"status": "student-ended", "detail": "the notebook's process ended before its cells had run"}
    except _wire.WireTimeout:
        return {"status": "student-timeout", "detail": f"the notebook's cells ran longer than {ready_seconds:g} s"}
    except _wire.WireError as error:
        return {"status": "error", "detail": _short(f"the notebook's process misbehaved: {error}")}
    link = Link(fd_out, fd_in, call_seconds)
    resolver = Resolver(link, bindings, setup)
    namespace = Namespace(resolver, {"__name__": "__main__", "__builtins__": tests_builtins(resolver)})
    scores, outcomes = grade(tests, namespace)
    return {"status": "graded", "detail": "", "scores": scores, "tests": outcomes, **ready}


def main(argv: list[str]) -> int:
    bundle, submission = argv[0], argv[1]
    fd_out, fd_in, call_seconds, ready_seconds = int(argv[2]), int(argv[3]), float(argv[4]), float(argv[5])
    setup_path = argv[6] if len(argv) > 6 else "-"
    results_fd = os.dup(1)
    quiet = os.open(os.devnull, os.O_WRONLY)
    os.dup2(quiet, 1)
    os.dup2(quiet, 2)
    try:
        payload = run(bundle, submission, fd_out, fd_in, call_seconds, ready_seconds, setup_path)
    except BaseException as error:  # noqa: BLE001 - every failure becomes a row
        payload = {"status": "error", "detail": _short(f"the tests could not run: {type(error).__name__}: {error}")}
    own = resource.getrusage(resource.RUSAGE_SELF)
    payload["cpu_seconds"] = own.ru_utime + own.ru_stime + payload.pop("student_cpu_seconds", 0.0)
    with os.fdopen(results_fd, "w", encoding="utf-8") as out:
        json.dump(payload, out)
    return 0


if __name__ == "__main__":
    os._exit(main(sys.argv[1:]))
