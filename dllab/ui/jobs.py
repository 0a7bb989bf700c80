"""A run's life on a page that trains: asked for, running, stopped, from the cache, failed.

The Compare and Data size pages share it. Each keeps three session keys: what
Run was last pressed for (per dataset), a marker while a run is in progress,
and the last progress text. Streamlit stops a script at its next ``st`` call
when the user presses Stop or changes a widget; the marker left behind tells
the next script run that the last one did not finish, and nothing of it is kept.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from ..errors import ConfigError, DataError, message_for

__all__ = ["Job", "COMPARE", "CURVE"]


@dataclass(frozen=True)
class Job:
    """The session keys and the words of one kind of run.

    Attributes
    ----------
    requested, running, progress : str
        Session keys: data key (:func:`dllab.ui.cache.data_key`) -> the request Run
        was pressed for; the key of the run in progress (or None); the last progress text.
    noun : str
        What is run, in messages ("run", "curve").
    subject : str
        What could fail to run, in messages ("comparison", "curve").
    button : str
        The Run button's label.
    made : str
        What the results are ("the results below were", "this curve was").
    stop_key : str
        The Stop button's widget key.
    idle : str
        Shown before the first Run on this dataset.
    """

    requested: str
    running: str
    progress: str
    noun: str
    subject: str
    button: str
    made: str
    stop_key: str
    idle: str

    def asked(self, data: str):
        """The request Run was last pressed for on the data with key ``data``, or None."""
        return st.session_state.setdefault(self.requested, {}).get(data)

    def ask(self, data: str, request) -> None:
        """Record ``request`` as what Run was pressed for on the data ``data`` (it runs on the next script run)."""
        st.session_state.setdefault(self.requested, {})[data] = request
        st.session_state[self.running] = None

    def note(self, p) -> None:
        """Remember how far the run got (a progress callback calls it)."""
        st.session_state[self.progress] = f"{p.done} of {p.total} fits"

    def run(self, data: str, request, *, submitted: bool, key_of, same, lookup, train, check=None):
        """The result to show for the data with key ``data``: the last request's, from ``lookup`` or ``train``.

        Parameters
        ----------
        request : object
            What the form shows now; it becomes the request when ``submitted``.
        key_of : callable
            ``key_of(request)``: what identifies a run (its marker while running).
        same : callable
            ``same(asked)``: whether the form still shows what was asked.
        lookup, train : callable
            ``lookup(asked)`` returns a stored result or None; ``train(asked)`` computes one.
        check : callable, optional
            ``check(asked)`` returns an error message that stops the run before it starts, or None.

        Returns None, after saying why, when there is nothing to show.
        """
        asked_all = st.session_state.setdefault(self.requested, {})
        st.session_state.setdefault(self.running, None)
        if submitted:
            self.ask(data, request)
        asked = asked_all.get(data)
        if asked is None:
            st.info(self.idle, icon=":material/play_circle:")
            return None
        key = key_of(asked)
        if st.session_state[self.running] == key:
            # The last script run started this one and never got to the end: stopped.
            st.session_state[self.running] = None
            del asked_all[data]
            done = st.session_state.get(self.progress, "")
            st.warning(f"The {self.noun} was stopped" + (f" after {done}" if done else "") + ". Nothing from it "
                       f"was kept. Press **{self.button}** to start again.", icon=":material/stop_circle:")
            return None
        if not same(asked):
            st.info(f"The settings above changed since {self.made} made; press **{self.button}** to use them.",
                    icon=":material/sync_problem:")
        problem = check(asked) if check is not None else None
        if problem:
            st.error(problem)
            del asked_all[data]
            return None
        result = lookup(asked)
        if result is not None:
            st.caption(":material/bolt: From the cache: same data and settings, so nothing was retrained.")
            return result
        stop = st.empty()
        stop.button("Stop", icon=":material/stop:", key=self.stop_key,
                    help="Stops after the model that is training now finishes; nothing is kept.")
        st.session_state[self.running], st.session_state[self.progress] = key, ""
        try:
            result = train(asked)
        except (DataError, ConfigError) as exc:
            st.error(f"The {self.subject} could not run: {message_for(exc, 'app')}", icon=":material/error:")
            del asked_all[data]
            result = None
        stop.empty()
        st.session_state[self.running] = None
        return result


#: The Compare page's comparison.
COMPARE = Job("requested", "running", "last_progress", noun="run", subject="comparison", button="Run comparison",
              made="the results below were", stop_key="stop",
              idle="Choose the settings and press **Run comparison**. Every family is trained on the same splits; "
                   "the results appear here.")
#: The Data size page's curve.
CURVE = Job("curve_requested", "curve_running", "curve_progress", noun="curve", subject="curve",
            button="Run data-size curve", made="this curve was", stop_key="curve-stop",
            idle="Choose the settings and press **Run data-size curve**: every family is trained on growing "
                 "subsamples of the same training fold and scored on the same held-out rows.")
