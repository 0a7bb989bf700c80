"""The saturating power law ``score = a -/+ b * n**-c`` and its weighted least-squares fits.

:class:`PowerLaw` is a fitted curve; :func:`fit_power_law` fits one to mean
scores per size (a grid over ``c`` seeding ``scipy.optimize.curve_fit``);
``_fit_grid_many`` fits many resamples at once on a fine grid, for the bootstrap.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from scipy import optimize

from ._common import _num


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
