"""How numbers read in the verdict's reasons: differences and scores in the metric's units."""

from __future__ import annotations

import numpy as np

from ...metrics import METRICS
from .needs import RATE_METRICS

__all__ = ["gap", "score", "fit_ratio"]


def gap(v: float, metric: str) -> str:
    """A difference in the metric's units: '1.2 points' for rates, '0.0312 RMSE' otherwise."""
    if metric in RATE_METRICS:
        return f"{abs(v) * 100:.1f} points"
    return f"{abs(v):.3g} {METRICS[metric].label}"


def score(v: float, metric: str) -> str:
    """A score: three decimals for rates ('0.874'), three significant digits otherwise ('0.0312')."""
    return f"{v:.3f}" if metric in RATE_METRICS else f"{v:.3g}"


def fit_ratio(a_seconds: float, b_seconds: float) -> str:
    """How long ``a`` trains against ``b``: '38x slower', '2.0x faster', 'in about the same time (1.2x)'; '' if unknown.

    Examples
    --------
    >>> fit_ratio(20.0, 1.0), fit_ratio(1.0, 2.0), fit_ratio(1.2, 1.0)
    ('20x slower', '2.0x faster', 'in about the same time (1.2x)')
    """
    ta, tb = float(a_seconds), float(b_seconds)
    if not (np.isfinite(ta) and np.isfinite(tb)) or ta <= 0 or tb <= 0:
        return ""
    r = ta / tb
    if r >= 1.5:
        return f"{r:.0f}x slower" if r >= 10 else f"{r:.1f}x slower"
    if r <= 1 / 1.5:
        return f"{1 / r:.0f}x faster" if r <= 0.1 else f"{1 / r:.1f}x faster"
    return f"in about the same time ({r:.1f}x)"
