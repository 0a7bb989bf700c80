"""Data-size curves: subsamples, sizes, progress, reproducibility, power-law fits and the crossover finder.

Everything after training is tested on scores constructed directly (no fits);
the few trained curves use the linear and XGBoost families with tiny budgets.
"""

import json

import numpy as np
import pandas as pd
import pytest

from dllab.config import RunConfig
from dllab.analyses.curves.run import _BAD_COMPARISON, _BAD_SEEDS
from dllab.analyses.curves.sizes import _BAD_SIZES
from dllab.analyses.curves import (LearningCurve, PowerLaw, candidate_sizes,
                                   find_crossover, fit_power_law, learning_curve, nested_order)
from dllab.datasets.dataset import Dataset
from dllab.errors import ConfigError
from dllab.models import make_model
from dllab.engine.runner import compare

FAST = dict(budget="quick", n_folds=3, device="cpu", families=("linear", "gbm"))


def _make(family, task, *, budget, random_state, device):
    # Smaller settings, same checks: one XGBoost thread (on a loaded 2-core machine the default,
    # all cores, is many times slower) and a 3-value inner search for logistic regression.
    model = make_model(family, task, budget=budget, random_state=random_state, device=device)
    if family == "gbm":
        return model.set_params(n_jobs=1)
    if family == "linear" and task != "regression":
        return model.set_params(Cs=3, cv=2)
    return model


@pytest.fixture(scope="module")
def tiny_curve_runs():
    """One trained curve with its progress reports (shared by several tests)."""
    rng = np.random.default_rng(3)
    n = 300
    x = rng.normal(size=(n, 3))
    y = np.where(x[:, 0] > 0.9, "c", np.where(x[:, 1] > 0, "a", "b"))  # "c" is about 18% of rows
    df = pd.DataFrame(x, columns=["x0", "x1", "x2"]).assign(target=y)
    ds = Dataset(frame=df, target="target", task="multiclass", roles={c: "numeric" for c in ("x0", "x1", "x2")})
    reports = []
    curve = learning_curve(ds, config=RunConfig(seed=5, **FAST), sizes=[30, 60, 120, 200, 5000], n_seeds=2,
                           progress=reports.append, n_boot=30, make=_make)
    return ds, curve, reports


# ------------------------------------------------------------------ sizes and subsamples
def test_default_sizes_are_log_spaced_and_end_at_the_full_fold():
    assert candidate_sizes(16_512)[0] == [100, 250, 500, 1000, 2500, 5000, 10000, 16_512]
    assert candidate_sizes(11_000)[0] == [100, 250, 500, 1000, 2500, 5000, 11_000]  # 10k is within 20% of 11k
    assert candidate_sizes(200, min_size=30)[0] == [50, 100, 200]


def test_requested_sizes_are_clipped_to_the_rows_available(message_re):
    sizes, notes = candidate_sizes(1000, sizes=[5, 100, 100, 400, 2500], min_size=20)
    assert sizes == [100, 400]
    assert notes == ["sizes below 20 rows were dropped: 5",
                     "sizes above the 1,000 training rows of a fold were dropped: 2,500"]
    with pytest.raises(ConfigError, match=message_re(_BAD_SIZES)):
        candidate_sizes(1000, sizes=[5000], min_size=20)
    with pytest.raises(ConfigError, match=message_re(_BAD_SIZES)):
        candidate_sizes(1000, sizes=[100.5], min_size=20)


def test_nested_order_is_a_stratified_permutation_whose_prefixes_hold_every_class():
    y = np.array([0] * 700 + [1] * 250 + [2] * 50)
    train = np.arange(1000)[::-1].copy()
    order = nested_order(train, y, task="multiclass", random_state=1)
    assert sorted(order.tolist()) == list(range(1000))
    share = np.bincount(y) / len(y)
    for n in (9, 30, 100, 250, 600):
        counts = np.bincount(y[order[:n]], minlength=3)
        assert counts.min() >= 3
        assert np.all(np.abs(counts - share * n) <= 4), (n, counts)
    assert not np.array_equal(order, nested_order(train, y, task="multiclass", random_state=2))
    assert np.array_equal(order, nested_order(train, y, task="multiclass", random_state=1))


