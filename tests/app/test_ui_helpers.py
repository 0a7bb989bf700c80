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
from dllab.ui.tables import best_cells, data_warnings, role_table


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


def test_best_cells_marks_best_per_metric_and_fastest():
    cmp = make_comparison()
    table = cmp.table()
    mask = best_cells(cmp, table)
    assert mask.shape == table.shape
    best = cmp.best("accuracy")
    assert mask["Accuracy"].tolist() == [f == best for f in cmp.families]
    best_loss = cmp.overall["log_loss"].idxmin()
    assert mask["Log loss"].tolist() == [f == best_loss for f in cmp.families]
    assert mask["fit s"].tolist() == [True, False, False]  # linear is the fastest
    assert not mask["status"].any()


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


def test_results_table_has_one_column_per_family():
    from dllab.ui.tables import results_table

    cmp = make_comparison()
    table = results_table(cmp)
    assert table.columns.tolist() == ["Linear model", "Gradient boosting (XGBoost)", "Deep network"]
    assert table.index.tolist()[0] == "Accuracy" and table.index.tolist()[-1] == "Status"
    assert best_cells(cmp).drop(columns=["model"]).T.shape == table.shape
