"""Gradient descent and Newton reach the published optima; failures are reported, not hidden."""

import warnings

import numpy as np
import pytest
import statsmodels.api as sm
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning

import logreg
from logreg import scratch
from logreg.optimize import _CheapDirections, newton_unchecked

EX2_OPTIMUM = [-25.161, 0.20623, 0.20147]


def test_newton_reaches_the_ex2_optimum(marks_design):
    X, y = marks_design
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = logreg.newton(X, y)
    np.testing.assert_allclose(result.beta, EX2_OPTIMUM, rtol=5e-4)
    assert result.history[-1] == pytest.approx(0.2034977016, abs=1e-10)
    assert result.gradient_norm <= 1e-10
    assert len(result.history) == result.n_iter + 1 and result.n_iter <= 15
    assert np.all(np.diff(result.history) <= 1e-15), "Newton with line search never increases the cost"
    assert logreg.sigmoid(np.array([1.0, 45.0, 85.0]) @ result.beta) == pytest.approx(0.776291, abs=1e-6)
    assert np.mean((X @ result.beta > 0) == y) == 0.89


def test_newton_equals_statsmodels_logit_mle(marks_design):
    X, y = marks_design
    mle = sm.Logit(y, X).fit(method="newton", tol=1e-12, disp=False).params
    np.testing.assert_allclose(logreg.newton(X, y).beta, mle, rtol=1e-8)


def test_newton_with_penalty_sets_the_penalised_gradient_to_zero(marks_design):
    X, y = marks_design
    result = logreg.newton(X, y, l2=0.01)
    assert np.max(np.abs(logreg.gradient(result.beta, X, y, l2=0.01))) <= 1e-10
    assert np.linalg.norm(result.beta[1:]) < np.linalg.norm(logreg.newton(X, y).beta[1:])


def test_seed_article_fit_on_z_scored_marks(marks_design):
    X, y = marks_design
    Z = logreg.z_score(X)
    np.testing.assert_allclose(Z[0], [1, -1.5942162646576388, 0.6351413941754435], rtol=1e-14)
    # the seed's learning rate 0.01 on its sum / len(x) = sum / 3 gradient is 0.01 * 100 / 3 on the mean gradient
    result = logreg.gradient_descent(Z, y, learning_rate=0.01 * 100 / 3, epochs=5000)
    np.testing.assert_allclose(result.beta, [1.7184, 4.0128, 3.7438], atol=1e-4)
    assert result.history[-1] == pytest.approx(0.2034977, abs=1e-7)
    assert result.history.shape == (5001,) and result.history[0] == pytest.approx(np.log(2))
    predicted = (Z @ result.beta > 0).astype(int)
    confusion = {
        "TP": int(np.sum((predicted == 1) & (y == 1))),
        "TN": int(np.sum((predicted == 0) & (y == 0))),
        "FP": int(np.sum((predicted == 1) & (y == 0))),
        "FN": int(np.sum((predicted == 0) & (y == 1))),
    }
    assert confusion == {"TP": 55, "TN": 34, "FP": 6, "FN": 5}


def test_textbook_rate_in_5000_epochs_stops_short(marks_design):
    X, y = marks_design
    result = logreg.gradient_descent(logreg.z_score(X), y, learning_rate=0.01, epochs=5000)
    assert result.history[-1] == pytest.approx(0.224718, abs=1e-6)


def test_one_scratch_epoch_equals_one_numpy_epoch_with_the_rescaled_rate(marks_design):
    X, y = marks_design
    Z = logreg.z_score(X)
    beta0 = [0.05, -0.02, 0.03]
    rows = [[float(v) for v in row] for row in Z]
    after_scratch = scratch.gradient_step(beta0, rows, [float(v) for v in y], learning_rate=0.01)
    after_numpy = logreg.gradient_descent(Z, y, learning_rate=0.01 * len(y) / 3, epochs=1, beta0=beta0).beta
    np.testing.assert_allclose(after_scratch, after_numpy, atol=1e-13)
    np.testing.assert_allclose(scratch.z_score(rows), Z, atol=1e-13)


def test_scratch_cost_matches_the_stable_cost(marks_design):
    X, y = marks_design
    beta = [-24.0, 0.2, 0.2]
    rows = [[float(v) for v in row] for row in X]
    predictions = [scratch.squish(beta, row) for row in rows]
    assert scratch.error([float(v) for v in y], predictions) == pytest.approx(logreg.cost(beta, X, y), rel=1e-12)


def separable_problem():
    x = np.array([-3.0, -2.0, -1.0, 1.0, 2.0, 3.0])
    return logreg.add_intercept(x[:, None]), (x > 0).astype(float)


