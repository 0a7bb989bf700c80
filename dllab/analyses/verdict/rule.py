"""The verdict rule: :func:`verdict`, steps 1-5 (families, evidence, scores, reliability, requirements).

The confidence caps of step 6 are applied where their evidence is read: here
for the splits and the scores, in :mod:`dllab.analyses.verdict.context` for the
curve, subgroups, explanations and modality, together with the context reasons
of step 7. The rule is documented in :mod:`dllab.analyses.verdict`.
"""

from __future__ import annotations

import numpy as np

from ... import families as registry
from ...metrics import METRICS
from ..comparison import format_p
from .context import curve_reasons, explanation_reasons, modality_reasons, subgroup_reasons
from .needs import (ALPHA, CLEAR_MARGIN_FACTOR, FAILURE_SLICES, FULL_SPLITS, LARGE_GAP_FACTOR, MIN_SPLITS,
                    RATE_METRICS, STRONG_P, THRESHOLDS, WIDE_CI_FACTOR, Needs, practical_difference)
from .result import CONFIDENCES, NOT_ENOUGH, Reason, Verdict
from .wording import gap, score

__all__ = ["verdict"]


class _Builder:
    """Collects reasons and confidence caps while the rule runs (the context builders add to it too)."""

    def __init__(self):
        self.reasons: list[Reason] = []
        self.level = 2  # high
        self.lowered: list[str] = []

    def add(self, text: str, kind: str, page: str, *, first: bool = False):
        r = Reason(text, kind, page)
        if first:
            self.reasons.insert(0, r)
        else:
            self.reasons.append(r)

    def cap(self, level: int, why: str):
        if level < self.level:
            self.level = level
            self.lowered.append(why)

    def lower(self, why: str):
        self.cap(max(self.level - 1, 0), why)


def _improvement(cmp, complex_fam: str, simple_fam: str):
    """Paired test of ``complex_fam`` against ``simple_fam`` and its gain, positive = complex is better."""
    t = cmp.difference(complex_fam, simple_fam)
    sign = 1.0 if cmp.higher_is_better else -1.0
    gain = sign * t.difference
    lo, hi = sorted((sign * t.ci_low, sign * t.ci_high)) if np.isfinite(t.ci_low) else (np.nan, np.nan)
    return t, gain, lo, hi


