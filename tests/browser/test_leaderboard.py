"""The Compare page's leaderboard in a real browser: a click on a header sorts the rows by that column."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import expect
from steps import compare_builtin

from dllab.ui.tables import MODEL_WIDTH

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
ROWS = 4  # three families and the baseline


def _column(board, col: int) -> list[str]:
    # The grid is a canvas; its hidden cells carry the text (STREAMLIT-NOTES section 7).
    return [board.get_by_test_id(f"glide-cell-{col}-{row}").text_content() for row in range(ROWS)]


def test_clicking_the_accuracy_header_sorts_the_leaderboard(server, page):
    compare_builtin(server, page, "wine", folds=2)  # the same run as test_browser.py's: cached
    expect(page.get_by_role("heading", name="Leaderboard")).to_be_visible(timeout=240_000)
    page.wait_for_selector(IDLE)

    board = page.get_by_test_id("stDataFrame").first
    board.scroll_into_view_if_needed()
    assert _column(board, 0) == ["Linear model", "Gradient boosting (XGBoost)", "Deep network",
                                 "Baseline (majority class)"]
    box = board.bounding_box()
    header = (box["x"] + MODEL_WIDTH + 25, box["y"] + 17)  # Accuracy: the column right of the pinned Model
    page.mouse.click(*header)
    expect(board.get_by_test_id("glide-cell-0-0")).to_have_text("Baseline (majority class)")
    up = [float(v) for v in _column(board, 1)]
    assert up == sorted(up) and up[0] < 0.5  # numbers sort as numbers; the baseline scores least
    page.mouse.click(*header)
    expect(board.get_by_test_id("glide-cell-0-3")).to_have_text("Baseline (majority class)")
    down = [float(v) for v in _column(board, 1)]
    assert down == sorted(up, reverse=True)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    ARTIFACTS.mkdir(exist_ok=True)
    board.screenshot(path=str(ARTIFACTS / "leaderboard-sorted.png"))
