"""Where a model trains: ``auto`` picks CUDA when torch sees a GPU; how many CPU threads a fit uses."""

from __future__ import annotations

import contextlib
import os
import threading

from ..errors import ConfigError

__all__ = ["resolve_device", "cores", "available_threads", "fit_threads", "parallel_fits", "thread_cap",
           "SMALL_FIT_CELLS", "WORKER_BYTES"]

#: A fit (or prediction) on fewer cells (rows x columns) than this uses one thread. Measured with
#: the quick presets on 2 cores with other work running (load ~4), two runs: two threads made XGBoost
#: 3-146x and the deep net 8-26x slower than one on breast_cancer, digits and 5,000 rows of adult. On data
#: this small, threads gain little even on an idle machine, and OpenMP threads that outnumber the
#: free cores wait on each other; larger fits use every available core.
SMALL_FIT_CELLS = 250_000

_NO_CUDA = ("device='cuda' was asked for, but no CUDA GPU is available here (torch {version}); "
            "use device='auto' or 'cpu'.")


def resolve_device(device: str) -> str:
    """``"cpu"`` or ``"cuda"`` for a requested ``"auto"``, ``"cpu"`` or ``"cuda"``.

    Raises
    ------
    ConfigError
        When CUDA is requested but not available, or the name is unknown.
    """
    if device == "cpu":
        return "cpu"
    import torch  # imported lazily: probing devices is work, not for import time

    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device == "cuda":
        if not torch.cuda.is_available():
            raise ConfigError(_NO_CUDA.format(version=torch.__version__))
        return "cuda"
    raise ConfigError(f"device={device!r} is not valid; choose one of auto, cpu, cuda.")


_CAP = threading.local()


def cores() -> int:
    """The cores this process may run on (its CPU affinity), whatever ``OMP_NUM_THREADS`` says."""
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1))


def available_threads() -> int:
    """The cores this process may use, capped by ``OMP_NUM_THREADS`` (joblib's and Dask's workers set it to
    their share) and by :func:`thread_cap` in this thread."""
    n = cores()
    omp = os.environ.get("OMP_NUM_THREADS", "")
    n = max(1, min(n, int(omp))) if omp.isdigit() and int(omp) > 0 else max(1, n)
    cap = getattr(_CAP, "n", None)
    return max(1, min(n, cap)) if cap else n


@contextlib.contextmanager
def thread_cap(n: int | None):
    """Cap :func:`available_threads` at ``n`` in this thread (a Dask worker thread's share of its cores).

    Examples
    --------
    >>> with thread_cap(1):
    ...     available_threads()
    1
    """
    previous = getattr(_CAP, "n", None)
    _CAP.n = n
    try:
        yield
    finally:
        _CAP.n = previous


def fit_threads(n_threads: int | None, n_cells: int) -> int:
    """Threads for one fit or prediction on ``n_cells`` cells: ``n_threads`` when given, else 1 below
    :data:`SMALL_FIT_CELLS` and :func:`available_threads` above.

    Examples
    --------
    >>> fit_threads(None, 569 * 30), fit_threads(3, 10)
    (1, 3)
    """
    if n_threads:
        return int(n_threads)
    return 1 if n_cells < SMALL_FIT_CELLS else available_threads()


def parallel_fits(n_tasks: int, *, n_jobs: int | None = None, data_bytes: int = 0) -> int:
    """How many of ``n_tasks`` independent fits (with ``data_bytes`` of data) to run at once in worker processes
    of this machine.

    ``n_jobs`` as joblib reads it when given (``-1``: one per core). Otherwise one fit per available
    core (each then runs on one thread, :func:`fit_threads`), never more than the tasks, and no more
    than the free memory holds (:data:`WORKER_BYTES` per worker plus four copies of the data): with
    fewer workers than cores each large fit gets the spare cores' threads. Inside a worker (whose
    ``OMP_NUM_THREADS`` or :func:`thread_cap` is one) it is 1: no pool inside a pool.

    Independent one-thread fits side by side beat one fit on every core, large fits too: a quick
    comparison of 25,000 Adult rows (XGBoost and the deep net, 3 folds) took 59 s one fit at a time
    on both cores and 12 s two at a time on one core each (another process kept one core busy, which
    stalls a two-thread fit at every barrier), with the same predictions to the last bit.

    Examples
    --------
    >>> parallel_fits(1), parallel_fits(15, n_jobs=3), parallel_fits(2, n_jobs=-1) <= 2
    (1, 3, True)
    """
    if n_jobs is not None:
        n = cores() + 1 + n_jobs if n_jobs < 0 else n_jobs
    else:
        n = available_threads()
        if n > 1:  # one worker needs no memory check
            n = min(n, max(1, int(_free_memory() // (WORKER_BYTES + 4 * int(data_bytes)))))
    return max(1, min(int(n), int(n_tasks)))


#: Memory of one worker process besides the data: its peak after a quick deep fit on Adult (48,842 rows)
#: or on 50,000 x 20 numbers was 680-710 MB, nearly all of it the libraries (torch, XGBoost, scikit-learn).
WORKER_BYTES = 750 * 2**20


def _free_memory() -> int:
    """Bytes of memory available to new processes (psutil; unbounded where it cannot tell)."""
    try:
        import psutil

        return int(psutil.virtual_memory().available)
    except Exception:  # noqa: BLE001 - no psutil, or no /proc: do not limit
        return 2**62
