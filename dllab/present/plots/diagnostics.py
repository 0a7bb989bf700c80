"""Diagnostic figures of one family's out-of-fold predictions: confusion matrix, ROC, PR, calibration, residuals.

Each row is predicted by the model of the split that held it out (``cmp.oof``,
first repeat), so the figures show how a family does on rows it never saw. The
curves are computed with scikit-learn (``roc_curve``, ``precision_recall_curve``,
``confusion_matrix``, ``calibration_curve``) and drawn with plotly; nothing here
refits a model. Classification curves are one-vs-rest for a chosen class; for
binary data the positive class is the second (class index 1), as in
:mod:`dllab.metrics`.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from sklearn.metrics import (auc, average_precision_score, confusion_matrix, precision_recall_curve,
                             roc_curve)

from ... import families as registry
from ._style import _layout as _base_layout

__all__ = ["class_names", "oof_rows", "default_class", "confusion_figure", "roc_figure", "pr_figure",
           "calibration_figure", "predicted_actual_figure", "residuals_figure", "MAX_POINTS"]

#: Regression scatters draw at most this many rows (a fixed random subset beyond it).
MAX_POINTS = 5_000
_GUIDE = dict(color="rgba(110, 110, 110, 0.8)", width=1.5, dash="dash")
_NO_ROWS = "no predictions: the fit failed on every split"


def class_names(cmp) -> list[str]:
    """The class names of a classification comparison, in class-index order ("class 0"... when unknown)."""
    names = (cmp.dataset or {}).get("classes")
    k = cmp.n_classes or (len(names) if names else int(np.nanmax(cmp.y)) + 1)
    return [str(c) for c in names] if names and len(names) == k else [f"class {i}" for i in range(k)]


def default_class(cmp) -> int:
    """The class a one-vs-rest figure shows first: the positive class (index 1) for binary data, else 0."""
    return 1 if cmp.task == "binary" else 0


def oof_rows(cmp, family: str, *, repeat: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``(y, prediction)`` of ``family`` over the rows it predicted out of fold in ``repeat``.

    Rows whose split failed (NaN predictions) are left out; both arrays are empty
    when every split failed.
    """
    pred = np.asarray(cmp.oof[family][repeat], dtype=float)
    ok = np.isfinite(pred).all(axis=1) if pred.ndim == 2 else np.isfinite(pred)
    return np.asarray(cmp.y)[ok], pred[ok]


def _layout(fig: go.Figure, *, title: str, x: str, y: str, height: int = 480, square: bool = False) -> go.Figure:
    # The shared layout (title above, legend in a row under the x axis title), plus axis titles.
    _base_layout(fig, title=title, height=height)
    fig.update_xaxes(title_text=x)
    fig.update_yaxes(title_text=y)
    if square:
        fig.update_xaxes(range=[-0.02, 1.02], constrain="domain")
        fig.update_yaxes(range=[-0.02, 1.02], scaleanchor="x", scaleratio=1, constrain="domain")
    return fig


def _empty(fig: go.Figure, text: str = _NO_ROWS) -> go.Figure:
    fig.add_annotation(x=0.5, y=0.5, xref="paper", yref="paper", text=text, showarrow=False,
                       font=dict(color="#9E9E9E", size=15))
    return fig


def _which(cmp, positive: int | None) -> tuple[int, str]:
    names = class_names(cmp)
    c = default_class(cmp) if positive is None else int(positive)
    if not 0 <= c < len(names):
        raise ValueError(f"class index {c} is out of range: this data has {len(names)} classes.")
    what = f"positive class: {names[c]}" if cmp.task == "binary" else f"{names[c]} against the rest"
    return c, what


def _families(cmp, families) -> list[str]:
    return list(cmp.families) if families is None else registry.ordered(families)


# ---------------------------------------------------------------------------- classification
def confusion_figure(cmp, family: str, *, repeat: int = 0) -> go.Figure:
    """Confusion matrix of ``family``: rows the actual class, columns the predicted one (the most probable).

    Returns
    -------
    go.Figure
        One heatmap trace whose ``z`` is each cell's share of its actual class
        (rows sum to 1) and whose text shows the count and that share; an
        annotation instead when the family has no predictions.
    """
    names = class_names(cmp)
    y, proba = oof_rows(cmp, family, repeat=repeat)
    fig = go.Figure()
    title = f"Confusion matrix: {registry.label(family)}"
    if not len(y):
        return _layout(_empty(fig), title=title, x="Predicted class", y="Actual class")
    k = len(names)
    counts = confusion_matrix(y, proba.argmax(axis=1), labels=np.arange(k))
    share = counts / np.clip(counts.sum(axis=1, keepdims=True), 1, None)
    text = [[f"{counts[i, j]:,}<br>{share[i, j]:.0%}" for j in range(k)] for i in range(k)]
    bar = dict(title=dict(text="Share of the actual class", side="right"), tickformat=".0%")
    fig.add_trace(go.Heatmap(z=share, x=names, y=names, text=text, texttemplate="%{text}", zmin=0, zmax=1,
                             colorscale="Blues", colorbar=bar, customdata=counts,
                             hovertemplate="actual %{y}, predicted %{x}<br>%{customdata:,} rows "
                                           "(%{z:.1%} of actual %{y})<extra></extra>"))
    fig.update_xaxes(type="category", side="bottom")
    fig.update_yaxes(type="category", autorange="reversed")
    return _layout(fig, title=title, x="Predicted class", y="Actual class", height=max(360, 120 + 45 * k))


