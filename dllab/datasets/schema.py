"""Column roles and tasks, the rules that infer them from the values, and the model-input frame.

Role inference (:func:`explain_roles`), task inference (:func:`infer_task`) and the
ranking of likely targets (:func:`rank_targets`) give each decision with its reason, a
sentence the app shows in its column table. A caller's ``roles=`` and ``task=`` win.

Missing values
    ``NaN``/``None`` and the cell texts in :data:`MISSING_TEXTS` (pandas' usual spellings
    such as ``''``, ``'NA'``, ``'N/A'``, ``'null'``, ``'nan'``, plus UCI's ``'?'``; not
    ``'None'``, which is a real level in many categorical columns), compared after
    stripping spaces. ``dllab.datasets.read_csv`` turns :data:`NA_VALUES` into NaN and
    keeps ``'?'`` as text; a numeric column then treats ``'?'`` as missing, a
    categorical column keeps it as a level.
Roles, checked in this order for every column but the target
    "Mostly distinct": more than half of the present values are distinct, in 20+ present
    rows (:data:`MIN_ROWS_IDENTIFIER`); a level seen once teaches a model nothing.

    1. ``constant``: at most one distinct value, counting "missing" as a value (a column
       holding one value and some gaps is an indicator, not a constant).
    2. ``categorical`` for bool columns; ``datetime`` for datetime64 columns; pandas
       ``category`` columns are ``categorical`` unless named like an identifier or
       mostly distinct (then ``identifier``).
    3. ``identifier``: a name like ``id``, ``ID``, ``user_id``, ``userId``, ``index`` or
       ``rownames`` (not ``paid`` or ``valid``) with more than half of the values
       distinct, when it holds whole numbers or strings; an integer column that counts
       the rows (``0..n-1`` or ``1..n`` in row order).
    4. ``numeric`` for every other numeric column: whole-number codes keep their order
       (trees split on it, a linear model gets one slope), which serves Titanic's ordered
       ``Pclass`` (1, 2, 3); make unordered codes ``categorical``.
    5. Strings that are mostly numbers (at least half of the present cells): ``numeric``
       when all are numbers, or all but a few (at most :data:`MAX_NON_NUMERIC_SHARE`, 10%:
       the models read those cells as missing, and a notice names them). Numbers written
       with leading zeros (``'08123'``, ``'01.1'``: zip codes, account numbers; ``read_csv``
       keeps them as text) are codes, and so are numbers mixed with more words (Titanic's
       ``Ticket``: ``'A/5 21171'`` beside ``'113803'``): ``identifier`` if mostly distinct
       (Ticket: 681 distinct in 891 rows), else ``categorical``. Mixing is never refused.
    6. ``datetime`` when every distinct value looks like a date (``2024-01-31``,
       ``31/01/2024``, optional time) and parses as one.
    7. ``text`` (free text) when values are mostly distinct, long (15+ characters and 3+
       words on average) and read like prose: at least half of their words start in lower
       case, or they average 8+ words. Names (Titanic's ``Name``: 4 capitalised words,
       unique per passenger) are not prose: a text encoder would find little in them but
       the title, and an analyst would not run one on names by default; they fall to the
       next rule (give such a column the role ``text`` to have the text models read it).
    8. ``identifier``: other mostly distinct strings: names, codes, room numbers
       (Titanic's ``Cabin``: 147 distinct values in its 204 present rows).
    9. Else ``categorical``. The models group levels too rare to learn from (the linear
       model keeps the 50 most frequent, the deep net 64; boosting splits on levels).
Task, from the target's present values
    Two distinct values give ``binary``; numbers that are all integers with at most
    :data:`MAX_INTEGER_CLASSES` distinct values give ``multiclass``; other numbers
    give ``regression``; anything else (strings) gives ``multiclass``.
Target ranking (:func:`rank_targets`), a score in [0, 1] for every column
    A column that cannot be a target scores 0 (its reason says why): an identifier,
    free text, a date, a constant, a column missing in more than half of its rows, or
    more than ``MAX_CLASSES`` classes. Others start from their task: binary 0.4,
    multiclass of up to 10 string classes 0.4, regression 0.35, up to 10 whole-number
    codes 0.3, more classes 0.2. A name that says target adds 0.4 (:data:`TARGET_NAMES`:
    ``target``, ``label``, ``class``, ``y``, ``outcome``, ``survived``, ``churn``,
    ``default``, ``species``, ...) or 0.25 for names often predicted (``price``,
    ``income``, ``wage``, ``status``, ...); one word of a longer name adds 0.2
    (:data:`TARGET_WORDS`: ``is_fraud``). ``y`` beside ``x`` and ``z`` is a coordinate,
    no hint. Position is a weak hint: 0.1 for the last column, 0.05 for the first.
    Calendar names (``year``, ``month``, ...) subtract 0.25, missing values 0.3 times
    their share, classes too small to keep (fewer rows than folds) 0.1.
"""

