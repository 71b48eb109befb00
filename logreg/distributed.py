"""Newton's method on data spread over a Dask cluster: every step is one map-reduce over row blocks.

The cost, its gradient and its Hessian are sums over rows, so a block of rows can compute its own partial sums
where it lives and send back only ``1 + p + p^2`` numbers; the client adds them up and takes the Newton step.
The rows themselves never travel.

Use it as ``import logreg.distributed`` (``import logreg`` alone never imports Dask)::

    from dask.distributed import Client
    client = Client(...)                        # or none: then the blocks are processed in this process
    result = logreg.distributed.newton(X, y)    # X, y: dask arrays, X with the intercept column first
    model = logreg.distributed.LogisticRegression().fit(features, labels)   # dask arrays or DataFrames

Same objective and conventions as :func:`logreg.newton`. The row blocks are persisted on the workers for the
duration of the fit (computed there if they are lazy), so they must fit in the cluster's memory.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import dask
import dask.array as da
import numpy as np
from numpy.typing import NDArray
from scipy.special import expit
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import _check_feature_names, _check_n_features, check_is_fitted

from logreg._validation import as_finite_array, check_l2, check_two_classes_at_least, check_whole_number
from logreg.loss import penalty_mask, penalty_value
from logreg.optimize import FitResult, _armijo, _newton_direction, warn_not_converged, warn_separable
from logreg.sigmoid import sigmoid

__all__ = [
    "BlockHolder",
    "BlockTerms",
    "LogisticRegression",
    "block_loss",
    "block_terms",
    "newton",
    "synthetic_block",
    "synthetic_blocks",
]

#: Rows are processed in slices of about this many bytes, so that a slice stays in a core's L2 cache (512 KiB on
#: AMD Zen 2-4, 1-2 MiB on recent Intel cores; 512 KiB made a pass over 1e6 x 21 on two workers 7% faster than
#: 256 KiB, and 1 MiB no faster), and of at most this many rows, so that its vectors stay below glibc's mmap
#: threshold (128 KiB): Dask's worker processes fix that threshold (MALLOC_TRIM_THRESHOLD_), and larger
#: temporaries would be mapped, faulted in page by page and unmapped again on every slice, which made a pass
#: twice as slow.
_SLICE_BYTES = 512 * 1024
_MAX_SLICE_ROWS = 8192

#: Below this Newton decrement ``g^T H^{-1} g`` (about twice the gap to the optimum) the next pass does not
#: recompute the Hessian. At 1e-12 that pass nearly always just confirms convergence (a larger threshold saved a
#: Hessian on some data and cost an extra pass on others).
_HESSIAN_REUSE_DECREMENT = 1e-12

#: A large fit starts from the optimum of a subsample, every ``_WARM_STRIDE``-th row of each block: a pass over it
#: costs a sixteenth of a full one, and its optimum lies within the subsample's statistical error of the full one,
#: where Newton's method needs only a few full passes. Large means at least ``_WARM_MIN_WORK`` rows x columns^2
#: (a full pass then takes tens of milliseconds, far more than the message round trip that each subsample pass
#: adds) and a subsample of at least ``_WARM_MIN_ROWS`` rows per coefficient.
_WARM_STRIDE = 16
_WARM_MIN_WORK = 1e8
_WARM_MIN_ROWS = 50
_WARM_MAX_STEPS = 20
#: After a warm start the Hessian in hand directs the next step as long as the steps it directs shrink the
#: largest gradient entry at least this much (tenfold); a pass that skips the Hessian costs less than half of one
#: that computes it (17 against 42 ms on the benchmark). Once a step shrinks the gradient less, the next pass
#: computes a new Hessian.
_WARM_REUSE_CONTRACTION = 0.1


@dataclass(frozen=True)
class BlockTerms:
    """One block's contribution to the cost at ``beta``: sums over its rows, not means.

    ``loss``: sum of ``log(1 + exp(s)) - y s``; ``gradient``: ``X^T (p - y)``; ``hessian``: ``X^T W X`` with
    ``W = diag(p (1 - p))`` (``None`` when not asked for); ``separated``: every row lies strictly on its own side
    of the boundary ``s = 0`` (with ``l2 = 0`` and all blocks separated, no maximum-likelihood estimate exists).
    """

    loss: float
    gradient: NDArray[np.float64]
    hessian: NDArray[np.float64] | None
    separated: bool

    def __add__(self, other: BlockTerms) -> BlockTerms:
        hessian = None if self.hessian is None or other.hessian is None else self.hessian + other.hessian
        return BlockTerms(
            self.loss + other.loss, self.gradient + other.gradient, hessian, self.separated and other.separated
        )


def _slice_rows(n_columns: int) -> int:
    return int(np.clip(_SLICE_BYTES // (8 * n_columns), 256, _MAX_SLICE_ROWS))


def _loss_sum(scores: NDArray[np.float64], labels: NDArray[np.float64], e: NDArray[np.float64]) -> float:
    """Sum of ``log(1 + exp(s)) - y s``, written as ``log1p(exp(-|s|)) + max(s, 0) - y s`` (no overflow)."""
    return float(np.sum(np.log1p(e) + np.maximum(scores, 0.0) - labels * scores))


def block_terms(
    X: NDArray,
    y: NDArray,
    beta: NDArray[np.float64],
    *,
    with_hessian: bool = True,
    stride: int = 1,
    intercept: bool = False,
) -> BlockTerms:
    """Loss, gradient and Hessian sums of one block of rows, in one pass over it.

    The same formulas as :func:`logreg.loss.mean_log_loss`, :func:`logreg.loss.gradient_from_scores` and
    :func:`logreg.loss.hessian_from_scores` (times the number of rows, without the penalty), fused: one
    ``e = exp(-|s|)`` per row gives the loss, the probability and the weight ``p (1 - p) = e / (1 + e)^2``;
    the Hessian is one symmetric product ``A^T A`` with ``A = sqrt(w) X``. The rows are taken a slice at a time
    so that each slice is read from memory once and its temporaries stay in the CPU cache. With ``stride=k``
    only every k-th row counts (a subsample of the block). With ``intercept=True``, ``X`` holds the features
    only and ``beta[0]`` is the intercept: the terms are those of ``X`` with a column of ones put first, which
    is never built (its Hessian row is ``sqrt(w)^T [sqrt(w), A]``).
    """
    X = np.asarray(X, dtype=np.float64)[::stride]
    y = np.asarray(y, dtype=np.float64)[::stride]
    n_rows, n_columns = X.shape
    first = int(intercept)  # the coefficient of X's first column
    weights = beta[first:]
    step = _slice_rows(n_columns)
    loss = 0.0
    gradient = np.zeros(first + n_columns)
    hessian = np.zeros((first + n_columns, first + n_columns)) if with_hessian else None
    weighted = np.empty((min(step, n_rows), n_columns)) if with_hessian else None  # A, one slice at a time
    separated = True
    for start in range(0, n_rows, step):
        rows, labels = X[start : start + step], y[start : start + step]
        scores = rows @ weights
        if intercept:
            scores += beta[0]
        e = np.exp(-np.abs(scores))
        loss += _loss_sum(scores, labels, e)
        inverse = 1.0 / (1.0 + e)
        residuals = np.where(scores >= 0, inverse, e * inverse) - labels
        gradient[first:] += rows.T @ residuals
        if intercept:
            gradient[0] += residuals.sum()
        if hessian is not None and weighted is not None:
            slice_a, root_w = weighted[: rows.shape[0]], np.sqrt(e) * inverse
            np.multiply(rows, root_w[:, None], out=slice_a)
            hessian[first:, first:] += slice_a.T @ slice_a  # A^T A: NumPy calls the symmetric rank-k update (syrk)
            if intercept:
                hessian[0, 0] += root_w @ root_w
                hessian[0, 1:] += root_w @ slice_a
        separated = separated and bool(np.all((2.0 * labels - 1.0) * scores > 0))
    if hessian is not None and intercept:
        hessian[1:, 0] = hessian[0, 1:]
    return BlockTerms(loss, gradient, hessian, separated)


def block_loss(X: NDArray, y: NDArray, beta: NDArray[np.float64], *, intercept: bool = False) -> float:
    """The loss sum of :func:`block_terms` alone: all that a backtracking line search needs."""
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    weights = beta[int(intercept) :]
    step = _slice_rows(X.shape[1])
    loss = 0.0
    for start in range(0, X.shape[0], step):
        scores = X[start : start + step] @ weights
        if intercept:
            scores += beta[0]
        loss += _loss_sum(scores, y[start : start + step], np.exp(-np.abs(scores)))
    return loss


@dataclass(frozen=True)
class _BlockCheck:
    """What the first pass learns about one block besides its terms: a problem, or the count of ones."""

    problem: str | None
    n_ones: int
    terms: BlockTerms | None


def _checked_block_terms(
    X: Any,
    y: Any,
    shape: tuple[int, int],
    beta: NDArray[np.float64],
    *,
    with_hessian: bool = True,
    intercept: bool = False,
) -> _BlockCheck:
    """Check one block where it lives (declared shape, finite 0/1 labels), then compute its terms at ``beta``.

    ``X`` is searched for NaN or inf only if the terms come out non-finite, so that a clean block is read once: a
    non-finite entry of ``X`` makes its row's score non-finite, hence its column's gradient entry (``inf * 0``
    is NaN), and its entries of ``A = sqrt(w) X``.
    """
    X, y = np.asarray(X), np.asarray(y)
    if X.shape != shape or y.shape != shape[:1]:
        return _BlockCheck(
            f"it holds X of shape {X.shape} and y of shape {y.shape}, but the dask arrays declare "
            f"{shape} and {shape[:1]} (a delayed block built with the wrong shape?)",
            0,
            None,
        )
    if not np.all(np.isfinite(y)):
        return _BlockCheck(f"y contains {_non_finite_kind(y)}; remove or impute non-finite values first", 0, None)
    outside = np.unique(y[(y != 0) & (y != 1)])
    if outside.size:
        return _BlockCheck(f"labels must be 0 or 1; y also contains {outside[:5].tolist()}", 0, None)
    with np.errstate(invalid="ignore", over="ignore"):
        terms = block_terms(X, y, beta, with_hessian=with_hessian, intercept=intercept)
    parts = (terms.loss, terms.gradient, terms.hessian)
    if not all(np.all(np.isfinite(part)) for part in parts if part is not None):
        if not np.all(np.isfinite(X)):
            return _BlockCheck(f"X contains {_non_finite_kind(X)}; remove or impute non-finite values first", 0, None)
        return _BlockCheck("X holds values so large that the gradient overflows; rescale the features", 0, None)
    return _BlockCheck(None, int(np.count_nonzero(y)), terms)


def _distinct_labels(X: Any, y: Any) -> NDArray:
    """The distinct labels of one block, sorted (``X`` is not used: holders pass every function both)."""
    return np.unique(np.asarray(y))


def _non_finite_kind(values: NDArray) -> str:
    return "NaN" if np.isnan(values).any() else "inf"


class BlockHolder:
    """The row blocks stored on one worker, held there for the length of a fit.

    On a cluster it is a Dask *actor* created on that worker: a call of :meth:`map` goes from the client straight
    to the worker and back, without the trip through the scheduler that every task makes (a few milliseconds,
    paid on every pass). ``blocks`` are the X blocks followed by the matching y blocks.
    """

    def __init__(self, *blocks: Any) -> None:
        half = len(blocks) // 2
        self.pairs = list(zip(blocks[:half], blocks[half:], strict=True))

    def map(self, function: Callable[..., Any], per_block: Sequence[tuple[Any, ...]], shared: dict[str, Any]) -> list:
        """``function(x_block, y_block, *arguments, **shared)`` for every held block, in order."""
        return [function(x, y, *arguments, **shared) for (x, y), arguments in zip(self.pairs, per_block, strict=True)]

    def relabel(self, positive: Any) -> None:
        """Replace every y block by its 0/1 targets, 1 where the label is ``positive``: once, where it lives."""
        self.pairs = [(x, (np.asarray(y) == positive).astype(np.float64)) for x, y in self.pairs]


class _ResidentBlocks:
    """The row blocks of ``X`` and ``y``, kept where they were computed for as long as the fit runs.

    With a ``dask.distributed`` client, ``X`` and ``y`` are persisted (lazy blocks are built by the workers, blocks
    that are already persisted are reused) and every worker that stores blocks gets one :class:`BlockHolder`
    actor for them; a pass calls all holders at once and receives only their small results. Without a client the
    blocks are computed by Dask's local scheduler and processed here, one after another.
    """

    def __init__(self, X: da.Array, y: da.Array) -> None:
        self.n_blocks = X.numblocks[0]
        self.client = _default_client()
        self._holder_futures: list[Any] = []
        self._references: list[Any] = []
        if self.client is None:
            X_local, y_local = dask.compute(X, y)
            bounds = np.cumsum(X.chunks[0])[:-1]
            self.holders: list[Any] = [BlockHolder(*np.split(X_local, bounds), *np.split(y_local, bounds))]
            self.groups = [list(range(self.n_blocks))]
            return
        from distributed import futures_of, wait

        # X and y persisted together: a delayed block that makes both is computed once, on the worker keeping it
        X_kept, y_kept = (X, y) if _persisted(X) and _persisted(y) else self.client.persist([X, y])
        futures = {future.key: future for future in futures_of([X_kept, y_kept])}
        x_futures = [futures[row[0]] for row in X_kept.__dask_keys__()]
        y_futures = [futures[key] for key in y_kept.__dask_keys__()]
        wait(x_futures + y_futures)
        failed = [future for future in x_futures + y_futures if future.status == "error"]
        if failed:
            error = failed[0].exception()
            # the error's traceback would keep the blocks built so far on the workers
            self.client.cancel(_new_futures([X, y], [X_kept, y_kept]))
            raise error  # the error that building the block raised
        where = self.client.who_has(x_futures)
        by_worker: dict[str, list[int]] = {}
        for index, future in enumerate(x_futures):
            by_worker.setdefault(where[future.key][0], []).append(index)
        holders = [
            self.client.submit(
                BlockHolder,
                *[x_futures[index] for index in indices],
                *[y_futures[index] for index in indices],
                actor=True,
                workers=[worker],
                pure=False,
            )
            for worker, indices in by_worker.items()
        ]
        self.holders = [holder.result() for holder in holders]
        self.groups = list(by_worker.values())
        self._holder_futures = holders
        self._references = [*x_futures, *y_futures]

    def map(self, function: Callable[..., Any], *per_block: Sequence[Any], **shared: Any) -> list[Any]:
        """``function(x_block, y_block, *per_block_args, **shared)`` for every block, results in block order."""
        arguments = list(zip(*per_block, strict=True)) if per_block else [()] * self.n_blocks
        calls = [
            holder.map(function, [arguments[index] for index in indices], shared)
            for holder, indices in zip(self.holders, self.groups, strict=True)
        ]  # all holders work at once; now collect
        results: list[Any] = [None] * self.n_blocks
        for call, indices in zip(calls, self.groups, strict=True):
            for index, result in zip(indices, call if self.client is None else call.result(), strict=True):
                results[index] = result
        return results

    def relabel(self, positive: Any) -> None:
        """:meth:`BlockHolder.relabel` on every holder at once; returns when all are done."""
        calls = [holder.relabel(positive) for holder in self.holders]
        if self.client is not None:
            for call in calls:
                call.result()

    def release(self) -> None:
        """End the holders and drop this fit's references: blocks it computed are forgotten, persisted inputs stay.

        The holders are cancelled explicitly: their proxies sit in reference cycles, which Python would free only
        at its next garbage collection, and until then the workers would keep the blocks alive.
        """
        if self.client is not None and self._holder_futures:
            self.client.cancel(self._holder_futures)  # keys unique to this fit (pure=False): nobody else holds them
        self.holders, self._holder_futures, self._references = [], [], []


def _new_futures(given: Any, kept: Any) -> list[Any]:
    """The futures of ``kept`` (``given``, persisted) that ``given`` did not hold already: safe to cancel."""
    from distributed import futures_of

    held = {future.key for future in futures_of(given)}
    return [future for future in futures_of(kept) if future.key not in held]


def _persisted(array: da.Array) -> bool:
    """Every block of ``array`` is already a future on the cluster (persisting again would cost a round trip)."""
    from distributed import futures_of

    keys = {future.key for future in futures_of(array)}
    return all(key in keys for key in dask.core.flatten(array.__dask_keys__()))


def _default_client() -> Any:
    """The ``dask.distributed`` client in use, or ``None`` (then the fit runs with Dask's local scheduler)."""
    try:
        from distributed import default_client

        return default_client()
    except (ImportError, ValueError):
        return None


def _check_layout(X: Any, y: Any, *, numeric_labels: bool = True) -> tuple[int, int]:
    """Shapes and chunking that the blockwise fit needs, checked without computing anything."""
    for name, array, ndim in (("X", X, 2), ("y", y, 1)):
        if not isinstance(array, da.Array):
            raise ValueError(
                f"{name} must be a dask array (got {type(array).__name__}); wrap it with dask.array.from_array, "
                "or fit in-memory data with logreg.newton"
            )
        if array.ndim != ndim:
            wanted = "a 2-D matrix (n_samples, n_features)" if ndim == 2 else "a 1-D vector"
            raise ValueError(f"{name} must be {wanted}; got a dask array of shape {array.shape}")
        if array.dtype.kind not in "biuf" and (name == "X" or numeric_labels):
            raise ValueError(f"{name} must be numeric; got a dask array of dtype {array.dtype}")
        if any(np.isnan(size) for sizes in array.chunks for size in sizes):
            raise ValueError(
                f"{name} has unknown chunk sizes (shape {array.shape}); call {name}.compute_chunk_sizes() first"
            )
    n_samples, n_features = X.shape
    if n_samples == 0 or n_features == 0:
        raise ValueError(f"X is empty (shape {X.shape}); at least one sample and one column are needed")
    if y.shape[0] != n_samples:
        raise ValueError(f"X has {n_samples} rows but y has {y.shape[0]} labels; they must match")
    if X.chunks[0] != y.chunks[0]:
        raise ValueError(
            f"the row blocks of X and y must align: X's row chunks are {X.chunks[0]}, y's are {y.chunks[0]}; "
            "use y.rechunk(X.chunks[0])"
        )
    return n_samples, n_features


def _check_blocks(checks: list[_BlockCheck], row_chunks: tuple[int, ...], n_samples: int) -> BlockTerms:
    """Raise on the first bad block (naming its rows) or on one class only; otherwise sum the blocks' terms."""
    starts = np.cumsum((0, *row_chunks))
    for index, check in enumerate(checks):
        if check.problem is not None:
            raise ValueError(f"row block {index} (rows {starts[index]} to {starts[index + 1] - 1}): {check.problem}")
    n_ones = sum(check.n_ones for check in checks)
    if n_ones in (0, n_samples):
        raise ValueError(f"y contains one class only (every label is {int(n_ones > 0)}); both 0 and 1 are needed")
    return _total([check.terms for check in checks if check.terms is not None])


def _total(parts: list[BlockTerms]) -> BlockTerms:
    total = parts[0]
    for part in parts[1:]:
        total = total + part
    return total


def _warm_start(
    blocks: _ResidentBlocks, row_chunks: tuple[int, ...], n_features: int, l2: float, intercept: bool
) -> tuple[NDArray[np.float64], NDArray[np.float64] | None]:
    """Where the full fit starts, and the Hessian (a per-row mean) for its first step, if there is one.

    For a large problem: the optimum of every ``_WARM_STRIDE``-th row, and that subsample's Hessian; otherwise
    zero and ``None``. Plain Newton steps on the subsample, from zero, until the Newton decrement falls below
    ``n_features / n_sub``, the size of the subsample's statistical error (the gap between its optimum and the
    full data's is about ``n_features / (2 n_sub)``); that last step is taken too, and lands far closer to the
    subsample's optimum than the full optimum is. Any sign of trouble (non-finite sums, a step that does not
    lower the subsample's cost, separable classes without a penalty, no convergence) falls back to zero. The data
    are not validated yet: the full fit's first pass does that, from whichever start.
    """
    zero = np.zeros(n_features)
    n_samples = sum(row_chunks)
    n_sub = sum(-(-rows // _WARM_STRIDE) for rows in row_chunks)  # ceil: the rows a stride keeps in each block
    if n_samples * n_features**2 < _WARM_MIN_WORK or n_sub < _WARM_MIN_ROWS * n_features:
        return zero, None
    mask = penalty_mask(n_features)
    beta, previous = zero, np.inf
    with np.errstate(all="ignore"):
        for _ in range(_WARM_MAX_STEPS):
            terms = _total(blocks.map(block_terms, beta=beta, stride=_WARM_STRIDE, intercept=intercept))
            assert terms.hessian is not None
            value = terms.loss / n_sub + penalty_value(beta, l2)
            if not (np.isfinite(value) and value < previous) or (l2 == 0 and terms.separated):
                return zero, None
            gradient = terms.gradient / n_sub + l2 * mask * beta
            hessian = terms.hessian / n_sub + np.diag(l2 * mask)
            direction = _newton_direction(hessian, gradient)
            decrement = float(gradient @ direction)
            if not np.all(np.isfinite(direction)) or decrement < 0:
                return zero, None
            if decrement <= n_features / n_sub:
                return beta - direction, hessian
            beta, previous = beta - direction, value
    return zero, None


def newton(X: da.Array, y: da.Array, *, l2: float = 0.0, tol: float = 1e-10, max_iter: int = 100) -> FitResult:
    """Newton's method on :func:`logreg.cost` for dask arrays: one map-reduce over the row blocks per step.

    ``X`` (with the intercept column first) and ``y`` are split into blocks of rows, and the row blocks of ``X``
    and ``y`` must align. Every row block must hold all the columns of its rows, because a block's Hessian
    ``X_b^T W_b X_b`` needs every column: an ``X`` chunked along its columns too, such as
    ``da.concatenate([da.ones((n, 1)), features], axis=1)``, is rechunked here to one column chunk
    (``X.rechunk({1: -1})``, done by the workers, block by block, as the fit persists the data). Its row chunks
    stay as they are, so a lazy ``X`` is built where it will be kept.
    Every pass sends ``beta`` to the blocks and gets back their :class:`BlockTerms`; the client adds them up,
    solves ``H d = g`` and tries the full step at once together with the next pass (loss, gradient and
    Hessian at the candidate), so an accepted step costs exactly one pass. A rejected step is halved with
    loss-only passes, as in :func:`logreg.newton`. The first full pass also checks every block (finite values,
    0/1 labels, declared shapes) where it lives. Stops when the largest gradient entry is at most ``tol``;
    warns like :func:`logreg.newton` on perfect separation (``l2 == 0``) or when ``max_iter`` is reached.

    Small problems start from zero and take exactly the steps of :func:`logreg.newton` (a pass after a step with
    a Newton decrement below 1e-12, usually the one that confirms convergence, skips the Hessian). Large ones (at
    least 1e8 rows x columns^2) first fit every 16th row of each block, in passes that cost a sixteenth each, and
    start from that fit, already close to the optimum: the subsample's Hessian directs the first full step, and a
    Hessian from a full pass directs the steps after it for as long as each shrinks the largest gradient entry
    tenfold (a pass without the Hessian costs less than half of one with it). Fewer and cheaper full passes, the
    same optimum. ``history`` and ``n_iter`` count the full steps only.
    """
    strength = check_l2(l2)
    if not tol > 0:
        raise ValueError(f"tol must be > 0; got {tol!r}")
    max_iter = check_whole_number(max_iter, "max_iter", 0)
    _check_layout(X, y)
    if X.numblocks[1] > 1:
        X = X.rechunk({1: -1})  # each row block in one piece: rows stay where they are, columns join
    blocks = _ResidentBlocks(X, y)
    try:
        return _blockwise_newton(blocks, X.chunks[0], X.shape[1], strength, tol, max_iter, intercept=False)
    finally:
        blocks.release()


def _blockwise_newton(
    blocks: _ResidentBlocks,
    row_chunks: tuple[int, ...],
    n_columns: int,
    strength: float,
    tol: float,
    max_iter: int,
    *,
    intercept: bool,
) -> FitResult:
    """:func:`newton` on checked, resident blocks with 0/1 labels; with ``intercept=True`` the blocks hold the
    features only (no column of ones: :func:`block_terms` adds its terms) and ``beta[0]`` is the intercept."""
    n_samples = sum(row_chunks)
    n_features = n_columns + intercept  # coefficients
    mask = penalty_mask(n_features)

    def objective(beta: NDArray[np.float64], terms: BlockTerms) -> tuple[float, NDArray[np.float64]]:
        gradient = terms.gradient / n_samples + strength * mask * beta
        return terms.loss / n_samples + penalty_value(beta, strength), gradient

    def hessian(terms: BlockTerms) -> NDArray[np.float64]:
        assert terms.hessian is not None
        return terms.hessian / n_samples + np.diag(strength * mask)

    beta, hessian_matrix = _warm_start(blocks, row_chunks, n_features, strength, intercept)
    warm = hessian_matrix is not None  # then the subsample's Hessian directs the first full step
    shapes = [(rows, n_columns) for rows in row_chunks]
    checks = blocks.map(_checked_block_terms, shapes, beta=beta, with_hessian=not warm, intercept=intercept)
    terms = _check_blocks(checks, row_chunks, n_samples)
    current, grad = objective(beta, terms)
    history = [current]
    full_hessian = False  # the Hessian in hand comes from a full pass (not from the subsample)
    previous_largest = np.inf  # the largest gradient entry before the last step
    for _ in range(max_iter):
        if np.max(np.abs(grad)) <= tol:
            break
        if strength == 0 and terms.separated:
            warn_separable(stacklevel=3)
            break
        if terms.hessian is not None:
            hessian_matrix, full_hessian = hessian(terms), True  # otherwise the one in hand: see below
        assert hessian_matrix is not None
        direction = _newton_direction(hessian_matrix, grad)
        decrement = float(grad @ direction)
        step = 1.0
        candidate = beta - direction
        if warm:  # near the optimum from the start: a full Hessian lasts while its steps shrink grad tenfold
            shrank = np.max(np.abs(grad)) <= _WARM_REUSE_CONTRACTION * previous_largest
            with_hessian = not (full_hessian and (terms.hessian is not None or shrank))
        else:  # close to the optimum a step barely changes the Hessian: the next pass (often the last pass,
            # which only confirms convergence) skips it and, should one more step be needed, reuses this one
            with_hessian = decrement > _HESSIAN_REUSE_DECREMENT
        candidate_terms = _total(
            blocks.map(block_terms, beta=candidate, with_hessian=with_hessian, intercept=intercept)
        )
        value = objective(candidate, candidate_terms)[0]
        while True:
            sufficient, flat = _armijo(value, current, step, decrement)
            if sufficient or flat or step < 1e-12:
                break
            step /= 2
            candidate = beta - step * direction
            loss = sum(blocks.map(block_loss, beta=candidate, intercept=intercept))
            value = loss / n_samples + penalty_value(candidate, strength)
        if step < 1e-12 and not flat:
            break
        if step < 1.0:  # backtracked: the terms computed at the full step belong to another point
            candidate_terms = _total(blocks.map(block_terms, beta=candidate, intercept=intercept))
        previous_largest = float(np.max(np.abs(grad)))
        beta, terms = candidate, candidate_terms
        current, grad = objective(beta, terms)
        history.append(current)
    gradient_norm = float(np.max(np.abs(grad)))
    if gradient_norm > tol and not (strength == 0 and terms.separated):
        warn_not_converged(len(history) - 1, gradient_norm, tol, stacklevel=3)
    return FitResult(beta, np.asarray(history), len(history) - 1, gradient_norm)


def _is_dask_frame(values: Any) -> bool:
    """A dask DataFrame or Series (checked without importing dask.dataframe, hence pandas, for arrays)."""
    return dask.is_dask_collection(values) and hasattr(values, "_meta") and hasattr(values._meta, "dtypes")


def _check_dask_input(values: Any, name: str) -> None:
    """``values`` is a dask array, DataFrame or Series, and a frame ``X`` has numeric columns only."""
    if not (isinstance(values, da.Array) or _is_dask_frame(values)):
        raise ValueError(
            f"{name} must be a dask array or a dask DataFrame/Series (got {type(values).__name__}); "
            "fit in-memory data with logreg.LogisticRegression"
        )
    if name == "X" and _is_dask_frame(values):
        if values.ndim != 2:
            raise ValueError(f"X must be a 2-D matrix (n_samples, n_features); got a dask {type(values).__name__}")
        from pandas.api.types import is_numeric_dtype  # a dask DataFrame's columns are pandas' dtypes

        not_numeric = [column for column, dtype in values._meta.dtypes.items() if not is_numeric_dtype(dtype)]
        if not_numeric:
            raise ValueError(f"X must be numeric; its columns {not_numeric[:5]} are not: encode them as numbers")


def _frames_as_arrays(*collections: Any) -> list[da.Array]:
    """Dask DataFrames/Series as dask arrays with known row chunks; arrays unchanged.

    A partition's length is unknown until it is built: all of them are counted in one computation on the
    cluster (only the counts come back), from the persisted partitions.
    """
    frames = [collection for collection in collections if _is_dask_frame(collection)]
    counts = dask.compute(*(frame.map_partitions(len) for frame in frames))
    lengths = {id(frame): [int(count) for count in counted] for frame, counted in zip(frames, counts, strict=True)}
    return [
        _frame_as_array(collection, lengths[id(collection)]) if _is_dask_frame(collection) else collection
        for collection in collections
    ]


def _frame_as_array(frame: Any, lengths: list[int] | None = None) -> da.Array:
    """``frame.to_dask_array``; pandas' string columns become object arrays, which is what labels need."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Dask currently has limited support", UserWarning)
        return frame.to_dask_array(lengths=lengths)


def _persist(*collections: Any, owned: list[Any]) -> list[Any]:
    """Build the blocks where they will be used and keep them: on the workers with a client, else here.

    The futures of blocks persisted here are appended to ``owned``, for the caller to release.
    """
    client = _default_client()
    if client is None:
        return list(dask.persist(*collections))
    if all(_persisted(collection) for collection in collections):
        return list(collections)
    kept = list(client.persist(list(collections)))
    owned.extend(_new_futures(collections, kept))
    return kept


def _two_probabilities(scores: NDArray[np.float64]) -> NDArray[np.float64]:
    return np.column_stack([sigmoid(-scores), sigmoid(scores)])  # as logreg.LogisticRegression computes them


def _pick_class(scores: NDArray[np.float64], classes: NDArray) -> NDArray:
    return classes[(scores > 0).astype(int)]


class LogisticRegression(ClassifierMixin, BaseEstimator):
    """:class:`logreg.LogisticRegression` for dask arrays and dask DataFrames: two classes, fitted blockwise.

    Minimises ``mean log loss + l2/2 * ||w||^2`` (the intercept unpenalised) with :func:`newton`, so it reaches
    the optimum of :class:`logreg.LogisticRegression` with the same ``l2``, ``tol`` and ``max_iter`` (and, with
    ``l2=None``, that of scikit-learn's default ``C=1``). ``X`` holds the features only: the intercept column is
    added here. ``X`` is a dask array or a dask DataFrame of numeric columns (its column names become
    ``feature_names_in_``); ``y`` is a dask array or Series with two distinct labels of any kind (numbers,
    strings), kept in ``classes_``; the second one is the positive class.

    ``fit`` persists ``X`` and ``y`` on the workers (with a ``dask.distributed`` client; otherwise in this
    process), counts the partitions of a DataFrame and finds the labels there: only small results (lengths,
    the distinct labels, each pass's sums) come back to the client. ``decision_function``, ``predict_proba``
    and ``predict`` return lazy dask arrays; nothing is computed until you ask.

    Parameters
    ----------
    l2 : float or None, default None
        Strength of the L2 penalty on the weights. ``None`` means ``1 / n_samples``, scikit-learn's ``C=1``.
    tol : float, default 1e-10
        Stop when the largest entry of the gradient is at most ``tol``.
    max_iter : int, default 1000
        Most Newton steps.
    """

    def __init__(self, l2: float | None = None, tol: float = 1e-10, max_iter: int = 1000):
        self.l2 = l2
        self.tol = tol
        self.max_iter = max_iter

    def fit(self, X: Any, y: Any) -> LogisticRegression:
        """Fit on dask features ``X`` (array or DataFrame) and labels ``y`` (array or Series) with aligned rows."""
        l2 = None if self.l2 is None else check_l2(self.l2)
        if not self.tol > 0:
            raise ValueError(f"tol must be > 0; got {self.tol!r}")
        max_iter = check_whole_number(self.max_iter, "max_iter", 1)
        _check_dask_input(X, "X")
        _check_dask_input(y, "y")
        self._check_columns(X, reset=True)
        if not (_is_dask_frame(X) or _is_dask_frame(y)):
            _check_layout(X, y, numeric_labels=False)  # before anything is computed
        owned: list[Any] = []  # futures of the blocks this fit keeps on the workers
        try:
            result, classes = self._fit_kept(X, y, l2, max_iter, owned)
        finally:  # also on error: a traceback would otherwise keep the blocks alive on the workers
            if owned:
                _default_client().cancel(owned)
        self.classes_ = classes
        self.intercept_ = result.beta[:1].copy()
        self.coef_ = result.beta[None, 1:].copy()
        self.n_iter_ = np.array([result.n_iter])
        return self

    def _fit_kept(self, X: Any, y: Any, l2: float | None, max_iter: int, owned: list[Any]) -> tuple[FitResult, NDArray]:
        """The fit proper on persisted blocks; the futures of the blocks it persists go to ``owned``."""
        X, y = _frames_as_arrays(*_persist(X, y, owned=owned))
        n_samples, _ = _check_layout(X, y, numeric_labels=False)
        features = X.rechunk({1: -1}) if X.numblocks[1] > 1 else X
        if features.dtype != np.float64:
            features = features.astype(np.float64)  # converted once, on the workers, not on every pass
        blocks = _ResidentBlocks(features, y)  # built from the kept blocks, where they are
        row_chunks, n_columns = features.chunks[0], features.shape[1]
        # The holders keep what the fit needs. The blocks as given are dropped, not cancelled: their keys are
        # those of the caller's collections, which may be computed again at once (a cancelled key would cancel
        # that too). No collection stays in this frame, which an error's traceback would keep, with its blocks.
        owned.clear()
        del X, y, features
        try:
            classes = np.unique(np.concatenate(blocks.map(_distinct_labels)))  # each block's, then theirs
            self._check_classes(classes)
            blocks.relabel(classes[1])  # y becomes 0/1 where it lives, once
            l2 = 1.0 / n_samples if l2 is None else l2
            result = _blockwise_newton(blocks, row_chunks, n_columns, l2, self.tol, max_iter, intercept=True)
        finally:
            blocks.release()
        return result, classes

    @staticmethod
    def _check_classes(classes: NDArray) -> None:
        """Exactly two distinct labels, none of them NaN or inf: the in-memory estimator's errors."""
        if classes.dtype.kind in "fc":
            as_finite_array(classes, "y", ndim=1)  # NaN or inf among the labels
        check_classification_targets(classes)
        check_two_classes_at_least(classes)
        if classes.size > 2:
            raise ValueError(
                f"y has {classes.size} classes ({classes[:5].tolist()}); logreg.distributed.LogisticRegression "
                "fits two classes only (logreg.LogisticRegression fits more, one-vs-rest, in memory)"
            )

    def _check_columns(self, X: Any, *, reset: bool) -> None:
        """scikit-learn's own checks of ``n_features_in_`` and ``feature_names_in_`` (on a frame's empty meta)."""
        if isinstance(X, da.Array) and X.ndim != 2:
            raise ValueError(f"X must be a 2-D matrix (n_samples, n_features); got a dask array of shape {X.shape}")
        columns = X._meta if _is_dask_frame(X) else X
        _check_feature_names(self, columns, reset=reset)
        _check_n_features(self, columns, reset=reset)

    def _features(self, X: Any) -> da.Array:
        check_is_fitted(self)
        _check_dask_input(X, "X")
        self._check_columns(X, reset=False)
        if _is_dask_frame(X):
            return _frame_as_array(X)  # row chunks unknown: fine, the products below are row by row
        if X.dtype.kind not in "biuf":
            raise ValueError(f"X must be numeric; got a dask array of dtype {X.dtype}")
        return X

    def decision_function(self, X: Any) -> da.Array:
        """Linear scores ``X @ coef_ + intercept_``, one per row: a lazy dask array."""
        return self._features(X) @ self.coef_[0] + self.intercept_[0]

    def predict_proba(self, X: Any) -> da.Array:
        """Probabilities of ``classes_[0]`` and ``classes_[1]``, one row per sample: a lazy dask array."""
        scores = self.decision_function(X)
        chunks = (scores.chunks[0], (2,))
        return scores.map_blocks(_two_probabilities, new_axis=1, chunks=chunks, dtype=np.float64)

    def predict(self, X: Any) -> da.Array:
        """The more probable class of every row (``classes_[1]`` when the score is positive): a lazy dask array."""
        return self.decision_function(X).map_blocks(_pick_class, classes=self.classes_, dtype=self.classes_.dtype)

    def score(self, X: Any, y: Any) -> float:
        """Accuracy on ``X`` and ``y``, computed on the cluster: only the number comes back."""
        predictions = self.predict(X)
        _check_dask_input(y, "y")
        labels = _frame_as_array(y) if _is_dask_frame(y) else y
        return float(da.mean(predictions == labels).compute())


def synthetic_block(
    index: int, n_rows: int, coefficients: NDArray[np.float64], seed: int
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Block ``index`` of a synthetic logistic-regression data set, from its own random stream.

    ``X``: a column of ones, then standard-normal features; ``y ~ Bernoulli(sigmoid(X @ coefficients))``.
    The stream is ``numpy.random.default_rng([seed, index])``: the same block on any machine, in any order.
    """
    rng = np.random.default_rng([seed, index])
    X = np.empty((n_rows, coefficients.shape[0]))
    X[:, 0] = 1.0
    X[:, 1:] = rng.standard_normal((n_rows, coefficients.shape[0] - 1))
    y = (rng.random(n_rows) < expit(X @ coefficients)).astype(np.float64)
    return X, y


def synthetic_coefficients(n_features: int, seed: int = 0) -> NDArray[np.float64]:
    """The true coefficients of :func:`synthetic_blocks`: intercept -1, slopes ``N(0, 4 / n_features)``."""
    rng = np.random.default_rng(seed)
    return np.r_[-1.0, rng.normal(0.0, 2.0 / np.sqrt(n_features), n_features)]


def synthetic_blocks(n_samples: int, n_features: int, *, n_blocks: int, seed: int = 0) -> tuple[da.Array, da.Array]:
    """A lazy synthetic data set: ``X`` (``n_samples x (n_features + 1)``, intercept column first) and ``y``.

    Nothing is computed here: each of the ``n_blocks`` row blocks is a ``dask.delayed`` call of
    :func:`synthetic_block`, so on a cluster every block is generated by the worker that holds it and the whole
    array never exists in one place. The same arguments always give the same numbers.
    """
    for name, value in (("n_samples", n_samples), ("n_features", n_features), ("n_blocks", n_blocks)):
        check_whole_number(value, name, 1)
    if n_blocks > n_samples:
        raise ValueError(f"n_blocks={n_blocks} is more than n_samples={n_samples}: a block needs at least one row")
    coefficients = synthetic_coefficients(n_features, seed)
    sizes = [n_samples // n_blocks + (index < n_samples % n_blocks) for index in range(n_blocks)]
    X_parts, y_parts = [], []
    for index, rows in enumerate(sizes):
        block = dask.delayed(synthetic_block, nout=2, pure=True)(index, rows, coefficients, seed)
        X_parts.append(da.from_delayed(block[0], shape=(rows, n_features + 1), dtype=np.float64))
        y_parts.append(da.from_delayed(block[1], shape=(rows,), dtype=np.float64))
    return da.concatenate(X_parts), da.concatenate(y_parts)
