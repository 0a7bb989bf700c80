"""The Data size page through AppTest (opened directly), and its pure helpers in dllab.ui.curves."""

from __future__ import annotations

import json

import numpy as np
import pytest
from apptools import ROOT, open_page
from planted import planted, with_comparison

from dllab.config import RunConfig
from dllab.analyses.curves import LearningCurve
from dllab.families import label as family_label
from dllab.ui.cache import study
from dllab.ui.curves import CurveRequest, curve_json, preset_sizes, reusable_comparison, what_if_table

PAGE = "Data size"
RUN = "FormSubmitter:curve-settings-Run data-size curve"


def _figures(at):
    return [json.loads(el.proto.spec) for el in at.get("plotly_chart")]


def _small_curve():
    n = np.array([100, 250, 500, 1000])
    scores = {"linear": np.column_stack([0.80 - 0.3 * n ** -0.5 + d for d in (-0.002, 0.0, 0.002)]),
              "gbm": np.column_stack([0.88 - 1.0 * n ** -0.5 + d for d in (-0.002, 0.0, 0.002)])}
    return LearningCurve(n, scores, metric="accuracy", n_boot=30, dataset={"name": "toy"}, config={"budget": "quick"})


# ---------------------------------------------------------------------------- the page
def test_without_data_the_page_says_what_to_do():
    at = open_page(PAGE)
    assert not at.exception and not at.error
    assert at.title[0].value == "Data size" and "No dataset" in at.info[0].value


def test_tiny_run_shows_charts_conclusion_and_what_if(count_fits):
    ds, config, _ = planted()
    count_fits.clear()  # the comparison's own fits, if it was made just now
    at = with_comparison(open_page(PAGE)).run()
    assert at.multiselect(key="curve-families").value == ["linear", "gbm"]  # from the comparison's settings
    assert "reuses the comparison's fits" in " ".join(c.value for c in at.caption)
    assert "press **Run data-size curve**" in at.info[0].value
    at.button_group(key="curve-sizes").set_value("quick")
    at.number_input(key="curve-seeds").set_value(2)
    at.selectbox(key="curve-time").set_value(None)
    at.button(key=RUN).click().run()
    assert not at.exception and not at.error
    # 3 sizes x 2 subsamples x 2 families; the 750-row point is the comparison's fits
    assert len(count_fits) == 12
    assert at.status[0].state == "complete" and at.status[0].label.startswith("Curve ready: 4 sizes")

    request = at.session_state["curve_requested"][ds.sha256]
    assert request.reuse == config.key() and request.preset == "quick" and request.n_seeds == 2
    lc = study(ds, request.config).cached("curve")
    assert lc.sizes.tolist() == [94, 188, 375, 750]
    assert any(lc.conclusion() in m.value for m in at.markdown)

    scores, times = _figures(at)
    names = [t["name"] for t in scores["data"]]
    for fam in ("linear", "gbm"):
        label = family_label(fam)
        assert {label, f"{label} 95% band", f"{label} extrapolation"} <= set(names)
    assert scores["layout"]["xaxis"]["title"]["text"] == "Training rows (log scale)"
    assert scores["layout"]["xaxis"]["type"] == "log"
    assert scores["layout"]["yaxis"]["title"]["text"] == "Accuracy (higher is better)"
    assert [t["name"] for t in times["data"]] == [family_label("linear"), family_label("gbm")]
    assert times["layout"]["yaxis"]["title"]["text"] == "Training time per fit (seconds, log scale)"

    # what if: 1x reads the fit at the largest size; 10x is an extrapolation, said so
    metrics = {m.label: m.value for m in at.metric}
    now = lc.predict("gbm", 750).score
    assert metrics[family_label("gbm")] == f"{now:.1%}"
    at.select_slider(key="lc-what-if").set_value(10).run()
    metrics = {m.label: m.value for m in at.metric}
    assert metrics[f"{family_label('gbm')} · extrapolated"] == f"{lc.predict('gbm', 7500).score:.1%}"
    assert "Extrapolated" in at.warning[0].value and "7,500 rows" in at.warning[0].value
    scores = _figures(at)[0]
    assert any(s.get("x0") == 7500 for s in scores["layout"]["shapes"])  # the what-if size is marked

    at.button(key=RUN).click().run()  # same data and settings: from the cache
    assert len(count_fits) == 12 and any("From the cache" in c.value for c in at.caption)


def test_a_curve_that_did_not_finish_is_reported_not_restarted(count_fits):
    at = with_comparison(open_page(PAGE))
    ds, config, _ = planted()
    request = CurveRequest(config=config, preset="quick", n_seeds=2)
    at.session_state["curve_requested"] = {ds.sha256: request}
    at.session_state["curve_running"] = request.key(ds.sha256)  # as left by a stopped script run
    at.session_state["curve_progress"] = "3 of 12 fits"
    at.run()
    assert not at.exception and count_fits == []
    assert "stopped after 3 of 12 fits" in at.warning[0].value and not at.get("plotly_chart")


def test_page_stays_thin():
    source = (ROOT / "pages/3_Data_size.py").read_text()
    assert "import pandas" not in source and "dllab.engine.runner" not in source and "fit(" not in source
    assert len(source.splitlines()) < 80


# ---------------------------------------------------------------------------- pure helpers
def test_preset_sizes():
    assert preset_sizes("quick", 750) == [94, 188, 375, 750]
    assert preset_sizes("standard", 750) is None
    assert preset_sizes("dense", 1000) == [16, 25, 40, 63, 100, 160, 250, 400, 630, 1000]


def test_reusable_comparison_needs_same_splits_budget_and_families():
    cmp = RunConfig(budget="quick", n_folds=2, families=("linear", "gbm"))
    assert reusable_comparison(cmp, RunConfig(budget="quick", n_folds=2, families=("gbm",)))
    assert not reusable_comparison(cmp, RunConfig(budget="quick", n_folds=2))  # deep was not in it
    assert not reusable_comparison(cmp, RunConfig(budget="quick", n_folds=3, families=("gbm",)))
    assert not reusable_comparison(cmp, RunConfig(budget="quick", n_folds=2, seed=1, families=("gbm",)))


def test_what_if_table_reads_the_fit_and_flags_extrapolation():
    lc = _small_curve()
    t = what_if_table(lc, 10_000)
    assert t["family"].tolist() == ["linear", "gbm"] and t["extrapolated"].all()
    p = lc.predict("gbm", 10_000)
    row = t.set_index("family").loc["gbm"]
    assert (row.score, row.low, row.high) == pytest.approx((p.score, p.low, p.high))
    assert row.change == pytest.approx(p.score - lc.predict("gbm", 1000).score) and row.change > 0
    assert row.text == f"{p.score:.1%} [{p.low:.1%} to {p.high:.1%}]"
    assert not what_if_table(lc, 1000)["extrapolated"].any()


def test_curve_json_is_the_cli_document():
    lc = _small_curve()
    doc = json.loads(curve_json(lc))
    assert set(doc) == {"dataset", "config", "curve"} and doc["curve"]["sizes"] == [100, 250, 500, 1000]
    assert [m["name"] for m in doc["curve"]["models"]] == ["linear", "gbm"]
    assert doc["curve"]["crossover"]["statement"] == lc.crossover.statement
