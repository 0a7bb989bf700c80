"""The Subgroups page through AppTest (opened directly), and its pure helpers in dllab.ui.subgroups."""

from __future__ import annotations

import json
import re

import pytest
from apptools import ROOT, open_page
from planted import planted, with_comparison

from dllab.analyses.subgroups import default_shift_column, shift_conclusion, shift_plan, slice_table, subgroup_report
from dllab.families import label as family_label
from dllab.present import plots
from dllab.present.glossary import help_for
from dllab.present.plots._style import DIVERGING
from dllab.ui.cache import study
from dllab.ui.subgroups import (duration, heatmap_table, shift_caption, shift_table, shift_warning, subgroups_json,
                                worst_table)

PAGE = "Subgroups"
# Code on a page: Python reprs, braces, snake_case names (q_value, ci_low), CLI flags, a q-value as 0.0000.
_CODE = re.compile(r"\bNone\b|\bTrue\b|\bFalse\b|[{}]|\b[a-z]+_[a-z_]+\b|--[a-z]|0\.0000")


def _figures(at):
    return {f["layout"]["title"]["text"]: f for f in (json.loads(el.proto.spec) for el in at.get("plotly_chart"))}


def _page_text(at) -> str:
    """Every text the page's body shows (the sidebar is not this page's), the data's column names left out."""
    text = "\n".join(e.value for kind in ("caption", "markdown", "info", "warning", "error", "subheader")
                      for e in getattr(at, kind) if "DL Decision Lab" not in e.value and "**Dataset:**" not in e.value)
    for column in planted()[0].frame.columns:  # "tenure_years" is the data's own name, not code
        text = text.replace(column, "column")
    return text


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
    assert not _CODE.search(_page_text(at)), _CODE.search(_page_text(at))

    df = at.dataframe[0]
    table = df.value
    assert table.columns.tolist() == ["Rank", "Slice", "Rows", "Accuracy", "95% CI", "Gap to overall",
                                      "Corrected p (q)"]
    assert table["Slice"].iloc[0] == report.worst("linear")["description"].iloc[0] == "region = North and age < 26"
    assert table["Rank"].tolist() == list(range(1, len(table) + 1))
    assert report.worst("linear")["q_value"].iloc[0] < 0.001 and table["Corrected p (q)"].iloc[0] == "< 0.001"
    columns = json.loads(df.proto.columns)
    assert columns["Slice"]["width"] == "large"
    assert columns["Corrected p (q)"]["help"] == help_for("q") and columns["95% CI"]["help"] == help_for("ci")

    figures = _figures(at)
    assert set(figures) == {"Linear model: significantly worse slices, with 95% CI", "Accuracy by slice and model",
                            "Per-row loss difference by slice: Gradient boosting (XGBoost) vs Linear model"}
    heat = figures["Accuracy by slice and model"]["data"][0]
    assert heat["x"] == [family_label("linear"), family_label("gbm")] and len(heat["y"]) == 12
    # the shared diverging scale, white at the models' mean overall score, 20 points either side
    assert heat["colorscale"] == [list(c) for c in DIVERGING]
    assert heat["zmid"] == pytest.approx(report.overall["score"].mean())
    assert heat["zmax"] - heat["zmid"] == pytest.approx(0.2)
    dis = figures["Per-row loss difference by slice: Gradient boosting (XGBoost) vs Linear model"]
    assert dis["layout"]["xaxis"]["title"]["text"].startswith("Per-row log loss: Gradient boosting (XGBoost) minus")

    at.button_group(key="sg-family").set_value("side").run()  # side by side: one table, a column per model
    assert len(at.dataframe) == 1
    side = at.dataframe[0].value
    assert side.columns.tolist() == ["Slice", "Rows", family_label("linear"), family_label("gbm")]
    assert set(side["Slice"]) == set(report.worst("linear")["description"]) | set(report.worst("gbm")["description"])
    marked = side[side[family_label("linear")].str.startswith("▼ ")]["Slice"].tolist()
    assert set(marked) == set(report.worst("linear")["description"])  # marked where significantly worse
    assert json.loads(at.dataframe[0].proto.columns)["Slice"]["width"] == "large"


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


def test_shift_test_defaults_to_a_population_column_says_its_cost_and_concludes(fake_models):
    ds, config, cmp = planted()
    at = with_comparison(open_page(PAGE)).run()
    assert at.selectbox(key="sg-shift-column").value == default_shift_column(ds) == "region"
    plan = shift_plan(ds, "region", families=config.families, comparison=cmp)
    assert plan["n_fits"] == 4 * 2 * 2  # 4 regions x 2 families x (held out, random split)
    cost = next(c.value for c in at.caption if c.value.startswith("Holds out each of the 4 groups of region"))
    assert "That is 16 fits at the quick budget" in cost and duration(plan["seconds"]) in cost
    assert "Press **Run shift test**" in at.info[-1].value and fake_models == []
    at.button(key="sg-shift-run").click().run()
    assert not at.exception
    assert len(fake_models) == 16
    rows = study(ds, config).shift("region", cached_only=True)
    conclusion = next(m.value for m in at.markdown if m.value.startswith("**Conclusion.**"))
    assert conclusion == f"**Conclusion.** {shift_conclusion(rows)}" and "of region" in conclusion
    assert shift_conclusion(rows) in next(m.value for m in at.markdown if m.value.startswith("- "))  # findings
    fig = _figures(at)["Train without one group of region, test on it"]
    assert [t["name"] for t in fig["data"]] == [family_label("linear"), family_label("gbm")]
    assert len(fig["data"][0]["x"]) == 4
    assert fig["layout"]["yaxis"]["title"]["text"] == "Drop in Accuracy vs a random split (> 0: worse)"
    assert at.dataframe[-1].value.columns.tolist()[:9] == ["Held-out group", "Rows", "Model", "Held out",
                                                           "Random split", "Drop", "95% CI", "Beyond noise",
                                                           "Corrected p (q)"]
    assert not _CODE.search(_page_text(at)), _CODE.search(_page_text(at))
    at.button(key="sg-shift-run").click().run()
    assert len(fake_models) == 16  # cached


