"""Scale benchmark: the same runs in this process and on local Dask clusters of 1 and 2 workers, in one run.

Run: ``python benchmarks/scale.py [--data california_housing] [--rows 20000] [--budget standard]
[--curve-budget standard] [--workers 1,2] [--tiny 120]``. Nothing else should train while it runs.

For each compute target it prints the wall time of a comparison (every family x fold of ``--budget``) and of a
data-size curve (``--curve-budget``, one fold, one seed per size), as ratios to this process; the cluster's
start-up; the bytes sent to the workers (the data, scattered once to each, and the task records) and back
(predictions and timings); and whether every prediction equals this process's. Then the scheduling overhead per
task: ``--tiny`` fits of 0.01-0.1 s, where ``(wall x threads - sum of fit and predict seconds) / tasks`` is
what the cluster adds to each task (sending, scheduling, collecting). ``docs/SCALING.md`` turns the numbers
into a cost model.
"""

from __future__ import annotations

import argparse
import pickle
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing

from dllab.apps.cli import text_table  # noqa: E402
from dllab import RunConfig  # noqa: E402
from dllab.analyses.curves import learning_curve  # noqa: E402
from dllab.datasets import load  # noqa: E402
from dllab.engine import compute  # noqa: E402
from dllab.engine.runner import Task, compare, run_tasks, task_seed  # noqa: E402
from dllab.engine.splits import make_splits  # noqa: E402


def _mb(n: float) -> str:
    return f"{n / 1e6:.1f} MB"


def _task_seconds(records) -> list:
    return [r.fit_seconds + r.predict_seconds for r in records if r.ok]


