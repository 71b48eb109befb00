"""The blockwise Newton solver on a real Dask cluster reaches logreg.newton's optimum, and refuses bad input."""

from __future__ import annotations

import logging
import re
import subprocess
import sys
import time
import warnings

import dask
import dask.array as da
import numpy as np
import pytest
import sklearn.linear_model
from distributed import Client, LocalCluster
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning, NotFittedError

import logreg
import logreg.distributed as ld
import logreg.optimize


@pytest.fixture(scope="module")
def client():
    """Two worker processes with one thread each, closed after this module; not the default client, so the
    tests choose with ``client.as_current()`` whether a fit runs on the cluster or in this process."""
    for name in ("distributed", "distributed.scheduler", "distributed.nanny", "distributed.worker"):
        logging.getLogger(name).setLevel(logging.ERROR)
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
    client = Client(cluster, set_as_default=False)
    yield client
    client.close()
    cluster.close()


@pytest.fixture(scope="module")
def problem() -> tuple[np.ndarray, np.ndarray]:
    X, y = make_classification(n_samples=3000, n_features=6, n_informative=6, n_redundant=0, random_state=0)
    return logreg.add_intercept(X), y.astype(float)


def as_dask(X: np.ndarray, y: np.ndarray, rows=(700, 800, 900, 600)) -> tuple[da.Array, da.Array]:
    return da.from_array(X, chunks=(rows, -1)), da.from_array(y, chunks=(rows,))


@pytest.mark.parametrize("l2", [0.0, 0.01])
def test_from_array_on_the_cluster_equals_in_memory_newton(client, problem, l2):
    X, y = problem
    expected = logreg.newton(X, y, l2=l2)
    with client.as_current():
        result = ld.newton(*as_dask(X, y), l2=l2)
    np.testing.assert_allclose(result.beta, expected.beta, rtol=0, atol=1e-8)
    np.testing.assert_allclose(result.history, expected.history, rtol=1e-12, atol=1e-14)
    assert result.n_iter == expected.n_iter and 3 <= result.n_iter <= 10
    assert result.gradient_norm <= 1e-10
    assert isinstance(result.beta, np.ndarray) and result.beta.shape == (7,)


def test_lazy_delayed_blocks_are_built_on_the_workers_and_fit_there(client):
    X, y = ld.synthetic_blocks(20_000, 5, n_blocks=5, seed=3)
    assert X.shape == (20_000, 6) and X.numblocks == (5, 1) and y.chunks == (X.chunks[0],)
    with client.as_current():
        result = ld.newton(X, y, l2=1e-3)
    deadline = time.monotonic() + 5
    while client.who_has() and time.monotonic() < deadline:  # releasing is asynchronous
        time.sleep(0.05)
    assert client.who_has() == {}, "the fit releases the blocks it built on the workers"
    X_local, y_local = dask.compute(X, y, scheduler="sync")
    expected = logreg.newton(X_local, y_local, l2=1e-3)
    np.testing.assert_allclose(result.beta, expected.beta, rtol=0, atol=1e-8)
    true_beta = ld.synthetic_coefficients(5, seed=3)
    assert np.max(np.abs(result.beta - true_beta)) < 0.1, "20000 samples recover the generating model"


def test_without_a_client_the_blocks_are_fitted_in_this_process(problem):
    X, y = problem
    expected = logreg.newton(X, y, l2=0.5)
    result = ld.newton(*as_dask(X, y), l2=0.5)
    np.testing.assert_allclose(result.beta, expected.beta, rtol=0, atol=1e-8)
    integer_labels = ld.newton(*as_dask(X.astype(np.float32), y.astype(np.int8)), l2=0.5)
    np.testing.assert_allclose(integer_labels.beta, logreg.newton(X.astype(np.float32), y, l2=0.5).beta, atol=1e-8)


def broken_block():
    raise RuntimeError("the storage behind this block is unreachable")


def test_an_error_while_building_a_block_reaches_the_caller(client):
    X = da.concatenate([da.ones((3, 2)), da.from_delayed(dask.delayed(broken_block)(), shape=(3, 2), dtype=float)])
    y = da.from_array(np.array([0.0, 1.0] * 3), chunks=3)
    with client.as_current(), pytest.raises(RuntimeError, match="storage behind this block"):
        ld.newton(X, y)


