"""Subgroup failure analysis: per-slice metrics, slice discovery, model disagreement and a shift test.

"99% accurate overall, systematically wrong for one group" is a failure one score
hides. :class:`SubgroupReport` finds it from the out-of-fold predictions a
:class:`~dllab.analyses.comparison.Comparison` already holds (nothing is refitted);
:func:`shift_test` is the one analysis here that trains models.

Method (every choice is also recorded in ``SubgroupReport.settings``)
--------------------------------------------------------------------
Slices
    One-condition slices for every column of the original data that the models
    use (numeric: quantile bins with rounded edges, e.g. ``age < 26``,
    ``26 ≤ age < 34``; categorical: one slice per level, levels with fewer than
    ``min_size`` rows grouped into one "other" slice; a "missing" slice where a
    column has gaps), plus the user's ``groups`` columns (treated as categorical
    even when excluded from training; a numeric one with more than
    ``max_levels`` values is binned). Datetime, free-text, identifier, constant
    and excluded columns are skipped unless named in ``groups``. Two-condition slices are every pair of one-condition slices on
    different columns with at least ``min_size`` rows (smaller pairs are not
    listed: with so few rows their scores are noise); a pair equal to one of its
    parents is dropped. A slice is ``uncertain`` when it has fewer than
    ``min_size`` rows; uncertain slices are never tested or ranked.
Repeats
    With several repeats of the k-fold every row has one out-of-fold prediction
    per repeat. Per-row losses (0/1 error, log loss, squared and absolute error)
    are averaged over the repeats that predicted the row, and slice scores are
    computed from these averages. For accuracy, balanced accuracy, MAE and log
    loss this equals the mean over repeats of the per-repeat slice score; RMSE
    is the root of the mean squared error pooled over repeats.
Scores and intervals
    The slice's score is the metric on the slice's rows (the same number sklearn
    gives on the masked rows); ``gap`` is the slice's score minus the model's
    score on all rows, signed so that negative means worse whatever the
    metric's direction. 95% intervals come from a seeded Poisson bootstrap
    (every row gets a Poisson(1) weight per replicate, shared by all slices and
    models), so each slice costs one small matrix product instead of a loop of
    ``bootstrap_ci`` calls (about 3 s for 1,082 slices x 3 models on 20,000
    rows on a busy 2-core machine). The Poisson bootstrap approximates the
    classic one; the tests check both intervals agree within 0.03.
Discovery
    For each model and slice, a Welch t-test compares the per-row loss inside
    the slice with the rest of the rows (0/1 error for classification, squared
    error for regression). P-values are corrected with Benjamini-Hochberg over
    all slices tested for that model; a slice is significant for a model when
    its q-value is below ``alpha``. The worst slices of a model are its
    significant slices with a negative gap, ranked by ``gap * sqrt(size)``: the
    gap weighted by the square root of the support, which grows like the
    gap's t-statistic and so favours a large deficit on a well-supported slice
    over a larger deficit on a handful of rows, and a precise subgroup over a
    big slice that merely contains it.
Disagreement
    For a pair of families (deep net vs XGBoost by default; XGBoost vs linear
    when there is no deep net), the per-row difference of losses (log loss for
    classification, squared error for regression) is averaged within each slice,
    with a paired t interval and a paired t-test of "mean difference = 0",
    Benjamini-Hochberg corrected over the slices tested. Slices are ranked by
    ``mean difference * sqrt(size)`` in each direction. The test is against
    zero, not against the all-rows difference: when one family is worse
    everywhere, most large slices say so; the all-rows mean difference is
    reported beside them (``disagreement_overall``) for comparison.
Shift test
    See :func:`shift_test`.
"""

from __future__ import annotations

import math
import time

import numpy as np
import pandas as pd
from scipy import stats
from threadpoolctl import threadpool_limits

from ..errors import ConfigError, DataError, preview
from ..metrics import METRICS, bootstrap_ci, metrics_for
from .. import families as registry
from ..datasets.schema import CATEGORICAL, DATETIME, NUMERIC

__all__ = ["Slice", "SubgroupReport", "subgroup_report", "slice_table", "shift_test", "OPS"]

# ---------------------------------------------------------------------------- messages
_UNKNOWN_COLUMN = ("{what} column {name!r} is not in the data; columns are {columns}. Pass one of them "
                   "as {arg}.")
_BAD_INT = "{name}={value!r} is not valid; it must be an integer between {low} and {high}."
_BAD_ALPHA = "alpha={value!r} is not valid; it must be a number between 0 and 1 (e.g. 0.05)."
_BAD_PAIR = ("pair={value!r} is not valid; it must be two different families of the comparison "
             "({families}).")
_BAD_FAMILY = "family={value!r} is not in this report; choose one of {families}."
_NO_PREDICTIONS = ("no model of the comparison has out-of-fold predictions (every fit failed); "
                   "fix the failures shown in the comparison first.")
_FEW_GROUPS = ("column {name!r} has {k} group(s) with at least {min_size} rows; the shift test needs 2 or "
               "more. Choose a column with several well-filled levels, or lower min_size.")
_BAD_OP = "condition op={value!r} is not valid; choose one of {ops}."
_BAD_FAMILIES = "families={value!r} is not valid; choose one or more of {families}."
_BAD_DIRECTION = "direction={value!r} is not valid; choose one of above, below, both."
_NOTE_HELD_OUT = "the held-out group has no rows of class(es) {classes}; scores use the classes present"
_NOTE_TRAIN = "the training rows have no class(es) {classes}, which the models cannot predict"

#: Operators a slice condition may use (``value`` is a list for ``in``, ignored for ``is missing``).
OPS = ("==", "in", "<", ">=", "is missing")
_LEVEL_SORT = {"==": 0, "in": 1, "is missing": 2}


# =========================================================================== slices
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


def apply_condition(frame: pd.DataFrame, cond: dict) -> np.ndarray:
    """Boolean mask (one entry per row of ``frame``) of one ``{column, op, value}`` condition.

    Examples
    --------
    >>> df = pd.DataFrame({"age": [20, 30, None], "region": ["N", "S", "N"]})
    >>> apply_condition(df, {"column": "age", "op": "<", "value": 25}).tolist()
    [True, False, False]
    >>> apply_condition(df, {"column": "region", "op": "in", "value": ["S"]}).tolist()
    [False, True, False]
    """
    col = frame[cond["column"]]
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
        conds = tuple({"column": c["column"], "op": c["op"], "value": _jsonable(c.get("value"))}
                      for c in conditions)
        for c in conds:
            if c["op"] not in OPS:
                raise ConfigError(_BAD_OP.format(value=c["op"], ops=", ".join(OPS)))
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


