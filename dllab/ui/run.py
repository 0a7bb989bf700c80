"""Running a comparison from the app: settings, cache, live progress, stop.

Caching
    Results are stored by (dataset sha256, ``RunConfig.key()``) in the server's
    :func:`~dllab.ui.cache.results` store (see :mod:`dllab.ui.cache`): a rerun,
    a page change or another session with the same data and settings shows
    them at once. A new dataset has a new sha256, so nothing stale is shown.

Stopping
    Streamlit stops a script at its next ``st`` call when the user presses Stop
    (ours, or the toolbar's) or reruns it in any other way. The progress
    callback is such a call after every fit, so a run stops between fits;
    nothing is cached from a stopped run. ``session_state["running"]`` is set
    before and cleared after a run, so the next script run knows the last one
    did not finish and says so, instead of silently starting it again.
"""

from __future__ import annotations

import streamlit as st

from ..engine import runner
from ..config import BUDGETS, RunConfig
from ..errors import ConfigError, DataError
from .. import families as registry
from . import state
from .cache import results

__all__ = ["run_settings", "comparison", "local_device"]

_BUDGET_HELP = {
    "quick": "a few seconds per model: for exploring and demos",
    "standard": "the measured default: use it before you decide",
    "thorough": "adds an equal-time hyper-parameter search for every family",
}


@st.cache_resource(show_spinner=False)
def local_device() -> str:
    """``"cuda"`` if this server's torch sees a GPU, else ``"cpu"``."""
    from ..models.device import resolve_device

    return resolve_device("auto")


def run_settings(ds) -> tuple[RunConfig, bool]:
    """The run settings form. Returns the config it shows and whether Run was pressed.

    Values persist for the session (``persist_state="session"``), so leaving
    the page and coming back keeps them.
    """
    device_here = local_device()
    with st.form("settings", border=True):
        st.markdown("**Run settings**")
        c1, c2, c3, c4 = st.columns([3, 2, 2, 2])
        budget = c1.segmented_control(
            "Budget", list(BUDGETS), default="standard", required=True, key="budget", persist_state="session",
            help="  \n".join(f"**{b}**: {h}" for b, h in _BUDGET_HELP.items()))
        folds = c2.number_input("Folds (k)", min_value=2, max_value=10, value=None, step=1, key="folds",
                                placeholder="auto: 3 quick, 5 otherwise", persist_state="session",
                                help="Every family is trained and tested on the same k-fold splits.")
        repeats = c3.number_input("Repeats", min_value=1, max_value=10, value=None, step=1, key="repeats",
                                  placeholder="auto: 2 thorough, 1 otherwise", persist_state="session",
                                  help="Repeat the k-fold split with fresh shuffles for tighter intervals.")
        seed = c4.number_input("Seed", min_value=0, max_value=2**31 - 1, value=0, step=1, key="seed",
                               persist_state="session", help="Same seed, same data, same settings: same numbers.")
        c5, c6 = st.columns([5, 3])
        defaults = registry.default_families(ds)
        families = c5.multiselect("Model families", list(registry.serving(ds.modality)), default=list(defaults),
                                  key="families", format_func=registry.label, persist_state="session")
        device = c6.segmented_control(
            "Device for the deep net and XGBoost", ["auto", "cpu", "cuda"], default="auto", required=True,
            key="device", persist_state="session",
            help=f"This server has {'a CUDA GPU' if device_here == 'cuda' else 'no GPU'}: "
                 f"auto means {device_here}.")
        submitted = st.form_submit_button("Run comparison", type="primary", icon=":material/play_arrow:")
        st.caption(f"{'GPU (CUDA) available' if device_here == 'cuda' else 'No GPU here'}: the deep net trains on "
                   f"**{device_here if device == 'auto' else device}**. Data: {ds.n_rows:,} rows × "
                   f"{len(ds.feature_columns)} features.")
    try:
        config = RunConfig(budget=budget or "standard", n_folds=None if folds is None else int(folds),
                           repeats=None if repeats is None else int(repeats), seed=int(seed),
                           device=device or "auto", families=tuple(families) or defaults,
                           max_rows=getattr(st.session_state.get("recipe"), "max_rows", 100_000))
    except ConfigError as exc:
        st.error(str(exc))
        st.stop()
    return config, submitted


def comparison(ds, config: RunConfig, *, submitted: bool):
    """The comparison to show for ``ds``: the last one Run was pressed for, trained or from the cache.

    Returns None (after saying why) when there is nothing to show.
    """
    sha = ds.sha256
    if submitted:
        st.session_state["requested"][sha] = config
        st.session_state["running"] = None
    asked = st.session_state["requested"].get(sha)
    if asked is None:
        st.info("Choose the settings and press **Run comparison**. Every family is trained on the same splits; "
                "the results appear here.", icon=":material/play_circle:")
        return None
    key = (sha, asked.key())
    if st.session_state["running"] == key:
        # The last script run started this comparison and never got to the end: stopped.
        st.session_state["running"] = None
        del st.session_state["requested"][sha]
        done = st.session_state["last_progress"]
        st.warning("The run was stopped" + (f" after {done}" if done else "") + ". Nothing from it was kept. "
                   "Press **Run comparison** to start again.", icon=":material/stop_circle:")
        return None
    if asked.key() != config.key():
        st.info("The settings above changed since the results below were made; press **Run comparison** "
                "to use them.", icon=":material/sync_problem:")
    if asked.device == "cuda":
        try:
            from ..models.device import resolve_device

            resolve_device("cuda")
        except ConfigError as exc:
            st.error(str(exc))
            del st.session_state["requested"][sha]
            return None
    store = results()
    cmp = store.get(key)
    if cmp is not None:
        st.caption(":material/bolt: From the cache: same data and settings, so nothing was retrained.")
        return cmp
    stop = st.empty()
    stop.button("Stop", icon=":material/stop:", key="stop",
                help="Stops after the model that is training now finishes; nothing is kept.")
    st.session_state["running"], st.session_state["last_progress"] = key, ""
    try:
        cmp = _train(ds, asked)
    except (DataError, ConfigError) as exc:
        stop.empty()
        st.session_state["running"] = None
        del st.session_state["requested"][sha]
        st.error(f"The comparison could not run: {exc}", icon=":material/error:")
        return None
    stop.empty()
    st.session_state["running"] = None
    store.put(key, cmp)
    return cmp


def _train(ds, config: RunConfig):
    """Train and score every family, with a live status box and progress bar."""
    n_fits = len(config.families) * config.resolved_folds * config.resolved_repeats
    with st.status(f"Training {n_fits} models on {ds.n_rows:,} rows…", expanded=True) as box:
        bar = st.progress(0.0, text=f"training {registry.label(config.families[0])}, fold 1…")

        def progress(p):
            # Each st call here is also where Streamlit stops the script when asked to.
            st.session_state["last_progress"] = f"{p.done} of {p.total} fits"
            nxt = f"training {p.next_label}…" if p.next_label else "scoring…"
            bar.progress(p.fraction, text=p.text)
            box.update(label=f"{p.done}/{p.total} fits done in {p.elapsed:.0f} s · {nxt}")

        cmp = runner.compare(ds, config=config, progress=progress)
        failed = [registry.label(f) for f in cmp.families if cmp.overall.loc[f, "status"] != "ok"]
        box.update(label=f"Trained {n_fits} models in {cmp.wall_seconds:.0f} s"
                         + (f"; {', '.join(failed)} failed (see below)" if failed else ""),
                   state="complete", expanded=False)
    return cmp
