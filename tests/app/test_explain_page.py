"""The Explain page through AppTest (opened directly), and its pure helpers in dllab.ui.explain."""

from __future__ import annotations

import json
from types import SimpleNamespace

import numpy as np
import pytest
from apptools import ROOT, kept, open_page, with_kept, with_study

from dllab.analyses.explain import BASE_ROW, OUTPUT_ROW, explain
from dllab.families import label as family_label
from dllab.ui.cache import study
from dllab.ui.explain import (EACH_PREDICTED, class_choice_label, class_choices, cost_caption, image_label,
                              local_table, pixel_caption, row_label)
from image_runs import digits_run, signal_run

PAGE = "Explain"
LABELS = [family_label("linear"), family_label("gbm")]


def _explained(ds, config, rows):
    """The explanation the page left in the data's Study, if it explained split 0 on ``rows`` rows."""
    ex = study(ds, config).cached("explanation")
    return ex if ex is not None and (ex.split, ex.settings["max_rows"]) == (0, rows) else None


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


def test_with_a_comparison_shows_importance_agreement_dependence_and_one_row():
    ds, config, cmp = kept()
    at = with_kept(open_page(PAGE)).run()
    assert not at.exception and not at.error
    assert any("From the cache" in c.value for c in at.caption)  # nothing retrained
    ex = _explained(ds, config, 500)
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
    assert _explained(ds, config, 200).rows_explained == 200


def _with_images(at, run=digits_run):
    """``run``'s images in ``at``'s session and its comparison in the result store, as after a run."""
    return with_study(at, *run())


def test_image_data_shows_which_pixels_mattered_for_a_picked_image_and_class():
    ds, config, _ = digits_run()
    at = _with_images(open_page(PAGE)).run()
    assert not at.exception and not at.error
    ex = _explained(ds, config, 500)
    assert ex.image_shape == (8, 8) and ex.families == ["linear", "gbm", "deep"]
    headers = [h.value for h in at.subheader]
    assert "Which pixels mattered" in headers and "What each model relies on" in headers
    assert "One row, explained by every model" not in headers  # the pixel maps take its place for images

    rows = [int(r) for r in ex.local_rows]
    assert at.selectbox(key="ex-image").options == [image_label(ex, r) for r in rows]
    assert at.selectbox(key="ex-class").options == [EACH_PREDICTED, "class 0", "class 1", "class 2"]
    figures = _figures(at)
    first = figures[f"Which pixels mattered: row {rows[0]}, each model's predicted class"]
    heatmaps = [t for t in first["data"] if t["type"] == "heatmap"]
    assert [t["name"] for t in heatmaps] == ["image"] + [family_label(f) for f in ex.families]
    axis = first["layout"]["coloraxis"]
    assert axis["cmin"] == -axis["cmax"] and axis["cmax"] == pytest.approx(
        max(np.abs(ex.pixel_map(f, 0).attribution).max() for f in ex.families))
    assert any(c.value == pixel_caption(ex, 0) for c in at.caption)

    at.selectbox(key="ex-image").select_index(2).run()
    at.selectbox(key="ex-class").select_index(2).run()  # class 1 for every model
    assert not at.exception
    fig = _figures(at)[f"Which pixels mattered: row {rows[2]}, class 1"]
    maps = [np.array(t["z"]) for t in fig["data"] if t["type"] == "heatmap"][1:]
    for f, z in zip(ex.families, maps):
        np.testing.assert_allclose(z, ex.pixel_map(f, 2, target_class=1).attribution)
    table = at.dataframe[0].value  # the expander's table: the same image and class
    assert table.columns.tolist() == ["Column", "Value", *[family_label(f) for f in ex.families]]
    assert len(table) == 64 + 2
    assert any("Contributions to class **1**." == c.value for c in at.caption)


def test_binary_signals_show_one_bar_chart_per_model_and_no_class_picker():
    ds, config, _ = signal_run()
    at = _with_images(open_page(PAGE), signal_run).run()
    assert not at.exception and not at.error
    ex = _explained(ds, config, 500)
    assert ex.image_shape == (1, 40) and ex.classes is None
    assert [s.key for s in at.selectbox if s.key and s.key.startswith("ex-")] == ["ex-column", "ex-image"]
    fig = _figures(at)[f"Which pixels mattered: row {int(ex.local_rows[0])}, SHAP in {ex.output_space}"]
    assert [t["type"] for t in fig["data"]] == ["scatter", "bar", "bar"]
    assert at.selectbox(key="ex-image").options[0].startswith(f"row {int(ex.local_rows[0])}: label ")


def test_page_stays_thin():
    source = (ROOT / "pages/5_Explain.py").read_text()
    assert "import pandas" not in source and "dllab.engine.runner" not in source and len(source.splitlines()) < 80


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


def test_image_helpers_label_images_and_classes():
    ds, _, cmp = digits_run()
    ex = explain(cmp, ds, max_rows=20, n_boot=10, n_permutations=2, random_state=0)
    row = int(ex.local_rows[0])
    label = image_label(ex, row)
    predicted = [ex.classes[ex.pixel_map(f, 0).predicted_class] for f in ex.families]
    assert label == (f"row {row}: label {ds.frame.loc[row, 'digit']}; predicted {predicted[0]} (linear), "
                     f"{predicted[1]} (XGBoost), {predicted[2]} (deep)")
    assert class_choices(ex) == [None, 0, 1, 2]
    assert [class_choice_label(ex, k) for k in class_choices(ex)] == [EACH_PREDICTED, "class 0", "class 1", "class 2"]
    text = pixel_caption(ex, 0, 2)
    for f in ex.families:
        m = ex.pixel_map(f, 0, target_class=2)
        assert f"{family_label(f)} {m.output - m.base_value:+.3g}" in text  # each map's total
    assert "patches" not in text  # 8x8: every model's map is per pixel
    ex.settings = {**ex.settings, "deep_patch": 4}  # as for 28x28 images
    assert pixel_caption(ex, 0).endswith("The deep net's map has the resolution of 4x4-pixel patches: on images "
                                         "this large its explainer moves patches, not single pixels.")
    assert class_choices(SimpleNamespace(classes=None)) == []  # binary, regression: one output, no picker
