"""Statistical tests and intervals shared by the analyses: scipy where it has the method, our own code where not.

Cross-validation test of two models on the same rows (:func:`cv_paired_test`)
    Bayle, Bayle, Janson & Mackey (2020), "Cross-validation confidence
    intervals for test error" (NeurIPS): the k-fold estimate of a loss
    difference is asymptotically normal with the variance of the per-row
    differences (the within-fold estimator), under a stability condition that
    the usual learners meet. It uses every test row, not one number per split,
    so three folds can decide a consistent gap that the split-level test
    cannot see (two degrees of freedom). Our own code (no library has it);
    the t distribution is scipy's. The lab's power benchmark
    (``benchmarks/power.py``) measures its size on null data.
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

__all__ = ["corrected_ci", "PairedTest", "paired_test", "cv_paired_test", "cv_score_test", "cv_score_interval", "bootstrap_ci", "welch_test", "benjamini_hochberg"]


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
    ``method`` is ``"cv"`` (:func:`cv_paired_test`, rows) or ``"corrected t"``
    (:func:`paired_test`, splits); ``n_rows`` the test rows behind a ``"cv"`` test.
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
    method: str = "corrected t"
    n_rows: int = 0

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
    se = float(np.sqrt(_correction(n, test_fraction) * d.var(ddof=1))) if n >= 2 else float("nan")
    t, p, lo, hi = _t_test(mean, se, n - 1, alpha)
    better = None
    if np.isfinite(mean) and mean != 0:
        better = a if (mean > 0) == higher_is_better else b
    significant = bool(np.isfinite(p) and p < alpha)
    return PairedTest(a=a, b=b, metric=metric, difference=mean, ci_low=lo, ci_high=hi, t=float(t),
                      p_value=float(p), n_splits=n, better=better, significant=significant)


def cv_paired_test(row_diff, folds, *, difference: float | None = None, scale: float = 1.0,
                   test_fraction: float | None = None, higher_is_better: bool, a: str = "a", b: str = "b",
                   metric: str = "", alpha: float = 0.05) -> PairedTest:
    """Cross-validation test of ``a - b`` from per-row differences, with the training variability.

    Parameters
    ----------
    row_diff : array of shape (n_rows, n_repeats)
        Per-row difference of a row-wise score (a's minus b's: correct = 1 for
        accuracy, the squared error for RMSE), one column per repeat of the
        k-fold; NaN where either model has no prediction.
    folds : array of shape (n_rows, n_repeats)
        The fold each row was tested in, per repeat.
    difference : float, optional
        The difference to report, in the metric's units (default: the mean of
        ``row_diff``). For a metric that is not a mean of row scores (RMSE), the
        difference of the reported scores, with ``scale`` turning the row scale
        into the metric's.
    scale : float, default=1.0
        d(metric) / d(mean row score) at the observed point (RMSE: 1 / (RMSE_a + RMSE_b)).
    test_fraction : float, optional
        ``n_test / n`` of the splits, for the overlap correction of the training
        term (default: one fold's share, ``1 / n_folds``).
    higher_is_better : bool
        The metric's direction, for ``better``.

    Returns
    -------
    PairedTest
        ``method="cv"``; ``n_splits`` is the number of folds x repeats, ``n_rows``
        the rows tested.

    Notes
    -----
    Two sources of noise, as in a one-way random-effects model with the split as
    the group. The test rows: the variance of the per-row differences over ``n``
    rows (Bayle et al. 2020; each row's differences are averaged over the repeats
    first, and centred on their split's mean). The training sets and seeds: the
    spread of the split means beyond what the rows explain, ``tau2``, which the
    row term alone misses (two copies of one model with different seeds differ
    on the same rows). Its share of the variance carries the Nadeau-Bengio factor
    ``1/J + n_test/n_train`` for overlapping training sets. The degrees of freedom
    follow Satterthwaite: close to ``n`` when the split means agree, close to
    ``J - 1`` when the training term dominates, so a consistent gap is decided on
    three folds while seed noise is not mistaken for a difference (measured in
    ``benchmarks/power.py``).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> d = rng.normal(0.05, 0.3, size=(600, 1)); f = np.repeat([0, 1, 2], 200)[:, None]
    >>> t = cv_paired_test(d, f, higher_is_better=True, a="deep", b="gbm")
    >>> t.method, t.significant, t.better, t.n_rows
    ('cv', True, 'deep', 600)
    """
    d = np.asarray(row_diff, dtype=float)
    f = np.asarray(folds)
    if d.ndim == 1:
        d, f = d[:, None], f[:, None]
    ok = np.isfinite(d).all(axis=1) & (d.shape[1] > 0)  # no repeat in common: no row to test
    d, f = d[ok], f[ok]
    n, reps = d.shape
    point_rows = float(d.mean()) if n else float("nan")
    point = point_rows if difference is None else float(difference)
    # the split groups, (repeat, fold): their sizes, means and variances, from fold-id counts
    centred = np.empty_like(d)
    g_n, g_mean, g_var = [], [], []
    for r in range(reps):
        k = f[:, r].astype(np.int64)
        cnt = np.bincount(k)
        mean_k = np.bincount(k, weights=d[:, r]) / np.maximum(cnt, 1)
        centred[:, r] = d[:, r] - mean_k[k]
        sq = np.bincount(k, weights=centred[:, r] ** 2)
        used = cnt > 0
        g_n.extend(cnt[used]); g_mean.extend(mean_k[used])
        g_var.extend(np.where(cnt[used] > 1, sq[used] / np.maximum(cnt[used] - 1, 1), 0.0))
    J = len(g_n)
    if n < 3 or J < 2:
        return _cv_result(point, float("nan"), float("nan"), J, n, higher_is_better, a, b, metric, alpha)
    # rows: each row's differences, centred on their split's mean, averaged over the repeats
    avg = centred.mean(axis=1)
    df_rows = max(n - J // reps, 1)
    v_rows = float((avg ** 2).sum() / df_rows) / n
    # training: the split means' spread beyond the rows' share
    g_n, g_mean, g_var = np.array(g_n, float), np.array(g_mean), np.array(g_var)
    tau2 = max(float(g_mean.var(ddof=1)) - float(np.mean(g_var / g_n)), 0.0)
    tf = test_fraction if test_fraction is not None else 1.0 / max(J // reps, 2)
    v_train = tau2 * (1.0 / J + tf / (1.0 - tf))
    var = v_rows + v_train
    dof = var ** 2 / ((v_rows ** 2) / df_rows + (v_train ** 2) / (J - 1)) if var > 0 else float("inf")
    se = float(np.sqrt(var) * abs(scale))
    return _cv_result(point, se, dof, J, n, higher_is_better, a, b, metric, alpha)


def cv_score_test(a_rows, b_rows, folds, *, difference: float, root: bool = False, higher_is_better: bool,
                  a: str = "a", b: str = "b", metric: str = "") -> PairedTest:
    """:func:`cv_paired_test` of two families' per-row scores, for a metric that is their mean or its root.

    Parameters
    ----------
    a_rows, b_rows : array of shape (n_rows, n_repeats)
        Per-row scores (1/0 correct; squared errors), NaN where a family has no prediction. Repeats
        that either family has no score in at all are left out.
    folds : array of shape (n_rows, n_repeats)
    difference : float
        The difference to report, in the metric's units.
    root : bool, default=False
        The metric is the square root of the mean row score (RMSE): the test of the mean squared
        errors, scaled at the observed point, RMSE_a - RMSE_b = (MSE_a - MSE_b) / (RMSE_a + RMSE_b).
    """
    a_rows, b_rows, folds = (np.asarray(x) for x in (a_rows, b_rows, folds))
    shared = np.isfinite(a_rows).any(axis=0) & np.isfinite(b_rows).any(axis=0)
    ra, rb, folds = a_rows[:, shared], b_rows[:, shared], folds[:, shared]
    scale = 1.0
    both = np.isfinite(ra - rb)
    if root and both.any():
        scale = 1.0 / max(np.sqrt(np.mean(ra[both])) + np.sqrt(np.mean(rb[both])), 1e-300)
    return cv_paired_test(ra - rb, folds, difference=difference, scale=scale, higher_is_better=higher_is_better,
                          a=a, b=b, metric=metric)


def cv_score_interval(rows, folds, *, mean: float, root: bool = False) -> tuple[float, float]:
    """95% interval of one family's mean score from its per-row scores, as :func:`cv_score_test` reads them.

    ``root``: the metric is the square root of the mean row score (d sqrt(M) = dM / (2 sqrt(M))).
    """
    rows, folds = np.asarray(rows, dtype=float), np.asarray(folds)
    ran = np.isfinite(rows).any(axis=0)
    if not ran.any() or not np.isfinite(mean):
        return float("nan"), float("nan")
    scale = 1.0 / max(2 * np.sqrt(np.nanmean(rows[:, ran])), 1e-300) if root else 1.0
    t = cv_paired_test(rows[:, ran], folds[:, ran], difference=mean, scale=scale, higher_is_better=True)
    return float(t.ci_low), float(t.ci_high)


def _t_test(point: float, se: float, df: float, alpha: float = 0.05) -> tuple[float, float, float, float]:
    """``(t, p, low, high)`` of a two-sided t-test and interval; a zero ``se`` gives p 1 (no difference) or 0."""
    if not (np.isfinite(se) and np.isfinite(point)):
        return float("nan"), float("nan"), float("nan"), float("nan")
    if se == 0:
        return (0.0 if point == 0 else float(np.sign(point) * np.inf)), (1.0 if point == 0 else 0.0), point, point
    half = float(stats.t.ppf(1 - alpha / 2, df=df) * se)
    return point / se, float(2 * stats.t.sf(abs(point / se), df=df)), point - half, point + half


def _cv_result(point, se, dof, J, n, higher_is_better, a, b, metric, alpha) -> PairedTest:
    t, p, lo, hi = _t_test(point, se, dof, alpha)
    better = None
    if np.isfinite(point) and point != 0:
        better = a if (point > 0) == higher_is_better else b
    return PairedTest(a=a, b=b, metric=metric, difference=point, ci_low=lo, ci_high=hi, t=float(t),
                      p_value=float(p), n_splits=J, better=better,
                      significant=bool(np.isfinite(p) and p < alpha), method="cv", n_rows=int(n))


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
