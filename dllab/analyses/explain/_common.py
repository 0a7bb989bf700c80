"""Small helpers shared by the explainers: each source column's model inputs, and centring over classes."""

from __future__ import annotations

import numpy as np

from ...datasets.schema import source_column


def _source_groups(names, ds) -> list[np.ndarray]:
    """For each of ``ds.feature_columns``, the positions in ``names`` (model inputs) that it owns."""
    src = [source_column(c, ds.roles) for c in names]
    return [np.flatnonzero(np.array([s == col for s in src], dtype=bool)) for col in ds.feature_columns]


def _column_groups(ds) -> list[np.ndarray]:
    """For each of ``ds.feature_columns``, the positions of its model inputs in ``ds.X``."""
    return _source_groups(ds.X.columns, ds)


def _centre(a: np.ndarray, axis: int) -> np.ndarray:
    return a - a.mean(axis=axis, keepdims=True)
