"""The CLI on a real remote path: a `dask scheduler` and two `dask worker` processes on 127.0.0.1, started and
stopped here with distributed's own command lines, give the in-process numbers."""

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DASK = Path(sys.executable).with_name("dask")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env() -> dict:
    # The workers import the lab from this checkout, one thread each.
    return dict(os.environ, PYTHONPATH=str(ROOT), OMP_NUM_THREADS="1", DLLAB_CLUSTER="")


@pytest.fixture(scope="module")
def scheduler():
    if not DASK.exists() and shutil.which("dask") is None:
        pytest.fail("the `dask` command line is missing: install requirements.txt (dask[distributed])")
    dask = str(DASK) if DASK.exists() else shutil.which("dask")
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    procs = [subprocess.Popen([dask, "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
                              env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    try:
        # The second worker says it has a GPU (it has not: device="auto" still resolves to the CPU there).
        for extra in ([], ["--resources", "GPU=1"]):
            procs.append(subprocess.Popen([dask, "worker", address, "--nthreads", "1", "--nworkers", "1",
                                           "--host", "127.0.0.1", "--no-dashboard", *extra], cwd=ROOT, env=_env(),
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        from distributed import Client

        deadline = time.monotonic() + 60
        while True:
            try:
                with Client(address, timeout="5s", set_as_default=False) as client:
                    client.wait_for_workers(2, timeout=max(1.0, deadline - time.monotonic()))
                break
            except (OSError, TimeoutError):
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
        yield address
    finally:
        for p in reversed(procs):
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()


def _cli(*args, env=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "dllab", *args], cwd=ROOT, env=env or _env(), capture_output=True,
                          text=True, timeout=600)


def _numbers(path: Path) -> dict:
    """Everything in a comparison's JSON that is a score (not a time, not where it ran)."""
    doc = json.loads(path.read_text())
    models = [{k: m[k] for k in ("name", "status", "scores", "mean", "ci_low", "ci_high", "metrics", "metrics_ci")}
              for m in doc["models"]]
    tests = [{k: v for k, v in t.items() if "second" not in k and "ratio" not in k} for t in doc["tests"]]
    return {"models": models, "baseline": doc["baseline"], "tests": tests}


def test_compare_on_a_scheduler_started_by_hand_gives_the_in_process_numbers(scheduler, tmp_path):
    args = ["compare", "penguins", "--budget", "quick", "--seed", "3"]
    here = _cli(*args, "--json", str(tmp_path / "here.json"))
    there = _cli(*args, "--cluster", scheduler, "--json", str(tmp_path / "there.json"))
    assert here.returncode == 0, here.stderr
    assert there.returncode == 0, there.stderr
    assert f"cluster: {scheduler}, 2 worker(s), 2 thread(s)" in there.stderr
    assert "9/9" in there.stderr  # the progress bar counted every fit as it finished
    assert _numbers(tmp_path / "here.json") == _numbers(tmp_path / "there.json")
    assert [line for line in there.stdout.splitlines() if line.startswith("- ")] == \
        [line for line in here.stdout.splitlines() if line.startswith("- ")]  # the same paired tests, in words


def test_the_environment_variable_names_the_cluster(scheduler, tmp_path):
    env = dict(_env(), DLLAB_CLUSTER=scheduler)
    run = _cli("compare", "penguins", "--budget", "quick", "--families", "linear", "--quiet",
               "--json", str(tmp_path / "env.json"), env=env)
    assert run.returncode == 0, run.stderr
    assert json.loads((tmp_path / "env.json").read_text())["config"]["cluster"] == scheduler


def test_fits_on_the_device_go_to_the_workers_with_a_gpu(scheduler):
    from dllab import RunConfig
    from dllab.datasets import load
    from dllab.engine import compute
    from dllab.engine.runner import compare

    with compute.session(scheduler) as cluster:
        gpu = [w for w, info in cluster.client.scheduler_info(n_workers=-1)["workers"].items()
               if info.get("resources", {}).get("GPU")]
        assert cluster.gpu_workers() and len(gpu) == 1
        cmp = compare(load("penguins"), config=RunConfig(budget="quick", families=("linear", "gbm", "deep")),
                      keep_models=False)
        # workers started by `dask worker` have the nanny's MALLOC_TRIM_THRESHOLD_; the lab retuned their allocator
        tuned = cluster.client.run(lambda: (os.environ.get("MALLOC_TRIM_THRESHOLD_"), compute._MALLOC_TUNED))
        assert all(var == "65536" and flag == [True] for var, flag in tuned.values())
    # the deep net and boosting use the device: every one of their fits ran on the GPU worker
    assert {r.info["worker"] for r in cmp.records if r.family in ("deep", "gbm")} == set(gpu)


def test_a_scheduler_that_is_gone_is_named_with_the_fix(tmp_path):
    address = f"tcp://127.0.0.1:{_free_port()}"
    run = _cli("compare", "penguins", "--budget", "quick", "--cluster", address)
    assert run.returncode == 2
    assert run.stderr.strip().splitlines()[-1].startswith(f"error: no Dask scheduler answered at {address}")
    assert "Traceback" not in run.stderr and "leave out --cluster" in run.stderr


def test_ctrl_c_stops_a_run_on_the_cluster_and_cancels_its_fits(scheduler):
    import signal

    from distributed import Client

    proc = subprocess.Popen([sys.executable, "-m", "dllab", "compare", "adult", "--budget", "quick", "--max-rows",
                             "4000", "--cluster", scheduler], cwd=ROOT, env=_env(), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        lines = []
        for line in proc.stderr:  # wait until the first fit has finished on a worker
            lines.append(line)
            if "1/9" in line:
                break
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, "".join(lines) + err
    assert "stopped: the run was interrupted" in err and "Traceback" not in err
    with Client(scheduler, timeout="5s", set_as_default=False) as client:
        deadline = time.monotonic() + 30
        while any(client.processing().values()) and time.monotonic() < deadline:
            time.sleep(0.3)
        assert not any(client.processing().values()), "the interrupted run's fits are still on the workers"
