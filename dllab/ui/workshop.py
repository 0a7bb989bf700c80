"""The Workshop page: step through the scenarios of :mod:`dllab.apps.workshop`, guess, run, reveal.

A run's summary is kept per session (``session_state["ws-results"]``) and saved to the workshop's
disk cache; a saved summary replays at once and is marked *precomputed*, with a button to recompute.
"""

from __future__ import annotations

import json

import plotly.io as pio
import streamlit as st

from .. import families as registry
from ..apps import workshop
from ..errors import ConfigError, DataError, message_for

__all__ = ["show_workshop"]


def _state():
    st.session_state.setdefault("ws-index", 0)
    st.session_state.setdefault("ws-results", {})  # scenario id -> (summary, "computed" | "precomputed")


def _move(step: int, n: int) -> None:
    st.session_state["ws-index"] = min(max(st.session_state["ws-index"] + step, 0), n - 1)


def _run(s) -> dict | None:
    try:
        with st.status(f"Running “{s.title}” ({s.dataset}, {s.max_rows:,} rows, quick budget)…",
                       expanded=True) as box:
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
    return summary


def show_workshop(*, key: str = "ws") -> None:
    """The current scenario: prompt and guess, run (or replay), and the reveal."""
    _state()
    items = workshop.scenarios()
    n = len(items)
    i = st.session_state["ws-index"] = min(st.session_state["ws-index"], n - 1)
    s = items[i]

    c1, c2, c3 = st.columns([1, 4, 1], vertical_alignment="center")
    c1.button("Previous", icon=":material/arrow_back:", key=f"{key}-prev", disabled=i == 0,
              on_click=_move, args=(-1, n), width="stretch")
    c2.progress((i + 1) / n, text=f"Scenario {i + 1} of {n}")
    c3.button("Next", icon=":material/arrow_forward:", key=f"{key}-next", disabled=i == n - 1,
              on_click=_move, args=(1, n), width="stretch")

    st.header(f"{i + 1}. {s.title}", anchor=False)
    st.markdown(s.setup)
    st.caption(f"Data: built-in `{s.dataset}`, {s.max_rows:,} rows · quick budget, {s.config.resolved_folds} folds · "
               f"models: {', '.join(registry.label(f) for f in s.config.families)}"
               + (" · **each decision must be explained**" if s.needs.explain_each_decision else ""))
    guess = st.radio(s.prompt, list(s.choices), index=None, key=f"{key}-guess-{s.id}",
                     format_func=workshop.CHOICE_LABELS.get, horizontal=True)

    results = st.session_state["ws-results"]
    done = results.get(s.id)
    b1, b2, _ = st.columns([1, 1, 3])
    if done is None:
        cached = workshop.load_cached(s)
        if cached is not None:
            if b1.button("Reveal (precomputed)", type="primary", icon=":material/bolt:", key=f"{key}-replay",
                         help="A result saved by an earlier run with the same settings: instant."):
                results[s.id] = done = (cached, "precomputed")
        elif b1.button("Run and reveal", type="primary", icon=":material/play_arrow:", key=f"{key}-run",
                       help="Under a minute on a laptop."):
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


def _reveal(s, summary: dict, guess, *, key: str) -> None:
    v = summary["verdict"]
    st.subheader("The reveal", anchor=False)
    if guess is None:
        st.info(f"The answer: **{workshop.CHOICE_LABELS[v['recommendation']]}**.", icon=":material/visibility:")
    elif workshop.guess_was_right(guess, summary):
        st.success(f"Your guess was right: **{workshop.CHOICE_LABELS[guess]}**.", icon=":material/check_circle:")
    else:
        st.warning(f"Your guess was {workshop.CHOICE_LABELS[guess]}; the evidence says "
                   f"**{workshop.CHOICE_LABELS[v['recommendation']]}**.", icon=":material/cancel:")
    st.markdown(f"#### {v['headline']}")
    st.markdown("\n".join(f"- {r[0].upper()}{r[1:]}" for r in v["reasons"]))
    st.plotly_chart(pio.from_json(json.dumps(summary["figure"])), width="stretch",
                    key=f"{key}-chart-{s.id}")
    st.markdown(f"**Lesson.** {s.lesson}")
    expected = workshop.CHOICE_LABELS[s.expected]
    match = v["recommendation"] == s.expected
    st.caption(f"Expected beforehand: {expected}: {s.why}"
               + ("" if match else " This run disagrees: small quick runs are noisy; the thorough budget decides."))
