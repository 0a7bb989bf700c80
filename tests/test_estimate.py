"""The run-time estimate (dllab.engine.estimate): the measured cost model, its refinement by a session's runs,
and the time left during a run."""

from __future__ import annotations

import numpy as np
import pytest

from dllab.config import RunConfig
from dllab.engine import estimate as cost


def test_durations_read_as_estimates():
    assert [cost.format_duration(s) for s in (0.2, 3.4, 21, 59, 61, 150, 620, 4000)] == [
        "under a second", "about 3 s", "about 20 s", "about 60 s", "about 1 min", "about 2.5 min", "about 10 min",
        "about 1 h"]
    assert cost.Estimate(seconds=21.0, fits=9).text == "about 20 s (9 fits)"
    assert cost.Estimate(seconds=0.5, fits=1).text == "under a second (1 fit)"


def test_the_model_follows_its_measurements():
    ratios = np.array([cost.per_fit_seconds(f, b, n_train=n, n_columns=p, task=t) / s
                       for f, b, _, t, n, p, s in cost.MEASURED])
    assert ratios.min() > 1 / 5 and ratios.max() < 3  # the docstring says 0.24 to 2.8
    assert np.median(np.abs(np.log(ratios))) < np.log(1.7)
    # Every family and budget the app offers was measured on at least three built-ins.
    for fam in ("linear", "gbm", "deep"):
        for budget in ("quick", "standard"):
            assert len({d for f, b, d, *_ in cost.MEASURED if (f, b) == (fam, budget)}) >= 3


@pytest.mark.parametrize("family", ["linear", "gbm", "deep"])
def test_more_rows_and_columns_cost_more_and_standard_more_than_quick(family):
    t = lambda n, p, b="quick": cost.per_fit_seconds(family, b, n_train=n, n_columns=p)  # noqa: E731
    assert t(1000, 10) < t(4000, 10) and t(1000, 10) < t(1000, 40)
    assert t(2000, 10) < t(2000, 10, "standard") < t(2000, 10, "thorough")


def test_the_deep_net_stops_at_its_step_budget():
    cap = cost.DEEP_ROW_CAP["quick"]
    at = cost.per_fit_seconds("deep", "quick", n_train=cap, n_columns=20)
    assert cost.per_fit_seconds("deep", "quick", n_train=4 * cap, n_columns=20) == pytest.approx(at)
    assert cost.per_fit_seconds("gbm", "quick", n_train=4 * cap, n_columns=20) > \
        cost.per_fit_seconds("gbm", "quick", n_train=cap, n_columns=20)


def test_thorough_adds_at_most_the_search_budget():
    from dllab.models.search import SEARCH_SECONDS

    standard = cost.per_fit_seconds("gbm", "standard", n_train=50_000, n_columns=30)
    thorough = cost.per_fit_seconds("gbm", "thorough", n_train=50_000, n_columns=30)
    assert standard < thorough <= standard + SEARCH_SECONDS


def test_an_estimate_counts_every_fit_of_the_config():
    config = RunConfig(budget="quick", families=("linear", "gbm", "deep"))
    e = cost.estimate(config, n_rows=600, n_columns=10)
    assert e.fits == 9 and set(e.per_fit) == {"linear", "gbm", "deep"} and not e.refined
    assert e.seconds == pytest.approx(3 * sum(e.per_fit.values()) + e.startup)
    assert e.text.endswith("(9 fits)") and e.text.startswith(("about", "under"))
    assert e.per_fit["deep"] > e.per_fit["linear"]
    more = cost.estimate(RunConfig(budget="standard", repeats=2, families=("linear", "gbm", "deep")),
                         n_rows=600, n_columns=10)
    assert more.fits == 30 and more.seconds > e.seconds


def test_a_registered_family_uses_the_built_in_of_its_kind():
    from dllab import families
    from dllab.families import Family

    families.register(Family("slow_trees", "Slow trees", lambda *a, **k: None, kind="trees"))
    try:
        assert cost.per_fit_seconds("slow_trees", "quick", n_train=900, n_columns=12) == \
            cost.per_fit_seconds("gbm", "quick", n_train=900, n_columns=12)
    finally:
        families.unregister("slow_trees")


