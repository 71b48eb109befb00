"""Newton's method for multinomial (softmax) logistic regression: the estimator's solver for K > 2 classes.

The objective is scikit-learn's, divided by ``C * sum(s)``::

    J(W) = sum_i a_i (log sum_k exp(z_ik) - z_{i, y_i}) + l2/2 * ||W[1:]||^2,   z = X W,   a = s / sum(s)

with ``X`` carrying the intercept column first and ``W`` of shape ``(n_columns, K)`` (row 0: the unpenalised
intercepts). Its gradient is ``X^T A (P - Y) + l2 W[1:]`` and its Hessian, in the class-major order used below
(entry ``k * n_columns + j`` for ``W[j, k]``), has the blocks ``X^T A diag(p_k [k = m] - p_k p_m) X`` plus
``l2`` on the penalised diagonal.

The flat direction. The softmax only sees score differences, so adding one vector to every column of ``W``
changes no probability: the data term's Hessian is singular along ``v 1^T``. Its gradient is orthogonal to those
directions (``sum_k (p_ik - Y_ik) = 0``), and so is the penalty's at any ``W`` whose rows sum to zero over the
classes. The solver starts in that zero-sum subspace and every direction it takes stays there (it is projected
back after each solve against rounding drift), so it converges to scikit-learn's symmetric parametrisation:
intercepts centred, and coefficients that sum to zero over the classes (with ``l2 > 0`` the optimum has them
anyway; with ``l2 = 0`` it is the minimum-norm member of the flat family). On that subspace the Hessian is
positive definite (given full-rank data); the full Newton solve adds ``c * (1 1^T / K) (x) I``, which is zero on
the subspace, so that Cholesky sees a positive definite matrix and the step on the subspace is unchanged.

Two ways to get the Newton direction ``H^{-1} g``:

- ``"cholesky"``: form the ``pK x pK`` Hessian (``n p^2 K (K + 1)`` multiply-adds, two BLAS calls) and factorise
  it; exact, cheapest when ``p K`` is small.
- ``"cg"``: Newton-CG. Conjugate gradients on Hessian-vector products ``X^T A (P * (XV - rowsum(P * XV))) + l2 V``
  (two matrix products, ``~ 2 n p K`` multiply-adds, no Hessian in memory), preconditioned by Böhning's bound
  ``H <= 1/2 X^T A X (x) (I - 1 1^T / K) + l2``: on the zero-sum subspace its inverse is one ``p x p``
  Cholesky factor, computed once per fit and applied to every class column. When the probabilities saturate
  (many confident rows) the bound is loose and CG slows down; then the exact class-diagonal Hessian blocks take
  over as preconditioner (measured on standardised digits: 238 -> 60 Hessian-vector products, 2x faster; on
  the 20000 x 50 five-class set the bound stays, under 40 products). Inexact: CG stops when its residual
  is a fraction ``min(1/2, sqrt(||g||))`` of the gradient (superlinear convergence), and an Armijo backtracking
  line search guarantees progress.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import scipy.linalg.lapack
from numpy.typing import NDArray

from logreg.optimize import FitResult, _line_search, lbfgs, warn_lbfgs_not_converged, warn_not_converged

#: ``method="auto"`` forms the full Hessian while ``n_columns * n_classes <= CHOLESKY_MAX_UNKNOWNS``, Newton-CG
#: above. Tuned on benchmarks/bench_multiclass.py (one BLAS thread): see there.
CHOLESKY_MAX_UNKNOWNS = 60
#: Newton-CG: CG stops at this many iterations per Newton step even if the forcing tolerance is not reached
#: (the line search keeps a truncated direction safe: it is still a descent direction).
CG_MAX_ITER = 200
#: Newton-CG with the block preconditioner re-forms its blocks every this many Newton steps (tuned on digits).
BLOCK_REFRESH = 3

_METHODS = ("auto", "cholesky", "cg", "lbfgs")


def _probabilities(scores: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Row-wise softmax of ``scores`` and the log-sum-exp of every row (shifted by the row maximum: no overflow)."""
    top = scores.max(axis=1, keepdims=True)
    exps = np.exp(scores - top)
    totals = exps.sum(axis=1, keepdims=True)
    exps /= totals
    return exps, (np.log(totals) + top)[:, 0]


