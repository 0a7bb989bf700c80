"""dllab's own permutation SHAP for the deep net against ``shap.PermutationExplainer``: time and agreement.

Answers the design question "use shap's explainers where they serve, or show that the own
version is needed". For each dataset it fits one quick-budget deep net on one split and
explains the same test rows against the same background rows (the training rows that
:func:`dllab.analyses.explain.explain` draws) with

* ``own``: :func:`~dllab.analyses.explain.explain` itself (``families=["deep"]``, every sampled
  row explained), i.e. antithetic permutation sampling with ``P`` per-row background references,
  each with one permutation and its reverse: ``2 P (M + 1)`` evaluations per row;
* ``shap``: ``shap.PermutationExplainer`` on the same model output function
  (``explain._deep_output``: log-odds for binary, centred log-probabilities for multiclass,
  the prediction for regression) over the same encoded inputs (``explain._encode``: the
  original columns, categoricals as integer codes), with a ``shap.maskers.Independent``
  masker over background rows and ``max_evals = 2 M + 1`` (one permutation and its
  reverse). shap averages every coalition over the *whole* masker background, so one
  permutation pair costs about ``n_bg (2 M + 1)`` evaluations (fewer: shap skips background
  rows that already equal the row on the column being switched). It is called once per row:
  shap 0.51 computes unrequested main effects from the second row of a call on
  (``--shap-one-call`` shows the cost). Seeded with an integer (``seed=``; shap 0.51 has no
  seed on ``__call__``; its constructor calls ``np.random.seed``);

at two budgets: *low* (``explain()``'s default ``P = 8``, against shap with an 8-row
background drawn from the same background rows: equal evaluations) and *high* (shap's
cheapest run on the full background, against ``own`` with ``P`` raised to the same
evaluations). A reference estimates the true SHAP values of the same game (the
interventional values over the full background): ``shap.explainers.Exact`` where
``2^M`` coalitions are affordable, else ``shap.PermutationExplainer`` on the full background
with many permutation pairs (independent seed; unbiased, so its noise is small, not biased
towards either method).

Columns: evaluations per row (rows the model scored, counted at the model's
``predict``/``predict_proba``), seconds, additivity error (``max |base + sum(phi) - f(x)|``,
``f(x)`` from a separate prediction), ``sum err`` (``max |sum(phi) - (f(x) - mean_bg f)|``,
the efficiency error against the true base value, / scale), and agreement with the reference:
mean per-row Pearson and Spearman correlation of phi over the columns, RMSE and max absolute
difference of phi / scale (scale: the standard deviation of ``f`` over the background rows),
Spearman correlation of the mean ``|phi|`` importances and their top-5 overlap. A second
table puts ``own`` and ``shap`` side by side at each budget with the same metrics.

Columns with derived model inputs (datetime parts) or image patches (images of more than
``MAX_DEEP_PATCHES`` pixels) are masked as whole groups with the small ``GroupedIndependent``
masker below (a shap masker object), as ``explain()`` permutes whole source columns or
patches (patch values are then shared equally by their pixels, as ``explain()`` does);
``--check-grouped`` shows that it reproduces ``shap.maskers.Independent`` exactly when every
group is one column.

Needs the ``shap`` package, which dllab does not use and ``requirements.txt`` does not install
(``pip install shap`` first). Measured here (seed 0, 50 rows, 100 background rows): at
``explain()``'s budget shap is no closer to the reference than the own sampler and no faster, it
needs 7-12x the evaluations to use the full background, and it seeds numpy's global generator.
Run it niced, one thread (about
three minutes for the defaults on a quiet 2-core machine; ``--datasets digits --rows 20``
adds the CNN on 8x8 images, about a minute more)::

    OMP_NUM_THREADS=1 nice .venv/bin/python benchmarks/shap_agreement.py \\
        [--datasets breast_cancer adult california_housing] [--rows 50] [--background 100] \\
        [--max-rows 2000] [--reference-pairs 10] [--seed 0] [--check-grouped] [--shap-one-call]
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing

import argparse
import os
import time
import warnings

import numpy as np
from scipy import stats

DATASETS = ("breast_cancer", "adult", "california_housing")


# =========================================================================== the model, counted
class Counted:
    """Counts the rows the model scores: patches the instance's ``predict``/``predict_proba``."""

    def __init__(self, model, task: str):
        self.n = 0
        name = "predict" if task == "regression" else "predict_proba"
        original = getattr(model, name)

        def counted(X, *args, **kwargs):
            self.n += len(X)
            return original(X, *args, **kwargs)

        setattr(model, name, counted)


