"""Runs (family x split) fit/predict tasks through joblib, with a progress callback.

Every task gets its own child seed from ``SeedSequence(seed)`` keyed by the
family's ``seed_key`` (:mod:`dllab.families`) and the split index, so adding or
dropping a family never changes another family's numbers, and ``n_jobs`` never
changes any.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib
import time
import warnings
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass

import numpy as np
from joblib import Parallel, delayed
from threadpoolctl import threadpool_limits

from ..analyses.comparison import Comparison, FitRecord
from ..analyses.partial import PartialComparison
from ..config import RunConfig
from .. import families
from ..models import data_spec, make_model
from ..models.device import parallel_fits, resolve_device
from . import compute
from .compute import in_session
from .splits import make_splits

__all__ = ["Task", "Progress", "RunCancelled", "task_seed", "fit_predict", "run_tasks", "submission_order",
           "fits_at_a_time", "compare", "extend", "model_factory"]


#: With ``n_jobs=None``, tasks expected to take less than this in all (seconds, one at a time) run in this
#: process: starting worker processes (each imports torch and XGBoost) costs about this much.
POOL_WORTH_SECONDS = 6.0


class RunCancelled(RuntimeError):
    """The caller's ``should_stop`` asked the run to stop between tasks."""


@dataclass(frozen=True)
class Task:
    """One model fit: which family, on which rows, with which seed."""

    family: str
    split: int
    train_idx: np.ndarray
    test_idx: np.ndarray
    seed: int
    label: str = ""


@dataclass(frozen=True)
class Progress:
    """Passed to the progress callback after each finished task.

    ``done`` of ``total`` tasks have finished; ``task`` is the one just done
    (``record`` its result) and ``next_label`` describes the next one, if known.
    A comparison's progress also carries ``partial``, the
    :class:`~dllab.analyses.partial.PartialComparison` of the fits finished so far.
    """

    done: int
    total: int
    elapsed: float
    task: Task
    record: FitRecord
    next_label: str = ""
    partial: PartialComparison | None = None

    @property
    def fraction(self) -> float:
        return self.done / self.total if self.total else 1.0

    @property
    def text(self) -> str:
        r = self.record
        state = f"{r.fit_seconds:.1f} s" if r.ok else f"failed: {r.reason}"
        nxt = f" — next: {self.next_label}" if self.next_label else ""
        return f"{self.done}/{self.total} · {self.task.label} ({state}) · {self.elapsed:.0f} s elapsed{nxt}"


def task_seed(seed: int, family: str, split: int, *extra: int) -> int:
    """Child seed of (family, split, ...) that depends on nothing else.

    Examples
    --------
    >>> task_seed(0, "gbm", 1) == task_seed(0, "gbm", 1) != task_seed(0, "deep", 1)
    True
    """
    ss = np.random.SeedSequence(seed, spawn_key=(families.seed_key(family), split, *extra))
    return int(ss.generate_state(1, dtype=np.uint32)[0])


def fit_predict(task: Task, X, y, *, problem: str, budget: str, device: str, keep_model: bool = True,
                make=make_model) -> FitRecord:
    """Fit ``task.family`` on the task's training rows and predict its test rows.

    A model that raises anything (an ``Exception``) is reported as failed with its reason, and
    the run goes on: one family's odd failure (an ``AssertionError`` inside a library, a
    ``KeyError`` from a pipeline) never stops the others.
    """
    record = FitRecord(family=task.family, split=task.split, status="ok", test_idx=task.test_idx,
                       n_train=len(task.train_idx))
    try:
        model = make(task.family, problem, budget=budget, random_state=task.seed, device=device)
        X_tr, y_tr = X.iloc[task.train_idx], y[task.train_idx]
        X_te = X.iloc[task.test_idx]
        # One BLAS thread (scikit-learn's solvers): the linear model's predictions moved in the 11th digit
        # with the thread count (Adult, 1 against 2 threads), so the numbers would depend on n_jobs; XGBoost's
        # and torch's did not change, and keep the thread rule (dllab.models.device.fit_threads).
        with threadpool_limits(limits=1, user_api="blas"):
            t0 = time.perf_counter()
            model.fit(X_tr, y_tr)
            t1 = time.perf_counter()
            if problem == "regression":
                pred = np.asarray(model.predict(X_te), dtype=np.float64)
            else:
                pred = _aligned_proba(model, X_te, n_classes=int(y.max()) + 1)
            t2 = time.perf_counter()
    except Exception as exc:  # noqa: BLE001 - one family's failure, whatever it is, never stops the others
        record.status, record.reason = "failed", f"{type(exc).__name__}: {exc}".strip()[:500]
        record.device = _safe_device(device)
        return record
    if not np.all(np.isfinite(pred)):
        record.status, record.reason = "failed", "the model produced NaN or infinite predictions"
        return record
    record.prediction = pred
    record.fit_seconds, record.predict_seconds = t1 - t0, t2 - t1
    record.device = getattr(model, "device_", "cpu")
    record.info = {k: getattr(model, k) for k in ("n_estimators_", "n_epochs_", "n_steps_", "best_epoch_", "C_",
                                                  "alpha_") if hasattr(model, k)}
    if getattr(model, "max_steps", None) and getattr(model, "n_steps_", 0) >= model.max_steps:
        record.info["hit_step_budget"] = True  # stopped by the budget, not by early stopping
    record.model = model if keep_model else None
    return record


