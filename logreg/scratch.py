"""The seed article's pure-Python implementation ("Logistic Regression from scratch", P. Muens, 2020).

Kept faithful, lists and all, as the book's first "from scratch" version, as an oracle for the NumPy code
in the tests, and as the baseline of the speed comparison. Two of its choices are kept on purpose and
discussed in the book:

* ``sigmoid`` is the naive ``1 / (1 + exp(-x))``: ``math.exp`` raises ``OverflowError`` for x below about
  -709 (:func:`logreg.sigmoid` is the stable version).
* the gradient step divides the summed gradient by ``len(x)``, the length of one feature vector (3 on the
  marks data with its intercept), not by the number of samples. On 100 samples that is the textbook
  mean gradient scaled by 100/3, so the article's learning rate 0.01 acts like 1/3.
"""

from __future__ import annotations

from math import exp, log, sqrt

Vector = list[float]


def sigmoid(x: float) -> float:
    """The logistic function, naively."""
    return 1 / (1 + exp(-x))


def dot(a: Vector, b: Vector) -> float:
    """Dot product of two equally long vectors."""
    assert len(a) == len(b)
    return sum(a_i * b_i for a_i, b_i in zip(a, b, strict=True))


def squish(beta: Vector, x: Vector) -> float:
    """The model's probability for one sample: sigmoid of the dot product."""
    assert len(beta) == len(x)
    return sigmoid(dot(beta, x))


def neg_log_likelihood(y: float, y_pred: float) -> float:
    """How "off" one prediction is: ``-(y log p + (1 - y) log(1 - p))``."""
    return -((y * log(y_pred)) + ((1 - y) * log(1 - y_pred)))


def error(ys: Vector, ys_pred: Vector) -> float:
    """Mean negative log-likelihood over a data set."""
    assert len(ys) == len(ys_pred)
    num_items: int = len(ys)
    sum_nll: float = sum(neg_log_likelihood(y, y_pred) for y, y_pred in zip(ys, ys_pred, strict=True))
    return (1 / num_items) * sum_nll


def mean(xs: Vector) -> float:
    """Arithmetic mean."""
    return sum(xs) / len(xs)


def standard_deviation(xs: Vector) -> float:
    """Sample standard deviation (divides by n - 1)."""
    mu = mean(xs)
    return sqrt(sum((x - mu) ** 2 for x in xs) / (len(xs) - 1))


def z_score(xs: list[Vector]) -> list[Vector]:
    """Standardise every column of a list of rows; a column with no spread (the intercept) is kept as is."""
    columns = list(zip(*xs, strict=True))
    scaled_columns = []
    for column in columns:
        mu, sigma = mean(list(column)), standard_deviation(list(column))
        scaled_columns.append([x if sigma == 0 else (x - mu) / sigma for x in column])
    return [list(row) for row in zip(*scaled_columns, strict=True)]


def gradient_step(beta: Vector, xs: list[Vector], ys: Vector, learning_rate: float) -> Vector:
    """One epoch of the article's batch gradient descent (its normaliser ``1 / len(x)`` included)."""
    grads: Vector = [0.0 for _ in range(len(beta))]
    for x, y in zip(xs, ys, strict=True):
        err: float = squish(beta, x) - y
        for i, x_i in enumerate(x):
            grads[i] += err * x_i
    grads = [1 / len(x) * g_i for g_i in grads]
    return [b + (gb * -learning_rate) for b, gb in zip(beta, grads, strict=True)]


def train(
    xs: list[Vector], ys: Vector, beta: Vector, *, epochs: int = 5000, learning_rate: float = 0.01
) -> tuple[Vector, Vector]:
    """Run ``epochs`` gradient steps from ``beta``; return the final beta and the cost before every step."""
    costs: Vector = []
    for _ in range(epochs):
        costs.append(error(ys, [squish(beta, x) for x in xs]))
        beta = gradient_step(beta, xs, ys, learning_rate)
    return beta, costs