def _tiny_grid(ds, n_tasks: int, seed: int):
    """``n_tasks`` linear fits on 300 rows each: tasks so short that the cluster's cost per task shows."""
    y = ds.y[:300]
    splits = make_splits(y, task=ds.task, n_folds=3, n_repeats=max(1, n_tasks // 3), random_state=seed)
    return [Task(family="linear", split=i, train_idx=tr, test_idx=te, seed=task_seed(seed, "linear", i),
                 label=f"tiny {i}") for i, (tr, te) in enumerate(splits)][:n_tasks], ds.X.iloc[:300], y


def measure(target, ds, args, reference=None) -> dict:
    """Wall times, bytes and equality of one compute target (``None``: this process)."""
    t0 = time.perf_counter()
    with compute.session(target) as cluster:
        startup = time.perf_counter() - t0
        before = dict(cluster.stats) if cluster else {}
        t0 = time.perf_counter()
        cmp = compare(ds, config=RunConfig(budget=args.budget, seed=args.seed), keep_models=False)
        cmp_wall = time.perf_counter() - t0
        t0 = time.perf_counter()
        curve = learning_curve(ds, config=RunConfig(budget=args.curve_budget, seed=args.seed), folds=1, n_seeds=1)
        curve_wall = time.perf_counter() - t0
        tasks, X, y = _tiny_grid(ds, args.tiny, args.seed)
        t0 = time.perf_counter()
        tiny = run_tasks(tasks, X, y, problem=ds.task, budget="quick", device="cpu", keep_models=False)
        tiny_wall = time.perf_counter() - t0
        threads = cluster.n_threads if cluster else 1
        sent = {k: cluster.stats[k] - before.get(k, 0) for k in cluster.stats} if cluster else {}
    t_cmp = _task_seconds(cmp.records)
    back = sum(len(pickle.dumps(r)) for r in cmp.records) if target else 0
    same = "-" if reference is None else (
        "yes" if all(np.array_equal(a.prediction, b.prediction) for a, b in zip(reference[0].records, cmp.records))
        and all(np.array_equal(reference[1].scores[f], curve.scores[f], equal_nan=True) for f in curve.families)
        else "NO")
    return {"target": target or "this process", "startup": startup, "cmp_wall": cmp_wall, "cmp_tasks": len(t_cmp),
            "cmp_sum": sum(t_cmp), "cmp_longest": max(t_cmp), "curve_wall": curve_wall,
            "curve_tasks": len(curve.families) * len(curve.sizes), "tiny_wall": tiny_wall,
            "tiny_sum": sum(_task_seconds(tiny)), "tiny_n": len(tiny), "threads": threads,
            "sent": sent.get("scattered_bytes", 0) + sent.get("task_bytes", 0), "back": back, "same": same,
            "per_family": {f: float(np.mean([r.fit_seconds + r.predict_seconds for r in cmp.records
                                             if r.family == f and r.ok])) for f in cmp.families},
            "result": (cmp, curve)}


#: Assumed for the predictions: the client's network link, and the start of a worker process.
LINK_BYTES_PER_SECOND = 1e9  # 10 Gbit/s Ethernet, about 1 GB/s in practice


def lpt_makespan(seconds, workers: int) -> float:
    """Wall time of independent tasks on ``workers`` one-thread workers, longest first to the least loaded
    (Graham's LPT rule, within 4/3 of the optimum; the scheduler hands out ready tasks in a similar way)."""
    import heapq

    loads = [0.0] * max(1, workers)
    for t in sorted(seconds, reverse=True):
        heapq.heapreplace(loads, loads[0] + t)
    return max(loads)


def predicted_tasks(kind: str, budget: str, *, rows: int, columns: int, task: str, calibration: dict) -> list:
    """Seconds of each task of a comparison or curve on ``rows`` rows: the lab's fit-time model
    (:mod:`dllab.engine.estimate`) times this machine's measured / modelled ratio per family."""
    from dllab.analyses.curves import candidate_sizes
    from dllab.engine.estimate import per_fit_seconds

    cfg = RunConfig(budget=budget)
    k, reps = cfg.resolved_folds, cfg.resolved_repeats
    n_train = rows * (k - 1) / k
    sizes = [n_train] if kind == "comparison" else list(candidate_sizes(int(n_train), min_size=100)[0])
    repeats = k * reps if kind == "comparison" else k  # a curve runs each size on every split, one seed
    return [per_fit_seconds(f, budget, n_train=n, n_columns=columns, task=task) * calibration.get(f, 1.0)
            for f in ("linear", "gbm", "deep") for n in sizes for _ in range(repeats)]


def cost_model(runs, ds, args) -> list:
    """Predicted wall times on 8, 32 and 128 workers for 100k and 1M rows (see docs/SCALING.md)."""
    from dllab.engine.estimate import per_fit_seconds

    base = runs[0]
    k = RunConfig(budget=args.budget).resolved_folds
    n_train = ds.n_rows * (k - 1) / k
    calibration = {f: s / per_fit_seconds(f, args.budget, n_train=n_train, n_columns=len(ds.feature_columns),
                                          task=ds.task) for f, s in base["per_family"].items()}
    local = [r for r in runs[1:] if r["tiny_n"]]
    # the cluster's cost per task: the smaller of the measured ones (0.02 s when no cluster was measured)
    overhead = (max(0.0, min((r["tiny_wall"] * r["threads"] - r["tiny_sum"]) / r["tiny_n"] for r in local))
                if local else 0.02)
    out = []
    for budget in ("standard", "thorough"):
        for rows in (100_000, 1_000_000):
            for kind in ("comparison", "curve"):
                secs = predicted_tasks(kind, budget, rows=rows, columns=len(ds.feature_columns), task=ds.task,
                                       calibration=calibration)
                data = rows * (len(ds.feature_columns) + 1) * 8
                walls = [lpt_makespan(secs, w) + overhead * len(secs) / w + w * data / LINK_BYTES_PER_SECOND
                         for w in (8, 32, 128)]
                out.append((budget, f"{rows:,}", kind, len(secs), f"{max(secs):.0f}", f"{sum(secs):.0f}",
                            *(f"{w:.0f}" for w in walls)))
    return out, calibration, overhead


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default="california_housing", help="built-in dataset (default california_housing)")
    ap.add_argument("--rows", type=int, default=20_000, help="rows sampled from it (default 20,000)")
    ap.add_argument("--budget", default="standard", choices=("quick", "standard", "thorough"))
    ap.add_argument("--curve-budget", default="standard", choices=("quick", "standard", "thorough"))
    ap.add_argument("--workers", default="1,2", help="local cluster sizes to measure (default 1,2)")
    ap.add_argument("--tiny", type=int, default=120, help="short tasks for the overhead per task (default 120)")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    ds = load(args.data, max_rows=args.rows, random_state=args.seed)
    print(f"{ds.name}: {ds.n_rows:,} rows x {len(ds.feature_columns)} features, {ds.task}; comparison budget "
          f"{args.budget}, curve budget {args.curve_budget} (1 fold, 1 seed); one run, ratios to this process",
          flush=True)
    runs = [measure(None, ds, args)]
    print(f"  this process: comparison {runs[0]['cmp_wall']:.0f} s, curve {runs[0]['curve_wall']:.0f} s", flush=True)
    for n in (int(w) for w in args.workers.split(",") if w):
        runs.append(measure(f"local:{n}", ds, args, reference=runs[0]["result"]))
        print(f"  local:{n}: comparison {runs[-1]['cmp_wall']:.0f} s, curve {runs[-1]['curve_wall']:.0f} s",
              flush=True)
    base = runs[0]
    rows = [(r["target"], f"{r['startup']:.1f}", f"{r['cmp_wall']:.0f}", f"{base['cmp_wall'] / r['cmp_wall']:.2f}x",
             f"{r['curve_wall']:.0f}", f"{base['curve_wall'] / r['curve_wall']:.2f}x", _mb(r["sent"]), _mb(r["back"]),
             r["same"]) for r in runs]
    print()
    print(text_table(("compute", "start s", "comparison s", "speed-up", "curve s", "speed-up", "sent", "received",
                  "same numbers"), rows))
    print()
    print(f"comparison: {base['cmp_tasks']} tasks, {base['cmp_sum']:.0f} s of fit+predict in all, longest "
          f"{base['cmp_longest']:.0f} s; mean per task: "
          + ", ".join(f"{f} {s:.2f} s" for f, s in base["per_family"].items()))
    print(f"curve: {base['curve_tasks']} tasks")
    over = [(r["target"], r["tiny_n"], f"{r['tiny_wall']:.2f}", f"{r['tiny_sum']:.2f}",
             f"{(r['tiny_wall'] * r['threads'] - r['tiny_sum']) / r['tiny_n'] * 1000:.1f} ms") for r in runs]
    print()
    print(text_table(("compute", "tiny tasks", "wall s", "sum of task s", "overhead per task"), over))
    table, calibration, overhead = cost_model(runs, ds, args)
    print()
    print("predicted wall seconds on a cluster (cost model of docs/SCALING.md; measured / modelled per family here: "
          + ", ".join(f"{f} {c:.2f}" for f, c in calibration.items()) + f"; overhead {overhead * 1000:.0f} ms/task; "
          f"data {len(ds.feature_columns) + 1} columns x 8 bytes per row to every worker at 1 GB/s)")
    print(text_table(("budget", "rows", "run", "tasks", "longest s", "sum s", "8 workers", "32 workers", "128 workers"),
                 table))
    return runs


if __name__ == "__main__":
    main()
