"""A scikit-learn compatible estimator on top of the functional solvers."""

from __future__ import annotations

import warnings

import numpy as np
from numpy.typing import ArrayLike, NDArray
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from logreg._validation import check_l2
from logreg.loss import objective_and_gradient
from logreg.optimize import FitResult, lbfgs, newton
from logreg.sigmoid import sigmoid

#: ``solver="auto"`` uses Newton while a Hessian is cheap and L-BFGS otherwise. A Newton step costs about
#: n p^2 multiply-adds (p = features + 1) against about 4 n p for an L-BFGS iteration; Newton needs ~7 steps,
#: L-BFGS tens of iterations, each with Python overhead. Measured on this book's benchmark (benchmarks/):
#: Newton wins up to a few million multiply-adds per Hessian, L-BFGS beyond.
NEWTON_MAX_FEATURES = 200
NEWTON_MAX_HESSIAN_WORK = 10_000_000

_SOLVERS = ("auto", "newton", "lbfgs")


def _lbfgs(design: NDArray[np.float64], y: NDArray[np.float64], l2: float, tol: float, max_iter: int) -> FitResult:
    """L-BFGS on the same objective as :func:`logreg.newton`, warning when ``max_iter`` is not enough."""
    result = lbfgs(
        lambda beta: objective_and_gradient(beta, design, y, l2), np.zeros(design.shape[1]), tol=tol, max_iter=max_iter
    )
    if result.n_iter >= max_iter and result.gradient_norm > tol:
        warnings.warn(
            f"L-BFGS stopped after {result.n_iter} iterations with gradient {result.gradient_norm:.2e} > tol={tol:g}; "
            "raise max_iter or standardise the features",
            ConvergenceWarning,
            stacklevel=3,
        )
    return result


class LogisticRegression(ClassifierMixin, BaseEstimator):
    """Logistic regression that minimises ``mean log loss + l2/2 * ||w||^2`` on the raw features.

    Parameters
    ----------
    l2 : float or None, default None
        Strength of the L2 penalty on the weights (never on the intercept). ``None`` means
        ``1 / n_samples``, which is exactly scikit-learn's default ``C=1``; in general
        ``l2 = 1 / (C * n_samples)`` reaches the optimum of scikit-learn's ``LogisticRegression(C=C)``.
        ``l2=0`` is the unpenalised maximum-likelihood fit.
    solver : {"auto", "newton", "lbfgs"}, default "auto"
        ``"newton"``: Newton / IRLS with a Cholesky solve, converging to machine precision in a handful of
        steps. ``"lbfgs"``: scipy's L-BFGS-B, for many features. ``"auto"``: Newton for at most
        ``NEWTON_MAX_FEATURES`` features while ``n_samples * (n_features + 1)**2 <= NEWTON_MAX_HESSIAN_WORK``
        (a Hessian costs a few milliseconds at most), L-BFGS otherwise.
    tol : float, default 1e-10
        Stop when the largest entry of the gradient is at most ``tol``.
    max_iter : int, default 1000
        Most iterations per binary problem.

    Labels may be any values (strings too); they are kept in ``classes_``. More than two classes are
    fitted one-vs-rest: one binary problem per class.
    """

    def __init__(self, l2: float | None = None, solver: str = "auto", tol: float = 1e-10, max_iter: int = 1000):
        self.l2 = l2
        self.solver = solver
        self.tol = tol
        self.max_iter = max_iter

    def _resolved_solver(self, n_samples: int, n_features: int) -> str:
        if self.solver not in _SOLVERS:
            raise ValueError(f"solver must be one of {_SOLVERS}; got {self.solver!r}")
        if self.solver == "auto":
            cheap_hessian = n_samples * (n_features + 1) ** 2 <= NEWTON_MAX_HESSIAN_WORK
            return "newton" if n_features <= NEWTON_MAX_FEATURES and cheap_hessian else "lbfgs"
        return self.solver

    def fit(self, X: ArrayLike, y: ArrayLike) -> LogisticRegression:
        """Fit one binary problem (two classes) or one per class (more than two)."""
        X, y = validate_data(self, X, y, dtype=np.float64)
        check_classification_targets(y)
        self.classes_, encoded = np.unique(y, return_inverse=True)
        if self.classes_.size < 2:
            raise ValueError(
                f"y contains one class only ({self.classes_[0]!r}); a classifier needs at least two classes"
            )
        n_samples, n_features = X.shape
        l2 = 1.0 / n_samples if self.l2 is None else check_l2(self.l2)
        if not (isinstance(self.max_iter, int | np.integer) and self.max_iter >= 1):
            raise ValueError(f"max_iter must be a whole number >= 1; got {self.max_iter!r}")
        if not self.tol > 0:
            raise ValueError(f"tol must be > 0; got {self.tol!r}")
        solver = self._resolved_solver(n_samples, n_features)
        design = np.column_stack([np.ones(n_samples), X])
        positives = [1] if self.classes_.size == 2 else range(self.classes_.size)
        results = []
        for positive in positives:
            target = (encoded == positive).astype(np.float64)
            if solver == "newton":
                results.append(newton(design, target, l2=l2, tol=self.tol, max_iter=self.max_iter))
            else:
                results.append(_lbfgs(design, target, l2, self.tol, self.max_iter))
        coefficients = np.vstack([result.beta for result in results])
        self.intercept_ = coefficients[:, 0].copy()
        self.coef_ = coefficients[:, 1:].copy()
        self.n_iter_ = np.array([result.n_iter for result in results])
        return self

    def decision_function(self, X: ArrayLike) -> NDArray[np.float64]:
        """Linear scores: shape (n_samples,) for two classes, (n_samples, n_classes) for more."""
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=np.float64)
        scores = X @ self.coef_.T + self.intercept_
        return scores.ravel() if self.classes_.size == 2 else scores

    def predict_proba(self, X: ArrayLike) -> NDArray[np.float64]:
        """Class probabilities, columns in the order of ``classes_`` (one-vs-rest ones normalised to sum to 1)."""
        scores = self.decision_function(X)
        if self.classes_.size == 2:
            return np.column_stack([sigmoid(-scores), sigmoid(scores)])
        probabilities = sigmoid(scores)
        return probabilities / probabilities.sum(axis=1, keepdims=True)

    def predict_log_proba(self, X: ArrayLike) -> NDArray[np.float64]:
        """Logarithm of :meth:`predict_proba`."""
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    def predict(self, X: ArrayLike) -> NDArray:
        """The most probable class of every row."""
        scores = self.decision_function(X)
        indices = (scores > 0).astype(int) if self.classes_.size == 2 else np.argmax(scores, axis=1)
        return self.classes_[indices]
