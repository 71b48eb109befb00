"""Shared fixtures: the marks data (from the offline mirror when LOGREG_DATA_DIR is set)."""

from __future__ import annotations

import numpy as np
import pytest

import logreg
from logreg.datasets import load_marks


@pytest.fixture(scope="session")
def marks() -> tuple[np.ndarray, np.ndarray]:
    return load_marks()


@pytest.fixture(scope="session")
def marks_design(marks) -> tuple[np.ndarray, np.ndarray]:
    """Raw exam scores with the intercept column first, and the 0/1 labels."""
    X, y = marks
    return logreg.add_intercept(X), y
