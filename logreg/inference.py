"""Inference for the unpenalised fit: standard errors, Wald tests and intervals, likelihoods — statsmodels' summary.

The maximum-likelihood estimate ``beta`` is asymptotically normal with covariance the inverse of the Fisher
information ``X^T W X`` (``W = diag(p (1 - p))``): the Hessian of the negative log-likelihood, which is ``n`` times
the Hessian of the mean log loss the rest of the package minimises.
"""

from __future__ import annotations

import html
import warnings
from dataclasses import dataclass

import numpy as np
import scipy.linalg
import scipy.optimize
from numpy.typing import ArrayLike, NDArray
from scipy.stats import norm
from sklearn.exceptions import ConvergenceWarning

from logreg._validation import check_binary_labels, check_design
from logreg.loss import hessian_from_scores, mean_log_loss
from logreg.optimize import PerfectSeparationWarning, newton_unchecked

_NOT_IDENTIFIED = "no maximum-likelihood estimate exists"


@dataclass(frozen=True, eq=False)
class Summary:
    """The unpenalised maximum-likelihood fit with its uncertainty; entry 0 of every array is the intercept.

    ``params``: coefficients; ``std_err``: square roots of the diagonal of the inverse Fisher information;
    ``z = params / std_err`` (Wald statistics); ``p_values``: two-sided, standard normal; ``conf_int``: (k, 2) Wald
    intervals at level ``1 - alpha``; ``odds_ratios = exp(params)``; ``log_likelihood`` at the fit and
    ``null_log_likelihood`` of the intercept-only model; ``aic = -2 ll + 2k``, ``bic = -2 ll + k log n``;
    ``names``: one per coefficient, ``"const"`` first. ``str(summary)`` is a plain-text table and a notebook shows
    ``_repr_html_``. The arrays are read-only.
    """

    params: NDArray[np.float64]
    std_err: NDArray[np.float64]
    z: NDArray[np.float64]
    p_values: NDArray[np.float64]
    conf_int: NDArray[np.float64]
    odds_ratios: NDArray[np.float64]
    log_likelihood: float
    null_log_likelihood: float
    aic: float
    bic: float
    names: tuple[str, ...]

    def _level(self) -> float:
        """The confidence level of ``conf_int``, recovered from its half-width in standard errors."""
        half_width = (self.conf_int[0, 1] - self.conf_int[0, 0]) / (2 * self.std_err[0])
        return float(1 - 2 * norm.sf(half_width))

    def _rows(self) -> list[tuple[str, ...]]:
        return [
            (
                name,
                f"{b:.4f}",
                f"{se:.4f}",
                f"{z:.3f}",
                f"{p:.3f}",
                f"{low:.4f}",
                f"{high:.4f}",
                f"{odds:.4g}",
            )
            for name, b, se, z, p, (low, high), odds in zip(
                self.names,
                self.params,
                self.std_err,
                self.z,
                self.p_values,
                self.conf_int,
                self.odds_ratios,
                strict=True,
            )
        ]

    def _header(self) -> tuple[str, ...]:
        tail = (1 - self._level()) / 2
        return ("", "coef", "std err", "z", "P>|z|", f"[{tail:.3g}", f"{1 - tail:.3g}]", "odds ratio")

    def _fit_lines(self) -> list[str]:
        return [
            f"Log-likelihood: {self.log_likelihood:.4f}    LL-Null: {self.null_log_likelihood:.4f}",
            f"AIC: {self.aic:.4f}    BIC: {self.bic:.4f}",
        ]

    def __str__(self) -> str:
        rows = [self._header(), *self._rows()]
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
        lines = [
            "  ".join(
                cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in enumerate(zip(row, widths, strict=True))
            )
            for row in rows
        ]
        rule = "=" * len(lines[0])
        title = "Logistic regression: maximum likelihood (Wald standard errors)"
        return "\n".join(
            [title, rule, *self._fit_lines(), "-" * len(rule), lines[0], "-" * len(rule), *lines[1:], rule]
        )

    def _repr_html_(self) -> str:
        header = "".join(f"<th>{html.escape(cell)}</th>" for cell in self._header())
        body = "".join(
            "<tr>" + f"<th>{html.escape(row[0])}</th>" + "".join(f"<td>{cell}</td>" for cell in row[1:]) + "</tr>"
            for row in self._rows()
        )
        caption = html.escape("; ".join(self._fit_lines()))
        return (
            '<table class="logreg-summary">'
            f"<caption>Logistic regression (maximum likelihood). {caption}</caption>"
            f"<thead><tr>{header}</tr></thead><tbody>{body}</tbody></table>"
        )


