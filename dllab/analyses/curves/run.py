"""Training a data-size curve: :func:`learning_curve` plans the fits per size, runs them and builds the result.

It checks the arguments, splits the data as :func:`dllab.compare` does, draws one
nested subsample order per used split and seed, reuses a matching comparison's
fits for the full-size point, honours a time budget, and collects notes on what
was skipped, reused or failed.
"""

from __future__ import annotations

import dataclasses
import time

import numpy as np

from ._common import _MIN_ROWS, _num
from .result import LearningCurve
from .rows import ROW_METRICS, RowScores, row_scores
from .sizes import candidate_sizes, nested_order
from ...config import RunConfig
from ...errors import ConfigError
from ...metrics import METRICS, metrics_for, primary_metric
from ... import families as registry
from ...engine.compute import in_session

_MIN_PER_CLASS = 5               # no curve point below 5 rows per class either
_SUBSAMPLE_KEY = 100             # SeedSequence spawn key of the subsample permutations (families use 0-2)

_BAD_SEEDS = "n_seeds={value!r} is not valid; it must be an integer between 1 and 20."
_BAD_FOLDS = ("folds={value!r} is not valid; it must be an integer between 1 and {high} (the splits of the config), "
              "or None for all of them.")
_TOO_SMALL = ("the training fold has {n:,} rows, fewer than the {low:,} a curve needs "
              "({per_class} rows per class, at least {floor}); use more data or fewer folds.")
_BAD_BUDGET = "time_budget={value!r} is not valid; it must be a number of seconds > 0, or None."
_BAD_COMPARISON = ("comparison does not match this run: {what}. Pass a Comparison computed with the same "
                   "dataset and RunConfig (seed, folds, repeats), or comparison=None.")


