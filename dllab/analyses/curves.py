"""Data-size (learning) curves: how each family improves with more rows, and where the deep net catches up.

:func:`learning_curve` trains every family of a :class:`~dllab.config.RunConfig`
on nested, seeded subsamples of a training fold at log-spaced sizes, always
scoring on the same held-out test fold, and returns a :class:`LearningCurve`.
The curve object does all its statistics when built (like fairlearn's
``MetricFrame``) and is read-only afterwards; the same constructor takes scores
computed elsewhere, so everything after training can be tested on made-up numbers.

Design, in short (each point is documented where it is implemented):

- **Which rows.** The data is split exactly as :func:`dllab.compare` splits it
  (``make_splits`` with the config's folds, repeats and seed). Only the first
  ``folds`` splits (default 1) are used, to bound cost: a curve costs
  ``folds x n_seeds x n_sizes x n_families`` fits, with the small sizes nearly free.
- **Replicates.** For each used split and seed index there is one seeded
  permutation of the training fold (stratified for classification, binned on
  the target for regression); the rows for size ``n`` are its first ``n`` rows,
  so the subsamples are nested. Every family sees the same subsample; each fit
  gets its own seed from :func:`dllab.engine.runner.task_seed`.
- **Full size.** The largest default size is the whole training fold. When a
  :class:`~dllab.analyses.comparison.Comparison` of the same config is passed, its
  records for the used splits *are* that point (replicate 0 of each split; the
  other seed slots stay empty, because the subsample is the whole fold and only
  the model seed would differ).
- **Bands.** Per size, a t interval over replicates (mean +- t * sd / sqrt(k)).
  It shows how much the score moves with the choice of rows and the model
  seed on a fixed test fold, not test-set sampling error.
- **Fits.** A saturating power law per family, weighted by the per-size
  standard errors, with uncertainty from ``n_boot`` resamples of the
  replicates (drawn independently per size, jointly across families because
  the families share each replicate's rows).
"""

from __future__ import annotations

import dataclasses
import time
import warnings
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd
from scipy import optimize, stats

from .comparison import format_ci
from ..config import RunConfig
from ..errors import ConfigError
from ..metrics import METRICS, metrics_for, primary_metric
from .. import families as registry

__all__ = ["DEFAULT_SIZES", "candidate_sizes", "nested_order", "PowerLaw", "fit_power_law", "Crossover",
           "find_crossover", "Prediction", "LearningCurve", "learning_curve"]

#: The 1-2.5-5 series the default sizes come from (clipped to the rows available).
DEFAULT_SIZES = tuple(int(m * 10 ** e) for e in range(2, 9) for m in (1, 2.5, 5))
_SMALL_EXTRA = (25, 50)          # added when the data is too small for 4 default sizes
_MIN_ROWS = 20                   # no curve point below this many rows
_MIN_PER_CLASS = 5               # ... nor below 5 rows per class
_FRONT_PER_CLASS = 3             # every subsample starts with (up to) 3 rows of each class
_NEAR_FULL = 1.2                 # a default size within 20% of the full fold is replaced by it
_HORIZON = 10.0                  # "within 10x the current data"
_SEARCH = 1000.0                 # bootstrap crossovers are searched up to 1000x (beyond: no crossing)
_SUBSAMPLE_KEY = 100             # SeedSequence spawn key of the subsample permutations (families use 0-2)
_RATE_METRICS = ("accuracy", "balanced_accuracy", "roc_auc", "f1_macro", "r2")

_BAD_SEEDS = "n_seeds={value!r} is not valid; it must be an integer between 1 and 20."
_BAD_FOLDS = "folds={value!r} is not valid; it must be an integer between 1 and {high} (the splits of the config)."
_BAD_SIZES = ("sizes={value!r} leaves no usable size: sizes must be integers between {low:,} and {high:,} "
              "(the training rows of a fold). Pass sizes in that range, or None for the defaults.")
_TOO_SMALL = ("the training fold has {n:,} rows, fewer than the {low:,} a curve needs "
              "({per_class} rows per class, at least {floor}); use more data or fewer folds.")
_BAD_BUDGET = "time_budget={value!r} is not valid; it must be a number of seconds > 0, or None."
_BAD_COMPARISON = ("comparison does not match this run: {what}. Pass a Comparison computed with the same "
                   "dataset and RunConfig (seed, folds, repeats), or comparison=None.")
_UNKNOWN_FAMILY = "family={value!r} is not in this curve; choose one of {choices}."
_NO_FIT = "{family!r} has no fitted curve: {reason}."
_INTERNAL = "internal error in dllab.analyses.curves: {what}; please report it."


# ======================================================================================
# Sizes and nested subsamples
# ======================================================================================
def candidate_sizes(n_available: int, *, sizes=None, min_size: int = _MIN_ROWS) -> tuple[list[int], list[str]]:
    """The sizes a curve uses, and notes on any that were dropped.

    Parameters
    ----------
    n_available : int
        Training rows of the fold (the largest possible size).
    sizes : sequence of int, optional
        Requested sizes. ``None`` takes the 1-2.5-5 series (100, 250, 500,
        1,000, ...) below ``n_available`` plus ``n_available`` itself; a
        series value within 20% of ``n_available`` is left out in its favour,
        and 25 and 50 are added when that gives fewer than 4 sizes.
        Requested sizes above ``n_available`` or below ``min_size`` are dropped
        (with a note).
    min_size : int, default=20

    Returns
    -------
    (sizes, notes) : (list of int, list of str)

    Raises
    ------
    ConfigError
        If no requested size is usable.

    Examples
    --------
    >>> candidate_sizes(3000)[0]
    [100, 250, 500, 1000, 3000]
    >>> candidate_sizes(379)[0]
    [25, 50, 100, 250, 379]
    >>> candidate_sizes(1000, sizes=[10, 300, 5000], min_size=20)
    ([300], ['sizes below 20 rows were dropped: 10', 'sizes above the 1,000 training rows of a fold were dropped: 5,000'])
    """
    n_available, min_size = int(n_available), int(min_size)
    notes = []
    if sizes is None:
        out = [s for s in DEFAULT_SIZES if s * _NEAR_FULL < n_available and s >= min_size]
        if len(out) < 3:
            out = sorted({*out, *(s for s in _SMALL_EXTRA if s >= min_size and s * _NEAR_FULL < n_available)})
        return [*out, n_available], notes
    try:
        values = [float(v) for v in np.atleast_1d(np.asarray(sizes, dtype=object))]
    except (TypeError, ValueError):
        values = [float("nan")]
    if not values or not all(np.isfinite(v) and v == int(v) for v in values):
        raise ConfigError(_BAD_SIZES.format(value=sizes, low=min_size, high=n_available))
    asked = sorted({int(v) for v in values})
    low = [s for s in asked if s < min_size]
    high = [s for s in asked if s > n_available]
    out = [s for s in asked if min_size <= s <= n_available]
    if low:
        notes.append(f"sizes below {min_size:,} rows were dropped: {', '.join(f'{s:,}' for s in low)}")
    if high:
        notes.append(f"sizes above the {n_available:,} training rows of a fold were dropped: "
                     f"{', '.join(f'{s:,}' for s in high)}")
    if not out:
        raise ConfigError(_BAD_SIZES.format(value=list(sizes), low=min_size, high=n_available))
    return out, notes


