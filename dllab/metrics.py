"""Metric registry: each metric's name, label, task, direction and valid range, and scoring helpers.

Scores come from out-of-fold predictions: class probabilities for
classification (columns in class-index order), values for regression. The
intervals and tests built on these scores are in :mod:`dllab.stats`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn import metrics as skm

__all__ = ["Metric", "METRICS", "metrics_for", "primary_metric", "score_all"]


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
