"""Workshop mode: the scenario list (dllab.apps.workshop) and the page through AppTest."""

from __future__ import annotations

import json

import pytest
from apptools import ROOT, open_page

from dllab.apps import workshop
from dllab.config import BUDGETS, RunConfig
from dllab.datasets import builtin_names, load

PAGE = "Workshop"
LESSONS = {"small_tabular", "linear", "smooth_big", "images", "text", "hidden_subgroup", "population_shift",
           "explainability"}


@pytest.fixture(autouse=True)
def _cache_in_tmp(tmp_path, monkeypatch):
    monkeypatch.setenv("DLLAB_WORKSHOP_CACHE", str(tmp_path / "workshop_cache"))


# ---------------------------------------------------------------------------- the scenario list
def test_every_lesson_is_there_with_a_valid_setup_and_an_expected_answer():
    items = workshop.scenarios()
    ids = [s.id for s in items]
    assert len(set(ids)) == len(ids)
    expected_ids = LESSONS - ({"images"} if "mnist1d" not in builtin_names() else set()) \
        - ({"text"} if "wordnet_definitions" not in builtin_names() else set())
    assert set(ids) == expected_ids
    for s in items:
        assert s.dataset in builtin_names(), s.id
        assert isinstance(s.config, RunConfig) and s.config.budget == "quick" and s.config.budget in BUDGETS
        assert s.config.resolved_folds >= 3  # the verdict needs at least 3 shared splits
        assert s.recipe.max_rows == s.max_rows and s.max_rows <= 10_000  # a laptop minute: benchmarks/workshop.py
        assert s.analysis in workshop.ANALYSES and s.expected in s.choices and set(s.choices) <= set(workshop.CHOICES)
        assert s.title and s.setup and s.lesson and s.why and s.prompt
    assert workshop.get("explainability").needs.explain_each_decision
    assert workshop.get("explainability").dataset in ("adult", "credit_default")


def test_shift_column_exists():
    s = workshop.get("population_shift")
    assert s.analysis == "shift" and s.shift_column in load(s.dataset, max_rows=200).frame.columns


def test_cache_round_trip_and_key(tmp_path):
    s = workshop.get("linear")
    assert workshop.load_cached(s) is None
    path = workshop.save_cached(s, {"cache_key": workshop.cache_key(s), "verdict": {"recommendation": "linear"}})
    assert path.parent.name == "workshop_cache" and path.name.startswith("linear-")
    assert workshop.load_cached(s)["verdict"]["recommendation"] == "linear"
    changed = workshop.Scenario(**{**s.__dict__, "max_rows": s.max_rows + 1})
    assert workshop.cache_key(changed) != workshop.cache_key(s) and workshop.load_cached(changed) is None
    assert workshop.guess_was_right("linear", {"verdict": {"recommendation": "linear"}})
    assert not workshop.guess_was_right(None, {"verdict": {"recommendation": "linear"}})


# ---------------------------------------------------------------------------- the page
def test_page_renders_and_navigates():
    at = open_page(PAGE)
    assert not at.exception and at.title[0].value == "Workshop"
    n = len(workshop.scenarios())
    assert at.header[0].value == "1. Small tabular data" and at.button(key="ws-prev").disabled
    at.button(key="ws-next").click().run()
    assert at.header[0].value.startswith("2. ") and at.get("progress")[0].proto.text == f"Scenario 2 of {n}"
    at.button(key="ws-prev").click().run()
    assert at.header[0].value.startswith("1. ")
    assert at.button(key="ws-run").proto.label == "Run and reveal" and not at.get("plotly_chart")


def test_runs_the_cheapest_scenario_then_replays_it_from_disk():
    items = workshop.scenarios()
    s = workshop.cheapest(items)
    at = open_page(PAGE)
    at.session_state["ws-index"] = [x.id for x in items].index(s.id)
    at.run()
    at.radio(key=f"ws-guess-{s.id}").set_value("linear").run()
    at.button(key="ws-run").click().run()
    assert not at.exception and not at.error
    summary = at.session_state["ws-results"][s.id][0]
    rec = summary["verdict"]["recommendation"]
    assert at.subheader[0].value == "The reveal" and summary["verdict"]["headline"] in [m.value.lstrip("# ")
                                                                                          for m in at.markdown]
    right = workshop.guess_was_right("linear", summary)
    assert (at.success if right else at.warning)[0].value.startswith("Your guess was")
    fig = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert fig["data"] and fig["layout"]["title"]["text"]
    assert workshop.load_cached(s)["verdict"]["recommendation"] == rec  # saved by running

    again = open_page(PAGE)  # a new session: instant replay, marked precomputed
    again.session_state["ws-index"] = [x.id for x in items].index(s.id)
    again.run()
    again.button(key="ws-replay").click().run()
    assert any(c.value.startswith(":material/history: Precomputed") for c in again.caption)
    assert again.button(key="ws-recompute").proto.label == "Recompute"
    assert json.loads(again.get("plotly_chart")[0].proto.spec)["data"]


def test_page_stays_thin():
    source = (ROOT / "pages/7_Workshop.py").read_text()
    assert "import pandas" not in source and "dllab.engine.runner" not in source and len(source.splitlines()) < 80
