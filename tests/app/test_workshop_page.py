"""Workshop mode: the scenario list (dllab.apps.workshop) and the page through AppTest: the list of scenarios,
guesses among the trained families, the reveal with every family on the deciding evidence, and "open in the lab"."""

from __future__ import annotations

import json

import pytest
from apptools import ROOT, open_page

from dllab import families
from dllab.apps import workshop
from dllab.config import BUDGETS, RunConfig
from dllab.datasets import builtin_names, load
from dllab.study import Study

RUN = "FormSubmitter:settings-Run comparison"


def workshop_estimate(s):
    """The page's estimate of ``s`` in a session that has measured nothing yet."""
    from dllab.datasets import catalogue
    from dllab.engine.estimate import estimate_plan

    info = next(b for b in catalogue() if b.name == s.dataset)
    return estimate_plan(s.plan(), budget=s.config.budget, n_columns=info.columns, task=info.task)

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
        assert s.analysis in workshop.ANALYSES and set(s.choices) == set(s.config.families)
        assert s.expected_family in s.choices and families.get(s.expected_family).recommends_as == s.expected
        assert s.title and s.brief and s.setup and s.lesson and s.why and s.prompt
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
    assert workshop.guess_was_right("linear", {"verdict": {"recommendation": "linear", "family": "linear"}})
    assert not workshop.guess_was_right(None, {"verdict": {"recommendation": "linear", "family": "linear"}})


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


def test_the_list_shows_every_scenario_with_its_lesson_and_jumps_to_it():
    items = workshop.scenarios()
    at = open_page(PAGE)
    buttons = [b for b in at.button if str(b.key).startswith("ws-go-")]
    assert [b.label for b in buttons] == [f"{i + 1}. {s.title}" for i, s in enumerate(items)]
    assert [b.proto.type for b in buttons][:2] == ["primary", "secondary"]  # the current one stands out
    captions = [c.value for c in at.caption]
    assert all(s.brief in captions for s in items)
    last = items[-1]
    at.button(key=f"ws-go-{last.id}").click().run()
    assert at.header[0].value == f"{len(items)}. {last.title}" and at.button(key="ws-next").disabled
    # Guesses are the families the scenario trains, by their registry labels: no deep net where none is trained.
    assert at.radio(key=f"ws-guess-{last.id}").options == [families.label(f) for f in last.choices]
    assert "Deep network" not in at.radio(key=f"ws-guess-{last.id}").options
    # The expected time counts the scenario's own fits: the comparison's and the shift test's.
    assert any(c.value.endswith(f"expected time here: {workshop_estimate(last).text}") for c in at.caption)
    assert f"({len(last.plan())} fits)" in workshop_estimate(last).text


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
    # Every trained family on the deciding evidence, and the lesson quotes this run's finding.
    table = at.dataframe[0].value
    assert table.columns.tolist() == ["Rows"] + [families.label(f) for f in s.choices]
    assert len(table) == len(summary["evidence"]["rows"]) >= 1
    lesson = next(m.value for m in at.markdown if m.value.startswith("**Lesson.**"))
    assert lesson == f"**Lesson.** {workshop.lesson_text(s, summary)}" and workshop.finding(summary) in lesson
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


@pytest.mark.parametrize("scenario_id", ["population_shift", "explainability"])
def test_open_in_the_lab_loads_the_data_and_the_settings(fake_models, scenario_id):
    """The scenario's rows and settings on Compare: Run there trains the scenario's own comparison."""
    s = workshop.get(scenario_id)
    at = open_page(PAGE)
    at.button(key=f"ws-go-{s.id}").click().run()
    at.button(key="ws-lab").click().run()
    assert not at.exception and at.title[0].value == "Compare"
    ds = at.session_state["dataset"]
    assert ds.sha256 == Study(s.recipe, config=s.config).dataset.sha256  # the rows the workshop trains on
    assert at.button_group(key="budget").value == "quick" and at.number_input(key="folds").value == 3
    assert at.multiselect(key="families").value == list(s.config.families)
    assert "Loaded the workshop's" in at.success[0].value and s.title in at.success[0].value
    if s.shift_column:
        assert at.session_state["sg-shift-column"] == s.shift_column
    if s.needs.explain_each_decision:
        assert at.session_state["vd-explain"] is True
    at.switch_page("pages/2_Compare.py").run()  # AppTest's next run is its own page's again: stay on Compare
    at.button(key=RUN).click().run()
    assert not at.exception and not at.error
    asked = next(iter(at.session_state["requested"].values()))
    assert asked.key() == s.config.key() and len(fake_models) == 3 * len(s.config.families)


def test_the_evidence_table_shows_every_family_with_intervals_and_drops():
    from dllab.ui.workshop import evidence_table

    cell = lambda v, lo=None, hi=None: {"score": v, "low": lo, "high": hi}  # noqa: E731
    shift = {"evidence": {"kind": "shift", "metric": "accuracy", "rows": [
        {"label": "Random split of the same size (682 rows)", "scores": {"gbm": cell(0.752), "linear": cell(0.758)}},
        {"label": "Trained without region = North, tested on it", "scores": {"gbm": cell(0.686),
                                                                             "linear": cell(0.68, 0.64, 0.72)}}],
        "drops": {"linear": {"drop": 0.0777, "low": 0.0308, "high": 0.1232}, "gbm": {"drop": 0.066}}}}
    table = evidence_table(shift)
    assert table.columns.tolist() == ["Rows", "Linear model", "Gradient boosting (XGBoost)"]  # simplest first
    assert table["Linear model"].tolist() == ["75.8%", "68.0% (64.0% to 72.0%)",
                                              "+7.8 points (+3.1 points to +12.3 points)"]
    assert table["Gradient boosting (XGBoost)"].tolist() == ["75.2%", "68.6%", "+6.6 points"]
    assert evidence_table({"evidence": {}}) is None


def test_page_stays_thin():
    source = (ROOT / "pages/7_Workshop.py").read_text()
    assert "import pandas" not in source and "dllab.engine.runner" not in source and len(source.splitlines()) < 80
