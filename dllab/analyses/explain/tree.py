"""Exact TreeSHAP for the XGBoost family, from the booster's own contributions."""

from __future__ import annotations

import numpy as np

from ._common import _centre


def _to_source(phi: np.ndarray, groups) -> np.ndarray:
    """Sum contributions of ``ds.X`` columns (axis 1) back to source columns."""
    return np.stack([phi[:, g].sum(axis=1) for g in groups], axis=1)


def _explain_gbm(model, ds, rows, groups, columns):
    """``(phi, base, output)`` of ``rows`` from the booster's ``pred_contribs``, summed per source column."""
    import xgboost as xgb

    X = model.booster_input(ds.X.iloc[rows])
    est = model.model_
    booster = est.get_booster()
    try:
        best = int(est.best_iteration)
        iters = (0, best + 1)
    except AttributeError:  # no early stopping: every tree
        iters = (0, 0)
    dm = xgb.DMatrix(X, enable_categorical=True)
    contrib = booster.predict(dm, pred_contribs=True, iteration_range=iters).astype(np.float64)
    margin = booster.predict(dm, output_margin=True, iteration_range=iters).astype(np.float64)
    if contrib.ndim == 3:  # multiclass: (n, K, M + 1) -> centred over classes, (n, M, K)
        contrib = _centre(contrib, axis=1).transpose(0, 2, 1)
        phi = np.stack([_to_source(contrib[:, :-1, k], groups) for k in range(contrib.shape[2])], axis=2)
        return phi, contrib[:, -1, :], _centre(margin, axis=1)
    return _to_source(contrib[:, :-1], groups), contrib[:, -1], margin

