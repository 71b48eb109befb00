"""Every kind of bad input gets a ValueError that names the problem, from every public function."""

import numpy as np
import pytest

import logreg

X_GOOD = logreg.add_intercept(np.array([[1.0], [2.0], [3.0], [4.0]]))
Y_GOOD = np.array([0, 0, 1, 1])
BETA_GOOD = np.zeros(2)

BAD_INPUTS = [
    pytest.param(X_GOOD[:, 1], Y_GOOD, BETA_GOOD, "X must be a 2-D matrix", id="X-1d"),
    pytest.param(np.zeros((0, 2)), np.zeros(0), BETA_GOOD, "X is empty", id="X-empty"),
    pytest.param(np.where(X_GOOD == 2.0, np.nan, X_GOOD), Y_GOOD, BETA_GOOD, "X contains NaN", id="X-nan"),
    pytest.param(np.where(X_GOOD == 2.0, np.inf, X_GOOD), Y_GOOD, BETA_GOOD, "X contains inf", id="X-inf"),
    pytest.param([["a", "b"]] * 4, Y_GOOD, BETA_GOOD, "X must be numeric", id="X-strings"),
    pytest.param(X_GOOD, Y_GOOD[:3], BETA_GOOD, "X has 4 rows but y has 3 labels", id="y-length"),
    pytest.param(X_GOOD, Y_GOOD[:, None], BETA_GOOD, "y must be a 1-D vector", id="y-2d"),
    pytest.param(X_GOOD, [0, 1, 2, 1], BETA_GOOD, r"labels must be 0 or 1; y also contains \[2.0\]", id="y-label-2"),
    pytest.param(X_GOOD, [-1, 1, -1, 1], BETA_GOOD, "labels must be 0 or 1", id="y-label-minus1"),
    pytest.param(X_GOOD, [0, 1, np.nan, 1], BETA_GOOD, "y contains NaN", id="y-nan"),
    pytest.param(X_GOOD, [1, 1, 1, 1], BETA_GOOD, "one class only", id="y-one-class"),
    pytest.param(X_GOOD, Y_GOOD, np.zeros(3), "beta has 3 entries but X has 2 columns", id="beta-length"),
    pytest.param(X_GOOD, Y_GOOD, [np.inf, 0.0], "beta contains inf", id="beta-inf"),
]


@pytest.mark.parametrize(("X", "y", "beta", "message"), BAD_INPUTS)
@pytest.mark.parametrize("function", [logreg.cost, logreg.gradient, logreg.hessian])
def test_cost_gradient_hessian_reject(function, X, y, beta, message):
    with pytest.raises(ValueError, match=message):
        function(beta, X, y)


@pytest.mark.parametrize(("X", "y", "beta", "message"), [p for p in BAD_INPUTS if "beta" not in p.id])
def test_solvers_reject(X, y, beta, message):
    with pytest.raises(ValueError, match=message):
        logreg.newton(X, y)
    with pytest.raises(ValueError, match=message):
        logreg.gradient_descent(X, y, learning_rate=0.1, epochs=1)


def test_negative_or_infinite_penalty():
    for l2 in (-0.1, np.inf, np.nan):
        with pytest.raises(ValueError, match="l2 must be a finite number >= 0"):
            logreg.cost(BETA_GOOD, X_GOOD, Y_GOOD, l2=l2)


def test_features_reject_bad_matrices():
    with pytest.raises(ValueError, match="2-D"):
        logreg.add_intercept([1.0, 2.0])
    with pytest.raises(ValueError, match="NaN"):
        logreg.z_score([[1.0], [np.nan]])
    with pytest.raises(ValueError, match="more than 1 rows"):
        logreg.z_score([[1.0, 2.0]])


def test_z_score_keeps_constant_columns_and_standardises_the_rest():
    design = logreg.add_intercept(np.array([[1.0, 5.0], [2.0, 5.0], [3.0, 5.0]]))
    standardised = logreg.z_score(design)
    np.testing.assert_array_equal(standardised[:, [0, 2]], design[:, [0, 2]])
    np.testing.assert_allclose(standardised[:, 1], [-1.0, 0.0, 1.0])
    np.testing.assert_allclose(logreg.z_score(design, ddof=0)[:, 1], [-1.224744871, 0.0, 1.224744871])
