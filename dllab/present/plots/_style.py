"""Shared styling of the dllab figures: font, layout, axis titles and colour helpers.

Private to :mod:`dllab.present.plots`; :func:`axis_title` is re-exported there.
"""

from __future__ import annotations

import plotly.graph_objects as go

from ...metrics import METRICS

_FONT = dict(family="Source Sans Pro, Helvetica, Arial, sans-serif", size=14)


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


def _rgba(hex_color: str, alpha: float) -> str:
    h = hex_color.lstrip("#")
    r, g, b = (int(h[i:i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r}, {g}, {b}, {alpha})"