def _value(
    scores: NDArray[np.float64],
    W: NDArray[np.float64],
    rows: NDArray[np.intp],
    labels: NDArray[np.intp],
    share: NDArray[np.float64],
    l2: float,
) -> float:
    top = scores.max(axis=1)
    log_normaliser = np.log(np.exp(scores - top[:, None]).sum(axis=1)) + top
    penalised = W[1:]
    return float(share @ (log_normaliser - scores[rows, labels])) + 0.5 * l2 * float(np.vdot(penalised, penalised))


def _gradient(
    design: NDArray[np.float64],
    W: NDArray[np.float64],
    P: NDArray[np.float64],
    rows: NDArray[np.intp],
    labels: NDArray[np.intp],
    share: NDArray[np.float64],
    l2: float,
) -> NDArray[np.float64]:
    residual = P.copy()
    residual[rows, labels] -= 1.0
    residual *= share[:, None]
    grad = design.T @ residual
    grad[1:] += l2 * W[1:]
    return grad


def hessian_vector_product(
    design: NDArray[np.float64],
    P: NDArray[np.float64],
    share: NDArray[np.float64],
    l2: float,
    V: NDArray[np.float64],
) -> NDArray[np.float64]:
    """``H V`` for the Hessian of the objective at probabilities ``P``, with ``V`` shaped like ``W``.

    Row ``i`` of the data term's Hessian acts on the scores' change ``t_i = x_i^T V`` as
    ``diag(p_i) - p_i p_i^T``: ``p_i * t_i - p_i (p_i . t_i)``; two products with ``X``, ~2 n p K multiply-adds.
    """
    change = design @ V
    change *= P
    change -= P * change.sum(axis=1, keepdims=True)
    change *= share[:, None]
    product = design.T @ change
    product[1:] += l2 * V[1:]
    return product


def full_hessian(
    design: NDArray[np.float64], P: NDArray[np.float64], share: NDArray[np.float64], l2: float
) -> NDArray[np.float64]:
    """The ``pK x pK`` Hessian in class-major order (entry ``k * p + j`` for ``W[j, k]``), two BLAS calls.

    ``sum_i a_i (diag(p_i) - p_i p_i^T) (x) x_i x_i^T`` = block-diagonal ``X^T A diag(p_k) X`` minus
    ``C^T C`` with ``C = [sqrt(a) p_1 X, ..., sqrt(a) p_K X]`` (one symmetric rank-k update).
    """
    n_columns, n_classes = design.shape[1], P.shape[1]
    root = np.sqrt(share)
    stacked = np.empty((design.shape[0], n_classes * n_columns))
    for k in range(n_classes):
        np.multiply(design, (root * P[:, k])[:, None], out=stacked[:, k * n_columns : (k + 1) * n_columns])
    hessian = -(stacked.T @ stacked)
    for k in range(n_classes):
        block = slice(k * n_columns, (k + 1) * n_columns)
        scaled = design * np.sqrt(share * P[:, k])[:, None]
        hessian[block, block] += scaled.T @ scaled
    penalty = np.tile(np.r_[0.0, np.full(n_columns - 1, l2)], n_classes)
    hessian[np.diag_indices_from(hessian)] += penalty
    return hessian


def _centre(W: NDArray[np.float64]) -> NDArray[np.float64]:
    """Project onto the zero-sum subspace: subtract every row's mean over the classes."""
    return W - W.mean(axis=1, keepdims=True)


class _CholeskyDirections:
    """Exact Newton directions from the factorised full Hessian (plus ``c`` along the flat directions)."""

    def __init__(self, design: NDArray[np.float64], share: NDArray[np.float64], l2: float, n_classes: int):
        self.design, self.share, self.l2, self.n_classes = design, share, l2, n_classes
        n_columns = design.shape[1]
        self.flat = np.kron(np.full((n_classes, n_classes), 1.0 / n_classes), np.eye(n_columns))

    def __call__(self, W: NDArray[np.float64], P: NDArray[np.float64], grad: NDArray[np.float64]) -> NDArray:
        hessian = full_hessian(self.design, P, self.share, self.l2)
        # Zero on the zero-sum subspace, where grad lives: the solution there is unchanged.
        hessian += np.mean(np.diag(hessian)) * self.flat
        rhs = grad.T.ravel()  # class-major
        factor, info = scipy.linalg.lapack.dpotrf(hessian, lower=True, clean=False)
        if info == 0:
            solution, info = scipy.linalg.lapack.dpotrs(factor, rhs, lower=True)
        if info != 0:  # saturated probabilities or collinear columns: least-norm step
            solution = np.linalg.lstsq(hessian, rhs, rcond=None)[0]
        return solution.reshape(self.n_classes, -1).T


