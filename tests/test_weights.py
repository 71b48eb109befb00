"""Sample and class weights: scikit-learn's weighted optimum, repeated rows, invariances, and every bad weight."""

import warnings

import numpy as np
import pytest
import sklearn.linear_model
import statsmodels.api as sm
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.datasets import make_classification

import logreg
from logreg import LogisticRegression
from logreg.loss import gradient_from_scores, mean_log_loss, objective, penalty_value


def problem(seed: int = 0, n: int = 200, p: int = 5):
    X, y = make_classification(n_samples=n, n_features=p, n_informative=min(p, 3), n_redundant=0, random_state=seed)
    weights = np.random.default_rng(seed).uniform(0.1, 3.0, size=n)
    return X, y, weights


def tight_sklearn(**params):
    return sklearn.linear_model.LogisticRegression(tol=1e-12, max_iter=100_000, **params)


def coefficients(model) -> np.ndarray:
    return np.c_[model.intercept_, model.coef_]


# --- the estimator against scikit-learn -------------------------------------------------------------------------


@pytest.mark.parametrize("solver", ["newton", "lbfgs"])
@pytest.mark.parametrize("C", [0.1, 1.0, 10.0])
def test_sample_weight_reaches_scikit_learns_weighted_optimum(solver, C):
    X, y, s = problem(1)
    l2 = None if C == 1.0 else 1 / (C * s.sum())  # l2=None means 1/sum(s): scikit-learn's C=1
    ours = LogisticRegression(l2=l2, solver=solver).fit(X, y, sample_weight=s)
    theirs = tight_sklearn(C=C).fit(X, y, sample_weight=s)
    np.testing.assert_allclose(coefficients(ours), coefficients(theirs), rtol=1e-6, atol=1e-7)
    unweighted = LogisticRegression(l2=l2, solver=solver).fit(X, y)
    assert np.max(np.abs(ours.coef_ - unweighted.coef_)) > 1e-3, "the weights must change the fit"


@pytest.mark.parametrize(
    "class_weight", ["balanced", {0: 3.0, 1: 0.5}, {1: 2.0}], ids=["balanced", "dict", "dict-one-class"]
)
@pytest.mark.parametrize("with_sample_weight", [False, True])
def test_class_weight_reaches_scikit_learns_optimum(class_weight, with_sample_weight):
    X, y = make_classification(n_samples=300, n_features=4, weights=[0.85], random_state=3)
    s = np.random.default_rng(3).uniform(0.5, 2.0, size=len(y)) if with_sample_weight else None
    ours = LogisticRegression(class_weight=class_weight).fit(X, y, sample_weight=s)
    theirs = tight_sklearn(class_weight=class_weight).fit(X, y, sample_weight=s)
    np.testing.assert_allclose(coefficients(ours), coefficients(theirs), rtol=1e-6, atol=1e-7)


def test_balanced_is_n_over_classes_times_count():
    X, y = make_classification(
        n_samples=400, n_features=3, n_informative=2, n_redundant=0, weights=[0.8], random_state=0
    )
    counts = np.bincount(y)
    rule = len(y) / (2 * counts)
    balanced = LogisticRegression(class_weight="balanced").fit(X, y)
    explicit = LogisticRegression(class_weight={0: rule[0], 1: rule[1]}).fit(X, y)
    by_rows = LogisticRegression().fit(X, y, sample_weight=rule[y])
    np.testing.assert_allclose(coefficients(balanced), coefficients(explicit), rtol=1e-12)
    np.testing.assert_allclose(coefficients(balanced), coefficients(by_rows), rtol=1e-12)
    # balancing moves the boundary towards the rare class's side: more rare-class predictions
    plain = LogisticRegression().fit(X, y)
    rare = np.argmin(counts)
    assert np.sum(balanced.predict(X) == rare) > np.sum(plain.predict(X) == rare)


