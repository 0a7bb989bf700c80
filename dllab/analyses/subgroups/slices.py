"""Candidate slices of the data: the :class:`Slice` type, its conditions, and the one- and two-condition slices.

A slice is a conjunction of ``{column, op, value}`` conditions that re-applies to any frame; a
condition may also name a ``measure`` of the column that the op compares (``"words"``: the number of
words of a text). One-condition slices are a numeric column's quantile bins (rounded edges), a
categorical column's levels (rare levels grouped into "other") or a text column's bins of words per
text, plus a "missing" slice; on images, whose pixels are no subgroups, the target's classes (or
bins) instead. Two-condition slices are pairs of these on different columns (see
:mod:`dllab.analyses.subgroups` for the rules).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ...errors import ConfigError
from ...datasets.schema import CATEGORICAL, NUMERIC, TEXT

__all__ = ["OPS", "MEASURES", "Slice", "apply_condition", "word_counts"]

_BAD_OP = "condition op={value!r} is not valid; choose one of {ops}."
_BAD_MEASURE = "condition measure={value!r} is not valid; choose one of {measures}, or leave it out."

#: Operators a slice condition may use (``value`` is a list for ``in``, ignored for ``is missing``).
OPS = ("==", "in", "<", ">=", "is missing")
#: Measures a condition may compare instead of the column's values: ``"words"``, the words of a text.
MEASURES = ("words",)
_LEVEL_SORT = {"==": 0, "in": 1, "is missing": 2}


def _jsonable(v):
    if isinstance(v, (list, tuple, np.ndarray)):
        return [_jsonable(x) for x in v]
    if isinstance(v, np.generic):
        return v.item()
    return v


def _fmt_value(v) -> str:
    if isinstance(v, (float, np.floating)):
        v = float(v)
        return str(int(v)) if v.is_integer() and abs(v) < 1e15 else f"{v:g}"
    return str(v)


def word_counts(values: pd.Series) -> pd.Series:
    """Words per text (runs of letters, digits and ``_``, as the text models split them); missing texts have 0.

    Examples
    --------
    >>> word_counts(pd.Series(["Free entry, call now!", None, "ok"])).tolist()
    [4, 0, 1]
    """
    texts = values.astype(object).where(values.notna(), "").map(str)
    return texts.str.count(r"\w+").astype(np.int64)


def apply_condition(frame: pd.DataFrame, cond: dict) -> np.ndarray:
    """Boolean mask (one entry per row of ``frame``) of one ``{column, op, value}`` condition.

    Examples
    --------
    >>> df = pd.DataFrame({"age": [20, 30, None], "region": ["N", "S", "N"], "note": ["a b c", "d", None]})
    >>> apply_condition(df, {"column": "age", "op": "<", "value": 25}).tolist()
    [True, False, False]
    >>> apply_condition(df, {"column": "region", "op": "in", "value": ["S"]}).tolist()
    [False, True, False]
    >>> apply_condition(df, {"column": "note", "measure": "words", "op": "<", "value": 2}).tolist()
    [False, True, True]
    """
    col = frame[cond["column"]]
    if cond.get("measure") == "words":
        col = word_counts(col)
    op, value = cond["op"], cond.get("value")
    if op == "==":
        return (col == value).to_numpy(dtype=bool)
    if op == "in":
        return col.isin(list(value)).to_numpy(dtype=bool)
    if op == "is missing":
        return col.isna().to_numpy(dtype=bool)
    if op in ("<", ">="):
        num = pd.to_numeric(col, errors="coerce").to_numpy(dtype=float)
        with np.errstate(invalid="ignore"):
            return num < value if op == "<" else num >= value
    raise ConfigError(_BAD_OP.format(value=op, ops=", ".join(OPS)))


class Slice:
    """A subset of rows defined by conditions that all hold, re-applicable to any frame.

    Parameters
    ----------
    conditions : sequence of dict
        ``{"column", "op", "value"}`` with ``op`` in :data:`OPS`.
    description : str, optional
        Human-readable text; built from the conditions when omitted.

    Examples
    --------
    >>> s = Slice([{"column": "region", "op": "==", "value": "North"}, {"column": "age", "op": "<", "value": 25}])
    >>> s.description
    'region = North and age < 25'
    >>> s.mask(pd.DataFrame({"region": ["North", "North", "South"], "age": [20, 40, 20]})).tolist()
    [True, False, False]
    """

    __slots__ = ("_conditions", "_description")

    def __init__(self, conditions, *, description: str | None = None):
        conds = tuple({"column": c["column"], "op": c["op"], "value": _jsonable(c.get("value")),
                       **({"measure": c["measure"]} if c.get("measure") is not None else {})}
                      for c in conditions)
        for c in conds:
            if c["op"] not in OPS:
                raise ConfigError(_BAD_OP.format(value=c["op"], ops=", ".join(OPS)))
            if c.get("measure", MEASURES[0]) not in MEASURES:
                raise ConfigError(_BAD_MEASURE.format(value=c["measure"], measures=", ".join(MEASURES)))
        object.__setattr__(self, "_conditions", conds)
        object.__setattr__(self, "_description", description or _describe(conds))

    def __setattr__(self, name, value):
        raise AttributeError("Slice is read-only")

    def __reduce__(self):  # pickling (Streamlit's cache) rebuilds through __init__
        return (_slice_from, (self.conditions, self._description))

    @property
    def conditions(self) -> list[dict]:
        """The conditions (fresh dicts; JSON-ready)."""
        return [dict(c) for c in self._conditions]

    @property
    def description(self) -> str:
        return self._description

    @property
    def columns(self) -> tuple:
        """Distinct columns the slice conditions on, in order."""
        return tuple(dict.fromkeys(c["column"] for c in self._conditions))

    @property
    def n_conditions(self) -> int:
        """Number of columns conditioned on (a bin ``a ≤ x < b`` counts once)."""
        return len(self.columns)

    def mask(self, frame: pd.DataFrame) -> np.ndarray:
        """Boolean array: which rows of ``frame`` are in the slice."""
        out = np.ones(len(frame), dtype=bool)
        for c in self._conditions:
            out &= apply_condition(frame, c)
        return out

    def __and__(self, other: "Slice") -> "Slice":
        return Slice(self._conditions + other._conditions,
                     description=f"{self.description} and {other.description}")

    def __eq__(self, other):
        return isinstance(other, Slice) and self._conditions == other._conditions

    def __hash__(self):
        return hash(repr(self._conditions))

    def __repr__(self):
        return f"Slice({self.description!r})"


def _slice_from(conditions, description):
    return Slice(conditions, description=description)


def _subject(c) -> str:
    """What a condition compares: the column, or its measure ("words in review")."""
    return f"words in {c['column']}" if c.get("measure") == "words" else str(c["column"])


def _describe(conds) -> str:
    parts, i = [], 0
    conds = list(conds)
    while i < len(conds):
        c = conds[i]
        nxt = conds[i + 1] if i + 1 < len(conds) else None
        if (c["op"] == ">=" and nxt is not None and nxt["column"] == c["column"] and nxt["op"] == "<"
                and nxt.get("measure") == c.get("measure")):
            parts.append(f"{_fmt_value(c['value'])} ≤ {_subject(c)} < {_fmt_value(nxt['value'])}")
            i += 2
            continue
        if c["op"] == "==":
            parts.append(f"{_subject(c)} = {_fmt_value(c['value'])}")
        elif c["op"] == "in":
            vals = list(c["value"])
            if len(vals) <= 3:
                parts.append(f"{_subject(c)} in {{{', '.join(_fmt_value(v) for v in vals)}}}")
            else:
                parts.append(f"{_subject(c)} = other ({len(vals)} rare levels)")
        elif c["op"] == "is missing":
            parts.append(f"{c['column']} is missing")
        else:
            parts.append(f"{_subject(c)} {'<' if c['op'] == '<' else '≥'} {_fmt_value(c['value'])}")
        i += 1
    return " and ".join(parts)


def _round_edge(v: float, integer: bool) -> float:
    if integer:
        return float(np.round(v))
    if v == 0 or not np.isfinite(v):
        return float(v)
    digits = 3 - int(math.floor(math.log10(abs(v)))) - 1
    return float(round(v, digits))


def _numeric_bins(column: str, values: pd.Series, *, n_bins: int,
                  measure: str | None = None) -> list[tuple[Slice, np.ndarray]]:
    """Quantile bins of ``values`` (of its ``measure``, e.g. words per text, when given)."""
    measured = word_counts(values) if measure == "words" else values
    x = pd.to_numeric(measured, errors="coerce").to_numpy(dtype=float)
    present = x[np.isfinite(x)]
    if len(present) == 0:
        return []
    integer = bool(np.all(present == np.round(present)))
    qs = np.quantile(present, np.linspace(0, 1, n_bins + 1)[1:-1])
    lo, hi = present.min(), present.max()
    edges = sorted({_round_edge(q, integer) for q in qs})
    edges = [e if e != int(e) or not integer else int(e) for e in edges if lo < e <= hi]
    out = []
    bounds = [None, *edges, None]
    for a, b in zip(bounds[:-1], bounds[1:]):
        conds = []
        if a is not None:
            conds.append({"column": column, "op": ">=", "value": a, "measure": measure})
        if b is not None:
            conds.append({"column": column, "op": "<", "value": b, "measure": measure})
        if not conds:  # a single value: nothing to split
            return []
        s = Slice(conds)
        out.append((s, _mask_of(s, column, values)))
    return out


def _mask_of(s: Slice, column: str, values: pd.Series) -> np.ndarray:
    return s.mask(pd.DataFrame({column: values.to_numpy()}))


def _level_slices(column: str, values: pd.Series, *, min_size: int, max_levels: int) -> list[tuple[Slice, np.ndarray]]:
    counts = values.value_counts(dropna=True)
    if len(counts) <= 1 and not values.isna().any():
        return []
    keep = [lvl for lvl, k in counts.items() if k >= min_size][:max_levels]
    rare = [lvl for lvl in counts.index if lvl not in set(keep)]
    out = []
    for lvl in keep:
        s = Slice([{"column": column, "op": "==", "value": lvl}])
        out.append((s, (values == lvl).to_numpy(dtype=bool)))
    if not keep:  # every level is rare (an identifier, say): "other" would be every row
        return []
    if len(rare) == 1:
        s = Slice([{"column": column, "op": "==", "value": rare[0]}])
        out.append((s, (values == rare[0]).to_numpy(dtype=bool)))
    elif rare:
        s = Slice([{"column": column, "op": "in", "value": sorted(rare, key=str)}])
        out.append((s, values.isin(rare).to_numpy(dtype=bool)))
    return out


def _column_slices(column: str, values: pd.Series, *, role: str, min_size: int, n_bins: int,
                   max_levels: int) -> list[tuple[Slice, np.ndarray]]:
    values = values.reset_index(drop=True)
    if role == TEXT:
        out = _numeric_bins(column, values, n_bins=n_bins, measure="words")
    elif role == NUMERIC:
        n_distinct = values.nunique(dropna=True)
        if n_distinct <= n_bins:
            out = _level_slices(column, values, min_size=min_size, max_levels=max_levels)
        else:
            out = _numeric_bins(column, values, n_bins=n_bins)
    else:
        if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values) \
                and values.nunique(dropna=True) > max_levels:
            out = _numeric_bins(column, values, n_bins=n_bins)  # a numeric grouping column: bin it
        else:
            out = _level_slices(column, values, min_size=min_size, max_levels=max_levels)
    missing = values.isna().to_numpy()
    if missing.any() and out:
        out.append((Slice([{"column": column, "op": "is missing"}]), missing))
    return out


def _single_slices(ds, groups, *, min_size, n_bins, max_levels):
    frame = ds.frame
    image = getattr(ds, "modality", "tabular") == "image"
    # A single pixel is no subgroup (and pairs of pixels grow with the square of their count): images
    # are sliced by their class (or target bins) instead.
    roles = () if image else (NUMERIC, CATEGORICAL, TEXT)
    columns = [c for c in frame.columns if c != ds.target and ds.roles.get(c) in roles]
    columns += [g for g in groups if g not in columns]
    out = []
    if image:
        role = NUMERIC if ds.task == "regression" else CATEGORICAL
        out.extend(_column_slices(ds.target, frame[ds.target], role=role, min_size=min_size, n_bins=n_bins,
                                  max_levels=max_levels))
    for col in columns:
        role = ds.roles.get(col) if col not in groups or ds.roles.get(col) == TEXT else CATEGORICAL
        out.extend(_column_slices(col, frame[col], role=role, min_size=min_size, n_bins=n_bins,
                                  max_levels=max_levels))
    return out


def _pair_slices(singles, *, min_size):
    if len(singles) < 2:
        return []
    M = np.stack([m for _, m in singles], axis=1).astype(np.float32)
    sizes = M.T @ M
    own = np.diag(sizes)
    cols = [s.columns[0] for s, _ in singles]
    out = []
    for i in range(len(singles)):
        for j in range(i + 1, len(singles)):
            k = sizes[i, j]
            if cols[i] == cols[j] or k < min_size or k == own[i] or k == own[j]:
                continue
            out.append((singles[i][0] & singles[j][0], singles[i][1] & singles[j][1]))
    return out
