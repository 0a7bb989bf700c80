"""The sidebar's Compute setting in a real browser: choose Local cluster, run a quick comparison on it, and see
the leaderboard and where it trained ("Running on the local cluster: 2 workers")."""

from __future__ import annotations

import re

from playwright.sync_api import expect
from steps import IDLE, clean, go, load_builtin, new_page, quick_settings, shot


def test_a_quick_comparison_on_a_local_cluster(server, browser):
    context, page = new_page(browser)
    try:
        page.goto(server)
        page.wait_for_selector(IDLE)
        load_builtin(page, "penguins")
        expect(page.get_by_test_id("stMain").get_by_role("heading", name="Data", exact=True)).to_be_visible()

        sidebar = page.get_by_test_id("stSidebar")
        sidebar.get_by_text("Local cluster", exact=True).click()
        workers = sidebar.get_by_role("spinbutton", name="Worker processes")
        expect(workers).to_be_visible()
        workers.fill("2")
        workers.press("Tab")
        # Starting the workers (each imports torch and XGBoost) takes seconds; the sidebar then says what it has.
        expect(sidebar.get_by_test_id("stCaptionContainer").filter(has_text="2 workers")).to_contain_text(
            "2 workers · 2 threads", timeout=90_000)
        dashboard = re.compile(r"^http://127\.0\.0\.1:\d+/status$")  # the LocalCluster's, on this server
        expect(sidebar.get_by_role("link", name="dashboard")).to_have_attribute("href", dashboard)
        clean(page)

        go(page, "Compare")
        quick_settings(page, folds=2)
        page.get_by_role("button", name="Run comparison").click()
        expect(page.get_by_role("heading", name="Leaderboard")).to_be_visible(timeout=240_000)
        clean(page)
        status = page.get_by_test_id("stExpander").filter(has_text="Trained")
        status.locator("summary").click()  # the status box folds when done; open it to see where it trained
        expect(status).to_contain_text("Running on the local cluster: 2 workers · 2 threads")
        expect(page.get_by_test_id("stDataFrame").first).to_be_visible()
        # the setting, its caption and the run's status box are all above the fold of the picture
        shot(page, "compute-local-cluster", max_height=1400)
    finally:
        context.close()
