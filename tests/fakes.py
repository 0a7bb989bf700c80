"""Hand-made results shared by the plot tests and the app tests (no training), and a model maker that crashes."""

from __future__ import annotations

import numpy as np


def fake_comparison(task="binary", *, fail=(), seconds=None):
    """A Comparison from hand-made predictions (no training): 3 folds x 2 repeats on 120 rows."""
    from dllab.analyses.comparison import Comparison, FitRecord
    from dllab.families import default_families
    from dllab.engine.splits import make_splits

    FAMILIES = default_families()  # tabular: "transfer" (text data only) is not faked here
    rng = np.random.default_rng(0)
    n = 120
    y = rng.integers(0, 2, n) if task == "binary" else rng.normal(size=n)
    splits = make_splits(y, task=task, n_folds=3, n_repeats=2, random_state=0)
    seconds = seconds or {"linear": 0.05, "gbm": 0.8, "deep": 12.0}
    records = []
    for i, (_, te) in enumerate(splits):
        for k, fam in enumerate(FAMILIES):
            if fam in fail:
                records.append(FitRecord(family=fam, split=i, status="failed", test_idx=te, reason="boom"))
                continue
            if task == "binary":
                p1 = np.clip(0.5 + (2 * y[te] - 1) * (0.1 + 0.1 * k) + rng.normal(0, 0.2, len(te)), 0.01, 0.99)
                pred = np.column_stack([1 - p1, p1])
            else:
                pred = y[te] + rng.normal(0, 1.0 - 0.2 * k, len(te))
            records.append(FitRecord(family=fam, split=i, status="ok", test_idx=te, prediction=pred,
                                     fit_seconds=seconds[fam], predict_seconds=0.01))
    return Comparison(records, y=y, task=task, splits=splits)


def make_dying_in_a_worker(family, task, **kw):
    """``make_model``, except that a gbm fit in a worker process kills that process, as the kernel's
    out-of-memory killer would."""
    import multiprocessing
    import os

    from dllab.models import make_model

    if family == "gbm" and multiprocessing.parent_process() is not None:
        os._exit(3)
    return make_model(family, task, **kw)


def build_histogram_boosting(task, *, budget, random_state, device, data=None):
    """A family from outside the package (scikit-learn's histogram boosting), importable by worker processes."""
    from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor

    cls = HistGradientBoostingRegressor if task == "regression" else HistGradientBoostingClassifier
    return cls(max_iter=20, random_state=random_state)
