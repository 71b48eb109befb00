"""The book in the browser (JupyterLite, built into _build/html/lite by `make book` through scripts/build_lite.py).

- Every chapter's hidden set-up cell is the one canonical source (scripts/update_setup_cells.py).
- Everything the chapters and `logreg` import exists in Pyodide: in the lock of the npm `pyodide` package the site
  serves, among the wheels the site ships, or in Pyodide's standard library; and `logreg`'s declared minimum
  versions are met there.
- The built site: a launch target for every chapter, the wheels and data, a self-hosted Pyodide core whose lock
  points binary packages at the CDN, no sourcemaps, and the whole book within its size budget.

Not for the browser, on purpose: `logreg.distributed` and the Dask chapter need a Dask cluster (threads, processes,
sockets), which Pyodide cannot run; its lock has no dask.
"""

from __future__ import annotations

import ast
import hashlib
import importlib.util
import json
import re
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest
from book_html import HTML, is_stale
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
LITE = HTML / "lite"
NPM_PYODIDE = ROOT / ".lite_cache" / "npm" / "node_modules" / "pyodide"
#: stated exclusions: they import dask, which is not for the browser (see the module docstring)
NOT_IN_THE_BROWSER = {"logreg/distributed.py", "chapters/distributed.ipynb"}
#: C modules of CPython's standard library that Pyodide leaves out (https://pyodide.org, "Python standard library")
STDLIB_NOT_IN_PYODIDE = {
    "curses",
    "dbm",
    "readline",
    "tkinter",
    "turtle",
    "turtledemo",
    "idlelib",
    "ensurepip",
    "venv",
    "winreg",
    "winsound",
    "msvcrt",
    "nt",
    "ossaudiodev",
    "spwd",
    "nis",
    "syslog",
}
CDN = re.compile(r"^https://cdn\.jsdelivr\.net/pyodide/v[\d.]+/full/[^/]+$")
# The whole site with its PDF: 55 MB before the tables, sparse and model-checking chapters, 76 self-checks and 7
# interactive figures, 60.6 MB after (3.3 MB of it the PDF). The budget guards against bloat, such as shipping
# sourcemaps again or outputs in the browser site, not against a chapter.
BOOK_BUDGET_MB = 64

needs_site = pytest.mark.skipif(
    is_stale(LITE / "jupyter-lite.json"), reason="no browser site, or older than its sources: `make book`"
)
needs_npm = pytest.mark.skipif(not (NPM_PYODIDE / "pyodide-lock.json").is_file(), reason="no npm pyodide: `make book`")


