"""Figures of a :class:`~dllab.analyses.explain.Explanation`: global importance, dependence, local waterfalls
and per-pixel maps."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from ... import families as registry
from ._style import _FONT, _rgba


def _scale(units: str) -> float:
    """Probabilities are drawn in percent (contributions in percentage points); other units as they are."""
    return 100.0 if units == "probability" else 1.0


def _unit_words(explanation, units: str) -> str:
    """Axis words of a contribution: "percentage points" in probability, else the unit's name."""
    return "percentage points" if units == "probability" else explanation.unit_label(units)


def _number(units: str) -> str:
    """Plotly's number format of a contribution in ``units`` (hover labels)."""
    return "%{x:+.1f} points" if units == "probability" else "%{x:+.3g}"


def _end_text(v: float, units: str) -> str:
    """A waterfall's start or end (already scaled): "38.4%" in probability, else :func:`number_text`."""
    return f"{v:.1f}%" if units == "probability" else number_text(v)


def _step_text(v: float, units: str) -> str:
    """A waterfall step (already scaled): "+12.3 points" in probability, else signed."""
    return f"{v:+.1f} points" if units == "probability" else number_text(v, signed=True)


def _every_class(explanation, units: str) -> str:
    """What importances (averaged over the classes, for more than two) are of, in words."""
    if explanation.task == "multiclass":
        return f"{explanation.unit_label(units)} of each class of {explanation.target}"
    return explanation.describe(units)


def importance_order(explanation, *, top_k: int = 15, units: str = "output") -> list:
    """The ``top_k`` columns by their largest importance over the families, most important first.

    Every explanation chart uses this one order, so the models read side by side.
    """
    imp = explanation.importance_in(units)[0] if units != "output" else explanation.importance
    return imp.max(axis=1).sort_values(ascending=False, kind="stable").index[:top_k].tolist()


def importance_figure(explanation, *, top_k: int = 15, units: str = "output") -> go.Figure:
    """Mean |SHAP| per column, one bar per family side by side (same colours, same column order), with 95% bands.

    Columns are ordered by their largest importance over the families (:func:`importance_order`), top first.
    ``units="probability"`` draws them in percentage points of the probability of the named class.
    """
    order = importance_order(explanation, top_k=top_k, units=units)
    if units == "output":
        imp, low, high = explanation.importance, explanation.importance_low, explanation.importance_high
    else:
        imp, low, high = explanation.importance_in(units)
    k = _scale(units)
    fig = go.Figure()
    ys = [str(c) for c in order]
    words = "points" if units == "probability" else ""
    for fam in explanation.families:
        v = k * imp.loc[order, fam].to_numpy(dtype=float)
        plus = np.nan_to_num(k * high.loc[order, fam].to_numpy(dtype=float) - v)
        minus = np.nan_to_num(v - k * low.loc[order, fam].to_numpy(dtype=float))
        fig.add_trace(go.Bar(y=ys, x=v.tolist(), orientation="h", name=registry.label(fam),
                             marker_color=registry.color(fam), legendgroup=fam,
                             error_x=dict(type="data", symmetric=False, array=plus.tolist(),
                                          arrayminus=minus.tolist(), thickness=1.2, width=3),
                             hovertemplate="%{y}: %{x:.3g} " + words + "<extra>" + registry.label(fam) + "</extra>"))
    space = _every_class(explanation, units)
    fig.update_layout(barmode="group", title=dict(text=f"Global importance for the {space}: average size of each "
                                                       f"column's contribution (top {len(order)})",
                                                  x=0, xanchor="left", y=0.98, yanchor="top"),
                      template="plotly_white", font=_FONT,
                      height=max(360, 110 + 16 * len(order) * max(1, len(explanation.families))),
                      margin=dict(l=150, r=30, t=95, b=60),
                      legend=dict(orientation="h", yanchor="bottom", y=1.02, x=0, xanchor="left"))
    fig.update_yaxes(autorange="reversed", title_text=None)
    fig.update_xaxes(title_text=f"Average size of a contribution ({_unit_words(explanation, units)}), "
                                "with a 95% bootstrap band", rangemode="tozero")
    return fig