def roc_figure(cmp, families=None, *, positive: int | None = None, repeat: int = 0) -> go.Figure:
    """ROC curve of each family for one class against the rest, its area (AUC) in the legend.

    Parameters
    ----------
    cmp : Comparison
        A classification comparison.
    families : sequence of str, optional
        Default every family of the comparison.
    positive : int, optional
        Class index shown as positive (default :func:`default_class`).

    Returns
    -------
    go.Figure
        One line per family with predictions, named ``"<label> (AUC 0.874)"``,
        then the dashed chance diagonal.
    """
    c, what = _which(cmp, positive)
    fig = go.Figure()
    for fam in _families(cmp, families):
        y, proba = oof_rows(cmp, fam, repeat=repeat)
        target = y == c
        if not len(y) or target.all() or not target.any():
            continue
        fpr, tpr, _ = roc_curve(target, proba[:, c])
        fig.add_trace(go.Scatter(x=fpr, y=tpr, mode="lines", name=f"{registry.label(fam)} (AUC {auc(fpr, tpr):.3f})",
                                 line=dict(color=registry.color(fam), width=2.5),
                                 hovertemplate=f"<b>{registry.label(fam)}</b><br>false positives %{{x:.1%}}"
                                               "<br>true positives %{y:.1%}<extra></extra>"))
    if not fig.data:
        _empty(fig)
    fig.add_trace(go.Scatter(x=[0, 1], y=[0, 1], mode="lines", name="Chance (AUC 0.500)", line=_GUIDE,
                             hoverinfo="skip"))
    fig.update_xaxes(tickformat=".0%")
    fig.update_yaxes(tickformat=".0%")
    return _layout(fig, title=f"ROC curve ({what})", x="False positive rate (share of negatives flagged)",
                   y="True positive rate (share of positives found)", square=True)


def pr_figure(cmp, families=None, *, positive: int | None = None, repeat: int = 0) -> go.Figure:
    """Precision against recall of each family for one class, its average precision (AP) in the legend.

    Returns
    -------
    go.Figure
        One line per family with predictions, named ``"<label> (AP 0.812)"``,
        then a dashed line at the class's share of rows: the precision of
        flagging every row.
    """
    c, what = _which(cmp, positive)
    fig = go.Figure()
    prevalence = float(np.mean(np.asarray(cmp.y) == c))
    for fam in _families(cmp, families):
        y, proba = oof_rows(cmp, fam, repeat=repeat)
        target = y == c
        if not len(y) or not target.any():
            continue
        precision, recall, _ = precision_recall_curve(target, proba[:, c])
        ap = average_precision_score(target, proba[:, c])
        fig.add_trace(go.Scatter(x=recall, y=precision, mode="lines", name=f"{registry.label(fam)} (AP {ap:.3f})",
                                 line=dict(color=registry.color(fam), width=2.5, shape="hv"),
                                 hovertemplate=f"<b>{registry.label(fam)}</b><br>recall %{{x:.1%}}"
                                               "<br>precision %{y:.1%}<extra></extra>"))
    if not fig.data:
        _empty(fig)
    fig.add_trace(go.Scatter(x=[0, 1], y=[prevalence, prevalence], mode="lines", line=_GUIDE, hoverinfo="skip",
                             name=f"Flag every row (precision {prevalence:.1%})"))
    fig.update_xaxes(tickformat=".0%")
    fig.update_yaxes(tickformat=".0%")
    return _layout(fig, title=f"Precision-recall curve ({what})", x="Recall (share of positives found)",
                   y="Precision (share of flagged rows that are positive)", square=True)


