"""The environment that otter's own processes (building, grading, the notebook's kernel) run with.

Two things matter: nothing of the teacher's environment leaks into a student's code (no tokens, no proxies: an
allow-list), and start-up time, which dominates grading. ``jsonschema`` (imported by ``nbformat``, hence by otter
and by every grading kernel) compiles 39 Lark grammars at import when the optional ``rfc3987-syntax`` package is
installed: 0.8-2 s per process, about half of a grading's CPU time. Neither nbformat nor otter uses the IRI formats
those grammars check, so grading processes get a one-line stand-in module that declines to import, and jsonschema
falls back as it does when the package is absent.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

#: environment variables passed through to grading processes when set (everything else is dropped)
PASSED_THROUGH = ("LOGREG_DATA_DIR", "LANG", "LC_ALL", "TZ")

_SHIM = 'raise ImportError("rfc3987_syntax is disabled in grading processes (start-up time)")\n'


def write_import_shim(folder: Path) -> Path:
    """Write the stand-in ``rfc3987_syntax`` module into ``folder`` (created if needed) and return ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "rfc3987_syntax.py").write_text(_SHIM, encoding="utf-8")
    return folder


def grading_environment(home: Path, shim: Path | None) -> dict[str, str]:
    """A minimal environment for otter's processes: the venv first on ``PATH``, one thread, a private home."""
    env = {key: os.environ[key] for key in PASSED_THROUGH if os.environ.get(key)}
    if "LOGREG_DATA_DIR" in env:  # notebooks run in another working directory: make the mirror's path absolute
        env["LOGREG_DATA_DIR"] = os.path.abspath(env["LOGREG_DATA_DIR"])
    env.update(
        PATH=os.pathsep.join([str(Path(sys.executable).parent), "/usr/local/bin", "/usr/bin", "/bin"]),
        HOME=str(home),
        USER="student",
        LOGNAME="student",
        IPYTHONDIR=str(home / ".ipython"),
        MPLCONFIGDIR=str(home / ".matplotlib"),
        MPLBACKEND="Agg",
        LOGREG_CACHE_DIR=str(home / ".cache" / "logreg"),
        PYTHONHASHSEED="0",
        PYTHONWARNINGS="ignore",
        PYTHONDONTWRITEBYTECODE="1",
        OMP_NUM_THREADS="1",
        OPENBLAS_NUM_THREADS="1",
        MKL_NUM_THREADS="1",
    )
    env.setdefault("LANG", "C.UTF-8")
    if shim is not None:
        env["PYTHONPATH"] = str(shim)
    return env
