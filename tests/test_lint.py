"""The code is ruff clean (DEVELOPERS.md): `make test` fails on what `make lint` reports, so that CI does too."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RUFF = Path(sys.executable).with_name("ruff")
CHECKED = ["logreg", "bookkit", "classroom", "scripts", "_ext", "tests", "benchmarks", "chapters"]  # as `make lint`


def ruff(*arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(RUFF), "check", "--no-cache", *arguments], cwd=ROOT, capture_output=True, text=True)


def test_the_code_is_ruff_clean():
    result = ruff(*CHECKED)
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_reports_a_line_over_the_projects_limit(tmp_path):
    """The same check on one module of the package with a line of 121 characters: the project's limit is 120."""
    module = tmp_path / "logreg" / "long.py"
    module.parent.mkdir()
    module.write_text(f'"""A module."""\n\nNAME = "{"x" * 112}"\n')
    assert len(module.read_text().splitlines()[-1]) == 121
    result = ruff("--config", str(ROOT / "pyproject.toml"), str(module))
    assert result.returncode == 1 and "E501" in result.stdout, result.stdout