def _describe(conds) -> str:
    parts, i = [], 0
    conds = list(conds)
    while i < len(conds):
        c = conds[i]
        nxt = conds[i + 1] if i + 1 < len(conds) else None
        if (c["op"] == ">=" and nxt is not None and nxt["column"] == c["column"] and nxt["op"] == "<"):
            parts.append(f"{_fmt_value(c['value'])} ≤ {c['column']} < {_fmt_value(nxt['value'])}")
            i += 2
            continue
        if c["op"] == "==":
            parts.append(f"{c['column']} = {_fmt_value(c['value'])}")
        elif c["op"] == "in":
            vals = list(c["value"])
            if len(vals) <= 3:
                parts.append(f"{c['column']} in {{{', '.join(_fmt_value(v) for v in vals)}}}")
            else:
                parts.append(f"{c['column']} = other ({len(vals)} rare levels)")
        elif c["op"] == "is missing":
            parts.append(f"{c['column']} is missing")
        else:
            parts.append(f"{c['column']} {'<' if c['op'] == '<' else '≥'} {_fmt_value(c['value'])}")
        i += 1
    return " and ".join(parts)


def _round_edge(v: float, integer: bool) -> float:
    if integer:
        return float(np.round(v))
    if v == 0 or not np.isfinite(v):
        return float(v)
    digits = 3 - int(math.floor(math.log10(abs(v)))) - 1
    return float(round(v, digits))


def _numeric_bins(column: str, values: pd.Series, *, n_bins: int) -> list[tuple[Slice, np.ndarray]]:
    x = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
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
            conds.append({"column": column, "op": ">=", "value": a})
        if b is not None:
            conds.append({"column": column, "op": "<", "value": b})
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
    if role == NUMERIC:
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
    columns = [c for c in frame.columns if c != ds.target and ds.roles.get(c) in (NUMERIC, CATEGORICAL)]
    columns += [g for g in groups if g not in columns]
    out = []
    for col in columns:
        role = ds.roles.get(col) if col not in groups else CATEGORICAL
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


# =========================================================================== per-row statistics
_SUPPORTED = {"accuracy", "balanced_accuracy", "log_loss", "rmse", "mae"}


class _RowStats:
    """Per-row columns whose slice sums give every score, test and interval (named column index)."""

    def __init__(self):
        self.cols: list[np.ndarray] = []
        self.index: dict = {}

    def add(self, key, values):
        self.index[key] = len(self.cols)
        self.cols.append(np.asarray(values, dtype=np.float64))

    def matrix(self):
        return np.stack(self.cols, axis=1)


def _per_row(cmp, fam, y, task, n_classes):
    """Repeat-averaged per-row losses of one family and which rows have a prediction."""
    preds = cmp.oof[fam]
    n = len(y)
    if task == "regression":
        se = np.full((len(preds), n), np.nan)
        ae = np.full((len(preds), n), np.nan)
        for r, p in enumerate(preds):
            se[r], ae[r] = (p - y) ** 2, np.abs(p - y)
        valid = np.isfinite(se).any(axis=0)
        with np.errstate(invalid="ignore"), _quiet():
            return valid, {"se": np.nan_to_num(np.nanmean(se, axis=0)), "ae": np.nan_to_num(np.nanmean(ae, axis=0))}
    err = np.full((len(preds), n), np.nan)
    ll = np.full((len(preds), n), np.nan)
    for r, p in enumerate(preds):
        if p.ndim != 2:
            continue
        ok = np.isfinite(p).all(axis=1)
        q = np.clip(p[ok], 1e-15, 1.0)
        q = q / q.sum(axis=1, keepdims=True)
        err[r, ok] = (np.argmax(p[ok], axis=1) != y[ok]).astype(float)
        ll[r, ok] = -np.log(q[np.arange(len(q)), y[ok]])
    valid = np.isfinite(err).any(axis=0)
    with np.errstate(invalid="ignore"), _quiet():
        return valid, {"err": np.nan_to_num(np.nanmean(err, axis=0)), "ll": np.nan_to_num(np.nanmean(ll, axis=0))}


class _quiet:
    def __enter__(self):
        import warnings

        self._w = warnings.catch_warnings()
        self._w.__enter__()
        warnings.simplefilter("ignore", RuntimeWarning)  # empty slices: NaN scores, said as such
        warnings.filterwarnings("ignore", "y_pred contains classes not in y_true")  # a held-out group

    def __exit__(self, *exc):
        return self._w.__exit__(*exc)


def _scores_from_sums(metric: str, S, idx, fam, n_classes):
    """Metric values from slice sums ``S[..., q]`` (any leading shape). NaN where undefined."""
    v = S[..., idx[(fam, "v")]]
    with np.errstate(invalid="ignore", divide="ignore"):
        if metric == "accuracy":
            return 1.0 - S[..., idx[(fam, "err")]] / v
        if metric == "log_loss":
            return S[..., idx[(fam, "ll")]] / v
        if metric == "rmse":
            return np.sqrt(S[..., idx[(fam, "se")]] / v)
        if metric == "mae":
            return S[..., idx[(fam, "ae")]] / v
        if metric == "balanced_accuracy":
            total = np.zeros(S.shape[:-1])
            present = np.zeros(S.shape[:-1])
            for k in range(n_classes):
                nk = S[..., idx[(fam, "n", k)]]
                ck = S[..., idx[(fam, "c", k)]]
                has = nk > 0
                total += np.where(has, ck / np.where(has, nk, 1.0), 0.0)
                present += has
            return np.where(present > 0, total / np.where(present > 0, present, 1.0), np.nan)
    raise AssertionError(f"internal error: metric {metric!r} has no vectorised form")


