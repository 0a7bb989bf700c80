import numpy as np
import pytest

from dllab.analyses.comparison import Comparison
from dllab.config import RunConfig
from dllab.models import make_model
from dllab.engine.runner import RunCancelled, Task, compare, run_tasks, task_seed
from dllab.engine.splits import make_splits

QUICK = dict(budget="quick", n_folds=3, families=("linear", "gbm"))


def test_every_family_gets_identical_splits(binary_ds):
    cmp = compare(binary_ds, config=RunConfig(**QUICK))
    by_split = {}
    for r in cmp.records:
        by_split.setdefault(r.split, []).append(r)
    assert len(by_split) == 3
    for recs in by_split.values():
        assert {r.family for r in recs} == {"linear", "gbm"}
        assert all(np.array_equal(recs[0].test_idx, r.test_idx) for r in recs)
        assert all(r.n_train == len(binary_ds.y) - len(r.test_idx) for r in recs)


def test_same_seed_same_numbers_and_other_seed_differs(binary_ds):
    a = compare(binary_ds, config=RunConfig(seed=7, **QUICK)).scores
    b = compare(binary_ds, config=RunConfig(seed=7, **QUICK)).scores
    c = compare(binary_ds, config=RunConfig(seed=8, **QUICK)).scores
    assert a.equals(b)
    assert not a.equals(c)


def test_dropping_a_family_leaves_the_others_numbers_unchanged(binary_ds):
    both = compare(binary_ds, config=RunConfig(**QUICK)).scores
    gbm_only = compare(binary_ds, config=RunConfig(budget="quick", n_folds=3, families=("gbm",))).scores
    assert np.array_equal(both[both.family == "gbm"]["accuracy"].to_numpy(), gbm_only["accuracy"].to_numpy())


def test_task_seed_depends_only_on_family_and_split():
    seeds = {task_seed(0, f, s) for f in ("linear", "gbm", "deep") for s in range(5)}
    assert len(seeds) == 15


def test_progress_callback_reports_every_task_in_order(binary_ds):
    seen = []
    compare(binary_ds, config=RunConfig(**QUICK), progress=seen.append)
    assert [p.done for p in seen] == list(range(1, 7))
    assert all(p.total == 6 for p in seen)
    # one fit at a time: each progress names the fit that starts next
    assert all(a.next_label == b.task.label for a, b in zip(seen, seen[1:])) and seen[-1].next_label == ""
    assert seen[0].task.label.endswith("fold 1/3") and seen[1].task.label.endswith("fold 1/3")
    assert seen[-1].fraction == 1.0 and "6/6" in seen[-1].text


def test_should_stop_cancels_between_tasks(binary_ds):
    calls = []
    with pytest.raises(RunCancelled, match="stopped after 2 of 6 fits"):
        compare(binary_ds, config=RunConfig(**QUICK), progress=calls.append, should_stop=lambda: len(calls) >= 2)
    assert len(calls) == 2


def _broken_make(family, task, **kw):
    if family == "gbm":
        raise RuntimeError("out of memory on purpose")
    return make_model(family, task, **kw)


def test_a_failing_model_is_reported_and_the_others_finish(binary_ds):
    X, y = binary_ds.X, binary_ds.y
    splits = make_splits(y, task="binary", n_folds=3)
    tasks = [Task(family=f, split=i, train_idx=tr, test_idx=te, seed=i, label=f"{f} {i}")
             for i, (tr, te) in enumerate(splits) for f in ("linear", "gbm")]
    records = run_tasks(tasks, X, y, problem="binary", budget="quick", device="cpu", make=_broken_make)
    cmp = Comparison(records, y=y, task="binary", splits=splits, n_classes=2)
    assert cmp.overall.loc["gbm", "status"] == "failed"
    assert cmp.overall.loc["gbm", "reason"] == "RuntimeError: out of memory on purpose"
    assert np.isnan(cmp.overall.loc["gbm", "mean"])
    assert cmp.overall.loc["linear", "status"] == "ok" and cmp.overall.loc["linear", "mean"] > 0.6
    gbm_json = next(m for m in cmp.to_dict()["models"] if m["name"] == "gbm")
    assert gbm_json["mean"] is None and gbm_json["status"] == "failed"


