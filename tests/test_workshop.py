"""Every workshop scenario end to end on its own (quick) budget: the verdict is the answer written down
beforehand (``Scenario.expected`` and ``Scenario.why``), and the summary carries its evidence: every trained
family on the rows that decide, which the lesson quotes. The words of the finding are tested on hand-made
summaries (no training)."""

from __future__ import annotations

import json

import pytest

from dllab import families
from dllab.apps import workshop
from dllab.analyses.verdict import RECOMMENDATIONS


@pytest.fixture(autouse=True)
def _caches_in_tmp(tmp_path, monkeypatch):
    monkeypatch.setenv("DLLAB_WORKSHOP_CACHE", str(tmp_path / "workshop"))
    monkeypatch.setenv("DLLAB_CACHE_DIR", str(tmp_path / "embeddings"))  # the text scenario's encoder cache


@pytest.mark.parametrize("scenario_id", [s.id for s in workshop.scenarios()])
def test_scenario_runs_end_to_end_and_reaches_the_expected_verdict(scenario_id):
    s = workshop.get(scenario_id)
    summary = workshop.run_scenario(s)
    v = summary["verdict"]
    assert v["recommendation"] in RECOMMENDATIONS
    assert v["recommendation"] == s.expected, (
        f"{s.id}: expected {s.expected} ({s.why}); got {v['recommendation']}: {v['reasons']}")
    assert summary["scenario"] == s.id and summary["cache_key"] == workshop.cache_key(s)
    assert summary["dataset"]["rows"] == s.max_rows and set(summary["scores"]) == set(s.config.families)
    assert v["family"] == s.expected_family
    ev = summary["evidence"]
    assert ev["rows"] and all(set(r["scores"]) == set(s.config.families) for r in ev["rows"])  # every family
    lesson = workshop.lesson_text(s, summary)
    assert lesson.startswith(workshop.finding(summary)) and lesson.endswith(s.lesson) and workshop.finding(summary)
    if s.analysis == "subgroups":
        assert ev["slice"] and ev["slice"] in lesson  # the slice of this run, not one written beforehand
    fig = summary["figure"]
    assert fig["data"] and fig["layout"]["title"]["text"]
    json.dumps(summary, allow_nan=False)  # JSON-ready, as the disk cache needs
    pages = {r["evidence_page"] for r in v["reason_details"]}
    if s.analysis in ("subgroups", "shift"):
        assert "Subgroups" in pages  # the lesson's evidence is cited
    if s.analysis == "shift":
        assert any(r.startswith("trained without region") for r in v["reasons"])
    if s.analysis == "curve":
        assert "Data size" in pages
    if s.needs.explain_each_decision:
        assert any(r["kind"] == "requirement" for r in v["reason_details"])


# ---------------------------------------------------------------------------- the finding in words (no training)
def _summary(evidence, family="gbm", recommendation="gbm"):
    return {"evidence": evidence, "verdict": {"family": family, "recommendation": recommendation}}


def _cell(v, lo=None, hi=None):
    return {"score": v, "low": lo, "high": hi}


def test_the_subgroup_finding_quotes_the_slice_and_every_family():
    ev = {"kind": "subgroups", "metric": "accuracy", "focus": "linear", "slice": "region = North and age < 26",
          "slices_checked": 214,
          "rows": [{"label": "All rows (n = 2,000)", "n": 2000,
                    "scores": {"linear": _cell(0.737), "gbm": _cell(0.728)}},
                   {"label": "region = North and age < 26 (n = 146)", "n": 146,
                    "scores": {"linear": _cell(0.432), "gbm": _cell(0.719)}}]}
    text = workshop.finding(_summary(ev))
    assert text == ("On rows with region = North and age < 26 (n = 146), the linear model's accuracy is 43.2% "
                    "against 73.7% on all rows; boosting scores 71.9% there (72.8% on all rows).")
    s = workshop.get("hidden_subgroup")
    assert workshop.lesson_text(s, _summary(ev)) == f"{text} {s.lesson}"
    ev["slice"], ev["rows"] = None, ev["rows"][:1]
    assert workshop.finding(_summary(ev)).startswith("No slice of the 214 checked is significantly worse")


