"""The Explain page's row finder and what-if editor on Titanic, in a real browser.

Load the Titanic built-in, open Explain and run the quick comparison it offers (the default families, 3 folds),
find a passenger by name, then change the passenger's sex and age and press Predict: every model predicts
again, and the table shows each one's probability of Survived = 1 before and after. Under a minute.
No page may show an error box or a traceback; the page is photographed into ``artifacts/whatif.png``.
"""

from __future__ import annotations

import re

from playwright.sync_api import expect
from steps import IDLE, clean, load_builtin, new_page, shot


def _choose(page, label: str, option: str):
    """Pick ``option`` in the selectbox ``label``. The first click after typing in another input can only move the
    focus (the input's blur), so click again until the list is open."""
    box = page.get_by_role("combobox", name=label)
    choice = page.get_by_role("option", name=option, exact=True)
    for _ in range(3):
        box.click()
        try:
            expect(choice).to_be_visible(timeout=2_000)
            break
        except AssertionError:
            continue
    choice.click()
    expect(box).to_have_value(option)


def test_find_a_passenger_and_ask_what_if(server, browser):
    context, page = new_page(browser)
    try:
        page.goto(server)
        page.wait_for_selector(IDLE)
        load_builtin(page, "titanic")
        expect(page.get_by_test_id("stMetric").filter(has_text="Rows used")).to_contain_text("891")

        page.mouse.move(900, 600)  # away from the sidebar: a link's tooltip can cover the next link
        page.get_by_test_id("stSidebar").get_by_test_id("stPageLink").filter(has_text=re.compile("Explain$")).click()
        page.get_by_role("button", name="Run a quick comparison").click()
        expect(page.get_by_role("heading", name="What if this row were different?")).to_be_visible(timeout=180_000)
        clean(page)
        # The rows choice offers what exists: 297 test rows in the first split, so 200 or all of them.
        rows = page.get_by_role("radiogroup", name=re.compile("^Rows explained"))
        expect(rows).to_contain_text("all 297")
        expect(rows).not_to_contain_text("500")
        expect(page.get_by_role("radio", name="probability")).to_be_checked()  # probability by default

        search = page.get_by_role("textbox", name="PassengerId, Name, Ticket or Cabin is or contains")
        search.fill("Braund")
        search.press("Enter")
        expect(page.get_by_text("1 of the 297 explained rows match “Braund”.", exact=False)).to_be_visible()
        clean(page)  # the run is over: the list of rows before the search is gone
        expect(page.get_by_role("combobox", name="Row to explain")).to_have_value(re.compile("^PassengerId 1 "))

        _choose(page, "Sex", "female")
        age = page.get_by_role("spinbutton", name="Age")
        age.fill("5")
        age.press("Tab")
        page.get_by_role("button", name="Predict with these values").click()
        expect(page.get_by_text("Edited: Sex male → female, Age 22 → 5.", exact=False)).to_be_visible()
        table = page.get_by_test_id("stTable")
        expect(table).to_contain_text("Gradient boosting (XGBoost)")
        expect(table).to_contain_text("Deep network")
        expect(table).to_contain_text(re.compile(r"\+\d+\.\d points"))  # a girl of 5 in third class: higher
        clean(page)
        shot(page, "whatif", max_height=4200)
    finally:
        context.close()