def _welch(m1, s1, q1, m2, s2, q2):
    """Two-sided Welch t-test from counts, sums and sums of squares (arrays)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        mu1, mu2 = s1 / m1, s2 / m2
        v1 = np.maximum(q1 - s1 * mu1, 0) / (m1 - 1)
        v2 = np.maximum(q2 - s2 * mu2, 0) / (m2 - 1)
        a, b = v1 / m1, v2 / m2
        se = np.sqrt(a + b)
        t = (mu1 - mu2) / se
        df = (a + b) ** 2 / (a**2 / (m1 - 1) + b**2 / (m2 - 1))
        p = 2 * stats.t.sf(np.abs(t), df)
    same = se == 0
    p = np.where(same, np.where(mu1 == mu2, 1.0, 0.0), p)
    p = np.where((m1 < 2) | (m2 < 2), np.nan, p)
    return p


def _one_sample_t(m, s, q, confidence=0.95):
    """Mean, t-interval and two-sided p of ``mean = 0`` from count, sum and sum of squares."""
    with np.errstate(invalid="ignore", divide="ignore"):
        mu = s / m
        var = np.maximum(q - s * mu, 0) / (m - 1)
        se = np.sqrt(var / m)
        t = mu / se
        p = 2 * stats.t.sf(np.abs(t), m - 1)
        half = stats.t.ppf(0.5 + confidence / 2, m - 1) * se
    p = np.where(se == 0, np.where(mu == 0, 1.0, 0.0), p)
    p = np.where(m < 2, np.nan, p)
    return mu, mu - half, mu + half, p


def benjamini_hochberg(p) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values (q-values); NaN entries stay NaN and are not counted.

    Examples
    --------
    >>> benjamini_hochberg([0.01, 0.04, 0.03, float("nan")]).round(3).tolist()[:3]
    [0.03, 0.04, 0.04]
    """
    p = np.asarray(p, dtype=float)
    q = np.full_like(p, np.nan)
    ok = np.isfinite(p)
    m = int(ok.sum())
    if m == 0:
        return q
    pv = p[ok]
    order = np.argsort(pv)
    ranked = pv[order] * m / np.arange(1, m + 1)
    ranked = np.minimum.accumulate(ranked[::-1])[::-1]
    out = np.empty(m)
    out[order] = np.minimum(ranked, 1.0)
    q[ok] = out
    return q


def _check_int(name, value, low, high):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not low <= value <= high:
        raise ConfigError(_BAD_INT.format(name=name, value=value, low=low, high=high))


