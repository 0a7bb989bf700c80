"""dllab.present.plots: figures from a hand-built Comparison (no training), checked through fig.data and fig.layout."""

from __future__ import annotations

import numpy as np
import pytest

from fakes import fake_comparison

from dllab.present import plots
from dllab.analyses.comparison import Comparison, FitRecord
from dllab import families
from dllab.families import label as family_label

#: The families of the hand-built results below (every family of the library has a colour, see the first test).
FAMILIES = ("linear", "gbm", "deep")
from dllab.engine.splits import make_splits


def _comparison(task="binary", *, fail=(), seconds=None):
    return fake_comparison(task, fail=fail, seconds=seconds)


def test_every_family_has_one_fixed_colour_and_symbol():
    all_families = families.names()
    assert all(families.color(f) and families.marker(f) for f in all_families)
    assert len({families.color(f) for f in all_families}) == len(all_families)
    assert len({families.marker(f) for f in all_families}) == len(all_families)


@pytest.mark.parametrize("make", [plots.comparison_figure, plots.cost_figure, plots.split_scores_figure])
def test_each_family_keeps_its_colour_in_every_figure(make):
    fig = make(_comparison())
    named = {t.name: t.marker.color for t in fig.data if t.mode and "markers" in t.mode}
    assert named == {family_label(f): families.color(f) for f in FAMILIES}


def test_comparison_figure_points_error_bars_and_axis_titles():
    cmp = _comparison()
    fig = plots.comparison_figure(cmp)
    assert [t.name for t in fig.data] == [family_label(f) for f in FAMILIES]
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
    assert [t.name for t in fig.data] == [family_label("linear"), family_label("gbm")]
    floor = _comparison(fail=("deep",)).baseline.loc["baseline", "accuracy"]
    assert [a.text for a in fig.layout.annotations] == ["failed: no score",
                                                        f"Baseline (majority class): {floor:.1%}"]
    assert len(plots.cost_figure(_comparison(fail=("deep",))).data) == 2


def test_score_figures_draw_the_baseline_and_format_hovers_as_the_tables():
    cmp = _comparison()
    floor = cmp.baseline.loc["baseline", "accuracy"]
    fig = plots.comparison_figure(cmp)
    (line,) = [s for s in fig.layout.shapes if s.type == "line"]
    assert line.y0 == line.y1 == pytest.approx(floor) and line.line.dash == "dot"
    assert fig.layout.annotations[-1].text == f"Baseline (majority class): {floor:.1%}"
    for fig in (fig, plots.cost_figure(cmp)):
        assert "%{y:.1%}" in fig.data[0].hovertemplate  # 80.8%, as the cards and the leaderboard
    auc = plots.comparison_figure(cmp, metric="roc_auc")
    assert auc.layout.yaxis.tickformat == ".2f" and "%{y:.3f}" in auc.data[0].hovertemplate
    assert plots.hover_format("rmse") == ".3g"


def test_long_family_labels_wrap_on_the_axis_and_legends_sit_below_the_plot():
    fig = plots.comparison_figure(_comparison())
    assert list(fig.layout.xaxis.categoryarray) == ["Linear model", "Gradient boosting<br>(XGBoost)", "Deep network"]
    cost = plots.cost_figure(_comparison())
    assert cost.layout.legend.orientation == "h" and cost.layout.legend.yanchor == "bottom"
    assert cost.layout.legend.y <= 0  # at the bottom of the figure, under the x axis title, not over the title


def test_cost_figure_log_seconds_axis():
    fig = plots.cost_figure(_comparison(seconds={"linear": 0.05, "gbm": 0.8, "deep": 12.0}))
    assert [t.x[0] for t in fig.data] == pytest.approx([0.05, 0.8, 12.0])
    assert fig.layout.xaxis.type == "log"
    assert list(fig.layout.xaxis.ticktext) == ["0.05 s", "0.1 s", "0.2 s", "0.5 s", "1 s", "2 s", "5 s", "10 s",
                                               "20 s"]  # whole seconds, not plotly's bare minor digits
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


