"""The Verdict page through AppTest (opened directly), and its helpers in dllab.ui.verdict."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from apptools import ROOT, kept, margin_comparison, open_page, session_study, with_kept, with_study

from dllab.config import RunConfig
from dllab.datasets import Dataset
from dllab.ui.cache import studies_of, study
from dllab.ui.verdict import find_analyses, needs_from, report_html, report_json_bytes
from dllab.analyses.verdict import verdict

PAGE = "Verdict"
CONFIG = RunConfig(budget="quick", n_folds=5, families=("linear", "gbm"))


@pytest.fixture(scope="module")
def margin():
    """A dataset and a hand-made comparison where XGBoost beats the linear model by 2 points, significantly."""
    cmp = margin_comparison(2)
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"a": rng.normal(size=len(cmp.y)), "b": rng.normal(size=len(cmp.y)), "target": cmp.y})
    ds = Dataset(frame=frame, target="target", task="binary", name="margin", roles={"a": "numeric", "b": "numeric"})
    return ds, cmp


def _with_margin(at, margin):
    ds, cmp = margin
    return with_study(at, ds, CONFIG, cmp)


def _headline(at):
    return at.header[0].value


def test_without_data_the_page_says_what_to_do():
    at = open_page(PAGE)
    assert not at.exception and not at.error
    assert at.title[0].value == "Verdict" and "No dataset" in at.info[0].value


def test_recommendation_first_with_reasons_linking_to_evidence(margin):
    at = _with_margin(open_page(PAGE), margin).run()
    assert not at.exception and not at.error
    assert _headline(at) == "Use gradient boosting (XGBoost) (confidence: high). Deep learning: not part of this run."
    assert [m.value for m in at.metric][:3] == ["Gradient boosting", "High", "Not run"]
    # the lab's question first (here: the deep net was not run), then why, then why this confidence
    assert any(m.value.startswith("1. The deep net was not part of this run (2 families") for m in at.markdown)
    assert any(m.value.startswith("2. Boosting is 2.0 points better than the linear model") for m in at.markdown)
    assert [h.value for h in at.subheader][:3] == ["Deep learning here?", "Why this recommendation",
                                                   "Why this confidence"]
    links = [(link.proto.label, link.proto.page) for link in at.main.get("page_link")]
    assert links[0] == ("Compare", "Compare")  # the reason's evidence page
    # The optional analyses are missing: named, with a link to each page.
    assert {"Go to Data size", "Go to Subgroups", "Go to Explain"} <= {label for label, _ in links}
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels == ["Report (HTML)", "Report (JSON)"]


def test_needs_change_the_verdict_without_retraining(margin, count_fits):
    at = _with_margin(open_page(PAGE), margin).run()
    at.checkbox(key="vd-explain").check().run()
    assert not at.exception
    assert _headline(at) == "Use a linear model (confidence: high). Deep learning: not part of this run."
    assert any("a regulator must see each decision" in m.value.lower() for m in at.markdown)
    at.checkbox(key="vd-explain").uncheck().run()
    assert _headline(at).startswith("Use gradient boosting")
    at.number_input(key="vd-difference").set_value(5.0).run()  # 5 points: the 2-point win no longer matters
    assert _headline(at).startswith("Use a linear model (confidence: high)")
    at.number_input(key="vd-difference").set_value(None).run()
    at.number_input(key="vd-seconds").set_value(0.5).run()  # XGBoost (0.8 s per fit) is too slow
    assert _headline(at).startswith("Use a linear model")
    assert count_fits == []


def test_uses_an_explanation_in_the_store():
    ds, config, cmp = kept()
    at = with_kept(open_page(PAGE)).run()
    assert any(m.value.startswith("- **Explain**") for m in at.markdown)
    study(ds, config).explanation(max_rows=100, n_boot=20)
    at.run()
    assert not at.exception
    assert not any(m.value.startswith("- **Explain**") for m in at.markdown)
    assert any("explanation" in c.value for c in at.caption if c.value.startswith("Used:"))


def test_page_stays_thin():
    source = (ROOT / "pages/6_Verdict.py").read_text()
    assert "import pandas" not in source and "dllab.engine.runner" not in source and len(source.splitlines()) < 80


# ---------------------------------------------------------------------------- helpers
class _Stored:
    """What find_analyses reads of a stored Study: its config and its latest analyses."""

    def __init__(self, config, **found):
        self.config, self.found = config, found

    def analyses(self):
        return {name: self.found.get(name) for name in ("curve", "subgroups", "explanation")}

    def cached(self, name):
        return self.found.get(name)


def test_find_analyses_matches_data_and_settings():
    other = RunConfig(budget="quick", n_folds=2)
    own = _Stored(CONFIG, explanation="ex")
    studies = [own, _Stored(other, explanation="other settings", curve="curve of other settings")]
    found = find_analyses(studies, CONFIG)
    assert found == {"curve": "curve of other settings", "subgroups": None, "explanation": "ex"}
    own.found["curve"] = "same settings"
    studies.append(_Stored(other, curve="newer, other settings"))
    assert find_analyses(studies, CONFIG)["curve"] == "same settings"


def test_studies_are_stored_per_data_and_settings():
    ds, config, cmp = kept()
    s = study(ds, config).adopt(cmp)
    assert study(ds, config) is s and study(ds, RunConfig(budget="quick", n_folds=2)) is not s
    assert s in studies_of(ds.sha256) and s not in studies_of("other-data")


def test_needs_from_widgets():
    n = needs_from("accuracy", explain_each_decision=True, min_difference=2.0, max_fit_seconds=None)
    assert n.explain_each_decision and n.min_difference == pytest.approx(0.02) and n.max_fit_seconds is None
    assert needs_from("rmse", explain_each_decision=False, min_difference=0.5, max_fit_seconds=0).min_difference == 0.5


def test_report_bytes_are_self_contained_and_carry_the_verdict(margin):
    ds, cmp = margin
    v = verdict(cmp, dataset=ds)
    html = report_html(ds, CONFIG, cmp, v, {"curve": None, "subgroups": None, "explanation": None}).decode()
    assert html.lstrip().lower().startswith("<!doctype html") and v.headline in html
    assert "Plotly.newPlot" in html and 'src="http' not in html  # plotly.js inline, nothing fetched
    doc = json.loads(report_json_bytes(ds, CONFIG, cmp, v, {"curve": None, "subgroups": None, "explanation": None}))
    assert doc["verdict"]["recommendation"] == "gbm" and doc["verdict"]["reasons"] == v.statements()


def test_decide_it_runs_the_next_run_and_keeps_every_fit(margin, monkeypatch):
    # A verdict the evidence cannot settle offers one button; it trains only the new repeats of the
    # families in question, and the page then reads the longer run.
    import dataclasses

    import dllab.ui.verdict as page_module
    from dllab.analyses.verdict import next_run

    real = page_module.verdict

    def thin(cmp, **kw):  # as if the evidence were too weak, on the real comparison
        v = real(cmp, **kw)
        run = next_run(cmp, ["linear", "gbm"], metric=cmp.metric)
        return dataclasses.replace(v, recommendation="undecided", family=None, next_run=run)

    monkeypatch.setattr(page_module, "verdict", thin)
    ds, cmp = margin
    at = _with_margin(open_page(PAGE), margin)
    at.run(timeout=120)
    assert not at.exception
    assert _headline(at).startswith("Undecided (confidence: high): to decide, run 5 folds x 2 repeats of the linear "
                                    "model and boosting (10 more fits")
    assert any("The evidence is too thin to settle this" in m.value for m in at.markdown)
    at.button(key="vd-decide").click().run(timeout=180)
    assert not at.exception and not at.error
    c = session_study(at, ds, CONFIG).cached("comparison")
    assert len(c.splits) == 10, "the longer run is the Study's comparison"
    # the first repeat is the hand-made comparison's, untouched; the second was trained for both families
    assert np.array_equal(c.split_scores("gbm")[:5], cmp.split_scores("gbm"), equal_nan=True)
    assert np.isfinite(c.split_scores("gbm")[5:]).all() and np.isfinite(c.split_scores("linear")[5:]).all()