def test_newton_warns_on_perfect_separation_without_penalty():
    X, y = separable_problem()
    with pytest.warns(logreg.PerfectSeparationWarning, match="separable"):
        logreg.newton(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert logreg.newton(X, y, l2=0.1).gradient_norm <= 1e-10


def test_newton_warns_when_max_iter_is_too_small(marks_design):
    X, y = marks_design
    with pytest.warns(ConvergenceWarning, match="max_iter"):
        result = logreg.newton(X, y, max_iter=2)
    assert result.n_iter == 2


def test_too_large_a_rate_oscillates_with_a_finite_cost(marks_design):
    X, y = marks_design
    result = logreg.gradient_descent(X, y, learning_rate=0.01, epochs=50)
    assert np.all(np.isfinite(result.history)) and result.history.max() > 10 * result.history[0]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"learning_rate": 0.0}, r"learning_rate must be a finite positive number; got 0\.0"),
        ({"learning_rate": np.nan}, r"learning_rate must be a finite positive number; got nan"),
        ({"learning_rate": "0.1"}, r"learning_rate .* got '0\.1'"),
        ({"epochs": -1}, r"epochs must be a whole number >= 0; got -1"),
        ({"epochs": 2.5}, r"epochs must be a whole number >= 0; got 2\.5"),
        ({"epochs": None}, r"epochs must be a whole number >= 0; got None"),
    ],
)
def test_gradient_descent_bad_rate_or_epochs_is_named(marks_design, kwargs, message):
    X, y = marks_design
    arguments = {"learning_rate": 0.001, "epochs": 3} | kwargs
    with pytest.raises(ValueError, match=message):
        logreg.gradient_descent(X, y, **arguments)


def test_gradient_descent_overflow_is_a_clear_error_not_nan(marks_design):
    X, y = marks_design
    with pytest.raises(ValueError, match="diverged at epoch 1.*learning_rate"):
        logreg.gradient_descent(X, y, learning_rate=1e306, epochs=5)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"learning_rate": 0.0, "epochs": 10}, "learning_rate"),
        ({"learning_rate": np.nan, "epochs": 10}, "learning_rate"),
        ({"learning_rate": 0.1, "epochs": -1}, "epochs"),
        ({"learning_rate": 0.1, "epochs": 2.5}, "epochs"),
        ({"learning_rate": 0.1, "epochs": 1, "beta0": [0.0, 0.0]}, "beta has 2 entries"),
        ({"learning_rate": 0.1, "epochs": 1, "l2": -1.0}, "l2"),
    ],
)
def test_gradient_descent_rejects_bad_settings(marks_design, kwargs, message):
    X, y = marks_design
    with pytest.raises(ValueError, match=message):
        logreg.gradient_descent(X, y, **kwargs)


def test_newton_rejects_bad_tolerance(marks_design):
    X, y = marks_design
    with pytest.raises(ValueError, match="tol"):
        logreg.newton(X, y, tol=0.0)


# --- the estimator's Newton: sub-sampled early Hessians, reused late factorisations ----------------------------


def large_problem(seed: int = 0, n: int = 6000, p: int = 10):
    X, y = make_classification(n_samples=n, n_features=p, n_informative=p // 2, n_redundant=0, random_state=seed)
    return logreg.add_intercept(X), y.astype(float)


def base_rate_start(design, y):
    start = np.zeros(design.shape[1])
    start[0] = np.log(y.mean() / (1 - y.mean()))
    return start


def test_cheap_hessians_subsample_large_data_and_keep_small_data_exact():
    design, _ = large_problem()
    assert _CheapDirections(design, 0.0, None).stride == 8  # 6000 rows, 11 coefficients: every 8th row
    assert _CheapDirections(design[:300], 0.0, None).stride == 1  # too few rows per coefficient to subsample


@pytest.mark.parametrize("l2", [0.0, 1 / 6000, 0.05])
def test_cheap_hessians_reach_the_exact_newton_optimum(l2):
    design, y = large_problem(1)
    exact = newton_unchecked(design, y, l2, None, tol=1e-10, max_iter=100, beta=np.zeros(11))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        cheap = newton_unchecked(
            design, y, l2, None, tol=1e-10, max_iter=100, beta=base_rate_start(design, y), cheap_hessians=True
        )
    assert cheap.gradient_norm <= 1e-10
    np.testing.assert_allclose(cheap.beta, exact.beta, rtol=0, atol=1e-8 * np.max(np.abs(exact.beta)))
    assert abs(cheap.history[-1] - exact.history[-1]) <= 1e-14
    assert np.all(np.diff(cheap.history) <= 1e-15), "the line search still never increases the cost"


def test_cheap_hessians_agree_with_statsmodels_to_1e_8():
    design, y = large_problem(2, n=20_000, p=30)
    mle = sm.Logit(y, design).fit(method="newton", tol=1e-12, disp=False).params
    cheap = newton_unchecked(
        design, y, 0.0, None, tol=1e-10, max_iter=100, beta=base_rate_start(design, y), cheap_hessians=True
    )
    np.testing.assert_allclose(cheap.beta, mle, rtol=0, atol=1e-8 * np.max(np.abs(mle)))


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000), weighted=st.booleans())
def test_cheap_and_exact_newton_agree_on_random_problems(seed, weighted):
    rng = np.random.default_rng(seed)
    n, p = int(rng.integers(400, 3000)), int(rng.integers(1, 8))
    design = logreg.add_intercept(rng.normal(size=(n, p)) * rng.uniform(0.1, 10, size=p))
    y = (rng.random(n) < logreg.sigmoid(design @ rng.normal(size=p + 1))).astype(float)
    y[:2] = [0.0, 1.0]
    weights = rng.uniform(0, 3, size=n) * (rng.random(n) < 0.9) if weighted else None
    if weighted:
        weights[:2] = 1.0
    l2 = 1 / n
    exact = logreg.newton(design, y, l2=l2, sample_weight=weights)
    cheap = newton_unchecked(design, y, l2, weights, tol=1e-10, max_iter=100, beta=np.zeros(p + 1), cheap_hessians=True)
    assert cheap.gradient_norm <= 1e-10
    assert abs(cheap.history[-1] - exact.history[-1]) <= 1e-13
