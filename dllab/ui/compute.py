"""The sidebar's Compute setting: where the app's fits run, and the context the pages train in.

Three choices: **This machine** (joblib's worker processes, one fit per core), **Local cluster** (a Dask
``LocalCluster`` of N worker processes on this server) and **Cluster address**
(a running Dask scheduler). The default comes from ``$DLLAB_CLUSTER``
(:data:`dllab.config.CLUSTER_ENV`), as for the CLI. The numbers never depend on
where the fits run (``RunConfig.key()`` leaves the cluster out), so the result
store stays valid whichever is chosen: only the time changes.

A chosen cluster is opened once for the server (:func:`_open`, held by
``st.cache_resource`` over :func:`dllab.engine.compute.keep`) and reused by every
rerun, page and session. The pages wrap their training in :func:`training`,
which runs it inside :func:`dllab.engine.compute.session` of the session's
choice. A target that cannot be used is said once with ``st.error`` and the
session runs in this process until the user picks another target or presses
*Try again*: a scheduler that does not answer costs its timeout once, not on
every rerun.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
import types

import streamlit as st

from ..config import CLUSTER_ENV, parse_cluster
from ..engine import compute as engine
from ..errors import ConfigError, message_for
from ..models.device import cores

__all__ = ["CHOICES", "sidebar", "target", "training", "cluster_text", "default_choice"]

#: The choices, in the order shown.
CHOICES = {"process": "This machine", "local": "Local cluster", "address": "Cluster address"}
#: Session keys: the widgets, the target they resolved to on this run, and targets that failed to open.
CHOICE, WORKERS, ADDRESS, TARGET, FAILED = "compute", "compute-workers", "compute-address", "compute-target", \
    "compute-failed"
PLACEHOLDER = "tcp://10.0.0.5:8786"
# Serialises the starts of local clusters (see _without_page_main); a lock, not state.
_STARTING = threading.Lock()

_HELP = ("Where the models train. **This machine**: worker processes on this server, one fit per core (one "
         "fit at a time on every core for large tables). **Local cluster**: a Dask cluster of worker processes "
         "on this server, with its dashboard. **Cluster address**: the workers of a running Dask scheduler. "
         "The numbers are the same on each; only the time changes.")
_BAD_ENV = "The server's {env}={value!r} could not be used, so the app runs in this process: {why}"
_NO_START = "The {what} could not start ({why}); try again, or choose This machine under Compute in the sidebar."


def default_choice(value: str | None) -> tuple[dict, str | None]:
    """The widgets' starting values for ``$DLLAB_CLUSTER`` = ``value``, and a warning when it is not valid.

    Examples
    --------
    >>> default_choice("local:2")[0]["compute"], default_choice("local:2")[0]["compute-workers"]
    ('local', 2)
    >>> values, warning = default_choice("nonsense")
    >>> values["compute"], warning.startswith("The server's DLLAB_CLUSTER='nonsense' could not be used")
    ('process', True)
    """
    values = {CHOICE: "process", WORKERS: cores(), ADDRESS: ""}
    try:
        target = parse_cluster(value)
    except ConfigError as exc:
        return values, _BAD_ENV.format(env=CLUSTER_ENV, value=value, why=message_for(exc, "app"))
    if target is not None and target.startswith("local:"):
        values.update({CHOICE: "local", WORKERS: int(target.split(":", 1)[1])})
    elif target is not None:
        values.update({CHOICE: "address", ADDRESS: target})
    return values, None


def target() -> str | None:
    """The compute target this session's runs use: the sidebar's, once it opened (None: this process)."""
    return st.session_state.get(TARGET)


def cluster_text(cluster) -> str:
    """``"2 workers · 2 threads · dashboard"`` (a link) for an open :class:`~dllab.engine.compute.Cluster`."""
    n, threads = cluster.n_workers, cluster.n_threads
    text = f"{n} worker{'s' if n != 1 else ''} · {threads} thread{'s' if threads != 1 else ''}"
    dashboard = cluster.dashboard_link
    return text + (f" · [dashboard]({dashboard})" if dashboard else "")


def _where(cluster) -> str:
    return "the local cluster" if cluster.local is not None else f"the cluster at {cluster.target}"


def _alive(cluster) -> bool:
    # The one compute keeps for this target, and its client still connected (a scheduler can go away).
    return engine.opened(cluster.target) is cluster and getattr(cluster.client, "status", "") == "running"


@st.cache_resource(show_spinner=False, validate=_alive)
def _open(target: str):
    """The server's open cluster of ``target``: started (or connected to) on first use, then shared.

    Not released when a session switches away: another session (or a run on another page) may be
    training on it, and starting it again costs seconds. Its workers stop when the server does.
    """
    found = engine.opened(target)
    if found is not None and not _alive(found):  # a scheduler that went away: connect again
        engine.release(target)
    with _without_page_main() if target.startswith("local:") else contextlib.nullcontext():
        return engine.keep(target)


@contextlib.contextmanager
def _without_page_main():
    """Hide the page script from the worker processes a local cluster spawns while it starts.

    Streamlit runs the page as ``sys.modules["__main__"]`` (its ``__file__`` is the page), and
    multiprocessing's spawn runs the parent's main file again in every child: each worker would
    import streamlit and run the page outside any session. A bare ``__main__`` has nothing to run.
    One start at a time, so two sessions starting clusters cannot restore each other's stand-in
    (and the next script run installs its own ``__main__`` in any case).
    """
    with _STARTING:
        page = sys.modules.get("__main__")
        sys.modules["__main__"] = types.ModuleType("__main__")
        try:
            yield
        finally:
            if page is not None:
                sys.modules["__main__"] = page


def _start_values() -> None:
    # The widgets read their values from the session (no default= argument): set once per session.
    values, warning = default_choice(os.environ.get(CLUSTER_ENV))
    for k, v in values.items():
        st.session_state.setdefault(k, v)
    st.session_state.setdefault(FAILED, {})
    if warning:
        st.warning(warning, icon=":material/warning:")


def _chosen() -> str | None:
    """The widgets; returns the target they name (None: this process, or nothing usable entered)."""
    choice = st.radio("Compute", list(CHOICES), format_func=CHOICES.get, key=CHOICE, persist_state="session",
                      help=_HELP)
    if choice == "local":
        # Up to two per core; more when $DLLAB_CLUSTER asked for more (its value must stay in range).
        most = max(cores() * 2, int(st.session_state.get(WORKERS) or 1))
        n = st.number_input("Worker processes", min_value=1, max_value=most, step=1, key=WORKERS,
                            persist_state="session",
                            help=f"This server has {cores()} core{'s' if cores() != 1 else ''}; each worker "
                                 "fits one model at a time with its share of them.")
        return f"local:{int(n or 1)}"
    if choice == "address":
        text = st.text_input("Scheduler address", key=ADDRESS, placeholder=PLACEHOLDER, persist_state="session",
                             help="A running Dask scheduler (dask scheduler) whose workers have the lab's "
                                  "requirements installed.")
        if not (text or "").strip():
            st.caption("Enter the address of a running Dask scheduler; until then the app runs in this process.")
            return None
        try:
            return parse_cluster(text)
        except ConfigError as exc:
            st.error(message_for(exc, "app"), icon=":material/error:")
            return None
    return None


def _what(target: str) -> str:
    return "local cluster" if target.startswith("local:") else f"connection to {target}"


def _try_open(target: str):
    """The open cluster of ``target``, or None after remembering why it could not open (for this session)."""
    failed = st.session_state.setdefault(FAILED, {})
    try:
        return _open(target)
    except ConfigError as exc:  # ClusterError: no answer, no workers, other package versions
        failed[target] = message_for(exc, "app")
    except (ImportError, OSError, TimeoutError) as exc:  # distributed missing, no free port, ...
        failed[target] = _NO_START.format(what=_what(target), why=f"{type(exc).__name__}: {exc}")
    return None


def _connect(target: str):
    """The open cluster of ``target``, or None after saying why (remembered, so it is tried once)."""
    failed = st.session_state[FAILED]
    if target not in failed:
        starting = engine.opened(target) is None  # else a cache hit: no spinner flashing on every rerun
        with st.spinner(f"Starting the {_what(target)}…") if starting else contextlib.nullcontext():
            cluster = _try_open(target)
        if cluster is not None:
            return cluster
    st.error(failed[target], icon=":material/error:")
    if st.button("Try again", icon=":material/refresh:", key="compute-retry"):
        del failed[target]
        st.rerun()
    st.caption("Running in this process meanwhile.")
    return None


def sidebar() -> str | None:
    """The Compute setting (call it inside ``st.sidebar``); returns the target this session's runs use."""
    _start_values()
    chosen = _chosen()
    cluster = _connect(chosen) if chosen is not None else None
    if cluster is not None:
        st.caption(f":material/hub: {cluster_text(cluster)}")
    st.session_state[TARGET] = cluster.target if cluster is not None else None
    return st.session_state[TARGET]


@contextlib.contextmanager
def training():
    """Run the training inside on the session's compute target (see :func:`target`).

    Enters :func:`dllab.engine.compute.session`, so every run inside whose config names no cluster
    uses it, and says where it runs (a caption; inside the page's status box when entered there).
    Yields the open cluster, or None for this process. Entering never raises: a cluster that closed
    since the sidebar opened it is opened again, and if that fails the run says so and stays here.
    """
    chosen = target()
    if chosen is not None and engine.opened(chosen) is None and _try_open(chosen) is None:
        st.error(f"{st.session_state[FAILED][chosen]} This run trains in this process.", icon=":material/error:")
        chosen = st.session_state[TARGET] = None
    with engine.session(chosen) as cluster:
        if cluster is not None:
            st.caption(f":material/hub: Running on {_where(cluster)}: {cluster_text(cluster)}")
        yield cluster
