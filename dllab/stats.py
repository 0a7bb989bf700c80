"""Statistical tests and intervals shared by the analyses: scipy where it has the method, our own code where not.

Corrected resampled t-test and interval (:func:`paired_test`, :func:`corrected_ci`)
    Nadeau & Bengio (2003): the scores of a k-fold's splits are not independent
    (training sets overlap), so the variance of their mean is inflated by
    ``1/J + n_test/n_train`` instead of ``1/J``. No library offers this
    correction, so the code is our own; the t distribution is scipy's.
Percentile bootstrap over rows (:func:`bootstrap_ci`)
    Our own loop. ``scipy.stats.bootstrap(..., paired=True, method="percentile")``
    draws the same resamples from the same seed and is as fast, but it is not
    a drop-in: replicates where the metric is undefined (ROC AUC on a resample
    with one class) make its interval NaN where ours drops them, and its
    quantile level ``(1 - confidence) / 2`` moves some bounds by one ulp.
Welch's t-test from sums (:func:`welch_test`)
    The subgroup report tests thousands of slices at once from per-slice counts,
    sums and sums of squares; ``scipy.stats.ttest_ind(equal_var=False)`` needs the
    raw samples of each slice, and ``ttest_ind_from_stats`` takes standard
    deviations, whose square root and square move p-values in the last digits.
    The formula is our own, vectorised over slices; the t distribution is scipy's.
Benjamini-Hochberg adjusted p-values (:func:`benjamini_hochberg`)
    ``scipy.stats.false_discovery_control(p, method="bh")`` on the finite p-values;
    NaN entries (slices too small to test) stay NaN and are not counted.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from scipy import stats

if TYPE_CHECKING:
    from .metrics import Metric

__all__ = ["corrected_ci", "PairedTest", "paired_test", "bootstrap_ci", "welch_test", "benjamini_hochberg"]


# ---------------------------------------------------------------------------- corrected resampled t-test
def _correction(n_splits: int, test_fraction: float) -> float:
    # Nadeau & Bengio (2003): Var(mean) ≈ (1/J + n_test/n_train) σ².
    return 1.0 / n_splits + test_fraction / (1.0 - test_fraction)


def corrected_ci(scores, *, test_fraction: float, confidence: float = 0.95) -> tuple[float, float, float]:
    """Mean of per-split scores and its corrected-variance t interval.

    Parameters
    ----------
    scores : array-like of float
        One score per split (NaN entries are ignored).
    test_fraction : float
        ``n_test / n`` of the splits (0.2 for 5-fold).
    confidence : float, default=0.95

    Returns
    -------
    (mean, low, high)

    Examples
    --------
    >>> m, lo, hi = corrected_ci([0.80, 0.82, 0.81, 0.79, 0.83], test_fraction=0.2)
    >>> round(m, 3), lo < m < hi
    (0.81, True)
    """
    s = np.asarray(scores, dtype=float)
    s = s[np.isfinite(s)]
    if len(s) == 0:
        return float("nan"), float("nan"), float("nan")
    mean = float(s.mean())
    if len(s) < 2:
        return mean, float("nan"), float("nan")
    se = np.sqrt(_correction(len(s), test_fraction) * s.var(ddof=1))
    half = float(stats.t.ppf(0.5 + confidence / 2, df=len(s) - 1) * se)
    return mean, mean - half, mean + half


@dataclass(frozen=True)
class PairedTest:
    """Corrected resampled t-test of ``a - b`` over the same splits.

    ``difference`` is in the metric's units (a positive value means ``a``
    scored higher, whatever the metric's direction); ``better`` names the
    model that is better on the metric, ``significant`` uses ``alpha``.
    """

    a: str
    b: str
    metric: str
    difference: float
    ci_low: float
    ci_high: float
    t: float
    p_value: float
    n_splits: int
    better: str | None
    significant: bool

    def to_dict(self) -> dict:
        return {k: (None if isinstance(v, float) and not np.isfinite(v) else v)
                for k, v in self.__dict__.items()}


def paired_test(a_scores, b_scores, *, test_fraction: float, higher_is_better: bool, a: str = "a",
                b: str = "b", metric: str = "", alpha: float = 0.05) -> PairedTest:
    """Nadeau-Bengio corrected resampled t-test on per-split score differences.

    Examples
    --------
    >>> r = paired_test([.90, .91, .92, .90, .91], [.85, .86, .86, .84, .85], test_fraction=0.2,
    ...                 higher_is_better=True, a="deep", b="gbm")
    >>> r.better, r.significant, round(r.difference, 3)
    ('deep', True, 0.056)
    """
    d = np.asarray(a_scores, dtype=float) - np.asarray(b_scores, dtype=float)
    d = d[np.isfinite(d)]
    n = len(d)
    mean = float(d.mean()) if n else float("nan")
    if n < 2:
        t, p, lo, hi = float("nan"), float("nan"), float("nan"), float("nan")
    else:
        var = d.var(ddof=1)
        se = np.sqrt(_correction(n, test_fraction) * var)
        if se == 0:
            t = 0.0 if mean == 0 else float(np.sign(mean) * np.inf)
            p = 1.0 if mean == 0 else 0.0
            lo = hi = mean
        else:
            t = mean / se
            p = float(2 * stats.t.sf(abs(t), df=n - 1))
            half = float(stats.t.ppf(0.975, df=n - 1) * se)
            lo, hi = mean - half, mean + half
    better = None
    if np.isfinite(mean) and mean != 0:
        better = a if (mean > 0) == higher_is_better else b
    significant = bool(np.isfinite(p) and p < alpha)
    return PairedTest(a=a, b=b, metric=metric, difference=mean, ci_low=lo, ci_high=hi, t=float(t),
                      p_value=float(p), n_splits=n, better=better, significant=significant)


# ---------------------------------------------------------------------------- bootstrap
def bootstrap_ci(metric: Metric, y_true, prediction, *, n_boot: int = 1000, confidence: float = 0.95,
                 random_state: int | None = 0, n_classes: int | None = None) -> tuple[float, float, float]:
    """Score on all rows and a percentile bootstrap interval over rows.

    Parameters
    ----------
    metric : Metric
        A :class:`dllab.metrics.Metric` (any ``(y_true, prediction, *, n_classes)`` callable).
    y_true, prediction : array-like
        One entry (prediction: one row) per row.
    n_boot : int, default=1000
        Resamples; those where the metric is undefined (NaN) are left out of the interval.
    confidence : float, default=0.95
    random_state : int or None, default=0
    n_classes : int, optional
        Passed to ``metric``.

    Returns
    -------
    (score, low, high)

    Examples
    --------
    >>> import numpy as np
    >>> from dllab.metrics import METRICS
    >>> y = np.array([0, 1] * 50); p = np.tile([[.3, .7]], (100, 1))
    >>> s, lo, hi = bootstrap_ci(METRICS["accuracy"], y, p, n_boot=200)
    >>> s, lo <= s <= hi
    (0.5, True)
    """
    # Not scipy.stats.bootstrap: one resample with an undefined metric makes its whole interval NaN,
    # and its quantile level moves some bounds by an ulp (its resamples are the same as these).
    y_true, prediction = np.asarray(y_true), np.asarray(prediction)
    rng = np.random.default_rng(random_state)
    point = metric(y_true, prediction, n_classes=n_classes)
    n = len(y_true)
    boots = np.empty(n_boot)
    for i in range(n_boot):
        idx = rng.integers(0, n, n)
        boots[i] = metric(y_true[idx], prediction[idx], n_classes=n_classes)
    boots = boots[np.isfinite(boots)]
    if len(boots) == 0:
        return point, float("nan"), float("nan")
    tail = (1 - confidence) / 2 * 100
    lo, hi = np.percentile(boots, [tail, 100 - tail])
    return point, float(lo), float(hi)


# ---------------------------------------------------------------------------- two-sample test and FDR
def welch_test(m1, s1, q1, m2, s2, q2) -> np.ndarray:
    """Two-sided Welch t-test p-values from counts, sums and sums of squares (arrays).

    Parameters
    ----------
    m1, s1, q1 : array-like of float
        Count, sum and sum of squares of the first sample (one entry per test).
    m2, s2, q2 : array-like of float
        The same for the second sample.

    Returns
    -------
    ndarray
        The p-values; 1 (equal means) or 0 (different means) where both variances are zero, NaN
        where a sample has fewer than two values.

    Examples
    --------
    >>> x1, x2 = np.array([1.0, 2.0, 4.0]), np.array([2.0, 3.0, 5.0, 6.0])
    >>> p = welch_test(np.array([3.0]), np.array([x1.sum()]), np.array([(x1**2).sum()]),
    ...                np.array([4.0]), np.array([x2.sum()]), np.array([(x2**2).sum()]))
    >>> round(float(p[0]), 6) == round(float(stats.ttest_ind(x1, x2, equal_var=False).pvalue), 6)
    True
    """
    with np.errstate(invalid="ignore", divide="ignore"):
        mu1, mu2 = s1 / m1, s2 / m2
        v1 = np.maximum(q1 - s1 * mu1, 0) / (m1 - 1)
        v2 = np.maximum(q2 - s2 * mu2, 0) / (m2 - 1)
        a, b = v1 / m1, v2 / m2
        se = np.sqrt(a + b)
        t = (mu1 - mu2) / se
        df = (a + b) ** 2 / (a**2 / (m1 - 1) + b**2 / (m2 - 1))
        p = 2 * stats.t.sf(np.abs(t), df)
    same = se == 0
    p = np.where(same, np.where(mu1 == mu2, 1.0, 0.0), p)
    p = np.where((m1 < 2) | (m2 < 2), np.nan, p)
    return p


def benjamini_hochberg(p) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values (q-values); NaN entries stay NaN and are not counted.

    Examples
    --------
    >>> benjamini_hochberg([0.01, 0.04, 0.03, float("nan")]).round(3).tolist()[:3]
    [0.03, 0.04, 0.04]
    """
    p = np.asarray(p, dtype=float)
    q = np.full_like(p, np.nan)
    ok = np.isfinite(p)
    if ok.any():
        # scipy's BH; it computes p * (m / i), which may differ from p * m / i in the last digit.
        q[ok] = stats.false_discovery_control(p[ok], method="bh")
    return q
