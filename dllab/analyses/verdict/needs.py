"""What the user needs, and every threshold the verdict rule uses.

The block of constants at the top is the one place where the numbers of the
rule live (the package docstring, :mod:`dllab.analyses.verdict`, says how each
is used; ``Verdict.thresholds`` records them). :class:`Needs` holds the user's
requirements besides accuracy, and :func:`practical_difference` turns them into
the smallest difference of the primary metric that matters.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from ...errors import ConfigError

__all__ = ["ALPHA", "DEFAULT_RATE_DIFFERENCE", "DEFAULT_RELATIVE_DIFFERENCE", "LARGE_GAP_FACTOR",
           "WIDE_CI_FACTOR", "MIN_SPLITS", "FULL_SPLITS", "STRONG_P", "CLEAR_MARGIN_FACTOR", "LOW_AGREEMENT",
           "FAILURE_SLICES", "DECIDE_SPLITS", "CROSSOVER_HORIZON", "THRESHOLDS", "RATE_METRICS", "Needs", "practical_difference"]

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
DECIDE_SPLITS = 10                # the run that decides an undecided verdict aims at 10 splits (3 x 4, 5 x 2)
CROSSOVER_HORIZON = 10.0          # the curve's extrapolation horizon (x the rows used), as dllab.analyses.curves

THRESHOLDS = {
    "alpha": ALPHA, "default_rate_difference": DEFAULT_RATE_DIFFERENCE,
    "default_relative_difference": DEFAULT_RELATIVE_DIFFERENCE, "large_gap_factor": LARGE_GAP_FACTOR,
    "wide_ci_factor": WIDE_CI_FACTOR, "min_splits": MIN_SPLITS, "full_splits": FULL_SPLITS,
    "strong_p": STRONG_P, "clear_margin_factor": CLEAR_MARGIN_FACTOR, "low_agreement": LOW_AGREEMENT,
    "failure_slices": FAILURE_SLICES, "decide_splits": DECIDE_SPLITS,
}

#: Rate-type metrics: differences read as points (x 100), and the default practical difference is 1 point.
RATE_METRICS = ("accuracy", "balanced_accuracy", "roc_auc", "f1_macro", "r2")

_BAD_NEEDS = "{name}={value!r} is not valid; it must be {what}, or None for the default."


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
    if comparison.metric in RATE_METRICS:
        return DEFAULT_RATE_DIFFERENCE
    means = comparison.overall["mean"].astype(float)
    means = means[np.isfinite(means)]
    if means.empty:
        return float("nan")
    best = means.max() if comparison.higher_is_better else means.min()
    return DEFAULT_RELATIVE_DIFFERENCE * abs(float(best))
