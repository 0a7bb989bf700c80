"""The Explain page through AppTest (opened directly), and its pure helpers in dllab.ui.explain and dllab.ui.whatif."""

from __future__ import annotations

import functools
import json
import re
from types import SimpleNamespace

import numpy as np
import pytest
from apptools import ROOT, kept, open_page, with_kept, with_study

from dllab.analyses.explain import BASE_ROW, OUTPUT_ROW, PROBABILITY, explain
from dllab.families import label as family_label
from dllab.ui.cache import study
from dllab.ui.explain import (EACH_PREDICTED, PREDICTION_LABEL, START_LABEL, class_choice_label, class_choices,
                              cost_caption, default_rows, image_label, local_table, pixel_caption, row_choice_label,
                              row_choices, row_label, units_caption)
from dllab.ui.whatif import changes_text, found_text, match_table, what_if_table
from image_runs import digits_run, signal_run

PAGE = "Explain"
LABELS = [family_label("linear"), family_label("gbm")]
#: Code syntax and Python reprs that must not reach the page.
CODE = re.compile(r"`|\bNone\b|\bTrue\b|\bFalse\b|\{|\}|\w+_\w+=|ci_low|q_value|--\w")


@functools.lru_cache(maxsize=1)
def titanic_kept():
    """``(ds, config, cmp)``: Titanic (891 rows, identifiers PassengerId, Name, Ticket, Cabin), a quick comparison of
    the linear model and XGBoost on 3 folds that keeps its models: the first split has 297 test rows."""
    from dllab.config import RunConfig
    from dllab.datasets import load
    from dllab.engine import runner

    ds = load("titanic")
    config = RunConfig(budget="quick", n_folds=3, families=("linear", "gbm"))
    return ds, config, runner.compare(ds, config=config, keep_models=True)


def _explained(ds, config, rows):
    """The explanation the page left in the data's Study, if it explained split 0 on ``rows`` rows."""
    ex = study(ds, config).cached("explanation")
    return ex if ex is not None and (ex.split, ex.settings["max_rows"]) == (0, rows) else None


def _figures(at):
    return {f["layout"]["title"]["text"]: f for f in (json.loads(el.proto.spec) for el in at.get("plotly_chart"))}


def _main_texts(at) -> list[str]:
    """Every sentence the main area shows (the sidebar is the layout's)."""
    main = at.main
    texts = [e.value for kind in ("markdown", "caption", "info", "warning", "error", "subheader", "title")
             for e in getattr(main, kind)]
    texts += [w.label for kind in ("selectbox", "number_input", "text_input", "button_group") for w in getattr(main, kind)]
    return texts


def _pick(at, label):
    return next(s for s in at.selectbox if s.label == label)


@pytest.fixture(scope="module")
def ex():
    ds, config, cmp = kept()
    return explain(cmp, ds, max_rows=200, n_boot=50, random_state=0)


@pytest.fixture(scope="module")
def titanic_ex():
    ds, _, cmp = titanic_kept()
    return ds, explain(cmp, ds, max_rows=297, n_boot=50, random_state=0)


def test_without_data_the_page_says_what_to_do():
    at = open_page(PAGE)
    assert not at.exception and not at.error
    assert at.title[0].value == "Explain" and "No dataset" in at.info[0].value