def test_the_curve_shift_and_explain_findings_carry_their_numbers():
    curve = {"kind": "curve", "metric": "rmse",
             "rows": [{"label": "250 training rows", "n": 250, "scores": {"gbm": _cell(0.41), "deep": _cell(0.45)}},
                      {"label": "6,667 training rows", "n": 6667, "scores": {"gbm": _cell(0.3), "deep": _cell(0.25)}}]}
    assert workshop.finding(_summary(curve)) == ("RMSE (lower is better) at 250 training rows: boosting 0.41, the "
                                                 "deep net 0.45; at 6,667 rows: boosting 0.3, the deep net 0.25.")
    shift = {"kind": "shift", "metric": "accuracy", "group": "region = North", "size": 682,
             "rows": [{"label": "Random split", "scores": {"linear": _cell(0.758), "gbm": _cell(0.752)}},
                      {"label": "Held out", "scores": {"linear": _cell(0.68), "gbm": _cell(0.686)}}]}
    assert workshop.finding(_summary(shift)) == (
        "Trained without region = North and tested on it (n = 682), against a random split of the same size: the "
        "linear model scores 68.0% against 75.8%; boosting scores 68.6% against 75.2%.")
    explain = {"kind": "explain", "metric": "accuracy", "splits": 3, "simple": "linear", "best": "gbm",
               "gap": 0.005, "large_gap": 0.03, "large_gap_factor": 3.0, "fit_seconds": {"linear": 0.89, "gbm": 0.36},
               "rows": [{"label": "All rows", "scores": {"linear": _cell(0.853), "gbm": _cell(0.858)}}]}
    text = workshop.finding(_summary(explain))
    assert text.startswith("Mean accuracy over 3 splits: the linear model 85.3% (0.89 s per fit), boosting 85.8%")
    assert "Boosting is 0.5 points ahead of the linear model: below the 3.0 points" in text
    explain["gap"] = 0.04
    assert "at least the 3.0 points that outweighs" in workshop.finding(_summary(explain))
    assert workshop.finding({"verdict": {}}) == ""


def test_lessons_hold_no_numbers_of_a_run_and_guesses_are_the_trained_families():
    for s in workshop.scenarios():
        assert not any(ch.isdigit() for ch in s.lesson), s.id  # the numbers come from the finding
        assert s.brief and len(s.brief) < 80 and "\n" not in s.brief
        assert s.choices == tuple(families.ordered(s.config.families))
        assert s.expected_family in s.choices and families.get(s.expected_family).recommends_as == s.expected
    assert "deep" not in workshop.get("hidden_subgroup").choices
    text = [s for s in workshop.scenarios() if s.id == "text"]
    assert all(s.expected_family == "transfer" for s in text)  # pretraining, not depth: the encoder is the answer


def test_a_guess_is_right_only_for_the_recommended_family():
    summary = {"verdict": {"family": "transfer", "recommendation": "deep"}}
    assert workshop.guess_was_right("transfer", summary) and not workshop.guess_was_right("deep", summary)
    assert workshop.answer_label(summary) == families.label("transfer")
    undecided = {"verdict": {"family": None, "recommendation": "undecided"}}
    assert not workshop.guess_was_right("linear", undecided)
    assert workshop.answer_label(undecided) == workshop.UNDECIDED


def test_a_scenario_plans_every_fit_it_makes():
    s = workshop.get("population_shift")
    plan = s.plan()
    k = s.config.resolved_folds
    assert len(plan) == len(s.config.families) * (k + 2 * workshop.SHIFT_GROUPS)
    assert {f for f, _ in plan} == set(s.config.families)
    curve = workshop.get("smooth_big").plan()
    assert sorted({n for _, n in curve})[:3] == [float(n) for n in workshop.CURVE_SIZES]
