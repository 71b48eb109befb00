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
PASSED_THROUGH = ("LANG", "LC_ALL", "TZ")

_SHIM = 'raise ImportError("rfc3987_syntax is disabled in grading processes (start-up time)")\n'


def write_import_shim(folder: Path) -> Path:
    """Write the stand-in ``rfc3987_syntax`` module into ``folder`` (created if needed) and return ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "rfc3987_syntax.py").write_text(_SHIM, encoding="utf-8")
    return folder


def data_folder() -> Path | None:
    """A folder holding the book's data files, for grading processes, which have no network.

    ``LOGREG_DATA_DIR`` when it is set (the offline mirror); otherwise every data set ``logreg.datasets`` knows is
    fetched once here (sha256-checked, cached by pooch) and its cache folder is used. ``None`` if that fails: the
    notebooks then report the missing data themselves.
    """
    mirror = os.environ.get("LOGREG_DATA_DIR")
    if mirror:
        return Path(mirror).resolve()
    try:
        from logreg import datasets

        remotes = [value for value in vars(datasets).values() if isinstance(value, datasets.RemoteFile)]
        files = [datasets.fetch(remote) for remote in remotes]
    except Exception:  # noqa: BLE001 - offline without a mirror: nothing to offer
        return None
    folders = {path.resolve().parent for path in files}
    return folders.pop() if len(folders) == 1 else None


def grading_environment(home: Path, shim: Path | None, data: Path | None = None) -> dict[str, str]:
    """A minimal environment for otter's processes: the venv first on ``PATH``, one thread, a private home, and
    ``LOGREG_DATA_DIR`` pointing at ``data``."""
    env = {key: os.environ[key] for key in PASSED_THROUGH if os.environ.get(key)}
    if data is not None:
        env["LOGREG_DATA_DIR"] = str(data)
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
