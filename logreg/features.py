"""Shaping the design matrix: an intercept column and standardised features."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from logreg._validation import check_design


def add_intercept(X: ArrayLike) -> NDArray[np.float64]:
    """Prepend a column of ones, so that ``beta[0]`` is the intercept."""
    design = check_design(X)
    return np.column_stack([np.ones(design.shape[0]), design])


def z_score(X: ArrayLike, ddof: int = 1) -> NDArray[np.float64]:
    """Standardise every column to mean 0 and standard deviation 1.

    ``ddof=1`` divides by the sample standard deviation (n - 1), the seed article's convention; ``ddof=0``
    matches scikit-learn's ``StandardScaler``. Columns with no spread (such as an intercept column of ones)
    are returned unchanged rather than divided by zero.
    """
    design = check_design(X)
    if design.shape[0] <= ddof:
        raise ValueError(f"z_score with ddof={ddof} needs more than {ddof} rows; got {design.shape[0]}")
    means = design.mean(axis=0)
    spreads = design.std(axis=0, ddof=ddof)
    constant = spreads == 0
    standardised = (design - means) / np.where(constant, 1.0, spreads)
    standardised[:, constant] = design[:, constant]
    return standardised