def test_with_a_comparison_shows_probability_importance_agreement_dependence_and_one_row():
    ds, config, cmp = kept()
    at = with_kept(open_page(PAGE)).run()
    assert not at.exception and not at.error
    assert any("From the cache" in c.value for c in at.caption)  # nothing retrained
    rows = at.button_group(key="explain-rows-200")  # 200 test rows: only "all 200" is offered
    assert rows.options == ["all 200"] and rows.label == "Rows explained (the first split has 200 test rows)"
    ex = _explained(ds, config, 200)
    assert ex is not None and ex.families == ["linear", "gbm"]  # cached under (sha, config, split, rows)
    assert at.button_group(key="ex-units").value == PROBABILITY  # probability by default
    assert any(c.value.startswith(units_caption(ex, PROBABILITY)) for c in at.caption)
    assert "probability of **target = 1**" in units_caption(ex, PROBABILITY)

    figures = _figures(at)
    imp = figures["Global importance for the probability of target = 1: average size of each column's contribution "
                  f"(top {len(ex.columns)})"]
    assert [t["name"] for t in imp["data"]] == LABELS
    assert imp["data"][0]["y"] == imp["data"][1]["y"]  # same feature order for both models
    assert imp["data"][0]["marker"]["color"] != imp["data"][1]["marker"]["color"]
    assert imp["layout"]["xaxis"]["title"]["text"].startswith("Average size of a contribution (percentage points)")
    top = ex.importance_in(PROBABILITY)[0].loc[imp["data"][0]["y"][0], "linear"]
    assert imp["data"][0]["x"][0] == pytest.approx(100 * top)  # drawn in points
    statements = next(m.value for m in at.markdown if m.value.startswith("- "))
    assert statements.splitlines() == [f"- {s[0].upper()}{s[1:]}." for s in ex.statements()]

    first = at.selectbox(key="ex-column").value
    assert first == ex.importance_in(PROBABILITY)[0].max(axis=1).idxmax()
    dep = figures[f"How {first} moves each model's probability of target = 1"]
    assert [a["text"] for a in dep["layout"]["annotations"][:2]] == LABELS  # one panel per model
    other = [c for c in at.selectbox(key="ex-column").options if c != first][0]
    at.selectbox(key="ex-column").set_value(other).run()
    assert f"How {other} moves each model's probability of target = 1" in _figures(at)

    # no identifier in this data: rows are found by column values, and every explained row is listed
    assert not [b for b in at.button_group if b.label == "Find rows by"]
    pick = _pick(at, "Row to explain")
    assert len(pick.options) == len(ex.local_rows)
    pick.select_index(3).run()
    row = int(ex.local_rows[3])
    local = _figures(at)[f"row {row + 1}: each model's probability of target = 1, from the average row to this one"]
    assert [t["type"] for t in local["data"]] == ["waterfall", "waterfall"]
    table = next(d.value for d in at.dataframe if "Column" in d.value.columns)
    assert table.columns.tolist() == ["Column", "Value", *LABELS]
    assert table["Column"].tolist()[-2:] == [START_LABEL, PREDICTION_LABEL]
    assert table[LABELS[0]].iloc[0].endswith(" points") and table[LABELS[0]].iloc[-1].endswith("%")
    assert any("they add up to its predictions" in c.value for c in at.caption)
    assert not [t for t in _main_texts(at) if CODE.search(t)], [t for t in _main_texts(at) if CODE.search(t)]


def test_log_odds_on_request_names_the_class_too():
    at = with_kept(open_page(PAGE)).run()
    at.button_group(key="ex-units").set_value("output").run()
    assert not at.exception
    titles = list(_figures(at))
    assert any(t.startswith("Global importance for the log-odds of target = 1") for t in titles), titles
    assert any(t.startswith("How ") and t.endswith("moves each model's log-odds of target = 1") for t in titles)
    table = next(d.value for d in at.dataframe if "Column" in d.value.columns)
    assert not table[LABELS[0]].iloc[0].endswith("points")


def test_rows_are_found_by_column_values():
    ds, config, _ = kept()
    at = with_kept(open_page(PAGE)).run()
    ex = _explained(ds, config, 200)
    at.selectbox(key="ex-cond-col-0").set_value("region").run()
    at.selectbox(key="ex-cond-value-0-region").set_value("East").run()
    at.selectbox(key="ex-cond-col-1").set_value("age").run()
    at.selectbox(key="ex-cond-op-1-age").set_value("below").run()
    at.number_input(key="ex-cond-value-1-age").set_value(40).run()
    assert not at.exception and not at.error
    values = ex.shown_rows.loc[ex.local_rows]
    expected = values.index[(values["region"] == "East") & (values["age"] < 40)]
    assert 0 < len(expected) < len(values)
    assert any(c.value == f"{len(expected)} of the 200 explained rows match region is East and age below 40."
               for c in at.caption)
    pick = _pick(at, "Row to explain")
    assert pick.options == [row_label(ex, int(r)) for r in expected]
    matches = next(d.value for d in at.dataframe if "Row" in d.value.columns)
    assert matches["region"].tolist() == ["East"] * len(expected) and len(matches) == len(expected)
    at.number_input(key="ex-cond-value-1-age").set_value(-5).run()
    assert at.info[0].value == "No explained row matches region is East and age below -5."


