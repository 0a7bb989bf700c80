"""The app in a real browser: load a built-in, run a quick comparison, see the results, then the
Subgroups page (reads that comparison), the Data size page (a small curve run), the Explain page, and the
Verdict page with its HTML report opened offline."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import expect
from steps import load_builtin, quick_settings, shot

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'


def _screenshot(page, name="compare", *, height=2600):
    # Streamlit scrolls inside its main block, so a full-page shot needs a tall viewport.
    ARTIFACTS.mkdir(exist_ok=True)
    page.mouse.move(900, 300)  # no tooltip in the picture
    page.set_viewport_size({"width": 1440, "height": height})
    page.wait_for_timeout(1500)  # charts re-layout to the new size
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))  # the README's pictures: test_titanic.py
    page.set_viewport_size({"width": 1440, "height": 1000})


def _go(page, label):
    page.mouse.move(900, 600)  # away from the sidebar: a link's tooltip can cover the next link
    expect(page.locator("#stFloatingOverlayPortal [role=tooltip]")).to_have_count(0)
    page.get_by_test_id("stSidebar").get_by_test_id("stPageLink").filter(has_text=label).click()
    expect(page.get_by_test_id("stMain").get_by_role("heading", name=label, exact=True)).to_be_visible()


def _chart_titles(page):
    page.wait_for_selector('[data-testid="stPlotlyChart"] .main-svg')
    return [t.text_content() for t in page.locator('[data-testid="stPlotlyChart"] .gtitle').all()]


def _open(page, url):
    page.goto(url)
    page.wait_for_selector(IDLE)


def test_load_builtin_run_quick_comparison_and_see_results(server, page, browser):
    _open(page, server)
    expect(page.get_by_test_id("stMain").get_by_role("heading", name="DL Decision Lab")).to_be_visible()
    # Home -> a built-in card's Load button -> the Data page with the dataset loaded.
    load_builtin(page, "wine")
    expect(page.get_by_test_id("stMain").get_by_role("heading", name="Data", exact=True)).to_be_visible()
    expect(page.get_by_test_id("stMetric").filter(has_text="Rows used")).to_contain_text("178")

    page.get_by_test_id("stSidebar").get_by_test_id("stPageLink").filter(has_text="Compare").click()
    quick_settings(page, folds=2)
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

    # Subgroups reads the comparison just made: no training, the report and its charts appear.
    _go(page, "Subgroups")
    expect(page.get_by_role("heading", name="Findings")).to_be_visible(timeout=60_000)
    page.wait_for_selector(IDLE)
    assert any(t.startswith("Accuracy by slice and model") for t in _chart_titles(page))
    expect(page.get_by_test_id("stException")).to_have_count(0)
    _screenshot(page, "subgroups", height=3400)

    # Data size: a small curve (linear model only, 2 subsamples per size; the largest size reuses the
    # comparison's fits), to keep the browser test short.
    _go(page, "Data size")
    page.wait_for_selector(IDLE)
    chips = page.get_by_role("group", name="Selected values").get_by_role("button")
    expect(chips).to_have_count(3)  # every tabular family is chosen by default; read it before removing
    for label in ("Gradient boosting (XGBoost)", "Deep network"):
        page.get_by_role("button", name=f"Remove {label}", exact=True).click()
        page.wait_for_selector(IDLE)
    expect(chips).to_have_count(1)
    expect(page.get_by_role("button", name="Remove Linear model", exact=True)).to_be_visible()
    seeds = page.get_by_role("spinbutton", name="Subsamples per size")
    seeds.fill("2")
    seeds.press("Tab")
    page.get_by_role("button", name="Run data-size curve").click()
    expect(page.get_by_text("What if I had more data?")).to_be_visible(timeout=240_000)
    page.wait_for_selector(IDLE)
    assert any(t.startswith("Accuracy against training rows") for t in _chart_titles(page))
    expect(page.get_by_test_id("stMetric").first).to_be_visible()
    expect(page.get_by_test_id("stException")).to_have_count(0)
    _screenshot(page, "datasize", height=1900)

    # Explain: the comparison's models explained (nothing retrained): importance bars, statements, one row.
    _go(page, "Explain")
    expect(page.get_by_role("heading", name="What each model relies on")).to_be_visible(timeout=120_000)
    expect(page.get_by_role("heading", name="One row, explained by every model")).to_be_visible(timeout=60_000)
    page.wait_for_selector(IDLE)
    titles = _chart_titles(page)
    assert any(t.startswith("Global importance") for t in titles), titles
    expect(page.get_by_test_id("stException")).to_have_count(0)
    _screenshot(page, "explain", height=3000)

    # Verdict: the recommendation first, from the analyses above; the needs update it; the report downloads.
    _go(page, "Verdict")
    headline = page.get_by_test_id("stHeading").filter(has_text="confidence:").first
    expect(headline).to_be_visible(timeout=60_000)
    assert headline.text_content().startswith(("Use ", "Undecided"))
    page.wait_for_selector(IDLE)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    page.get_by_text("Each decision must be explained").click()
    expect(page.get_by_text("a regulator must see each decision", exact=False).or_(
        page.get_by_test_id("stHeading").filter(has_text="confidence:")).first).to_be_visible()
    page.wait_for_selector(IDLE)
    _screenshot(page, "verdict", height=1800)
    with page.expect_download() as download:
        page.get_by_role("button", name="Report (HTML)").click()
    assert download.value.suggested_filename.endswith(".html")
    ARTIFACTS.mkdir(exist_ok=True)
    report = ARTIFACTS / "report.html"  # the download's own path has no extension: save it as .html
    download.value.save_as(report)
    _check_report_offline(browser, report)

    # Another browser session on the same server sees neither the data nor the results.
    other = browser.new_context().new_page()
    _open(other, f"{server}/Compare")
    expect(other.get_by_text("No dataset is loaded yet")).to_be_visible()
    other.context.close()


def test_deep_link_opens_data_page_with_sidebar(server, page):
    _open(page, f"{server}/Data")
    expect(page.get_by_test_id("stMain").get_by_role("heading", name="Data", exact=True)).to_be_visible()
    expect(page.get_by_test_id("stPageLink")).to_have_count(8)
    expect(page.get_by_test_id("stSidebarNavLink")).to_have_count(0)
    expect(page.get_by_test_id("stFileUploaderDropzone")).to_be_visible()


def _check_report_offline(browser, path: Path):
    """The HTML report opens from disk with every network request refused: no console error, charts drawn."""
    context = browser.new_context()
    blocked = []

    def refuse(route):
        if route.request.url.startswith("file:"):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    context.route("**/*", refuse)
    context.set_offline(True)
    view = context.new_page()
    errors = []
    view.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    view.on("pageerror", lambda e: errors.append(str(e)))
    view.goto(path.resolve().as_uri())
    view.wait_for_selector(".plotly-graph-div .main-svg", timeout=30_000)
    expect(view.locator("#verdict")).to_contain_text("confidence")
    assert view.locator(".plotly-graph-div .main-svg").count() >= 2
    assert errors == [] and blocked == [], (errors, blocked)
    context.close()


def test_workshop_opens_by_its_url_and_steps_through_scenarios(server, page):
    _open(page, f"{server}/Workshop")
    main = page.get_by_test_id("stMain")
    expect(main.get_by_role("heading", name="Workshop", exact=True)).to_be_visible()
    expect(main.get_by_role("heading", name="1. Small tabular data")).to_be_visible()
    expect(page.get_by_role("radiogroup", name="Predict which approach wins.")).to_be_visible()
    page.get_by_role("button", name="Next").click()
    expect(main.get_by_role("heading", name="2. A simple linear relationship")).to_be_visible()
    expect(page.get_by_role("button", name="Run and reveal")).to_be_visible()
    expect(page.get_by_test_id("stException")).to_have_count(0)
    # the list jumps to a scenario; the guesses are the families it trains; the reveal shows every one
    page.get_by_role("button", name="6. A hidden subgroup failure").click()
    expect(main.get_by_role("heading", name="6. A hidden subgroup failure")).to_be_visible()
    guesses = page.get_by_role("radiogroup", name="Predict which approach wins.")
    expect(guesses.get_by_role("radio")).to_have_count(2)  # the linear model and XGBoost: no deep net here
    guesses.get_by_text("Gradient boosting (XGBoost)").click()
    # a summary saved by an earlier run of this scenario is offered instead of training again
    page.get_by_role("button", name=re.compile(r"^(Run and reveal|Reveal \(precomputed\))$")).click()
    expect(main.get_by_role("heading", name="The reveal")).to_be_visible(timeout=180_000)
    expect(page.get_by_text("Every model on the deciding evidence")).to_be_visible()
    expect(page.get_by_test_id("stException")).to_have_count(0)
    shot(page, "workshop", max_height=2400)
    page.get_by_role("button", name="Open in the lab").click()  # the scenario's data, in the main pages
    expect(main.get_by_role("heading", name="Compare", exact=True)).to_be_visible(timeout=60_000)
    expect(page.get_by_test_id("stException")).to_have_count(0)
