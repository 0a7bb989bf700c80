"""Exact TreeSHAP for the XGBoost family, from the booster's own contributions.

On text data the booster sees each row's LSA components (truncated SVD of the TF-IDF) and the
other columns' coding; the components' contributions are summed to their text column, one-hot
levels and missing indicators to theirs.
"""

from __future__ import annotations

import numpy as np

from ._common import _centre, _source_groups


def _to_source(phi: np.ndarray, groups) -> np.ndarray:
    """Sum contributions of ``ds.X`` columns (axis 1) back to source columns."""
    return np.stack([phi[:, g].sum(axis=1) for g in groups], axis=1)


def _exact_per_column(model) -> bool:
    """Whether TreeSHAP can give one value per source column: not when an SVD mixes several text columns."""
    return not hasattr(model, "input_sources") or model.input_sources() is not None


def _booster_parts(model, X, ds, groups):
    """The XGBoost estimator, its input for the rows ``X`` of ``ds.X``, and the groups of that input."""
    if hasattr(model, "input_sources"):  # text: the inner GBM on the LSA + other-columns design
        inner = model.model_
        return inner.model_, inner.booster_input(model.transform_inputs(X)), _source_groups(model.input_sources(), ds)
    return model.model_, model.booster_input(X), groups


def _explain_gbm(model, ds, rows, groups, columns):
    """``(phi, base, output)`` of ``rows`` from the booster's ``pred_contribs``, summed per source column."""
    import xgboost as xgb

    est, X, groups = _booster_parts(model, ds.X.iloc[rows], ds, groups)
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
