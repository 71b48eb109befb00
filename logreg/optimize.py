"""Two ways to minimise the cost: batch gradient descent (first order) and Newton / IRLS (second order)."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import scipy.linalg.lapack
import scipy.optimize
from numpy.typing import ArrayLike, NDArray
from scipy.special import expit
from sklearn.exceptions import ConvergenceWarning

from logreg._validation import (
    check_beta,
    check_binary_sample_weight,
    check_learning_rate,
    check_problem,
    check_whole_number,
)
from logreg.loss import gradient_from_scores, hessian_from_scores, mean_log_loss, penalty_mask, penalty_value

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
    rate = check_learning_rate(learning_rate)
    epochs = check_whole_number(epochs, "epochs", 0)
    beta = _start(beta0, design.shape[1])
    history = np.empty(epochs + 1)
    scores = design @ beta
    history[0] = mean_log_loss(scores, labels, weights) + penalty_value(beta, strength)
    with np.errstate(over="ignore", invalid="ignore"):
        for epoch in range(1, epochs + 1):
            beta = beta - rate * gradient_from_scores(beta, design, labels, strength, scores, weights)
            scores = design @ beta
            history[epoch] = mean_log_loss(scores, labels, weights) + penalty_value(beta, strength)
            if not np.isfinite(history[epoch]):
                raise ValueError(
                    f"gradient descent diverged at epoch {epoch} (the cost overflowed); "
                    f"learning_rate={rate:g} is too large for this data: lower it or standardise X"
                )
    final_gradient = gradient_from_scores(beta, design, labels, strength, scores, weights)
    return FitResult(beta, history, epochs, float(np.max(np.abs(final_gradient))))


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


#: Cheap-Hessian Newton (the estimator's solver), tuned on benchmarks/bench_fit.py. While the gradient is above
#: ``SUBSAMPLE_UNTIL`` times its starting size, the Hessian is summed over every ``stride``-th row only, keeping
#: at least ``SUBSAMPLE_ROWS_PER_COEFFICIENT`` rows per coefficient (and at most every ``MAX_STRIDE``-th row).
SUBSAMPLE_ROWS_PER_COEFFICIENT = 24
MAX_STRIDE = 8
SUBSAMPLE_UNTIL = 1e-3
#: A factorised full Hessian is reused (a chord step, no new Hessian) while each step shrinks the largest gradient
#: entry at least this many times.
REUSE_FACTOR = 100.0


class _ExactDirections:
    """Newton directions ``H^{-1} g`` with a fresh Hessian at every step (the textbook method)."""

    def __init__(self, design: NDArray[np.float64], strength: float, weights: NDArray[np.float64] | None):
        self.design, self.strength, self.weights = design, strength, weights

    def __call__(
        self, beta: NDArray[np.float64], scores: NDArray[np.float64], grad: NDArray[np.float64], norm: float
    ) -> NDArray[np.float64]:
        hessian = hessian_from_scores(beta.shape[0], self.design, self.strength, scores, self.weights)
        return _newton_direction(hessian, grad)


class _CheapDirections:
    """Directions ``H~^{-1} g`` from cheaper Hessians ``H~``, for large data (measured in benchmarks/bench_fit.py).

    Far from the optimum a Hessian summed over a regular subsample of the rows (scaled up) is as good a model as
    the full one: the step is damped by the line search anyway. Near the optimum the Hessian barely changes, so a
    factorisation is reused while it still shrinks the gradient ``REUSE_FACTOR``-fold per step; otherwise a new
    full Hessian is formed as ``A^T A`` with ``A = sqrt(w) * X`` (one symmetric rank-k update). Every direction
    solves a positive definite system, so it is a descent direction and the line search still guarantees progress;
    the stopping rule is the exact gradient's, as in :func:`newton`.
    """

    def __init__(self, design: NDArray[np.float64], strength: float, weights: NDArray[np.float64] | None):
        n_samples, n_coefficients = design.shape
        self.design, self.strength = design, strength
        # Normalised sample weights: the curvature of row i is a_i p_i (1 - p_i) with sum(a) = 1.
        self.row_share = None if weights is None else weights / np.sum(weights)
        self.stride = int(min(MAX_STRIDE, max(1, n_samples // (SUBSAMPLE_ROWS_PER_COEFFICIENT * n_coefficients))))
        self.penalty = strength * penalty_mask(n_coefficients)
        self.buffer = np.empty_like(design)  # sqrt(w) * X, reused for every Hessian
        self.factor: NDArray[np.float64] | None = None
        self.factor_is_full = False
        self.initial_norm: float | None = None
        self.previous_norm = np.inf

    def _factorise(self, scores: NDArray[np.float64], stride: int) -> NDArray[np.float64] | None:
        rows = slice(None, None, stride)
        probabilities = expit(scores[rows])
        curvature = probabilities * (1.0 - probabilities)
        curvature *= stride / self.design.shape[0] if self.row_share is None else stride * self.row_share[rows]
        weighted = self.buffer[: curvature.shape[0]]
        np.multiply(self.design[rows], np.sqrt(curvature)[:, None], out=weighted)
        hessian = weighted.T @ weighted  # NumPy calls the BLAS syrk for A^T A
        hessian[np.diag_indices_from(hessian)] += self.penalty
        factor, info = scipy.linalg.lapack.dpotrf(hessian, lower=True, clean=False)
        return factor if info == 0 else None

    def __call__(
        self, beta: NDArray[np.float64], scores: NDArray[np.float64], grad: NDArray[np.float64], norm: float
    ) -> NDArray[np.float64]:
        if self.initial_norm is None:
            self.initial_norm = norm
        reuse = self.factor is not None and self.factor_is_full and norm * REUSE_FACTOR <= self.previous_norm
        self.previous_norm = norm
        if not reuse:
            subsample = self.stride > 1 and norm > SUBSAMPLE_UNTIL * self.initial_norm
            self.factor = self._factorise(scores, self.stride) if subsample else None
            self.factor_is_full = self.factor is None
            if self.factor is None:
                self.factor = self._factorise(scores, 1)
            if self.factor is None:  # singular even in full (saturated probabilities): the exact fallback
                self.factor_is_full = False
                hessian = hessian_from_scores(beta.shape[0], self.design, self.strength, scores, self.row_share)
                return _newton_direction(hessian, grad)
        direction, _ = scipy.linalg.lapack.dpotrs(self.factor, grad, lower=True)
        return direction


def _armijo(value: float, current: float, step: float, decrement: float) -> tuple[bool, bool]:
    """Whether a step's cost ``value`` is acceptable: (sufficient decrease, change within rounding noise)."""
    sufficient = value <= current - 1e-4 * step * decrement
    flat = value - current <= 16 * _EPS * max(1.0, abs(current))  # rounding noise near the optimum
    return sufficient, flat