from __future__ import annotations

import re
from typing import NamedTuple

import numpy as np
import pandas as pd

from ..errors import FIX_TARGET, DataError, plain

__all__ = ["NUMERIC", "CATEGORICAL", "TEXT", "DATETIME", "IDENTIFIER", "CONSTANT", "EXCLUDED",
           "ROLES", "FEATURE_ROLES", "TASKS", "NA_VALUES", "MISSING_TEXTS", "MAX_INTEGER_CLASSES", "MAX_CLASSES", "DATE_PARTS",
           "MAX_NON_NUMERIC_SHARE", "MIN_ROWS_IDENTIFIER", "TARGET_NAMES", "TARGET_WORDS", "RoleGuess", "TargetGuess",
           "feature_frame", "source_column", "explain_roles", "explain_role", "infer_roles", "infer_role",
           "infer_task", "rank_targets", "is_missing", "non_numeric", "non_dates"]

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

#: The parts a date is read as, each a model input named "<column>.<part>".
DATE_PARTS = ("year", "month", "dayofweek", "days")


class RoleGuess(NamedTuple):
    """The role inferred for a column, and why (a sentence for the user)."""

    role: str
    reason: str


class TargetGuess(NamedTuple):
    """A column as a candidate target: its task, a score in [0, 1] (0: cannot be one), and why."""

    column: object
    task: str | None
    score: float
    reason: str


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
    if part in DATE_PARTS and roles.get(base) == DATETIME:
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
#: Classification targets with more distinct values than this are refused.
MAX_CLASSES = 100
#: A mostly numeric column with at most this share of other cells is numeric (those cells: missing).
MAX_NON_NUMERIC_SHARE = 0.1
#: Present rows needed before mostly distinct values make a column an identifier.
MIN_ROWS_IDENTIFIER = 20
#: Column names (lower case, words joined by ``_``) that say "this is what to predict", and their weight.
TARGET_NAMES = {
    **dict.fromkeys(("target", "label", "labels", "class", "y", "outcome", "response", "result", "survived",
                     "survival", "churn", "churned", "default", "fraud", "spam", "diagnosis", "species"), 0.4),
    **dict.fromkeys(("price", "income", "salary", "wage", "quality", "grade", "rating", "score", "status",
                     "purchase", "purchased", "approved", "deny", "output", "goal"), 0.25)}
#: One word of a longer name that says target (``is_fraud``, ``churn_flag``, ``target_var``).
TARGET_WORDS = frozenset({"target", "label", "outcome", "response", "churn", "fraud", "default", "survived", "spam"})

_NO_VALUES = "column {name!r} has no values (all {n} rows are missing), so there is nothing to predict; {fix}."
_ONE_VALUE = "column {name!r} has a single value ({value!r}), so there is nothing to predict; {fix}."

_ID_NAME = re.compile(r"^(id|index|idx|rownames|row_?id|row_?number|unnamed: ?0)$|[_ .-]id$|^id[_ .-]",
                      re.IGNORECASE)
