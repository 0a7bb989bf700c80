"""Power benchmark of the verdict: how often each budget decides a planted gap, and how often it declares one that is not there.

Run: ``nice python benchmarks/power.py [--seeds 20] [--budgets quick,standard] [--deep]``.

Every case is drawn afresh for each seed (data, splits and models all follow the seed), and runs the lab's
own comparison and verdict. Cases:

``planted_rmse``, ``planted_rmse40``
    Regression, 200 rows: y = 3 sin(2 x1) + x2 x3 + heavy-tailed noise (t with 3 degrees of freedom, scale
    1 or 0.4). Boosting's RMSE is about 23% (40%) below the linear model's, with fold-to-fold swings from
    the outliers: the second is the case of the issue (a consistent 40% gap on a small table).
``planted_acc``
    Classification, 400 rows, a boundary with an interaction: boosting is several points more accurate.
``null_labels``
    Classification, 400 balanced rows, labels drawn independently of the columns (a shuffled-label check):
    no family is better than another; a decision that a more complex family wins is false.
``null_target``
    Regression, 300 rows, a target of pure noise.
``twin_gbm`` (and ``twin_deep`` with ``--deep``)
    The same family twice, with different seeds, on planted_acc data (an identical-model check): any
    significant difference between the twins is false.

For each (case, budget) it prints the rate of significant tests (the cross-validation test over rows that
the verdict uses, and the split-level corrected t-test for reference), the verdict's rate of deciding
for the right family (planted) or of a false decision (null and twins), how often it is undecided, and how
often the reliability step (a failing subgroup) moved the recommendation, over the seeds. Rates on null
data should stay near or below 5%, and the reliability step should never fire there.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from dllab.engine import compute
from dllab import families  # noqa: E402
from dllab.analyses.subgroups import subgroup_report  # noqa: E402
from dllab.analyses.verdict import verdict  # noqa: E402
from dllab.config import RunConfig  # noqa: E402
from dllab.datasets.loading import from_frame  # noqa: E402
from dllab.engine.runner import compare  # noqa: E402
from dllab.stats import paired_test  # noqa: E402


def _frame(X, y):
    df = pd.DataFrame(X, columns=[f"x{i}" for i in range(X.shape[1])])
    df["target"] = y
    return df


def planted_rmse(rng):
    X = rng.normal(size=(200, 5))
    y = 3 * np.sin(2 * X[:, 0]) + X[:, 1] * X[:, 2] + rng.standard_t(3, size=200)
    return _frame(X, y), "regression"


def planted_rmse40(rng):
    X = rng.normal(size=(200, 5))
    y = 3 * np.sin(2 * X[:, 0]) + X[:, 1] * X[:, 2] + 0.4 * rng.standard_t(3, size=200)
    return _frame(X, y), "regression"


def planted_acc(rng):
    X = rng.normal(size=(400, 6))
    z = 1.5 * X[:, 0] * X[:, 1] + 0.8 * X[:, 2] + rng.logistic(scale=0.6, size=400)
    return _frame(X, np.where(z > 0, "yes", "no")), "binary"


def null_labels(rng):
    X = rng.normal(size=(400, 6))
    return _frame(X, rng.permutation(np.repeat(["yes", "no"], 200))), "binary"


def null_target(rng):
    X = rng.normal(size=(300, 6))
    return _frame(X, rng.normal(size=300)), "regression"


CASES = {
    # name: (data, families, the pair tested (complex, simple), what a correct decision is)
    "planted_rmse": (planted_rmse, ("linear", "gbm"), ("gbm", "linear"), "gbm"),
    "planted_rmse40": (planted_rmse40, ("linear", "gbm"), ("gbm", "linear"), "gbm"),
    "planted_acc": (planted_acc, ("linear", "gbm"), ("gbm", "linear"), "gbm"),
    "null_labels": (null_labels, ("linear", "gbm"), ("gbm", "linear"), None),
    "null_target": (null_target, ("linear", "gbm"), ("gbm", "linear"), None),
    "twin_gbm": (planted_acc, ("gbm", "gbm_twin"), ("gbm_twin", "gbm"), None),
}
DEEP_CASES = {
    "null_labels_deep": (null_labels, ("linear", "deep"), ("deep", "linear"), None),
    "twin_deep": (planted_acc, ("deep", "deep_twin"), ("deep_twin", "deep"), None),
}


def _register_twins():
    # A copy of a family under another name: another seed key, so other seeds, same model otherwise.
    for name in ("gbm", "deep"):
        twin = f"{name}_twin"
        if twin not in families.names():
            f = families.get(name)
            families.register(families.Family(twin, f.label + " (twin)", f.build, kind=f.kind,
                                              modalities=f.modalities, explainer=f.explainer))


def run_case(name, spec, budget, seed):
    make, fams, (a, b), right = spec
    rng = np.random.default_rng(10_000 + seed)
    df, task = make(rng)
    ds = from_frame(df, target="target", task=task, name=name)
    cmp = compare(ds, config=RunConfig(budget=budget, seed=seed, families=fams), keep_models=False)
    cv = cmp.difference(a, b)
    split = paired_test(cmp.split_scores(a), cmp.split_scores(b), test_fraction=cmp.splits.test_fraction,
                        higher_is_better=cmp.higher_is_better)
    v = verdict(cmp)
    # the reliability step (4) on the same run: with subgroups, does it move the recommendation?
    sub = subgroup_report(cmp, ds, n_boot=100, random_state=seed)
    vs = verdict(cmp, subgroups=sub)
    moved = any(r.kind == "subgroup" and "does not fail this group" in r.text for r in vs.reasons)
    simplest = families.by_simplicity(list(fams))[0]
    if right is not None:
        decision = v.family == right
    else:  # a false decision: the verdict says a more complex family (or a twin) is better
        decision = v.recommendation != "undecided" and v.family != simplest
    gain = (1 if cmp.higher_is_better else -1) * cv.difference
    return {"case": name, "budget": budget, "seed": seed, "cv_sig": cv.significant, "split_sig": split.significant,
            "decision": decision, "moved_by_slice": moved, "undecided": v.recommendation == "undecided", "gain": gain,
            "rel_gain": gain / abs(float(cmp.overall.loc[b, "mean"])) if cmp.metric == "rmse" else np.nan}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=20)
    ap.add_argument("--budgets", default="quick,standard")
    ap.add_argument("--cases", default="")
    ap.add_argument("--deep", action="store_true", help="add the deep net's null and twin cases (slower)")
    ap.add_argument("--cluster", default=None, metavar="local[:N]|tcp://HOST:PORT",
                   help="run the fits on a Dask cluster (default: $DLLAB_CLUSTER, else this process)")
    args = ap.parse_args(argv)
    with compute.session(compute.resolve(args.cluster)) as cluster:
        return _run(args, cluster)


def _run(args, cluster):
    _register_twins()
    cases = dict(CASES, **(DEEP_CASES if args.deep else {}))
    if args.cases:
        cases = {k: cases[k] for k in args.cases.split(",")}
    rows = []
    t0 = time.perf_counter()
    for budget in args.budgets.split(","):
        for name, spec in cases.items():
            # on a cluster, the seeds' comparisons run side by side and keep every worker busy
            rows += compute.concurrently(lambda seed: run_case(name, spec, budget, seed), range(args.seeds),
                                         cluster=cluster)
            print(f"  {budget:9s} {name:16s} done ({time.perf_counter() - t0:.0f} s)", file=sys.stderr)
    res = pd.DataFrame(rows)
    table = res.groupby(["case", "budget"], sort=False).agg(
        seeds=("seed", "size"), mean_gain=("gain", "mean"), rel_gain=("rel_gain", "mean"),
        cv_test_significant=("cv_sig", "mean"), split_test_significant=("split_sig", "mean"),
        verdict_decides=("decision", "mean"), undecided=("undecided", "mean"),
        slice_override=("moved_by_slice", "mean")).reset_index()
    table["kind"] = [("planted: decides for the better family" if CASES.get(c, DEEP_CASES.get(c))[3]
                      else "null: false decision") for c in table.case]
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        print(table.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    print(f"\n{len(res)} comparisons in {time.perf_counter() - t0:.0f} s")
    return table


if __name__ == "__main__":
    main()