def test_trained_subsamples_are_nested_per_seed_shared_by_families_and_stratified(tiny_curve_runs):
    ds, curve, reports = tiny_curve_runs
    rows = {}
    for p in reports:
        seed = p.task.label.split("seed ")[1]
        rows.setdefault((seed, p.task.family), []).append(p.task.train_idx)
    for (seed, family), subsamples in rows.items():
        assert [len(s) for s in subsamples] == [30, 60, 120, curve.sizes[-1]]
        for small, large in zip(subsamples, subsamples[1:]):
            assert np.array_equal(large[:len(small)], small)  # nested: a prefix of one permutation
        assert all(np.array_equal(a, b) for a, b in zip(subsamples, rows[seed, "linear"]))  # same rows for all
        for s in subsamples[:3]:
            assert set(ds.y[s]) == {0, 1, 2}
    assert not np.array_equal(rows["1/2", "gbm"][0], rows["2/2", "gbm"][0])
    test_folds = {p.task.test_idx.tobytes() for p in reports}
    assert len(test_folds) == 1  # always scored on the same held-out fold


def test_sizes_are_clipped_and_progress_labels_name_size_seed_and_model(tiny_curve_runs):
    ds, curve, reports = tiny_curve_runs
    assert curve.sizes.tolist() == [30, 60, 120, 200]  # 5,000 dropped; 200 = training rows of fold 1
    assert any("5,000" in note for note in curve.notes)
    assert [p.done for p in reports] == list(range(1, 17))
    assert {p.total for p in reports} == {16}
    assert reports[0].task.label == "Linear model, 30 rows, seed 1/2"
    assert reports[-1].task.label == "Gradient boosting (XGBoost), 200 rows, seed 2/2"
    d = curve.to_dict()
    assert [m["name"] for m in d["models"]] == ["linear", "gbm"]
    model = d["models"][1]
    assert np.array(model["scores"]).shape == (4, 2)
    assert len(model["mean"]) == len(model["ci_low"]) == len(model["fit_seconds"]) == 4
    assert set(d["crossover"]) >= {"observed_n", "extrapolated_n", "ci", "statement"}
    assert json.loads(json.dumps(d))["sizes"] == [30, 60, 120, 200]  # plain JSON: NaN became null
    assert reports[3].next_label == "Linear model, 60 rows, seed 1/2"  # the next size's first fit


def test_same_seed_gives_the_same_curve_and_another_seed_a_different_one(tiny_curve_runs):
    ds, curve, _ = tiny_curve_runs
    again = learning_curve(ds, config=RunConfig(seed=5, **FAST), sizes=[30, 60, 120, 200, 5000], n_seeds=2,
                           n_boot=30, make=_make)
    for f in curve.families:
        np.testing.assert_array_equal(curve.scores[f], again.scores[f])
    a, b = curve.to_dict(), again.to_dict()
    a["design"].pop("wall_seconds"), b["design"].pop("wall_seconds")
    for m in a["models"] + b["models"]:
        m.pop("fit_seconds")
    assert a == b
    gbm_only = dict(FAST, families=("gbm",))
    alone = learning_curve(ds, config=RunConfig(seed=5, **gbm_only), sizes=[30, 60], n_seeds=2, n_boot=5,
                           make=_make)
    np.testing.assert_array_equal(alone.scores["gbm"], curve.scores["gbm"][:2])  # other families do not matter
    other = learning_curve(ds, config=RunConfig(seed=6, **gbm_only), sizes=[30, 60], n_seeds=2, n_boot=5,
                           make=_make)
    assert not np.array_equal(other.scores["gbm"], curve.scores["gbm"][:2])


def test_bad_arguments_are_rejected_with_their_value(binary_ds, message_re):
    with pytest.raises(ConfigError, match=message_re(_BAD_SEEDS)):
        learning_curve(binary_ds, config=RunConfig(**FAST), n_seeds=0)
    with pytest.raises(ConfigError, match=message_re(_BAD_SIZES)):
        learning_curve(binary_ds, config=RunConfig(**FAST), sizes=[10_000])