def test_synthetic_blocks_are_reproducible_and_independent_of_the_blocking():
    X1, y1 = dask.compute(*ld.synthetic_blocks(1000, 3, n_blocks=4, seed=7))
    X2, y2 = dask.compute(*ld.synthetic_blocks(1000, 3, n_blocks=4, seed=7))
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    first, _ = ld.synthetic_block(0, 250, ld.synthetic_coefficients(3, seed=7), 7)
    np.testing.assert_array_equal(X1[:250], first)
    assert np.all(X1[:, 0] == 1) and set(np.unique(y1)) == {0.0, 1.0}
    with pytest.raises(ValueError, match="n_blocks=5 is more than n_samples=4"):
        ld.synthetic_blocks(4, 2, n_blocks=5)


def test_block_terms_are_the_in_memory_derivatives_summed_over_rows(problem):
    X, y = problem
    beta = np.linspace(-0.5, 0.5, X.shape[1])
    n = X.shape[0]
    parts = [ld.block_terms(X[a:b], y[a:b], beta) for a, b in [(0, 1000), (1000, 3000)]]
    total = parts[0] + parts[1]
    assert total.loss / n == pytest.approx(logreg.cost(beta, X, y), rel=1e-13)
    np.testing.assert_allclose(total.gradient / n, logreg.gradient(beta, X, y), rtol=1e-11, atol=1e-15)
    np.testing.assert_allclose(total.hessian / n, logreg.hessian(beta, X, y), rtol=1e-11, atol=1e-15)
    assert ld.block_loss(X, y, beta) == pytest.approx(total.loss, rel=1e-13)
    assert ld.block_terms(X, y, beta, with_hessian=False).hessian is None
    big = ld.block_terms(np.array([[1.0, 800.0], [1.0, -800.0]]), np.array([0.0, 1.0]), np.array([0.0, 1.0]))
    assert total.separated is False and big.loss == pytest.approx(1600.0) and np.isfinite(big.hessian).all()


@pytest.mark.parametrize("stride", [1, 7])
def test_block_terms_with_a_built_in_intercept_equal_those_of_the_column_of_ones(problem, stride):
    """X without its column of ones and intercept=True: the same sums, without building the design."""
    X, y = problem
    beta = np.linspace(-0.5, 0.5, X.shape[1])
    features = np.ascontiguousarray(X[:, 1:])
    assert np.all(X[:, 0] == 1.0)
    built_in = ld.block_terms(features, y, beta, intercept=True, stride=stride)
    expected = ld.block_terms(X, y, beta, stride=stride)
    assert built_in.loss == pytest.approx(expected.loss, rel=1e-13)
    np.testing.assert_allclose(built_in.gradient, expected.gradient, rtol=1e-11, atol=1e-10)
    np.testing.assert_allclose(built_in.hessian, expected.hessian, rtol=1e-11, atol=1e-10)
    np.testing.assert_array_equal(built_in.hessian, built_in.hessian.T)
    assert ld.block_loss(features, y, beta, intercept=True) == pytest.approx(ld.block_loss(X, y, beta), rel=1e-13)
    assert ld.block_terms(features, y, beta, intercept=True, with_hessian=False).gradient.shape == beta.shape


def test_backtracking_line_search_matches_the_in_memory_one(client, problem, monkeypatch):
    """The first two directions four times too long: those full steps are rejected and halved twice with
    loss-only passes, then the fit goes on from the accepted point exactly as the in-memory one does."""
    X, y = problem
    passes = []
    original_map = ld._ResidentBlocks.map
    monkeypatch.setattr(
        ld._ResidentBlocks, "map", lambda self, f, *a, **k: passes.append(f.__name__) or original_map(self, f, *a, **k)
    )
    fits = {}
    for name, module, fit in [("memory", logreg.optimize, logreg.newton), ("blocks", ld, ld.newton)]:
        calls = []

        def too_long(hessian, gradient, exact=module._newton_direction, calls=calls):
            calls.append(1)
            return (4.0 if len(calls) <= 2 else 1.0) * exact(hessian, gradient)

        monkeypatch.setattr(module, "_newton_direction", too_long)
        data = (X, y) if name == "memory" else as_dask(X, y)
        with client.as_current():
            fits[name] = fit(*data, l2=0.01)
    np.testing.assert_allclose(fits["blocks"].beta, fits["memory"].beta, rtol=0, atol=1e-8)
    np.testing.assert_allclose(fits["blocks"].history, fits["memory"].history, rtol=1e-12)
    backtracked = sum(1 for a, b in zip(passes, passes[1:], strict=False) if a == "block_loss" and b != "block_loss")
    assert passes[0] == "_checked_block_terms" and backtracked >= 1, passes
    assert passes.count("block_terms") == fits["blocks"].n_iter + backtracked, "one more full pass per backtrack"
    np.testing.assert_allclose(fits["blocks"].beta, logreg.newton(X, y, l2=0.01).beta, rtol=0, atol=1e-8)