def nested_order(train_idx, y, *, task: str, random_state: int | None = 0) -> np.ndarray:
    """A seeded permutation of ``train_idx`` whose every prefix is a stratified subsample.

    The rows of size ``n`` are ``order[:n]``, so a larger subsample always
    contains the smaller ones. For classification each class is shuffled and
    spread evenly along the order (row ``i`` of a class with ``m`` rows sits at
    ``(i + u) / m``, ``u`` uniform), after putting up to 3 rows of every class
    first: every prefix of at least ``3 x n_classes`` rows holds every class,
    and each class's share of any prefix is within a couple of rows of its
    share of the fold. For regression the same is done on 10 quantile bins of
    the target, without the front rows.

    Parameters
    ----------
    train_idx : array of int
        Row positions of the training fold.
    y : array
        Target of the whole dataset (class indices or values).
    task : {"binary", "multiclass", "regression"}
    random_state : int or None, default=0

    Returns
    -------
    ndarray of int, a permutation of ``train_idx``

    Examples
    --------
    >>> import numpy as np
    >>> y = np.array([0] * 90 + [1] * 10)
    >>> order = nested_order(np.arange(100), y, task="binary", random_state=0)
    >>> sorted(order.tolist()) == list(range(100)), np.bincount(y[order[:20]]).tolist()
    (True, [17, 3])
    """
    train_idx = np.asarray(train_idx, dtype=np.int64)
    rng = np.random.default_rng(random_state)
    yt = np.asarray(y)[train_idx]
    if task == "regression":
        edges = np.quantile(yt, np.linspace(0, 1, 11)[1:-1])
        groups, front = np.searchsorted(edges, yt, side="right"), 0
    else:
        groups, front = np.unique(yt, return_inverse=True)[1], _FRONT_PER_CLASS
    keys = np.empty(len(train_idx))
    for g in np.unique(groups):
        members = rng.permutation(np.flatnonzero(groups == g))
        m = len(members)
        k = (np.arange(m) + rng.random(m)) / m
        k[:front] -= 1.0  # the first rows of every class go before everything else
        keys[members] = k
    return train_idx[np.argsort(keys, kind="stable")]


# ======================================================================================
# Saturating power law
# ======================================================================================
@dataclass(frozen=True)
class PowerLaw:
    """A fitted saturating power law ``score = a - b * n**-c`` (or ``a + b * n**-c`` for errors).

    Attributes
    ----------
    a : float
        The asymptote (score with unlimited rows).
    b : float
        Scale, >= 0: the curve approaches ``a`` from below (higher-is-better
        metrics) or from above (errors such as RMSE and log loss).
    c : float
        The exponent: how fast the gap to ``a`` closes.
    higher_is_better : bool

    Examples
    --------
    >>> f = PowerLaw(a=0.9, b=2.0, c=0.5, higher_is_better=True)
    >>> round(float(f(10_000)), 3), round(f.per_doubling(10_000), 4)
    (0.88, 0.0059)
    """

    a: float
    b: float
    c: float
    higher_is_better: bool

    def __call__(self, n):
        n = np.asarray(n, dtype=float)
        sign = -1.0 if self.higher_is_better else 1.0
        return self.a + sign * self.b * n ** (-self.c)

    def per_doubling(self, n) -> float:
        """Expected change of the score from ``n`` to ``2n`` rows, in the metric's units."""
        return float(self(2 * n) - self(n))

    def to_dict(self) -> dict:
        form = "a - b * n^(-c)" if self.higher_is_better else "a + b * n^(-c)"
        return {"form": form, "a": _num(self.a), "b": _num(self.b), "c": _num(self.c)}


def _bounds_of_a(y, higher_is_better, metric_bounds):
    lo_m, hi_m = metric_bounds
    span = float(np.ptp(y)) + 1e-9 * (1.0 + float(np.max(np.abs(y))))
    if higher_is_better:
        lo, hi = float(np.min(y)) - span, float(np.max(y)) + 20 * span
    else:
        lo, hi = float(np.min(y)) - 20 * span, float(np.max(y)) + span
    lo, hi = max(lo, lo_m), min(hi, hi_m)
    if not lo < hi:  # data at the metric's edge (e.g. accuracy 1.0 everywhere)
        lo, hi = lo_m if np.isfinite(lo_m) else hi - 1.0, hi_m if np.isfinite(hi_m) else lo + 1.0
    return lo, hi


_C_GRID = np.geomspace(0.02, 3.0, 48)


