"""Build the book's JupyterLite site into ``_build/html/lite`` (``make book`` runs it after Jupyter Book).

What the site holds, so that a chapter runs in a reader's browser with nothing installed:

- every chapter notebook listed in ``_toc.yml`` in its reader version (plain Markdown instead of MyST:
  ``scripts/reader_notebooks.py``), outputs cleared for the reader to run (under ``chapters/``, as in
  the repository, so the theme's launch link ``?path=chapters/NAME.ipynb`` finds it), and the data files under
  ``data/`` (the kernel sees them in ``/drive/data``; the chapters' set-up cell points ``LOGREG_DATA_DIR`` there);
- the browser versions of the student notebooks under ``assignments/``, when ``make assignments`` has built them;
- in ``pypi/`` (piplite's index): a wheel of ``logreg`` built from this checkout, and the pure-Python packages it
  needs that Pyodide's lock lacks (pooch), as PyPI wheels;
- the Pyodide core from npm, served by the site itself (``static/pyodide``), with its ``pyodide-lock.json``
  rewritten: the kernel's boot packages (micropip, IPython, jedi and what they depend on) are PyPI wheels shipped
  beside the core, every other package (numpy, scipy, scikit-learn, matplotlib, ...) is an absolute URL on the
  Pyodide CDN, since no allowed registry serves those WebAssembly wheels.

Needs the network only for what it caches in ``.lite_cache/wheels`` (PyPI wheels, fetched once with pip); the
Pyodide core is installed from npm by the Makefile (``make pyodide``). The data files come through
``logreg.datasets.fetch``: from ``LOGREG_DATA_DIR`` when it is set, sha256-checked.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import re
import shutil
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterable
from importlib.metadata import version as installed_version
from pathlib import Path

import jupyter_server
import yaml
from jupyterlite_pyodide_kernel.constants import PYODIDE_CDN_URL, PYODIDE_PYTHON_VERSION, PYODIDE_VERSION
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from logreg import datasets

sys.path.insert(0, str(Path(__file__).resolve().parent))  # scripts/, also when a test loads this file by path
from reader_notebooks import reader_notebook  # noqa: E402  (the notebooks readers run: plain Markdown)

ROOT = Path(__file__).resolve().parent.parent
#: what the pyodide-kernel 0.8.6 worker loads before the first cell runs: micropip (loadPackage), then via piplite
#: ipykernel, comm, pyodide-kernel, jedi and ipython (the first three from the site's pypi/ folder).
BOOT_FROM_LOCK = ("micropip", "ipython", "jedi")
#: kernel dependencies that are in neither the lock nor the kernel's own wheels: shipped in pypi/ from PyPI.
BOOT_FROM_PYPI = ("comm",)
KERNEL_EXTENSION = (
    Path(sys.prefix) / "share" / "jupyter" / "labextensions" / "@jupyterlite" / "pyodide-kernel-extension"
)
#: the data files the chapters read, shipped in the site's data/ folder
DATA_FILES = (datasets.MARKS, datasets.MICROCHIPS)
#: the Lite apps the book uses: the notebook (launch target), its file browser, and JupyterLab for those who want it.
APPS = tuple("lab notebooks tree".split())
#: files of the npm package the site does not need (TypeScript types, demo consoles, sourcemaps, the CommonJS entry)
CORE_SKIP = re.compile(r"(\.d\.ts|\.map|^console.*\.html|^README\.md|^package\.json|^pyodide\.js)$")


def toc_notebooks(root: Path = ROOT) -> list[Path]:
    """Every notebook the table of contents lists, in book order."""
    toc = yaml.safe_load((root / "_toc.yml").read_text())
    files: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if "file" in node:
                files.append(node["file"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(toc)
    return [root / f"{name}.ipynb" for name in files if (root / f"{name}.ipynb").is_file()]


def student_notebooks(root: Path = ROOT) -> list[Path]:
    """The browser versions of the student notebooks, if ``make assignments`` has built them (public checks as
    plain asserts, no solutions, no hidden tests: see ``classroom/lite.py``)."""
    return sorted((root / "_build" / "assignments").glob("*/student-lite/*.ipynb"))


def read_lock(pyodide_dir: Path) -> dict:
    """The npm package's ``pyodide-lock.json``."""
    return json.loads((pyodide_dir / "pyodide-lock.json").read_text())


