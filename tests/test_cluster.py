"""Runs on a Dask LocalCluster of two one-thread workers give the in-process numbers, progress, stop and faults."""

import os
import signal
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from dllab import families
from dllab.analyses.comparison import Comparison
from dllab.analyses.curves import learning_curve
from dllab.analyses.subgroups.shift import shift_test
from dllab.config import RunConfig, parse_cluster
from dllab.engine import compute
from dllab.engine.compute import ClusterError, check_versions
from dllab.engine.runner import RunCancelled, Task, compare, run_tasks
from dllab.engine.splits import make_splits
from dllab.errors import message_for

# Workers import what they run by name; spawned workers inherit this process's sys.path.
sys.path.insert(0, str(Path(__file__).parent / "cluster_helpers"))
from cluster_fakes import broken_make, build_hgb  # noqa: E402

TARGET = "local:2"
QUICK = dict(budget="quick", n_folds=3, families=("linear", "gbm", "deep"))


@pytest.fixture(scope="module")
def cluster():
    opened = compute.keep(TARGET)
    yield opened
    compute.release(TARGET)


def _same_records(a, b):
    assert [(r.family, r.split, r.status) for r in a] == [(r.family, r.split, r.status) for r in b]
    for ra, rb in zip(a, b):
        assert np.array_equal(ra.test_idx, rb.test_idx)
        assert np.array_equal(ra.prediction, rb.prediction), (ra.family, ra.split)


def test_compare_on_the_cluster_gives_the_in_process_numbers_and_progress(cluster, binary_ds):
    here = compare(binary_ds, config=RunConfig(**QUICK))
    seen = []
    there = compare(binary_ds, config=RunConfig(cluster=TARGET, **QUICK), progress=seen.append)
    _same_records(here.records, there.records)
    assert here.scores.equals(there.scores)
    assert here.tests.keys() == there.tests.keys()
    assert all(here.tests[k].p_value == there.tests[k].p_value for k in here.tests)
    # progress: every fit once, counted in completion order, whichever worker ran it
    assert [p.done for p in seen] == list(range(1, 10)) and all(p.total == 9 for p in seen)
    assert sorted((p.task.family, p.task.split) for p in seen) == sorted((r.family, r.split) for r in here.records)
    assert there.config["cluster"] == TARGET and here.config["cluster"] is None
    assert all(r.model is not None for r in there.records)  # kept for explanations, as asked


def test_models_stay_on_the_workers_unless_asked(cluster, binary_ds):
    cmp = compare(binary_ds, config=RunConfig(cluster=TARGET, budget="quick", families=("linear",)),
                  keep_models=False)
    assert all(r.model is None and r.prediction is not None for r in cmp.records)


def test_a_session_is_the_default_target_of_the_runs_inside_it(cluster, binary_ds):
    cfg = RunConfig(budget="quick", families=("linear",))
    before = cluster.stats["tasks"]
    with compute.session(TARGET):
        inside = compare(binary_ds, config=cfg)
        with compute.session(None):  # an inner session of this process wins
            here = compare(binary_ds, config=cfg)
    assert inside.config["cluster"] == TARGET and here.config["cluster"] is None
    assert cluster.stats["tasks"] == before + 3
    _same_records(inside.records, here.records)


def test_curve_and_shift_test_on_the_cluster_give_the_in_process_numbers(cluster, binary_ds):
    cfg = dict(budget="quick", n_folds=3, families=("linear", "gbm"))
    before = cluster.stats["datasets"]
    here = learning_curve(binary_ds, config=RunConfig(**cfg), sizes=[60, 120])
    there = learning_curve(binary_ds, config=RunConfig(cluster=TARGET, **cfg), sizes=[60, 120])
    assert np.array_equal(here.sizes, there.sizes)
    for fam in ("linear", "gbm"):
        assert np.array_equal(here.scores[fam], there.scores[fam], equal_nan=True)
    # two sizes, two task grids: the data went to the cluster once
    assert cluster.stats["datasets"] == before + 1

    a = shift_test(binary_ds, column="colour", config=RunConfig(**cfg))
    b = shift_test(binary_ds, column="colour", config=RunConfig(cluster=TARGET, **cfg))
    assert a == b and len(a) > 0


def test_stop_cancels_the_pending_fits(cluster, binary_ds):
    seen = []
    cfg = RunConfig(cluster=TARGET, budget="quick", n_folds=5, repeats=2, families=("linear", "gbm", "deep"))
    with pytest.raises(RunCancelled, match=r"stopped after \d+ of 30 fits"):
        compare(binary_ds, config=cfg, progress=seen.append, should_stop=lambda: len(seen) >= 1)
    assert len(seen) < 30
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and any(cluster.client.processing().values()):
        time.sleep(0.2)
    assert not any(cluster.client.processing().values()), "cancelled fits still queued on the workers"


def test_a_failing_fit_stays_a_failed_fit_with_its_reason(cluster, binary_ds):
    X, y = binary_ds.X, binary_ds.y
    splits = make_splits(y, task="binary", n_folds=3)
    tasks = [Task(family=f, split=i, train_idx=tr, test_idx=te, seed=i, label=f"{f} {i}")
             for i, (tr, te) in enumerate(splits) for f in ("linear", "gbm")]
    records = run_tasks(tasks, X, y, problem="binary", budget="quick", device="cpu", cluster=TARGET,
                        make=broken_make)
    cmp = Comparison(records, y=y, task="binary", splits=splits, n_classes=2)
    assert cmp.overall.loc["gbm", "status"] == "failed"
    assert cmp.overall.loc["gbm", "reason"] == "RuntimeError: out of memory on purpose"
    assert cmp.overall.loc["linear", "status"] == "ok"


