"""Figures of :mod:`dllab.analyses.subgroups`: slice scores, worst slices, disagreement and the shift test.

Every figure takes the shared layout of ``_style`` (title above the plot, legend
below it); the heat map uses the shared colour-blind-safe diverging scale,
centred on the report's overall score, so the app and the HTML report colour it
alike. Numbers read as :func:`dllab.metrics.format_score` writes them.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from ... import families as registry
from ...metrics import METRICS, format_diff, format_interval, format_score
from ...analyses.subgroups.shift import is_beyond_noise
from ...analyses.subgroups.tables import format_q
from ._style import DIVERGING, _diverging, _is_rate, _layout, _style, axis_title


def _wrap(text: str, width: int = 42) -> str:
    # Long slice descriptions on a category axis: break at " and " so the margin stays readable.
    if len(text) <= width:
        return text
    return text.replace(" and ", "<br>and ", 1)


def _reference(table, overall, families) -> float:
    # The white of the scale: the mean overall score of the families drawn (from the report when the
    # table carries it), so the colours do not depend on which slices a caller picked.
    overall = overall if overall is not None else table.attrs.get("overall")
    if overall:
        vals = [float(overall[f]) for f in families if f in overall and np.isfinite(overall[f])]
        if vals:
            return float(np.mean(vals))
    z = table[families].to_numpy(dtype=float)
    return float(np.nanmean(z)) if np.isfinite(z).any() else 0.0


def slice_heatmap_figure(table, *, metric: str | None = None, overall=None) -> go.Figure:
    """Score of every model on every slice as a heat map (rows: slices, columns: models).

    Colours use the shared colour-blind-safe diverging scale (:data:`._style.DIVERGING`): white at
    the overall score, orange below it (worse), purple above it (better), over a range that depends
    only on the metric and that overall score (20 points either side for accuracy), so the same
    report gives the same colours in the app and in the HTML report.

    Parameters
    ----------
    table : DataFrame
        As :func:`dllab.analyses.subgroups.slice_table` returns it: index = slice description, one column per
        family (other columns such as ``size`` and ``uncertain`` are not drawn). Rows are drawn top to
        bottom in the table's order.
    metric : str, optional
        The metric of the values (default: ``table.attrs["metric"]``): titles the colour bar, formats
        the cell text, and reverses the colours for lower-is-better metrics so orange always means worse.
    overall : mapping of str to float, optional
        Each family's score on all rows (default: ``table.attrs["overall"]``); the scale's centre is
        their mean. Without either, the centre is the mean of the cells drawn.

    Returns
    -------
    go.Figure
        One ``Heatmap`` trace named ``"score"``: ``x`` the family labels, ``y`` the slice descriptions
        with their row counts, ``zmid`` the centre.
    """
    metric = metric or table.attrs.get("metric")
    families = [c for c in table.columns if c in registry.names()]
    z = table[families].to_numpy(dtype=float)
    sizes = table["size"].tolist() if "size" in table.columns else [None] * len(table)
    ylabels = [_wrap(str(d)) + (f" (n={int(n):,})" if n is not None else "") for d, n in zip(table.index, sizes)]
    higher = METRICS[metric].higher_is_better if metric else True
    label = METRICS[metric].label if metric else "Score"
    centre = _reference(table, overall, families)
    zmin, zmax = _diverging(metric, centre) if metric else (centre - 1.0, centre + 1.0)
    show = format_score if metric else (lambda _m, v: format(v, ".3g"))
    text = [[show(metric, v) for v in row] for row in z]
    diff = [[(format_diff(metric, v - centre, signed=True) if metric else format(v - centre, "+.3g"))
             if np.isfinite(v) else "—" for v in row] for row in z]
    ticks = [zmin, (zmin + centre) / 2, centre, (centre + zmax) / 2, zmax]
    if metric:  # no tick beyond what the metric can reach (an accuracy above 100%)
        lo, hi = METRICS[metric].bounds
        ticks = [t for t in ticks if lo - 1e-12 <= t <= hi + 1e-12]
    ticktext = [show(metric, t) + (" all rows" if t == centre else "") for t in ticks]
    fig = go.Figure(go.Heatmap(
        z=np.where(np.isfinite(z), z, None).tolist(), x=[registry.label(f) for f in families], y=ylabels,
        name="score", text=text, texttemplate="%{text}", customdata=diff, colorscale=DIVERGING,
        reversescale=not higher, zmin=zmin, zmax=zmax, zmid=centre,
        colorbar=dict(title=dict(text=label), tickvals=ticks, ticktext=ticktext), xgap=2, ygap=2,
        hovertemplate="%{y}<br>%{x}: %{text} (%{customdata} against the overall " + show(metric, centre)
                      + ")<extra></extra>"))
    fig.update_yaxes(autorange="reversed", title_text="Slice (rows)", automargin=True)
    fig.update_xaxes(side="top", automargin=True)  # the family labels head the columns
    _layout(fig, title=f"{label} by slice and model", height=max(360, 160 + 30 * len(table)))
    # The family labels sit above the plot area, where a title anchored to it would meet them: this
    # title is pinned to the top of the figure instead, with a top margin that holds both.
    fig.update_layout(title=dict(yref="container", y=1, yanchor="top", automargin=False, pad=dict(t=14, b=0)),
                      margin=dict(l=40, r=30, t=80, b=30))
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
            customdata=[[format_score(metric, v), format_interval(metric, lo, hi), format_diff(metric, g, signed=True),
                         format_q(q)] for v, lo, hi, g, q in zip(score, worst["ci_low"], worst["ci_high"],
                                                                 worst["gap"], worst["q_value"])],
            hovertemplate=f"<b>%{{y}}</b><br>{METRICS[metric].label}: %{{customdata[0]}} (95% CI "
                          "%{customdata[1]})<br>gap to overall: %{customdata[2]}<br>corrected p (q): "
                          "%{customdata[3]}<extra></extra>"))
    else:
        fig.add_annotation(x=0.5, y=0.5, xref="paper", yref="paper", showarrow=False,
                           text=f"No slice is significantly worse than the rest for {label}")
        fig.update_xaxes(visible=False)
        fig.update_yaxes(visible=False)
    fig.add_vline(x=overall, line=dict(color="#444444", width=1.5, dash="dash"),
                  annotation_text=f"all rows {format_score(metric, overall)}", annotation_position="top")
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
            customdata=[[f"{lo:.3f}", f"{hi:.3f}", format_q(q)]
                        for lo, hi, q in zip(part["ci_low"], part["ci_high"], part["q_value"])],
            hovertemplate="<b>%{y}</b><br>difference: %{x:+.3f} (95% CI %{customdata[0]} to "
                          "%{customdata[1]})<br>corrected p (q): %{customdata[2]}<extra></extra>"))
    overall = report.disagreement_overall
    title = f"Per-row {loss}: {la} minus {lb}<br>right of zero: {la} worse"
    if overall is not None and np.isfinite(overall):
        fig.add_vline(x=float(overall), line=dict(color="#444444", width=1.5, dash="dash"))
        title += f"; dashed: all rows, {overall:+.3f}"
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
        interval as error bars; a filled marker is a drop beyond noise, an open one is within noise.
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
        symbol = registry.marker(fam)
        noise = [is_beyond_noise(r) for r in mine]
        fig.add_trace(go.Scatter(
            x=[f"{r['group']} (n={r['size']:,})" for r in mine], y=drop.tolist(), name=label, mode="markers",
            marker=dict(color=color, size=13, symbol=[symbol if b else f"{symbol}-open" for b in noise],
                        line=dict(width=2, color=color)),
            error_y=dict(type="data", symmetric=False, array=np.nan_to_num(hi - drop).tolist(),
                         arrayminus=np.nan_to_num(drop - lo).tolist(), color=color, thickness=2),
            customdata=[[format_diff(metric, r["drop"], signed=True), format_score(metric, r["shift_score"]),
                         format_score(metric, r["random_score"]), "beyond noise" if b else "within noise"]
                        for r, b in zip(mine, noise)],
            hovertemplate=f"<b>{label}</b> · held out %{{x}}<br>drop: %{{customdata[0]}} (%{{customdata[3]}})"
                          "<br>held-out score: %{customdata[1]} · random split: %{customdata[2]}<extra></extra>"))
    fig.add_hline(y=0, line=dict(color="#999999", width=1))
    fig.update_xaxes(title_text=f"Held-out group of {column}", categoryorder="array", categoryarray=groups,
                     type="category")
    fig.update_yaxes(title_text=f"Drop in {METRICS[metric].label} vs a random split (> 0: worse)")
    fig.update_layout(scattermode="group")
    # tall enough for the y axis title to fit beside the plot area (it would run into the title)
    fig = _style(fig, metric=metric, title=f"Train without one group of {column}, test on it", height=560)
    fig.update_layout(title_subtitle_text="Filled marker: a drop beyond noise; open marker: within noise")
    return fig