def test_titanic_row_by_passenger_name_then_what_if():
    ds, config, _ = titanic_kept()
    at = with_study(open_page(PAGE), *titanic_kept()).run()
    assert not at.exception and not at.error
    assert at.button_group(key="explain-rows-297").options == ["200", "all 297"]
    ex = _explained(ds, config, 297)
    assert ex is not None and ex.identifier_columns == ["PassengerId", "Name", "Ticket", "Cabin"]
    assert at.button_group(key="ex-find-mode").value == "identifier"
    at.text_input(key="ex-find-id").set_value("braund").run()
    pick = _pick(at, "Row to explain")
    assert pick.options == [row_label(ex, 0)] and pick.options[0].startswith("PassengerId 1 (")
    assert any(c.value.startswith("1 of the 297 explained rows match “braund”. 1 other row of the data matches but "
                                  "was not explained") for c in at.caption)  # Mr. Owen Harris Braund's brother
    assert "PassengerId 1: each model's probability of Survived = 1, from the average row to this one" in _figures(at)

    assert at.selectbox(key="ex-whatif-0-1").label == "Sex" and at.selectbox(key="ex-whatif-0-1").value == "male"
    assert any(c.value == "No value is changed yet: edit one above and press Predict." for c in at.caption)
    at.selectbox(key="ex-whatif-0-1").set_value("female")
    at.number_input(key="ex-whatif-0-2").set_value(300.0)  # Age: beyond every passenger's
    next(b for b in at.button if b.label == "Predict with these values").click().run()
    assert not at.exception and not at.error
    w = ex.what_if(0, {"Sex": "female", "Age": 300.0})
    shown = at.table[0].value
    assert shown.columns.tolist() == ["Model", "Before", "After", "Change", "Predicted Survived"]
    assert shown["Model"].tolist() == LABELS
    assert shown["After"].tolist() == [f"{v:.1%}" for v in w.table["after"]]
    assert any(m.value.startswith("**Edited:** Sex male → female, Age 22 → 300. Each model's probability of "
                                  "Survived = 1") for m in at.markdown)
    assert at.warning[0].value.startswith("Age = 300 is outside the values the models were trained on")
    next(b for b in at.button if b.label == "Back to this row's values").click().run()
    assert at.selectbox(key="ex-whatif-0-1").value == "male" and not at.table
    assert not [t for t in _main_texts(at) if CODE.search(t)], [t for t in _main_texts(at) if CODE.search(t)]


def _quick(name: str, **load):
    """``(ds, config, cmp)`` of a built-in: a quick comparison of the linear model and XGBoost on 3 folds."""
    from dllab.config import RunConfig
    from dllab.datasets import load as load_data
    from dllab.engine import runner

    ds = load_data(name, **load)
    config = RunConfig(budget="quick", n_folds=3, families=("linear", "gbm"))
    return ds, config, runner.compare(ds, config=config, keep_models=True)


def test_several_classes_name_the_class_picked_for_the_row_and_the_what_if():
    ds, config, cmp = _quick("wine")
    at = with_study(open_page(PAGE), ds, config, cmp).run()
    assert not at.exception and not at.error
    ex = _explained(ds, config, len(cmp.splits[0][1]))
    assert ex.task == "multiclass" and at.button_group(key="ex-units").options == ["probability", "log-probability"]
    titles = list(_figures(at))
    assert titles[0].startswith("Global importance for the probability of each class of cultivar")
    picker = at.selectbox(key="ex-tabular-class")
    assert picker.options == [EACH_PREDICTED] + [f"class {c}" for c in ex.classes]
    picker.select_index(3).run()  # the third class, for every row
    third = ex.classes[2]
    row = int(ex.local_rows[0])
    assert f"{ex.row_name(row)}: each model's probability of cultivar = {third}, from the average row to this one" \
        in _figures(at)
    at.number_input(key=f"ex-whatif-{row}-0").set_value(15.0)  # alcohol
    next(b for b in at.button if b.label == "Predict with these values").click().run()
    assert not at.exception and not at.error
    assert any(m.value.endswith(f"Each model's probability of cultivar = {third}:") for m in at.markdown)
    assert at.table[0].value.columns.tolist()[-1] == "Predicted cultivar"