_ID_CAMEL = re.compile(r"[a-z0-9](Id|ID)$")  # userId, customerID; not "paid" or "valid"
_DATE = re.compile(r"^(\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4})"
                   r"([ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?\s*(Z|[+-]\d{2}:?\d{2})?)?$")
_LEADING_ZERO = re.compile(r"^[+-]?0\d")
_NUMBER_TEXT = re.compile(r"^[+-]?\d+(\.\d+)?$")
_WORD = re.compile(r"[^\W\d_]\w*")
_CALENDAR = re.compile(r"^(year|yr|month|day|date|time|week|hour|minute|quarter|dob|period)s?$", re.IGNORECASE)
_TEXT_MIN_CHARS = 15
_TEXT_MIN_WORDS = 3
_TEXT_PROSE_WORDS = 8  # this many words on average is prose whatever its case
_SAMPLE = 2000  # distinct values looked at for text statistics
_RANK_ROWS = 10_000  # rows rank_targets looks at (seeded sample of larger tables)


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
    mask = series.isna().to_numpy(dtype=bool)
    if _is_texty(series) and not mask.all():
        codes, texts = _distinct_text(series[~mask])
        gaps = np.fromiter((t in MISSING_TEXTS for t in texts), dtype=bool, count=len(texts))
        if gaps.any():
            mask = mask.copy()
            mask[np.flatnonzero(~mask)[gaps[codes]]] = True
    return pd.Series(mask, index=series.index)


def _distinct_text(values: pd.Series) -> tuple:
    """``(codes, texts)``: each cell's index into ``texts``, the stripped text of each distinct value.

    Work on distinct values, not cells: a column of a million cells often holds a few hundred.
    """
    try:
        codes, uniques = pd.factorize(values)
    except TypeError:  # unhashable cells (lists, dicts): compare their text
        codes, uniques = pd.factorize(values.astype(str))
    return codes, np.array([str(u).strip() for u in uniques], dtype=object)


def _text_counts(values: pd.Series) -> tuple:
    """``(texts, counts)``: the distinct stripped texts of ``values`` in row order, and their numbers of cells."""
    codes, texts = _distinct_text(values)
    merged, uniques = pd.factorize(texts)  # " a" and "a" are one text
    return np.asarray(uniques, dtype=object), np.bincount(merged, weights=np.bincount(codes, minlength=len(texts)),
                                                          minlength=len(uniques)).astype(np.int64)


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
    codes, texts = _distinct_text(present)
    words = pd.to_numeric(pd.Series(texts, dtype=object), errors="coerce").isna().to_numpy()
    return present[words[codes]]


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
    codes, texts = _distinct_text(present)
    bad = _to_datetime(pd.Series(texts, dtype=object)).isna().to_numpy()
    return present[bad[codes]]


def _to_datetime(s: pd.Series) -> pd.Series:
    # Time zones are compared in UTC and then dropped, so tz-aware and naive
    # columns both give naive datetimes (feature_frame subtracts a naive epoch).
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        t = s
    else:
        values = s.astype(object).where(s.notna(), None)
        t = pd.to_datetime(values, errors="coerce", format="ISO8601", utc=True)  # fast, and the usual case
        if t.isna().sum() > s.isna().sum():
            t = pd.to_datetime(values, errors="coerce", format="mixed", utc=True)
    if getattr(t.dt, "tz", None) is not None:
        t = t.dt.tz_convert("UTC").dt.tz_localize(None)
    return t


# =========================================================================== roles
def explain_roles(df: pd.DataFrame, *, target) -> dict:
    """Role of every column except ``target``, with its reason, by the rules in the module docstring.

    Parameters
    ----------
    df : DataFrame
        The data (not modified).
    target : str or None
        The target column, which gets no role; ``None`` infers every column.

    Returns
    -------
    dict of column to RoleGuess
        In frame order; ``role`` is one of ``numeric``, ``categorical``, ``text``,
        ``datetime``, ``identifier``, ``constant``.

    Examples
    --------
    >>> df = pd.DataFrame({"Ticket": ["A/5 %d" % i if i % 4 == 0 else str(1000 + i) for i in range(40)],
    ...                    "Embarked": ["S", "C", "Q", None] * 10, "Survived": [0, 1] * 20})
    >>> for column, guess in explain_roles(df, target="Survived").items():
    ...     print(column, guess.role, "-", guess.reason)
    Ticket identifier - 40 distinct values in 40 rows, numbers mixed with codes like 'A/5 0' (10 rows): an identifier, left out of the models
    Embarked categorical - 3 distinct values ('S', 'C', 'Q'), 10 missing: categorical
    """
    return {col: explain_role(df[col]) for col in df.columns if col != target}


