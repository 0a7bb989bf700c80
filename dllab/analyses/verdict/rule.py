"""The verdict rule: :func:`verdict`, steps 1-5 (families, evidence, scores, reliability, requirements).

The confidence caps of step 6 are applied where their evidence is read: here
for the splits and the scores, in :mod:`dllab.analyses.verdict.context` for the
curve, subgroups, explanations and modality, together with the context reasons
of step 7. The rule is documented in :mod:`dllab.analyses.verdict`.
"""

from __future__ import annotations

import numpy as np

from ... import families as registry
from ...metrics import METRICS, format_diff_interval
from ..comparison import format_p
from .context import curve_reasons, explanation_reasons, modality_reasons, subgroup_reasons
from .needs import (ALPHA, CLEAR_MARGIN_FACTOR, DECIDE_SPLITS, FAILURE_SLICES, FULL_SPLITS, LARGE_GAP_FACTOR,
                    MIN_SPLITS, STRONG_P, THRESHOLDS, WIDE_CI_FACTOR, Needs, practical_difference)
from .result import CONFIDENCES, NOT_ENOUGH, NextRun, Reason, Verdict
from .wording import fit_ratio, gap, score

__all__ = ["verdict", "next_run"]


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
        """Confidence at most ``level``; ``why`` is a phrase the confidence reason quotes."""
        if level < self.level:
            self.level = level
            self.lowered.append(why)

    def lower(self, why: str):
        self.cap(max(self.level - 1, 0), why)


def _improvement(cmp, complex_fam: str, simple_fam: str):
    """Paired test of ``complex_fam`` against ``simple_fam`` and its gain, positive = complex is better."""
    t = cmp.tests.get((complex_fam, simple_fam)) or cmp.difference(complex_fam, simple_fam)
    sign = 1.0 if cmp.higher_is_better else -1.0
    gain = sign * t.difference
    lo, hi = sorted((sign * t.ci_low, sign * t.ci_high)) if np.isfinite(t.ci_low) else (np.nan, np.nan)
    return t, gain, lo, hi


