"""Figures of a :class:`~dllab.analyses.curves.LearningCurve`: score and training time against training rows."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from ...metrics import METRICS
from ... import families as registry
from ._style import _FONT, _rgba, _style, axis_title

_ROWS_TITLE = "Training rows (log scale)"
_EXTRAPOLATION_FILL = "rgba(120, 120, 120, 0.07)"
_CROSSOVER_COLOR = "#CC3311"


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
