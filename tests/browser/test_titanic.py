"""Titanic, as a new analyst brings it, through every page in a real browser.

Upload ``titanic.csv``: the form suggests ``Survived`` and shows every column's role with its reason before
anything is loaded; Load; a quick comparison (3 folds); a small data-size curve; Subgroups; Explain; Verdict
(3 splits are the fewest its paired test reads). About a minute.
No page may show an error box or a traceback.

Each page is also photographed into ``artifacts/``; with ``DLLAB_UPDATE_DOCS_SCREENSHOTS=1`` the pictures go
to ``docs/`` too (the README's "In the browser" section shows them).
"""

from __future__ import annotations

from playwright.sync_api import expect
from steps import IDLE, choose_file, clean, go, new_page, quick_settings, shot, titanic


def test_titanic_from_upload_to_verdict(server, browser, tmp_path):
    context, page = new_page(browser, accept_downloads=True)
    try:
        page.goto(server)
        page.wait_for_selector(IDLE)
        expect(page.get_by_test_id("stMain").get_by_role("heading", name="DL Decision Lab")).to_be_visible()
        clean(page)
        shot(page, "home", max_height=1500)

        # Data: the form, before anything is loaded.
        go(page, "Data")
        choose_file(page, titanic(tmp_path), suggested="Survived")
        expect(page.get_by_text("Suggested: Named like a target", exact=False)).to_be_visible()
        roles = page.locator("[class*='st-key-roles-']").get_by_test_id("stDataFrame")  # the column table
        expect(roles).to_be_visible()
        expect(page.get_by_text("Nothing is loaded or trained yet", exact=False)).to_be_visible()
        clean(page)
        shot(page, "data", max_height=2000)
        page.get_by_role("button", name="Load", exact=True).click()
        expect(page.get_by_test_id("stMetric").filter(has_text="Rows used")).to_contain_text("891")
        expect(page.get_by_test_id("stMetric").filter(has_text="Target")).to_contain_text("Survived")
        clean(page)

        # Compare: quick (3 folds: the fewest the verdict's paired test reads), the default families.
        go(page, "Compare")
        quick_settings(page)
        page.get_by_role("button", name="Run comparison").click()
        expect(page.get_by_text("Is the difference real?")).to_be_visible(timeout=180_000)
        expect(page.get_by_text("Results for: titanic.csv · 891 rows · target Survived (binary) · budget quick"
                                " · 3 folds", exact=False)).to_be_visible()
        clean(page)
        shot(page, "compare", max_height=2300)

        # Data size: quick sizes, one subsample each; the largest size reuses the comparison's fits.
        go(page, "Data size")
        page.wait_for_selector(IDLE)
        page.get_by_role("radiogroup", name="Sizes").get_by_role("radio", name="Quick: 4 sizes").click()
        seeds = page.get_by_role("spinbutton", name="Subsamples per size")
        seeds.fill("1")
        seeds.press("Tab")
        page.get_by_role("button", name="Run data-size curve").click()
        expect(page.get_by_text("What if I had more data?")).to_be_visible(timeout=180_000)
        clean(page)
        shot(page, "datasize", max_height=2000)

        # Subgroups reads the comparison: nothing is retrained.
        go(page, "Subgroups")
        expect(page.get_by_role("heading", name="Findings")).to_be_visible(timeout=120_000)
        clean(page)
        shot(page, "subgroups", max_height=2400)

        go(page, "Explain")
        expect(page.get_by_role("heading", name="What each model relies on")).to_be_visible(timeout=120_000)
        expect(page.get_by_role("heading", name="One row, explained by every model")).to_be_visible(timeout=60_000)
        clean(page)
        shot(page, "explain", max_height=2400)

        go(page, "Verdict")
        headline = page.get_by_test_id("stHeading").filter(has_text="confidence:").first
        expect(headline).to_be_visible(timeout=60_000)
        assert headline.text_content().startswith(("Use ", "Undecided")), headline.text_content()
        expect(page.get_by_text("p = ", exact=False).first).to_be_visible()  # a paired test was read
        expect(page.get_by_text("Verdict for: titanic.csv", exact=False)).to_be_visible()
        clean(page)
        shot(page, "verdict", max_height=1800)
    finally:
        context.close()
