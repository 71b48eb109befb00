"""The cost and its gradient: Andrew Ng's ex2 figures, finite differences, convexity, the penalty."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import logreg


def test_published_ex2_figures(marks_design):
    X, y = marks_design
    assert logreg.cost(np.zeros(3), X, y) == pytest.approx(0.693147, abs=1e-6)
    np.testing.assert_allclose(logreg.gradient(np.zeros(3), X, y), [-0.1, -12.009217, -11.262842], atol=1e-6)
    assert logreg.cost([-24, 0.2, 0.2], X, y) == pytest.approx(0.218330, abs=1e-6)
    np.testing.assert_allclose(logreg.gradient([-24, 0.2, 0.2], X, y), [0.042903, 2.566234, 2.646797], atol=1e-6)


def test_confidently_wrong_prediction_costs_a_large_finite_amount():
    X = np.array([[1.0, 1000.0], [1.0, -1000.0]])
    y = np.array([0.0, 1.0])
    value = logreg.cost([0.0, 1.0], X, y)
    assert value == pytest.approx(1000.0)
    assert np.all(np.isfinite(logreg.gradient([0.0, 1.0], X, y)))


def test_penalty_leaves_the_intercept_alone(marks_design):
    X, y = marks_design
    beta = np.array([-24.0, 0.2, 0.2])
    assert logreg.cost(beta, X, y, l2=0.5) - logreg.cost(beta, X, y) == pytest.approx(0.25 * (0.04 + 0.04))
    assert logreg.cost([5.0, 0, 0], X, y, l2=10.0) == pytest.approx(logreg.cost([5.0, 0, 0], X, y))


def random_problem(seed: int, n: int = 40, p: int = 3):
    rng = np.random.default_rng(seed)
    X = logreg.add_intercept(rng.normal(size=(n, p)))
    y = (rng.random(n) < 0.5).astype(float)
    y[:2] = [0.0, 1.0]
    return X, y, rng.normal(size=p + 1)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000), l2=st.sampled_from([0.0, 0.01, 1.0]))
def test_gradient_equals_central_finite_differences(seed, l2):
    X, y, beta = random_problem(seed)
    h = 1e-6
    numeric = np.array(
        [(logreg.cost(beta + h * e, X, y, l2) - logreg.cost(beta - h * e, X, y, l2)) / (2 * h) for e in np.eye(4)]
    )
    np.testing.assert_allclose(logreg.gradient(beta, X, y, l2), numeric, atol=1e-7)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_cost_is_nonnegative_and_hessian_is_psd(seed):
    X, y, beta = random_problem(seed)
    assert logreg.cost(beta, X, y) >= 0
    assert np.linalg.eigvalsh(logreg.hessian(beta, X, y)).min() >= -1e-12


def test_hessian_equals_finite_differences_of_the_gradient():
    X, y, beta = random_problem(3)
    h = 1e-6
    numeric = np.column_stack(
        [
            (logreg.gradient(beta + h * e, X, y, 0.1) - logreg.gradient(beta - h * e, X, y, 0.1)) / (2 * h)
            for e in np.eye(4)
        ]
    )
    np.testing.assert_allclose(logreg.hessian(beta, X, y, 0.1), numeric, atol=1e-7)