def _feature_names(feature_names: ArrayLike | None, X: object, n_features: int) -> tuple[str, ...]:
    """``"const"`` and one name per column: ``feature_names``, else a DataFrame's column labels, else x1, x2, ..."""
    if feature_names is None:
        columns = getattr(X, "columns", None)  # a pandas (or polars, ...) DataFrame: name rows by its columns
        if columns is None:
            return ("const", *(f"x{j}" for j in range(1, n_features + 1)))
        feature_names = list(columns)
    names = tuple(str(name) for name in np.asarray(feature_names, dtype=object).ravel())
    if len(names) != n_features:
        raise ValueError(f"feature_names has {len(names)} names but X has {n_features} columns; they must match")
    return ("const", *names)


def _dependent_columns(design: NDArray[np.float64], names: tuple[str, ...]) -> str:
    """Name the columns of one exact linear dependence, e.g. the intercept and every dummy of one category."""
    _, _, vt = np.linalg.svd(design / np.linalg.norm(design, axis=0).clip(min=1e-300), full_matrices=False)
    null = vt[-1]
    involved = [name for name, weight in zip(names, null, strict=True) if abs(weight) > 1e-6 * np.abs(null).max()]
    return f"{', '.join(involved)} combine to zero"


def separating_direction(design: NDArray[np.float64], labels: NDArray[np.float64]) -> NDArray[np.float64] | None:
    """A direction ``d`` with every margin ``(2 y_i - 1) x_i . d >= 0`` and some > 0, or None if there is none.

    Along such a ``d`` the log-likelihood never decreases, so no finite maximum exists: the classes are
    separable (all margins > 0) or quasi-separable (some on the boundary). Found by a linear programme that
    maximises the sum of margins with ``|d_j| <= 1`` (Konis 2007); rows are normalised first so that the
    tolerances do not depend on the features' units. Assumes ``design`` has full column rank.
    """
    signed = (2.0 * labels - 1.0)[:, None] * design
    signed /= np.linalg.norm(signed, axis=1, keepdims=True)
    result = scipy.optimize.linprog(
        -signed.sum(axis=0),
        A_ub=-signed,
        b_ub=np.zeros(signed.shape[0]),
        bounds=[(-1.0, 1.0)] * signed.shape[1],
        method="highs",
    )
    if result.status != 0:
        return None
    margins = signed @ result.x
    return result.x if margins.min() >= -1e-10 and margins.max() > 1e-6 else None


def _completely_separable(design: NDArray[np.float64], labels: NDArray[np.float64]) -> bool:
    """Is there a ``d`` with every margin ``(2 y_i - 1) x_i . d >= 1`` (strictly on its own side)?"""
    signed = (2.0 * labels - 1.0)[:, None] * design
    signed /= np.linalg.norm(signed, axis=1, keepdims=True)
    result = scipy.optimize.linprog(
        np.zeros(signed.shape[1]),
        A_ub=-signed,
        b_ub=-np.ones(signed.shape[0]),
        bounds=[(None, None)] * signed.shape[1],
        method="highs",
    )
    return result.status == 0