@in_session
def learning_curve(ds, *, config: RunConfig, sizes=None, n_seeds: int = 1, folds: int | None = None, progress=None,
                   should_stop=None, comparison=None, time_budget: float | None = None,
                   n_boot: int = 200, make=None) -> LearningCurve:
    """Train every family on nested subsamples of growing size and build the :class:`LearningCurve`.

    Parameters
    ----------
    ds : Dataset
    config : RunConfig
        Budget, folds, repeats, seed, device, families, n_jobs, as for :func:`dllab.compare`.
    sizes : sequence of int, optional
        Training sizes. Default: 100, 250, 500, 1,000, 2,500, ... below the
        training rows of a fold, then all of them (see :func:`candidate_sizes`).
        Sizes above the rows available, or below ``max(20, 5 x n_classes)``,
        are dropped with a note.
    n_seeds : int, default=1
        Subsamples per size and split: each is the prefix of its own seeded,
        stratified permutation of the training fold (see :func:`nested_order`).
    folds : int or None, default=None
        How many of the config's splits to use, first ones first; ``None``: all
        of them. Every size is scored on the same test fold(s); cost is
        ``folds x n_seeds`` fits per family and size. All splits is the default
        because then the largest size *is* the comparison: with ``comparison``
        its scores are the comparison's own, and the paired test there is
        Compare's; and every row is scored at every size. ``folds=1`` costs
        less but scores one split's test rows, so its numbers differ from
        Compare's.
    progress : callable, optional
        Called with a :class:`dllab.engine.runner.Progress` after each fit; its task
        label reads like ``"Deep network, 2,500 rows, seed 2/3, split 1/3"`` (no seed with one
        subsample per split, no split with one split), and
        ``done``/``total`` count over the whole curve.
    should_stop : callable, optional
        Checked between fits; returning True raises :class:`dllab.engine.runner.RunCancelled`.
    comparison : Comparison, optional
        A comparison of the same dataset and config. Its fits on the used splits
        are the full-size point (replicate 0 of each split) instead of new fits.
        The full size is each split's whole training fold (they can differ by a row).
        On one split with several subsamples, the other subsamples' slots at the full
        size are trained (the model seed differs), so that its paired test has more
        than one fit to read.
    time_budget : float, optional
        Seconds. Before each size after the first, its cost is estimated as the
        previous size's wall time scaled by the ratio of sizes; sizes that would
        overrun the budget are skipped (all larger ones too), with a note.
    n_boot : int, default=200
        Resamples for the fit uncertainty.
    make : callable, optional
        Model factory with the signature of :func:`dllab.models.make_model`
        (as in :func:`dllab.engine.runner.run_tasks`); default: the config's.

    Returns
    -------
    LearningCurve

    Raises
    ------
    ConfigError
        For invalid ``n_seeds``, ``folds``, ``sizes``, ``time_budget`` or a comparison
        from another run.
    DataError
        If a training fold is too small for any curve point.

    Examples
    --------
    >>> from dllab.datasets import load                                           # doctest: +SKIP
    >>> cfg = RunConfig(budget="quick", families=("linear", "gbm"))               # doctest: +SKIP
    >>> lc = learning_curve(load("breast_cancer"), config=cfg)                    # doctest: +SKIP
    >>> print(lc.conclusion())                                                     # doctest: +SKIP
    """
    from ...errors import DataError
    from ...engine.runner import RunCancelled, Task, model_factory, run_tasks, task_seed
    from ...engine.splits import make_splits

    if isinstance(n_seeds, bool) or not isinstance(n_seeds, (int, np.integer)) or not 1 <= n_seeds <= 20:
        raise ConfigError(_BAD_SEEDS.format(value=n_seeds))
    if time_budget is not None and (isinstance(time_budget, bool) or not isinstance(time_budget, (int, float))
                                    or not time_budget > 0):
        raise ConfigError(_BAD_BUDGET.format(value=time_budget))
    X, y, task = ds.X, ds.y, ds.task
    splits = make_splits(y, task=task, n_folds=config.resolved_folds, n_repeats=config.resolved_repeats,
                         random_state=config.seed)
    if folds is None:
        folds = len(splits)
    if isinstance(folds, bool) or not isinstance(folds, (int, np.integer)) or not 1 <= folds <= len(splits):
        raise ConfigError(_BAD_FOLDS.format(value=folds, high=len(splits)))
    used = list(range(int(folds)))
    n_classes = None if ds.classes is None else len(ds.classes)
    min_size = _MIN_ROWS if n_classes is None else max(_MIN_ROWS, _MIN_PER_CLASS * n_classes)
    n_available = min(len(splits[s][0]) for s in used)
    if n_available < min_size:
        raise DataError(_TOO_SMALL.format(n=n_available, low=min_size, per_class=_MIN_PER_CLASS, floor=_MIN_ROWS))
    size_list, notes = candidate_sizes(n_available, sizes=sizes, min_size=min_size)
    families = list(config.families)
    n_rep = len(used) * n_seeds

    reuse = _reusable(comparison, splits=splits, used=used, families=families, config=config)
    orders = {(s, k): nested_order(splits[s][0], y, task=task, random_state=_subsample_seed(config.seed, s, k))
              for s in used for k in range(n_seeds)}

    def plan(n):
        out = []  # (task, seed index)
        full = n == n_available  # the whole training fold of every split (folds can differ by a row)
        for s in used:
            for k in range(n_seeds):
                for f in families:
                    if full and (f, s) in reuse and (k == 0 or len(used) > 1):
                        # The comparison's fit is this point (k == 0). With several splits the other
                        # slots stay empty, so that the point is the comparison's; with one split they
                        # are trained (other model seeds), or its paired test would have one fit to read.
                        continue
                    seed = f", seed {k + 1}/{n_seeds}" if n_seeds > 1 else ""
                    where = f", split {s + 1}/{len(splits)}" if len(used) > 1 else ""
                    rows = orders[s, k] if full else orders[s, k][:n]
                    out.append((Task(family=f, split=s, train_idx=rows, test_idx=splits[s][1],
                                     seed=task_seed(config.seed, f, s, n, k),
                                     label=f"{registry.label(f)}, {n:,} rows{seed}{where}"), k))
        return out

    plans = [plan(n) for n in size_list]
    total = sum(len(p) for p in plans)
    metric_names = [m.name for m in metrics_for(task)]
    shape = (len(size_list), n_rep)
    all_scores = {f: {m: np.full(shape, np.nan) for m in metric_names} for f in families}
    secs = {f: np.full(shape, np.nan) for f in families}
    failures = {}
    budget_hit = {}  # family -> sizes where a fit stopped on its step budget
    maker = make or model_factory(config, ds)
    metric = primary_metric(task).name
    rows = (RowScores.empty(metric, n_sizes=len(size_list), families=families, splits=splits, used=used,
                            n_seeds=n_seeds) if metric in ROW_METRICS else None)

    def store(record, i, s, k):
        r = used.index(s) * n_seeds + k
        if record.ok:
            for m in metric_names:
                all_scores[record.family][m][i, r] = METRICS[m](y[record.test_idx], record.prediction,
                                                                n_classes=n_classes)
            secs[record.family][i, r] = record.fit_seconds
            if rows is not None:
                rows.put(record.family, i, r, record.test_idx, row_scores(metric, y[record.test_idx],
                                                                          record.prediction))
        else:
            failures.setdefault(record.family, (int(size_list[i]), record.reason))

    done, start, last_run, skipped = 0, time.perf_counter(), None, []  # last_run: (size, wall seconds)
    # Without a time budget every size's fits go out at once (a cluster or n_jobs > 1 runs them side by side);
    # with one, size by size, so that the next size is skipped when its estimate would pass the budget.
    waves = [list(range(len(size_list)))] if time_budget is None else [[i] for i in range(len(size_list))]
    for wave in waves:
        for i in wave:
            if size_list[i] == n_available:
                for f, s in reuse:
                    store(reuse[f, s], i, s, 0)
        wave = [i for i in wave if plans[i]]
        if not wave:
            continue
        n = size_list[wave[0]]
        elapsed = time.perf_counter() - start
        if time_budget is not None and (skipped or (last_run is not None
                                                    and elapsed + last_run[1] * n / last_run[0] > time_budget)):
            if not skipped:
                estimate = last_run[1] * n / last_run[0]
                notes.append(f"time budget: sizes from {n:,} rows up were not trained; the next size was estimated "
                             f"at {estimate:.0f} s with {elapsed:.0f} s of the {time_budget:.0f} s budget used")
            skipped.append(n)
            total -= len(plans[wave[0]])
            continue
        if should_stop is not None and done and should_stop():
            raise RunCancelled(f"stopped after {done} of {total} fits")
        pairs = [(i, t, k) for i in wave for t, k in plans[i]]
        tasks = [t for _, t, _ in pairs]
        following = next((plans[j][0][0].label for j in range(wave[-1] + 1, len(plans)) if plans[j]), "")

        def relay(p, offset=done, following=following):
            progress(dataclasses.replace(p, done=offset + p.done, total=total, elapsed=time.perf_counter() - start,
                                         next_label=p.next_label or following))

        t0 = time.perf_counter()
        records = run_tasks(tasks, X, y, problem=task, budget=config.budget, device=config.device,
                            n_jobs=config.n_jobs, cluster=config.cluster,
                            progress=relay if progress is not None else None,
                            should_stop=should_stop, keep_models=False, make=maker)
        last_run = (n, time.perf_counter() - t0)
        done += len(tasks)
        for (i, t, k), rec in zip(pairs, records):
            store(rec, i, t.split, k)
            if rec.info.get("hit_step_budget"):
                budget_hit.setdefault(rec.family, set()).add(size_list[i])

    # A skipped size disappears unless the comparison supplied some of its values.
    skipped = [n for n in skipped if not (reuse and n == n_available)]
    keep = [i for i, n in enumerate(size_list) if n not in skipped]
    size_list = [size_list[i] for i in keep]
    for f in families:
        secs[f] = secs[f][keep]
        for m in metric_names:
            all_scores[f][m] = all_scores[f][m][keep]
    if rows is not None:
        rows = rows.keep(keep)
    matches = bool(reuse) and len(used) == len(splits) and all((f, s) in reuse for f in families for s in used)
    if reuse and not matches:
        notes.append(f"the largest size ({n_available:,} rows) reuses the comparison's fits on "
                     f"{'split' if len(used) == 1 else 'splits'} {', '.join(str(s + 1) for s in used)} of its "
                     f"{len(splits)}")
    for f, (n, reason) in failures.items():
        notes.append(f"{registry.label(f)} failed at least once (first at {n:,} rows): {reason}")
    for f, hit in ((f, budget_hit[f]) for f in registry.ordered(budget_hit)):
        hit = sorted(n for n in hit if n in size_list)
        if hit:
            notes.append(f"{registry.label(f)} used its whole training budget (step limit of the "
                         f"'{config.budget}' budget) before early stopping at {', '.join(f'{n:,}' for n in hit)} "
                         f"rows: there its score reflects the budget as much as the data, and the curve may bend "
                         f"for that reason; a larger budget or a GPU gives a fairer curve")
    if n_seeds == 1 and len(used) == 1:
        notes.append("one subsample on one split: no bands, and the fit has no replicates to resample")
    design = {"folds_used": [s + 1 for s in used], "n_splits": len(splits), "n_seeds": n_seeds,
              "n_train_available": n_available, "n_test": [int(len(splits[s][1])) for s in used],
              "rows_tested": int(len(np.unique(np.concatenate([splits[s][1] for s in used])))),
              "replicates": "split-major: r = split * n_seeds + seed", "reused_comparison": bool(reuse),
              "matches_comparison": matches,
              # the replicate test's correction (Nadeau-Bengio) applies when replicates span splits
              "replicate_test_fraction": float(splits.test_fraction) if len(used) > 1 else 0.0,
              "wall_seconds": _num(time.perf_counter() - start), "skipped_sizes": skipped}
    return LearningCurve(size_list, {f: all_scores[f][metric] for f in families}, metric=metric,
                         fit_seconds=secs, metric_scores=all_scores, row_scores=rows, n_boot=n_boot,
                         random_state=config.seed, notes=notes, dataset=ds.summary(), config=config.to_dict(),
                         design=design)


