"""The Explain page's row finder and what-if editor.

Find a row by an identifier (a passenger's id or name) or by conditions on column values, see the matching
rows with every model's prediction, and pick one to explain. Then edit that row's values (numbers,
categories among the levels the models know, texts, dates) and every model predicts again: the models
are those the explanation kept (:meth:`~dllab.analyses.explain.Explanation.what_if`), never refitted.

The functions above the "widgets" banner are pure (no streamlit calls) and unit-tested.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
import streamlit as st

from .. import families as registry
from ..analyses.explain import (PROBABILITY, Condition, find_by_identifier, matching_rows, operators_for)
from ..analyses.explain.search import LEVEL_OPERATORS, NUMBER_OPERATORS
from ..datasets.schema import CATEGORICAL, DATETIME, NUMERIC, TEXT
from ..errors import ConfigError, DataError, message_for
from ..present.plots import short_value
from ..present.plots.explain import number_text, points_text, probability_text

__all__ = ["row_label", "match_table", "what_if_table", "changes_text", "found_text", "editable_columns", "BY_ID", "BY_VALUE",
           "MISSING", "NO_CONDITION", "MAX_EDITABLE", "show_row_finder", "show_what_if"]

#: The two ways of finding rows.
BY_ID, BY_VALUE = "identifier", "column values"
#: The choice of a missing value in a category picker of the what-if editor.
MISSING = "(missing)"
#: The first choice of a condition's column picker: no condition.
NO_CONDITION = "no condition"
#: Columns editable at most in the what-if editor (the most important ones); the others keep the row's values.
MAX_EDITABLE = 24


# =========================================================================== pure helpers
def _prediction_text(ex, v, units) -> str:
    return probability_text(v) if units == PROBABILITY else number_text(float(v))


def row_label(ex, row: int) -> str:
    """How a row is offered in the picker: its name (identifier or number) and its first values."""
    values = ex.shown_rows.loc[row]
    head = ", ".join(f"{c} {short_value(values[c])}" for c in ex.columns[:3])
    return f"{ex.row_name(row)} ({head}{', …' if len(ex.columns) > 3 else ''})"


def match_table(ex, rows, *, target_class: int | None = None, columns=()) -> pd.DataFrame:
    """The matching rows as the page lists them: name, the searched columns' values, the actual outcome,
    and every model's prediction: the probability of the named class in percent (whatever units the
    contributions are shown in: a list of rows is read as answers), or the predicted value.

    Examples
    --------
    >>> match_table(ex, ex.local_rows[:2]).columns.tolist()                          # doctest: +SKIP
    ['Row', 'Survived (actual)', 'Linear model', 'Gradient boosting (XGBoost)', 'Deep network']
    """
    rows = np.asarray(rows, dtype=np.int64)
    units = PROBABILITY if PROBABILITY in ex.units else "output"
    preds = ex.predictions(units=units, target_class=target_class).loc[rows]
    out = pd.DataFrame({"Row": [ex.row_name(r) for r in rows]})
    other_id = [c for c in ex.identifier_columns if c != ex.name_column][:1]  # Name, beside PassengerId
    for c in [c for c in other_id if c not in columns] + list(columns):
        source = ex.identifiers if c in ex.identifier_columns else ex.shown_rows
        out[str(c)] = [_long(v) for v in source.loc[rows, c]]
    out[f"{ex.target} (actual)"] = [short_value(v) for v in ex.targets.loc[rows]]
    for f in ex.families:
        out[registry.label(f)] = [_prediction_text(ex, v, units) for v in preds[f]]
    return out


def found_text(ex, n_found: int, *, elsewhere: int = 0, what: str = "") -> str:
    """How many explained rows match, and how many rows of the data match but were not explained."""
    total = len(ex.local_rows)
    head = (f"{n_found:,} of the {total:,} explained rows match{(' ' + what) if what else ''}." if n_found
            else f"No explained row matches{(' ' + what) if what else ''}.")
    if elsewhere:
        one = elsewhere == 1
        head += (f" {elsewhere:,} other row{'' if one else 's'} of the data match{'es' if one else ''} but "
                 f"{'was' if one else 'were'} not explained: the models were trained on {'it' if one else 'them'}, "
                 f"or the sample of rows left {'it' if one else 'them'} out.")
    return head


def _long(v, limit: int = 40) -> str:
    """A cell of the matches table: names and codes kept readable (up to ``limit`` characters)."""
    text = short_value(v) if not isinstance(v, str) else v
    return text if len(text) <= limit else text[:limit - 1] + "…"


def what_if_table(w) -> pd.DataFrame:
    """A :class:`~dllab.analyses.explain.WhatIf` as the page shows it: one row per model, before, after, the
    change, and (classification) the class each model predicts before and after."""
    prob = w.units == "probability"
    fmt = probability_text if prob else (lambda v: number_text(float(v)))
    out = pd.DataFrame({"Model": [registry.label(f) for f in w.table.index],
                        "Before": [fmt(v) for v in w.table["before"]],
                        "After": [fmt(v) for v in w.table["after"]],
                        "Change": [points_text(v) if prob else number_text(float(v), signed=True)
                                   for v in w.table["change"]]})
    if "predicted_before" in w.table:
        out[f"Predicted {w.target}"] = [f"{short_value(a)} → {short_value(b)}" if a != b else f"{short_value(a)} (same)"
                                  for a, b in zip(w.table["predicted_before"], w.table["predicted_after"])]
    return out


def changes_text(w) -> str:
    """The edits in words: "Sex male → female, Age 22 → 5"."""
    return ", ".join(f"{c} {short_value(a)} → {short_value(b)}" for c, (a, b) in w.changes.items())


def editable_columns(ex, units: str) -> list:
    """The columns the what-if editor offers: every column, or the :data:`MAX_EDITABLE` most important."""
    from ..present.plots import importance_order

    if len(ex.columns) <= MAX_EDITABLE:
        return list(ex.columns)
    return importance_order(ex, top_k=MAX_EDITABLE, units=units)


def _digest(values) -> str:
    return hashlib.sha256(np.asarray(values, dtype=np.int64).tobytes()).hexdigest()[:10]


# =========================================================================== widgets
def show_row_finder(ex, ds=None, *, key: str = "ex", target_class: int | None = None) -> int | None:
    """Find explained rows (by identifier or by column values), list them with their predictions, pick one.

    Returns the picked row (its position in the data), or None when nothing matches.
    """
    modes = [BY_ID, BY_VALUE] if ex.identifier_columns else [BY_VALUE]
    mode = BY_VALUE
    ids = ex.identifier_columns
    if len(modes) > 1:
        names = ", ".join(ids[:-1]) + f" or {ids[-1]}" if len(ids) > 1 else ids[0]
        mode = st.segmented_control("Find rows by", modes, default=BY_ID, required=True, key=f"{key}-find-mode",
                                    format_func=lambda m: names if m == BY_ID else m,
                                    help="Search by an identifier column of the data, or list the rows whose "
                                         "values meet up to two conditions.") or BY_ID
    rows, shown, text = ex.local_rows, [], ""
    if mode == BY_ID:
        query = st.text_input(f"{names} is or contains", key=f"{key}-find-id",
                              placeholder=f"for example {short_value(ex.identifiers[ids[0]].iloc[0])}",
                              help="A number finds that identifier exactly; a word finds every name or code "
                                   "that contains it (case does not matter). Empty: every explained row.")
        if query.strip():
            found = find_by_identifier(ex, query, ds=ds)
            rows = found.rows
            text = found_text(ex, len(rows), elsewhere=found.elsewhere, what=f"“{query.strip()}”")
    else:
        conditions = _conditions(ex, key=key)
        if conditions is None:
            return None
        try:
            rows = matching_rows(ex, conditions)
        except (ConfigError, DataError) as exc:
            st.error(message_for(exc, "app"), icon=":material/error:")
            return None
        shown = [c.column for c in conditions]
        if conditions:
            text = found_text(ex, len(rows), what=" and ".join(c.describe() for c in conditions))
    if not len(rows):
        st.info(text or "No explained row matches.", icon=":material/search_off:")
        return None
    st.caption(text or f"All {len(rows):,} explained rows: search above to narrow them down. "
               "Each model's prediction is for the row as it is.")
    what = (f"probability of {ex.outcome(target_class)}" if PROBABILITY in ex.units else ex.describe())
    with st.expander(f"Matching rows and each model's {what} ({len(rows):,} row{'' if len(rows) == 1 else 's'})", expanded=bool(text)):
        st.dataframe(match_table(ex, rows, target_class=target_class, columns=shown), hide_index=True,
                     width="stretch", key=f"{key}-matches", height=min(360, 38 + 35 * len(rows)))
    options = [int(r) for r in rows]
    return st.selectbox("Row to explain", options, index=0, key=f"{key}-row-{_digest(options)}",
                        format_func=lambda r: row_label(ex, r),
                        help="A test row that every model explained; the list follows your search.")


def _conditions(ex, *, key) -> list | None:
    """Up to two conditions on column values, as the person sets them."""
    conditions = []
    for i in range(2):
        c1, c2, c3 = st.columns([2, 1.4, 2])
        column = c1.selectbox("Keep rows where" if i == 0 else "and where", [NO_CONDITION, *ex.columns], index=0,
                              key=f"{key}-cond-col-{i}", help="Keep the rows whose value in this column meets the "
                              "condition beside it.")
        if column == NO_CONDITION:
            continue
        ops = operators_for(ex, column)
        op = c2.selectbox("Condition" if i == 0 else "Second condition", ops, key=f"{key}-cond-op-{i}-{column}")
        if op in LEVEL_OPERATORS:
            levels = ex.levels.get(column) or sorted({str(v) for v in ex.shown_rows[column].dropna()})
            value = c3.selectbox("Value" if i == 0 else "Second value", levels, key=f"{key}-cond-value-{i}-{column}")
        elif op in NUMBER_OPERATORS:
            x = pd.to_numeric(ex.shown_rows[column], errors="coerce")
            value = c3.number_input("Value" if i == 0 else "Second value", value=float(x.median()) if x.notna().any() else 0.0,
                                    key=f"{key}-cond-value-{i}-{column}")
        else:
            value = c3.text_input("Value" if i == 0 else "Second value", key=f"{key}-cond-value-{i}-{column}")
        conditions.append(Condition(column, op, value))
    return conditions


def show_what_if(ex, row: int, *, key: str = "ex", target_class: int | None = None) -> None:
    """The what-if editor for ``row``: one input per column, Predict, and every model's before and after."""
    st.subheader("What if this row were different?", anchor=False)
    columns = editable_columns(ex, PROBABILITY if PROBABILITY in ex.units else "output")
    fixed = len(ex.columns) - len(columns)
    st.caption(f"Change {ex.row_name(row)}'s values and press Predict: every model predicts again for the edited "
               "row, with the models explained above (nothing is retrained)."
               + (f" The {len(columns)} most important columns can be edited; the other {fixed} keep this row's "
                  "values." if fixed else ""))
    form_key = f"{key}-whatif-{row}"
    widget_keys = {c: f"{form_key}-{i}" for i, c in enumerate(columns)}
    edits = {}
    with st.form(form_key, border=True):
        grid = st.columns(3)
        for i, c in enumerate(columns):
            edits[c] = _editor(ex, row, c, grid[i % 3], key=widget_keys[c])
        b1, b2, _ = st.columns([1.4, 1.4, 3])
        b1.form_submit_button("Predict with these values", type="primary", icon=":material/play_arrow:")
        b2.form_submit_button("Back to this row's values", on_click=_forget, args=(list(widget_keys.values()),))
    edits = {c: (None if v == MISSING else v) for c, v in edits.items()}
    try:
        w = ex.what_if(row, edits, target_class=target_class)
    except DataError as exc:
        st.error(message_for(exc, "app"), icon=":material/error:")
        return
    if not w.changes:
        st.caption("No value is changed yet: edit one above and press Predict.")
        return
    st.markdown(f"**Edited:** {changes_text(w)}. Each model's {w.outcome}:")
    st.table(what_if_table(w), hide_index=True, border="horizontal", width="content")
    for note in w.notes:
        st.warning(note, icon=":material/warning:")


