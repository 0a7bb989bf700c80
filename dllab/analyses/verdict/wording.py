"""How numbers read in the verdict's reasons: differences and scores in the metric's units."""

from __future__ import annotations

from ...metrics import METRICS
from .needs import RATE_METRICS

__all__ = ["gap", "score"]


def gap(v: float, metric: str) -> str:
    """A difference in the metric's units: '1.2 points' for rates, '0.0312 RMSE' otherwise."""
    if metric in RATE_METRICS:
        return f"{abs(v) * 100:.1f} points"
    return f"{abs(v):.3g} {METRICS[metric].label}"


def score(v: float, metric: str) -> str:
    """A score: three decimals for rates ('0.874'), three significant digits otherwise ('0.0312')."""
    return f"{v:.3f}" if metric in RATE_METRICS else f"{v:.3g}"
