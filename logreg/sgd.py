"""Stochastic and mini-batch gradient descent: many cheap, noisy steps instead of few exact ones."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike

from logreg._validation import check_learning_rate, check_problem, check_whole_number
from logreg.loss import gradient_from_scores, mean_log_loss, penalty_value
from logreg.optimize import FitResult, _start

LearningRate = float | Callable[[int], float]


def _schedule(learning_rate: LearningRate) -> Callable[[int], float]:
    """The learning rate as a checked function of the 0-based epoch."""
    if callable(learning_rate):

        def checked(epoch: int) -> float:
            return check_learning_rate(learning_rate(epoch), f"the schedule returned at epoch {epoch}")

        return checked
    constant = check_learning_rate(learning_rate)
    return lambda epoch: constant


def sgd(
    X: ArrayLike,
    y: ArrayLike,
    *,
    learning_rate: LearningRate,
    epochs: int,
    batch_size: int,
    l2: float = 0.0,
    beta0: ArrayLike | None = None,
    seed: int | None = 0,
) -> FitResult:
    """Mini-batch stochastic gradient descent on :func:`logreg.cost`.

    ``X`` carries the intercept column first; ``beta0`` defaults to zeros. Every epoch shuffles the rows with one
    ``numpy.random.default_rng(seed)`` generator (created once per call, so the same seed gives the same result)
    and cuts them into consecutive mini-batches of ``batch_size`` rows (the last one may be smaller). Each
    mini-batch takes one step ``beta <- beta - rate * g`` on its own mean gradient plus the L2 term,
    ``g = X_B^T (sigmoid(X_B beta) - y_B) / |B| + l2 * beta`` (intercept unpenalised), an unbiased estimate of
    the full gradient. A mini-batch may hold one class only.

    ``learning_rate`` is a positive number, or a function of the 0-based epoch returning one (a decaying
    schedule such as ``lambda epoch: 0.5 / (1 + epoch / 10)``). With ``batch_size == n_samples`` the one batch
    is the whole data set, no shuffle is needed, and the result is exactly :func:`logreg.gradient_descent`'s.

    Returns a :class:`~logreg.optimize.FitResult` whose ``history`` holds the full-data cost at the start and
    after every epoch (``len(history) == epochs + 1``, ``n_iter == epochs``; the number of steps is
    ``epochs * ceil(n_samples / batch_size)``) and whose ``gradient_norm`` is that of the full gradient at the
    end. Raises ``ValueError`` for bad arguments, and when the cost stops being finite (a rate too large).
    """
    design, labels, strength = check_problem(X, y, l2)
    n_samples = design.shape[0]
    size = check_whole_number(batch_size, "batch_size", 1, n_samples)
    n_epochs = check_whole_number(epochs, "epochs", 0)
    rate_at = _schedule(learning_rate)
    beta = _start(beta0, design.shape[1])
    try:
        rng = np.random.default_rng(seed)
    except (TypeError, ValueError) as error:
        raise ValueError(f"seed must be a non-negative integer (or None); got {seed!r} ({error})") from None
    starts = range(0, n_samples, size)
    history = np.empty(n_epochs + 1)
    history[0] = mean_log_loss(design @ beta, labels) + penalty_value(beta, strength)
    with np.errstate(over="ignore", invalid="ignore"):
        for epoch in range(n_epochs):
            rate = rate_at(epoch)
            if size == n_samples:  # one batch, the whole data set: shuffling would only reorder a sum
                rows, targets = design, labels
            else:
                order = rng.permutation(n_samples)
                rows, targets = design[order], labels[order]  # one copy per epoch; batches are views
            for start in starts:
                batch, batch_labels = rows[start : start + size], targets[start : start + size]
                beta = beta - rate * gradient_from_scores(beta, batch, batch_labels, strength, batch @ beta)
            history[epoch + 1] = mean_log_loss(design @ beta, labels) + penalty_value(beta, strength)
            if not (np.isfinite(history[epoch + 1]) and np.all(np.isfinite(beta))):
                raise ValueError(
                    f"stochastic gradient descent diverged in epoch {epoch + 1} of {n_epochs} (the coefficients "
                    f"or the cost overflowed); learning_rate={rate:g} is too large for this data and batch size: "
                    "lower it or standardise X"
                )
    final_gradient = gradient_from_scores(beta, design, labels, strength, design @ beta)
    return FitResult(beta, history, n_epochs, float(np.max(np.abs(final_gradient))))