def _fit_scaled(x, y, w, *, sign, a_bounds, start=None):
    """Least squares of y ~ a + sign * b * x**-c with b >= 0 and c in [0.02, 3]; x is n / n_ref."""
    lo_a, hi_a = a_bounds
    best = None
    if start is None:
        # Variable projection: for each c the model is linear in (a, b).
        for c in _C_GRID:
            basis = sign * x ** (-c)
            A = np.column_stack([np.ones_like(x), basis]) * w[:, None]
            (a, b), *_ = np.linalg.lstsq(A, y * w, rcond=None)
            if b < 0:
                b, a = 0.0, float(np.sum(w ** 2 * y) / np.sum(w ** 2))
            a = float(np.clip(a, lo_a, hi_a))
            sse = float(np.sum((w * (y - a - b * basis)) ** 2))
            if best is None or sse < best[0]:
                best = (sse, a, b, c)
        start = best[1:]
    a0, b0, c0 = start
    eps = 1e-9 * (1 + abs(hi_a - lo_a))
    p0 = (float(np.clip(a0, lo_a + eps, hi_a - eps)), max(float(b0), 1e-12), float(np.clip(c0, 0.021, 2.99)))

    def model(xx, a, b, c):
        return a + sign * b * xx ** (-c)

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", optimize.OptimizeWarning)
            p, _ = optimize.curve_fit(model, x, y, p0=p0, sigma=1.0 / w, bounds=([lo_a, 0.0, 0.02], [hi_a, np.inf, 3.0]),
                                      max_nfev=2000)
    except (RuntimeError, ValueError):
        p = p0
    sse = float(np.sum((w * (y - model(x, *p))) ** 2))
    if best is not None and best[0] < sse:  # curve_fit never makes the grid's answer worse
        p = best[1:]
    return tuple(float(v) for v in p)


_C_FINE = np.geomspace(0.02, 3.0, 240)


def _fit_grid_many(x, Y, w, *, sign, a_lo, a_hi):
    """Weighted least squares of each row of Y ~ a + sign * b * x**-c on a fine grid of c (vectorised).

    Used for the resampled fits, where a few hundred ``curve_fit`` calls would
    cost seconds: for a fixed c the model is linear in (a, b), so each grid
    value is a closed-form 2x2 solve for all rows at once (b >= 0, a clipped to
    its bounds and b re-solved). The grid step in c is about 2%.
    """
    W = w ** 2
    B = len(Y)
    best = np.full(B, np.inf)
    pa, pb, pc = np.zeros(B), np.zeros(B), np.zeros(B)
    sw, sy = W.sum(), Y @ W
    for c in _C_FINE:
        phi = sign * x ** (-c)
        sp, spp, syp = (W * phi).sum(), (W * phi * phi).sum(), Y @ (W * phi)
        det = sw * spp - sp ** 2
        b = (sw * syp - sp * sy) / det if det > 0 else np.zeros(B)
        a = (sy - b * sp) / sw
        neg = b < 0
        b, a = np.where(neg, 0.0, b), np.where(neg, sy / sw, a)
        clipped = np.clip(a, a_lo, a_hi)
        moved = clipped != a
        a = clipped
        b = np.where(moved, np.maximum((syp - a * sp) / spp, 0.0), b)
        sse = ((Y - a[:, None] - b[:, None] * phi[None, :]) ** 2 * W).sum(axis=1)
        better = sse < best
        best = np.where(better, sse, best)
        pa, pb, pc = np.where(better, a, pa), np.where(better, b, pb), np.where(better, c, pc)
    return pa, pb, pc


def fit_power_law(sizes, scores, *, higher_is_better: bool, sigma=None, metric_bounds=(-np.inf, np.inf)):
    """Fit ``score = a - b * n**-c`` (or ``a + b * n**-c`` for errors) to mean scores per size.

    Parameters
    ----------
    sizes : array of int
    scores : array of float
        Mean score at each size (NaN entries are ignored).
    higher_is_better : bool
        The metric's direction: accuracy-like scores rise towards ``a``,
        errors (RMSE, log loss) fall towards it.
    sigma : array of float, optional
        Standard error of each mean; points are weighted by ``1 / sigma``.
    metric_bounds : (float, float), default=(-inf, inf)
        Valid range of the metric; the asymptote ``a`` stays inside it.

    Returns
    -------
    PowerLaw or None
        ``None`` with fewer than 3 usable sizes (3 parameters need 3 points).

    Notes
    -----
    The fit runs on ``x = n / max(sizes)``, which keeps ``b`` on the scale of
    the scores; a grid over ``c`` with (a, b) solved by least squares gives the
    starting point for ``scipy.optimize.curve_fit`` (bounds: ``b >= 0``,
    ``0.02 <= c <= 3``, ``a`` within the metric's range).

    Examples
    --------
    >>> import numpy as np
    >>> n = np.array([100, 250, 500, 1000, 2500, 5000, 10000])
    >>> f = fit_power_law(n, 0.9 - 2 * n ** -0.5, higher_is_better=True)
    >>> round(f.a, 4), round(f.b, 3), round(f.c, 3)
    (0.9, 2.0, 0.5)
    """
    n = np.asarray(sizes, dtype=float)
    y = np.asarray(scores, dtype=float)
    ok = np.isfinite(y) & np.isfinite(n) & (n > 0)
    if ok.sum() < 3:
        return None
    n, y = n[ok], y[ok]
    w = np.ones_like(y) if sigma is None else 1.0 / np.asarray(sigma, dtype=float)[ok]
    n_ref = float(n.max())
    a, b, c = _fit_scaled(n / n_ref, y, w, sign=-1.0 if higher_is_better else 1.0,
                          a_bounds=_bounds_of_a(y, higher_is_better, metric_bounds))
    return PowerLaw(a=a, b=b * n_ref ** c, c=c, higher_is_better=higher_is_better)


def _fit_weights(se):
    """1/sigma weights from per-size standard errors; sizes with no spread get the median one."""
    se = np.asarray(se, dtype=float)
    pos = se[np.isfinite(se) & (se > 0)]
    if len(pos) == 0:
        return None
    floor = 0.5 * float(np.median(pos))
    return np.where(np.isfinite(se) & (se > floor), se, floor)


# ======================================================================================
# Summaries of replicate scores
# ======================================================================================
def _t_band(scores, bounds=(-np.inf, np.inf)):
    """Mean, 95% t interval and standard error per row of a (sizes x replicates) array."""
    scores = np.asarray(scores, dtype=float)
    mean = np.full(len(scores), np.nan)
    lo, hi, se = mean.copy(), mean.copy(), mean.copy()
    for i, row in enumerate(scores):
        v = row[np.isfinite(row)]
        if len(v) == 0:
            continue
        mean[i] = v.mean()
        if len(v) >= 2:
            se[i] = v.std(ddof=1) / np.sqrt(len(v))
            half = stats.t.ppf(0.975, df=len(v) - 1) * se[i]
            lo[i], hi[i] = np.clip(mean[i] - half, *bounds), np.clip(mean[i] + half, *bounds)
    return mean, lo, hi, se