def load_script(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


update_setup_cells = load_script("update_setup_cells")
build_lite = load_script("build_lite")


def toc_chapters() -> list[Path]:
    """Every notebook _toc.yml lists (chapters are added while the book grows): what the site ships."""
    return build_lite.toc_notebooks()


def code_of(notebook: Path) -> str:
    """The notebook's code cells as Python, IPython's `%magic` and `!shell` lines turned into `pass`."""
    cells = [cell for cell in json.loads(notebook.read_text())["cells"] if cell["cell_type"] == "code"]
    lines = []
    for cell in cells:
        for line in "".join(cell["source"]).splitlines():
            stripped = line.lstrip()
            lines.append(line[: len(line) - len(stripped)] + "pass" if stripped[:1] in "%!" and stripped else line)
    return "\n".join(lines)


def imported_modules(source: str) -> set[str]:
    """Top-level names of every absolute import, wherever it is (functions, branches, TYPE_CHECKING)."""
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def browser_sources() -> dict[str, str]:
    """Python source of every chapter and `logreg` module a reader runs in the browser."""
    sources = {path.relative_to(ROOT).as_posix(): code_of(path) for path in toc_chapters()}
    for package in build_lite.PACKAGES:
        modules = sorted((ROOT / package).glob("*.py"))
        sources |= {path.relative_to(ROOT).as_posix(): path.read_text() for path in modules}
    return {name: source for name, source in sources.items() if name not in NOT_IN_THE_BROWSER}


def lock() -> dict:
    return json.loads((NPM_PYODIDE / "pyodide-lock.json").read_text())


def shipped_wheels() -> dict[str, tuple[Version, set[str]]]:
    """Wheels in the site's piplite index: canonical name -> (version, top-level modules)."""
    wheels = {}
    for wheel in sorted((LITE / "pypi").glob("*.whl")):
        name, version = wheel.name.split("-")[:2]
        with zipfile.ZipFile(wheel) as archive:
            tops = {entry.split("/")[0].removesuffix(".py") for entry in archive.namelist()}
        wheels[canonicalize_name(name)] = (Version(version), {top for top in tops if ".dist-info" not in top})
    return wheels


def available_in_pyodide() -> set[str]:
    """Modules a Pyodide kernel of this site can import."""
    with zipfile.ZipFile(NPM_PYODIDE / "python_stdlib.zip") as archive:
        stdlib = {entry.split("/")[0].removesuffix(".py").removesuffix(".pyc") for entry in archive.namelist()}
    # C modules are compiled into Pyodide's interpreter; the pure-Python ones must be in its python_stdlib.zip
    compiled = {name for name in sys.stdlib_module_names if name not in stdlib and _is_c_module(name)}
    from_lock = {module for package in lock()["packages"].values() for module in package["imports"]}
    from_wheels = {module for _, modules in shipped_wheels().values() for module in modules}
    return stdlib | (compiled - STDLIB_NOT_IN_PYODIDE) | from_lock | from_wheels


def _is_c_module(name: str) -> bool:
    if name in sys.builtin_module_names:
        return True
    spec = importlib.util.find_spec(name) if name.isidentifier() else None
    return bool(spec and spec.origin and spec.origin.endswith(".so"))


# --- the set-up cell ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("notebook", toc_chapters(), ids=lambda path: path.stem)
def test_every_chapter_set_up_cell_is_the_canonical_one(notebook):
    cells = json.loads(notebook.read_text())["cells"]
    setup = [cell for cell in cells if cell["metadata"].get("colab_install")]
    first_code = next(cell for cell in cells if cell["cell_type"] == "code")
    assert len(setup) == 1 and setup[0] is first_code, "one set-up cell, the first code cell"
    assert "remove-cell" in setup[0]["metadata"].get("tags", [])
    assert "".join(setup[0]["source"]) == update_setup_cells.SETUP_SOURCE, (
        f"run `.venv/bin/python scripts/update_setup_cells.py {notebook.relative_to(ROOT)}`"
    )


def test_update_setup_cells_rewrites_only_that_cell(tmp_path):
    source = toc_chapters()[0]
    notebook = json.loads(source.read_text())
    setup = next(cell for cell in notebook["cells"] if cell["metadata"].get("colab_install"))
    setup["source"] = ["# an old set-up cell\n", "import sys"]
    stale = tmp_path / source.name
    stale.write_text(update_setup_cells.dumps(notebook))
    assert update_setup_cells.update(stale) is True
    updated = json.loads(stale.read_text())
    assert "".join(next(c for c in updated["cells"] if c["metadata"].get("colab_install"))["source"]) == (
        update_setup_cells.SETUP_SOURCE
    )
    others = [cell for cell in updated["cells"] if not cell["metadata"].get("colab_install")]
    assert others == [cell for cell in notebook["cells"] if not cell["metadata"].get("colab_install")]
    assert update_setup_cells.update(stale) is False, "a second run changes nothing"


def test_the_set_up_cell_does_nothing_here():
    """No output and no change outside Colab and Pyodide: nbval compares the chapters' stored (empty) outputs."""
    from IPython.core.inputtransformer2 import TransformerManager

    namespace: dict = {}
    code = TransformerManager().transform_cell(update_setup_cells.SETUP_SOURCE)
    exec(compile(code, "<set-up cell>", "exec"), namespace)  # the cell's code, as IPython runs it
    assert "os" not in namespace and sys.platform != "emscripten"


# --- Pyodide's lock ----------------------------------------------------------------------------------------------
@needs_npm
@needs_site
def test_every_module_the_chapters_and_logreg_import_exists_in_pyodide():
    available = available_in_pyodide()
    missing = {
        name: sorted(imported_modules(source) - available - set(build_lite.PACKAGES))
        for name, source in browser_sources().items()
    }
    assert {name: modules for name, modules in missing.items() if modules} == {}


def test_the_browser_wheel_carries_every_package_pyproject_installs(tmp_path):
    include = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]["find"]["include"]
    assert {pattern.rstrip("*") for pattern in include} == set(build_lite.PACKAGES)
    wheel = build_lite.build_logreg_wheel(tmp_path, tmp_path / "src")
    with zipfile.ZipFile(wheel) as archive:
        tops = {name.split("/")[0] for name in archive.namelist() if ".dist-info" not in name}
    assert tops == {"logreg", "bookkit"}


