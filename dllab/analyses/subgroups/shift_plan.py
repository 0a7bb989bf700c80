"""Before the shift test: which column to hold groups out of by default, and what the test will cost.

The default column
    Only a column that describes a population can be shifted along: never the
    target, an identifier, free text, a date, a constant, a column the user
    excluded, or one with (nearly) as many distinct values as rows, where
    "groups" would be arbitrary ranges of row labels. Among the rest, a
    categorical column or a numeric one with at most ``max_groups`` values
    comes first (its groups are real levels, such as Titanic's ``Pclass``
    1, 2, 3), then binned numeric columns; within each, the column with the most
    groups of at least ``min_size`` rows (at most ``max_groups``), then the one
    whose smallest group is largest (tighter intervals), then the first column.
    Image data has no such column (its columns are pixels): no default.
The cost
    Every group costs two fits per family (held out, and a random split of the
    same size), so the test makes ``2 x groups x families`` fits: at most
    ``2 x max_groups x families``. The expected time is each family's fastest
    comparison fit per training row, times the rows each shift fit trains on,
    scaled by the comparison's wall clock over its summed fit seconds (so
    parallel workers and overheads count).
"""

from __future__ import annotations

import numpy as np

from ...datasets.schema import CATEGORICAL, NUMERIC
from .shift import _shift_groups

__all__ = ["default_shift_column", "shift_plan"]

#: A column with at least this share of distinct values among its present rows is identifier-like.
MOSTLY_DISTINCT = 0.95
#: Columns looked at for the default (the first ones in the data): bounds the cost on wide data.
_MAX_CANDIDATES = 200


def _candidate(ds, column, *, max_groups: int, min_size: int):
    """``(tier, -groups, -smallest group)`` of a column that can be the default, else None."""
    role = ds.roles.get(column)
    if role not in (CATEGORICAL, NUMERIC):
        return None
    values = ds.frame[column]
    present = int(values.notna().sum())
    distinct = int(values.nunique(dropna=True))
    if present == 0 or distinct >= MOSTLY_DISTINCT * present:
        return None
    groups = _shift_groups(ds, column, max_groups=max_groups, min_size=min_size)
    if len(groups) < 2:
        return None
    tier = 0 if role == CATEGORICAL or distinct <= max_groups else 1
    return tier, -len(groups), -min(int(m.sum()) for _, m in groups)


def default_shift_column(ds, *, max_groups: int = 5, min_size: int = 30) -> str | None:
    """The column the shift test holds groups out of unless the user picks another (None if none fits).

    See the module docstring for the rule.

    Examples
    --------
    >>> import pandas as pd
    >>> from dllab.datasets import from_frame
    >>> df = pd.DataFrame({"id": range(200), "x": [i / 7 for i in range(200)], "port": list("ABCD") * 50,
    ...                    "target": [0, 1] * 100})
    >>> default_shift_column(from_frame(df, target="target"))
    'port'
    """
    if ds.modality == "image":
        return None
    best, best_key = None, None
    columns = [c for c in ds.frame.columns if c != ds.target][:_MAX_CANDIDATES]
    for position, column in enumerate(columns):
        key = _candidate(ds, column, max_groups=max_groups, min_size=min_size)
        if key is not None and (best_key is None or (*key, position) < best_key):
            best, best_key = column, (*key, position)
    return best


def shift_plan(ds, column: str, *, families, max_groups: int = 5, min_size: int = 30, comparison=None) -> dict:
    """What the shift test on ``column`` will do: its groups, its number of fits and the expected seconds.

    Parameters
    ----------
    ds : Dataset
    column : str
    families : sequence of str
        The families the test fits.
    max_groups, min_size : int
        As for :func:`~dllab.analyses.subgroups.shift_test`.
    comparison : Comparison, optional
        The comparison on ``ds``: its measured fit times give the expected seconds.

    Returns
    -------
    dict
        ``column``, ``groups`` (descriptions), ``sizes`` (rows per group), ``n_fits``, ``max_fits``
        (the bound, ``2 x max_groups x families``) and ``seconds`` (None without a comparison, or
        when it has no measured fit time for one of ``families``).
    """
    families = tuple(families)
    groups = _shift_groups(ds, column, max_groups=max_groups, min_size=min_size)
    sizes = [int(m.sum()) for _, m in groups]
    plan = {"column": column, "groups": [s.description for s, _ in groups], "sizes": sizes,
            "n_fits": 2 * len(groups) * len(families), "max_fits": 2 * max_groups * len(families),
            "seconds": None}
    if comparison is None or not groups:
        return plan
    n = ds.n_rows
    work = 0.0
    for fam in families:
        fits = [r for r in comparison.records if r.family == fam and r.ok and np.isfinite(r.fit_seconds)]
        if not fits:
            return plan
        # Fit time per training row, from the fastest fit: a family's first fit also pays one-time
        # loading (XGBoost's first fit took 2.7 s against 0.05 s for the next). Both fits of a group
        # train on the n - size rows outside it.
        per_row = min(r.fit_seconds / max(r.n_train or n - len(r.test_idx), 1) for r in fits)
        work += per_row * sum(2 * (n - s) for s in sizes)
    measured = sum(r.fit_seconds for r in comparison.records if r.ok and np.isfinite(r.fit_seconds))
    wall = getattr(comparison, "wall_seconds", float("nan"))
    ratio = wall / measured if measured > 0 and np.isfinite(wall) and wall > 0 else 1.0
    plan["seconds"] = float(work * ratio)
    return plan
