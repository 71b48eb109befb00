"""L1 and elastic net: the same optimum and zero pattern as scikit-learn's saga, the critical l1, bad input."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import minimize_scalar
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression as SklearnLogisticRegression
from sklearn.preprocessing import StandardScaler

import logreg
from logreg.datasets import load_breast_cancer
from logreg.sparse import optimality_violation


def sparse_problem(seed: int = 0, n: int = 200, p: int = 8) -> tuple[np.ndarray, np.ndarray]:
    """Standardised features, three of which matter, and 0/1 labels drawn from a logistic model."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, p))
    X[:, 1] += 0.6 * X[:, 0]  # some correlation, as in real tables
    X = StandardScaler().fit_transform(X)
    logits = 0.3 + X[:, :3] @ np.array([1.5, -1.0, 0.7])
    y = (rng.random(n) < 1 / (1 + np.exp(-logits))).astype(float)
    return X, y


def saga_beta(X, y, C, l1_ratio, sample_weight=None) -> np.ndarray:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = SklearnLogisticRegression(C=C, l1_ratio=l1_ratio, solver="saga", tol=1e-13, max_iter=100_000)
        model.fit(X, y, sample_weight=sample_weight)
    return np.r_[model.intercept_, model.coef_.ravel()]


CASES = [(0.04, 1.0), (0.1, 1.0), (0.05, 0.5), (0.5, 0.3), (0.25, 1.0)]


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize(("C", "l1_ratio"), CASES)
def test_same_optimum_and_zero_pattern_as_saga(C, l1_ratio, weighted):
    X, y = sparse_problem()
    weights = np.random.default_rng(1).integers(1, 4, size=y.size).astype(float) if weighted else None
    total = y.size if weights is None else weights.sum()
    l1, l2 = l1_ratio / (C * total), (1 - l1_ratio) / (C * total)
    design = logreg.add_intercept(X)
    ours = logreg.proximal_newton(design, y, l1=l1, l2=l2, sample_weight=weights).beta
    theirs = saga_beta(X, y, C, l1_ratio, weights)
    gap = logreg.cost(ours, design, y, l2, l1=l1, sample_weight=weights) - logreg.cost(
        theirs, design, y, l2, l1=l1, sample_weight=weights
    )
    assert gap <= 1e-9  # ours is never worse than saga's by more than 1e-9 ...
    assert abs(gap) <= 1e-9  # ... nor better by more: both sit at the optimum
    np.testing.assert_array_equal(ours == 0.0, theirs == 0.0)
    assert 0 < np.count_nonzero(ours[1:]) < X.shape[1] or l1_ratio < 1  # a real selection, not all or nothing
    estimator = logreg.LogisticRegression(l1=l1, l2=l2).fit(X, y, sample_weight=weights)
    np.testing.assert_allclose(np.r_[estimator.intercept_, estimator.coef_.ravel()], ours, atol=1e-9)
    np.testing.assert_array_equal(estimator.coef_.ravel() == 0.0, ours[1:] == 0.0)


def test_breast_cancer_matches_saga_with_exact_zeros():
    X, y = load_breast_cancer()
    X = StandardScaler().fit_transform(X)
    C = 0.05
    l1 = 1 / (C * y.size)
    model = logreg.LogisticRegression(l1=l1).fit(X, y)
    theirs = saga_beta(X, y, C, 1.0)
    design = logreg.add_intercept(X)
    ours = np.r_[model.intercept_, model.coef_.ravel()]
    assert abs(logreg.cost(ours, design, y, l1=l1) - logreg.cost(theirs, design, y, l1=l1)) <= 1e-9
    np.testing.assert_array_equal(ours == 0.0, theirs == 0.0)
    assert 3 <= np.count_nonzero(model.coef_) <= 10  # sparse: most of the 30 features are exactly zero


def test_l2_none_means_pure_lasso_when_l1_is_positive():
    X, y = sparse_problem()
    lasso = logreg.LogisticRegression(l1=0.02).fit(X, y)
    explicit = logreg.LogisticRegression(l1=0.02, l2=0.0).fit(X, y)
    np.testing.assert_array_equal(lasso.coef_, explicit.coef_)
    ridge = logreg.LogisticRegression(l1=0.02, l2=1.0 / y.size).fit(X, y)
    assert not np.array_equal(lasso.coef_, ridge.coef_)
    default = logreg.LogisticRegression().fit(X, y)  # l1=0: l2=None stays 1/n (scikit-learn's C=1)
    np.testing.assert_allclose(default.coef_, logreg.LogisticRegression(l2=1 / y.size).fit(X, y).coef_)


