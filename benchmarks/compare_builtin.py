"""Score and fit time of every family on every built-in dataset.

Run: ``python benchmarks/compare_builtin.py [--budget quick] [--datasets a,b] [--max-rows 20000]``.
Prints one row per (dataset, family) and writes the table as Markdown with
``--markdown FILE`` (the README's results table comes from here).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing

import argparse
import time

from dllab.engine import compute
from dllab.analyses.comparison import describe_test
from dllab.config import RunConfig
from dllab.datasets import catalogue, load_builtin
from dllab.engine.runner import compare


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--budget", default="quick", choices=("quick", "standard", "thorough"))
    p.add_argument("--datasets", default="", help="comma-separated names (default: all built-ins)")
    p.add_argument("--max-rows", type=int, default=20_000, help="sample larger data (default 20,000: keeps it short)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--markdown", help="also write the table as Markdown to this file")
    p.add_argument("--cluster", default=None, metavar="local[:N]|tcp://HOST:PORT",
                   help="run the fits on a Dask cluster (default: $DLLAB_CLUSTER, else this process)")
    args = p.parse_args(argv)
    with compute.session(compute.resolve(args.cluster)):
        return _run(args)


def _run(args):

    names = [n for n in args.datasets.split(",") if n] or [b.name for b in catalogue()]
    header = ("dataset", "rows", "task", "metric", "model", "score [95% CI]", "fit s/fold", "verdict vs deep")
    rows = []
    for name in names:
        ds = load_builtin(name, max_rows=args.max_rows, random_state=args.seed)
        t0 = time.perf_counter()
        cmp = compare(ds, config=RunConfig(budget=args.budget, seed=args.seed),
                      keep_models=False)
        for fam in cmp.families:
            o = cmp.overall.loc[fam]
            test = cmp.tests.get(("deep", fam))
            rows.append((name, f"{ds.n_rows:,}", ds.task, cmp.metric, fam,
                         f"{o['mean']:.4f} [{o['ci_low']:.4f}, {o['ci_high']:.4f}]" if o["status"] != "failed"
                         else f"failed: {o['reason']}",
                         f"{o['fit_seconds']:.2f}",
                         "" if test is None else describe_test(test, metric=cmp.metric)))
        print(f"{name}: {time.perf_counter() - t0:.0f} s", flush=True)
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]
    print("  ".join(h.ljust(w) for h, w in zip(header, widths)))
    print("  ".join("-" * w for w in widths))
    for r in rows:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths)))
    if args.markdown:
        with open(args.markdown, "w") as fh:
            fh.write("| " + " | ".join(header) + " |\n|" + "---|" * len(header) + "\n")
            for r in rows:
                fh.write("| " + " | ".join(r) + " |\n")


if __name__ == "__main__":
    main()
