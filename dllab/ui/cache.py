"""The app's result cache: one :class:`~dllab.Study` per (data key, ``RunConfig.key()``).

A Study holds the comparison and every analysis of it (curve, subgroups, shift
test, explanation), each cached under its own settings, so the pages ask the
Study and never build keys of their own.

Why not ``@st.cache_resource`` on the training function itself: Streamlit
records the elements a cached function draws and replays them on a hit, and a
live progress bar drawn from inside would be replayed as a never-finished
status. So the training runs outside, and its result goes into a
:class:`ResultStore` that ``st.cache_resource`` holds for the server process
(``st.cache_resource.clear()`` empties it, as for any cache).

The key is the data key (:func:`data_key`) plus every setting that changes the
numbers, never a sample-hash of a frame. Results of a built-in are read-only and
shared between sessions: the same public data and settings give the same
numbers, so a workshop of thirty running the same built-in trains once. Results
of an upload belong to the session that uploaded it: the content hash does not
cover the file's name or reading notices, and another user's byte-identical file
must not show them (or "from the cache").
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict

import streamlit as st

__all__ = ["ResultStore", "results", "study", "studies_of", "data_key", "is_public", "MAX_RESULTS"]

#: Studies kept (least recently used dropped first); each holds its fitted models.
MAX_RESULTS = 32


class ResultStore:
    """A thread-safe least-recently-used mapping of keys to results.

    Examples
    --------
    >>> store = ResultStore(max_entries=2)
    >>> store.put("a", 1); store.put("b", 2); store.get("a")
    1
    >>> store.put("c", 3); store.get("b") is None, len(store)
    (True, 2)
    """

    def __init__(self, *, max_entries: int = MAX_RESULTS):
        self.max_entries = max_entries
        self._items: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        """The result stored under ``key`` (now the most recently used), or None."""
        with self._lock:
            if key not in self._items:
                return None
            self._items.move_to_end(key)
            return self._items[key]

    def put(self, key, value) -> None:
        """Store ``value`` under ``key``, dropping the least recently used beyond ``max_entries``."""
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.max_entries:
                self._items.popitem(last=False)

    def items(self) -> list:
        """A snapshot of the stored ``(key, value)`` pairs, least recently used first (no reordering)."""
        with self._lock:
            return list(self._items.items())

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)


@st.cache_resource(show_spinner=False)
def results() -> ResultStore:
    """The server's one :class:`ResultStore` of studies."""
    return ResultStore(max_entries=MAX_RESULTS)


def is_public(ds) -> bool:
    """Whether ``ds`` is a built-in (public and read-only: its results may be shared by every session)."""
    return str(getattr(ds, "source", "")).startswith("builtin:")


def data_key(ds, *, session: str | None = None) -> str:
    """What identifies ``ds`` in the result store and in a session's run requests.

    The content hash for a built-in. For anything else (an upload) the hash plus a
    digest of the session, the name and the notices: a result stored under it
    carries nothing of another session, nor of a same-content file with another name.

    Parameters
    ----------
    session : str, optional
        The session id (default: this session's, :func:`dllab.ui.state.session_id`).
    """
    if is_public(ds):
        return ds.sha256
    if session is None:
        from .state import session_id

        session = session_id()
    digest = hashlib.sha256(repr((session, ds.name, tuple(ds.notices))).encode()).hexdigest()[:16]
    return f"{ds.sha256}:{digest}"


def study(ds, config, *, session: str | None = None):
    """The stored :class:`~dllab.Study` of ``ds`` with ``config`` (made, not computed, if new).

    ``session`` as in :func:`data_key`.
    """
    from ..study import Study

    store = results()
    config = config.for_data(ds)
    key = (data_key(ds, session=session), config.key())
    found = store.get(key)
    if found is None:
        found = Study(ds, config=config)
        store.put(key, found)
    return found


def studies_of(key: str) -> list:
    """Every stored study of the data with :func:`data_key` ``key``, least recently used first."""
    return [s for k, s in results().items() if isinstance(k, tuple) and k[0] == key]
