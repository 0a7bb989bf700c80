"""Exact linear SHAP in the linear pipeline's output space, summed back to the source columns."""

from __future__ import annotations

import numpy as np

from ...datasets.schema import source_column
from ._common import _centre


def _linear_layout(prep):
    """Source column of every output column of the linear ``ColumnTransformer``."""
    owner = [None] * sum(s.stop - s.start for s in prep.output_indices_.values())
    for name, trans, cols in prep.transformers_:
        if name == "remainder" or trans == "drop":
            continue
        sl = prep.output_indices_[name]
        cols = list(cols)
        if name == "num":
            imputer = trans[0]
            names = cols + ([cols[i] for i in imputer.indicator_.features_] if imputer.add_indicator else [])
        else:
            enc = trans[-1]
            names = []
            for i, levels in enumerate(enc.categories_):
                inf = enc.infrequent_categories_[i] if hasattr(enc, "infrequent_categories_") else None
                n_inf = 0 if inf is None else len(inf)
                names += [cols[i]] * (len(levels) - n_inf + (1 if n_inf else 0))
        assert len(names) == sl.stop - sl.start, "internal error: linear output layout"
        owner[sl] = names
    return owner


def _explain_linear(model, ds, rows, bg_rows, columns):
    """``(phi, base, output)`` of ``rows``: ``coef * (z - mean_background(z))`` summed per source column."""
    pipe = model.pipeline_
    prep, lin = pipe[0], pipe[-1]
    Z = model.transform_inputs(ds.X.iloc[rows])
    Zb = model.transform_inputs(ds.X.iloc[bg_rows])
    mean = Zb.mean(axis=0)
    owner = _linear_layout(prep)
    src = np.array([columns.index(source_column(c, ds.roles)) for c in owner])
    # owner -> source column index matrix (outputs x columns)
    P = np.zeros((Z.shape[1], len(columns)))
    P[np.arange(Z.shape[1]), src] = 1.0
    coef = np.atleast_2d(np.asarray(lin.coef_, dtype=np.float64))  # (K or 1, p)
    intercept = np.atleast_1d(np.asarray(lin.intercept_, dtype=np.float64))
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

