"""Verdict benchmark: every workshop scenario and every built-in dataset, expected recommendation vs the verdict.

Run: ``nice python benchmarks/verdict.py [--budget standard] [--max-rows 100000] [--datasets a,b]
[--scenarios a,b] [--curve auto|always|never]``; ``--budget quick --max-rows 3000`` for a fast look.

Workshop scenarios (:mod:`dllab.apps.workshop`) run end to end as in the app (their rows, analysis and
needs) on ``--budget`` instead of their own quick one; their expected answers and justifications are
``Scenario.expected`` and ``Scenario.why``, and every one must match. Built-in datasets run on up to
``--max-rows`` rows; their expected recommendations below were written down before running, each with
its justification (from the datasets' lessons, datasets/README.md and the published comparisons). An
expectation is a set: any of its members counts as agreement. Where the expectation depends on the
rows used (the deep net needs thousands of rows to overtake boosting on ``smooth_interactions``), it is
a function of the row count. Prints one row per case and the agreement counts.

``--budget quick --datasets ''`` runs the scenarios exactly as the workshop does (their own quick
budget and folds) and reports the slowest: each must finish in under a minute on a laptop.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dataclasses import replace  # noqa: E402

from dllab.engine import compute
from dllab import workshop  # noqa: E402
from dllab.config import RunConfig  # noqa: E402
from dllab.datasets import catalogue, load_builtin  # noqa: E402
from dllab.engine.runner import compare  # noqa: E402
from dllab.analyses.verdict import Needs, verdict  # noqa: E402


@dataclass(frozen=True)
class Case:
    name: str
    expected: object  # set of recommendations, or a function rows -> set
    why: str
    needs: Needs = field(default_factory=Needs)

    def expect(self, rows: int) -> set:
        return set(self.expected(rows) if callable(self.expected) else self.expected)


CASES = [
    # ---- built-in datasets
    Case("breast_cancer", {"linear", "gbm"}, "569 rows, nearly linearly separable: a deep net adds cost, not accuracy"),
    Case("penguins", {"linear"}, "every family is near 99%: ties go to the simplest"),
    Case("wine", {"linear", "undecided"}, "178 rows, near-perfectly separable; fold noise may leave it undecided"),
    Case("diabetes", {"linear"}, "small noisy regression: linear is hard to beat, deep nets overfit"),
    Case("california_housing", {"gbm"}, "smooth geographic regression: boosting leads a plain MLP (published)"),
    Case("adult", {"gbm"}, "mixed census data: boosting beats linear and MLPs by 1-2 points (published)"),
    Case("credit_default", {"linear"}, "nearly logit-linear with 3 columns: logistic regression is as good as anything"),
    Case("diamonds", {"gbm"}, "strongly nonlinear: boosting and deep far ahead of linear, boosting far cheaper"),
    Case("flights", {"gbm"}, "high-cardinality categoricals + timestamp: boosting leads at up to 100k rows"),
    Case("digits", {"deep", "gbm"}, "images: a CNN beats linear and at least matches boosting (a tie goes to boosting)"),
    Case("mnist1d", {"deep"}, "shifted 1-D templates: the translation-equivariant CNN is far ahead"),
    Case("sms_spam", {"linear"}, "TF-IDF + linear is near the ceiling; deep/pretrained add cost, not accuracy"),
    Case("fine_foods", {"linear", "undecided"}, "5 stars vs the rest is a fine shade of sentiment: TF-IDF + linear "
                                                 "matches or beats the frozen encoder (datasets/README.md)"),
    Case("wordnet_definitions",
         lambda n: {"deep"} if n <= 3_000 else ({"linear"} if n >= 12_000 else {"deep", "linear", "undecided"}),
         "dictionary definitions: the pretrained encoder is ~20 points ahead of TF-IDF on a few hundred rows; "
         "TF-IDF catches up near 9,000 training rows and leads by 0.5 at 12,800 (benchmarks/transfer.py)"),
    Case("linear", {"linear"}, "a truly linear relationship: nothing should beat the linear model"),
    Case("smooth_interactions", lambda n: {"deep"} if n >= 8_000 else {"gbm"},
         "boosting leads on a few hundred rows, the deep net overtakes it by ~5,000 training rows (the generator's "
         "docstring)"),
    Case("planted_subgroup", {"gbm"}, "the linear model fails the planted slice, where boosting is far better, and "
                                       "the two are close overall: step 4 of the rule (reliability) picks boosting"),
]


def _table(title, rows):
    header = ("case", "rows", "expected", "got", "confidence", "agree", "s", "first reason")
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header[:-1])]
    print(f"\n{title}")
    print("  ".join(h.ljust(w) for h, w in zip(header, widths + [0])))
    print("  ".join("-" * w for w in widths + [12]))
    for r in rows:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths + [0])))
    agree = sum(r[5] == "yes" for r in rows)
    print(f"agreement: {agree}/{len(rows)}")
    return agree


def _row(name, rows, expected, v, seconds):
    ok = v["recommendation"] in expected
    print(f"{name}: expected {'/'.join(sorted(expected))}; got {v['recommendation']} ({v['confidence']}) in "
          f"{seconds:.0f} s", flush=True)
    for r in v["reason_details"]:
        print(f"    - [{r['evidence_page']}] {r['text']}", flush=True)
    return (name, f"{rows:,}", "/".join(sorted(expected)), v["recommendation"], v["confidence"],
            "yes" if ok else "NO", f"{seconds:.0f}", v["reasons"][0])


def run_scenarios(ids, budget, seed):
    """Each scenario on ``budget`` (its own folds on quick, the budget's default otherwise)."""
    rows = []
    for s in workshop.scenarios():
        if ids and s.id not in ids:
            continue
        folds = s.config.n_folds if budget == "quick" else None
        s = replace(s, config=replace(s.config, budget=budget, n_folds=folds, seed=seed))
        t0 = time.perf_counter()
        summary = workshop.run_scenario(s)
        rows.append(_row(f"{s.id} ({s.dataset})", summary["dataset"]["rows"], {s.expected}, summary["verdict"],
                         time.perf_counter() - t0))
    return rows


def run_builtins(cases, args):
    from dllab.models import default_families

    rows = []
    for case in cases:
        t0 = time.perf_counter()
        folds = RunConfig(budget=args.budget).resolved_folds
        ds = load_builtin(case.name, max_rows=args.max_rows, random_state=args.seed, n_folds=folds)
        cfg = RunConfig(budget=args.budget, seed=args.seed, families=default_families(ds))
        cmp = compare(ds, config=cfg)
        curve = None
        if args.curve == "always" or (args.curve == "auto" and ds.modality == "tabular" and ds.n_rows <= 5_000):
            from dllab.analyses.curves import learning_curve

            curve = learning_curve(ds, config=cfg, n_seeds=2, comparison=cmp, time_budget=120)
        v = verdict(cmp, curve=curve, dataset=ds, needs=case.needs).to_dict()
        rows.append(_row(case.name, ds.n_rows, case.expect(ds.n_rows), v, time.perf_counter() - t0))
    return rows


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--budget", default="standard", choices=("quick", "standard", "thorough"))
    p.add_argument("--max-rows", type=int, default=100_000)
    p.add_argument("--datasets", default=None,
                   help="comma-separated built-in cases (default: every one; '' for none)")
    p.add_argument("--scenarios", default=None,
                   help="comma-separated workshop scenario ids (default: every one; '' for none)")
    p.add_argument("--curve", default="auto", choices=("auto", "always", "never"),
                   help="also run the data-size curve for built-ins (auto: tabular data up to 5,000 rows)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--cluster", default=None, metavar="local[:N]|tcp://HOST:PORT",
                   help="run the fits on a Dask cluster (default: $DLLAB_CLUSTER, else this process)")
    args = p.parse_args(argv)
    with compute.session(compute.resolve(args.cluster)):
        return _run(args, p)


def _run(args, p):
    known = {c.name for c in CASES}
    missing = [b.name for b in catalogue() if b.name not in known]
    assert not missing, f"internal error: built-ins without an expectation: {missing}"
    wanted = None if args.datasets is None else [n for n in args.datasets.split(",") if n]
    unknown = sorted(set(wanted or ()) - known)
    if unknown:
        p.error(f"unknown case(s) {', '.join(unknown)}; choose from {', '.join(sorted(known))}")
    ids = None if args.scenarios is None else [n for n in args.scenarios.split(",") if n]
    unknown = sorted(set(ids or ()) - {s.id for s in workshop.scenarios()})
    if unknown:
        p.error(f"unknown scenario(s) {', '.join(unknown)}")

    scen = run_scenarios(ids, args.budget, args.seed) if ids is None or ids else []
    cases = [c for c in CASES if wanted is None or c.name in wanted]
    built = run_builtins(cases, args) if cases else []
    print(f"\nbudget {args.budget}, max_rows {args.max_rows:,} (built-ins), seed {args.seed}")
    if scen:
        agree = _table("workshop scenarios (each must match)", scen)
        print("all scenario verdicts match" if agree == len(scen) else "SCENARIO MISMATCH")
        slowest = max(scen, key=lambda r: float(r[6]))
        print(f"slowest scenario: {slowest[0]}, {slowest[6]} s (the workshop's limit: 60 s on a laptop)")
    if built:
        _table("built-in datasets", built)


if __name__ == "__main__":
    main()
