"""How long a comparison takes here, and what it scores: the whole machine against one process.

Runs, in one process, California housing (20,640 rows) and Adult (48,842 rows) at ``standard``
(5-fold, seed 0) and a 50,000 x 20 synthetic table (``make_smooth_interactions``) at ``quick``
(3-fold), each twice: with the default ``n_jobs`` (fits in worker processes, as many as the cores
allow) and with ``n_jobs=1`` (one fit at a time in this process). It prints

- per run: wall seconds, seconds to the first number (the first finished fit: what the Compare
  page and the CLI show first), fits at a time, and the mean fit seconds of the deep net and of
  XGBoost with their ratio;
- the speed-up of the default over ``n_jobs=1`` and whether the two gave identical numbers;
- each family's score with its 95% CI beside the published figures (``../shared/data/README.md``;
  California's RMSE in units of US$100,000, as published).

``--markdown FILE`` writes the scores and times as the README's results table.

Usage::

    python benchmarks/speed.py > artifacts/speed.txt
    python benchmarks/speed.py --datasets synthetic --markdown /tmp/speed.md
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing
sys.path.insert(0, str(Path(__file__).resolve().parent))

from dllab.apps.cli import text_table  # noqa: E402
from dllab.config import RunConfig  # noqa: E402
from dllab.datasets import from_frame, load_builtin, make_smooth_interactions  # noqa: E402
from dllab.engine.runner import compare  # noqa: E402
from dllab.models.device import cores  # noqa: E402
from published import PUBLISHED  # noqa: E402

#: name -> (load, budget, unit divisor for the published comparison, published key)
RUNS = {
    "california": (lambda seed: load_builtin("california_housing", random_state=seed), "standard", 1e5, "california"),
    "adult": (lambda seed: load_builtin("adult", random_state=seed), "standard", 1.0, "adult"),
    "synthetic": (lambda seed: from_frame(make_smooth_interactions(50_000, 20, random_state=seed), target="target",
                                          task="regression", name="smooth_interactions_50k"),
                  "quick", 1.0, None),
}


def timed(ds, config: RunConfig) -> dict:
    """One comparison: the result, its wall seconds and the seconds to its first finished fit."""
    first = []
    start = time.perf_counter()
    cmp = compare(ds, config=config, keep_models=False,
                  progress=lambda p: first.append(time.perf_counter() - start) if p.record.ok and not first else None)
    return dict(cmp=cmp, wall=time.perf_counter() - start, first=first[0] if first else float("nan"),
                jobs=cmp.fits_at_a_time)


def fit_mean(cmp, family: str) -> float:
    ok = [r.fit_seconds for r in cmp.records if r.family == family and r.ok]
    return float(np.mean(ok)) if ok else float("nan")


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--datasets", default="california,adult,synthetic", help="comma-separated: " + ", ".join(RUNS))
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--no-single", action="store_true", help="skip the n_jobs=1 runs")
    p.add_argument("--markdown", help="write the README's results table to this file")
    args = p.parse_args(argv)
    names = [n.strip() for n in args.datasets.split(",") if n.strip()]
    unknown = [n for n in names if n not in RUNS]
    if unknown:
        p.error(f"unknown dataset(s) {', '.join(unknown)}; choose from {', '.join(RUNS)}")
    print(f"# speed: {cores()} core(s), {platform.processor() or platform.machine()}, python {platform.python_version()}")
    timing, scores, md = [], [], []
    for name in names:
        load, budget, unit, key = RUNS[name]
        ds = load(args.seed)
        runs = {"default": timed(ds, RunConfig(budget=budget, seed=args.seed))}
        if not args.no_single:
            runs["n_jobs=1"] = timed(ds, RunConfig(budget=budget, seed=args.seed, n_jobs=1))
        for label, r in runs.items():
            deep, gbm = fit_mean(r["cmp"], "deep"), fit_mean(r["cmp"], "gbm")
            timing.append((name, f"{ds.n_rows:,} x {len(ds.feature_columns)}", budget, label, r["jobs"],
                           f"{r['wall']:.1f}", f"{r['first']:.1f}", f"{deep:.1f}", f"{gbm:.2f}", f"{deep / gbm:.1f}"))
        base = runs["default"]
        if "n_jobs=1" in runs:
            one = runs["n_jobs=1"]
            same = one["cmp"].scores.equals(base["cmp"].scores)
            timing.append((name, "", "", "speed-up", "", f"{one['wall'] / base['wall']:.2f}x", "", "", "",
                           "identical" if same else "DIFFERENT"))
        cmp = base["cmp"]
        for fam in cmp.families:
            row = cmp.overall.loc[fam]
            mean, lo, hi = (row[c] / unit for c in ("mean", "ci_low", "ci_high"))
            scores.append((name, cmp.metric, fam, f"{mean:.4f} [{lo:.4f}, {hi:.4f}]", f"{row['fit_seconds']:.2f}",
                           PUBLISHED.get((key, fam), "-") if key else "-"))
        md.append((name, ds.n_rows, budget, cmp.metric,
                   *(f"{cmp.overall.loc[f, 'mean'] / unit:.4f}" for f in ("linear", "gbm", "deep")),
                   " / ".join(f"{fit_mean(cmp, f):.2f}" for f in ("linear", "gbm", "deep")),
                   f"{base['wall']:.0f}", f"{base['first']:.1f}"))
    print("\nWall time (s), time to the first number (s), and mean fit seconds per fold")
    print(text_table(("data", "rows x cols", "budget", "run", "fits at a time", "wall s", "first s", "deep fit s",
                      "XGBoost fit s", "deep / XGBoost"), timing))
    print("\nScores (mean of the folds, 95% CI) against published figures (California RMSE in US$100,000)")
    print(text_table(("data", "metric", "family", "score [95% CI]", "fit s", "published"), scores))
    if args.markdown:
        lines = ["| dataset | rows | budget | metric | linear | XGBoost | deep net | fit s per fold "
                 "(linear / XGBoost / deep) | wall s | first number s |", "|---" * 10 + "|"]
        lines += ["| " + " | ".join(f"{c:,}" if isinstance(c, int) else str(c) for c in row) + " |" for row in md]
        Path(args.markdown).write_text("\n".join(lines) + "\n")
        print(f"\nwrote {args.markdown}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
