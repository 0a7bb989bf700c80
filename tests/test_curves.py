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
                           folds=1, progress=reports.append, n_boot=30, make=_make)
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
    # cheap first: each family's first fit, then the rest by expected cost (the largest size last)
    assert {p.task.label for p in reports[:2]} == {"Linear model, 30 rows, seed 1/2",
                                                  "Gradient boosting (XGBoost), 30 rows, seed 1/2"}
    assert reports[-1].task.label.endswith(", 200 rows, seed 2/2")
    d = curve.to_dict()
    assert [m["name"] for m in d["models"]] == ["linear", "gbm"]
    model = d["models"][1]
    assert np.array(model["scores"]).shape == (4, 2)
    assert len(model["mean"]) == len(model["ci_low"]) == len(model["fit_seconds"]) == 4
    assert set(d["crossover"]) >= {"observed_n", "extrapolated_n", "ci", "statement"}
    assert json.loads(json.dumps(d))["sizes"] == [30, 60, 120, 200]  # plain JSON: NaN became null
    # one fit at a time (tiny fits run in this process): each report names the next fit
    assert all(a.next_label == b.task.label for a, b in zip(reports, reports[1:]))


def test_same_seed_gives_the_same_curve_and_another_seed_a_different_one(tiny_curve_runs):
    ds, curve, _ = tiny_curve_runs
    again = learning_curve(ds, config=RunConfig(seed=5, **FAST), sizes=[30, 60, 120, 200, 5000], n_seeds=2,
                           folds=1, n_boot=30, make=_make)
    for f in curve.families:
        np.testing.assert_array_equal(curve.scores[f], again.scores[f])
    a, b = curve.to_dict(), again.to_dict()
    a["design"].pop("wall_seconds"), b["design"].pop("wall_seconds")
    for m in a["models"] + b["models"]:
        m.pop("fit_seconds")
    assert a == b
    gbm_only = dict(FAST, families=("gbm",))
    alone = learning_curve(ds, config=RunConfig(seed=5, **gbm_only), sizes=[30, 60], n_seeds=2, folds=1, n_boot=5,
                           make=_make)
    np.testing.assert_array_equal(alone.scores["gbm"], curve.scores["gbm"][:2])  # other families do not matter
    other = learning_curve(ds, config=RunConfig(seed=6, **gbm_only), sizes=[30, 60], n_seeds=2, folds=1, n_boot=5,
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
    full = min(len(tr) for tr, _ in cmp.splits)
    assert curve.sizes.tolist() == [25, 50, 100, full]
    assert reports[-1].total == 3 * 2 * 3  # three trained sizes x two seeds x three splits; not the full size
    # every split's full-size slot is the comparison's fit (replicate r = split * n_seeds + seed)
    np.testing.assert_allclose(curve.scores["linear"][-1, ::2], cmp.split_scores("linear"))
    assert np.isnan(curve.scores["linear"][-1, 1::2]).all()
    assert curve.design["matches_comparison"] and curve.design["rows_tested"] == regression_ds.n_rows
    assert reports[0].task.label == "Linear model, 25 rows, seed 1/2, split 1/3"
    one = learning_curve(regression_ds, config=config, comparison=cmp, folds=1, n_seeds=2, n_boot=20)
    assert not one.design["matches_comparison"]
    assert one.scores["linear"][-1, 0] == pytest.approx(cmp.split_scores("linear")[0])
    assert np.isfinite(one.scores["linear"][-1, 1])  # one split: the second slot is trained, for the test
    assert "the largest size (133 rows) reuses the comparison's fits on split 1 of its 3" in one.notes
    assert "reuses Compare's fits on split 1 only" in " ".join(one.describe_design())
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
    assert "Extrapolated from the fitted curves (not measured)" in c.statement
    assert c.statement.startswith("XGBoost is ahead of the deep net beyond noise at every size")


def test_diverging_curves_are_not_expected_to_cross_within_10x():
    gbm = _replicates(PowerLaw(0.92, 1.0, 0.5, True)(SIZES), seed=5)
    deep = _replicates(PowerLaw(0.85, 1.0, 0.3, True)(SIZES), seed=6)
    c = find_crossover(SIZES, deep, gbm, n_boot=100)
    assert c.kind == "not_expected" and c.observed_n is None and c.extrapolated_n is None
    assert "The deep net is not expected to overtake XGBoost within 10x the current data (100,000 rows)" in c.statement


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
    assert text.startswith("At the largest size (10,000 rows) the deep net scores highest, 88.0%; the linear model "
                           "(79.6%) and XGBoost (83.9%) are behind it beyond noise.")
    assert ("The deep net overtakes XGBoost at about 1,900 rows (the mean scores cross between 1,000 and 2,500 "
            "rows): behind beyond noise at 100 to 1,000 rows; ahead beyond noise at 2,500 to 10,000 rows.") in text
    parts = lc.conclusion_parts()
    assert parts["extrapolated"][0].startswith("Extrapolated from the fitted curves (not measured): at 100,000 rows")
    assert parts["extrapolated"][-1].startswith("On the fitted curves, doubling the data from 10,000 rows would "
                                                "change accuracy by +0.1 points for the linear model")
    assert text == " ".join(parts["measured"] + parts["extrapolated"])
    f = lc.findings()
    assert f.crossover_supported and f.support == (1000, 2500) and lc.crossover.ci == (1000, 2500)
    assert [s.method for s in f.sizes] == ["replicates"] * 7  # no row scores: the test is over the replicates
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
    assert lc.conclusion().startswith("At the largest size (10,000 rows) the linear model scores highest, 90.0%; "
                                      "the pretrained encoder + head (88.0%) is behind it beyond noise.")
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
    # every split, two subsamples each: six replicates per size for the paired tests
    curve = learning_curve(ds, config=RunConfig(**FAST), sizes=[50, 150, 400, 1000], n_seeds=2, n_boot=30,
                           make=_make)
    assert curve.metric == "rmse" and not curve.higher_is_better
    assert curve.leaders() == ["linear"] * 4
    assert curve.conclusion().startswith("The linear model has the best RMSE at every size up to 1,000 rows, "
                                         "ahead of every other model beyond noise.")
    assert all(s.method == "rows" for s in curve.findings("linear", "gbm").sizes)  # RMSE: over the test rows


def test_deep_family_runs_in_the_curve_with_readable_labels(binary_ds):
    reports = []
    config = RunConfig(**dict(FAST, families=("gbm", "deep")))
    curve = learning_curve(binary_ds, config=config, sizes=[60, 120], n_seeds=1, folds=1, progress=reports.append,
                           n_boot=10, make=_make)
    assert [p.task.label for p in reports] == [
        "Gradient boosting (XGBoost), 60 rows", "Deep network, 60 rows",
        "Gradient boosting (XGBoost), 120 rows", "Deep network, 120 rows"]
    assert np.isfinite(curve.scores["deep"]).all()
    # Two sizes cannot be fitted: no extrapolation, but the observed comparison is still made.
    assert curve.fits["deep"] is None
    assert curve.crossover.kind in ("observed", "leads_throughout", "none", "unavailable")


def test_on_smooth_interactions_the_deep_curve_rises_faster_than_the_linear_one():
    # The evidence: with many rows of a smooth high-dimensional function the deep net
    # keeps improving while a linear model has nothing left to learn. Small enough for CI.
    from dllab.datasets import from_frame, make_smooth_interactions

    ds = from_frame(make_smooth_interactions(3000, 16, random_state=0), target="target")
    curve = learning_curve(ds, config=RunConfig(budget="quick", n_folds=3, families=("linear", "deep")),
                           sizes=[250, 1000, 2000], n_seeds=2, folds=1)
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


# ------------------------------------------------------------------ findings: sentences follow from significance
class _Reasons:
    """The verdict rule's reason collector, as curve_reasons uses it."""

    def __init__(self):
        self.texts, self.lowered = [], []

    def add(self, text, kind, page, *, first=False):
        assert (kind, page) == ("curve", "Data size")
        self.texts.append(text)

    def lower(self, why):
        self.lowered.append(why)


def _curve_reasons(lc, chosen="gbm"):
    from dllab.analyses.verdict.context import curve_reasons

    b = _Reasons()
    curve_reasons(b, lc, chosen, lc.metric)
    return b


def _pair(gap, *, sd_deep, sd_gbm=0.002, seed=0):
    """Deep and XGBoost replicates (k=3) on SIZES[:5]: deep's mean is exactly XGBoost's + ``gap`` at each size."""
    rng = np.random.default_rng(seed)
    n = SIZES[:5]
    base = 0.80 + 0.010 * np.log10(n)

    def noise(sd):
        e = rng.normal(size=(5, 3))
        return (e - e.mean(axis=1, keepdims=True)) * np.asarray(sd, dtype=float).reshape(-1, 1)

    return n, {"gbm": base[:, None] + noise([sd_gbm] * 5), "deep": (base + np.asarray(gap))[:, None] + noise(sd_deep)}


def test_a_noisy_sign_change_draws_no_crossover():
    n, scores = _pair([-0.010, -0.005, 0.0, 0.005, 0.010], sd_deep=[0.03] * 5, seed=4)
    lc = LearningCurve(n, scores, metric="accuracy", n_boot=40)
    gain = lc.band("deep")["mean"].to_numpy() - lc.band("gbm")["mean"].to_numpy()
    assert gain[0] < 0 < gain[-1]  # the mean scores do change sides: a sign-flip rule would draw a crossover
    f = lc.findings()
    assert {s.standing for s in f.sizes} == {"tied"} and f.pattern == "tied_everywhere"
    assert not f.crossover_supported and lc.crossover.kind != "observed" and not lc.crossover.drawn
    assert "overtakes" not in lc.conclusion()
    assert "within noise of each other at every size, from 100 to 2,500 rows" in f.statement
    from dllab.present import plots

    fig = plots.learning_curve_figure(lc)
    assert not [s for s in fig.layout.shapes if s.type == "line"]
    assert not any("crossover" in (a.text or "") for a in fig.layout.annotations)
    reasons = _curve_reasons(lc)
    assert reasons.texts[0].startswith("the deep net and boosting are within noise of each other at every size")
    assert not reasons.lowered


def test_ahead_at_every_size_is_said_only_when_every_size_is_beyond_noise():
    clear = LearningCurve(*_pair([0.03] * 5, sd_deep=[0.002] * 5), metric="accuracy", n_boot=30)
    assert clear.findings().pattern == "ahead_everywhere" and clear.crossover.kind == "leads_throughout"
    assert clear.findings().statement == ("The deep net is ahead of XGBoost beyond noise at every size, from 100 to "
                                          "2,500 rows.")
    assert _curve_reasons(clear).texts[0].startswith("the deep net is ahead of boosting beyond noise at every size")
    # the same lead, but one size (250 rows) as noisy as a handful of rows makes it
    noisy = LearningCurve(*_pair([0.03] * 5, sd_deep=[0.002, 0.08, 0.002, 0.002, 0.002]), metric="accuracy",
                          n_boot=30)
    f = noisy.findings()
    assert [s.standing for s in f.sizes] == ["ahead", "tied", "ahead", "ahead", "ahead"]
    assert f.pattern == "mixed" and noisy.crossover.kind != "leads_throughout"
    assert "every size" not in noisy.conclusion() and "every size" not in " ".join(_curve_reasons(noisy).texts)
    assert f.statement == ("The deep net against XGBoost: ahead beyond noise at 100 rows; within noise at 250 rows; "
                           "ahead beyond noise at 500 to 2,500 rows.")
    assert _curve_reasons(noisy).texts[0].startswith(
        "on the data-size curve the deep net is ahead of boosting beyond noise at the largest size (2.5k rows)")


def test_a_supported_crossover_is_drawn_between_the_sizes_beyond_noise():
    n, scores = _pair([-0.04, -0.02, 0.0, 0.02, 0.04], sd_deep=[0.002] * 5, seed=1)
    lc = LearningCurve(n, scores, metric="accuracy", n_boot=30)
    f = lc.findings()
    assert f.pattern == "overtakes" and f.support == (250, 1000) and 250 < f.crossing_n < 1000
    assert lc.crossover.kind == "observed" and lc.crossover.drawn and lc.crossover.ci == (250, 1000)
    reasons = _curve_reasons(lc)
    assert reasons.texts[0].startswith("on the data-size curve the deep net overtakes boosting between 250 and 1k "
                                       "rows: behind beyond noise at 250, ahead beyond noise from 1k") and reasons.lowered
    from dllab.present import plots

    fig = plots.learning_curve_figure(lc)
    assert [s.x0 for s in fig.layout.shapes if s.type == "line"] == [lc.crossover.observed_n]


def test_an_extrapolation_against_the_measured_lead_says_so():
    # The deep net leads beyond noise at every size but flattens; XGBoost keeps rising: the fitted curves
    # cross beyond the data.
    n = SIZES[:5]
    deep = PowerLaw(0.86, 0.5, 1.0, True)(n)
    gbm = PowerLaw(0.95, 1.10, 0.30, True)(n)  # meets the deep net's curve near 4,200 rows
    assert np.all(deep > gbm + 0.01)
    lc = LearningCurve(n, {"deep": _replicates(deep, sd=0.001, seed=2), "gbm": _replicates(gbm, sd=0.001, seed=3)},
                       metric="accuracy", n_boot=30)
    f = lc.findings()
    assert f.pattern == "ahead_everywhere" and f.extrapolation.conflict == "reverses_lead"
    assert not f.extrapolation.agrees and f.extrapolation.direction == "falls_behind"
    assert "This goes against the measured lead of the deep net at 2,500 rows (beyond noise)" in lc.conclusion()
    assert "against that measured lead (an extrapolation" in _curve_reasons(lc, chosen="deep").texts[0]


def test_smaller_sizes_are_corrected_for_testing_several_at_once():
    from dllab.analyses.curves.findings import SizeFinding, _corrected

    raw = [SizeFinding(n, 0.01, 0.001, 0.02, p, "ahead" if p < 0.05 else "tied", "rows")
           for n, p in zip((100, 250, 500, 1000), (0.04, 0.5, 0.6, 0.03))]
    out = _corrected(raw)
    # one lucky small size among three is not a lead (q = 0.04 x 3 = 0.12); the largest keeps its own p (Compare's)
    assert [s.standing for s in out] == ["tied", "tied", "tied", "ahead"]
    assert [round(s.q_value, 3) for s in out] == [0.12, 0.6, 0.6, 0.03]


# ------------------------------------------------------------------ Titanic: the curve and Compare tell one story
@pytest.fixture(scope="module")
def titanic_curve():
    from dllab.datasets import load

    ds = load("titanic")
    config = RunConfig(budget="quick", families=("linear", "gbm", "deep"))
    cmp = compare(ds, config=config)
    full = min(len(tr) for tr, _ in cmp.splits)
    return cmp, learning_curve(ds, config=config, comparison=cmp, sizes=[60, 200, full], n_boot=40)


def test_on_titanic_the_largest_size_is_compares_numbers(titanic_curve):
    cmp, lc = titanic_curve
    assert lc.sizes.tolist() == [60, 200, 594] and lc.design["matches_comparison"]
    for fam in cmp.families:
        row, last = cmp.overall.loc[fam], lc.band(fam).iloc[-1]
        assert (last["mean"], last["ci_low"], last["ci_high"]) == pytest.approx(
            (row["mean"], row["ci_low"], row["ci_high"]), abs=1e-12)
    for (a, b), t in cmp.tests.items():  # the same paired test, on the same rows and fits
        s = lc.compare_at(a, b, 594)
        assert (s.gain, s.low, s.high, s.p_value) == pytest.approx((t.difference, t.ci_low, t.ci_high, t.p_value))
    design = " ".join(lc.describe_design())
    assert "Every size is trained on each of Compare's 3 splits" in design and "all 891 rows are scored" in design
    assert "The largest size, 594 rows, is Compare's setting" in design
    assert "(594 rows, Compare's setting)" in lc.conclusion()


def test_on_titanic_every_sentence_follows_the_tests(titanic_curve):
    cmp, lc = titanic_curve
    f = lc.findings()
    assert [s.method for s in f.sizes] == ["rows"] * 3
    top = cmp.tests[("deep", "gbm")]
    assert f.at_largest == ("tied" if not top.significant else ("ahead" if top.better == "deep" else "behind"))
    if f.pattern != "ahead_everywhere":
        assert "ahead of XGBoost beyond noise at every size" not in lc.conclusion()
    if not f.crossover_supported:
        assert lc.crossover.kind != "observed"
    text = " ".join(_curve_reasons(lc).texts)
    assert text and ("within noise" in text or "beyond noise" in text)
    assert json.loads(json.dumps(lc.to_dict()))["findings"]["pattern"] == f.pattern


def test_charts_have_readable_log_ticks_and_keep_the_legend_off_the_plot():
    from dllab.present import plots

    n = np.array([25, 50, 100, 250, 594])
    secs = {"gbm": np.full((5, 3), 1.3), "deep": np.linspace(1.5, 4.2, 5)[:, None] * np.ones((1, 3))}
    lc = LearningCurve(n, {f: _replicates(0.7 + 0.02 * np.log10(n), seed=i) for i, f in enumerate(("gbm", "deep"))},
                       metric="accuracy", fit_seconds=secs, n_boot=20)
    fig = plots.learning_curve_figure(lc)
    assert list(fig.layout.xaxis.ticktext) == ["20", "50", "100", "200", "500", "1k", "2k", "5k"]
    assert fig.layout.legend.orientation == "h" and fig.layout.legend.y <= 0  # under the x axis, not on the lines
    assert fig.layout.title.text == "Accuracy against training rows"
    time = plots.fit_time_figure(lc)  # 1.3 to 4.2 s: a short range still gets several labelled ticks
    assert list(time.layout.yaxis.ticktext) == ["1 s", "2 s", "3 s", "5 s"]
    assert time.layout.legend.y <= 0
