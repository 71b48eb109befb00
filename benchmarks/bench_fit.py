"""Benchmark: logreg's fits against scikit-learn's, and NumPy against pure Python.

Run: ``python benchmarks/bench_fit.py [--repeat N]``. Prints one table; the targets are ours <= 0.5x
scikit-learn's fitting time at the same optimum (gap <= 1e-9), and a NumPy epoch >= 100x a pure-Python one.
"""

from __future__ import annotations

import argparse

from sklearn.datasets import make_classification
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_info

from logreg import add_intercept, z_score
from logreg.benchmark import compare_fit, epoch_speed
from logreg.datasets import load_breast_cancer, load_marks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7, help="timing repeats; the best is kept")
    args = parser.parse_args()

    X_bc, y_bc = load_breast_cancer()
    X_syn, y_syn = make_classification(n_samples=20_000, n_features=50, random_state=0)
    problems = [
        ("breast cancer (std)", StandardScaler().fit_transform(X_bc), y_bc),
        ("synthetic 20000x50", X_syn, y_syn),
    ]

    blas = ", ".join(f"{pool['internal_api']}:{pool['num_threads']} threads" for pool in threadpool_info())
    print(f"thread pools: {blas}")
    print("targets: time ratio <= 0.5 against scikit-learn's default fit; our objective within 1e-9 of the optimum")
    print(f"{'data':<22}{'ours ms':>10}{'sklearn ms':>12}{'ratio':>8}{'our gap':>11}{'sklearn gap':>13}  verdict")
    failures = []
    for name, X, y in problems:
        row = compare_fit(name, X, y, repeat=args.repeat)
        sklearn_gap = row.sklearn_objective - row.optimum
        ok = row.time_ratio <= 0.5 and row.gap_to_optimum <= 1e-9
        failures += [] if ok else [name]
        verdict = "ok" if ok else "MISSED (target: ratio <= 0.5, gap <= 1e-9)"
        print(
            f"{name:<22}{1e3 * row.ours_seconds:>10.2f}{1e3 * row.sklearn_seconds:>12.2f}{row.time_ratio:>8.2f}"
            f"{row.gap_to_optimum:>11.1e}{sklearn_gap:>13.1e}  {verdict}"
        )

    X_marks, y_marks = load_marks()
    epoch_data = [
        ("marks 100x3", z_score(add_intercept(X_marks)), y_marks),
        ("breast cancer 569x31", add_intercept(StandardScaler().fit_transform(X_bc)), y_bc),
    ]
    for name, X, y in epoch_data:
        speed = epoch_speed(X, y, repeat=max(1, args.repeat // 2))
        verdict = "ok" if speed.speedup >= 100 else "below the 100x target"
        print(
            f"one GD epoch, {name}: pure Python {1e6 * speed.scratch_seconds:.0f} us, NumPy "
            f"{1e6 * speed.numpy_seconds:.1f} us, speed-up {speed.speedup:.0f}x  {verdict}"
        )
    if failures:
        print("missed fit targets on:", ", ".join(failures))


if __name__ == "__main__":
    main()