def verdict(comparison, *, curve=None, subgroups=None, explanation=None, dataset=None,
            needs: Needs | None = None) -> Verdict:
    """Recommend deep learning, gradient boosting, a linear model, or "undecided", with reasons.

    Parameters
    ----------
    comparison : Comparison
    curve : LearningCurve, optional
        Adds the crossover (where the deep net is expected to overtake boosting).
    subgroups : SubgroupReport, optional
        Adds the recommended model's worst slice and shift drop.
    explanation : Explanation, optional
        Adds how far the models agree on what matters.
    dataset : Dataset, optional
        Its modality (image or text data: deep models are expected to win) and size.
    needs : Needs, optional
        Explainability, practical difference, training-time budget, GPU.

    Returns
    -------
    Verdict

    Notes
    -----
    The rule and its thresholds are in the docstring of :mod:`dllab.analyses.verdict`.
    """
    needs = needs or Needs()
    cmp = comparison
    metric = cmp.metric
    b = _Builder()
    delta = practical_difference(cmp, needs)
    o = cmp.overall
    fams = registry.by_simplicity(cmp.families)
    weighed = tuple(fams)  # before any is dropped: what the verdict looked at
    transparent = next((f for f in fams if registry.get(f).kind == "linear"), None)  # exact, readable SHAP

    def done(rec, family):
        return Verdict(recommendation=rec, confidence=CONFIDENCES[b.level], reasons=tuple(b.reasons),
                       family=family, metric=metric, min_difference=delta, needs=needs,
                       thresholds=dict(THRESHOLDS, min_difference=delta), families=weighed)

    # ---- 1. requirements that drop a family
    if needs.max_fit_seconds is not None:
        for f in list(fams):
            secs = float(o.loc[f, "fit_seconds"])
            if np.isfinite(secs) and secs > needs.max_fit_seconds:
                fams.remove(f)
                b.add(f"{_cap(registry.noun(f))} takes {secs:.3g} s per fit, over the {needs.max_fit_seconds:g} s "
                      f"training budget, so it is left out", "requirement", "Compare")
    for f in fams if needs.gpu_available is False else ():
        if str(o.loc[f, "device"]).startswith("cuda"):
            b.add(f"{registry.noun(f)} was timed on a GPU ({float(o.loc[f, 'fit_seconds']):.3g} s per fit); without "
                  f"one expect it to train several times slower", "cost", "Compare")
    if not fams:
        b.cap(0, "no family left")
        b.add(f"no family trains within the {needs.max_fit_seconds:g} s budget; {NOT_ENOUGH} or raise "
              f"the budget", "requirement", "Compare")
        return done("undecided", None)

    # ---- 2. not enough evidence
    # A family that failed on every split has no score: the verdict stands on the families that ran,
    # and says so first.
    failed = [f for f in fams if o.loc[f, "status"] == "failed"]
    for f in reversed(failed):
        fams.remove(f)
        n = int(o.loc[f, "n_failed"])
        names = [registry.noun(g) for g in fams]
        left = " and ".join([", ".join(names[:-1]), names[-1]] if len(names) > 1 else names) or "no family"
        b.add(f"{registry.noun(f)} failed on all {n} splits ({o.loc[f, 'reason'] or 'no reason recorded'}), so it "
              f"has no score: the verdict weighs {left}", "evidence", "Compare", first=True)
    if failed:
        b.cap(1, "a family failed")
    if not fams:
        b.cap(0, "every family failed")
        b.add(f"no family has a score; {NOT_ENOUGH}", "evidence", "Compare")
        return done("undecided", None)
    for f in fams:
        if o.loc[f, "status"] == "partial":
            b.lower("splits failed")
            b.add(f"{registry.noun(f)} failed on {int(o.loc[f, 'n_failed'])} of {len(cmp.splits)} splits "
                  f"({o.loc[f, 'reason']}); its score rests on the others", "evidence", "Compare")
    if len(fams) == 1:
        only = fams[0]
        b.cap(0, "one family")
        b.add(f"only {registry.noun(only)} is left to compare ({score(o.loc[only, 'mean'], metric)} "
              f"{METRICS[metric].label}); nothing to weigh it against", "evidence", "Compare")
        return done(registry.get(only).recommends_as, only)
    tests = {(c, s): _improvement(cmp, c, s) for i, s in enumerate(fams) for c in fams[i + 1:]}
    n_splits = min(t.n_splits for t, *_ in tests.values())
    if n_splits < MIN_SPLITS:
        b.cap(0, "too few splits")
        b.add(f"only {n_splits} split(s) are shared by the models, fewer than the {MIN_SPLITS} a paired test "
              f"needs; {NOT_ENOUGH}", "evidence", "Compare", first=True)
        return done("undecided", None)
    if n_splits < FULL_SPLITS:
        b.cap(1, "few splits")

    # ---- 3. scores: the simplest family that no more complex family beats
    def beats(c, s):
        t, gain, _, _ = tests[(c, s)]
        return t.significant and t.p_value < ALPHA and gain >= delta

    chosen = next(f for f in fams if not any(beats(c, f) for c in fams[fams.index(f) + 1:]))
    simpler = fams[:fams.index(chosen)]
    more = fams[fams.index(chosen) + 1:]
    # why the chosen family wins: against the best-scoring simpler family (for text, TF-IDF + linear
    # rather than the network trained from scratch)
    sign = 1.0 if cmp.higher_is_better else -1.0
    for s in sorted(simpler, key=lambda f: -sign * float(o.loc[f, "mean"]))[:1]:
        winner = chosen if beats(chosen, s) else next(c for c in fams[fams.index(s) + 1:] if beats(c, s))
        t, gain, lo, hi = tests[(winner, s)]
        b.add(f"{registry.noun(winner)} is {gap(gain, metric)} better than {registry.noun(s)} ({format_p(t.p_value)}, 95% CI "
              f"{_ci(lo, hi, metric)}), more than the practical difference of {gap(delta, metric)}",
              "score", "Compare")
        if t.p_value >= STRONG_P or gain < CLEAR_MARGIN_FACTOR * delta:
            b.cap(1, "narrow win")
    # why the more complex ones do not win
    for c in more:
        t, gain, lo, hi = tests[(c, chosen)]
        speed = _speed(o, chosen, c)
        if gain >= delta and not t.significant:
            half = (hi - lo) / 2 if np.isfinite(lo) else np.inf
            if half > WIDE_CI_FACTOR * delta:
                b.reasons = [r for r in b.reasons if r.kind != "score"]
                b.cap(0, "unconfirmed gain")
                b.add(f"{registry.noun(c)} looks {gap(gain, metric)} better than {registry.noun(chosen)} but the difference is "
                      f"not significant ({format_p(t.p_value)}, 95% CI {_ci(lo, hi, metric)}); "
                      f"{NOT_ENOUGH}", "evidence", "Compare", first=True)
                return done("undecided", None)
            b.cap(0, "unconfirmed gain")
            b.add(f"{registry.noun(c)} looks {gap(gain, metric)} better than {registry.noun(chosen)}, but not significantly "
                  f"({format_p(t.p_value)}){speed}; the simpler model is kept until more data confirms the gain",
                  "score", "Compare")
        elif gain >= delta:
            raise AssertionError("internal error in dllab.analyses.verdict: the chosen family is beaten by " + c)
        else:
            if gain >= 0 and t.significant:
                what = (f"{registry.noun(c)} is {gap(gain, metric)} better than {registry.noun(chosen)} ({format_p(t.p_value)}), "
                        f"less than the practical difference of {gap(delta, metric)}")
            elif gap(gain, metric) == gap(0.0, metric):
                what = f"{registry.noun(c)} scores the same as {registry.noun(chosen)} ({gap(0.0, metric)}, {format_p(t.p_value)})"
            elif gain >= 0:
                what = f"{registry.noun(c)} is within {gap(gain, metric)} of {registry.noun(chosen)} ({format_p(t.p_value)})"
            else:
                what = f"{registry.noun(c)} is {gap(gain, metric)} worse than {registry.noun(chosen)} ({format_p(t.p_value)})"
            b.add(what + speed, "score", "Compare")
            if np.isfinite(hi) and hi > LARGE_GAP_FACTOR * delta:
                b.cap(1, "the interval still allows a large gain")

    # ---- 4. a model that fails a group is not reliable: the next family up that does not
    overridden = _reliability(b, subgroups, chosen, fams, tests, beats, metric, delta)
    if overridden is not None:
        failed_slice, chosen = overridden

    # ---- 5. requirements override the scores
    if needs.explain_each_decision and overridden is not None and transparent is not None and chosen != transparent \
            and failed_slice["family"] == transparent:
        b.add(f"each decision must be explained, but {registry.noun(transparent)} fails on rows with "
              f"{failed_slice['description']} (n = {int(failed_slice['size']):,}): keep {registry.noun(chosen)} and explain "
              f"each decision with SHAP values, accepting a less transparent model", "requirement", "Explain")
    elif needs.explain_each_decision and chosen != transparent and transparent is not None:
        t, gain, _, _ = tests[(chosen, transparent)]
        large = LARGE_GAP_FACTOR * delta
        if gain < large:
            b.add(f"a regulator must see each decision: {registry.noun(transparent)} is {gap(max(gain, 0), metric)} behind "
                  f"{registry.noun(chosen)} (less than the {gap(large, metric)} counted as large) and fully transparent",
                  "requirement", "Explain", first=True)
            chosen = transparent
        else:
            b.add(f"each decision must be explained, but {registry.noun(transparent)} is {gap(gain, metric)} behind "
                  f"{registry.noun(chosen)} (at least the {gap(large, metric)} counted as large): keep {registry.noun(chosen)} and "
                  f"explain each decision with SHAP values, accepting a less transparent model",
                  "requirement", "Explain", first=True)
    elif needs.explain_each_decision and chosen == transparent:
        k = len(getattr(dataset, "feature_columns", ()) or ())
        cols = f"{k} column contributions" if k else "column contributions (0 approximation error)"
        b.add(f"each decision must be explained: {registry.noun(transparent)} is transparent, and its {cols} add up "
              f"exactly to each prediction", "requirement", "Explain")

    # ---- 6 and 7. context and confidence
    curve_reasons(b, curve, chosen, metric)
    subgroup_reasons(b, subgroups, chosen, metric, delta)
    explanation_reasons(b, explanation, chosen)
    modality_reasons(b, dataset, chosen, cmp, fams, tests, metric)
    return done(registry.get(chosen).recommends_as, chosen)