def test_choosing_a_column_trains_nothing_and_an_identifier_is_flagged(fake_models):
    ds, _, _ = planted()
    at = with_comparison(open_page(PAGE)).run()
    at.selectbox(key="sg-shift-column").set_value("income").run()  # 643 values in 1,500 rows: a feature
    assert not at.exception and not at.warning
    assert any(c.value.startswith("Holds out each of the 5 groups of income") for c in at.caption)
    assert fake_models == []
    assert shift_warning(ds, "region") is None
    ids = ds.with_changes(roles={**ds.roles, "income": "identifier"})
    assert shift_warning(ids, "income").startswith("income is an identifier")


def test_page_stays_thin():
    source = (ROOT / "pages/4_Subgroups.py").read_text()
    assert "import pandas" not in source and "dllab.engine.runner" not in source and "fit(" not in source
    assert len(source.splitlines()) < 80


# ---------------------------------------------------------------------------- pure helpers
def test_worst_table_formats_scores_intervals_and_q(report):
    t = worst_table(report, "linear")
    w = report.worst("linear")
    assert len(t) == len(w) and t["Rows"].tolist() == w["size"].tolist()
    assert t["Accuracy"].iloc[0] == f"{w.score.iloc[0]:.1%}"
    assert t["95% CI"].iloc[0] == f"{w.ci_low.iloc[0]:.1%} to {w.ci_high.iloc[0]:.1%}"
    assert t["Gap to overall"].iloc[0] == f"{w.gap.iloc[0] * 100:+.1f} points"
    assert all(q == "< 0.001" or re.fullmatch(r"0\.\d+", q) for q in t["Corrected p (q)"])


def test_heatmap_table_keeps_the_most_harmful_certain_slices(report):
    t = heatmap_table(report, top=5, max_conditions=2)
    assert len(t) == 5 and not t["uncertain"].any()
    f = report.frame
    worst = f[~f.uncertain].groupby("description")["rank_score"].min().sort_values()
    assert t.index.tolist() == worst.index[:5].tolist()
    assert t.index[0] == "region = North and age < 26"
    assert (heatmap_table(report, top=40, max_conditions=1).index.str.contains(" and ") == False).all()  # noqa: E712


def test_heatmap_colours_are_the_same_in_the_app_and_the_report(report):
    """The app draws the worst slices, the report every one: the colour scale must not follow the rows drawn."""
    app = plots.slice_heatmap_figure(heatmap_table(report, top=5), metric=report.metric).data[0]
    full = plots.slice_heatmap_figure(slice_table(report, max_conditions=1), metric=report.metric).data[0]
    assert len(app.y) == 5 < len(full.y)
    assert (app.zmin, app.zmid, app.zmax) == (full.zmin, full.zmid, full.zmax)
    assert app.zmid == pytest.approx(report.overall["score"].mean())


def test_shift_table_and_caption():
    rows = [{"column": "g", "group": "g = a", "size": 50, "family": "gbm", "metric": "accuracy", "status": "ok",
             "drop": 0.1, "drop_ci_low": 0.05, "drop_ci_high": 0.15, "shift_score": 0.7, "random_score": 0.8,
             "drop_q": 0.0004, "beyond_noise": True, "note": ""},
            {"column": "g", "group": "g = a", "size": 50, "family": "deep", "metric": "accuracy",
             "status": "failed", "reason": "boom", "note": ""}]
    t = shift_table(rows)
    assert t["Drop"].tolist() == ["+10.0 points", "—"]
    assert t["95% CI"].tolist() == ["+5.0 to +15.0 points", "—"]
    assert t["Beyond noise"].tolist() == ["yes, worse", "—"] and t["Corrected p (q)"].tolist() == ["< 0.001", "—"]
    assert t["Held out"].tolist() == ["70.0%", "—"] and t["Note"].tolist() == ["", "failed: boom"]
    plan = {"column": "g", "groups": ["g = a", "g = b"], "sizes": [120, 80], "n_fits": 12, "max_fits": 30,
            "seconds": 23.0}
    assert shift_caption(plan, budget="quick") == (
        "Holds out each of the 2 groups of g in turn: g = a (120 rows), g = b (80 rows). That is 12 fits at the "
        "quick budget, about 25 seconds on this machine (estimated from the comparison's training times); the test "
        "never makes more than 30.")
    assert shift_caption({**plan, "groups": ["g = a"], "sizes": [120]}, budget="quick") == ""
    assert "Note" not in shift_table(rows[:1]).columns  # no note on any row: no empty column


def test_subgroups_json_is_the_cli_document(report):
    ds, config, _ = planted()
    doc = json.loads(subgroups_json(report, ds, config))
    assert set(doc) == {"dataset", "config", "subgroups"}
    assert doc["subgroups"]["worst"]["linear"][0]["description"] == "region = North and age < 26"
