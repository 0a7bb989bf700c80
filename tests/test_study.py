"""Study: the comparison once, each analysis on request and cached under its settings; the data recipe."""

from __future__ import annotations

import pytest

from dllab import DataRecipe, RunConfig, Study
from dllab.datasets import load
from dllab.errors import ConfigError, DataError

CONFIG = RunConfig(budget="quick", n_folds=3, families=("linear", "gbm"))


@pytest.fixture(scope="module")
def study():
    return Study(DataRecipe("penguins"), config=CONFIG)


def test_the_comparison_is_computed_once(study, monkeypatch):
    cmp = study.comparison
    import dllab.engine.runner as runner

    monkeypatch.setattr(runner, "compare", lambda *a, **k: pytest.fail("the comparison was computed twice"))
    assert study.run() is cmp and study.comparison is cmp and study.cached("comparison") is cmp
    assert study.key == (study.dataset.sha256, CONFIG.key())


def test_each_analysis_is_cached_under_its_settings(study):
    assert study.subgroups(min_size=25, cached_only=True) is None  # nothing computed yet
    a = study.subgroups(min_size=25)
    assert study.subgroups(min_size=25) is a and study.subgroups(min_size=25, cached_only=True) is a
    b = study.subgroups(min_size=40)
    assert b is not a and study.cached("subgroups") is b  # the verdict reads the one asked for last
    study.subgroups(min_size=25)
    assert study.cached("subgroups") is a
    curve = study.curve(sizes=[60, 120], n_seeds=1, n_boot=20)
    assert curve.families == ["linear", "gbm"] and study.curve(sizes=[60, 120], n_seeds=1, n_boot=20) is curve


def test_the_verdict_uses_what_was_computed(study):
    study.explanation(max_rows=20, background=20, n_boot=20)
    v = study.verdict()
    doc = study.to_dict()
    assert doc["verdict"]["headline"] == v.headline and "explanations" in doc and "curve" in doc
    assert v.headline in study.to_html()


def test_the_recipe_is_sampled_with_the_runs_seed():
    recipe = DataRecipe("adult", max_rows=300)
    seeded = Study(recipe, config=RunConfig(budget="quick", seed=3))
    assert seeded.recipe.seed == 3
    assert seeded.dataset.sha256 == load("adult", max_rows=300, random_state=3).sha256
    assert seeded.dataset.sha256 != Study(recipe, config=RunConfig(budget="quick")).dataset.sha256


def test_families_left_open_follow_the_data():
    assert Study(load("penguins"), config=RunConfig(families=None)).config.families == ("linear", "gbm", "deep")
    assert Study(load("sms_spam", max_rows=200), config=RunConfig(families=None)).config.families[-1] == "transfer"


def test_bad_inputs_say_what_to_pass():
    with pytest.raises(ConfigError, match="Study needs a dllab.DataRecipe or a dllab.Dataset; got str"):
        Study("penguins")
    with pytest.raises(ConfigError, match="max_rows=10 is not valid"):
        DataRecipe("penguins", max_rows=10)
    with pytest.raises(DataError, match="data held in memory"):
        DataRecipe("upload").build()


def test_adopting_a_comparison_of_other_data_is_refused(study):
    other = Study(load("wine"), config=CONFIG)
    with pytest.raises(DataError):
        other.adopt(study.comparison)


def test_reading_never_waits_for_an_analysis_being_computed():
    import threading

    s = Study(load("penguins"), config=CONFIG)
    started, release, results = threading.Event(), threading.Event(), []

    def slow():
        started.set()
        release.wait(10)
        return "curve"

    worker = threading.Thread(target=lambda: results.append(s._get("curve", (), slow)))
    worker.start()
    assert started.wait(10)
    assert s.cached("curve") is None and s.subgroups(cached_only=True) is None  # answered while it computes
    second = threading.Thread(target=lambda: results.append(s._get("curve", (), lambda: "computed twice")))
    second.start()
    release.set()
    worker.join(10), second.join(10)
    assert results == ["curve", "curve"] and s.cached("curve") == "curve"
