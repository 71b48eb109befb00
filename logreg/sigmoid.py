"""The logistic (sigmoid) function and its logarithm, computed without overflow."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray


def sigmoid(z: ArrayLike) -> NDArray[np.float64] | float:
    """Map a linear score to a probability: ``1 / (1 + exp(-z))``.

    Evaluated piecewise so that no exponential of a positive number is ever taken: with
    ``e = exp(-|z|)``, which lies in ``[0, 1]``, ``sigmoid(z) = 1 / (1 + e)`` for ``z >= 0`` and
    ``e / (1 + e)`` for ``z < 0``. Hence no overflow and no warning for any input, and a relative
    error of a few units in the last place wherever the result is a normal double. Below
    ``z = -708.4`` the result is subnormal, down to the smallest subnormal, 5e-324, near
    ``z = -745.1`` and exactly 0.0 below that: ``sigmoid(-709.8)`` is 5.5e-309 and ``sigmoid(-720)``
    2.0e-313, where the one-line formula ``1 / (1 + exp(-z))``, and SciPy's ``expit``, which
    evaluates it, return 0.0 because ``exp(-z)`` overflows once ``z < -709.78``. ``sigmoid(0)`` is
    exactly 0.5, and above ``z = 36.8`` the result rounds to exactly 1.0. Returns a Python float for
    a scalar input and an array otherwise.

    >>> sigmoid(0.0)
    0.5
    >>> sigmoid([-1e4, 1e4]).tolist()
    [0.0, 1.0]
    >>> 0.0 < sigmoid(-720.0) < 1e-312
    True
    """
    scores = np.asarray(z, dtype=np.float64)
    if np.isnan(scores).any():
        raise ValueError("sigmoid got NaN; the linear score must be a number")
    with np.errstate(under="ignore"):  # exp(-|z|) < 2.2e-308 is subnormal or 0: correct, not an error
        small = np.exp(-np.abs(scores))
    result = np.where(scores >= 0, 1.0, small)
    result /= 1.0 + small
    return float(result) if result.ndim == 0 else result


def log_sigmoid(z: ArrayLike) -> NDArray[np.float64]:
    """``log(sigmoid(z)) = -log(1 + exp(-z))``, finite wherever ``z`` is finite."""
    return -np.logaddexp(0.0, -np.asarray(z, dtype=np.float64))