def _nanmean_rows(a):
    a = np.asarray(a, dtype=float)
    out = np.full(a.shape[0], np.nan)
    has = np.isfinite(a).any(axis=1)
    out[has] = np.nanmean(a[has], axis=1)
    return out


class _Analysis:
    """Power-law fits and their resamples for every family (shared by the curve and the crossover finder)."""

    def __init__(self, sizes, scores: dict, *, higher_is_better: bool, metric_bounds, n_boot: int, random_state):
        self.sizes = np.asarray(sizes, dtype=np.int64)
        self.higher_is_better = higher_is_better
        self.bounds = metric_bounds
        self.families = list(scores)
        self.scores = {f: np.asarray(s, dtype=float).reshape(len(self.sizes), -1) for f, s in scores.items()}
        self.mean, self.se, self.fits, self.weights = {}, {}, {}, {}
        for f, s in self.scores.items():
            m, _, _, se = _t_band(s)
            self.mean[f], self.se[f] = m, se
            self.weights[f] = _fit_weights(se)
            self.fits[f] = fit_power_law(self.sizes, m, higher_is_better=higher_is_better,
                                         sigma=self.weights[f], metric_bounds=metric_bounds)
        # Resample replicates: independently per size, the same draw for every family
        # (the families share each replicate's rows, so their differences stay paired).
        rng = np.random.default_rng(random_state)
        n_rep = max(s.shape[1] for s in self.scores.values()) if self.scores else 1
        draws = rng.integers(0, n_rep, size=(n_boot, len(self.sizes), n_rep))
        self.boot_mean, self.boot_fits = {}, {}
        for f, s in self.scores.items():
            sample = s[np.arange(len(self.sizes))[None, :, None], draws % s.shape[1]]  # (boot, size, replicate)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN draws
                means = np.nanmean(sample, axis=2)
            # a size whose draw hit only failed fits keeps the observed mean
            means = np.where(np.isfinite(means), means, self.mean[f][None, :])
            self.boot_mean[f] = means
            self.boot_fits[f] = self._refit_all(f, means)

    def _refit_all(self, family, means):
        """Power laws for every resample at once (grid over c, closed-form a and b)."""
        if self.fits[family] is None or len(means) == 0:
            return [None] * len(means)
        ok = np.isfinite(self.mean[family])
        n, Y = self.sizes[ok].astype(float), means[:, ok]
        w = np.ones(len(n)) if self.weights[family] is None else 1.0 / self.weights[family][ok]
        n_ref = float(n.max())
        bounds = [_bounds_of_a(y, self.higher_is_better, self.bounds) for y in Y]
        a, b, c = _fit_grid_many(n / n_ref, Y, w, sign=-1.0 if self.higher_is_better else 1.0,
                                 a_lo=np.array([lo for lo, _ in bounds]), a_hi=np.array([hi for _, hi in bounds]))
        return [PowerLaw(a=float(ai), b=float(bi * n_ref ** ci), c=float(ci), higher_is_better=self.higher_is_better)
                for ai, bi, ci in zip(a, b, c)]

    def band(self, family, n):
        """Fitted value at ``n`` and the 2.5/97.5 percentiles over the resampled fits."""
        main = self.fits[family]
        n = np.asarray(n, dtype=float)
        if main is None:
            nan = np.full(n.shape, np.nan)
            return nan, nan, nan
        boots = np.array([f(n) for f in self.boot_fits[family] if f is not None])
        point = main(n)
        if len(boots) == 0:
            return point, np.full(n.shape, np.nan), np.full(n.shape, np.nan)
        lo, hi = np.percentile(boots, [2.5, 97.5], axis=0)
        lo, hi = np.clip(lo, *self.bounds), np.clip(hi, *self.bounds)
        return point, np.minimum(lo, point), np.maximum(hi, point)

    def slope(self, family):
        """Change per doubling at the largest size: (value, low, high)."""
        main = self.fits[family]
        if main is None:
            return float("nan"), float("nan"), float("nan")
        n_max = float(self.sizes.max())
        boots = np.array([f.per_doubling(n_max) for f in self.boot_fits[family] if f is not None])
        point = main.per_doubling(n_max)
        if len(boots) == 0:
            return point, float("nan"), float("nan")
        lo, hi = np.percentile(boots, [2.5, 97.5])
        return point, float(min(lo, point)), float(max(hi, point))


# ======================================================================================
# Crossover
# ======================================================================================
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
    lo, hi = np.percentile(v, [2.5, 97.5])  # inf (no crossing) sorts last: the upper side is unbounded
    return (int(round(lo)) if np.isfinite(lo) else None, int(round(hi)) if np.isfinite(hi) else None)


def _ci_text(ci):
    lo, hi = ci
    if lo is None and hi is None:
        return ""
    if hi is None:
        return f"; 95% CI from {_round_n(lo):,} rows with no upper bound"
    return f"; 95% CI {_round_n(lo):,}-{_round_n(hi):,}"


# ======================================================================================
# The result object
# ======================================================================================
@dataclass(frozen=True)
class Prediction:
    """A value read off a fitted curve: unpacks as ``(score, low, high)``.

    Attributes
    ----------
    score, low, high : float or ndarray
        Fitted value and 95% band (percentiles over the resampled fits).
    n : float or ndarray
    extrapolated : bool or ndarray
        True where ``n`` lies outside the observed sizes: the value is then an
        extrapolation of the fitted power law, not a measurement.
    note : str
        A warning sentence when any value is extrapolated, else "".
    """

    score: object
    low: object
    high: object
    n: object
    extrapolated: object
    note: str = ""

    def __iter__(self):
        return iter((self.score, self.low, self.high))


