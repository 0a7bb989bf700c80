"""The Subgroups page through AppTest (opened directly), and its pure helpers in dllab.ui.subgroups."""

from __future__ import annotations

import json

import pytest
from apptools import ROOT, open_page
from planted import planted, with_comparison

from dllab.families import label as family_label
from dllab.analyses.subgroups import subgroup_report
from dllab.ui.cache import study
from dllab.ui.subgroups import heatmap_table, shift_table, subgroups_json, worst_table

PAGE = "Subgroups"


def _figures(at):
    return {f["layout"]["title"]["text"]: f for f in (json.loads(el.proto.spec) for el in at.get("plotly_chart"))}


@pytest.fixture(scope="module")
def report():
    ds, config, cmp = planted()
    return subgroup_report(cmp, ds, random_state=config.seed)


# ---------------------------------------------------------------------------- the page
def test_without_data_the_page_says_what_to_do():
    at = open_page(PAGE)
    assert not at.exception and not at.error
    assert at.title[0].value == "Subgroups" and "No dataset" in at.info[0].value


def test_with_a_comparison_shows_ranked_table_charts_and_findings(report):
    at = with_comparison(open_page(PAGE)).run()
    assert not at.exception and not at.error
    assert any("From the cache" in c.value for c in at.caption)  # the comparison was not retrained
    findings = next(m.value for m in at.markdown if m.value.startswith("- "))
    assert findings.splitlines() == [f"- {s}" for s in report.findings()]
    assert "region = North and age < 26" in findings  # the planted subgroup, found for the linear model

    table = at.dataframe[0].value
    assert table.columns.tolist() == ["Rank", "Slice", "Rows", "Accuracy", "95% CI", "Gap to overall", "q-value"]
    assert table["Slice"].iloc[0] == report.worst("linear")["description"].iloc[0] == "region = North and age < 26"
    assert table["Rank"].tolist() == list(range(1, len(table) + 1))

    figures = _figures(at)
    assert set(figures) == {"Linear model: significantly worse slices, with 95% CI", "Accuracy by slice and model",
                            "Per-row loss difference by slice: Gradient boosting (XGBoost) vs Linear model"}
    heat = figures["Accuracy by slice and model"]["data"][0]
    assert heat["x"] == [family_label("linear"), family_label("gbm")] and len(heat["y"]) == 12
    dis = figures["Per-row loss difference by slice: Gradient boosting (XGBoost) vs Linear model"]
    assert dis["layout"]["xaxis"]["title"]["text"].startswith("Per-row log loss: Gradient boosting (XGBoost) minus")

    at.button_group(key="sg-family").set_value("side").run()  # side by side: one table per model
    assert len(at.dataframe) == 2 and at.dataframe[1].value["Slice"].tolist() == \
        report.worst("gbm")["description"].tolist()


def test_group_picker_slices_by_an_excluded_column():
    ds, config, _ = planted()
    assert "site" not in ds.feature_columns
    at = with_comparison(open_page(PAGE)).run()
    assert "site (excluded)" in at.multiselect(key="sg-groups").options  # shown with its role
    at.multiselect(key="sg-groups").set_value(["site"]).run()
    assert not at.exception
    rep = study(ds, config).cached("subgroups")
    assert rep is not None and rep.settings["groups"] == ["site"]
    assert "site = B" in at.dataframe[0].value["Slice"].tolist()
    heat = _figures(at)["Accuracy by slice and model"]["data"][0]
    assert any(y.startswith("site = B") for y in heat["y"])


def test_shift_test_runs_on_request_and_is_cached(fake_models):
    ds, config, _ = planted()
    at = with_comparison(open_page(PAGE)).run()
    assert "press **Run shift test**" in at.info[-1].value and fake_models == []
    at.selectbox(key="sg-shift-column").set_value("region")
    at.button(key="FormSubmitter:sg-shift-Run shift test").click().run()
    assert not at.exception
    assert len(fake_models) == 4 * 2 * 2  # 4 regions x 2 families x (held out, random split)
    fig = _figures(at)["Train without one group of region, test on it"]
    assert [t["name"] for t in fig["data"]] == [family_label("linear"), family_label("gbm")]
    assert len(fig["data"][0]["x"]) == 4
    assert fig["layout"]["yaxis"]["title"]["text"] == "Drop in Accuracy vs a random split (> 0: worse)"
    assert at.dataframe[-1].value.columns.tolist()[:3] == ["Held-out group", "Rows", "Model"]
    assert "random split" in next(m.value for m in at.markdown if m.value.startswith("- "))  # findings include it
    at.button(key="FormSubmitter:sg-shift-Run shift test").click().run()
    assert len(fake_models) == 16  # cached


def test_page_stays_thin():
    source = (ROOT / "pages/4_Subgroups.py").read_text()
    assert "import pandas" not in source and "dllab.engine.runner" not in source and "fit(" not in source
    assert len(source.splitlines()) < 80


# ---------------------------------------------------------------------------- pure helpers
def test_worst_table_formats_scores_and_intervals(report):
    t = worst_table(report, "linear")
    w = report.worst("linear")
    assert len(t) == len(w) and t["Rows"].tolist() == w["size"].tolist()
    assert t["Accuracy"].iloc[0] == f"{w.score.iloc[0]:.1%}"
    assert t["95% CI"].iloc[0] == f"{w.ci_low.iloc[0]:.1%} to {w.ci_high.iloc[0]:.1%}"
    assert t["Gap to overall"].iloc[0] == f"{w.gap.iloc[0] * 100:+.1f} points"


def test_heatmap_table_keeps_the_most_harmful_certain_slices(report):
    t = heatmap_table(report, top=5, max_conditions=2)
    assert len(t) == 5 and not t["uncertain"].any()
    f = report.frame
    worst = f[~f.uncertain].groupby("description")["rank_score"].min().sort_values()
    assert t.index.tolist() == worst.index[:5].tolist()
    assert t.index[0] == "region = North and age < 26"
    assert (heatmap_table(report, top=40, max_conditions=1).index.str.contains(" and ") == False).all()  # noqa: E712


def test_shift_table_and_json():
    rows = [{"column": "g", "group": "g = a", "size": 50, "family": "gbm", "metric": "accuracy", "status": "ok",
             "drop": 0.1, "drop_ci_low": 0.05, "drop_ci_high": 0.15, "shift_score": 0.7, "random_score": 0.8,
             "note": ""},
            {"column": "g", "group": "g = a", "size": 50, "family": "deep", "metric": "accuracy",
             "status": "failed", "reason": "boom", "note": ""}]
    t = shift_table(rows)
    assert t["Drop"].tolist() == ["+10.0 points [+5.0 points to +15.0 points]", "failed: boom"]
    assert t["Held out"].tolist() == ["70.0%", "—"]


def test_subgroups_json_is_the_cli_document(report):
    ds, config, _ = planted()
    doc = json.loads(subgroups_json(report, ds, config))
    assert set(doc) == {"dataset", "config", "subgroups"}
    assert doc["subgroups"]["worst"]["linear"][0]["description"] == "region = North and age < 26"
