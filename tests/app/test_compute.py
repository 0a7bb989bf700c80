"""The sidebar's Compute setting: This machine by default, $DLLAB_CLUSTER as the default, a bad address said in the
app's words (and the run stays here), and a Compare run on a local cluster with the same numbers as here."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import streamlit as st
from apptools import data_key, open_page, run_compare, session_study

from dllab.config import CLUSTER_ENV
from dllab.datasets import load
from dllab.engine import compute

#: A scheduler address nothing listens on (port 1 is never served here).
DEAD = "tcp://127.0.0.1:1"
#: What changes with where the fits ran (and nothing else in the leaderboard may).
TIMES = ["fit_seconds", "predict_seconds"]


@pytest.fixture(scope="module", autouse=True)
def _release_clusters():
    yield
    compute.release()


@pytest.fixture(autouse=True)
def _no_env(monkeypatch):
    monkeypatch.delenv(CLUSTER_ENV, raising=False)


def _setting(at):
    return at.sidebar.radio(key="compute")


def _board(at) -> pd.DataFrame:
    return next(d.value for d in at.main.dataframe if "accuracy" in d.value.columns)


def _comparison(at, ds):
    config = at.session_state["requested"][data_key(at, ds)]
    return session_study(at, ds, config).cached("comparison")


def _main_captions(at) -> list[str]:
    return [c.value for c in at.main.caption]


def test_this_process_is_the_default_and_the_choices_are_named():
    at = open_page("Home")
    setting = _setting(at)
    assert not at.exception and not at.sidebar.error and not at.sidebar.warning
    assert setting.label == "Compute" and setting.value == "process"
    assert setting.options == ["This machine", "Local cluster", "Cluster address"]
    assert at.session_state["compute-target"] is None
    assert not at.sidebar.number_input and not at.sidebar.text_input  # the worker count shows only for a cluster


def test_a_bad_address_is_said_in_the_apps_words_and_compare_still_runs_here(fake_models):
    ds = load("breast_cancer", max_rows=160)
    at = open_page("Compare")
    _setting(at).set_value("address").run()
    box = at.sidebar.text_input(key="compute-address")
    assert box.placeholder == "tcp://10.0.0.5:8786" and not at.sidebar.error  # nothing entered: nothing tried
    box.input("10.0.0.5").run()  # no scheme, no port
    assert "is not valid; choose This machine or Local cluster under Compute" in at.sidebar.error[0].value

    at.sidebar.text_input(key="compute-address").input(DEAD).run(timeout=30)  # the 5 s connect timeout, once
    message = at.sidebar.error[0].value
    assert message.startswith(f"no Dask scheduler answered at {DEAD} within 5 s")
    assert message.endswith("or choose This machine under Compute in the sidebar.")
    assert "--cluster" not in message and "Traceback" not in message and not at.exception
    assert at.session_state["compute-target"] is None and compute.opened(DEAD) is None

    run_compare(at, ds)  # reruns do not try the dead address again: each would wait its timeout
    assert not at.exception and not at.main.error
    assert at.sidebar.error[0].value == message and at.sidebar.button(key="compute-retry").label == "Try again"
    assert set(_board(at)["model"]) >= {"Linear model", "Baseline (majority class)"}
    assert not any("Running on" in c for c in _main_captions(at))  # trained here
    assert _comparison(at, ds).config["cluster"] is None


def test_dllab_cluster_sets_the_default_and_a_bad_value_warns(monkeypatch):
    monkeypatch.setenv(CLUSTER_ENV, "local:2")
    at = open_page("Home")
    assert not at.exception and not at.sidebar.error
    assert _setting(at).value == "local" and at.sidebar.number_input(key="compute-workers").value == 2
    assert at.session_state["compute-target"] == "local:2"
    assert any(c.value.startswith(":material/hub: 2 workers · 2 threads") for c in at.sidebar.caption)

    monkeypatch.setenv(CLUSTER_ENV, "nonsense")
    at = open_page("Home")
    assert not at.exception and _setting(at).value == "process"
    warning = at.sidebar.warning[0].value
    assert warning.startswith(f"The server's {CLUSTER_ENV}='nonsense' could not be used, so the app runs in this "
                              "process: the compute target 'nonsense' is not valid")
    assert "--cluster" not in warning


def test_compare_on_a_local_cluster_shows_its_workers_and_the_same_numbers_as_here():
    ds = load("breast_cancer", max_rows=160)
    here = run_compare(open_page("Compare"), ds)
    assert not here.exception and not here.main.error
    board_here, cmp_here = _board(here), _comparison(here, ds)

    st.cache_resource.clear()  # the result store: the same settings would otherwise come from the cache
    at = open_page("Compare")
    _setting(at).set_value("local").run()
    at.sidebar.number_input(key="compute-workers").set_value(2).run()
    assert not at.sidebar.error and at.session_state["compute-target"] == "local:2"
    cluster = compute.opened("local:2")
    tasks_before = cluster.stats["tasks"]
    run_compare(at, ds)
    assert not at.exception and not at.main.error
    assert any(c.startswith(":material/hub: Running on the local cluster: 2 workers · 2 threads")
               for c in _main_captions(at))
    cmp = _comparison(at, ds)
    assert cmp.config["cluster"] == "local:2" and cluster.stats["tasks"] - tasks_before == len(cmp.records)
    assert not any(c.startswith(":material/bolt: From the cache") for c in _main_captions(at))

    board = _board(at)
    assert board["status"].tolist() == ["ok"] * 4
    pd.testing.assert_frame_equal(board.drop(columns=TIMES), board_here.drop(columns=TIMES))
    for a, b in zip(cmp.records, cmp_here.records, strict=True):
        assert (a.family, a.split) == (b.family, b.split) and np.array_equal(a.prediction, b.prediction)
