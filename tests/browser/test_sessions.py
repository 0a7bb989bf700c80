"""Two users at once on one server, in a real browser: byte-identical files under different names.

Each uploads, loads and runs a quick comparison at the same time as the other; neither page may ever show
the other's file name, nor "from the cache" (that would be the other's result), and each downloads a
result named after its own file.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from playwright.sync_api import expect
from steps import quick_settings

IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'


def _csv(path):
    rng = np.random.default_rng(0)
    n = 160
    df = pd.DataFrame({"x1": rng.normal(size=n), "x2": rng.normal(size=n), "colour": rng.choice(["red", "blue"], n)})
    df["target"] = np.where(df.x1 - df.x2 > 0, "yes", "no")
    path.write_bytes(df.to_csv(index=False).encode())
    return path


def _text(page) -> str:
    return page.get_by_test_id("stApp").inner_text()


def _never_shows(page, other: str):
    assert other not in _text(page), f"the page shows {other!r}, another session's file"


def test_two_sessions_uploading_identical_bytes_see_only_their_own_names(server, browser, tmp_path):
    names = {"alpha": "alpha_passengers.csv", "beta": "beta_passengers.csv"}
    files = {}
    for who, name in names.items():
        files[who] = _csv(tmp_path / name)
    assert files["alpha"].read_bytes() == files["beta"].read_bytes()
    contexts = {who: browser.new_context(viewport={"width": 1400, "height": 900}, accept_downloads=True)
                for who in names}
    pages = {who: c.new_page() for who, c in contexts.items()}
    other = {"alpha": names["beta"], "beta": names["alpha"]}
    try:
        for who, page in pages.items():
            page.set_default_timeout(30_000)
            page.goto(f"{server}/Data")
            page.wait_for_selector(IDLE)
        for who, page in pages.items():  # both upload before either loads
            page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(files[who]))
        for who, page in pages.items():
            expect(page.get_by_role("button", name="Load", exact=True)).to_be_visible()
            _never_shows(page, other[who])
        for who, page in pages.items():
            page.get_by_role("button", name="Load", exact=True).click()
        for who, page in pages.items():
            expect(page.get_by_test_id("stMetric").filter(has_text="Rows used")).to_contain_text("160")
            page.wait_for_selector(IDLE)
            _never_shows(page, other[who])
            page.get_by_test_id("stSidebar").get_by_test_id("stPageLink").filter(has_text="Compare").click()
            quick_settings(page, folds=2)
            for label in ("Gradient boosting (XGBoost)", "Deep network"):  # the linear model alone: fast
                page.get_by_role("button", name=f"Remove {label}", exact=True).click()
        for page in pages.values():  # both runs at once
            page.get_by_role("button", name="Run comparison").click()
        for who, page in pages.items():
            expect(page.get_by_text("Is the difference real?")).to_be_visible(timeout=180_000)
            page.wait_for_selector(IDLE)
            text = _text(page)
            assert f"Results for: {names[who]}" in text and other[who] not in text
            assert "From the cache" not in text, "a session was shown the other session's result"
            expect(page.get_by_test_id("stException")).to_have_count(0)
            with page.expect_download() as download:
                page.get_by_role("button", name="Results as JSON").click()
            stem = names[who].removesuffix(".csv")
            assert stem in download.value.suggested_filename, download.value.suggested_filename
            for label in ("Subgroups", "Verdict"):  # pages that read the comparison
                page.get_by_test_id("stSidebar").get_by_test_id("stPageLink").filter(has_text=label).click()
                expect(page.get_by_test_id("stMain").get_by_role("heading", name=label, exact=True)).to_be_visible()
                expect(page.get_by_test_id("stCaptionContainer").filter(has_text=names[who]).first).to_be_visible(
                    timeout=120_000)
                page.wait_for_selector(IDLE)
                _never_shows(page, other[who])
    finally:
        for c in contexts.values():
            c.close()