def test_class_weight_works_with_string_labels_and_more_classes():
    X, y = make_classification(n_samples=300, n_features=5, n_informative=4, n_redundant=0, n_classes=3, random_state=0)
    words = np.array(["ant", "bee", "cat"])[y]
    weights = {"ant": 2.0, "cat": 0.5}
    model = LogisticRegression(class_weight=weights).fit(X, words)
    per_row = np.array([2.0, 1.0, 0.5])[y]  # the softmax model weights each row by its class's weight
    by_rows = LogisticRegression().fit(X, words, sample_weight=per_row)
    np.testing.assert_allclose(model.coef_, by_rows.coef_, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(model.intercept_, by_rows.intercept_, rtol=1e-12, atol=1e-14)


# --- repeated rows, scaling, dropping -----------------------------------------------------------------------------


def test_integer_weights_equal_repeated_rows():
    X, y = make_classification(n_samples=60, n_features=3, n_informative=2, n_redundant=0, random_state=2)
    counts = np.random.default_rng(2).integers(1, 4, size=len(y))
    repeated_X, repeated_y = np.repeat(X, counts, axis=0), np.repeat(y, counts)
    weighted = LogisticRegression().fit(X, y, sample_weight=counts)
    repeated = LogisticRegression().fit(repeated_X, repeated_y)
    np.testing.assert_allclose(coefficients(weighted), coefficients(repeated), rtol=1e-9, atol=1e-12)
    design = logreg.add_intercept(X)
    functional = logreg.newton(design, y, l2=0.01, sample_weight=counts)
    by_rows = logreg.newton(logreg.add_intercept(repeated_X), repeated_y, l2=0.01)
    np.testing.assert_allclose(functional.beta, by_rows.beta, rtol=1e-9, atol=1e-12)
    assert functional.history[-1] == pytest.approx(by_rows.history[-1], rel=1e-12)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), factor=st.floats(1e-3, 1e3))
def test_scaling_every_weight_changes_nothing(seed, factor):
    X, y, s = problem(seed % 100, n=80, p=3)
    design = logreg.add_intercept(X)
    beta = np.random.default_rng(seed).normal(size=4)
    assert logreg.cost(beta, design, y, 0.1, sample_weight=factor * s) == pytest.approx(
        logreg.cost(beta, design, y, 0.1, sample_weight=s), rel=1e-12
    )
    np.testing.assert_allclose(
        logreg.hessian(beta, design, y, 0.1, sample_weight=factor * s),
        logreg.hessian(beta, design, y, 0.1, sample_weight=s),
        rtol=1e-10,
    )
    scaled = LogisticRegression(l2=0.01).fit(X, y, sample_weight=factor * s)
    plain = LogisticRegression(l2=0.01).fit(X, y, sample_weight=s)
    np.testing.assert_allclose(coefficients(scaled), coefficients(plain), rtol=1e-8, atol=1e-10)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), n_dropped=st.integers(1, 20))
def test_weight_zero_equals_dropping_the_row(seed, n_dropped):
    X, y, s = problem(seed % 100, n=80, p=3)
    dropped = np.random.default_rng(seed).choice(len(y), size=n_dropped, replace=False)
    s[dropped] = 0.0
    kept = s > 0
    zeroed = LogisticRegression().fit(X, y, sample_weight=s)  # l2 = 1/sum(s): the zero rows add nothing to it
    without = LogisticRegression().fit(X[kept], y[kept], sample_weight=s[kept])
    np.testing.assert_allclose(coefficients(zeroed), coefficients(without), rtol=1e-8, atol=1e-10)
    design = logreg.add_intercept(X)
    beta = np.random.default_rng(seed).normal(size=4)
    assert logreg.cost(beta, design, y, sample_weight=s) == pytest.approx(
        logreg.cost(beta, design[kept], y[kept], sample_weight=s[kept]), rel=1e-12
    )


def test_all_ones_weights_are_the_unweighted_fit(marks_design):
    X, y = marks_design
    ones = np.ones(len(y))
    assert logreg.cost([-24, 0.2, 0.2], X, y, sample_weight=ones) == logreg.cost([-24, 0.2, 0.2], X, y)
    np.testing.assert_allclose(logreg.newton(X, y, sample_weight=ones).beta, logreg.newton(X, y).beta, rtol=1e-12)


