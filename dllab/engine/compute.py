"""Where a run's fits execute: this process (joblib), or the workers of a Dask cluster.

A compute target (:func:`dllab.config.parse_cluster`) is ``None`` (this process), ``"local:N"``
(a ``LocalCluster`` of N one-thread worker processes that the lab starts and closes) or
``"tcp://HOST:PORT"`` (a running scheduler, whose workers the lab uses and leaves running).

:func:`session` opens a target once for everything inside it, so a report's comparison, curve
and shift test share one cluster and one copy of the data on it; a run outside any session opens
its own and closes it at the end. :func:`keep` holds one open across calls (the app's server).
Distributed is imported only when a cluster is used.
"""

from __future__ import annotations

import atexit
import contextlib
import contextvars
import dataclasses
import queue
import threading
import uuid
from dataclasses import dataclass, field

from ..config import CLUSTER_ENV, parse_cluster
from ..errors import ConfigError

__all__ = ["Cluster", "ClusterError", "resolve", "session", "in_session", "current", "concurrently", "keep", "release",
           "opened", "run_on", "check_versions", "CONNECT_SECONDS", "PACKAGES"]

#: Seconds to wait for a scheduler to answer, and for a cluster to have a worker, before saying so.
CONNECT_SECONDS = 5.0
#: Distributions whose versions must match between this process and the workers: each changes the numbers
#: (or whether the fits run at all). ``dllab`` itself is checked by its ``__version__``.
PACKAGES = ("numpy", "pandas", "scipy", "scikit-learn", "xgboost", "torch", "tabm", "rtdl_num_embeddings",
            "cloudpickle", "distributed")
#: How many datasets a kept cluster holds scattered (the app switches data; older copies are released).
_KEEP_DATA = 4

_IN_PROCESS = {"python": "or run in this process (cluster=None)",
               "cli": "or leave out --cluster (and unset DLLAB_CLUSTER) to run in this process",
               "app": "or choose This machine under Compute in the sidebar"}
_NO_ANSWER = "no Dask scheduler answered at {address} within {seconds:.0f} s; check the address and that the " \
             "scheduler runs (dask scheduler), {fix}."
_NO_WORKERS = "the Dask scheduler at {address} has no workers after {seconds:.0f} s; start some with " \
              "dask worker {address}, {fix}."
_MISSING = "the workers at {address} lack {what}; install the lab's requirements there (pip install -r " \
           "requirements.txt, with the lab on their PYTHONPATH), {fix}."
_VERSIONS = "the workers at {address} have {what}, so their numbers would differ from this process's; install " \
            "the same versions there, {fix}."
_NO_PLUGIN = "{n} worker(s) at {address} cannot import {module}, which defines the family {families}; install " \
             "it there (or put it on their PYTHONPATH), {fix}."
_LOST = "the cluster at {address} stopped answering after {done} of {total} fits ({reason}); {fix}."


class ClusterError(ConfigError):
    """A compute target cannot be used: the message names the address or package and the fix."""


def _versions() -> dict:
    """The versions of :data:`PACKAGES` and dllab in this process (``None``: not installed). Runs on workers too."""
    from importlib import metadata

    out = {}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    try:
        import dllab

        out["dllab"] = dllab.__version__
    except ImportError:
        out["dllab"] = None
    return out


def _importable(module: str) -> bool:
    import importlib

    try:
        importlib.import_module(module)
    except ImportError:
        return False
    return True


def _warm() -> None:
    import importlib

    _tune_malloc()
    for module in ("sklearn.linear_model", "torch", "xgboost", "dllab.engine.runner"):
        importlib.import_module(module)


def check_versions(address: str, here: dict, workers: dict) -> None:
    """Raise :class:`ClusterError` when a worker lacks a package or has another version of one.

    ``workers`` maps a worker's address to its :func:`_versions`.
    """
    missing = sorted({p for v in workers.values() for p, ver in v.items() if ver is None and here.get(p)})
    if missing:
        what = ("the package " if len(missing) == 1 else "the packages ") + ", ".join(missing)
        raise ClusterError(_MISSING.format(address=address, what=what, fix="{fix}"), fix=_IN_PROCESS)
    differ = sorted({f"{p} {ver} (here {here[p]})" for v in workers.values() for p, ver in v.items()
                     if here.get(p) and ver != here[p]})
    if differ:
        raise ClusterError(_VERSIONS.format(address=address, what=", ".join(differ), fix="{fix}"), fix=_IN_PROCESS)


