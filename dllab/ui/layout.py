"""The page frame every page starts with: page config, session defaults, sidebar.

A classic multipage app (``app.py`` + ``pages/``) without ``st.navigation``:
each page calls :func:`page` first, so a page opened by its own URL, or switched
to in AppTest, is complete on its own (see STREAMLIT-NOTES.md, section 0).
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from ..errors import message_for

from . import compute, state
from .tables import provenance

__all__ = ["PageInfo", "PAGES", "page", "page_info", "belongs_to", "home_actions"]

APP_NAME = "DL Decision Lab"


@dataclass(frozen=True)
class PageInfo:
    """One entry of the sidebar: the script, its label and its Material icon."""

    path: str
    label: str
    icon: str
    help: str = ""


#: The sidebar, in order. Adding a page is one line here plus its file in ``pages/``.
PAGES = (
    PageInfo("app.py", "Home", ":material/home:", "What the lab answers, and the built-in datasets"),
    PageInfo("pages/1_Data.py", "Data", ":material/table_chart:", "Upload a CSV or pick a built-in; check roles"),
    PageInfo("pages/2_Compare.py", "Compare", ":material/leaderboard:",
             "Deep net vs XGBoost vs linear model on the same splits"),
    PageInfo("pages/3_Data_size.py", "Data size", ":material/show_chart:",
             "How each family improves with more rows, and where the deep net would catch up"),
    PageInfo("pages/4_Subgroups.py", "Subgroups", ":material/groups:",
             "Where each model fails, where the families disagree, and what happens under shift"),
    PageInfo("pages/5_Explain.py", "Explain", ":material/psychology_alt:",
             "What each model relies on, whether they agree, and one row explained by every model"),
    PageInfo("pages/6_Verdict.py", "Verdict", ":material/gavel:",
             "Use deep learning here? The recommendation, its reasons, and the report"),
    PageInfo("pages/7_Workshop.py", "Workshop", ":material/school:",
             "A guided sequence of scenarios: guess which approach wins, then see the evidence"),
)


def page_info(label: str) -> PageInfo:
    """The :data:`PAGES` entry called ``label``."""
    for info in PAGES:
        if info.label == label:
            return info
    raise KeyError(f"internal error: no page {label!r}; pages are {[p.label for p in PAGES]}")


def page(label: str) -> PageInfo:
    """Start a page: config (wide layout, title, icon), session defaults, sidebar.

    Call it first on every page, Home included.
    """
    info = page_info(label)
    st.set_page_config(page_title=f"{label} · {APP_NAME}" if label != "Home" else APP_NAME,
                       page_icon=info.icon, layout="wide", initial_sidebar_state="expanded")
    state.init()
    state.follow_data()
    _plugins()
    _sidebar()
    return info


def belongs_to(result, *, what: str = "Results for") -> None:
    """A one-line caption naming the data and the settings ``result`` (a comparison or a curve) was made with.

    Read from the result itself (its ``dataset`` and ``config``), so it can only name the data the numbers
    came from.
    """
    st.caption(f":material/dataset: {what}: " + provenance(result.dataset, result.config))


def home_actions() -> None:
    """Home's three ways in, side by side: upload your CSV (the primary action), a built-in, the Workshop."""
    from .. import datasets
    from ..apps.workshop import scenarios

    upload, builtin, workshop = st.columns(3)
    with upload.container(border=True, height="stretch"):
        st.markdown("**:material/upload_file: Your own data**")
        st.caption("A CSV with a header row, or a ZIP of images in one folder per class. You see what the lab "
                   "guessed (the target, every column's role) and change it before anything is trained.")
        if st.button("Upload your CSV", type="primary", icon=":material/upload:", key="home-upload",
                     width="stretch", help="Opens the Data page, where you drop the file."):
            st.switch_page(page_info("Data").path)
    with builtin.container(border=True, height="stretch"):
        st.markdown("**:material/dataset: A built-in dataset**")
        st.caption(f"{len(datasets.catalogue())} datasets, real and generated, each with a lesson about when "
                   "deep learning pays off. One click loads one.")
        st.markdown("[:material/arrow_downward: Pick one below](#built-in-datasets)")
    with workshop.container(border=True, height="stretch"):
        st.markdown("**:material/school: The Workshop**")
        st.caption(f"{len(scenarios())} guided scenarios: guess which model wins, run it, and see the evidence "
                   "that decides. No data to bring.")
        if st.button("Open the Workshop", icon=":material/school:", key="home-workshop", width="stretch"):
            st.switch_page(page_info("Workshop").path)


def _plugins() -> None:
    # Families registered from outside (DLLAB_PLUGINS) join the registry the pages read.
    from .. import families
    from ..errors import ConfigError

    try:
        families.load_env_plugins()
    except ConfigError as exc:
        st.error(f"A model family could not be added: {message_for(exc, 'app')}", icon=":material/extension_off:")


def _sidebar() -> None:
    with st.sidebar:
        st.markdown(f"### :material/science: {APP_NAME}")
        st.caption("Is deep learning worth it on this data? Answered with evidence.")
        for p in PAGES:
            st.page_link(p.path, label=p.label, icon=p.icon, help=p.help or None)
        st.divider()
        ds = state.dataset()
        if ds is None:
            st.caption("No dataset loaded yet.")
        else:
            rows = f"{ds.n_rows:,} rows" + (f" (of {ds.n_rows_total:,})" if ds.n_rows_total != ds.n_rows else "")
            st.markdown(f"**Dataset:** {ds.name}  \n{rows} · {len(ds.feature_columns)} features  \n"
                        f"target `{ds.target}` · {ds.task}")
        st.divider()
        compute.sidebar()