# ------------------------------------------------------------------ comparison reuse and budget
def test_full_size_point_reuses_the_comparisons_fits(regression_ds, message_re):
    config = RunConfig(**dict(FAST, families=("linear",)))
    cmp = compare(regression_ds, config=config)
    reports = []
    curve = learning_curve(regression_ds, config=config, comparison=cmp, n_seeds=2, progress=reports.append,
                           n_boot=20)
    full = len(cmp.splits[0][0])
    assert curve.sizes.tolist() == [25, 50, 100, full]
    assert reports[-1].total == 3 * 2  # three trained sizes x two seeds; the full size is not refitted
    assert curve.scores["linear"][-1, 0] == pytest.approx(cmp.split_scores("linear")[0])
    assert np.isnan(curve.scores["linear"][-1, 1])
    assert any("reuses the comparison" in note for note in curve.notes)
    with pytest.raises(ConfigError, match=message_re(_BAD_COMPARISON)):
        learning_curve(regression_ds, config=RunConfig(**dict(FAST, families=("linear",), seed=9)), comparison=cmp)


def test_time_budget_skips_the_larger_sizes_and_says_so(regression_ds):
    curve = learning_curve(regression_ds, config=RunConfig(**dict(FAST, families=("linear",))), sizes=[40, 80, 120],
                           n_seeds=1, time_budget=1e-6, n_boot=10)
    assert curve.sizes.tolist() == [40]
    assert any(note.startswith("time budget: sizes from 80 rows up were not trained") for note in curve.notes)
    assert curve.crossover.kind == "unavailable"


# ------------------------------------------------------------------ power law
def test_power_law_fit_recovers_known_parameters_on_noise_free_points():
    n = np.array([100, 250, 500, 1000, 2500, 5000, 10000])
    f = fit_power_law(n, 0.9 - 2 * n ** -0.5, higher_is_better=True, metric_bounds=(0, 1))
    assert (f.a, f.b, f.c) == pytest.approx((0.9, 2.0, 0.5), rel=1e-3)
    e = fit_power_law(n, 0.3 + 5 * n ** -0.4, higher_is_better=False, metric_bounds=(0, np.inf))
    assert (e.a, e.b, e.c) == pytest.approx((0.3, 5.0, 0.4), rel=1e-3)
    assert fit_power_law(n[:2], [0.5, 0.6], higher_is_better=True) is None
    assert PowerLaw(0.9, 2.0, 0.5, True).per_doubling(10_000) == pytest.approx(
        2 * (10_000 ** -0.5 - 20_000 ** -0.5))


# ------------------------------------------------------------------ crossover (constructed scores, no training)
SIZES = np.array([100, 250, 500, 1000, 2500, 5000, 10000])


def _replicates(mean, sd=0.002, k=3, seed=0):
    rng = np.random.default_rng(seed)
    return np.asarray(mean)[:, None] + rng.normal(scale=sd, size=(len(mean), k))


def test_observed_crossover_is_interpolated_between_the_right_sizes():
    gbm = _replicates(0.80 + 0.010 * np.log10(SIZES), seed=1)   # starts high, rises slowly
    deep = _replicates(0.62 + 0.065 * np.log10(SIZES), seed=2)  # starts low, rises fast: equal near 1,900
    c = find_crossover(SIZES, deep, gbm, n_boot=100)
    assert c.kind == "observed" and c.bracket == (1000, 2500)
    assert 1000 < c.observed_n < 2500 and c.extrapolated_n is None
    assert c.ci[0] <= c.observed_n <= c.ci[1]
    assert "overtakes XGBoost at about" in c.statement


def test_crossover_beyond_the_data_is_extrapolated_with_an_interval_that_contains_it():
    # Fitted curves meet at 30,000 rows, 3x the largest size.
    gbm_law = PowerLaw(0.88, 0.5, 0.5, True)
    b_deep = (0.95 - gbm_law(30_000)) * 30_000 ** 0.35
    deep_law = PowerLaw(0.95, b_deep, 0.35, True)
    c = find_crossover(SIZES, _replicates(deep_law(SIZES), sd=0.001, seed=3),
                       _replicates(gbm_law(SIZES), sd=0.001, seed=4), n_boot=150)
    assert c.kind == "extrapolated" and c.observed_n is None
    assert 20_000 <= c.extrapolated_n <= 45_000
    lo, hi = c.ci
    assert lo <= c.extrapolated_n <= (np.inf if hi is None else hi)
    assert "extrapolation" in c.statement