def test_the_browser_exclusions_are_exactly_the_dask_parts():
    for name in NOT_IN_THE_BROWSER:
        path = ROOT / name
        if path.is_file():
            source = code_of(path) if path.suffix == ".ipynb" else path.read_text()
            assert imported_modules(source) & {"dask", "distributed", "dask_ml"} or "logreg.distributed" in source


@needs_npm
@needs_site
def test_logreg_minimum_versions_are_met_in_the_browser():
    packages = {canonicalize_name(name): entry for name, entry in lock()["packages"].items()}
    wheels = shipped_wheels()
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    problems = []
    for requirement in map(Requirement, declared):
        name = canonicalize_name(requirement.name)
        if name in packages:
            version = Version(packages[name]["version"])
        elif name in wheels:
            version = wheels[name][0]
        else:
            problems.append(f"{requirement}: neither in Pyodide's lock nor shipped")
            continue
        if version not in requirement.specifier:
            problems.append(f"{requirement}: the browser has {version}")
    assert problems == []


# --- the built site ----------------------------------------------------------------------------------------------
@needs_site
@pytest.mark.parametrize("notebook", toc_chapters(), ids=lambda path: path.stem)
def test_every_chapter_page_launches_its_notebook_in_the_browser(notebook):
    page = (HTML / notebook.relative_to(ROOT)).with_suffix(".html").read_text()
    target = f"chapters/{notebook.name}"
    assert f'href="../lite/notebooks/index.html?path={target}"' in page
    assert (LITE / "notebooks" / "index.html").is_file()
    shipped = json.loads((LITE / "files" / target).read_text())["cells"]
    reader = build_lite.reader_notebook(json.loads(notebook.read_text()))["cells"]  # plain Markdown, no MyST
    assert [cell["source"] for cell in shipped] == [cell["source"] for cell in reader]
    assert all(not cell.get("outputs") for cell in shipped), "the reader runs the cells"


def test_student_notebooks_are_the_built_browser_versions(tmp_path):
    assert build_lite.student_notebooks(tmp_path) == []
    for name in ("softmax", "odds_likelihood"):
        folder = tmp_path / "_build" / "assignments" / name
        (folder / "student-lite").mkdir(parents=True)
        (folder / "student").mkdir()
        (folder / "student-lite" / f"{name}.ipynb").write_text("{}")
        (folder / "student" / f"{name}.ipynb").write_text("{}")  # the otter version is not for the browser
    found = build_lite.student_notebooks(tmp_path)
    assert [path.relative_to(tmp_path).as_posix() for path in found] == [
        "_build/assignments/odds_likelihood/student-lite/odds_likelihood.ipynb",
        "_build/assignments/softmax/student-lite/softmax.ipynb",
    ]


@needs_site
def test_the_site_ships_the_student_notebooks_built_before_it():
    built = (LITE / "jupyter-lite.json").stat().st_mtime
    for notebook in build_lite.student_notebooks():
        if notebook.stat().st_mtime < built:
            shipped = json.loads((LITE / "files" / "assignments" / notebook.name).read_text())
            assert shipped["cells"] == json.loads(notebook.read_text())["cells"]


@needs_site
def test_the_site_ships_logreg_its_missing_dependencies_and_the_data():
    from logreg import datasets

    wheels = shipped_wheels()
    with zipfile.ZipFile(next((LITE / "pypi").glob("logreg-*-py3-none-any.whl"))) as archive:
        for package in build_lite.PACKAGES:  # logreg and bookkit (the chapters' interactive figures)
            modules = {path.stem for path in (ROOT / package).glob("*.py")}
            assert {Path(name).stem for name in archive.namelist() if name.startswith(f"{package}/")} == modules
    assert {"logreg", "pooch", "myst-nb-glue", "comm"} <= set(wheels)
    assert wheels["myst-nb-glue"][1] == {"myst_nb"}
    index = json.loads((LITE / "pypi" / "all.json").read_text())
    assert {"logreg", "pooch", "myst-nb-glue", "comm"} <= {canonicalize_name(name) for name in index}
    for remote in (datasets.MARKS, datasets.MICROCHIPS):
        assert hashlib.sha256((LITE / "files" / "data" / remote.name).read_bytes()).hexdigest() == remote.sha256


