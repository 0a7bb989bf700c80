"""The reasons that give context to a verdict: data-size curve, subgroups, explanations and modality.

Each function adds reasons (and may lower the confidence) through the rule's
reason collector; none changes the recommendation (step 7 of the rule in
:mod:`dllab.analyses.verdict`; the confidence caps are in step 6).
"""

from __future__ import annotations

import numpy as np

from ... import families as registry
from ...metrics import METRICS
from ..subgroups.shift import is_beyond_noise
from .needs import CROSSOVER_HORIZON, LOW_AGREEMENT
from .wording import gap, score

__all__ = ["curve_reasons", "subgroup_reasons", "explanation_reasons", "modality_reasons"]


def curve_reasons(b, curve, chosen, metric):
    """Add what the data-size curve's findings say about the deep net against boosting.

    Every sentence is read from :meth:`LearningCurve.findings` (a paired test at each
    size): "ahead at every size" only when it holds beyond noise at every size, a
    crossover only where it is supported on both sides, and the fitted curves'
    extrapolation labelled as such and said to disagree where it goes against the
    measured points. Confidence in a trees verdict is lowered when the curve has the
    deep net overtaking boosting, measured or extrapolated (not when the fit
    contradicts the data).

    Parameters
    ----------
    b : reason collector
        The rule's collector of reasons (``add``) and confidence (``lower``).
    curve : LearningCurve or None
    chosen : str
        The family recommended so far.
    metric : str
    """
    if curve is None:
        return
    tc = getattr(curve, "transfer_crossover", None)
    if tc is not None and tc.kind in ("observed", "extrapolated", "not_expected", "leads_throughout"):
        b.add(tc.statement[:1].lower() + tc.statement[1:].rstrip("."), "curve", "Data size")
    f = curve.findings()
    if not f.available:
        return
    ch, inc = registry.noun(f.challenger), registry.noun(f.incumbent)
    ex, cross = f.extrapolation, curve.crossover
    n_min, n_max = f.sizes[0].n, f.sizes[-1].n
    span = f"{_rows(n_min)} to {_rows(n_max)} rows"
    trees = registry.get(chosen).kind == "trees"
    measured = {
        "ahead_everywhere": f"{ch} is ahead of {inc} beyond noise at every size of the data-size curve ({span})",
        "behind_everywhere": f"{inc} is ahead of {ch} beyond noise at every size of the data-size curve ({span})",
        "tied_everywhere": f"{ch} and {inc} are within noise of each other at every size of the data-size curve "
                           f"({span})",
    }.get(f.pattern)
    against = ""
    if ex.conflict == "reverses_lead":
        against = (f"; the fitted curves put {ch} behind {inc} by {_rows(ex.horizon_n)} rows, against that measured "
                   f"lead (an extrapolation, weaker evidence than the measurement)")
    if f.pattern == "overtakes":
        lo, hi = f.support
        b.add(f"on the data-size curve {ch} overtakes {inc} between {_rows(lo)} and {_rows(hi)} rows: behind beyond "
              f"noise at {_rows(lo)}, ahead beyond noise from {_rows(hi)} (measured, up to {_rows(n_max)} rows)"
              f"{against}", "curve", "Data size")
        if trees:
            b.lower(f"on the data-size curve {ch} overtakes {inc} between {_rows(lo)} and {_rows(hi)} rows (measured)")
        return
    if measured is None:  # mixed, or a lead that turns: the standing at the largest size, which Compare tests too
        where = {"ahead": f"ahead of {inc} beyond noise", "behind": f"behind {inc} beyond noise",
                 "tied": f"within noise of {inc}", "untested": f"not tested against {inc}"}[f.at_largest]
        turn = (f", after leading it beyond noise up to {_rows(f.support[0])} rows" if f.pattern == "falls_behind"
                else "")
        measured = f"on the data-size curve {ch} is {where} at the largest size ({_rows(n_max)} rows){turn}"
    if cross.kind == "extrapolated" and ex.crossing_n:
        lo, hi = ex.crossing_ci
        ci = ""
        if lo is not None and hi is not None:
            ci = f" (95% CI {_rows(lo)}-{_rows(hi)})"
        elif lo is not None:
            ci = f" (95% CI from {_rows(lo)}, no upper bound)"
        slope = curve.slopes.get(f.challenger, (np.nan,))[0]
        improving = np.isfinite(slope) and (slope > 0) == curve.higher_is_better
        rising = ("still rising" if curve.higher_is_better else "still improving") if improving else "flattening"
        now = measured.removeprefix("on the data-size curve ")
        b.add(f"{ch}'s curve is {rising}: ~{_rows(ex.crossing_n)} rows are expected to close the gap to {inc}{ci}, "
              f"vs {_rows(n_max)} rows used (an extrapolation of the fitted curves; measured, {now})",
              "curve", "Data size")
        if trees:  # the crossover is deep vs boosting: it weighs on a trees verdict
            b.lower(f"the data-size curve's fitted curves have {ch} overtaking {inc} near {_rows(ex.crossing_n)} "
                    f"rows (an extrapolation)")
        return
    if cross.kind == "not_expected":
        measured += (f"; extrapolating the fitted curves, {ch} is not expected to overtake {inc} within "
                     f"{CROSSOVER_HORIZON:.0f}x the data ({_rows(ex.horizon_n)} rows)")
    elif ex.conflict == "reverses_lead":
        measured += against
    elif ex.conflict == "fit_misses_largest":
        measured += ("; the fitted curves do not follow the measured points at the largest size, so no "
                     "extrapolation is cited")
    b.add(measured, "curve", "Data size")