def lock_closure(packages: dict[str, dict], names: Iterable[str]) -> set[str]:
    """``names`` and everything they depend on in the lock (canonical names)."""
    seen: set[str] = set()
    todo = [canonicalize_name(name) for name in names]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        if name not in packages:
            raise SystemExit(f"build_lite: {name!r} is not in Pyodide {PYODIDE_VERSION}'s lock")
        seen.add(name)
        todo.extend(canonicalize_name(dep) for dep in packages[name]["depends"])
    return seen


def wheel_requirements(wheel: Path) -> list[Requirement]:
    """The unconditional ``Requires-Dist`` entries of a wheel (no extras)."""
    with zipfile.ZipFile(wheel) as archive:
        metadata = next(name for name in archive.namelist() if name.endswith(".dist-info/METADATA"))
        text = archive.read(metadata).decode()
    requirements = [
        Requirement(line.split(":", 1)[1].strip()) for line in text.splitlines() if line.startswith("Requires-Dist:")
    ]
    return [req for req in requirements if req.marker is None or req.marker.evaluate({"extra": ""})]


def cached_wheel(name: str, version: str, cache: Path) -> Path | None:
    """The wheel of ``name==version`` in ``cache``, if it was downloaded before."""
    stem = re.sub(r"[-_.]+", "_", name).lower()
    for candidate in cache.glob("*.whl"):
        parts = candidate.name.split("-")
        if re.sub(r"[-_.]+", "_", parts[0]).lower() == stem and parts[1] == version:
            return candidate
    return None


def pypi_wheels(pins: dict[str, str], cache: Path) -> dict[str, Path]:
    """py3-none-any wheels of ``{name: version}`` from PyPI, downloaded once into ``cache`` (one pip call)."""
    missing = [f"{name}=={version}" for name, version in pins.items() if not cached_wheel(name, version, cache)]
    if missing:
        cache.mkdir(parents=True, exist_ok=True)
        pip = [sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check", "--no-deps"]
        target = ["--only-binary=:all:", "--python-version", PYODIDE_PYTHON_VERSION, "--dest", str(cache)]
        subprocess.run([*pip, *target, *missing], check=True)
    found = {name: cached_wheel(name, version, cache) for name, version in pins.items()}
    if None in found.values():
        raise SystemExit(f"build_lite: pip did not download {[name for name, path in found.items() if not path]}")
    return found


def pypi_wheel(name: str, version: str, cache: Path) -> Path:
    """A py3-none-any wheel of ``name==version`` from PyPI, downloaded once into ``cache``."""
    return pypi_wheels({name: version}, cache)[name]


#: the packages of this checkout's distribution (pyproject's ``packages.find``): the mathematics and the book's
#: presentation helpers (interactive figures), which the chapters import too
PACKAGES = ("logreg", "bookkit")


def build_logreg_wheel(dest: Path, scratch: Path) -> Path:
    """A pure-Python wheel of this checkout's ``logreg`` and ``bookkit`` (built from a copy, so no build/ appears
    in the tree)."""
    shutil.rmtree(scratch, ignore_errors=True)
    for package in PACKAGES:
        shutil.copytree(ROOT / package, scratch / package, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, scratch / name)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--disable-pip-version-check",
            "--no-deps",
            "--no-build-isolation",
            "--wheel-dir",
            str(dest),
            str(scratch),
        ],
        check=True,
    )
    shutil.rmtree(scratch)
    (wheel,) = dest.glob("logreg-*-py3-none-any.whl")
    return wheel


GLUE_MODULE = '''"""Stand-in for myst-nb in the book's browser site (JupyterLite): ``glue`` only.

The book itself is built with myst-nb; in a notebook its ``glue`` displays the value (``display=True``) or records
it invisibly, and this does the same, without myst-nb's Sphinx and docutils stack.
"""

import IPython
from IPython.display import display as _display

GLUE_PREFIX = "application/papermill.record/"


def glue(name, variable, display=True):
    """Display ``variable`` (or record it invisibly), tagged with ``name``, as myst_nb.glue does."""
    mimebundle, metadata = IPython.core.formatters.format_display_data(variable)
    mime_prefix = "" if display else GLUE_PREFIX
    metadata["scrapbook"] = dict(name=name, mime_prefix=mime_prefix)
    _display({mime_prefix + k: v for k, v in mimebundle.items()}, raw=True, metadata=metadata)
'''