def calibration_figure(cmp, families=None, *, positive: int | None = None, repeat: int = 0,
                       n_bins: int = 10) -> go.Figure:
    """Reliability diagram: the observed share of the class against the mean predicted probability, per bin.

    Bins are ``n_bins`` equal-width probability ranges (empty bins are left out,
    as ``sklearn.calibration.calibration_curve`` does).

    Returns
    -------
    go.Figure
        One line with markers per family with predictions (one point per
        non-empty bin, its row count in ``customdata``), then the dashed
        diagonal of perfect calibration.
    """
    from sklearn.calibration import calibration_curve  # on first use: it loads more of scikit-learn

    c, what = _which(cmp, positive)
    fig = go.Figure()
    for fam in _families(cmp, families):
        y, proba = oof_rows(cmp, fam, repeat=repeat)
        if not len(y):
            continue
        p = np.clip(proba[:, c], 0.0, 1.0)
        observed, predicted = calibration_curve(y == c, p, n_bins=n_bins, strategy="uniform")
        # Rows per non-empty bin, binned as calibration_curve bins them: a bin of three rows is noise.
        counts = np.bincount(np.searchsorted(np.linspace(0.0, 1.0, n_bins + 1)[1:-1], p), minlength=n_bins)
        fig.add_trace(go.Scatter(x=predicted, y=observed, mode="lines+markers", name=registry.label(fam),
                                 line=dict(color=registry.color(fam), width=2),
                                 marker=dict(color=registry.color(fam), symbol=registry.marker(fam), size=8),
                                 customdata=counts[counts > 0],
                                 hovertemplate=f"<b>{registry.label(fam)}</b><br>predicted %{{x:.1%}}"
                                               "<br>observed %{y:.1%}<br>%{customdata:,} rows<extra></extra>"))
    if not fig.data:
        _empty(fig)
    fig.add_trace(go.Scatter(x=[0, 1], y=[0, 1], mode="lines", name="Perfectly calibrated", line=_GUIDE,
                             hoverinfo="skip"))
    fig.update_xaxes(tickformat=".0%")
    fig.update_yaxes(tickformat=".0%")
    return _layout(fig, title=f"Calibration ({what})", x="Mean predicted probability (per bin)",
                   y="Observed share in the bin", square=True)


# ---------------------------------------------------------------------------- regression
def _drawn(y: np.ndarray, max_points: int) -> tuple[np.ndarray, str]:
    # A fixed random subset keeps a scatter of many rows readable and fast; the caption says how many.
    if len(y) <= max_points:
        return np.arange(len(y)), ""
    idx = np.sort(np.random.default_rng(0).choice(len(y), max_points, replace=False))
    return idx, f" ({max_points:,} of {len(y):,} rows drawn)"


def predicted_actual_figure(cmp, family: str, *, repeat: int = 0, max_points: int = MAX_POINTS) -> go.Figure:
    """Predicted against actual value of ``family``'s out-of-fold predictions, with the diagonal y = x.

    Returns
    -------
    go.Figure
        One marker trace (named by the family's label) and the dashed diagonal
        over the range of both.
    """
    y, pred = oof_rows(cmp, family, repeat=repeat)
    fig = go.Figure()
    title = f"Predicted against actual: {registry.label(family)}"
    if not len(y):
        return _layout(_empty(fig), title=title, x="Actual value", y="Predicted value")
    idx, note = _drawn(y, max_points)
    fig.add_trace(go.Scatter(x=y[idx], y=pred[idx], mode="markers", name=registry.label(family),
                             marker=dict(color=registry.color(family), symbol=registry.marker(family), size=6,
                                         opacity=0.55),
                             hovertemplate="actual %{x:.4g}<br>predicted %{y:.4g}<extra></extra>"))
    lo, hi = float(min(y.min(), pred.min())), float(max(y.max(), pred.max()))
    fig.add_trace(go.Scatter(x=[lo, hi], y=[lo, hi], mode="lines", name="Perfect prediction", line=_GUIDE,
                             hoverinfo="skip"))
    return _layout(fig, title=title + note, x="Actual value", y="Predicted value")


def residuals_figure(cmp, family: str, *, repeat: int = 0, max_points: int = MAX_POINTS) -> go.Figure:
    """Residual (actual minus predicted) against predicted value of ``family``, with the zero line.

    A funnel or a curve in the cloud means the errors depend on the prediction.

    Returns
    -------
    go.Figure
        One marker trace (named by the family's label) and the dashed zero line.
    """
    y, pred = oof_rows(cmp, family, repeat=repeat)
    fig = go.Figure()
    title = f"Residuals: {registry.label(family)}"
    if not len(y):
        return _layout(_empty(fig), title=title, x="Predicted value", y="Residual (actual − predicted)")
    idx, note = _drawn(y, max_points)
    resid = y - pred
    fig.add_trace(go.Scatter(x=pred[idx], y=resid[idx], mode="markers", name=registry.label(family),
                             marker=dict(color=registry.color(family), symbol=registry.marker(family), size=6,
                                         opacity=0.55),
                             hovertemplate="predicted %{x:.4g}<br>residual %{y:.4g}<extra></extra>"))
    fig.add_trace(go.Scatter(x=[float(pred.min()), float(pred.max())], y=[0, 0], mode="lines", name="No error",
                             line=_GUIDE, hoverinfo="skip"))
    return _layout(fig, title=title + note, x="Predicted value", y="Residual (actual − predicted)")
