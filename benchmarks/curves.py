"""Print the data-size curve of a dataset: size x family mean [95% band] and fit seconds, then the crossover.

Usage::

    python benchmarks/curves.py DATA [--target COL] [--budget quick] [--families linear,gbm,deep]
        [--sizes 100,250,1000] [--seeds 3] [--folds 1] [--time-budget 600] [--max-rows N] [--seed 0]
        [--json OUT.json]

DATA is a built-in dataset name (``python -m dllab datasets``) or a CSV path.
Each fit is printed as it finishes (the runner's progress labels), so a long
run shows where it is. Not a test: it measures, it does not assert.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dllab.engine import compute
from dllab.config import RunConfig  # noqa: E402
from dllab.analyses.curves import learning_curve  # noqa: E402
from dllab.datasets import load  # noqa: E402
from dllab.errors import ConfigError, DataError  # noqa: E402


def _ints(text):
    return [int(float(v)) for v in text.split(",") if v.strip()] if text else None


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("data", help="built-in dataset name or CSV path")
    ap.add_argument("--target", default=None)
    ap.add_argument("--budget", default="quick", choices=("quick", "standard", "thorough"))
    ap.add_argument("--families", default="linear,gbm,deep")
    ap.add_argument("--sizes", default=None, help="comma-separated training sizes (default: 100, 250, 500, ...)")
    ap.add_argument("--seeds", type=int, default=3, help="subsamples per size")
    ap.add_argument("--folds", type=int, default=1, help="how many of the config's splits to use")
    ap.add_argument("--time-budget", type=float, default=None, help="seconds; larger sizes are skipped beyond it")
    ap.add_argument("--max-rows", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--device", default="auto")
    ap.add_argument("--json", default=None, help="write {'curve': ...} here")
    ap.add_argument("--quiet", action="store_true", help="do not print each fit")
    ap.add_argument("--cluster", default=None, metavar="local[:N]|tcp://HOST:PORT",
                   help="run the fits on a Dask cluster (default: $DLLAB_CLUSTER, else this process)")
    args = ap.parse_args(argv)
    with compute.session(compute.resolve(args.cluster)):
        return _run(args)


def _run(args):
    try:
        ds = load(args.data, target=args.target, max_rows=args.max_rows, random_state=args.seed)
        config = RunConfig(budget=args.budget, seed=args.seed, device=args.device,
                           families=tuple(f.strip() for f in args.families.split(",") if f.strip()))
        progress = None if args.quiet else (lambda p: print("  " + p.text, flush=True))
        t0 = time.perf_counter()
        curve = learning_curve(ds, config=config, sizes=_ints(args.sizes), n_seeds=args.seeds, folds=args.folds,
                               progress=progress, time_budget=args.time_budget)
    except (DataError, ConfigError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    wall = time.perf_counter() - t0
    d = curve.to_dict()
    print(f"\n{ds.name}: {ds.n_rows:,} rows ({ds.n_rows_total:,} in the source), task {ds.task}, "
          f"metric {curve.metric} ({'higher' if curve.higher_is_better else 'lower'} is better); "
          f"fold(s) {d['design']['folds_used']}, {d['design']['n_seeds']} seeds, test rows {d['design']['n_test']}; "
          f"wall {wall:.0f} s")
    print(curve.table().to_string(index=False))
    print("\nfitted power laws and slope per doubling at the largest size:")
    for m in d["models"]:
        law = m["power_law"]
        law_text = "—" if law is None else f"a={law['a']:.4g} b={law['b']:.4g} c={law['c']:.3g}"
        lo, hi = m["slope_per_doubling_ci"]
        slope = m["slope_per_doubling"]
        slope_text = "—" if slope is None else (f"{slope:+.4g}" + ("" if lo is None else f" [{lo:+.4g}, {hi:+.4g}]"))
        print(f"  {m['label']:<30} {law_text:<36} per doubling {slope_text}")
    print("\ncrossover:", json.dumps({k: d["crossover"][k] for k in ("kind", "observed_n", "extrapolated_n", "ci")}))
    print(d["crossover"]["statement"])
    print("\nconclusion:", curve.conclusion())
    for note in curve.notes:
        print("note:", note)
    if args.json:
        Path(args.json).write_text(json.dumps({"curve": d}, indent=2))
        print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