def test_regression_shows_the_target_in_its_own_units_without_a_toggle():
    ds, config, cmp = _quick("california_housing", max_rows=300)
    at = with_study(open_page(PAGE), ds, config, cmp).run()
    assert not at.exception and not at.error
    assert "ex-units" not in [b.key for b in at.button_group]
    target = ds.target
    assert any(t.startswith(f"Global importance for the predicted {target}") for t in _figures(at))
    assert any(c.value.startswith(f"A contribution says how much a column raises or lowers a model's **predicted "
                                  f"{target}**, in its own units") for c in at.caption)
    assert not [t for t in _main_texts(at) if CODE.search(t)], [t for t in _main_texts(at) if CODE.search(t)]


def test_rows_setting_offers_only_rows_that_exist_and_is_part_of_the_cache_key():
    ds, config, _ = titanic_kept()
    at = with_study(open_page(PAGE), *titanic_kept()).run()
    at.button_group(key="explain-rows-297").set_value(200).run()
    assert not at.exception
    assert _explained(ds, config, 200).rows_explained == 200


def _with_images(at, run=digits_run):
    """``run``'s images in ``at``'s session and its comparison in the result store, as after a run."""
    return with_study(at, *run())


def _default_rows(cmp) -> int:
    return default_rows(row_choices(len(cmp.splits[0][1])))


def test_image_data_shows_which_pixels_mattered_for_a_picked_image_and_class():
    ds, config, cmp = digits_run()
    at = _with_images(open_page(PAGE)).run()
    assert not at.exception and not at.error
    ex = _explained(ds, config, _default_rows(cmp))
    assert ex.image_shape == (8, 8) and ex.families == ["linear", "gbm", "deep"]
    headers = [h.value for h in at.subheader]
    assert "Which pixels mattered" in headers and "What each model relies on" in headers
    assert "One row, explained by every model" not in headers  # the pixel maps take its place for images

    rows = [int(r) for r in ex.local_rows]
    assert at.selectbox(key="ex-image").options == [image_label(ex, r) for r in rows]
    assert at.selectbox(key="ex-class").options == [EACH_PREDICTED, "class 0", "class 1", "class 2"]
    figures = _figures(at)
    first = figures[f"Which pixels mattered: row {rows[0] + 1}, each model's predicted class"]
    heatmaps = [t for t in first["data"] if t["type"] == "heatmap"]
    assert [t["name"] for t in heatmaps] == ["image"] + [family_label(f) for f in ex.families]
    axis = first["layout"]["coloraxis"]
    assert axis["cmin"] == -axis["cmax"] and axis["cmax"] == pytest.approx(
        max(np.abs(ex.pixel_map(f, 0).attribution).max() for f in ex.families))
    assert any(c.value == pixel_caption(ex, 0) for c in at.caption)

    at.selectbox(key="ex-image").select_index(2).run()
    at.selectbox(key="ex-class").select_index(2).run()  # class 1 for every model
    assert not at.exception
    fig = _figures(at)[f"Which pixels mattered: row {rows[2] + 1}, class 1"]
    maps = [np.array(t["z"]) for t in fig["data"] if t["type"] == "heatmap"][1:]
    for f, z in zip(ex.families, maps):
        np.testing.assert_allclose(z, ex.pixel_map(f, 2, target_class=1).attribution)
    table = at.dataframe[0].value  # the expander's table: the same image and class
    assert table.columns.tolist() == ["Column", "Value", *[family_label(f) for f in ex.families]]
    assert len(table) == 64 + 2
    assert any("Contributions to class **1**." == c.value for c in at.caption)
    assert "ex-units" not in [b.key for b in at.button_group]  # pixel maps stay in the models' own units


def test_binary_signals_show_one_bar_chart_per_model_and_no_class_picker():
    ds, config, cmp = signal_run()
    at = _with_images(open_page(PAGE), signal_run).run()
    assert not at.exception and not at.error
    ex = _explained(ds, config, _default_rows(cmp))
    assert ex.image_shape == (1, 40) and ex.classes is None
    assert [s.key for s in at.selectbox if s.key and s.key.startswith("ex-")] == ["ex-column", "ex-image"]
    first = int(ex.local_rows[0])
    fig = _figures(at)[f"Which pixels mattered: row {first + 1}, contributions to the {ex.describe()}"]
    assert ex.describe().startswith("log-odds of ")
    assert [t["type"] for t in fig["data"]] == ["scatter", "bar", "bar"]
    assert at.selectbox(key="ex-image").options[0].startswith(f"row {first + 1}: label ")


