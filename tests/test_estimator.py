"""The scikit-learn compatible estimator: the API contract, and the same optimum as scikit-learn."""

import warnings

import numpy as np
import pytest
import sklearn.linear_model
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.datasets import make_classification
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import cross_val_score
from sklearn.multiclass import OneVsRestClassifier
from sklearn.utils.estimator_checks import check_estimator

import logreg
from logreg import LogisticRegression


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.SkipTestWarning")  # array-API check: not applicable
def test_passes_every_scikit_learn_estimator_check():
    failures = check_estimator(LogisticRegression(), on_fail=None)
    failed = [(row["check_name"], str(row["exception"])[:200]) for row in failures if row["status"] == "failed"]
    assert failed == []
    assert sum(row["status"] == "passed" for row in failures) > 40


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.SkipTestWarning")
def test_lbfgs_solver_passes_the_checks_too():
    failures = check_estimator(LogisticRegression(solver="lbfgs"), on_fail=None)
    assert [row["check_name"] for row in failures if row["status"] == "failed"] == []


@pytest.mark.parametrize("C", [0.01, 1.0, 100.0])
@pytest.mark.parametrize("solver", ["newton", "lbfgs"])
def test_l2_equals_one_over_C_n_reaches_scikit_learns_optimum(C, solver):
    X, y = make_classification(n_samples=300, n_features=6, n_informative=4, random_state=7)
    ours = LogisticRegression(l2=1 / (C * len(y)), solver=solver).fit(X, y)
    theirs = sklearn.linear_model.LogisticRegression(C=C, tol=1e-12, max_iter=10_000).fit(X, y)
    np.testing.assert_allclose(ours.coef_, theirs.coef_, atol=1e-5)
    np.testing.assert_allclose(ours.intercept_, theirs.intercept_, atol=1e-5)
    np.testing.assert_allclose(ours.predict_proba(X), theirs.predict_proba(X), atol=1e-7)


def test_default_penalty_is_scikit_learns_default_C_1():
    X, y = make_classification(n_samples=200, n_features=4, random_state=1)
    ours = LogisticRegression().fit(X, y)
    theirs = sklearn.linear_model.LogisticRegression(tol=1e-12).fit(X, y)
    np.testing.assert_allclose(ours.coef_, theirs.coef_, atol=1e-5)


def test_unpenalised_fit_on_marks_is_andrew_ngs(marks):
    X, y = marks
    model = LogisticRegression(l2=0).fit(X, y)
    assert model.coef_.shape == (1, 2) and model.intercept_.shape == (1,)
    np.testing.assert_allclose(np.r_[model.intercept_, model.coef_.ravel()], [-25.161, 0.20623, 0.20147], rtol=5e-4)
    assert model.predict_proba([[45, 85]])[0, 1] == pytest.approx(0.776291, abs=1e-6)
    assert model.score(X, y) == 0.89
    unpenalised = sklearn.linear_model.LogisticRegression(C=np.inf, tol=1e-12, max_iter=10_000).fit(X, y)
    np.testing.assert_allclose(model.coef_, unpenalised.coef_, rtol=1e-5)
    assert model.n_iter_.shape == (1,) and 1 <= model.n_iter_[0] <= 15


def test_any_label_values_through_classes_(marks):
    X, y = marks
    words = np.where(y == 1, "admitted", "rejected")
    model = LogisticRegression(l2=0).fit(X, words)
    assert model.classes_.tolist() == ["admitted", "rejected"]
    # "admitted" sorts first, so the positive class is "rejected": the coefficients flip sign
    np.testing.assert_allclose(model.coef_, -LogisticRegression(l2=0).fit(X, y).coef_, rtol=1e-9)
    assert set(model.predict(X)) == {"admitted", "rejected"}
    assert np.mean(model.predict(X) == words) == 0.89


