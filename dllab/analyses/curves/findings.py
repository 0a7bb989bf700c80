"""What a data-size curve says about two families, as findings that every sentence is read from.

:class:`CurveFindings` holds, for a challenger (the deep net) against an
incumbent (XGBoost): at every size whether the challenger is ahead, behind or
tied *beyond noise* (:class:`SizeFinding`, a paired test at that size), the
pattern over sizes (ahead at every size only when every size says so; a
crossover only when the challenger is behind beyond noise at one size and
ahead beyond noise at a later one), and what the fitted curves say beyond the
data (:class:`Extrapolation`), with whether that agrees with the measured
points. The page's conclusion, the crossover line on the chart and the
verdict's curve reason all read these findings.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import optimize

from ._common import _cap, _num
from .rows import ROW_METRICS, replicate_test
from ...metrics import format_diff
from ...stats import benjamini_hochberg
from ... import families as registry

HORIZON = 10.0                   # the extrapolation is read at 10x the largest size
_SEARCH = 1000.0                 # resampled crossings are searched up to 1000x (beyond: no crossing)
_ALPHA = 0.05

#: Patterns of :attr:`CurveFindings.pattern`.
PATTERNS = ("ahead_everywhere", "behind_everywhere", "tied_everywhere", "overtakes", "falls_behind", "mixed",
            "unavailable")


@dataclass(frozen=True)
class SizeFinding:
    """The challenger against the incumbent at one size.

    Attributes
    ----------
    n : int
    gain : float
        How much better the challenger's mean score is (in the metric's units, positive when it is
        better, whatever the metric's direction); ``low`` and ``high`` bound its 95% interval.
    low, high, p_value : float
    q_value : float
        What the standing is read from: at the largest size the test's own p-value (it is
        Compare's test when the curve's largest size is Compare's fits); at the smaller sizes the
        p-value corrected for testing several sizes at once (Benjamini-Hochberg), so that one
        lucky size among many is not called a lead.
    standing : {"ahead", "behind", "tied", "untested"}
        ``ahead``/``behind``: significant (``q_value`` < 0.05) in that direction;
        ``tied``: not (the gap is within noise); ``untested``: too few scores for a test.
    method : {"rows", "replicates", "none"}
        ``rows``: the cross-validation test over the test rows (as Compare's); ``replicates``:
        the corrected t-test over the curve's replicates (curves built from scores alone).
    """

    n: int
    gain: float
    low: float
    high: float
    p_value: float
    standing: str
    method: str
    q_value: float = float("nan")

    def to_dict(self) -> dict:
        return {"n": self.n, "gain": _num(self.gain), "ci": [_num(self.low), _num(self.high)],
                "p_value": _num(self.p_value), "q_value": _num(self.q_value), "standing": self.standing,
                "method": self.method}


@dataclass(frozen=True)
class Extrapolation:
    """What the two fitted curves say beyond the largest size (an extrapolation, not a measurement).

    Attributes
    ----------
    available : bool
        Both families have a fitted curve (3 or more sizes with scores).
    horizon_n : int
        Where the gap is read: 10x the largest size.
    gain, low, high : float
        The challenger's fitted advantage at ``horizon_n`` and its 95% band over resampled fits.
    gain_at_largest : float
        The fitted advantage at the largest observed size.
    crossing_n : int or None
        First size beyond the data, up to ``horizon_n``, where the fitted gap changes sign.
    direction : {"overtakes", "falls_behind"} or None
        Which way that change goes for the challenger.
    crossing_ci : (int or None, int or None)
        95% interval of the crossing over the resampled fits (``None``: unbounded or not estimable).
    share_crossing : float
        Share of resampled fits whose gap changes sign the same way within ``horizon_n``.
    conflict : {"", "fit_misses_largest", "reverses_lead"}
        ``fit_misses_largest``: at the largest size the fitted curves rank the two the other way
        round from the measured scores (which differ beyond noise); ``reverses_lead``: the challenger
        is ahead beyond noise at the largest size and the fitted curves put it behind further on.
    """

    available: bool
    horizon_n: int
    gain: float = float("nan")
    low: float = float("nan")
    high: float = float("nan")
    gain_at_largest: float = float("nan")
    crossing_n: int | None = None
    direction: str | None = None
    crossing_ci: tuple = (None, None)
    share_crossing: float = float("nan")
    conflict: str = ""

    @property
    def agrees(self) -> bool:
        """Whether the extrapolation goes along with the measured points (no conflict)."""
        return not self.conflict

    def to_dict(self) -> dict:
        return {"available": self.available, "horizon_n": self.horizon_n, "gain": _num(self.gain),
                "band": [_num(self.low), _num(self.high)], "gain_at_largest": _num(self.gain_at_largest),
                "crossing_n": self.crossing_n, "direction": self.direction,
                "crossing_ci": list(self.crossing_ci), "share_crossing": _num(self.share_crossing),
                "agrees": self.agrees, "conflict": self.conflict}


@dataclass(frozen=True)
class CurveFindings:
    """The challenger against the incumbent over the whole curve; read by every sentence about the pair.

    Attributes
    ----------
    challenger, incumbent, metric : str
    sizes : tuple of SizeFinding
    pattern : str
        One of :data:`PATTERNS`. ``ahead_everywhere`` / ``behind_everywhere`` / ``tied_everywhere``:
        the same standing at every size; ``overtakes``: behind beyond noise at some size and ahead
        beyond noise at a later one, never behind again; ``falls_behind``: the reverse; ``mixed``:
        anything else; ``unavailable``: a family is missing.
    support : (int, int) or None
        For ``overtakes``/``falls_behind``: the last size on the first side and the first size on the
        other side, both beyond noise. The crossover lies between them.
    crossing_n : int or None
        Where the mean scores cross inside ``support`` (interpolated in log rows).
    bracket : (int, int) or None
        The two observed sizes the means cross between.
    extrapolation : Extrapolation
    statement : str
        The measured finding in words; :meth:`extrapolation_statement` says what the fit adds.
    """

    challenger: str
    incumbent: str
    metric: str
    sizes: tuple
    pattern: str
    support: tuple | None
    crossing_n: int | None
    bracket: tuple | None
    extrapolation: Extrapolation
    statement: str

    @property
    def available(self) -> bool:
        return self.pattern != "unavailable"

    @property
    def at_largest(self) -> str:
        """Standing at the largest size ("untested" if there is none)."""
        return self.sizes[-1].standing if self.sizes else "untested"

    @property
    def ahead_everywhere(self) -> bool:
        return self.pattern == "ahead_everywhere"

    @property
    def crossover_supported(self) -> bool:
        """A measured crossover: behind beyond noise, then ahead beyond noise."""
        return self.pattern == "overtakes"

    def extrapolation_statement(self) -> str:
        """What the fitted curves say at 10x the data, labelled as an extrapolation ("" without fits)."""
        ex = self.extrapolation
        if not self.available or not ex.available:
            return ""
        ch, inc = registry.model_noun(self.challenger), registry.model_noun(self.incumbent)
        text = (f"Extrapolated from the fitted curves (not measured): at {ex.horizon_n:,} rows ({HORIZON:g}x the "
                f"largest size) {ch} would be {_gap(self.metric, ex.gain, inc)} (95% band of the fit: from "
                f"{_side(self.metric, ex.low)} to {_side(self.metric, ex.high)})")
        if ex.crossing_n is not None:
            verb = "overtake" if ex.direction == "overtakes" else "fall behind"
            text += (f"; the fitted curves have it {verb} {inc} near {_round_n(ex.crossing_n):,} rows"
                     f"{_ci_text(ex.crossing_ci)}")
        text += "."
        n_max = self.sizes[-1].n
        if ex.conflict == "fit_misses_largest":
            measured = ch if self.at_largest == "ahead" else inc
            fitted = inc if measured == ch else ch
            text += (f" At {n_max:,} rows the fitted curves put {fitted} ahead, where the measured scores have "
                     f"{measured} ahead beyond noise: the fit does not follow the data, so this extrapolation "
                     f"is not reliable.")
        elif ex.conflict == "reverses_lead":
            text += (f" This goes against the measured lead of {ch} at {n_max:,} rows (beyond noise); a "
                     f"measurement outweighs an extrapolation.")
        return text

    def table(self):
        """One row per size: ``rows``, ``difference``, ``interval`` (words), ``p_value``, ``q_value``, ``standing``."""
        import pandas as pd

        words = {"ahead": f"{registry.model_noun(self.challenger)} ahead beyond noise",
                 "behind": f"{registry.model_noun(self.incumbent)} ahead beyond noise",
                 "tied": "within noise", "untested": "not tested (too few fits)"}
        return pd.DataFrame([{"rows": s.n, "difference": format_diff(self.metric, s.gain, signed=True),
                              "interval": (f"{format_diff(self.metric, s.low, signed=True)} to "
                                           f"{format_diff(self.metric, s.high, signed=True)}")
                              if np.isfinite(s.low) and np.isfinite(s.high) else "—",
                              "p_value": s.p_value, "q_value": s.q_value, "standing": words[s.standing]}
                             for s in self.sizes])

    def to_dict(self) -> dict:
        return {"challenger": self.challenger, "incumbent": self.incumbent, "metric": self.metric,
                "pattern": self.pattern, "sizes": [s.to_dict() for s in self.sizes],
                "support": None if self.support is None else list(self.support), "crossing_n": self.crossing_n,
                "bracket": None if self.bracket is None else list(self.bracket),
                "extrapolation": self.extrapolation.to_dict(), "statement": self.statement,
                "extrapolation_statement": self.extrapolation_statement()}


# =========================================================================== computing the findings
def compute_findings(an, *, challenger: str, incumbent: str, metric: str, rows=None, test_fraction: float = 0.0,
                     horizon: float = HORIZON) -> CurveFindings:
    """The findings of ``challenger`` against ``incumbent`` from a curve's analysis (no training).

    Parameters
    ----------
    an : _Analysis
        Means, fits and resampled fits per family.
    rows : RowScores, optional
        Per-row scores; the per-size test runs over them when the metric allows.
    test_fraction : float, default=0.0
        ``n_test / n`` of the splits, for the replicate test's correction (0: plain paired t).
    """
    n_max = int(an.sizes.max()) if len(an.sizes) else 0
    if challenger not in an.families or incumbent not in an.families:
        return CurveFindings(challenger, incumbent, metric, (), "unavailable", None, None, None,
                             Extrapolation(False, int(horizon * n_max)), _missing(challenger, incumbent, an))
    sign = 1.0 if an.higher_is_better else -1.0
    sizes = _corrected([_size_finding(an, i, challenger, incumbent, metric, rows, test_fraction, sign)
                        for i in range(len(an.sizes))])
    standing = [s.standing for s in sizes]
    pattern, support = _pattern(standing, [s.n for s in sizes])
    crossing_n = bracket = None
    if support is not None:
        gain = np.array([s.gain for s in sizes])
        i0, i1 = (int(np.flatnonzero(an.sizes == n)[0]) for n in support)
        crossing_n, bracket = _interpolate(an.sizes[i0:i1 + 1], gain[i0:i1 + 1], up=pattern == "overtakes")
    ex = _extrapolation(an, challenger, incumbent, sign, standing[-1], horizon)
    partial = CurveFindings(challenger, incumbent, metric, sizes, pattern, support, crossing_n, bracket, ex, "")
    return CurveFindings(challenger, incumbent, metric, sizes, pattern, support, crossing_n, bracket, ex,
                         _statement(partial))


def compare_at(an, i: int, a: str, b: str, *, metric: str, rows=None, test_fraction: float = 0.0) -> SizeFinding:
    """``a`` against ``b`` at size position ``i``: the paired test, as a :class:`SizeFinding` (gain for ``a``)."""
    return _size_finding(an, i, a, b, metric, rows, test_fraction, 1.0 if an.higher_is_better else -1.0)


def _size_finding(an, i, a, b, metric, rows, test_fraction, sign) -> SizeFinding:
    n = int(an.sizes[i])
    sa, sb = an.scores[a][i], an.scores[b][i]
    both = np.isfinite(sa) & np.isfinite(sb)
    if not both.any():
        return SizeFinding(n, float("nan"), float("nan"), float("nan"), float("nan"), "untested", "none")
    difference = float(np.mean(sa[both] - sb[both]))
    if rows is not None and metric in ROW_METRICS and rows.metric == metric:
        test, method = rows.test(a, b, i, difference=difference), "rows"
    else:
        test, method = replicate_test(sa, sb, metric=metric, test_fraction=test_fraction, a=a, b=b), "replicates"
    lo, hi = sorted((sign * test.ci_low, sign * test.ci_high))
    if not np.isfinite(test.p_value):
        return SizeFinding(n, sign * difference, lo, hi, float("nan"), "untested", method)
    standing = "tied"
    if test.p_value < _ALPHA and test.difference != 0:
        standing = "ahead" if sign * test.difference > 0 else "behind"
    return SizeFinding(n, sign * difference, lo, hi, float(test.p_value), standing, method)


def _corrected(found) -> tuple:
    """Standings read from p-values corrected across the sizes below the largest (the largest keeps its own)."""
    from dataclasses import replace

    q = np.r_[benjamini_hochberg(np.array([s.p_value for s in found[:-1]], dtype=float)), found[-1].p_value]
    out = []
    for s, qi in zip(found, q):
        standing = s.standing
        if standing != "untested":
            standing = "tied" if not qi < _ALPHA else ("ahead" if s.gain > 0 else "behind")
        out.append(replace(s, q_value=float(qi), standing=standing))
    return tuple(out)


def _pattern(standing, sizes):
    """The pattern over sizes, and the two sizes a supported crossover lies between."""
    if all(s == standing[0] for s in standing) and standing[0] in ("ahead", "behind", "tied"):
        return f"{standing[0]}_everywhere", None
    for first, then, name in (("behind", "ahead", "overtakes"), ("ahead", "behind", "falls_behind")):
        last_first = max((i for i, s in enumerate(standing) if s == first), default=None)
        if last_first is None:
            continue
        after = [i for i, s in enumerate(standing) if s == then and i > last_first]
        before = [i for i, s in enumerate(standing) if s == then and i < last_first]
        if after and not before:  # one change of side, beyond noise on both sides
            return name, (int(sizes[last_first]), int(sizes[after[0]]))
    return "mixed", None


def _interpolate(sizes, gain, *, up: bool):
    """Where the mean gain changes sign inside a supported crossover (log-linear), and the bracket."""
    g = gain if up else -gain
    s = np.asarray(sizes, dtype=float)
    flips = [j for j in range(len(g) - 1) if g[j] <= 0 < g[j + 1]]
    j = flips[-1]
    t = g[j] / (g[j] - g[j + 1])
    n = float(np.exp(np.log(s[j]) + t * (np.log(s[j + 1]) - np.log(s[j]))))
    return int(round(n)), (int(s[j]), int(s[j + 1]))


def _extrapolation(an, a, b, sign, standing_at_largest, horizon) -> Extrapolation:
    n_max = float(an.sizes.max())
    h = int(round(horizon * n_max))
    fa, fb = an.fits.get(a), an.fits.get(b)
    if fa is None or fb is None:
        return Extrapolation(False, h)

    def gap(f1, f2, n):
        return sign * (f1(n) - f2(n))

    g_max, g_h = float(gap(fa, fb, n_max)), float(gap(fa, fb, h))
    boots = [(x, y) for x, y in zip(an.boot_fits[a], an.boot_fits[b]) if x is not None and y is not None]
    lo = hi = float("nan")
    if boots:
        lo, hi = np.percentile([gap(x, y, h) for x, y in boots], [2.5, 97.5])
        lo, hi = float(min(lo, g_h)), float(max(hi, g_h))
    crossing, direction, ci, share = None, None, (None, None), float("nan")
    if g_max != 0:
        up = g_max < 0
        found = np.array([np.inf if c is None else c for c in (
            _first_sign_change(lambda n, x=x, y=y: gap(x, y, n), n_max, _SEARCH * n_max, up=up, at_start=True)
            for x, y in boots)])
        share = float(np.mean(found <= h)) if len(found) else float("nan")
        crossing = _first_sign_change(lambda n: gap(fa, fb, n), n_max, h, up=up)
        if crossing is not None:
            direction, ci = ("overtakes" if up else "falls_behind"), _percentile_ci(found)
            crossing = int(round(crossing))
    conflict = ""
    if (standing_at_largest == "ahead" and g_max < 0) or (standing_at_largest == "behind" and g_max > 0):
        conflict = "fit_misses_largest"
    elif standing_at_largest == "ahead" and (g_h < 0 or direction == "falls_behind"):
        conflict = "reverses_lead"
    return Extrapolation(True, h, g_h, lo, hi, g_max, crossing, direction, ci, share, conflict)


def _first_sign_change(gap, n_from, n_to, *, up: bool, at_start: bool = False):
    """First n in (n_from, n_to] where ``gap`` rises through 0 (``up``) or falls through it, else None.

    With ``at_start``, a gap already on the far side at ``n_from`` counts as a change there (for the
    resampled fits, which can rank the two the other way round at the largest size).
    """
    s = 1.0 if up else -1.0
    grid = np.linspace(np.log(n_from), np.log(n_to), 600)
    d = s * np.asarray(gap(np.exp(grid)), dtype=float)
    if d[0] >= 0:
        return float(n_from) if at_start else None
    idx = np.flatnonzero((d[:-1] < 0) & (d[1:] >= 0))
    if len(idx) == 0:
        return None
    i = idx[0]
    return float(np.exp(optimize.brentq(lambda x: s * gap(np.exp(x)), grid[i], grid[i + 1])))


# =========================================================================== words
def _statement(f: CurveFindings) -> str:
    ch, inc = registry.model_noun(f.challenger), registry.model_noun(f.incumbent)
    first, last = f.sizes[0].n, f.sizes[-1].n
    every = f"at every size, from {first:,} to {last:,} rows" if first != last else f"at the one size, {last:,} rows"
    if f.pattern == "ahead_everywhere":
        return f"{_cap(ch)} is ahead of {inc} beyond noise {every}."
    if f.pattern == "behind_everywhere":
        return f"{_cap(inc)} is ahead of {ch} beyond noise {every}."
    if f.pattern == "tied_everywhere":
        widest = max(f.sizes, key=lambda s: abs(s.gain))
        return (f"{_cap(ch)} and {inc} are within noise of each other {every} (the widest gap in the mean "
                f"scores is {format_diff(f.metric, widest.gain)}, at {widest.n:,} rows).")
    words = {"ahead": "ahead beyond noise", "behind": "behind beyond noise", "tied": "within noise",
             "untested": "not tested (too few fits)"}
    runs = []
    for s in f.sizes:
        if runs and runs[-1][0] == s.standing:
            runs[-1][1].append(s.n)
        else:
            runs.append([s.standing, [s.n]])
    described = "; ".join(f"{words[st]} at {_span(ns)}" for st, ns in runs)
    if f.pattern in ("overtakes", "falls_behind"):
        verb = "overtakes" if f.pattern == "overtakes" else "falls behind"
        return (f"{_cap(ch)} {verb} {inc} at about {_round_n(f.crossing_n):,} rows (the mean scores cross between "
                f"{f.bracket[0]:,} and {f.bracket[1]:,} rows): {described}.")
    return f"{_cap(ch)} against {inc}: {described}."


def _missing(challenger, incumbent, an) -> str:
    gone = [registry.model_noun(x) for x in (challenger, incumbent) if x not in an.families]
    verb = "were" if len(gone) > 1 else "was"
    return (f"No comparison of {registry.model_noun(challenger)} with {registry.model_noun(incumbent)}: "
            f"{' and '.join(gone)} {verb} not run.")


def _span(ns) -> str:
    if len(ns) == 1:
        return f"{ns[0]:,} rows"
    if len(ns) == 2:
        return f"{ns[0]:,} and {ns[1]:,} rows"
    return f"{ns[0]:,} to {ns[-1]:,} rows"


def _gap(metric, gain, other) -> str:
    if not np.isfinite(gain) or gain == 0:
        return f"level with {other}"
    return f"{format_diff(metric, gain)} {'better' if gain > 0 else 'worse'} than {other}"


def _side(metric, v) -> str:
    if not np.isfinite(v):
        return "—"
    if v == 0:
        return "level"
    return f"{format_diff(metric, v)} {'better' if v > 0 else 'worse'}"


def _percentile_ci(values):
    v = np.asarray(values, dtype=float)
    if len(v) < 2:
        return (None, None)
    with np.errstate(invalid="ignore"):  # inf (no crossing) sorts last: that side is unbounded
        lo, hi = np.percentile(v, [2.5, 97.5])
    return (int(round(lo)) if np.isfinite(lo) else None, int(round(hi)) if np.isfinite(hi) else None)


def _ci_text(ci):
    lo, hi = ci
    if lo is None and hi is None:
        return ""
    if hi is None:
        return f" (95% CI from {_round_n(lo):,} rows, no upper bound)"
    return f" (95% CI {_round_n(lo):,} to {_round_n(hi):,} rows)"


def _round_n(n) -> int:
    """Two significant figures for sizes quoted in sentences (exact below 100)."""
    n = int(n)
    if n < 100:
        return n
    return int(round(n, -(len(str(n)) - 2)))
