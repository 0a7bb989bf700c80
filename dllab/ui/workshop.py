"""The Workshop page: the list of scenarios of :mod:`dllab.apps.workshop`, then one of them: guess, run, reveal.

The list shows every scenario with its one-line lesson; a button jumps to it. The reveal shows the
verdict, the key chart, every trained family on the deciding evidence, and the lesson with this
run's numbers. "Open in the lab" loads the scenario's data into the main pages with its settings.

A run's summary is kept per session (``session_state["ws-results"]``) and saved to the workshop's
disk cache; a saved summary replays at once and is marked *precomputed*, with a button to recompute.
"""

from __future__ import annotations

import json

import pandas as pd
import plotly.io as pio
import streamlit as st

from .. import datasets
from .. import families as registry
from ..apps import workshop
from ..engine import estimate as cost
from ..errors import ConfigError, DataError, message_for
from ..metrics import format_diff, format_interval, format_score
from ..present.glossary import help_for
from . import state

__all__ = ["show_workshop", "evidence_table"]

# Widget keys of other pages that a scenario's settings preset ("open in the lab"): the Subgroups
# page's shift-test column and the Verdict page's explainability requirement.
_SHIFT_COLUMN_KEY = "sg-shift-column"
_EXPLAIN_NEED_KEY = "vd-explain"


def _state():
    st.session_state.setdefault("ws-index", 0)
    st.session_state.setdefault("ws-results", {})  # scenario id -> (summary, "computed" | "precomputed")


def _move(step: int, n: int) -> None:
    st.session_state["ws-index"] = min(max(st.session_state["ws-index"] + step, 0), n - 1)


def _jump(i: int) -> None:
    st.session_state["ws-index"] = i


def _info(name: str):
    return next(b for b in datasets.catalogue() if b.name == name)


def _estimate(s) -> cost.Estimate:
    """How long ``s`` takes here: every fit it makes, refined by the fit times measured in this session."""
    from .run import all_fit_times

    info = _info(s.dataset)
    return cost.estimate_plan(s.plan(), budget=s.config.budget, n_columns=info.columns, task=info.task,
                              other_data=all_fit_times())


def _remember(summary: dict) -> None:
    """Keep the run's fit times for the Compare page's estimates (a built-in's data key is its sha256)."""
    from .run import remember_fit_times

    ds, k = summary["dataset"], summary["config"]["n_folds"]
    remember_fit_times(ds["sha256"], [
        cost.Observed(f, summary["config"]["budget"], ds["rows"] * (k - 1) / k, ds.get("columns") or 1,
                      secs + summary.get("predict_seconds", {}).get(f, 0.0), task=ds.get("task", "binary"))
        for f, secs in summary.get("fit_seconds", {}).items() if secs is not None])


def _run(s) -> dict | None:
    expected = _estimate(s)
    try:
        with st.status(f"Running “{s.title}” ({s.max_rows:,} rows, quick budget, "
                       f"{cost.format_duration(expected.seconds)})…", expanded=True) as box:
            bar = st.progress(0.0, text="loading the data…")

            def progress(p):
                bar.progress(p.fraction, text=p.text)
                box.update(label=f"{s.title}: {p.done}/{p.total} fits in {p.elapsed:.0f} s")

            summary = workshop.run_scenario(s, progress=progress)
            box.update(label=f"{s.title}: done in {summary['seconds']:.0f} s", state="complete", expanded=False)
    except (DataError, ConfigError, ImportError) as exc:
        st.error(f"This scenario could not run here: {message_for(exc, 'app')}", icon=":material/error:")
        return None
    workshop.save_cached(s, summary)
    _remember(summary)
    return summary