class LearningCurve:
    """Scores of every family at increasing training sizes, fitted curves and the crossover.

    Use :func:`learning_curve` to train and build one, or the constructor with
    scores computed elsewhere (e.g. reloaded, or made up in a test). All
    statistics are computed here; reading an attribute never refits.

    Parameters
    ----------
    sizes : sequence of int, increasing
    scores : dict of str to array, shape (n_sizes, n_replicates)
        Primary-metric scores per family (NaN for a failed or missing fit).
    metric : str
        Name in :data:`dllab.metrics.METRICS` (gives the direction and range).
    fit_seconds : dict of str to array, optional
        Same shape as ``scores``.
    metric_scores : dict of str to dict of str to array, optional
        Every metric per family, same shapes.
    n_boot : int, default=200
        Resamples for the fit uncertainty.
    random_state : int or None, default=0
    notes : sequence of str, default=()
        What was skipped, dropped, reused or failed.
    dataset, config, design : dict, optional
        Copied into :meth:`to_dict`.

    Attributes
    ----------
    sizes : ndarray of int
    families : list of str
    metric : str
    higher_is_better : bool
    summary : DataFrame
        One row per (family, size): ``mean``, ``ci_low``, ``ci_high``,
        ``fit_seconds``, ``n_ok``.
    fits : dict of str to PowerLaw or None
    slopes : dict of str to (float, float, float)
        Change of the score per doubling of rows at the largest size, with its
        95% interval, in the metric's units (negative is better for errors).
    crossover : Crossover
        Where the deep net overtakes gradient boosting.
    transfer_crossover : Crossover or None
        With ``transfer`` and ``linear`` run (text): where the linear model (TF-IDF) overtakes the
        pretrained encoder + head, which leads on few rows.
    notes : tuple of str

    Examples
    --------
    >>> import numpy as np
    >>> n = [100, 300, 1000, 3000]
    >>> lc = LearningCurve(n, {"gbm": np.array([[.80, .81], [.84, .85], [.86, .87], [.87, .88]]),
    ...                         "linear": np.array([[.78, .80], [.80, .81], [.81, .81], [.81, .82]])},
    ...                    metric="accuracy", n_boot=20)
    >>> lc.leaders()
    ['gbm', 'gbm', 'gbm', 'gbm']
    >>> [(m["name"], round(m["mean"][-1], 3)) for m in lc.to_dict()["models"]]
    [('linear', 0.815), ('gbm', 0.875)]
    >>> lc.crossover.kind
    'unavailable'
    >>> lc.conclusion().split(". ")[0]
    'XGBoost has the best accuracy at every size up to 3,000 rows'
    >>> score, low, high = lc.predict("gbm", 30_000)
    >>> low <= score <= high, lc.predict("gbm", 30_000).extrapolated
    (True, True)
    """

    def __init__(self, sizes, scores: dict, *, metric: str, fit_seconds: dict | None = None,
                 metric_scores: dict | None = None, n_boot: int = 200, random_state: int | None = 0,
                 notes=(), dataset: dict | None = None, config: dict | None = None, design: dict | None = None):
        if metric not in METRICS:
            raise ConfigError(f"metric={metric!r} is not valid; choose one of {', '.join(METRICS)}.")
        self.sizes = np.asarray(sizes, dtype=np.int64)
        if self.sizes.ndim != 1 or np.any(np.diff(self.sizes) <= 0):
            raise ConfigError(f"sizes={self.sizes.tolist()!r} is not valid; they must be strictly increasing.")
        m = METRICS[metric]
        self.metric, self.higher_is_better = metric, m.higher_is_better
        self.families = registry.ordered(scores)
        self.scores = {f: np.asarray(scores[f], dtype=float).reshape(len(self.sizes), -1) for f in self.families}
        self.fit_seconds = {f: np.asarray(fit_seconds[f], dtype=float).reshape(len(self.sizes), -1)
                            if fit_seconds and f in fit_seconds else np.full_like(self.scores[f], np.nan)
                            for f in self.families}
        self.metric_scores = metric_scores or {}
        self.notes = tuple(notes)
        self.dataset, self.config, self.design = dataset or {}, config or {}, design or {}
        self.n_boot, self.random_state = int(n_boot), random_state
        self._an = _Analysis(self.sizes, self.scores, higher_is_better=self.higher_is_better,
                             metric_bounds=m.bounds, n_boot=self.n_boot, random_state=random_state)
        self.fits = dict(self._an.fits)
        self.slopes = {f: self._an.slope(f) for f in self.families}
        self.crossover = _crossover(self._an)
        # Transfer learning's lesson runs the other way: the pretrained encoder leads on few rows, and
        # the question is where TF-IDF + linear catches up.
        self.transfer_crossover = (_crossover(self._an, challenger="linear", incumbent="transfer")
                                   if {"linear", "transfer"} <= set(self.families) else None)
        self.summary = self._summary_table()

    # ------------------------------------------------------------------ construction
    def _summary_table(self) -> pd.DataFrame:
        rows = []
        bounds = METRICS[self.metric].bounds
        for f in self.families:
            mean, lo, hi, _ = _t_band(self.scores[f], bounds)
            secs = _nanmean_rows(self.fit_seconds[f])
            n_ok = np.isfinite(self.scores[f]).sum(axis=1)
            for i, n in enumerate(self.sizes):
                rows.append({"family": f, "label": registry.label(f), "size": int(n), "mean": mean[i],
                             "ci_low": lo[i], "ci_high": hi[i], "fit_seconds": secs[i], "n_ok": int(n_ok[i])})
        return pd.DataFrame(rows, columns=["family", "label", "size", "mean", "ci_low", "ci_high",
                                           "fit_seconds", "n_ok"])

    # ------------------------------------------------------------------ reading
    def _check_family(self, family):
        if family not in self.families:
            raise ConfigError(_UNKNOWN_FAMILY.format(value=family, choices=", ".join(self.families)))

    def band(self, family: str) -> pd.DataFrame:
        """Per-size ``mean``, ``ci_low``, ``ci_high``, ``fit_seconds`` of one family (indexed by size)."""
        self._check_family(family)
        return self.summary[self.summary.family == family].set_index("size").drop(columns=["family", "label"])

    def leaders(self) -> list:
        """The family with the best mean score at each size (None where every fit failed)."""
        out = []
        for i in range(len(self.sizes)):
            means = {f: self._an.mean[f][i] for f in self.families if np.isfinite(self._an.mean[f][i])}
            if not means:
                out.append(None)
                continue
            pick = max if self.higher_is_better else min
            out.append(pick(means, key=means.get))
        return out

    def predict(self, family: str, n) -> Prediction:
        """Read the fitted curve of ``family`` at ``n`` rows, with a 95% band.

        Beyond the largest observed size (or below the smallest) the value is an
        extrapolation of the power law: ``Prediction.extrapolated`` is True and
        ``Prediction.note`` says so.

        Parameters
        ----------
        family : str
        n : int, float or array of them

        Returns
        -------
        Prediction
            Unpacks as ``score, low, high``.

        Raises
        ------
        ConfigError
            If ``family`` is not in the curve or has no fitted curve (fewer than 3 sizes).
        """
        self._check_family(family)
        if self.fits[family] is None:
            raise ConfigError(_NO_FIT.format(family=family, reason=f"the curve has {len(self.sizes)} usable "
                                                                    f"sizes and a fit needs at least 3"))
        arr = np.asarray(n, dtype=float)
        point, lo, hi = self._an.band(family, arr)
        outside = (arr > self.sizes.max()) | (arr < self.sizes.min())
        note = ""
        if np.any(outside):
            note = (f"Extrapolated: beyond the observed sizes ({self.sizes.min():,} to {self.sizes.max():,} rows) "
                    f"this is the fitted power law, not a measurement; the band covers the fit's uncertainty, "
                    f"not whether the curve keeps its shape.")
        if arr.ndim == 0:
            return Prediction(float(point), float(lo), float(hi), float(arr), bool(outside), note)
        return Prediction(point, lo, hi, arr, outside, note)

    # ------------------------------------------------------------------ words
    def conclusion(self) -> str:
        """The curve in two or three plain sentences, with numbers."""
        parts = [self._leader_sentence()]
        slope = self._slope_sentence()
        if slope:
            parts.append(slope)
        if self.transfer_crossover is not None:
            parts.append(self.transfer_crossover.statement)
        if self.crossover.kind != "unavailable" or self.transfer_crossover is None:
            parts.append(self.crossover.statement)
        return " ".join(p for p in parts if p)

    def _leader_sentence(self) -> str:
        leaders = self.leaders()
        runs = []
        for n, f in zip(self.sizes, leaders):
            if runs and runs[-1][0] == f:
                runs[-1][2] = int(n)
            else:
                runs.append([f, int(n), int(n)])
        label = METRICS[self.metric].label
        label = label if label.isupper() else label.lower()
        if len(runs) == 1:
            f = runs[0][0]
            if f is None:
                return "Every fit failed at every size."
            return f"{_cap(registry.model_noun(f))} has the best {label} at every size up to {runs[0][2]:,} rows."
        bits = []
        for f, lo, hi in runs:
            span = f"{lo:,} rows" if lo == hi else f"{lo:,}-{hi:,} rows"
            bits.append(f"{registry.model_noun(f) if f else 'no model'} at {span}")
        return f"Best {label}: " + ", then ".join(bits) + "."

    def _slope_sentence(self) -> str:
        have = [f for f in self.families if np.isfinite(self.slopes[f][0])]
        if not have:
            return ""
        n_max = int(self.sizes.max())
        rate = self.metric in _RATE_METRICS
        label = METRICS[self.metric].label
        label = label if label.isupper() else label.lower()

        def fmt(v):
            return f"{v * 100:+.1f} points" if rate else f"{v:+.3g}"

        bits = [f"{registry.model_noun(f)} {fmt(self.slopes[f][0])}" for f in have]
        return (f"Doubling the data from {n_max:,} rows is expected to change {label} by: "
                + ", ".join(bits) + " (from the fitted curves).")

    # ------------------------------------------------------------------ export
    def to_dict(self) -> dict:
        """The ``curve`` block of the JSON report (NaN becomes null).

        ``models[i].scores`` is ``[[replicate, ...] per size]``; replicate ``r``
        is used split ``r // n_seeds``, seed ``r % n_seeds`` (null where a fit
        failed, was skipped, or where the comparison's single fit stands in for
        the full-size point).
        """
        models = []
        for f in self.families:
            b = self.band(f)
            slope = self.slopes[f]
            models.append({
                "name": f,
                "label": registry.label(f),
                "scores": [[_num(v) for v in row] for row in self.scores[f]],
                "mean": [_num(v) for v in b["mean"]],
                "ci_low": [_num(v) for v in b["ci_low"]],
                "ci_high": [_num(v) for v in b["ci_high"]],
                "fit_seconds": [_num(v) for v in b["fit_seconds"]],
                "metrics": {m: [_num(v) for v in _nanmean_rows(a)] for m, a in self.metric_scores.get(f, {}).items()},
                "power_law": None if self.fits[f] is None else self.fits[f].to_dict(),
                "slope_per_doubling": _num(slope[0]),
                "slope_per_doubling_ci": [_num(slope[1]), _num(slope[2])],
            })
        return {
            "sizes": [int(n) for n in self.sizes],
            "metric": self.metric,
            "higher_is_better": self.higher_is_better,
            "models": models,
            "crossover": self.crossover.to_dict(),
            "transfer_crossover": None if self.transfer_crossover is None else self.transfer_crossover.to_dict(),
            "conclusion": self.conclusion(),
            "notes": list(self.notes),
            "design": dict(self.design, n_boot=self.n_boot, random_state=self.random_state),
            "dataset": self.dataset,
            "config": self.config,
        }

    def table(self) -> pd.DataFrame:
        """Display table: one row per size, ``mean [low, high]`` and fit seconds per family."""
        rows = []
        for i, n in enumerate(self.sizes):
            row = {"rows": f"{int(n):,}"}
            for f in self.families:
                r = self.summary[(self.summary.family == f) & (self.summary["size"] == n)].iloc[0]
                row[registry.label(f)] = format_ci(r["mean"], r["ci_low"], r["ci_high"])
                row[f"{f} fit s"] = "—" if not np.isfinite(r["fit_seconds"]) else f"{r['fit_seconds']:.2f}"
            rows.append(row)
        return pd.DataFrame(rows)

    def __repr__(self):
        return (f"LearningCurve(metric={self.metric!r}, families={self.families}, "
                f"sizes={self.sizes.tolist()}, crossover={self.crossover.kind!r})")