@needs_site
def test_pyodide_core_is_self_hosted_and_binary_wheels_come_from_the_cdn():
    config = json.loads((LITE / "jupyter-lite.json").read_text())["jupyter-config-data"]
    kernel = config["litePluginSettings"]["@jupyterlite/pyodide-kernel-extension:kernel"]
    assert kernel["pyodideUrl"] == "./static/pyodide/pyodide.mjs"
    core = LITE / "static" / "pyodide"
    for name in ("pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip"):
        assert (core / name).is_file(), name
    served = json.loads((core / "pyodide-lock.json").read_text())["packages"]
    local = {name: entry for name, entry in served.items() if not entry["file_name"].startswith("https:")}
    assert {"micropip", "ipython", "jedi", "traitlets"} <= set(local), "the kernel boots without the CDN"
    for name, entry in local.items():
        assert hashlib.sha256((core / entry["file_name"]).read_bytes()).hexdigest() == entry["sha256"], name
    remote = {name: entry["file_name"] for name, entry in served.items() if name not in local}
    assert {"numpy", "scipy", "scikit-learn", "matplotlib"} <= set(remote)
    assert [url for url in remote.values() if not CDN.match(url)] == []


@needs_site
def test_no_sourcemaps_and_the_book_fits_its_budget():
    assert [str(path.relative_to(HTML)) for path in HTML.rglob("*.map")] == []
    size_mb = sum(path.stat().st_size for path in HTML.rglob("*") if path.is_file()) / 1e6
    assert size_mb <= BOOK_BUDGET_MB, f"the built book is {size_mb:.1f} MB"


# --- data packages the chapters install themselves (the Palmer penguins) ----------------------------------------
def fake_wheel(folder: Path, name: str, version: str, requires: list[str]) -> Path:
    wheel = folder / f"{name}-{version}-py3-none-any.whl"
    metadata = "".join(f"Requires-Dist: {requirement}\n" for requirement in requires)
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr(f"{name}-{version}.dist-info/METADATA", f"Name: {name}\nVersion: {version}\n{metadata}")
    return wheel


def test_chapter_packages_ship_with_what_they_need_beyond_the_lock(tmp_path):
    from importlib.metadata import version

    logreg_wheel = fake_wheel(tmp_path, "logreg", "0.1.0", [])
    penguins = fake_wheel(tmp_path, "palmerpenguins", version("palmerpenguins"), ["pandas", "numpy"])
    lock_packages = {"numpy": {}, "pandas": {}}  # both are Pyodide packages: only the penguins' wheel is shipped
    shipped = build_lite.missing_pure_dependencies(
        logreg_wheel, lock_packages, tmp_path, also=build_lite.CHAPTER_PACKAGES
    )
    assert shipped == [penguins]
    assert build_lite.missing_pure_dependencies(logreg_wheel, lock_packages, tmp_path) == []


def browser_installs(notebook: Path) -> set[str]:
    """Packages a chapter installs with `%pip install` in cells that run only in the browser."""
    names = set()
    for cell in json.loads(notebook.read_text())["cells"]:
        source = "".join(cell["source"])
        if cell["cell_type"] == "code" and 'sys.platform == "emscripten"' in source:
            for line in source.splitlines():
                if line.strip().startswith("%pip install"):
                    names.update(word for word in line.split()[2:] if not word.startswith("-"))
    return names


@pytest.mark.parametrize("notebook", toc_chapters(), ids=lambda path: path.stem)
def test_chapters_that_read_the_penguins_install_them_in_the_browser(notebook):
    if "load_penguins" in code_of(notebook) or "palmerpenguins" in imported_modules(code_of(notebook)):
        assert "palmerpenguins" in browser_installs(notebook) and "palmerpenguins" in build_lite.CHAPTER_PACKAGES


@needs_site
def test_the_site_ships_the_penguins_wheel_with_its_table():
    from logreg import datasets

    wheel = next((LITE / "pypi").glob("palmerpenguins-*-py3-none-any.whl"))
    with zipfile.ZipFile(wheel) as archive:
        table = archive.read("palmerpenguins/data/penguins.csv")
    assert hashlib.sha256(table).hexdigest() == datasets.PENGUINS_SHA256
