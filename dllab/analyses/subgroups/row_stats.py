"""Per-row losses of each family and the slice scores and one-sample test computed from their slice sums.

Every score, interval and test of the subgroup report is a function of per-slice sums of a few
per-row columns (losses, counts per class, validity), so one matrix product per slice gives them
all, for the point estimate and for every bootstrap replicate.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from ._common import _quiet

_SUPPORTED = {"accuracy", "balanced_accuracy", "log_loss", "rmse", "mae"}


class _RowStats:
    """Per-row columns whose slice sums give every score, test and interval (named column index)."""

    def __init__(self):
        self.cols: list[np.ndarray] = []
        self.index: dict = {}

    def add(self, key, values):
        self.index[key] = len(self.cols)
        self.cols.append(np.asarray(values, dtype=np.float64))

    def matrix(self):
        return np.stack(self.cols, axis=1)


def _per_row(cmp, fam, y, task, n_classes):
    """Repeat-averaged per-row losses of one family and which rows have a prediction."""
    preds = cmp.oof[fam]
    n = len(y)
    if task == "regression":
        se = np.full((len(preds), n), np.nan)
        ae = np.full((len(preds), n), np.nan)
        for r, p in enumerate(preds):
            se[r], ae[r] = (p - y) ** 2, np.abs(p - y)
        valid = np.isfinite(se).any(axis=0)
        with np.errstate(invalid="ignore"), _quiet():
            return valid, {"se": np.nan_to_num(np.nanmean(se, axis=0)), "ae": np.nan_to_num(np.nanmean(ae, axis=0))}
    err = np.full((len(preds), n), np.nan)
    ll = np.full((len(preds), n), np.nan)
    for r, p in enumerate(preds):
        if p.ndim != 2:
            continue
        ok = np.isfinite(p).all(axis=1)
        q = np.clip(p[ok], 1e-15, 1.0)
        q = q / q.sum(axis=1, keepdims=True)
        err[r, ok] = (np.argmax(p[ok], axis=1) != y[ok]).astype(float)
        ll[r, ok] = -np.log(q[np.arange(len(q)), y[ok]])
    valid = np.isfinite(err).any(axis=0)
    with np.errstate(invalid="ignore"), _quiet():
        return valid, {"err": np.nan_to_num(np.nanmean(err, axis=0)), "ll": np.nan_to_num(np.nanmean(ll, axis=0))}

def _scores_from_sums(metric: str, S, idx, fam, n_classes):
    """Metric values from slice sums ``S[..., q]`` (any leading shape). NaN where undefined."""
    v = S[..., idx[(fam, "v")]]
    with np.errstate(invalid="ignore", divide="ignore"):
        if metric == "accuracy":
            return 1.0 - S[..., idx[(fam, "err")]] / v
        if metric == "log_loss":
            return S[..., idx[(fam, "ll")]] / v
        if metric == "rmse":
            return np.sqrt(S[..., idx[(fam, "se")]] / v)
        if metric == "mae":
            return S[..., idx[(fam, "ae")]] / v
        if metric == "balanced_accuracy":
            total = np.zeros(S.shape[:-1])
            present = np.zeros(S.shape[:-1])
            for k in range(n_classes):
                nk = S[..., idx[(fam, "n", k)]]
                ck = S[..., idx[(fam, "c", k)]]
                has = nk > 0
                total += np.where(has, ck / np.where(has, nk, 1.0), 0.0)
                present += has
            return np.where(present > 0, total / np.where(present > 0, present, 1.0), np.nan)
    raise AssertionError(f"internal error: metric {metric!r} has no vectorised form")

def _one_sample_t(m, s, q, confidence=0.95):
    """Mean, t-interval and two-sided p of ``mean = 0`` from count, sum and sum of squares."""
    with np.errstate(invalid="ignore", divide="ignore"):
        mu = s / m
        var = np.maximum(q - s * mu, 0) / (m - 1)
        se = np.sqrt(var / m)
        t = mu / se
        p = 2 * stats.t.sf(np.abs(t), m - 1)
        half = stats.t.ppf(0.5 + confidence / 2, m - 1) * se
    p = np.where(se == 0, np.where(mu == 0, 1.0, 0.0), p)
    p = np.where(m < 2, np.nan, p)
    return mu, mu - half, mu + half, p
