"""The benchmark helpers measure what they say (structure and arithmetic; never wall-clock thresholds)."""

import numpy as np
import pytest
from sklearn.datasets import make_classification

from logreg import add_intercept, z_score
from logreg.benchmark import best_time, compare_fit, epoch_speed


def test_best_time_keeps_the_fastest_run():
    calls = []
    assert best_time(lambda: calls.append(1), repeat=4) >= 0 and len(calls) == 4
    with pytest.raises(ValueError, match="repeat"):
        best_time(lambda: None, repeat=0)


def test_compare_fit_reaches_the_optimum_on_a_small_problem():
    X, y = make_classification(n_samples=120, n_features=4, random_state=0)
    row = compare_fit("tiny", X, y, repeat=1)
    assert (row.n_samples, row.n_features) == (120, 4)
    assert abs(row.gap_to_optimum) <= 1e-9, "our default fit must reach scikit-learn's tight optimum"
    assert row.sklearn_objective >= row.optimum - 1e-12
    assert row.time_ratio == pytest.approx(row.ours_seconds / row.sklearn_seconds)


def test_epoch_speed_reports_per_epoch_times(marks_design):
    X, y = marks_design
    speed = epoch_speed(z_score(X), y, epochs=2, repeat=1)
    assert speed.scratch_seconds > 0 and speed.numpy_seconds > 0
    assert speed.speedup == pytest.approx(speed.scratch_seconds / speed.numpy_seconds)
    assert np.isfinite(speed.speedup)


def test_solver_choice_follows_the_hessian_cost():
    from logreg import LogisticRegression
    from logreg.estimator import NEWTON_MAX_HESSIAN_WORK

    X, y = make_classification(n_samples=5000, n_features=45, random_state=0)
    assert 5000 * 46**2 > NEWTON_MAX_HESSIAN_WORK
    auto = LogisticRegression().fit(X, y)
    lbfgs = LogisticRegression(solver="lbfgs").fit(X, y)
    np.testing.assert_array_equal(auto.n_iter_, lbfgs.n_iter_)
    newton = LogisticRegression(solver="newton").fit(X, y)
    np.testing.assert_allclose(auto.coef_, newton.coef_, atol=1e-7)
    assert add_intercept(X).shape[1] == 46