def test_diverging_curves_are_not_expected_to_cross_within_10x():
    gbm = _replicates(PowerLaw(0.92, 1.0, 0.5, True)(SIZES), seed=5)
    deep = _replicates(PowerLaw(0.85, 1.0, 0.3, True)(SIZES), seed=6)
    c = find_crossover(SIZES, deep, gbm, n_boot=100)
    assert c.kind == "not_expected" and c.observed_n is None and c.extrapolated_n is None
    assert "not expected to overtake it within 10x the current data" in c.statement


def test_error_metrics_cross_when_the_deep_error_falls_below():
    gbm = _replicates(0.50 - 0.03 * np.log10(SIZES), seed=7)
    deep = _replicates(0.75 - 0.10 * np.log10(SIZES), seed=8)  # equal near 3,700
    c = find_crossover(SIZES[:4], deep[:4], gbm[:4], higher_is_better=False, metric_bounds=(0, np.inf),
                       n_boot=50)
    assert c.kind in ("extrapolated", "not_expected")
    c = find_crossover(SIZES, deep, gbm, higher_is_better=False, metric_bounds=(0, np.inf), n_boot=50)
    assert c.kind == "observed" and c.bracket == (2500, 5000)


def test_curve_object_reads_slopes_predictions_and_a_conclusion_with_numbers():
    scores = {"linear": _replicates(0.78 + 0.004 * np.log10(SIZES), seed=9),
              "gbm": _replicates(0.80 + 0.010 * np.log10(SIZES), seed=1),
              "deep": _replicates(0.62 + 0.065 * np.log10(SIZES), seed=2)}
    lc = LearningCurve(SIZES, scores, metric="accuracy", n_boot=60)
    assert lc.leaders()[:3] == ["gbm"] * 3 and lc.leaders()[-1] == "deep"
    slope, lo, hi = lc.slopes["deep"]
    assert lo <= slope <= hi and slope > lc.slopes["gbm"][0] > 0
    p = lc.predict("deep", 40_000)
    score, low, high = p
    assert low <= score <= high and p.extrapolated and "Extrapolated" in p.note
    assert not lc.predict("deep", 5_000).extrapolated
    text = lc.conclusion()
    assert "XGBoost at 100-1,000 rows, then the deep net at 2,500-10,000 rows" in text and "points" in text and "overtakes XGBoost" in text
    d = lc.to_dict()
    assert d["crossover"]["observed_n"] == lc.crossover.observed_n
    assert d["models"][2]["power_law"]["form"] == "a - b * n^(-c)"
    assert LearningCurve(SIZES, scores, metric="accuracy", n_boot=60).to_dict() == d
    with pytest.raises(ConfigError, match="family='tabnet' is not in this curve"):
        lc.predict("tabnet", 100)



def test_text_curves_name_the_pretrained_encoder_and_where_tfidf_catches_up():
    # The shape measured on wordnet_definitions: the encoder leads with few rows, TF-IDF overtakes it later.
    transfer = _replicates(0.76 + 0.030 * np.log10(SIZES), seed=10)
    linear = _replicates(0.30 + 0.150 * np.log10(SIZES), seed=11)  # equal near 6,800
    lc = LearningCurve(SIZES, {"linear": linear, "transfer": transfer}, metric="accuracy", n_boot=40)
    assert lc.conclusion().startswith("Best accuracy: the pretrained encoder + head at 100-5,000 rows, then "
                                      "the linear model at 10,000 rows.")
    c = find_crossover(SIZES, linear, transfer, n_boot=40, challenger="linear", incumbent="transfer")
    assert c.kind == "observed" and c.bracket == (5000, 10000)
    assert "The linear model overtakes the pretrained encoder + head at about" in c.statement

