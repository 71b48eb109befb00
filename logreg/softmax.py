"""Multinomial (softmax) logistic regression: the K-class generalisation of the sigmoid and the log loss.

Conventions match the binary API: ``X`` carries the intercept column first; ``W`` has one column per class and
one row per column of ``X`` (so ``W[0]`` holds the intercepts, which are not penalised); labels are integers
``0 .. K-1``.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import logsumexp

from logreg._validation import as_finite_array, check_design, check_l2
from logreg.optimize import FitResult, lbfgs


def softmax(scores: ArrayLike) -> NDArray[np.float64]:
    """Row-wise ``exp(z_k) / sum_j exp(z_j)``, computed after subtracting each row's maximum (no overflow)."""
    Z = as_finite_array(scores, "scores", ndim=2)
    shifted = np.exp(Z - Z.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)


def check_labels(y: ArrayLike, n_samples: int, n_classes: int | None = None) -> NDArray[np.int64]:
    """Integer class labels 0..K-1, one per sample, with at least two classes present."""
    labels = as_finite_array(y, "y", ndim=1)
    if labels.shape[0] != n_samples:
        raise ValueError(f"X has {n_samples} rows but y has {labels.shape[0]} labels; they must match")
    if np.any(labels != np.round(labels)) or labels.min() < 0:
        raise ValueError("labels must be whole numbers 0, 1, ..., K-1 (encode other labels with np.unique first)")
    top = int(labels.max()) + 1 if n_classes is None else n_classes
    if labels.max() >= top:
        raise ValueError(f"label {int(labels.max())} is out of range for {top} classes")
    if np.unique(labels).size < 2:
        raise ValueError(f"y contains one class only (every label is {int(labels[0])}); at least two are needed")
    return labels.astype(np.int64)


def _check(W: ArrayLike, X: ArrayLike, y: ArrayLike, l2: float):
    design = check_design(X)
    weights = as_finite_array(W, "W", ndim=2)
    if weights.shape[0] != design.shape[1]:
        raise ValueError(
            f"W has {weights.shape[0]} rows but X has {design.shape[1]} columns; they must match (intercept row first)"
        )
    labels = check_labels(y, design.shape[0], weights.shape[1])
    return weights, design, labels, check_l2(l2)


def _objective_and_gradient(
    W: NDArray[np.float64], X: NDArray[np.float64], labels: NDArray[np.int64], l2: float
) -> tuple[float, NDArray[np.float64]]:
    scores = X @ W
    log_normaliser = logsumexp(scores, axis=1)
    n = X.shape[0]
    value = float(np.mean(log_normaliser - scores[np.arange(n), labels])) + 0.5 * l2 * float(np.sum(W[1:] ** 2))
    residual = np.exp(scores - log_normaliser[:, None])
    residual[np.arange(n), labels] -= 1.0
    grad = X.T @ residual / n
    grad[1:] += l2 * W[1:]
    return value, grad


def softmax_cost(W: ArrayLike, X: ArrayLike, y: ArrayLike, l2: float = 0.0) -> float:
    """Mean cross-entropy ``-mean log p_{i, y_i}`` plus ``l2/2 * ||W[1:]||^2`` (intercepts unpenalised)."""
    return _objective_and_gradient(*_check(W, X, y, l2))[0]


def softmax_gradient(W: ArrayLike, X: ArrayLike, y: ArrayLike, l2: float = 0.0) -> NDArray[np.float64]:
    """The exact gradient of :func:`softmax_cost`: ``X^T (P - Y) / n + l2 W`` with one-hot ``Y``."""
    return _objective_and_gradient(*_check(W, X, y, l2))[1]


def fit_softmax(X: ArrayLike, y: ArrayLike, *, l2: float = 0.0, tol: float = 1e-8, max_iter: int = 1000) -> FitResult:
    """Minimise :func:`softmax_cost` with L-BFGS; ``result.beta`` is ``W`` with shape (n_columns, n_classes).

    The softmax is unchanged when the same vector is added to every column of ``W``; with ``l2 > 0`` the penalty
    picks the solution whose weight rows sum to zero over classes, which is scikit-learn's. With ``l2 = 0`` the
    weights are identifiable only up to that shift.
    """
    design = check_design(X)
    labels = check_labels(y, design.shape[0])
    strength = check_l2(l2)
    shape = (design.shape[1], int(labels.max()) + 1)

    def value_and_gradient(flat: NDArray[np.float64]) -> tuple[float, NDArray[np.float64]]:
        value, grad = _objective_and_gradient(flat.reshape(shape), design, labels, strength)
        return value, grad.ravel()

    result = lbfgs(value_and_gradient, np.zeros(shape[0] * shape[1]), tol=tol, max_iter=max_iter)
    return FitResult(result.beta.reshape(shape), result.history, result.n_iter, result.gradient_norm)
