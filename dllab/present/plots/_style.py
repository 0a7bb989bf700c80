"""Shared styling of the dllab figures: font, the common layout (title, legend, margins), axis titles, colours.

Private to :mod:`dllab.present.plots`; :func:`axis_title` is re-exported there.

Layout (:func:`_layout`, used by :func:`_style`)
    The title sits above the plot area and pushes the top margin to fit (a
    two-line title never runs into the plot); the legend is a horizontal row
    at the bottom of the figure, under the x axis title, and pushes the bottom
    margin to fit its rows. Neither covers the title, the ticks or the data,
    whatever the figure's height or the number of entries.
Diverging scale (:data:`DIVERGING`, :func:`_diverging`)
    One colour-blind-safe scale for values read against a reference (a slice's
    score against the overall score): ColorBrewer's PuOr, orange for worse,
    white at the reference, purple for better. Its range depends only on the
    metric and the reference, never on the values drawn, so the same figure
    reads the same in the app and in the HTML report.
"""

from __future__ import annotations

import math

import plotly.graph_objects as go

from ...metrics import METRICS

_FONT = dict(family="Source Sans Pro, Helvetica, Arial, sans-serif", size=14)

#: ColorBrewer PuOr (7 classes, colour-blind safe), low = worse (orange) to high = better (purple).
DIVERGING = [[0.0, "#b35806"], [1 / 6, "#f1a340"], [2 / 6, "#fee0b6"], [0.5, "#f7f7f7"],
             [4 / 6, "#d8daeb"], [5 / 6, "#998ec3"], [1.0, "#542788"]]

#: Half-width of the diverging scale for scores bounded on both sides, as a share of the range:
#: 20 points of accuracy either side of the reference (a gap beyond that is drawn at full colour).
_HALF_SHARE = 0.2
#: For scores without an upper bound (RMSE, MAE, log loss): 50% of the reference either side.
_HALF_RELATIVE = 0.5

# The legend row at the bottom of the figure (container coordinates): plotly pushes the bottom
# margin to fit it under the x axis title, so it never overlaps ticks, titles or points.
_LEGEND = dict(orientation="h", x=0, xanchor="left", y=0, yanchor="bottom", yref="container", title_text="")


def axis_title(metric: str) -> str:
    """Axis title of ``metric``: its label and which direction is better."""
    m = METRICS[metric]
    return f"{m.label} ({'higher' if m.higher_is_better else 'lower'} is better)"


def _is_rate(metric: str) -> bool:
    # Scores bounded to [0, 1] (accuracy, AUC, F1) read best as percentages.
    return tuple(METRICS[metric].bounds) == (0.0, 1.0)


def _layout(fig: go.Figure, *, title: str, height: int = 420) -> go.Figure:
    """The common layout: title above the plot area, legend below it, white template, margins that fit both."""
    fig.update_layout(title=dict(text=title, x=0, xanchor="left", xref="container", y=1, yanchor="bottom",
                                 yref="paper", automargin=True, pad=dict(b=14, l=8)),
                      template="plotly_white", font=_FONT, height=height, margin=dict(l=70, r=30, t=40, b=50),
                      legend=_LEGEND)
    return fig


def _style(fig: go.Figure, *, title: str, metric: str, height: int = 420) -> go.Figure:
    """:func:`_layout`, with the y axis of ``metric`` read as percentages where it is a rate."""
    _layout(fig, title=title, height=height)
    if _is_rate(metric):
        fig.update_yaxes(tickformat=".1%")
    return fig


def _diverging(metric: str, reference: float) -> tuple[float, float]:
    """``(zmin, zmax)`` of the diverging scale around ``reference`` for ``metric`` (same for every figure).

    Examples
    --------
    >>> [round(v, 3) for v in _diverging("accuracy", 0.8)]
    [0.6, 1.0]
    >>> _diverging("rmse", 2.0)
    (1.0, 3.0)
    """
    lo, hi = (float(b) for b in METRICS[metric].bounds)
    if math.isfinite(lo) and math.isfinite(hi):
        half = _HALF_SHARE * (hi - lo)
    elif math.isfinite(hi) or not math.isfinite(lo):  # R²: unitless, bounded above only
        half = _HALF_SHARE
    else:  # RMSE, MAE, log loss: in the target's units, so relative to the reference
        half = _HALF_RELATIVE * abs(reference) if reference else 1.0
    return reference - half, reference + half


def _rgba(hex_color: str, alpha: float) -> str:
    h = hex_color.lstrip("#")
    r, g, b = (int(h[i:i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r}, {g}, {b}, {alpha})"