def _maximum_likelihood(design: NDArray[np.float64], labels: NDArray[np.float64]) -> NDArray[np.float64]:
    """Unpenalised Newton fit; separation (no finite maximum) becomes a ValueError that says so."""
    if separating_direction(design, labels) is not None:
        quasi = "quasi-separable (some samples must lie on the separating hyperplane)"
        kind = "separable" if _completely_separable(design, labels) else quasi
        raise ValueError(
            f"the classes are {kind}: moving the coefficients ever further along a separating direction never "
            f"lowers the likelihood, so the coefficients run off to infinity and {_NOT_IDENTIFIED}. Use a "
            "penalised fit (LogisticRegression with l2 > 0) instead of a summary"
        )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = newton_unchecked(design, labels, 0.0, None, tol=1e-10, max_iter=100, beta=np.zeros(design.shape[1]))
    categories = {warning.category for warning in caught}
    if PerfectSeparationWarning in categories:
        raise ValueError(
            "the classes are separable: a hyperplane puts every sample on its own side, so the likelihood keeps "
            f"growing as the coefficients grow and {_NOT_IDENTIFIED}. Use a penalised fit "
            "(LogisticRegression with l2 > 0) instead of a summary"
        )
    if any(issubclass(category, ConvergenceWarning) for category in categories):
        raise ValueError(
            f"Newton's method did not converge (gradient {result.gradient_norm:.1e}): the classes are "
            f"(quasi-)separable, so the coefficients run off to infinity and {_NOT_IDENTIFIED}"
        )
    return result.beta


def summary(X: ArrayLike, y: ArrayLike, *, alpha: float = 0.05, feature_names: ArrayLike | None = None) -> Summary:
    """Fit the unpenalised logistic regression of 0/1 labels ``y`` on ``X`` and return its :class:`Summary`.

    ``X`` holds the features *without* an intercept column: the intercept is added and comes first (named
    ``"const"``, as in ``statsmodels.api.Logit(y, add_constant(X))``). The other rows are named by
    ``feature_names`` when given, else by the columns of ``X`` when it is a DataFrame (so dummy-coded data read
    like ``statsmodels.formula.api.logit``), else ``x1, x2, ...``. ``alpha``: the confidence intervals have
    level ``1 - alpha``. Raises ``ValueError`` when the classes are separable (no maximum-likelihood estimate
    exists) or the columns of ``X`` are linearly dependent (the coefficients are not identified).
    """
    features = check_design(X)
    labels = check_binary_labels(y, features.shape[0])
    if not (isinstance(alpha, int | float | np.floating) and 0 < alpha < 1):
        raise ValueError(f"alpha must be a number strictly between 0 and 1; got {alpha!r}")
    n_samples, n_features = features.shape
    names = _feature_names(feature_names, X, n_features)
    design = np.column_stack([np.ones(n_samples), features])
    rank = np.linalg.matrix_rank(design)
    if rank < design.shape[1]:
        raise ValueError(
            f"the intercept and the {n_features} columns of X are linearly dependent (rank {rank} < "
            f"{design.shape[1]}; {_dependent_columns(design, names)}): the coefficients are not identified and "
            f"{_NOT_IDENTIFIED}; drop redundant columns (with dummy columns: leave one level of each category out)"
        )
    params = _maximum_likelihood(design, labels)
    scores = design @ params
    fisher = n_samples * hessian_from_scores(design.shape[1], design, 0.0, scores)  # X^T W X
    try:
        covariance = scipy.linalg.cho_solve(scipy.linalg.cho_factor(fisher), np.eye(design.shape[1]))
    except np.linalg.LinAlgError:
        raise ValueError(
            f"the Fisher information is singular at the fit (probabilities saturated at 0 or 1): {_NOT_IDENTIFIED} "
            "with finite standard errors"
        ) from None
    std_err = np.sqrt(np.diag(covariance))
    z = params / std_err
    half_width = norm.ppf(1 - alpha / 2) * std_err
    log_likelihood = -n_samples * mean_log_loss(scores, labels)
    rate = float(np.mean(labels))
    null_log_likelihood = n_samples * (rate * np.log(rate) + (1 - rate) * np.log1p(-rate))
    k = design.shape[1]
    arrays = {
        "params": params,
        "std_err": std_err,
        "z": z,
        "p_values": 2 * norm.sf(np.abs(z)),
        "conf_int": np.column_stack([params - half_width, params + half_width]),
        "odds_ratios": np.exp(params),
    }
    for array in arrays.values():
        array.setflags(write=False)
    return Summary(
        **arrays,
        log_likelihood=float(log_likelihood),
        null_log_likelihood=float(null_log_likelihood),
        aic=float(-2 * log_likelihood + 2 * k),
        bic=float(-2 * log_likelihood + k * np.log(n_samples)),
        names=names,
    )
