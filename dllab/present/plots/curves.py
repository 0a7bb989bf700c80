"""Figures of a :class:`~dllab.analyses.curves.LearningCurve`: score and training time against training rows.

Both share the common layout (title above the plot, legend in a row under the x
axis title) and log axes with readable ticks (1k, 2k, 5k, 10k). A crossover is
marked only where the curve's findings support one (:attr:`Crossover.drawn`).
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from ...metrics import METRICS, format_interval, format_score
from ... import families as registry
from ._style import _layout, _rgba, _style, axis_title

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
    """Score against training rows for every family: observed means with 95% intervals, the fitted power law
    and its dashed extrapolation, and the deep-net/XGBoost crossover where the findings support one.

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
        extrapolated region is shaded. A measured crossover adds a solid vertical line (the sizes it
        lies between shaded), an extrapolated one a dashed line (its 95% interval shaded), each with
        a label inside the top of the plot; a crossover within noise adds nothing.
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
    label_m = METRICS[metric].label
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
        # The hover reads as the tables do (80.8%, "78.1% to 83.4%"), not as raw decimals.
        text = [[format_score(metric, m), format_interval(metric, a, b), int(k)]
                for m, a, b, k in zip(mean[ok], lo, hi, band["n_ok"].to_numpy()[ok])]
        fig.add_trace(go.Scatter(
            x=band.index.to_numpy()[ok].tolist(), y=mean[ok].tolist(), name=label, legendgroup=fam,
            mode="lines+markers", line=dict(color=color, width=2.5),
            marker=dict(color=color, size=9, symbol=registry.marker(fam)), customdata=text,
            hovertemplate=f"<b>{label}</b><br>%{{x:,}} rows<br>{label_m}: %{{customdata[0]}}"
                          "<br>95% interval: %{customdata[1]}<br>%{customdata[2]} fit(s)<extra></extra>"))
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
        text = [[format_score(metric, v), format_interval(metric, a, b)]
                for v, a, b in zip(np.asarray(ext.score, dtype=float), ext.low, ext.high)]
        fig.add_trace(go.Scatter(
            x=ext_grid.tolist(), y=np.asarray(ext.score, dtype=float).tolist(), name=f"{label} extrapolation",
            legendgroup=fam, showlegend=False, mode="lines", line=dict(color=color, width=2, dash="dash"),
            customdata=text,
            hovertemplate=f"<b>{label}</b> (extrapolated, not measured)<br>%{{x:,.0f}} rows<br>{label_m}: "
                          "%{customdata[0]}<br>95% band of the fit: %{customdata[1]}<extra></extra>"))
    _mark_crossover(fig, cross, x_start=n_min / 1.3, x_end=x_end, log_x=log_x)
    if mark_n is not None:
        fig.add_vline(x=float(mark_n), line=dict(color="#444444", width=1.5, dash="dot"))
    if x_end > n_max:
        fig.add_annotation(x=_axis_x(np.sqrt(n_max * x_end), log_x), y=0.0, yref="paper", yanchor="bottom",
                           text="extrapolated (fitted curve, not measured)", showarrow=False,
                           font=dict(size=12, color="#666666"), bgcolor="rgba(255, 255, 255, 0.7)")
    fig.update_xaxes(title_text=_ROWS_TITLE if log_x else "Training rows", type="log" if log_x else "linear",
                     range=[np.log10(n_min / 1.3), np.log10(x_end)] if log_x else [0, x_end],
                     **(_log_ticks(n_min / 1.3, x_end) if log_x else {}))
    fig.update_yaxes(title_text=axis_title(metric))
    return _style(fig, metric=metric, title=f"{label_m} against training rows", height=480)


#: Tick mantissas from coarse to fine; the first that gives enough ticks is used.
_MANTISSAS = ((1,), (1, 2, 5), (1, 2, 3, 5), (1, 1.5, 2, 3, 5, 7))
_MIN_TICKS, _MAX_TICKS = 4, 9