def test_worker_processes_give_identical_numbers_to_one_process(binary_ds):
    # n_jobs=2 runs the fits in two loky worker processes, in completion order; None (the default)
    # decides from the cores and the expected cost. The predictions are the same to the last bit.
    config = dict(budget="quick", n_folds=3, families=("linear", "gbm", "deep"))
    runs = {n: compare(binary_ds, config=RunConfig(n_jobs=n, **config), keep_models=False) for n in (1, 2, None)}
    for n in (2, None):
        assert [(r.family, r.split) for r in runs[n].records] == [(r.family, r.split) for r in runs[1].records]
        for a, b in zip(runs[1].records, runs[n].records):
            assert a.ok and b.ok and np.array_equal(a.prediction, b.prediction), (n, a.family, a.split)
        assert runs[n].scores.equals(runs[1].scores)


def test_worker_processes_report_progress_and_stop(binary_ds):
    seen = []
    with pytest.raises(RunCancelled, match="stopped after 2 of 6 fits"):
        compare(binary_ds, config=RunConfig(n_jobs=2, **QUICK), progress=seen.append,
                should_stop=lambda: len(seen) >= 2)
    assert [p.done for p in seen] == [1, 2] and all(p.next_label == "" for p in seen)  # unordered: no "next"
    after = compare(binary_ds, config=RunConfig(n_jobs=2, **QUICK))  # the workers are usable again
    assert all(r.ok for r in after.records)


def test_a_family_registered_here_runs_in_the_worker_processes(binary_ds):
    from dllab import families
    from fakes import build_histogram_boosting  # importable by name in the worker processes

    families.register(families.Family(name="hgb_pool_test", label="Histogram GBM", kind="trees",
                                      build=build_histogram_boosting))
    try:
        cfg = dict(budget="quick", n_folds=3, families=("linear", "hgb_pool_test"))
        here = compare(binary_ds, config=RunConfig(n_jobs=1, **cfg))
        pool = compare(binary_ds, config=RunConfig(n_jobs=2, **cfg))
        assert all(r.ok for r in pool.records), [r.reason for r in pool.records]
        assert pool.scores.equals(here.scores)
    finally:
        families.unregister("hgb_pool_test")


def test_every_family_starts_with_its_first_fold_and_cheap_families_first(binary_ds):
    seen = []
    compare(binary_ds, config=RunConfig(n_jobs=1, budget="quick", n_folds=3, families=("deep", "gbm", "linear")),
            progress=seen.append, keep_models=False)
    order = [(p.task.family, p.task.split) for p in seen]
    assert {f for f, _ in order[:3]} == {"deep", "gbm", "linear"} and {s for _, s in order[:3]} == {0}
    assert order[0][0] != "deep" and order[3:] == sorted(order[3:], key=lambda t: t[0] == "deep")


def test_submission_order_puts_first_fits_then_the_cheapest():
    from dllab.engine.runner import submission_order

    idx = np.arange(10)
    tasks = [Task(f, s, idx, idx, 0) for s in range(3) for f in ("deep", "gbm", "linear")]
    costs = [{"deep": 20.0, "gbm": 2.0, "linear": 0.1}[t.family] for t in tasks]
    order = [(tasks[i].family, tasks[i].split) for i in submission_order([t.family for t in tasks], costs)]
    assert order == [("linear", 0), ("gbm", 0), ("deep", 0), ("linear", 1), ("linear", 2), ("gbm", 1), ("gbm", 2),
                     ("deep", 1), ("deep", 2)]


def test_progress_carries_the_scores_so_far_and_the_final_numbers_agree(binary_ds):
    seen = []
    cmp = compare(binary_ds, config=RunConfig(n_jobs=1, **QUICK), progress=seen.append)
    first = seen[0].partial.summary()
    assert list(first.columns) == ["family", "model", "folds", "Accuracy", "fit s"]
    assert first.family.tolist() == [seen[0].task.family] and first.folds.tolist() == ["1 of 3 folds"]
    assert not seen[0].partial.complete and seen[-1].partial.complete
    last = seen[-1].partial.table()
    assert last.folds.tolist() == ["3 of 3 folds"] * 2
    # with every fold done, the partial rows are the comparison's own
    assert last.drop(columns=["family", "folds"]).equals(cmp.table().iloc[:2].reset_index(drop=True))