# =========================================================================== the report
class SubgroupReport:
    """Per-slice scores, the worst slices of every model, where two families disagree, and shift results.

    Built once from a :class:`~dllab.analyses.comparison.Comparison` and the :class:`~dllab.datasets.Dataset` it
    was run on (use :func:`subgroup_report`); every accessor reads what the constructor computed. See
    the module docstring for the method.

    Parameters
    ----------
    cmp : Comparison
    ds : Dataset
        The dataset the comparison was run on (same rows, same order).
    groups : sequence of str, default=()
        Grouping or sensitive columns to slice by, also when excluded from training.
    min_size : int, default=30
        Slices with fewer rows are ``uncertain``: reported, never tested or ranked.
    n_boot : int, default=200
        Bootstrap replicates for the 95% intervals.
    alpha : float, default=0.05
        False discovery rate of the Benjamini-Hochberg correction (per model).
    max_conditions : {1, 2}, default=2
        Columns a slice may condition on.
    n_bins : int, default=5
        Quantile bins per numeric column.
    max_levels : int, default=20
        Levels of a categorical column shown on their own (the rest join "other").
    top_k : int, default=10
        Length of the ranked lists (``worst``, ``disagreement``).
    pair : (str, str), optional
        Families compared per row; default ``("deep", "gbm")``, else ``("gbm", "linear")``.
    shift : list of dict, optional
        Rows from :func:`shift_test` to keep with the report (``to_dict()["shift"]``).
    random_state : int or None, default=0
        Seeds the bootstrap.

    Attributes
    ----------
    families : tuple of str
        Families with predictions, in canonical order.
    metric, secondary_metric : str
        Primary and secondary metric names (``metrics_for(task)[0]`` and ``[1]``).
    higher_is_better : bool
    slices : list of Slice
    overall : DataFrame
        One row per family: ``score``, ``ci_low``, ``ci_high`` on all rows (pooled out-of-fold).
    frame : DataFrame
        One row per (slice, family): ``slice`` (index into ``slices``), ``description``, ``size``,
        ``n_conditions``, ``family``, ``score``, ``ci_low``, ``ci_high``, ``gap``, the secondary
        metric's ``secondary``, ``secondary_low``, ``secondary_high``, ``secondary_gap``, ``p_value``,
        ``q_value``, ``significant``, ``uncertain``, ``rank_score`` (= gap * sqrt(size)).
    pair : tuple of str or None
    settings : dict
        Parameters and method names (test, correction, ranking, repeats).

    Examples
    --------
    >>> from dllab.datasets import load_builtin                            # doctest: +SKIP
    >>> ds = load_builtin("planted_subgroup")                              # doctest: +SKIP
    >>> report = subgroup_report(compare(ds), ds)                          # doctest: +SKIP
    >>> report.findings()[0]                                               # doctest: +SKIP
    'On rows with region = North and age < 26 (n = 651), the linear model's accuracy is ...'
    """

    def __init__(self, cmp, ds, *, groups=(), min_size: int = 30, n_boot: int = 200, alpha: float = 0.05,
                 max_conditions: int = 2, n_bins: int = 5, max_levels: int = 20, top_k: int = 10,
                 pair=None, shift=None, random_state: int | None = 0):
        t0 = time.perf_counter()
        groups = (groups,) if isinstance(groups, str) else tuple(groups)
        self._check(cmp, ds, groups=groups, min_size=min_size, n_boot=n_boot, alpha=alpha,
                    max_conditions=max_conditions, n_bins=n_bins, max_levels=max_levels, top_k=top_k)
        self.task = cmp.task
        ms = metrics_for(cmp.task)
        self.metric, self.secondary_metric = ms[0].name, ms[1].name
        self.higher_is_better = ms[0].higher_is_better
        self._sec_higher = ms[1].higher_is_better
        self.families = tuple(f for f in cmp.families if any(r.ok for r in cmp.records if r.family == f))
        if not self.families:
            raise DataError(_NO_PREDICTIONS)
        self.pair = self._resolve_pair(pair)
        self._alpha, self._top_k = float(alpha), int(top_k)
        self._min_size = int(min_size)
        n_repeats = cmp.splits.n_repeats
        self._settings = {
            "groups": list(groups), "min_size": int(min_size), "n_boot": int(n_boot), "alpha": float(alpha),
            "max_conditions": int(max_conditions), "n_bins": int(n_bins), "max_levels": int(max_levels),
            "top_k": int(top_k), "random_state": random_state,
            "test": ("Welch t-test of per-row " + ("0/1 error" if cmp.task != "regression" else "squared error")
                     + " inside vs outside the slice"),
            "correction": "Benjamini-Hochberg (false discovery rate alpha, per model)",
            "ranking": "gap * sqrt(size) (most negative first)",
            "bootstrap": "Poisson bootstrap over rows, percentile 95% interval",
            "disagreement_loss": "log_loss" if cmp.task != "regression" else "squared_error",
            "repeats": (f"per-row losses averaged over the {n_repeats} repeats" if n_repeats > 1
                        else "one repeat"),
        }
        singles = _single_slices(ds, groups, min_size=min_size, n_bins=n_bins, max_levels=max_levels)
        pairs = _pair_slices(singles, min_size=min_size) if max_conditions >= 2 else []
        everything = singles + pairs
        self._slices = tuple(s for s, _ in everything)
        self._masks = [m for _, m in everything]
        self._compute(cmp, n_boot=n_boot, random_state=random_state)
        self._shift = [dict(r) for r in (shift or [])]
        self.seconds = time.perf_counter() - t0

    # ------------------------------------------------------------------ construction
    @staticmethod
    def _check(cmp, ds, *, groups, min_size, n_boot, alpha, max_conditions, n_bins, max_levels, top_k):
        cmp.check_dataset(ds)
        cols = [c for c in ds.frame.columns if c != ds.target]
        for g in groups:
            if g not in cols:
                raise DataError(_UNKNOWN_COLUMN.format(what="group", name=g, columns=preview(cols),
                                                       arg="groups=... (or --group)"))
        _check_int("min_size", min_size, 1, 10**9)
        _check_int("n_boot", n_boot, 10, 100_000)
        _check_int("max_conditions", max_conditions, 1, 2)
        _check_int("n_bins", n_bins, 2, 20)
        _check_int("max_levels", max_levels, 1, 1000)
        _check_int("top_k", top_k, 1, 10_000)
        if isinstance(alpha, bool) or not isinstance(alpha, (int, float)) or not 0 < alpha < 1:
            raise ConfigError(_BAD_ALPHA.format(value=alpha))

    def _resolve_pair(self, pair):
        fams = self.families
        if pair is None:
            if "deep" in fams and "gbm" in fams:
                return ("deep", "gbm")
            if "gbm" in fams and "linear" in fams:
                return ("gbm", "linear")
            return (fams[0], fams[1]) if len(fams) >= 2 else None
        pair = tuple(pair)
        if len(pair) != 2 or pair[0] == pair[1] or any(p not in fams for p in pair):
            raise ConfigError(_BAD_PAIR.format(value=pair, families=", ".join(fams)))
        return pair

    def _compute(self, cmp, *, n_boot, random_state):
        y = cmp.y
        n = len(y)
        classify = self.task != "regression"
        n_classes = (cmp.n_classes or int(y.max()) + 1) if classify else 0
        st = _RowStats()
        losses = {}
        self._valid = {}
        for fam in self.families:
            valid, per = _per_row(cmp, fam, y, self.task, n_classes)
            v = valid.astype(float)
            st.add((fam, "v"), v)
            test_loss = per["err"] if classify else per["se"]
            losses[fam] = per["ll"] if classify else per["se"]
            st.add((fam, "t1"), v * test_loss)
            st.add((fam, "t2"), v * test_loss**2)
            for key, arr in per.items():
                st.add((fam, key), v * arr)
            if classify:
                for k in range(n_classes):
                    st.add((fam, "n", k), v * (y == k))
                    st.add((fam, "c", k), v * (y == k) * (1.0 - per["err"]))
            self._valid[fam] = valid
        if self.pair:
            a, b = self.pair
            vab = (self._valid[a] & self._valid[b]).astype(float)
            d = np.where(vab > 0, losses[a] - losses[b], 0.0)
            st.add(("pair", "v"), vab)
            st.add(("pair", "s"), d)
            st.add(("pair", "q"), d**2)
        Z = st.matrix()
        idx = st.index
        metrics = [self.metric, self.secondary_metric]
        vectorised = all(m in _SUPPORTED for m in metrics)

        # Poisson bootstrap: one Poisson(1) weight per (row, replicate), shared by every slice and model.
        # Rows x replicates layout so a slice's weights are a contiguous row gather; only the columns
        # the metrics need are bootstrapped.
        rng = np.random.default_rng(random_state)
        Wt = rng.poisson(1.0, size=(n, n_boot)).astype(np.float32)
        needed = {"accuracy": ("err",), "log_loss": ("ll",), "rmse": ("se",), "mae": ("ae",),
                  "balanced_accuracy": ()}
        keys = [k for k in idx if k[0] in self.families and
                (k[1] == "v" or any(k[1] in needed.get(m, ()) for m in metrics)
                 or (k[1] in ("n", "c") and "balanced_accuracy" in metrics))]
        bidx = {k: j for j, k in enumerate(keys)}
        Zb = Z[:, [idx[k] for k in keys]].astype(np.float32)
        n_sl = len(self._masks)
        point = np.empty((n_sl + 1, Z.shape[1]))
        boot = {(f, m): np.empty((n_sl + 1, n_boot)) for f in self.families for m in metrics}
        all_rows = np.ones(n, dtype=bool)
        # The products are small (replicates x rows x a few columns): one BLAS thread is faster
        # than many fighting over shared cores (the limit is scoped and restored).
        with threadpool_limits(limits=1, user_api="blas"):
            for i, mask in enumerate([all_rows, *self._masks]):
                rows = np.flatnonzero(mask)
                point[i] = Z[rows].sum(axis=0)
                if vectorised:
                    B = (Wt[rows].T @ Zb[rows]).astype(np.float64)
                    for f in self.families:
                        for m in metrics:
                            boot[(f, m)][i] = _scores_from_sums(m, B, bidx, f, n_classes)
        total = point[0]
        self._point_sums, self._idx = point, idx

        # scores and intervals
        res = {}
        for f in self.families:
            for m in metrics:
                if vectorised:
                    sc = _scores_from_sums(m, point, idx, f, n_classes)
                    with _quiet():
                        lo, hi = np.nanpercentile(boot[(f, m)], [2.5, 97.5], axis=1)
                else:
                    sc, lo, hi = self._fallback_scores(cmp, f, m, [all_rows, *self._masks], n_boot, random_state)
                met = METRICS[m]
                res[(f, m)] = (sc, np.array([met.clip(v) for v in lo]), np.array([met.clip(v) for v in hi]))

        rows, overall = [], []
        for f in self.families:
            sc, lo, hi = res[(f, self.metric)]
            sc2, lo2, hi2 = res[(f, self.secondary_metric)]
            sign = 1.0 if self.higher_is_better else -1.0
            sign2 = 1.0 if self._sec_higher else -1.0
            overall.append({"family": f, "score": sc[0], "ci_low": lo[0], "ci_high": hi[0],
                            "secondary": sc2[0], "secondary_low": lo2[0], "secondary_high": hi2[0],
                            "n": int(total[idx[(f, "v")]])})
            sizes = point[1:, idx[(f, "v")]]
            p = _welch(point[1:, idx[(f, "v")]], point[1:, idx[(f, "t1")]], point[1:, idx[(f, "t2")]],
                       total[idx[(f, "v")]] - point[1:, idx[(f, "v")]],
                       total[idx[(f, "t1")]] - point[1:, idx[(f, "t1")]],
                       total[idx[(f, "t2")]] - point[1:, idx[(f, "t2")]])
            uncertain = sizes < self._min_size
            p = np.where(uncertain, np.nan, p)
            q = benjamini_hochberg(p)
            gap = sign * (sc[1:] - sc[0])
            gap2 = sign2 * (sc2[1:] - sc2[0])
            for i, s in enumerate(self.slices):
                rows.append({"slice": i, "description": s.description, "size": int(self._masks[i].sum()),
                             "n_conditions": s.n_conditions, "family": f, "n": int(sizes[i]),
                             "score": sc[i + 1], "ci_low": lo[i + 1], "ci_high": hi[i + 1], "gap": gap[i],
                             "secondary": sc2[i + 1], "secondary_low": lo2[i + 1], "secondary_high": hi2[i + 1],
                             "secondary_gap": gap2[i], "p_value": p[i], "q_value": q[i],
                             "significant": bool(np.isfinite(q[i]) and q[i] < self._alpha),
                             "uncertain": bool(uncertain[i]),
                             "rank_score": gap[i] * math.sqrt(sizes[i]) if sizes[i] > 0 else np.nan})
        cols = ["slice", "description", "size", "n_conditions", "family", "n", "score", "ci_low", "ci_high",
                "gap", "secondary", "secondary_low", "secondary_high", "secondary_gap", "p_value", "q_value",
                "significant", "uncertain", "rank_score"]
        self._frame = pd.DataFrame(rows, columns=cols)
        self._overall = pd.DataFrame(overall).set_index("family")

        # disagreement
        if self.pair:
            m = point[1:, idx[("pair", "v")]]
            mu, lo, hi, p = _one_sample_t(m, point[1:, idx[("pair", "s")]], point[1:, idx[("pair", "q")]])
            uncertain = m < self._min_size
            p = np.where(uncertain, np.nan, p)
            q = benjamini_hochberg(p)
            mt, _, _, _ = _one_sample_t(np.array([total[idx[("pair", "v")]]]), np.array([total[idx[("pair", "s")]]]),
                                        np.array([total[idx[("pair", "q")]]]))
            self._pair_overall = float(mt[0])
            self._disagreement = pd.DataFrame({
                "slice": np.arange(n_sl), "description": [s.description for s in self.slices],
                "size": [int(mk.sum()) for mk in self._masks], "n": m.astype(int),
                "mean_diff": mu, "ci_low": lo, "ci_high": hi, "p_value": p, "q_value": q,
                "significant": np.isfinite(q) & (q < self._alpha), "uncertain": uncertain,
                "rank_score": mu * np.sqrt(np.maximum(m, 0))})
        else:
            self._pair_overall = float("nan")
            self._disagreement = pd.DataFrame(columns=["slice", "description", "size", "n", "mean_diff", "ci_low",
                                                       "ci_high", "p_value", "q_value", "significant",
                                                       "uncertain", "rank_score"])

    def _fallback_scores(self, cmp, fam, metric, masks, n_boot, random_state):
        # Metrics without a vectorised form: repeat 0 predictions and dllab.metrics.bootstrap_ci per slice.
        pred = cmp.oof[fam][0]
        ok = np.isfinite(pred).all(axis=1) if pred.ndim == 2 else np.isfinite(pred)
        sc, lo, hi = [], [], []
        for mask in masks:
            rows = np.flatnonzero(mask & ok)
            if len(rows) == 0:
                sc.append(np.nan), lo.append(np.nan), hi.append(np.nan)
                continue
            s, a, b = bootstrap_ci(METRICS[metric], cmp.y[rows], pred[rows], n_boot=n_boot,
                                   random_state=random_state, n_classes=cmp.n_classes)
            sc.append(s), lo.append(a), hi.append(b)
        return np.array(sc), np.array(lo), np.array(hi)

    # ------------------------------------------------------------------ reading
    @property
    def slices(self) -> tuple:
        """The slices, one-condition slices first (``frame.slice`` indexes this tuple)."""
        return self._slices

    @property
    def settings(self) -> dict:
        """Parameters and method names (a copy)."""
        return dict(self._settings)

    @property
    def frame(self) -> pd.DataFrame:
        """Long table: one row per (slice, family) (a copy)."""
        return self._frame.copy()

    @property
    def overall(self) -> pd.DataFrame:
        """One row per family: scores with 95% intervals on all rows (a copy)."""
        return self._overall.copy()

    def _check_family(self, family):
        if family not in self.families:
            raise ConfigError(_BAD_FAMILY.format(value=family, families=", ".join(self.families)))

    def worst(self, family: str, *, top_k: int | None = None) -> pd.DataFrame:
        """Significantly worse slices of ``family``, most harmful first (ranked by ``gap * sqrt(size)``)."""
        self._check_family(family)
        f = self._frame
        sel = f[(f.family == family) & f.significant & ~f.uncertain & (f.gap < 0)]
        return sel.sort_values(["rank_score", "slice"]).head(top_k or self._top_k).reset_index(drop=True)

    def ranked(self, family: str) -> pd.DataFrame:
        """Every slice of ``family`` ranked by ``gap * sqrt(size)`` (uncertain slices last), significant or not."""
        self._check_family(family)
        f = self._frame[self._frame.family == family]
        return f.sort_values(["uncertain", "rank_score", "slice"]).reset_index(drop=True)

    def disagreement(self, *, direction: str = "both", top_k: int | None = None,
                     significant_only: bool = True) -> pd.DataFrame:
        """Slices where ``pair[0]``'s per-row loss is above (``"above"``) or below (``"below"``) ``pair[1]``'s.

        ``mean_diff`` is loss(pair[0]) - loss(pair[1]) averaged over the slice's rows (positive: the
        first family is worse there). ``"both"`` returns the top ``top_k`` of each direction.
        """
        d = self._disagreement
        if significant_only:
            d = d[d.significant & ~d.uncertain]
        above = d[d.mean_diff > 0].sort_values(["rank_score", "slice"], ascending=[False, True])
        below = d[d.mean_diff < 0].sort_values(["rank_score", "slice"])
        k = top_k or self._top_k
        parts = {"above": [above.head(k)], "below": [below.head(k)], "both": [above.head(k), below.head(k)]}
        if direction not in parts:
            raise ConfigError(_BAD_DIRECTION.format(value=direction))
        out = pd.concat(parts[direction]) if any(len(p) for p in parts[direction]) else d.head(0)
        return out.assign(direction=np.where(out.mean_diff > 0, "above", "below")).reset_index(drop=True)

    def disagreement_table(self) -> pd.DataFrame:
        """Every slice's mean per-row loss difference of ``pair`` (for a chart), a copy."""
        return self._disagreement.copy()

    @property
    def shift(self) -> list[dict]:
        """The shift-test rows kept with the report (see :func:`shift_test`)."""
        return [dict(r) for r in self._shift]

    # ------------------------------------------------------------------ export
    def _slice_dict(self, i: int, by_slice) -> dict:
        s = self._slices[i]
        models = {}
        for fam in self.families:
            r = by_slice[(i, fam)]
            models[fam] = {"score": _num(r.score), "ci_low": _num(r.ci_low), "ci_high": _num(r.ci_high),
                           "gap": _num(r.gap), "n": int(r.n),
                           "secondary": {"metric": self.secondary_metric, "score": _num(r.secondary),
                                         "ci_low": _num(r.secondary_low), "ci_high": _num(r.secondary_high),
                                         "gap": _num(r.secondary_gap)},
                           "p_value": _num(r.p_value), "q_value": _num(r.q_value),
                           "significant": bool(r.significant), "uncertain": bool(r.uncertain)}
        return {"description": s.description, "conditions": s.conditions, "size": int(self._masks[i].sum()),
                "n_conditions": s.n_conditions, "models": models,
                "significant": any(m["significant"] for m in models.values()),
                "uncertain": int(self._masks[i].sum()) < self._min_size}

    @staticmethod
    def _record(row, slice_obj, extra=()) -> dict:
        out = {"description": slice_obj.description, "conditions": slice_obj.conditions, "size": int(row["size"])}
        for k in extra:
            v = row[k]
            out[k] = bool(v) if isinstance(v, (bool, np.bool_)) else (int(v) if k == "n" else _num(v))
        return out

    def to_dict(self) -> dict:
        """The ``subgroups`` block of the JSON report.

        ``slices`` lists every slice (one-condition slices first). Each list in ``worst`` holds that
        model's significantly worse slices as flat records (``description``, ``conditions``, ``size``,
        ``score``, ``ci_low``, ``ci_high``, ``gap``, ``overall``, ``p_value``, ``q_value``,
        ``rank_score``), most harmful first. ``disagreement`` holds the same kind of records for
        ``pair`` (``mean_diff`` = loss of ``a`` minus loss of ``b``, with ``direction`` "above" when
        ``a`` is worse), the top ``top_k`` of each direction. ``shift`` holds :func:`shift_test` rows.
        """
        by_slice = {(r.slice, r.family): r for r in self._frame.itertuples(index=False)}
        worst = {}
        for fam in self.families:
            recs = []
            for _, r in self.worst(fam).iterrows():
                rec = self._record(r, self.slices[int(r["slice"])],
                                   ("n", "score", "ci_low", "ci_high", "gap", "p_value", "q_value", "rank_score"))
                rec["overall"] = _num(self._overall.loc[fam, "score"])
                recs.append(rec)
            worst[fam] = recs
        dis = []
        if self.pair:
            for _, r in self.disagreement().iterrows():
                rec = self._record(r, self.slices[int(r["slice"])],
                                   ("n", "mean_diff", "ci_low", "ci_high", "p_value", "q_value", "rank_score"))
                rec.update(a=self.pair[0], b=self.pair[1], loss=self.settings["disagreement_loss"],
                           direction=r["direction"], significant=bool(r["significant"]))
                dis.append(rec)
        return {
            "metric": self.metric,
            "secondary_metric": self.secondary_metric,
            "higher_is_better": self.higher_is_better,
            "families": list(self.families),
            "overall": {f: {"score": _num(r.score), "ci_low": _num(r.ci_low), "ci_high": _num(r.ci_high),
                            "n": int(r.n)} for f, r in self._overall.iterrows()},
            "slices": [self._slice_dict(i, by_slice) for i in range(len(self._slices))],
            "worst": worst,
            "disagreement_pair": list(self.pair) if self.pair else None,
            "disagreement_overall": _num(self._pair_overall),
            "disagreement": dis,
            "shift": self.shift,
            "settings": dict(self.settings),
        }

    def findings(self, *, per_model: int = 2) -> list[str]:
        """Plain-language sentences with numbers: worst slices, disagreements, shift drops."""
        out = []
        label = METRICS[self.metric].label
        label = label if label.isupper() else label.lower()
        for fam in self.families:
            name = registry.model_noun(fam)
            overall = self._overall.loc[fam, "score"]
            w = self.worst(fam, top_k=per_model)
            if w.empty:
                out.append(_cap(f"{name}: no slice of at least {self._min_size} rows is significantly worse than "
                                f"the rest (Benjamini-Hochberg, false discovery rate {self._alpha:g})."))
            for _, r in w.iterrows():
                out.append(f"On rows with {r.description} (n = {int(r['size']):,}), {name}'s {label} is "
                           f"{_fmt(r.score, self.metric)} vs {_fmt(overall, self.metric)} overall "
                           f"(95% CI {_fmt(r.ci_low, self.metric)}-{_fmt(r.ci_high, self.metric)}).")
        if self.pair:
            a, b = (registry.model_noun(p) for p in self.pair)
            loss = "log loss" if self.task != "regression" else "squared error"
            for _, r in self.disagreement(top_k=1).iterrows():
                word = "higher" if r.mean_diff > 0 else "lower"
                out.append(_cap(f"On rows with {r.description} (n = {int(r['size']):,}), {a}'s per-row {loss} is "
                                f"{abs(r.mean_diff):.3g} {word} than {b}'s (95% CI {r.ci_low:.3g} to "
                                f"{r.ci_high:.3g}; {self._pair_overall:+.3g} on all rows)."))
        ok = [r for r in self._shift if r.get("status") == "ok" and r.get("drop") is not None]
        for fam in dict.fromkeys(r["family"] for r in ok):
            rows = [r for r in ok if r["family"] == fam]
            r = max(rows, key=lambda r: r["drop"])
            name = registry.model_noun(fam)
            m = r["metric"]
            ml = METRICS[m].label if METRICS[m].label.isupper() else METRICS[m].label.lower()
            if r["drop"] <= 0:
                out.append(_cap(f"{name} scores no worse on any held-out group of {r['column']} than on a random "
                                f"split of the same size ({len(rows)} groups)."))
                continue
            ci = ""
            if r.get("drop_ci_low") is not None:
                ci = f", 95% CI of the drop {_fmt(r['drop_ci_low'], m)} to {_fmt(r['drop_ci_high'], m)}"
            out.append(_cap(f"Trained without {r['group']} and tested on it (n = {r['size']:,}), {name}'s {ml} "
                            f"is {_fmt(r['shift_score'], m)} vs {_fmt(r['random_score'], m)} on a random split of "
                            f"the same size (its largest drop over {len(rows)} groups of {r['column']}{ci})."))
        return out

    def __repr__(self):
        return (f"SubgroupReport(task={self.task!r}, families={list(self.families)}, slices={len(self.slices)}, "
                f"metric={self.metric!r})")


