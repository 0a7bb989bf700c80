"""Per-session state: what is loaded, what was asked for, messages for the next run.

Everything a user does lives in ``st.session_state``, which belongs to one
browser session; nothing here is module-level mutable state. Defaults are made
by factories so no two sessions share a dict or set.

Widgets whose choices depend on the data (the families offered, grouping
columns, the explained column, ...) are listed in :data:`DATA_WIDGETS`: when the
data changes (another dataset, target, task or roles) :func:`follow_data` drops
their values, so no page keeps a choice made for other data.
"""

from __future__ import annotations

import hashlib
import uuid

import streamlit as st

__all__ = ["init", "dataset", "require_dataset", "flash", "show_flash", "session_id", "identity", "follow_data",
           "DATA_WIDGETS"]

# Key -> factory of its default value (called once per session).
_DEFAULTS = {
    "sid": lambda: uuid.uuid4().hex,  # this session's id: the result store keeps its uploads apart
    "dataset": lambda: None,      # the current valid Dataset (every page reads it)
    "recipe": lambda: None,       # how it was built (a DataRecipe), to rebuild after edits
    "upload": lambda: None,       # last uploaded file: {"name", "sha", "frame", "error", "resize", "dismissed"}
    "loaded-upload": lambda: None,  # the uploaded file the loaded dataset was made from (same keys)
    "drafts": dict,               # Data page: form tag -> the user's choices not loaded yet
    "form-errors": dict,          # Data page: form tag -> (recipe, why it could not be loaded)
    "flash": list,                # [(kind, text)] shown once on the next run
    "requested": dict,            # data key -> RunConfig the user last pressed Run for
    "running": lambda: None,      # (data key, config key) while a run is in progress
    "last_progress": lambda: "",  # text of the last progress update (for "stopped after ...")
    "data-identity": lambda: None,  # identity() of the data the widgets in DATA_WIDGETS were set for
}

#: Widget keys (exact, or a prefix ending in "-") whose values were chosen for one dataset.
DATA_WIDGETS = ("families", "curve-families", "sg-", "ex-", "explain-rows", "vd-difference", "vd-seconds")


def init() -> None:
    """Give every session key its default if the session does not have it yet."""
    for key, factory in _DEFAULTS.items():
        if key not in st.session_state:
            st.session_state[key] = factory()


def session_id() -> str:
    """This browser session's id (made once per session by :func:`init`)."""
    return st.session_state["sid"]


def dataset():
    """The session's current :class:`~dllab.datasets.Dataset`, or None."""
    return st.session_state.get("dataset")


def identity(ds) -> str | None:
    """What the data-dependent widgets depend on: name, source, target, task and roles (not the sampled rows,
    so a new seed keeps the user's choices). None without data.

    Examples
    --------
    >>> import pandas as pd
    >>> from dllab.datasets import Dataset
    >>> ds = Dataset(frame=pd.DataFrame({"a": [1, 2], "y": [0, 1]}), target="y", task="binary",
    ...              roles={"a": "numeric"})
    >>> identity(ds) == identity(ds.with_changes(roles={"a": "excluded"}))
    False
    """
    if ds is None:
        return None
    parts = (ds.name, ds.source, str(ds.target), ds.task, ds.modality,
             sorted((str(c), r) for c, r in ds.roles.items()))
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:16]


def follow_data() -> bool:
    """Drop the values of :data:`DATA_WIDGETS` if the data changed since they were set; True if it did."""
    now = identity(dataset())
    if st.session_state.get("data-identity") == now:
        return False
    for key in list(st.session_state):
        key = str(key)
        if any(key == w or (w.endswith("-") and key.startswith(w)) for w in DATA_WIDGETS):
            del st.session_state[key]
    st.session_state["data-identity"] = now
    return True


def require_dataset():
    """The current dataset; if there is none, say where to get one and stop the page."""
    ds = dataset()
    if ds is None:
        st.info("No dataset is loaded yet. Pick a built-in dataset or upload a CSV file first.",
                icon=":material/info:")
        st.page_link("pages/1_Data.py", label="Go to Data", icon=":material/table_chart:")
        st.stop()
    return ds


def flash(kind: str, text: str) -> None:
    """Queue a message (``"error"``, ``"warning"``, ``"success"``, ``"info"``) for the next run."""
    st.session_state["flash"].append((kind, text))


def show_flash() -> None:
    """Show and forget the queued messages."""
    messages, st.session_state["flash"] = st.session_state["flash"], []
    for kind, text in messages:
        getattr(st, kind)(text)
