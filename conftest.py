"""Loaded by pytest for every test path of the repository (tests/ and the nbval run over chapters/)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "tests"))

pytest_plugins = ["nbval_numeric"]  # nbval compares the numbers in outputs as numbers (see tests/nbval_numeric.py)