def test_the_pass_that_confirms_convergence_skips_the_hessian(problem, monkeypatch):
    X, y = problem
    asked = []
    original = ld.block_terms

    def recording(X_block, y_block, beta, *, with_hessian=True, **options):
        asked.append(with_hessian)
        return original(X_block, y_block, beta, with_hessian=with_hessian, **options)

    monkeypatch.setattr(ld, "block_terms", recording)
    result = ld.newton(*as_dask(X, y), l2=0.01)  # in this process: every block's call is recorded
    n_blocks = 4
    assert len(asked) == n_blocks * (result.n_iter + 1), "one pass at the start, one per step"
    assert asked[-n_blocks:] == [False] * n_blocks and all(asked[:n_blocks])
    np.testing.assert_allclose(result.history, logreg.newton(X, y, l2=0.01).history, rtol=1e-12)


def test_steps_with_a_reused_hessian_reach_the_same_optimum(client, problem, monkeypatch):
    """Reuse the Hessian from the second step on: a chord method, slower but converging to the optimum."""
    monkeypatch.setattr(ld, "_HESSIAN_REUSE_DECREMENT", 0.1)
    X, y = problem
    with client.as_current():
        result = ld.newton(*as_dask(X, y), l2=0.01)
    expected = logreg.newton(X, y, l2=0.01)
    assert result.n_iter > expected.n_iter and result.gradient_norm <= 1e-10
    np.testing.assert_allclose(result.beta, expected.beta, rtol=0, atol=1e-8)


def record_passes(monkeypatch) -> list[tuple[str, int, bool]]:
    """(function name, stride, with Hessian) of every pass a fit makes."""
    passes: list[tuple[str, int, bool]] = []
    original = ld._ResidentBlocks.map

    def recording(self, function, *per_block, **shared):
        passes.append((function.__name__, shared.get("stride", 1), shared.get("with_hessian", True)))
        return original(self, function, *per_block, **shared)

    monkeypatch.setattr(ld._ResidentBlocks, "map", recording)
    return passes


def hessians_of_full_passes(passes: list[tuple[str, int, bool]]) -> str:
    """One letter per full pass (stride 1) that computes a gradient: T if it also computes the Hessian, else F."""
    gradient_passes = ("block_terms", "_checked_block_terms")
    return "".join("TF"[not hessian] for name, stride, hessian in passes if name in gradient_passes and stride == 1)


def warm_fit(client, monkeypatch, n_samples=40_000, n_features=5, n_blocks=4, l2=1e-4, seed=5):
    """A fit that starts from a subsample (any size counts as large), its passes, and logreg.newton's fit."""
    monkeypatch.setattr(ld, "_WARM_MIN_WORK", 0)
    passes = record_passes(monkeypatch)
    X, y = ld.synthetic_blocks(n_samples, n_features, n_blocks=n_blocks, seed=seed)
    with client.as_current():
        result = ld.newton(X, y, l2=l2)
    expected = logreg.newton(*dask.compute(X, y, scheduler="sync"), l2=l2)
    np.testing.assert_allclose(result.beta, expected.beta, rtol=0, atol=1e-8)
    return result, expected, passes


def test_a_large_fit_starts_from_a_subsample_and_reaches_the_same_optimum(client, monkeypatch):
    result, expected, passes = warm_fit(client, monkeypatch)
    warm = [name for name, stride, _ in passes if stride == ld._WARM_STRIDE]
    full = [name for name, stride, _ in passes if stride == 1]
    assert len(warm) >= 3 and set(warm) == {"block_terms"}, passes
    assert full[0] == "_checked_block_terms" and len(full) == result.n_iter + 1
    assert result.n_iter < expected.n_iter and result.gradient_norm <= 1e-10
    assert result.history[0] < expected.history[0] - 0.05, "the full fit starts near the optimum, not at zero"