def _aligned_proba(model, X, *, n_classes: int) -> np.ndarray:
    # A training fold may lack a rare class: put each model column under its class index.
    proba = np.asarray(model.predict_proba(X), dtype=np.float64)
    if proba.shape[1] == n_classes and np.array_equal(model.classes_, np.arange(n_classes)):
        return proba
    out = np.zeros((proba.shape[0], n_classes))
    out[:, np.asarray(model.classes_, dtype=int)] = proba
    return out


def _safe_device(device: str) -> str:
    try:
        return resolve_device(device)
    except ValueError:
        return device


def run_tasks(tasks, X, y, *, problem: str, budget: str, device: str, n_jobs: int | None = None,
              cluster: str | None = None, progress=None, should_stop=None, keep_models: bool = True,
              make=make_model) -> list[FitRecord]:
    """Run tasks in worker processes of this machine (joblib's loky) or on ``cluster``'s workers.

    The tasks start cheap first (:func:`submission_order`): every family's first fit, then the
    rest by their expected cost, so the first numbers come within seconds. ``progress(Progress)``
    is called as each task finishes, in completion order; results are returned in task order.
    ``should_stop()`` is checked as each task finishes (on a cluster, every quarter second, and the
    pending tasks are cancelled); when it returns True the run raises :class:`RunCancelled`.

    Parameters
    ----------
    n_jobs : int or None, default=None
        Fits at a time in worker processes; ``None``: one per core, as memory allows
        (:func:`fits_at_a_time`). ``1`` runs them here, one at a time. The numbers do not depend on it.
    cluster : str or None
        A compute target (:func:`dllab.config.parse_cluster`; default: the enclosing
        :func:`dllab.engine.compute.session`'s); the numbers do not depend on it.
    """
    tasks = list(tasks)
    cluster = cluster or compute.current()
    start = time.perf_counter()
    options = dict(problem=problem, budget=budget, device=device, keep_model=keep_models, make=make)
    costs = _costs(tasks, budget=budget, problem=problem, n_columns=X.shape[1])
    order = submission_order([t.family for t in tasks], costs)
    finished = [False] * len(tasks)
    count = [0]
    if cluster is None:
        n_jobs = fits_at_a_time(len(tasks), sum(costs), n_jobs=n_jobs,
                                data_bytes=_data_bytes(X) if n_jobs is None else 0)
    sequential = cluster is None and n_jobs == 1

    def stop_if_asked():
        if should_stop is not None and count[0] < len(tasks) and should_stop():
            raise RunCancelled(f"stopped after {count[0]} of {len(tasks)} fits")

    def on_done(i, record):
        finished[i] = True
        count[0] += 1
        if progress is not None:
            # "next" is known only when one task runs at a time
            nxt = next((tasks[j].label for j in order if not finished[j]), "") if sequential else ""
            progress(Progress(done=count[0], total=len(tasks), elapsed=time.perf_counter() - start,
                              task=tasks[i], record=record, next_label=nxt))

    if cluster is not None:
        with compute.session(cluster) as open_cluster:
            ordered = compute.run_on(open_cluster, [tasks[j] for j in order], X, y, options=options,
                                     on_done=lambda k, record: on_done(order[k], record), should_stop=should_stop)
        records = [None] * len(tasks)
        for k, i in enumerate(order):
            records[i] = ordered[k]
        return records
    records = [None] * len(tasks)
    # Families registered in this process (plugins) travel with the tasks: a worker has only the built-ins.
    extra = families.registered_outside(t.family for t in tasks)
    from .estimate import libraries

    used = libraries({t.family for t in tasks}) if n_jobs != 1 else ()
    jobs = (delayed(_indexed)(i, tasks[i], X, y, options, extra, used) for i in order)
    # The generator yields as tasks finish: with n_jobs=1 the next task starts only when we ask
    # for it, so a stop request takes effect between tasks; with more, in completion order.
    mode = "generator" if n_jobs == 1 else "generator_unordered"
    results = Parallel(n_jobs=n_jobs, return_as=mode)(jobs)
    try:
        with warnings.catch_warnings():
            # loky says so when it replaces a worker whose memory grew (a large fit's working set): not the user's concern
            warnings.filterwarnings("ignore", "A worker stopped while some jobs were given", UserWarning)
            for i, record in results:
                records[i] = record
                on_done(i, record)
                stop_if_asked()
    except BrokenProcessPool:
        # A worker process died (killed for memory, a crash in a library): the pool is gone with the fits it
        # ran. Each unfinished fit runs again alone in a fresh worker, so only the one that kills its worker fails.
        for i in order:
            if records[i] is None:
                records[i] = _alone(i, tasks[i], X, y, options, extra)
                on_done(i, records[i])
                stop_if_asked()
    finally:
        with warnings.catch_warnings():  # joblib warns that the fits still running were cancelled: that is the point
            warnings.simplefilter("ignore", UserWarning)
            results.close()
    return records