def fit_deep(ds, seed: int = 0):
    """One quick-budget deep net on fold 0 of a seeded 5-fold split, wrapped in a Comparison."""
    from dllab.analyses.comparison import Comparison
    from dllab.engine.runner import Task, run_tasks, task_seed
    from dllab.engine.splits import Splits, make_splits

    full = make_splits(ds.y, task=ds.task, n_folds=5, n_repeats=1, random_state=seed)
    train, test = full.folds[0]
    splits = Splits(folds=((train, test),), n_folds=full.n_folds, n_repeats=1, stratified=full.stratified,
                    random_state=seed)
    t0 = time.perf_counter()
    records = run_tasks([Task(family="deep", split=0, train_idx=train, test_idx=test, seed=task_seed(seed, "deep", 0))],
                        ds.X, ds.y, problem=ds.task, budget="quick", device="cpu")
    fit_s = time.perf_counter() - t0
    n_classes = len(ds.classes) if ds.task != "regression" else None
    cmp = Comparison(records, y=ds.y, task=ds.task, splits=splits, n_classes=n_classes)
    return cmp, fit_s


# =========================================================================== grouped masker
class GroupedIndependent:
    """A shap masker that replaces whole groups of model inputs by background rows.

    ``shap.maskers.Independent`` masks single inputs; ``explain()`` permutes whole source
    columns (datetime parts, image patches). shap's ``MaskedModel`` reads ``shape`` (background
    rows, features = groups), calls ``masker(mask, x)`` with a boolean mask over the groups,
    uses ``invariants(x)`` to skip background rows equal to ``x`` on a group and
    ``mask_shapes(x)`` to shape the values (one per group).
    """

    def __init__(self, data: np.ndarray, groups):
        self.data = np.asarray(data, dtype=np.float64)
        self.groups = [np.asarray(g) for g in groups]
        self.owner = np.empty(self.data.shape[1], dtype=np.int64)
        for g, cols in enumerate(self.groups):
            self.owner[cols] = g
        self.shape = (len(self.data), len(self.groups))
        self.immutable_outputs = True  # every call returns a new array

    def __call__(self, mask, x):
        keep = np.asarray(mask, dtype=bool)[self.owner]
        return np.where(keep[None, :], np.asarray(x, dtype=np.float64)[None, :], self.data)

    def mask_shapes(self, x):
        return [(len(self.groups),)]  # values come back one per group, not one per model input

    def invariants(self, x):
        same = np.isclose(self.data, np.asarray(x, dtype=np.float64)[None, :], equal_nan=True)
        return np.stack([same[:, g].all(axis=1) for g in self.groups], axis=1)


# =========================================================================== shap, called
def shap_values(explainer, X: np.ndarray, max_evals: int, *, one_call: bool = False):
    """``(values, base_values)`` of ``explainer`` on the rows of ``X``, one call per row by default.

    shap 0.51's ``Explainer.__call__`` rebinds its ``main_effects`` argument to the list that
    collects them and passes that list to ``explain_row``, so from the second row of a call on
    main effects are computed anyway: about ``M * n_bg`` extra evaluations per row that change
    no SHAP value. One call per row (``one_call=False``) avoids them; the permutations come
    from the same global NumPy stream either way.
    """
    if one_call:
        e = explainer(X, max_evals=max_evals, silent=True)
        return np.asarray(e.values, dtype=np.float64), np.asarray(e.base_values, dtype=np.float64)
    parts = [explainer(X[i:i + 1], max_evals=max_evals, silent=True) for i in range(len(X))]
    return (np.concatenate([np.asarray(e.values, dtype=np.float64) for e in parts]),
            np.concatenate([np.asarray(e.base_values, dtype=np.float64) for e in parts]))