def test_a_run_on_the_same_data_replaces_the_model():
    config = RunConfig(budget="quick", n_folds=3, families=("linear", "deep"))
    model = cost.estimate(config, n_rows=900, n_columns=12)
    seen = [cost.Observed("linear", "quick", 600, 12, 2.0), cost.Observed("deep", "quick", 600, 12, 30.0)]
    e = cost.estimate(config, n_rows=900, n_columns=12, same_data=seen)
    assert e.refined and e.per_fit["deep"] == pytest.approx(30.0 + cost.PER_FIT_OVERHEAD)
    assert e.seconds == pytest.approx(3 * (32.0 + 2 * cost.PER_FIT_OVERHEAD) + e.startup) and e.seconds > model.seconds
    # More folds train on more rows: the measured time scales with the model's ratio, up, not down.
    five = cost.estimate(RunConfig(budget="quick", n_folds=5, families=("linear", "deep")), n_rows=900,
                         n_columns=12, same_data=seen)
    assert five.per_fit["linear"] > e.per_fit["linear"] and five.fits == 10
    # A run at another budget is not this budget's time, but it says how fast this server is.
    standard = cost.estimate(RunConfig(budget="standard", families=("linear",)), n_rows=900, n_columns=12,
                             same_data=seen)
    speed = 2.0 / cost.per_fit_seconds("linear", "quick", n_train=600, n_columns=12)
    assert standard.refined and standard.per_fit["linear"] == pytest.approx(
        speed * cost.per_fit_seconds("linear", "standard", n_train=720, n_columns=12) + cost.PER_FIT_OVERHEAD)


def test_runs_on_other_data_give_this_servers_speed():
    base = cost.per_fit_seconds("gbm", "quick", n_train=2000, n_columns=8)
    seen = [cost.Observed("gbm", "quick", 2000, 8, 3 * base)]  # this server is 3x slower than the measured one
    config = RunConfig(budget="quick", n_folds=3, families=("gbm",))
    plain = cost.estimate(config, n_rows=6000, n_columns=20)
    faster = cost.estimate(config, n_rows=6000, n_columns=20, other_data=seen)
    assert faster.refined
    assert faster.per_fit["gbm"] - cost.PER_FIT_OVERHEAD == pytest.approx(3 * (plain.per_fit["gbm"]
                                                                               - cost.PER_FIT_OVERHEAD))


def test_the_first_fit_of_a_process_also_loads_its_library(monkeypatch):
    import importlib

    for module in ("sklearn.linear_model", "xgboost"):  # loaded: nothing left to load for them
        importlib.import_module(module)

    config = RunConfig(budget="quick", families=("linear", "gbm"))
    loaded = cost.estimate(config, n_rows=600, n_columns=10)
    monkeypatch.setitem(cost.STARTUP, "gbm", ("a_module_nobody_loaded", 4.0))
    fresh = cost.estimate(config, n_rows=600, n_columns=10)
    assert loaded.startup == 0.0 and fresh.startup == 4.0 and fresh.seconds == pytest.approx(loaded.seconds + 4.0)


def test_time_left_is_rescaled_by_the_fits_done():
    e = cost.Estimate(seconds=60.0, fits=6, per_fit={"linear": 5.0, "deep": 15.0})
    assert cost.seconds_left(e, [], 0.0) == 60.0
    assert cost.seconds_left(e, ["linear"], 5.0) == pytest.approx(55.0)  # on time
    assert cost.seconds_left(e, ["linear", "deep"], 40.0) == pytest.approx(40.0 * 2)  # twice as slow
    assert cost.seconds_left(e, ["linear", "deep"] * 3, 70.0) == 0.0
    loading = cost.Estimate(seconds=64.0, fits=6, per_fit={"linear": 5.0, "deep": 15.0}, startup=4.0)
    assert cost.seconds_left(loading, ["linear"], 9.0) == pytest.approx(55.0)  # 4 s of it was loading


