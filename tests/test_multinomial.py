"""The multinomial (softmax) model of LogisticRegression: scikit-learn's optimum, its derivatives, its solver."""

import warnings

import numpy as np
import pytest
import sklearn.linear_model
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.datasets import load_digits, load_iris, make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.multiclass import OneVsRestClassifier
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

import logreg
from logreg import LogisticRegression
from logreg.multinomial import (
    _gradient,
    _probabilities,
    _value,
    full_hessian,
    hessian_vector_product,
    newton_multinomial,
    resolve_method,
)
from logreg.optimize import newton_unchecked


def reference(X, y, sample_weight=None, class_weight=None, C=1.0):
    """scikit-learn's newton-cholesky run to tol=1e-12: the exact multinomial optimum."""
    model = sklearn.linear_model.LogisticRegression(
        C=C, solver="newton-cholesky", tol=1e-12, max_iter=1000, class_weight=class_weight
    )
    with threadpool_limits(limits=1):  # threads only slow these small fits down on a shared machine
        return model.fit(X, y, sample_weight=sample_weight)


def four_classes():
    """A weighted four-class problem with string labels and unequal class sizes."""
    X, y = make_classification(
        n_samples=400,
        n_features=6,
        n_informative=4,
        n_redundant=0,
        n_classes=4,
        n_clusters_per_class=1,
        weights=[0.4, 0.3, 0.2, 0.1],
        random_state=1,
    )
    words = np.array(["ant", "bee", "cat", "dog"])[y]
    weights = np.random.default_rng(1).uniform(0.2, 3.0, size=len(y))
    return X, words, weights


def digits():
    X, y = load_digits(return_X_y=True)
    return StandardScaler().fit_transform(X), y


def assert_same_model(ours, theirs, X):
    scale = np.max(np.abs(theirs.coef_))
    assert np.max(np.abs(ours.coef_ - theirs.coef_)) <= 1e-7 * scale
    assert np.max(np.abs(ours.intercept_ - theirs.intercept_)) <= 1e-7 * max(1.0, np.max(np.abs(theirs.intercept_)))
    np.testing.assert_allclose(ours.predict_proba(X), theirs.predict_proba(X), rtol=0, atol=1e-8)
    np.testing.assert_array_equal(ours.predict(X), theirs.predict(X))
    assert ours.classes_.tolist() == theirs.classes_.tolist()


# --- scikit-learn's optimum ---------------------------------------------------------------------------------------


def test_iris_default_is_scikit_learns_multinomial_model():
    X, y = load_iris(return_X_y=True)
    ours = LogisticRegression().fit(X, y)
    assert ours.coef_.shape == (3, 4) and ours.intercept_.shape == (3,) and ours.n_iter_.shape == (1,)
    assert_same_model(ours, reference(X, y), X)


def test_standardised_digits_reach_scikit_learns_optimum():
    X, y = digits()
    ours = LogisticRegression().fit(X, y)
    assert ours.coef_.shape == (10, 64)
    assert_same_model(ours, reference(X, y), X)


def test_weighted_string_labels_reach_scikit_learns_optimum():
    X, words, weights = four_classes()
    ours = LogisticRegression().fit(X, words, sample_weight=weights)
    assert ours.classes_.tolist() == ["ant", "bee", "cat", "dog"]
    assert_same_model(ours, reference(X, words, sample_weight=weights), X)
    assert set(ours.predict(X)) <= {"ant", "bee", "cat", "dog"}


@pytest.mark.parametrize("with_sample_weight", [False, True])
def test_balanced_class_weight_matches_scikit_learn(with_sample_weight):
    X, words, weights = four_classes()
    weights = weights if with_sample_weight else None
    ours = LogisticRegression(class_weight="balanced").fit(X, words, sample_weight=weights)
    theirs = reference(X, words, sample_weight=weights, class_weight="balanced")
    assert_same_model(ours, theirs, X)
    plain = LogisticRegression().fit(X, words, sample_weight=weights)
    rare = np.sum(ours.predict(X) == "dog") > np.sum(plain.predict(X) == "dog")
    assert rare, "balancing must predict the rarest class more often"


def test_dict_class_weight_and_other_strengths_match_scikit_learn():
    X, y = load_iris(return_X_y=True)
    weights = {0: 2.0, 2: 0.5}
    for C in (0.05, 30.0):
        total = 2.0 * 50 + 50 + 0.5 * 50  # sum of the rows' weights: l2 = 1 / (C * sum(s))
        ours = LogisticRegression(l2=1 / (C * total), class_weight=weights)
        assert_same_model(ours.fit(X, y), reference(X, y, class_weight=weights, C=C), X)


def test_symmetric_parametrisation():
    X, y = load_iris(return_X_y=True)
    model = LogisticRegression().fit(X, y)
    scale = np.max(np.abs(model.coef_))
    assert np.max(np.abs(model.coef_.sum(axis=0))) <= 1e-12 * scale, "coefficients sum to zero over classes"
    assert abs(model.intercept_.sum()) <= 1e-12 * np.max(np.abs(model.intercept_)), "intercepts are centred"