def _reliability(b, report, chosen, fams, tests, beats, metric, delta):
    """Step 4: move up from ``chosen`` when it fails a group on which a more complex family is clearly better.

    A failure slice is one of ``chosen``'s significantly worse slices (``SubgroupReport.worst``, top
    ``FAILURE_SLICES``). A more complex family takes over when, on that slice, it scores at least
    ``LARGE_GAP_FACTOR`` practical differences better with the two 95% CIs apart, and ``chosen`` does
    not beat it overall (the rule of step 3). Returns ``(slice row, new family)`` or None.
    """
    if report is None or chosen not in report.families:
        return None
    frame = report.frame
    sign = 1.0 if report.higher_is_better else -1.0
    above = [f for f in fams[fams.index(chosen) + 1:] if f in report.families]
    overall = float(report.overall.loc[chosen, "score"])
    for _, r in report.worst(chosen, top_k=FAILURE_SLICES).iterrows():
        for q in above:
            row = frame[(frame.slice == r["slice"]) & (frame.family == q)]
            if row.empty:
                continue
            row = row.iloc[0]
            better = sign * (row["score"] - r["score"])
            apart = (row["ci_low"] > r["ci_high"]) if report.higher_is_better else (row["ci_high"] < r["ci_low"])
            t, gain, _, _ = tests[(q, chosen)]
            if better < LARGE_GAP_FACTOR * delta or not apart or (t.significant and -gain >= delta):
                continue
            where = (f"is {gap(gain, metric)} {'better' if gain >= 0 else 'worse'} overall ({format_p(t.p_value)})"
                     if gap(gain, metric) != gap(0.0, metric) else f"scores the same overall ({format_p(t.p_value)})")
            b.add(f"{registry.noun(chosen)} fails on rows with {r['description']} (n = {int(r['size']):,}): "
                  f"{score(r['score'], metric)} vs {score(overall, metric)} overall, while {registry.noun(q)} scores "
                  f"{score(row['score'], metric)} there ({gap(better, metric)} better) and {where}: "
                  f"{registry.noun(q)} is the simplest model that does not fail this group", "subgroup", "Subgroups",
                  first=True)
            b.cap(1, "chosen for a failure slice")
            while True:  # a family above q that beats it overall takes over (as in step 3)
                up = next((c for c in fams[fams.index(q) + 1:] if beats(c, q)), None)
                if up is None:
                    break
                q = up
            return r, q
    return None


def _ci(lo, hi, metric):
    """'-1.2 to +4.0 points' (rates) or '-0.012 to +0.04 RMSE' (signed: positive = a gain)."""
    if metric in RATE_METRICS:
        return f"{lo * 100:+.1f} to {hi * 100:+.1f} points"
    return f"{lo:+.3g} to {hi:+.3g} {METRICS[metric].label}"


def _speed(o, simple, complex_):
    a, c = float(o.loc[simple, "fit_seconds"]), float(o.loc[complex_, "fit_seconds"])
    if not (np.isfinite(a) and np.isfinite(c)) or a <= 0:
        return ""
    ratio = c / a
    if ratio >= 1.5:
        return f" and {registry.noun(simple)} trains {ratio:.0f}x faster" if ratio >= 10 else \
            f" and {registry.noun(simple)} trains {ratio:.1f}x faster"
    return ""


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:]
