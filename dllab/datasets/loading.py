"""Turning a DataFrame into a validated :class:`Dataset`.

``from_frame`` validates a table for modelling, infers roles and the task
(``dllab.datasets.schema``), and records every change it makes as a notice.
``read_csv`` (:mod:`dllab.datasets.reading`) reads a CSV file into a DataFrame;
``dllab.datasets.load`` (:mod:`dllab.datasets.dispatch`) does both for a CSV path.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import FIX_FOLDS, FIX_ROLE, FIX_TARGET, ConfigError, DataError, fixes, plain, preview
from .schema import (CONSTANT, DATE_PARTS, DATETIME, EXCLUDED, FEATURE_ROLES, IDENTIFIER, MAX_CLASSES,
                      MAX_NON_NUMERIC_SHARE, NUMERIC, ROLES, TASKS, TEXT, explain_roles, infer_task, is_missing,
                      non_dates, non_numeric, rank_targets)
from .dataset import Dataset
from .images import NOTE_PIXELS, detect_pixels
from .reading import CSV_ATTR as _CSV_ATTR, read_csv

__all__ = ["read_csv", "from_frame", "MAX_CLASSES"]

# =========================================================================== messages
# Reading
_EMPTY = ("{name} is empty (no columns or no text); choose a CSV file with a header row "
          "and at least one data row.")
_NO_ROWS = "{name} has column names but no data rows; add rows below the header."
_DUPLICATE_COLUMNS = "{name} has duplicate column names: {columns}; give every column a unique name."
_PART_TAKEN = ("column {column!r} holds dates, which the models read as parts named {taken}, but the table already "
               "has a column of that name; rename one of them.")
_NOTE_TEXT_NAMES = "column names that were not text are used as text: {columns}"
# Validating. A "{fix}" slot holds the fix in the words of the interface that shows the message
# (dllab.errors.message_for); the values in a message are plain (dllab.errors.plain, preview).
_ONE_COLUMN = ("{name} has only one column ({column!r}); a dataset needs a target and at least one "
               "feature column; {fix}.")
_NO_TARGET = "no target column given; the likeliest is {guess!r} ({reason}), and the columns are {columns}; {fix}."
_NO_TARGET_NO_GUESS = "no target column given, and none of the columns can be one ({reasons}); {fix}."
_TARGET_NOT_FOUND = "target column {target!r} is not in the data; columns are {columns}; {fix}."
_TARGET_ALL_MISSING = "target column {target!r} has no values (all {n:,} rows are missing); {fix}."
_TARGET_CONSTANT = ("target column {target!r} has a single value ({value!r}) in all {n:,} rows, "
                    "so there is nothing to predict; {fix}.")
_BAD_TASK = "the task {task!r} is not one of 'binary', 'multiclass', 'regression'; {fix}."
_REGRESSION_NOT_NUMERIC = ("task 'regression' needs a numeric target, but {target!r} has {count:,} "
                           "non-numeric value(s), e.g. {example!r}; {fix}.")
_BINARY_NOT_TWO = ("task 'binary' needs exactly two classes, but target {target!r} has {n_classes:,} "
                   "({classes}); {fix}.")
_MULTICLASS_TWO = "task 'multiclass' needs three or more classes, but target {target!r} has two ({classes}); {fix}."
_TOO_MANY_CLASSES = ("target column {target!r} has {n_classes:,} classes ({classes}), more than the "
                     "{max_classes} a classifier here can use; {fix}.")
_RARE_CLASS = ("target {target!r} has fewer than two classes with at least {n_folds} rows, one per fold "
               "({classes}); {fix}.")
_INF_VALUES = "column {column!r} has {count:,} infinite value(s) (inf or -inf); {fix}."
_MIXED_TYPES = ("column {column!r} is numeric but {count:,} of its {n:,} values are not numbers, e.g. "
                "{example!r}: {fix}, or clean those cells (empty cells count as missing).")
_NOT_DATES = ("column {column!r} has the role 'datetime' but {count:,} of its {n:,} values are not "
              "dates, e.g. {example!r}: {fix}, or clean those cells.")
_NO_FEATURES = "no usable feature columns are left ({columns}); {fix}."
_BAD_ROLE = "column {column!r} was given the role {role!r}, which is not one of {roles}; {fix}."
_UNKNOWN_COLUMNS = "the {what} name column(s) {columns} that are not in the data; columns are {available}; {fix}."
_ROLE_FOR_TARGET = "the {what} name the target column {target!r}, which has no role; {fix}."
_BAD_SETTING = "the {what} must be a whole number of at least {low}, not {value!r}; {fix}."

# Fixes of the messages above, per interface (see dllab.errors).
_FIX_ONE_COLUMN = dict.fromkeys(("python", "cli", "app"), "if the file has several, separate them with commas, "
                                "semicolons, tabs or pipes")
_FIX_TASK = {"python": "pass one of them as task=..., or leave task out to infer it",
             "cli": "pass one of them with --task, or leave --task out to infer it",
             "app": "choose one in the Task picker"}
_FIX_CLASSES = {"python": "pass task='binary' or 'multiclass', or another column as target=...",
                "cli": "pass --task binary or --task multiclass, or another column with --target",
                "app": "choose binary or multiclass in the Task picker, or another target"}
_FIX_NOT_BINARY = {"python": "pass task='multiclass', or another column as target=...",
                   "cli": "pass --task multiclass, or another column with --target",
                   "app": "choose multiclass in the Task picker, or another target"}
_FIX_BINARY = {"python": "pass task='binary'", "cli": "pass --task binary", "app": "choose binary in the Task picker"}
_FIX_MANY_CLASSES = {"python": "if it is a quantity pass task='regression', otherwise another column as target=...",
                     "cli": "if it is a quantity pass --task regression, otherwise another column with --target",
                     "app": "if it is a quantity choose regression in the Task picker, otherwise another target"}
_FIX_RARE = {k: f"{FIX_FOLDS[k]}, or {FIX_TARGET[k]}" for k in FIX_TARGET}
_FIX_INF_TARGET = {k: f"replace them with empty cells (missing) or finite numbers, or {FIX_TARGET[k]}"
                   for k in FIX_TARGET}
_FIX_INF = {"python": "replace them with NaN or finite numbers, or leave the column out with exclude=[{column!r}]",
            "cli": "replace them with empty cells or finite numbers, or pass --exclude {column}",
            "app": "replace them with empty cells or finite numbers, or set the role of {column} to excluded in "
                   "the column table"}
_FIX_NO_FEATURES = {"python": "give a column the role 'numeric' or 'categorical' with roles=..., or add feature "
                              "columns",
                    "cli": "give a column the role numeric or categorical with --role COLUMN=numeric, or add "
                           "feature columns",
                    "app": "set the role of a column to numeric or categorical in the column table, or add "
                           "feature columns"}
_FIX_BAD_ROLE = {"python": "pass one of them in roles=...", "cli": "pass one of them with --role {column}=ROLE",
                 "app": "choose one in the column table"}
_FIX_COLUMNS = {"roles": {"python": "check the names in roles=...", "cli": "check the names given to --role",
                          "app": "choose columns from the column table"},
                "exclude": {"python": "check the names in exclude=...", "cli": "check the names given to --exclude",
                            "app": "choose columns from the column table"}}
_FIX_ROLE_FOR_TARGET = {"roles": {"python": "remove it from roles=..., or pass another column as target=...",
                                  "cli": "remove --role {target}=..., or pass another column with --target",
                                  "app": "choose another target"},
                        "exclude": {"python": "remove it from exclude=..., or pass another column as target=...",
                                    "cli": "remove --exclude {target}, or pass another column with --target",
                                    "app": "choose another target"}}
_WHAT_COLUMNS = {"roles": "column roles", "exclude": "excluded columns"}
_SETTINGS = {"max_rows": ("row limit", {"python": "pass max_rows=...", "cli": "pass --max-rows",
                                        "app": "set the Row limit on the Data page"}),
             "n_folds": ("number of folds", {"python": "pass n_folds=...", "cli": "pass --folds",
                                             "app": "choose the folds on the Compare page"})}

# Notices (things done to the data that the user is told about)
_NOTE_DEFAULT_TARGET = "no target given: predicting column {target!r}"
_NOTE_TARGET_MISSING = "dropped {dropped:,} of {n:,} rows whose target {target!r} is missing"
_NOTE_RARE_CLASSES = ("dropped {rows:,} row(s) of target class(es) with fewer rows than the {n_folds} folds: "
                      "{classes}; {kept:,} classes remain")
_NOTE_SAMPLED = "sampled {used:,} of {n:,} rows (seeded, {how})"
_NOTE_DROPPED_ROLE = {
    IDENTIFIER: ("not used as features, as they look like row identifiers: {columns} (they stay in the "
                 "data; give one the role numeric or categorical to use it)"),
    CONSTANT: "not used as features, as they hold a single value: {columns}",
}
_NOTE_TEXT = ("used as free text: {columns} (each model family builds its own text representation; "
              "give one the role categorical to use it as categories instead)")
_NOTE_NOT_NUMBERS = ("column {column!r} has {count:,} cells that are not numbers ({examples}): the models read them "
                     "as missing")
_SET_BY_YOU = "set by you"  # the reason of a role the caller chose

#: Column names that ``from_frame`` takes as the target when none is given.
_DEFAULT_TARGETS = ("target", "label", "class", "y")


# =========================================================================== from_frame
def from_frame(df: pd.DataFrame, *, target: str | None = None, task: str | None = None,
               roles: dict | None = None, exclude=(), name: str = "data", max_rows: int = 100_000,
               n_folds: int = 5, random_state: int | None = 0, source: str = "",
               lesson: str = "") -> Dataset:
    """Validate a table, infer roles and task, and return a :class:`Dataset`.

    Steps, each reported in ``Dataset.notices`` when it changes anything:
    what the reader changed (``df.attrs["dllab.csv"]``); rows whose target is
    missing are dropped; classes with fewer rows than ``n_folds`` are dropped
    (as AutoGluon's ``label_count_threshold`` does); tables longer than
    ``max_rows`` are sampled (seeded; stratified by the target for
    classification, keeping at least ``n_folds`` rows of every class);
    identifier, constant and free-text columns stay in the frame but are not
    used as features; the few non-numbers of a numeric column are read as
    missing. ``Dataset.role_reasons`` says why each column has its role
    (``dllab.datasets.schema.explain_roles``; "set by you" for ``roles`` and
    ``exclude``).

    Parameters
    ----------
    df : DataFrame
        The data. It is never modified (the dataset holds a copy).
    target : str, optional
        Column to predict. ``None`` takes a column named ``target``, ``label``,
        ``class`` or ``y`` (in that order) if there is one; otherwise the error
        names the likeliest target (``dllab.datasets.schema.rank_targets``).
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
        Folds the data will be split into; classes with fewer rows are dropped.
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
        classes, fewer than two classes with ``n_folds`` rows, infinite values,
        more than a few non-numbers in a numeric column, non-dates in a datetime
        column, bad ``roles`` or ``exclude``, or no usable feature left.

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
    not used as features, as they look like row identifiers: 'id' (they stay in the data; give one the role numeric or categorical to use it)
    >>> ds.role_reasons["id"]
    'named like an identifier, with 20 distinct values in 20 rows: left out of the models'
    """
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"from_frame needs a pandas DataFrame, not {type(df).__name__}")
    for setting, value, low in (("max_rows", max_rows, 1), ("n_folds", n_folds, 2)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
            what, fix = _SETTINGS[setting]
            raise ConfigError(_BAD_SETTING.format(what=what, value=plain(value), low=low, fix="{fix}"), fix=fix)
    shown = repr(name)
    if df.shape[1] == 0:
        raise DataError(_EMPTY.format(name=shown))
    named = []
    if not all(isinstance(c, str) for c in df.columns):
        # The models need text column names (scikit-learn's feature-name check): a copy with the
        # names as text, and the target, roles and exclusions given by the old names follow them.
        renamed = {c: str(c) for c in df.columns if not isinstance(c, str)}
        df = df.rename(columns=renamed)
        target = renamed.get(target, target) if target is not None else None
        roles = {renamed.get(k, k): v for k, v in (roles or {}).items()}
        exclude = [renamed.get(c, c) for c in ((exclude,) if isinstance(exclude, str) else exclude)]
        named.append(_NOTE_TEXT_NAMES.format(columns=preview(renamed.values())))
    dupes = pd.unique(df.columns[df.columns.duplicated()]).tolist()
    if dupes:
        raise DataError(_DUPLICATE_COLUMNS.format(name=shown, columns=preview(dupes)))
    if df.shape[1] == 1:
        raise _refuse(_ONE_COLUMN, _FIX_ONE_COLUMN, name=shown, column=plain(df.columns[0]))
    if df.shape[0] == 0:
        raise DataError(_NO_ROWS.format(name=shown))
    columns = preview(df.columns)
    image_info = df.attrs.get("dllab.image")  # set by images.read_image_zip and the image built-ins
    reading = df.attrs.get(_CSV_ATTR, {})
    notices = [n for n in (reading.get("notice", ""), *reading.get("notices", ())) if n] + named
    if target is None:
        lower = {str(c).lower(): c for c in df.columns}
        target = next((lower[t] for t in _DEFAULT_TARGETS if t in lower), None)
        if target is None:
            raise _no_target(df, columns)
        notices.append(_NOTE_DEFAULT_TARGET.format(target=plain(target)))
    elif target not in df.columns:
        raise _refuse(_TARGET_NOT_FOUND, FIX_TARGET, target=plain(target), columns=columns)
    if task is not None and task not in TASKS:
        raise _refuse(_BAD_TASK, _FIX_TASK, task=plain(task))
    overrides = _check_roles(df, target, roles, exclude)

    n_total = len(df)
    frame = df
    missing = is_missing(df[target])
    if missing.all():
        raise _refuse(_TARGET_ALL_MISSING, FIX_TARGET, target=plain(target), n=n_total)
    if missing.any():
        frame = df.loc[~missing.to_numpy()]
        notices.append(_NOTE_TARGET_MISSING.format(dropped=int(missing.sum()), n=n_total, target=plain(target)))
    y = frame[target]
    if y.nunique() == 1:
        raise _refuse(_TARGET_CONSTANT, FIX_TARGET, target=plain(target), value=plain(y.iloc[0]), n=len(y))
    given_task = task
    task = task or infer_task(y)
    if task != "regression":
        frame, note = _drop_rare_classes(frame, target, int(n_folds))
        if note:
            notices.append(note)
            y = frame[target]
            task = given_task or infer_task(y)
    _check_target(y, target, task)

    if len(frame) > max_rows:
        positions = _sample_positions(y, task=task, max_rows=int(max_rows), n_folds=int(n_folds),
                                      random_state=random_state)
        how = f"stratified by {plain(target)!r}" if task != "regression" else "uniform"
        notices.append(_NOTE_SAMPLED.format(used=len(positions), n=len(frame), how=how))
        frame = frame.iloc[positions]
    frame = frame.copy().reset_index(drop=True)
    frame.attrs = {}

    guesses = explain_roles(frame, target=target)
    inferred = {c: g.role for c, g in guesses.items()}
    final = {**inferred, **overrides}
    reasons = {c: (_SET_BY_YOU if c in overrides else g.reason) for c, g in guesses.items()}
    notices.extend(_check_columns(frame, final))
    for role, template in _NOTE_DROPPED_ROLE.items():
        cols = [c for c, r in inferred.items() if r == role and c not in overrides]
        if cols:
            notices.append(template.format(columns=preview(cols)))
    if not any(final[c] in FEATURE_ROLES or final[c] == TEXT for c in final):
        described = [f"{c} ({r})" for c, r in final.items()]
        raise _refuse(_NO_FEATURES, _FIX_NO_FEATURES, columns=preview(described))
    modality, meta, extra = _modality(frame, final, image_info, target=target)
    notices.extend(extra)
    if modality == "image":  # every pixel is a feature, constant border pixels included
        final = {c: (NUMERIC if c in meta["pixel_columns"] else r) for c, r in final.items()}
        h, w = meta["image_shape"]
        reasons.update({c: f"a pixel of the {h}x{w} images: numeric" for c in meta["pixel_columns"]
                        if c not in overrides})
        meta = {"image_shape": meta["image_shape"]}
        constant_note = _NOTE_DROPPED_ROLE[CONSTANT].split("{")[0]
        notices = [n for n in notices if not n.startswith(constant_note)]
    return Dataset(frame=frame, target=target, task=task, roles=final, name=name, notices=tuple(notices),
                   n_rows_total=n_total, source=source, lesson=lesson, modality=modality, meta=meta,
                   role_reasons=reasons)


def _refuse(template: str, fix: dict, **values) -> DataError:
    """The DataError of ``template`` filled with ``values``; its ``{fix}`` slot takes ``fix`` per interface."""
    return DataError(template.format(fix="{fix}", **values), fix=fix)


def _no_target(df: pd.DataFrame, columns: str) -> DataError:
    """The refusal of a table without a target: it names the likeliest one (``rank_targets``), or why none is."""
    ranking = rank_targets(df)
    best = ranking[0]
    if best.score > 0:
        return _refuse(_NO_TARGET, FIX_TARGET, columns=columns, guess=plain(best.column), reason=best.reason)
    reasons = "; ".join(f"{plain(g.column)!r}: {g.reason.removeprefix('cannot be a target: ')}" for g in ranking[:5])
    return _refuse(_NO_TARGET_NO_GUESS, FIX_TARGET, reasons=reasons)


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
            raise _refuse(_UNKNOWN_COLUMNS, _FIX_COLUMNS[what], what=_WHAT_COLUMNS[what], columns=preview(unknown),
                          available=preview(df.columns))
        if target in names:
            raise _refuse(_ROLE_FOR_TARGET, fixes(_FIX_ROLE_FOR_TARGET[what], target=plain(target)),
                          what=_WHAT_COLUMNS[what], target=plain(target))
    for column, role in roles.items():
        if role not in ROLES:
            raise _refuse(_BAD_ROLE, fixes(_FIX_BAD_ROLE, column=plain(column)), column=plain(column),
                          role=plain(role), roles=", ".join(ROLES))
    return {**roles, **{c: EXCLUDED for c in exclude}}


def _label(value) -> str:
    # A class label as a person reads it: 16 (not np.int64(16)), 'tiny'.
    return repr(plain(value))


def _class_list(counts: pd.Series, limit: int = 8) -> str:
    shown = [f"{_label(v)} ({int(c):,} row{'s' if c != 1 else ''})" for v, c in counts.iloc[:limit].items()]
    return ", ".join(shown) + (f", ... ({len(counts):,} in all)" if len(counts) > limit else "")


def _drop_rare_classes(frame: pd.DataFrame, target, n_folds: int):
    """``(frame, notice)``: without the rows of classes smaller than ``n_folds`` (notice "" if none)."""
    counts = frame[target].value_counts(sort=True)
    counts = counts[counts > 0]  # unused levels of a pandas category
    rare = counts[counts < n_folds]
    if not len(rare):
        return frame, ""
    kept = len(counts) - len(rare)
    if kept < 2:
        if len(counts) > MAX_CLASSES:
            raise _too_many_classes(target, counts)
        raise _refuse(_RARE_CLASS, _FIX_RARE, target=plain(target), n_folds=n_folds, classes=_class_list(counts))
    rare = rare.sort_values(ascending=True, kind="stable")
    note = _NOTE_RARE_CLASSES.format(rows=int(rare.sum()), n_folds=n_folds, classes=_class_list(rare), kept=kept)
    return frame.loc[~frame[target].isin(rare.index).to_numpy()], note


def _too_many_classes(target, counts: pd.Series) -> DataError:
    return _refuse(_TOO_MANY_CLASSES, _FIX_MANY_CLASSES, target=plain(target), n_classes=len(counts),
                   classes=preview(counts.index, limit=5), max_classes=MAX_CLASSES)


def _check_target(y: pd.Series, target, task: str) -> None:
    if task == "regression":
        bad = non_numeric(y)
        if len(bad):
            raise _refuse(_REGRESSION_NOT_NUMERIC, _FIX_CLASSES, target=plain(target), count=len(bad),
                          example=plain(bad.iloc[0]))
        _check_finite(y, target, fix=_FIX_INF_TARGET)
        return
    counts = y.value_counts(sort=True)
    counts = counts[counts > 0]  # unused levels of a pandas category
    labels = counts.index.tolist()
    if task == "binary" and len(counts) != 2:
        raise _refuse(_BINARY_NOT_TWO, _FIX_NOT_BINARY, target=plain(target), n_classes=len(counts),
                      classes=preview(labels))
    if task == "multiclass" and len(counts) == 2:
        raise _refuse(_MULTICLASS_TWO, _FIX_BINARY, target=plain(target), classes=preview(labels))
    if len(counts) > MAX_CLASSES:
        raise _too_many_classes(target, counts)


def _check_finite(s: pd.Series, column, *, fix: dict) -> None:
    if pd.api.types.is_bool_dtype(s.dtype):
        return
    values = pd.to_numeric(s, errors="coerce") if not pd.api.types.is_numeric_dtype(s.dtype) else s
    count = int(np.isinf(values.to_numpy(dtype=np.float64, na_value=np.nan)).sum())
    if count:
        raise _refuse(_INF_VALUES, fixes(fix, column=plain(column)), column=plain(column), count=count)


def _check_columns(frame: pd.DataFrame, roles: dict) -> list:
    """Refuse what a role cannot use; the notices of what the models will read differently."""
    notices = []
    for column, role in roles.items():
        s = frame[column]
        if role == NUMERIC:
            bad = non_numeric(s)
            if len(bad):
                n = int((~is_missing(s)).sum())
                if len(bad) > MAX_NON_NUMERIC_SHARE * n:
                    raise _refuse(_MIXED_TYPES, fixes(FIX_ROLE, column=plain(column)), column=plain(column),
                                  count=len(bad), n=n, example=plain(bad.iloc[0]))
                notices.append(_NOTE_NOT_NUMBERS.format(column=plain(column), count=len(bad),
                                                        examples=preview(pd.unique(bad.astype(str)), limit=3)))
            _check_finite(s, column, fix=_FIX_INF)
        elif role == DATETIME:
            bad = non_dates(s)
            if len(bad):
                n = int((~is_missing(s)).sum())
                raise _refuse(_NOT_DATES, fixes(FIX_ROLE, column=plain(column)), column=plain(column),
                              count=len(bad), n=n, example=plain(bad.iloc[0]))
            # The model reads a date as parts named "<column>.year" etc.; one that is already a
            # column of the table would be overwritten.
            taken = [f"{column}.{part}" for part in DATE_PARTS if f"{column}.{part}" in frame.columns]
            if taken:
                raise DataError(_PART_TAKEN.format(column=plain(column), taken=preview(taken)))
    return notices


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