# ---------------------------------------------------------------------------- data-size curves
def _curve(*, families=("linear", "gbm", "deep"), sizes=(100, 250, 500, 1000, 2500)):
    from dllab.analyses.curves import LearningCurve

    n = np.asarray(sizes)
    rng = np.random.default_rng(0)
    laws = {"linear": lambda n: 0.80 - 0.3 * n ** -0.5, "gbm": lambda n: 0.88 - 1.0 * n ** -0.5,
            "deep": lambda n: 0.95 - 3.0 * n ** -0.4}
    scores = {f: np.column_stack([laws[f](n) + rng.normal(0, 0.003, len(n)) for _ in range(3)]) for f in families}
    secs = {f: np.full((len(n), 3), s) * n[:, None] / 100 for f, s in (("linear", 0.01), ("gbm", 0.1), ("deep", 1.0))
            if f in families}
    return LearningCurve(n, scores, metric="accuracy", fit_seconds=secs, n_boot=50)


def test_learning_curve_figure_bands_fits_extrapolation_and_crossover():
    lc = _curve()
    assert lc.crossover.kind == "extrapolated"
    fig = plots.learning_curve_figure(lc)
    names = [t.name for t in fig.data]
    for f in FAMILIES:
        label = family_label(f)
        assert names[names.index(label) - 1:names.index(label) + 4] == [
            f"{label} 95% band", label, f"{label} fit", f"{label} extrapolation band", f"{label} extrapolation"]
    by_name = {t.name: t for t in fig.data}
    deep = by_name["Deep network"]
    assert list(deep.x) == [100, 250, 500, 1000, 2500] and len(deep.y) == 5
    np.testing.assert_allclose(deep.y, lc.band("deep")["mean"])
    assert deep.line.color == families.color("deep") and deep.mode == "lines+markers"
    ext = by_name["Deep network extrapolation"]
    assert ext.line.dash == "dash" and ext.x[0] == 2500 and ext.x[-1] == pytest.approx(25_000)
    assert by_name["Deep network fit"].line.dash == "dot"
    band = by_name["Deep network 95% band"]
    assert band.fill == "toself" and len(band.x) == 10 and band.showlegend is False
    assert [t.name for t in fig.data if t.showlegend is not False] == [family_label(f) for f in FAMILIES]
    # axes: log rows, metric with its direction, percentages
    assert fig.layout.xaxis.type == "log" and fig.layout.xaxis.title.text == "Training rows (log scale)"
    assert fig.layout.yaxis.title.text == "Accuracy (higher is better)" and fig.layout.yaxis.tickformat == ".1%"
    assert "1k" in fig.layout.xaxis.ticktext
    # the crossover: a dashed vertical line at the estimate, its CI shaded, the numbers in the annotation
    lines = [s for s in fig.layout.shapes if s.type == "line"]
    assert [s.x0 for s in lines] == [lc.crossover.extrapolated_n] and lines[0].line.dash == "dash"
    lo, hi = lc.crossover.ci
    assert any(s.type == "rect" and (s.x0, s.x1) == (lo, hi) for s in fig.layout.shapes)
    text = " ".join(a.text for a in fig.layout.annotations)
    assert "crossover ≈ 9,600 rows (extrapolated, 95% CI" in text and "extrapolated (fitted curve" in text


def test_learning_curve_figure_marks_the_what_if_size_and_extends_to_it():
    lc = _curve(families=("linear", "gbm"))
    fig = plots.learning_curve_figure(lc, mark_n=100_000)
    ext = {t.name: t for t in fig.data}["Linear model extrapolation"]
    assert ext.x[-1] == pytest.approx(125_000)
    assert [s.x0 for s in fig.layout.shapes if s.type == "line"] == [100_000]  # no crossover: deep not run
    assert not any("crossover" in a.text for a in fig.layout.annotations)
    flat = plots.learning_curve_figure(lc, log_x=False, extend=1)
    assert flat.layout.xaxis.type == "linear" and not [t for t in flat.data if "extrapolation" in t.name]


def test_learning_curve_figure_without_a_fit_draws_only_the_points():
    lc = _curve(families=("gbm",), sizes=(100, 200))
    fig = plots.learning_curve_figure(lc)
    assert [t.name for t in fig.data if "band" not in t.name] == [family_label("gbm")]
    assert len(fig.data[-1].y) == 2


