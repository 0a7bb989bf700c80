"""Worst slices per model, deep-vs-boosting disagreement and the shift table for one dataset.

Run: ``python benchmarks/subgroups.py [DATASET] [--group COL ...] [--shift COL] [--families linear,gbm]
[--budget quick] [--max-rows 10000]``, e.g. ``planted_subgroup --shift region`` or
``adult --group sex --group race --shift race``. Prints the comparison, the ranked worst slices of
every model (with 95% CIs and BH q-values), the disagreement slices, the shift table, the findings
in words and the time each step took.
"""

from __future__ import annotations

import argparse
import time

from dllab.engine import compute
from dllab.config import RunConfig
from dllab.datasets import load
from dllab.engine.runner import compare
from dllab.analyses.subgroups import Slice, shift_test, subgroup_report


def _table(header, rows):
    rows = [[str(c) for c in r] for r in rows]
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(header)]
    print("  ".join(h.ljust(w) for h, w in zip(header, widths)))
    print("  ".join("-" * w for w in widths))
    for r in rows:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths)))


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("dataset", nargs="?", default="planted_subgroup")
    p.add_argument("--group", action="append", default=[], help="grouping/sensitive column (repeatable)")
    p.add_argument("--shift", help="column for the shift test (default: the first --group, else none)")
    p.add_argument("--families", default="linear,gbm,deep")
    p.add_argument("--budget", default="quick", choices=("quick", "standard", "thorough"))
    p.add_argument("--max-rows", type=int, default=10_000)
    p.add_argument("--n-folds", type=int, default=3)
    p.add_argument("--repeats", type=int, default=1)
    p.add_argument("--n-boot", type=int, default=200)
    p.add_argument("--min-size", type=int, default=30)
    p.add_argument("--top", type=int, default=5)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--device", default="auto")
    p.add_argument("--cluster", default=None, metavar="local[:N]|tcp://HOST:PORT",
                   help="run the fits on a Dask cluster (default: $DLLAB_CLUSTER, else this process)")
    args = p.parse_args(argv)
    with compute.session(compute.resolve(args.cluster)):
        return _run(args)


def _run(args):

    config = RunConfig(budget=args.budget, seed=args.seed, n_folds=args.n_folds,
                       repeats=args.repeats, families=tuple(args.families.split(",")), device=args.device)
    ds = load(args.dataset, max_rows=args.max_rows, random_state=args.seed)
    print(f"{ds!r}; notices: {'; '.join(ds.notices) or 'none'}")
    t0 = time.perf_counter()
    cmp = compare(ds, config=config, keep_models=False)
    t_cmp = time.perf_counter() - t0
    print(cmp.table().to_string(index=False))

    shift_col = args.shift or (args.group[0] if args.group else None)
    shift, t_shift = None, 0.0
    if shift_col:
        t0 = time.perf_counter()
        shift = shift_test(ds, column=shift_col, config=config)
        t_shift = time.perf_counter() - t0

    t0 = time.perf_counter()
    report = subgroup_report(cmp, ds, groups=args.group, n_boot=args.n_boot, min_size=args.min_size,
                             top_k=args.top, shift=shift, random_state=args.seed)
    t_rep = time.perf_counter() - t0
    n_tested = int((~report.frame.uncertain).sum())
    print(f"\n{len(report.slices)} slices x {len(report.families)} models ({n_tested} slice-model tests); "
          f"metric {report.metric}, secondary {report.secondary_metric}")

    planted = ds.meta.get("planted")
    planted_mask = Slice(planted["conditions"]).mask(ds.frame) if planted else None
    for fam in report.families:
        o = report.overall.loc[fam]
        print(f"\nWorst slices: {fam} (overall {o.score:.4f} [{o.ci_low:.4f}, {o.ci_high:.4f}])")
        rows = []
        for rank, (_, r) in enumerate(report.worst(fam).iterrows(), 1):
            extra = ""
            if planted_mask is not None:
                m = report.slices[int(r["slice"])].mask(ds.frame)
                extra = f"{(m & planted_mask).sum() / (m | planted_mask).sum():.2f}"
            rows.append((rank, r.description, f"{int(r['size']):,}", f"{r.score:.4f}",
                         f"[{r.ci_low:.4f}, {r.ci_high:.4f}]", f"{r.gap:+.4f}", f"{r.rank_score:+.2f}",
                         f"{r.q_value:.1e}", extra))
        _table(("#", "slice", "n", "score", "95% CI", "gap", "gap*sqrt(n)", "BH q",
                "overlap with planted (IoU)" if planted_mask is not None else ""), rows)
        if planted_mask is not None:
            f = report.frame
            exact = [i for i, s in enumerate(report.slices) if s.mask(ds.frame).sum() and
                     (s.mask(ds.frame) & planted_mask).sum() / (s.mask(ds.frame) | planted_mask).sum() > 0.8]
            for i in exact:
                r = f[(f.family == fam) & (f.slice == i)].iloc[0]
                print(f"  planted subgroup as sliced ({r.description}, n = {int(r['size'])}): "
                      f"{r.score:.4f} [{r.ci_low:.4f}, {r.ci_high:.4f}], gap {r.gap:+.4f}, q = {r.q_value:.1e}")

    if report.pair:
        a, b = report.pair
        print(f"\nDisagreement: per-row {report.settings['disagreement_loss']} of {a} minus {b} "
              f"({report.to_dict()['disagreement_overall']:+.4f} on all rows)")
        _table(("direction", "slice", "n", "mean diff", "95% CI", "BH q"),
               [(r.direction, r.description, f"{int(r['size']):,}", f"{r.mean_diff:+.4f}",
                 f"[{r.ci_low:+.4f}, {r.ci_high:+.4f}]", f"{r.q_value:.1e}")
                for _, r in report.disagreement(top_k=args.top).iterrows()])

    if shift:
        print(f"\nShift test on {shift_col!r} (positive drop = worse when the group is held out)")
        _table(("held-out group", "n test", "family", "held-out", "random split", "drop", "note"),
               [(r["group"], f"{r['size']:,}", r["family"],
                 "—" if r["shift_score"] is None else f"{r['shift_score']:.4f}",
                 "—" if r["random_score"] is None else f"{r['random_score']:.4f}",
                 "—" if r["drop"] is None else f"{r['drop']:+.4f}",
                 r["note"] or r["reason"]) for r in shift])

    print("\nFindings:")
    for s in report.findings():
        print(" -", s)
    print(f"\nTimes: compare {t_cmp:.1f} s, shift test {t_shift:.1f} s, subgroup report {t_rep:.2f} s "
          f"({report.seconds:.2f} s inside)")


if __name__ == "__main__":
    main()
