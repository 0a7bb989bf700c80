"""Per-size summaries of replicate scores and the shared fit analysis with its bootstrap.

``_t_band`` gives the per-size mean and t interval over replicates; ``_Analysis``
fits a power law per family and refits it on resampled replicates (the same
draws for every family), and is read by both the crossover finder and
:class:`~dllab.analyses.curves.LearningCurve`.
"""

from __future__ import annotations

import warnings

import numpy as np
from scipy import stats

from .powerlaw import PowerLaw, _bounds_of_a, _fit_grid_many, fit_power_law


def _fit_weights(se):
    """1/sigma weights from per-size standard errors; sizes with no spread get the median one."""
    se = np.asarray(se, dtype=float)
    pos = se[np.isfinite(se) & (se > 0)]
    if len(pos) == 0:
        return None
    floor = 0.5 * float(np.median(pos))
    return np.where(np.isfinite(se) & (se > floor), se, floor)


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
