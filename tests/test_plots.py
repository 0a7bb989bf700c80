"""dllab.plots: figures from a hand-built Comparison (no training), checked through fig.data and fig.layout."""

from __future__ import annotations

import numpy as np
import pytest

from dllab import plots
from dllab.comparison import Comparison, FitRecord
from dllab.models import FAMILIES, FAMILY_LABELS
from dllab.splits import make_splits


def _comparison(task="binary", *, fail=(), seconds=None):
    rng = np.random.default_rng(0)
    n = 120
    y = rng.integers(0, 2, n) if task == "binary" else rng.normal(size=n)
    splits = make_splits(y, task=task, n_folds=3, n_repeats=2, random_state=0)
    seconds = seconds or {"linear": 0.05, "gbm": 0.8, "deep": 12.0}
    records = []
    for i, (_, te) in enumerate(splits):
        for k, fam in enumerate(FAMILIES):
            if fam in fail:
                records.append(FitRecord(family=fam, split=i, status="failed", test_idx=te, reason="boom"))
                continue
            if task == "binary":
                p1 = np.clip(0.5 + (2 * y[te] - 1) * (0.1 + 0.1 * k) + rng.normal(0, 0.2, len(te)), 0.01, 0.99)
                pred = np.column_stack([1 - p1, p1])
            else:
                pred = y[te] + rng.normal(0, 1.0 - 0.2 * k, len(te))
            records.append(FitRecord(family=fam, split=i, status="ok", test_idx=te, prediction=pred,
                                     fit_seconds=seconds[fam], predict_seconds=0.01))
    return Comparison(records, y=y, task=task, splits=splits)


def test_every_family_has_one_fixed_colour_and_symbol():
    assert set(plots.FAMILY_COLORS) == set(FAMILIES) == set(plots.FAMILY_SYMBOLS)
    assert len(set(plots.FAMILY_COLORS.values())) == len(FAMILIES)


@pytest.mark.parametrize("make", [plots.comparison_figure, plots.cost_figure, plots.split_scores_figure])
def test_each_family_keeps_its_colour_in_every_figure(make):
    fig = make(_comparison())
    named = {t.name: t.marker.color for t in fig.data if t.mode and "markers" in t.mode}
    assert named == {FAMILY_LABELS[f]: plots.FAMILY_COLORS[f] for f in FAMILIES}


def test_comparison_figure_points_error_bars_and_axis_titles():
    cmp = _comparison()
    fig = plots.comparison_figure(cmp)
    assert [t.name for t in fig.data] == [FAMILY_LABELS[f] for f in FAMILIES]
    for trace, fam in zip(fig.data, FAMILIES):
        row = cmp.overall.loc[fam]
        assert len(trace.y) == 1 and trace.y[0] == pytest.approx(row["accuracy"])
        assert trace.error_y.array[0] == pytest.approx(row["accuracy_high"] - row["accuracy"])
        assert trace.error_y.arrayminus[0] == pytest.approx(row["accuracy"] - row["accuracy_low"])
    assert fig.layout.yaxis.title.text == "Accuracy (higher is better)"
    assert fig.layout.yaxis.tickformat == ".1%"
    assert "6 splits" in fig.layout.title.text and "95% CI" in fig.layout.title.text


def test_comparison_figure_other_metric_and_lower_is_better():
    fig = plots.comparison_figure(_comparison(), metric="log_loss")
    assert fig.layout.yaxis.title.text == "Log loss (lower is better)"
    assert fig.layout.yaxis.tickformat is None  # not a rate
    reg = plots.comparison_figure(_comparison("regression"))
    assert reg.layout.yaxis.title.text == "RMSE (lower is better)"


def test_failed_family_is_annotated_not_drawn():
    fig = plots.comparison_figure(_comparison(fail=("deep",)))
    assert [t.name for t in fig.data] == [FAMILY_LABELS["linear"], FAMILY_LABELS["gbm"]]
    assert [a.text for a in fig.layout.annotations] == ["failed: no score"]
    assert len(plots.cost_figure(_comparison(fail=("deep",))).data) == 2


def test_cost_figure_log_seconds_axis():
    fig = plots.cost_figure(_comparison(seconds={"linear": 0.05, "gbm": 0.8, "deep": 12.0}))
    assert [t.x[0] for t in fig.data] == pytest.approx([0.05, 0.8, 12.0])
    assert fig.layout.xaxis.type == "log"
    assert fig.layout.xaxis.title.text == "Mean training time per split (seconds, log scale)"
    assert fig.layout.yaxis.title.text == "Accuracy (higher is better)"


def test_split_scores_figure_one_point_per_split_and_paired_lines():
    cmp = _comparison()
    fig = plots.split_scores_figure(cmp)
    lines = [t for t in fig.data if t.mode == "lines"]
    points = [t for t in fig.data if t.mode == "markers"]
    assert len(lines) == len(cmp.splits) == 6 and all(len(t.y) == 3 for t in lines)
    assert [len(t.y) for t in points] == [6, 6, 6]
    np.testing.assert_allclose(points[2].y, cmp.split_scores("deep"))
    assert not any(t.showlegend for t in lines)


def test_axis_title():
    assert plots.axis_title("roc_auc") == "ROC AUC (higher is better)"
    assert plots.axis_title("mae") == "MAE (lower is better)"
