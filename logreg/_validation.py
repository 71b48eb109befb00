"""Input checks shared by the functional API: every problem becomes a ValueError that names it."""

from __future__ import annotations

import numbers

import numpy as np
from numpy.typing import ArrayLike, NDArray


def as_finite_array(values: ArrayLike, name: str, ndim: int) -> NDArray[np.float64]:
    """Return ``values`` as a float array with ``ndim`` dimensions, or raise a ValueError that says why not."""
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{name} must be numeric; could not convert it to floats ({error})") from None
    if array.ndim != ndim:
        shape_word = {1: "a 1-D vector", 2: "a 2-D matrix (n_samples, n_features)"}[ndim]
        raise ValueError(f"{name} must be {shape_word}; got an array of shape {array.shape}")
    if array.size == 0:
        raise ValueError(f"{name} is empty (shape {array.shape}); at least one sample is needed")
    if not np.all(np.isfinite(array)):
        bad = "NaN" if np.isnan(array).any() else "inf"
        raise ValueError(f"{name} contains {bad}; remove or impute non-finite values first")
    return array


def check_design(X: ArrayLike) -> NDArray[np.float64]:
    """A finite 2-D design matrix."""
    return as_finite_array(X, "X", ndim=2)


def check_binary_labels(y: ArrayLike, n_samples: int) -> NDArray[np.float64]:
    """Labels as floats in {0, 1}, one per row of X, with both classes present."""
    labels = as_finite_array(y, "y", ndim=1)
    if labels.shape[0] != n_samples:
        raise ValueError(f"X has {n_samples} rows but y has {labels.shape[0]} labels; they must match")
    outside = np.setdiff1d(np.unique(labels), [0.0, 1.0])
    if outside.size:
        raise ValueError(
            f"labels must be 0 or 1; y also contains {outside[:5].tolist()} "
            "(use LogisticRegression for other label values)"
        )
    if np.unique(labels).size < 2:
        raise ValueError(f"y contains one class only (every label is {labels[0]:g}); both 0 and 1 are needed")
    return labels


def check_two_classes_at_least(classes: NDArray) -> None:
    """``classes``, the sorted distinct labels of y, hold at least two values: a classifier needs two."""
    if classes.size < 2:
        raise ValueError(f"y contains one class only ({classes[0]!r}); a classifier needs at least two classes")


def check_beta(beta: ArrayLike, n_features: int) -> NDArray[np.float64]:
    """Coefficients: one per column of X (the intercept column included)."""
    coefficients = as_finite_array(beta, "beta", ndim=1)
    if coefficients.shape[0] != n_features:
        raise ValueError(
            f"beta has {coefficients.shape[0]} entries but X has {n_features} columns; "
            "they must match (did you forget the intercept column?)"
        )
    return coefficients


def check_whole_number(value: object, name: str, smallest: int, largest: int | None = None) -> int:
    """``value`` as an int in ``[smallest, largest]``, or a ValueError that names ``name`` and the range."""
    allowed = f">= {smallest}" if largest is None else f"between {smallest} and {largest}"
    is_whole = (
        not isinstance(value, bool)
        and isinstance(value, numbers.Real)
        and np.isfinite(float(value))
        and float(value).is_integer()
    )
    if not is_whole or int(value) < smallest or (largest is not None and int(value) > largest):
        raise ValueError(f"{name} must be a whole number {allowed}; got {value!r}")
    return int(value)


def check_learning_rate(value: object, where: str = "got") -> float:
    """A finite, positive learning rate, or a ValueError saying where the bad value came from."""
    is_number = not isinstance(value, bool) and isinstance(value, numbers.Real) and np.isfinite(float(value))
    if not is_number or float(value) <= 0:
        raise ValueError(f"learning_rate must be a finite positive number; {where} {value!r}")
    return float(value)


def check_l2(l2: float) -> float:
    """A finite, non-negative penalty strength."""
    value = float(l2)
    if not np.isfinite(value) or value < 0:
        raise ValueError(f"l2 must be a finite number >= 0; got {l2!r}")
    return value


def check_problem(
    X: ArrayLike, y: ArrayLike, l2: float = 0.0
) -> tuple[NDArray[np.float64], NDArray[np.float64], float]:
    """Validate a whole binary problem at once."""
    design = check_design(X)
    return design, check_binary_labels(y, design.shape[0]), check_l2(l2)


def check_sample_weight(sample_weight: ArrayLike | None, n_samples: int) -> NDArray[np.float64] | None:
    """Per-sample weights: ``None`` (all equal), or one finite weight >= 0 per sample, not all zero.

    A single number is broadcast to every sample. ``None`` stays ``None`` so that unweighted problems keep
    their plain means.
    """
    if sample_weight is None:
        return None
    try:
        weights = np.asarray(sample_weight, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise ValueError(f"sample_weight must be numeric; could not convert it to floats ({error})") from None
    weights = as_finite_array(np.full(n_samples, weights) if weights.ndim == 0 else weights, "sample_weight", ndim=1)
    if weights.shape[0] != n_samples:
        raise ValueError(f"X has {n_samples} rows but sample_weight has {weights.shape[0]} entries; they must match")
    if np.any(weights < 0):
        raise ValueError(
            f"sample_weight must be >= 0; {int(np.sum(weights < 0))} entries are negative (smallest {weights.min():g})"
        )
    if not np.any(weights > 0):
        raise ValueError("every sample_weight is zero; at least one sample needs a positive weight")
    return weights


def check_binary_sample_weight(
    sample_weight: ArrayLike | None, labels: NDArray[np.float64]
) -> NDArray[np.float64] | None:
    """:func:`check_sample_weight` for 0/1 labels, and both classes must carry some weight.

    If one class weighs nothing, the unpenalised intercept runs off to infinity: no optimum exists.
    """
    weights = check_sample_weight(sample_weight, labels.shape[0])
    if weights is not None:
        weighted_classes = np.unique(labels[weights > 0])
        if weighted_classes.size < 2:
            raise ValueError(
                f"only class {weighted_classes[0]:g} has a positive sample_weight; both 0 and 1 need some weight "
                "(otherwise the intercept grows without bound)"
            )
    return weights


def check_l1(l1: object) -> float:
    """A finite, non-negative L1 penalty strength, or a ValueError that says what was wrong."""
    is_number = not isinstance(l1, bool) and isinstance(l1, numbers.Real | np.ndarray) and np.ndim(l1) == 0
    value = float(l1) if is_number else np.nan
    if not is_number or not np.isfinite(value) or value < 0:
        raise ValueError(f"l1 must be a finite number >= 0; got {l1!r}")
    return value