@pytest.mark.parametrize(
    ("contraction", "pattern"),
    [
        # the subsample's Hessian directs the first step, a full one the rest: one full pass computes a Hessian
        (1.0, "F" + "T" + "F+"),
        # no step shrinks the gradient enough: every full Hessian directs exactly one step after its own
        (1e-30, "F" + "(TF)+"),
    ],
)
def test_after_a_warm_start_a_hessian_is_kept_while_its_steps_shrink_the_gradient(
    client, monkeypatch, contraction, pattern
):
    monkeypatch.setattr(ld, "_WARM_REUSE_CONTRACTION", contraction)
    result, _, passes = warm_fit(client, monkeypatch)
    asked = hessians_of_full_passes(passes)
    assert result.gradient_norm <= 1e-10 and len(asked) == result.n_iter + 1 >= 3
    assert re.fullmatch(pattern, asked), asked


def test_the_default_keeps_the_hessian_on_the_benchmark_shape(client, monkeypatch):
    """Rows x columns like the Dask benchmark's, 16 times fewer rows: one full pass computes a Hessian."""
    _, _, passes = warm_fit(client, monkeypatch, 125_000, 20, n_blocks=8, l2=1 / 125_000, seed=0)
    assert re.fullmatch("FTF+", hessians_of_full_passes(passes)), passes


def test_a_warm_start_that_fails_falls_back_to_zero(monkeypatch):
    """Every 16th row separable, the full data not: without a penalty the subsample has no optimum."""
    monkeypatch.setattr(ld, "_WARM_MIN_WORK", 0)
    passes = record_passes(monkeypatch)
    x = np.linspace(-1, 1, 3200)
    y = (x > 0).astype(float)
    y[[1601, 1603, 1598]] = 1 - y[[1601, 1603, 1598]]  # none of them is a multiple of 16 within its block
    X = np.c_[np.ones_like(x), x]
    result = ld.newton(*as_dask(X, y, rows=(800,) * 4))
    expected = logreg.newton(X, y)
    assert [stride for _, stride, _ in passes].count(ld._WARM_STRIDE) == 2, "separated after one subsample step"
    np.testing.assert_allclose(result.history, expected.history, rtol=1e-12)
    np.testing.assert_allclose(result.beta, expected.beta, rtol=1e-8)


def test_separable_classes_warn_as_in_memory(problem):
    X = np.c_[np.ones(8), np.arange(8.0)]
    y = (np.arange(8) >= 4).astype(float)
    with pytest.warns(logreg.PerfectSeparationWarning):
        ld.newton(*as_dask(X, y, rows=(3, 5)))
    with pytest.warns(ConvergenceWarning, match="stopped after 1 steps"):
        ld.newton(*as_dask(*problem), max_iter=1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert ld.newton(*as_dask(X, y, rows=(3, 5)), l2=0.1).gradient_norm <= 1e-10


def bad_block(shape):
    return np.ones(shape)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda X, y: (X.compute(), y), "X must be a dask array"),
        (lambda X, y: (X[:, 1], y), r"X must be a 2-D matrix"),
        (lambda X, y: (X, y[:, None]), r"y must be a 1-D vector"),
        (lambda X, y: (X.astype(str), y), "X must be numeric"),
        (lambda X, y: (X, y[:-1]), "X has 3000 rows but y has 2999 labels"),
        (lambda X, y: (X, y.rechunk(1000)), "row blocks of X and y must align"),
        (lambda X, y: (X[y > 0], y[y > 0]), "unknown chunk sizes"),
        (lambda X, y: (X[:0], y[:0]), "X is empty"),
        (lambda X, y: (X, da.where(da.arange(3000) == 2000, 2.0, y).rechunk(y.chunks)), r"row block 2 \(rows 1500 to"),
        (lambda X, y: (X, da.where(da.arange(3000) == 10, np.nan, y).rechunk(y.chunks)), "y contains NaN"),
        (lambda X, y: (da.where(X == X[5, 3], np.inf, X).rechunk(X.chunks), y), "X contains inf"),
        (lambda X, y: (da.where(X == X[5, 3], np.nan, X).rechunk(X.chunks), y), "X contains NaN"),
        (lambda X, y: (X, da.zeros_like(y)), "one class only"),
        (lambda X, y: (X * 1e306, y), "so large that the gradient overflows"),
        (
            lambda X, y: (
                da.from_delayed(dask.delayed(bad_block)((5, 7)), shape=(4, 7), dtype=float),
                da.from_array(np.array([0.0, 1.0, 0.0, 1.0]), chunks=4),
            ),
            r"holds X of shape \(5, 7\).*declare \(4, 7\)",
        ),
    ],
)
def test_bad_input_is_named_before_or_during_the_first_pass(client, problem, make, message):
    X, y = make(*as_dask(*problem))
    with client.as_current(), pytest.raises(ValueError, match=message):
        ld.newton(X, y)