def subgroup_report(cmp, ds, *, groups=(), min_size: int = 30, n_boot: int = 200, alpha: float = 0.05,
                    max_conditions: int = 2, n_bins: int = 5, max_levels: int = 20, top_k: int = 10,
                    pair=None, shift=None, random_state: int | None = 0) -> SubgroupReport:
    """Slice the data, score every model on every slice and find where each fails (no refitting).

    Parameters are those of :class:`SubgroupReport`.

    Raises
    ------
    DataError
        If ``ds`` is not the data ``cmp`` was run on, or a ``groups`` column is not in it.
    ConfigError
        If a setting is out of range.

    Examples
    --------
    >>> import numpy as np
    >>> from dllab.analyses.comparison import Comparison, FitRecord
    >>> from dllab.datasets import from_frame
    >>> from dllab.engine.splits import make_splits
    >>> df = pd.DataFrame({"g": ["a", "b"] * 100, "target": [0, 1, 1, 0] * 50})
    >>> ds = from_frame(df, target="target")
    >>> sp = make_splits(ds.y, task="binary", n_folds=2)
    >>> wrong_in_b = lambda te: np.c_[1.0 - ds.y[te], ds.y[te]] * (ds.frame.g.to_numpy()[te] == "a")[:, None] \\
    ...     + np.c_[ds.y[te], 1.0 - ds.y[te]] * (ds.frame.g.to_numpy()[te] == "b")[:, None]
    >>> recs = [FitRecord("linear", i, "ok", te, prediction=wrong_in_b(te)) for i, (tr, te) in enumerate(sp)]
    >>> cmp = Comparison(recs, y=ds.y, task="binary", splits=sp, n_classes=2)
    >>> report = subgroup_report(cmp, ds, n_boot=50)
    >>> report.worst("linear")[["description", "score", "gap"]].values.tolist()
    [['g = b', 0.0, -0.5]]
    """
    return SubgroupReport(cmp, ds, groups=groups, min_size=min_size, n_boot=n_boot, alpha=alpha,
                          max_conditions=max_conditions, n_bins=n_bins, max_levels=max_levels, top_k=top_k,
                          pair=pair, shift=shift, random_state=random_state)


