"""Timing helpers shared by ``benchmarks/bench_fit.py`` and the book's speed chapter.

Wall-clock numbers vary between runs and machines; what is compared is always a ratio measured in one process.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import sklearn.linear_model
from numpy.typing import NDArray

from logreg import scratch
from logreg.estimator import LogisticRegression
from logreg.features import add_intercept
from logreg.loss import cost
from logreg.optimize import gradient_descent


def best_time(function: Callable[[], object], repeat: int = 5) -> float:
    """The fastest of ``repeat`` runs of ``function()``, in seconds (the least disturbed measurement)."""
    if repeat < 1:
        raise ValueError(f"repeat must be >= 1; got {repeat}")
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        timings.append(time.perf_counter() - start)
    return min(timings)


def fitted_objective(intercept: NDArray, coef: NDArray, X: NDArray, y: NDArray, l2: float) -> float:
    """Our objective (mean log loss + l2/2 ||w||^2) at a fitted binary model."""
    return cost(np.r_[np.ravel(intercept), np.ravel(coef)], add_intercept(X), y, l2=l2)


@dataclass(frozen=True)
class FitComparison:
    """``logreg.LogisticRegression(l2=1/n)`` against scikit-learn's default ``LogisticRegression(C=1)``."""

    name: str
    n_samples: int
    n_features: int
    ours_seconds: float
    sklearn_seconds: float
    ours_objective: float
    sklearn_objective: float
    optimum: float

    @property
    def time_ratio(self) -> float:
        """Our time over scikit-learn's: below 1 means we are faster."""
        return self.ours_seconds / self.sklearn_seconds

    @property
    def gap_to_optimum(self) -> float:
        """How far our fit is above the optimum (found by scikit-learn with tol=1e-12)."""
        return self.ours_objective - self.optimum


def compare_fit(name: str, X: NDArray, y: NDArray, repeat: int = 5) -> FitComparison:
    """Time both default fits on the same data and evaluate both objectives with the same function."""
    n_samples = X.shape[0]
    l2 = 1.0 / n_samples
    ours = LogisticRegression(l2=l2)
    theirs = sklearn.linear_model.LogisticRegression(C=1.0)
    ours_seconds = best_time(lambda: ours.fit(X, y), repeat)
    sklearn_seconds = best_time(lambda: theirs.fit(X, y), repeat)
    reference = sklearn.linear_model.LogisticRegression(C=1.0, tol=1e-12, max_iter=100_000).fit(X, y)
    return FitComparison(
        name=name,
        n_samples=n_samples,
        n_features=X.shape[1],
        ours_seconds=ours_seconds,
        sklearn_seconds=sklearn_seconds,
        ours_objective=fitted_objective(ours.intercept_, ours.coef_, X, y, l2),
        sklearn_objective=fitted_objective(theirs.intercept_, theirs.coef_, X, y, l2),
        optimum=fitted_objective(reference.intercept_, reference.coef_, X, y, l2),
    )


@dataclass(frozen=True)
class EpochSpeed:
    """Seconds per batch gradient-descent epoch (cost + step) in pure Python and in NumPy."""

    scratch_seconds: float
    numpy_seconds: float

    @property
    def speedup(self) -> float:
        return self.scratch_seconds / self.numpy_seconds


def epoch_speed(X: NDArray, y: NDArray, epochs: int = 20, repeat: int = 3, learning_rate: float = 0.01) -> EpochSpeed:
    """Per-epoch time of ``logreg.scratch.train`` against ``logreg.gradient_descent`` on the same design matrix.

    Both record the cost every epoch and take one gradient step; the NumPy run is given 50 times more epochs so
    that its one-off input validation does not count as per-epoch work.
    """
    rows = [[float(value) for value in row] for row in X]
    labels = [float(value) for value in y]
    beta = [0.0] * X.shape[1]
    scratch_total = best_time(
        lambda: scratch.train(rows, labels, beta, epochs=epochs, learning_rate=learning_rate), repeat
    )
    numpy_epochs = 50 * epochs
    numpy_total = best_time(lambda: gradient_descent(X, y, learning_rate=learning_rate, epochs=numpy_epochs), repeat)
    return EpochSpeed(scratch_total / epochs, numpy_total / numpy_epochs)