# ======================================================================================
# Training
# ======================================================================================
def learning_curve(ds, *, config: RunConfig, sizes=None, n_seeds: int = 3, folds: int = 1, progress=None,
                   should_stop=None, comparison=None, time_budget: float | None = None,
                   n_boot: int = 200, make=None) -> LearningCurve:
    """Train every family on nested subsamples of growing size and build the :class:`LearningCurve`.

    Parameters
    ----------
    ds : Dataset
    config : RunConfig
        Budget, folds, repeats, seed, device, families, n_jobs, as for :func:`dllab.compare`.
    sizes : sequence of int, optional
        Training sizes. Default: 100, 250, 500, 1,000, 2,500, ... below the
        training rows of a fold, then all of them (see :func:`candidate_sizes`).
        Sizes above the rows available, or below ``max(20, 5 x n_classes)``,
        are dropped with a note.
    n_seeds : int, default=3
        Subsamples per size and split: each is the prefix of its own seeded,
        stratified permutation of the training fold (see :func:`nested_order`).
    folds : int, default=1
        How many of the config's splits to use, first ones first. Every size
        is scored on the same test fold(s); cost is ``folds x n_seeds`` fits per
        family and size. One fold with 3 seeds is the default because the
        spread between subsamples, not between test folds, is what the band
        should show, and it keeps a curve at about 3x the cost of one
        comparison fold summed over sizes.
    progress : callable, optional
        Called with a :class:`dllab.engine.runner.Progress` after each fit; its task
        label reads like ``"Deep network, 2,500 rows, seed 2/3"``, and
        ``done``/``total`` count over the whole curve.
    should_stop : callable, optional
        Checked between fits; returning True raises :class:`dllab.engine.runner.RunCancelled`.
    comparison : Comparison, optional
        A comparison of the same dataset and config. Its fits on the used splits
        are the full-size point (replicate 0 of each split) instead of new fits.
    time_budget : float, optional
        Seconds. Before each size after the first, its cost is estimated as the
        previous size's wall time scaled by the ratio of sizes; sizes that would
        overrun the budget are skipped (all larger ones too), with a note.
    n_boot : int, default=200
        Resamples for the fit uncertainty.
    make : callable, optional
        Model factory with the signature of :func:`dllab.models.make_model`
        (as in :func:`dllab.engine.runner.run_tasks`); default: the config's.

    Returns
    -------
    LearningCurve

    Raises
    ------
    ConfigError
        For invalid ``n_seeds``, ``folds``, ``sizes``, ``time_budget`` or a comparison
        from another run.
    DataError
        If a training fold is too small for any curve point.

    Examples
    --------
    >>> from dllab.datasets import load                                           # doctest: +SKIP
    >>> cfg = RunConfig(budget="quick", families=("linear", "gbm"))               # doctest: +SKIP
    >>> lc = learning_curve(load("breast_cancer"), config=cfg)                    # doctest: +SKIP
    >>> print(lc.conclusion())                                                     # doctest: +SKIP
    """
    from ..errors import DataError
    from ..engine.runner import RunCancelled, Task, model_factory, run_tasks, task_seed
    from ..engine.splits import make_splits

    if isinstance(n_seeds, bool) or not isinstance(n_seeds, (int, np.integer)) or not 1 <= n_seeds <= 20:
        raise ConfigError(_BAD_SEEDS.format(value=n_seeds))
    if time_budget is not None and (isinstance(time_budget, bool) or not isinstance(time_budget, (int, float))
                                    or not time_budget > 0):
        raise ConfigError(_BAD_BUDGET.format(value=time_budget))
    X, y, task = ds.X, ds.y, ds.task
    splits = make_splits(y, task=task, n_folds=config.resolved_folds, n_repeats=config.resolved_repeats,
                         random_state=config.seed)
    if isinstance(folds, bool) or not isinstance(folds, (int, np.integer)) or not 1 <= folds <= len(splits):
        raise ConfigError(_BAD_FOLDS.format(value=folds, high=len(splits)))
    used = list(range(int(folds)))
    n_classes = None if ds.classes is None else len(ds.classes)
    min_size = _MIN_ROWS if n_classes is None else max(_MIN_ROWS, _MIN_PER_CLASS * n_classes)
    n_available = min(len(splits[s][0]) for s in used)
    if n_available < min_size:
        raise DataError(_TOO_SMALL.format(n=n_available, low=min_size, per_class=_MIN_PER_CLASS, floor=_MIN_ROWS))
    size_list, notes = candidate_sizes(n_available, sizes=sizes, min_size=min_size)
    families = list(config.families)
    n_rep = len(used) * n_seeds

    reuse = _reusable(comparison, splits=splits, used=used, families=families, config=config)
    orders = {(s, k): nested_order(splits[s][0], y, task=task, random_state=_subsample_seed(config.seed, s, k))
              for s in used for k in range(n_seeds)}

    def plan(n):
        out = []  # (task, seed index)
        for s in used:
            full = n == len(splits[s][0])
            for k in range(n_seeds):
                for f in families:
                    if full and (f, s) in reuse:
                        continue  # the comparison's fit is this point (k == 0) or the slot stays empty
                    where = f", fold {s + 1}" if len(used) > 1 else ""
                    out.append((Task(family=f, split=s, train_idx=orders[s, k][:n], test_idx=splits[s][1],
                                     seed=task_seed(config.seed, f, s, n, k),
                                     label=f"{registry.label(f)}, {n:,} rows, seed {k + 1}/{n_seeds}{where}"), k))
        return out

    plans = [plan(n) for n in size_list]
    total = sum(len(p) for p in plans)
    metric_names = [m.name for m in metrics_for(task)]
    shape = (len(size_list), n_rep)
    all_scores = {f: {m: np.full(shape, np.nan) for m in metric_names} for f in families}
    secs = {f: np.full(shape, np.nan) for f in families}
    failures = {}
    budget_hit = {}  # family -> sizes where a fit stopped on its step budget
    maker = make or model_factory(config, ds)

    def store(record, i, s, k):
        r = used.index(s) * n_seeds + k
        if record.ok:
            for m in metric_names:
                all_scores[record.family][m][i, r] = METRICS[m](y[record.test_idx], record.prediction,
                                                                n_classes=n_classes)
            secs[record.family][i, r] = record.fit_seconds
        else:
            failures.setdefault(record.family, (int(size_list[i]), record.reason))

    done, start, last_run, skipped = 0, time.perf_counter(), None, []  # last_run: (size, wall seconds)
    for i, n in enumerate(size_list):
        reused_here = [(f, s) for f, s in reuse if n == len(splits[s][0])]
        for f, s in reused_here:
            store(reuse[f, s], i, s, 0)
        pairs = plans[i]
        if not pairs:
            continue
        elapsed = time.perf_counter() - start
        if skipped or (time_budget is not None and last_run is not None
                       and elapsed + last_run[1] * n / last_run[0] > time_budget):
            if not skipped:
                estimate = last_run[1] * n / last_run[0]
                notes.append(f"time budget: sizes from {n:,} rows up were not trained; the next size was estimated "
                             f"at {estimate:.0f} s with {elapsed:.0f} s of the {time_budget:.0f} s budget used")
            skipped.append(n)
            total -= len(pairs)
            continue
        if should_stop is not None and done and should_stop():
            raise RunCancelled(f"stopped after {done} of {total} fits")
        tasks = [t for t, _ in pairs]

        following = next((plans[j][0][0].label for j in range(i + 1, len(plans)) if plans[j]), "")

        def relay(p, offset=done, following=following):
            progress(dataclasses.replace(p, done=offset + p.done, total=total, elapsed=time.perf_counter() - start,
                                         next_label=p.next_label or following))

        t0 = time.perf_counter()
        records = run_tasks(tasks, X, y, problem=task, budget=config.budget, device=config.device,
                            n_jobs=config.n_jobs, progress=relay if progress is not None else None,
                            should_stop=should_stop, keep_models=False, make=maker)
        last_run = (n, time.perf_counter() - t0)
        done += len(tasks)
        for (t, k), rec in zip(pairs, records):
            store(rec, i, t.split, k)
            if rec.info.get("hit_step_budget"):
                budget_hit.setdefault(rec.family, set()).add(n)

    # A skipped size disappears unless the comparison supplied some of its values.
    skipped = [n for n in skipped if not any(n == len(splits[s][0]) for _, s in reuse)]
    keep = [i for i, n in enumerate(size_list) if n not in skipped]
    size_list = [size_list[i] for i in keep]
    for f in families:
        secs[f] = secs[f][keep]
        for m in metric_names:
            all_scores[f][m] = all_scores[f][m][keep]
    if reuse:
        notes.append(f"the full-size point ({n_available:,} rows) reuses the comparison's fits on split(s) "
                     f"{', '.join(str(s + 1) for s in used)} (one fit per split, no new seeds)")
    for f, (n, reason) in failures.items():
        notes.append(f"{registry.label(f)} failed at least once (first at {n:,} rows): {reason}")
    for f, hit in ((f, budget_hit[f]) for f in registry.ordered(budget_hit)):
        hit = sorted(n for n in hit if n in size_list)
        if hit:
            notes.append(f"{registry.label(f)} used its whole training budget (step limit of the "
                         f"'{config.budget}' budget) before early stopping at {', '.join(f'{n:,}' for n in hit)} "
                         f"rows: there its score reflects the budget as much as the data, and the curve may bend "
                         f"for that reason; a larger budget or a GPU gives a fairer curve")
    if n_seeds == 1 and len(used) == 1:
        notes.append("one seed and one fold: no bands, and the fit has no replicates to resample")
    metric = primary_metric(task).name
    design = {"folds_used": [s + 1 for s in used], "n_seeds": n_seeds, "n_train_available": n_available,
              "n_test": [int(len(splits[s][1])) for s in used], "replicates": "split-major: r = split * n_seeds + seed",
              "reused_comparison": bool(reuse), "wall_seconds": _num(time.perf_counter() - start),
              "skipped_sizes": skipped}
    return LearningCurve(size_list, {f: all_scores[f][metric] for f in families}, metric=metric,
                         fit_seconds=secs, metric_scores=all_scores, n_boot=n_boot, random_state=config.seed,
                         notes=notes, dataset=ds.summary(), config=config.to_dict(), design=design)