def verdict(comparison, *, curve=None, subgroups=None, explanation=None, dataset=None,
            needs: Needs | None = None) -> Verdict:
    """Recommend deep learning, gradient boosting, a linear model, or "undecided", with reasons.

    The first reason always says where the deep net stands against the best
    simpler family (difference, 95% CI, p, cost); then come the reasons for the
    recommendation, then the context, and last why the confidence is what it is.

    Parameters
    ----------
    comparison : Comparison
    curve : LearningCurve, optional
        Adds the crossover (where the deep net is expected to overtake boosting).
    subgroups : SubgroupReport, optional
        Adds the recommended model's worst slice and shift drop; may move the
        recommendation to a family that does not fail a group (step 4).
    explanation : Explanation, optional
        Adds how far the models agree on what matters.
    dataset : Dataset, optional
        Its modality (image or text data: deep models are expected to win) and size.
    needs : Needs, optional
        Explainability, practical difference, training-time budget, GPU.

    Returns
    -------
    Verdict
        With ``next_run`` set when the evidence is too weak: the run that would decide it.

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
    dropped: dict[str, str] = {}  # family -> why it has no say (its reason is the deep net's if it is deep)
    state = {"next_run": None}
    pair_reasons: dict = {}  # (complex, chosen) -> the reason that says why complex does not win

    def done(rec, family):
        answer, deep_reason, pair = _deep_standing(cmp, weighed, fams, dropped, tests_of(), metric)
        if pair in pair_reasons:  # the first reason says it, with its interval
            b.reasons.remove(pair_reasons[pair])
        if deep_reason is not None:
            b.add(deep_reason, "score", "Compare", first=True)
        else:  # the deep net's own failure or budget reason says where it stands: it goes first
            mine = next((r for r in b.reasons if r.text == dropped.get(_deep_of(weighed) or "")), None)
            if mine is not None:
                b.reasons.remove(mine)
                b.reasons.insert(0, mine)
        b.add(_confidence_reason(b), "confidence", "Compare")
        return Verdict(recommendation=rec, confidence=CONFIDENCES[b.level], reasons=tuple(b.reasons),
                       family=family, metric=metric, min_difference=delta, needs=needs,
                       thresholds=dict(THRESHOLDS, min_difference=delta), families=weighed, answer=answer,
                       next_run=state["next_run"])

    cache: dict = {}

    def tests_of():
        for i, s in enumerate(fams):
            for c in fams[i + 1:]:
                if (c, s) not in cache:
                    cache[(c, s)] = _improvement(cmp, c, s)
        return cache

    # ---- 1. requirements that drop a family
    if needs.max_fit_seconds is not None:
        for f in list(fams):
            secs = float(o.loc[f, "fit_seconds"])
            if np.isfinite(secs) and secs > needs.max_fit_seconds:
                fams.remove(f)
                dropped[f] = (f"{registry.noun(f)} takes {secs:.3g} s per fit, over the {needs.max_fit_seconds:g} s "
                              f"training budget, so it is left out")
                b.add(dropped[f], "requirement", "Compare")
    for f in fams if needs.gpu_available is False else ():
        if str(o.loc[f, "device"]).startswith("cuda"):
            b.add(f"{registry.noun(f)} was timed on a GPU ({float(o.loc[f, 'fit_seconds']):.3g} s per fit); without "
                  f"one expect it to train several times slower", "cost", "Compare")
    if not fams:
        b.cap(0, "no family trains within the training-time budget")
        b.add(f"no family trains within the {needs.max_fit_seconds:g} s budget; {NOT_ENOUGH} or raise "
              f"the budget", "requirement", "Compare")
        return done("undecided", None)

    # ---- 2. not enough evidence
    # A family that failed on every split has no score: the verdict stands on the families that ran.
    failed = [f for f in fams if o.loc[f, "status"] == "failed"]
    for f in failed:
        fams.remove(f)
    for f in failed:
        n = int(o.loc[f, "n_failed"])
        names = [registry.noun(g) for g in fams]
        left = " and ".join([", ".join(names[:-1]), names[-1]] if len(names) > 1 else names) or "no family"
        dropped[f] = (f"{registry.noun(f)} failed on all {n} splits ({o.loc[f, 'reason'] or 'no reason recorded'}), "
                      f"so it has no score: the verdict weighs {left}")
        b.add(dropped[f], "evidence", "Compare")
        b.cap(1, f"{registry.noun(f)} failed on all {n} splits")
    if not fams:
        b.cap(0, "every family failed")
        b.add(f"no family has a score; {NOT_ENOUGH}", "evidence", "Compare")
        return done("undecided", None)
    for f in fams:
        if o.loc[f, "status"] == "partial":
            k = int(o.loc[f, "n_failed"])
            b.lower(f"{registry.noun(f)} failed on {k} of {len(cmp.splits)} splits")
            b.add(f"{registry.noun(f)} failed on {k} of {len(cmp.splits)} splits "
                  f"({o.loc[f, 'reason']}); its score rests on the others", "evidence", "Compare")
    if len(fams) == 1:
        only = fams[0]
        b.cap(0, "only one family has a score")
        b.add(f"only {registry.noun(only)} is left to compare ({score(o.loc[only, 'mean'], metric)} "
              f"{METRICS[metric].label}); nothing to weigh it against", "evidence", "Compare")
        return done(registry.get(only).recommends_as, only)
    tests = tests_of()
    n_splits = min(t.n_splits for t, *_ in tests.values())
    if n_splits < MIN_SPLITS:
        b.cap(0, f"only {n_splits} split(s) are shared (a test needs {MIN_SPLITS})")
        state["next_run"] = next_run(cmp, fams, metric=metric)
        b.add(f"only {n_splits} split(s) are shared by the models, fewer than the {MIN_SPLITS} a paired test "
              f"needs; {_way_out(state['next_run'])}", "evidence", "Compare")
        return done("undecided", None)
    if n_splits < FULL_SPLITS:
        b.cap(1, f"only {n_splits} splits are shared (high confidence needs {FULL_SPLITS})")

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
        win = (f"{registry.noun(winner)} is {gap(gain, metric)} better than {registry.noun(s)} ({format_p(t.p_value)}, "
               f"95% CI {format_diff_interval(metric, lo, hi)}), more than the practical difference of "
               f"{gap(delta, metric)}")
        if winner == chosen:
            b.add(win, "score", "Compare")
        else:  # s is beaten by a family more complex than the one chosen, which nothing beats
            tc, gc, _, _ = tests[(chosen, s)]
            b.add(f"{registry.noun(s)} is beaten: {win}; {registry.noun(chosen)} is {gap(gc, metric)} "
                  f"{'better' if gc >= 0 else 'worse'} than {registry.noun(s)} ({format_p(tc.p_value)}) and no more "
                  f"complex family beats it", "score", "Compare")
        if t.p_value >= STRONG_P or gain < CLEAR_MARGIN_FACTOR * delta:
            b.cap(1, f"the deciding win has {format_p(t.p_value)} and a margin of {gap(gain, metric)} (high "
                     f"confidence needs p < {STRONG_P:g} and at least {gap(CLEAR_MARGIN_FACTOR * delta, metric)})")
    # why the more complex ones do not win
    for c in more:
        t, gain, lo, hi = tests[(c, chosen)]
        speed = _speed(o, chosen, c)
        if gain >= delta and not t.significant:
            half = (hi - lo) / 2 if np.isfinite(lo) else np.inf
            if half > WIDE_CI_FACTOR * delta:
                b.reasons = [r for r in b.reasons if r.kind != "score"]
                b.cap(0, f"{registry.noun(c)}'s gain of {gap(gain, metric)} over {registry.noun(chosen)} is not "
                         f"significant ({format_p(t.p_value)})")
                state["next_run"] = next_run(cmp, [chosen, c], metric=metric)
                b.add(f"{registry.noun(c)} looks {gap(gain, metric)} better than {registry.noun(chosen)} but the "
                      f"difference is not significant ({format_p(t.p_value)}, 95% CI "
                      f"{format_diff_interval(metric, lo, hi)}); "
                      f"{_way_out(state['next_run'])}", "evidence", "Compare")
                return done("undecided", None)
            b.cap(0, f"{registry.noun(c)} looks {gap(gain, metric)} better, not significantly ({format_p(t.p_value)})")
            state["next_run"] = next_run(cmp, [chosen, c], metric=metric)
            b.add(f"{registry.noun(c)} looks {gap(gain, metric)} better than {registry.noun(chosen)}, but not "
                  f"significantly ({format_p(t.p_value)}){speed}; the simpler model is kept until more evidence "
                  f"confirms the gain", "score", "Compare")
        elif gain >= delta:
            raise AssertionError("internal error in dllab.analyses.verdict: the chosen family is beaten by " + c)
        else:
            if gain >= 0 and t.significant:
                what = (f"{registry.noun(c)} is {gap(gain, metric)} better than {registry.noun(chosen)} "
                        f"({format_p(t.p_value)}), less than the practical difference of {gap(delta, metric)}")
            elif gap(gain, metric) == gap(0.0, metric):
                what = (f"{registry.noun(c)} scores the same as {registry.noun(chosen)} ({gap(0.0, metric)}, "
                        f"{format_p(t.p_value)})")
            elif gain >= 0:
                what = f"{registry.noun(c)} is within {gap(gain, metric)} of {registry.noun(chosen)} ({format_p(t.p_value)})"
            else:
                what = f"{registry.noun(c)} is {gap(gain, metric)} worse than {registry.noun(chosen)} ({format_p(t.p_value)})"
            b.add(what + speed, "score", "Compare")
            pair_reasons[(c, chosen)] = b.reasons[-1]
            if np.isfinite(hi) and hi > LARGE_GAP_FACTOR * delta:
                b.cap(1, f"the 95% CI of {registry.noun(c)}'s gain still reaches {gap(hi, metric)}, more than the "
                         f"{gap(LARGE_GAP_FACTOR * delta, metric)} counted as large")

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
    elif needs.explain_each_decision and chosen != transparent and transparent is not None and transparent in fams:
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


def _deep_of(weighed) -> str | None:
    return next((f for f in weighed if registry.get(f).kind == "deep"), None)


def _deep_standing(cmp, weighed, fams, dropped, tests, metric):
    """Where the deep net stands against the best simpler family: ``(answer, reason text or None)``.

    ``answer`` is the headline's clause ("1.6 points behind boosting (not significant), 38x slower to
    train"); the reason text is None when the deep net was dropped (its own reason says why, and goes first).
    """
    deep = [f for f in fams if registry.get(f).kind == "deep"]
    if not deep:
        gone = [f for f in weighed if registry.get(f).kind == "deep"]
        if gone:
            f = gone[0]
            status = "failed to train" if cmp.overall.loc[f, "status"] == "failed" else "left out (too slow to train)"
            return f"{registry.noun(f)} {status}", None, None
        names = ", ".join(registry.noun(f) for f in weighed)
        return ("not part of this run",
                f"the deep net was not part of this run ({len(weighed)} families: {names}), so this verdict cannot "
                f"say whether deep learning helps here; add it to the run", None)
    o = cmp.overall
    sign = 1.0 if cmp.higher_is_better else -1.0
    simpler = [f for f in fams if registry.get(f).kind != "deep"]
    d = max(deep, key=lambda f: sign * float(o.loc[f, "mean"]))
    if not simpler:
        return (f"only {registry.noun(d)} has a score",
                f"{registry.noun(d)} is the only family with a score ({score(o.loc[d, 'mean'], metric)} "
                f"{METRICS[metric].label}): nothing simpler to weigh it against", None)
    s = max(simpler, key=lambda f: sign * float(o.loc[f, "mean"]))
    t, gain, lo, hi = tests[(d, s)]
    slower = _ratio(o, d, s)
    cost = f", and trains {slower}" if slower else ""
    if gap(gain, metric) == gap(0.0, metric):
        head = f"{registry.noun(d)} scores the same as {registry.noun(s)}"
        short = f"level with {registry.noun(s)}"
    else:
        head = f"{registry.noun(d)} is {gap(gain, metric)} {'better' if gain > 0 else 'worse'} than {registry.noun(s)}"
        short = f"{gap(gain, metric)} {'ahead of' if gain > 0 else 'behind'} {registry.noun(s)}"
    sig = "significant" if t.significant else "not significant"
    reason = (f"{head}, the best simpler family (95% CI {format_diff_interval(metric, lo, hi)}, "
              f"{format_p(t.p_value)}: {sig}){cost}")
    answer = f"{short} ({sig}{', ' + format_p(t.p_value) if t.significant else ''})"
    if slower:
        answer += f", trains {slower}"
    return answer, reason, (d, s)


def _ratio(o, a, b) -> str:
    return fit_ratio(float(o.loc[a, "fit_seconds"]), float(o.loc[b, "fit_seconds"]))


def _confidence_reason(b) -> str:
    level = CONFIDENCES[b.level]
    if not b.lowered:
        return (f"confidence is {level}: at least {FULL_SPLITS} splits, a deciding difference with p < {STRONG_P:g} "
                f"and a clear margin, and nothing in the evidence against it")
    steps = 2 - b.level
    return (f"confidence is {level} ({steps} step{'s' if steps > 1 else ''} below high) because "
            + "; ".join(dict.fromkeys(b.lowered)))


def next_run(cmp, families, *, metric: str) -> NextRun | None:
    """The run that would decide between ``families``: more repeats of the same folds, reusing every fit.

    The current repeats are the first ones of the longer run (the splits are seeded the same way),
    so only the new repeats are fitted. Aims at ``DECIDE_SPLITS`` splits in all (10: 3 folds x 4
    repeats at ``quick``, 5 x 2 otherwise); None when the run already has them (then only more
    data decides).
    """
    k, r = cmp.splits.n_folds, cmp.splits.n_repeats
    target = max(-(-DECIDE_SPLITS // k), r + 1)
    if r * k >= DECIDE_SPLITS or target > 20:
        return None
    fams = tuple(registry.by_simplicity(list(dict.fromkeys(families))))
    new = (target - r) * k * len(fams)
    secs = [float(cmp.overall.loc[f, "fit_seconds"]) for f in fams]
    seconds = sum(s * (target - r) * k for s in secs) if all(np.isfinite(secs)) else float("nan")
    return NextRun(families=fams, n_folds=k, repeats=target, new_fits=new, seconds=seconds)


def _way_out(run) -> str:
    if run is None:
        return "the run already has enough splits, so only more data (rows) can decide it; collect more data"
    return f"to decide it, {run.text}"


def _reliability(b, report, chosen, fams, tests, beats, metric, delta):
    """Step 4: move up from ``chosen`` when it fails a group on which a more complex family is clearly better.

    A failure slice is one of a family's significantly worse slices after the multiple-testing
    correction (``SubgroupReport.worst``, top ``FAILURE_SLICES``) whose drop from the family's overall
    score is at least ``LARGE_GAP_FACTOR`` practical differences. A more complex family ``q`` takes over
    only if, on that slice, it scores at least ``LARGE_GAP_FACTOR`` practical differences better with the
    two 95% CIs apart; overall it is not worse by the practical difference or more (significant or
    not); and it does not itself fail a slice as large or larger on which ``chosen`` is clearly better
    (a group both fail is no trade). Returns ``(slice row, new family)`` or None.
    """
    if report is None or chosen not in report.families:
        return None
    frame = report.frame
    sign = 1.0 if report.higher_is_better else -1.0
    above = [f for f in fams[fams.index(chosen) + 1:] if f in report.families]
    large = LARGE_GAP_FACTOR * delta

    def clearly_better(a, b, slice_id):
        """On ``slice_id``, ``a`` scores a large gap better than ``b``, with the two 95% CIs apart."""
        ra = frame[(frame.slice == slice_id) & (frame.family == a)]
        rb = frame[(frame.slice == slice_id) & (frame.family == b)]
        if ra.empty or rb.empty:
            return False
        ra, rb = ra.iloc[0], rb.iloc[0]
        apart = (ra["ci_low"] > rb["ci_high"]) if report.higher_is_better else (ra["ci_high"] < rb["ci_low"])
        return bool(sign * (ra["score"] - rb["score"]) >= large and apart)

    def failures(fam):
        overall = float(report.overall.loc[fam, "score"])
        rows = report.worst(fam, top_k=FAILURE_SLICES)
        return [(r, overall) for _, r in rows.iterrows() if sign * (overall - r["score"]) >= large]

    for r, overall in failures(chosen):
        for q in above:
            row = frame[(frame.slice == r["slice"]) & (frame.family == q)]
            if row.empty:
                continue
            row = row.iloc[0]
            better = sign * (row["score"] - r["score"])
            apart = (row["ci_low"] > r["ci_high"]) if report.higher_is_better else (row["ci_high"] < r["ci_low"])
            t, gain, _, _ = tests[(q, chosen)]
            if better < large or not apart or -gain >= delta:
                continue
            # q must not trade this failure for one of its own: a slice as large or larger where q fails
            # and the current model is clearly better (a group both fail is no trade)
            own = [f for f, _ in failures(q) if int(f["size"]) >= int(r["size"])
                   and clearly_better(chosen, q, f["slice"])]
            if own:
                continue
            where = (f"is {gap(gain, metric)} {'better' if gain >= 0 else 'worse'} overall ({format_p(t.p_value)})"
                     if gap(gain, metric) != gap(0.0, metric) else f"scores the same overall ({format_p(t.p_value)})")
            b.add(f"{registry.noun(chosen)} fails on rows with {r['description']} (n = {int(r['size']):,}): "
                  f"{score(r['score'], metric)} vs {score(overall, metric)} overall, while {registry.noun(q)} scores "
                  f"{score(row['score'], metric)} there ({gap(better, metric)} better), {where} and fails no "
                  f"group as large: {registry.noun(q)} is the simplest model that does not fail this group",
                  "subgroup", "Subgroups", first=True)
            b.cap(1, f"the recommendation moved to {registry.noun(q)} for one group of {int(r['size']):,} rows")
            while True:  # a family above q that beats it overall takes over (as in step 3)
                up = next((c for c in fams[fams.index(q) + 1:] if beats(c, q)), None)
                if up is None:
                    break
                q = up
            return r, q
    return None


def _speed(o, simple, complex_):
    """' and the linear model trains 10x faster' when ``simple`` trains at least 1.5x faster, else ''."""
    ratio = _ratio(o, simple, complex_)
    return f" and {registry.noun(simple)} trains {ratio}" if ratio.endswith("faster") else ""