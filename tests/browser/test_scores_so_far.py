"""While a comparison trains, the Compare page shows the scores so far, a row per family marked "n of k folds"."""

from __future__ import annotations

import re

from playwright.sync_api import expect
from steps import ARTIFACTS, IDLE, compare_builtin


def test_the_first_numbers_appear_before_the_run_ends(server, page):
    compare_builtin(server, page, "adult", folds=4)  # about 30 s on 2 cores: long enough to see it
    so_far = page.get_by_test_id("stCaptionContainer").filter(has_text="Scores so far")
    expect(so_far).to_be_visible(timeout=120_000)
    board = page.get_by_test_id("stDataFrame").first
    expect(board).to_be_visible()
    # the grid is a canvas; its hidden cells carry the text (STREAMLIT-NOTES section 7): the Done column
    expect(board.get_by_test_id("glide-cell-1-0")).to_have_text(re.compile(r"^[1-4] of 4 folds$"))
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "compare-scores-so-far.png"))
    # the full table and the verdict come at the end; the scores so far give way to them
    expect(page.get_by_role("heading", name="Leaderboard")).to_be_visible(timeout=240_000)
    page.wait_for_selector(IDLE)
    expect(so_far).to_have_count(0)
    expect(page.get_by_test_id("stException")).to_have_count(0)