def test_probabilities_are_the_softmax_of_the_scores():
    X, words, weights = four_classes()
    model = LogisticRegression().fit(X, words, sample_weight=weights)
    scores = model.decision_function(X)
    assert scores.shape == (len(words), 4)
    np.testing.assert_allclose(model.predict_proba(X), logreg.softmax(scores), rtol=1e-14)
    np.testing.assert_allclose(model.predict_proba(X).sum(axis=1), 1.0, rtol=1e-14)
    np.testing.assert_allclose(np.exp(model.predict_log_proba(X)), model.predict_proba(X), rtol=1e-12)
    np.testing.assert_array_equal(model.predict(X), model.classes_[np.argmax(scores, axis=1)])


def test_every_solver_reaches_the_same_optimum():
    X, words, weights = four_classes()
    labels = np.unique(words, return_inverse=True)[1]
    design, l2 = logreg.add_intercept(X), 1 / weights.sum()
    fits = {method: newton_multinomial(design, labels, 4, l2, weights, method=method) for method in ("cholesky", "cg")}
    best = fits["cholesky"].beta
    assert np.max(np.abs(fits["cg"].beta - best)) <= 1e-9 * np.max(np.abs(best))
    assert fits["cholesky"].n_iter <= 10 and fits["cg"].n_iter <= 12
    lbfgs = newton_multinomial(design, labels, 4, l2, weights, method="lbfgs", max_iter=5000, tol=1e-9)
    assert np.max(np.abs(lbfgs.beta - best)) <= 1e-6 * np.max(np.abs(best))
    assert lbfgs.n_iter > fits["cg"].n_iter
    model = LogisticRegression(solver="lbfgs", max_iter=5000, tol=1e-9).fit(X, words, sample_weight=weights)
    np.testing.assert_allclose(model.coef_, best[1:].T, atol=1e-6 * np.max(np.abs(best)))


def test_unpenalised_fit_is_the_minimum_norm_member_of_the_flat_family():
    X, y = make_classification(
        n_samples=300, n_features=3, n_informative=3, n_redundant=0, n_classes=3, flip_y=0.3, random_state=0
    )
    model = LogisticRegression(l2=0).fit(X, y)
    assert np.max(np.abs(model.coef_.sum(axis=0))) <= 1e-10 and abs(model.intercept_.sum()) <= 1e-10
    theirs = reference(X, y, C=np.inf)
    centred = theirs.coef_ - theirs.coef_.mean(axis=0)
    np.testing.assert_allclose(model.coef_, centred, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(model.predict_proba(X), theirs.predict_proba(X), atol=1e-9)


def test_one_vs_rest_stays_available_through_scikit_learn():
    X, y = load_iris(return_X_y=True)
    ovr = OneVsRestClassifier(LogisticRegression()).fit(X, y)
    for k, binary in enumerate(ovr.estimators_):
        alone = LogisticRegression().fit(X, (y == k).astype(int))
        np.testing.assert_array_equal(binary.coef_, alone.coef_)
    multinomial = LogisticRegression().fit(X, y)
    assert np.max(np.abs(ovr.predict_proba(X) - multinomial.predict_proba(X))) > 0.01, "two different models"


# --- binary fits are untouched --------------------------------------------------------------------------------------


def test_binary_fit_is_bit_for_bit_the_binary_newton():
    X, y = make_classification(n_samples=500, n_features=8, random_state=4)
    weights = np.random.default_rng(4).uniform(0.5, 2, size=len(y))
    model = LogisticRegression(class_weight={0: 1.5}).fit(X, y, sample_weight=weights)
    design = np.column_stack([np.ones(len(y)), X])
    rows = weights * np.where(y == 0, 1.5, 1.0)
    start = np.zeros(9)
    rate = np.average(y, weights=rows)
    start[0] = np.log(rate) - np.log1p(-rate)
    direct = newton_unchecked(
        design, y.astype(float), 1 / rows.sum(), rows, tol=1e-10, max_iter=1000, beta=start, cheap_hessians=True
    )
    np.testing.assert_array_equal(model.intercept_, direct.beta[:1])
    np.testing.assert_array_equal(model.coef_, direct.beta[None, 1:])
    assert model.coef_.shape == (1, 8) and model.decision_function(X).shape == (500,)


# --- derivatives --------------------------------------------------------------------------------------------------


def random_problem(seed, n=40, p=3, k=4):
    rng = np.random.default_rng(seed)
    design = logreg.add_intercept(rng.normal(size=(n, p)))
    labels = np.arange(n) % k
    share = rng.uniform(0.1, 2.0, size=n)
    return design, labels, share / share.sum(), rng.normal(size=(p + 1, k))


def objective_gradient(design, labels, share, l2, W):
    scores = design @ W
    P, _ = _probabilities(scores)
    rows = np.arange(len(labels))
    return _value(scores, W, rows, labels, share, l2), _gradient(design, W, P, rows, labels, share, l2), P


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 10_000), l2=st.sampled_from([0.0, 0.3]))
def test_hessian_vector_product_equals_finite_differences_of_the_gradient(seed, l2):
    design, labels, share, W = random_problem(seed)
    V = np.random.default_rng(seed + 1).normal(size=W.shape)
    _, _, P = objective_gradient(design, labels, share, l2, W)
    h = 1e-5
    numeric = (
        objective_gradient(design, labels, share, l2, W + h * V)[1]
        - objective_gradient(design, labels, share, l2, W - h * V)[1]
    ) / (2 * h)
    product = hessian_vector_product(design, P, share, l2, V)
    np.testing.assert_allclose(product, numeric, rtol=0, atol=1e-8 * np.max(np.abs(numeric)))
    # and the full Hessian (class-major order) holds the same products
    hessian = full_hessian(design, P, share, l2)
    np.testing.assert_allclose((hessian @ V.T.ravel()).reshape(W.shape[1], -1).T, product, atol=1e-12)


