"""Verdict benchmark: every built-in dataset and workshop scenario, expected recommendation vs the verdict.

Run: ``nice python benchmarks/verdict.py [--budget standard] [--max-rows 100000] [--datasets a,b]
[--curve auto|always|never]``; ``--budget quick --max-rows 3000`` for a fast look.

The expected recommendations below were written down before running, each with its justification
(from the datasets' lessons, datasets/README.md and the published comparisons). An expectation is a
set: any of its members counts as agreement. Where the expectation depends on the rows used (the
deep net needs tens of thousands of rows to overtake boosting on ``smooth_interactions``), it is a
function of the row count. Prints one row per case and the agreement count.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dllab.config import RunConfig  # noqa: E402
from dllab.datasets import catalogue, from_frame, load_builtin, make_linear  # noqa: E402
from dllab.runner import compare  # noqa: E402
from dllab.verdict import Needs, verdict  # noqa: E402


@dataclass(frozen=True)
class Case:
    name: str
    expected: object  # set of recommendations, or a function rows -> set
    why: str
    needs: Needs = field(default_factory=Needs)
    data: str | None = None  # built-in to load (default: name)
    frame: object = None  # callable (random_state) -> (frame, target) for synthetic scenarios

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
    Case("fine_foods", {"deep"}, "sentiment with few labels: the pretrained encoder (transfer) is well ahead of TF-IDF"),
    Case("linear", {"linear"}, "a truly linear relationship: nothing should beat the linear model"),
    Case("smooth_interactions", lambda n: {"deep"} if n >= 20_000 else {"gbm"},
         "boosting leads on a few thousand rows, the deep net overtakes it with tens of thousands"),
    Case("planted_subgroup", {"linear", "gbm"}, "overall scores are close; the hidden slice is a subgroup reason, "
                                                "not a reason for a deep net"),
    # ---- workshop scenarios beyond the built-ins
    Case("linear_binary", {"linear"}, "a logistic relationship: the linear model is the right tool",
         frame=lambda rs: (make_linear(n_rows=2000, task="binary", random_state=rs), "target")),
    Case("adult_explain", {"linear"}, "each decision explained: boosting's 1-2 point lead is under the 3-point "
                                      "'large' gap, so the transparent linear model wins",
         needs=Needs(explain_each_decision=True), data="adult"),
]


def _load(case: Case, *, max_rows: int, seed: int, folds: int):
    if case.frame is not None:
        frame, target = case.frame(seed)
        return from_frame(frame, target=target, name=case.name, max_rows=max_rows, random_state=seed)
    return load_builtin(case.data or case.name, max_rows=max_rows, random_state=seed, n_folds=folds)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--budget", default="standard", choices=("quick", "standard", "thorough"))
    p.add_argument("--max-rows", type=int, default=100_000)
    p.add_argument("--datasets", default="", help="comma-separated case names (default: every case)")
    p.add_argument("--curve", default="auto", choices=("auto", "always", "never"),
                   help="also run the data-size curve (auto: tabular data up to 5,000 rows)")
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args(argv)

    known = {c.name for c in CASES}
    missing = [b.name for b in catalogue() if b.name not in known]
    assert not missing, f"internal error: built-ins without an expectation: {missing}"
    wanted = [n for n in args.datasets.split(",") if n]
    unknown = sorted(set(wanted) - known)
    if unknown:
        p.error(f"unknown case(s) {', '.join(unknown)}; choose from {', '.join(sorted(known))}")
    cases = [c for c in CASES if not wanted or c.name in wanted]

    config = RunConfig(budget=args.budget, seed=args.seed, max_rows=args.max_rows)
    rows, agree = [], 0
    for case in cases:
        t0 = time.perf_counter()
        ds = _load(case, max_rows=args.max_rows, seed=args.seed, folds=config.resolved_folds)
        from dllab.models import default_families

        cfg = RunConfig(budget=args.budget, seed=args.seed, max_rows=args.max_rows, families=default_families(ds))
        cmp = compare(ds, config=cfg)
        curve = None
        if args.curve == "always" or (args.curve == "auto" and ds.modality == "tabular" and ds.n_rows <= 5_000):
            from dllab.curves import learning_curve

            curve = learning_curve(ds, config=cfg, n_seeds=2, comparison=cmp, time_budget=120)
        v = verdict(cmp, curve=curve, dataset=ds, needs=case.needs)
        expected = case.expect(ds.n_rows)
        ok = v.recommendation in expected
        agree += ok
        rows.append((case.name, f"{ds.n_rows:,}", "/".join(sorted(expected)), v.recommendation, v.confidence,
                     "yes" if ok else "NO", f"{time.perf_counter() - t0:.0f}", v.reasons[0].text))
        print(f"{case.name}: expected {'/'.join(sorted(expected))} ({case.why}); got {v.recommendation} "
              f"({v.confidence}) in {time.perf_counter() - t0:.0f} s", flush=True)
        for r in v.reasons:
            print(f"    - [{r.evidence_page}] {r.text}", flush=True)
    header = ("case", "rows", "expected", "got", "confidence", "agree", "s", "first reason")
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header[:-1])]
    print()
    print(f"budget {args.budget}, max_rows {args.max_rows:,}, seed {args.seed}")
    print("  ".join(h.ljust(w) for h, w in zip(header, widths + [0])))
    print("  ".join("-" * w for w in widths + [12]))
    for r in rows:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths + [0])))
    print(f"\nagreement: {agree}/{len(rows)}")


if __name__ == "__main__":
    main()