def test_three_classes_fit_the_softmax_model_and_one_vs_rest_stays_available():
    X, y = make_classification(n_samples=300, n_features=5, n_informative=4, n_redundant=0, n_classes=3, random_state=0)
    model = LogisticRegression().fit(X, y)
    assert model.coef_.shape == (3, 5) and model.intercept_.shape == (3,) and model.n_iter_.shape == (1,)
    np.testing.assert_allclose(model.predict_proba(X), logreg.softmax(model.decision_function(X)), rtol=1e-14)
    np.testing.assert_array_equal(model.predict(X), np.argmax(model.decision_function(X), axis=1))
    theirs = sklearn.linear_model.LogisticRegression(solver="newton-cholesky", tol=1e-12).fit(X, y)
    np.testing.assert_allclose(model.coef_, theirs.coef_, rtol=1e-7)
    ovr = OneVsRestClassifier(LogisticRegression()).fit(X, y)
    for k in range(3):
        binary = LogisticRegression().fit(X, (y == k).astype(int))
        np.testing.assert_array_equal(ovr.estimators_[k].coef_, binary.coef_)
    assert model.score(X, y) > 0.7


def test_works_inside_scikit_learns_model_selection():
    X, y = make_classification(n_samples=200, n_features=5, random_state=3)
    scores = cross_val_score(LogisticRegression(), X, y, cv=5)
    reference = cross_val_score(sklearn.linear_model.LogisticRegression(), X, y, cv=5)
    np.testing.assert_allclose(scores, reference)


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 1000))
def test_predictions_do_not_depend_on_row_order(seed):
    X, y = make_classification(n_samples=80, n_features=3, n_informative=2, n_redundant=0, random_state=seed % 50)
    order = np.random.default_rng(seed).permutation(len(y))
    model = LogisticRegression().fit(X, y)
    shuffled = LogisticRegression().fit(X[order], y[order])
    np.testing.assert_allclose(model.predict_proba(X), shuffled.predict_proba(X), atol=1e-10)


def test_auto_picks_lbfgs_for_many_features(monkeypatch):
    monkeypatch.setattr(logreg.estimator, "NEWTON_MAX_FEATURES", 5)  # the real limit (1000) would make a slow test
    X, y = make_classification(n_samples=300, n_features=6, random_state=0)
    auto = LogisticRegression().fit(X, y)
    lbfgs = LogisticRegression(solver="lbfgs").fit(X, y)
    np.testing.assert_array_equal(auto.n_iter_, lbfgs.n_iter_)
    newton = LogisticRegression(solver="newton").fit(X[:, :5], y)
    np.testing.assert_array_equal(LogisticRegression().fit(X[:, :5], y).n_iter_, newton.n_iter_)
    assert newton.n_iter_[0] < 20


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"solver": "sgd"}, "solver must be one of"),
        ({"l2": -1.0}, "l2 must be a finite number >= 0"),
        ({"max_iter": 0}, "max_iter"),
        ({"tol": 0}, "tol"),
    ],
)
def test_bad_parameters_are_named(params, message):
    X, y = make_classification(n_samples=50, n_features=3, n_informative=2, n_redundant=0, random_state=0)
    with pytest.raises(ValueError, match=message):
        LogisticRegression(**params).fit(X, y)


def test_bad_data_is_named():
    X = np.array([[0.0], [1.0], [2.0]])
    with pytest.raises(ValueError, match="one class"):
        LogisticRegression().fit(X, [1, 1, 1])
    with pytest.raises(ValueError, match="NaN"):
        LogisticRegression().fit([[0.0], [np.nan], [2.0]], [0, 1, 1])
    with pytest.raises(ValueError, match="continuous"):
        LogisticRegression().fit(X, [0.5, 1.5, 2.5])
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        LogisticRegression().fit(X, [0, 1])
    model = LogisticRegression().fit(X, [0, 1, 1])
    with pytest.raises(ValueError, match="X has 2 features, but LogisticRegression is expecting 1"):
        model.predict([[0.0, 1.0]])
    with pytest.raises(NotFittedError):
        LogisticRegression().predict(X)


def test_no_warnings_on_well_posed_problems():
    X, y = make_classification(n_samples=500, n_features=10, random_state=5)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for solver in ("newton", "lbfgs"):
            LogisticRegression(solver=solver).fit(X, y)
