"""The single-file HTML report and the combined JSON document."""

import json
import re

import numpy as np
import pandas as pd
import pytest

from dllab.config import RunConfig
from dllab.analyses.curves import LearningCurve
from dllab.datasets.dataset import Dataset
from dllab.analyses.explain import explain
from dllab.present.report import html_report, report_json, reproduce_command
from dllab.engine.runner import compare
from dllab.analyses.subgroups import subgroup_report
from dllab.analyses.verdict import Needs, verdict
from image_runs import digits_run

EVIL = "<script>alert(1)</script>"


@pytest.fixture(scope="module")
def analyses():
    rng = np.random.default_rng(0)
    n = 240
    df = pd.DataFrame({EVIL: rng.normal(size=n), "x2": rng.normal(size=n),
                       "colour": rng.choice(["red", "green", "blue"], n)})
    logit = 1.5 * df[EVIL] - df.x2 + (df.colour == "red") * 1.0
    df["target"] = np.where(rng.random(n) < 1 / (1 + np.exp(-logit)), "yes", "no")
    ds = Dataset(frame=df, target="target", task="binary", name="evil<b>&name.csv", source="evil<b>&name.csv",
                 roles={EVIL: "numeric", "x2": "numeric", "colour": "categorical"}, notices=("sampled <i>nothing</i>",))
    config = RunConfig(budget="quick", n_folds=3, families=("linear", "gbm"), seed=7)
    cmp = compare(ds, config=config)
    sizes = [50, 100, 160]
    curve = LearningCurve(sizes, {"linear": np.array([[.70, .71], [.74, .75], [.76, .77]]),
                                  "gbm": np.array([[.66, .67], [.72, .73], [.76, .76]])},
                          metric="accuracy", n_boot=20)
    sub = subgroup_report(cmp, ds, n_boot=20)
    ex = explain(cmp, ds, max_rows=40, background=20, n_boot=20)
    v = verdict(cmp, curve=curve, subgroups=sub, explanation=ex, dataset=ds, needs=Needs(explain_each_decision=True))
    return dict(dataset=ds, config=config, comparison=cmp, verdict=v, curve=curve, subgroups=sub, explanation=ex)


@pytest.fixture(scope="module")
def page(analyses):
    return html_report(**analyses)


def test_self_contained_no_network_sources(page):
    assert page.startswith("<!DOCTYPE html>")
    for tag in re.findall(r"<(?:script|link|img|iframe)\b[^>]*>", page):
        assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", tag), tag
    # Apart from the plotly.js bundle itself (whose code holds URLs it never fetches for these charts),
    # nothing on the page names a network location: no CDN, no web font, no @import.
    scripts = re.findall(r"<script\b[^>]*>.*?</script>", page, flags=re.S)
    bundle = [s for s in scripts if re.search(r"plotly\.js v\d", s)]
    assert len(bundle) == 1
    rest = page.replace(bundle[0], "")
    assert not re.search(r"https?://|@import|cdn\.plot\.ly|fonts\.googleapis", rest)


def test_plotly_js_is_inline_exactly_once(page):
    assert len(re.findall(r"plotly\.js v\d+\.\d+\.\d+", page)) == 1
    assert page.count('class="figure"') >= 5  # comparison, cost, splits, curve, fit time, subgroups, explain


def test_verdict_first_with_its_reasons(page, analyses):
    v = analyses["verdict"]
    verdict_at = page.index('id="verdict"')
    assert verdict_at < page.index('id="compare"') < page.index('id="data-size"') < page.index('id="subgroups"') \
        < page.index('id="explain"')
    import html

    for reason in v.statements():
        assert html.escape(reason) in page
    assert html.escape(v.headline) in page


def test_user_strings_are_escaped(page):
    assert EVIL not in page and "<b>&name" not in page and "<i>nothing" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "evil&lt;b&gt;&amp;name.csv" in page
    assert "sampled &lt;i&gt;nothing&lt;/i&gt;" in page


def test_config_versions_and_reproduce_command(page, analyses):
    for key in ("python", "dllab", "torch", "xgboost", "scikit-learn", "shap", "streamlit", "plotly"):
        assert f"<th>{key}</th>" in page
    assert "<th>seed</th><td>7</td>" in page
    cmd = reproduce_command(analyses["dataset"], analyses["config"])
    assert cmd.startswith("python -m dllab report 'evil<b>&name.csv' --target target --task binary --budget quick "
                          "--seed 7")
    assert "--families linear,gbm" in cmd


def test_embedded_json_matches_report_json(page, analyses):
    m = re.search(r'<script type="application/json" id="dllab-report-json">(.*?)</script>', page, re.S)
    embedded = json.loads(m.group(1))
    assert embedded == report_json(**analyses)


def test_report_json_round_trips_with_every_key(analyses):
    doc = report_json(**analyses)
    text = json.dumps(doc, allow_nan=False)
    assert json.loads(text) == doc
    assert set(doc) >= {"dataset", "config", "metric", "models", "curve", "subgroups", "explanations", "verdict"}
    assert doc["dataset"]["name"] == "evil<b>&name.csv" and doc["config"]["seed"] == 7
    assert [m["name"] for m in doc["models"]] == ["linear", "gbm"]
    assert doc["verdict"]["recommendation"] in ("linear", "gbm", "deep", "undecided")
    assert doc["verdict"]["reasons"] == analyses["verdict"].statements()


def test_only_the_analyses_given_appear(analyses):
    a = {k: analyses[k] for k in ("dataset", "config", "comparison")}
    doc = report_json(**a)
    assert not {"curve", "subgroups", "explanations", "verdict"} & set(doc)
    page = html_report(**a)  # the verdict is computed with default needs
    assert 'id="verdict"' in page and 'id="data-size"' not in page and 'id="explain"' not in page
    assert len(re.findall(r"plotly\.js v\d+\.\d+\.\d+", page)) == 1


def test_image_data_report_shows_one_images_pixel_maps(page):
    ds, config, cmp = digits_run()
    ex = explain(cmp, ds, max_rows=10, background=20, n_boot=10, n_permutations=2)
    html = html_report(dataset=ds, config=config, comparison=cmp, explanation=ex)
    assert html.count("Which pixels mattered, for one image") == 1
    assert f"Which pixels mattered: {ex.row_name(int(ex.local_rows[0]))}, each model's predicted class" in html
    # the image, and one map per model on the shared colour axis
    assert html.count('"name":"image"') == 1 and html.count('"coloraxis":"coloraxis"') == len(ex.families)
    assert "Which pixels mattered" not in page  # tabular data: no pixel maps