def _alone(i: int, task: Task, X, y, options: dict, extra: tuple) -> FitRecord:
    """``task`` in a worker process of its own; a failed record naming why if that worker dies too."""
    try:  # n_jobs=1 would run it in this process: 2 gives it a worker of its own (one task, one worker)
        return Parallel(n_jobs=2)([delayed(_indexed)(i, task, X, y, options, extra)])[0][1]
    except BrokenProcessPool as exc:
        return FitRecord(family=task.family, split=task.split, status="failed", test_idx=task.test_idx,
                         n_train=len(task.train_idx),
                         reason=f"the worker process running this fit stopped each time it ran (out of memory, or a "
                                f"crash in a library): {exc}".strip()[:500])


def submission_order(families, costs) -> list[int]:
    """The order to start tasks in: each family's first task, then the others, cheapest first.

    ``families``: each task's family; ``costs``: each task's expected seconds. Every family thus
    has a first number early, and the fast families finish before the slow ones take the workers.

    Examples
    --------
    >>> submission_order(["deep", "linear", "deep", "linear"], [9.0, 0.1, 9.0, 0.1])
    [1, 0, 3, 2]
    """
    seen, first = set(), []
    for f in families:
        first.append(f not in seen)
        seen.add(f)
    return sorted(range(len(first)), key=lambda i: (not first[i], costs[i], i))


def _costs(tasks, *, budget: str, problem: str, n_columns: int) -> list[float]:
    """Each task's modelled seconds (:func:`dllab.engine.estimate.per_fit_seconds` on its training rows)."""
    from .estimate import per_fit_seconds

    return [per_fit_seconds(t.family, budget, n_train=len(t.train_idx), n_columns=n_columns, task=problem)
            for t in tasks]


def fits_at_a_time(n_tasks: int, seconds: float, *, n_jobs: int | None = None, data_bytes: int = 0) -> int:
    """How many of ``n_tasks`` fits :func:`run_tasks` runs at once in this machine's worker processes.

    ``n_jobs`` when given; otherwise :func:`~dllab.models.device.parallel_fits` (one per core, as the
    free memory allows for ``data_bytes`` of data), and 1 when the fits are expected to take less
    than :data:`POOL_WORTH_SECONDS` (``seconds``, one after another).

    Examples
    --------
    >>> fits_at_a_time(9, 2.0), fits_at_a_time(9, 60.0, n_jobs=3)
    (1, 3)
    """
    if n_jobs is None and seconds < POOL_WORTH_SECONDS:
        return 1  # starting the workers would cost more than it saves
    return parallel_fits(n_tasks, n_jobs=n_jobs, data_bytes=data_bytes)


