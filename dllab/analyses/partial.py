"""The scores of a comparison while it trains: one row per family, from the folds finished so far.

:func:`dllab.compare` hands a :class:`PartialComparison` to its progress callback
(``Progress.partial``). Its rows are those of the :class:`~dllab.analyses.comparison.Comparison`
that the finished fits make (the same scorer, intervals over the rows tested so far), marked
"n of k folds". The verdict reads only the full comparison: it waits for the run's end.
"""

from __future__ import annotations

from functools import cached_property

import pandas as pd

from .. import families as registry
from ..metrics import METRICS, primary_metric
from .comparison import Comparison

__all__ = ["PartialComparison"]


class PartialComparison:
    """The fits of a running comparison finished so far, and the table of the families that have a number.

    Each progress report gets its own (the records up to that fit), so one kept for later still
    says what it said then.

    Parameters
    ----------
    records : sequence of FitRecord
        The fits finished so far, in completion order.
    y, task, splits, n_classes, dataset, config
        As for :class:`~dllab.analyses.comparison.Comparison`.
    families : sequence of str
        The families of the run, each expecting one fit per split.

    Examples
    --------
    >>> from dllab.engine.splits import make_splits
    >>> import numpy as np
    >>> y = np.r_[np.zeros(20), np.ones(20)].astype(int)
    >>> p = PartialComparison((), y=y, task="binary", splits=make_splits(y, task="binary", n_folds=2),
    ...                       families=["linear", "gbm"])
    >>> p.table().empty, p.done("linear"), p.complete
    (True, 0, False)
    """

    def __init__(self, records, *, y, task: str, splits, families, n_classes: int | None = None, dataset=None,
                 config=None):
        self.records = tuple(records)
        self.y, self.task, self.splits, self.n_classes = y, task, splits, n_classes
        self.dataset, self.config = dataset, config
        self.families = registry.ordered(families)

    def done(self, family: str) -> int:
        """Fits of ``family`` finished (successful or not)."""
        return sum(r.family == family for r in self.records)

    @property
    def complete(self) -> bool:
        """Whether every family has a fit on every split."""
        return all(self.done(f) >= len(self.splits) for f in self.families)

    @cached_property
    def _comparison(self) -> Comparison | None:
        if not self.records:
            return None
        return Comparison(self.records, y=self.y, task=self.task, splits=self.splits, dataset=self.dataset,
                          config=self.config, n_classes=self.n_classes)

    def comparison(self) -> Comparison | None:
        """The comparison of the fits finished so far (None before the first)."""
        return self._comparison

    def table(self) -> pd.DataFrame:
        """One row per family with a finished fit: its name (``family``), then the columns of
        :meth:`Comparison.table <dllab.analyses.comparison.Comparison.table>` with a
        ``folds`` column: ``"2 of 5 folds"`` (splits, when the folds are repeated). The families are in
        the canonical order (:func:`dllab.families.ordered`), as on the full comparison."""
        cmp = self.comparison()
        if cmp is None:
            return pd.DataFrame()
        table = cmp.table().iloc[:len(cmp.families)].copy()  # the baseline row reads every split: left out
        unit = "folds" if self.splits.n_repeats == 1 else "splits"
        table.insert(0, "family", cmp.families)
        table.insert(2, "folds", [f"{self.done(f)} of {len(self.splits)} {unit}" for f in cmp.families])
        return table.reset_index(drop=True)

    @property
    def metric_label(self) -> str:
        """The primary metric's label ("Accuracy", "RMSE"), as the tables name its column."""
        return METRICS[primary_metric(self.task).name].label

    def summary(self) -> pd.DataFrame:
        """The short form of :meth:`table` that progress displays show: ``family``, ``model``, ``folds``,
        the primary metric (named by :attr:`metric_label`) and ``fit s``."""
        table = self.table()
        cols = ["family", "model", "folds", self.metric_label, "fit s"]
        return table[cols] if not table.empty else pd.DataFrame(columns=cols)
