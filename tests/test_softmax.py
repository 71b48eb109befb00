"""Softmax regression, tested like the binary functions: stability, exact gradient, and scikit-learn's optimum."""

import warnings

import numpy as np
import pytest
import sklearn.linear_model
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.datasets import load_iris
from sklearn.preprocessing import StandardScaler

import logreg
from logreg import fit_softmax, softmax, softmax_cost, softmax_gradient


def test_rows_sum_to_one_and_shift_invariance():
    Z = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])
    P = softmax(Z)
    np.testing.assert_allclose(P.sum(axis=1), 1.0)
    np.testing.assert_allclose(P[1], [1 / 3] * 3)
    np.testing.assert_allclose(softmax(Z + np.array([[100.0], [-7.0]])), P, rtol=1e-12)


def test_no_overflow_at_extreme_scores():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        P = softmax([[1e4, 0.0, -1e4], [-1e4, -1e4, -1e4]])
    np.testing.assert_allclose(P, [[1.0, 0.0, 0.0], [1 / 3, 1 / 3, 1 / 3]])


def problem(seed, n=30, p=3, k=3):
    rng = np.random.default_rng(seed)
    X = logreg.add_intercept(rng.normal(size=(n, p)))
    y = np.arange(n) % k
    return X, y, rng.normal(size=(p + 1, k))


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 10_000), l2=st.sampled_from([0.0, 0.1]))
def test_gradient_equals_central_finite_differences(seed, l2):
    X, y, W = problem(seed)
    h = 1e-6
    numeric = np.zeros_like(W)
    for index in np.ndindex(W.shape):
        step = np.zeros_like(W)
        step[index] = h
        numeric[index] = (softmax_cost(W + step, X, y, l2) - softmax_cost(W - step, X, y, l2)) / (2 * h)
    np.testing.assert_allclose(softmax_gradient(W, X, y, l2), numeric, atol=1e-7)


def test_two_classes_reduce_to_binary_logistic_regression():
    X, y, W = problem(1, k=2)
    np.testing.assert_allclose(softmax(X @ W)[:, 1], logreg.sigmoid(X @ (W[:, 1] - W[:, 0])), rtol=1e-12)
    assert softmax_cost(W, X, y) == pytest.approx(logreg.cost(W[:, 1] - W[:, 0], X, y), rel=1e-12)


def test_matches_scikit_learns_multinomial_fit_on_iris():
    X, y = load_iris(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    l2 = 0.01
    result = fit_softmax(logreg.add_intercept(X), y, l2=l2, tol=1e-10)
    theirs = sklearn.linear_model.LogisticRegression(C=1 / (l2 * len(y)), tol=1e-12, max_iter=10_000).fit(X, y)
    np.testing.assert_allclose(softmax(logreg.add_intercept(X) @ result.beta), theirs.predict_proba(X), atol=1e-5)
    np.testing.assert_allclose(result.beta[1:].T, theirs.coef_, atol=1e-4)
    assert result.gradient_norm <= 1e-8


@pytest.mark.parametrize(
    ("W", "X", "y", "message"),
    [
        (np.zeros((2, 3)), np.ones((4, 3)), [0, 1, 2, 0], "W has 2 rows but X has 3 columns"),
        (np.zeros((3, 3)), np.ones((4, 3)), [0, 1, 1.5, 0], "whole numbers"),
        (np.zeros((3, 3)), np.ones((4, 3)), [0, 1, 3, 0], "out of range"),
        (np.zeros((3, 3)), np.ones((4, 3)), [1, 1, 1, 1], "one class only"),
        (np.zeros((3, 3)), np.ones((4, 3)), [0, 1, 2], "4 rows but y has 3"),
        (np.full((3, 3), np.nan), np.ones((4, 3)), [0, 1, 2, 0], "W contains NaN"),
    ],
)
def test_bad_input_is_named(W, X, y, message):
    with pytest.raises(ValueError, match=message):
        softmax_cost(W, X, y)
