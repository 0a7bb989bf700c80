"""Where the deep net overtakes gradient boosting: observed, fitted and extrapolated, with an interval.

:class:`Crossover` is the finding; ``_crossover`` reads it off an analysis of
per-size scores (first an observed sign flip of the mean difference, else a
crossing of the fitted power laws within 10x the data), and
:func:`find_crossover` does the same from scores computed elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import optimize

from ._common import _cap, _num
from .analysis import _Analysis
from ... import families as registry

_HORIZON = 10.0                  # "within 10x the current data"
_SEARCH = 1000.0                 # bootstrap crossovers are searched up to 1000x (beyond: no crossing)


@dataclass(frozen=True)
class Crossover:
    """Where the deep net overtakes gradient boosting, if it does.

    Attributes
    ----------
    kind : {"observed", "extrapolated", "not_expected", "leads_throughout", "unavailable"}
        ``observed``: the sign of the mean difference flips inside the
        observed sizes and the deep net stays ahead at every larger size.
        ``extrapolated``: the two fitted curves cross beyond the largest size,
        within 10x of it. ``not_expected``: they do not. ``leads_throughout``:
        the deep net is ahead at every observed size. ``unavailable``: a family
        is missing or there are too few sizes to fit.
    observed_n, extrapolated_n : int or None
    ci : (int or None, int or None)
        95% interval from the resamples (``None`` on a side that is not bounded
        or not estimable, e.g. when a crossing is not found up to 1000x the data).
    statement : str
        The finding in words, with the caveat for an extrapolation.
    bracket : (int, int) or None
        For ``observed``: the two observed sizes the crossing lies between.
    share_crossing : float
        Fraction of resamples in which the curves cross (within the observed
        range for ``observed``, within 10x for the extrapolation).
    """

    kind: str
    observed_n: int | None
    extrapolated_n: int | None
    ci: tuple
    statement: str
    bracket: tuple | None = None
    share_crossing: float = float("nan")

    def to_dict(self) -> dict:
        return {"observed_n": self.observed_n, "extrapolated_n": self.extrapolated_n,
                "ci": [self.ci[0], self.ci[1]], "statement": self.statement, "kind": self.kind,
                "bracket": None if self.bracket is None else list(self.bracket),
                "share_crossing": _num(self.share_crossing)}


def _observed_crossing(sizes, diff):
    """Crossing n from mean differences (positive = challenger ahead), or None; and the bracket."""
    ok = np.isfinite(diff)
    s, d = np.asarray(sizes, dtype=float)[ok], diff[ok]
    if len(d) < 2 or d[-1] <= 0:
        return None, None
    behind = np.flatnonzero(d <= 0)
    if len(behind) == 0:
        return None, None
    j = behind[-1]  # last size where the challenger is not ahead; ahead at every size after it
    t = d[j] / (d[j] - d[j + 1])
    n = float(np.exp(np.log(s[j]) + t * (np.log(s[j + 1]) - np.log(s[j]))))
    return n, (int(s[j]), int(s[j + 1]))


def _fitted_crossing(f_ch, f_inc, n_from, n_to, higher_is_better):
    """First n in [n_from, n_to] where the fitted challenger is at least as good, else None."""
    if f_ch is None or f_inc is None:
        return None
    sign = 1.0 if higher_is_better else -1.0

    def diff(logn):
        n = np.exp(logn)
        return sign * (f_ch(n) - f_inc(n))

    grid = np.linspace(np.log(n_from), np.log(n_to), 600)
    d = diff(grid)
    if d[0] >= 0:
        return float(n_from)
    up = np.flatnonzero((d[:-1] < 0) & (d[1:] >= 0))
    if len(up) == 0:
        return None
    i = up[0]
    return float(np.exp(optimize.brentq(diff, grid[i], grid[i + 1])))


def _crossover(an: _Analysis, *, challenger: str = "deep", incumbent: str = "gbm", horizon: float = _HORIZON):
    names = (registry.model_noun(challenger), registry.model_noun(incumbent))
    ch, inc = names
    if challenger not in an.families or incumbent not in an.families:
        gone = [registry.model_noun(f) for f in (challenger, incumbent) if f not in an.families]
        verb = "were" if len(gone) > 1 else "was"
        return Crossover("unavailable", None, None, (None, None),
                         f"No crossover estimate: it needs both {ch} and {inc}, and {' and '.join(gone)} {verb} "
                         f"not run.")
    sizes = an.sizes
    sign = 1.0 if an.higher_is_better else -1.0
    diff = sign * (an.mean[challenger] - an.mean[incumbent])
    n_max, n_min = int(sizes.max()), int(sizes.min())
    if not np.isfinite(diff).any():
        return Crossover("unavailable", None, None, (None, None),
                         f"No crossover estimate: {ch} or {inc} failed at every size.")
    boot_diff = sign * (an.boot_mean[challenger] - an.boot_mean[incumbent])
    observed, bracket = _observed_crossing(sizes, diff)
    if observed is not None:
        hits = [c for c in (_observed_crossing(sizes, d)[0] for d in boot_diff) if c is not None]
        ci = _percentile_ci(hits)
        n = int(round(observed))
        text = (f"{_cap(ch)} overtakes {inc} at about {_round_n(n):,} rows (between the observed sizes "
                f"{bracket[0]:,} and {bracket[1]:,}{_ci_text(ci)}) and stays ahead at every larger observed size, "
                f"up to {n_max:,} rows.")
        return Crossover("observed", n, None, ci, text, bracket=bracket,
                         share_crossing=len(hits) / max(len(boot_diff), 1))
    last = diff[np.isfinite(diff)]
    if np.all(last > 0):
        return Crossover("leads_throughout", None, None, (None, None),
                         f"{_cap(ch)} is ahead of {inc} at every observed size ({n_min:,} to {n_max:,} rows); "
                         f"there is no crossover to find.")
    f_ch, f_inc = an.fits[challenger], an.fits[incumbent]
    if f_ch is None or f_inc is None:
        return Crossover("unavailable", None, None, (None, None),
                         f"{_cap(inc)} leads at the largest observed size ({n_max:,} rows); with "
                         f"{len(sizes)} sizes the curves cannot be extrapolated (a fit needs at least 3).")
    point = _fitted_crossing(f_ch, f_inc, n_max, horizon * n_max, an.higher_is_better)
    boots = []
    for fc, fi in zip(an.boot_fits[challenger], an.boot_fits[incumbent]):
        if fc is None or fi is None:
            continue
        c = _fitted_crossing(fc, fi, n_max, _SEARCH * n_max, an.higher_is_better)
        boots.append(np.inf if c is None else c)
    boots = np.array(boots)
    share = float(np.mean(boots <= horizon * n_max)) if len(boots) else float("nan")
    limit = int(horizon * n_max)
    if point is None:
        return Crossover("not_expected", None, None, (None, None),
                         f"{_cap(inc)} leads at the largest observed size ({n_max:,} rows) and the fitted curves "
                         f"do not cross: {ch} is not expected to overtake it within 10x the current data "
                         f"({limit:,} rows).", share_crossing=share)
    ci = _percentile_ci(boots)
    n = int(round(point))
    text = (f"{_cap(inc)} leads at the largest observed size ({n_max:,} rows). Extrapolating the fitted power "
            f"laws, {ch} would overtake it near {_round_n(n):,} rows{_ci_text(ci)}. This is an extrapolation "
            f"beyond the observed data ({n / n_max:.1f}x the largest size), not a measurement: confirm it with "
            f"more rows before relying on it.")
    return Crossover("extrapolated", None, n, ci, text, share_crossing=share)


def find_crossover(sizes, challenger_scores, incumbent_scores, *, higher_is_better: bool = True,
                   metric_bounds=(-np.inf, np.inf), n_boot: int = 200, random_state: int | None = 0,
                   challenger: str = "deep", incumbent: str = "gbm") -> Crossover:
    """Where ``challenger`` overtakes ``incumbent``, from per-size scores (no training).

    Parameters
    ----------
    sizes : array of int, increasing
    challenger_scores, incumbent_scores : array, shape (n_sizes,) or (n_sizes, n_replicates)
        Scores per size (and replicate; NaN for a failed fit). Replicate ``r``
        of both families should come from the same rows.
    higher_is_better : bool, default=True
    metric_bounds : (float, float), default=(-inf, inf)
    n_boot : int, default=200
        Resamples of the replicates for the intervals.
    random_state : int or None, default=0
    challenger, incumbent : str, default="deep", "gbm"

    Returns
    -------
    Crossover
        In order: an *observed* crossing (interpolated in log n between the
        sizes where the sign of the mean difference flips, the challenger
        staying ahead at all larger sizes); else, if the challenger leads
        everywhere, ``leads_throughout``; else the first crossing of the two
        fitted power laws within 10x the largest size (*extrapolated*, with a
        95% interval over resampled fits); else ``not_expected``.

    Examples
    --------
    >>> import numpy as np
    >>> n = np.array([100, 300, 1000, 3000, 10000])
    >>> deep, gbm = 0.95 - 3 * n ** -0.5, 0.90 - 0.5 * n ** -0.5
    >>> c = find_crossover(n, deep, gbm, n_boot=20)
    >>> c.kind, c.bracket, c.observed_n
    ('observed', (1000, 3000), 2600)
    """
    an = _Analysis(sizes, {challenger: challenger_scores, incumbent: incumbent_scores},
                   higher_is_better=higher_is_better, metric_bounds=metric_bounds, n_boot=n_boot,
                   random_state=random_state)
    return _crossover(an, challenger=challenger, incumbent=incumbent)


def _percentile_ci(values):
    v = np.asarray(values, dtype=float)
    if len(v) < 2:
        return (None, None)
    with np.errstate(invalid="ignore"):  # inf - inf between two "no crossing" replicates: NaN, unbounded
        lo, hi = np.percentile(v, [2.5, 97.5])  # inf (no crossing) sorts last: the upper side is unbounded
    return (int(round(lo)) if np.isfinite(lo) else None, int(round(hi)) if np.isfinite(hi) else None)


def _ci_text(ci):
    lo, hi = ci
    if lo is None and hi is None:
        return ""
    if hi is None:
        return f"; 95% CI from {_round_n(lo):,} rows with no upper bound"
    return f"; 95% CI {_round_n(lo):,}-{_round_n(hi):,}"


def _round_n(n) -> int:
    """Two significant figures for sizes quoted in sentences (exact below 100)."""
    n = int(n)
    if n < 100:
        return n
    digits = len(str(n)) - 2
    return int(round(n, -digits))
