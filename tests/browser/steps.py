"""Steps the browser tests share: wait for a clean page, photograph it, go to a page by its sidebar link."""

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


def titanic(folder: Path) -> Path:
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


def load_builtin(page, name: str) -> None:
    """From Home: the Real data tab, then the built-in's Load button (keyed: class st-key-load-<name>)."""
    page.get_by_test_id("stTab").filter(has_text="Real data").click()
    page.locator(f".st-key-load-{name}").get_by_role("button", name="Load").click()


def compare_builtin(server, page, name: str, *, folds: int) -> None:
    """From a fresh page: load the built-in ``name``, go to Compare, choose the quick budget and ``folds``,
    press Run."""
    page.goto(server)
    page.wait_for_selector(IDLE)
    load_builtin(page, name)
    expect(page.get_by_test_id("stMain").get_by_role("heading", name="Data", exact=True)).to_be_visible()
    page.get_by_test_id("stSidebar").get_by_test_id("stPageLink").filter(has_text="Compare").click()
    quick_settings(page, folds=folds)
    page.get_by_role("button", name="Run comparison").click()


def clean(page):
    """No error box and no traceback on the page."""
    page.wait_for_selector(IDLE)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    errors = page.get_by_test_id("stAlertContentError")
    assert errors.count() == 0, [errors.nth(i).inner_text() for i in range(errors.count())]


def shot(page, name: str, *, max_height: int = 2400):
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


def go(page, label):
    page.mouse.move(900, 600)  # away from the sidebar: a link's tooltip can cover the next link
    link = page.get_by_test_id("stSidebar").get_by_test_id("stPageLink")
    link.filter(has_text=re.compile(rf"{re.escape(label)}$")).click()  # "Data", not "Data size"
    expect(page.get_by_test_id("stMain").get_by_role("heading", name=label, exact=True)).to_be_visible()


def new_page(browser, **context_options):
    """A fresh browser context (one session) and its page, 1400 px wide, 30 s per step: ``(context, page)``."""
    context = browser.new_context(viewport={"width": WIDTH, "height": 900}, **context_options)
    page = context.new_page()
    page.set_default_timeout(30_000)
    return context, page


def choose_file(page, path, *, suggested: str):
    """On the Data page, pick the file at ``path`` and wait for the form to suggest the target ``suggested``."""
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(path))
    target = page.get_by_role("combobox", name="Target column (what to predict)")
    expect(target).to_be_visible(timeout=60_000)
    page.wait_for_selector(IDLE)
    expect(target).to_have_value(f"{suggested} (suggested)")


def quick_settings(page, *, folds: int | None = None):
    """On the Compare page: wait for the settings form (the first torch import), choose the quick budget and
    ``folds``; Run is left to the test."""
    expect(page.get_by_role("button", name="Run comparison")).to_be_visible(timeout=60_000)
    page.wait_for_selector(IDLE)
    page.get_by_role("radiogroup", name="Budget").get_by_role("radio", name="quick").click()
    if folds is not None:
        box = page.get_by_role("spinbutton", name="Folds (k)")
        box.fill(str(folds))
        box.press("Tab")