def glue_wheel(dest: Path) -> Path:
    """A wheel ``myst-nb-glue`` whose package ``myst_nb`` has only ``glue``: the chapters import it."""
    version = installed_version("myst-nb")
    dist_info = f"myst_nb_glue-{version}.dist-info"
    files = {
        "myst_nb/__init__.py": GLUE_MODULE,
        f"{dist_info}/METADATA": (
            f"Metadata-Version: 2.1\nName: myst-nb-glue\nVersion: {version}\n"
            f"Summary: myst_nb.glue of myst-nb {version} for the browser, without Sphinx\n"
            "Requires-Dist: ipython\n"
        ),
        f"{dist_info}/WHEEL": "Wheel-Version: 1.0\nGenerator: build_lite\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    record = [f"{name},sha256={_urlsafe_digest(text.encode())},{len(text.encode())}" for name, text in files.items()]
    files[f"{dist_info}/RECORD"] = "\n".join([*record, f"{dist_info}/RECORD,,"]) + "\n"
    wheel = dest / f"myst_nb_glue-{version}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            archive.writestr(zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0)), text)
    return wheel


def _urlsafe_digest(data: bytes) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def missing_pure_dependencies(wheel: Path, packages: dict[str, dict], cache: Path) -> list[Path]:
    """PyPI wheels, at the versions this venv has and tests, of what ``wheel`` needs that the lock lacks."""
    shipped: dict[str, Path] = {}
    todo = list(wheel_requirements(wheel))
    while todo:
        name = canonicalize_name(todo.pop().name)
        if name in packages or name in shipped:
            continue
        found = pypi_wheel(name, installed_version(name), cache)
        if not found.name.endswith("-none-any.whl"):
            raise SystemExit(f"build_lite: {found.name} is not pure Python; Pyodide cannot install it")
        shipped[name] = found
        todo.extend(wheel_requirements(found))
    return sorted(shipped.values())


def without_outputs(notebook_json: str) -> str:
    """The notebook with its code cells' outputs cleared: the reader runs them (and the site stays small)."""
    notebook = json.loads(notebook_json)
    for cell in notebook["cells"]:
        if cell["cell_type"] == "code":
            cell["outputs"], cell["execution_count"] = [], None
    return json.dumps(notebook, indent=1, ensure_ascii=False) + "\n"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def self_hosted_lock(lock: dict, boot_wheels: dict[str, Path]) -> dict:
    """The lock with boot packages pointing at wheels beside the core, every other package at the CDN."""
    patched = json.loads(json.dumps(lock))
    for name, entry in patched["packages"].items():
        if name in boot_wheels:
            entry["file_name"] = boot_wheels[name].name
            entry["sha256"] = sha256(boot_wheels[name])  # PyPI's wheel, not Pyodide's rebuild (micropip differs)
        else:
            entry["file_name"] = f"{PYODIDE_CDN_URL}/{entry['file_name']}"
    return patched


def build(pyodide_dir: Path, out: Path, cache: Path) -> None:
    started = time.perf_counter()
    npm_version = json.loads((pyodide_dir / "package.json").read_text())["version"]
    if npm_version != PYODIDE_VERSION:
        raise SystemExit(f"build_lite: npm pyodide is {npm_version}, the kernel expects {PYODIDE_VERSION}")
    lock = read_lock(pyodide_dir)
    packages = lock["packages"]
    work = ROOT / "_build" / "lite_src"
    shutil.rmtree(work, ignore_errors=True)
    lite_dir, contents = work / "lite_dir", work / "contents"
    core, pypi = lite_dir / "static" / "pyodide", lite_dir / "pypi"
    for folder in (core, pypi, contents / "chapters", contents / "data"):
        folder.mkdir(parents=True)

    # the Pyodide core, and the kernel's boot packages beside it
    for item in pyodide_dir.iterdir():
        if item.is_file() and not CORE_SKIP.search(item.name):
            shutil.copy2(item, core / item.name)
    boot_pins = {name: packages[name]["version"] for name in sorted(lock_closure(packages, BOOT_FROM_LOCK))}
    kernel_pins = {name: installed_version(name) for name in BOOT_FROM_PYPI}
    wheels = pypi_wheels(boot_pins | kernel_pins, cache)  # one pip call for all the kernel needs
    boot = {name: Path(shutil.copy2(wheels[name], core / wheels[name].name)) for name in boot_pins}
    (core / "pyodide-lock.json").write_text(json.dumps(self_hosted_lock(lock, boot), indent=1))

    # piplite's index: logreg, what it needs beyond the lock, and the kernel's own missing dependency
    logreg = build_logreg_wheel(pypi, work / "logreg_src")
    glue_wheel(pypi)
    extras = missing_pure_dependencies(logreg, packages, cache)
    extras += [wheels[name] for name in BOOT_FROM_PYPI]
    for wheel in extras:
        shutil.copy2(wheel, pypi / wheel.name)

    # the chapters and their data
    for notebook in toc_notebooks():
        reader = json.dumps(reader_notebook(json.loads(notebook.read_text())), indent=1, ensure_ascii=False)
        (contents / "chapters" / notebook.name).write_text(without_outputs(reader))
    assignments = student_notebooks()
    if assignments:  # ``make assignments`` ran first (the deploy workflow does): students open them here too
        (contents / "assignments").mkdir()
        for notebook in assignments:
            (contents / "assignments" / notebook.name).write_text(without_outputs(notebook.read_text()))
    for remote in DATA_FILES:  # from LOGREG_DATA_DIR when set, sha256-checked as the chapters read them
        shutil.copy2(datasets.fetch(remote), contents / "data" / remote.name)
    (lite_dir / "jupyter-lite.json").write_text(
        json.dumps(
            {
                "jupyter-lite-schema-version": 0,
                "jupyter-config-data": {"appName": "Logistic Regression book (in your browser)"},
            },
            indent=1,
        )
    )

    shutil.rmtree(out, ignore_errors=True)
    command = [
        str(Path(sys.executable).parent / "jupyter"),
        "lite",
        "build",
        "--lite-dir",
        str(lite_dir),
        "--contents",
        str(contents),
        "--output-dir",
        str(out),
        "--no-sourcemaps",
        "--no-unused-shared-packages",
        "--log-level",
        "WARN",
        # only the Pyodide kernel's extension: not the widgets, jupytext or ipylab ones this venv has
        "--ignore-sys-prefix",
        f"--LiteBuildConfig.federated_extensions={KERNEL_EXTENSION}",
    ]
    for app in APPS:
        command += ["--apps", app]
    run = subprocess.run(command, cwd=work, capture_output=True, text=True)
    if run.returncode:
        sys.exit(f"build_lite: `jupyter lite build` failed:\n{run.stdout}\n{run.stderr}")
    # legacy font formats (EOT, TrueType, SVG fonts) beside each WOFF2: every browser that runs Pyodide takes WOFF2
    for woff2 in (out / "build").glob("*.woff2"):
        for legacy in (".eot", ".ttf", ".svg"):
            woff2.with_suffix(legacy).unlink(missing_ok=True)
    # the notebook app's tab icons, which it requests from the site root (404s otherwise)
    favicons = out / "static" / "favicons"
    favicons.mkdir(parents=True, exist_ok=True)
    for icon in ("favicon-notebook.ico", "favicon-busy-1.ico"):
        shutil.copy2(Path(jupyter_server.__file__).parent / "static" / "favicons" / icon, favicons / icon)
    shutil.rmtree(work)
    size = sum(path.stat().st_size for path in out.rglob("*") if path.is_file())
    print(
        f"JupyterLite site: {out} ({size / 1e6:.1f} MB, {len(toc_notebooks())} chapters, "
        f"{len(assignments)} student notebooks, "
        f"wheels: {', '.join(sorted(p.name for p in (out / 'pypi').glob('*.whl')))}) "
        f"in {time.perf_counter() - started:.1f} s"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pyodide", type=Path, required=True, help="the npm pyodide package folder")
    parser.add_argument("--out", type=Path, default=ROOT / "_build" / "html" / "lite")
    parser.add_argument("--cache", type=Path, default=ROOT / ".lite_cache" / "wheels")
    args = parser.parse_args(argv)
    build(args.pyodide.resolve(), args.out.resolve(), args.cache.resolve())


if __name__ == "__main__":
    main()
