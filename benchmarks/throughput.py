"""Deep-net training throughput against this machine's matmul speed, and quick-comparison wall time.

Prints three tables:
1. float32 matmul GFLOP/s (torch, the same threads the model uses) — the ceiling;
2. the deep net's training throughput on 50,000 x 20 rows: rows/s and achieved
   GFLOP/s from the model's own FLOP count (``flops_per_row_``), as a ratio of (1);
3. the wall time of a ``quick`` comparison of all three families on the same data,
   and the runner's overhead over the raw model fits.

Run: ``python benchmarks/throughput.py [--rows 50000] [--features 20] [--device auto]``.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing

import argparse
import time

import numpy as np
import pandas as pd

from dllab.apps.cli import text_table  # noqa: E402


def matmul_gflops(*, n: int = 1024, device: str = "cpu", seconds: float = 2.0) -> float:
    import torch

    g = torch.Generator(device="cpu").manual_seed(0)
    a = torch.randn(n, n, generator=g).to(device)
    b = torch.randn(n, n, generator=g).to(device)
    for _ in range(3):
        a @ b
    reps, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        a @ b
        reps += 1
    if device == "cuda":
        torch.cuda.synchronize()
    return 2 * n**3 * reps / (time.perf_counter() - start) / 1e9


def synthetic(n_rows: int, n_features: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_rows, n_features))
    w = rng.normal(size=n_features)
    y = np.sin(X @ w / np.sqrt(n_features)) + 0.3 * X[:, 0] * X[:, 1] + rng.normal(scale=0.1, size=n_rows)
    df = pd.DataFrame(X, columns=[f"x{i}" for i in range(n_features)])
    df["target"] = y
    return df


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rows", type=int, default=50_000)
    p.add_argument("--features", type=int, default=20)
    p.add_argument("--device", default="auto")
    p.add_argument("--skip-compare", action="store_true")
    args = p.parse_args(argv)

    import torch

    from dllab.config import RunConfig
    from dllab.datasets.dataset import Dataset
    from dllab.models import make_model
    from dllab.models.device import resolve_device
    from dllab.engine.runner import compare

    device = resolve_device(args.device)
    print(f"torch {torch.__version__}, device {device}, threads {torch.get_num_threads()}")
    df = synthetic(args.rows, args.features)
    ds = Dataset(frame=df, target="target", task="regression", name="synthetic",
                 roles={c: "numeric" for c in df.columns if c != "target"})

    ceiling = {n: matmul_gflops(n=n, device=device) for n in (256, 1024)}
    print("\n1. float32 matmul (n x n @ n x n)")
    print(text_table(("n", "GFLOP/s"), [(n, f"{g:.1f}") for n, g in ceiling.items()]))

    rows = []
    for budget in ("quick", "standard"):
        model = make_model("deep", "regression", budget=budget, random_state=0, device=device)
        t0 = time.perf_counter()
        model.fit(ds.X, ds.y)
        secs = time.perf_counter() - t0
        # rows seen in training = epochs x training rows (the model holds out its own validation rows)
        n_train = getattr(model, "n_train_rows_", int(len(ds.y) * 0.85))
        seen = model.n_epochs_ * n_train
        rps = seen / secs
        gflops = model.flops_per_row_ * rps / 1e9
        rows.append((budget, model.n_epochs_, f"{secs:.1f}", f"{rps:,.0f}", f"{gflops:.1f}",
                     f"{gflops / ceiling[1024]:.2f}"))
    print(f"\n2. deep net training on {args.rows:,} x {args.features} (whole fit incl. validation passes)")
    print(text_table(("budget", "epochs", "fit s", "rows/s", "GFLOP/s", "ratio to matmul(1024)"), rows))

    if not args.skip_compare:
        t0 = time.perf_counter()
        cmp = compare(ds, config=RunConfig(budget="quick", device=args.device))
        wall = time.perf_counter() - t0
        fits = sum(r.fit_seconds + r.predict_seconds for r in cmp.records if r.ok)
        print(f"\n3. quick comparison on {args.rows:,} x {args.features} ({cmp.splits.n_folds} folds, 3 families)")
        print(text_table(("wall s", "sum of fit+predict s", "runner overhead", "target"),
                     [(f"{wall:.1f}", f"{fits:.1f}", f"{(wall - fits) / fits:.1%}", "wall <= 60 s, overhead < 10%")]))
        per = cmp.overall[["fit_seconds", "predict_seconds", "mean"]].round(3)
        print(per.to_string())


if __name__ == "__main__":
    main()
