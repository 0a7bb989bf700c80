"""Metric registry: each metric's name, label, task, direction and valid range, and scoring helpers.

Scores come from out-of-fold predictions: class probabilities for
classification (columns in class-index order), values for regression. The
intervals and tests built on these scores are in :mod:`dllab.stats`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn import metrics as skm

__all__ = ["Metric", "METRICS", "ROW_METRICS", "row_scores", "metrics_for", "primary_metric", "score_all", "format_score", "format_diff",
           "format_interval", "format_diff_interval"]


@dataclass(frozen=True)
class Metric:
    """A named score: what it is called, which task, which way is better."""

    name: str
    label: str
    kind: str  # "classification" or "regression"
    higher_is_better: bool
    func: object  # (y_true, prediction, n_classes) -> float
    bounds: tuple = (-np.inf, np.inf)  # valid range: intervals are clipped to it
    style: str = "sig"  # how it reads: "percent" (80.8%), "decimal" (0.874) or "sig" (3 significant digits)

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


def _mcc(y, proba, k):
    return skm.matthews_corrcoef(y, _labels(proba))


def _precision(y, proba, k):
    # Binary: of the rows predicted positive (the second class), the share that are; several
    # classes: the unweighted mean over classes (macro), as f1_macro.
    if proba.shape[1] == 2:
        return skm.precision_score(y, _labels(proba), pos_label=1, zero_division=0)
    return skm.precision_score(y, _labels(proba), average="macro", labels=np.arange(proba.shape[1]),
                               zero_division=0)


def _recall(y, proba, k):
    if proba.shape[1] == 2:
        return skm.recall_score(y, _labels(proba), pos_label=1, zero_division=0)
    return skm.recall_score(y, _labels(proba), average="macro", labels=np.arange(proba.shape[1]),
                            zero_division=0)


METRICS = {
    m.name: m for m in [
        Metric("accuracy", "Accuracy", "classification", True,
               lambda y, p, k: skm.accuracy_score(y, _labels(p)), (0.0, 1.0), "percent"),
        Metric("balanced_accuracy", "Balanced accuracy", "classification", True,
               lambda y, p, k: skm.balanced_accuracy_score(y, _labels(p)), (0.0, 1.0), "percent"),
        Metric("roc_auc", "ROC AUC", "classification", True, _roc_auc, (0.0, 1.0), "decimal"),
        Metric("log_loss", "Log loss", "classification", False, _log_loss, (0.0, np.inf)),
        Metric("f1_macro", "Macro F1", "classification", True,
               lambda y, p, k: skm.f1_score(y, _labels(p), average="macro",
                                            labels=np.arange(p.shape[1]), zero_division=0), (0.0, 1.0), "percent"),
        Metric("precision", "Precision", "classification", True, _precision, (0.0, 1.0), "percent"),
        Metric("recall", "Recall", "classification", True, _recall, (0.0, 1.0), "percent"),
        Metric("mcc", "MCC", "classification", True, _mcc, (-1.0, 1.0), "decimal"),
        Metric("rmse", "RMSE", "regression", False, lambda y, p, k: skm.root_mean_squared_error(y, p),
               (0.0, np.inf)),
        Metric("mae", "MAE", "regression", False, lambda y, p, k: skm.mean_absolute_error(y, p), (0.0, np.inf)),
        Metric("r2", "R²", "regression", True, lambda y, p, k: skm.r2_score(y, p), (-np.inf, 1.0), "decimal"),
    ]
}


#: Metrics that are the mean of a per-row score (or its root): their tests and intervals run over the test rows.
ROW_METRICS = ("accuracy", "rmse")


def row_scores(metric: str, y_true, prediction) -> np.ndarray:
    """Each test row's score: 1.0 / 0.0 for a correct class (accuracy), the squared error (RMSE).

    Rows whose prediction is missing (NaN) score NaN.

    Examples
    --------
    >>> row_scores("accuracy", [0, 1], [[0.9, 0.1], [0.8, 0.2]]).tolist(), row_scores("rmse", [1.0], [3.0]).tolist()
    ([1.0, 0.0], [4.0])
    """
    y = np.asarray(y_true)
    p = np.asarray(prediction, dtype=float)
    if metric == "accuracy":
        out = np.full(len(y), np.nan)
        if p.ndim == 2:  # a repeat a family did not run is a 1-D array of NaN
            ok = np.isfinite(p).all(axis=1)
            out[ok] = (np.argmax(p[ok], axis=1) == y[ok]).astype(float)
        return out
    if metric == "rmse":
        return (p - y.astype(float)) ** 2
    raise ValueError(f"metric={metric!r} is not a mean of row scores; row metrics are {', '.join(ROW_METRICS)}")


def _metric(metric) -> Metric:
    return metric if isinstance(metric, Metric) else METRICS[metric]


def format_score(metric, v) -> str:
    """A score as every page, the report and the CLI show it: '80.8%', '0.874' or '0.471'; '—' if missing.

    Examples
    --------
    >>> format_score("accuracy", 0.8081), format_score("roc_auc", 0.87412), format_score("rmse", 0.47123)
    ('80.8%', '0.874', '0.471')
    """
    if v is None or not np.isfinite(v):
        return "—"
    style = _metric(metric).style
    if style == "percent":
        return f"{v:.1%}"
    return f"{v:.3f}" if style == "decimal" else f"{v:.3g}"


def _rounded(style: str, v: float) -> tuple[float, str]:
    """``v`` as it reads (points x 100 for percentages) and its digits, without a sign."""
    x = v * 100 if style == "percent" else v
    text = f"{abs(x):.1f}" if style == "percent" else (f"{abs(x):.3f}" if style == "decimal" else f"{abs(x):.3g}")
    return (0.0 if float(text) == 0 else x), text


def _signed(style: str, v: float) -> str:
    # a sign only on what does not round to zero: "-0.0 points" would read as a drop that is not there
    x, text = _rounded(style, v)
    return ("+" if x > 0 else "-" if x < 0 else "") + text


def format_diff(metric, v, *, signed: bool = False) -> str:
    """A difference of scores: '1.2 points' for percentages, '0.012' or '0.0312' otherwise.

    ``signed=True`` keeps the sign ('+1.2 points', '-0.0312'); a value that rounds to zero has none.

    Examples
    --------
    >>> format_diff("accuracy", -0.0123), format_diff("accuracy", 0.0123, signed=True), format_diff("rmse", 0.03123)
    ('1.2 points', '+1.2 points', '0.0312')
    >>> format_diff("accuracy", -0.0001, signed=True)
    '0.0 points'
    """
    if v is None or not np.isfinite(v):
        return "—"
    style = _metric(metric).style
    text = _signed(style, v) if signed else _rounded(style, v)[1]
    return text + (" points" if style == "percent" else "")


def format_interval(metric, lo, hi) -> str:
    """A 95% interval of scores: '78.1% to 83.4%' ('—' if either end is missing).

    Examples
    --------
    >>> format_interval("accuracy", 0.781, 0.834)
    '78.1% to 83.4%'
    """
    if lo is None or hi is None or not (np.isfinite(lo) and np.isfinite(hi)):
        return "—"
    return f"{format_score(metric, lo)} to {format_score(metric, hi)}"


def format_diff_interval(metric, lo, hi) -> str:
    """A 95% interval of a difference, signed: '-2.7 to +1.2 points', '-0.0121 to +0.04 RMSE' ('—' if missing).

    Examples
    --------
    >>> format_diff_interval("accuracy", -0.0271, 0.0118), format_diff_interval("rmse", -0.0121, 0.04)
    ('-2.7 to +1.2 points', '-0.0121 to +0.04 RMSE')
    >>> format_diff_interval("accuracy", -0.0001, 0.05)
    '0.0 to +5.0 points'
    """
    if lo is None or hi is None or not (np.isfinite(lo) and np.isfinite(hi)):
        return "—"
    m = _metric(metric)
    unit = "points" if m.style == "percent" else m.label
    return f"{_signed(m.style, lo)} to {_signed(m.style, hi)} {unit}"


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
