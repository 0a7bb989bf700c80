"""Figures of :mod:`dllab.analyses.subgroups`: slice scores, worst slices, disagreement and the shift test."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from ...metrics import METRICS
from ... import families as registry
from ._style import _FONT, _is_rate, _style, axis_title


def _wrap(text: str, width: int = 42) -> str:
    # Long slice descriptions on a category axis: break at " and " so the margin stays readable.
    if len(text) <= width:
        return text
    return text.replace(" and ", "<br>and ", 1)


def _metric_fmt(metric: str | None) -> str:
    return ".1%" if metric is not None and _is_rate(metric) else ".3g"


def slice_heatmap_figure(table, *, metric: str | None = None) -> go.Figure:
    """Score of every model on every slice as a heat map (rows: slices, columns: models).

    Parameters
    ----------
    table : DataFrame
        As :func:`dllab.analyses.subgroups.slice_table` returns it: index = slice description, one column per
        family (other columns such as ``size`` and ``uncertain`` are not drawn). Rows are drawn top to
        bottom in the table's order.
    metric : str, optional
        The metric of the values: titles the colour bar, formats the cell text, and reverses the
        colours for lower-is-better metrics so red always means worse.

    Returns
    -------
    go.Figure
        One ``Heatmap`` trace named ``"score"``: ``x`` the family labels, ``y`` the slice descriptions
        with their row counts.
    """
    families = [c for c in table.columns if c in registry.names()]
    z = table[families].to_numpy(dtype=float)
    sizes = table["size"].tolist() if "size" in table.columns else [None] * len(table)
    ylabels = [_wrap(str(d)) + (f" (n={int(n):,})" if n is not None else "") for d, n in zip(table.index, sizes)]
    fmt = _metric_fmt(metric)
    higher = METRICS[metric].higher_is_better if metric else True
    label = METRICS[metric].label if metric else "Score"
    text = [[("—" if not np.isfinite(v) else format(v, fmt)) for v in row] for row in z]
    fig = go.Figure(go.Heatmap(
        z=np.where(np.isfinite(z), z, None).tolist(), x=[registry.label(f) for f in families], y=ylabels,
        name="score", text=text, texttemplate="%{text}", colorscale="RdYlGn", reversescale=not higher,
        colorbar=dict(title=dict(text=label), tickformat=fmt), xgap=2, ygap=2,
        hovertemplate="%{y}<br>%{x}: %{text}<extra></extra>"))
    fig.update_yaxes(autorange="reversed", title_text="Slice (rows)", automargin=True)
    fig.update_xaxes(title_text="Model family", side="top")
    fig.update_layout(title=dict(text=f"{label} by slice and model", x=0, xanchor="left"), template="plotly_white",
                      font=_FONT, height=max(360, 140 + 30 * len(table)), margin=dict(l=40, r=30, t=110, b=40))
    return fig


def worst_slices_figure(report, family: str, *, top_k: int = 10) -> go.Figure:
    """The significantly worst slices of one family: score with 95% CI, and the overall score as a line.

    Returns
    -------
    go.Figure
        One marker trace named by the family's label (one point per slice of ``report.worst``,
        horizontal error bars), and a vertical line at the family's overall score. An empty
        figure says so in an annotation.
    """
    worst = report.worst(family, top_k=top_k)
    metric = report.metric
    color, label = registry.color(family), registry.label(family)
    overall = float(report.overall.loc[family, "score"])
    fig = go.Figure()
    if len(worst):
        score = worst["score"].to_numpy(dtype=float)
        fig.add_trace(go.Scatter(
            x=score.tolist(), y=[_wrap(d) + f" (n={int(n):,})" for d, n in zip(worst["description"], worst["size"])],
            name=label, mode="markers", marker=dict(color=color, size=12, symbol=registry.marker(family)),
            error_x=dict(type="data", symmetric=False, array=np.nan_to_num(worst["ci_high"] - score).tolist(),
                         arrayminus=np.nan_to_num(score - worst["ci_low"]).tolist(), color=color, thickness=2),
            customdata=worst[["ci_low", "ci_high", "gap"]].to_numpy(dtype=float).tolist(),
            hovertemplate=f"<b>%{{y}}</b><br>{METRICS[metric].label}: %{{x:.3f}} (95% CI %{{customdata[0]:.3f}} "
                          "to %{customdata[1]:.3f})<br>gap to overall: %{customdata[2]:+.3f}<extra></extra>"))
    else:
        fig.add_annotation(x=0.5, y=0.5, xref="paper", yref="paper", showarrow=False,
                           text=f"No slice is significantly worse than the rest for {label}")
        fig.update_xaxes(visible=False)
        fig.update_yaxes(visible=False)
    fig.add_vline(x=overall, line=dict(color="#444444", width=1.5, dash="dash"),
                  annotation_text=f"overall {format(overall, _metric_fmt(metric))}", annotation_position="top")
    fig.update_yaxes(autorange="reversed", title_text="Slice (rows)", automargin=True)
    fig.update_xaxes(title_text=axis_title(metric))
    fig.update_layout(showlegend=False)
    fig = _style(fig, metric=metric, title=f"{label}: significantly worse slices, with 95% CI",
                 height=max(320, 120 + 40 * max(len(worst), 1)))
    if _is_rate(metric):
        fig.update_xaxes(tickformat=".0%")
        fig.update_yaxes(tickformat=None)
    return fig


def disagreement_figure(report, *, top_k: int = 8) -> go.Figure:
    """Where two families disagree: mean per-row loss difference by slice, with 95% intervals.

    Reads ``report.disagreement(significant_only=False)``: the ``top_k`` slices where the first family
    of ``report.pair`` has the most higher loss, and the ``top_k`` where it has the most lower loss.

    Returns
    -------
    go.Figure
        Up to two horizontal bar traces, each in the colour of the family that does better on its
        slices: ``"<A label> better (lower loss)"`` (difference < 0) and ``"<B label> better (lower
        loss)"`` (difference > 0). Slices that are not significant are drawn faded. A dashed line
        marks the all-rows difference.
    """
    fig = go.Figure()
    if not report.pair:
        fig.add_annotation(x=0.5, y=0.5, xref="paper", yref="paper", showarrow=False,
                           text="Needs two model families with predictions")
        return _style(fig, metric="log_loss", title="Where the families disagree")
    a, b = report.pair
    la, lb = registry.label(a), registry.label(b)
    loss = "log loss" if report.task != "regression" else "squared error"
    d = report.disagreement(direction="both", top_k=top_k, significant_only=False)
    d = d.sort_values("mean_diff", ascending=True)
    for direction, name, color in (("below", f"{la} better (lower loss)", registry.color(a)),
                                   ("above", f"{lb} better (lower loss)", registry.color(b))):
        part = d[d.direction == direction]
        if part.empty:
            continue
        mean = part["mean_diff"].to_numpy(dtype=float)
        sig = part["significant"].to_numpy(dtype=bool)
        fig.add_trace(go.Bar(
            x=mean.tolist(), y=[_wrap(s) + f" (n={int(n):,})" for s, n in zip(part["description"], part["size"])],
            orientation="h", name=name, marker=dict(color=color, opacity=[1.0 if s else 0.4 for s in sig]),
            error_x=dict(type="data", symmetric=False, array=np.nan_to_num(part["ci_high"] - mean).tolist(),
                         arrayminus=np.nan_to_num(mean - part["ci_low"]).tolist(), color="#444444", thickness=1.5),
            customdata=np.column_stack([part["ci_low"], part["ci_high"], part["q_value"]]).tolist(),
            hovertemplate="<b>%{y}</b><br>difference: %{x:+.3f} (95% CI %{customdata[0]:.3f} to "
                          "%{customdata[1]:.3f})<br>q = %{customdata[2]:.3g}<extra></extra>"))
    # The all-rows difference has no public accessor yet (only to_dict()["disagreement_overall"]).
    overall = getattr(report, "disagreement_overall", getattr(report, "_pair_overall", None))
    title = f"Per-row {loss}: {la} minus {lb} (> 0: {la} worse)"
    if overall is not None and np.isfinite(overall):
        fig.add_vline(x=float(overall), line=dict(color="#444444", width=1.5, dash="dash"))
        title += f"<br>dashed: all rows, {overall:+.3f}"
    fig.add_vline(x=0, line=dict(color="#999999", width=1))
    fig.update_xaxes(title_text=title)
    fig.update_yaxes(title_text="Slice (rows)", automargin=True)
    fig.update_layout(showlegend=True)
    return _style(fig, metric="log_loss", title=f"Per-row loss difference by slice: {la} vs {lb}",
                  height=max(360, 140 + 34 * len(d)))


def shift_figure(rows) -> go.Figure:
    """The shift test: how much each family's score drops on a held-out group, vs a random split.

    Parameters
    ----------
    rows : list of dict
        As :func:`dllab.analyses.subgroups.shift_test` returns them (failed rows are skipped).

    Returns
    -------
    go.Figure
        One marker trace per family named by its label: x = the held-out group, y = the drop
        (random-split score minus held-out score, positive = worse under shift) with its 95%
        interval as error bars.
    """
    ok = [r for r in rows if r.get("status") == "ok" and r.get("drop") is not None]
    metric = ok[0]["metric"] if ok else (rows[0]["metric"] if rows else "accuracy")
    column = rows[0]["column"] if rows else ""
    groups = list(dict.fromkeys(f"{r['group']} (n={r['size']:,})" for r in rows))
    fig = go.Figure()
    for fam in registry.ordered(r["family"] for r in ok):
        mine = [r for r in ok if r["family"] == fam]
        drop = np.array([r["drop"] for r in mine], dtype=float)
        lo = np.array([np.nan if r.get("drop_ci_low") is None else r["drop_ci_low"] for r in mine], dtype=float)
        hi = np.array([np.nan if r.get("drop_ci_high") is None else r["drop_ci_high"] for r in mine], dtype=float)
        color, label = registry.color(fam), registry.label(fam)
        fig.add_trace(go.Scatter(
            x=[f"{r['group']} (n={r['size']:,})" for r in mine], y=drop.tolist(), name=label, mode="markers",
            marker=dict(color=color, size=13, symbol=registry.marker(fam)),
            error_y=dict(type="data", symmetric=False, array=np.nan_to_num(hi - drop).tolist(),
                         arrayminus=np.nan_to_num(drop - lo).tolist(), color=color, thickness=2),
            customdata=[[r["shift_score"], r["random_score"]] for r in mine],
            hovertemplate=f"<b>{label}</b> · held out %{{x}}<br>drop: %{{y:.4f}}<br>held-out score: "
                          "%{customdata[0]:.4f} · random split: %{customdata[1]:.4f}<extra></extra>"))
    fig.add_hline(y=0, line=dict(color="#999999", width=1))
    fig.update_xaxes(title_text=f"Held-out group of {column}", categoryorder="array", categoryarray=groups,
                     type="category")
    fig.update_yaxes(title_text=f"Drop in {METRICS[metric].label} vs a random split (> 0: worse)")
    fig.update_layout(scattermode="group")
    return _style(fig, metric=metric, title=f"Train without one group of {column}, test on it")