def warm_up_shap() -> float:
    """Seconds of shap's one-off numba compilation (its tabular masker), kept out of the timings."""
    import shap

    t0 = time.perf_counter()
    B = np.random.default_rng(0).normal(size=(4, 3))
    shap.PermutationExplainer(lambda Z: Z.sum(axis=1), shap.maskers.Independent(B, max_samples=4), seed=0)(
        B[:2], max_evals=7, silent=True)
    shap.explainers.Exact(lambda Z: Z.sum(axis=1), shap.maskers.Independent(B, max_samples=4))(
        B[:2], max_evals=9, silent=True)
    return time.perf_counter() - t0


# =========================================================================== metrics
def _rowwise(a: np.ndarray) -> np.ndarray:
    """(n, M) or (n, M, K) -> (n, M*K)."""
    return a.reshape(len(a), -1)


def _importance(phi: np.ndarray) -> np.ndarray:
    a = np.abs(phi)
    a = a.mean(axis=2) if a.ndim == 3 else a
    return a.mean(axis=0)


def _mean_corr(a: np.ndarray, b: np.ndarray, kind: str) -> float:
    vals = []
    for x, y in zip(_rowwise(a), _rowwise(b)):
        if np.ptp(x) > 0 and np.ptp(y) > 0:
            vals.append(stats.pearsonr(x, y).statistic if kind == "pearson" else stats.spearmanr(x, y).statistic)
    return float(np.mean(vals)) if vals else float("nan")


def agreement(a: np.ndarray, b: np.ndarray, scale: float, top: int = 5) -> dict:
    ia, ib = _importance(a), _importance(b)
    k = min(top, len(ia))
    return {
        "r": _mean_corr(a, b, "pearson"),
        "rho": _mean_corr(a, b, "spearman"),
        "rmse": float(np.sqrt(np.mean((a - b) ** 2)) / scale),
        "maxd": float(np.abs(a - b).max() / scale),
        "imp_rho": float(stats.spearmanr(ia, ib).statistic) if np.ptp(ia) > 0 and np.ptp(ib) > 0 else float("nan"),
        "top": f"{len(set(np.argsort(-ia)[:k]) & set(np.argsort(-ib)[:k]))}/{k}",
    }


