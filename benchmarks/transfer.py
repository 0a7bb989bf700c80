"""Transfer learning on text: the pretrained encoder + head against TF-IDF, with few and with many labels.

For each dataset (default ``wordnet_definitions``, the built-in chosen for this
lesson; ``sms_spam`` and ``fine_foods`` for contrast) this prints:

1. **Few labelled rows.** A comparison (``dllab.compare``, quick budget, k
   folds) on a seeded, stratified sample of ``--rows`` rows, for each value:
   every family's accuracy with its 95% CI, then the Nadeau-Bengio corrected
   paired test of ``transfer`` against each other family (difference, CI, p).
2. **The data-size curve** (``dllab.analyses.curves.learning_curve``) on the whole
   dataset for ``--curve-families``: mean accuracy per training size with its
   band, the difference transfer - linear per size, and where the linear
   model catches up with the encoder (``find_crossover``, observed or
   extrapolated from the fitted power laws).

Embeddings are cached (``$DLLAB_CACHE_DIR``), so a second run skips the
encoding. Shared machines: check ``uptime`` first, run niced with
``OMP_NUM_THREADS=1`` (oversubscribed BLAS threads made each TF-IDF
logistic fit 20x slower here under load); numbers move with load, the accuracies do not.

Run: ``OMP_NUM_THREADS=1 nice python benchmarks/transfer.py [--datasets wordnet_definitions]
[--rows 200,400,800] [--folds 5] [--families linear,gbm,deep,transfer]
[--curve-families linear,transfer] [--seeds 3] [--no-curve]``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def _comparison_rows(name, rows, args):
    """One row per family (score and CI), then one per paired test of transfer against it."""
    from dllab.analyses.comparison import format_ci
    from dllab.config import RunConfig
    from dllab.datasets import load_builtin
    from dllab.engine.runner import compare

    ds = load_builtin(name, max_rows=rows, random_state=args.seed, n_folds=args.folds)
    cfg = RunConfig(budget="quick", n_folds=args.folds, seed=args.seed, device=args.device,
                    families=tuple(args.families))
    start = time.perf_counter()
    cmp = compare(ds, config=cfg, keep_models=False)
    wall = time.perf_counter() - start
    train = int(round(rows * (1 - 1 / args.folds)))
    out = []
    for fam in cmp.families:
        r = cmp.overall.loc[fam]
        test = cmp.difference("transfer", fam) if fam != "transfer" else None
        out.append({"dataset": name, "rows": rows, "train rows": train, "family": fam,
                    "accuracy [95% CI]": format_ci(r["mean"], r["ci_low"], r["ci_high"]),
                    "transfer - family [95% CI]": "" if test is None else
                    f"{test.difference * 100:+.1f} pts [{test.ci_low * 100:+.1f}, {test.ci_high * 100:+.1f}]",
                    "p": "" if test is None else f"{test.p_value:.2g}",
                    "fit s": f"{r['fit_seconds']:.1f}", "status": r["status"]})
    return out, wall


def _curve(name, args):
    """The learning curve, a per-size table with transfer - linear, and the catch-up point."""
    import numpy as np

    from dllab.config import RunConfig
    from dllab.analyses.curves import find_crossover, learning_curve
    from dllab.datasets import load_builtin

    ds = load_builtin(name, random_state=args.seed, n_folds=args.folds)
    cfg = RunConfig(budget="quick", n_folds=args.folds, seed=args.seed, device=args.device,
                    families=tuple(args.curve_families))
    start = time.perf_counter()
    lc = learning_curve(ds, config=cfg, n_seeds=args.seeds)
    wall = time.perf_counter() - start
    table = lc.table()
    if {"linear", "transfer"} <= set(lc.families):
        # Replicate r of both families used the same rows: the per-size difference is paired.
        d = lc.scores["transfer"] - lc.scores["linear"]
        mean = np.nanmean(d, axis=1)
        sd = np.nanstd(d, axis=1, ddof=1)
        table["transfer - linear (sd)"] = [f"{m * 100:+.1f} pts ({s * 100:.1f})" for m, s in zip(mean, sd)]
        catch_up = find_crossover(lc.sizes, lc.scores["linear"], lc.scores["transfer"], higher_is_better=True,
                                  metric_bounds=(0.0, 1.0), random_state=args.seed,
                                  challenger="linear", incumbent="transfer")
    else:
        catch_up = None
    return lc, table, catch_up, wall


def main(argv=None) -> None:
    import pandas as pd

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", default="wordnet_definitions", help="comma-separated built-in text datasets")
    parser.add_argument("--rows", default="200,400,800", help="sample sizes for the few-labels comparisons")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--families", default="linear,gbm,deep,transfer")
    parser.add_argument("--curve-families", default="linear,transfer")
    parser.add_argument("--seeds", type=int, default=3, help="subsamples per curve size")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--no-curve", action="store_true")
    args = parser.parse_args(argv)
    args.families = args.families.split(",")
    args.curve_families = args.curve_families.split(",")
    pd.set_option("display.width", 250)
    pd.set_option("display.max_colwidth", 60)
    for name in args.datasets.split(","):
        rows, walls = [], []
        for n in (int(v) for v in args.rows.split(",") if v):
            part, wall = _comparison_rows(name, n, args)
            rows += part
            walls.append(f"{n:,} rows: {wall:.0f} s")
        if rows:
            print(f"\n{name}: few labelled rows (quick budget, {args.folds} folds; paired test = Nadeau-Bengio "
                  f"corrected t-test over the folds)")
            print(pd.DataFrame(rows).to_string(index=False))
            print("wall: " + ", ".join(walls))
        if args.no_curve:
            continue
        lc, table, catch_up, wall = _curve(name, args)
        print(f"\n{name}: data-size curve ({', '.join(lc.families)}; 1 test fold of {args.folds}, "
              f"{args.seeds} nested subsamples per size; mean accuracy [band])")
        print(table.to_string(index=False))
        print(lc.conclusion())
        if catch_up is not None:
            print(f"Catch-up of the linear model (TF-IDF) with the encoder: {catch_up.kind}; {catch_up.statement}")
        print(f"wall: {wall:.0f} s")


if __name__ == "__main__":
    main()
