"""The submission's side of grading: run the notebook's cells, then answer the tests' questions over a pipe.

This program runs in the submission's sandbox, in one Python process with the student's code, and is therefore
**not trusted**: everything it sends is checked by the tests' process (``_trusted.py``), which never runs student
code. It sees the submission and nothing of the tests. Usage::

    python _student.py SUBMISSION.ipynb FD_IN FD_OUT

It executes the code cells in order in an IPython shell (as a kernel would; a cell that raises is recorded and
the next one runs), with a stand-in ``otter`` whose ``grader.check(...)`` does nothing (the tests run elsewhere),
then sends ``{"ready": {"errors": [...], "output_bytes": n}}`` and serves requests until the pipe closes:
``get`` a name, ``call``, ``getattr``, ``getitem`` or ``len`` of an object it handed out before. Each reply is
``{"ok": value}`` or ``{"error": [exception name, message]}``; values cross as :mod:`_wire` encodes them.
"""

from __future__ import annotations

import io
import json
import os
import resource
import sys
import types
import warnings

try:
    import _wire  # in the sandbox, beside this file
except ImportError:  # imported from the classroom package
    from classroom import _wire

MAX_TEXT = 500
MAX_WARNINGS = 20
# kept before any student code runs: the warnings a call raises are recorded with these
_catch_warnings, _simplefilter = warnings.catch_warnings, warnings.simplefilter


def _short(text: str) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 3] + "..."


class _CountingSink(io.TextIOBase):
    """Where the cells' output goes: counted (for the output limit), then dropped."""

    def __init__(self) -> None:
        self.count = 0

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self.count += len(text)
        return len(text)


def _otter_stand_in() -> types.ModuleType:
    """``otter`` as the grading run sees it: ``otter.Notebook(...)`` whose every method does nothing."""

    class Notebook:
        def __init__(self, *args, **kwargs) -> None:
            pass

        def __getattr__(self, name: str):
            return lambda *args, **kwargs: None

    module = types.ModuleType("otter")
    module.Notebook = Notebook
    return module


def run_cells(path: str) -> tuple[dict, dict]:
    """Execute the notebook's code cells; return its namespace and what to report (errors, output size)."""
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config

    sys.modules["otter"] = _otter_stand_in()
    with open(path, encoding="utf-8") as handle:
        notebook = json.load(handle)
    sink = _CountingSink()
    sys.stdout = sys.stderr = sink
    config = Config()
    config.HistoryManager.enabled = False  # no history database to write
    shell = InteractiveShell.instance(config=config, colors="NoColor")
    errors = []
    for cell in notebook.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else str(source)
        result = shell.run_cell(source, store_history=False)
        failure = result.error_before_exec or result.error_in_exec
        if failure is not None:
            name, value = type(failure).__name__, str(failure)
            errors.append(_short(f"{name}: {value}" if value else name))
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return shell.user_ns, {"errors": errors, "output_bytes": sink.count, "cpu_seconds": usage.ru_utime + usage.ru_stime}


class Server:
    """Answers the tests' process: names of the namespace, and calls on objects it handed out as references."""

    def __init__(self, namespace: dict, fd_in: int, fd_out: int) -> None:
        self.namespace, self.fd_in, self.fd_out = namespace, fd_in, fd_out
        self.objects: list[object] = []

    def refer(self, value: object) -> dict:
        if isinstance(value, types.ModuleType):
            return {"$": "module", "name": value.__name__}
        self.objects.append(value)
        return {"$": "ref", "id": len(self.objects) - 1, "type": type(value).__name__, "callable": callable(value)}

    def resolve(self, tag: dict) -> object:
        if tag["$"] == "ref" and type(tag.get("id")) is int and 0 <= tag["id"] < len(self.objects):
            return self.objects[tag["id"]]
        if tag["$"] == "callback" and type(tag.get("id")) is int:
            return self.callback(tag["id"])
        raise _wire.WireError("an unknown reference")

    def callback(self, number: int):
        """A function of the tests (a lambda passed as an argument): calling it asks the tests' process."""

        def call(*args, **kwargs):
            message = {"op": "callback", "id": number, "args": self.encode(list(args)),
                       "kwargs": self.encode(kwargs)}
            _wire.send(self.fd_out, message)
            reply = _wire.receive(self.fd_in)
            while isinstance(reply, dict) and "op" in reply:  # the test's function called back into this process
                self.reply_to(reply)
                reply = _wire.receive(self.fd_in)
            if isinstance(reply, dict) and "ok" in reply:
                return _wire.decode(reply["ok"], self.resolve)
            raise RuntimeError(f"the test's function failed: {reply.get('error') if isinstance(reply, dict) else ''}")

        return call

    def encode(self, value: object) -> object:
        return _wire.encode(value, self.refer)

    def answer(self, request: dict) -> object:
        op = request.get("op")
        if op == "get":
            name = request.get("name")
            if name not in self.namespace:
                raise NameError(f"name {name!r} is not defined")
            return self.namespace[name]
        target = self.resolve({"$": "ref", "id": request.get("id")})
        if op == "call":
            args = _wire.decode(request.get("args", []), self.resolve)
            kwargs = _wire.decode(request.get("kwargs", {"$": "dict", "items": []}), self.resolve)
            return target(*args, **kwargs)
        if op == "getattr":
            return getattr(target, str(request.get("name")))
        if op == "getitem":
            return target[_wire.decode(request.get("key"), self.resolve)]
        if op == "len":
            return len(target)
        raise ValueError(f"unknown request {op!r}")

    def reply_to(self, request: object) -> None:
        try:
            if not isinstance(request, dict):
                raise ValueError("a request must be a JSON object")
            with _catch_warnings(record=True) as caught:
                _simplefilter("always")
                value = self.answer(request)
            seen = [[item.category.__name__, _short(str(item.message))] for item in caught[:MAX_WARNINGS]]
            reply = {"ok": self.encode(value), "warnings": seen}
        except _wire.WireError as error:
            reply = {"error": ["TypeError", _short(f"the answer cannot be sent to the grader: {error}")]}
        except BaseException as error:  # noqa: BLE001 - the student's exception (even SystemExit) is the reply
            reply = {"error": [type(error).__name__, _short(str(error))]}
        _wire.send(self.fd_out, reply)

    def serve(self) -> None:
        while True:
            try:
                request = _wire.receive(self.fd_in)
            except _wire.WireClosed:
                return
            self.reply_to(request)


def main(argv: list[str]) -> int:
    path, fd_in, fd_out = argv[0], int(argv[1]), int(argv[2])
    quiet = os.open(os.devnull, os.O_WRONLY)
    os.dup2(quiet, 1)
    os.dup2(quiet, 2)
    try:
        namespace, report = run_cells(path)
    except Exception as error:  # noqa: BLE001 - e.g. a notebook file that is not JSON: reported, nothing served
        namespace, report = {}, {"errors": [_short(f"{type(error).__name__}: {error}")], "output_bytes": 0}
    _wire.send(fd_out, {"ready": report})
    Server(namespace, fd_in, fd_out).serve()
    return 0


if __name__ == "__main__":
    os._exit(main(sys.argv[1:]))
