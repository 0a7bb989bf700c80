import numpy as np
import pytest
from scipy import stats
from sklearn import metrics as skm

from dllab.metrics import METRICS, metrics_for, primary_metric, score_all
from dllab.stats import bootstrap_ci, corrected_ci, paired_test


@pytest.fixture
def multiclass():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, 200)
    p = rng.dirichlet(np.ones(3), 200)
    return y, p


def test_classification_metrics_agree_with_sklearn(multiclass):
    y, p = multiclass
    s = score_all("multiclass", y, p)
    pred = p.argmax(1)
    assert s["accuracy"] == pytest.approx(skm.accuracy_score(y, pred))
    assert s["balanced_accuracy"] == pytest.approx(skm.balanced_accuracy_score(y, pred))
    assert s["roc_auc"] == pytest.approx(skm.roc_auc_score(y, p, multi_class="ovr"))
    assert s["log_loss"] == pytest.approx(skm.log_loss(y, p))
    assert s["f1_macro"] == pytest.approx(skm.f1_score(y, pred, average="macro"))


def test_binary_auc_uses_positive_column():
    y = np.array([0, 0, 1, 1, 1])
    p1 = np.array([0.1, 0.6, 0.4, 0.8, 0.9])
    s = score_all("binary", y, np.c_[1 - p1, p1])
    assert s["roc_auc"] == pytest.approx(skm.roc_auc_score(y, p1))


def test_regression_metrics_agree_with_sklearn():
    rng = np.random.default_rng(1)
    y, p = rng.normal(size=100), rng.normal(size=100)
    s = score_all("regression", y, p)
    assert s == pytest.approx({"rmse": skm.root_mean_squared_error(y, p), "mae": skm.mean_absolute_error(y, p),
                               "r2": skm.r2_score(y, p)})


def test_primary_metrics_and_directions():
    assert primary_metric("binary").name == "accuracy" and primary_metric("binary").higher_is_better
    assert primary_metric("regression").name == "rmse" and not primary_metric("regression").higher_is_better
    assert [m.name for m in metrics_for("multiclass")] == ["accuracy", "balanced_accuracy", "roc_auc",
                                                          "log_loss", "f1_macro", "precision", "recall", "mcc"]


def test_auc_on_fold_missing_a_class_is_defined():
    y = np.array([0, 0, 1, 1])  # class 2 absent from this test fold
    p = np.array([[.8, .1, .1], [.6, .3, .1], [.2, .7, .1], [.1, .8, .1]])
    assert METRICS["roc_auc"](y, p) == pytest.approx(1.0)
    assert np.isnan(METRICS["roc_auc"](np.array([1, 1]), p[:2]))


def test_corrected_ci_is_wider_than_naive_t_interval():
    s = np.array([0.80, 0.83, 0.81, 0.78, 0.84])
    mean, lo, hi = corrected_ci(s, test_fraction=0.2)
    naive = stats.t.ppf(0.975, 4) * s.std(ddof=1) / np.sqrt(5)
    assert mean == pytest.approx(s.mean())
    # variance factor (1/5 + 0.25) instead of 1/5: the half-width grows by sqrt(2.25) = 1.5
    assert (hi - lo) / 2 == pytest.approx(1.5 * naive)


def test_paired_test_matches_hand_computation():
    a = np.array([0.90, 0.88, 0.91, 0.87, 0.90])
    b = np.array([0.88, 0.88, 0.89, 0.86, 0.87])
    r = paired_test(a, b, test_fraction=0.2, higher_is_better=True, a="deep", b="gbm")
    d = a - b
    t = d.mean() / np.sqrt((1 / 5 + 0.2 / 0.8) * d.var(ddof=1))
    assert r.t == pytest.approx(t)
    assert r.p_value == pytest.approx(2 * stats.t.sf(abs(t), 4))
    assert r.better == "deep"


def test_paired_test_lower_is_better_names_the_right_winner():
    r = paired_test([1.0, 1.1, 1.2], [0.5, 0.6, 0.7], test_fraction=1 / 3, higher_is_better=False, a="deep", b="gbm")
    assert r.better == "gbm" and r.difference == pytest.approx(0.5)


def test_paired_test_identical_scores_not_significant():
    r = paired_test([0.8, 0.8], [0.8, 0.8], test_fraction=0.5, higher_is_better=True)
    assert r.p_value == 1.0 and not r.significant and r.better is None


def test_bootstrap_ci_is_seeded_and_brackets_the_point():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 300)
    p = np.c_[1 - rng.random(300), rng.random(300)]
    a = bootstrap_ci(METRICS["accuracy"], y, p, n_boot=200, random_state=3)
    b = bootstrap_ci(METRICS["accuracy"], y, p, n_boot=200, random_state=3)
    assert a == b
    assert a[1] <= a[0] <= a[2] and a[2] - a[1] < 0.2


def test_ci_is_clipped_to_the_metrics_range():
    assert METRICS["accuracy"].clip(1.04) == 1.0
    assert METRICS["log_loss"].clip(-0.1) == 0.0
    assert METRICS["r2"].clip(-3.0) == -3.0


def test_precision_recall_and_mcc_match_scikit_learn():
    from sklearn import metrics as skm

    y = np.array([0, 1, 1, 0, 1, 1, 0, 0])
    p1 = np.array([.2, .9, .4, .6, .8, .7, .1, .3])
    proba = np.column_stack([1 - p1, p1])
    pred = (p1 > .5).astype(int)
    assert METRICS["precision"](y, proba) == skm.precision_score(y, pred)
    assert METRICS["recall"](y, proba) == skm.recall_score(y, pred)
    assert METRICS["mcc"](y, proba) == skm.matthews_corrcoef(y, pred)


def test_formats_follow_the_metric():
    from dllab.metrics import format_diff, format_interval, format_score

    assert format_score("accuracy", 0.8) == "80.0%" and format_score("mcc", 0.41234) == "0.412"
    assert format_score("rmse", float("nan")) == "—"
    assert format_diff("accuracy", -0.05, signed=True) == "-5.0 points"
    assert format_interval("rmse", 0.41, 0.52) == "0.41 to 0.52"
