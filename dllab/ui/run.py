"""Running a comparison from the app: settings, cache, live progress, stop.

Caching
    The comparison belongs to the :class:`~dllab.Study` of (dataset sha256,
    ``RunConfig.key()``) in the server's :func:`~dllab.ui.cache.results` store:
    a rerun, a page change, or another session with the same built-in and
    settings shows it at once; an upload's results stay in its session
    (:func:`~dllab.ui.cache.data_key`). A new dataset has a new key, so nothing
    stale is shown, and the family picker starts again from the new data's
    defaults (:func:`dllab.ui.state.follow_data`).

Stopping
    Streamlit stops a script at its next ``st`` call when the user presses Stop
    (ours, or the toolbar's) or reruns it in any other way. The progress
    callback is such a call after every fit, so a run stops between fits;
    nothing is cached from a stopped run, and the next script run says so
    (:mod:`dllab.ui.jobs`).

Seeds
    The seed also seeds the sampling of the data (and a synthetic built-in's
    generator), as the CLI's ``--seed`` does: pressing Run with another seed
    rebuilds the data with it (:func:`dllab.ui.data.follow_seed`).

Time estimates
    Each budget is labelled with its expected time (:mod:`dllab.engine.estimate`:
    per-fit times measured on tables of several sizes), refined by the fit
    times of this session's runs (``session_state["fit-times"]``, per data key);
    during a run the time left is rescaled by the fits already done.
"""

from __future__ import annotations

import streamlit as st

from ..config import BUDGETS, RunConfig
from ..engine import estimate as cost
from ..errors import ConfigError, message_for
from .. import families as registry
from . import state
from .cache import data_key, study
from .compute import training
from .data import follow_seed
from .jobs import COMPARE
from .tables import fit_counts

__all__ = ["run_settings", "preset_settings", "estimate_for", "all_fit_times", "remember_fit_times", "comparison",
           "needed_comparison", "local_device"]

#: Session key: data key -> the fit times (dllab.engine.estimate.Observed) measured on that data in this session.
FIT_TIMES = "fit-times"
#: The settings form's widget keys, and the defaults they start from.
_FORM_DEFAULTS = {"budget": "quick", "folds": None, "repeats": None, "seed": 0, "device": "auto"}

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


def _start_values(ds) -> None:
    # The form's widgets read their values from the session (no default= argument), so
    # preset_settings() can set them from another page without Streamlit's "default and state" warning.
    for k, v in _FORM_DEFAULTS.items():
        st.session_state.setdefault(k, v)
    offered = registry.serving(ds.modality)
    if "families" not in st.session_state:  # dropped when the data changes (state.DATA_WIDGETS)
        st.session_state["families"] = [f for f in registry.default_families(ds) if f in offered]
    elif any(f not in offered for f in st.session_state["families"]):  # e.g. a plugin family no longer loaded
        st.session_state["families"] = [f for f in st.session_state["families"] if f in offered]


def preset_settings(config: RunConfig, ds) -> None:
    """Make the settings form show ``config`` (for ``ds``) the next time it is drawn.

    Call it from a page that does not draw the form (the Workshop's "open in the lab").
    """
    offered = registry.serving(ds.modality)
    st.session_state.update(budget=config.budget, folds=config.n_folds, repeats=config.repeats,
                            seed=int(config.seed), device=config.device,
                            families=[f for f in (config.families or registry.default_families(ds)) if f in offered])