def test_fit_time_figure_is_log_log_in_seconds():
    lc = _curve()
    fig = plots.fit_time_figure(lc)
    assert [t.name for t in fig.data] == [family_label(f) for f in FAMILIES]
    assert [t.line.color for t in fig.data] == [families.color(f) for f in FAMILIES]
    np.testing.assert_allclose(fig.data[2].y, [1.0, 2.5, 5.0, 10.0, 25.0])
    assert fig.layout.xaxis.type == fig.layout.yaxis.type == "log"
    assert fig.layout.yaxis.title.text == "Training time per fit (seconds, log scale)"
    assert "10 s" in fig.layout.yaxis.ticktext and fig.layout.xaxis.title.text == "Training rows (log scale)"
    assert list(fig.layout.xaxis.ticktext) == ["100", "250", "500", "1k", "2.5k"]  # the measured sizes


# ---------------------------------------------------------------------------- subgroups
def _report(*, with_shift=False):
    """Linear is wrong on every row of group b; XGBoost and the deep net are mostly right."""
    import pandas as pd

    from dllab.datasets import from_frame
    from dllab.analyses.subgroups import subgroup_report

    rng = np.random.default_rng(0)
    n = 600
    df = pd.DataFrame({"g": np.repeat(["a", "b", "c"], n // 3), "x": rng.normal(size=n),
                       "target": rng.integers(0, 2, n)})
    ds = from_frame(df, target="target")
    y, in_b = ds.y, (df.g == "b").to_numpy()
    splits = make_splits(y, task="binary", n_folds=2, random_state=0)
    right = {"linear": np.where(in_b, 0.0, 0.95), "gbm": np.full(n, 0.9), "deep": np.where(in_b, 0.97, 0.8)}
    records = []
    for i, (_, te) in enumerate(splits):
        for fam in FAMILIES:
            hit = rng.random(len(te)) < right[fam][te]
            p1 = np.where(hit == (y[te] == 1), 0.8, 0.2)
            records.append(FitRecord(family=fam, split=i, status="ok", test_idx=te,
                                     prediction=np.column_stack([1 - p1, p1]), fit_seconds=0.1))
    cmp = Comparison(records, y=y, task="binary", splits=splits, n_classes=2)
    return subgroup_report(cmp, ds, n_boot=50)


def test_slice_heatmap_figure_one_cell_per_slice_and_model():
    from dllab.analyses.subgroups import slice_table

    rep = _report()
    table = slice_table(rep, values="score", max_conditions=1)
    fig = plots.slice_heatmap_figure(table, metric="accuracy")
    (heat,) = fig.data
    assert heat.type == "heatmap" and heat.name == "score"
    assert list(heat.x) == [family_label(f) for f in FAMILIES]
    assert len(heat.y) == len(table) and heat.y[0].startswith(table.index[0]) and "(n=" in heat.y[0]
    row_b = [i for i, d in enumerate(table.index) if d == "g = b"][0]
    assert heat.z[row_b][0] == pytest.approx(table.loc["g = b", "linear"]) and heat.text[row_b][0].endswith("%")
    assert heat.colorbar.title.text == "Accuracy" and heat.reversescale is False
    assert plots.slice_heatmap_figure(table, metric="log_loss").data[0].reversescale is True  # red = worse


def test_worst_slices_figure_points_with_intervals_and_overall_line():
    rep = _report()
    worst = rep.worst("linear")
    assert worst.description.iloc[0] == "g = b"
    fig = plots.worst_slices_figure(rep, "linear")
    (trace,) = fig.data
    assert trace.name == "Linear model" and trace.marker.color == families.color("linear")
    assert len(trace.x) == len(worst) and trace.y[0] == f"g = b (n={int(worst['size'].iloc[0])})"
    assert trace.error_x.arrayminus[0] == pytest.approx(worst.score.iloc[0] - worst.ci_low.iloc[0])
    assert fig.layout.xaxis.title.text == "Accuracy (higher is better)"
    assert [s.x0 for s in fig.layout.shapes] == [pytest.approx(rep.overall.loc["linear", "score"])]


def test_disagreement_figure_bars_in_the_colour_of_the_better_family():
    rep = _report()
    assert rep.pair == ("deep", "gbm")
    fig = plots.disagreement_figure(rep, top_k=3)
    names = [t.name for t in fig.data]
    assert names == ["Deep network better (lower loss)", "Gradient boosting (XGBoost) better (lower loss)"]
    better_deep, better_gbm = fig.data
    assert better_deep.marker.color == families.color("deep") and all(v < 0 for v in better_deep.x)
    assert better_gbm.marker.color == families.color("gbm") and all(v > 0 for v in better_gbm.x)
    assert len(better_deep.x) <= 3 and len(better_gbm.x) <= 3
    assert any(y.startswith("g = b") for y in better_deep.y)
    assert fig.layout.xaxis.title.text.startswith("Per-row log loss: Deep network minus Gradient boosting")
    assert f"dashed: all rows, {rep.to_dict()['disagreement_overall']:+.3f}" in fig.layout.xaxis.title.text


def test_shift_figure_one_point_per_group_and_family():
    rows = []
    for g, drops in (("g = a", (0.01, 0.02)), ("g = b", (0.20, -0.01))):
        for fam, d in zip(("linear", "gbm"), drops):
            rows.append({"column": "g", "group": g, "size": 200, "family": fam, "metric": "accuracy", "status": "ok",
                         "drop": d, "drop_ci_low": d - 0.05, "drop_ci_high": d + 0.05, "shift_score": 0.8 - d,
                         "random_score": 0.8})
    rows.append({**rows[-1], "family": "deep", "status": "failed", "drop": None})
    fig = plots.shift_figure(rows)
    assert [t.name for t in fig.data] == [family_label("linear"), family_label("gbm")]
    assert list(fig.data[0].x) == ["g = a (n=200)", "g = b (n=200)"]
    np.testing.assert_allclose(fig.data[0].y, [0.01, 0.20])
    assert fig.data[1].error_y.array[1] == pytest.approx(0.05)
    assert fig.layout.yaxis.title.text == "Drop in Accuracy vs a random split (> 0: worse)"
    assert fig.layout.xaxis.title.text == "Held-out group of g" and fig.layout.yaxis.tickformat == ".1%"


# =========================================================================== explanations
from dllab.analyses.explain import Explanation as _RealExplanation  # noqa: E402


class _Words:
    """The words of a binary Explanation (what its values are of, how its rows are named), borrowed from the real one."""

    task, target, class_labels, units, name_column = "binary", "y", [0, 1], ("output",), None
    describe, outcome, unit_label, row_name = (_RealExplanation.describe, _RealExplanation.outcome,
                                               _RealExplanation.unit_label, _RealExplanation.row_name)


class _Explanation(_Words):
    """A stand-in for dllab.analyses.explain.Explanation with known numbers (no models)."""

    def __init__(self, families=("linear", "gbm", "deep"), n=40):
        import pandas as pd

        rng = np.random.default_rng(0)
        self.families = list(families)
        self.columns = [f"c{i}" for i in range(20)] + ["colour"]
        self.output_space = "log-odds of the positive class"
        weights = {f: np.linspace(1, 0, len(self.columns)) * (1 + 0.1 * k) for k, f in enumerate(self.families)}
        weights["gbm" if "gbm" in self.families else self.families[0]][3] = 5.0  # c3 first for one family only
        idx = pd.Index(self.columns, name="column")
        self.importance = pd.DataFrame(weights, index=idx)[self.families]
        self.importance_low, self.importance_high = self.importance * 0.9, self.importance * 1.1
        rows = pd.Index(np.arange(0, 2 * n, 2), name="row")
        self.shown_rows = pd.DataFrame({c: rng.normal(size=n) for c in self.columns[:-1]}, index=rows)
        self.shown_rows["colour"] = rng.choice(["red", "blue"], n)
        self._phi = {f: pd.DataFrame(rng.normal(size=(n, len(self.columns))), index=rows, columns=self.columns)
                     for f in self.families}

    def values(self, family, **_):
        return self._phi[family] if family != "deep" else self._phi[family].iloc[::2]  # the deep net: a subset

    def local(self, row_position, **_):
        import pandas as pd

        from dllab.analyses.explain import BASE_ROW, OUTPUT_ROW, VALUE_COLUMN

        row = self.shown_rows.index[::2][row_position]
        data = {VALUE_COLUMN: list(self.shown_rows.loc[row, self.columns]) + [None, None]}
        for f in self.families:
            phi = self._phi[f].loc[row].tolist()
            data[f] = phi + [0.5, 0.5 + sum(phi)]
        frame = pd.DataFrame(data, index=pd.Index(self.columns + [BASE_ROW, OUTPUT_ROW], name="column"))
        frame.attrs["row"] = int(row)
        return frame


def test_importance_figure_side_by_side_same_order_colours_and_top_15():
    ex = _Explanation()
    fig = plots.importance_figure(ex)
    assert [t.name for t in fig.data] == [family_label(f) for f in FAMILIES]
    assert [t.marker.color for t in fig.data] == [families.color(f) for f in FAMILIES]
    order = list(fig.data[0].y)
    assert len(order) == 15 and order[0] == "c3" and all(list(t.y) == order for t in fig.data)
    assert order == plots.importance_order(ex)
    assert fig.layout.barmode == "group" and fig.layout.yaxis.autorange == "reversed"
    assert fig.layout.xaxis.title.text.startswith("Average size of a contribution (log-odds)")
    assert fig.layout.title.text.startswith("Global importance for the log-odds of y = 1")
    gbm = fig.data[1]
    assert gbm.x[0] == pytest.approx(5.0) and gbm.error_x.array[0] == pytest.approx(0.5)


def test_dependence_figure_one_panel_per_model_numeric_and_categorical():
    ex = _Explanation(families=("linear", "deep"))
    fig = plots.dependence_figure(ex, "c1")
    assert [a.text for a in fig.layout.annotations][:2] == [family_label("linear"), family_label("deep")]
    assert len(fig.data[0].x) == 40 and len(fig.data[1].x) == 20  # the deep net's subset, aligned by row
    assert fig.data[1].x[0] == pytest.approx(ex.shown_rows.loc[ex.values("deep").index[0], "c1"])
    assert fig.layout.yaxis.title.text == "Contribution of c1 (log-odds)" and fig.layout.xaxis.title.text == "c1"
    assert fig.data[0].marker.color == families.color("linear")
    cat = plots.dependence_figure(ex, "colour")
    assert set(cat.data[0].x) == {"red", "blue"}


def test_local_figure_waterfall_per_model_from_base_to_output():
    ex = _Explanation(families=("linear", "gbm"))
    fig = plots.local_figure(ex, 1, top_k=5)
    assert [t.type for t in fig.data] == ["waterfall", "waterfall"]
    w = fig.data[0]
    assert w.y[0] == "average row" and w.y[-2] == "other columns" and w.y[-1] == "this row"
    assert list(w.measure) == ["absolute"] + ["relative"] * 6 + ["total"]
    assert sum(w.x[:-1]) == pytest.approx(w.x[-1])  # contributions add up from the base value to the output
    assert list(fig.data[1].y) == list(w.y)  # same columns, same order for every model
    assert fig.layout.title.text.startswith(f"row {ex.shown_rows.index[2] + 1}: each model's log-odds of y = 1")


class _ImageExplanation(_Words):
    """A stand-in for an image Explanation: known pixel maps (no models). Class 1 is each family's prediction."""

    def __init__(self, shape=(3, 4), families=("linear", "gbm", "deep"), classes=("cat", "dog", "owl")):
        if classes:
            self.task, self.class_labels = "multiclass", list(classes)
        self.families = list(families)
        self.classes = list(classes) if classes else None
        self.output_space = "centred log-probability per class" if classes else "log-odds of the positive class"
        self.shape = shape
        self.asked = []

    def pixel_map(self, family, row_position, *, target_class=None):
        from dllab.analyses.explain import PixelMap

        self.asked.append((family, row_position, target_class))
        k = self.families.index(family)
        n = int(np.prod(self.shape))
        attribution = (np.arange(n) - n / 2).reshape(self.shape) * (k + 1) / n  # deep: the largest |value|
        cls = (1 if target_class is None else target_class) if self.classes else None
        return PixelMap(family=family, row=10 + row_position, target_class=cls,
                        class_label=None if cls is None else self.classes[cls],
                        predicted_class=1 if self.classes else None, attribution=attribution,
                        image=np.arange(n, dtype=float).reshape(self.shape), base_value=0.5,
                        output=0.5 + float(attribution.sum()), output_space=self.output_space, target="dog")


def test_pixel_map_figure_image_then_one_heatmap_per_family_on_one_symmetric_scale():
    ex = _ImageExplanation()
    fig = plots.pixel_map_figure(ex, 2)
    heatmaps = [t for t in fig.data if t.type == "heatmap"]
    assert [t.name for t in heatmaps] == ["image"] + [family_label(f) for f in FAMILIES]
    assert np.array(heatmaps[0].z).shape == (3, 4) and heatmaps[0].z[1][2] == 6.0  # the image, row-major
    assert np.array(heatmaps[3].z).tolist() == ex.pixel_map("deep", 2).attribution.tolist()
    # every map on the layout's one colour axis: diverging, centred at zero, +- the largest |value| of any map
    assert heatmaps[0].coloraxis is None and all(t.coloraxis == "coloraxis" for t in heatmaps[1:])
    limit = max(np.abs(np.array(t.z)).max() for t in heatmaps[1:])
    assert limit == pytest.approx(0.5 * 3)  # the deep net's map
    assert fig.layout.coloraxis.cmin == -limit and fig.layout.coloraxis.cmax == limit
    assert fig.layout.coloraxis.colorscale[0][1] != fig.layout.coloraxis.colorscale[-1][1]
    # the image's outline on every map, and square pixels with row 0 on top
    assert sum(t.type == "contour" for t in fig.data) == len(FAMILIES)
    assert fig.layout.yaxis.autorange == "reversed" and fig.layout.yaxis4.scaleanchor == "x4"
    titles = [a.text for a in fig.layout.annotations]
    assert titles[0] == "Image (label dog)"
    out = ex.pixel_map("gbm", 2).output
    assert titles[2] == f"{family_label('gbm')}<br>class dog (predicted), output {out:.3g}"
    assert fig.layout.title.text == "Which pixels mattered: row 13, each model's predicted class"


def test_pixel_map_figure_names_a_chosen_class_and_what_the_model_predicts():
    ex = _ImageExplanation(families=("linear", "deep"))
    fig = plots.pixel_map_figure(ex, 0, target_class=2)
    assert ex.asked == [("linear", 0, 2), ("deep", 0, 2)]
    titles = [a.text for a in fig.layout.annotations]
    assert titles[1].startswith(f"{family_label('linear')}<br>class owl (predicts dog), output ")
    assert fig.layout.title.text == "Which pixels mattered: row 11, class owl"
    assert len([t for t in fig.data if t.type == "heatmap"]) == 3


def test_pixel_map_figure_of_a_signal_is_a_line_over_one_bar_chart_per_family():
    ex = _ImageExplanation(shape=(1, 40), classes=None)
    fig = plots.pixel_map_figure(ex, 1)
    assert [t.type for t in fig.data] == ["scatter", "bar", "bar", "bar"]
    line = fig.data[0]
    assert list(line.x) == list(range(40)) and list(line.y) == list(range(40))
    limit = 1.0 * 3 * 20 / 40  # the deep net's largest |value|
    assert fig.layout.coloraxis.cmin == pytest.approx(-limit) and fig.layout.coloraxis.cmax == pytest.approx(limit)
    for i, bar in enumerate(fig.data[1:], start=2):
        assert bar.name == family_label(FAMILIES[i - 2]) and bar.marker.coloraxis == "coloraxis"
        assert list(bar.marker.color) == list(bar.y)  # colour and height tell the same number
        axis = fig.layout[f"yaxis{i}"]
        assert tuple(axis.range) == pytest.approx((-1.08 * limit, 1.08 * limit))  # one y range for every family
    assert fig.layout[f"xaxis{len(fig.data)}"].title.text == "position in the signal"
    assert fig.layout.annotations[1].text.startswith(f"{family_label('linear')}<br>log-odds of the positive class, "
                                                     "output ")
    assert fig.layout.title.text == "Which pixels mattered: row 12, contributions to the log-odds of y = 1"
