"""Statistics against references computed independently: hand formulas, a textbook example, scipy."""


import numpy as np
import pytest
from scipy import stats

from dllab.metrics import METRICS
from dllab.stats import benjamini_hochberg, bootstrap_ci, corrected_ci, paired_test, welch_test

# Per-split differences 0.01..0.05 over J = 5 splits of a 5-fold (n_test / n_train = 0.25):
# mean 0.03, variance 2.5e-4, corrected variance of the mean (1/5 + 0.25) * 2.5e-4 = 1.125e-4,
# so t = 0.03 / sqrt(1.125e-4) = sqrt(8). With 4 degrees of freedom the t CDF has a closed form,
# F(t) = 1/2 + 3/8 * t / sqrt(1 + t²/4) * (1 - t² / (12 (1 + t²/4))), which gives p = 1 - 7/12 sqrt(8/3).
_B = np.array([0.80, 0.81, 0.79, 0.82, 0.80])
_D = np.array([0.01, 0.02, 0.03, 0.04, 0.05])
_T = np.sqrt(8.0)
_P = 1 - 7 / 12 * np.sqrt(8 / 3)          # 0.0474207
_SE = 0.01 * np.sqrt(1.125)               # 0.0106066
_T975_DF4 = 2.776445                      # t table, 97.5% quantile, 4 degrees of freedom

# Benjamini & Hochberg (1995), section 4.1: 15 p-values; adjusted values as R's p.adjust("BH") gives them.
_BH_P = [0.0001, 0.0004, 0.0019, 0.0095, 0.0201, 0.0278, 0.0298, 0.0344, 0.0459, 0.3240, 0.4262, 0.5719,
         0.6528, 0.7590, 1.000]
_BH_Q = [0.0015, 0.003, 0.0095, 0.035625, 0.0603, 0.06385714, 0.06385714, 0.0645, 0.0765, 0.486, 0.58118182,
         0.714875, 0.75323077, 0.81321429, 1.0]


# --------------------------------------------------------------------------- corrected resampled t-test
def test_paired_test_matches_the_nadeau_bengio_hand_computation():
    r = paired_test(_B + _D, _B, test_fraction=0.2, higher_is_better=True, a="deep", b="gbm")
    assert r.difference == pytest.approx(0.03)
    assert r.t == pytest.approx(_T) and r.p_value == pytest.approx(_P, rel=1e-9)
    assert r.ci_low == pytest.approx(0.03 - _T975_DF4 * _SE, rel=1e-5)
    assert r.ci_high == pytest.approx(0.03 + _T975_DF4 * _SE, rel=1e-5)
    assert r.n_splits == 5 and r.better == "deep" and r.significant  # p = 0.047 < 0.05


def test_paired_test_without_correction_would_be_far_more_confident():
    # The uncorrected t is 0.03 / sqrt(2.5e-4 / 5) = 3 sqrt(2): the correction shrinks it by 1.5.
    r = paired_test(_B + _D, _B, test_fraction=0.2, higher_is_better=True)
    assert 3 * np.sqrt(2) / r.t == pytest.approx(1.5)


def test_corrected_ci_matches_the_hand_computation():
    mean, lo, hi = corrected_ci(0.80 + _D, test_fraction=0.2)
    assert mean == pytest.approx(0.83)
    assert (hi - lo) / 2 == pytest.approx(_T975_DF4 * _SE, rel=1e-5)  # 0.029448


def test_corrected_ci_ignores_nan_and_needs_two_scores():
    assert corrected_ci([0.8, np.nan, 0.9], test_fraction=0.5)[0] == pytest.approx(0.85)
    mean, lo, hi = corrected_ci([0.8], test_fraction=0.2)
    assert mean == 0.8 and np.isnan(lo) and np.isnan(hi)