@dataclass
class Cluster:
    """An open compute target: a ``distributed.Client``, and the ``LocalCluster`` when the lab started it.

    Use :func:`session` or :func:`keep` rather than making one directly.
    """

    target: str
    client: object
    local: object = None
    #: bytes of data scattered and of task arguments submitted, and tasks submitted, since it opened
    stats: dict = field(default_factory=lambda: {"datasets": 0, "tasks": 0, "scattered_bytes": 0, "task_bytes": 0})
    _data: dict = field(default_factory=dict, repr=False)
    _imports: set = field(default_factory=set, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @classmethod
    def open(cls, target: str) -> "Cluster":
        """Start (``local:N``) or connect to (an address) ``target``, and check its workers' packages."""
        target = parse_cluster(target)
        if target is None:
            raise ValueError("Cluster.open needs a cluster target, not None (this process)")
        from distributed import Client

        local = None
        if target.startswith("local:"):
            local = _local_cluster(int(target.split(":", 1)[1]))
            address = local.scheduler_address
        else:
            address = target
        try:
            try:
                client = Client(local or address, timeout=f"{CONNECT_SECONDS}s", set_as_default=False)
            except (OSError, TimeoutError) as exc:
                raise ClusterError(_NO_ANSWER.format(address=address, seconds=CONNECT_SECONDS, fix="{fix}"),
                                   fix=_IN_PROCESS) from exc
            try:
                client.wait_for_workers(1, timeout=CONNECT_SECONDS)
            except (OSError, TimeoutError) as exc:
                client.close()
                raise ClusterError(_NO_WORKERS.format(address=address, seconds=CONNECT_SECONDS, fix="{fix}"),
                                   fix=_IN_PROCESS) from exc
            try:
                check_versions(target, _versions(), client.run(_versions))
            except ClusterError:
                client.close()
                raise
            # Import the model libraries on every worker now, so the first fits' times are not an import's.
            client.run(_warm)
        except BaseException:
            if local is not None:
                local.close()
            raise
        return cls(target=target, client=client, local=local)

    @property
    def address(self) -> str:
        return self.client.scheduler.address

    @property
    def dashboard_link(self) -> str | None:
        """The scheduler's dashboard, when it serves one (it needs bokeh)."""
        try:
            return self.client.dashboard_link
        except (KeyError, AttributeError):  # no dashboard running
            return None

    @property
    def n_workers(self) -> int:
        return len(self.client.scheduler_info(n_workers=-1).get("workers", {}))

    @property
    def n_threads(self) -> int:
        """Worker threads in all: how many fits run at once."""
        return sum(w.get("nthreads", 1) for w in self.client.scheduler_info(n_workers=-1).get("workers", {}).values())

    def gpu_workers(self) -> bool:
        """Whether any worker advertises a ``GPU`` resource (``dask worker --resources GPU=1``)."""
        workers = self.client.scheduler_info(n_workers=-1).get("workers", {}).values()
        return any(w.get("resources", {}).get("GPU") for w in workers)

    def scatter_data(self, X, y):
        """Futures of ``X`` and ``y`` on the cluster, scattered once per (X, y) for as long as it is open."""
        key = (id(X), id(y))
        with self._lock:
            if key not in self._data:
                from dask.sizeof import sizeof

                # On every worker: a worker that dies takes its scattered data with it, and the
                # others must still have a copy to retry its fits (they would fetch one anyway).
                futures = self.client.scatter([X, y], hash=False, broadcast=True)
                self.stats["scattered_bytes"] += int(sizeof(X) + sizeof(y)) * self.n_workers
                self.stats["datasets"] += 1
                # The objects are held with their futures, so their ids cannot be reused while cached.
                self._data[key] = (X, y, futures)
                while len(self._data) > _KEEP_DATA:
                    self._data.pop(next(iter(self._data)))
            return self._data[key][2]

    def scatter(self, values: list) -> list:
        """Futures of ``values`` (index arrays), scattered in one call."""
        if not values:
            return []
        from dask.sizeof import sizeof

        self.stats["scattered_bytes"] += int(sum(sizeof(v) for v in values)) * self.n_workers
        return self.client.scatter(list(values), hash=False, broadcast=True)

    def check_imports(self, extra: tuple) -> None:
        """Raise :class:`ClusterError` unless every worker can import the modules that define ``extra``'s families."""
        modules = sorted({getattr(f.build, "__module__", None) for f in extra} - {None, "__main__"})
        for module in modules:
            if module in self._imports:
                continue
            found = self.client.run(_importable, module)
            lacking = sorted(w for w, ok in found.items() if not ok)
            if lacking:
                names = ", ".join(f.name for f in extra if getattr(f.build, "__module__", None) == module)
                raise ClusterError(_NO_PLUGIN.format(address=self.target, module=module, families=names,
                                                     n=len(lacking), fix="{fix}"), fix=_IN_PROCESS)
            self._imports.add(module)

    def new_key(self, label: str) -> str:
        return f"dllab-{label}-{uuid.uuid4().hex[:12]}"

    def lost(self, *, done: int, total: int, reason: str) -> ClusterError:
        return ClusterError(_LOST.format(address=self.target, done=done, total=total, reason=reason, fix="{fix}"),
                            fix=_IN_PROCESS)

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._data.clear()
            self.client.close()
        if self.local is not None:
            with contextlib.suppress(Exception):
                self.local.close()


def _local_cluster(n_workers: int):
    """A LocalCluster of ``n_workers`` processes with one thread each, sharing this machine's cores."""
    import os

    import dask
    from distributed import LocalCluster

    from ..models.device import available_threads

    share = str(max(1, available_threads() // n_workers))
    # Each worker's BLAS, OpenMP (XGBoost) and torch threads stay within its share of the cores: more
    # threads than cores made fits 3-146x slower (dllab.models.device.SMALL_FIT_CELLS).
    env = {"OMP_NUM_THREADS": share, "MKL_NUM_THREADS": share, "OPENBLAS_NUM_THREADS": share}
    # The nanny's "pre-spawn" variables are written into this process's environment before each worker
    # starts: this process's own fits would then keep to one thread, and its later child processes inherit
    # MALLOC_TRIM_THRESHOLD_=65536 (see _tune_malloc). The workers get the thread counts through env instead.
    unset = {f"distributed.nanny.pre-spawn-environ.{k}": None
             for k in dask.config.get("distributed.nanny.pre-spawn-environ", {})}
    before = os.environ.get("PYTHONHASHSEED")  # the nanny sets one for the workers' hashing
    try:
        with dask.config.set(unset):
            return LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True, dashboard_address=":0",
                                host="127.0.0.1", env=env, silence_logs=40)
    finally:
        if before is None:
            os.environ.pop("PYTHONHASHSEED", None)
        else:
            os.environ["PYTHONHASHSEED"] = before


_MALLOC_TUNED = []


def _tune_malloc() -> None:
    """Undo, in a worker process, the allocator setting that Dask's nanny gives its workers by default.

    ``MALLOC_TRIM_THRESHOLD_=65536`` (distributed's ``pre-spawn-environ``) also fixes glibc's mmap
    threshold at 128 KiB: every tensor above it is mapped and unmapped on each step, and the deep net's
    fits took 1.9x as long (sys time 3.3 s against 0.1 s; one fit on 4,800 rows of California, measured
    here). A large mmap and trim threshold gives back the in-process speed. Once per process; glibc only.
    """
    import ctypes
    import ctypes.util
    import os

    if _MALLOC_TUNED or "MALLOC_TRIM_THRESHOLD_" not in os.environ:
        return
    _MALLOC_TUNED.append(True)
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
        mallopt = getattr(libc, "mallopt", None)
    except OSError:
        return
    if mallopt is not None:
        m_trim_threshold, m_mmap_threshold = -1, -3
        mallopt(m_mmap_threshold, 32 * 1024 * 1024)  # glibc's most on 64-bit systems
        mallopt(m_trim_threshold, 256 * 1024 * 1024)


_OPEN: dict[str, Cluster] = {}
# The innermost session's target in this thread: the default of every run inside it (as joblib's parallel_config).
_CURRENT: contextvars.ContextVar = contextvars.ContextVar("dllab_cluster", default=None)
_KEPT: set[str] = set()
_OPEN_LOCK = threading.RLock()


def resolve(value: str | None) -> str | None:
    """A front end's compute target: ``value`` when given, else ``$DLLAB_CLUSTER`` (else this process).

    Raises
    ------
    ConfigError
        When the value (or the environment variable, named as such) is not a compute target.
    """
    import os

    if value is not None:
        return parse_cluster(value)
    try:
        return parse_cluster(os.environ.get(CLUSTER_ENV))
    except ConfigError as exc:
        raise ConfigError(f"{CLUSTER_ENV} in the environment: {exc.template}", fix=exc.fix) from None


def concurrently(fn, items, *, cluster: Cluster | None = None) -> list:
    """``[fn(item) for item in items]``, several at a time when a cluster is open (a benchmark's runs).

    Each call runs in a thread of the calling context (its :func:`session` included), so every run's
    fits go to the cluster and together keep its workers busy; results keep the order of ``items``.
    In this process (``cluster=None``) the calls run one after another.
    """
    items = list(items)
    if cluster is None or len(items) < 2:
        return [fn(item) for item in items]
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=max(1, cluster.n_threads)) as pool:
        futures = [pool.submit(contextvars.copy_context().run, fn, item) for item in items]
        return [f.result() for f in futures]


def current() -> str | None:
    """The compute target of the innermost :func:`session` in this thread (None: this process)."""
    return _CURRENT.get()


def opened(target: str | None) -> Cluster | None:
    """The open :class:`Cluster` of ``target``, if a :func:`session` or :func:`keep` holds one."""
    with _OPEN_LOCK:
        return _OPEN.get(parse_cluster(target)) if target else None


@contextlib.contextmanager
def session(target: str | None):
    """Use ``target`` for everything inside; yields the :class:`Cluster` (``None`` for this process).

    Runs inside whose config names no cluster (``RunConfig.cluster=None``) use ``target`` (as
    joblib's ``parallel_config`` sets the backend of the ``Parallel`` calls inside it).
    Re-entrant: inside an open session (or a kept cluster) of the same target it reuses that one.
    A cluster this call opened is closed when it ends (a ``local`` one is shut down).

    Examples
    --------
    >>> with session(None) as cluster:
    ...     cluster is None
    True
    """
    target = parse_cluster(target)
    if target is None:
        token = _CURRENT.set(None)
        try:
            yield None
        finally:
            _CURRENT.reset(token)
        return
    with _OPEN_LOCK:
        cluster = _OPEN.get(target)
        mine = cluster is None
        if mine:
            cluster = _OPEN[target] = Cluster.open(target)
    token = _CURRENT.set(target)
    try:
        yield cluster
    finally:
        _CURRENT.reset(token)
        if mine:
            with _OPEN_LOCK:
                if target not in _KEPT:
                    _OPEN.pop(target, None)
                    cluster.close()


def in_session(fn):
    """Run ``fn`` inside a :func:`session` of its ``config``'s cluster: a run of several task grids (a curve's
    sizes) opens the cluster, and scatters the data, once."""
    import functools

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        config = kwargs.get("config")
        with session(getattr(config, "cluster", None) or current()):
            return fn(*args, **kwargs)

    return wrapper


def keep(target: str) -> Cluster:
    """Open ``target`` (or find it open) and keep it open until :func:`release` or the process ends."""
    target = parse_cluster(target)
    with _OPEN_LOCK:
        if target not in _OPEN:
            _OPEN[target] = Cluster.open(target)
        _KEPT.add(target)
        return _OPEN[target]


def release(target: str | None = None) -> None:
    """Close a kept cluster (every kept one when ``target`` is None)."""
    with _OPEN_LOCK:
        targets = list(_KEPT) if target is None else [parse_cluster(target)]
        for t in targets:
            _KEPT.discard(t)
            cluster = _OPEN.pop(t, None)
            if cluster is not None:
                cluster.close()


atexit.register(release)


def _fit_remote(task, X, y, train_idx, test_idx, options: dict, extra_families: tuple):
    """:func:`~dllab.engine.runner.fit_predict` on a worker, within the worker thread's share of its cores."""
    from distributed import get_worker

    from .. import families
    from ..models.device import available_threads, thread_cap
    from .runner import fit_predict

    families.register_missing(extra_families)  # the caller's plugins, which this worker lacks
    _tune_malloc()
    worker = get_worker()
    share = max(1, available_threads() // max(1, worker.state.nthreads))
    task = dataclasses.replace(task, train_idx=train_idx, test_idx=test_idx)
    with thread_cap(share):
        record = fit_predict(task, X, y, **options)
    record.info["worker"] = worker.address  # where it ran (read by tests and the benchmarks)
    record.test_idx = None  # the caller has them; only predictions, timings (and models when asked) travel back
    return record


def run_on(cluster: Cluster, tasks: list, X, y, *, options: dict, on_done, should_stop=None, poll: float = 0.25):
    """Submit ``tasks`` to ``cluster``; call ``on_done(i, record)`` in completion order; return records in order.

    The data goes to the cluster once (:meth:`Cluster.scatter_data`); each distinct index array once.
    A fit that raises is a failed record (in :func:`fit_predict`); a task whose workers kept dying is a
    failed record naming that; losing the scheduler raises :class:`ClusterError`. ``should_stop()`` is
    checked every ``poll`` seconds; when it returns True the pending tasks are cancelled and
    ``on_done`` is not called again (the caller raises).
    """
    from distributed.client import FutureCancelledError

    from .. import families
    from .runner import RunCancelled

    client = cluster.client
    X_f, y_f = cluster.scatter_data(X, y)
    arrays, slot = [], {}
    for t in tasks:
        for a in (t.train_idx, t.test_idx):
            if id(a) not in slot:
                slot[id(a)] = len(arrays)
                arrays.append(a)
    index_f = cluster.scatter(arrays)
    extra = families.registered_outside(t.family for t in tasks)
    cluster.check_imports(extra)
    gpu = cluster.gpu_workers()
    batch = cluster.new_key("fit")
    futures = {}
    for i, t in enumerate(tasks):
        bare = dataclasses.replace(t, train_idx=None, test_idx=None)
        # When the cluster has workers with a GPU and the run may use one, the families that train on the
        # device (the deep net, boosting) all go there: landing on CPU workers sometimes would make their
        # numbers depend on the scheduling. The linear model ignores the device and goes anywhere.
        on_gpu = gpu and options["device"] != "cpu" and families.get(t.family).kind != "linear"
        resources = {"GPU": 1} if on_gpu else None
        fut = client.submit(_fit_remote, bare, X_f, y_f, index_f[slot[id(t.train_idx)]], index_f[slot[id(t.test_idx)]],
                            options, extra, key=f"{batch}-{i}", pure=False, resources=resources)
        futures[fut] = i
    cluster.stats["tasks"] += len(tasks)
    cluster.stats["task_bytes"] += _payload_bytes(tasks[0], options, extra) * len(tasks) if tasks else 0
    records = [None] * len(tasks)
    finished = queue.Queue()
    for fut in futures:
        fut.add_done_callback(finished.put)
    pending = set(futures)
    try:
        while pending:
            try:
                fut = finished.get(timeout=poll)
            except queue.Empty:
                fut = None
            if fut is not None and fut in pending:
                pending.discard(fut)
                i, t = futures[fut], tasks[futures[fut]]
                records[i] = _record_of(cluster, fut, t, done=len(tasks) - len(pending) - 1, total=len(tasks))
                on_done(i, records[i])
            if pending and should_stop is not None and should_stop():
                raise RunCancelled(f"stopped after {len(tasks) - len(pending)} of {len(tasks)} fits")
    except (OSError, FutureCancelledError) as exc:
        raise cluster.lost(done=len(tasks) - len(pending), total=len(tasks), reason=type(exc).__name__) from exc
    finally:
        if pending:
            client.cancel(list(pending), force=True)
    return records


def _record_of(cluster: Cluster, fut, task, *, done: int, total: int):
    """The FitRecord a finished future stands for: its result, or a failed fit naming why."""
    from distributed.scheduler import KilledWorker

    from ..analyses.comparison import FitRecord

    if fut.status == "finished":
        record = fut.result()
        record.test_idx = task.test_idx
        return record
    if fut.status != "error":  # cancelled: the scheduler went away
        raise cluster.lost(done=done, total=total, reason=f"a fit was {fut.status}")
    exc = fut.exception()
    reason = (f"the workers running this fit stopped each time it ran ({exc})" if isinstance(exc, KilledWorker)
              else f"{type(exc).__name__}: {exc}")
    return FitRecord(family=task.family, split=task.split, status="failed", test_idx=task.test_idx,
                     n_train=len(task.train_idx), reason=reason.strip()[:500])


def _payload_bytes(task, options: dict, extra: tuple) -> int:
    """Bytes of one task's arguments besides the scattered data (the task record, options, plugin families)."""
    import cloudpickle

    return len(cloudpickle.dumps((dataclasses.replace(task, train_idx=None, test_idx=None), options, extra)))
