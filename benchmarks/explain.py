"""Time to explain 10,000 rows x 50 columns with all three families (issue 7).

Fits the quick-budget models on 10,000 training rows (45 numeric + 5 categorical
columns, binary target), then explains 10,000 held-out rows with
:func:`dllab.analyses.explain.explain` and prints one line per family: rows explained, seconds,
seconds per row and the additivity error. XGBoost and the linear model explain every
row; the deep net's permutation sampling explains the rows that fit its evaluation
budget (``max_evals``), and its time per row says what more rows would cost.

Run it niced on a quiet machine (load below 2 on 2 cores)::

    uptime; nice .venv/bin/python benchmarks/explain.py [--rows 10000] [--max-evals 250000]
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np
import pandas as pd

from dllab.analyses.comparison import Comparison
from dllab.datasets.dataset import Dataset
from dllab.analyses.explain import deep_evals_per_row, explain
from dllab.families import default_families  # noqa: E402
from dllab.engine.runner import Task, run_tasks, task_seed
from dllab.engine.splits import Splits


def _data(n_rows: int, n_num: int = 45, n_cat: int = 5, seed: int = 0) -> Dataset:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_rows, n_num))
    df = pd.DataFrame(X, columns=[f"x{i}" for i in range(n_num)])
    for j in range(n_cat):
        df[f"c{j}"] = rng.choice(list("abcdef"), n_rows)
    logit = X[:, :10] @ np.linspace(1.0, 0.1, 10) + X[:, 10] * X[:, 11] + (df["c0"] == "a") * 1.0
    df["target"] = (rng.random(n_rows) < 1 / (1 + np.exp(-logit))).astype(int)
    roles = {c: ("categorical" if c.startswith("c") else "numeric") for c in df.columns if c != "target"}
    return Dataset(frame=df, target="target", task="binary", roles=roles, name="bench50")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=10_000, help="rows explained (and rows trained on)")
    ap.add_argument("--max-evals", type=int, default=250_000, help="deep net's evaluation budget")
    ap.add_argument("--permutations", type=int, default=8, help="deep net's references per row")
    args = ap.parse_args(argv)

    ds = _data(2 * args.rows)
    idx = np.arange(ds.n_rows)
    train, test = idx[: args.rows], idx[args.rows:]
    splits = Splits(folds=((train, test),), n_folds=2, n_repeats=1, stratified=False, random_state=0)
    tasks = [Task(family=f, split=0, train_idx=train, test_idx=test, seed=task_seed(0, f, 0)) for f in default_families()]
    t0 = time.perf_counter()
    records = run_tasks(tasks, ds.X, ds.y, problem="binary", budget="quick", device="cpu")
    fit_s = time.perf_counter() - t0
    cmp = Comparison(records, y=ds.y, task="binary", splits=splits, n_classes=2)

    t0 = time.perf_counter()
    ex = explain(cmp, ds, max_rows=args.rows, background=100, n_boot=200, random_state=0,
                 n_permutations=args.permutations, max_evals=args.max_evals)
    total = time.perf_counter() - t0

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"data: {ds.n_rows} rows x {len(ds.feature_columns)} columns (binary); fit {fit_s:.1f} s; "
          f"load average {load:.2f}; torch threads default")
    print(f"deep net: {deep_evals_per_row(len(ds.feature_columns), args.permutations)} evaluations per row, "
          f"budget {args.max_evals}")
    print(f"{'family':<8} {'rows':>6} {'seconds':>8} {'ms/row':>8} {'additivity error':>17}  method")
    for fam in ex.families:
        s, n = ex.seconds[fam], ex.n_rows[fam]
        print(f"{fam:<8} {n:>6} {s:>8.2f} {1000 * s / n:>8.2f} {ex.additivity_max_error[fam]:>17.2e}  "
              f"{ex.methods[fam]}")
    print(f"{'total':<8} {ex.rows_explained:>6} {total:>8.2f}   (explain() wall time, bootstrap and agreement "
          f"included)")
    print("agreement:", {k: round(v, 2) for k, v in ex.agreement.items()})
    for line in ex.statements():
        print(" -", line)


if __name__ == "__main__":
    main()