# --------------------------------------------------------------------------- bootstrap
def test_bootstrap_ci_covers_the_binomial_interval():
    # 300 of 400 rows right: accuracy 0.75, standard error sqrt(0.75 * 0.25 / 400) = 0.02165, so the
    # normal-approximation 95% interval is 0.7076 to 0.7924; the percentile bootstrap lands on it.
    y = np.r_[np.ones(300), np.zeros(100)].astype(int)
    p = np.tile([[0.2, 0.8]], (400, 1))
    s, lo, hi = bootstrap_ci(METRICS["accuracy"], y, p, n_boot=2000, random_state=0)
    assert s == 0.75
    assert lo == pytest.approx(0.7076, abs=0.005) and hi == pytest.approx(0.7924, abs=0.005)
    assert bootstrap_ci(METRICS["accuracy"], y, p, n_boot=2000, random_state=0) == (s, lo, hi)
    assert bootstrap_ci(METRICS["accuracy"], y, p, n_boot=2000, random_state=1) != (s, lo, hi)


def test_bootstrap_ci_draws_the_resamples_scipy_draws():
    rng = np.random.default_rng(2)
    y = rng.integers(0, 2, 200)
    p = np.c_[1 - rng.random(200), rng.random(200)]
    acc = METRICS["accuracy"]
    ref = stats.bootstrap((np.arange(200),), lambda i: acc(y[i], p[i]), vectorized=False, n_resamples=300,
                          method="percentile", rng=np.random.default_rng(4)).confidence_interval
    _, lo, hi = bootstrap_ci(acc, y, p, n_boot=300, random_state=4)
    assert lo == pytest.approx(ref.low, rel=1e-12) and hi == pytest.approx(ref.high, rel=1e-12)


def test_bootstrap_ci_leaves_out_resamples_where_the_metric_is_undefined():
    # Two negatives in 20 rows: about one resample in eight has none, and ROC AUC is NaN there.
    y = np.array([0] * 2 + [1] * 18)
    p = np.tile([[0.4, 0.6]], (20, 1))
    p[:2] = [0.7, 0.3]
    assert bootstrap_ci(METRICS["roc_auc"], y, p, n_boot=200) == (1.0, 1.0, 1.0)


# --------------------------------------------------------------------------- Welch
def _sums(x):
    return np.array([len(x)], dtype=float), np.array([x.sum()]), np.array([(x**2).sum()])


@pytest.mark.parametrize("seed", range(4))
def test_welch_test_matches_scipy_on_raw_samples(seed):
    rng = np.random.default_rng(seed)
    if seed % 2:  # 0/1 errors, as the subgroup report tests them
        x1, x2 = (rng.random(40) < 0.4).astype(float), (rng.random(700) < 0.2).astype(float)
    else:  # squared errors
        x1, x2 = rng.normal(0.3, 1.0, 25) ** 2, rng.normal(0.0, 2.0, 300) ** 2
    p = welch_test(*_sums(x1), *_sums(x2))
    assert p[0] == pytest.approx(stats.ttest_ind(x1, x2, equal_var=False).pvalue, rel=1e-9)


def test_welch_test_degenerate_samples():
    same, other = np.ones(5), np.zeros(6)
    assert welch_test(*_sums(same), *_sums(same))[0] == 1.0   # no spread, same mean
    assert welch_test(*_sums(same), *_sums(other))[0] == 0.0  # no spread, different means
    assert np.isnan(welch_test(*_sums(np.ones(1)), *_sums(other))[0])  # one value: no variance


# --------------------------------------------------------------------------- Benjamini-Hochberg
def test_benjamini_hochberg_textbook_example():
    q = benjamini_hochberg(_BH_P)
    assert q == pytest.approx(_BH_Q, abs=1e-8)
    assert (q < 0.05).sum() == 4  # four discoveries at a false discovery rate of 5%


def test_benjamini_hochberg_keeps_input_order_and_skips_nan():
    rng = np.random.default_rng(0)
    order = rng.permutation(len(_BH_P))
    p = np.r_[np.array(_BH_P)[order], np.nan]
    q = benjamini_hochberg(p)
    assert np.isnan(q[-1])
    assert q[:-1] == pytest.approx(np.array(_BH_Q)[order], abs=1e-8)  # NaN not counted in m
