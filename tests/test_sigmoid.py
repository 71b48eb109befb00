import math
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from logreg import log_sigmoid, sigmoid

finite_floats = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False)


def test_exact_values_and_types():
    assert sigmoid(0) == 0.5 and isinstance(sigmoid(0.0), float)
    assert sigmoid(1.0) == pytest.approx(1 / (1 + np.exp(-1.0)), rel=1e-15)
    assert sigmoid(np.array([0.0, 0.0])).tolist() == [0.5, 0.5]
    assert sigmoid([[-2.0, 2.0]]).shape == (1, 2)


def test_no_overflow_in_the_far_tails():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        tails = sigmoid(np.array([-1e4, 1e4, -np.inf, np.inf, -800.0, 800.0]))
    assert tails.tolist() == [0.0, 1.0, 0.0, 1.0, 0.0, 1.0]
    assert not np.isnan(tails).any()


def test_exactly_one_and_one_half():
    assert sigmoid(0.0) == 0.5 and sigmoid(-0.0) == 0.5
    assert sigmoid(np.array([36.8, 40.0, 709.8, 1e300])).tolist() == [1.0] * 4
    assert sigmoid(36.0) < 1.0


def test_subnormal_left_tail_where_expit_underflows():
    """exp(z) / (1 + exp(z)) keeps going down to the smallest subnormal; 1 / (1 + exp(-z)) stops at -709.78."""
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        left = sigmoid(np.array([-709.8, -720.0, -745.0, -746.0]))
    # for z < -40, 1 + e^z rounds to 1, so sigmoid(z) is the correctly rounded e^z
    assert left[0] == pytest.approx(math.exp(-709.8), rel=1e-15) and left[0] == pytest.approx(5.4673e-309, rel=1e-4)
    assert left[1] == math.exp(-720.0) and left[1] == pytest.approx(2.0322e-313, rel=1e-4)
    assert left[2] == 5e-324 and left[3] == 0.0
    with np.errstate(over="ignore"):  # the one-line formula gives 0.0 there: why we do not use it
        assert 1 / (1 + np.exp(np.float64(709.8))) == 0.0


def test_accurate_to_a_few_ulps_against_the_textbook_formula():
    z = np.linspace(-700, 700, 14001)
    with np.errstate(over="ignore"):
        direct = 1 / (1 + np.exp(-z))
    np.testing.assert_allclose(sigmoid(z), direct, rtol=4 * np.finfo(float).eps, atol=0)


def test_nan_is_rejected():
    with pytest.raises(ValueError, match="NaN"):
        sigmoid([0.0, np.nan])


@given(finite_floats)
def test_symmetry_and_bounds(z):
    assert 0.0 <= sigmoid(z) <= 1.0
    assert sigmoid(-z) == pytest.approx(1.0 - sigmoid(z), abs=1e-15)


@given(st.floats(min_value=-30, max_value=30))
def test_derivative_is_sigma_times_one_minus_sigma(z):
    h = 1e-5
    numeric = (sigmoid(z + h) - sigmoid(z - h)) / (2 * h)
    assert numeric == pytest.approx(sigmoid(z) * (1 - sigmoid(z)), abs=1e-9)


def test_log_sigmoid_is_finite_where_log_of_sigmoid_is_not():
    assert log_sigmoid(-1000.0) == pytest.approx(-1000.0)
    assert log_sigmoid(0.0) == pytest.approx(np.log(0.5))