def infer_roles(df: pd.DataFrame, *, target) -> dict:
    """Role of every column except ``target`` (:func:`explain_roles` without the reasons).

    Examples
    --------
    >>> df = pd.DataFrame({"id": range(30), "price": ["1.5", "2", "n/a"] * 10, "unit": ["kg"] * 30,
    ...                    "when": ["2024-01-%02d" % (1 + i % 28) for i in range(30)], "y": [0, 1] * 15,
    ...                    "note": ["the parcel number %d arrived late and damaged" % i for i in range(30)]})
    >>> infer_roles(df, target="y")
    {'id': 'identifier', 'price': 'numeric', 'unit': 'constant', 'when': 'datetime', 'note': 'text'}
    """
    return {col: guess.role for col, guess in explain_roles(df, target=target).items()}


def infer_role(series: pd.Series) -> str:
    """Role of one column (its ``name`` matters for identifiers); see :func:`explain_role`.

    Examples
    --------
    >>> infer_role(pd.Series([3, 1, 2], name="customer_id"))
    'identifier'
    >>> infer_role(pd.Series([1, 2, 2, 3], name="rooms"))
    'numeric'
    """
    return explain_role(series).role


def explain_role(series: pd.Series) -> RoleGuess:
    """Role of one column and the reason, by the rules in the module docstring.

    Examples
    --------
    >>> explain_role(pd.Series(["08123", "00501", "08123", "10001"], name="zip")).reason
    "numbers written with leading zeros such as '08123': codes, not amounts, so categorical (3 levels)"
    >>> explain_role(pd.Series([1, 2, 3, 3, 1], name="Pclass")).reason
    '3 distinct whole numbers (1, 2, 3): numeric, so their order counts (make it categorical if they are unordered codes)'
    """
    return _explain(series, is_missing(series))