def test_observed_reads_a_comparisons_fit_times():
    from dllab.analyses.comparison import Comparison, FitRecord
    from dllab.engine.splits import make_splits

    y = np.random.default_rng(0).integers(0, 2, 90)
    splits = make_splits(y, task="binary", n_folds=3, n_repeats=1, random_state=0)
    records = []
    for i, (tr, te) in enumerate(splits):
        records.append(FitRecord("linear", i, "ok", te, prediction=np.full((len(te), 2), 0.5), fit_seconds=0.5,
                                 predict_seconds=0.1, n_train=len(tr)))
        records.append(FitRecord("deep", i, "failed", te, reason="boom"))
    cmp = Comparison(records, y=y, task="binary", splits=splits, config=RunConfig(budget="quick").to_dict(),
                     dataset={"columns": 7})
    [o] = cost.observed(cmp)  # the family that failed everywhere measured nothing
    assert (o.family, o.budget, o.n_train, o.n_columns, o.task) == ("linear", "quick", 60.0, 7, "binary")
    assert o.seconds == pytest.approx(0.6)


# ---------------------------------------------------------------------------- the Compare page's settings
def _compare_page(ds):
    from pathlib import Path

    import streamlit as st
    from streamlit.testing.v1 import AppTest

    st.cache_data.clear()
    st.cache_resource.clear()
    root = Path(__file__).resolve().parents[1]
    at = AppTest.from_file(str(root / "app.py"), default_timeout=240)
    at.switch_page("pages/2_Compare.py")
    at.session_state["dataset"] = ds
    return at.run()


def _tiny():
    from dllab.datasets import Dataset

    rng = np.random.default_rng(0)
    frame = __import__("pandas").DataFrame({"a": rng.normal(size=120), "b": rng.normal(size=120)})
    frame["y"] = np.where(frame.a + rng.normal(scale=0.5, size=120) > 0, "yes", "no")
    return Dataset(frame=frame, target="y", task="binary", name="tiny", roles={"a": "numeric", "b": "numeric"})


def test_compare_starts_on_quick_and_labels_every_budget_with_its_time():
    ds = _tiny()
    at = _compare_page(ds)
    assert not at.exception
    budget = at.button_group(key="budget")
    assert budget.value == "quick"
    families = tuple(at.multiselect(key="families").value)
    expected = [f"{b} · {cost.estimate(RunConfig(budget=b, families=families), n_rows=120, n_columns=2).text}"
                for b in ("quick", "standard", "thorough")]
    assert budget.options == expected and expected[0].endswith(f"({3 * len(families)} fits)")
    assert "corrected by the runs of this session" not in budget.help


def test_a_run_refines_the_estimates_of_later_runs():
    ds = _tiny()
    at = _compare_page(ds)
    at.multiselect(key="families").set_value(["linear"])
    at.number_input(key="folds").set_value(2)
    at.button(key="FormSubmitter:settings-Run comparison").click().run()
    assert not at.exception and not at.error and at.status[0].state == "complete"
    [seen] = next(iter(at.session_state["fit-times"].values()))
    assert (seen.family, seen.budget, seen.n_train) == ("linear", "quick", 60.0) and seen.seconds > 0
    at.run()  # the form was drawn before the run ended: its next drawing reads the measured times
    budget = at.button_group(key="budget")
    refined = cost.estimate(RunConfig(budget="quick", n_folds=2, families=("linear",)), n_rows=120, n_columns=2,
                            same_data=[seen])
    assert budget.options[0] == f"quick · {refined.text}" and "corrected by the runs of this session" in budget.help


def test_the_estimate_counts_fits_running_side_by_side():
    from dllab.config import RunConfig

    config = RunConfig(budget="standard", families=("linear", "gbm", "deep"))
    one = cost.estimate(config, n_rows=20_000, n_columns=8, task="regression", workers=1)
    two = cost.estimate(config, n_rows=20_000, n_columns=8, task="regression", workers=2)
    assert two.workers == 2 and one.work == pytest.approx(two.work)
    assert one.seconds - one.startup == pytest.approx(one.work)
    # five deep fits dominate: two at a time take at least half, at most all of one at a time
    assert one.seconds / 2 <= two.seconds < one.seconds
    half_done = ["linear"] * 5 + ["gbm"] * 5
    assert cost.seconds_left(two, half_done, elapsed=0.0) == pytest.approx(
        cost.seconds_left(one, half_done, elapsed=0.0) / 2)
