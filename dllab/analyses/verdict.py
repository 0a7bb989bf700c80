"""The verdict: from the evidence to "use deep learning here?", with the reasons and their numbers.

:func:`verdict` reads the result objects (nothing is refitted) and the user's
:class:`Needs`, and returns a :class:`Verdict`: a recommendation among
``"deep"``, ``"gbm"``, ``"linear"`` and ``"undecided"``, a confidence level, and
short reasons, each citing the number it rests on and the app page that shows it.

The rule
--------
1. **Families.** Order the families by simplicity: linear < gbm < deep (< transfer,
   a pretrained encoder with a trained head, reported as ``"deep"``). A family whose
   mean fit time exceeds ``Needs.max_fit_seconds`` is dropped, with a reason.
2. **Not enough evidence** (``"undecided"``: collect more data / run the thorough
   budget) when a remaining family failed on every split, when fewer than
   ``MIN_SPLITS`` splits are shared by the families, or when a more complex family
   looks better by at least the practical difference but the paired test is not
   significant *and* its 95% CI is wider than ``WIDE_CI_FACTOR`` practical differences.
3. **Scores.** The practical difference is ``Needs.min_difference``, by default
   ``DEFAULT_RATE_DIFFERENCE`` (1 point) of accuracy-type metrics and
   ``DEFAULT_RELATIVE_DIFFERENCE`` (2%) of the best error for RMSE. A family is
   *beaten* when a more complex one scores better by at least the practical
   difference with significance (Nadeau-Bengio corrected paired t-test,
   ``Comparison.difference``, p < ``ALPHA``). The recommendation is the simplest
   family that no more complex family beats.
4. **Reliability.** A model that fails a group does not solve the problem
   reliably. If one of the chosen family's ``FAILURE_SLICES`` worst significant
   slices (:meth:`SubgroupReport.worst`) is one on which a more complex family
   scores at least ``LARGE_GAP_FACTOR`` practical differences better, with the two
   95% CIs apart, and the chosen family does not beat that family overall, the
   more complex family is recommended instead (at most ``medium`` confidence).
5. **Requirements override the scores.** If each decision must be explained to a
   customer or regulator, the linear model (an exact, additive explanation) is
   recommended instead unless the chosen model is ahead of it by a *large* gap:
   ``LARGE_GAP_FACTOR`` practical differences, or the linear model fails a group
   (step 4); then the trade-off is stated.
6. **Confidence** starts ``high`` and is lowered (to ``medium``, then ``low``) by:
   fewer than ``FULL_SPLITS`` splits; a deciding win with p >= ``STRONG_P`` or a
   margin under ``CLEAR_MARGIN_FACTOR`` practical differences; a kept simpler model
   whose CI still allows more than ``LARGE_GAP_FACTOR`` practical differences of gain
   (or a gain that is plausible but unconfirmed: ``low``); splits that failed; a
   curve that expects the deep net to overtake recommended boosting; image or text
   data where the deep net does not win; a significant failure slice on which another
   family is clearly better.
7. **Context** (reasons, no change of recommendation): the curve's crossover and
   slope, the recommended model's worst slice and its drop under population shift,
   the agreement of the explanations, cost (how many times faster the recommended
   model trains), and the device the deep net used when no GPU is available.

Every threshold is a constant in the block below; ``Verdict.thresholds`` records
the values used.

Examples
--------
>>> from dllab.analyses.verdict import Needs
>>> Needs(explain_each_decision=True).explain_each_decision
True
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np

from .. import families as registry
from .comparison import format_p
from ..errors import ConfigError
from ..metrics import METRICS

__all__ = ["Needs", "Reason", "Verdict", "verdict", "THRESHOLDS", "RECOMMENDATIONS", "EVIDENCE_PAGES",
           "practical_difference"]

# ======================================================================================
# Thresholds: every number the rule uses, in one place (README quotes this block)
# ======================================================================================
ALPHA = 0.05                      # significance of the paired test (as PairedTest.significant)
DEFAULT_RATE_DIFFERENCE = 0.01    # practical difference of accuracy-type metrics: 1 point
DEFAULT_RELATIVE_DIFFERENCE = 0.02  # ... of error metrics (RMSE): 2% of the best family's error
LARGE_GAP_FACTOR = 3.0            # a gap >= 3 practical differences is "large" (explainability keeps the score)
WIDE_CI_FACTOR = 3.0              # an unconfirmed gain with a CI half-width above 3 differences -> undecided
MIN_SPLITS = 3                    # fewer shared splits -> undecided
FULL_SPLITS = 5                   # fewer shared splits -> at most medium confidence
STRONG_P = 0.01                   # a deciding win with p >= 0.01 -> at most medium confidence
CLEAR_MARGIN_FACTOR = 2.0         # a deciding win under 2 practical differences -> at most medium
LOW_AGREEMENT = 0.5               # explanation rank correlation below this: the models rely on different columns
FAILURE_SLICES = 3                # step 4 looks at the chosen model's 3 worst significant slices
CROSSOVER_HORIZON = 10.0          # the curve's extrapolation horizon (x the rows used), as dllab.analyses.curves

THRESHOLDS = {
    "alpha": ALPHA, "default_rate_difference": DEFAULT_RATE_DIFFERENCE,
    "default_relative_difference": DEFAULT_RELATIVE_DIFFERENCE, "large_gap_factor": LARGE_GAP_FACTOR,
    "wide_ci_factor": WIDE_CI_FACTOR, "min_splits": MIN_SPLITS, "full_splits": FULL_SPLITS,
    "strong_p": STRONG_P, "clear_margin_factor": CLEAR_MARGIN_FACTOR, "low_agreement": LOW_AGREEMENT,
    "failure_slices": FAILURE_SLICES,
}

RECOMMENDATIONS = ("deep", "gbm", "linear", "undecided")
CONFIDENCES = ("low", "medium", "high")
EVIDENCE_PAGES = ("Compare", "Data size", "Subgroups", "Explain")
_RATE_METRICS = ("accuracy", "balanced_accuracy", "roc_auc", "f1_macro", "r2")
_NOT_ENOUGH = "not enough evidence: collect more data / run the thorough budget"

_BAD_NEEDS = "{name}={value!r} is not valid; it must be {what}, or None for the default."


# ======================================================================================
# Inputs and outputs
# ======================================================================================
@dataclass(frozen=True, kw_only=True)
class Needs:
    """What the user needs besides accuracy.

    Parameters
    ----------
    explain_each_decision : bool, default=False
        A customer or regulator must see the reason for each decision.
    min_difference : float or None, default=None
        The smallest difference of the primary metric that matters, in its units
        (0.01 = 1 point of accuracy). ``None``: 1 point for accuracy-type metrics,
        2% of the best RMSE for regression.
    max_fit_seconds : float or None, default=None
        Acceptable training time per fit; slower families are dropped.
    gpu_available : bool or None, default=None
        Whether a GPU will be available where the model trains (None: unknown).
    """

    explain_each_decision: bool = False
    min_difference: float | None = None
    max_fit_seconds: float | None = None
    gpu_available: bool | None = None

    def __post_init__(self):
        for name in ("min_difference", "max_fit_seconds"):
            v = getattr(self, name)
            if v is not None and (isinstance(v, bool) or not isinstance(v, (int, float)) or not np.isfinite(v)
                                  or v <= 0):
                raise ConfigError(_BAD_NEEDS.format(name=name, value=v, what="a number > 0"))

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Reason:
    """One reason: a short sentence with its number, what kind of evidence, and the page that shows it.

    ``kind`` is one of ``score``, ``cost``, ``requirement``, ``evidence``, ``curve``,
    ``subgroup``, ``shift``, ``explanation``, ``modality``; ``evidence_page`` one of
    :data:`EVIDENCE_PAGES`.
    """

    text: str
    kind: str
    evidence_page: str

    def __post_init__(self):
        assert self.evidence_page in EVIDENCE_PAGES, f"internal error: page {self.evidence_page!r}"

    def to_dict(self) -> dict:
        return {"text": self.text, "kind": self.kind, "evidence_page": self.evidence_page}


@dataclass(frozen=True)
class Verdict:
    """The recommendation, how sure it is, and why.

    Attributes
    ----------
    recommendation : {"deep", "gbm", "linear", "undecided"}
    confidence : {"low", "medium", "high"}
    reasons : tuple of Reason
        Most important first.
    family : str or None
        The family recommended (``"transfer"`` is reported as ``"deep"``).
    metric : str
    min_difference : float
        The practical difference used, in the metric's units.
    needs : Needs
    thresholds : dict
        The constants of the rule.
    """

    recommendation: str
    confidence: str
    reasons: tuple
    family: str | None
    metric: str
    min_difference: float
    needs: Needs = field(default_factory=Needs)
    thresholds: dict = field(default_factory=lambda: dict(THRESHOLDS))

    @property
    def headline(self) -> str:
        """The recommendation in words, e.g. ``"Use gradient boosting (XGBoost) (confidence: high)"``."""
        if self.recommendation == "undecided":
            return f"Undecided: {_NOT_ENOUGH} (confidence: {self.confidence})"
        what = registry.get(self.family).headline if self.family in registry.names() else self.family
        return f"Use {what} (confidence: {self.confidence})"

    def statements(self) -> list[str]:
        return [r.text for r in self.reasons]

    def to_dict(self) -> dict:
        """The ``verdict`` block of the JSON report."""
        return {"recommendation": self.recommendation, "confidence": self.confidence,
                "reasons": self.statements(), "family": self.family, "headline": self.headline,
                "reason_details": [r.to_dict() for r in self.reasons], "metric": self.metric,
                "min_difference": _finite(self.min_difference), "needs": self.needs.to_dict(),
                "thresholds": dict(self.thresholds)}

    def __repr__(self):
        return (f"Verdict(recommendation={self.recommendation!r}, confidence={self.confidence!r}, "
                f"reasons={len(self.reasons)})")


# ======================================================================================
# Formatting numbers in sentences
# ======================================================================================
def _finite(v):
    return float(v) if v is not None and np.isfinite(v) else None


def _gap(v: float, metric: str) -> str:
    """A difference in the metric's units: '1.2 points' for rates, '0.0312 RMSE' otherwise."""
    if metric in _RATE_METRICS:
        return f"{abs(v) * 100:.1f} points"
    return f"{abs(v):.3g} {METRICS[metric].label}"