@pytest.mark.parametrize(("value", "message"), [(np.nan, "X contains NaN"), (np.inf, "X contains inf")])
def test_after_a_warm_start_the_first_full_pass_finds_bad_values_without_the_hessian(
    client, monkeypatch, value, message
):
    """A bad entry in a row that the subsample skips: the warm start succeeds, and the first full pass, which
    computes no Hessian after a warm start, still finds the entry through the gradient and names its block."""
    monkeypatch.setattr(ld, "_WARM_MIN_WORK", 0)
    passes = record_passes(monkeypatch)
    X, y = ld.synthetic_blocks(40_000, 5, n_blocks=4, seed=5)  # blocks of 10 000 rows
    row = 10_001  # the second row of block 1: not one of every 16th
    X = da.where((da.arange(40_000) == row)[:, None] & (da.arange(6) == 3), value, X).rechunk(X.chunks)
    with client.as_current(), pytest.raises(ValueError, match=rf"row block 1 \(rows 10000 to 19999\): {message}"):
        ld.newton(X, y, l2=1e-4)
    assert [stride for _, stride, _ in passes].count(ld._WARM_STRIDE) >= 3, "the warm start ran to its end"
    assert hessians_of_full_passes(passes) == "F", passes


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"l2": -1.0}, "l2 must be"), ({"tol": 0.0}, "tol must be"), ({"max_iter": 1.5}, "max_iter")],
)
def test_bad_arguments(problem, kwargs, message):
    with pytest.raises(ValueError, match=message):
        ld.newton(*as_dask(*problem), **kwargs)


def test_importing_logreg_does_not_import_dask():
    code = (
        "import sys, logreg, logreg.datasets, logreg.estimator; "
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed')); "
        "assert not loaded, loaded; "
        "import logreg.distributed; assert 'dask.array' in sys.modules"
    )
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert completed.returncode == 0, completed.stderr


# --- columns in several chunks: newton rechunks them itself -------------------------------------------------------


@pytest.mark.parametrize("column_chunks", [(1, 6), (1, 2, 2, 2)])
def test_an_intercept_column_concatenated_in_its_own_chunk_is_rechunked(client, problem, column_chunks):
    X, y = problem
    features = da.from_array(X[:, 1:], chunks=((700, 800, 900, 600), column_chunks[1:]))
    design = da.concatenate([da.ones((3000, 1), chunks=(features.chunks[0], 1)), features], axis=1)
    assert design.chunks[1] == column_chunks, "the natural way to add an intercept makes several column chunks"
    expected = logreg.newton(X, y, l2=0.01)
    with client.as_current():
        on_cluster = ld.newton(design, da.from_array(y, chunks=(features.chunks[0],)), l2=0.01)
    in_process = ld.newton(design, da.from_array(y, chunks=(features.chunks[0],)), l2=0.01)
    for result in (on_cluster, in_process):
        np.testing.assert_allclose(result.beta, expected.beta, rtol=0, atol=1e-8)
        np.testing.assert_allclose(result.history, expected.history, rtol=1e-12)


def test_rechunking_joins_columns_without_moving_row_boundaries(client, problem, monkeypatch):
    """The blocks the fit holds are the row blocks given, each with all 7 columns."""
    X, y = problem
    shapes = []
    original = ld._checked_block_terms

    def recording(X_block, y_block, shape, beta, **options):
        shapes.append(np.shape(X_block))
        return original(X_block, y_block, shape, beta, **options)

    monkeypatch.setattr(ld, "_checked_block_terms", recording)
    design = da.from_array(X, chunks=((1000, 2000), (3, 4)))
    ld.newton(design, da.from_array(y, chunks=((1000, 2000),)), l2=0.01)  # in this process: calls recorded
    assert shapes == [(1000, 7), (2000, 7)]