def _subsample_seed(seed: int, split: int, seed_index: int) -> int:
    # Shared by every family (the families see the same rows); spawn key 100 never meets a family's 0-2.
    ss = np.random.SeedSequence(seed, spawn_key=(_SUBSAMPLE_KEY, split, seed_index))
    return int(ss.generate_state(1, dtype=np.uint32)[0])


def _reusable(comparison, *, splits, used, families, config) -> dict:
    """{(family, split): FitRecord} of the comparison that can stand in for the full-size point."""
    if comparison is None:
        return {}
    cs = comparison.splits
    what = None
    if (cs.n_folds, cs.n_repeats, cs.random_state) != (splits.n_folds, splits.n_repeats, splits.random_state):
        what = (f"its splits are {cs.n_folds} folds x {cs.n_repeats} repeats with seed {cs.random_state}, "
                f"this run's are {splits.n_folds} x {splits.n_repeats} with seed {splits.random_state}")
    elif any(not np.array_equal(cs[s][1], splits[s][1]) for s in used):
        what = "its test folds differ (another dataset?)"
    elif comparison.config.get("budget", config.budget) != config.budget:
        what = f"its budget is {comparison.config.get('budget')!r}, this run's is {config.budget!r}"
    if what:
        raise ConfigError(_BAD_COMPARISON.format(what=what))
    return {(r.family, r.split): r for r in comparison.records if r.family in families and r.split in used}


# ======================================================================================
# Formatting
# ======================================================================================
def _num(v):
    if v is None:
        return None
    v = float(v)
    return v if np.isfinite(v) else None


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:]


def _round_n(n) -> int:
    """Two significant figures for sizes quoted in sentences (exact below 100)."""
    n = int(n)
    if n < 100:
        return n
    digits = len(str(n)) - 2
    return int(round(n, -digits))