def test_partial_rows_say_splits_when_the_folds_are_repeated(binary_ds):
    seen = []
    compare(binary_ds, config=RunConfig(n_jobs=1, repeats=2, **QUICK), progress=seen.append, keep_models=False)
    assert seen[0].partial.summary().folds.tolist() == ["1 of 6 splits"]


def test_parallel_fits_is_one_per_core_within_the_tasks_and_the_memory(monkeypatch):
    from dllab.models import device
    from dllab.models.device import WORKER_BYTES, parallel_fits, thread_cap

    monkeypatch.setattr(device, "cores", lambda: 8)
    monkeypatch.setattr(device, "_free_memory", lambda: 10 * WORKER_BYTES)
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    with thread_cap(4):
        assert parallel_fits(15) == 4  # one per available core
        assert parallel_fits(3) == 3  # never more than the tasks
        assert parallel_fits(15, data_bytes=WORKER_BYTES) == 2  # each worker: 750 MB + 4 copies of the data
        assert parallel_fits(15, n_jobs=2) == 2 and parallel_fits(1, n_jobs=-1) == 1
    with thread_cap(1):  # inside a worker: no pool in the pool
        assert parallel_fits(15) == 1


def test_n_jobs_zero_is_refused_with_the_choices():
    from dllab.errors import ConfigError

    with pytest.raises(ConfigError, match=r"n_jobs=0 is not valid; .*-1 for one per core, or None"):
        RunConfig(n_jobs=0)


def test_regression_comparison_scores_match_sklearn_on_oof(regression_ds):
    from sklearn.metrics import root_mean_squared_error

    cmp = compare(regression_ds, config=RunConfig(**QUICK))
    assert cmp.metric == "rmse" and not cmp.higher_is_better
    for r in cmp.records:
        expected = root_mean_squared_error(regression_ds.y[r.test_idx], r.prediction)
        got = cmp.scores[(cmp.scores.family == r.family) & (cmp.scores.split == r.split)]["rmse"].item()
        assert got == pytest.approx(expected)
    oof = cmp.oof["linear"][0]
    assert oof.shape == (len(regression_ds.y),) and np.isfinite(oof).all()


def test_a_fit_that_kills_its_worker_fails_alone_and_the_others_finish(binary_ds):
    X, y = binary_ds.X, binary_ds.y
    splits = make_splits(y, task="binary", n_folds=3)
    tasks = [Task(family=f, split=i, train_idx=tr, test_idx=te, seed=i, label=f"{f} {i}")
             for i, (tr, te) in enumerate(splits) for f in ("linear", "gbm")]
    seen = []
    from fakes import make_dying_in_a_worker  # importable by name in the worker processes

    records = run_tasks(tasks, X, y, problem="binary", budget="quick", device="cpu", n_jobs=2,
                        make=make_dying_in_a_worker, progress=seen.append)
    assert len(seen) == 6 and sorted(p.done for p in seen) == list(range(1, 7))
    assert all(r.ok for r in records if r.family == "linear")
    assert all(not r.ok and "worker process running this fit stopped" in r.reason for r in records
               if r.family == "gbm")


def test_large_fits_give_the_same_numbers_on_all_cores_as_one_thread_each():
    # Above SMALL_FIT_CELLS a fit in this process takes every core; in a worker, one thread.
    from dllab.datasets import from_frame, make_linear
    from dllab.models.device import SMALL_FIT_CELLS

    ds = from_frame(make_linear(20_000, 20, task="binary", random_state=0), target="target", task="binary")
    assert len(ds.y) * 2 / 3 * 20 > SMALL_FIT_CELLS
    config = dict(budget="quick", n_folds=3, families=("linear", "gbm"))
    here = compare(ds, config=RunConfig(n_jobs=1, **config), keep_models=False)
    pool = compare(ds, config=RunConfig(n_jobs=2, **config), keep_models=False)
    for a, b in zip(here.records, pool.records):
        assert np.array_equal(a.prediction, b.prediction), (a.family, a.split)
