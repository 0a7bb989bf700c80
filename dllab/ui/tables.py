"""Pure helpers behind the pages: display tables and checks (no streamlit here, so they are unit-tested).

Examples
--------
>>> import pandas as pd
>>> from dllab.datasets import Dataset
>>> df = pd.DataFrame({"x": [1.0, None, 3.0, 4.0], "c": list("abab"), "y": [0, 1, 0, 1]})
>>> ds = Dataset(frame=df, target="y", task="binary", roles={"x": "numeric", "c": "categorical"})
>>> role_table(ds)[["column", "role", "missing"]].to_dict("list")
{'column': ['x', 'c'], 'role': ['numeric', 'categorical'], 'missing': ['25.0%', '0.0%']}
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import families as registry
from ..errors import preview
from ..metrics import METRICS

__all__ = ["role_table", "role_changes", "data_warnings", "results_table", "best_cells", "run_summary",
           "IMBALANCE_SHARE", "SMALL_DATA_ROWS"]

#: A class with less than this share of rows triggers the imbalance warning.
IMBALANCE_SHARE = 0.10
#: Fewer rows than this trigger the small-data warning.
SMALL_DATA_ROWS = 1_000

_IMBALANCE = ("Classes are imbalanced: {label!r} is only {share:.1%} of the rows ({count:,} of {n:,}). "
              "Always predicting the majority class already scores {majority:.1%} accuracy, so compare "
              "balanced accuracy and ROC AUC too.")
_MISSING = ("{k} feature column(s) have missing values: {columns}. No rows are dropped; each model "
            "family handles missing values its own way.")
_SMALL = ("Only {n:,} rows: the confidence intervals will be wide, and differences between families "
          "of a point or two are unlikely to be significant.")


def role_table(ds) -> pd.DataFrame:
    """One row per non-target column: ``column``, ``role`` (editable), ``dtype``, ``missing``,
    ``distinct`` and ``examples`` (the first few distinct values)."""
    rows = []
    for col in ds.frame.columns:
        if col == ds.target:
            continue
        s = ds.frame[col]
        values = pd.unique(s.dropna())[:4]
        rows.append({"column": str(col), "role": ds.roles.get(col, "excluded"), "dtype": str(s.dtype),
                     "missing": f"{s.isna().mean():.1%}", "distinct": int(s.nunique(dropna=True)),
                     "examples": ", ".join(_short(v) for v in values)})
    return pd.DataFrame(rows, columns=["column", "role", "dtype", "missing", "distinct", "examples"])


def _short(v, limit: int = 24) -> str:
    text = str(v)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def role_changes(ds, edited: pd.DataFrame) -> dict:
    """Roles in an edited :func:`role_table` that differ from the dataset's: ``{column: role}``.

    Examples
    --------
    >>> import pandas as pd
    >>> from dllab.datasets import Dataset
    >>> ds = Dataset(frame=pd.DataFrame({"a": [1, 2], "y": [0, 1]}), target="y", task="binary",
    ...              roles={"a": "numeric"})
    >>> role_changes(ds, pd.DataFrame({"column": ["a"], "role": ["categorical"]}))
    {'a': 'categorical'}
    """
    by_name = {str(c): c for c in ds.frame.columns}
    out = {}
    for name, role in zip(edited["column"], edited["role"]):
        col = by_name.get(str(name))
        if col is not None and role and role != ds.roles.get(col):
            out[col] = role
    return out


def data_warnings(ds) -> list[str]:
    """Things about the data a user should know before reading any score.

    Class imbalance (smallest class under :data:`IMBALANCE_SHARE` of rows),
    missing values in feature columns, and small data (under
    :data:`SMALL_DATA_ROWS` rows). The engine's own notices (sampling, dropped
    columns) are in ``ds.notices`` and not repeated here.
    """
    out = []
    n = ds.n_rows
    if ds.task != "regression":
        counts = ds.frame[ds.target].value_counts()
        if len(counts) and counts.min() / n < IMBALANCE_SHARE:
            out.append(_IMBALANCE.format(label=str(counts.idxmin()), share=counts.min() / n,
                                         count=int(counts.min()), n=n, majority=counts.max() / n))
    features = ds.feature_columns
    missing = ds.frame[features].isna().mean() if features else pd.Series(dtype=float)
    missing = missing[missing > 0].sort_values(ascending=False)
    if len(missing):
        cols = [f"{c} ({share:.1%})" for c, share in missing.items()]
        out.append(_MISSING.format(k=len(missing), columns=preview(cols, limit=5)))
    if n < SMALL_DATA_ROWS:
        out.append(_SMALL.format(n=n))
    return out


_ROW_NAMES = {"fit s": "Training time per split (s)", "predict s": "Prediction time per split (s)",
              "device": "Device", "status": "Status"}


def results_table(cmp) -> pd.DataFrame:
    """``cmp.table()`` turned sideways: one column per family, one row per metric, then timings.

    Three narrow columns read better than ten wide ones, and each row compares
    the families on one measure.
    """
    table = cmp.table().set_index("model").T
    table.index = [_ROW_NAMES.get(i, i) for i in table.index]
    table.columns.name = None
    return table


def best_cells(cmp, table: pd.DataFrame | None = None) -> pd.DataFrame:
    """Boolean mask over ``cmp.table()``: True at the best family of each metric and the fastest fit.

    Ties are all marked; a family without a score is never best. Transpose it
    (``.T``) for :func:`results_table`.
    """
    table = cmp.table() if table is None else table
    mask = pd.DataFrame(False, index=table.index, columns=table.columns)
    rows = {registry.label(f): i for i, f in zip(table.index, cmp.families)}
    for m in cmp.metric_names:
        col = METRICS[m].label
        values = cmp.overall[m].astype(float)
        if col not in table.columns or values.dropna().empty:
            continue
        best = values.max() if METRICS[m].higher_is_better else values.min()
        for fam in values.index[np.isclose(values.to_numpy(), best, rtol=0, atol=1e-12)]:
            mask.loc[rows[registry.label(fam)], col] = True
    fit = cmp.overall["fit_seconds"].astype(float)
    if "fit s" in table.columns and not fit.dropna().empty:
        mask.loc[rows[registry.label(fit.idxmin())], "fit s"] = True
    return mask


def run_summary(cmp) -> str:
    """One line saying how the numbers were made (splits, budget, seed, device, time)."""
    cfg, sp = cmp.config, cmp.splits
    devices = sorted({str(d) for d in cmp.overall["device"]})
    parts = [f"{sp.n_folds}-fold cross-validation × {sp.n_repeats} repeat(s) = {len(sp)} splits"
             + (" (stratified)" if sp.stratified else ""),
             f"budget {cfg.get('budget', '?')}", f"seed {cfg.get('seed', '?')}",
             f"device {', '.join(devices)}" + (f" (asked: {cfg['device']})" if cfg.get("device") else "")]
    if np.isfinite(cmp.wall_seconds):
        parts.append(f"{cmp.wall_seconds:.0f} s in all")
    return " · ".join(parts)
