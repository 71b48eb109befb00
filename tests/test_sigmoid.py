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