def test_a_worker_that_dies_mid_run_has_its_fits_retried_elsewhere(cluster, binary_ds):
    cfg = dict(budget="quick", n_folds=3, families=("deep", "gbm"))
    here = compare(binary_ds, config=RunConfig(**cfg))
    pids = cluster.client.run(os.getpid)
    killed = []

    def kill_a_busy_worker(p):
        if killed:
            return
        busy = [w for w, keys in cluster.client.processing().items() if keys and w in pids]
        if busy:
            os.kill(pids[busy[0]], signal.SIGKILL)
            killed.append(busy[0])

    there = compare(binary_ds, config=RunConfig(cluster=TARGET, **cfg), progress=kill_a_busy_worker)
    assert killed, "no worker was busy after the first fit: nothing was killed"
    _same_records(here.records, there.records)
    cluster.client.wait_for_workers(2, timeout=30)  # the nanny restarts it for the next tests


def test_each_worker_thread_keeps_to_its_share_of_the_cores(cluster):
    from dllab.models.device import available_threads

    def threads_in_a_fit():
        from distributed import get_worker

        from dllab.models.device import thread_cap

        with thread_cap(max(1, available_threads() // get_worker().state.nthreads)):
            return available_threads(), os.environ.get("OMP_NUM_THREADS")

    n, omp = cluster.client.submit(threads_in_a_fit, pure=False).result()
    assert n == int(omp) == max(1, available_threads() // 2)


def test_a_family_registered_here_runs_on_the_workers(cluster, binary_ds):
    fam = families.Family(name="hgb_cluster_test", label="Histogram GBM", kind="trees", build=build_hgb,
                          explainer="permutation")
    families.register(fam)
    try:
        cfg = dict(budget="quick", n_folds=3, families=("linear", "hgb_cluster_test"))
        here = compare(binary_ds, config=RunConfig(**cfg))
        there = compare(binary_ds, config=RunConfig(cluster=TARGET, **cfg))
        assert all(r.ok for r in there.records)
        _same_records(here.records, there.records)
    finally:
        families.unregister("hgb_cluster_test")


def test_a_plugin_module_the_workers_cannot_import_is_named(cluster, binary_ds):
    def build(task, *, budget, random_state, device, data=None):  # defined here: no worker can import it
        return build_hgb(task, budget=budget, random_state=random_state, device=device)

    families.register(families.Family(name="local_only", label="Local only", kind="trees", build=build))
    try:
        with pytest.raises(ClusterError, match="cannot import .*which defines the family local_only"):
            compare(binary_ds, config=RunConfig(cluster=TARGET, budget="quick", families=("local_only",)))
    finally:
        families.unregister("local_only")


def test_an_address_that_does_not_answer_is_named_with_the_fix():
    import socket

    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    address = f"tcp://127.0.0.1:{port}"
    t0 = time.monotonic()
    with pytest.raises(ClusterError) as info:
        with compute.session(address):
            pass
    assert time.monotonic() - t0 < 60  # a bounded wait, never a hang
    assert address in str(info.value) and "cluster=None" in str(info.value)
    assert "under Compute in the sidebar" in message_for(info.value, "app")
    assert "--cluster" not in message_for(info.value, "app") and "--cluster" in message_for(info.value, "cli")


def test_workers_without_a_package_or_with_another_version_are_refused_by_name():
    here = {"torch": "2.13.0", "xgboost": "3.1.0", "dllab": "0.1.0"}
    with pytest.raises(ClusterError, match="lack the package xgboost"):
        check_versions("tcp://h:1", here, {"w1": {**here, "xgboost": None}})
    with pytest.raises(ClusterError, match=r"torch 2\.12\.0 \(here 2\.13\.0\)"):
        check_versions("tcp://h:1", here, {"w1": here, "w2": {**here, "torch": "2.12.0"}})
    check_versions("tcp://h:1", here, {"w1": dict(here)})


@pytest.mark.parametrize("value, expected", [(None, None), ("", None), ("none", None), ("local:3", "local:3"),
                                             (" tcp://10.0.0.5:8786 ", "tcp://10.0.0.5:8786")])
def test_compute_targets_have_one_spelling(value, expected):
    assert parse_cluster(value) == expected
    assert RunConfig(cluster=value).cluster == expected


@pytest.mark.parametrize("value", ["locl", "local:0", "local:x", "tcp://nohost", "http://h:80", "tcp://h:70000"])
def test_a_bad_compute_target_is_named(value):
    with pytest.raises(ValueError, match="compute target"):
        RunConfig(cluster=value)


def test_the_cluster_does_not_change_the_cache_key():
    assert RunConfig(cluster="local:2").key() == RunConfig().key()



def test_starting_a_local_cluster_leaves_this_process_environment_alone():
    import os

    keys = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MALLOC_TRIM_THRESHOLD_", "PYTHONHASHSEED")
    before = {k: os.environ.get(k) for k in keys}
    with compute.session("local:1") as one:
        assert {k: os.environ.get(k) for k in keys} == before
        # the worker keeps to its share of the cores, and its allocator is not Dask's default
        env = one.client.run(lambda: {k: os.environ.get(k) for k in keys})
        assert all(v["OMP_NUM_THREADS"] is not None and v["MALLOC_TRIM_THRESHOLD_"] is None for v in env.values())
    assert {k: os.environ.get(k) for k in keys} == before