def _forget(keys):
    for k in keys:
        st.session_state.pop(k, None)


def _editor(ex, row, column, where, *, key):
    """One input for ``column`` with ``row``'s value: a number, a category, a text or a date."""
    role = ex.roles.get(column)
    value = ex.shown_rows.loc[row, column]
    missing = value is None or (not isinstance(value, str) and pd.isna(value))
    if role == NUMERIC:
        number = pd.to_numeric(pd.Series([value]), errors="coerce").iloc[0]
        low_high = ex.training_ranges.get(column)
        whole = low_high is not None and _whole_numbers(ex, column)
        return where.number_input(
            str(column), value=None if not np.isfinite(number) else float(number), step=1.0 if whole else None,
            format="%.0f" if whole else None, key=key,
            placeholder="missing" if column in ex.missing_seen else None,
            help=(f"Training rows: {low_high[0]:.6g} to {low_high[1]:.6g}." if low_high else None))
    if role == CATEGORICAL:
        levels = list(ex.levels.get(column, []))
        options = levels + ([MISSING] if column in ex.missing_seen else [])
        current = MISSING if missing else str(value).strip()
        return where.selectbox(str(column), options, index=options.index(current) if current in options else 0,
                               key=key)
    if role == TEXT:
        return where.text_area(str(column), value="" if missing else str(value), key=key, height=100)
    if role == DATETIME:
        return where.text_input(str(column), value="" if missing else str(value), key=key,
                                help="A date (and time), as in the data.")
    return value


def _whole_numbers(ex, column) -> bool:
    """Whether the explained rows hold only whole numbers in ``column`` (ages, counts): step by 1."""
    x = pd.to_numeric(ex.shown_rows[column], errors="coerce").dropna().to_numpy(dtype=np.float64)
    return bool(len(x)) and bool(np.all(x == np.round(x)))