def _open_in_lab(s) -> None:
    """Load the scenario's data and settings into the main pages, then open Compare."""
    from .data import apply
    from .run import preset_settings

    problem = apply(s.recipe)
    if problem is not None:
        st.error(f"The scenario's data could not be loaded: {problem}", icon=":material/error:")
        return
    state.follow_data()  # the new data's choices start from its defaults; the presets below go on top
    ds = state.dataset()
    preset_settings(s.config, ds)
    nxt = {"curve": "then the Data size page draws the curve",
           "subgroups": "then the Subgroups page shows the worst slices",
           "shift": f"then the Subgroups page's shift test holds out each group of {s.shift_column}",
           "explain": "then the Verdict page weighs the explainability requirement (already ticked there)",
           }.get(s.analysis, "then the Verdict page gives the recommendation")
    if s.shift_column:
        st.session_state[_SHIFT_COLUMN_KEY] = s.shift_column
    if s.needs.explain_each_decision:
        st.session_state[_EXPLAIN_NEED_KEY] = True
    models = ", ".join(registry.label(f) for f in registry.ordered(s.config.families))
    state.flash("success", f"Loaded the workshop's **{s.title}**: {_info(s.dataset).title}, {ds.n_rows:,} rows, "
                           f"with its settings ({s.config.budget} budget, {s.config.resolved_folds} folds, seed "
                           f"{s.config.seed}; {models}). Press **Run comparison**; {nxt}.")
    st.switch_page("pages/2_Compare.py")


def _scenario_list(items, current: int, *, key: str) -> None:
    results = st.session_state["ws-results"]
    st.markdown("**The scenarios**")
    for i, s in enumerate(items):
        done = s.id in results
        st.button(f"{i + 1}. {s.title}", key=f"{key}-go-{s.id}", on_click=_jump, args=(i,), width="stretch",
                  type="primary" if i == current else "secondary",
                  icon=":material/check_circle:" if done else None)
        st.caption(s.brief)


def show_workshop(*, key: str = "ws") -> None:
    """The list of scenarios beside the current one: prompt and guess, run (or replay), and the reveal."""
    _state()
    items = workshop.scenarios()
    n = len(items)
    i = st.session_state["ws-index"] = min(st.session_state["ws-index"], n - 1)
    s = items[i]
    side, main = st.columns([1, 3], gap="large")
    with side:
        _scenario_list(items, i, key=key)
    with main:
        _scenario(s, i, n, key=key)


def _scenario(s, i: int, n: int, *, key: str) -> None:
    c1, c2, c3 = st.columns([1, 4, 1], vertical_alignment="center")
    c1.button("Previous", icon=":material/arrow_back:", key=f"{key}-prev", disabled=i == 0,
              on_click=_move, args=(-1, n), width="stretch")
    c2.progress((i + 1) / n, text=f"Scenario {i + 1} of {n}")
    c3.button("Next", icon=":material/arrow_forward:", key=f"{key}-next", disabled=i == n - 1,
              on_click=_move, args=(1, n), width="stretch")

    st.header(f"{i + 1}. {s.title}", anchor=False)
    st.markdown(s.setup)
    expected = _estimate(s)
    models = ", ".join(registry.label(f) for f in s.choices)
    need = " · **each decision must be explained**" if s.needs.explain_each_decision else ""
    st.caption(f"Data: {_info(s.dataset).title}, {s.max_rows:,} rows · quick budget, {s.config.resolved_folds} "
               f"folds · models: {models}{need} · expected time here: {expected.text}")
    guess = st.radio(s.prompt, list(s.choices), index=None, key=f"{key}-guess-{s.id}",
                     format_func=registry.label, horizontal=True)

    results = st.session_state["ws-results"]
    done = results.get(s.id)
    b1, b2, b3 = st.columns([1, 1, 1])
    if b3.button("Open in the lab", icon=":material/open_in_new:", key=f"{key}-lab",
                 help="Load this scenario's data into the Data, Compare and other pages, with its settings, and "
                      "open Compare: explore it further yourself."):
        _open_in_lab(s)
    if done is None:
        cached = workshop.load_cached(s)
        if cached is not None:
            if b1.button("Reveal (precomputed)", type="primary", icon=":material/bolt:", key=f"{key}-replay",
                         help="A result saved by an earlier run with the same settings: instant."):
                results[s.id] = done = (cached, "precomputed")
        elif b1.button("Run and reveal", type="primary", icon=":material/play_arrow:", key=f"{key}-run",
                       help=f"Trains every model of the scenario here: {expected.text}."):
            summary = _run(s)
            if summary is not None:
                results[s.id] = done = (summary, "computed")
    if done is None:
        if guess is None:
            st.caption("Make your guess first, then run.")
        return
    summary, source = done
    if source == "precomputed":
        if b2.button("Recompute", icon=":material/refresh:", key=f"{key}-recompute",
                     help="Run this scenario again now and replace the saved result."):
            fresh = _run(s)
            if fresh is not None:
                results[s.id] = (fresh, "computed")
                summary, source = fresh, "computed"
    if source == "precomputed":
        st.caption(f":material/history: Precomputed — saved {summary.get('computed_at', '')} by a run of these "
                   f"settings ({summary.get('seconds', 0):.0f} s). Press **Recompute** to run it again.")
    _reveal(s, summary, guess, key=key)


