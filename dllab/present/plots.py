"""Plotly figures of dllab results: pure functions ``result -> go.Figure``.

Nothing here computes a metric, reads a file or calls streamlit: every number
drawn is read from the result object, so a figure can be rebuilt (restyled,
another metric picked) without refitting. Each model family has one colour and
one marker, from its record in :mod:`dllab.families`, used by every chart in the
app and the reports.

Examples
--------
>>> from dllab import families
>>> families.color("gbm")
'#E69F00'
>>> axis_title("rmse")
'RMSE (lower is better)'
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from ..metrics import METRICS
from .. import families as registry

__all__ = ["axis_title", "comparison_figure", "cost_figure",
           "split_scores_figure", "learning_curve_figure", "fit_time_figure", "slice_heatmap_figure",
           "worst_slices_figure", "disagreement_figure", "shift_figure", "importance_order", "importance_figure",
           "dependence_figure", "local_figure", "pixel_map_figure", "PIXEL_COLORSCALE"]

_FAILED_COLOR = "#9E9E9E"
_FONT = dict(family="Source Sans Pro, Helvetica, Arial, sans-serif", size=14)


# =========================================================================== helpers
def axis_title(metric: str) -> str:
    """Axis title of ``metric``: its label and which direction is better."""
    m = METRICS[metric]
    return f"{m.label} ({'higher' if m.higher_is_better else 'lower'} is better)"


def _is_rate(metric: str) -> bool:
    # Scores bounded to [0, 1] (accuracy, AUC, F1) read best as percentages.
    return tuple(METRICS[metric].bounds) == (0.0, 1.0)


def _style(fig: go.Figure, *, title: str, metric: str, height: int = 420) -> go.Figure:
    fig.update_layout(title=dict(text=title, x=0, xanchor="left", y=0.98, yanchor="top"), template="plotly_white",
                      font=_FONT, height=height, margin=dict(l=70, r=30, t=95, b=60),
                      legend=dict(orientation="h", yanchor="bottom", y=1.02, x=0, xanchor="left"))
    if _is_rate(metric):
        fig.update_yaxes(tickformat=".1%")
    return fig


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


# =========================================================================== figures
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



# =========================================================================== data-size curves
_ROWS_TITLE = "Training rows (log scale)"
_EXTRAPOLATION_FILL = "rgba(120, 120, 120, 0.07)"
_CROSSOVER_COLOR = "#CC3311"


def _rgba(hex_color: str, alpha: float) -> str:
    h = hex_color.lstrip("#")
    r, g, b = (int(h[i:i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r}, {g}, {b}, {alpha})"


def _band_trace(x, low, high, *, name: str, color: str, group: str, alpha: float) -> go.Scatter | None:
    x, low, high = (np.asarray(v, dtype=float) for v in (x, low, high))
    ok = np.isfinite(low) & np.isfinite(high)
    if ok.sum() < 2:
        return None
    xs, lo, hi = x[ok], low[ok], high[ok]
    return go.Scatter(x=np.r_[xs, xs[::-1]].tolist(), y=np.r_[hi, lo[::-1]].tolist(), name=name, fill="toself",
                      mode="lines", line=dict(width=0), fillcolor=_rgba(color, alpha), legendgroup=group,
                      showlegend=False, hoverinfo="skip")


def learning_curve_figure(curve, *, log_x: bool = True, extend: float = 10.0, mark_n: float | None = None) -> go.Figure:
    """Score against training rows for every family: observed means with 95% bands, the fitted power law
    and its dashed extrapolation, and the deep-net/XGBoost crossover when there is one.

    Parameters
    ----------
    curve : LearningCurve
    log_x : bool, default=True
        Log scale for the rows axis (sizes are log-spaced).
    extend : float, default=10
        The extrapolation is drawn up to ``extend`` times the largest observed size (further when
        ``mark_n`` or an extrapolated crossover lies beyond).
    mark_n : float, optional
        Rows to mark with a vertical dotted line (the "what if" slider's value).

    Returns
    -------
    go.Figure
        Per family, in order: ``"<label> 95% band"`` (filled polygon over the observed sizes),
        ``"<label>"`` (observed means, one point per size with a score), and when the curve could be
        fitted ``"<label> fit"`` (dotted, over the observed sizes), ``"<label> extrapolation band"`` and
        ``"<label> extrapolation"`` (dashed, from the largest size up to the end of the axis). The
        extrapolated region is shaded; a crossover adds a vertical line (and its 95% interval, shaded,
        when extrapolated) with an annotation.
    """
    sizes = np.asarray(curve.sizes, dtype=float)
    n_min, n_max = float(sizes.min()), float(sizes.max())
    cross = curve.crossover
    x_end = n_max * max(float(extend), 1.0)
    if mark_n is not None:
        x_end = max(x_end, float(mark_n) * 1.25)
    if cross.kind == "extrapolated" and cross.extrapolated_n:
        x_end = max(x_end, cross.extrapolated_n * 1.25)
    fig = go.Figure()
    if x_end > n_max:
        fig.add_vrect(x0=n_max, x1=x_end, fillcolor=_EXTRAPOLATION_FILL, line_width=0, layer="below")
    fit_grid = np.geomspace(n_min, n_max, 40)
    ext_grid = np.geomspace(n_max, x_end, 40) if x_end > n_max else None
    metric = curve.metric
    for fam in curve.families:
        color, label = registry.color(fam), registry.label(fam)
        band = curve.band(fam)
        band_trace = _band_trace(band.index, band["ci_low"], band["ci_high"], name=f"{label} 95% band",
                                 color=color, group=fam, alpha=0.18)
        if band_trace is not None:
            fig.add_trace(band_trace)
        mean = band["mean"].to_numpy(dtype=float)
        ok = np.isfinite(mean)
        lo, hi = band["ci_low"].to_numpy(dtype=float)[ok], band["ci_high"].to_numpy(dtype=float)[ok]
        fig.add_trace(go.Scatter(
            x=band.index.to_numpy()[ok].tolist(), y=mean[ok].tolist(), name=label, legendgroup=fam,
            mode="lines+markers", line=dict(color=color, width=2.5),
            marker=dict(color=color, size=9, symbol=registry.marker(fam)),
            customdata=np.column_stack([lo, hi, band["n_ok"].to_numpy()[ok]]).tolist(),
            hovertemplate=f"<b>{label}</b><br>%{{x:,}} rows<br>{METRICS[metric].label}: %{{y:.4f}}"
                          "<br>95% band: %{customdata[0]:.4f} to %{customdata[1]:.4f}"
                          "<br>%{customdata[2]} fit(s)<extra></extra>"))
        if curve.fits.get(fam) is None:
            continue
        fitted = curve.predict(fam, fit_grid)
        fig.add_trace(go.Scatter(x=fit_grid.tolist(), y=np.asarray(fitted.score, dtype=float).tolist(),
                                 name=f"{label} fit", legendgroup=fam, showlegend=False, mode="lines",
                                 line=dict(color=color, width=1.5, dash="dot"), hoverinfo="skip"))
        if ext_grid is None:
            continue
        ext = curve.predict(fam, ext_grid)
        ext_band = _band_trace(ext_grid, ext.low, ext.high, name=f"{label} extrapolation band", color=color,
                               group=fam, alpha=0.08)
        if ext_band is not None:
            fig.add_trace(ext_band)
        fig.add_trace(go.Scatter(
            x=ext_grid.tolist(), y=np.asarray(ext.score, dtype=float).tolist(), name=f"{label} extrapolation",
            legendgroup=fam, showlegend=False, mode="lines", line=dict(color=color, width=2, dash="dash"),
            customdata=np.column_stack([ext.low, ext.high]).tolist(),
            hovertemplate=f"<b>{label}</b> (extrapolated)<br>%{{x:,.0f}} rows<br>{METRICS[metric].label}: "
                          "%{y:.4f}<br>95% band: %{customdata[0]:.4f} to %{customdata[1]:.4f}<extra></extra>"))
    _mark_crossover(fig, cross, x_end=x_end, log_x=log_x)
    if mark_n is not None:
        fig.add_vline(x=float(mark_n), line=dict(color="#444444", width=1.5, dash="dot"))
    if x_end > n_max:
        fig.add_annotation(x=_axis_x(np.sqrt(n_max * x_end), log_x), y=0.0, yref="paper", yanchor="bottom",
                           text="extrapolated (fitted curve, not measured)", showarrow=False,
                           font=dict(size=12, color="#666666"))
    fig.update_xaxes(title_text=_ROWS_TITLE if log_x else "Training rows", type="log" if log_x else "linear",
                     range=[np.log10(n_min / 1.3), np.log10(x_end)] if log_x else [0, x_end],
                     **(_log_ticks(n_min / 1.3, x_end) if log_x else {}))
    fig.update_yaxes(title_text=axis_title(metric))
    title = f"{METRICS[metric].label} against training rows, with 95% bands"
    return _style(fig, metric=metric, title=title, height=480)


def _log_ticks(low: float, high: float, *, suffix: str = "") -> dict:
    """Tick values on the 1-2-5 series between ``low`` and ``high`` with readable labels (1k, 2.5k...)."""
    values = [m * 10.0 ** e for e in range(int(np.floor(np.log10(low))) - 1, int(np.ceil(np.log10(high))) + 1)
              for m in (1, 2, 5)]
    values = [v for v in values if low <= v <= high]
    if len(values) > 10:
        values = [v for v in values if np.isclose(np.log10(v) % 1.0, 0.0)] or values  # decades only
    return dict(tickvals=values, ticktext=[_short_number(v) + suffix for v in values])


def _short_number(v: float) -> str:
    if v >= 1e6:
        return f"{v / 1e6:g}M"
    if v >= 1e3:
        return f"{v / 1e3:g}k"
    return f"{v:g}"


def _round2(n) -> str:
    # Two significant figures for row counts quoted on a chart (a crossover is not known to the row).
    n = int(n)
    return f"{n:,}" if n < 100 else f"{int(round(n, -(len(str(n)) - 2))):,}"


def _axis_x(x: float, log_x: bool) -> float:
    # Plotly places annotations on a log axis by log10(x); shapes take data values.
    return float(np.log10(x)) if log_x else float(x)


def _mark_crossover(fig: go.Figure, cross, *, x_end: float, log_x: bool) -> None:
    if cross.kind == "observed" and cross.observed_n:
        fig.add_vline(x=cross.observed_n, line=dict(color=_CROSSOVER_COLOR, width=2))
        fig.add_annotation(x=_axis_x(cross.observed_n, log_x), y=1.0, yref="paper",
                           text=f"crossover ≈ {_round2(cross.observed_n)} rows (observed)", showarrow=False,
                           yanchor="bottom", font=dict(color=_CROSSOVER_COLOR, size=12))
    elif cross.kind == "extrapolated" and cross.extrapolated_n:
        lo, hi = cross.ci
        x0, x1 = (lo or cross.extrapolated_n), min(hi or x_end, x_end)
        if x1 > x0:
            fig.add_vrect(x0=x0, x1=x1, fillcolor=_rgba(_CROSSOVER_COLOR, 0.08), line_width=0, layer="below")
        fig.add_vline(x=cross.extrapolated_n, line=dict(color=_CROSSOVER_COLOR, width=2, dash="dash"))
        ci = "" if lo is None else (f", 95% CI {_round2(lo)}–{_round2(hi)}" if hi is not None
                                    else f", 95% CI from {_round2(lo)}")
        fig.add_annotation(x=_axis_x(cross.extrapolated_n, log_x), y=1.0, yref="paper", yanchor="bottom",
                           text=f"crossover ≈ {_round2(cross.extrapolated_n)} rows (extrapolated{ci})",
                           showarrow=False,
                           font=dict(color=_CROSSOVER_COLOR, size=12))


def fit_time_figure(curve) -> go.Figure:
    """Mean training time per fit against training rows (log-log), one line per family.

    Returns
    -------
    go.Figure
        One ``lines+markers`` trace per family named by its label, one point per size with a time.
    """
    fig = go.Figure()
    shown = []
    for fam in curve.families:
        band = curve.band(fam)
        secs = band["fit_seconds"].to_numpy(dtype=float)
        shown.extend(np.maximum(secs[np.isfinite(secs)], 1e-3))
        ok = np.isfinite(secs)
        color, label = registry.color(fam), registry.label(fam)
        fig.add_trace(go.Scatter(
            x=band.index.to_numpy()[ok].tolist(), y=np.maximum(secs[ok], 1e-3).tolist(), name=label,
            mode="lines+markers", line=dict(color=color, width=2.5),
            marker=dict(color=color, size=9, symbol=registry.marker(fam)),
            hovertemplate=f"<b>{label}</b><br>%{{x:,}} rows<br>%{{y:.2f}} s per fit<extra></extra>"))
    sizes = np.asarray(curve.sizes, dtype=float)
    xticks = (dict(tickvals=sizes.tolist(), ticktext=[_short_number(v) for v in sizes]) if len(sizes) <= 8
              else _log_ticks(sizes.min() / 1.2, sizes.max() * 1.2))  # few sizes: label the measured ones
    fig.update_xaxes(title_text=_ROWS_TITLE, type="log", **xticks)
    fig.update_yaxes(title_text="Training time per fit (seconds, log scale)", type="log",
                     **(_log_ticks(min(shown) / 1.5, max(shown) * 1.5, suffix=" s") if shown else {}))
    fig.update_layout(title=dict(text="Training time against training rows", x=0, xanchor="left", y=0.98,
                                 yanchor="top"), template="plotly_white", font=_FONT, height=480,
                      margin=dict(l=70, r=30, t=95, b=60),
                      legend=dict(orientation="v", yanchor="top", y=0.99, x=0.01, xanchor="left",
                                  bgcolor="rgba(255, 255, 255, 0.75)"))
    return fig


# =========================================================================== subgroups
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


# =========================================================================== explanations (dllab.analyses.explain)
def importance_order(explanation, *, top_k: int = 15) -> list:
    """The ``top_k`` columns by their largest importance over the families, most important first.

    Every explanation chart uses this one order, so the models read side by side.
    """
    imp = explanation.importance
    return imp.max(axis=1).sort_values(ascending=False, kind="stable").index[:top_k].tolist()


def importance_figure(explanation, *, top_k: int = 15) -> go.Figure:
    """Mean |SHAP| per column, one bar per family side by side (same colours, same column order), with 95% bands.

    Columns are ordered by their largest importance over the families (:func:`importance_order`), top first.
    """
    order = importance_order(explanation, top_k=top_k)
    imp, low, high = explanation.importance, explanation.importance_low, explanation.importance_high
    fig = go.Figure()
    ys = [str(c) for c in order]
    for fam in explanation.families:
        v = imp.loc[order, fam].to_numpy(dtype=float)
        plus = np.nan_to_num(high.loc[order, fam].to_numpy(dtype=float) - v)
        minus = np.nan_to_num(v - low.loc[order, fam].to_numpy(dtype=float))
        fig.add_trace(go.Bar(y=ys, x=v.tolist(), orientation="h", name=registry.label(fam),
                             marker_color=registry.color(fam), legendgroup=fam,
                             error_x=dict(type="data", symmetric=False, array=plus.tolist(),
                                          arrayminus=minus.tolist(), thickness=1.2, width=3),
                             hovertemplate="%{y}: %{x:.3g}<extra>" + registry.label(fam) + "</extra>"))
    fig.update_layout(barmode="group", title=dict(text=f"Global importance: mean |SHAP| per column (top {len(order)})",
                                                  x=0, xanchor="left", y=0.98, yanchor="top"),
                      template="plotly_white", font=_FONT,
                      height=max(360, 110 + 16 * len(order) * max(1, len(explanation.families))),
                      margin=dict(l=150, r=30, t=95, b=60),
                      legend=dict(orientation="h", yanchor="bottom", y=1.02, x=0, xanchor="left"))
    fig.update_yaxes(autorange="reversed", title_text=None)
    fig.update_xaxes(title_text=f"Mean |SHAP| ({explanation.output_space}), 95% bootstrap band", rangemode="tozero")
    return fig


def dependence_figure(explanation, column: str, *, max_points: int = 1000) -> go.Figure:
    """SHAP value of ``column`` against its value, one panel per family (shared y axis), in family colours.

    Categorical columns show their levels on the x axis (points jittered); every point is one explained row.
    """
    from plotly.subplots import make_subplots

    fams = list(explanation.families)
    fig = make_subplots(rows=1, cols=len(fams), shared_yaxes=True, horizontal_spacing=0.04,
                        subplot_titles=[registry.label(f) for f in fams])
    rng = np.random.default_rng(0)
    numeric = True
    for i, fam in enumerate(fams, start=1):
        vals = explanation.values(fam)
        if len(vals) > max_points:
            vals = vals.iloc[np.sort(rng.choice(len(vals), max_points, replace=False))]
        x = explanation.shown_rows.loc[vals.index, column]
        y = vals[column].to_numpy(dtype=float)
        numeric = bool(np.issubdtype(np.asarray(x).dtype, np.number)) and not hasattr(x, "cat")
        xs = x.to_numpy(dtype=float).tolist() if numeric else x.astype(str).tolist()
        fig.add_trace(go.Scatter(x=xs, y=y.tolist(), mode="markers", name=registry.label(fam), legendgroup=fam,
                                 marker=dict(color=registry.color(fam), symbol=registry.marker(fam),
                                             size=6, opacity=0.55),
                                 hovertemplate=f"{column} = %{{x}}<br>SHAP %{{y:.3g}}<extra>{registry.label(fam)}</extra>"),
                      row=1, col=i)
        fig.update_xaxes(title_text=str(column), row=1, col=i)
    fig.update_yaxes(title_text=f"SHAP value of {column}", row=1, col=1, zeroline=True)
    fig.add_hline(y=0, line=dict(color="#888888", width=1, dash="dot"))
    fig.update_layout(title=dict(text=f"How {column} moves each model's output ({explanation.output_space})",
                                 x=0, xanchor="left", y=0.98, yanchor="top"),
                      template="plotly_white", font=_FONT, height=420, showlegend=False,
                      margin=dict(l=70, r=30, t=95, b=60))
    return fig


def local_figure(explanation, row_position: int, *, top_k: int = 12) -> go.Figure:
    """One row's waterfall per family, side by side: base value, the ``top_k`` largest contributions
    (same columns and order in every panel), "other columns", and the output."""
    from plotly.subplots import make_subplots

    from ..analyses.explain import BASE_ROW, OUTPUT_ROW, VALUE_COLUMN

    local = explanation.local(row_position)
    fams = list(explanation.families)
    contrib = local.drop(index=[BASE_ROW, OUTPUT_ROW])[fams].astype(float)
    order = contrib.abs().max(axis=1).sort_values(ascending=False, kind="stable").index[:top_k].tolist()
    rest = [c for c in contrib.index if c not in order]
    values = local.loc[order, VALUE_COLUMN] if VALUE_COLUMN in local.columns else None
    labels = [f"{c} = {_short_value(values[c])}" if values is not None else str(c) for c in order]
    fig = make_subplots(rows=1, cols=len(fams), shared_yaxes=True, horizontal_spacing=0.06,
                        subplot_titles=[registry.label(f) for f in fams])
    for i, fam in enumerate(fams, start=1):
        base, out = float(local.loc[BASE_ROW, fam]), float(local.loc[OUTPUT_ROW, fam])
        y = ["base value", *labels] + (["other columns"] if rest else []) + ["output"]
        x = [base, *contrib.loc[order, fam].tolist()] + ([float(contrib.loc[rest, fam].sum())] if rest else []) + [out]
        measure = ["absolute"] + ["relative"] * (len(y) - 2) + ["total"]
        fig.add_trace(go.Waterfall(orientation="h", y=y, x=x, measure=measure, name=registry.label(fam),
                                   increasing=dict(marker=dict(color=registry.color(fam))),
                                   decreasing=dict(marker=dict(color=_rgba(registry.color(fam), 0.45))),
                                   totals=dict(marker=dict(color="#555555")),
                                   connector=dict(line=dict(color="#BBBBBB", width=1)),
                                   hovertemplate="%{y}: %{x:.3g}<extra>" + registry.label(fam) + "</extra>"),
                      row=1, col=i)
        fig.update_xaxes(title_text="contribution" if i == 1 else None, row=1, col=i)
    fig.update_yaxes(autorange="reversed", row=1, col=1)
    fig.update_layout(title=dict(text=f"Row {local.attrs.get('row', '')}: each model's contributions, base to output "
                                      f"({explanation.output_space})",
                                 x=0, xanchor="left", y=0.98, yanchor="top"),
                      template="plotly_white", font=_FONT, showlegend=False,
                      height=max(380, 150 + 26 * (len(order) + 3)), margin=dict(l=170, r=30, t=95, b=60))
    return fig


#: Diverging scale of pixel attributions: blue pushes the output down, white is zero, red pushes it up.
PIXEL_COLORSCALE = "RdBu_r"
_IMAGE_COLORSCALE = [[0.0, "#000000"], [1.0, "#FFFFFF"]]  # greyscale: low values dark, as in the data


def _class_title(m, labels) -> str:
    """``"class 3 (predicted)"``, ``"class 3 (predicts 5)"``, or the output space when there are no classes."""
    if m.target_class is None:
        return m.output_space
    if m.predicted_class == m.target_class:
        return f"class {_short_value(m.class_label)} (predicted)"
    return f"class {_short_value(m.class_label)} (predicts {_short_value(labels[m.predicted_class])})"


def pixel_map_figure(explanation, row_position: int, *, target_class: int | None = None) -> go.Figure:
    """One image and, beside it, each family's per-pixel SHAP values on one shared colour scale.

    The colour scale is diverging, centred at zero and symmetric (``±`` the largest ``|SHAP|`` over the
    families' maps), so the same colour means the same contribution in every panel. Each panel's title
    names the family, the class explained and the model's output. One-row images (signals such as
    MNIST-1D, shape ``(1, width)``) are drawn as the signal over one bar chart per family, on a shared
    y range, with the bars coloured on the same scale.

    Parameters
    ----------
    explanation : Explanation
        Of an image dataset (see :meth:`~dllab.analyses.explain.Explanation.pixel_map`).
    row_position : int
        Position in ``explanation.local_rows``.
    target_class : int, optional
        Multiclass: class index explained by every family (default: each family's predicted class).
    """
    maps = [explanation.pixel_map(f, row_position, target_class=target_class) for f in explanation.families]
    labels = explanation.classes
    limit = max(float(np.abs(m.attribution).max()) for m in maps) or 1.0
    first = maps[0]
    h, w = first.image.shape
    titles = [f"Image (label {_short_value(first.target)})"] + [
        f"{registry.label(m.family)}<br>{_class_title(m, labels)}, output {m.output:.3g}" for m in maps]
    title = (f"Which pixels mattered: row {first.row}, "
             + (f"class {_short_value(labels[target_class])}" if target_class is not None and labels
                else "each model's predicted class" if labels else f"SHAP in {first.output_space}"))
    coloraxis = dict(colorscale=PIXEL_COLORSCALE, cmin=-limit, cmax=limit,
                     colorbar=dict(title=dict(text="SHAP", side="right"), thickness=14))
    if h == 1:
        return _signal_map_figure(maps, titles=titles, title=title, limit=limit, coloraxis=coloraxis)
    from plotly.subplots import make_subplots

    n = len(maps) + 1
    mid = float(first.image.min() + first.image.max()) / 2
    fig = make_subplots(rows=1, cols=n, horizontal_spacing=0.03, subplot_titles=titles)
    fig.add_trace(go.Heatmap(z=first.image.tolist(), colorscale=_IMAGE_COLORSCALE, showscale=False, name="image",
                             hovertemplate="pixel (%{y}, %{x})<br>value %{z:.4g}<extra>image</extra>"), row=1, col=1)
    for i, m in enumerate(maps, start=2):
        fig.add_trace(go.Heatmap(z=m.attribution.tolist(), coloraxis="coloraxis", name=registry.label(m.family),
                                 customdata=m.image.tolist(),
                                 hovertemplate="pixel (%{y}, %{x}), value %{customdata:.4g}<br>SHAP %{z:.3g}"
                                               f"<extra>{registry.label(m.family)}</extra>"), row=1, col=i)
        # The image's outline (half its value range) on every map shows where the strokes are.
        fig.add_trace(go.Contour(z=first.image.tolist(), contours=dict(coloring="none", start=mid, end=mid, size=1),
                                 line=dict(color="#444444", width=1.2), showscale=False, hoverinfo="skip",
                                 name="outline"), row=1, col=i)
    for i in range(1, n + 1):
        anchor = "x" if i == 1 else f"x{i}"
        # Square pixels, row 0 at the top as in the image.
        fig.update_yaxes(autorange="reversed", scaleanchor=anchor, constrain="domain", showticklabels=False,
                         showgrid=False, zeroline=False, row=1, col=i)
        fig.update_xaxes(constrain="domain", showticklabels=False, showgrid=False, zeroline=False, row=1, col=i)
    fig.update_layout(title=dict(text=title, x=0, xanchor="left", y=0.98, yanchor="top"), coloraxis=coloraxis,
                      template="plotly_white", font=_FONT, height=360, showlegend=False,
                      margin=dict(l=20, r=20, t=110, b=20))
    fig.update_annotations(font_size=13)
    return fig


def _signal_map_figure(maps, *, titles, title, limit, coloraxis) -> go.Figure:
    """One-row images: the signal on top, one bar chart of attributions per family below (shared x and y range)."""
    from plotly.subplots import make_subplots

    n = len(maps) + 1
    x = np.arange(maps[0].image.shape[1]).tolist()
    fig = make_subplots(rows=n, cols=1, shared_xaxes=True, vertical_spacing=0.32 / n, subplot_titles=titles)
    fig.add_trace(go.Scatter(x=x, y=maps[0].image[0].tolist(), mode="lines+markers", name="signal",
                             line=dict(color="#333333", width=2), marker=dict(size=4),
                             hovertemplate="position %{x}<br>value %{y:.4g}<extra>signal</extra>"), row=1, col=1)
    for i, m in enumerate(maps, start=2):
        v, label = m.attribution[0], registry.label(m.family)
        fig.add_trace(go.Bar(x=x, y=v.tolist(), name=label,
                             marker=dict(color=v.tolist(), coloraxis="coloraxis", line=dict(width=0)),
                             hovertemplate=f"position %{{x}}<br>SHAP %{{y:.3g}}<extra>{label}</extra>"),
                      row=i, col=1)
        fig.update_yaxes(range=[-1.08 * limit, 1.08 * limit], zeroline=True, zerolinecolor="#888888",
                         title_text="SHAP", row=i, col=1)
    fig.update_yaxes(title_text="value", row=1, col=1)
    fig.update_xaxes(title_text="position in the signal", row=n, col=1)
    fig.update_layout(title=dict(text=title, x=0, xanchor="left", y=0.99, yanchor="top"), coloraxis=coloraxis,
                      template="plotly_white", font=_FONT, height=170 * n + 80, showlegend=False, bargap=0.1,
                      margin=dict(l=70, r=30, t=100, b=60))
    fig.update_annotations(font_size=13)
    return fig


def _short_value(v) -> str:
    if v is None:
        return "—"
    if isinstance(v, (float, np.floating)):
        return "missing" if not np.isfinite(v) else f"{v:.4g}"
    text = str(v)
    return text if len(text) <= 18 else text[:17] + "…"