# ------------------------------------------------------------------ trained: linear data
def test_on_truly_linear_data_the_linear_model_is_best_at_every_size():
    rng = np.random.default_rng(0)
    n = 1500
    X = rng.normal(size=(n, 5))
    df = pd.DataFrame(X, columns=[f"x{i}" for i in range(5)])
    df["target"] = X @ np.array([1.0, -2.0, 0.5, 0.0, 3.0]) + 0.1 * rng.normal(size=n)
    ds = Dataset(frame=df, target="target", task="regression", roles={c: "numeric" for c in df.columns[:-1]})
    curve = learning_curve(ds, config=RunConfig(**FAST), sizes=[50, 150, 400, 1000], n_seeds=2, n_boot=30,
                           make=_make)
    assert curve.metric == "rmse" and not curve.higher_is_better
    assert curve.leaders() == ["linear"] * 4
    assert curve.conclusion().startswith("The linear model has the best RMSE at every size up to 1,000 rows.")


def test_deep_family_runs_in_the_curve_with_readable_labels(binary_ds):
    reports = []
    config = RunConfig(**dict(FAST, families=("gbm", "deep")))
    curve = learning_curve(binary_ds, config=config, sizes=[60, 120], n_seeds=1, progress=reports.append,
                           n_boot=10, make=_make)
    assert [p.task.label for p in reports] == [
        "Gradient boosting (XGBoost), 60 rows, seed 1/1", "Deep network, 60 rows, seed 1/1",
        "Gradient boosting (XGBoost), 120 rows, seed 1/1", "Deep network, 120 rows, seed 1/1"]
    assert np.isfinite(curve.scores["deep"]).all()
    # Two sizes cannot be fitted: no extrapolation, but the observed comparison is still made.
    assert curve.fits["deep"] is None
    assert curve.crossover.kind in ("observed", "leads_throughout", "unavailable")


def test_on_smooth_interactions_the_deep_curve_rises_faster_than_the_linear_one():
    # The evidence: with many rows of a smooth high-dimensional function the deep net
    # keeps improving while a linear model has nothing left to learn. Small enough for CI.
    from dllab.datasets import from_frame, make_smooth_interactions

    ds = from_frame(make_smooth_interactions(3000, 16, random_state=0), target="target")
    curve = learning_curve(ds, config=RunConfig(budget="quick", n_folds=3, families=("linear", "deep")),
                           sizes=[250, 1000, 2000], n_seeds=2)
    gain = {f: curve.summary[curve.summary.family == f]["mean"].to_numpy() for f in ("linear", "deep")}
    # RMSE: improvement from the smallest to the largest size
    deep_gain, linear_gain = gain["deep"][0] - gain["deep"][-1], gain["linear"][0] - gain["linear"][-1]
    assert deep_gain > 2 * max(linear_gain, 0.0) and deep_gain > 0
    assert gain["deep"][-1] < gain["linear"][-1]  # and it ends ahead of the linear model


def test_text_curves_say_where_tfidf_catches_up_with_the_pretrained_encoder():
    # The encoder leads on few rows, TF-IDF + linear overtakes it between 5,000 and 10,000 (as measured on
    # wordnet_definitions, benchmarks/transfer.py).
    n = np.array([100, 250, 500, 1000, 2500, 5000, 10000])
    rng = np.random.default_rng(0)
    noise = rng.normal(scale=0.002, size=(len(n), 3))
    linear = np.array([0.50, 0.63, 0.71, 0.77, 0.83, 0.87, 0.89])[:, None] + noise
    transfer = np.array([0.79, 0.83, 0.84, 0.85, 0.87, 0.88, 0.885])[:, None] + noise[::-1]
    lc = LearningCurve(n, {"linear": linear, "transfer": transfer}, metric="accuracy", n_boot=30)
    tc = lc.transfer_crossover
    assert tc.kind == "observed" and 5000 <= tc.observed_n <= 10000
    assert tc.statement.startswith("The linear model overtakes the pretrained encoder + head at about")
    assert tc.statement in lc.conclusion() and "No crossover estimate" not in lc.conclusion()
    assert lc.to_dict()["transfer_crossover"]["kind"] == "observed"
    assert LearningCurve(n, {"linear": linear, "gbm": transfer}, metric="accuracy", n_boot=10).transfer_crossover is None
