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
from dllab.ui.curves import (CurveRequest, curve_json, pair_table, preset_sizes, reusable_comparison,
                             settings_caption, what_if_table)

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
    ds, config, cmp = planted()
    count_fits.clear()  # the comparison's own fits, if it was made just now
    at = with_comparison(open_page(PAGE)).run()
    assert at.multiselect(key="curve-families").value == ["linear", "gbm"]  # from the comparison's settings
    captions = " ".join(c.value for c in at.caption)
    assert "the largest size is Compare's own result (its fits are reused, so its numbers are Compare's)" in captions
    assert "on each of Compare's 2 splits" in captions and "about 12 fits" in captions
    assert "press **Run data-size curve**" in at.info[0].value
    at.button_group(key="curve-sizes").set_value("quick")
    at.selectbox(key="curve-time").set_value(None)
    at.button(key=RUN).click().run()
    assert not at.exception and not at.error
    # 3 sizes x 1 subsample x 2 splits x 2 families; the 750-row point is the comparison's fits
    assert len(count_fits) == 12
    assert at.status[0].state == "complete" and at.status[0].label.startswith("Curve ready: 4 sizes")

    request = at.session_state["curve_requested"][ds.sha256]
    assert request.reuse == config.key() and request.preset == "quick" and request.n_seeds == 1
    assert request.splits == "all" and request.folds is None
    lc = study(ds, request.config).cached("curve")
    assert lc.sizes.tolist() == [94, 188, 375, 750] and lc.design["matches_comparison"]
    # the largest size is Compare's: the same means, and the page says so
    for fam in cmp.families:
        assert lc.band(fam)["mean"].iloc[-1] == pytest.approx(cmp.overall.loc[fam, "mean"])
    text = " ".join(m.value for m in at.markdown)
    assert "**How these numbers relate to Compare**" in text
    assert "The largest size, 750 rows, is Compare's setting: its scores are Compare's own fits" in text
    parts = lc.conclusion_parts()
    assert "**Measured** · " + " ".join(parts["measured"]) in text
    assert "**Beyond the data** · " + " ".join(parts["extrapolated"]) in text
    assert all(p.startswith("Extrapolated from the fitted curves (not measured)") for p in parts["extrapolated"])
    _plain_words(text)

    scores, times = _figures(at)
    assert scores["layout"]["legend"]["orientation"] == "h" and scores["layout"]["legend"]["y"] <= 0
    assert not [s for s in scores["layout"].get("shapes", []) if s["type"] == "line"]  # no deep net: no crossover
    names = [t["name"] for t in scores["data"]]
    for fam in ("linear", "gbm"):
        label = family_label(fam)
        assert {label, f"{label} 95% band", f"{label} extrapolation"} <= set(names)
    assert scores["layout"]["xaxis"]["title"]["text"] == "Training rows (log scale)"
    assert scores["layout"]["xaxis"]["type"] == "log"
    assert scores["layout"]["xaxis"]["ticktext"] == ["100", "200", "500", "1k", "2k", "5k"]
    assert scores["layout"]["yaxis"]["title"]["text"] == "Accuracy (higher is better)"
    assert [t["name"] for t in times["data"]] == [family_label("linear"), family_label("gbm")]
    assert times["layout"]["yaxis"]["title"]["text"] == "Training time per fit (seconds, log scale)"

    # what if: 1x shows the measured scores at the largest size (Compare's); 10x is an extrapolation, said so
    metrics = {m.label: m.value for m in at.metric}
    assert metrics[family_label("gbm")] == f"{cmp.overall.loc['gbm', 'mean']:.1%}"
    assert any("Compare's own fits" in m.value for m in at.markdown)
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
    assert t["family"].tolist() == ["linear", "gbm"] and t["extrapolated"].all() and not t["measured"].any()
    p = lc.predict("gbm", 10_000)
    row = t.set_index("family").loc["gbm"]
    assert (row.score, row.low, row.high) == pytest.approx((p.score, p.low, p.high))
    assert row.change == pytest.approx(p.score - lc.predict("gbm", 1000).score) and row.change > 0
    assert row.text == f"{p.score:.1%} ({p.low:.1%} to {p.high:.1%})"
    now = what_if_table(lc, 1000).set_index("family")
    assert not now["extrapolated"].any() and now["measured"].all()  # an observed size: the measured scores
    assert now.loc["gbm", "score"] == pytest.approx(lc.band("gbm")["mean"].iloc[-1]) and now.loc["gbm", "change"] == 0


