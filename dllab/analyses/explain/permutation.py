"""Antithetic permutation sampling over source columns, within an evaluation budget.

The explainer of the deep families (the net trained from scratch, the pretrained encoder + head), of
families the registry does not know, and of boosting where no exact per-column path exists. Columns
travel as numbers: categorical and text columns as codes of their levels or distinct texts, so a text
column is one player whose whole text comes from the row or from its reference.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._common import _centre
from .pixels import MAX_DEEP_PATCHES, _patch_groups, _patch_side, _spread


def _encode(X: pd.DataFrame) -> tuple[np.ndarray, dict]:
    """Numeric matrix of ``X``, categorical and text columns as integer codes (NaN when missing).

    ``cats`` maps the position of each coded column to ``(values, dtype)``: its categories (categorical)
    or its distinct texts, and the dtype :func:`_decode` gives the column back. A text column is so
    one player whose whole text is swapped between the row and its reference.
    """
    A = np.empty(X.shape, dtype=np.float64)
    cats = {}
    for j, c in enumerate(X.columns):
        s = X[c]
        if isinstance(s.dtype, pd.CategoricalDtype):
            codes = s.cat.codes.to_numpy().astype(np.float64)
            cats[j] = (s.cat.categories, s.dtype)
        elif pd.api.types.is_string_dtype(s):  # free text: its distinct texts
            codes, values = pd.factorize(s, use_na_sentinel=True)
            codes = codes.astype(np.float64)
            cats[j] = (values, s.dtype)
        else:
            A[:, j] = s.to_numpy(dtype=np.float64)
            continue
        codes[codes < 0] = np.nan
        A[:, j] = codes
    return A, cats


def _decode(A: np.ndarray, columns, cats) -> pd.DataFrame:
    data = {}
    for j, c in enumerate(columns):
        if j not in cats:
            data[c] = A[:, j]
            continue
        values, dtype = cats[j]
        codes = np.where(np.isnan(A[:, j]), -1, A[:, j]).astype(np.int64)
        if isinstance(dtype, pd.CategoricalDtype):
            data[c] = pd.Categorical.from_codes(codes, categories=values)
        else:
            data[c] = pd.Series(values.take(codes, allow_fill=True), dtype=dtype)
    return pd.DataFrame(data)


_TINY = float(np.finfo(np.float32).tiny)  # probabilities below float32's range count as this


def _deep_output(model, task):
    """``f(encoded array) -> output`` in the shared output space."""
    def f(A, columns, cats):
        X = _decode(A, columns, cats)
        if task == "regression":
            return np.asarray(model.predict(X), dtype=np.float64)
        # log p1 - log p0, not logit(p1): near p1 = 1 a float32 probability keeps its
        # precision in the small column only.
        logp = np.log(np.clip(np.asarray(model.predict_proba(X), dtype=np.float64), _TINY, 1.0))
        if task == "binary":
            return logp[:, 1] - logp[:, 0]
        return _centre(logp, axis=1)
    return f


def deep_evals_per_row(n_columns: int, n_permutations: int) -> int:
    """Model evaluations the deep net's sampling explainer spends on one row.

    Examples
    --------
    >>> deep_evals_per_row(50, 8)
    816
    """
    return 2 * n_permutations * (n_columns + 1)


def _explain_deep(model, ds, rows, bg_rows, groups, *, n_permutations, seed, chunk_evals=65_536):
    """``(phi, base, output)`` of ``rows``, one value per group of model inputs in ``groups``.

    Each row gets ``n_permutations`` references from ``bg_rows``, each with one permutation of the groups
    and its reverse; the rows are scored ``chunk_evals`` model evaluations at a time.
    """
    f = _deep_output(model, ds.task)
    A, cats = _encode(ds.X)
    names = list(ds.X.columns)
    X, B = A[rows], A[bg_rows]
    m, n, p = len(groups), len(rows), X.shape[1]
    fx = f(X, names, cats)  # the model's output, from its own call: the additivity reference
    d = 1 if fx.ndim == 1 else fx.shape[1]
    rng = np.random.default_rng(seed)
    refs = rng.integers(0, len(B), (n, n_permutations))
    ranks = np.argsort(rng.random((n, n_permutations, m)), axis=2).argsort(axis=2)  # rank of each column
    owner = np.empty(p, dtype=np.int64)
    for g, cols in enumerate(groups):
        owner[cols] = g
    phi = np.zeros((n, m, d))
    base = np.zeros((n, d))
    steps = np.arange(m + 1)  # coalition sizes 0 (the reference) .. m (the row)
    rows_per_chunk = max(1, chunk_evals // deep_evals_per_row(m, n_permutations))
    for s in range(0, n, rows_per_chunk):
        e = min(n, s + rows_per_chunk)
        r = ranks[s:e]                                           # (c, P, m)
        order = np.stack([r, m - 1 - r], axis=2)                 # (c, P, 2, m): forward and reversed
        mask = order[:, :, :, None, :] < steps[None, None, None, :, None]  # (c, P, 2, m+1, m)
        mask = mask[..., owner]                                  # per model input
        xs = X[s:e][:, None, None, None, :]
        bs = B[refs[s:e]][:, :, None, None, :]
        Z = np.where(mask, xs, bs).reshape(-1, p)
        F = f(Z, names, cats).reshape(e - s, n_permutations, 2, m + 1, d)
        D = np.diff(F, axis=3)                                   # step t adds the column of rank t
        contrib = np.take_along_axis(D, order[..., None], axis=3)  # (c, P, 2, m, d)
        phi[s:e] = contrib.mean(axis=(1, 2))
        base[s:e] = F[:, :, :, 0, :].mean(axis=(1, 2))
    if fx.ndim == 1:
        return phi[..., 0], base[:, 0], fx
    return phi, base, fx


def _explain_permutation(model, ds, rows, bg_rows, groups, image_shape, *, n_permutations, max_evals,
                         rows_seed, perm_seed):
    """Explain a seeded subset of ``rows`` by :func:`_explain_deep` within ``max_evals`` model evaluations.

    At least ``min(10, len(rows))`` rows are explained. Images of more than ``MAX_DEEP_PATCHES``
    pixels are permuted in square patches, each pixel getting an equal share of its patch's value,
    on a budget of ``max_evals * MAX_DEEP_PATCHES / pixels``.

    Returns
    -------
    phi, base, output : ndarray
        As :func:`_explain_deep`, per source column (per pixel for images).
    pos : ndarray
        Positions in ``rows`` of the explained rows (sorted).
    method : str
        How the values were made, for ``Explanation.methods``.
    settings : dict
        ``deep_max_evals`` and ``deep_patch``, for ``Explanation.settings``.
    """
    n = len(rows)
    patch, budget = 1, int(max_evals)
    if image_shape is not None:
        pixels = image_shape[0] * image_shape[1]
        budget = int(max_evals) if pixels <= MAX_DEEP_PATCHES else max(1, int(max_evals) * MAX_DEEP_PATCHES // pixels)
        patch = _patch_side(image_shape)
        if patch > 1:
            groups, pixel_patch = _patch_groups(image_shape, patch, groups)
    per_row = deep_evals_per_row(len(groups), n_permutations)
    n_deep = int(min(n, max(min(10, n), budget // per_row)))
    pos = np.sort(np.random.default_rng(rows_seed).choice(n, n_deep, replace=False))
    phi, base, out = _explain_deep(model, ds, rows[pos], bg_rows, groups, n_permutations=n_permutations,
                                   seed=perm_seed)
    unit = ""
    if patch > 1:
        phi = _spread(phi, pixel_patch)
        unit = f" over {len(groups)} patches of {patch}x{patch} pixels, shared equally by their pixels"
    method = (f"antithetic permutation sampling{unit} ({n_permutations} references x 2 "
              f"permutations per row, {per_row} evaluations per row)")
    if any(c in ds.feature_columns for c in ds.meta.get("text_columns", ())):
        method += "; a text column is one player, its whole text taken from the row or the reference"
    return phi, base, out, pos, method, {"deep_max_evals": budget, "deep_patch": patch}
