"""Sparse models: the L1 (lasso) and elastic-net penalties, fitted by proximal Newton.

The objective (``X`` carries the intercept column first, which is never penalised)::

    F(beta) = weighted mean log loss + l1 * sum_j |beta_j| + l2 / 2 * sum_j beta_j^2     (j >= 1)

The L1 term has a corner at zero, so gradients do not describe it. :func:`proximal_newton` handles the smooth
part by its quadratic (Newton) model and keeps the L1 term exact: every outer step minimises

    g^T d + 1/2 d^T H d + l1 * ||beta + d||_1

over ``d`` by coordinate descent, where each one-coordinate problem is solved in closed form by
:func:`soft_threshold` (this is what glmnet and liblinear's newGLMNET do). Coefficients that the model wants at
zero land on exactly ``0.0``. A backtracking line search on ``F`` makes every step a descent step.

Scikit-learn's ``LogisticRegression(C=C, l1_ratio=r, solver="saga")`` minimises the same function with
``l1 = r / (C n)`` and ``l2 = (1 - r) / (C n)`` (``n`` becomes ``sum(sample_weight)`` with weights).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import scipy.linalg.lapack
from numpy.typing import ArrayLike, NDArray
from sklearn.exceptions import ConvergenceWarning

from logreg._validation import check_beta, check_binary_sample_weight, check_l1, check_problem, check_whole_number
from logreg.loss import (
    gradient_from_scores,
    hessian_from_scores,
    l1_penalty_value,
    mean_log_loss,
    penalty_value,
)
from logreg.optimize import FitResult

_EPS = np.finfo(np.float64).eps
#: Armijo constant of the line search: accept a step that achieves this fraction of the model's decrease.
_SUFFICIENT_DECREASE = 1e-4
_MAX_HALVINGS = 40


def soft_threshold(z: ArrayLike, threshold: float) -> NDArray[np.float64] | float:
    """``sign(z) * max(|z| - threshold, 0)``: the minimiser of ``1/2 (b - z)^2 + threshold * |b|`` over ``b``.

    Values within ``threshold`` of zero become exactly ``0.0``; the others move ``threshold`` towards zero.
    """
    values = np.asarray(z, dtype=np.float64)
    shrunk = np.sign(values) * np.maximum(np.abs(values) - threshold, 0.0)
    return float(shrunk) if shrunk.ndim == 0 else shrunk


def _objective(
    beta: NDArray[np.float64],
    X: NDArray[np.float64],
    y: NDArray[np.float64],
    l1: float,
    l2: float,
    sample_weight: NDArray[np.float64] | None,
) -> float:
    return mean_log_loss(X @ beta, y, sample_weight) + penalty_value(beta, l2) + l1_penalty_value(beta, l1)


def optimality_violation(beta: NDArray[np.float64], grad: NDArray[np.float64], l1: float) -> float:
    """How far ``beta`` is from the optimum: the largest entry of the smallest subgradient of ``F``.

    ``grad`` is the gradient of the smooth part (log loss + L2). For a weight at zero any value in
    ``[g_j - l1, g_j + l1]`` is a subgradient, so it is optimal when ``|g_j| <= l1``; a nonzero weight needs
    ``g_j + l1 sign(beta_j) = 0``; the intercept needs ``g_0 = 0``. Zero exactly at the optimum.
    """
    weights, smooth = beta[1:], grad[1:]
    penalised = np.where(weights != 0.0, np.abs(smooth + l1 * np.sign(weights)), np.maximum(np.abs(smooth) - l1, 0.0))
    return float(max(abs(grad[0]), np.max(penalised, initial=0.0)))


def _solve_quadratic_model(
    beta: NDArray[np.float64],
    grad: NDArray[np.float64],
    hess: NDArray[np.float64],
    l1: float,
    tol: float,
    max_sweeps: int = 500,
) -> NDArray[np.float64]:
    """The minimiser ``z`` of ``g^T (z - beta) + 1/2 (z - beta)^T H (z - beta) + l1 ||z[1:]||_1``.

    Coordinate descent: each coordinate's problem is a one-dimensional quadratic plus ``l1 |z_j|``, solved by
    soft-thresholding. CD alone crawls when features are strongly correlated, so after every sweep the
    coefficients that are nonzero take one exact Newton step with their signs held fixed (the model is a
    plain quadratic there); if a coefficient would change sign, the step stops where it reaches zero and sets it
    to exactly 0. Once the sweep has found the right zero pattern, that step lands on the exact minimiser.
    """
    z = beta.copy()
    slope = grad.copy()  # gradient of the smooth part of the model at z: g + H (z - beta)
    diagonal = np.diag(hess).tolist()
    columns = list(hess.T)  # row views: the symmetric H's columns, without slicing costs in the loop
    for _ in range(max_sweeps):
        # A coefficient at zero whose slope is within l1 stays at zero: only the others are visited. The
        # optimality check below still looks at every coefficient.
        visit = np.abs(slope) > l1
        visit |= z != 0.0
        visit[0] = True
        for j in np.flatnonzero(visit).tolist():
            curvature = diagonal[j]
            if curvature <= 0.0:  # an all-zero column without L2: its coefficient stays where it is
                continue
            old = float(z[j])
            target = old - float(slope[j]) / curvature
            if j > 0:  # soft-thresholding, written out on Python floats (this loop is the solver's hot spot)
                shrink = l1 / curvature
                target = target - shrink if target > shrink else target + shrink if target < -shrink else 0.0
            if target != old:
                slope += columns[j] * (target - old)
                z[j] = target
        z, slope = _sign_fixed_newton_step(z, slope, beta, grad, hess, l1)
        if optimality_violation(z, slope, l1) <= tol:
            break
    return z


def _sign_fixed_newton_step(
    z: NDArray[np.float64],
    slope: NDArray[np.float64],
    beta: NDArray[np.float64],
    grad: NDArray[np.float64],
    hess: NDArray[np.float64],
    l1: float,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """One Newton step of the quadratic model over the nonzero coefficients (and the intercept), signs fixed."""
    free = z != 0.0
    free[0] = True
    signs = np.sign(z[free])
    signs[0] = 0.0
    factor, info = scipy.linalg.lapack.dpotrf(hess[np.ix_(free, free)], lower=False)
    if info != 0:  # not positive definite on this set (e.g. n < p): coordinate descent carries on alone
        return z, slope
    step, _ = scipy.linalg.lapack.dpotrs(factor, -(slope[free] + l1 * signs), lower=False)
    current = z[free]
    proposed = current + step
    crossing = (signs != 0.0) & (np.sign(proposed) != signs)
    fraction = 1.0
    if np.any(crossing):
        fractions = current[crossing] / (current[crossing] - proposed[crossing])
        fraction = float(np.min(fractions))
        proposed = current + fraction * step
        hit = np.flatnonzero(crossing)[np.argmin(fractions)]
        proposed[hit] = 0.0
    updated = z.copy()
    updated[free] = proposed
    return updated, grad + hess @ (updated - beta)


def proximal_newton_unchecked(
    X: NDArray[np.float64],
    y: NDArray[np.float64],
    l1: float,
    l2: float,
    sample_weight: NDArray[np.float64] | None = None,
    *,
    tol: float = 1e-10,
    max_iter: int = 100,
    beta: NDArray[np.float64] | None = None,
) -> FitResult:
    """:func:`proximal_newton` on validated inputs (for the estimator and the path, which check once)."""
    beta = np.zeros(X.shape[1]) if beta is None else beta.copy()
    scores = X @ beta
    value = mean_log_loss(scores, y, sample_weight) + penalty_value(beta, l2) + l1_penalty_value(beta, l1)
    history = [value]
    grad = gradient_from_scores(beta, X, y, l2, scores, sample_weight)
    violation = optimality_violation(beta, grad, l1)
    n_iter = 0
    while violation > tol and n_iter < max_iter:
        hess = hessian_from_scores(beta.shape[0], X, l2, scores, sample_weight)
        target = _solve_quadratic_model(beta, grad, hess, l1, tol=max(0.1 * tol, 0.1 * violation))
        direction = target - beta
        # The model's predicted decrease without its quadratic term (Tseng and Yun's rule): negative unless
        # beta already minimises the model. Differences first, so that it stays accurate near the optimum.
        decrease = float(grad @ direction) + l1 * float(np.sum(np.abs(target[1:]) - np.abs(beta[1:])))
        if not decrease < 0.0:
            break
        candidate, step = target, 1.0
        candidate_value = _objective(candidate, X, y, l1, l2, sample_weight)
        # Near the optimum the decrease is below the rounding of F itself, where no line search can judge a
        # step; there the Newton model is accurate and its full step is taken.
        if -decrease > 64 * _EPS * max(abs(value), 1.0):
            for _ in range(_MAX_HALVINGS):
                if candidate_value <= value + _SUFFICIENT_DECREASE * step * decrease:
                    break
                step *= 0.5
                candidate = beta + step * direction
                candidate_value = _objective(candidate, X, y, l1, l2, sample_weight)
            else:
                break
        beta, value = candidate, candidate_value
        n_iter += 1
        history.append(value)
        scores = X @ beta
        grad = gradient_from_scores(beta, X, y, l2, scores, sample_weight)
        violation = optimality_violation(beta, grad, l1)
    return FitResult(beta, np.asarray(history), n_iter, violation)


def proximal_newton(
    X: ArrayLike,
    y: ArrayLike,
    *,
    l1: float,
    l2: float = 0.0,
    sample_weight: ArrayLike | None = None,
    tol: float = 1e-10,
    max_iter: int = 100,
    beta0: ArrayLike | None = None,
) -> FitResult:
    """Minimise ``mean log loss + l1 ||w||_1 + l2/2 ||w||^2`` (``w = beta[1:]``) by proximal Newton.

    Returns a :class:`~logreg.optimize.FitResult`: ``beta`` (exact zeros where the penalty puts them),
    ``history`` (the objective at the start and after each outer step), ``n_iter`` and ``gradient_norm``, here
    the largest entry of the smallest subgradient (:func:`optimality_violation`), at most ``tol`` on success.
    The default start is the best intercept-only model. Warns (``ConvergenceWarning``) if ``max_iter`` steps
    were not enough.

    Each step forms the (p x p) Hessian of the smooth part, ``n p^2 / 2`` multiply-adds in one BLAS call, and
    runs coordinate descent on it: made for the many-rows, up-to-hundreds-of-features tables of this book (it was
    measured on 569 x 31). With thousands of features, glmnet's coordinate descent on the columns of ``X`` would
    avoid the p x p matrix.
    """
    design, labels, strength = check_problem(X, y, l2)
    weights = check_binary_sample_weight(sample_weight, labels)
    penalty = check_l1(l1)
    max_iter = check_whole_number(max_iter, "max_iter", 1)
    start = (
        intercept_only_start(design.shape[1], labels, weights) if beta0 is None else check_beta(beta0, design.shape[1])
    )
    result = proximal_newton_unchecked(
        design, labels, penalty, strength, weights, tol=_check_tol(tol), max_iter=max_iter, beta=start
    )
    warn_if_not_converged(result, tol)
    return result


def _check_tol(tol: float) -> float:
    value = float(tol)
    if not (np.isfinite(value) and value > 0):
        raise ValueError(f"tol must be a finite number > 0; got {tol!r}")
    return value


def warn_if_not_converged(result: FitResult, tol: float, stacklevel: int = 3) -> None:
    """A ConvergenceWarning when the fit stopped with its optimality violation above ``tol``."""
    if result.gradient_norm > tol:
        warnings.warn(
            f"proximal Newton stopped after {result.n_iter} steps {result.gradient_norm:.2e} from the optimum "
            f"(tol={tol:g}); raise max_iter or standardise the features",
            ConvergenceWarning,
            stacklevel=stacklevel,
        )


def intercept_only_start(
    n_coefficients: int, y: NDArray[np.float64], sample_weight: NDArray[np.float64] | None
) -> NDArray[np.float64]:
    """All weights 0 and the intercept at the log-odds of the (weighted) base rate: the best intercept-only model."""
    rate = float(np.average(y, weights=sample_weight))
    start = np.zeros(n_coefficients)
    start[0] = np.log(rate) - np.log1p(-rate)  # both classes carry weight, so 0 < rate < 1
    return start


def critical_l1(X: ArrayLike, y: ArrayLike, *, sample_weight: ArrayLike | None = None) -> float:
    """The smallest ``l1`` at which every weight is exactly 0: ``max_j |g_j|`` at the intercept-only fit.

    With all weights at 0 the intercept is optimal at the log-odds of the base rate, and the gradient there is
    ``g_j = sum_i s_i (ybar - y_i) x_ij / sum_i s_i``. Zero weights are optimal exactly when ``|g_j| <= l1`` for
    every ``j``. An L2 term does not change it (its gradient vanishes at zero). ``X`` carries the intercept column
    first, which is not counted.
    """
    design, labels, _ = check_problem(X, y)
    weights = check_binary_sample_weight(sample_weight, labels)
    start = intercept_only_start(design.shape[1], labels, weights)
    grad = gradient_from_scores(start, design, labels, 0.0, design @ start, weights)
    return float(np.max(np.abs(grad[1:]), initial=0.0))


@dataclass(frozen=True)
class L1Path:
    """Fits along a decreasing grid of ``l1``.

    ``l1s``: the grid, largest first. ``betas``: one row of coefficients per ``l1`` (intercept first).
    ``n_iter``: proximal Newton steps per fit. ``n_nonzero``: how many weights (intercept excluded) are nonzero.
    """

    l1s: NDArray[np.float64]
    betas: NDArray[np.float64]
    n_iter: NDArray[np.intp]

    @property
    def n_nonzero(self) -> NDArray[np.intp]:
        return np.count_nonzero(self.betas[:, 1:], axis=1)


def l1_path(
    X: ArrayLike,
    y: ArrayLike,
    l1s: ArrayLike | None = None,
    *,
    l2: float = 0.0,
    n_l1: int = 30,
    min_ratio: float = 1e-3,
    sample_weight: ArrayLike | None = None,
    tol: float = 1e-10,
    max_iter: int = 100,
) -> L1Path:
    """Fit along a grid of ``l1`` from large to small, each fit starting from the previous one (warm starts).

    ``l1s`` defaults to ``n_l1`` values spaced evenly on a log scale from :func:`critical_l1` (where every weight
    is 0) down to ``min_ratio`` times it. Given values are sorted from largest to smallest, and the result keeps
    that order. ``X`` carries the intercept column first. ``l2`` > 0 gives the elastic-net path.
    """
    design, labels, strength = check_problem(X, y, l2)
    weights = check_binary_sample_weight(sample_weight, labels)
    if l1s is None:
        n_l1 = check_whole_number(n_l1, "n_l1", 1)
        if not (np.isfinite(min_ratio) and 0 < min_ratio <= 1):
            raise ValueError(f"min_ratio must be in (0, 1]; got {min_ratio!r}")
        top = critical_l1(design, labels, sample_weight=weights)
        grid = top * np.geomspace(1.0, min_ratio, n_l1)
    else:
        values = [check_l1(value) for value in np.ravel(np.asarray(l1s, dtype=object))]
        if not values:
            raise ValueError("l1s is empty; give at least one value")
        grid = np.sort(np.asarray(values))[::-1]
    max_iter = check_whole_number(max_iter, "max_iter", 1)
    tol = _check_tol(tol)
    beta = intercept_only_start(design.shape[1], labels, weights)
    betas, steps = [], []
    for value in grid:
        result = proximal_newton_unchecked(
            design, labels, float(value), strength, weights, tol=tol, max_iter=max_iter, beta=beta
        )
        warn_if_not_converged(result, tol)
        beta = result.beta
        betas.append(beta)
        steps.append(result.n_iter)
    return L1Path(grid, np.vstack(betas), np.asarray(steps))