def test_page_stays_thin():
    source = (ROOT / "pages/5_Explain.py").read_text()
    assert "import pandas" not in source and "dllab.engine.runner" not in source and len(source.splitlines()) < 80


# ---------------------------------------------------------------------------- pure helpers
def test_local_table_lists_the_largest_contributions_first_in_points_then_the_two_ends(ex):
    t = local_table(ex, 0, units=PROBABILITY).set_index("Column")
    local = ex.local(0, units=PROBABILITY)
    contrib = local.drop(index=[BASE_ROW, OUTPUT_ROW])[ex.families].astype(float)
    order = contrib.abs().max(axis=1).sort_values(ascending=False, kind="stable").index.tolist()
    assert t.index.tolist() == order + [START_LABEL, PREDICTION_LABEL]
    for f, label in zip(ex.families, LABELS):
        assert t.loc[order[0], label] == f"{100 * contrib.loc[order[0], f]:+.1f} points"
        assert t.loc[START_LABEL, label] == f"{local.loc[BASE_ROW, f]:.1%}"
        assert t.loc[PREDICTION_LABEL, label] == f"{local.loc[OUTPUT_ROW, f]:.1%}"
        # the shown points add up from the starting point to the prediction (each rounded to 0.1)
        points = sum(float(v.split()[0]) for v in t.loc[order, label])
        assert float(t.loc[START_LABEL, label][:-1]) + points == pytest.approx(
            float(t.loc[PREDICTION_LABEL, label][:-1]), abs=0.06 * len(order) + 0.1)
    logodds = local_table(ex, 0).set_index("Column")
    assert logodds.loc[order[0], LABELS[0]] == f"{ex.local(0).loc[order[0], 'linear']:+.3g}"  # small: 3 digits


def test_captions_and_row_label(ex):
    text = cost_caption(ex)
    assert text.count("they add up to its predictions within") == 2 and "only" not in text
    row = int(ex.local_rows[0])
    assert row_label(ex, row).startswith(f"row {row + 1} (region ")
    assert units_caption(ex, "output").startswith("A contribution says how much a column raises or lowers a model's "
                                                  "**log-odds of target = 1**")


def test_row_choices_stop_at_the_test_rows_there_are():
    assert row_choices(297) == [200, 297] and row_choice_label(297, 297) == "all 297"
    assert row_choices(120) == [120] and default_rows([120]) == 120
    assert row_choices(4000) == [200, 500, 1000] and default_rows(row_choices(4000)) == 500
    assert row_choices(1000) == [200, 500, 1000] and row_choice_label(1000, 1000) == "all 1,000"
    assert default_rows([200, 297]) == 297 and row_choice_label(200, 297) == "200"


def test_match_and_what_if_tables(titanic_ex):
    ds, ex = titanic_ex
    rows = ex.local_rows[:3]
    t = match_table(ex, rows, columns=["Sex"])
    assert t.columns.tolist() == ["Row", "Name", "Sex", "Survived (actual)", *LABELS]
    assert t["Row"].tolist() == [ex.row_name(r) for r in rows]
    assert t[LABELS[1]].tolist() == [f"{v:.1%}" for v in ex.outputs("gbm", units=PROBABILITY).loc[rows]]
    assert found_text(ex, 2) == "2 of the 297 explained rows match."
    assert found_text(ex, 0, elsewhere=3, what="“x”").startswith("No explained row matches “x”. 3 other rows of "
                                                                  "the data match but were not explained")
    w = ex.what_if(0, {"Sex": "female", "Pclass": 1})
    assert changes_text(w) == "Sex male → female, Pclass 3 → 1"
    shown = what_if_table(w)
    assert shown["Change"].tolist() == [f"{100 * v:+.1f} points" for v in w.table["change"]]
    assert all(p.endswith(("→ 1", "(same)")) for p in shown["Predicted Survived"])


def test_image_helpers_label_images_and_classes():
    ds, _, cmp = digits_run()
    ex = explain(cmp, ds, max_rows=20, n_boot=10, n_permutations=2, random_state=0)
    row = int(ex.local_rows[0])
    label = image_label(ex, row)
    predicted = [ex.classes[ex.pixel_map(f, 0).predicted_class] for f in ex.families]
    assert label == (f"row {row + 1}: label {ds.frame.loc[row, 'digit']}; predicted {predicted[0]} (linear), "
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