def test_curve_json_is_the_cli_document():
    lc = _small_curve()
    doc = json.loads(curve_json(lc))
    assert set(doc) == {"dataset", "config", "curve"} and doc["curve"]["sizes"] == [100, 250, 500, 1000]
    assert [m["name"] for m in doc["curve"]["models"]] == ["linear", "gbm"]
    assert doc["curve"]["crossover"]["statement"] == lc.crossover.statement


def _plain_words(text: str) -> None:
    """No code syntax, Python reprs or raw column names in what the page shows."""
    for bad in ("None", "True", "False", "nan", "{", "}", "ci_low", "q_value", "p_value", "_", "--"):
        assert bad not in text.replace("**", ""), bad


def _noisy_curve():
    # The deep net's mean is 1 point behind XGBoost at 100 rows and 1 point ahead at 2,500, within noise.
    n = np.array([100, 250, 500, 1000, 2500])
    rng = np.random.default_rng(0)
    e = rng.normal(size=(2, 5, 3))
    e -= e.mean(axis=2, keepdims=True)
    base = (0.80 + 0.01 * np.log10(n))[:, None]
    scores = {"gbm": base + 0.002 * e[0], "deep": base + np.linspace(-0.01, 0.01, 5)[:, None] + 0.03 * e[1]}
    return LearningCurve(n, scores, metric="accuracy", n_boot=30, dataset={"name": "toy"},
                         config={"budget": "quick"})


def test_a_noisy_curve_shows_no_crossover_and_says_within_noise():
    from streamlit.testing.v1 import AppTest

    def script():
        from test_curve_page import _noisy_curve  # tests/app is on sys.path (conftest.py)

        from dllab.ui.curves import show_curve

        show_curve(_noisy_curve())

    at = AppTest.from_function(script, default_timeout=60).run()
    assert not at.exception and not at.error
    text = " ".join(m.value for m in at.markdown)
    assert ("The deep net and XGBoost are within noise of each other at every size, from 100 to 2,500 rows"
            in text) and "overtakes" not in text
    _plain_words(text)
    scores = _figures(at)[0]
    assert not [s for s in scores["layout"].get("shapes", []) if s["type"] == "line"]
    assert not any("crossover" in a.get("text", "") for a in scores["layout"]["annotations"])
    (table,) = [d for d in at.dataframe if "Standing" in d.value.columns]
    assert list(table.value.columns) == ["Training rows", "Gap", "95% CI", "p", "Corrected p", "Standing"]
    assert set(table.value["Standing"]) == {"within noise"}


def test_pair_table_and_settings_caption():
    lc = _noisy_curve()
    t = pair_table(lc)
    f = lc.findings()
    assert t["Training rows"].tolist() == ["100", "250", "500", "1,000", "2,500"]
    assert t["Gap"].iloc[0] == f"{f.sizes[0].gain * 100:+.1f} points" and t["p"].iloc[-1] == f.sizes[-1].p_value
    assert pair_table(_small_curve()) is None  # no deep net: no pair
    ds, config, _ = planted()
    first = CurveRequest(config=config, preset="quick", splits="first", reuse=config.key())
    assert settings_caption(ds, first) == ("Up to 750 training rows, on the first of Compare's 2 splits, scored on "
                                           "its 750 held-out rows · about 6 fits · the largest size reuses "
                                           "Compare's fits on that split, so its numbers differ from Compare's.")
    assert first.folds == 1 and first.key("d") != CurveRequest(config=config, preset="quick").key("d")
