"""The Explain page through AppTest (opened directly), and its pure helpers in dllab.ui.explain."""

from __future__ import annotations

import json

import numpy as np
import pytest
from apptools import ROOT, kept, open_page, tiny_frame, with_kept

from dllab.datasets import Dataset
from dllab.explain import BASE_ROW, OUTPUT_ROW, explain
from dllab.models import FAMILY_LABELS
from dllab.ui.cache import results
from dllab.ui.explain import cost_caption, explanation_key, local_table, row_label

PAGE = "Explain"
LABELS = [FAMILY_LABELS["linear"], FAMILY_LABELS["gbm"]]


def _figures(at):
    return {f["layout"]["title"]["text"]: f for f in (json.loads(el.proto.spec) for el in at.get("plotly_chart"))}


@pytest.fixture(scope="module")
def ex():
    ds, config, cmp = kept()
    return explain(cmp, ds, max_rows=200, n_boot=50, random_state=0)


def test_without_data_the_page_says_what_to_do():
    at = open_page(PAGE)
    assert not at.exception and not at.error
    assert at.title[0].value == "Explain" and "No dataset" in at.info[0].value


def test_without_a_comparison_it_says_so_and_offers_one(count_fits):
    at = open_page(PAGE)
    at.session_state["dataset"] = Dataset(frame=tiny_frame(), target="target", task="binary", name="tiny",
                                          roles={"x1": "numeric", "x2": "numeric", "colour": "categorical"})
    at.run()
    assert not at.exception and "none has been run for this dataset" in at.info[0].value
    assert [link.proto.label for link in at.main.get("page_link")] == ["Go to Compare"]
    assert at.button(key="explain-quick").proto.label == "Run a quick comparison"
    assert count_fits == [] and not at.get("plotly_chart")


def test_with_a_comparison_shows_importance_agreement_dependence_and_one_row():
    ds, config, cmp = kept()
    at = with_kept(open_page(PAGE)).run()
    assert not at.exception and not at.error
    assert any("From the cache" in c.value for c in at.caption)  # nothing retrained
    ex = results().get(explanation_key(ds.sha256, config, 0, 500))
    assert ex is not None and ex.families == ["linear", "gbm"]  # cached under (sha, config, split, rows)

    figures = _figures(at)
    imp = next(f for t, f in figures.items() if t.startswith("Global importance"))
    assert [t["name"] for t in imp["data"]] == LABELS
    assert imp["data"][0]["y"] == imp["data"][1]["y"]  # same feature order for both models
    assert imp["data"][0]["marker"]["color"] != imp["data"][1]["marker"]["color"]
    assert imp["layout"]["xaxis"]["title"]["text"].startswith("Mean |SHAP| (log-odds of the positive class)")
    statements = next(m.value for m in at.markdown if m.value.startswith("- "))
    assert statements.splitlines() == [f"- {s[0].upper()}{s[1:]}." for s in ex.statements()]

    first = at.selectbox(key="ex-column").value
    assert first == ex.importance.max(axis=1).idxmax()
    dep = next(f for t, f in figures.items() if t.startswith(f"How {first} moves"))
    assert [a["text"] for a in dep["layout"]["annotations"][:2]] == LABELS  # one panel per model
    other = [c for c in at.selectbox(key="ex-column").options if c != first][0]
    at.selectbox(key="ex-column").set_value(other).run()
    assert any(t.startswith(f"How {other} moves") for t in _figures(at))

    rows = at.selectbox(key="ex-row")
    assert len(rows.options) == len(ex.local_rows)
    at.selectbox(key="ex-row").select_index(3).run()
    row = int(ex.local_rows[3])
    local = next(f for t, f in _figures(at).items() if t.startswith(f"Row {row}:"))
    assert [t["type"] for t in local["data"]] == ["waterfall", "waterfall"]
    table = at.dataframe[0].value
    assert table.columns.tolist() == ["Column", "Value", *LABELS]
    assert any("additivity error" in c.value for c in at.caption)


def test_rows_setting_is_part_of_the_cache_key():
    ds, config, _ = kept()
    at = with_kept(open_page(PAGE)).run()
    at.button_group(key="explain-rows").set_value(200).run()
    assert not at.exception
    assert results().get(explanation_key(ds.sha256, config, 0, 200)).rows_explained == 200


def test_page_stays_thin():
    source = (ROOT / "pages/5_Explain.py").read_text()
    assert "import pandas" not in source and "dllab.runner" not in source and len(source.splitlines()) < 80


# ---------------------------------------------------------------------------- pure helpers
def test_local_table_adds_up_and_lists_the_largest_contributions_first(ex):
    t = local_table(ex, 0).set_index("Column")
    for label in LABELS:
        contrib = t.drop(index=[BASE_ROW, OUTPUT_ROW])[label]
        assert contrib.sum() + t.loc[BASE_ROW, label] == pytest.approx(t.loc[OUTPUT_ROW, label], abs=1e-3)
    top = t.drop(index=[BASE_ROW, OUTPUT_ROW])[LABELS].abs().max(axis=1).to_numpy()
    assert np.all(np.diff(top) <= 1e-9)


def test_caption_and_row_label(ex):
    text = cost_caption(ex)
    assert text.count("additivity error") == 2 and "ok" in text
    assert row_label(ex, int(ex.local_rows[0])).startswith(f"row {int(ex.local_rows[0])} (")
