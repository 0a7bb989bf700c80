"""What if one row were different: every family predicts again on the edited row (nothing is refitted).

:func:`what_if` reads what an :class:`~dllab.analyses.explain.Explanation` kept: each family's fitted
model of the explained split and the model inputs of the explained rows. An edit replaces the value of one
of the user's columns (a number, a category among the levels the models know, a text, a date); it is
converted the way the data was (:func:`dllab.datasets.schema.feature_frame`: a date becomes its parts),
and each model predicts the row as it is and as edited in one call. A number outside the training rows'
range is allowed, with a note that the models' answers there are extrapolation.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ...datasets.schema import CATEGORICAL, DATETIME, NUMERIC, TEXT, feature_frame
from ...errors import DataError

__all__ = ["WhatIf", "what_if"]

_NOT_EXPLAINED = ("{row} is not one of the explained rows, so its model inputs were not kept; pick one of the "
                  "explained rows.")
_NOT_A_COLUMN = "“{column}” is not a column the models read; they read {columns}."
_NOT_A_NUMBER = "{column}: “{value}” is not a number. Type a number such as {example}{or_empty}."
_NOT_A_LEVEL = "{column}: “{value}” is not one of its values ({levels}). Pick one of them."
_NOT_A_DATE = "{column}: “{value}” is not a date. Type a date such as {example}{or_empty}."
_NEVER_MISSING = ("{column} has a value in every row of the data, so the models never saw it missing. "
                  "Give it a value.")
_OR_EMPTY = ", or leave it empty for a missing value"
_OUTSIDE = ("{column} = {value} is outside the values the models were trained on ({low} to {high}): their "
            "answers there are a guess beyond what they have seen.")


@dataclass(frozen=True)
class WhatIf:
    """Every family's prediction for one row as it is and as edited.

    Attributes
    ----------
    row : int
        Position of the row in the data.
    changes : dict
        Column -> ``(value before, value after)`` for each edit that changed something.
    table : DataFrame
        One row per family (index); ``before``, ``after`` and ``change``: the probability of
        :attr:`outcome` (classification) or the predicted value (regression); classification adds
        ``predicted_before`` and ``predicted_after``, the class each model predicts.
    units : str
        ``"probability"`` or ``"value"``.
    target_class : int or None
        The class whose probability is shown (classification).
    outcome : str
        What ``before`` and ``after`` are: "probability of Survived = 1", "predicted price".
    target : str
        The target column.
    notes : tuple of str
        Edits the models did not see in training (a number outside the training range).
    """

    row: int
    changes: dict
    table: pd.DataFrame
    units: str
    target_class: int | None
    outcome: str
    target: str = ""
    notes: tuple = ()


def what_if(ex, row: int, edits: dict, *, target_class: int | None = None) -> WhatIf:
    """Predict ``row`` with ``edits`` applied, by every family of ``ex``.

    Parameters
    ----------
    ex : Explanation
    row : int
        A row of ``ex.rows`` (its position in the data).
    edits : dict
        Column (one of ``ex.columns``) -> new value: a number (or text that reads as one), a level
        of a categorical column, a text, a date; None or "" for a missing value where the data has
        missing values in that column. Values equal to the row's own change nothing.
    target_class : int, optional
        Multiclass: the class whose probability is shown (default: the one with the highest
        probability for the unedited row, averaged over the families).

    Returns
    -------
    WhatIf

    Raises
    ------
    DataError
        If the row was not explained, or edits are not valid: every problem in one message.

    Examples
    --------
    >>> w = ex.what_if(int(ex.local_rows[0]), {"Sex": "female"})    # doctest: +SKIP
    >>> w.table.loc["gbm", ["before", "after"]].round(2).tolist()    # doctest: +SKIP
    [0.08, 0.33]
    """
    if row not in ex._inputs.index:
        raise DataError(_NOT_EXPLAINED.format(row=ex.row_name(row)))
    unknown = [c for c in edits if c not in ex.columns]
    if unknown:
        raise DataError(" ".join(_NOT_A_COLUMN.format(column=c, columns=_preview(ex.columns)) for c in unknown))
    before = ex._inputs.loc[[row]].reset_index(drop=True)
    after = before.copy()
    problems, notes, changes = [], [], {}
    for column, value in edits.items():
        try:
            inputs = _inputs_of(ex, column, value, example=ex.shown_rows.loc[row, column])
        except DataError as exc:
            problems.append(str(exc))
            continue
        if all(_same(before.at[0, k], v) for k, v in inputs.items()):
            continue
        new = inputs[column] if column in inputs and ex.roles[column] in (NUMERIC, CATEGORICAL) else value
        changes[column] = (ex.shown_rows.loc[row, column], _shown(new))
        for k, v in inputs.items():
            after[k] = _like(before[k], v)
        note = _outside(ex, column, inputs)
        if note:
            notes.append(note)
    if problems:
        raise DataError(" ".join(problems))
    X = pd.concat([before, after], ignore_index=True)
    if ex.task == "regression":
        preds = {f: np.asarray(ex._models[f].predict(X), dtype=np.float64).ravel() for f in ex.families}
        table = pd.DataFrame({"before": [preds[f][0] for f in ex.families],
                              "after": [preds[f][1] for f in ex.families]}, index=pd.Index(ex.families, name="family"))
        table["change"] = table["after"] - table["before"]
        return WhatIf(row=int(row), changes=changes, table=table, units="value", target_class=None,
                      outcome=ex.describe(), target=str(ex.target), notes=tuple(notes))
    proba = {f: np.asarray(ex._models[f].predict_proba(X), dtype=np.float64) for f in ex.families}
    if ex.task == "binary":
        k = 1
    elif target_class is None:
        k = int(np.argmax(np.mean([p[0] for p in proba.values()], axis=0)))
    else:
        ex.outcome(target_class)  # checks the index
        k = int(target_class)
    labels = ex.class_labels
    table = pd.DataFrame({
        "before": [proba[f][0, k] for f in ex.families], "after": [proba[f][1, k] for f in ex.families],
        "predicted_before": [labels[int(np.argmax(proba[f][0]))] for f in ex.families],
        "predicted_after": [labels[int(np.argmax(proba[f][1]))] for f in ex.families],
    }, index=pd.Index(ex.families, name="family"))
    table.insert(2, "change", table["after"] - table["before"])
    return WhatIf(row=int(row), changes=changes, table=table, units="probability",
                  target_class=None if ex.task == "binary" else k,
                  outcome=f"probability of {ex.outcome(None if ex.task == 'binary' else k)}", target=str(ex.target),
                  notes=tuple(notes))


# =========================================================================== one edit
def _missing(value) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return value.strip() == ""
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _inputs_of(ex, column, value, *, example) -> dict:
    """The model inputs (name -> value) that ``column`` = ``value`` becomes, or a DataError in plain words."""
    role = ex.roles[column]
    allowed = column in ex.missing_seen
    or_empty = _OR_EMPTY if allowed else ""
    if _missing(value) and role != TEXT:
        if not allowed:
            raise DataError(_NEVER_MISSING.format(column=column))
        if role == DATETIME:
            return {k: np.nan for k in _date_parts(ex, column)}
        return {column: np.nan}
    if role == NUMERIC:
        number = pd.to_numeric(pd.Series([str(value).strip()]), errors="coerce").iloc[0] \
            if isinstance(value, str) else value
        try:
            number = float(number)
        except (TypeError, ValueError):
            number = np.nan
        if not np.isfinite(number):
            raise DataError(_NOT_A_NUMBER.format(column=column, value=value, example=_example_number(example, ex, column),
                                                 or_empty=or_empty))
        return {column: number}
    if role == CATEGORICAL:
        level = str(value).strip()
        levels = ex.levels.get(column, [])
        if level not in levels:
            raise DataError(_NOT_A_LEVEL.format(column=column, value=value, levels=_preview(levels)))
        return {column: level}
    if role == TEXT:
        return {column: "" if value is None else str(value)}
    if role == DATETIME:
        parts = feature_frame(pd.DataFrame({column: [value]}), {column: DATETIME})
        if parts.isna().all(axis=None):
            raise DataError(_NOT_A_DATE.format(column=column, value=value,
                                               example=_shown(example) if not _missing(example) else "2024-01-31",
                                               or_empty=or_empty))
        return {k: float(parts.at[0, k]) for k in parts.columns}
    raise DataError(_NOT_A_COLUMN.format(column=column, columns=_preview(ex.columns)))  # pixels have numeric roles


def _date_parts(ex, column) -> list:
    return [c for c in ex._inputs.columns if c.startswith(f"{column}.")]


def _same(a, b) -> bool:
    if _missing(a) and _missing(b):
        return True
    if _missing(a) or _missing(b):
        return False
    if isinstance(a, (int, float, np.number)) and isinstance(b, (int, float, np.number)):
        return float(a) == float(b)
    return str(a) == str(b)


def _like(column: pd.Series, value) -> object:
    """``value`` as a one-row column of the same dtype as ``column`` (categories kept)."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        return pd.Categorical([None if _missing(value) else value], categories=column.cat.categories)
    if pd.api.types.is_float_dtype(column.dtype):
        return np.array([value], dtype=np.float64)
    return pd.Series([value], dtype=column.dtype).to_numpy()


def _outside(ex, column, inputs) -> str | None:
    if column not in ex.training_ranges or _missing(inputs.get(column)):
        return None
    low, high = ex.training_ranges[column]
    v = inputs[column]
    if low <= v <= high:
        return None
    return _OUTSIDE.format(column=column, value=f"{v:.6g}", low=f"{low:.6g}", high=f"{high:.6g}")


def _example_number(example, ex, column) -> str:
    if not _missing(example):
        try:
            return f"{float(example):.6g}"
        except (TypeError, ValueError):
            pass
    low, high = ex.training_ranges.get(column, (0.0, 1.0))
    return f"{(low + high) / 2:.3g}"


def _shown(value):
    return None if _missing(value) else value


def _preview(values, k: int = 8) -> str:
    values = [str(v) for v in values]
    return ", ".join(values[:k]) + (f" and {len(values) - k} more" if len(values) > k else "")