# --- the functional API ----------------------------------------------------------------------------------------


def test_weighted_newton_equals_statsmodels_glm_with_frequency_weights():
    X, y, s = problem(4, n=150, p=3)
    design = logreg.add_intercept(X)
    glm = sm.GLM(y, design, family=sm.families.Binomial(), freq_weights=s).fit(tol=1e-12)
    np.testing.assert_allclose(logreg.newton(design, y, sample_weight=s).beta, glm.params, rtol=1e-7)


def test_weighted_gradient_and_hessian_are_the_derivatives_of_the_weighted_cost():
    X, y, s = problem(5, n=60, p=3)
    design = logreg.add_intercept(X)
    beta = np.array([0.3, -0.5, 0.8, 0.1])
    h = 1e-6
    basis = np.eye(4)
    numeric_gradient = [
        (
            logreg.cost(beta + h * e, design, y, 0.2, sample_weight=s)
            - logreg.cost(beta - h * e, design, y, 0.2, sample_weight=s)
        )
        / (2 * h)
        for e in basis
    ]
    np.testing.assert_allclose(logreg.gradient(beta, design, y, 0.2, sample_weight=s), numeric_gradient, atol=1e-8)
    numeric_hessian = np.column_stack(
        [
            (
                logreg.gradient(beta + h * e, design, y, 0.2, sample_weight=s)
                - logreg.gradient(beta - h * e, design, y, 0.2, sample_weight=s)
            )
            / (2 * h)
            for e in basis
        ]
    )
    np.testing.assert_allclose(logreg.hessian(beta, design, y, 0.2, sample_weight=s), numeric_hessian, atol=1e-7)
    manual = np.sum(s * (np.logaddexp(0, design @ beta) - y * (design @ beta))) / s.sum() + 0.1 * beta[1:] @ beta[1:]
    assert logreg.cost(beta, design, y, 0.2, sample_weight=s) == pytest.approx(manual, rel=1e-13)


def test_weighted_gradient_descent_approaches_the_weighted_newton_optimum():
    X, y, s = problem(6, n=100, p=2)
    design = logreg.add_intercept(X)
    exact = logreg.newton(design, y, l2=0.05, sample_weight=s)
    descent = logreg.gradient_descent(design, y, learning_rate=1.0, epochs=3000, l2=0.05, sample_weight=s)
    np.testing.assert_allclose(descent.beta, exact.beta, atol=1e-6)
    assert descent.history[-1] == pytest.approx(exact.history[-1], abs=1e-10)


def test_separation_check_ignores_rows_of_weight_zero():
    x = np.array([-3.0, -2.0, -1.0, 1.0, 2.0, 3.0, 2.5])
    y = np.array([0, 0, 0, 1, 1, 1, 0])  # the last row breaks the separation ...
    design = logreg.add_intercept(x[:, None])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        logreg.newton(design, y)
    with pytest.warns(logreg.PerfectSeparationWarning, match="separable"):  # ... unless it weighs nothing
        logreg.newton(design, y, sample_weight=[1, 1, 1, 1, 1, 1, 0])


def test_the_helpers_other_modules_import_keep_their_positional_signatures():
    X, y, s = problem(7, n=50, p=2)
    design = logreg.add_intercept(X)
    beta = np.array([0.1, 0.2, -0.3])
    scores = design @ beta
    grad = gradient_from_scores(beta, design, y, 0.5, scores)
    np.testing.assert_allclose(grad, logreg.gradient(beta, design, y, 0.5), rtol=1e-14)
    value = mean_log_loss(scores, y) + penalty_value(beta, 0.5)
    assert value == pytest.approx(objective(beta, design, y, 0.5), rel=1e-15)
    assert value == pytest.approx(logreg.cost(beta, design, y, 0.5), rel=1e-15)
    weighted = gradient_from_scores(beta, design, y, 0.5, scores, sample_weight=s)
    np.testing.assert_allclose(weighted, logreg.gradient(beta, design, y, 0.5, sample_weight=s), rtol=1e-14)


