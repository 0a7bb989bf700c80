"""Column roles and tasks, and the model-input frame derived from them.

Role inference (``infer_roles``) and task inference (``infer_task``) also live here.

Inference rules (a caller's ``roles=`` and ``task=`` always win over them):

Missing values
    ``NaN``/``None`` and the cell texts in :data:`MISSING_TEXTS` (pandas' usual spellings
    such as ``''``, ``'NA'``, ``'N/A'``, ``'null'``, ``'nan'``, plus UCI's ``'?'``; not
    ``'None'``, which is a real level in many categorical columns), compared after
    stripping spaces. ``dllab.datasets.read_csv`` turns :data:`NA_VALUES` into NaN and
    keeps ``'?'`` as text; a numeric column then treats ``'?'`` as missing, a
    categorical column keeps it as a level.
Roles, checked in this order for every column but the target
    1. ``constant``: at most one distinct value, counting "missing" as a value (a column
       holding one value and some gaps is an indicator, not a constant).
    2. ``categorical`` for bool and pandas ``category`` columns; ``datetime`` for
       datetime64 columns.
    3. ``identifier``: a name like ``id``, ``ID``, ``user_id``, ``userId``, ``index`` or
       ``rownames`` (not ``paid`` or ``valid``) with mostly distinct values (more than
       half), when it holds integers or strings; an integer column
       that counts the rows (``0..n-1`` or ``1..n`` in row order); a string column whose
       short, space-free values are unique per row (at least 20 rows).
    4. ``numeric`` for numeric dtypes, whatever their number of distinct values: integer
       codes stay numeric (trees and networks handle ordered codes; pass
       ``roles={col: "categorical"}`` for unordered ones such as zip codes).
    5. Strings: ``numeric`` when at least half of the present values parse as numbers
       (all of them: numeric-looking strings; some: a mixed column, which
       ``from_frame`` reports as an error naming the odd values); ``datetime`` when
       every distinct value looks like a date (``2024-01-31``, ``31/01/2024``, optional
       time) and parses as one; ``text`` when values are long (15+ characters, 3+ words
       on average) and mostly distinct; else ``categorical``.
Task, from the target's present values
    Two distinct values give ``binary``; numbers that are all integers with at most
    :data:`MAX_INTEGER_CLASSES` distinct values give ``multiclass``; other numbers
    give ``regression``; anything else (strings) gives ``multiclass``.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ..errors import DataError

__all__ = ["NUMERIC", "CATEGORICAL", "TEXT", "DATETIME", "IDENTIFIER", "CONSTANT", "EXCLUDED",
           "ROLES", "FEATURE_ROLES", "TASKS", "NA_VALUES", "MISSING_TEXTS", "MAX_INTEGER_CLASSES",
           "feature_frame", "source_column", "infer_roles", "infer_role", "infer_task",
           "is_missing", "non_numeric", "non_dates"]

NUMERIC = "numeric"
CATEGORICAL = "categorical"
TEXT = "text"
DATETIME = "datetime"
IDENTIFIER = "identifier"
CONSTANT = "constant"
EXCLUDED = "excluded"  # chosen by the user
ROLES = (NUMERIC, CATEGORICAL, TEXT, DATETIME, IDENTIFIER, CONSTANT, EXCLUDED)
#: Roles the tabular models use. Free text is a feature too, of text datasets only
#: (``Dataset.modality == "text"``; ``Dataset.feature_columns`` adds it).
FEATURE_ROLES = (NUMERIC, CATEGORICAL, DATETIME)
TASKS = ("binary", "multiclass", "regression")

_DATE_PARTS = ("year", "month", "dayofweek", "days")


def feature_frame(frame: pd.DataFrame, roles: dict) -> pd.DataFrame:
    """Model inputs from a raw frame: float64 numerics, ``category`` levels, datetime parts, text.

    Text columns (role ``text``) stay object columns of ``str`` (missing as ``""``).

    Categorical levels are strings (so ``1`` and ``"1"`` are one level); missing
    values stay missing (NaN) for every family to handle its own way.

    Examples
    --------
    >>> df = pd.DataFrame({"a": [1, 2], "b": ["x", None], "y": [0, 1]})
    >>> X = feature_frame(df, {"a": "numeric", "b": "categorical"})
    >>> [str(t) for t in X.dtypes]
    ['float64', 'category']
    """
    out = {}
    for col in frame.columns:
        role = roles.get(col)
        s = frame[col]
        if role == NUMERIC:
            out[col] = pd.to_numeric(s, errors="coerce").astype(np.float64)
        elif role == CATEGORICAL:
            text = s.astype("string").astype(object).where(s.notna(), np.nan)
            levels = sorted(pd.unique(text.dropna()).tolist())
            out[col] = pd.Categorical(text, categories=levels)
        elif role == TEXT:
            out[col] = s.astype(object).where(s.notna(), "").map(str)
        elif role == DATETIME:
            t = _to_datetime(s)
            out[f"{col}.year"] = t.dt.year.astype(np.float64)
            out[f"{col}.month"] = t.dt.month.astype(np.float64)
            out[f"{col}.dayofweek"] = t.dt.day_of_week.astype(np.float64)
            days = (t - pd.Timestamp("1970-01-01")).dt.total_seconds() / 86400.0
            out[f"{col}.days"] = days.astype(np.float64)
    return pd.DataFrame(out, index=frame.index).reset_index(drop=True)


def source_column(feature: str, roles: dict) -> str:
    """The user's column behind a model input (datetime parts map back to their column).

    Examples
    --------
    >>> source_column("when.month", {"when": "datetime"})
    'when'
    """
    if feature in roles:
        return feature
    base, _, part = feature.rpartition(".")
    if part in _DATE_PARTS and roles.get(base) == DATETIME:
        return base
    return feature


# =========================================================================== missing values
#: Cell texts that ``read_csv`` reads as missing: pandas' default list without ``'None'``.
NA_VALUES = ("", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND",
             "1.#QNAN", "<NA>", "N/A", "NA", "NULL", "NaN", "n/a", "nan", "null")
#: Cell texts that inference treats as missing (after stripping spaces): ``NA_VALUES`` and ``'?'``.
MISSING_TEXTS = frozenset(NA_VALUES) | {"?"}
#: An integer target with at most this many distinct values is inferred as ``multiclass``.
MAX_INTEGER_CLASSES = 20

_NO_VALUES = ("column {name!r} has no values (all {n} rows are missing); "
              "choose a target column that has values.")
_ONE_VALUE = ("column {name!r} has a single value ({value!r}), so there is nothing to predict; "
              "choose another target.")

_ID_NAME = re.compile(r"^(id|index|idx|rownames|row_?id|row_?number|unnamed: ?0)$|[_ .-]id$|^id[_ .-]",
                      re.IGNORECASE)
_ID_CAMEL = re.compile(r"[a-z0-9](Id|ID)$")  # userId, customerID; not "paid" or "valid"
_DATE = re.compile(r"^(\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4})"
                   r"([ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?\s*(Z|[+-]\d{2}:?\d{2})?)?$")
_MIN_ROWS_UNIQUE_ID = 20
_TEXT_MIN_CHARS = 15
_TEXT_MIN_WORDS = 3
_SAMPLE = 2000  # distinct values looked at for text statistics


def _is_texty(s: pd.Series) -> bool:
    """Strings or mixed Python objects (not numbers, bools, datetimes or categories)."""
    dtype = s.dtype
    return not (pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype)
                or pd.api.types.is_datetime64_any_dtype(dtype) or isinstance(dtype, pd.CategoricalDtype)
                or isinstance(dtype, pd.PeriodDtype) or pd.api.types.is_timedelta64_dtype(dtype))


def is_missing(series: pd.Series) -> pd.Series:
    """Boolean mask of missing cells: NaN/None, or a text in :data:`MISSING_TEXTS`.

    Examples
    --------
    >>> is_missing(pd.Series(["a", " ? ", None, "NA", "None"])).tolist()
    [False, True, True, True, False]
    """
    mask = series.isna()
    if _is_texty(series) and not mask.all():
        present = series[~mask]
        text = present.astype(str).str.strip()
        mask = mask.copy()
        mask.loc[present.index[text.isin(MISSING_TEXTS).to_numpy()]] = True
    return mask


def non_numeric(series: pd.Series) -> pd.Series:
    """The present values of ``series`` that do not parse as numbers.

    Missing cells (see :func:`is_missing`) do not count. Numeric and bool columns
    have none.

    Examples
    --------
    >>> non_numeric(pd.Series(["1.5", "2", "n/a", "?", "oops", None])).tolist()
    ['oops']
    """
    if not _is_texty(series):
        return series.iloc[:0]
    present = series[~is_missing(series)]
    parsed = pd.to_numeric(present.astype(str).str.strip(), errors="coerce")
    return present[parsed.isna().to_numpy()]


def non_dates(series: pd.Series) -> pd.Series:
    """The present values of ``series`` that do not parse as dates or times.

    Examples
    --------
    >>> non_dates(pd.Series(["2024-01-31", "31/01/2024 10:00", "soon", None])).tolist()
    ['soon']
    """
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        return series.iloc[:0]
    present = series[~is_missing(series)]
    if len(present) == 0:
        return present
    text = present.astype(str).str.strip()
    uniques = pd.Series(pd.unique(text))
    parsed = _to_datetime(uniques)
    bad = set(uniques[parsed.isna().to_numpy()])
    return present[text.isin(bad).to_numpy()]


def _to_datetime(s: pd.Series) -> pd.Series:
    # Time zones are compared in UTC and then dropped, so tz-aware and naive
    # columns both give naive datetimes (feature_frame subtracts a naive epoch).
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        t = s
    else:
        t = pd.to_datetime(s.astype(object).where(s.notna(), None), errors="coerce", format="mixed", utc=True)
    if getattr(t.dt, "tz", None) is not None:
        t = t.dt.tz_convert("UTC").dt.tz_localize(None)
    return t


# =========================================================================== roles
def infer_roles(df: pd.DataFrame, *, target) -> dict:
    """Role of every column except ``target``, by the rules in the module docstring.

    Parameters
    ----------
    df : DataFrame
        The data (not modified).
    target : str or None
        The target column, which gets no role; ``None`` infers every column.

    Returns
    -------
    dict of str to str
        Column name to one of ``numeric``, ``categorical``, ``text``, ``datetime``,
        ``identifier``, ``constant``, in frame order.

    Examples
    --------
    >>> df = pd.DataFrame({
    ...     "id": range(30),
    ...     "age": [20 + i % 7 for i in range(30)],
    ...     "city": ["Oslo", "Rome"] * 15,
    ...     "price": ["1.5", "2", "n/a"] * 10,
    ...     "when": ["2024-01-%02d" % (1 + i % 28) for i in range(30)],
    ...     "unit": ["kg"] * 30,
    ...     "note": ["the parcel number %d arrived late and damaged" % i for i in range(30)],
    ...     "y": [0, 1] * 15,
    ... })
    >>> infer_roles(df, target="y")  # doctest: +NORMALIZE_WHITESPACE
    {'id': 'identifier', 'age': 'numeric', 'city': 'categorical', 'price': 'numeric',
     'when': 'datetime', 'unit': 'constant', 'note': 'text'}
    """
    return {col: infer_role(df[col]) for col in df.columns if col != target}


def infer_role(series: pd.Series) -> str:
    """Role of one column (its ``name`` matters for identifiers); see :func:`infer_roles`.

    Examples
    --------
    >>> infer_role(pd.Series([3, 1, 2], name="customer_id"))
    'identifier'
    >>> infer_role(pd.Series([1, 2, 2, 3], name="rooms"))
    'numeric'
    """
    s = series
    missing = is_missing(s)
    present = s[~missing]
    n_present = len(present)
    n_distinct = present.nunique(dropna=True) if n_present else 0
    if n_distinct + int(bool(missing.any())) <= 1:
        return CONSTANT
    dtype = s.dtype
    if pd.api.types.is_bool_dtype(dtype) or isinstance(dtype, pd.CategoricalDtype):
        return CATEGORICAL
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return DATETIME
    name = str(s.name)
    id_named = bool(_ID_NAME.search(name) or _ID_CAMEL.search(name)) and n_distinct > 0.5 * n_present
    if pd.api.types.is_numeric_dtype(dtype):
        if pd.api.types.is_integer_dtype(dtype) and (id_named or _counts_rows(s)):
            return IDENTIFIER
        return NUMERIC
    if not _is_texty(s):
        return CATEGORICAL  # period, timedelta, ...: shown as levels
    text = present.astype(str).str.strip()
    counts = text.value_counts()
    parsed = pd.to_numeric(pd.Series(counts.index, dtype=object), errors="coerce")
    numeric_share = counts.to_numpy()[parsed.notna().to_numpy()].sum() / max(n_present, 1)
    if id_named:
        return IDENTIFIER
    if numeric_share >= 0.5:
        return NUMERIC
    uniques = counts.index.to_series()
    if uniques.str.fullmatch(_DATE).all() and _to_datetime(uniques).notna().all():
        return DATETIME
    sample = uniques.iloc[:_SAMPLE] if len(uniques) > _SAMPLE else uniques
    mostly_distinct = n_distinct >= 0.5 * n_present
    if (mostly_distinct and sample.str.len().mean() >= _TEXT_MIN_CHARS
            and sample.str.split().str.len().mean() >= _TEXT_MIN_WORDS):
        return TEXT
    if n_distinct == n_present >= _MIN_ROWS_UNIQUE_ID and not sample.str.contains(" ").any():
        return IDENTIFIER
    return CATEGORICAL


def _counts_rows(s: pd.Series) -> bool:
    # 0..n-1 or 1..n in row order: a row number, not a measurement.
    if s.isna().any() or len(s) < 3:
        return False
    values = s.to_numpy()
    return values[0] in (0, 1) and bool(np.all(np.diff(values) == 1))


# =========================================================================== task
def infer_task(series: pd.Series) -> str:
    """Task for a target column: ``"binary"``, ``"multiclass"`` or ``"regression"``.

    Missing values are ignored. See the module docstring for the rule.

    Parameters
    ----------
    series : Series
        The target column.

    Returns
    -------
    str

    Raises
    ------
    DataError
        If the column has no present values or only one distinct value.

    Examples
    --------
    >>> infer_task(pd.Series(["yes", "no", "yes"]))
    'binary'
    >>> infer_task(pd.Series([1, 2, 3, 1, 2, 3]))
    'multiclass'
    >>> infer_task(pd.Series([0.5, 1.25, 3.0, 7.5]))
    'regression'
    """
    present = series[~is_missing(series)]
    if len(present) == 0:
        raise DataError(_NO_VALUES.format(name=series.name, n=len(series)))
    n_distinct = present.nunique()
    if n_distinct == 1:
        raise DataError(_ONE_VALUE.format(name=series.name, value=present.iloc[0]))
    if n_distinct == 2:
        return "binary"
    if pd.api.types.is_bool_dtype(present.dtype):
        return "binary"
    if pd.api.types.is_numeric_dtype(present.dtype):
        numbers = present.astype(np.float64)
    elif _is_texty(present) and len(non_numeric(present)) == 0:
        numbers = pd.to_numeric(present.astype(str).str.strip(), errors="coerce")
    else:
        return "multiclass"
    values = numbers.to_numpy(dtype=np.float64)
    finite = values[np.isfinite(values)]
    if np.all(finite == np.round(finite)) and n_distinct <= MAX_INTEGER_CLASSES:
        return "multiclass"
    return "regression"
