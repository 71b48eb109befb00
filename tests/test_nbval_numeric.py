"""The comparator behind strict nbval: numbers within tolerance, every other character exactly."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from nbval_numeric import NumericText, numbers_agree, outputs_agree

ROOT = Path(__file__).resolve().parent.parent

STORED = "J* = 0.20349770 after 8 steps\naccuracy 89.0 %, gap 4.65603389e-11\n"


def test_identical_text_agrees():
    assert outputs_agree(STORED, STORED)


def test_a_last_digit_blas_difference_passes():
    assert outputs_agree(STORED, "J* = 0.20349771 after 8 steps\naccuracy 89.0 %, gap 4.65603111e-11\n")
    assert outputs_agree("0.98977498", "0.98977502")
    assert outputs_agree("[ 1.5e-17  0.25 ]", "[-1.1e-17  0.25 ]")  # near zero: the absolute floor


def test_a_changed_word_fails():
    assert not outputs_agree(STORED, STORED.replace("steps", "epochs"))
    assert not outputs_agree(STORED, STORED.replace("J*", "J "))


def test_a_number_changed_by_1e4_relative_fails():
    assert not outputs_agree(STORED, STORED.replace("0.20349770", f"{0.20349770 * (1 + 1e-4):.8f}"))
    assert not outputs_agree("gap 4.65603389e-11", "gap 4.65649949e-11")
    assert not outputs_agree("1e-10", "1e-11")


def test_a_missing_or_extra_output_line_fails():
    lines = STORED.splitlines(keepends=True)
    assert not outputs_agree(STORED, lines[0])
    assert not outputs_agree(STORED, STORED + "one more line\n")


def test_integers_must_match_exactly():
    assert not outputs_agree("after 8 steps", "after 9 steps")
    assert not outputs_agree("4 of 42 missed", "5 of 42 missed")
    assert not numbers_agree("100", "100.0")


def test_padding_that_moves_with_a_number_is_not_a_difference():
    assert outputs_agree("  0.25   -1.0e-17\n", "  0.25    1.0e-17\n")
    assert not outputs_agree("a b", "a\nb")


def test_identifiers_and_versions_stay_text():
    assert not outputs_agree("x1 = 2.0", "x2 = 2.0")
    assert not outputs_agree("scikit-learn 1.9.1", "scikit-learn 1.9.2")


def test_numeric_text_is_what_nbval_compares_with_not_equal():
    assert not (NumericText("p = 0.123456789") != NumericText("p = 0.123456788"))
    assert NumericText("p = 0.1235") != NumericText("p = 0.1236")


def _notebook(code: str, stored_text: str) -> dict:
    cell = {
        "cell_type": "code",
        "execution_count": 1,
        "id": "c1",
        "metadata": {},
        "outputs": [{"name": "stdout", "output_type": "stream", "text": [stored_text]}],
        "source": [code],
    }
    return {
        "cells": [cell],
        "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }


@pytest.mark.parametrize(
    ("printed", "passes"),
    [("0.123456788 ok", True), ("0.1234 ok", False)],
)
def test_nbval_itself_uses_the_comparator(printed, passes):
    """A real nbval run (with the repository's conftest.py) over a one-cell notebook whose stored output differs
    from what it prints in the last digit, or in the fifth."""
    folder = ROOT / "_build" / "nbval-selftest"
    folder.mkdir(parents=True, exist_ok=True)
    notebook = folder / f"one_{passes}.ipynb"
    notebook.write_text(json.dumps(_notebook('print("0.123456789 ok")', printed + "\n")))
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--nbval", "--nbval-current-env",
         f"--rootdir={ROOT}", "-c", str(ROOT / "pyproject.toml"), str(notebook)],
        capture_output=True, text=True, cwd=ROOT, timeout=120,
    )
    assert (run.returncode == 0) == passes, run.stdout[-2000:]
