"""Figures of a :class:`~dllab.analyses.comparison.Comparison`: scores with CIs, cost, per-split scores."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from ...metrics import METRICS
from ... import families as registry
from ._style import _style, axis_title

_FAILED_COLOR = "#9E9E9E"


def _finite(v) -> float | None:
    v = float(v)
    return v if np.isfinite(v) else None


def _error_bars(rows, metric: str) -> dict:
    mean = rows[metric].to_numpy(dtype=float)
    plus = rows[f"{metric}_high"].to_numpy(dtype=float) - mean
    minus = mean - rows[f"{metric}_low"].to_numpy(dtype=float)
    return dict(type="data", symmetric=False, array=np.nan_to_num(plus).tolist(),
                arrayminus=np.nan_to_num(minus).tolist(), thickness=2, width=8)


def _n_splits(cmp) -> int:
    return len(cmp.splits) if cmp.splits is not None else 0


def comparison_figure(cmp, *, metric: str | None = None) -> go.Figure:
    """Mean score of each family with its 95% confidence interval.

    Parameters
    ----------
    cmp : Comparison
    metric : str, optional
        One of ``cmp.metric_names``; default the primary metric.

    Returns
    -------
    go.Figure
        One scatter trace per family that has a score (named by its label, one
        point with asymmetric error bars); a family that failed on every split
        gets an annotation saying so instead of a point.
    """
    metric = metric or cmp.metric
    fig = go.Figure()
    labels = [registry.label(f) for f in cmp.families]
    for fam in cmp.families:
        rows = cmp.overall.loc[[fam]]
        if not np.isfinite(float(rows[metric].iloc[0])):
            fig.add_annotation(x=registry.label(fam), y=0.5, yref="paper", text="failed: no score",
                               showarrow=False, font=dict(color=_FAILED_COLOR))
            continue
        mean, lo, hi = (float(rows[c].iloc[0]) for c in (metric, f"{metric}_low", f"{metric}_high"))
        fig.add_trace(go.Scatter(
            x=[registry.label(fam)], y=[mean], name=registry.label(fam), mode="markers",
            marker=dict(color=registry.color(fam), size=14, symbol=registry.marker(fam)),
            error_y=dict(_error_bars(rows, metric), color=registry.color(fam)),
            customdata=[[lo, hi]],
            hovertemplate=f"<b>{registry.label(fam)}</b><br>{METRICS[metric].label}: %{{y:.4f}}"
                          "<br>95% CI: %{customdata[0]:.4f} to %{customdata[1]:.4f}<extra></extra>"))
    fig.update_xaxes(title_text="Model family", categoryorder="array", categoryarray=labels, type="category")
    fig.update_yaxes(title_text=axis_title(metric))
    fig.update_layout(showlegend=False)  # the x axis names the families
    return _style(fig, metric=metric,
                  title=f"Mean {METRICS[metric].label} over {_n_splits(cmp)} splits, with 95% CI")


def cost_figure(cmp, *, metric: str | None = None) -> go.Figure:
    """Score against mean training time per split (log scale): what each point of score costs.

    Returns
    -------
    go.Figure
        One trace per family with a score: x = mean fit seconds per split,
        y = mean score with its 95% CI as error bars.
    """
    metric = metric or cmp.metric
    fig = go.Figure()
    for fam in cmp.families:
        rows = cmp.overall.loc[[fam]]
        mean, seconds = float(rows[metric].iloc[0]), float(rows["fit_seconds"].iloc[0])
        if not (np.isfinite(mean) and np.isfinite(seconds)):
            continue
        fig.add_trace(go.Scatter(
            x=[max(seconds, 1e-3)], y=[mean], name=registry.label(fam), mode="markers",
            marker=dict(color=registry.color(fam), size=14, symbol=registry.marker(fam)),
            error_y=dict(_error_bars(rows, metric), color=registry.color(fam)),
            customdata=[[seconds, str(rows["device"].iloc[0])]],
            hovertemplate=f"<b>{registry.label(fam)}</b><br>{METRICS[metric].label}: %{{y:.4f}}"
                          "<br>training: %{customdata[0]:.2f} s per split on %{customdata[1]}<extra></extra>"))
    fig.update_xaxes(title_text="Mean training time per split (seconds, log scale)", type="log")
    fig.update_yaxes(title_text=axis_title(metric))
    return _style(fig, metric=metric, title=f"{METRICS[metric].label} against training cost")


def split_scores_figure(cmp, *, metric: str | None = None) -> go.Figure:
    """Every split's score per family; grey lines join the scores of one split.

    The paired tests compare families split by split: lines that all slope the
    same way mean a consistent difference, crossing lines a noisy one.

    Returns
    -------
    go.Figure
        One grey line trace per split (not in the legend), then one marker trace
        per family with one point per split that has a score.
    """
    metric = metric or cmp.metric
    fig = go.Figure()
    labels = [registry.label(f) for f in cmp.families]
    scores = {fam: cmp.split_scores(fam, metric) for fam in cmp.families}
    n = _n_splits(cmp)
    for i in range(n):
        ys = [_finite(scores[f][i]) if i < len(scores[f]) else None for f in cmp.families]
        fig.add_trace(go.Scatter(x=labels, y=ys, mode="lines", showlegend=False, hoverinfo="skip",
                                 line=dict(color="rgba(120,120,120,0.35)", width=1),
                                 name=f"split {i + 1}"))
    for fam in cmp.families:
        idx = [i for i, v in enumerate(scores[fam]) if np.isfinite(v)]
        where = [_split_name(cmp, i) for i in idx]
        fig.add_trace(go.Scatter(
            x=[registry.label(fam)] * len(idx), y=[float(scores[fam][i]) for i in idx], name=registry.label(fam),
            mode="markers", marker=dict(color=registry.color(fam), size=10, symbol=registry.marker(fam),
                                        line=dict(color="white", width=1)),
            customdata=[[w] for w in where],
            hovertemplate=f"<b>{registry.label(fam)}</b> %{{customdata[0]}}<br>"
                          f"{METRICS[metric].label}: %{{y:.4f}}<extra></extra>"))
    fig.update_xaxes(title_text="Model family", categoryorder="array", categoryarray=labels, type="category")
    fig.update_yaxes(title_text=axis_title(metric))
    fig.update_layout(showlegend=False)  # the x axis names the families
    return _style(fig, metric=metric, title=f"{METRICS[metric].label} on each of the {n} splits")


def _split_name(cmp, i: int) -> str:
    repeat, fold = cmp.splits.label(i)
    return f"fold {fold + 1}" + (f", repeat {repeat + 1}" if cmp.splits.n_repeats > 1 else "")