def _explain(s: pd.Series, missing: pd.Series) -> RoleGuess:
    present = s[~missing.to_numpy()]
    n_present, n_missing = len(present), int(missing.sum())
    texty = _is_texty(s)
    if texty:
        uniques, counts = _text_counts(present)  # in row order, for examples
        n_distinct = len(uniques)
    else:
        n_distinct = int(present.nunique()) if n_present else 0
    gaps = f", {n_missing:,} missing" if n_missing else ""
    if n_distinct == 0:
        return RoleGuess(CONSTANT, f"no values (all {len(s):,} cells are missing): left out of the models")
    if n_distinct + bool(n_missing) <= 1:
        return RoleGuess(CONSTANT, f"a single value ({_show(present.iloc[0])}) in every row: nothing to learn "
                                   "from, left out of the models")
    dtype = s.dtype
    mostly_distinct = n_present >= MIN_ROWS_IDENTIFIER and n_distinct > 0.5 * n_present
    distinct = f"{n_distinct:,} distinct values in {n_present:,} rows" + (f" ({n_missing:,} missing)" * bool(n_missing))
    name = str(s.name)
    id_named = bool(_ID_NAME.search(name) or _ID_CAMEL.search(name)) and n_distinct > 0.5 * n_present
    if pd.api.types.is_bool_dtype(dtype):
        return RoleGuess(CATEGORICAL, f"true/false values{gaps}: categorical")
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return RoleGuess(DATETIME, f"dates and times{gaps}: the models use their year, month, weekday and day number")
    if isinstance(dtype, pd.CategoricalDtype):
        if id_named or mostly_distinct:
            return RoleGuess(IDENTIFIER, f"{distinct}: mostly unique levels, an identifier, left out of the models")
        return RoleGuess(CATEGORICAL, f"a category column with {n_distinct:,} levels in use{gaps}: categorical")
    if pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_complex_dtype(dtype):
        values = present.to_numpy(dtype=np.float64)
        finite = values[np.isfinite(values)]
        whole = bool(np.all(finite == np.round(finite)))
        counter = pd.api.types.is_integer_dtype(dtype) and _counts_rows(s)
        if counter or (id_named and whole):
            rows = "counts the rows (%s, ...)" % ", ".join(str(plain(v)) for v in s.iloc[:3])
            what = ("named like an identifier and " + rows if id_named else rows) if counter else \
                f"named like an identifier, with {distinct}"
            return RoleGuess(IDENTIFIER, f"{what}: left out of the models")
        if whole and n_distinct <= MAX_INTEGER_CLASSES:
            ints = np.unique(finite).astype(np.int64)
            levels = _levels(ints, numbers=True) if len(ints) <= 3 else f"{ints[0]:,} to {ints[-1]:,}"
            return RoleGuess(NUMERIC, f"{n_distinct} distinct whole numbers ({levels}){gaps}: numeric, so their "
                                      "order counts (make it categorical if they are unordered codes)")
        span = f" from {_number(finite.min())} to {_number(finite.max())}" if len(finite) else ""
        return RoleGuess(NUMERIC, f"numbers{span}, {n_distinct:,} distinct{gaps}: numeric")
    if not texty:
        return RoleGuess(CATEGORICAL, f"values of type {dtype}{gaps}: categorical levels")
    if id_named:
        return RoleGuess(IDENTIFIER, f"named like an identifier, with {distinct}: left out of the models")
    is_number = pd.to_numeric(pd.Series(uniques, dtype=object), errors="coerce").notna().to_numpy()
    n_numbers = int(counts[is_number].sum())
    if n_numbers >= 0.5 * n_present:
        zeros = [t for t in uniques[is_number] if _LEADING_ZERO.match(t)]
        odd = uniques[~is_number]
        n_odd = n_present - n_numbers
        if zeros:  # '08123' is a code (zip, account), never an amount
            what = f"numbers written with leading zeros such as {_show(zeros[0])}: codes, not amounts"
            if mostly_distinct:
                return RoleGuess(IDENTIFIER, f"{distinct}, {what}: an identifier, left out of the models")
            return RoleGuess(CATEGORICAL, f"{what}, so categorical ({n_distinct:,} levels{gaps})")
        if not n_odd:
            return RoleGuess(NUMERIC, f"numbers written as text ({_levels(uniques)}){gaps}: numeric")
        if n_odd <= MAX_NON_NUMERIC_SHARE * n_present:
            return RoleGuess(NUMERIC, f"numbers, but {n_odd:,} of {n_present:,} cells hold other values "
                                      f"({_levels(odd)}): numeric, and the models read those cells as missing")
        if mostly_distinct:
            return RoleGuess(IDENTIFIER, f"{distinct}, numbers mixed with codes like {_show(odd[0])} "
                                         f"({n_odd:,} rows): an identifier, left out of the models")
        return RoleGuess(CATEGORICAL, f"mostly numbers, but {n_odd:,} of {n_present:,} cells are not "
                                      f"({_levels(odd)}): categorical, {n_distinct:,} levels{gaps}")
    if all(_DATE.fullmatch(t) for t in uniques) and _to_datetime(pd.Series(uniques)).notna().all():
        return RoleGuess(DATETIME, f"dates such as {_show(uniques[0])}{gaps}: the models use their year, "
                                   "month, weekday and day number")
    sample = uniques[:_SAMPLE]
    chars = float(np.mean([len(t) for t in sample]))
    words = float(np.mean([len(t.split()) for t in sample]))
    if n_distinct >= 0.5 * n_present and chars >= _TEXT_MIN_CHARS and words >= _TEXT_MIN_WORDS:
        tokens = [w for t in sample for w in _WORD.findall(t)]
        lower = float(np.mean([w[0].islower() for w in tokens])) if tokens else 0.0
        if lower >= 0.5 or words >= _TEXT_PROSE_WORDS:
            return RoleGuess(TEXT, f"free text: {distinct}, {words:.0f} words on average: text")
        if mostly_distinct:
            return RoleGuess(IDENTIFIER, f"{distinct}, names such as {_show(sample[0])} (capitalised words, "
                                         "not prose): an identifier, left out of the models; make it text to "
                                         "have the text models read it")
    if mostly_distinct:
        return RoleGuess(IDENTIFIER, f"{distinct}, mostly unique values such as {_show(uniques[0])}: "
                                     "an identifier, left out of the models")
    frequent = uniques[np.argsort(-counts, kind="stable")]
    return RoleGuess(CATEGORICAL, f"{n_distinct:,} distinct values ({_levels(frequent)}){gaps}: categorical")