def _data_bytes(X) -> int:
    return int(X.memory_usage(deep=True).sum()) if hasattr(X, "memory_usage") else int(getattr(X, "nbytes", 0))


def _indexed(i: int, task: Task, X, y, options: dict, extra_families: tuple = (), libraries: tuple = ()):
    families.register_missing(extra_families)  # in a worker process: the caller's plugin families
    # Every library of the run is loaded with the worker's first fit: loky takes a worker's memory after its
    # first task as its reference and restarts a worker that grows 300 MB beyond it, which torch's import
    # alone does (a restart costs the imports again, ~3 s).
    for module in libraries:
        importlib.import_module(module)
    return i, fit_predict(task, X, y, **options)


@in_session
def compare(ds, *, config: RunConfig | None = None, progress=None, should_stop=None,
            keep_models: bool = True) -> Comparison:
    """Run every family of ``config`` on the same repeated k-fold splits of ``ds``.

    Parameters
    ----------
    ds : Dataset
    config : RunConfig, optional
        Budget, folds, repeats, seed, device, families (default ``RunConfig()``).
    progress : callable, optional
        Called with a :class:`Progress` after each (family, split) fit.
    should_stop : callable, optional
        Checked between fits; returning True raises :class:`RunCancelled`.
    keep_models : bool, default=True
        Keep fitted models in the result (for explanations); False saves memory.

    Returns
    -------
    Comparison

    Examples
    --------
    >>> from dllab.datasets import load                                   # doctest: +SKIP
    >>> cmp = compare(load("breast_cancer"), config=RunConfig(budget="quick"))  # doctest: +SKIP
    >>> cmp.best()                                                         # doctest: +SKIP
    'linear'
    """
    config = (config or RunConfig()).for_data(ds)
    X, y = ds.X, ds.y
    splits = make_splits(y, task=ds.task, n_folds=config.resolved_folds, n_repeats=config.resolved_repeats,
                         random_state=config.seed)
    tasks = []
    for i, (tr, te) in enumerate(splits):
        rep, fold = splits.label(i)
        for fam in config.families:
            where = f"fold {fold + 1}/{splits.n_folds}" + (f", repeat {rep + 1}" if splits.n_repeats > 1 else "")
            tasks.append(Task(family=fam, split=i, train_idx=tr, test_idx=te, seed=task_seed(config.seed, fam, i),
                              label=f"{families.label(fam)}, {where}"))
    # where it ran: the config's cluster, or the enclosing session's; here, how many fits at a time
    cluster = config.cluster or compute.current()
    cfg = dict(config.to_dict(), cluster=cluster)
    at_once = None
    if cluster is None:
        costs = _costs(tasks, budget=config.budget, problem=ds.task, n_columns=X.shape[1])
        at_once = fits_at_a_time(len(tasks), sum(costs), n_jobs=config.n_jobs, data_bytes=_data_bytes(X))
    n_classes = None if ds.classes is None else len(ds.classes)
    t0 = time.perf_counter()
    records = run_tasks(tasks, X, y, problem=ds.task, budget=config.budget, device=config.device,
                        n_jobs=config.n_jobs if at_once is None else at_once,  # decided once, above
                        cluster=config.cluster, should_stop=should_stop, progress=_with_partial(progress, dict(
                            y=y, task=ds.task, splits=splits, families=config.families, n_classes=n_classes,
                            dataset=ds.summary(), config=cfg)),
                        keep_models=keep_models, make=model_factory(config, ds))
    wall = time.perf_counter() - t0
    return Comparison(records, y=y, task=ds.task, splits=splits, dataset=ds.summary(), config=cfg,
                      wall_seconds=wall, n_classes=n_classes, fits_at_a_time=at_once)