def slice_table(report: SubgroupReport, *, values: str = "score", max_conditions: int | None = None,
                sort_by: str | None = None) -> pd.DataFrame:
    """Wide table for a heat map: one row per slice (its description), one column per family.

    Parameters
    ----------
    report : SubgroupReport
    values : str, default="score"
        Any numeric column of ``report.frame`` (``score``, ``gap``, ``secondary``, ``q_value`` ...).
    max_conditions : int, optional
        Keep only slices on at most this many columns (1 gives a compact heat map).
    sort_by : str, optional
        A family: order rows by that family's ``rank_score`` (worst first); default keeps slice order.

    Returns
    -------
    DataFrame
        Index ``description``; extra columns ``size`` and ``uncertain``.
    """
    f = report.frame
    if max_conditions is not None:
        f = f[f.n_conditions <= max_conditions]
    wide = f.pivot(index="slice", columns="family", values=values)[list(report.families)]
    meta = f.drop_duplicates("slice").set_index("slice")[["description", "size"]]
    wide = meta.join(wide)
    wide["uncertain"] = wide["size"] < report.settings["min_size"]
    if sort_by is not None:
        report._check_family(sort_by)
        order = f[f.family == sort_by].set_index("slice")["rank_score"]
        wide = wide.loc[order.sort_values(kind="stable").index]
    wide.columns.name = None
    return wide.set_index("description")


