"""Repeated (stratified) k-fold splits that every model family shares."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
from sklearn.model_selection import RepeatedKFold, RepeatedStratifiedKFold

__all__ = ["Splits", "make_splits"]


@dataclass(frozen=True, eq=False)
class Splits:
    """The train/test index pairs of a repeated k-fold, fixed once and shared.

    Attributes
    ----------
    folds : list of (ndarray, ndarray)
        ``(train_idx, test_idx)`` in order repeat 0 fold 0, repeat 0 fold 1, ...
    n_folds, n_repeats : int
    stratified : bool
    random_state : int
    """

    folds: tuple
    n_folds: int
    n_repeats: int
    stratified: bool
    random_state: int

    def __len__(self):
        return len(self.folds)

    def __iter__(self):
        return iter(self.folds)

    def __getitem__(self, i):
        return self.folds[i]

    def label(self, i: int) -> tuple[int, int]:
        """``(repeat, fold)`` of split ``i``."""
        return divmod(i, self.n_folds)

    @cached_property
    def test_fraction(self) -> float:
        """Mean n_test / n, used by the corrected resampled t-test."""
        n = sum(len(tr) + len(te) for tr, te in self.folds)
        return sum(len(te) for _, te in self.folds) / n

    def to_dict(self) -> dict:
        return {"n_folds": self.n_folds, "n_repeats": self.n_repeats, "stratified": self.stratified,
                "random_state": self.random_state}


def make_splits(y, *, task: str, n_folds: int = 5, n_repeats: int = 1, random_state: int = 0) -> Splits:
    """Seeded repeated k-fold splits, stratified on ``y`` for classification.

    Examples
    --------
    >>> import numpy as np
    >>> s = make_splits(np.array([0, 1] * 10), task="binary", n_folds=5, n_repeats=2)
    >>> len(s), s.label(6)
    (10, (1, 1))
    """
    y = np.asarray(y)
    stratified = task != "regression"
    if stratified:
        cv = RepeatedStratifiedKFold(n_splits=n_folds, n_repeats=n_repeats, random_state=random_state)
    else:
        cv = RepeatedKFold(n_splits=n_folds, n_repeats=n_repeats, random_state=random_state)
    folds = tuple((tr.astype(np.int64), te.astype(np.int64)) for tr, te in cv.split(np.zeros(len(y)), y))
    return Splits(folds=folds, n_folds=n_folds, n_repeats=n_repeats, stratified=stratified,
                  random_state=random_state)