def run_settings(ds) -> tuple[RunConfig, bool]:
    """The run settings form. Returns the config it shows and whether Run was pressed.

    Values persist for the session (``persist_state="session"``), so leaving
    the page and coming back keeps them. Each budget is labelled with the time
    a run of the settings shown would take (:func:`estimate_for`).
    """
    device_here = local_device()
    _start_values(ds)
    defaults = registry.default_families(ds)
    times = {b: estimate_for(ds, _config_from_state(ds, budget=b)) for b in BUDGETS}
    with st.form("settings", border=True):
        st.markdown("**Run settings**")
        budget = st.segmented_control(
            "Budget", list(BUDGETS), required=True, key="budget", persist_state="session",
            format_func=lambda b: f"{b} · {times[b].text}",
            help="  \n".join(f"**{b}**: {h}" for b, h in _BUDGET_HELP.items())
                 + "  \nThe times are estimates for the folds, repeats and families shown below, from fit times "
                   "measured on tables of several sizes"
                 + (", corrected by the runs of this session." if any(t.refined for t in times.values()) else "."))
        c2, c3, c4 = st.columns(3)
        folds = c2.number_input("Folds (k)", min_value=2, max_value=10, step=1, key="folds",
                                placeholder="auto: 3 quick, 5 otherwise", persist_state="session",
                                help="Every family is trained and tested on the same k-fold splits.")
        repeats = c3.number_input("Repeats", min_value=1, max_value=10, step=1, key="repeats",
                                  placeholder="auto: 2 thorough, 1 otherwise", persist_state="session",
                                  help="Repeat the k-fold split with fresh shuffles for tighter intervals.")
        seed = c4.number_input("Seed", min_value=0, max_value=2**31 - 1, step=1, key="seed",
                               persist_state="session", help="Same seed, same data, same settings: same numbers.")
        c5, c6 = st.columns([5, 3])
        offered = list(registry.serving(ds.modality))
        families = c5.multiselect("Model families", offered, key="families", format_func=registry.label,
                                  persist_state="session",
                                  help=f"The families that serve {ds.modality} data; the choice starts again from "
                                       "the defaults when the data, its target or its column roles change.")
        device = c6.segmented_control(
            "Device for the deep net and XGBoost", ["auto", "cpu", "cuda"], required=True,
            key="device", persist_state="session",
            help=f"This server has {'a CUDA GPU' if device_here == 'cuda' else 'no GPU'}: "
                 f"auto means {device_here}.")
        submitted = st.form_submit_button("Run comparison", type="primary", icon=":material/play_arrow:")
        st.caption(f"{'GPU (CUDA) available' if device_here == 'cuda' else 'No GPU here'}: the deep net trains on "
                   f"**{device_here if device == 'auto' else device}**. Data: {ds.n_rows:,} rows × "
                   f"{len(ds.feature_columns)} features.")
    try:
        config = RunConfig(budget=budget or "quick", n_folds=None if folds is None else int(folds),
                           repeats=None if repeats is None else int(repeats), seed=int(seed),
                           device=device or "auto", families=tuple(families) or defaults)
    except ConfigError as exc:
        st.error(message_for(exc, "app"))
        st.stop()
    return config, submitted


def _config_from_state(ds, *, budget: str) -> RunConfig:
    """The config the form's current values give at ``budget`` (the defaults where a value is unusable)."""
    ss = st.session_state
    offered = registry.serving(ds.modality)
    fams = tuple(f for f in ss.get("families") or () if f in offered) or registry.default_families(ds)
    try:
        return RunConfig(budget=budget, n_folds=ss.get("folds"), repeats=ss.get("repeats"), families=fams)
    except ConfigError:
        return RunConfig(budget=budget, families=registry.default_families(ds))


def estimate_for(ds, config: RunConfig, *, key: str | None = None) -> cost.Estimate:
    """How long ``config`` would take on ``ds`` here, refined by the fit times measured in this session.

    ``key``: the data key of ``ds`` (:func:`dllab.ui.cache.data_key`), default computed.
    """
    key = data_key(ds) if key is None else key
    seen = st.session_state.get(FIT_TIMES, {})
    other = [o for k, obs in seen.items() if k != key for o in obs]
    return cost.estimate(config.for_data(ds), n_rows=ds.n_rows, n_columns=len(ds.feature_columns), task=ds.task,
                         same_data=seen.get(key, ()), other_data=other)


def all_fit_times() -> list:
    """Every fit time measured in this session, on any data (:class:`dllab.engine.estimate.Observed`)."""
    return [o for obs in st.session_state.get(FIT_TIMES, {}).values() for o in obs]


def remember_fit_times(key: str, observations) -> None:
    """Keep the fit times measured on the data with key ``key`` (the latest per family and budget)."""
    seen = st.session_state.setdefault(FIT_TIMES, {})
    mine = {(o.family, o.budget): o for o in seen.get(key, [])}
    mine.update({(o.family, o.budget): o for o in observations})
    seen[key] = list(mine.values())