def subgroup_reasons(b, report, chosen, metric, delta):
    """Add the chosen family's worst slice and its largest drop under population shift.

    Confidence is lowered when another family is clearly better on that slice
    (at least ``delta`` better, the two 95% CIs apart).

    Parameters
    ----------
    b : reason collector
    report : SubgroupReport or None
    chosen : str
    metric : str
    delta : float
        The practical difference.
    """
    if report is None or chosen not in report.families:
        return
    worst = report.worst(chosen, top_k=1)
    frame = report.frame
    if not worst.empty:
        r = worst.iloc[0]
        overall = float(report.overall.loc[chosen, "score"])
        b.add(f"{registry.noun(chosen)} fails on rows with {r['description']} (n = {int(r['size']):,}): "
              f"{score(r['score'], metric)} vs {score(overall, metric)} overall", "subgroup", "Subgroups")
        others = frame[(frame.slice == r["slice"]) & (frame.family != chosen)]
        sign = 1.0 if report.higher_is_better else -1.0
        for _, q in others.iterrows():
            better = sign * (q["score"] - r["score"])
            clear = (q["ci_low"] > r["ci_high"]) if report.higher_is_better else (q["ci_high"] < r["ci_low"])
            if better >= delta and clear:
                b.add(f"on that slice {registry.noun(q['family'])} scores {score(q['score'], metric)}, "
                      f"{gap(better, metric)} better", "subgroup", "Subgroups")
                b.lower(f"{registry.noun(q['family'])} is clearly better on {registry.noun(chosen)}'s worst slice "
                        f"({int(r['size']):,} rows)")
                break
    elif len(report.slices):
        b.add(f"{registry.noun(chosen)} has no significantly worse slice among {len(report.slices):,} slices checked",
              "subgroup", "Subgroups")
    rows = [r for r in report.shift if r.get("status") == "ok" and r.get("drop") is not None]
    mine = [r for r in rows if r["family"] == chosen]
    if mine:
        r = max(mine, key=lambda r: r["drop"])
        if r["drop"] >= delta and is_beyond_noise(r):
            b.add(f"trained without {r['group']} and tested on it, {registry.noun(chosen)} drops by "
                  f"{gap(r['drop'], r['metric'])} vs a random split", "shift", "Subgroups")
            same = [q for q in rows if q["group"] == r["group"] and q["family"] != chosen]
            steadier = [q for q in same if r["drop"] - q["drop"] >= delta]
            if steadier:
                q = min(steadier, key=lambda q: q["drop"])
                b.add(f"{registry.noun(q['family'])} drops only {gap(max(q['drop'], 0), q['metric'])} "
                      f"on that group", "shift", "Subgroups")
        else:
            b.add(f"{registry.noun(chosen)} loses at most {gap(max(r['drop'], 0), r['metric'])} on a held-out group of "
                  f"{r['column']}", "shift", "Subgroups")


def explanation_reasons(b, ex, chosen):
    """Add how far the models agree on what matters (the lowest rank correlation involving ``chosen``).

    Parameters
    ----------
    b : reason collector
    ex : Explanation or None
    chosen : str
    """
    if ex is None or not ex.agreement:
        return
    vals = {k: v for k, v in ex.agreement.items() if np.isfinite(v)}
    if not vals:
        return
    mine = {k: v for k, v in vals.items() if chosen in k.split("~")} or vals
    key = min(mine, key=mine.get)
    a, c = key.split("~")
    rho = mine[key]
    if rho < LOW_AGREEMENT:
        b.add(f"{registry.noun(a)} and {registry.noun(c)} rely on different columns (rank correlation "
              f"{rho:.2f}): check the explanations before trusting either", "explanation", "Explain")
    else:
        b.add(f"the models agree on what matters (lowest rank correlation of feature importances {rho:.2f})",
              "explanation", "Explain")


def modality_reasons(b, ds, chosen, cmp, fams, tests, metric):
    """On image or text data, say whether the deep family won as expected; lower confidence when not.

    Parameters
    ----------
    b : reason collector
    ds : Dataset or None
    chosen : str
    cmp : Comparison
    fams : list of str
        The families still in the running, simplest first.
    tests : dict
        ``(complex, simple) -> (PairedTest, gain, ci_low, ci_high)``, gain positive when ``complex`` is better.
    metric : str
    """
    modality = getattr(ds, "modality", "tabular") if ds is not None else "tabular"
    if modality not in ("image", "text"):
        return
    deep_fams = [f for f in fams if registry.get(f).kind == "deep"]
    expected = "a convolutional net" if modality == "image" else "a deep or pretrained text model"
    if registry.get(chosen).kind == "deep":
        b.add(f"as expected for {modality} data, {registry.noun(chosen)} wins ({score(cmp.overall.loc[chosen, 'mean'], metric)} "
              f"{METRICS[metric].label})", "modality", "Compare")
        return
    if not deep_fams:
        b.lower(f"no deep model was run on this {modality} data")
        b.add(f"this is {modality} data, where {expected} usually wins, but none was compared (0 deep families "
              f"run)", "modality", "Compare")
        return
    c = max(deep_fams, key=lambda f: tests[(f, chosen)][1])
    _, gain, _, _ = tests[(c, chosen)]
    b.lower(f"on {modality} data the deep model does not win here")
    where = "only ahead by" if gain > 0 else "behind by"
    b.add(f"this is {modality} data, where {expected} usually wins, but here {registry.noun(c)} is {where} "
          f"{gap(gain, metric)}: the data says otherwise", "modality", "Compare")


def _rows(n) -> str:
    """A row count in short: '950', '1.8k', '20k', '1.2M'."""
    n = float(n)
    if n >= 1e6:
        return f"{n / 1e6:.3g}M"
    if n >= 1e4:
        return f"{n / 1e3:.0f}k"
    if n >= 1e3:
        return f"{n / 1e3:.1f}k".replace(".0k", "k")
    return f"{n:.0f}"