def _with_partial(progress, context: dict):
    """``progress`` with each report's :class:`PartialComparison` (of ``context``) added (None stays None)."""
    if progress is None:
        return None
    finished = []

    def call(p: Progress):
        finished.append(p.record)
        progress(dataclasses.replace(p, partial=PartialComparison(finished, **context)))

    return call


@in_session
def extend(cmp: Comparison, ds, *, families, repeats: int, config: RunConfig | None = None, progress=None,
           should_stop=None, keep_models: bool = True) -> Comparison:
    """``cmp`` with more repeats of its folds for ``families``, fitting only what is new.

    The splits of ``repeats`` repeats begin with the current ones (one seed draws them all), so
    every fit already made is kept, and only the new repeats of ``families`` are fitted, with the
    seeds a run with ``repeats`` from the start would use: the numbers are those of that run.
    Families not extended keep their splits; tests pair each two families on the splits both have.

    Parameters
    ----------
    cmp : Comparison
    ds : Dataset
        The data ``cmp`` was run on.
    families : sequence of str
        Families to extend (a verdict's ``next_run.families``).
    repeats : int
        Repeats in all (more than ``cmp``'s).
    config : RunConfig, optional
        ``cmp``'s settings (default: rebuilt from ``cmp.config``).

    Examples
    --------
    >>> from dllab.datasets import load                                                    # doctest: +SKIP
    >>> ds = load("penguins"); cmp = compare(ds, config=RunConfig(budget="quick"))        # doctest: +SKIP
    >>> len(extend(cmp, ds, families=["gbm", "deep"], repeats=4).splits)                    # doctest: +SKIP
    12
    """
    cmp.check_dataset(ds)
    config = config or RunConfig(**{k: v for k, v in cmp.config.items()
                                    if k in ("budget", "n_folds", "seed", "device", "families")
                                    and not (k == "families" and v is None)})
    old = cmp.splits
    if repeats <= old.n_repeats:
        raise ValueError(f"repeats={repeats} must be more than the comparison's {old.n_repeats}")
    splits = make_splits(ds.y, task=ds.task, n_folds=old.n_folds, n_repeats=repeats, random_state=old.random_state)
    if any(not np.array_equal(a[1], b[1]) for a, b in zip(old, splits)):
        raise AssertionError("internal error in dllab.engine.runner.extend: the longer run's first splits differ")
    tasks = []
    for i in range(len(old), len(splits)):
        tr, te = splits[i]
        rep, fold = splits.label(i)
        for fam in families:
            tasks.append(Task(family=fam, split=i, train_idx=tr, test_idx=te, seed=task_seed(config.seed, fam, i),
                              label=f"{_label(fam)}, fold {fold + 1}/{splits.n_folds}, repeat {rep + 1}"))
    t0 = time.perf_counter()
    new = run_tasks(tasks, ds.X, ds.y, problem=ds.task, budget=config.budget, device=config.device,
                    n_jobs=config.n_jobs, cluster=config.cluster, progress=progress, should_stop=should_stop,
                    keep_models=keep_models, make=model_factory(config, ds))
    wall = time.perf_counter() - t0
    cfg = dict(cmp.config, repeats_extended={"families": list(families), "repeats": int(repeats)})
    return Comparison([*cmp.records, *new], y=cmp.y, task=cmp.task, splits=splits, dataset=cmp.dataset,
                      config=cfg, wall_seconds=cmp.wall_seconds + wall, n_classes=cmp.n_classes,
                      fits_at_a_time=getattr(cmp, "fits_at_a_time", None))


def _label(fam: str) -> str:
    # extend() has a parameter named families, which hides the module there
    return families.label(fam)


def model_factory(config: RunConfig, ds=None):
    """The ``make(family, task, *, budget, random_state, device)`` function for ``config``'s budget.

    ``thorough`` wraps each family in the equal-time search; other budgets use ``make_model``.
    For image and text datasets (``ds.modality``) it is ``make_model`` told about the data
    (``data=data_spec(ds)``); those have no search, so ``thorough`` trains the standard models.
    """
    spec = data_spec(ds) if ds is not None else None
    if spec is not None and spec.modality != "tabular":
        return functools.partial(make_model, data=spec)
    if config.budget != "thorough":
        return make_model
    from ..models.search import make_searched_model

    return make_searched_model
