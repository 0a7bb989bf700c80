"""Exact linear SHAP in the linear model's output space, summed back to the source columns.

Works for the tabular linear model (standardised columns, missing indicators, one-hot levels)
and the text one (each text column's TF-IDF terms, kept sparse, then the other columns' coding):
both give their design matrix (``transform_inputs``) and the column behind each of its columns
(``input_sources``).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from ...datasets.schema import source_column
from ._common import _centre


def _head(model):
    """The fitted scikit-learn linear model: the tabular pipeline's last step, or the text model's head."""
    return model.pipeline_[-1] if hasattr(model, "pipeline_") else model.model_


def _explain_linear(model, ds, rows, bg_rows, columns):
    """``(phi, base, output)`` of ``rows``: ``coef * (z - mean_background(z))`` summed per source column."""
    lin = _head(model)
    Z = model.transform_inputs(ds.X.iloc[rows])
    Zb = model.transform_inputs(ds.X.iloc[bg_rows])
    src = np.array([columns.index(source_column(c, ds.roles)) for c in model.input_sources()], dtype=np.int64)
    coef = np.atleast_2d(np.asarray(lin.coef_, dtype=np.float64))  # (K or 1, p)
    intercept = np.atleast_1d(np.asarray(lin.intercept_, dtype=np.float64))
    if sp.issparse(Z):
        return _sparse(Z, Zb, src, coef, intercept, len(columns))
    mean = Zb.mean(axis=0)
    # owner -> source column index matrix (outputs x columns)
    P = np.zeros((Z.shape[1], len(columns)))
    P[np.arange(Z.shape[1]), src] = 1.0
    dev = Z - mean
    if coef.shape[0] == 1:
        phi = (dev * coef[0]) @ P
        base = np.full(len(Z), float(intercept[0] + coef[0] @ mean))
        out = Z @ coef[0] + intercept[0]
        return phi, base, out
    coef_c, int_c = _centre(coef, axis=0), _centre(intercept, axis=0)  # centred log-probability
    phi = np.einsum("np,kp,pm->nmk", dev, coef_c, P)
    base = np.tile(int_c + coef_c @ mean, (len(Z), 1))
    out = Z @ coef_c.T + int_c
    return phi, base, out


def _sparse(Z, Zb, src, coef, intercept, m):
    """The same sums for a sparse design (TF-IDF): ``Z @ W - mean @ W`` with ``W = coef`` spread per column.

    ``Z - mean`` would be dense (rows x vocabulary); the owner matrix keeps it rows x columns.
    """
    Z = sp.csr_matrix(Z, dtype=np.float64)
    mean = np.asarray(sp.csr_matrix(Zb, dtype=np.float64).mean(axis=0)).ravel()
    P = sp.csr_matrix((np.ones(len(src)), (np.arange(len(src)), src)), shape=(len(src), m))

    def phi_of(c):  # (n, m) contributions of the coefficient vector c
        W = P.multiply(c[:, None]).tocsr()
        return np.asarray((Z @ W).todense()) - (W.T @ mean)[None, :]

    if coef.shape[0] == 1:
        phi = phi_of(coef[0])
        base = np.full(Z.shape[0], float(intercept[0] + coef[0] @ mean))
        out = np.asarray(Z @ coef[0]).ravel() + intercept[0]
        return phi, base, out
    coef_c, int_c = _centre(coef, axis=0), _centre(intercept, axis=0)  # centred log-probability
    phi = np.stack([phi_of(c) for c in coef_c], axis=2)
    base = np.tile(int_c + coef_c @ mean, (Z.shape[0], 1))
    out = np.asarray(Z @ coef_c.T) + int_c
    return phi, base, out
