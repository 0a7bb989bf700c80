"""Per-session state: what is loaded, what was asked for, messages for the next run.

Everything a user does lives in ``st.session_state``, which belongs to one
browser session; nothing here is module-level mutable state. Defaults are made
by factories so no two sessions share a dict or set.
"""

from __future__ import annotations

import streamlit as st

__all__ = ["init", "dataset", "require_dataset", "flash", "show_flash"]

# Key -> factory of its default value (called once per session).
_DEFAULTS = {
    "dataset": lambda: None,      # the current valid Dataset (every page reads it)
    "recipe": lambda: None,       # how it was built (dllab.ui.data.Recipe), to rebuild after edits
    "upload": lambda: None,       # last uploaded file: {"name", "sha", "frame", "error", "resize"}
    "nonce": lambda: 0,           # bumped to reset the Data page's edit widgets after a failed edit
    "flash": list,                # [(kind, text)] shown once on the next run
    "requested": dict,            # dataset sha256 -> RunConfig the user last pressed Run for
    "running": lambda: None,      # (sha256, config key) while a run is in progress
    "last_progress": lambda: "",  # text of the last progress update (for "stopped after ...")
}


def init() -> None:
    """Give every session key its default if the session does not have it yet."""
    for key, factory in _DEFAULTS.items():
        if key not in st.session_state:
            st.session_state[key] = factory()


def dataset():
    """The session's current :class:`~dllab.datasets.Dataset`, or None."""
    return st.session_state.get("dataset")


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