def warn_separable(stacklevel: int) -> None:
    """The :class:`PerfectSeparationWarning` of Newton's method with ``l2 == 0`` on separable classes."""
    warnings.warn(
        "the classes are perfectly separable, so with l2=0 the coefficients grow without bound and "
        "no maximum-likelihood estimate exists; use an L2 penalty (l2 > 0)",
        PerfectSeparationWarning,
        stacklevel=stacklevel + 1,
    )


def warn_not_converged(n_steps: int, gradient_norm: float, tol: float, stacklevel: int) -> None:
    """The ``ConvergenceWarning`` of Newton's method when ``max_iter`` steps did not reach ``tol``."""
    warnings.warn(
        f"Newton's method stopped after {n_steps} steps with gradient {gradient_norm:.2e} > "
        f"tol={tol:g}; raise max_iter, or add an L2 penalty if the classes are (nearly) separable",
        ConvergenceWarning,
        stacklevel=stacklevel + 1,
    )


def warn_lbfgs_not_converged(result: FitResult, tol: float, max_iter: int, stacklevel: int) -> None:
    """The ``ConvergenceWarning`` of :func:`lbfgs` when ``max_iter`` iterations did not reach ``tol``."""
    if result.n_iter >= max_iter and result.gradient_norm > tol:
        warnings.warn(
            f"L-BFGS stopped after {result.n_iter} iterations with gradient {result.gradient_norm:.2e} > "
            f"tol={tol:g}; raise max_iter or standardise the features",
            ConvergenceWarning,
            stacklevel=stacklevel + 1,
        )


def _line_search(
    beta: NDArray[np.float64],
    direction: NDArray[np.float64],
    current: float,
    decrement: float,
    cost: Callable[[NDArray[np.float64]], tuple[float, NDArray[np.float64]]],
) -> tuple[NDArray[np.float64], NDArray[np.float64], float, bool]:
    """Halve the step from 1 until the cost falls enough (Armijo) or only by rounding noise.

    ``cost(candidate)`` gives the candidate's cost and its scores. Returns the candidate, its scores, its cost and
    whether to accept it (False: no step of at least 1e-12 lowers the cost).
    """
    step = 1.0
    while True:
        candidate = beta - step * direction
        value, candidate_scores = cost(candidate)
        sufficient, flat = _armijo(value, current, step, decrement)
        if sufficient or flat or step < 1e-12:
            return candidate, candidate_scores, value, not (step < 1e-12 and not flat)
        step /= 2


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
    cheap_hessians: bool = False,
) -> FitResult:
    """:func:`newton` on inputs that are already validated (the estimator's path).

    ``cheap_hessians=True`` replaces the fresh exact Hessian of every step by sub-sampled ones far from the
    optimum and reused factorisations near it (:class:`_CheapDirections`): same optimum and stopping rule,
    fewer multiply-adds on large data, more (cheaper) steps.
    """
    directions = (_CheapDirections if cheap_hessians else _ExactDirections)(design, strength, weights)

    def cost(candidate: NDArray[np.float64]) -> tuple[float, NDArray[np.float64]]:
        candidate_scores = design @ candidate
        return mean_log_loss(candidate_scores, labels, weights) + penalty_value(candidate, strength), candidate_scores

    current, scores = cost(beta)
    history = [current]
    for _ in range(max_iter):
        grad = gradient_from_scores(beta, design, labels, strength, scores, weights)
        norm = float(np.max(np.abs(grad)))
        if norm <= tol:
            break
        if strength == 0 and _separates(scores, labels, weights):
            warn_separable(stacklevel)
            break
        direction = directions(beta, scores, grad, norm)
        candidate, candidate_scores, value, accepted = _line_search(
            beta, direction, current, float(grad @ direction), cost
        )
        if not accepted:
            break
        beta, scores, current = candidate, candidate_scores, value
        history.append(current)
    else:
        grad = gradient_from_scores(beta, design, labels, strength, scores, weights)
    gradient_norm = float(np.max(np.abs(grad)))
    if gradient_norm > tol and not (strength == 0 and _separates(scores, labels, weights)):
        warn_not_converged(len(history) - 1, gradient_norm, tol, stacklevel)
    return FitResult(beta, np.asarray(history), len(history) - 1, gradient_norm)