# =========================================================================== one dataset
def run_dataset(name: str, *, max_rows: int, n_rows: int, n_bg: int, low_p: int, reference_pairs: int,
                exact_budget: float, seed: int, check_grouped: bool,
                one_call: bool = False):
    import shap

    from dllab.analyses.explain import explain
    from dllab.analyses.explain._common import _column_groups
    from dllab.analyses.explain.dispatch import _model_of, _unwrap
    from dllab.analyses.explain.permutation import _deep_output, _encode
    from dllab.analyses.explain.pixels import _patch_groups, _patch_side, _spread
    from dllab.datasets import load

    ds = load(name, max_rows=max_rows)
    cmp, fit_s = fit_deep(ds, seed=seed)
    model = _unwrap(_model_of(cmp, "deep", 0))
    counter = Counted(model, ds.task)
    groups, pixel_patch = _column_groups(ds), None
    if ds.modality == "image" and _patch_side(ds.meta["image_shape"]) > 1:  # explain()'s patches
        groups, pixel_patch = _patch_groups(ds.meta["image_shape"], _patch_side(ds.meta["image_shape"]), groups)
    M = len(groups)

    results, values = [], {}

    def own(p: int, label: str):
        counter.n = 0
        ex = explain(cmp, ds, split=0, max_rows=n_rows, background=n_bg, n_boot=10, random_state=seed,
                     families=["deep"], n_permutations=p, max_evals=10**10)
        phi, base = ex._phi["deep"], ex._base["deep"]
        assert len(phi) == len(ex.rows), "every sampled row explained"
        values[label] = phi
        results.append(dict(method=label, evals=counter.n / len(phi), seconds=ex.seconds["deep"],
                            add=ex.additivity_max_error["deep"], phi=phi, base=base))
        return ex

    ex = own(low_p, f"own, P={low_p}")
    rows, bg_rows = ex.rows, ex.background_rows
    fx = ex._output["deep"]                                        # f(x) from its own call
    f = _deep_output(model, ds.task)
    A, cats = _encode(ds.X)
    names = list(ds.X.columns)
    X, B = A[rows], A[bg_rows]

    def fn(Z):
        return f(np.asarray(Z, dtype=np.float64), names, cats)

    f_bg = fn(B)
    mean_bg = f_bg.mean(axis=0)                                    # the true base value of the game
    scale = float(np.std(f_bg)) or 1.0
    singletons = all(len(g) == 1 for g in groups) and pixel_patch is None

    def masker_for(bg):
        if singletons:
            return shap.maskers.Independent(bg, max_samples=len(bg))
        return GroupedIndependent(bg, groups)

    def shap_run(label: str, bg, *, exact: bool = False, pairs: int = 1, s: int = seed):
        counter.n = 0
        masker = masker_for(bg)
        t0 = time.perf_counter()
        if exact:
            explainer = shap.explainers.Exact(fn, masker)
            budget = 2 ** M + 1
        else:
            explainer = shap.PermutationExplainer(fn, masker, seed=s)
            budget = pairs * (2 * M + 1)
        phi, base = shap_values(explainer, X, budget, one_call=one_call)
        if pixel_patch is not None:
            phi = _spread(phi, pixel_patch)
        secs = time.perf_counter() - t0
        add = float(np.abs(base + phi.sum(axis=1) - fx).max())
        values[label] = phi
        results.append(dict(method=label, evals=counter.n / len(X), seconds=secs, add=add, phi=phi, base=base))

    pick = np.sort(np.random.default_rng(seed).choice(len(B), min(low_p, len(B)), replace=False))
    low_shap = f"shap, {len(pick)}-row bg, 1 pair"
    shap_run(low_shap, B[pick])
    high_shap = f"shap, {len(B)}-row bg, 1 pair"
    shap_run(high_shap, B)
    hi_p = max(1, round(results[-1]["evals"] / (2 * (M + 1))))      # own at shap's measured evaluations
    high_own = f"own, P={hi_p}"
    own(hi_p, high_own)

    if len(X) * 2 ** M * len(B) <= exact_budget:
        ref = f"reference: Exact, {len(B)}-row bg"
        shap_run(ref, B, exact=True)
    else:
        ref = f"reference: shap, {len(B)}-row bg, {reference_pairs} pairs"
        shap_run(ref, B, pairs=reference_pairs, s=seed + 1)

    grouped_diff = None
    if check_grouped and singletons:  # the grouped masker (for derived columns, patches) = Independent
        e1, _ = shap_values(shap.PermutationExplainer(fn, shap.maskers.Independent(B, max_samples=len(B)), seed=seed),
                            X[:5], 2 * M + 1)
        e2, _ = shap_values(shap.PermutationExplainer(fn, GroupedIndependent(B, groups), seed=seed), X[:5], 2 * M + 1)
        grouped_diff = float(np.abs(e1 - e2).max())

    info = dict(name=name, task=ds.task, n=ds.n_rows, M=M, inputs=A.shape[1], rows=len(X), bg=len(B), fit_s=fit_s,
                scale=scale, space=ex.output_space, grouped_diff=grouped_diff, singletons=singletons,
                patches=pixel_patch is not None)
    ref_phi = values[ref]
    for r in results:
        r["sum_err"] = float(np.abs(r["phi"].sum(axis=1) - (fx - mean_bg)).max() / scale)
        r.update(agreement(r["phi"], ref_phi, scale) if r["method"] != ref else {})
    pairs = [(f"own, P={low_p}", low_shap), (high_own, high_shap)]
    side = [dict(pair=f"{a} vs {b}", **agreement(values[a], values[b], scale)) for a, b in pairs]
    return info, results, side


