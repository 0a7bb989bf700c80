"""Per-row scores of a curve's fits, and the paired test of two families at one size.

A curve trained by :func:`~dllab.analyses.curves.learning_curve` keeps, for
the primary metric, every test row's score of every fit (1 or 0 for a correct
class, the squared error for RMSE) in a :class:`RowScores`. The paired test at a
size is then the cross-validation test over those rows
(:func:`dllab.stats.cv_paired_test`), the test Compare runs: when the curve's
largest size is the comparison's own fits, the two tests are the same test on
the same numbers. A curve built from scores alone (reloaded, or made up in a
test) falls back on the corrected t-test over its replicates
(:func:`dllab.stats.paired_test`), which sees the spread between subsamples but
not which rows landed in a test fold.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...metrics import METRICS, ROW_METRICS, row_scores
from ...stats import PairedTest, cv_score_interval, cv_score_test, paired_test

__all__ = ["ROW_METRICS", "row_scores", "RowScores", "replicate_test"]

@dataclass(frozen=True, eq=False)
class RowScores:
    """Row scores of every fit of a curve, laid out for the cross-validation test.

    Attributes
    ----------
    metric : str
        One of :data:`ROW_METRICS`.
    index : ndarray of int, shape (n_rows,)
        The data rows tested (sorted).
    folds : ndarray of int, shape (n_rows, n_repeats)
        The fold each row was tested in, per repeat of the splits (-1: not tested in that repeat).
    column : ndarray of int, shape (n_replicates,)
        The column of each replicate of the curve's scores: replicates of one repeat
        and one subsample seed share a column, each filling its own test rows.
    repeat : ndarray of int, shape (n_columns,)
        The repeat each column belongs to.
    values : dict of str to ndarray, shape (n_sizes, n_columns, n_rows)
        Row scores per family (NaN where a row was not tested or the fit failed).
    """

    metric: str
    index: np.ndarray
    folds: np.ndarray
    column: np.ndarray
    repeat: np.ndarray
    values: dict

    @classmethod
    def empty(cls, metric: str, *, n_sizes: int, families, splits, used, n_seeds: int) -> "RowScores":
        """Room for every (size, replicate) of ``families`` on the test rows of the ``used`` splits."""
        index = np.unique(np.concatenate([splits[s][1] for s in used]))
        repeats = sorted({splits.label(s)[0] for s in used})
        folds = np.full((len(index), len(repeats)), -1)
        for s in used:
            rep, fold = splits.label(s)
            folds[np.searchsorted(index, splits[s][1]), repeats.index(rep)] = fold
        column = np.array([repeats.index(splits.label(s)[0]) * n_seeds + k for s in used for k in range(n_seeds)])
        repeat = np.repeat(np.arange(len(repeats)), n_seeds)
        values = {f: np.full((n_sizes, len(repeat), len(index)), np.nan) for f in families}
        return cls(metric, index, folds, column, repeat, values)

    def put(self, family: str, size: int, replicate: int, test_idx, scores) -> None:
        """Store one fit's row scores (the object is filled once, while the curve trains)."""
        self.values[family][size, self.column[replicate], np.searchsorted(self.index, test_idx)] = scores

    def keep(self, sizes) -> "RowScores":
        """The same rows for a subset of the size positions (sizes that were not skipped)."""
        return RowScores(self.metric, self.index, self.folds, self.column, self.repeat,
                         {f: v[list(sizes)] for f, v in self.values.items()})

    def test(self, a: str, b: str, size: int, *, difference: float) -> PairedTest:
        """Cross-validation test of ``a - b`` at size position ``size`` over the rows both scored.

        ``difference`` is the difference to report (of the replicate means, as the chart shows).
        Columns where either family has no score at all (a subsample slot the comparison's single
        fit leaves empty) are left out; rows missing in a kept column are left out by the test.
        """
        ra, rb = self.values[a][size], self.values[b][size]
        kept = np.isfinite(ra).any(axis=1) & np.isfinite(rb).any(axis=1)
        return cv_score_test(ra[kept].T, rb[kept].T, self.folds[:, self.repeat[kept]], difference=difference,
                             root=self.metric == "rmse", higher_is_better=METRICS[self.metric].higher_is_better,
                             a=a, b=b, metric=self.metric)

    def interval(self, family: str, size: int, *, mean: float) -> tuple[float, float]:
        """95% interval of ``family``'s mean score at size position ``size``, over the test rows.

        The interval Compare gives each family's score (the cross-validation interval, with the
        spread between splits), so at a largest size made of Compare's fits the two are the same.
        """
        r = self.values[family][size]
        kept = np.isfinite(r).any(axis=1)
        if not kept.any():
            return float("nan"), float("nan")
        return cv_score_interval(r[kept].T, self.folds[:, self.repeat[kept]], mean=mean,
                                 root=self.metric == "rmse")


def replicate_test(a_scores, b_scores, *, metric: str, test_fraction: float, a: str, b: str) -> PairedTest:
    """Corrected paired t-test of ``a - b`` over the replicates of one size (no row scores)."""
    return paired_test(a_scores, b_scores, test_fraction=test_fraction,
                       higher_is_better=METRICS[metric].higher_is_better, a=a, b=b, metric=metric)
