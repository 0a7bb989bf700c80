"""Metric registry, confidence intervals and the paired test between two models.

Scores come from out-of-fold predictions: class probabilities for
classification (columns in class-index order), values for regression. The
statistics follow Nadeau & Bengio (2003): fold scores of a k-fold are not
independent (training sets overlap), so the variance of their mean is inflated
by ``1/J + n_test/n_train`` instead of ``1/J``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats
from sklearn import metrics as skm

__all__ = ["Metric", "METRICS", "metrics_for", "primary_metric", "score_all", "corrected_ci",
           "PairedTest", "paired_test", "bootstrap_ci"]


@dataclass(frozen=True)
class Metric:
    """A named score: what it is called, which task, which way is better."""

    name: str
    label: str
    kind: str  # "classification" or "regression"
    higher_is_better: bool
    func: object  # (y_true, prediction, n_classes) -> float
    bounds: tuple = (-np.inf, np.inf)  # valid range: intervals are clipped to it

    def clip(self, value: float) -> float:
        """``value`` limited to the metric's valid range (NaN stays NaN)."""
        return float(np.clip(value, *self.bounds)) if np.isfinite(value) else value

    def __call__(self, y_true, prediction, *, n_classes: int | None = None) -> float:
        return float(self.func(np.asarray(y_true), np.asarray(prediction), n_classes))


def _labels(proba):
    return np.argmax(proba, axis=1)


def _roc_auc(y, proba, k):
    present = np.unique(y)
    if len(present) < 2:
        return float("nan")  # undefined on a test fold with one class
    if proba.shape[1] == 2:
        return skm.roc_auc_score(y, proba[:, 1])
    if len(present) < proba.shape[1]:
        # One-vs-rest over the classes present; renormalise their probabilities.
        sub = proba[:, present]
        sub = sub / np.clip(sub.sum(axis=1, keepdims=True), 1e-12, None)
        if len(present) == 2:
            return skm.roc_auc_score(y == present[1], sub[:, 1])
        return skm.roc_auc_score(y, sub, multi_class="ovr", labels=present)
    return skm.roc_auc_score(y, proba, multi_class="ovr")


def _log_loss(y, proba, k):
    p = np.clip(proba, 1e-15, 1.0)
    p = p / p.sum(axis=1, keepdims=True)
    return skm.log_loss(y, p, labels=np.arange(proba.shape[1]))


METRICS = {
    m.name: m for m in [
        Metric("accuracy", "Accuracy", "classification", True,
               lambda y, p, k: skm.accuracy_score(y, _labels(p)), (0.0, 1.0)),
        Metric("balanced_accuracy", "Balanced accuracy", "classification", True,
               lambda y, p, k: skm.balanced_accuracy_score(y, _labels(p)), (0.0, 1.0)),
        Metric("roc_auc", "ROC AUC", "classification", True, _roc_auc, (0.0, 1.0)),
        Metric("log_loss", "Log loss", "classification", False, _log_loss, (0.0, np.inf)),
        Metric("f1_macro", "Macro F1", "classification", True,
               lambda y, p, k: skm.f1_score(y, _labels(p), average="macro",
                                            labels=np.arange(p.shape[1]), zero_division=0), (0.0, 1.0)),
        Metric("rmse", "RMSE", "regression", False, lambda y, p, k: skm.root_mean_squared_error(y, p),
               (0.0, np.inf)),
        Metric("mae", "MAE", "regression", False, lambda y, p, k: skm.mean_absolute_error(y, p), (0.0, np.inf)),
        Metric("r2", "R²", "regression", True, lambda y, p, k: skm.r2_score(y, p), (-np.inf, 1.0)),
    ]
}


def metrics_for(task: str) -> list[Metric]:
    """Metrics reported for a task, primary first.

    Examples
    --------
    >>> [m.name for m in metrics_for("regression")]
    ['rmse', 'mae', 'r2']
    """
    kind = "regression" if task == "regression" else "classification"
    return [m for m in METRICS.values() if m.kind == kind]


def primary_metric(task: str) -> Metric:
    """Accuracy for classification, RMSE for regression."""
    return metrics_for(task)[0]


def score_all(task: str, y_true, prediction) -> dict[str, float]:
    """Every metric of ``task`` for one set of predictions.

    Examples
    --------
    >>> import numpy as np
    >>> s = score_all("binary", np.array([0, 1, 1]), np.array([[.9, .1], [.2, .8], [.6, .4]]))
    >>> round(s["accuracy"], 3), round(s["roc_auc"], 3)
    (0.667, 1.0)
    """
    return {m.name: m(y_true, prediction) for m in metrics_for(task)}


# ---------------------------------------------------------------------------- statistics
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


def bootstrap_ci(metric: Metric, y_true, prediction, *, n_boot: int = 1000, confidence: float = 0.95,
                 random_state: int | None = 0, n_classes: int | None = None) -> tuple[float, float, float]:
    """Score on all rows and a percentile bootstrap interval over rows.

    Examples
    --------
    >>> import numpy as np
    >>> y = np.array([0, 1] * 50); p = np.tile([[.3, .7]], (100, 1))
    >>> s, lo, hi = bootstrap_ci(METRICS["accuracy"], y, p, n_boot=200)
    >>> s, lo <= s <= hi
    (0.5, True)
    """
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
