"""Which training sizes a curve uses, and the nested, stratified subsamples behind them.

:func:`candidate_sizes` picks the sizes (the 1-2.5-5 series below the rows of a
fold, then the whole fold); :func:`nested_order` gives the seeded permutation
whose prefixes are the subsamples, so a larger size always contains the smaller ones.
"""

from __future__ import annotations

import numpy as np

from ._common import _MIN_ROWS
from ...errors import ConfigError

#: The 1-2.5-5 series the default sizes come from (clipped to the rows available).
DEFAULT_SIZES = tuple(int(m * 10 ** e) for e in range(2, 9) for m in (1, 2.5, 5))
_SMALL_EXTRA = (25, 50)          # added when the data is too small for 4 default sizes
_FRONT_PER_CLASS = 3             # every subsample starts with (up to) 3 rows of each class
_NEAR_FULL = 1.2                 # a default size within 20% of the full fold is replaced by it

_BAD_SIZES = ("sizes={value!r} leaves no usable size: sizes must be integers between {low:,} and {high:,} "
              "(the training rows of a fold). Pass sizes in that range, or None for the defaults.")


def candidate_sizes(n_available: int, *, sizes=None, min_size: int = _MIN_ROWS) -> tuple[list[int], list[str]]:
    """The sizes a curve uses, and notes on any that were dropped.

    Parameters
    ----------
    n_available : int
        Training rows of the fold (the largest possible size).
    sizes : sequence of int, optional
        Requested sizes. ``None`` takes the 1-2.5-5 series (100, 250, 500,
        1,000, ...) below ``n_available`` plus ``n_available`` itself; a
        series value within 20% of ``n_available`` is left out in its favour,
        and 25 and 50 are added when that gives fewer than 4 sizes.
        Requested sizes above ``n_available`` or below ``min_size`` are dropped
        (with a note).
    min_size : int, default=20

    Returns
    -------
    (sizes, notes) : (list of int, list of str)

    Raises
    ------
    ConfigError
        If no requested size is usable.

    Examples
    --------
    >>> candidate_sizes(3000)[0]
    [100, 250, 500, 1000, 3000]
    >>> candidate_sizes(379)[0]
    [25, 50, 100, 250, 379]
    >>> candidate_sizes(1000, sizes=[10, 300, 5000], min_size=20)
    ([300], ['sizes below 20 rows were dropped: 10', 'sizes above the 1,000 training rows of a fold were dropped: 5,000'])
    """
    n_available, min_size = int(n_available), int(min_size)
    notes = []
    if sizes is None:
        out = [s for s in DEFAULT_SIZES if s * _NEAR_FULL < n_available and s >= min_size]
        if len(out) < 3:
            out = sorted({*out, *(s for s in _SMALL_EXTRA if s >= min_size and s * _NEAR_FULL < n_available)})
        return [*out, n_available], notes
    try:
        values = [float(v) for v in np.atleast_1d(np.asarray(sizes, dtype=object))]
    except (TypeError, ValueError):
        values = [float("nan")]
    if not values or not all(np.isfinite(v) and v == int(v) for v in values):
        raise ConfigError(_BAD_SIZES.format(value=sizes, low=min_size, high=n_available))
    asked = sorted({int(v) for v in values})
    low = [s for s in asked if s < min_size]
    high = [s for s in asked if s > n_available]
    out = [s for s in asked if min_size <= s <= n_available]
    if low:
        notes.append(f"sizes below {min_size:,} rows were dropped: {', '.join(f'{s:,}' for s in low)}")
    if high:
        notes.append(f"sizes above the {n_available:,} training rows of a fold were dropped: "
                     f"{', '.join(f'{s:,}' for s in high)}")
    if not out:
        raise ConfigError(_BAD_SIZES.format(value=list(sizes), low=min_size, high=n_available))
    return out, notes


def nested_order(train_idx, y, *, task: str, random_state: int | None = 0) -> np.ndarray:
    """A seeded permutation of ``train_idx`` whose every prefix is a stratified subsample.

    The rows of size ``n`` are ``order[:n]``, so a larger subsample always
    contains the smaller ones. For classification each class is shuffled and
    spread evenly along the order (row ``i`` of a class with ``m`` rows sits at
    ``(i + u) / m``, ``u`` uniform), after putting up to 3 rows of every class
    first: every prefix of at least ``3 x n_classes`` rows holds every class,
    and each class's share of any prefix is within a couple of rows of its
    share of the fold. For regression the same is done on 10 quantile bins of
    the target, without the front rows.

    Parameters
    ----------
    train_idx : array of int
        Row positions of the training fold.
    y : array
        Target of the whole dataset (class indices or values).
    task : {"binary", "multiclass", "regression"}
    random_state : int or None, default=0

    Returns
    -------
    ndarray of int, a permutation of ``train_idx``

    Examples
    --------
    >>> import numpy as np
    >>> y = np.array([0] * 90 + [1] * 10)
    >>> order = nested_order(np.arange(100), y, task="binary", random_state=0)
    >>> sorted(order.tolist()) == list(range(100)), np.bincount(y[order[:20]]).tolist()
    (True, [17, 3])
    """
    train_idx = np.asarray(train_idx, dtype=np.int64)
    rng = np.random.default_rng(random_state)
    yt = np.asarray(y)[train_idx]
    if task == "regression":
        edges = np.quantile(yt, np.linspace(0, 1, 11)[1:-1])
        groups, front = np.searchsorted(edges, yt, side="right"), 0
    else:
        groups, front = np.unique(yt, return_inverse=True)[1], _FRONT_PER_CLASS
    keys = np.empty(len(train_idx))
    for g in np.unique(groups):
        members = rng.permutation(np.flatnonzero(groups == g))
        m = len(members)
        k = (np.arange(m) + rng.random(m)) / m
        k[:front] -= 1.0  # the first rows of every class go before everything else
        keys[members] = k
    return train_idx[np.argsort(keys, kind="stable")]