# --- the estimator --------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def features() -> tuple[np.ndarray, np.ndarray]:
    X, y = make_classification(n_samples=2000, n_features=5, n_informative=4, n_redundant=0, random_state=1)
    return X, y


def frame(X: np.ndarray, y: np.ndarray, npartitions: int = 4):
    import dask.dataframe as dd
    import pandas as pd

    table = pd.DataFrame(X, columns=[f"x{k}" for k in range(X.shape[1])]).assign(label=np.where(y > 0, "yes", "no"))
    data = dd.from_pandas(table, npartitions=npartitions)
    return data[[f"x{k}" for k in range(X.shape[1])]], data["label"]


@pytest.mark.parametrize("l2", [None, 0.0, 0.05])
def test_the_estimator_reaches_the_in_memory_estimators_optimum(client, features, l2):
    X, y = features
    expected = logreg.LogisticRegression(l2=l2).fit(X, y)
    with client.as_current():
        model = ld.LogisticRegression(l2=l2).fit(da.from_array(X, chunks=(500, 2)), da.from_array(y, chunks=500))
    np.testing.assert_allclose(model.coef_, expected.coef_, rtol=0, atol=1e-8)
    np.testing.assert_allclose(model.intercept_, expected.intercept_, rtol=0, atol=1e-8)
    np.testing.assert_array_equal(model.classes_, expected.classes_)
    assert model.coef_.shape == (1, 5) and model.intercept_.shape == (1,) and model.n_features_in_ == 5
    assert model.n_iter_.shape == (1,) and 3 <= model.n_iter_[0] <= 12
    assert not hasattr(model, "feature_names_in_")


def test_a_large_estimator_fit_starts_from_a_subsample_with_its_built_in_intercept(client, monkeypatch):
    """Integer features, no column of ones, a warm start and reused Hessians: the in-memory optimum."""
    monkeypatch.setattr(ld, "_WARM_MIN_WORK", 0)  # 40000 x 6 counts as large
    passes = record_passes(monkeypatch)
    X, y = ld.synthetic_blocks(40_000, 5, n_blocks=4, seed=3)
    features = da.round(X[:, 1:] * 4).astype(np.int64)  # whole numbers: converted once on the workers
    expected = logreg.LogisticRegression(l2=1e-4).fit(*dask.compute(features, y, scheduler="sync"))
    with client.as_current():
        model = ld.LogisticRegression(l2=1e-4).fit(features, y)
    np.testing.assert_allclose(model.coef_, expected.coef_, rtol=0, atol=1e-8)
    np.testing.assert_allclose(model.intercept_, expected.intercept_, rtol=0, atol=1e-8)
    asked = hessians_of_full_passes(passes)
    assert asked.startswith("FT") and asked.count("T") < len(asked) - 1, asked


def test_the_default_is_scikit_learns_c_equal_one(client, features):
    X, y = features
    reference = sklearn.linear_model.LogisticRegression(C=1.0, tol=1e-12, max_iter=10_000).fit(X, y)
    with client.as_current():
        model = ld.LogisticRegression().fit(da.from_array(X, chunks=700), da.from_array(y, chunks=700))
    np.testing.assert_allclose(model.coef_, reference.coef_, rtol=0, atol=1e-6)
    np.testing.assert_allclose(model.intercept_, reference.intercept_, rtol=0, atol=1e-6)
    assert np.max(np.abs(model.coef_)) > 0.1, "a real model, not all zeros"


def test_a_dataframe_gives_feature_names_and_string_classes(client, features):
    X, y = features
    X_frame, y_frame = frame(X, y)
    expected = logreg.LogisticRegression().fit(X, np.where(y > 0, "yes", "no"))
    with client.as_current():
        model = ld.LogisticRegression().fit(X_frame, y_frame)
        deadline = time.monotonic() + 15
        while client.who_has() and time.monotonic() < deadline:  # releasing is asynchronous
            time.sleep(0.05)
        assert client.who_has() == {}, f"the fit keeps nothing on the workers once it returns: {client.who_has()}"
        assert model.score(X_frame, y_frame) == pytest.approx(expected.score(X, np.where(y > 0, "yes", "no")))
    assert list(model.feature_names_in_) == ["x0", "x1", "x2", "x3", "x4"] and model.n_features_in_ == 5
    assert list(model.classes_) == ["no", "yes"]
    np.testing.assert_allclose(model.coef_, expected.coef_, rtol=0, atol=1e-8)
    np.testing.assert_allclose(model.intercept_, expected.intercept_, rtol=0, atol=1e-8)
    with pytest.raises(ValueError, match="feature names should match"):
        model.predict(X_frame[["x1", "x0", "x2", "x3", "x4"]])