def _log_ticks(low: float, high: float, *, suffix: str = "") -> dict:
    """Readable ticks for a log axis from ``low`` to ``high``: 1k, 2k, 5k, 10k (or 1.5k, 3k... on short ranges).

    The coarsest series with at least 4 ticks in range (at most 9; decades, then every other
    decade, on very long ranges); on a range too short for any series, evenly spaced round values.

    Examples
    --------
    >>> _log_ticks(19, 5940)["ticktext"]
    ['20', '50', '100', '200', '500', '1k', '2k', '5k']
    >>> _log_ticks(1.2, 4.5, suffix=" s")["ticktext"]
    ['1.5 s', '2 s', '3 s']
    >>> _log_ticks(80, 2_000_000)["ticktext"]
    ['100', '1k', '10k', '100k', '1M']
    """
    low, high = float(min(low, high)), float(max(low, high))
    e0, e1 = int(np.floor(np.log10(low))) - 1, int(np.ceil(np.log10(high))) + 1

    def series(ms):
        return [float(f"{m * 10.0 ** e:.12g}") for e in range(e0, e1 + 1) for m in ms if low <= m * 10.0 ** e <= high]

    values = series(_MANTISSAS[0])
    if len(values) > _MAX_TICKS:
        values = values[::int(np.ceil(len(values) / _MAX_TICKS))]
    else:
        for ms in _MANTISSAS[1:]:
            if len(values) >= _MIN_TICKS:
                break
            finer = series(ms)
            if len(finer) > _MAX_TICKS:
                break
            values = finer
    if len(values) < 3:  # a short range: round values evenly spaced across it
        values = _round_steps(low, high)
    return dict(tickvals=values, ticktext=[_short_number(v) + suffix for v in values])


def _round_steps(low: float, high: float) -> list[float]:
    span = high - low
    for step in sorted(m * 10.0 ** e for e in range(int(np.floor(np.log10(span))) - 2, int(np.ceil(np.log10(span))) + 1)
                       for m in (1, 2, 2.5, 5)):
        values = [float(f"{v:.12g}") for v in np.arange(np.ceil(low / step) * step, high + step * 1e-9, step)]
        if len(values) <= 5:
            return values
    return [low, high]


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


def _label_box(fig: go.Figure, *, x: float, text: str, color: str, share: float) -> None:
    # Inside the plot area, at its top, on a white box: never over the title or the legend. ``share``
    # is where x lies across the axis (0 to 1): near an edge the label grows inwards, not off the plot.
    anchor = "left" if share < 0.3 else ("right" if share > 0.7 else "center")
    fig.add_annotation(x=x, y=1.0, yref="paper", yanchor="top", xanchor=anchor, text=text, showarrow=False,
                       font=dict(color=color, size=12), bgcolor="rgba(255, 255, 255, 0.85)", borderpad=3)


def _mark_crossover(fig: go.Figure, cross, *, x_start: float, x_end: float, log_x: bool) -> None:
    """The crossover the findings support: solid where measured, dashed where extrapolated; nothing otherwise."""
    if not cross.drawn:
        return
    at = cross.observed_n if cross.kind == "observed" else cross.extrapolated_n
    ends = (np.log10([x_start, x_end, at]) if log_x else np.array([0.0, x_end, at], dtype=float))
    share = float((ends[2] - ends[0]) / max(ends[1] - ends[0], 1e-12))
    if cross.kind == "observed":
        lo, hi = cross.ci
        if lo is not None and hi is not None and hi > lo:  # the sizes it lies between, both beyond noise
            fig.add_vrect(x0=lo, x1=hi, fillcolor=_rgba(_CROSSOVER_COLOR, 0.08), line_width=0, layer="below")
        fig.add_vline(x=cross.observed_n, line=dict(color=_CROSSOVER_COLOR, width=2))
        _label_box(fig, x=_axis_x(cross.observed_n, log_x), color=_CROSSOVER_COLOR, share=share,
                   text=f"crossover ≈ {_round2(cross.observed_n)} rows (measured, between {lo:,} and {hi:,})")
        return
    lo, hi = cross.ci
    x0, x1 = (lo or cross.extrapolated_n), min(hi or x_end, x_end)
    if x1 > x0:
        fig.add_vrect(x0=x0, x1=x1, fillcolor=_rgba(_CROSSOVER_COLOR, 0.08), line_width=0, layer="below")
    fig.add_vline(x=cross.extrapolated_n, line=dict(color=_CROSSOVER_COLOR, width=2, dash="dash"))
    ci = "" if lo is None else (f", 95% CI {_round2(lo)}–{_round2(hi)}" if hi is not None
                                else f", 95% CI from {_round2(lo)}")
    _label_box(fig, x=_axis_x(cross.extrapolated_n, log_x), color=_CROSSOVER_COLOR, share=share,
               text=f"crossover ≈ {_round2(cross.extrapolated_n)} rows (extrapolated{ci})")


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
    if shown:  # pad the range to the ticks, so that the lowest and highest times have one on each side
        low, high = min(shown) / 1.5, max(shown) * 1.5
        fig.update_yaxes(range=[np.log10(low), np.log10(high)], **_log_ticks(low, high, suffix=" s"))
    fig.update_yaxes(title_text="Training time per fit (seconds, log scale)", type="log")
    return _layout(fig, title="Training time per fit against training rows", height=400)
