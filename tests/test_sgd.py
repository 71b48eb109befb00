"""Mini-batch SGD: exactly gradient descent at full batch, Newton's optimum with a decaying rate, clear errors."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import logreg
from logreg.sgd import sgd


@pytest.fixture(scope="module")
def z_marks(marks_design):
    X, y = marks_design
    return logreg.z_score(X), y


def decaying(epoch: int) -> float:
    return 0.5 / (1 + epoch / 10)


def test_sgd_is_exported():
    assert logreg.sgd is sgd and "sgd" in logreg.__all__


@pytest.mark.parametrize("l2", [0.0, 0.05])
def test_full_batch_is_exactly_gradient_descent(z_marks, l2):
    Z, y = z_marks
    beta0 = [0.3, -0.1, 0.2]
    full = sgd(Z, y, learning_rate=1.0, epochs=200, batch_size=len(y), l2=l2, beta0=beta0, seed=7)
    batch = logreg.gradient_descent(Z, y, learning_rate=1.0, epochs=200, l2=l2, beta0=beta0)
    np.testing.assert_allclose(full.beta, batch.beta, rtol=0, atol=1e-15)
    np.testing.assert_allclose(full.history, batch.history, rtol=0, atol=1e-15)
    assert full.n_iter == batch.n_iter == 200
    assert full.gradient_norm == pytest.approx(batch.gradient_norm, abs=1e-15)


def test_same_seed_same_result_other_seed_other_path(z_marks):
    Z, y = z_marks
    first = sgd(Z, y, learning_rate=0.3, epochs=20, batch_size=7, seed=3)
    again = sgd(Z, y, learning_rate=0.3, epochs=20, batch_size=7, seed=3)
    other = sgd(Z, y, learning_rate=0.3, epochs=20, batch_size=7, seed=4)
    np.testing.assert_array_equal(first.beta, again.beta)
    np.testing.assert_array_equal(first.history, again.history)
    assert np.max(np.abs(first.beta - other.beta)) > 1e-6


def test_history_is_the_full_data_cost_at_start_and_after_every_epoch(z_marks):
    Z, y = z_marks
    result = sgd(Z, y, learning_rate=0.2, epochs=5, batch_size=16, l2=0.1)
    assert result.history.shape == (6,) and result.n_iter == 5
    assert result.history[0] == pytest.approx(np.log(2), abs=1e-15)
    assert result.history[-1] == pytest.approx(logreg.cost(result.beta, Z, y, l2=0.1), abs=1e-15)
    final_gradient = logreg.gradient(result.beta, Z, y, l2=0.1)
    assert result.gradient_norm == pytest.approx(np.max(np.abs(final_gradient)), abs=1e-15)
    previous = sgd(Z, y, learning_rate=0.2, epochs=4, batch_size=16, l2=0.1)
    np.testing.assert_array_equal(previous.history, result.history[:5])  # one generator, epoch after epoch


def test_zero_epochs_returns_the_start(z_marks):
    Z, y = z_marks
    result = sgd(Z, y, learning_rate=0.1, epochs=0, batch_size=1, beta0=[1.0, 2.0, 3.0])
    np.testing.assert_array_equal(result.beta, [1.0, 2.0, 3.0])
    assert result.history.shape == (1,) and result.history[0] == pytest.approx(logreg.cost([1, 2, 3], Z, y))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_decaying_schedule_reaches_the_newton_optimum(z_marks, seed):
    Z, y = z_marks
    optimum = logreg.newton(Z, y)
    result = sgd(Z, y, learning_rate=decaying, epochs=300, batch_size=1, seed=seed)
    # stated tolerance: cost within 1e-5 of Newton's optimum, coefficients (about 1.7, 4.0, 3.7) within 0.02
    assert result.history[-1] - optimum.history[-1] < 1e-5
    np.testing.assert_allclose(result.beta, optimum.beta, rtol=0, atol=0.02)


def test_constant_rate_stalls_at_a_noise_floor_that_a_decaying_schedule_goes_below(z_marks):
    Z, y = z_marks
    best = logreg.newton(Z, y).history[-1]
    constant = sgd(Z, y, learning_rate=0.5, epochs=300, batch_size=1).history - best
    decayed = sgd(Z, y, learning_rate=decaying, epochs=300, batch_size=1).history - best
    floor = np.mean(constant[201:])
    assert 1e-3 < floor < 0.1, "the constant rate hovers well above the optimum"
    assert np.mean(constant[101:201]) > 0.3 * floor, "and does not keep improving"
    assert decayed[-1] < floor / 1000 and np.mean(decayed[201:]) < np.mean(decayed[101:201]) / 2
    smaller_rate = sgd(Z, y, learning_rate=0.1, epochs=300, batch_size=1).history - best
    larger_batch = sgd(Z, y, learning_rate=0.5, epochs=300, batch_size=10).history - best
    assert np.mean(smaller_rate[201:]) < floor / 10, "the floor shrinks with the rate"
    assert np.mean(larger_batch[201:]) < floor / 10, "and with the batch size"


def test_batches_holding_one_class_are_normal():
    X = logreg.add_intercept(np.linspace(-2.0, 2.0, 8)[:, None])
    y = np.array([0, 0, 0, 0, 1, 1, 1, 1])
    # with batch_size 1 every batch holds one class; with 4 rows the unshuffled halves would too
    single = sgd(X, y, learning_rate=0.5, epochs=200, batch_size=1, l2=0.1)
    optimum = logreg.newton(X, y, l2=0.1)
    assert np.all(np.isfinite(single.history)) and single.history[-1] < single.history[0]
    assert single.history[-1] - optimum.history[-1] < 0.01
    ordered = np.argsort(y, kind="stable")
    one_class_halves = sgd(X[ordered], y[ordered], learning_rate=0.5, epochs=1, batch_size=4, seed=0)
    assert np.isfinite(one_class_halves.history[-1])


def test_divergence_is_a_clear_error(marks_design):
    X, y = marks_design  # raw exam scores: a huge rate overflows the coefficients
    with pytest.raises(ValueError, match=r"diverged in epoch 1 of 5.*learning_rate=1e\+306"):
        sgd(X, y, learning_rate=1e306, epochs=5, batch_size=10)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"batch_size": 0}, r"batch_size must be a whole number between 1 and 100; got 0"),
        ({"batch_size": 101}, r"batch_size must be a whole number between 1 and 100; got 101"),
        ({"batch_size": 2.5}, r"batch_size .* got 2\.5"),
        ({"batch_size": "10"}, r"batch_size .* got '10'"),
        ({"batch_size": True}, r"batch_size .* got True"),
        ({"epochs": -1}, r"epochs must be a whole number >= 0; got -1"),
        ({"epochs": 2.5}, r"epochs must be a whole number >= 0; got 2\.5"),
        ({"epochs": np.inf}, r"epochs must be a whole number >= 0; got inf"),
        ({"epochs": None}, r"epochs .* got None"),
        ({"learning_rate": 0.0}, r"learning_rate must be a finite positive number; got 0\.0"),
        ({"learning_rate": -0.1}, r"learning_rate must be a finite positive number; got -0\.1"),
        ({"learning_rate": np.nan}, r"learning_rate must be a finite positive number; got nan"),
        ({"learning_rate": np.inf}, r"learning_rate .* got inf"),
        ({"learning_rate": "0.1"}, r"learning_rate .* got '0\.1'"),
        ({"learning_rate": lambda epoch: 0.1 if epoch < 2 else 0.0}, r"schedule returned at epoch 2 0\.0"),
        ({"learning_rate": lambda epoch: -1.0}, r"schedule returned at epoch 0 -1\.0"),
        ({"learning_rate": lambda epoch: float("nan")}, r"schedule returned at epoch 0 nan"),
        ({"learning_rate": lambda epoch: None}, r"schedule returned at epoch 0 None"),
        ({"seed": -1}, r"seed must be a non-negative integer"),
        ({"seed": "abc"}, r"seed must be a non-negative integer"),
        ({"beta0": [0.0, 0.0]}, r"beta has 2 entries but X has 3 columns"),
        ({"l2": -1.0}, r"l2 must be a finite number >= 0"),
    ],
)
def test_bad_arguments_are_clear_errors(z_marks, kwargs, message):
    Z, y = z_marks
    settings_ = {"learning_rate": 0.1, "epochs": 3, "batch_size": 10} | kwargs
    with pytest.raises(ValueError, match=message):
        sgd(Z, y, **settings_)


@pytest.mark.parametrize(
    ("X", "y", "message"),
    [
        (np.ones((4, 2)), [0, 1, 2, 1], "labels must be 0 or 1"),
        (np.ones((4, 2)), [1, 1, 1, 1], "one class only"),
        (np.ones((4, 2)), [0, 1, 1], "X has 4 rows but y has 3"),
        ([[1.0, np.nan], [1.0, 0.0]], [0, 1], "X contains NaN"),
    ],
)
def test_bad_data_are_clear_errors(X, y, message):
    with pytest.raises(ValueError, match=message):
        sgd(X, y, learning_rate=0.1, epochs=1, batch_size=1)


def transcribed_sgd(X, y, rate, epochs, batch_size, l2, seed):
    """The algorithm as the docstring states it, written plainly: the reference for the property test."""
    rng = np.random.default_rng(seed)
    beta = np.zeros(X.shape[1])
    for _ in range(epochs):
        order = rng.permutation(len(y)) if batch_size < len(y) else np.arange(len(y))
        for start in range(0, len(y), batch_size):
            rows = order[start : start + batch_size]
            residual = logreg.sigmoid(X[rows] @ beta) - y[rows]  # batches may hold one class
            step = X[rows].T @ residual / len(rows)
            step[1:] += l2 * beta[1:]
            beta = beta - rate * step
    return beta


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(2, 30),
    batch_fraction=st.floats(0.0, 1.0),
    l2=st.sampled_from([0.0, 0.01, 1.0]),
    epochs=st.integers(0, 4),
)
def test_matches_a_plain_transcription_of_the_algorithm(seed, n, batch_fraction, l2, epochs):
    rng = np.random.default_rng(seed)
    X = logreg.add_intercept(rng.normal(size=(n, 2)))
    y = (rng.random(n) < 0.5).astype(float)
    y[:2] = [0.0, 1.0]
    batch_size = 1 + int(batch_fraction * (n - 1))
    result = sgd(X, y, learning_rate=0.3, epochs=epochs, batch_size=batch_size, l2=l2, seed=seed)
    expected = transcribed_sgd(X, y, 0.3, epochs, batch_size, l2, seed)
    np.testing.assert_allclose(result.beta, expected, rtol=0, atol=1e-12)
    assert len(result.history) == epochs + 1
    assert result.history[-1] == pytest.approx(logreg.cost(result.beta, X, y, l2), abs=1e-14)