def _rows(n) -> str:
    n = float(n)
    if n >= 1e6:
        return f"{n / 1e6:.3g}M"
    if n >= 1e4:
        return f"{n / 1e3:.0f}k"
    if n >= 1e3:
        return f"{n / 1e3:.1f}k".replace(".0k", "k")
    return f"{n:.0f}"


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:]


def _score(v: float, metric: str) -> str:
    return f"{v:.3f}" if metric in _RATE_METRICS else f"{v:.3g}"


def practical_difference(comparison, needs: Needs | None = None) -> float:
    """The practical difference in the primary metric's units (``needs.min_difference`` or the default).

    Examples
    --------
    >>> class C:
    ...     metric = "rmse"
    ...     higher_is_better = False
    ...     import pandas as pd
    ...     overall = pd.DataFrame({"mean": [0.50, 0.40]}, index=["linear", "gbm"])
    >>> round(practical_difference(C()), 4)
    0.008
    """
    needs = needs or Needs()
    if needs.min_difference is not None:
        return float(needs.min_difference)
    if comparison.metric in _RATE_METRICS:
        return DEFAULT_RATE_DIFFERENCE
    means = comparison.overall["mean"].astype(float)
    means = means[np.isfinite(means)]
    if means.empty:
        return float("nan")
    best = means.max() if comparison.higher_is_better else means.min()
    return DEFAULT_RELATIVE_DIFFERENCE * abs(float(best))