@pytest.mark.filterwarnings("ignore:X does not have valid feature names")  # scikit-learn's, as in memory
def test_predictions_are_lazy_and_compute_to_the_in_memory_values(client, features):
    X, y = features
    X_frame, y_frame = frame(X, y)
    with client.as_current():
        model = ld.LogisticRegression().fit(X_frame, y_frame)
        same = logreg.LogisticRegression().fit(X, np.where(y > 0, "yes", "no"))
        same.coef_, same.intercept_ = model.coef_, model.intercept_  # the same coefficients in memory
        for data in (X_frame, da.from_array(X, chunks=300)):
            outputs = (model.decision_function(data), model.predict_proba(data), model.predict(data))
            assert all(isinstance(output, da.Array) for output in outputs)
            scores, probabilities, labels = dask.compute(*outputs)
            np.testing.assert_allclose(scores, same.decision_function(X), rtol=1e-13, atol=1e-13)
            np.testing.assert_allclose(probabilities, same.predict_proba(X), rtol=1e-13, atol=1e-15)
            np.testing.assert_array_equal(labels, same.predict(X))
    assert probabilities.shape == (2000, 2) and set(labels) == {"no", "yes"}


def test_labels_are_checked_on_the_cluster_and_only_small_results_come_back(client, features, monkeypatch):
    """Every result that a computation brings to the client is a few numbers, never a column of the data."""
    import dask.base

    sizes = []
    original = dask.base.compute

    def recording(*args, **kwargs):
        results = original(*args, **kwargs)
        sizes.extend(np.asarray(result, dtype=object).size for result in results)
        return results

    monkeypatch.setattr(dask.base, "compute", recording)
    monkeypatch.setattr(dask, "compute", recording)
    labels_found = []
    original_map = ld._ResidentBlocks.map

    def recording_map(self, function, *per_block, **shared):
        results = original_map(self, function, *per_block, **shared)
        if function is ld._distinct_labels:
            labels_found.extend(np.asarray(result, dtype=object).size for result in results)
        return results

    monkeypatch.setattr(ld._ResidentBlocks, "map", recording_map)
    X, y = features
    with client.as_current():
        model = ld.LogisticRegression().fit(*frame(X, y))
    assert sizes and max(sizes) <= 4, sizes  # the partitions' lengths
    assert labels_found == [2, 2, 2, 2], labels_found  # every partition's two labels, found where it lives
    assert list(model.classes_) == ["no", "yes"]


def bad_estimator_input(X, y, case):
    """Dask versions of in-memory X and y with one problem each."""
    Xd, yd = da.from_array(X, chunks=(500, -1)), da.from_array(y.astype(float), chunks=500)
    if case == "X NaN":
        return da.where(da.arange(2000)[:, None] == 1234, np.nan, Xd), yd
    if case == "X inf":
        return da.where(da.arange(2000)[:, None] == 1234, np.inf, Xd), yd
    if case == "y NaN":
        return Xd, da.where(da.arange(2000) == 7, np.nan, yd).rechunk(500)
    if case == "y inf":
        return Xd, da.where(da.arange(2000) == 7, np.inf, yd).rechunk(500)
    if case == "one class":
        return Xd, da.ones_like(yd)
    if case == "continuous":
        return Xd, yd + 0.5 * (da.arange(2000) % 3)
    raise AssertionError(case)


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("X NaN", "X contains NaN"),
        ("X inf", "X contains inf"),
        ("y NaN", "y contains NaN"),
        ("y inf", "y contains inf"),
        ("one class", r"y contains one class only \(np.float64\(1.0\)\); a classifier needs at least two"),
        ("continuous", "Unknown label type: continuous"),
    ],
)
def test_bad_input_gets_the_in_memory_estimators_error(client, features, case, message):
    X_bad, y_bad = bad_estimator_input(*features, case)
    with pytest.raises(ValueError, match=message):
        logreg.LogisticRegression().fit(*dask.compute(X_bad, y_bad))
    with client.as_current(), pytest.raises(ValueError, match=message):
        ld.LogisticRegression().fit(X_bad, y_bad)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda X, y: (X.compute(), y), "X must be a dask array or a dask DataFrame/Series"),
        (lambda X, y: (X, y.compute()), "y must be a dask array or a dask DataFrame/Series"),
        (lambda X, y: (X[:, 0], y), r"X must be a 2-D matrix"),
        (lambda X, y: (X, y[:, None]), r"y must be a 1-D vector"),
        (lambda X, y: (X, y[:-1]), "X has 2000 rows but y has 1999 labels"),
        (lambda X, y: (X, y.rechunk(400)), r"row blocks of X and y must align.*\(500, 500, 500, 500\)"),
        (lambda X, y: (X, y + (da.arange(2000, chunks=500) % 7 == 0)), r"y has 3 classes \(\[0, 1, 2\]\).*two"),
        (lambda X, y: (X.astype(str), y), "X must be numeric"),
    ],
)
def test_bad_dask_arrays_are_named(client, features, make, message):
    X, y = features
    X_bad, y_bad = make(da.from_array(X, chunks=(500, -1)), da.from_array(y, chunks=500))
    with client.as_current(), pytest.raises(ValueError, match=message):
        ld.LogisticRegression().fit(X_bad, y_bad)


