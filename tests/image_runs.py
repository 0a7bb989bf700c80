"""Small real comparisons of image data, made once per test process and shared by the explanation,
report and Explain-page tests (importable by name, like ``fakes``).

Each runs the real runner (``run_tasks`` with the image-aware model factory) on split 0 of 2 folds, with the
families' settings shrunk for speed (fewer C values, trees and epochs): the checks stay the same.
"""

from __future__ import annotations

import dataclasses
import functools

#: Settings that shrink each family's quick preset (applied with ``set_params`` after the factory). One thread
#: each: on a shared machine XGBoost's and torch's thread pools wait on each other far longer than they compute.
SMALL = {"linear": dict(Cs=3, cv=2), "gbm": dict(n_estimators=40, n_jobs=1),
         "deep": dict(max_epochs=4, channels=(8,), d_hidden=16, n_threads=1)}


def _small_factory(spec):
    from dllab.models import make_model

    def make(family, task, **kwargs):
        return make_model(family, task, data=spec, **kwargs).set_params(**SMALL[family])

    return make


def one_split(ds, families):
    """``(config, cmp)``: ``families`` fitted on split 0 of 2 folds of ``ds`` with the :data:`SMALL` settings."""
    from dllab.analyses.comparison import Comparison
    from dllab.config import RunConfig
    from dllab.models import data_spec
    from dllab.engine.runner import Task, run_tasks, task_seed
    from dllab.engine.splits import make_splits

    config = RunConfig(budget="quick", n_folds=2, families=tuple(families))
    splits = make_splits(ds.y, task=ds.task, n_folds=2, random_state=config.seed)
    tr, te = splits[0]
    tasks = [Task(family=f, split=0, train_idx=tr, test_idx=te, seed=task_seed(config.seed, f, 0)) for f in families]
    records = run_tasks(tasks, ds.X, ds.y, problem=ds.task, budget="quick", device="cpu",
                        make=_small_factory(data_spec(ds)))
    assert all(r.ok for r in records), [r.reason for r in records]
    cmp = Comparison(records, y=ds.y, task=ds.task, splits=splits,
                     n_classes=None if ds.classes is None else len(ds.classes))
    return config, cmp


def _subset(name, classes, n):
    """The built-in ``name`` restricted to its first ``n`` rows of ``classes`` (an image Dataset still)."""
    from dllab.datasets import load

    base = load(name)
    frame = base.frame[base.frame[base.target].isin(classes)].iloc[:n].reset_index(drop=True)
    return dataclasses.replace(base, frame=frame, name=f"{name}-{len(classes)}-classes", n_rows_total=len(frame),
                               task="binary" if len(classes) == 2 else "multiclass")


@functools.lru_cache(maxsize=1)
def digits_run():
    """``(ds, config, cmp)``: 150 digit images (8x8) of the classes 0, 1 and 2; linear, XGBoost and the CNN."""
    ds = _subset("digits", (0, 1, 2), 150)
    return (ds, *one_split(ds, ("linear", "gbm", "deep")))


@functools.lru_cache(maxsize=1)
def signal_run():
    """``(ds, config, cmp)``: 160 MNIST-1D signals (1x40) of the digits 0 and 1 (binary); linear and XGBoost."""
    ds = _subset("mnist1d", (0, 1), 160)
    return (ds, *one_split(ds, ("linear", "gbm")))
