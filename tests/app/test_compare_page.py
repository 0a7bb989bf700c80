"""The Compare page after a run: the leaderboard with the baseline, every paired test, the diagnostics figures."""

from __future__ import annotations

import json

from apptools import open_page, run_compare

from dllab.datasets import load
from dllab.metrics import format_score

LEADERBOARD_KEYS = ("model", "accuracy", "accuracy_ci", "precision", "recall", "mcc", "fit_seconds",
                    "predict_seconds", "status")


def _figures(at) -> dict:
    figs = (json.loads(el.proto.spec) for el in at.get("plotly_chart"))
    return {f["layout"]["title"]["text"]: f for f in figs}


def _tables(at):
    """The leaderboard and the paired-tests table, told apart by their columns."""
    board = next(d.value for d in at.dataframe if "accuracy" in d.value.columns or "rmse" in d.value.columns)
    tests = next((d.value for d in at.dataframe if "Significant" in d.value.columns), None)
    return board, tests


def test_quick_binary_run_shows_baseline_every_metric_every_pair_and_diagnostics():
    """A real quick run of the three families on 240 rows of a small built-in."""
    at = run_compare(open_page("Compare"), load("breast_cancer", max_rows=240))
    assert not at.exception and not at.error
    board, tests = _tables(at)
    assert board["model"].tolist() == ["Linear model", "Gradient boosting (XGBoost)", "Deep network",
                                       "Baseline (majority class)"]
    assert set(LEADERBOARD_KEYS) <= set(board.columns)
    assert board["status"].tolist() == ["ok"] * 4
    floor = board["accuracy"].iloc[-1]
    assert 0.5 < floor < 0.75  # the majority class of breast_cancer (benign, 63%)
    cards = {m.label: m.value for m in at.metric}
    assert cards["Baseline (majority class)"] == format_score("accuracy", floor)
    assert cards["Linear model"] == format_score("accuracy", board["accuracy"].iloc[0])  # cards = table format
    assert any(m.value.startswith("Baseline (majority class) scores") and "the deep net is" in m.value
               for m in at.markdown)
    # every pair the verdict weighs, more complex first
    assert list(zip(tests["More complex"], tests["Simpler"])) == [
        ("Gradient boosting (XGBoost)", "Linear model"), ("Deep network", "Linear model"),
        ("Deep network", "Gradient boosting (XGBoost)")]
    assert set(tests["Significant"]) <= {"yes", "no"}
    # diagnostics of the best family by default: the four figures, the AUC and AP in the legends
    figs = _figures(at)
    picked = at.selectbox(key="cmp-diag-family").value
    names = {"linear": "Linear model", "gbm": "Gradient boosting (XGBoost)", "deep": "Deep network"}
    assert f"Confusion matrix: {names[picked]}" in figs
    roc = figs["ROC curve (positive class: malignant)"]
    assert roc["data"][0]["name"].startswith(f"{names[picked]} (AUC 0.")
    assert figs["Precision-recall curve (positive class: malignant)"]["data"][0]["name"].startswith(
        f"{names[picked]} (AP 0.")
    assert "Calibration (positive class: malignant)" in figs
    # the score chart draws the baseline
    scores = figs["Mean Accuracy over 2 splits, with 95% CI"]
    assert any(a["text"].startswith("Baseline (majority class): ") for a in scores["layout"]["annotations"])

    at.selectbox(key="cmp-diag-family").set_value("linear").run()
    assert "Confusion matrix: Linear model" in _figures(at)
    assert "mcc_ci" not in board.columns
    at.toggle(key="cmp-every-ci").set_value(True).run()  # every measure's interval, from the same result
    assert {"mcc_ci", "precision_ci", "recall_ci"} <= set(_tables(at)[0].columns) and not at.exception


def test_multiclass_picks_one_class_against_the_rest_and_a_failed_family_says_why(fake_models):
    at = run_compare(open_page("Compare"), load("penguins"))
    assert not at.exception and not at.error
    board, tests = _tables(at)
    assert board.loc["deep", "status"].startswith("failed on every split: RuntimeError: out of memory")
    assert board["model"].iloc[-1] == "Baseline (majority class)" and len(tests) == 3
    picker = at.selectbox(key="cmp-diag-class")
    assert picker.options == ["Adelie", "Chinstrap", "Gentoo"]
    picker.set_value(2).run()
    assert "ROC curve (Gentoo against the rest)" in _figures(at)
    at.selectbox(key="cmp-diag-family").set_value("deep").run()
    cm = _figures(at)["Confusion matrix: Deep network"]
    assert not cm["data"] and "failed on every split" in cm["layout"]["annotations"][0]["text"]


def test_regression_shows_rmse_with_its_interval_and_the_residual_plots(fake_models):
    at = run_compare(open_page("Compare"), load("diabetes"))
    assert not at.exception and not at.error
    board, _ = _tables(at)
    assert {"rmse", "rmse_ci", "mae", "r2"} <= set(board.columns)
    assert board["model"].iloc[-1] == "Baseline (mean)"
    figs = _figures(at)
    picked = at.selectbox(key="cmp-diag-family").value
    assert picked in ("linear", "gbm")  # the deep net failed: the best of the others is shown first
    assert any(t.startswith("Predicted against actual: ") for t in figs)
    assert any(t.startswith("Residuals: ") for t in figs)
    assert not any(t.startswith("ROC curve") for t in figs)


def _partial_after_one_fold():
    from dllab.config import RunConfig
    from dllab.datasets import load_builtin
    from dllab.engine.runner import compare

    seen = []
    compare(load_builtin("penguins"), config=RunConfig(budget="quick", n_folds=3, n_jobs=1,
                                                       families=("linear", "gbm")),
            progress=seen.append, keep_models=False)
    return seen[0].partial, seen[-1].partial


def test_the_scores_so_far_show_a_row_per_family_with_its_folds():
    from streamlit.testing.v1 import AppTest

    def script():
        import streamlit as st
        from test_compare_page import _partial_after_one_fold  # tests/app is on sys.path (conftest.py)

        from dllab.ui.run import _scores_so_far

        first, last = _partial_after_one_fold()
        _scores_so_far(st.empty(), first)
        _scores_so_far(st.empty(), last)

    at = AppTest.from_function(script, default_timeout=60).run()
    assert not at.exception and not at.error
    first, last = (d.value for d in at.dataframe)
    assert list(first.columns) == ["model", "folds", "Accuracy", "fit s"]
    assert len(first) == 1 and first.folds.tolist() == ["1 of 3 folds"]
    assert last.model.tolist() == ["Linear model", "Gradient boosting (XGBoost)"]
    assert last.folds.tolist() == ["3 of 3 folds"] * 2
    assert all("the verdict come when every fold is done" in c.value for c in at.caption)
