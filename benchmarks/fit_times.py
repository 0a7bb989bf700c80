"""Measure the seconds per fit that the time estimates are fitted to (``dllab.engine.estimate.MEASURED``).

Each row is a 2-fold comparison of one family on a built-in sampled to twice the training rows,
one fit at a time in this process; it prints the mean fit + predict seconds of the two folds as
``MEASURED`` rows, ready to paste. Run it with one thread per fit, as the estimates assume::

    OMP_NUM_THREADS=1 python benchmarks/fit_times.py --families deep --budgets standard
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing

import argparse

import numpy as np

from dllab.config import RunConfig
from dllab.datasets import load_builtin
from dllab.engine.runner import compare

#: (built-in, training rows of a fold): the tables and sizes of MEASURED.
SIZES = (("adult", 1000), ("adult", 4000), ("adult", 24421), ("breast_cancer", 284), ("california_housing", 2000),
         ("california_housing", 6000), ("smooth_interactions", 5000), ("smooth_interactions", 15000), ("wine", 89))


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--families", default="linear,gbm,deep")
    p.add_argument("--budgets", default="quick,standard")
    p.add_argument("--sizes", default="", help="comma-separated name:rows (default: those of MEASURED)")
    args = p.parse_args(argv)
    # the first fit of a process also loads its library (estimate.STARTUP counts that apart)
    compare(load_builtin("wine"), config=RunConfig(budget="quick", n_folds=2, n_jobs=1,
                                                  families=tuple(args.families.split(","))), keep_models=False)
    sizes = SIZES if not args.sizes else tuple((s.split(":")[0], int(s.split(":")[1])) for s in args.sizes.split(","))
    for budget in args.budgets.split(","):
        for family in args.families.split(","):
            for name, n_train in sizes:
                ds = load_builtin(name, max_rows=2 * n_train + 1, random_state=0)
                cmp = compare(ds, config=RunConfig(budget=budget, n_folds=2, n_jobs=1, families=(family,)),
                              keep_models=False)
                ok = [r for r in cmp.records if r.ok]
                seconds = np.mean([r.fit_seconds + r.predict_seconds for r in ok]) if ok else float("nan")
                rows = int(np.mean([r.n_train for r in cmp.records]))
                print(f'    ("{family}", "{budget}", "{name}", "{ds.task}", {rows}, {len(ds.feature_columns)}, '
                      f"{seconds:.3g}),", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