def test_a_wrong_hessian_vector_product_is_caught():
    design, labels, share, W = random_problem(3)
    _, _, P = objective_gradient(design, labels, share, 0.0, W)
    V = np.ones_like(W) + np.eye(*W.shape)
    h = 1e-5
    numeric = (
        objective_gradient(design, labels, share, 0.0, W + h * V)[1]
        - objective_gradient(design, labels, share, 0.0, W - h * V)[1]
    ) / (2 * h)
    wrong = design.T @ (share[:, None] * P * (design @ V))  # forgets the - p p^T part
    assert np.max(np.abs(wrong - numeric)) > 1e-3
    assert np.max(np.abs(hessian_vector_product(design, P, share, 0.0, V) - numeric)) < 1e-8


def test_the_flat_direction_is_flat():
    design, labels, share, W = random_problem(5)
    _, _, P = objective_gradient(design, labels, share, 0.0, W)
    shift = np.outer(np.random.default_rng(5).normal(size=W.shape[0]), np.ones(W.shape[1]))
    assert np.max(np.abs(hessian_vector_product(design, P, share, 0.0, shift))) < 1e-14
    value, grad, _ = objective_gradient(design, labels, share, 0.0, W)
    assert objective_gradient(design, labels, share, 0.0, W + shift)[0] == pytest.approx(value, rel=1e-12)
    assert np.max(np.abs(grad.sum(axis=1))) < 1e-14, "the gradient has no component along the shifts"


# --- choices and errors -------------------------------------------------------------------------------------------


def test_auto_method_is_cholesky_for_few_unknowns_and_cg_beyond():
    from logreg.multinomial import CHOLESKY_MAX_UNKNOWNS

    assert resolve_method("auto", 5, 3) == "cholesky"  # iris
    assert resolve_method("auto", 65, 10) == "cg"  # digits
    assert resolve_method("auto", CHOLESKY_MAX_UNKNOWNS + 1, 1) == "cg"
    with pytest.raises(ValueError, match="method must be one of"):
        resolve_method("newton-cg", 5, 3)


def test_too_few_steps_warn_and_bad_solver_is_named():
    X, y = digits()
    with pytest.warns(ConvergenceWarning, match="stopped after 1 steps"):
        LogisticRegression(max_iter=1).fit(X, y)
    with pytest.raises(ValueError, match="solver must be one of"):
        LogisticRegression(solver="sag").fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        LogisticRegression().fit(X, y)


# --- the speed measurement (structure and optimum only: never wall-clock thresholds) ------------------------------


def test_the_multiclass_benchmark_fits_all_reach_the_same_optimum():
    from logreg.benchmark import SAME_OPTIMUM, MulticlassRatios, fastest_multiclass_fit

    rows = fastest_multiclass_fit(repeat=1)
    assert [(row.n_samples, row.n_features, row.n_classes) for row in rows] == [
        (150, 4, 3),
        (1797, 64, 10),
        (20_000, 50, 5),
    ]
    for row in rows:
        assert row.at_same_optimum, row
        assert min(row.ours_gap, row.lbfgs_gap, row.newton_cholesky_gap) >= 0.0, "gaps are measured from the best"
        assert row.ours_gap <= SAME_OPTIMUM and 1 <= row.newton_steps <= 12
        fastest = min(row.lbfgs_seconds, row.newton_cholesky_seconds)
        assert row.ratio_to_fastest == pytest.approx(row.ours_seconds / fastest)
    slow = MulticlassRatios("x", 10, 2, 3, 1.1, 1.0, 2.0, 0.0, 0.0, 0.0, 5)
    assert not slow.meets_bar and MulticlassRatios("x", 10, 2, 3, 0.5, 1.0, 2.0, 0.0, 0.0, 0.0, 5).meets_bar
    assert not MulticlassRatios("x", 10, 2, 3, 0.5, 1.0, 2.0, 2e-9, 0.0, 0.0, 5).meets_bar