def dependence_figure(explanation, column: str, *, max_points: int = 1000, units: str = "output") -> go.Figure:
    """SHAP value of ``column`` against its value, one panel per family (shared y axis), in family colours.

    Categorical columns show their levels on the x axis (points jittered); every point is one explained row.
    ``units="probability"``: contributions in percentage points of the named class's probability.
    """
    from plotly.subplots import make_subplots

    fams = list(explanation.families)
    fig = make_subplots(rows=1, cols=len(fams), shared_yaxes=True, horizontal_spacing=0.04,
                        subplot_titles=[registry.label(f) for f in fams])
    rng = np.random.default_rng(0)
    k = _scale(units)
    number = _number(units).replace("%{x", "%{y")
    for i, fam in enumerate(fams, start=1):
        vals = explanation.values(fam, units=units)
        if len(vals) > max_points:
            vals = vals.iloc[np.sort(rng.choice(len(vals), max_points, replace=False))]
        x = explanation.shown_rows.loc[vals.index, column]
        y = k * vals[column].to_numpy(dtype=float)
        numeric = bool(np.issubdtype(np.asarray(x).dtype, np.number)) and not hasattr(x, "cat")
        xs = x.to_numpy(dtype=float).tolist() if numeric else x.astype(str).tolist()
        fig.add_trace(go.Scatter(x=xs, y=y.tolist(), mode="markers", name=registry.label(fam), legendgroup=fam,
                                 marker=dict(color=registry.color(fam), symbol=registry.marker(fam),
                                             size=6, opacity=0.55),
                                 hovertemplate=f"{column} = %{{x}}<br>contribution {number}"
                                               f"<extra>{registry.label(fam)}</extra>"),
                      row=1, col=i)
        fig.update_xaxes(title_text=str(column), row=1, col=i)
    fig.update_yaxes(title_text=f"Contribution of {column} ({_unit_words(explanation, units)})", row=1, col=1,
                     zeroline=True)
    fig.add_hline(y=0, line=dict(color="#888888", width=1, dash="dot"))
    fig.update_layout(title=dict(text=f"How {column} moves each model's {explanation.describe(units)}",
                                 x=0, xanchor="left", y=0.98, yanchor="top"),
                      template="plotly_white", font=_FONT, height=420, showlegend=False,
                      margin=dict(l=70, r=30, t=95, b=60))
    return fig


def local_figure(explanation, row_position: int, *, top_k: int = 12, units: str = "output",
                 target_class: int | None = None) -> go.Figure:
    """One row's waterfall per family, side by side: the starting point (base value), the ``top_k`` largest
    contributions (same columns and order in every panel), "other columns", and the row's prediction.

    ``units="probability"``: the waterfall runs in percent of the named class's probability.
    """
    from plotly.subplots import make_subplots

    from ...analyses.explain import BASE_ROW, OUTPUT_ROW, VALUE_COLUMN

    local = explanation.local(row_position, target_class=target_class, units=units)
    fams = list(explanation.families)
    k = _scale(units)
    contrib = k * local.drop(index=[BASE_ROW, OUTPUT_ROW])[fams].astype(float)
    order = contrib.abs().max(axis=1).sort_values(ascending=False, kind="stable").index[:top_k].tolist()
    rest = [c for c in contrib.index if c not in order]
    values = local.loc[order, VALUE_COLUMN] if VALUE_COLUMN in local.columns else None
    labels = [f"{c} = {short_value(values[c])}" if values is not None else str(c) for c in order]
    fig = make_subplots(rows=1, cols=len(fams), shared_yaxes=True, horizontal_spacing=0.06,
                        subplot_titles=[registry.label(f) for f in fams])
    for i, fam in enumerate(fams, start=1):
        base, out = k * float(local.loc[BASE_ROW, fam]), k * float(local.loc[OUTPUT_ROW, fam])
        y = ["average row", *labels] + (["other columns"] if rest else []) + ["this row"]
        x = [base, *contrib.loc[order, fam].tolist()] + ([float(contrib.loc[rest, fam].sum())] if rest else []) + [out]
        measure = ["absolute"] + ["relative"] * (len(y) - 2) + ["total"]
        fig.add_trace(go.Waterfall(orientation="h", y=y, x=x, measure=measure, name=registry.label(fam),
                                   increasing=dict(marker=dict(color=registry.color(fam))),
                                   decreasing=dict(marker=dict(color=_rgba(registry.color(fam), 0.45))),
                                   totals=dict(marker=dict(color="#555555")),
                                   connector=dict(line=dict(color="#BBBBBB", width=1)),
                                   customdata=[_end_text(x[0], units), *(_step_text(v, units) for v in x[1:-1]),
                                               _end_text(x[-1], units)],
                                   hovertemplate="%{y}: %{customdata}<extra>" + registry.label(fam) + "</extra>"),
                      row=1, col=i)
        fig.update_xaxes(title_text=("probability (%)" if units == "probability" else explanation.unit_label(units))
                         if i == 1 else None, row=1, col=i)
    fig.update_yaxes(autorange="reversed", row=1, col=1)
    fig.update_xaxes(matches="x")  # one scale for every model: the same bar length is the same push
    row = local.attrs.get("row")
    cls = local.attrs.get("target_class")
    fig.update_layout(title=dict(text=f"{explanation.row_name(row)}: each model's "
                                      f"{explanation.describe(units, cls)}, from the average row to this one",
                                 x=0, xanchor="left", y=0.98, yanchor="top"),
                      template="plotly_white", font=_FONT, showlegend=False,
                      height=max(380, 150 + 26 * (len(order) + 3)), margin=dict(l=170, r=30, t=95, b=60))
    return fig