# =========================================================================== the reveal
def evidence_table(summary: dict) -> pd.DataFrame | None:
    """The deciding evidence as a table: one row per set of rows (all rows, the slice, the held-out group,
    each size of the curve), one column per trained family (its label), scores as the pages show them with
    the 95% interval where there is one; a training-time row for comparisons. None without evidence."""
    ev = summary.get("evidence") or {}
    if not ev.get("rows") or not ev.get("metric"):
        return None
    metric = ev["metric"]
    fams = registry.ordered(ev["rows"][0]["scores"])
    out = []
    for row in ev["rows"]:
        line = {"Rows": row["label"]}
        for f in fams:
            cell = row["scores"].get(f) or {}
            text = format_score(metric, cell.get("score"))
            if cell.get("low") is not None and cell.get("high") is not None:
                text += f" ({format_interval(metric, cell['low'], cell['high'])})"
            line[registry.label(f)] = text
        out.append(line)
    if ev.get("drops"):  # the shift test: how much each family loses on the held-out group
        out.append({"Rows": "Drop on the held-out group", **{
            registry.label(f): format_diff(metric, d["drop"], signed=True) + (
                f" ({format_diff(metric, d['low'], signed=True)} to {format_diff(metric, d['high'], signed=True)})"
                if d.get("low") is not None and d.get("high") is not None else "")
            for f, d in ev["drops"].items()}})
    if ev.get("fit_seconds"):
        out.append({"Rows": "Training time per fit",
                    **{registry.label(f): _seconds(ev["fit_seconds"].get(f)) for f in fams}})
    return pd.DataFrame(out)


def _seconds(v) -> str:
    return "—" if v is None else (f"{v:.2f} s" if v < 1 else f"{v:.1f} s")


def _reveal(s, summary: dict, guess, *, key: str) -> None:
    v = summary["verdict"]
    answer = workshop.answer_label(summary)
    st.subheader("The reveal", anchor=False)
    if guess is None:
        st.info(f"The answer: **{answer}**.", icon=":material/visibility:")
    elif workshop.guess_was_right(guess, summary):
        st.success(f"Your guess was right: **{registry.label(guess)}**.", icon=":material/check_circle:")
    else:
        st.warning(f"Your guess was {registry.label(guess)}; the evidence says **{answer}**.", icon=":material/cancel:")
    st.markdown(f"#### {v['headline']}")
    st.markdown("\n".join(f"- {r[0].upper()}{r[1:]}" for r in v["reasons"]))
    st.plotly_chart(pio.from_json(json.dumps(summary["figure"])), width="stretch",
                    key=f"{key}-chart-{s.id}")
    table = evidence_table(summary)
    if table is not None:
        st.markdown("**Every model on the deciding evidence**", help=help_for("ci"))
        st.dataframe(table, hide_index=True, width="stretch", key=f"{key}-evidence-{s.id}")
        st.caption("In brackets: the 95% confidence interval of the score.")
    st.markdown(f"**Lesson.** {workshop.lesson_text(s, summary)}")
    match = v["recommendation"] == s.expected and v.get("family") == s.expected_family
    st.caption(f"Expected beforehand: {registry.label(s.expected_family)}: {s.why}"
               + ("" if match else " This run disagrees: small quick runs are noisy; the thorough budget decides."))