def test_exact_zeros_above_the_critical_l1():
    X, y = sparse_problem()
    design = logreg.add_intercept(X)
    critical = logreg.critical_l1(design, y)
    at_critical = logreg.proximal_newton(design, y, l1=critical * (1 + 1e-9)).beta
    assert np.all(at_critical[1:] == 0.0)
    assert at_critical[0] == pytest.approx(np.log(y.mean() / (1 - y.mean())), abs=1e-12)
    below = logreg.proximal_newton(design, y, l1=critical * 0.99).beta
    start = np.r_[np.log(y.mean() / (1 - y.mean())), np.zeros(X.shape[1])]
    first = int(np.argmax(np.abs(logreg.gradient(start, design, y)[1:])))
    assert np.flatnonzero(below[1:]).tolist() == [first]  # the feature with the steepest gradient enters first
    assert logreg.proximal_newton(design, y, l1=critical * 1.5, l2=0.3).beta[1:].tolist() == [0.0] * X.shape[1]


def test_critical_l1_with_weights_equals_repeated_rows():
    X, y = sparse_problem(n=60)
    weights = np.random.default_rng(2).integers(1, 4, size=y.size)
    design = logreg.add_intercept(X)
    repeated = logreg.critical_l1(np.repeat(design, weights, axis=0), np.repeat(y, weights))
    assert logreg.critical_l1(design, y, sample_weight=weights) == pytest.approx(repeated, rel=1e-12)
    fit = logreg.proximal_newton(design, y, l1=0.5 * repeated, sample_weight=weights).beta
    fit_repeated = logreg.proximal_newton(np.repeat(design, weights, axis=0), np.repeat(y, weights), l1=0.5 * repeated)
    np.testing.assert_allclose(fit, fit_repeated.beta, atol=1e-9)


def test_path_with_warm_starts_equals_cold_fits():
    X, y = sparse_problem()
    design = logreg.add_intercept(X)
    path = logreg.l1_path(design, y, n_l1=12, min_ratio=0.01, l2=0.01)
    assert path.l1s[0] == pytest.approx(logreg.critical_l1(design, y))
    assert np.all(np.diff(path.l1s) < 0)
    assert path.n_nonzero[0] == 0 and path.n_nonzero[-1] == X.shape[1]
    for l1, beta in zip(path.l1s[1:], path.betas[1:], strict=True):
        cold = logreg.proximal_newton(design, y, l1=l1, l2=0.01).beta
        np.testing.assert_allclose(beta, cold, atol=1e-8)
        np.testing.assert_array_equal(beta == 0.0, cold == 0.0)
    shuffled = logreg.l1_path(design, y, [path.l1s[3], path.l1s[1], path.l1s[2]], l2=0.01)
    np.testing.assert_array_equal(shuffled.l1s, path.l1s[1:4])


def test_elastic_net_splits_identical_features_evenly_and_the_lasso_keeps_their_sum():
    X, y = sparse_problem()
    twins = np.column_stack([X[:, 0], X[:, 0], X[:, 1:]])
    design = logreg.add_intercept(twins)
    net = logreg.proximal_newton(design, y, l1=0.01, l2=0.05).beta
    assert net[1] == pytest.approx(net[2], abs=1e-9) and net[1] > 0  # the L2 term splits the weight evenly
    lasso = logreg.proximal_newton(design, y, l1=0.01).beta
    single = logreg.proximal_newton(logreg.add_intercept(X), y, l1=0.01).beta
    assert lasso[1] + lasso[2] == pytest.approx(single[1], abs=1e-8)  # the lasso only fixes the sum of the twins
    assert optimality_violation(lasso, logreg.gradient(lasso, design, y), 0.01) <= 1e-10


def test_the_optimality_check_catches_a_moved_coefficient():
    X, y = sparse_problem()
    design = logreg.add_intercept(X)
    result = logreg.proximal_newton(design, y, l1=0.03)
    assert result.gradient_norm <= 1e-10
    zero = int(np.flatnonzero(result.beta[1:] == 0.0)[0]) + 1
    for moved_index, delta in [(zero, 0.05), (1, 0.05), (0, 0.05)]:
        moved = result.beta.copy()
        moved[moved_index] += delta
        assert optimality_violation(moved, logreg.gradient(moved, design, y), 0.03) > 1e-3
        assert logreg.cost(moved, design, y, l1=0.03) > logreg.cost(result.beta, design, y, l1=0.03)