class _ConjugateGradientDirections:
    """Inexact Newton directions by preconditioned conjugate gradients on Hessian-vector products.

    The preconditioner starts as Böhning's bound (one ``p x p`` factor for the whole fit). When a Newton step
    needed more CG iterations than forming the exact class-diagonal blocks ``X^T A diag(p_k (1 - p_k)) X + l2``
    would cost (about ``p / 4`` Hessian-vector products: the probabilities have saturated and the bound is loose),
    it switches to those blocks (block Jacobi over the classes, projected onto the zero-sum subspace), refreshed
    every ``BLOCK_REFRESH`` steps.
    """

    def __init__(self, design: NDArray[np.float64], share: NDArray[np.float64], l2: float, n_classes: int):
        self.design, self.share, self.l2 = design, share, l2
        self.diagonal = np.r_[0.0, np.full(design.shape[1] - 1, l2)]
        weighted = design * np.sqrt(share)[:, None]
        bound = 0.5 * (weighted.T @ weighted)
        bound[np.diag_indices_from(bound)] += self.diagonal + 1e-12 * np.max(np.diag(bound))
        self.factors = [self._factor(bound)]
        self.iterations = 0
        self.blocks_since: int | None = None  # steps since the block preconditioner was formed; None: Böhning
        self.switch_after = max(4, design.shape[1] // 4)

    @staticmethod
    def _factor(matrix: NDArray[np.float64]) -> NDArray[np.float64]:
        factor, info = scipy.linalg.lapack.dpotrf(matrix, lower=True, clean=False)
        if info != 0:  # collinear columns: a ridge keeps the preconditioner positive definite
            matrix[np.diag_indices_from(matrix)] += 1e-8 * np.max(np.diag(matrix))
            factor, _ = scipy.linalg.lapack.dpotrf(matrix, lower=True, clean=False)
        return factor

    def _form_blocks(self, P: NDArray[np.float64]) -> None:
        curvature = self.share[:, None] * P * (1.0 - P)
        self.factors = []
        for k in range(P.shape[1]):
            weighted = self.design * np.sqrt(curvature[:, k])[:, None]
            block = weighted.T @ weighted
            block[np.diag_indices_from(block)] += self.diagonal + 1e-12 * np.max(np.diag(block))
            self.factors.append(self._factor(block))

    def _precondition(self, R: NDArray[np.float64]) -> NDArray[np.float64]:
        if len(self.factors) == 1:  # the same matrix for every class keeps the zero-sum subspace
            return scipy.linalg.lapack.dpotrs(self.factors[0], R, lower=True)[0]
        Z = np.empty_like(R)
        for k, factor in enumerate(self.factors):
            Z[:, k] = scipy.linalg.lapack.dpotrs(factor, R[:, k], lower=True)[0]
        return _centre(Z)

    def __call__(self, W: NDArray[np.float64], P: NDArray[np.float64], grad: NDArray[np.float64]) -> NDArray:
        if self.blocks_since is not None:
            if self.blocks_since % BLOCK_REFRESH == 0:
                self._form_blocks(P)
            self.blocks_since += 1
        before = self.iterations
        direction = self._solve(P, grad)
        if self.blocks_since is None and self.iterations - before > self.switch_after:
            self.blocks_since = 0
        return direction

    def _solve(self, P: NDArray[np.float64], grad: NDArray[np.float64]) -> NDArray[np.float64]:
        norm = float(np.linalg.norm(grad))
        target = min(0.5, np.sqrt(norm)) * norm
        solution = np.zeros_like(grad)
        residual = grad.copy()
        z = self._precondition(residual)
        direction = z.copy()
        rz = float(np.vdot(residual, z))
        for _ in range(CG_MAX_ITER):
            self.iterations += 1
            product = hessian_vector_product(self.design, P, self.share, self.l2, direction)
            curvature = float(np.vdot(direction, product))
            if curvature <= 0:
                break
            alpha = rz / curvature
            solution += alpha * direction
            residual -= alpha * product
            if np.linalg.norm(residual) <= target:
                break
            z = self._precondition(residual)
            rz_next = float(np.vdot(residual, z))
            direction *= rz_next / rz
            direction += z
            rz = rz_next
        return solution if np.any(solution) else z


def _start(n_columns: int, labels: NDArray[np.intp], share: NDArray[np.float64], n_classes: int) -> NDArray:
    """Zero weights and centred intercepts at the log of the (weighted) class shares: the best intercept-only model.

    Every class has a positive share (checked by the estimator), so the logarithms are finite.
    """
    W = np.zeros((n_columns, n_classes))
    log_share = np.log(np.bincount(labels, weights=share, minlength=n_classes))
    W[0] = log_share - log_share.mean()
    return W


def resolve_method(method: str, n_columns: int, n_classes: int) -> str:
    """``"auto"``: full Newton with Cholesky for at most ``CHOLESKY_MAX_UNKNOWNS`` unknowns, Newton-CG above."""
    if method not in _METHODS:
        raise ValueError(f"method must be one of {_METHODS}; got {method!r}")
    if method == "auto":
        return "cholesky" if n_columns * n_classes <= CHOLESKY_MAX_UNKNOWNS else "cg"
    return method


def newton_multinomial(
    design: NDArray[np.float64],
    labels: NDArray[np.intp],
    n_classes: int,
    l2: float,
    sample_weight: NDArray[np.float64] | None = None,
    *,
    tol: float = 1e-10,
    max_iter: int = 100,
    method: str = "auto",
    stacklevel: int = 2,
) -> FitResult:
    """Minimise the multinomial objective on validated inputs; ``result.beta`` is ``W`` (n_columns, n_classes).

    ``labels``: class codes ``0 .. n_classes - 1``, every class with positive total weight. Stops when the largest
    gradient entry is at most ``tol``; warns (``ConvergenceWarning``) if ``max_iter`` steps are not enough.
    ``n_iter`` counts Newton steps (L-BFGS iterations for ``method="lbfgs"``).
    """
    n_samples, n_columns = design.shape
    share = np.full(n_samples, 1.0 / n_samples) if sample_weight is None else sample_weight / np.sum(sample_weight)
    rows = np.arange(n_samples)
    method = resolve_method(method, n_columns, n_classes)
    W = _start(n_columns, labels, share, n_classes)
    if method == "lbfgs":
        return _lbfgs(design, labels, n_classes, l2, share, rows, W, tol, max_iter, stacklevel + 1)
    make: Callable = _CholeskyDirections if method == "cholesky" else _ConjugateGradientDirections
    directions = make(design, share, l2, n_classes)

    def cost(candidate: NDArray[np.float64]) -> tuple[float, NDArray[np.float64]]:
        candidate_scores = design @ candidate
        return _value(candidate_scores, candidate, rows, labels, share, l2), candidate_scores

    current, scores = cost(W)
    history = [current]
    for _ in range(max_iter + 1):
        P, _ = _probabilities(scores)
        grad = _gradient(design, W, P, rows, labels, share, l2)
        norm = float(np.max(np.abs(grad)))
        if norm <= tol or len(history) > max_iter:
            break
        direction = _centre(directions(W, P, grad))
        decrement = float(np.vdot(grad, direction))
        candidate, candidate_scores, value, accepted = _line_search(W, direction, current, decrement, cost)
        if not accepted:
            break
        W, scores, current = candidate, candidate_scores, value
        history.append(current)
    if norm > tol:
        warn_not_converged(len(history) - 1, norm, tol, stacklevel=stacklevel + 1)
    return FitResult(W, np.asarray(history), len(history) - 1, norm)


def _lbfgs(design, labels, n_classes, l2, share, rows, W, tol, max_iter, stacklevel) -> FitResult:
    """L-BFGS on the same objective (for comparison and for ``solver="lbfgs"``)."""
    shape = W.shape

    def value_and_gradient(flat: NDArray[np.float64]) -> tuple[float, NDArray[np.float64]]:
        weights = flat.reshape(shape)
        scores = design @ weights
        P, _ = _probabilities(scores)
        value = _value(scores, weights, rows, labels, share, l2)
        return value, _gradient(design, weights, P, rows, labels, share, l2).ravel()

    result = lbfgs(value_and_gradient, W.ravel(), tol=tol, max_iter=max_iter)
    warn_lbfgs_not_converged(result, tol, max_iter, stacklevel=stacklevel + 1)
    return FitResult(_centre(result.beta.reshape(shape)), result.history, result.n_iter, result.gradient_norm)