# --- bad weights ------------------------------------------------------------------------------------------------

X_SMALL = logreg.add_intercept(np.array([[1.0], [2.0], [3.0], [4.0]]))
Y_SMALL = np.array([0, 0, 1, 1])

BAD_WEIGHTS = [
    pytest.param([1.0, 1.0, 1.0], "X has 4 rows but sample_weight has 3 entries", id="too-short"),
    pytest.param(np.ones((4, 1)), "sample_weight must be a 1-D vector", id="2-d"),
    pytest.param([1.0, -0.5, 1.0, 1.0], "sample_weight must be >= 0; 1 entries are negative", id="negative"),
    pytest.param([1.0, np.nan, 1.0, 1.0], "sample_weight contains NaN", id="nan"),
    pytest.param([1.0, np.inf, 1.0, 1.0], "sample_weight contains inf", id="inf"),
    pytest.param([0.0, 0.0, 0.0, 0.0], "every sample_weight is zero", id="all-zero"),
    pytest.param(["a", "b", "c", "d"], "sample_weight must be numeric", id="strings"),
    pytest.param([1.0, 1.0, 0.0, 0.0], "only class 0 has a positive sample_weight", id="one-class-weighted"),
]


@pytest.mark.parametrize(("weights", "message"), BAD_WEIGHTS)
def test_functional_api_rejects_bad_weights(weights, message):
    calls = [
        lambda: logreg.cost(np.zeros(2), X_SMALL, Y_SMALL, sample_weight=weights),
        lambda: logreg.gradient(np.zeros(2), X_SMALL, Y_SMALL, sample_weight=weights),
        lambda: logreg.hessian(np.zeros(2), X_SMALL, Y_SMALL, sample_weight=weights),
        lambda: logreg.newton(X_SMALL, Y_SMALL, sample_weight=weights),
        lambda: logreg.gradient_descent(X_SMALL, Y_SMALL, learning_rate=0.1, epochs=1, sample_weight=weights),
    ]
    for call in calls:
        with pytest.raises(ValueError, match=message):
            call()


@pytest.mark.parametrize(("weights", "message"), [p for p in BAD_WEIGHTS if p.id != "one-class-weighted"])
def test_estimator_rejects_bad_weights(weights, message):
    with pytest.raises(ValueError, match=message):
        LogisticRegression().fit(X_SMALL[:, 1:], Y_SMALL, sample_weight=weights)


@pytest.mark.parametrize(
    ("class_weight", "sample_weight", "message"),
    [
        ("balance", None, 'class_weight must be None, "balanced" or a dict'),
        ([1.0, 2.0], None, 'class_weight must be None, "balanced" or a dict; got list'),
        ({2: 1.0}, None, r"class_weight has keys \[2\] that are not classes of y"),
        ({0: -1.0}, None, "class_weight values must be finite numbers >= 0"),
        ({0: "heavy"}, None, "class_weight values must be numbers"),
        ({0: 0.0}, None, "class 0 has no sample with a positive weight"),
        (None, [1.0, 1.0, 0.0, 0.0], "class 1 has no sample with a positive weight"),
    ],
)
def test_estimator_rejects_bad_class_weights(class_weight, sample_weight, message):
    with pytest.raises(ValueError, match=message):
        LogisticRegression(class_weight=class_weight).fit(X_SMALL[:, 1:], Y_SMALL, sample_weight=sample_weight)


def test_a_scalar_weight_is_every_rows_weight():
    np.testing.assert_allclose(
        logreg.gradient([0.1, 0.2], X_SMALL, Y_SMALL, 0.3, sample_weight=2.5),
        logreg.gradient([0.1, 0.2], X_SMALL, Y_SMALL, 0.3),
        rtol=1e-14,
    )
    weights = np.ones(4)
    LogisticRegression(class_weight="balanced").fit(X_SMALL[:, 1:], Y_SMALL, sample_weight=weights)
    assert np.array_equal(weights, np.ones(4)), "fit must not overwrite the caller's weights"
