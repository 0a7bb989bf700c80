"""Reading CSV files and turning a DataFrame into a validated :class:`Dataset`.

``read_csv`` only reads: it sniffs the separator and the encoding and refuses
files it cannot read faithfully (non-UTF-8 bytes, a missing header, duplicate
column names). ``from_frame`` validates a table for modelling, infers roles and
the task (``dllab.datasets.schema``), and records every change it makes as a notice.
``dllab.datasets.load`` (:mod:`dllab.datasets.dispatch`) does both for a CSV path.

Decisions worth knowing:

- Encoding: UTF-8, with or without a byte-order mark; UTF-16 only with its BOM.
  Anything else is a :class:`DataError` naming the first bad byte and its line,
  with the fix (re-save as UTF-8). There is no silent fallback to Latin-1: a
  wrong guess would change the user's text without anyone noticing.
- Missing cells: the texts in ``dllab.datasets.schema.NA_VALUES`` (pandas' defaults
  without ``'None'``) are read as missing. ``'?'`` stays text; inference treats
  it as missing in numeric columns and as a level in categorical ones.
- Values are never changed: numbers are parsed by pandas as written, a
  semicolon-separated file whose numbers all use decimal commas is read with
  ``decimal=","`` (and says so in a notice), and nothing is trimmed or recoded.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import os
import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import ConfigError, DataError, preview
from .schema import (CONSTANT, DATETIME, EXCLUDED, FEATURE_ROLES, IDENTIFIER, NA_VALUES, NUMERIC, ROLES,
                      TASKS, TEXT, infer_roles, infer_task, is_missing, non_dates, non_numeric)
from .dataset import Dataset
from .images import NOTE_PIXELS, detect_pixels

__all__ = ["read_csv", "from_frame", "MAX_CLASSES"]

#: Classification targets with more distinct values than this are refused.
MAX_CLASSES = 100

# =========================================================================== messages
# Reading
_FILE_NOT_FOUND = "no file at {path!r}; check the path (or pass a built-in dataset name)."
_EMPTY = ("{name} is empty (no columns or no text); choose a CSV file with a header row "
          "and at least one data row.")
_NO_ROWS = "{name} has column names but no data rows; add rows below the header."
_EXCEL = ("{name} looks like an Excel or zip file, not CSV text; in Excel use Save As > "
          "'CSV UTF-8 (comma delimited)' and load that file.")
_NOT_UTF8 = ("{name} is not UTF-8 text: byte 0x{byte:02x} at offset {offset} (line {line}) is not valid "
             "UTF-8 (the file may be Latin-1 or Windows-1252); re-save it as UTF-8 (in Excel: "
             "'CSV UTF-8') and load it again.")
_NO_HEADER = ("{name}: the first row ({row}) is all numbers, so it looks like data rather than "
              "column names; add a header row with one name per column.")
_DUPLICATE_COLUMNS = "{name} has duplicate column names: {columns}; give every column a unique name."
_PARSE_ERROR = ("{name} could not be read as CSV ({detail}); check that every row has as many "
                "fields as the header and that every quote is closed.")
# Validating
_ONE_COLUMN = ("{name} has only one column ({column!r}); a dataset needs a target and at least one "
               "feature column. If the file has several, separate them with commas, semicolons, "
               "tabs or pipes.")
_NO_TARGET = "no target column given; columns are {columns}. Pass one of them as target=... (or --target)."
_TARGET_NOT_FOUND = ("target column {target!r} is not in the data; columns are {columns}. "
                     "Pass one of them as target=... (or --target).")
_TARGET_ALL_MISSING = ("target column {target!r} has no values (all {n:,} rows are missing); "
                       "choose a target column that has values.")
_TARGET_CONSTANT = ("target column {target!r} has a single value ({value!r}) in all {n:,} rows, "
                    "so there is nothing to predict; choose another target.")
_BAD_TASK = ("task={task!r} is not valid; choose one of 'binary', 'multiclass', 'regression', "
             "or leave it out to infer it.")
_REGRESSION_NOT_NUMERIC = ("task 'regression' needs a numeric target, but {target!r} has {count:,} "
                           "non-numeric value(s), e.g. {example!r}; choose task 'binary' or "
                           "'multiclass', or a numeric target.")
_BINARY_NOT_TWO = ("task 'binary' needs exactly two classes, but target {target!r} has {n_classes:,} "
                   "({classes}); use task 'multiclass' or choose another target.")
_MULTICLASS_TWO = ("task 'multiclass' needs three or more classes, but target {target!r} has two "
                   "({classes}); use task 'binary'.")
_TOO_MANY_CLASSES = ("target column {target!r} has {n_classes:,} classes ({classes}), more than the "
                     "{max_classes} a classifier here can use; if it is a quantity use task "
                     "'regression' (--task regression), otherwise choose a different target.")
_RARE_CLASS = ("target class {label!r} in {target!r} has only {count} row(s), fewer than the "
               "{n_folds} folds, so some folds would have none; use fewer folds (n_folds, --folds) "
               "or merge it into a similar class.")
_INF_VALUES = ("column {column!r} has {count:,} infinite value(s) (inf or -inf); replace them with "
               "empty cells (missing) or finite numbers.")
_MIXED_TYPES = ("column {column!r} is numeric but {count:,} of its {n:,} values are not numbers, "
                "e.g. {example!r}; mark it categorical (roles={{{column!r}: 'categorical'}}) "
                "or clean those cells (empty cells count as missing).")
_NOT_DATES = ("column {column!r} has the role 'datetime' but {count:,} of its {n:,} values are not "
              "dates, e.g. {example!r}; choose another role for it or clean those cells.")
_NO_FEATURES = ("no usable feature columns are left ({columns}); give a column the role 'numeric', "
                "'categorical' or 'datetime' with roles=..., or add feature columns.")
_BAD_ROLE = "roles gives column {column!r} the role {role!r}, which is not a role; choose one of {roles}."
_UNKNOWN_COLUMNS = "{what} names column(s) {columns} that are not in the data; columns are {available}."
_ROLE_FOR_TARGET = ("{what} names the target column {target!r}; the target has no role. "
                    "Remove it from {what} or choose another target.")
_BAD_SETTING = "{name}={value!r} is not valid; it must be an integer of at least {low}."

# Notices (things done to the data that the user is told about)
_NOTE_DEFAULT_TARGET = "no target given: predicting column {target!r}"
_NOTE_TARGET_MISSING = "dropped {dropped:,} of {n:,} rows whose target {target!r} is missing"
_NOTE_SAMPLED = "sampled {used:,} of {n:,} rows (seeded, {how})"
_NOTE_DROPPED_ROLE = {
    IDENTIFIER: ("not used as features, as they look like row identifiers: {columns} (they stay in the "
                 "data; pass roles={{name: 'numeric'}} or 'categorical' to use one)"),
    CONSTANT: "not used as features, as they hold a single value: {columns}",
}
_NOTE_TEXT = ("used as free text: {columns} (each model family builds its own text representation; "
              "pass roles={{name: 'categorical'}} to use one as categories instead)")
_NOTE_CSV = "read {name} as {what}"

#: Column names that ``from_frame`` takes as the target when none is given.
_DEFAULT_TARGETS = ("target", "label", "class", "y")

_NUMBER = re.compile(r"^\s*[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?\s*$")
_DECIMAL_COMMA = re.compile(r"^\s*[+-]?\d+,\d+\s*$")
_DECIMAL_POINT = re.compile(r"^\s*[+-]?\d*\.\d+\s*$")
_DELIMITERS = (",", ";", "\t", "|")
_DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
_SNIFF_CHARS = 65_536
_SNIFF_LINES = 20
_CSV_ATTR = "dllab.csv"


# =========================================================================== read_csv
def read_csv(source, *, name: str | None = None) -> pd.DataFrame:
    """Read a CSV file into a DataFrame, refusing what it cannot read faithfully.

    The separator (comma, semicolon, tab or pipe) and the encoding (UTF-8, with
    or without BOM; UTF-16 with BOM) are sniffed; quoted fields may hold
    separators and line breaks; gzip-compressed files are unpacked. How the file
    was read is kept in ``df.attrs["dllab.csv"]`` (``delimiter``, ``encoding``,
    ``decimal``, ``notice``); :func:`from_frame` turns a non-empty ``notice``
    into a notice of the dataset.

    Parameters
    ----------
    source : str, path, bytes or file-like
        A path, the file's bytes, or an object with ``getvalue()`` or ``read()``
        (such as Streamlit's ``UploadedFile``).
    name : str, optional
        Name used in messages; default: the file's name, else ``"the upload"``.

    Returns
    -------
    DataFrame
        Columns as written in the header; values as pandas parses them.

    Raises
    ------
    DataError
        If there is no such file, it is empty, not UTF-8, an Excel file, has no
        header row (the first row is all numbers), repeats a column name, or
        cannot be parsed as CSV.

    Examples
    --------
    >>> df = read_csv(b"city;price\\nOslo;1,5\\nRome;2,25\\n")
    >>> df
       city  price
    0  Oslo   1.50
    1  Rome   2.25
    >>> df.attrs["dllab.csv"]["notice"]
    "read 'the upload' as semicolon-separated text with decimal commas"
    """
    raw, label = _read_bytes(source, name)
    shown = repr(label)
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as exc:
            raise DataError(_PARSE_ERROR.format(name=shown, detail=f"broken gzip data: {exc}")) from None
    if raw[:4] == b"PK\x03\x04":
        raise DataError(_EXCEL.format(name=shown))
    text, encoding = _decode(raw, shown)
    if not text.strip():
        raise DataError(_EMPTY.format(name=shown))
    delimiter, rows = _sniff(text)
    header = rows[0]
    cells = [c for c in header if c.strip()]
    if cells and all(_NUMBER.match(c) for c in cells):
        raise DataError(_NO_HEADER.format(name=shown, row=preview(header, limit=5)))
    seen, dupes = set(), []
    for cell in header:
        if cell in seen and cell not in dupes:
            dupes.append(cell)
        seen.add(cell)
    if dupes:
        raise DataError(_DUPLICATE_COLUMNS.format(name=shown, columns=preview(dupes)))
    decimal = "," if delimiter != "," and _uses_decimal_comma(rows[1:]) else "."
    try:
        with warnings.catch_warnings():
            # Rows wider than the header would silently become an index or lose fields.
            warnings.simplefilter("error", pd.errors.ParserWarning)
            df = pd.read_csv(io.StringIO(text), sep=delimiter, decimal=decimal, keep_default_na=False,
                             na_values=list(NA_VALUES), low_memory=False, index_col=False)
    except pd.errors.EmptyDataError:
        raise DataError(_EMPTY.format(name=shown)) from None
    except pd.errors.ParserWarning:
        detail = f"data rows have more fields than the {len(header)} names in the header"
        raise DataError(_PARSE_ERROR.format(name=shown, detail=detail)) from None
    except pd.errors.ParserError as exc:
        detail = " ".join(str(exc).split())
        raise DataError(_PARSE_ERROR.format(name=shown, detail=detail)) from None
    what = []
    if delimiter != ",":
        what.append(f"{_DELIMITER_NAMES[delimiter]}-separated text")
    if decimal == ",":
        what.append("with decimal commas")
    if encoding == "utf-16":
        what.append("(UTF-16)")
    if what and delimiter == ",":
        what.insert(0, "comma-separated text")
    notice = _NOTE_CSV.format(name=shown, what=" ".join(what)) if what else ""
    df.attrs[_CSV_ATTR] = {"delimiter": delimiter, "encoding": encoding, "decimal": decimal, "notice": notice}
    return df


def _read_bytes(source, name):
    if isinstance(source, (bytes, bytearray, memoryview)):
        return bytes(source), name or "the upload"
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        if not path.is_file():
            raise DataError(_FILE_NOT_FOUND.format(path=str(source)))
        return path.read_bytes(), name or path.name
    if hasattr(source, "getvalue"):
        data = source.getvalue()
    elif hasattr(source, "read"):
        data = source.read()
    else:
        raise TypeError(f"read_csv needs a path, bytes or a file-like object, not {type(source).__name__}")
    if isinstance(data, str):
        data = data.encode("utf-8")
    label = name or os.path.basename(str(getattr(source, "name", "") or "")) or "the upload"
    return bytes(data), label


def _decode(raw: bytes, shown: str) -> tuple[str, str]:
    if raw.startswith(codecs.BOM_UTF8):
        body, offset0, encoding = raw[len(codecs.BOM_UTF8):], len(codecs.BOM_UTF8), "utf-8-sig"
    elif raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return raw.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise DataError(_NOT_UTF8.format(name=shown, byte=raw[exc.start], offset=exc.start,
                                             line=raw.count(b"\n", 0, exc.start) + 1)) from None
    else:
        body, offset0, encoding = raw, 0, "utf-8"
    try:
        return body.decode("utf-8"), encoding
    except UnicodeDecodeError as exc:
        offset = offset0 + exc.start
        raise DataError(_NOT_UTF8.format(name=shown, byte=raw[offset], offset=offset,
                                         line=raw.count(b"\n", 0, offset) + 1)) from None


def _sniff(text: str) -> tuple[str, list[list[str]]]:
    """Separator giving the most consistent rows (then the most fields); and those rows."""
    end = min(len(text), _SNIFF_CHARS)
    nl = -1
    for _ in range(_SNIFF_LINES):  # at least a few whole lines, however wide
        nl = text.find("\n", nl + 1)
        if nl < 0:
            break
    if nl < 0:
        end = len(text)
    elif nl + 1 > end:
        end = nl + 1
    sample = text[:end]
    truncated = end < len(text)
    best, best_rows, best_score = ",", None, None
    for d in _DELIMITERS:
        try:
            rows = list(csv.reader(io.StringIO(sample), delimiter=d, quotechar='"'))
        except csv.Error:
            continue
        if truncated and len(rows) > 1:
            rows = rows[:-1]  # may be cut in the middle
        rows = [r for r in rows if r and any(c.strip() for c in r)]
        if not rows:
            continue
        width = len(rows[0])
        consistent = sum(len(r) == width for r in rows) / len(rows)
        score = (width > 1, consistent, width)
        if best_score is None or score > best_score:
            best, best_rows, best_score = d, rows, score
    return best, best_rows or [[]]


def _uses_decimal_comma(rows) -> bool:
    commas = points = 0
    for row in rows:
        for cell in row:
            commas += bool(_DECIMAL_COMMA.match(cell))
            points += bool(_DECIMAL_POINT.match(cell))
    return commas > 0 and points == 0


# =========================================================================== from_frame
def from_frame(df: pd.DataFrame, *, target: str | None = None, task: str | None = None,
               roles: dict | None = None, exclude=(), name: str = "data", max_rows: int = 100_000,
               n_folds: int = 5, random_state: int | None = 0, source: str = "",
               lesson: str = "") -> Dataset:
    """Validate a table, infer roles and task, and return a :class:`Dataset`.

    Steps, each reported in ``Dataset.notices`` when it changes anything:
    rows whose target is missing are dropped; tables longer than ``max_rows``
    are sampled (seeded; stratified by the target for classification, keeping
    at least ``n_folds`` rows of every class); identifier, constant and
    free-text columns stay in the frame but are not used as features.

    Parameters
    ----------
    df : DataFrame
        The data. It is never modified (the dataset holds a copy).
    target : str, optional
        Column to predict. ``None`` takes a column named ``target``, ``label``,
        ``class`` or ``y`` (in that order) if there is one.
    task : {"binary", "multiclass", "regression"}, optional
        Overrides the inferred task (``dllab.datasets.schema.infer_task``).
    roles : dict of str to str, optional
        Roles that override inference for some columns (``dllab.datasets.schema.ROLES``).
    exclude : sequence of str, default=()
        Columns to leave out of the features (role ``excluded``).
    name : str, default="data"
        Short name shown to users.
    max_rows : int, default=100_000
        Larger tables are sampled to this many rows.
    n_folds : int, default=5
        Folds the data will be split into; every class needs at least this many rows.
    random_state : int or None, default=0
        Seed of the sampling.
    source, lesson : str, default=""
        Stored on the dataset (where it came from; for built-ins, what it shows).

    Returns
    -------
    Dataset
        With ``n_rows_total`` = rows of ``df``, and notices for every change.

    Raises
    ------
    DataError
        Empty table, one column, duplicate names, no or unknown target, target all
        missing or constant, a task that does not fit the target, too many
        classes, a class smaller than ``n_folds``, infinite or non-numeric values
        in a numeric column, non-dates in a datetime column, bad ``roles`` or
        ``exclude``, or no usable feature left.

    Examples
    --------
    >>> df = pd.DataFrame({"id": range(40), "x": [i % 7 for i in range(40)],
    ...                    "colour": ["red", "blue"] * 20, "y": ["a", "b", "b", None] * 10})
    >>> ds = from_frame(df, target="y", max_rows=20)
    >>> ds.task, ds.n_rows, ds.n_rows_total, ds.feature_columns
    ('binary', 20, 40, ['x', 'colour'])
    >>> for notice in ds.notices:
    ...     print(notice)
    dropped 10 of 40 rows whose target 'y' is missing
    sampled 20 of 30 rows (seeded, stratified by 'y')
    not used as features, as they look like row identifiers: 'id' (they stay in the data; pass roles={name: 'numeric'} or 'categorical' to use one)
    """
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"from_frame needs a pandas DataFrame, not {type(df).__name__}")
    for setting, value, low in (("max_rows", max_rows, 1), ("n_folds", n_folds, 2)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
            raise ConfigError(_BAD_SETTING.format(name=setting, value=value, low=low))
    shown = repr(name)
    if df.shape[1] == 0:
        raise DataError(_EMPTY.format(name=shown))
    dupes = pd.unique(df.columns[df.columns.duplicated()]).tolist()
    if dupes:
        raise DataError(_DUPLICATE_COLUMNS.format(name=shown, columns=preview(dupes)))
    if df.shape[1] == 1:
        raise DataError(_ONE_COLUMN.format(name=shown, column=df.columns[0]))
    if df.shape[0] == 0:
        raise DataError(_NO_ROWS.format(name=shown))
    columns = preview(df.columns)
    image_info = df.attrs.get("dllab.image")  # set by images.read_image_zip and the image built-ins
    notices = []
    read_notice = df.attrs.get(_CSV_ATTR, {}).get("notice", "")
    if read_notice:
        notices.append(read_notice)
    if target is None:
        lower = {str(c).lower(): c for c in df.columns}
        target = next((lower[t] for t in _DEFAULT_TARGETS if t in lower), None)
        if target is None:
            raise DataError(_NO_TARGET.format(columns=columns))
        notices.append(_NOTE_DEFAULT_TARGET.format(target=target))
    elif target not in df.columns:
        raise DataError(_TARGET_NOT_FOUND.format(target=target, columns=columns))
    if task is not None and task not in TASKS:
        raise DataError(_BAD_TASK.format(task=task))
    overrides = _check_roles(df, target, roles, exclude)

    n_total = len(df)
    frame = df
    missing = is_missing(df[target])
    if missing.all():
        raise DataError(_TARGET_ALL_MISSING.format(target=target, n=n_total))
    if missing.any():
        frame = df.loc[~missing.to_numpy()]
        notices.append(_NOTE_TARGET_MISSING.format(dropped=int(missing.sum()), n=n_total, target=target))
    y = frame[target]
    if y.nunique() == 1:
        raise DataError(_TARGET_CONSTANT.format(target=target, value=y.iloc[0], n=len(y)))
    task = task or infer_task(y)
    _check_target(y, target, task, n_folds)

    if len(frame) > max_rows:
        positions = _sample_positions(y, task=task, max_rows=int(max_rows), n_folds=int(n_folds),
                                      random_state=random_state)
        how = f"stratified by {target!r}" if task != "regression" else "uniform"
        notices.append(_NOTE_SAMPLED.format(used=len(positions), n=len(frame), how=how))
        frame = frame.iloc[positions]
    frame = frame.copy().reset_index(drop=True)
    frame.attrs = {}

    inferred = infer_roles(frame, target=target)
    final = {**inferred, **overrides}
    _check_columns(frame, final)
    for role, template in _NOTE_DROPPED_ROLE.items():
        cols = [c for c, r in inferred.items() if r == role and c not in overrides]
        if cols:
            notices.append(template.format(columns=preview(cols)))
    if not any(final[c] in FEATURE_ROLES or final[c] == TEXT for c in final):
        described = [f"{c} ({r})" for c, r in final.items()]
        raise DataError(_NO_FEATURES.format(columns=preview(described)))
    modality, meta, extra = _modality(frame, final, image_info, target=target)
    notices.extend(extra)
    if modality == "image":  # every pixel is a feature, constant border pixels included
        final = {c: (NUMERIC if c in meta["pixel_columns"] else r) for c, r in final.items()}
        meta = {"image_shape": meta["image_shape"]}
        constant_note = _NOTE_DROPPED_ROLE[CONSTANT].split("{")[0]
        notices = [n for n in notices if not n.startswith(constant_note)]
    return Dataset(frame=frame, target=target, task=task, roles=final, name=name, notices=tuple(notices),
                   n_rows_total=n_total, source=source, lesson=lesson, modality=modality, meta=meta)


def _modality(frame, roles, image_info, *, target):
    """``(modality, meta, notices)``: images (declared by the reader or detected), text, or tabular.

    Images: a reader such as ``read_image_zip`` marks the frame with its shape;
    otherwise pixel columns are detected by shape (``images.detect_pixels``).
    Text: any column with the role ``text`` makes the dataset a text dataset
    whose text columns are features (``meta["text_columns"]``).
    """
    text = [c for c in frame.columns if roles.get(c) == TEXT]
    # Pixel candidates: every column but the target that the user did not exclude
    # (constant border pixels are still pixels).
    pixels = [c for c in frame.columns if c != target and roles.get(c) in (*FEATURE_ROLES, CONSTANT)]
    if image_info is not None and not text:
        shape = detect_pixels(frame, pixels, image_shape=image_info["shape"])
        meta = {"image_shape": shape, "pixel_columns": pixels}
        return "image", meta, list(image_info.get("notices", ()))
    if text:
        return "text", {"text_columns": text}, [_NOTE_TEXT.format(columns=preview(text))]
    shape = detect_pixels(frame, pixels) if len(pixels) >= 64 else None
    if shape is not None:
        meta = {"image_shape": shape, "pixel_columns": pixels}
        return "image", meta, [NOTE_PIXELS.format(n=len(pixels), h=shape[0], w=shape[1])]
    return "tabular", {}, []


def _check_roles(df, target, roles, exclude) -> dict:
    roles = dict(roles or {})
    if isinstance(exclude, str):
        exclude = (exclude,)
    exclude = list(exclude)
    for what, names in (("roles", list(roles)), ("exclude", exclude)):
        unknown = [c for c in names if c not in df.columns]
        if unknown:
            raise DataError(_UNKNOWN_COLUMNS.format(what=what, columns=preview(unknown),
                                                    available=preview(df.columns)))
        if target in names:
            raise DataError(_ROLE_FOR_TARGET.format(what=what, target=target))
    for column, role in roles.items():
        if role not in ROLES:
            raise DataError(_BAD_ROLE.format(column=column, role=role, roles=", ".join(ROLES)))
    return {**roles, **{c: EXCLUDED for c in exclude}}


def _check_target(y: pd.Series, target, task: str, n_folds: int) -> None:
    if task == "regression":
        bad = non_numeric(y)
        if len(bad):
            raise DataError(_REGRESSION_NOT_NUMERIC.format(target=target, count=len(bad),
                                                           example=bad.iloc[0]))
        _check_finite(y, target)
        return
    counts = y.value_counts(sort=True)
    counts = counts[counts > 0]  # unused levels of a pandas category
    labels = counts.index.tolist()
    if task == "binary" and len(counts) != 2:
        raise DataError(_BINARY_NOT_TWO.format(target=target, n_classes=len(counts), classes=preview(labels)))
    if task == "multiclass" and len(counts) == 2:
        raise DataError(_MULTICLASS_TWO.format(target=target, classes=preview(labels)))
    if len(counts) > MAX_CLASSES:
        raise DataError(_TOO_MANY_CLASSES.format(target=target, n_classes=len(counts),
                                                 classes=preview(labels, limit=5), max_classes=MAX_CLASSES))
    rare = counts[counts < n_folds]
    if len(rare):
        raise DataError(_RARE_CLASS.format(label=rare.index[-1], target=target, count=int(rare.iloc[-1]),
                                           n_folds=n_folds))


def _check_finite(s: pd.Series, column) -> None:
    if pd.api.types.is_bool_dtype(s.dtype):
        return
    values = pd.to_numeric(s, errors="coerce") if not pd.api.types.is_numeric_dtype(s.dtype) else s
    count = int(np.isinf(values.to_numpy(dtype=np.float64, na_value=np.nan)).sum())
    if count:
        raise DataError(_INF_VALUES.format(column=column, count=count))


def _check_columns(frame: pd.DataFrame, roles: dict) -> None:
    for column, role in roles.items():
        s = frame[column]
        if role == NUMERIC:
            bad = non_numeric(s)
            if len(bad):
                n = int((~is_missing(s)).sum())
                raise DataError(_MIXED_TYPES.format(column=column, count=len(bad), n=n, example=bad.iloc[0]))
            _check_finite(s, column)
        elif role == DATETIME:
            bad = non_dates(s)
            if len(bad):
                n = int((~is_missing(s)).sum())
                raise DataError(_NOT_DATES.format(column=column, count=len(bad), n=n, example=bad.iloc[0]))


def _sample_positions(y: pd.Series, *, task: str, max_rows: int, n_folds: int, random_state) -> np.ndarray:
    """Sorted row positions of a seeded sample (stratified for classification)."""
    rng = np.random.default_rng(random_state)
    n = len(y)
    if task == "regression":
        return np.sort(rng.choice(n, size=max_rows, replace=False))
    codes, _ = pd.factorize(y)
    counts = np.bincount(codes)
    quota = counts * (max_rows / n)
    take = np.maximum(np.floor(quota).astype(np.int64), np.minimum(counts, n_folds))
    # Hand out what is left by largest remainder (ties: bigger class first).
    left = max_rows - int(take.sum())
    if left > 0:
        order = np.lexsort((-counts, -(quota - np.floor(quota))))
        for k in order:
            if left == 0:
                break
            if take[k] < counts[k]:
                take[k] += 1
                left -= 1
    elif left < 0:  # minimums pushed it over: trim the biggest classes
        for k in np.argsort(-take, kind="stable"):
            spare = min(-left, int(take[k] - min(counts[k], n_folds)))
            take[k] -= spare
            left += spare
            if left == 0:
                break
    chosen = [rng.choice(np.flatnonzero(codes == k), size=int(take[k]), replace=False)
              for k in range(len(counts))]
    return np.sort(np.concatenate(chosen))
