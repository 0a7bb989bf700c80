"""Every workshop scenario end to end on its own (quick) budget: the verdict is the answer written down
beforehand (``Scenario.expected`` and ``Scenario.why``), and the summary carries its evidence."""

from __future__ import annotations

import json

import pytest

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