def comparison(ds, config: RunConfig, *, submitted: bool):
    """The comparison to show for ``ds``: the last one Run was pressed for, trained or from the cache.

    Returns None (after saying why) when there is nothing to show.
    """
    if submitted and follow_seed(config.seed):  # other rows for this seed: run on them
        COMPARE.ask(data_key(state.dataset()), config)
        st.rerun()
    key = data_key(ds)
    cmp = COMPARE.run(key, config, submitted=submitted, key_of=lambda c: (key, c.key()),
                      same=lambda c: c.key() == config.key(), check=_device_problem,
                      lookup=lambda c: study(ds, c).cached("comparison"),
                      train=lambda c: _train(ds, c))
    if cmp is not None:  # measured on this server: later estimates for this data start from it
        remember_fit_times(key, cost.observed(cmp))
    return cmp


def needed_comparison(ds, *, what: str, key: str, reads: str = "a comparison"):
    """The session's comparison for ``ds`` (from the cache, or trained), or ``(None, None)`` after saying
    what to do: a link to Compare and a button for a quick run (the default families, 3 folds).

    Returns ``(comparison, config)``.
    """
    asked = COMPARE.asked(data_key(ds))
    if asked is None:
        st.info(f"{what} reads {reads}, and none has been run for this dataset yet. Run one on the Compare page, "
                "or a quick one (the default families, 3 folds) here.", icon=":material/info:")
        c1, c2, _ = st.columns([1, 1, 3])
        c1.page_link("pages/2_Compare.py", label="Go to Compare", icon=":material/leaderboard:")
        if not c2.button("Run a quick comparison", icon=":material/play_arrow:", type="primary", key=key):
            return None, None
        asked = RunConfig(budget="quick", n_folds=3, families=registry.default_families(ds),
                          seed=st.session_state.get("recipe").seed if st.session_state.get("recipe") else 0)
        cmp = comparison(ds, asked, submitted=True)
    else:
        cmp = comparison(ds, asked, submitted=False)
    return (cmp, asked) if cmp is not None else (None, None)


def _device_problem(config: RunConfig) -> str | None:
    if config.device != "cuda":
        return None
    from ..models.device import resolve_device

    try:
        resolve_device("cuda")
    except ConfigError as exc:
        return message_for(exc, "app")
    return None


def _train(ds, config: RunConfig):
    """Train and score every family, with a live status box and progress bar."""
    expected = estimate_for(ds, config)
    done = []
    box = st.status(f"Training {expected.fits} models on {ds.n_rows:,} rows "
                    f"({cost.format_duration(expected.seconds)})…", expanded=True)
    so_far = st.empty()  # under the status box, not in it: the box may be folded while it runs
    with box, training():
        bar = st.progress(0.0, text=f"training {registry.label(config.families[0])}, fold 1…")

        def progress(p):
            # Each st call here is also where Streamlit stops the script when asked to.
            COMPARE.note(p)
            done.append(p.task.family)
            left = cost.seconds_left(expected, done, p.elapsed)
            # next_label is known only when one fit runs at a time (not on a cluster)
            nxt = (f"training {p.next_label}…" if p.next_label else
                   "training the rest…" if p.done < p.total else "scoring…")
            bar.progress(p.fraction, text=p.text)
            if p.partial is not None and p.done < p.total:
                _scores_so_far(so_far, p.partial)
            box.update(label=f"{p.done}/{p.total} fits done in {p.elapsed:.0f} s"
                             + (f" · {cost.format_duration(left)} left" if p.done < p.total else "") + f" · {nxt}")

        cmp = study(ds, config).run(progress=progress)
        so_far.empty()
        ok, asked, failed = fit_counts(cmp)
        what = f"Trained {ok} of {asked} models" if ok != asked else f"Trained {ok} models"
        box.update(label=f"{what} in {cmp.wall_seconds:.0f} s"
                         + (f"; {', '.join(registry.label(f) for f in failed)} failed on every split (see below)"
                            if failed else ""),
                   state="error" if not ok else "complete", expanded=False)
    return cmp


def _scores_so_far(slot, partial) -> None:
    """The families' scores from the folds finished so far, in ``slot``; the verdict waits for all of them."""
    table = partial.summary()
    if table.empty:
        return
    with slot.container():
        st.caption("Scores so far, from the folds finished (intervals over the rows tested so far). The full "
                   "table, the tests and the verdict come when every fold is done.")
        st.dataframe(table.drop(columns="family"), hide_index=True, column_config={"model": "Model", "folds": "Done"})
