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

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import families as registry
from ..errors import preview
from ..metrics import METRICS, format_diff, format_interval, format_score
from ..present.glossary import GLOSSARY, help_for

__all__ = ["role_table", "data_warnings", "Column", "number_format", "MODEL_WIDTH", "leaderboard",
           "leaderboard_best", "baseline_gaps", "paired_tests_table", "run_summary",
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


@dataclass(frozen=True)
class Column:
    """How a page shows one column of a table: its header, kind, number format and header help.

    ``kind`` is ``"text"`` or ``"number"``; ``format`` and ``step`` are those of
    ``st.column_config.NumberColumn`` (``step`` sets the decimals a percentage
    shows). Kept free of streamlit so the tables are unit-tested.
    """

    label: str
    kind: str = "text"
    format: str | None = None
    step: float | None = None
    help: str = ""
    pinned: bool = False
    width: int | str | None = None


def number_format(metric: str) -> dict:
    """The grid's number format of ``metric``, the same as :func:`dllab.metrics.format_score`'s.

    Returns ``{"format": ..., "step": ...}`` for ``NumberColumn``: percentages
    with one decimal ("80.8%"), decimals with three ("0.874"), other scores with
    three significant digits.

    Examples
    --------
    >>> number_format("accuracy"), number_format("roc_auc"), number_format("rmse")
    ({'format': 'percent', 'step': 0.001}, {'format': '%.3f', 'step': None}, {'format': '%.3g', 'step': None})
    """
    style = METRICS[metric].style
    if style == "percent":
        return {"format": "percent", "step": 0.001}  # the grid shows 2 fewer decimals than the step has
    return {"format": "%.3f" if style == "decimal" else "%.3g", "step": None}


def _metric_help(metric: str, n_splits: int) -> str:
    m = METRICS[metric]
    how = f"Mean over the {n_splits} test folds; {'higher' if m.higher_is_better else 'lower'} is better."
    return f"{help_for(metric)} {how}" if metric in GLOSSARY else f"{m.label}: {how[0].lower()}{how[1:]}"


def _status(row, n_splits: int) -> str:
    if row["status"] == "ok":
        return "ok"
    if row["status"] == "failed":
        return f"failed on every split: {row['reason']}"
    return f"failed on {int(row['n_failed'])} of {n_splits} splits: {row['reason']}"


def _baseline(cmp) -> pd.DataFrame | None:
    base = getattr(cmp, "baseline", None)
    return base if isinstance(base, pd.DataFrame) and len(base) else None


#: Width in pixels of the leaderboard's pinned Model column (the browser test clicks just right of it).
MODEL_WIDTH = 210


def leaderboard(cmp, *, every_interval: bool = False) -> tuple[pd.DataFrame, dict[str, Column]]:
    """The sortable leaderboard: one row per family, then the baseline row.

    Parameters
    ----------
    cmp : Comparison
    every_interval : bool, default=False
        Show the 95% interval beside every metric; by default only beside the
        primary one (the others are in the charts' hover and the downloads).

    Returns
    -------
    frame : DataFrame
        Indexed by family name (and ``"baseline"``): ``model`` (label), each
        metric's mean as a number (``<metric>``), its interval as text
        (``<metric>_ci``), ``fit_seconds``, ``predict_seconds``, ``device`` and
        ``status``. Numbers stay numbers, so a click on a header sorts them.
    columns : dict of str to Column
        Header, format and help of every column of ``frame``, in order.
    """
    n = len(cmp.splits)
    rows = cmp.overall.copy()
    rows["model"] = [registry.label(f) for f in rows.index]
    base = _baseline(cmp)
    if base is not None:
        base = base.copy()
        base["model"] = base["label"] if "label" in base.columns else "Baseline"
        base[["fit_seconds", "predict_seconds"]] = np.nan  # not a trained model: nothing was timed
        rows = pd.concat([rows, base.reindex(columns=rows.columns)])
    out = pd.DataFrame(index=rows.index)
    columns = {"model": Column("Model", pinned=True, width=MODEL_WIDTH,
                               help="The model family. The last row, the baseline, ignores the columns: "
                                    + help_for("baseline"))}
    out["model"] = rows["model"].astype(str)
    for m in cmp.metric_names:
        values = rows[m].astype(float)
        # The grid cuts a percentage to its step's decimals (96.07% -> 96.0%); rounded first, it shows
        # what format_score and the cards show (96.1%).
        out[m] = values.round(3) if METRICS[m].style == "percent" else values
        columns[m] = Column(METRICS[m].label, "number", help=_metric_help(m, n), **number_format(m))
        if every_interval or m == cmp.metric:
            out[f"{m}_ci"] = [format_interval(m, lo, hi) for lo, hi in zip(rows[f"{m}_low"], rows[f"{m}_high"])]
            columns[f"{m}_ci"] = Column("95% CI", help=f"{METRICS[m].label}: {help_for('ci')}")
    out["fit_seconds"] = rows["fit_seconds"].astype(float)
    out["predict_seconds"] = rows["predict_seconds"].astype(float)
    columns["fit_seconds"] = Column("Fit time (s)", "number", "%.2f",
                                    help="Mean seconds to train on one split, on the device named beside it.")
    columns["predict_seconds"] = Column("Predict time (s)", "number", "%.3f",
                                        help="Mean seconds to predict one split's test rows.")
    out["device"] = rows["device"].astype(str)
    columns["device"] = Column("Device", help="Where the family trained (the linear model always uses the CPU).")
    out["status"] = [_status(r, n) for _, r in rows.iterrows()]
    columns["status"] = Column("Status", help="ok, or on how many splits the fit failed and why.")
    return out, columns


def leaderboard_best(cmp, frame: pd.DataFrame) -> pd.DataFrame:
    """Boolean mask over a :func:`leaderboard` frame: the best family on each metric, and the fastest to train.

    Ties are all marked; the baseline row and a family without a score are never marked.
    """
    mask = pd.DataFrame(False, index=frame.index, columns=frame.columns)
    fams = [f for f in frame.index if f in cmp.families]
    for col in [*cmp.metric_names, "fit_seconds"]:
        values = frame.loc[fams, col].astype(float).dropna()
        if values.empty:
            continue
        best = values.min() if col == "fit_seconds" or not METRICS[col].higher_is_better else values.max()
        mask.loc[values.index[np.isclose(values.to_numpy(), best, rtol=0, atol=1e-12)], col] = True
    return mask


def baseline_gaps(cmp, metric: str | None = None) -> str:
    """How far each family is above (or below) the baseline on ``metric``, in one paragraph.

    A family whose 95% interval reaches the baseline's score is said to be not
    clearly above it; an empty string when the comparison has no baseline.
    """
    metric = metric or cmp.metric
    base = _baseline(cmp)
    if base is None or not np.isfinite(float(base[metric].iloc[0])):
        return ""
    m = METRICS[metric]
    floor = float(base[metric].iloc[0])
    what = str(base["label"].iloc[0]) if "label" in base.columns else "Baseline"
    label = m.label if m.label.isupper() else m.label.lower()
    parts = []
    for fam in cmp.families:
        r = cmp.overall.loc[fam]
        v = float(r[metric])
        if not np.isfinite(v):
            parts.append(f"{registry.model_noun(fam)} has no score")
            continue
        gain = (v - floor) if m.higher_is_better else (floor - v)
        if m.higher_is_better:
            side = "above" if gain > 0 else "below"
        else:
            side = "lower (better)" if gain > 0 else "higher (worse)"
        text = f"{registry.model_noun(fam)} is {format_diff(metric, v - floor)} {side}"
        edge = float(r[f"{metric}_low"] if m.higher_is_better else r[f"{metric}_high"])
        if gain > 0 and np.isfinite(edge) and (edge <= floor if m.higher_is_better else edge >= floor):
            text += " (not clearly: its 95% interval reaches the baseline)"
        parts.append(text)
    head = f"{what} scores {format_score(metric, floor)} {label}"
    return f"{head}. Compared with it, " + "; ".join(parts) + "."


#: The paired tests' methods in words (:attr:`dllab.stats.PairedTest.method`).
def paired_tests_table(cmp) -> tuple[pd.DataFrame, dict[str, Column]]:
    """Every paired test of the comparison (the evidence the verdict cites), one row per pair.

    The frame is the report's (:func:`dllab.present.report.paired_tests_table`): the same words and
    numbers as the verdict's reasons, the gain oriented so that positive means the more complex
    family is better.

    Returns
    -------
    frame : DataFrame
    columns : dict of str to Column
        Header help for each column of ``frame``.
    """
    from ..present.report import paired_tests_table as table

    frame = table(cmp)
    label = METRICS[cmp.metric].label if METRICS[cmp.metric].label.isupper() else METRICS[cmp.metric].label.lower()
    helps = {"Gain of the more complex": f"How much better the more complex family's mean {label} is than the "
                                         "simpler one's, on the same splits. Negative: the simpler one is better.",
             "95% CI": help_for("ci"), "p": help_for("p") + " " + help_for("paired test"),
             "Significant": "yes when p is below 0.05: chance alone is an unlikely explanation of the difference.",
             "The more complex trains": "Its mean fit time against the simpler family's, on this machine."}
    return frame, {c: Column(c, help=helps.get(c, "")) for c in frame.columns}


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