# =========================================================================== shift test
def _shift_groups(ds, column, *, max_groups, min_size):
    values = ds.frame[column].reset_index(drop=True)
    role = ds.roles.get(column)
    numeric = role == NUMERIC or (pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)
                                  and values.nunique(dropna=True) > max_groups)
    if numeric and values.nunique(dropna=True) > max_groups:
        cand = _numeric_bins(column, values, n_bins=max_groups)
    else:
        cand = _level_slices(column, values, min_size=min_size, max_levels=max_groups)
        cand = [(s, m) for s, m in cand if s.conditions[0]["op"] == "=="]  # held-out groups are real levels
    cand = [(s, m) for s, m in cand if m.sum() >= min_size and (~m).sum() >= min_size]
    return cand[:max_groups]


#: The shift test's split seeds are keyed apart from the families' seed keys. It is 4 because
#: it used to be ``len(FAMILIES)`` (then four): fixed, so adding a family changes no split.
_SHIFT_SPLIT_KEY = 4


def _split_seed(seed: int, group: int) -> int:
    ss = np.random.SeedSequence(seed, spawn_key=(_SHIFT_SPLIT_KEY, group))
    return int(ss.generate_state(1, dtype=np.uint32)[0])


def shift_test(ds, *, column: str, config, families=None, max_groups: int = 5, min_size: int = 30,
               progress=None) -> list[dict]:
    """Train on all but one group of ``column``, test on that group, and compare with a random split.

    Groups are the largest levels of a categorical column (those with at least ``min_size`` rows) or
    the quantile bins of a numeric one, at most ``max_groups``. For each group every family is fitted
    on the other rows (rows where ``column`` is missing always train) and scored on the group; for
    reference the same family is fitted on a random split with the same test size (seeded,
    stratified for classification). The column stays a feature as the dataset's roles say, so a
    categorical group is a level the model never saw.

    Parameters
    ----------
    ds : Dataset
    column : str
        Any column of the data but the target (also one excluded from training).
    config : RunConfig
        Budget, seed, device, n_jobs and (unless ``families`` is given) the families.
    families : sequence of str, optional
    max_groups : int, default=5
    min_size : int, default=30
    progress : callable, optional
        Called with a :class:`dllab.engine.runner.Progress` after each fit.

    Returns
    -------
    list of dict
        One row per (group, family): ``column``, ``group`` (description), ``conditions``, ``size``,
        ``n_train``, ``family``, ``metric``, ``higher_is_better``, ``shift_score``, ``random_score``,
        ``drop`` (random minus held-out score, signed so that positive = worse under shift),
        ``drop_ci_low``, ``drop_ci_high`` (95% bootstrap interval over the two test sets' rows; the
        fitted models are fixed, so it leaves out training noise),
        ``secondary_metric``, ``shift_secondary``, ``random_secondary``, ``secondary_drop``,
        ``status`` ("ok" or "failed"), ``reason`` and ``note`` (e.g. classes missing in the group).

    Raises
    ------
    DataError
        If ``column`` is not in the data or has fewer than two usable groups.
    """
    from ..engine.runner import Task, model_factory, run_tasks, task_seed

    cols = [c for c in ds.frame.columns if c != ds.target]
    if column not in cols:
        raise DataError(_UNKNOWN_COLUMN.format(what="shift", name=column, columns=preview(cols),
                                               arg="column=... (or --shift)"))
    _check_int("max_groups", max_groups, 2, 50)
    _check_int("min_size", min_size, 1, 10**9)
    families = tuple(families) if families is not None else tuple(config.families)
    bad = [f for f in families if f not in registry.names()]
    if bad or not families:
        raise ConfigError(_BAD_FAMILIES.format(value=families, families=", ".join(registry.names())))
    groups = _shift_groups(ds, column, max_groups=max_groups, min_size=min_size)
    if len(groups) < 2:
        raise DataError(_FEW_GROUPS.format(name=column, k=len(groups), min_size=min_size))
    X, y = ds.X, ds.y
    n = len(y)
    classify = ds.task != "regression"
    tasks, meta = [], []
    for gi, (s, mask) in enumerate(groups):
        test = np.flatnonzero(mask)
        train = np.flatnonzero(~mask)
        rtrain, rtest = _random_split(y, len(test), classify=classify, seed=_split_seed(config.seed, gi))
        for fam in families:
            for kind, (tr, te) in enumerate(((train, test), (rtrain, rtest))):
                where = f"held out {s.description}" if kind == 0 else f"random split ({len(te)} rows)"
                tasks.append(Task(family=fam, split=2 * gi + kind, train_idx=tr, test_idx=te,
                                  seed=task_seed(config.seed, fam, gi, 1000 + kind),
                                  label=f"{registry.label(fam)}, {where}"))
        meta.append((s, mask, train, test))
    records = run_tasks(tasks, X, y, problem=ds.task, budget=config.budget, device=config.device,
                        n_jobs=config.n_jobs, progress=progress, keep_models=False, make=model_factory(config, ds))
    ms = metrics_for(ds.task)
    prim, sec = ms[0], ms[1]
    n_classes = len(ds.classes) if classify else None
    by = {(t.split, t.family): r for t, r in zip(tasks, records)}
    out = []
    for gi, (s, mask, train, test) in enumerate(meta):
        note = []
        if classify:
            seen, held = set(np.unique(y[train]).tolist()), set(np.unique(y[test]).tolist())
            if seen - held:
                note.append(_NOTE_HELD_OUT.format(classes=preview([ds.classes[k] for k in sorted(seen - held)])))
            if held - seen:
                note.append(_NOTE_TRAIN.format(classes=preview([ds.classes[k] for k in sorted(held - seen)])))
        for fam in families:
            rs, rr = by[(2 * gi, fam)], by[(2 * gi + 1, fam)]
            row = {"column": column, "group": s.description, "conditions": s.conditions, "size": int(len(test)),
                   "n_train": int(len(train)), "family": fam, "metric": prim.name,
                   "higher_is_better": prim.higher_is_better, "secondary_metric": sec.name,
                   "status": "ok", "reason": "", "note": "; ".join(note)}
            if not (rs.ok and rr.ok):
                bad_rec = rs if not rs.ok else rr
                row.update(status="failed", reason=bad_rec.reason, shift_score=None, random_score=None, drop=None,
                           drop_ci_low=None, drop_ci_high=None,
                           shift_secondary=None, random_secondary=None, secondary_drop=None)
                out.append(row)
                continue
            with _quiet():
                a = prim(y[rs.test_idx], rs.prediction, n_classes=n_classes)
                b = prim(y[rr.test_idx], rr.prediction, n_classes=n_classes)
                a2 = sec(y[rs.test_idx], rs.prediction, n_classes=n_classes)
                b2 = sec(y[rr.test_idx], rr.prediction, n_classes=n_classes)
            sign = 1.0 if prim.higher_is_better else -1.0
            sign2 = 1.0 if sec.higher_is_better else -1.0
            lo, hi = _drop_ci(prim, y[rs.test_idx], rs.prediction, y[rr.test_idx], rr.prediction, sign=sign,
                              n_classes=n_classes, random_state=_split_seed(config.seed, 1000 + gi))
            row.update(shift_score=_num(a), random_score=_num(b), drop=_num(sign * (b - a)),
                       drop_ci_low=_num(lo), drop_ci_high=_num(hi),
                       shift_secondary=_num(a2), random_secondary=_num(b2), secondary_drop=_num(sign2 * (b2 - a2)))
            out.append(row)
    assert n == len(y), "internal error: rows changed during the shift test"
    return out


