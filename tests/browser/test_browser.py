"""The app in a real browser: load a built-in, run a quick comparison, see the results."""

from __future__ import annotations

import os
from pathlib import Path

from playwright.sync_api import expect

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'


def _screenshot(page):
    # Streamlit scrolls inside its main block, so a full-page shot needs a tall viewport.
    ARTIFACTS.mkdir(exist_ok=True)
    page.set_viewport_size({"width": 1440, "height": 2600})
    page.wait_for_timeout(1500)  # charts re-layout to the new size
    page.screenshot(path=str(ARTIFACTS / "compare.png"))
    if os.environ.get("DLLAB_UPDATE_DOCS_SCREENSHOT") == "1":  # the README's picture: settings to charts
        page.screenshot(path=str(ARTIFACTS.parent / "docs" / "compare.png"),
                        clip={"x": 0, "y": 0, "width": 1440, "height": 1960})


def _open(page, url):
    page.goto(url)
    page.wait_for_selector(IDLE)


def test_load_builtin_run_quick_comparison_and_see_results(server, page, browser):
    _open(page, server)
    expect(page.get_by_test_id("stMain").get_by_role("heading", name="DL Decision Lab")).to_be_visible()
    # Home -> a built-in card's Load button -> the Data page with the dataset loaded.
    page.get_by_test_id("stTab").filter(has_text="Real data").click()
    page.locator(".st-key-load-wine").get_by_role("button", name="Load").click()  # keyed: class st-key-<key>
    expect(page.get_by_test_id("stMain").get_by_role("heading", name="Data", exact=True)).to_be_visible()
    expect(page.get_by_test_id("stMetric").filter(has_text="Rows used")).to_contain_text("178")

    page.get_by_test_id("stSidebar").get_by_test_id("stPageLink").filter(has_text="Compare").click()
    expect(page.get_by_role("button", name="Run comparison")).to_be_visible(timeout=60_000)  # first torch import
    page.wait_for_selector(IDLE)
    page.get_by_role("radiogroup", name="Budget").get_by_role("radio", name="quick").click()
    folds = page.get_by_role("spinbutton", name="Folds (k)")
    folds.fill("2")
    folds.press("Tab")
    page.get_by_role("button", name="Run comparison").click()

    expect(page.get_by_text("Is the difference real?")).to_be_visible(timeout=240_000)
    page.wait_for_selector(IDLE)
    table = page.get_by_test_id("stDataFrame").first
    expect(table).to_be_visible()
    for label in ("Linear model", "Gradient boosting (XGBoost)", "Deep network"):
        expect(table).to_contain_text(label)
    page.wait_for_selector('[data-testid="stPlotlyChart"] .main-svg')
    title = page.locator('[data-testid="stPlotlyChart"] .gtitle').first.text_content()
    assert title.startswith("Mean Accuracy over 2 splits")
    expect(page.get_by_test_id("stMetric").filter(has_text="Device used")).to_contain_text("cpu")
    expect(page.get_by_test_id("stException")).to_have_count(0)
    with page.expect_download() as download:
        page.get_by_role("button", name="Results as JSON").click()
    assert download.value.suggested_filename.endswith(".json")
    _screenshot(page)

    # Another browser session on the same server sees neither the data nor the results.
    other = browser.new_context().new_page()
    _open(other, f"{server}/Compare")
    expect(other.get_by_text("No dataset is loaded yet")).to_be_visible()
    other.context.close()


def test_deep_link_opens_data_page_with_sidebar(server, page):
    _open(page, f"{server}/Data")
    expect(page.get_by_test_id("stMain").get_by_role("heading", name="Data", exact=True)).to_be_visible()
    expect(page.get_by_test_id("stPageLink")).to_have_count(3)
    expect(page.get_by_test_id("stSidebarNavLink")).to_have_count(0)
    expect(page.get_by_test_id("stFileUploaderDropzone")).to_be_visible()
