"""Where the deep net overtakes gradient boosting, read off the curve's findings: measured, extrapolated or neither.

:class:`Crossover` is what the chart marks and the JSON reports;
:func:`crossover_from` derives it from :class:`~dllab.analyses.curves.findings.CurveFindings`,
so a crossover is drawn only where the findings support one: measured (behind
beyond noise, then ahead beyond noise), or extrapolated from the fitted curves
(and then labelled so, and only when the fit follows the measured points).
:func:`find_crossover` does the same from scores computed elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._common import _cap, _num
from .analysis import _Analysis
from .findings import HORIZON, CurveFindings, compute_findings
from ... import families as registry

#: Kinds of :attr:`Crossover.kind`.
KINDS = ("observed", "extrapolated", "not_expected", "leads_throughout", "none", "unavailable")


@dataclass(frozen=True)
class Crossover:
    """Where the challenger (the deep net) overtakes the incumbent (XGBoost), if the evidence says so.

    Attributes
    ----------
    kind : str
        One of :data:`KINDS`. ``observed``: measured, the challenger is behind beyond noise at one
        size and ahead beyond noise at a later one. ``extrapolated``: the challenger is not ahead
        beyond noise at the largest size and the fitted curves cross beyond it, within 10x (an
        extrapolation). ``not_expected``: they do not cross within 10x. ``leads_throughout``: ahead
        beyond noise at every size. ``none``: no crossover to place (ahead at the largest size but
        not at every size, or fitted curves that do not follow the measured points). ``unavailable``:
        a family is missing, or too few sizes to fit.
    observed_n, extrapolated_n : int or None
    ci : (int or None, int or None)
        ``observed``: the sizes the crossover lies between (the last one behind and the first one
        ahead beyond noise). ``extrapolated``: a 95% interval over resampled fits (``None`` on a side
        that is unbounded).
    statement : str
        The finding in words, the extrapolation labelled as such.
    bracket : (int, int) or None
        ``observed``: the two adjacent sizes the mean scores cross between.
    share_crossing : float
        Share of resampled fits that cross within 10x the data.
    """

    kind: str
    observed_n: int | None
    extrapolated_n: int | None
    ci: tuple
    statement: str
    bracket: tuple | None = None
    share_crossing: float = float("nan")

    @property
    def drawn(self) -> bool:
        """Whether a chart marks it (a supported measured crossover, or a labelled extrapolated one)."""
        return (self.kind == "observed" and self.observed_n is not None) or \
            (self.kind == "extrapolated" and self.extrapolated_n is not None)

    def to_dict(self) -> dict:
        return {"observed_n": self.observed_n, "extrapolated_n": self.extrapolated_n,
                "ci": [self.ci[0], self.ci[1]], "statement": self.statement, "kind": self.kind,
                "bracket": None if self.bracket is None else list(self.bracket),
                "share_crossing": _num(self.share_crossing)}


def crossover_from(f: CurveFindings) -> Crossover:
    """The crossover the findings support (see :class:`Crossover` for the kinds)."""
    kind = _kind(f)
    statement = " ".join(p for p in (f.statement, outlook(f, kind)) if p)
    ex = f.extrapolation
    if kind == "observed":
        return Crossover(kind, f.crossing_n, None, f.support, statement, bracket=f.bracket)
    if kind == "extrapolated":
        return Crossover(kind, None, ex.crossing_n, ex.crossing_ci, statement, share_crossing=ex.share_crossing)
    share = ex.share_crossing if ex.available else float("nan")
    return Crossover(kind, None, None, (None, None), statement, share_crossing=share)


def outlook(f: CurveFindings, kind: str | None = None) -> str:
    """What the fitted curves add to the measured finding (labelled as extrapolated), or why they add nothing."""
    if not f.available:
        return ""
    kind = kind or _kind(f)
    ex = f.extrapolation
    if not ex.available:
        if f.at_largest == "ahead" or kind == "leads_throughout":
            return ""
        return f"With {len(f.sizes)} size(s) the curves cannot be extrapolated (a fit needs at least 3)."
    text = f.extrapolation_statement()
    if kind == "not_expected":
        ch, inc = registry.model_noun(f.challenger), registry.model_noun(f.incumbent)
        text += (f" {_cap(ch)} is not expected to overtake {inc} within {HORIZON:g}x the current data "
                 f"({ex.horizon_n:,} rows).")
    return text


def _kind(f: CurveFindings) -> str:
    if not f.available:
        return "unavailable"
    if f.pattern == "overtakes":
        return "observed"
    if f.pattern == "ahead_everywhere":
        return "leads_throughout"
    ex = f.extrapolation
    if not ex.available:
        return "none" if f.at_largest == "ahead" else "unavailable"
    if f.at_largest != "ahead" and ex.agrees:
        if ex.direction == "overtakes":
            return "extrapolated"
        if ex.gain_at_largest < 0 and ex.crossing_n is None:
            return "not_expected"
    return "none"


def find_crossover(sizes, challenger_scores, incumbent_scores, *, higher_is_better: bool = True,
                   metric_bounds=(-np.inf, np.inf), n_boot: int = 200, random_state: int | None = 0,
                   challenger: str = "deep", incumbent: str = "gbm", metric: str | None = None,
                   test_fraction: float = 0.0) -> Crossover:
    """Where ``challenger`` overtakes ``incumbent``, from per-size scores (no training).

    Parameters
    ----------
    sizes : array of int, increasing
    challenger_scores, incumbent_scores : array, shape (n_sizes,) or (n_sizes, n_replicates)
        Scores per size (and replicate; NaN for a failed fit). Replicate ``r``
        of both families should come from the same rows: each size is tested by
        a paired t-test over the replicates.
    higher_is_better : bool, default=True
    metric_bounds : (float, float), default=(-inf, inf)
    n_boot : int, default=200
        Resamples of the replicates for the fits' intervals.
    random_state : int or None, default=0
    challenger, incumbent : str, default="deep", "gbm"
    metric : str, optional
        For the wording of differences (default accuracy, or RMSE when lower is better).
    test_fraction : float, default=0.0
        ``n_test / n`` when the replicates come from different splits (the corrected test's term).

    Returns
    -------
    Crossover
        ``observed`` only when the challenger is behind beyond noise at one size and
        ahead beyond noise at a later one; else, if it is ahead beyond noise everywhere,
        ``leads_throughout``; else the first crossing of the fitted power laws within 10x
        the largest size (``extrapolated``), or ``not_expected``.

    Examples
    --------
    >>> import numpy as np
    >>> n = np.array([100, 300, 1000, 3000, 10000])
    >>> rng = np.random.default_rng(0)
    >>> deep = (0.95 - 3 * n ** -0.5)[:, None] + rng.normal(0, 0.002, (5, 4))
    >>> gbm = (0.90 - 0.5 * n ** -0.5)[:, None] + rng.normal(0, 0.002, (5, 4))
    >>> c = find_crossover(n, deep, gbm, n_boot=20)

    The mean scores cross between 1,000 and 3,000 rows, but at 3,000 the deep net's
    lead (0.4 points) is within noise: the crossover is placed between the last size
    behind and the first size ahead, both beyond noise.

    >>> c.kind, c.bracket, c.ci
    ('observed', (1000, 3000), (1000, 10000))
    """
    metric = metric or ("accuracy" if higher_is_better else "rmse")
    an = _Analysis(sizes, {challenger: challenger_scores, incumbent: incumbent_scores},
                   higher_is_better=higher_is_better, metric_bounds=metric_bounds, n_boot=n_boot,
                   random_state=random_state)
    return crossover_from(compute_findings(an, challenger=challenger, incumbent=incumbent, metric=metric,
                                           test_fraction=test_fraction))