def _drop_ci(metric, y_a, p_a, y_b, p_b, *, sign, n_classes, random_state, n_boot=200):
    # Both test sets resampled independently (the fitted models are fixed, so training noise is not in it).
    rng = np.random.default_rng(random_state)
    ia = rng.integers(0, len(y_a), (n_boot, len(y_a)))
    ib = rng.integers(0, len(y_b), (n_boot, len(y_b)))
    if metric.name == "accuracy":
        a = (p_a.argmax(axis=1) == y_a)[ia].mean(axis=1)
        b = (p_b.argmax(axis=1) == y_b)[ib].mean(axis=1)
    elif metric.name == "rmse":
        a = np.sqrt(((p_a - y_a) ** 2)[ia].mean(axis=1))
        b = np.sqrt(((p_b - y_b) ** 2)[ib].mean(axis=1))
    else:
        with _quiet():
            a = np.array([metric(y_a[i], p_a[i], n_classes=n_classes) for i in ia])
            b = np.array([metric(y_b[i], p_b[i], n_classes=n_classes) for i in ib])
    d = sign * (b - a)
    d = d[np.isfinite(d)]
    if len(d) == 0:
        return float("nan"), float("nan")
    lo, hi = np.percentile(d, [2.5, 97.5])
    return float(lo), float(hi)


def _random_split(y, n_test, *, classify, seed):
    from sklearn.model_selection import train_test_split

    idx = np.arange(len(y))
    strat = None
    if classify:
        _, counts = np.unique(y, return_counts=True)
        if counts.min() >= 2 and n_test >= len(counts) and len(y) - n_test >= len(counts):
            strat = y
    tr, te = train_test_split(idx, test_size=int(n_test), random_state=seed, stratify=strat)
    return np.sort(tr), np.sort(te)


# =========================================================================== words
def _num(v):
    if v is None:
        return None
    v = float(v)
    return v if np.isfinite(v) else None


def _fmt(v, metric: str) -> str:
    if v is None or not np.isfinite(v):
        return "—"
    if metric in ("accuracy", "balanced_accuracy", "roc_auc", "f1_macro", "r2"):
        return f"{v:.2f}"
    return f"{v:.3g}"


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:]
