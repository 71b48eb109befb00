"""The benchmark helpers measure what they say (structure and arithmetic; never wall-clock thresholds)."""

import dataclasses

import numpy as np
import pytest
from sklearn.datasets import make_classification

from logreg import z_score
from logreg.benchmark import (
    SAME_OPTIMUM,
    ExactFitRatios,
    best_time,
    compare_fit,
    epoch_speed,
    exact_fit_ratios,
    fastest_exact_fit,
)


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


def test_auto_rule_is_newton_within_the_measured_range_and_lbfgs_beyond():
    from logreg import LogisticRegression
    from logreg.estimator import NEWTON_MAX_FEATURES, NEWTON_MAX_HESSIAN_WORK

    choose = LogisticRegression()._resolved_solver
    assert choose(569, 30) == choose(20_000, 50) == choose(100_000, 300) == "newton"
    assert choose(2000, NEWTON_MAX_FEATURES) == "newton"
    assert choose(2000, NEWTON_MAX_FEATURES + 1) == "lbfgs"
    assert NEWTON_MAX_HESSIAN_WORK >= 100_000 * 301**2, "the largest measured Newton win must stay inside the rule"
    assert choose(NEWTON_MAX_HESSIAN_WORK // 101**2 + 1, 100) == "lbfgs"
    assert LogisticRegression(solver="lbfgs")._resolved_solver(569, 30) == "lbfgs"


def test_the_speed_bar_fits_all_reach_the_same_optimum():
    rows = fastest_exact_fit(repeat=1)  # one round: only the optimum is checked here, never wall-clock ratios
    assert [(row.n_samples, row.n_features) for row in rows] == [(569, 30), (20_000, 50)]
    for row in rows:
        assert row.at_same_optimum, row
        assert max(row.ours_gap, row.lbfgs_gap, row.newton_cholesky_gap) <= SAME_OPTIMUM
        assert min(row.ours_gap, row.lbfgs_gap, row.newton_cholesky_gap) == 0.0, "gaps are measured from the best"
        assert row.ratio_to_lbfgs == pytest.approx(row.ours_seconds / row.lbfgs_seconds)
        fastest = min(row.lbfgs_seconds, row.newton_cholesky_seconds)
        assert row.ratio_to_fastest == pytest.approx(row.ours_seconds / fastest)
        assert row.fastest_sklearn == (
            "lbfgs" if row.lbfgs_seconds <= row.newton_cholesky_seconds else "newton-cholesky"
        )


def test_the_bar_verdict_follows_its_three_conditions():
    fast = ExactFitRatios("x", 10, 2, 1.0, 2.5, 1.3, 0.0, 1e-12, 5e-10)
    assert fast.meets_bar and fast.ratio_to_lbfgs == 0.4 and fast.fastest_sklearn == "newton-cholesky"
    assert not dataclasses.replace(fast, newton_cholesky_seconds=1.2).meets_bar  # 1/1.2 > 0.8
    assert not dataclasses.replace(fast, lbfgs_seconds=1.9, newton_cholesky_seconds=5.0).meets_bar  # 1/1.9 > 0.5
    assert not dataclasses.replace(fast, ours_gap=2e-9).meets_bar
    with pytest.raises(ValueError, match="repeat"):
        exact_fit_ratios("x", np.zeros((4, 1)), np.array([0, 1, 0, 1]), repeat=0)
