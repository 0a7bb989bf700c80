"""The app's pure helpers (dllab.ui.tables, dllab.ui.cache) and the page registry."""

from __future__ import annotations

import ast

import numpy as np
import pandas as pd
import pytest
from apptools import ROOT, make_comparison, tiny_frame

from dllab.datasets import Dataset
from dllab.ui.cache import ResultStore
from dllab.ui.layout import PAGES
from dllab.ui.tables import (baseline_gaps, data_warnings, leaderboard, leaderboard_best, paired_tests_table,
                             role_table)


def _ds(df, **kw):
    roles = {c: ("numeric" if pd.api.types.is_numeric_dtype(df[c]) else "categorical") for c in df.columns if c != "target"}
    return Dataset(frame=df, target="target", task=kw.pop("task", "binary"), roles=roles, **kw)


def test_role_table_lists_every_column_but_the_target():
    df = tiny_frame()
    df.loc[:9, "x1"] = np.nan
    t = role_table(_ds(df))
    assert t["column"].tolist() == ["x1", "x2", "colour"]
    assert t["role"].tolist() == ["numeric", "numeric", "categorical"]
    assert t["missing"].tolist() == ["6.2%", "0.0%", "0.0%"]
    assert t.loc[2, "distinct"] == 3


def test_role_table_says_which_columns_the_models_use_and_why():
    ds = _ds(tiny_frame()).with_changes(roles={"x1": "numeric", "x2": "identifier", "colour": "text"},
                                        role_reasons={"x2": "counts the rows"})
    t = role_table(ds).set_index("column")
    assert t["used"].tolist() == ["yes", "no", "yes"]  # free text is a feature (of a text dataset)
    assert t["reason"].tolist() == ["", "counts the rows", ""]


def test_data_warnings_imbalance_missing_and_small_data():
    df = tiny_frame(n=400)
    df["target"] = ["rare"] * 12 + ["common"] * 388
    df.loc[:39, "colour"] = None
    text = " ".join(data_warnings(_ds(df)))
    assert "'rare' is only 3.0% of the rows (12 of 400)" in text
    assert "97.0% accuracy" in text
    assert "colour (10.0%)" in text
    assert "Only 400 rows" in text


def test_no_warnings_for_large_balanced_complete_data():
    assert data_warnings(_ds(tiny_frame(n=1200))) == []


def test_leaderboard_best_marks_best_per_metric_and_fastest_never_the_baseline():
    cmp = make_comparison()
    table, _ = leaderboard(cmp)
    mask = leaderboard_best(cmp, table)
    assert mask.shape == table.shape and mask.index.tolist() == [*cmp.families, "baseline"]
    best = cmp.best("accuracy")
    assert mask["accuracy"].tolist() == [f == best for f in cmp.families] + [False]
    best_loss = cmp.overall["log_loss"].idxmin()
    assert mask["log_loss"].tolist() == [f == best_loss for f in cmp.families] + [False]
    assert mask["fit_seconds"].tolist() == [True, False, False, False]  # linear is the fastest
    assert not mask["status"].any() and not mask.loc["baseline"].any()


def test_result_store_is_least_recently_used():
    store = ResultStore(max_entries=2)
    store.put("a", 1)
    store.put("b", 2)
    assert store.get("a") == 1  # "a" is now the most recent
    store.put("c", 3)
    assert store.get("b") is None and store.get("a") == 1 and store.get("c") == 3 and len(store) == 2


def test_every_page_file_exists_and_starts_with_the_shared_page_call():
    assert PAGES[0].path == "app.py" and len({p.label for p in PAGES}) == len(PAGES)
    for info in PAGES:
        tree = ast.parse((ROOT / info.path).read_text())
        calls = [n for n in tree.body if isinstance(n, ast.Expr) and isinstance(n.value, ast.Call)]
        first = calls[0].value
        assert ast.unparse(first) == f"ui.page({info.label!r})", info.path


