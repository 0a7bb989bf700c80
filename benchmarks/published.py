"""Check the lab's models against published results (California housing, Adult).

Runs each model family with ``make_model(..., budget=...)`` on 5-fold CV of the
whole file (``KFold``/``StratifiedKFold(5, shuffle=True, random_state=0)``) and
prints, per dataset and model, the mean score +- std over the folds, the fit
seconds per fold and the published reference. ``mlp`` is scikit-learn's
``MLPRegressor``/``MLPClassifier((256, 256), early_stopping=True)`` on the
linear model's inputs (imputed, one-hot, standardised), the bar the deep net
must clearly beat. For the deep net it also prints training throughput
(rows/s and GFLOP/s from ``flops_per_row_``) next to this machine's float32
matmul GFLOP/s.

Usage::

    nice python benchmarks/published.py > artifacts/published.txt 2>&1 &
    python benchmarks/published.py --datasets california --models deep,mlp --folds 1
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.compose import TransformedTargetRegressor
from sklearn.model_selection import KFold, StratifiedKFold
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dllab.models import make_model  # noqa: E402
from dllab.models.linear import _prepare  # noqa: E402
from dllab.models.preprocessing import linear_preprocessor  # noqa: E402

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
MODELS = ("deep", "gbm", "linear", "mlp")

# Gorishniy et al. 2021 (MLP, XGBoost default) and 2024 (TabM), their fixed split;
# ridge and sklearn MLP as measured in shared/data/README.md.
PUBLISHED = {
    ("california", "deep"): "MLP 0.499, TabM 0.451",
    ("california", "gbm"): "XGBoost default 0.462",
    ("california", "linear"): "ridge 0.696 (README)",
    ("california", "mlp"): "sklearn MLP 0.503 (README)",
    ("adult", "deep"): "MLP 0.852, TabM 0.858",
    ("adult", "gbm"): "XGBoost default 0.874",
    ("adult", "linear"): "-",
    ("adult", "mlp"): "-",
}


def load(name: str):
    """``(X, y, task)`` with float64 numerics and ``category`` columns."""
    if name == "california":
        df = pd.read_csv(DATA / "california_housing.csv")
        y = df.pop("median_house_value").to_numpy(dtype=np.float64) / 1e5
        return df.astype(np.float64), y, "regression"
    if name == "adult":
        df = pd.read_csv(DATA / "adult.csv", skipinitialspace=True)
        # The UCI test part writes labels as '>50K.'; the train part as '>50K'.
        y = df.pop("income").astype(str).str.strip().str.rstrip(".").to_numpy()
        for c in df.columns:
            df[c] = (df[c].astype(np.float64) if pd.api.types.is_numeric_dtype(df[c])
                     else df[c].astype("category"))
        return df, y, "binary"
    raise SystemExit(f"unknown dataset {name!r}; choose california or adult")


def sklearn_mlp(task: str, random_state: int):
    """The plain baseline: (256, 256) ReLU MLP, Adam, early stopping."""
    if task == "regression":
        net = TransformedTargetRegressor(
            MLPRegressor(hidden_layer_sizes=(256, 256), early_stopping=True, random_state=random_state),
            transformer=StandardScaler())
    else:
        net = MLPClassifier(hidden_layer_sizes=(256, 256), early_stopping=True, random_state=random_state)
    return net


def fit_predict(model_name, task, X_tr, y_tr, X_te, budget):
    if model_name == "mlp":
        X_tr, X_te = _prepare(X_tr), _prepare(X_te)
        model = make_pipeline(linear_preprocessor(X_tr), sklearn_mlp(task, 0))
    else:
        model = make_model(model_name, task, budget=budget, random_state=0, device="cpu")
    start = time.perf_counter()
    model.fit(X_tr, y_tr)
    fit_s = time.perf_counter() - start
    return model, model.predict(X_te), fit_s


def matmul_gflops(n_threads: int) -> float:
    import torch

    previous = torch.get_num_threads()
    torch.set_num_threads(n_threads)
    a, b = torch.randn(4096, 512), torch.randn(512, 512)
    for _ in range(3):
        a @ b
    start, reps = time.perf_counter(), 30
    for _ in range(reps):
        a @ b
    torch.set_num_threads(previous)
    return 2 * 4096 * 512 * 512 * reps / (time.perf_counter() - start) / 1e9


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--datasets", default="california,adult")
    parser.add_argument("--models", default=",".join(MODELS))
    parser.add_argument("--folds", type=int, default=5, help="run only the first N of the 5 folds")
    parser.add_argument("--budget", default="standard", choices=("quick", "standard"))
    args = parser.parse_args(argv)

    import os

    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(f"float32 matmul (4096x512 @ 512x512, {cores} threads): {matmul_gflops(cores):.0f} GFLOP/s",
          flush=True)
    rows = []
    for ds in args.datasets.split(","):
        X, y, task = load(ds)
        cv = (KFold(5, shuffle=True, random_state=0) if task == "regression"
              else StratifiedKFold(5, shuffle=True, random_state=0))
        folds = list(cv.split(X, y))[: args.folds]
        for name in args.models.split(","):
            scores, times, throughput = [], [], []
            for i, (tr, te) in enumerate(folds):
                model, pred, fit_s = fit_predict(name, task, X.iloc[tr], y[tr], X.iloc[te], args.budget)
                if task == "regression":
                    score = float(np.sqrt(np.mean((pred - y[te]) ** 2)))
                else:
                    score = float(np.mean(pred == y[te]))
                scores.append(score)
                times.append(fit_s)
                extra = ""
                if name == "deep":
                    # rows pushed through training (inner-train part x epochs) per fit second;
                    # fit time includes preprocessing and validation passes, so this is a floor.
                    n_rows = round(len(tr) * (1 - model.validation_fraction)) * model.n_epochs_
                    rate = n_rows / fit_s
                    throughput.append((rate, rate * model.flops_per_row_ / 1e9))
                    extra = (f" epochs={model.n_epochs_} best={model.best_epoch_ + 1}"
                             f" rows/s={rate:,.0f} GFLOP/s={throughput[-1][1]:.1f}")
                print(f"{ds} {name} fold {i}: score={score:.4f} fit={fit_s:.1f}s{extra}", flush=True)
            rows.append(dict(dataset=ds, model=name, metric="rmse" if task == "regression" else "accuracy",
                             score=f"{np.mean(scores):.4f} +- {np.std(scores):.4f}",
                             fit_s_per_fold=f"{np.mean(times):.1f}", folds=len(scores),
                             published=PUBLISHED[(ds, name)]))
            if throughput:
                rates = np.array(throughput)
                print(f"{ds} deep throughput: {rates[:, 0].mean():,.0f} rows/s, "
                      f"{rates[:, 1].mean():.1f} GFLOP/s", flush=True)
    table = pd.DataFrame(rows)
    print()
    print(f"budget={args.budget}, folds={args.folds} of 5 (KFold/StratifiedKFold, shuffle, random_state=0)")
    print(table.to_string(index=False))


if __name__ == "__main__":
    main()
