"""Figures of a :class:`~dllab.analyses.comparison.Comparison`: scores with CIs, cost, per-split scores.

The baseline (a model that ignores the columns, ``cmp.baseline``) is a dotted
line on the chart of mean scores, so every score is read against it.
Titles and legends follow the shared layout (``_style._layout``): the title
above the plot area, the legend in a row under the x axis title.
"""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from ...metrics import METRICS, format_score
from ... import families as registry
from ._style import _style, axis_title

__all__ = ["comparison_figure", "cost_figure", "split_scores_figure", "hover_format"]

_FAILED_COLOR = "#9E9E9E"
_BASELINE_COLOR = "#6E6E6E"


def hover_format(metric: str) -> str:
    """The d3 format of ``metric`` in hover labels, as :func:`dllab.metrics.format_score` writes it.

    Examples
    --------
    >>> hover_format("accuracy"), hover_format("mcc"), hover_format("rmse")
    ('.1%', '.3f', '.3g')
    """
    style = METRICS[metric].style
    return ".1%" if style == "percent" else (".3f" if style == "decimal" else ".3g")


def _axis_format(fig: go.Figure, metric: str) -> go.Figure:
    # Scores read as decimals (ROC AUC, MCC) keep decimals on the axis too, as in the tables.
    if METRICS[metric].style == "decimal":
        fig.update_yaxes(tickformat=".2f")
    return fig


def _log_ticks(lo: float, hi: float) -> dict:
    """Ticks at 1, 2, 5 x 10^k seconds from just below ``lo`` to just above ``hi`` ("0.05 s", "1 s", "20 s"),
    and the log axis range that shows them.

    Examples
    --------
    >>> _log_ticks(0.05, 12.0)["ticktext"]
    ['0.05 s', '0.1 s', '0.2 s', '0.5 s', '1 s', '2 s', '5 s', '10 s', '20 s']
    """
    lo, hi = max(lo, 1e-3), max(hi, 1e-3)
    values = [m * 10.0 ** e for e in range(int(np.floor(np.log10(lo))) - 1, int(np.ceil(np.log10(hi))) + 1)
              for m in (1, 2, 5)]
    first = max([v for v in values if v <= lo * 1.0001], default=values[0])
    last = min([v for v in values if v >= hi * 0.9999], default=values[-1])
    shown = [v for v in values if first <= v <= last]
    # The axis spans the first to the last tick, so the outermost points have a labelled tick beside them.
    span = [np.log10(first) - 0.08, np.log10(last) + 0.08]
    return dict(tickvals=shown, ticktext=[f"{v:.4g} s" for v in shown], range=span)


def _tick(label: str) -> str:
    # Long family labels break over two lines so they stay level under a half-width chart.
    return "<br>".join(textwrap.wrap(label, 18)) or label


def _baseline_row(cmp) -> pd.Series | None:
    base = getattr(cmp, "baseline", None)
    return base.iloc[0] if isinstance(base, pd.DataFrame) and len(base) else None


def _baseline_line(fig: go.Figure, cmp, metric: str) -> None:
    row = _baseline_row(cmp)
    if row is None or not np.isfinite(float(row[metric])):
        return
    text = f"{row.get('label', 'Baseline')}: {format_score(metric, float(row[metric]))}"
    fig.add_hline(y=float(row[metric]), line=dict(color=_BASELINE_COLOR, width=1.5, dash="dot"),
                  annotation=dict(text=text, font=dict(color=_BASELINE_COLOR, size=12)),
                  annotation_position="bottom right")


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
    ticks = [_tick(registry.label(f)) for f in cmp.families]
    fmt = hover_format(metric)
    for fam in cmp.families:
        rows = cmp.overall.loc[[fam]]
        if not np.isfinite(float(rows[metric].iloc[0])):
            fig.add_annotation(x=_tick(registry.label(fam)), y=0.5, yref="paper", text="failed: no score",
                               showarrow=False, font=dict(color=_FAILED_COLOR))
            continue
        mean, lo, hi = (float(rows[c].iloc[0]) for c in (metric, f"{metric}_low", f"{metric}_high"))
        fig.add_trace(go.Scatter(
            x=[_tick(registry.label(fam))], y=[mean], name=registry.label(fam), mode="markers",
            marker=dict(color=registry.color(fam), size=14, symbol=registry.marker(fam)),
            error_y=dict(_error_bars(rows, metric), color=registry.color(fam)),
            customdata=[[lo, hi]],
            hovertemplate=f"<b>{registry.label(fam)}</b><br>{METRICS[metric].label}: %{{y:{fmt}}}"
                          f"<br>95% CI: %{{customdata[0]:{fmt}}} to %{{customdata[1]:{fmt}}}<extra></extra>"))
    _baseline_line(fig, cmp, metric)
    fig.update_xaxes(title_text="Model family", categoryorder="array", categoryarray=ticks, type="category")
    fig.update_yaxes(title_text=axis_title(metric))
    fig.update_layout(showlegend=False)  # the x axis names the families
    fig = _style(fig, metric=metric, title=f"Mean {METRICS[metric].label} over {_n_splits(cmp)} splits, with 95% CI")
    return _axis_format(fig, metric)


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
            hovertemplate=f"<b>{registry.label(fam)}</b><br>{METRICS[metric].label}: %{{y:{hover_format(metric)}}}"
                          "<br>training: %{customdata[0]:.2f} s per split on %{customdata[1]}<extra></extra>"))
    seconds = [t.x[0] for t in fig.data]
    fig.update_xaxes(title_text="Mean training time per split (seconds, log scale)", type="log",
                     **_log_ticks(min(seconds, default=1.0), max(seconds, default=1.0)))
    fig.update_yaxes(title_text=axis_title(metric))
    fig = _style(fig, metric=metric, title=f"{METRICS[metric].label} against training cost")
    return _axis_format(fig, metric)


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
    labels = [_tick(registry.label(f)) for f in cmp.families]
    fmt = hover_format(metric)
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
            x=[_tick(registry.label(fam))] * len(idx), y=[float(scores[fam][i]) for i in idx],
            name=registry.label(fam),
            mode="markers", marker=dict(color=registry.color(fam), size=10, symbol=registry.marker(fam),
                                        line=dict(color="white", width=1)),
            customdata=[[w] for w in where],
            hovertemplate=f"<b>{registry.label(fam)}</b> %{{customdata[0]}}<br>"
                          f"{METRICS[metric].label}: %{{y:{fmt}}}<extra></extra>"))
    fig.update_xaxes(title_text="Model family", categoryorder="array", categoryarray=labels, type="category")
    fig.update_yaxes(title_text=axis_title(metric))
    fig.update_layout(showlegend=False)  # the x axis names the families
    fig = _style(fig, metric=metric, title=f"{METRICS[metric].label} on each of the {n} splits")
    return _axis_format(fig, metric)


def _split_name(cmp, i: int) -> str:
    repeat, fold = cmp.splits.label(i)
    return f"fold {fold + 1}" + (f", repeat {repeat + 1}" if cmp.splits.n_repeats > 1 else "")