@pytest.mark.filterwarnings("ignore:X does not have valid feature names")  # scikit-learn's own, as for an array
def test_bad_dataframes_are_named(client, features):
    X, y = features
    X_frame, y_frame = frame(X, y)
    with pytest.raises(ValueError, match=r"X must be numeric; its columns \['name'\] are not"):
        ld.LogisticRegression().fit(X_frame.assign(name="a"), y_frame)
    with pytest.raises(ValueError, match="y must be a 1-D vector"):
        ld.LogisticRegression().fit(X_frame, X_frame[["x0"]])
    X_other, y_other = frame(X, y, npartitions=3)
    with client.as_current(), pytest.raises(ValueError, match="row blocks of X and y must align"):
        ld.LogisticRegression().fit(X_frame, y_other)
    model = ld.LogisticRegression().fit(X_frame, y_frame)
    expected = logreg.LogisticRegression().fit(X, y)
    for fitted, data in [(model, X_frame[["x0", "x1", "x2"]]), (expected, X_frame[["x0", "x1", "x2"]].compute())]:
        with pytest.raises(ValueError, match="X has 3 features, but LogisticRegression is expecting 5"):
            fitted.predict(data.values if fitted is expected else data.to_dask_array())


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"l2": -1.0}, "l2 must be"), ({"tol": 0.0}, "tol must be"), ({"max_iter": 0}, "max_iter must be a whole")],
)
def test_bad_estimator_arguments(features, kwargs, message):
    X, y = features
    with pytest.raises(ValueError, match=message):
        ld.LogisticRegression(**kwargs).fit(da.from_array(X), da.from_array(y))
    with pytest.raises(NotFittedError):
        ld.LogisticRegression().predict(da.from_array(X))


def test_the_same_lazy_data_can_be_fitted_again_at_once(client, features):
    """A fit releases the blocks it persisted; fitting the same lazy arrays again (the same keys), right after a
    fit that succeeded or failed, must not meet blocks that are being released."""
    X, y = features
    expected = logreg.LogisticRegression().fit(X, y)
    with client.as_current():
        for labels in (y, np.zeros_like(y), y, y):
            X_lazy, y_lazy = da.from_array(X, chunks=(500, -1)), da.from_array(labels, chunks=500)
            if labels is y:
                model = ld.LogisticRegression().fit(X_lazy, y_lazy)
                np.testing.assert_allclose(model.coef_, expected.coef_, rtol=0, atol=1e-8)
            else:
                with pytest.raises(ValueError, match="one class only"):
                    ld.LogisticRegression().fit(X_lazy, y_lazy)


def test_a_failed_fit_leaves_nothing_on_the_workers(client, features):
    """The error's traceback holds the fit's frames: the blocks they persisted are cancelled, not kept by it."""
    X, y = features
    X_frame, y_frame = frame(X, np.zeros_like(y))
    with client.as_current(), pytest.raises(ValueError, match="one class only") as error:
        ld.LogisticRegression().fit(X_frame, y_frame)
    deadline = time.monotonic() + 15
    while client.who_has() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert client.who_has() == {} and error.traceback, client.who_has()
