"""Run a command in a throw-away sandbox: Debian's bubblewrap plus resource limits.

What the sandboxed process gets:

- a file system that is read-only everywhere: the operating system (``/usr``, a few files of ``/etc``), the Python
  that grades (its venv and base installation), the ``logreg`` package and the data mirror, and the grading inputs
  (the one submission, the autograder, the runner) at ``/grading``. Nothing else of the machine is mounted: not
  the teacher's home, not the repository (with its solutions), not the other submissions, not the gradebook;
- one writable place, its scratch folder ``/tmp``: a size-limited tmpfs that disappears with the sandbox, so
  nothing it writes reaches the teacher's disk;
- no network (a new network namespace holding only loopback, which the notebook's kernel needs), its own PID,
  IPC and UTS namespaces, a new terminal session, and it dies with its parent;
- run as root (as here), an unprivileged user id of its own (one per concurrent sandbox, with ``no_new_privs``),
  because Linux exempts root from the process-count limit; run as a normal user, bubblewrap's user namespace;
- ``prlimit`` limits per process on CPU time, address space, process count, file size and core dumps, and the
  caller's wall-clock limit on the whole run.
"""

from __future__ import annotations

import contextlib
import fcntl
import importlib.util
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

MIB = 2**20
GIB = 2**30

#: the parts of /etc a Python program needs (dynamic linker cache, user names, time zone)
ETC_FILES = ("ld.so.cache", "ld.so.conf", "ld.so.conf.d", "localtime", "nsswitch.conf", "hosts", "passwd", "group")
#: top-level directories that are symbolic links into /usr on merged-/usr systems such as Debian 12
SYSTEM_DIRS = ("bin", "sbin", "lib", "lib32", "lib64", "libx32")
FIRST_SANDBOX_UID = 200_000
SANDBOX_UIDS = 4_096


class SandboxUnavailable(RuntimeError):
    """bubblewrap, setpriv or prlimit is missing: grading cannot be sandboxed on this machine."""


@dataclass(frozen=True)
class Limits:
    """Resource limits of one grading. Per-process limits apply to the notebook's kernel and to otter alike."""

    cpu_seconds: float = 120.0  # CPU time per process (then SIGXCPU, one second later SIGKILL)
    wall_seconds: float = 300.0  # the whole grading, kernel start-up included
    memory_bytes: int = 4 * GIB  # address space per process
    processes: int = 128  # processes and threads of the sandbox's user
    file_bytes: int = 64 * MIB  # largest file a process may write
    scratch_bytes: int = 1 * GIB  # size of the writable /tmp
    output_bytes: int = 8 * MIB  # everything the notebook's cells display, in total
    call_seconds: float = 60.0  # each call from the tests into the submission's process

    def __post_init__(self) -> None:
        for name, value in vars(self).items():
            if not value > 0:
                raise ValueError(f"Limits.{name} must be positive; got {value!r}")


def check_available() -> None:
    """Raise :class:`SandboxUnavailable` with the install command unless every tool is present."""
    missing = [tool for tool in ("bwrap", "prlimit", "setpriv") if shutil.which(tool) is None]
    if missing:
        raise SandboxUnavailable(
            f"cannot sandbox grading: {', '.join(missing)} not found. Install Debian's bubblewrap "
            "(`sudo apt-get install bubblewrap`, or `make bubblewrap`); prlimit and setpriv come with util-linux."
        )