def _subsample_seed(seed: int, split: int, seed_index: int) -> int:
    # Shared by every family (the families see the same rows); spawn key 100 never meets a family's 0-2.
    ss = np.random.SeedSequence(seed, spawn_key=(_SUBSAMPLE_KEY, split, seed_index))
    return int(ss.generate_state(1, dtype=np.uint32)[0])


def _reusable(comparison, *, splits, used, families, config) -> dict:
    """{(family, split): FitRecord} of the comparison that can stand in for the full-size point."""
    if comparison is None:
        return {}
    cs = comparison.splits
    what = None
    if (cs.n_folds, cs.n_repeats, cs.random_state) != (splits.n_folds, splits.n_repeats, splits.random_state):
        what = (f"its splits are {cs.n_folds} folds x {cs.n_repeats} repeats with seed {cs.random_state}, "
                f"this run's are {splits.n_folds} x {splits.n_repeats} with seed {splits.random_state}")
    elif any(not np.array_equal(cs[s][1], splits[s][1]) for s in used):
        what = "its test folds differ (another dataset?)"
    elif comparison.config.get("budget", config.budget) != config.budget:
        what = f"its budget is {comparison.config.get('budget')!r}, this run's is {config.budget!r}"
    if what:
        raise ConfigError(_BAD_COMPARISON.format(what=what))
    return {(r.family, r.split): r for r in comparison.records if r.family in families and r.split in used}
