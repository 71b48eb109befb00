"""Two ways to minimise the cost: batch gradient descent (first order) and Newton / IRLS (second order)."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import scipy.linalg.lapack
import scipy.optimize
from numpy.typing import ArrayLike, NDArray
from sklearn.exceptions import ConvergenceWarning

from logreg._validation import check_beta, check_binary_sample_weight, check_problem
from logreg.loss import gradient_from_scores, hessian_from_scores, mean_log_loss, penalty_value

_EPS = np.finfo(np.float64).eps


class PerfectSeparationWarning(ConvergenceWarning):
    """The classes are linearly separable, so without a penalty the likelihood has no maximum."""


@dataclass(frozen=True)
class FitResult:
    """What an optimiser returns.

    ``beta``: the coefficients (intercept first). ``history``: the cost at the start and after every step,
    so ``len(history) == n_iter + 1``. ``gradient_norm``: the largest absolute gradient entry at ``beta``.
    """

    beta: NDArray[np.float64]
    history: NDArray[np.float64]
    n_iter: int
    gradient_norm: float


def lbfgs(
    value_and_gradient: Callable[[NDArray[np.float64]], tuple[float, NDArray[np.float64]]],
    start: NDArray[np.float64],
    *,
    tol: float,
    max_iter: int,
) -> FitResult:
    """Minimise a smooth function with scipy's L-BFGS-B, recording the value at every evaluation.

    Stops when the largest gradient entry is at most ``tol`` (``ftol`` is set to rounding level so that it does not
    stop earlier). ``n_iter`` counts L-BFGS iterations; ``history`` holds every function evaluation.
    """
    history: list[float] = []

    def recorded(x: NDArray[np.float64]) -> tuple[float, NDArray[np.float64]]:
        value, grad = value_and_gradient(x)
        history.append(value)
        return value, grad

    result = scipy.optimize.minimize(
        recorded,
        start,
        jac=True,
        method="L-BFGS-B",
        options={"maxiter": max_iter, "gtol": tol, "ftol": 64 * _EPS},
    )
    return FitResult(result.x, np.asarray(history), int(result.nit), float(np.max(np.abs(result.jac))))


def _start(beta0: ArrayLike | None, n_features: int) -> NDArray[np.float64]:
    return np.zeros(n_features) if beta0 is None else check_beta(beta0, n_features).copy()


def gradient_descent(
    X: ArrayLike,
    y: ArrayLike,
    *,
    learning_rate: float,
    epochs: int,
    l2: float = 0.0,
    beta0: ArrayLike | None = None,
    sample_weight: ArrayLike | None = None,
) -> FitResult:
    """Batch gradient descent on :func:`logreg.cost`: ``beta <- beta - learning_rate * gradient``.

    ``X`` carries the intercept column first; ``beta0`` defaults to zeros; ``sample_weight`` weights the mean
    log loss as in :func:`logreg.cost`. Stops early, with a ``RuntimeWarning``-free ``ValueError``, only if the
    cost stops being finite (a learning rate so large that the coefficients overflow).
    """
    design, labels, strength = check_problem(X, y, l2)
    weights = check_binary_sample_weight(sample_weight, labels)
    rate = float(learning_rate)
    if not np.isfinite(rate) or rate <= 0:
        raise ValueError(f"learning_rate must be a positive number; got {learning_rate!r}")
    if int(epochs) != epochs or epochs < 0:
        raise ValueError(f"epochs must be a whole number >= 0; got {epochs!r}")
    beta = _start(beta0, design.shape[1])
    history = np.empty(int(epochs) + 1)
    scores = design @ beta
    history[0] = mean_log_loss(scores, labels, weights) + penalty_value(beta, strength)
    with np.errstate(over="ignore", invalid="ignore"):
        for epoch in range(1, int(epochs) + 1):
            beta = beta - rate * gradient_from_scores(beta, design, labels, strength, scores, weights)
            scores = design @ beta
            history[epoch] = mean_log_loss(scores, labels, weights) + penalty_value(beta, strength)
            if not np.isfinite(history[epoch]):
                raise ValueError(
                    f"gradient descent diverged at epoch {epoch} (the cost overflowed); "
                    f"learning_rate={rate:g} is too large for this data: lower it or standardise X"
                )
    final_gradient = gradient_from_scores(beta, design, labels, strength, scores, weights)
    return FitResult(beta, history, int(epochs), float(np.max(np.abs(final_gradient))))


def _newton_direction(hessian: NDArray[np.float64], gradient: NDArray[np.float64]) -> NDArray[np.float64]:
    """Solve ``H d = g`` by Cholesky (LAPACK potrf/potrs directly: the wrappers cost more than the solve)."""
    factor, info = scipy.linalg.lapack.dpotrf(hessian, lower=True)
    if info == 0:
        direction, info = scipy.linalg.lapack.dpotrs(factor, gradient, lower=True)
        if info == 0:
            return direction
    # Not positive definite (duplicate columns, or probabilities saturated at 0/1): least-norm step.
    return np.linalg.lstsq(hessian, gradient, rcond=None)[0]


def _separates(
    scores: NDArray[np.float64], y: NDArray[np.float64], sample_weight: NDArray[np.float64] | None = None
) -> bool:
    """Every (positively weighted) sample strictly on its own side of the boundary: the unpenalised MLE does not
    exist."""
    margins = (2.0 * y - 1.0) * scores
    if sample_weight is not None:
        margins = margins[sample_weight > 0]
    return bool(np.all(margins > 0))


def newton(
    X: ArrayLike,
    y: ArrayLike,
    *,
    l2: float = 0.0,
    tol: float = 1e-10,
    max_iter: int = 100,
    beta0: ArrayLike | None = None,
    sample_weight: ArrayLike | None = None,
) -> FitResult:
    """Newton's method (iteratively reweighted least squares) on :func:`logreg.cost`.

    Each step solves ``H d = g`` with a Cholesky factorisation of the Hessian ``H = X^T S W X / sum(S) + l2 I``
    (``S`` the sample weights, all ones by default) and halves the step until the cost decreases (it rarely has
    to). Stops when the largest gradient entry is at most ``tol``. Warns with :class:`PerfectSeparationWarning`
    when ``l2 == 0`` and the data are linearly separable (the coefficients would grow without bound), and with a
    ``ConvergenceWarning`` when ``max_iter`` steps are not enough.
    """
    design, labels, strength = check_problem(X, y, l2)
    weights = check_binary_sample_weight(sample_weight, labels)
    if not tol > 0:
        raise ValueError(f"tol must be > 0; got {tol!r}")
    return newton_unchecked(
        design, labels, strength, weights, tol=tol, max_iter=int(max_iter), beta=_start(beta0, design.shape[1])
    )


def newton_unchecked(
    design: NDArray[np.float64],
    labels: NDArray[np.float64],
    strength: float,
    weights: NDArray[np.float64] | None,
    *,
    tol: float,
    max_iter: int,
    beta: NDArray[np.float64],
    stacklevel: int = 3,
) -> FitResult:
    """:func:`newton` on inputs that are already validated (the estimator's path)."""
    scores = design @ beta
    current = mean_log_loss(scores, labels, weights) + penalty_value(beta, strength)
    history = [current]
    for _ in range(max_iter):
        grad = gradient_from_scores(beta, design, labels, strength, scores, weights)
        if np.max(np.abs(grad)) <= tol:
            break
        if strength == 0 and _separates(scores, labels, weights):
            warnings.warn(
                "the classes are perfectly separable, so with l2=0 the coefficients grow without bound and "
                "no maximum-likelihood estimate exists; use an L2 penalty (l2 > 0)",
                PerfectSeparationWarning,
                stacklevel=stacklevel,
            )
            break
        hessian = hessian_from_scores(beta.shape[0], design, strength, scores, weights)
        direction = _newton_direction(hessian, grad)
        decrement = float(grad @ direction)
        step = 1.0
        while True:
            candidate = beta - step * direction
            candidate_scores = design @ candidate
            value = mean_log_loss(candidate_scores, labels, weights) + penalty_value(candidate, strength)
            sufficient = value <= current - 1e-4 * step * decrement
            flat = value - current <= 16 * _EPS * max(1.0, abs(current))  # rounding noise near the optimum
            if sufficient or flat or step < 1e-12:
                break
            step /= 2
        if step < 1e-12 and not flat:
            break
        beta, scores, current = candidate, candidate_scores, value
        history.append(current)
    else:
        grad = gradient_from_scores(beta, design, labels, strength, scores, weights)
    gradient_norm = float(np.max(np.abs(grad)))
    if gradient_norm > tol and not (strength == 0 and _separates(scores, labels, weights)):
        warnings.warn(
            f"Newton's method stopped after {len(history) - 1} steps with gradient {gradient_norm:.2e} > "
            f"tol={tol:g}; raise max_iter, or add an L2 penalty if the classes are (nearly) separable",
            ConvergenceWarning,
            stacklevel=stacklevel,
        )
    return FitResult(beta, np.asarray(history), len(history) - 1, gradient_norm)
