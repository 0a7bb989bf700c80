import numpy as np

from dllab.engine.splits import make_splits


def test_stratified_splits_partition_rows_and_keep_class_shares():
    y = np.array([0] * 90 + [1] * 10)
    s = make_splits(y, task="binary", n_folds=5, n_repeats=2, random_state=0)
    assert len(s) == 10 and s.stratified
    for rep in range(2):
        test_rows = np.concatenate([s[rep * 5 + k][1] for k in range(5)])
        assert np.array_equal(np.sort(test_rows), np.arange(100))  # each repeat covers every row once
    assert all(y[te].sum() == 2 for _, te in s)
    assert s.test_fraction == 0.2


def test_splits_are_seeded():
    y = np.arange(50) % 3
    a = make_splits(y, task="multiclass", n_folds=3, random_state=1)
    b = make_splits(y, task="multiclass", n_folds=3, random_state=1)
    c = make_splits(y, task="multiclass", n_folds=3, random_state=2)
    assert all(np.array_equal(x[1], z[1]) for x, z in zip(a, b))
    assert not all(np.array_equal(x[1], z[1]) for x, z in zip(a, c))


def test_regression_splits_are_not_stratified():
    assert not make_splits(np.linspace(0, 1, 20), task="regression", n_folds=4).stratified