# ======================================================================================
# The rule
# ======================================================================================
class _Builder:
    """Collects reasons and confidence caps while the rule runs (private)."""

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
    The rule and its thresholds are in the module docstring.
    """
    needs = needs or Needs()
    cmp = comparison
    metric = cmp.metric
    b = _Builder()
    delta = practical_difference(cmp, needs)
    o = cmp.overall
    fams = registry.by_simplicity(cmp.families)
    transparent = next((f for f in fams if registry.get(f).kind == "linear"), None)  # exact, readable SHAP

    def done(rec, family):
        return Verdict(recommendation=rec, confidence=CONFIDENCES[b.level], reasons=tuple(b.reasons),
                       family=family, metric=metric, min_difference=delta, needs=needs,
                       thresholds=dict(THRESHOLDS, min_difference=delta))

    # ---- 1. requirements that drop a family
    if needs.max_fit_seconds is not None:
        for f in list(fams):
            secs = float(o.loc[f, "fit_seconds"])
            if np.isfinite(secs) and secs > needs.max_fit_seconds:
                fams.remove(f)
                b.add(f"{_cap(registry.noun(f))} takes {secs:.3g} s per fit, over the {needs.max_fit_seconds:g} s "
                      f"training budget, so it is left out", "requirement", "Compare")
    if needs.gpu_available is False and "deep" in cmp.families and str(o.loc["deep", "device"]).startswith("cuda"):
        b.add(f"the deep net was timed on a GPU ({float(o.loc['deep', 'fit_seconds']):.3g} s per fit); without "
              f"one expect it to train several times slower", "cost", "Compare")
    if not fams:
        b.cap(0, "no family left")
        b.add(f"no family trains within the {needs.max_fit_seconds:g} s budget; {_NOT_ENOUGH} or raise "
              f"the budget", "requirement", "Compare")
        return done("undecided", None)

    # ---- 2. not enough evidence
    failed = [f for f in fams if o.loc[f, "status"] == "failed"]
    if failed:
        b.cap(0, "a family failed")
        for f in failed:
            n = int(o.loc[f, "n_failed"])
            b.add(f"{registry.noun(f)} failed on all {n} splits ({o.loc[f, 'reason'] or 'no reason recorded'}); "
                  f"{_NOT_ENOUGH}", "evidence", "Compare", first=True)
        return done("undecided", None)
    for f in fams:
        if o.loc[f, "status"] == "partial":
            b.lower("splits failed")
            b.add(f"{registry.noun(f)} failed on {int(o.loc[f, 'n_failed'])} of {len(cmp.splits)} splits "
                  f"({o.loc[f, 'reason']}); its score rests on the others", "evidence", "Compare")
    if len(fams) == 1:
        only = fams[0]
        b.cap(0, "one family")
        b.add(f"only {registry.noun(only)} is left to compare ({_score(o.loc[only, 'mean'], metric)} "
              f"{METRICS[metric].label}); nothing to weigh it against", "evidence", "Compare")
        return done(registry.get(only).recommends_as, only)
    tests = {(c, s): _improvement(cmp, c, s) for i, s in enumerate(fams) for c in fams[i + 1:]}
    n_splits = min(t.n_splits for t, *_ in tests.values())
    if n_splits < MIN_SPLITS:
        b.cap(0, "too few splits")
        b.add(f"only {n_splits} split(s) are shared by the models, fewer than the {MIN_SPLITS} a paired test "
              f"needs; {_NOT_ENOUGH}", "evidence", "Compare", first=True)
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
        b.add(f"{registry.noun(winner)} is {_gap(gain, metric)} better than {registry.noun(s)} ({format_p(t.p_value)}, 95% CI "
              f"{_ci(lo, hi, metric)}), more than the practical difference of {_gap(delta, metric)}",
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
                b.add(f"{registry.noun(c)} looks {_gap(gain, metric)} better than {registry.noun(chosen)} but the difference is "
                      f"not significant ({format_p(t.p_value)}, 95% CI {_ci(lo, hi, metric)}); "
                      f"{_NOT_ENOUGH}", "evidence", "Compare", first=True)
                return done("undecided", None)
            b.cap(0, "unconfirmed gain")
            b.add(f"{registry.noun(c)} looks {_gap(gain, metric)} better than {registry.noun(chosen)}, but not significantly "
                  f"({format_p(t.p_value)}){speed}; the simpler model is kept until more data confirms the gain",
                  "score", "Compare")
        elif gain >= delta:
            raise AssertionError("internal error in dllab.analyses.verdict: the chosen family is beaten by " + c)
        else:
            if gain >= 0 and t.significant:
                what = (f"{registry.noun(c)} is {_gap(gain, metric)} better than {registry.noun(chosen)} ({format_p(t.p_value)}), "
                        f"less than the practical difference of {_gap(delta, metric)}")
            elif _gap(gain, metric) == _gap(0.0, metric):
                what = f"{registry.noun(c)} scores the same as {registry.noun(chosen)} ({_gap(0.0, metric)}, {format_p(t.p_value)})"
            elif gain >= 0:
                what = f"{registry.noun(c)} is within {_gap(gain, metric)} of {registry.noun(chosen)} ({format_p(t.p_value)})"
            else:
                what = f"{registry.noun(c)} is {_gap(gain, metric)} worse than {registry.noun(chosen)} ({format_p(t.p_value)})"
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
            b.add(f"a regulator must see each decision: {registry.noun(transparent)} is {_gap(max(gain, 0), metric)} behind "
                  f"{registry.noun(chosen)} (less than the {_gap(large, metric)} counted as large) and fully transparent",
                  "requirement", "Explain", first=True)
            chosen = transparent
        else:
            b.add(f"each decision must be explained, but {registry.noun(transparent)} is {_gap(gain, metric)} behind "
                  f"{registry.noun(chosen)} (at least the {_gap(large, metric)} counted as large): keep {registry.noun(chosen)} and "
                  f"explain each decision with SHAP values, accepting a less transparent model",
                  "requirement", "Explain", first=True)
    elif needs.explain_each_decision and chosen == transparent:
        k = len(getattr(dataset, "feature_columns", ()) or ())
        cols = f"{k} column contributions" if k else "column contributions (0 approximation error)"
        b.add(f"each decision must be explained: {registry.noun(transparent)} is transparent, and its {cols} add up "
              f"exactly to each prediction", "requirement", "Explain")

    # ---- 6 and 7. context and confidence
    _curve_reasons(b, curve, chosen, metric)
    _subgroup_reasons(b, subgroups, chosen, metric, delta)
    _explanation_reasons(b, explanation, chosen)
    _modality_reasons(b, dataset, chosen, cmp, fams, tests, metric)
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
            where = (f"is {_gap(gain, metric)} {'better' if gain >= 0 else 'worse'} overall ({format_p(t.p_value)})"
                     if _gap(gain, metric) != _gap(0.0, metric) else f"scores the same overall ({format_p(t.p_value)})")
            b.add(f"{registry.noun(chosen)} fails on rows with {r['description']} (n = {int(r['size']):,}): "
                  f"{_score(r['score'], metric)} vs {_score(overall, metric)} overall, while {registry.noun(q)} scores "
                  f"{_score(row['score'], metric)} there ({_gap(better, metric)} better) and {where}: "
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
    if metric in _RATE_METRICS:
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


def _curve_reasons(b, curve, chosen, metric):
    if curve is None:
        return
    tc = getattr(curve, "transfer_crossover", None)
    if tc is not None and tc.kind in ("observed", "extrapolated", "not_expected", "leads_throughout"):
        b.add(tc.statement[:1].lower() + tc.statement[1:].rstrip("."), "curve", "Data size")
    cross = curve.crossover
    n_max = int(np.max(curve.sizes))
    if cross.kind == "extrapolated" and cross.extrapolated_n:
        lo, hi = cross.ci
        ci = ""
        if lo is not None and hi is not None:
            ci = f" (95% CI {_rows(lo)}-{_rows(hi)})"
        elif lo is not None:
            ci = f" (95% CI from {_rows(lo)}, no upper bound)"
        slope = curve.slopes.get("deep", (np.nan,))[0]
        improving = np.isfinite(slope) and (slope > 0) == curve.higher_is_better
        rising = ("still rising" if curve.higher_is_better else "still improving") if improving else "flattening"
        b.add(f"the deep net's curve is {rising}: ~{_rows(cross.extrapolated_n)} rows are expected to close the "
              f"gap to boosting{ci}, vs {_rows(n_max)} rows used (an extrapolation)", "curve", "Data size")
        if chosen == "gbm":  # the crossover is deep vs boosting: it weighs on a boosting verdict only
            b.lower("curve expects the deep net to overtake")
    elif cross.kind == "observed":
        b.add(f"the deep net overtakes boosting at about {_rows(cross.observed_n)} rows on the data-size curve "
              f"and stays ahead up to {_rows(n_max)}", "curve", "Data size")
        if chosen == "gbm":
            b.lower("curve shows the deep net ahead with more data")
    elif cross.kind == "not_expected":
        b.add(f"the deep net is not expected to overtake boosting within {CROSSOVER_HORIZON:.0f}x the data "
              f"({_rows(CROSSOVER_HORIZON * n_max)} rows)", "curve", "Data size")
    elif cross.kind == "leads_throughout":
        b.add(f"the deep net is ahead of boosting at every size of the data-size curve (up to {_rows(n_max)} "
              f"rows)", "curve", "Data size")


def _subgroup_reasons(b, report, chosen, metric, delta):
    if report is None or chosen not in report.families:
        return
    worst = report.worst(chosen, top_k=1)
    frame = report.frame
    if not worst.empty:
        r = worst.iloc[0]
        overall = float(report.overall.loc[chosen, "score"])
        b.add(f"{registry.noun(chosen)} fails on rows with {r['description']} (n = {int(r['size']):,}): "
              f"{_score(r['score'], metric)} vs {_score(overall, metric)} overall", "subgroup", "Subgroups")
        others = frame[(frame.slice == r["slice"]) & (frame.family != chosen)]
        sign = 1.0 if report.higher_is_better else -1.0
        for _, q in others.iterrows():
            better = sign * (q["score"] - r["score"])
            clear = (q["ci_low"] > r["ci_high"]) if report.higher_is_better else (q["ci_high"] < r["ci_low"])
            if better >= delta and clear:
                b.add(f"on that slice {registry.noun(q['family'])} scores {_score(q['score'], metric)}, "
                      f"{_gap(better, metric)} better", "subgroup", "Subgroups")
                b.lower("another family is clearly better on a failure slice")
                break
    elif len(report.slices):
        b.add(f"{registry.noun(chosen)} has no significantly worse slice among {len(report.slices):,} slices checked",
              "subgroup", "Subgroups")
    rows = [r for r in report.shift if r.get("status") == "ok" and r.get("drop") is not None]
    mine = [r for r in rows if r["family"] == chosen]
    if mine:
        r = max(mine, key=lambda r: r["drop"])
        if r["drop"] >= delta and (r.get("drop_ci_low") is None or r["drop_ci_low"] > 0):
            b.add(f"trained without {r['group']} and tested on it, {registry.noun(chosen)} drops by "
                  f"{_gap(r['drop'], r['metric'])} vs a random split", "shift", "Subgroups")
            same = [q for q in rows if q["group"] == r["group"] and q["family"] != chosen]
            steadier = [q for q in same if r["drop"] - q["drop"] >= delta]
            if steadier:
                q = min(steadier, key=lambda q: q["drop"])
                b.add(f"{registry.noun(q['family'])} drops only {_gap(max(q['drop'], 0), q['metric'])} "
                      f"on that group", "shift", "Subgroups")
        else:
            b.add(f"{registry.noun(chosen)} loses at most {_gap(max(r['drop'], 0), r['metric'])} on a held-out group of "
                  f"{r['column']}", "shift", "Subgroups")


def _explanation_reasons(b, ex, chosen):
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


def _modality_reasons(b, ds, chosen, cmp, fams, tests, metric):
    modality = getattr(ds, "modality", "tabular") if ds is not None else "tabular"
    if modality not in ("image", "text"):
        return
    deep_fams = [f for f in fams if registry.get(f).kind == "deep"]
    expected = "a convolutional net" if modality == "image" else "a deep or pretrained text model"
    if registry.get(chosen).kind == "deep":
        b.add(f"as expected for {modality} data, {registry.noun(chosen)} wins ({_score(cmp.overall.loc[chosen, 'mean'], metric)} "
              f"{METRICS[metric].label})", "modality", "Compare")
        return
    if not deep_fams:
        b.lower("no deep model on image/text data")
        b.add(f"this is {modality} data, where {expected} usually wins, but none was compared (0 deep families "
              f"run)", "modality", "Compare")
        return
    c = max(deep_fams, key=lambda f: tests[(f, chosen)][1])
    _, gain, _, _ = tests[(c, chosen)]
    b.lower("image/text data where deep does not win")
    where = "only ahead by" if gain > 0 else "behind by"
    b.add(f"this is {modality} data, where {expected} usually wins, but here {registry.noun(c)} is {where} "
          f"{_gap(gain, metric)}: the data says otherwise", "modality", "Compare")
