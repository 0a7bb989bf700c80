"""Finding explained rows: by an identifier (a passenger's id or name), or by conditions on column values.

Both search the rows every family explained (:attr:`Explanation.local_rows`). An identifier search also
counts the rows of the data that match but were not explained (the models were trained on them, or the
sample left them out), so a person who types a known id learns why it is not offered.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ...datasets.schema import CATEGORICAL, NUMERIC
from ...errors import ConfigError, DataError

__all__ = ["Condition", "Found", "find_by_identifier", "matching_rows", "operators_for", "NUMBER_OPERATORS",
           "LEVEL_OPERATORS", "TEXT_OPERATORS"]

#: Conditions on a number, a category, and anything else (text, dates), in the words the page shows.
NUMBER_OPERATORS = ("below", "at most", "equal to", "at least", "above")
LEVEL_OPERATORS = ("is", "is not")
TEXT_OPERATORS = ("contains",)

_NOT_A_COLUMN = "“{column}” is not a column of the explanation; choose one of {columns}."
_BAD_OPERATOR = "“{operator}” is not a condition for {column}; choose one of {operators}."
_NOT_A_NUMBER = "{column} {operator} “{value}”: “{value}” is not a number. Type a number such as {example}."


@dataclass(frozen=True)
class Condition:
    """``column operator value``: "Age below 10", "Sex is female", "Name contains Braund"."""

    column: str
    operator: str
    value: object

    def describe(self) -> str:
        """The condition in words: "Age below 10" (numbers without a needless ".0")."""
        value = self.value
        if isinstance(value, (float, np.floating)) and np.isfinite(value):
            value = f"{value:g}"
        return f"{self.column} {self.operator} {value}"


@dataclass(frozen=True)
class Found:
    """The result of an identifier search.

    Attributes
    ----------
    rows : ndarray
        Explained rows that match (exact matches first, then those that contain the text), in data order
        within each group.
    elsewhere : int
        Rows of the data that match but were not explained.
    """

    rows: np.ndarray
    elsewhere: int


def operators_for(ex, column) -> tuple:
    """The conditions a column offers: numbers, categories, or text (anything else)."""
    if column not in ex.columns:
        raise ConfigError(_NOT_A_COLUMN.format(column=column, columns=", ".join(map(str, ex.columns))))
    role = ex.roles.get(column)
    return NUMBER_OPERATORS if role == NUMERIC else LEVEL_OPERATORS if role == CATEGORICAL else TEXT_OPERATORS


def matching_rows(ex, conditions) -> np.ndarray:
    """The explained rows (of ``ex.local_rows``) that meet every condition, in data order.

    A missing value meets only "is not". No condition: every explained row.

    Raises
    ------
    ConfigError
        If a column is not explained or an operator does not fit the column.
    DataError
        If a number is expected and the value does not read as one.

    Examples
    --------
    >>> matching_rows(ex, [Condition("Sex", "is", "female"), Condition("Age", "below", 10)])  # doctest: +SKIP
    array([ 10,  43, 184])
    """
    rows = ex.local_rows
    values = ex.shown_rows.loc[rows]
    keep = np.ones(len(rows), dtype=bool)
    for c in conditions:
        ops = operators_for(ex, c.column)
        if c.operator not in ops:
            raise ConfigError(_BAD_OPERATOR.format(operator=c.operator, column=c.column, operators=", ".join(ops)))
        keep &= _meets(values[c.column], c)
    return rows[keep]


def _meets(cells: pd.Series, c: Condition) -> np.ndarray:
    if c.operator in NUMBER_OPERATORS:
        number = pd.to_numeric(pd.Series([c.value]), errors="coerce").iloc[0]
        if not np.isfinite(number):
            example = pd.to_numeric(cells, errors="coerce").median()
            raise DataError(_NOT_A_NUMBER.format(column=c.column, operator=c.operator, value=c.value,
                                                 example=f"{example:.3g}" if np.isfinite(example) else "10"))
        x = pd.to_numeric(cells, errors="coerce").to_numpy(dtype=np.float64)
        with np.errstate(invalid="ignore"):
            return {"below": x < number, "at most": x <= number, "equal to": x == number,
                    "at least": x >= number, "above": x > number}[c.operator]
    text = _texts(cells)
    present = cells.notna().to_numpy()
    wanted = str(c.value).strip()
    if c.operator == "is":
        return present & (text == wanted)
    if c.operator == "is not":
        return ~(present & (text == wanted))
    return present & np.array([wanted.casefold() in t.casefold() for t in text], dtype=bool)


def _texts(cells: pd.Series) -> np.ndarray:
    return cells.astype(object).map(lambda v: "" if pd.isna(v) else str(v).strip()).to_numpy(dtype=object)


def find_by_identifier(ex, text: str, *, ds=None) -> Found:
    """Explained rows whose identifier (any of ``ex.identifier_columns``) is or contains ``text``.

    Case is ignored. A number matches exactly: a numeric identifier of that value ("42" is 42, not
    142) or a text identifier that reads the same; any other text also matches text identifiers (a
    name, a ticket) that contain it. Exact matches come first. With ``ds`` (the explained data) every
    row of the data is searched, so :attr:`Found.elsewhere` counts the matches that were not explained.

    Examples
    --------
    >>> find_by_identifier(ex, "braund", ds=ds)                          # doctest: +SKIP
    Found(rows=array([0]), elsewhere=1)
    """
    query = str(text).strip().casefold()
    frame = ex.identifiers if ds is None else ds.frame[[c for c in ex.identifier_columns if c in ds.frame.columns]]
    positions = frame.index.to_numpy() if ds is None else np.arange(ds.n_rows)
    if not query or frame.shape[1] == 0:
        return Found(rows=np.array([], dtype=np.int64), elsewhere=0)
    exact = np.zeros(len(frame), dtype=bool)
    partial = np.zeros(len(frame), dtype=bool)
    number = pd.to_numeric(pd.Series([query]), errors="coerce").iloc[0]
    for col in frame.columns:
        cells = frame[col]
        numeric = pd.to_numeric(cells, errors="coerce")
        if cells.notna().any() and numeric.notna().sum() == cells.notna().sum():  # a numeric identifier
            if np.isfinite(number):
                exact |= (numeric == number).to_numpy()
            continue
        folded = np.array([str(v).strip().casefold() if pd.notna(v) else "" for v in cells], dtype=object)
        exact |= folded == query
        if not np.isfinite(number):  # "2" is passenger 2, not every ticket with a 2 in it
            partial |= np.array([query in v for v in folded], dtype=bool)
    explained = np.isin(positions, ex.local_rows)
    first = positions[exact & explained]
    then = positions[partial & ~exact & explained]
    return Found(rows=np.concatenate([first, then]).astype(np.int64),
                 elsewhere=int(((exact | partial) & ~explained).sum()))
