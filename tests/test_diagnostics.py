"""dllab.present.plots.diagnostics: confusion matrix, ROC, PR, calibration and residual figures of hand-made results."""

from __future__ import annotations

import numpy as np
import pytest
from fakes import fake_comparison
from sklearn.metrics import average_precision_score, confusion_matrix, roc_auc_score

from dllab import families
from dllab.present import plots


def _multiclass(n: int = 150, *, fail_split: int | None = None):
    """Three classes, two families; ``fail_split``: the gbm fit fails on that split."""
    from dllab.analyses.comparison import Comparison, FitRecord
    from dllab.engine.splits import make_splits

    rng = np.random.default_rng(3)
    y = rng.integers(0, 3, n)
    splits = make_splits(y, task="multiclass", n_folds=3, n_repeats=1, random_state=0)
    records = []
    for i, (_, te) in enumerate(splits):
        for fam, signal in (("linear", 1.0), ("gbm", 2.5)):
            if fam == "gbm" and i == fail_split:
                records.append(FitRecord(family=fam, split=i, status="failed", test_idx=te, reason="boom"))
                continue
            logits = rng.normal(size=(len(te), 3))
            logits[np.arange(len(te)), y[te]] += signal
            p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
            records.append(FitRecord(family=fam, split=i, status="ok", test_idx=te, prediction=p, fit_seconds=0.1))
    return Comparison(records, y=y, task="multiclass", splits=splits, n_classes=3,
                      dataset={"classes": ["cat", "dog", "owl"]})


def test_confusion_matrix_counts_every_out_of_fold_row_with_row_shares():
    cmp = fake_comparison()
    fig = plots.confusion_figure(cmp, "gbm")
    (heat,) = fig.data
    y, proba = cmp.y, cmp.oof["gbm"][0]
    expected = confusion_matrix(y, proba.argmax(axis=1))
    np.testing.assert_array_equal(heat.customdata, expected)
    np.testing.assert_allclose(np.asarray(heat.z).sum(axis=1), 1.0)
    assert list(heat.x) == list(heat.y) == ["class 0", "class 1"]  # no class names in a hand-made result
    assert heat.text[0][0] == f"{expected[0, 0]:,}<br>{expected[0, 0] / expected[0].sum():.0%}"
    assert fig.layout.xaxis.title.text == "Predicted class" and fig.layout.yaxis.title.text == "Actual class"
    assert fig.layout.title.text == "Confusion matrix: Gradient boosting (XGBoost)"


def test_roc_and_pr_curves_carry_auc_and_ap_in_the_legend_in_the_family_colours():
    cmp = fake_comparison()
    roc = plots.roc_figure(cmp)
    names = [t.name for t in roc.data]
    auc = roc_auc_score(cmp.y, cmp.oof["deep"][0][:, 1])
    assert names[2] == f"Deep network (AUC {auc:.3f})" and names[-1] == "Chance (AUC 0.500)"
    assert [t.line.color for t in roc.data[:3]] == [families.color(f) for f in ("linear", "gbm", "deep")]
    assert roc.data[0].x[0] == 0 and roc.data[0].y[-1] == 1
    assert roc.layout.title.text == "ROC curve (positive class: class 1)"
    pr = plots.pr_figure(cmp, ["linear"])
    ap = average_precision_score(cmp.y == 1, cmp.oof["linear"][0][:, 1])
    assert [t.name for t in pr.data][0] == f"Linear model (AP {ap:.3f})"
    share = np.mean(cmp.y == 1)
    assert pr.data[-1].name == f"Flag every row (precision {share:.1%})" and pr.data[-1].y[0] == pytest.approx(share)


def test_calibration_points_are_bin_means_and_the_diagonal_is_drawn():
    cmp = fake_comparison()
    fig = plots.calibration_figure(cmp, ["deep"], n_bins=5)
    curve, diagonal = fig.data
    assert 1 <= len(curve.x) <= 5 and np.all(np.diff(curve.x) > 0)
    assert np.all((0 <= np.asarray(curve.y)) & (np.asarray(curve.y) <= 1))
    p = cmp.oof["deep"][0][:, 1]
    top = p >= 0.8  # the last of five equal-width bins
    assert curve.y[-1] == pytest.approx(np.mean(cmp.y[top] == 1)) and curve.x[-1] == pytest.approx(p[top].mean())
    assert curve.customdata[-1] == top.sum() and sum(curve.customdata) == len(p)  # rows per bin, in the hover
    assert diagonal.name == "Perfectly calibrated" and list(diagonal.x) == [0, 1]


def test_multiclass_is_one_class_against_the_rest_and_drops_failed_rows():
    cmp = _multiclass(fail_split=0)
    y, proba = plots.oof_rows(cmp, "gbm")
    _, failed_rows = next(iter(cmp.splits))
    assert len(y) == len(cmp.y) - len(failed_rows) and np.isfinite(proba).all()
    roc = plots.roc_figure(cmp, ["gbm"], positive=2)
    assert roc.layout.title.text == "ROC curve (owl against the rest)"
    auc = roc_auc_score(y == 2, proba[:, 2])
    assert roc.data[0].name == f"Gradient boosting (XGBoost) (AUC {auc:.3f})"
    cm = plots.confusion_figure(cmp, "gbm").data[0]
    assert list(cm.x) == ["cat", "dog", "owl"] and np.asarray(cm.customdata).sum() == len(y)
    with pytest.raises(ValueError, match="class index 3 is out of range: this data has 3 classes"):
        plots.pr_figure(cmp, positive=3)


def test_a_family_that_failed_everywhere_gets_a_message_not_a_curve():
    cmp = fake_comparison(fail=("deep",))
    assert [a.text for a in plots.confusion_figure(cmp, "deep").layout.annotations] == [
        "no predictions: the fit failed on every split"]
    roc = plots.roc_figure(cmp, ["deep"])
    assert [t.name for t in roc.data] == ["Chance (AUC 0.500)"] and roc.layout.annotations
    assert [t.name.split(" (AUC")[0] for t in plots.roc_figure(cmp).data] == [
        "Linear model", "Gradient boosting (XGBoost)", "Chance"]


def test_regression_predicted_against_actual_and_residuals():
    cmp = fake_comparison("regression")
    fig = plots.predicted_actual_figure(cmp, "deep")
    points, diagonal = fig.data
    np.testing.assert_allclose(points.x, cmp.y)
    np.testing.assert_allclose(points.y, cmp.oof["deep"][0])
    assert diagonal.x[0] == diagonal.y[0] and diagonal.x[1] == diagonal.y[1]
    assert points.marker.color == families.color("deep")
    res = plots.residuals_figure(cmp, "linear")
    np.testing.assert_allclose(res.data[0].y, cmp.y - cmp.oof["linear"][0])
    assert list(res.data[1].y) == [0, 0] and res.layout.yaxis.title.text == "Residual (actual − predicted)"


def test_large_regression_scatters_draw_a_fixed_subset_and_say_so():
    cmp = fake_comparison("regression")
    fig = plots.predicted_actual_figure(cmp, "gbm", max_points=50)
    again = plots.predicted_actual_figure(cmp, "gbm", max_points=50)
    assert len(fig.data[0].x) == 50 and list(fig.data[0].x) == list(again.data[0].x)
    assert fig.layout.title.text.endswith("(50 of 120 rows drawn)")
