"""Plotly figures of dllab results: pure functions ``result -> go.Figure``.

Nothing here computes a metric, reads a file or calls streamlit: every number
drawn is read from the result object, so a figure can be rebuilt (restyled,
another metric picked) without refitting. Each model family has one colour and
one marker, from its record in :mod:`dllab.families`, used by every chart in the
app and the reports.

One module per result type: :mod:`.comparison`, :mod:`.diagnostics` (one
family's out-of-fold predictions: confusion matrix, ROC, PR, calibration,
residuals), :mod:`.curves` (data-size curves), :mod:`.subgroups` and
:mod:`.explain`; shared styling in ``_style``.

Examples
--------
>>> from dllab import families
>>> families.color("gbm")
'#E69F00'
>>> axis_title("rmse")
'RMSE (lower is better)'
"""

from __future__ import annotations

from ._style import axis_title
from .comparison import comparison_figure, cost_figure, hover_format, split_scores_figure
from .diagnostics import (calibration_figure, class_names, confusion_figure, default_class, oof_rows, pr_figure,
                          predicted_actual_figure, residuals_figure, roc_figure)
from .curves import fit_time_figure, learning_curve_figure
from .explain import (PIXEL_COLORSCALE, dependence_figure, importance_figure, importance_order, local_figure,
                      pixel_map_figure, short_value)
from .subgroups import disagreement_figure, shift_figure, slice_heatmap_figure, worst_slices_figure

__all__ = ["axis_title", "comparison_figure", "cost_figure", "split_scores_figure", "hover_format",
           "class_names", "default_class", "oof_rows", "confusion_figure", "roc_figure", "pr_figure",
           "calibration_figure", "predicted_actual_figure", "residuals_figure", "learning_curve_figure",
           "fit_time_figure", "slice_heatmap_figure",
           "worst_slices_figure", "disagreement_figure", "shift_figure", "importance_order", "importance_figure",
           "dependence_figure", "local_figure", "pixel_map_figure", "PIXEL_COLORSCALE", "short_value"]
