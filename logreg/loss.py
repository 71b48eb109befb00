"""The objective: mean log loss (negative log-likelihood) plus optional L2 and L1 penalties, and its derivatives.

Conventions: ``X`` carries the intercept column first, ``y`` holds 0/1 labels, and the penalties
``l2 / 2 * ||beta[1:]||^2`` and ``l1 * ||beta[1:]||_1`` leave the intercept alone. The L1 term has no
derivative at zero, so :func:`gradient` and :func:`hessian` cover the smooth part (log loss + L2) only;
:mod:`logreg.sparse` minimises the sum. With ``sample_weight`` ``s`` the mean becomes the
weighted mean ``sum(s_i l_i) / sum(s_i)``: integer weights count a row that many times, and scaling every
weight by the same factor changes nothing.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import expit

from logreg._validation import check_beta, check_binary_sample_weight, check_l1, check_problem


def penalty_mask(n_features: int) -> NDArray[np.float64]:
    """1 for every penalised coefficient, 0 for the intercept (the first one)."""
    mask = np.ones(n_features)
    mask[0] = 0.0
    return mask


def weighted_mean(values: NDArray[np.float64], sample_weight: NDArray[np.float64] | None = None) -> float:
    """``sum(s_i v_i) / sum(s_i)``, or the plain mean when ``sample_weight`` is None."""
    if sample_weight is None:
        return float(np.mean(values))
    return float(values @ sample_weight) / float(np.sum(sample_weight))


def mean_log_loss(
    scores: NDArray[np.float64], y: NDArray[np.float64], sample_weight: NDArray[np.float64] | None = None
) -> float:
    """(Weighted) mean of ``log(1 + exp(s)) - y s`` over the linear scores ``s``: finite even for huge scores."""
    return weighted_mean(np.logaddexp(0.0, scores) - y * scores, sample_weight)


def penalty_value(beta: NDArray[np.float64], l2: float) -> float:
    """``l2/2 * ||beta[1:]||^2``: the intercept is not penalised."""
    penalised = beta[1:]
    return 0.5 * l2 * float(penalised @ penalised)


def l1_penalty_value(beta: NDArray[np.float64], l1: float) -> float:
    """``l1 * sum_j |beta_j|`` over the weights (never the intercept, ``beta[0]``)."""
    return l1 * float(np.sum(np.abs(beta[1:]))) if l1 else 0.0


def gradient_from_scores(
    beta: NDArray[np.float64],
    X: NDArray[np.float64],
    y: NDArray[np.float64],
    l2: float,
    scores: NDArray[np.float64],
    sample_weight: NDArray[np.float64] | None = None,
) -> NDArray[np.float64]:
    """``X^T S (sigmoid(s) - y) / sum(S) + l2 * beta`` (intercept unpenalised), reusing the scores ``s = X beta``.

    ``S`` is the diagonal of sample weights; without them ``S = I`` and ``sum(S) = n``.
    """
    residual = expit(scores) - y  # expit: scores here are finite, no NaN check needed
    if sample_weight is None:
        grad = X.T @ residual / X.shape[0]
    else:
        grad = X.T @ (sample_weight * residual) / float(np.sum(sample_weight))
    if l2:
        grad[1:] += l2 * beta[1:]
    return grad


def hessian_from_scores(
    n_coefficients: int,
    X: NDArray[np.float64],
    l2: float,
    scores: NDArray[np.float64],
    sample_weight: NDArray[np.float64] | None = None,
) -> NDArray[np.float64]:
    """``X^T S W X / sum(S) + l2 * I`` (intercept unpenalised), with ``W = diag(p (1 - p))``, ``p = sigmoid(s)``."""
    probabilities = expit(scores)
    curvature = probabilities * (1.0 - probabilities)
    if sample_weight is None:
        curvature /= X.shape[0]
    else:
        curvature *= sample_weight / float(np.sum(sample_weight))
    weighted = X * np.sqrt(curvature)[:, None]
    hessian = weighted.T @ weighted  # A^T A: NumPy uses the symmetric rank-k update, half a general product
    hessian[np.diag_indices(n_coefficients)] += l2 * penalty_mask(n_coefficients)
    return hessian


def objective(
    beta: NDArray[np.float64],
    X: NDArray[np.float64],
    y: NDArray[np.float64],
    l2: float,
    sample_weight: NDArray[np.float64] | None = None,
) -> float:
    """Cost without input checks, for optimisers that call it many times on validated data."""
    return mean_log_loss(X @ beta, y, sample_weight) + penalty_value(beta, l2)


def objective_and_gradient(
    beta: NDArray[np.float64],
    X: NDArray[np.float64],
    y: NDArray[np.float64],
    l2: float,
    sample_weight: NDArray[np.float64] | None = None,
) -> tuple[float, NDArray[np.float64]]:
    """Cost and gradient from one product ``X beta`` (what quasi-Newton solvers ask for)."""
    scores = X @ beta
    return (
        mean_log_loss(scores, y, sample_weight) + penalty_value(beta, l2),
        gradient_from_scores(beta, X, y, l2, scores, sample_weight),
    )


def cost(
    beta: ArrayLike,
    X: ArrayLike,
    y: ArrayLike,
    l2: float = 0.0,
    *,
    l1: float = 0.0,
    sample_weight: ArrayLike | None = None,
) -> float:
    """Mean negative log-likelihood of 0/1 labels ``y`` under ``beta``, plus ``l1 ||w||_1 + l2/2 ||w||^2``.

    ``w = beta[1:]`` (the intercept is not penalised). With ``sample_weight`` the mean is weighted:
    ``sum(s_i l_i) / sum(s_i)``. A confidently wrong prediction costs a large finite amount, never inf or NaN.
    ``l1 > 0`` is the lasso, ``l1 > 0`` with ``l2 > 0`` the elastic net (minimised by :mod:`logreg.sparse`).
    """
    design, labels, strength = check_problem(X, y, l2)
    weights = check_binary_sample_weight(sample_weight, labels)
    coefficients = check_beta(beta, design.shape[1])
    return objective(coefficients, design, labels, strength, weights) + l1_penalty_value(coefficients, check_l1(l1))


def gradient(
    beta: ArrayLike, X: ArrayLike, y: ArrayLike, l2: float = 0.0, *, sample_weight: ArrayLike | None = None
) -> NDArray[np.float64]:
    """The exact gradient of :func:`cost` with respect to ``beta``."""
    design, labels, strength = check_problem(X, y, l2)
    weights = check_binary_sample_weight(sample_weight, labels)
    coefficients = check_beta(beta, design.shape[1])
    return gradient_from_scores(coefficients, design, labels, strength, design @ coefficients, weights)


def hessian(
    beta: ArrayLike, X: ArrayLike, y: ArrayLike, l2: float = 0.0, *, sample_weight: ArrayLike | None = None
) -> NDArray[np.float64]:
    """The Hessian of :func:`cost`: positive semi-definite, so the cost is convex."""
    design, labels, strength = check_problem(X, y, l2)
    weights = check_binary_sample_weight(sample_weight, labels)
    coefficients = check_beta(beta, design.shape[1])
    return hessian_from_scores(coefficients.shape[0], design, strength, design @ coefficients, weights)