def test_only_dllab_ui_imports_streamlit():
    for path in (ROOT / "dllab").rglob("*.py"):
        if "ui" in path.relative_to(ROOT / "dllab").parts:
            continue
        tree = ast.parse(path.read_text())
        names = [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
        names += [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
        assert not [n for n in names if n.split(".")[0] == "streamlit"], path


@pytest.mark.parametrize("page", ["pages/1_Data.py", "pages/2_Compare.py", "app.py"])
def test_pages_stay_thin(page):
    # Pages draw; logic lives in dllab. No pandas, no model code in a page file.
    source = (ROOT / page).read_text()
    assert "import pandas" not in source and "dllab.engine.runner" not in source and "fit(" not in source
    assert len(source.splitlines()) < 80


def test_leaderboard_one_numeric_row_per_family_and_the_baseline():
    from dllab.metrics import format_interval

    cmp = make_comparison()
    table, columns = leaderboard(cmp)
    assert table.index.tolist() == ["linear", "gbm", "deep", "baseline"]
    assert table["model"].tolist() == ["Linear model", "Gradient boosting (XGBoost)", "Deep network",
                                       "Baseline (majority class)"]
    assert list(columns) == table.columns.tolist()
    # numbers stay numbers (a header click sorts them); every metric is there, the interval as text beside
    assert {"precision", "recall", "mcc", "fit_seconds", "predict_seconds"} <= set(table.columns)
    assert all(table[m].dtype == float for m in cmp.metric_names)
    # percentages rounded to what the cards show (the grid cuts to the step's decimals); others exact
    assert table.loc["deep", "accuracy"] == round(cmp.overall.loc["deep", "accuracy"], 3)
    assert table.loc["baseline", "accuracy"] == round(cmp.baseline.loc["baseline", "accuracy"], 3)
    assert table.loc["gbm", "mcc"] == cmp.overall.loc["gbm", "mcc"]
    row = cmp.overall.loc["gbm"]
    assert table.loc["gbm", "accuracy_ci"] == format_interval("accuracy", row["accuracy_low"], row["accuracy_high"])
    assert "mcc_ci" not in table.columns and "mcc_ci" in leaderboard(cmp, every_interval=True)[0].columns
    # headers in words, with help; percentages shown as in the cards ("80.8%": one decimal)
    assert [columns[c].label for c in ("model", "accuracy", "accuracy_ci", "mcc", "fit_seconds")] == \
        ["Model", "Accuracy", "95% CI", "MCC", "Fit time (s)"]
    assert (columns["accuracy"].format, columns["accuracy"].step) == ("percent", 0.001)
    assert columns["mcc"].format == "%.3f" and columns["mcc"].help.startswith("MCC (Matthews correlation)")
    assert columns["accuracy_ci"].help.startswith("Accuracy: 95% confidence interval")
    assert np.isnan(table.loc["baseline", "fit_seconds"])  # the baseline is not a timed model


def test_leaderboard_says_on_how_many_splits_a_family_failed():
    cmp = make_comparison(fail=("deep",))
    table, _ = leaderboard(cmp)
    assert table.loc["deep", "status"] == "failed on every split: boom"
    assert np.isnan(table.loc["deep", "accuracy"]) and table.loc["deep", "accuracy_ci"] == "—"
    assert table.loc[["linear", "gbm", "baseline"], "status"].tolist() == ["ok", "ok", "ok"]


def test_baseline_gaps_names_each_family_and_the_baseline_score():
    from dllab.metrics import format_diff, format_score

    cmp = make_comparison()
    text = baseline_gaps(cmp)
    floor = cmp.baseline.loc["baseline", "accuracy"]
    assert text.startswith(f"Baseline (majority class) scores {format_score('accuracy', floor)} accuracy.")
    gap = cmp.overall.loc["deep", "accuracy"] - floor
    assert f"the deep net is {format_diff('accuracy', gap)} above" in text
    reg = make_comparison("regression")
    text = baseline_gaps(reg)
    assert text.startswith("Baseline (mean) scores") and "the deep net is" in text and "lower (better)" in text
    assert "the linear model is" in text and "higher (worse)" in text  # the fake linear model is worse than the mean


def test_tests_table_has_every_pair_with_words_for_each_column():
    cmp = make_comparison()
    table, columns = paired_tests_table(cmp)
    assert len(table) == len(cmp.tests) == 3
    assert list(zip(table["More complex"], table["Simpler"])) == [
        ("Gradient boosting (XGBoost)", "Linear model"), ("Deep network", "Linear model"),
        ("Deep network", "Gradient boosting (XGBoost)")]
    t = cmp.tests[("deep", "linear")]
    row = table.iloc[1]
    assert row["Gain of the more complex"] == f"+{t.difference * 100:.1f} points"
    assert row["95% CI"] == f"+{t.ci_low * 100:.1f} to +{t.ci_high * 100:.1f} points"
    assert row["Significant"] == ("yes" if t.significant else "no")
    assert columns["p"].help.startswith("p-value:")