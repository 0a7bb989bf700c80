"""Titanic, as a new analyst brings it, through every page in a real browser.

Upload ``titanic.csv``: the form suggests ``Survived`` and shows every column's role with its reason before
anything is loaded; Load; a quick comparison (3 folds); a small data-size curve; Subgroups; Explain; Verdict
(3 splits are the fewest its paired test reads). About a minute.
No page may show an error box or a traceback.

Each page is also photographed into ``artifacts/``; with ``DLLAB_UPDATE_DOCS_SCREENSHOTS=1`` the pictures go
to ``docs/`` too (the README's "In the browser" section shows them).
"""

from __future__ import annotations

import gzip
import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts"
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
WIDTH = 1400


def _titanic(folder: Path) -> Path:
    """``titanic.csv`` as an analyst has it: the built-in's copy (datasets/titanic.csv.gz) unpacked into ``folder``."""
    bundled = ROOT / "datasets" / "titanic.csv.gz"
    if bundled.is_file():
        path = folder / "titanic.csv"
        path.write_bytes(gzip.decompress(bundled.read_bytes()))
        return path
    shared = ROOT.parent / "shared" / "data" / "titanic.csv"
    if shared.is_file():
        return shared
    pytest.skip("the Titanic CSV is not in datasets/ or ../shared/data/")


def _clean(page):
    """No error box and no traceback on the page."""
    page.wait_for_selector(IDLE)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    errors = page.get_by_test_id("stAlertContentError")
    assert errors.count() == 0, [errors.nth(i).inner_text() for i in range(errors.count())]


def _shot(page, name: str, *, max_height: int = 2400):
    """A picture of the whole page (up to ``max_height`` pixels), in artifacts/ and, if asked, in docs/."""
    page.mouse.move(WIDTH - 20, 880)  # no tooltip in the picture
    # Streamlit scrolls inside its main block: make the window as tall as the content.
    height = page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
    page.set_viewport_size({"width": WIDTH, "height": int(min(max(height, 900), max_height))})
    page.wait_for_timeout(1500)  # charts re-layout to the new size
    page.wait_for_selector(IDLE)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))
    if os.environ.get("DLLAB_UPDATE_DOCS_SCREENSHOTS") == "1":
        page.screenshot(path=str(ROOT / "docs" / f"{name}.png"))
    page.set_viewport_size({"width": WIDTH, "height": 900})


def _go(page, label):
    page.mouse.move(900, 600)  # away from the sidebar: a link's tooltip can cover the next link
    link = page.get_by_test_id("stSidebar").get_by_test_id("stPageLink")
    link.filter(has_text=re.compile(rf"{re.escape(label)}$")).click()  # "Data", not "Data size"
    expect(page.get_by_test_id("stMain").get_by_role("heading", name=label, exact=True)).to_be_visible()


def test_titanic_from_upload_to_verdict(server, browser, tmp_path):
    context = browser.new_context(viewport={"width": WIDTH, "height": 900}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        page.goto(server)
        page.wait_for_selector(IDLE)
        expect(page.get_by_test_id("stMain").get_by_role("heading", name="DL Decision Lab")).to_be_visible()
        _clean(page)
        _shot(page, "home", max_height=1500)

        # Data: the form, before anything is loaded.
        _go(page, "Data")
        page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(_titanic(tmp_path)))
        target = page.get_by_role("combobox", name="Target column (what to predict)")
        expect(target).to_be_visible(timeout=60_000)
        page.wait_for_selector(IDLE)
        expect(target).to_have_value("Survived (suggested)")
        expect(page.get_by_text("Suggested: Named like a target", exact=False)).to_be_visible()
        roles = page.locator("[class*='st-key-roles-']").get_by_test_id("stDataFrame")  # the column table
        expect(roles).to_be_visible()
        expect(page.get_by_text("Nothing is loaded or trained yet", exact=False)).to_be_visible()
        _clean(page)
        _shot(page, "data", max_height=2000)
        page.get_by_role("button", name="Load", exact=True).click()
        expect(page.get_by_test_id("stMetric").filter(has_text="Rows used")).to_contain_text("891")
        expect(page.get_by_test_id("stMetric").filter(has_text="Target")).to_contain_text("Survived")
        _clean(page)

        # Compare: quick (3 folds: the fewest the verdict's paired test reads), the default families.
        _go(page, "Compare")
        expect(page.get_by_role("button", name="Run comparison")).to_be_visible(timeout=60_000)
        page.wait_for_selector(IDLE)
        page.get_by_role("radiogroup", name="Budget").get_by_role("radio", name="quick").click()
        page.get_by_role("button", name="Run comparison").click()
        expect(page.get_by_text("Is the difference real?")).to_be_visible(timeout=180_000)
        expect(page.get_by_text("Results for: titanic.csv · 891 rows · target Survived (binary) · budget quick"
                                " · 3 folds", exact=False)).to_be_visible()
        _clean(page)
        _shot(page, "compare", max_height=2300)

        # Data size: quick sizes, one subsample each; the largest size reuses the comparison's fits.
        _go(page, "Data size")
        page.wait_for_selector(IDLE)
        page.get_by_role("radiogroup", name="Sizes").get_by_role("radio", name="Quick: 4 sizes").click()
        seeds = page.get_by_role("spinbutton", name="Subsamples per size")
        seeds.fill("1")
        seeds.press("Tab")
        page.get_by_role("button", name="Run data-size curve").click()
        expect(page.get_by_text("What if I had more data?")).to_be_visible(timeout=180_000)
        _clean(page)
        _shot(page, "datasize", max_height=2000)

        # Subgroups reads the comparison: nothing is retrained.
        _go(page, "Subgroups")
        expect(page.get_by_role("heading", name="Findings")).to_be_visible(timeout=120_000)
        _clean(page)
        _shot(page, "subgroups", max_height=2400)

        _go(page, "Explain")
        expect(page.get_by_role("heading", name="What each model relies on")).to_be_visible(timeout=120_000)
        expect(page.get_by_role("heading", name="One row, explained by every model")).to_be_visible(timeout=60_000)
        _clean(page)
        _shot(page, "explain", max_height=2400)

        _go(page, "Verdict")
        headline = page.get_by_test_id("stHeading").filter(has_text="confidence:").first
        expect(headline).to_be_visible(timeout=60_000)
        assert headline.text_content().startswith(("Use ", "Undecided")), headline.text_content()
        expect(page.get_by_text("p = ", exact=False).first).to_be_visible()  # a paired test was read
        expect(page.get_by_text("Verdict for: titanic.csv", exact=False)).to_be_visible()
        _clean(page)
        _shot(page, "verdict", max_height=1800)
    finally:
        context.close()