def number_text(v, *, signed: bool = False) -> str:
    """A prediction or contribution in the model's own units: 3 significant digits, whole numbers with thousands
    separators from 1,000 on (house prices read "260,512", not "2.61e+05"); "—" when missing.

    Examples
    --------
    >>> number_text(260512.3), number_text(-0.41237, signed=True), number_text(1.5, signed=True)
    ('260,512', '-0.412', '+1.5')
    """
    if v is None or not np.isfinite(v):
        return "—"
    sign = "+" if signed else ""
    return f"{v:{sign},.0f}" if abs(v) >= 1000 else f"{v:{sign}.3g}"


def probability_text(p) -> str:
    """A probability as the page shows it: "38.4%" ("—" when missing).

    Examples
    --------
    >>> probability_text(0.38449), probability_text(float("nan"))
    ('38.4%', '—')
    """
    return "—" if p is None or not np.isfinite(p) else f"{p:.1%}"


def points_text(d) -> str:
    """A change of probability in percentage points, signed: "+12.3 points".

    Examples
    --------
    >>> points_text(0.1234), points_text(-0.004), points_text(0.0)
    ('+12.3 points', '-0.4 points', '0.0 points')
    """
    if d is None or not np.isfinite(d):
        return "—"
    v = round(100 * float(d), 1)
    return f"{v:+.1f} points" if v != 0 else "0.0 points"


#: Diverging scale of pixel attributions: blue pushes the output down, white is zero, red pushes it up.
PIXEL_COLORSCALE = "RdBu_r"
_IMAGE_COLORSCALE = [[0.0, "#000000"], [1.0, "#FFFFFF"]]  # greyscale: low values dark, as in the data


def _class_title(m, labels) -> str:
    """``"class 3 (predicted)"``, ``"class 3 (predicts 5)"``, or the output space when there are no classes."""
    if m.target_class is None:
        return m.output_space
    if m.predicted_class == m.target_class:
        return f"class {short_value(m.class_label)} (predicted)"
    return f"class {short_value(m.class_label)} (predicts {short_value(labels[m.predicted_class])})"


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
    titles = [f"Image (label {short_value(first.target)})"] + [
        f"{registry.label(m.family)}<br>{_class_title(m, labels)}, output {m.output:.3g}" for m in maps]
    title = (f"Which pixels mattered: {explanation.row_name(first.row)}, "
             + (f"class {short_value(labels[target_class])}" if target_class is not None and labels
                else "each model's predicted class" if labels else f"contributions to the {explanation.describe()}"))
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


def short_value(v) -> str:
    """A cell value as the figures and the Explain page show it: short numbers, "—" for missing.

    Examples
    --------
    >>> short_value(3.14159), short_value(None), short_value("cat")
    ('3.142', '—', 'cat')
    """
    if v is None:
        return "—"
    if isinstance(v, (float, np.floating)):
        return "missing" if not np.isfinite(v) else f"{v:.4g}"
    text = str(v)
    return text if len(text) <= 18 else text[:17] + "…"
