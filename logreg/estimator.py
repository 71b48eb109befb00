"""A scikit-learn compatible estimator on top of the functional solvers."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from logreg._validation import check_l1, check_l2, check_sample_weight, check_two_classes_at_least
from logreg.loss import objective_and_gradient
from logreg.multinomial import newton_multinomial
from logreg.optimize import FitResult, lbfgs, newton_unchecked, warn_lbfgs_not_converged
from logreg.sigmoid import sigmoid
from logreg.softmax import softmax
from logreg.sparse import proximal_newton_unchecked, warn_if_not_converged

#: ``solver="auto"`` uses Newton unless the problem is beyond what was measured. A Newton step costs about
#: n p^2 / 2 multiply-adds for the Hessian (p = features + 1), done by one BLAS syrk at full speed; the estimator's
#: Newton sums early Hessians over a subsample and reuses late factorisations (``cheap_hessians``), so a fit costs
#: about two full Hessians. An L-BFGS iteration costs about 4 n p in memory-bound matrix-vector products, and to
#: reach tol=1e-10 it needs tens to thousands of iterations. Measured with one BLAS thread (make_classification,
#: n_informative = p/4, CPU seconds): Newton took 0.38-0.42x L-BFGS's time for n = 20000, p = 50-100, 0.30-0.33x
#: for p = 200-400, 0.27x at n = 200000, p = 100 (n p^2 = 2e9) and 0.33x at n = 100000, p = 300 (9e9); for
#: n = 2000 it won at every p from 50 to 800 (0.50-0.85x), where L-BFGS no longer reached tol in 1000 iterations.
#: The limits sit at the edge of those measurements: beyond them the p x p Hessian and the n x p weighted copy of
#: X are the memory to worry about, and L-BFGS needs neither.
NEWTON_MAX_FEATURES = 1000
NEWTON_MAX_HESSIAN_WORK = 100_000_000_000

_SOLVERS = ("auto", "newton", "lbfgs", "proximal-newton")


def _lbfgs(
    design: NDArray[np.float64],
    y: NDArray[np.float64],
    l2: float,
    tol: float,
    max_iter: int,
    sample_weight: NDArray[np.float64] | None = None,
) -> FitResult:
    """L-BFGS on the same objective as :func:`logreg.newton`, warning when ``max_iter`` is not enough."""
    result = lbfgs(
        lambda beta: objective_and_gradient(beta, design, y, l2, sample_weight),
        np.zeros(design.shape[1]),
        tol=tol,
        max_iter=max_iter,
    )
    warn_lbfgs_not_converged(result, tol, max_iter, stacklevel=3)
    return result


def _base_rate_start(
    n_coefficients: int, target: NDArray[np.float64], weights: NDArray[np.float64] | None
) -> NDArray[np.float64]:
    """Zero weights and the intercept at the log-odds of the (weighted) base rate: the best intercept-only model.

    One Newton step closer to the optimum than all zeros, for the cost of one mean.
    """
    rate = float(np.average(target, weights=weights))
    start = np.zeros(n_coefficients)
    start[0] = np.log(rate) - np.log1p(-rate)  # both classes carry weight, so 0 < rate < 1
    return start


def _class_weight_vector(
    class_weight: str | dict | None,
    classes: NDArray,
    encoded: NDArray[np.intp],
    sample_weight: NDArray[np.float64] | None,
) -> NDArray[np.float64] | None:
    """One weight per class (in the order of ``classes``), or None when ``class_weight`` is None.

    ``"balanced"`` is scikit-learn's rule ``n_samples / (n_classes * count)``, with counts (and ``n_samples``)
    summed over ``sample_weight`` when given; a dict maps class labels to weights, missing classes weigh 1.
    """
    if class_weight is None:
        return None
    if isinstance(class_weight, str):
        if class_weight != "balanced":
            raise ValueError(f'class_weight must be None, "balanced" or a dict; got {class_weight!r}')
        totals = np.bincount(encoded, weights=sample_weight, minlength=classes.size).astype(np.float64)
        return totals.sum() / (classes.size * totals)  # every total is > 0: checked before
    if not isinstance(class_weight, dict):
        raise ValueError(f'class_weight must be None, "balanced" or a dict; got {type(class_weight).__name__}')
    known = classes.tolist()
    unknown = [key for key in class_weight if key not in known]
    if unknown:
        raise ValueError(f"class_weight has keys {unknown!r} that are not classes of y {known!r}")
    vector = np.array([class_weight.get(label, 1.0) for label in known], dtype=object)
    try:
        vector = vector.astype(np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"class_weight values must be numbers; got {class_weight!r}") from None
    if not np.all(np.isfinite(vector)) or np.any(vector < 0):
        raise ValueError(f"class_weight values must be finite numbers >= 0; got {class_weight!r}")
    return vector


def _require_weight_in_every_class(classes: NDArray, encoded: NDArray[np.intp], weights: NDArray[np.float64]) -> None:
    """A class whose samples all weigh 0 has no data: its intercept would run off to infinity."""
    totals = np.bincount(encoded, weights=weights, minlength=classes.size)
    empty = classes[totals <= 0].tolist()
    if empty:
        raise ValueError(
            f"class {empty[0]!r} has no sample with a positive weight (sample_weight times class_weight); "
            "every class needs some weight"
        )


class LogisticRegression(ClassifierMixin, BaseEstimator):
    """Logistic regression: minimises ``weighted mean log loss + l1 * ||w||_1 + l2/2 * ||w||^2`` on the raw features.

    The mean log loss is weighted by ``sample_weight`` (passed to :meth:`fit`) times the weight of each
    sample's class (``class_weight``): ``sum(s_i l_i) / sum(s_i)``. Integer weights equal repeated rows.

    Parameters
    ----------
    l1 : float, default 0.0
        Strength of the L1 (lasso) penalty on the weights (never on the intercept): ``l1 > 0`` sets some weights
        to exactly 0. Finite and >= 0. Two classes only. Scikit-learn's ``LogisticRegression(C=C, l1_ratio=r,
        solver="saga")`` has the same optimum as ``l1 = r / (C * sum(s))``, ``l2 = (1 - r) / (C * sum(s))``.
    l2 : float or None, default None
        Strength of the L2 penalty on the weights (never on the intercept). ``None`` means
        ``1 / sum(s)`` (``1 / n_samples`` without weights) when ``l1 == 0``, which is exactly scikit-learn's
        default ``C=1``; in general ``l2 = 1 / (C * sum(s))`` reaches the optimum of scikit-learn's
        ``LogisticRegression(C=C)``. With ``l1 > 0``, ``None`` means ``0``: the pure lasso (scikit-learn's
        ``l1_ratio=1``); give both ``l1`` and ``l2`` for the elastic net. ``l2=0`` with ``l1=0`` is the
        unpenalised maximum-likelihood fit.
    solver : {"auto", "newton", "lbfgs", "proximal-newton"}, default "auto"
        ``"newton"``: Newton / IRLS with a Cholesky solve, converging to machine precision in a handful of
        steps; it starts from the intercept at the log-odds of the base rate, sums the early Hessians over a
        subsample of the rows and reuses the last factorisation near the optimum (same optimum, less work).
        ``"lbfgs"``: scipy's L-BFGS-B, for very many features. ``"proximal-newton"``: Newton's quadratic model
        of the smooth part with the L1 term kept exact, minimised by coordinate descent
        (:func:`logreg.sparse.proximal_newton`); the only solver for ``l1 > 0``. ``"auto"``: proximal Newton
        when ``l1 > 0``; otherwise Newton for at most ``NEWTON_MAX_FEATURES`` features while
        ``n_samples * (n_features + 1)**2 <= NEWTON_MAX_HESSIAN_WORK`` (the measured range, where Newton was
        1.2-4x faster), L-BFGS otherwise.
    tol : float, default 1e-10
        Stop when the largest entry of the gradient is at most ``tol`` (with ``l1 > 0``: of the smallest
        subgradient, which is 0 exactly at the optimum).
    max_iter : int, default 1000
        Most iterations (Newton steps, or L-BFGS iterations).
    class_weight : None, "balanced" or dict, default None
        Weight of each class, multiplied into ``sample_weight``. ``"balanced"`` gives class ``c`` the weight
        ``n_samples / (n_classes * count_c)`` (scikit-learn's rule; with ``sample_weight`` the counts are sums
        of weights); a dict ``{label: weight}`` sets them directly (missing classes weigh 1).

    Labels may be any values (strings too); they are kept in ``classes_``. More than two classes get the
    multinomial (softmax) model, scikit-learn's default: ``coef_`` of shape ``(n_classes, n_features)``,
    ``intercept_`` of shape ``(n_classes,)`` in the symmetric parametrisation (intercepts centred; with
    ``l2 > 0`` the coefficients of each feature sum to zero over the classes), ``predict_proba`` the softmax of
    :meth:`decision_function`. It is fitted by Newton's method (:mod:`logreg.multinomial`: the full Hessian
    with a Cholesky solve for small ``(n_features + 1) * n_classes``, Newton-CG above) or, with
    ``solver="lbfgs"``, by L-BFGS. One-vs-rest stays available the scikit-learn way:
    ``sklearn.multiclass.OneVsRestClassifier(logreg.LogisticRegression())`` fits one binary model per class.
    """

    def __init__(
        self,
        l1: float = 0.0,
        l2: float | None = None,
        solver: str = "auto",
        tol: float = 1e-10,
        max_iter: int = 1000,
        class_weight: str | dict | None = None,
    ):
        self.l1 = l1
        self.l2 = l2
        self.solver = solver
        self.tol = tol
        self.max_iter = max_iter
        self.class_weight = class_weight

    def _resolved_solver(self, n_samples: int, n_features: int, l1: float = 0.0) -> str:
        if self.solver not in _SOLVERS:
            raise ValueError(f"solver must be one of {_SOLVERS}; got {self.solver!r}")
        if l1 > 0:
            if self.solver not in ("auto", "proximal-newton"):
                raise ValueError(
                    f'solver={self.solver!r} cannot fit an L1 penalty (l1={l1:g}); use "auto" or "proximal-newton"'
                )
            return "proximal-newton"
        if self.solver == "auto":
            cheap_hessian = n_samples * (n_features + 1) ** 2 <= NEWTON_MAX_HESSIAN_WORK
            return "newton" if n_features <= NEWTON_MAX_FEATURES and cheap_hessian else "lbfgs"
        return self.solver

    def fit(self, X: ArrayLike, y: ArrayLike, sample_weight: ArrayLike | None = None) -> LogisticRegression:
        """Fit the binary model (two classes) or the multinomial one (more than two).

        ``sample_weight``: one weight >= 0 per row (default: all equal), multiplied by ``class_weight``.
        """
        X, y = validate_data(self, X, y, dtype=np.float64)
        check_classification_targets(y)
        self.classes_, encoded = np.unique(y, return_inverse=True)
        check_two_classes_at_least(self.classes_)
        n_samples, n_features = X.shape
        weights = check_sample_weight(sample_weight, n_samples)
        if weights is not None:
            _require_weight_in_every_class(self.classes_, encoded, weights)
        per_class = _class_weight_vector(self.class_weight, self.classes_, encoded, weights)
        if per_class is not None:
            weights = per_class[encoded] if weights is None else weights * per_class[encoded]
            _require_weight_in_every_class(self.classes_, encoded, weights)
        total_weight = float(n_samples) if weights is None else float(np.sum(weights))
        l1 = check_l1(self.l1)
        if l1 > 0 and self.classes_.size > 2:
            raise ValueError(
                f"L1 is supported for two classes only (l1 > 0); y has {self.classes_.size} classes (use l1=0)"
            )
        l2 = check_l2(self.l2) if self.l2 is not None else (0.0 if l1 > 0 else 1.0 / total_weight)
        if not (isinstance(self.max_iter, int | np.integer) and self.max_iter >= 1):
            raise ValueError(f"max_iter must be a whole number >= 1; got {self.max_iter!r}")
        if not self.tol > 0:
            raise ValueError(f"tol must be > 0; got {self.tol!r}")
        solver = self._resolved_solver(n_samples, n_features, l1)
        design = np.column_stack([np.ones(n_samples), X])
        if self.classes_.size > 2:
            return self._fit_multinomial(design, encoded, l2, weights)
        positives = [1]
        results = []
        for positive in positives:
            target = (encoded == positive).astype(np.float64)
            if solver == "proximal-newton":
                result = proximal_newton_unchecked(
                    design,
                    target,
                    l1,
                    l2,
                    weights,
                    tol=self.tol,
                    max_iter=self.max_iter,
                    beta=_base_rate_start(design.shape[1], target, weights),
                )
                warn_if_not_converged(result, self.tol, stacklevel=3)
                results.append(result)
            elif solver == "newton":
                results.append(
                    newton_unchecked(
                        design,
                        target,
                        l2,
                        weights,
                        tol=self.tol,
                        max_iter=self.max_iter,
                        beta=_base_rate_start(design.shape[1], target, weights),
                        cheap_hessians=True,
                    )
                )
            else:
                results.append(_lbfgs(design, target, l2, self.tol, self.max_iter, weights))
        coefficients = np.vstack([result.beta for result in results])
        self.intercept_ = coefficients[:, 0].copy()
        self.coef_ = coefficients[:, 1:].copy()
        self.n_iter_ = np.array([result.n_iter for result in results])
        return self

    def _fit_multinomial(
        self,
        design: NDArray[np.float64],
        encoded: NDArray[np.intp],
        l2: float,
        weights: NDArray[np.float64] | None,
    ) -> LogisticRegression:
        """The softmax model for K > 2 classes (:func:`logreg.multinomial.newton_multinomial`)."""
        result = newton_multinomial(
            design,
            encoded,
            self.classes_.size,
            l2,
            weights,
            tol=self.tol,
            max_iter=self.max_iter,
            method="lbfgs" if self.solver == "lbfgs" else "auto",
            stacklevel=3,
        )
        self.intercept_ = result.beta[0].copy()
        self.coef_ = result.beta[1:].T.copy()
        self.n_iter_ = np.array([result.n_iter])
        return self

    def decision_function(self, X: ArrayLike) -> NDArray[np.float64]:
        """Linear scores: shape (n_samples,) for two classes, (n_samples, n_classes) for more."""
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=np.float64)
        scores = X @ self.coef_.T + self.intercept_
        return scores.ravel() if self.classes_.size == 2 else scores

    def predict_proba(self, X: ArrayLike) -> NDArray[np.float64]:
        """Class probabilities, columns in the order of ``classes_``: the sigmoid for two classes, else the softmax."""
        scores = self.decision_function(X)
        if self.classes_.size == 2:
            return np.column_stack([sigmoid(-scores), sigmoid(scores)])
        return softmax(scores)

    def predict_log_proba(self, X: ArrayLike) -> NDArray[np.float64]:
        """Logarithm of :meth:`predict_proba`."""
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    def predict(self, X: ArrayLike) -> NDArray:
        """The most probable class of every row."""
        scores = self.decision_function(X)
        indices = (scores > 0).astype(int) if self.classes_.size == 2 else np.argmax(scores, axis=1)
        return self.classes_[indices]