@settings(max_examples=50, deadline=None)
@given(z=st.floats(-10, 10), threshold=st.floats(0, 5))
def test_soft_threshold_solves_the_one_coordinate_problem(z, threshold):
    best = minimize_scalar(lambda b: 0.5 * (b - z) ** 2 + threshold * abs(b), bounds=(-11, 11), method="bounded")
    assert logreg.soft_threshold(z, threshold) == pytest.approx(best.x, abs=1e-4)
    if abs(z) <= threshold:
        assert logreg.soft_threshold(z, threshold) == 0.0


BAD_L1 = [-0.1, np.nan, np.inf, -np.inf, "strong", None, [0.1], True]


@pytest.mark.parametrize("bad", BAD_L1)
def test_bad_l1_is_a_named_value_error(bad):
    X, y = sparse_problem(n=30)
    design = logreg.add_intercept(X)
    with pytest.raises(ValueError, match="l1 must be a finite number >= 0"):
        logreg.cost(np.zeros(design.shape[1]), design, y, l1=bad)
    with pytest.raises(ValueError, match="l1 must be a finite number >= 0"):
        logreg.proximal_newton(design, y, l1=bad)
    with pytest.raises(ValueError, match="l1 must be a finite number >= 0"):
        logreg.LogisticRegression(l1=bad).fit(X, y)
    with pytest.raises(ValueError, match="l1 must be a finite number >= 0"):
        logreg.l1_path(design, y, [0.1, bad])


def test_l1_needs_two_classes_and_a_solver_that_can_fit_it():
    X, y = sparse_problem(n=60)
    three = np.where(X[:, 2] > 0.5, 2, y)
    with pytest.raises(ValueError, match="L1 is supported for two classes"):
        logreg.LogisticRegression(l1=0.01).fit(X, three)
    for solver in ("newton", "lbfgs"):
        with pytest.raises(ValueError, match="cannot fit an L1 penalty"):
            logreg.LogisticRegression(l1=0.01, solver=solver).fit(X, y)
    ridge = logreg.LogisticRegression(l2=0.1, solver="proximal-newton").fit(X, y)
    newton = logreg.LogisticRegression(l2=0.1, solver="newton").fit(X, y)
    np.testing.assert_allclose(ridge.coef_, newton.coef_, atol=1e-9)


def test_cost_adds_the_l1_term_over_the_weights_only(marks_design):
    X, y = marks_design
    beta = np.array([-24.0, 0.2, -0.3])
    assert logreg.cost(beta, X, y, l1=0.5) - logreg.cost(beta, X, y) == pytest.approx(0.5 * 0.5)
    assert logreg.cost(beta, X, y, 0.4, l1=0.5) - logreg.cost(beta, X, y) == pytest.approx(0.25 + 0.2 * 0.13)


def test_path_defaults_and_bad_grid_arguments():
    X, y = sparse_problem(n=60)
    design = logreg.add_intercept(X)
    path = logreg.l1_path(design, y, n_l1=5, min_ratio=0.1)
    np.testing.assert_allclose(path.l1s, logreg.critical_l1(design, y) * np.geomspace(1, 0.1, 5))
    assert path.betas.shape == (5, design.shape[1]) and path.n_iter.shape == (5,)
    for kwargs, message in [
        ({"n_l1": 0}, "n_l1 must be a whole number"),
        ({"min_ratio": 0.0}, "min_ratio must be in"),
        ({"min_ratio": 2.0}, "min_ratio must be in"),
        ({"l1s": []}, "l1s is empty"),
    ]:
        with pytest.raises(ValueError, match=message):
            logreg.l1_path(design, y, **kwargs)
    with pytest.raises(ValueError, match="tol must be a finite number > 0"):
        logreg.proximal_newton(design, y, l1=0.1, tol=0.0)


def test_max_iter_too_small_warns_and_says_how_far_from_the_optimum():
    X, y = sparse_problem()
    with pytest.warns(ConvergenceWarning, match="proximal Newton stopped after 1 steps"):
        result = logreg.proximal_newton(logreg.add_intercept(X), y, l1=0.005, max_iter=1)
    assert result.n_iter == 1 and result.gradient_norm > 1e-10
