"""The logistic (sigmoid) function and its logarithm, computed without overflow."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import expit


def sigmoid(z: ArrayLike) -> NDArray[np.float64] | float:
    """Map a linear score to a probability: ``1 / (1 + exp(-z))``.

    Stable for any finite or infinite input: evaluated as ``1 / (1 + exp(-z))`` for ``z >= 0`` and
    ``exp(z) / (1 + exp(z))`` for ``z < 0`` (scipy's ``expit``), so no exponential ever overflows;
    ``sigmoid(0)`` is exactly 0.5 and the far tails are exactly 0.0 and 1.0. Returns a
    Python float for a scalar input and an array otherwise.

    >>> sigmoid(0.0)
    0.5
    >>> sigmoid([-1e4, 1e4]).tolist()
    [0.0, 1.0]
    """
    scores = np.asarray(z, dtype=np.float64)
    if np.isnan(scores).any():
        raise ValueError("sigmoid got NaN; the linear score must be a number")
    result = expit(scores)
    return float(result) if result.ndim == 0 else result


def log_sigmoid(z: ArrayLike) -> NDArray[np.float64]:
    """``log(sigmoid(z)) = -log(1 + exp(-z))``, finite wherever ``z`` is finite."""
    return -np.logaddexp(0.0, -np.asarray(z, dtype=np.float64))