def package_folder(name: str) -> Path | None:
    """Where an importable package lives (an editable install points outside the venv), without importing it."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))).resolve()


def default_read_only(data: Path | None = None) -> list[Path]:
    """What grading needs to see: the Python installation, the venv, ``logreg`` and the data folder."""
    paths = [Path(sys.prefix), Path(sys.base_prefix), Path(sys.exec_prefix), Path(sys.base_exec_prefix)]
    paths.append(Path(os.path.realpath(sys.executable)).parent.parent)
    logreg = package_folder("logreg")
    if logreg is not None:
        paths.append(logreg)
    if data is not None and data.is_dir():
        paths.append(data)
    return minimal_cover(paths)


def minimal_cover(paths: Sequence[Path]) -> list[Path]:
    """Resolved, existing, sorted paths with every path that lies inside another one dropped."""
    kept: list[Path] = []
    for path in sorted({Path(os.path.realpath(p)) for p in paths if Path(p).exists()}):
        if not any(path.is_relative_to(parent) for parent in kept):
            kept.append(path)
    return kept


def ensure_hidden(hidden: Sequence[Path], read_only: Sequence[Path]) -> None:
    """Refuse to run when a folder that must stay invisible (the class's submissions) lies inside a mounted one."""
    for secret in hidden:
        secret = Path(os.path.realpath(secret))
        for mounted in read_only:
            if secret.is_relative_to(mounted):
                raise ValueError(
                    f"{secret} lies inside {mounted}, which the sandbox must see, so every submission could read "
                    "it; keep submissions and the gradebook outside the Python installation and the data folder"
                )


def _ancestors(path: Path) -> list[Path]:
    return list(reversed(path.parents))[1:]  # without "/"


def bwrap_arguments(inputs: Path, limits: Limits, read_only: Sequence[Path], uid: int | None) -> list[str]:
    """The bubblewrap command line (up to the command): see the module's docstring for what it grants.

    As root the namespaces are listed one by one instead of ``--unshare-all``, which would add a user namespace
    mapping root alone: ``setpriv`` could not switch to the sandbox's user id inside it, and a process whose real
    user is root ignores the process-count limit.
    """
    args = ["bwrap", "--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts", "--unshare-cgroup-try"]
    if uid is None:  # not root: bubblewrap needs a user namespace, and the process limit counts the sandbox only
        args += ["--unshare-user", "--cap-drop", "ALL"]
    args += ["--hostname", "sandbox", "--die-with-parent", "--new-session"]
    args += ["--ro-bind", "/usr", "/usr"]
    for name in SYSTEM_DIRS:
        top = Path("/") / name
        if top.is_symlink():
            args += ["--symlink", os.readlink(top), str(top)]
        elif top.is_dir():
            args += ["--ro-bind", str(top), str(top)]
    args += ["--perms", "0755", "--dir", "/etc"]
    for name in ETC_FILES:
        if (Path("/etc") / name).exists():
            args += ["--ro-bind", f"/etc/{name}", f"/etc/{name}"]
    args += ["--proc", "/proc", "--dev", "/dev"]
    args += ["--perms", "1777", "--size", str(int(limits.scratch_bytes)), "--tmpfs", "/tmp"]
    created = {Path("/"), Path("/etc"), Path("/usr"), Path("/tmp")}
    for path in [*read_only, Path("/grading")]:
        for parent in _ancestors(path):
            if parent not in created:  # bubblewrap would create missing parents with mode 0700
                args += ["--perms", "0755", "--dir", str(parent)]
                created.add(parent)
        created.add(path)
        if path != Path("/grading"):
            args += ["--ro-bind", str(path), str(path)]
    args += ["--ro-bind", str(inputs), "/grading", "--remount-ro", "/", "--chdir", "/tmp"]
    return args


def limit_arguments(limits: Limits) -> list[str]:
    """``prlimit`` with every limit set (soft = hard, except CPU: SIGXCPU first, SIGKILL a second later)."""
    cpu = max(1, round(limits.cpu_seconds))
    return [
        "prlimit",
        f"--cpu={cpu}:{cpu + 1}",
        f"--as={int(limits.memory_bytes)}",
        f"--nproc={int(limits.processes)}",
        f"--fsize={int(limits.file_bytes)}",
        "--core=0",
        "--",
    ]


def drop_privileges(uid: int) -> list[str]:
    """``setpriv`` to an unprivileged user id, no capabilities and no way back (setuid files do nothing)."""
    return [
        "setpriv",
        f"--reuid={uid}",
        f"--regid={uid}",
        "--clear-groups",
        "--inh-caps=-all",
        "--bounding-set=-all",
        "--no-new-privs",
    ]


@contextlib.contextmanager
def sandbox_uid() -> Iterator[int | None]:
    """A user id no other sandbox uses right now (``None`` when not root: the user namespace isolates instead).

    The process limit counts every process of a user id, so two sandboxes sharing one would share the limit.
    """
    if os.geteuid() != 0:
        yield None
        return
    locks = Path(tempfile.gettempdir()) / "classroom-sandbox-uids"
    locks.mkdir(mode=0o700, exist_ok=True)
    for uid in range(FIRST_SANDBOX_UID, FIRST_SANDBOX_UID + SANDBOX_UIDS):
        handle = open(locks / str(uid), "w")  # noqa: SIM115 - held for the duration of the sandbox
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            continue
        try:
            yield uid
        finally:
            handle.close()
        return
    raise SandboxUnavailable(f"all {SANDBOX_UIDS} sandbox user ids are in use")


@dataclass(frozen=True)
class Completed:
    """How a sandboxed command ended: its exit code (negative: killed by that signal), output, and whether the
    wall-clock limit stopped it."""

    returncode: int
    stdout: bytes
    stderr: bytes
    timed_out: bool


class Running:
    """A started command (sandboxed or not): wait for it, stop it, and read its output and CPU time."""

    def __init__(self, process: subprocess.Popen, out, err, limits: Limits) -> None:
        self.process, self.out, self.err, self.limits = process, out, err, limits
        self.cpu_seconds = 0.0
        self.timed_out = False

    def _reap(self, block: bool) -> bool:
        """Collect the process's exit status and the CPU time of everything it ran (``wait4``)."""
        if self.process.returncode is not None:
            return True
        try:
            pid, status, usage = os.wait4(self.process.pid, 0 if block else os.WNOHANG)
        except ChildProcessError:
            self.process.returncode = self.process.returncode if self.process.returncode is not None else -9
            return True
        if pid == 0:
            return False
        self.process.returncode = os.waitstatus_to_exitcode(status)
        self.cpu_seconds = usage.ru_utime + usage.ru_stime
        return True

    def wait(self, seconds: float) -> bool:
        """Wait up to ``seconds``; True if it ended (False: still running)."""
        deadline = time.monotonic() + seconds
        pause = 0.005
        while not self._reap(False):
            if time.monotonic() >= deadline:
                return False
            time.sleep(pause)
            pause = min(0.05, pause * 1.5)
        return True

    def stop(self) -> None:
        """Kill the command and everything it started (bubblewrap's ``--die-with-parent`` takes the sandbox)."""
        if self.process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self._reap(True)

    def completed(self) -> Completed:
        self.out.seek(0)
        self.err.seek(0)
        return Completed(self.process.returncode if self.process.returncode is not None else -9,
                         self.out.read(self.limits.file_bytes), self.err.read(64 * 1024), self.timed_out)


@contextlib.contextmanager
def start(
    command: Sequence[str],
    inputs: Path,
    limits: Limits,
    env: dict[str, str],
    *,
    read_only: Sequence[Path] | None = None,
    hidden: Sequence[Path] = (),
    data: Path | None = None,
    pass_fds: Sequence[int] = (),
    sandboxed: bool = True,
    cwd: Path | None = None,
) -> Iterator[Running]:
    """Start ``command`` in a sandbox that sees ``inputs`` read-only at ``/grading``; stopped when the block ends.

    Unless ``read_only`` lists the mounted folders, they are :func:`default_read_only` with the ``data`` folder.
    ``hidden`` lists folders that must stay invisible (checked, since the sandbox mounts only ``read_only``).
    ``pass_fds`` are file descriptors the command inherits (the pipes between the two grading processes).
    Standard output and error go to files the limits bound (``file_bytes``). With ``sandboxed=False`` the
    command runs unconfined in ``cwd`` (only where bubblewrap cannot run).
    """
    if sandboxed:
        check_available()
        read_only = default_read_only(data) if read_only is None else minimal_cover(read_only)
        ensure_hidden(hidden, read_only)
    with (
        (sandbox_uid() if sandboxed else contextlib.nullcontext(None)) as uid,
        tempfile.TemporaryFile() as out,
        tempfile.TemporaryFile() as err,
    ):
        if sandboxed:
            inner = ([] if uid is None else drop_privileges(uid)) + limit_arguments(limits) + list(command)
            full = bwrap_arguments(inputs, limits, read_only, uid) + inner
        else:
            full = list(command)
        process = subprocess.Popen(full, stdin=subprocess.DEVNULL, stdout=out, stderr=err, env=env,
                                   start_new_session=True, pass_fds=tuple(pass_fds), cwd=cwd)
        running = Running(process, out, err, limits)
        try:
            yield running
        finally:
            running.stop()


def run(
    command: Sequence[str],
    inputs: Path,
    limits: Limits,
    env: dict[str, str],
    *,
    read_only: Sequence[Path] | None = None,
    hidden: Sequence[Path] = (),
    data: Path | None = None,
) -> Completed:
    """Run ``command`` in a sandbox (see :func:`start`) until it ends or ``limits.wall_seconds`` pass; never
    raises on its failure."""
    with start(command, inputs, limits, env, read_only=read_only, hidden=hidden, data=data) as running:
        if not running.wait(limits.wall_seconds):
            running.timed_out = True
            running.stop()
        return running.completed()