def _counts_rows(s: pd.Series) -> bool:
    # 0..n-1 or 1..n in row order: a row number, not a measurement.
    if s.isna().any() or len(s) < 3:
        return False
    values = s.to_numpy()
    return values[0] in (0, 1) and bool(np.all(np.diff(values) == 1))


def _show(value, limit: int = 30) -> str:
    """A value quoted for a reason, shortened; numbers as plain numbers."""
    value = plain(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return repr(value)
    text = str(value)
    return repr(text if len(text) <= limit else text[:limit - 3] + "...")


def _levels(values, *, limit: int = 3, numbers: bool = False) -> str:
    values = list(values)
    shown = ", ".join(str(plain(v)) if numbers else _show(v) for v in values[:limit])
    return shown + (", ..." if len(values) > limit else "")


def _number(x: float) -> str:
    return f"{int(x):,}" if float(x).is_integer() and abs(x) < 1e15 else f"{x:,.4g}"


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
        raise DataError(_NO_VALUES.format(name=plain(series.name), n=len(series), fix="{fix}"), fix=FIX_TARGET)
    return _task_of(present)


def _task_of(present: pd.Series) -> str:
    """:func:`infer_task` of the present values (at least one)."""
    n_distinct = present.nunique()
    if n_distinct == 1:
        raise DataError(_ONE_VALUE.format(name=plain(present.name), value=plain(present.iloc[0]), fix="{fix}"),
                        fix=FIX_TARGET)
    if n_distinct == 2 or pd.api.types.is_bool_dtype(present.dtype):
        return "binary"
    if pd.api.types.is_numeric_dtype(present.dtype):
        values = present.to_numpy(dtype=np.float64)
    elif _is_texty(present):  # numbers written as text count as numbers (distinct texts suffice)
        values = pd.to_numeric(pd.Series(_distinct_text(present)[1], dtype=object), errors="coerce").to_numpy()
        if np.isnan(values).any():
            return "multiclass"
    else:
        return "multiclass"
    finite = values[np.isfinite(values)]
    if np.all(finite == np.round(finite)) and n_distinct <= MAX_INTEGER_CLASSES:
        return "multiclass"
    return "regression"


# =========================================================================== targets
def rank_targets(df: pd.DataFrame, *, n_folds: int = 5) -> list:
    """Every column as a candidate target, best first, by the rule in the module docstring.

    Parameters
    ----------
    df : DataFrame
        The data (not modified). Tables longer than 10,000 rows are judged on a
        seeded sample of that many rows (the reasons give shares, not counts).
    n_folds : int, default=5
        A class with fewer rows than this would be dropped (it lowers the score).

    Returns
    -------
    list of TargetGuess
        One per column, sorted by ``score`` (ties: frame order). A score of 0
        means the column cannot be a target; its ``task`` is then ``None``.

    Examples
    --------
    >>> df = pd.DataFrame({"PassengerId": range(1, 41), "Sex": ["male", "female"] * 20,
    ...                    "Fare": [7.25 + i for i in range(40)], "Survived": [0, 0, 1, 1] * 10})
    >>> best = rank_targets(df)[0]
    >>> best.column, best.task, best.reason
    ('Survived', 'binary', 'named like a target; 2 classes (0: 50%, 1: 50%); the last column')
    >>> rank_targets(df)[-1]
    TargetGuess(column='PassengerId', task=None, score=0.0, reason='cannot be a target: an identifier (counts the rows)')
    """
    if len(df) > _RANK_ROWS:
        df = df.sample(n=_RANK_ROWS, random_state=0)
    last = len(df.columns) - 1
    # x, y and z side by side are coordinates (ggplot2's diamonds): y is then no target name.
    xyz = {"x", "y", "z"} <= {str(c).lower() for c in df.columns}
    guesses = [_target_guess(df.iloc[:, i], position=i, last=last, n_folds=n_folds, xyz=xyz)
               for i in range(len(df.columns))]
    order = sorted(range(len(guesses)), key=lambda i: -guesses[i].score)
    return [guesses[i] for i in order]


def _target_guess(s: pd.Series, *, position: int, last: int, n_folds: int, xyz: bool) -> TargetGuess:
    column = s.name
    missing = is_missing(s)
    share = float(missing.mean()) if len(s) else 1.0
    role = _explain(s, missing).role
    why = {IDENTIFIER: "an identifier (%s)" % ("counts the rows" if _counts_rows(s) else "mostly distinct values"),
           TEXT: "free text", DATETIME: "dates", CONSTANT: "a single value"}
    if role in why:
        return TargetGuess(column, None, 0.0, f"cannot be a target: {why[role]}")
    if share > 0.5:
        return TargetGuess(column, None, 0.0, f"cannot be a target: {share:.0%} of its rows are missing")
    present = s[~missing.to_numpy()]
    try:
        task = _task_of(present)
    except DataError:
        return TargetGuess(column, None, 0.0, "cannot be a target: a single value")
    counts = None
    if task != "regression":
        labels, sizes = _text_counts(present)
        counts = pd.Series(sizes, index=labels).sort_values(ascending=False, kind="stable")
    numeric = pd.api.types.is_numeric_dtype(s.dtype) or role == NUMERIC
    if task == "regression":
        score, what = 0.35, "a numeric measurement"
    elif len(counts) > MAX_CLASSES:
        return TargetGuess(column, None, 0.0, f"cannot be a target: {len(counts):,} classes, more than the "
                                              f"{MAX_CLASSES} a classifier here can use")
    else:
        score = 0.4 if task == "binary" or (len(counts) <= 10 and not numeric) else 0.3 if len(counts) <= 10 else 0.2
        shown = ", ".join(f"{_label(v)}: {c / len(present):.0%}" for v, c in counts.iloc[:3].items())
        what = f"{len(counts):,} classes ({shown}{', ...' if len(counts) > 3 else ''})"
    hints = []
    words = re.sub(r"[\s\-.]+", "_", re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", str(column)).strip()).lower()
    part = sorted(set(words.split("_")) & TARGET_WORDS)
    if words in TARGET_NAMES and not (xyz and words == "y"):
        score += TARGET_NAMES[words]
        hints.append("named like a target")
    elif part:
        score += 0.2
        hints.append(f"its name has {part[0]!r}")
    if _CALENDAR.match(str(column).strip()):
        score, hints = score - 0.25, [*hints, "a calendar name (usually a feature)"]
    parts = [*hints, what]
    if share:
        score -= 0.3 * share
        parts.append(f"{share:.0%} of rows missing (dropped if it is the target)")
    if counts is not None and (counts < n_folds).any():
        score -= 0.1
        parts.append(f"some classes with fewer than {n_folds} rows (dropped)")
    if position in (0, last):
        score += 0.1 if position == last else 0.05
        parts.append("the last column" if position == last else "the first column")
    return TargetGuess(column, task, round(float(min(max(score, 0.01), 1.0)), 3), "; ".join(parts))


def _label(value) -> str:
    # Class labels as counted (text): numbers unquoted, words quoted.
    return value if _NUMBER_TEXT.match(value) else repr(value)