# =========================================================================== output
def _f(v, fmt):
    return "" if v is None or (isinstance(v, float) and not np.isfinite(v)) else format(v, fmt)


def print_dataset(info, results, side):
    print(f"\n### {info['name']} ({info['task']}, {info['n']} rows, {info['M']} "
          f"{'patches' if info['patches'] else 'columns'}, {info['inputs']} model inputs)")
    print(f"\n{info['rows']} test rows explained, {info['bg']} background rows; deep net fitted in "
          f"{info['fit_s']:.1f} s; output space: {info['space']}; scale (sd of f over the background) "
          f"{info['scale']:.3g}" + ("" if info["singletons"] else "; shap with the grouped masker"))
    if info["grouped_diff"] is not None:
        print(f"grouped masker vs shap.maskers.Independent, same seed, 5 rows: max |diff| {info['grouped_diff']:.1e}")
    print()
    print("| method | evals/row | seconds | ms/row | additivity err | sum err/scale | r(phi) | rho(phi) | "
          "RMSE/scale | max abs diff/scale | importance rho | top-5 |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        print(f"| {r['method']} | {r['evals']:.0f} | {r['seconds']:.2f} | {1000 * r['seconds'] / info['rows']:.1f} | "
              f"{r['add']:.1e} | {r['sum_err']:.3f} | {_f(r.get('r'), '.3f')} | {_f(r.get('rho'), '.3f')} | "
              f"{_f(r.get('rmse'), '.4f')} | {_f(r.get('maxd'), '.3f')} | {_f(r.get('imp_rho'), '.3f')} | "
              f"{r.get('top', '')} |")
    print("\n(agreement columns: against the reference row)\n")
    print("| own vs shap, same rows | r(phi) | rho(phi) | RMSE/scale | max abs diff/scale | importance rho | top-5 |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for s in side:
        print(f"| {s['pair']} | {s['r']:.3f} | {s['rho']:.3f} | {s['rmse']:.4f} | {s['maxd']:.3f} | "
              f"{_f(s['imp_rho'], '.3f')} | {s['top']} |")


def main(argv=None):
    try:
        import shap  # noqa: F401
    except ImportError:
        sys.exit("benchmarks/shap_agreement.py compares with the shap package, which is not installed: "
                 "pip install shap, then run it again.")
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--datasets", nargs="+", default=list(DATASETS), help="built-in datasets")
    ap.add_argument("--max-rows", type=int, default=2000, help="rows sampled from each dataset")
    ap.add_argument("--rows", type=int, default=50, help="test rows explained")
    ap.add_argument("--background", type=int, default=100, help="background (training) rows")
    ap.add_argument("--permutations", type=int, default=8, help="own: references per row at the low budget "
                    "(also the size of shap's low-budget background)")
    ap.add_argument("--reference-pairs", type=int, default=10, help="permutation pairs of the reference where "
                    "Exact is too dear")
    ap.add_argument("--exact-budget", type=float, default=3e6, help="model evaluations Exact may spend in all")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--check-grouped", action="store_true", help="check the grouped masker against Independent")
    ap.add_argument("--shap-one-call", action="store_true", help="explain all rows in one shap call (shap 0.51 "
                    "then also computes main effects from the second row on: more evaluations)")
    args = ap.parse_args(argv)

    import shap
    import torch

    warnings.filterwarnings("ignore")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    jit_s = warm_up_shap()
    print(f"shap {shap.__version__}, torch {torch.__version__} ({torch.get_num_threads()} threads), "
          f"load average {load:.2f}; shap's one-off numba compilation {jit_s:.1f} s (not in the timings); "
          f"shap called {'once for all rows' if args.shap_one_call else 'once per row'}")
    for name in args.datasets:
        info, results, side = run_dataset(
            name, max_rows=args.max_rows, n_rows=args.rows, n_bg=args.background, low_p=args.permutations,
            reference_pairs=args.reference_pairs, exact_budget=args.exact_budget, seed=args.seed,
            check_grouped=args.check_grouped, one_call=args.shap_one_call)
        print_dataset(info, results, side)
        sys.stdout.flush()


if __name__ == "__main__":
    main()
