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

__all__ = ["role_table", "data_warnings", "results_table", "best_cells", "run_summary",
           "provenance", "fit_counts", "column_table", "COLUMN_TABLE", "IMBALANCE_SHARE", "SMALL_DATA_ROWS"]

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
    """One row per non-target column of a loaded dataset: ``column``, ``role`` (editable), ``used``,
    ``reason``, ``dtype``, ``missing``, ``distinct`` and ``examples`` (see :func:`column_table`)."""
    return column_table(ds.frame, target=ds.target, roles={c: ds.roles.get(c, "excluded") for c in ds.frame.columns},
                        reasons=ds.role_reasons)


#: The columns of :func:`column_table`, in order.
COLUMN_TABLE = ["column", "role", "used", "reason", "dtype", "missing", "distinct", "examples"]


def column_table(frame: pd.DataFrame, *, target, roles: dict, reasons: dict) -> pd.DataFrame:
    """One row per column of ``frame`` but ``target``: its role and why, whether the models use it, its type in
    the file, share missing, distinct values and the first few distinct values.

    Examples
    --------
    >>> df = pd.DataFrame({"a": [1, 2, None], "b": ["x", "y", "x"], "y": [0, 1, 0]})
    >>> t = column_table(df, target="y", roles={"a": "numeric", "b": "identifier"}, reasons={"a": "numbers"})
    >>> t[["column", "role", "used", "reason", "missing", "distinct"]].values.tolist()
    [['a', 'numeric', 'yes', 'numbers', '33.3%', 2], ['b', 'identifier', 'no', '', '0.0%', 2]]
    """
    from ..datasets.schema import FEATURE_ROLES, TEXT

    rows = []
    for col in frame.columns:
        if col == target:
            continue
        s = frame[col]
        role = roles.get(col, "excluded")
        values = pd.unique(s.dropna())[:4]
        rows.append({"column": str(col), "role": role, "used": "yes" if role in (*FEATURE_ROLES, TEXT) else "no",
                     "reason": str(reasons.get(col, "")), "dtype": str(s.dtype), "missing": f"{s.isna().mean():.1%}",
                     "distinct": int(s.nunique(dropna=True)), "examples": ", ".join(_short(v) for v in values)})
    return pd.DataFrame(rows, columns=COLUMN_TABLE)


def _short(v, limit: int = 24) -> str:
    text = str(v)
    return text if len(text) <= limit else text[: limit - 1] + "…"


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


def provenance(dataset: dict, config: dict | None = None) -> str:
    """One line saying which data and settings a result belongs to (read from the result itself).

    ``dataset`` is a ``Dataset.summary()`` (a result's ``.dataset``), ``config`` a ``RunConfig.to_dict()``
    (a result's ``.config``); without a config only the data is described.

    Examples
    --------
    >>> provenance({"name": "titanic.csv", "rows": 891, "rows_total": 891, "target": "Survived",
    ...             "task": "binary"}, {"budget": "quick", "n_folds": 2, "repeats": 1, "seed": 0})
    'titanic.csv · 891 rows · target Survived (binary) · budget quick · 2 folds × 1 repeat · seed 0'
    """
    rows, total = dataset.get("rows"), dataset.get("rows_total")
    parts = [str(dataset.get("name", "data"))]
    if rows is not None:
        parts.append(f"{rows:,} rows" + (f" (sampled from {total:,})" if total and total != rows else ""))
    parts.append(f"target {dataset.get('target')} ({dataset.get('task')})")
    if config:
        repeats = config.get("repeats", 1)
        parts += [f"budget {config.get('budget')}",
                  f"{config.get('n_folds')} folds × {repeats} repeat{'' if repeats == 1 else 's'}",
                  f"seed {config.get('seed')}"]
    return " · ".join(parts)


def fit_counts(cmp) -> tuple[int, int, dict]:
    """``(succeeded, asked, failed)``: fits that produced predictions, fits run, and every family that failed
    on every split with its reason (``{family: reason}``, in the comparison's order)."""
    ok = sum(1 for r in cmp.records if r.ok)
    failed = {f: str(cmp.overall.loc[f, "reason"]) for f in cmp.families if cmp.overall.loc[f, "status"] == "failed"}
    return ok, len(cmp.records), failed
