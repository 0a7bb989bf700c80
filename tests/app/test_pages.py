"""Every page through streamlit's AppTest: opened directly, a real quick run, caching, sessions kept apart.

The Data page's form has its own module (test_data_form.py)."""

from __future__ import annotations

import json

import pytest

from dllab.datasets import Dataset

from apptools import PAGES, data_key, open_page, tiny_frame, upload

RUN = "FormSubmitter:settings-Run comparison"
LOAD_BUILTIN = "FormSubmitter:builtin-Load built-in"


def _figure(at, i):
    return json.loads(at.get("plotly_chart")[i].proto.spec)


def _with_dataset(at, ds):
    at.session_state["dataset"] = ds
    return at


def _tiny_dataset(**kw):
    df = tiny_frame(**kw)
    return Dataset(frame=df, target="target", task="binary", name="tiny",
                   roles={"x1": "numeric", "x2": "numeric", "colour": "categorical"})


def _run(at, *, folds=2, seed=None):
    at.button_group(key="budget").set_value("quick")
    at.number_input(key="folds").set_value(folds)
    if seed is not None:
        at.number_input(key="seed").set_value(seed)
    return at.button(key=RUN).click().run()


# ---------------------------------------------------------------------------- every page
@pytest.mark.parametrize("label", list(PAGES))
def test_page_opens_directly_with_sidebar(label):
    at = open_page(label)
    assert not at.exception
    links = at.sidebar.get("page_link")
    assert [link.proto.label for link in links] == list(PAGES)
    assert at.title[0].value == ("DL Decision Lab" if label == "Home" else label)


@pytest.mark.parametrize("label", ["Data", "Compare"])
def test_pages_without_data_say_what_to_do(label):
    at = open_page(label)
    assert not at.exception and not at.error
    assert "No dataset" in at.info[0].value


def test_home_card_loads_builtin_and_opens_data():
    at = open_page("Home")
    at.button(key="load-penguins").click().run()
    assert not at.exception
    assert at.session_state["dataset"].name == "penguins"
    assert at.title[0].value == "Data"
    assert "Palmer penguins" in at.success[0].value
    # Penguins has missing values: the Data page says so.
    assert any("missing values" in w.value for w in at.warning)


@pytest.mark.parametrize("label, key", [("Subgroups", "subgroups-quick"), ("Explain", "explain-quick"),
                                        ("Verdict", "verdict-quick")])
def test_without_a_comparison_it_says_so_and_offers_one(count_fits, label, key):
    """Every page that reads a comparison says none has been run and offers a quick one (one helper)."""
    at = open_page(label)
    at.session_state["dataset"] = _tiny_dataset()
    at.run()
    assert not at.exception and "none has been run for this dataset" in at.info[0].value
    assert [link.proto.label for link in at.main.get("page_link")] == ["Go to Compare"]
    assert at.button(key=key).proto.label == "Run a quick comparison"
    assert count_fits == [] and not at.get("plotly_chart")


# ---------------------------------------------------------------------------- compare page
def test_builtin_quick_comparison_end_to_end_and_cached(count_fits):
    """The real thing: pick a built-in, run a quick 2-fold comparison, read every part of the result."""
    at = open_page("Data")
    at.selectbox(key="builtin-name").set_value("wine")
    at.button(key=LOAD_BUILTIN).click().run()
    assert at.session_state["dataset"].name == "wine"
    at.switch_page(PAGES["Compare"]).run()
    _run(at)
    assert not at.exception and not at.error
    assert len(count_fits) == 6
    table = at.dataframe[0].value  # the leaderboard: one row per family, then the baseline
    assert table["model"].tolist() == ["Linear model", "Gradient boosting (XGBoost)", "Deep network",
                                       "Baseline (majority class)"]
    assert table.columns.tolist()[:3] == ["model", "accuracy", "accuracy_ci"]
    assert (table["status"] == "ok").all()
    assert at.status[0].state == "complete" and at.get("progress")[0].value == 100
    scores = _figure(at, 0)
    assert [t["name"] for t in scores["data"]] == table["model"].tolist()[:3]
    assert scores["layout"]["yaxis"]["title"]["text"] == "Accuracy (higher is better)"
    assert "log scale" in _figure(at, 1)["layout"]["xaxis"]["title"]["text"]
    assert any("the deep net" in m.value.lower() and "significant" in m.value for m in at.markdown)
    assert [m.value for m in at.metric if m.label == "Device used"] == ["cpu"]
    assert len(at.get("download_button")) == 3

    at.run()  # a rerun shows the results without training
    at.switch_page(PAGES["Data"]).run()
    at.switch_page(PAGES["Compare"]).run()  # and so does leaving the page and coming back
    assert len(count_fits) == 6
    assert at.dataframe[0].value["model"].tolist() == table["model"].tolist()
    assert any("From the cache" in c.value for c in at.caption)
    assert not [i for i in at.info if "settings above changed" in i.value]  # settings were kept
    assert at.number_input(key="folds").value == 2


def test_failed_family_shows_reason_and_others_still_appear(fake_models):
    at = _with_dataset(open_page("Compare"), _tiny_dataset()).run()
    _run(at)
    assert not at.exception
    warning = at.warning[0].value
    assert "Deep network" in warning and "out of memory (simulated)" in warning
    status = at.dataframe[0].value["status"]
    assert len(status) == 4 and status.tolist()[:2] == ["ok", "ok"] and status.iloc[3] == "ok"  # and the baseline
    assert status.iloc[2].startswith("failed on every split: RuntimeError: out of memory")
    assert [t["name"] for t in _figure(at, 0)["data"]] == ["Linear model", "Gradient boosting (XGBoost)"]
    # Only the fits that succeeded count as trained; the family that failed on every split is named.
    label = at.status[0].label
    assert label.startswith("Trained 4 of 6 models in ") and "Deep network failed on every split" in label
    assert at.status[0].state == "complete"


def test_results_say_which_data_and_settings_they_belong_to(fake_models):
    at = _with_dataset(open_page("Compare"), _tiny_dataset()).run()
    _run(at, seed=3)
    line = next(c.value for c in at.caption if c.value.startswith(":material/dataset: Results for"))
    assert line.endswith("tiny · 160 rows · target target (binary) · budget quick · 2 folds × 1 repeat · seed 3")


def test_same_settings_hit_the_cache_and_changes_retrain(fake_models):
    at = _with_dataset(open_page("Compare"), _tiny_dataset()).run()
    _run(at)
    assert len(fake_models) == 6
    at.button(key=RUN).click().run()
    assert len(fake_models) == 6  # same data, same settings: from the cache
    _run(at, seed=1)
    assert len(fake_models) == 12  # a setting that changes numbers retrains
    at.session_state["dataset"] = _tiny_dataset(seed=5)  # new data: nothing shown until Run
    at.run()
    assert not at.dataframe and "press **Run comparison**" in at.info[0].value


def test_second_session_with_the_same_builtin_gets_the_cached_result(fake_models):
    from dllab.datasets import load

    first = _with_dataset(open_page("Compare"), load("wine")).run()
    _run(first)
    second = _with_dataset(open_page("Compare"), load("wine")).run()
    _run(second)
    assert len(fake_models) == 6 and len(second.dataframe[0].value) == 4  # a built-in is public: shared
    assert any("From the cache" in c.value for c in second.caption)


def test_uploads_of_the_same_bytes_share_nothing_between_sessions(fake_models, tiny_csv):
    """Two users upload byte-identical files under different names: each trains and sees only its own name."""
    first, second = open_page("Data"), open_page("Data")
    upload(first, "mine.csv", tiny_csv)
    upload(second, "yours.csv", tiny_csv)
    assert first.session_state["dataset"].sha256 == second.session_state["dataset"].sha256  # same content
    for at in (first, second):
        at.switch_page(PAGES["Compare"]).run()
        _run(at)
        assert not at.exception and not at.error
    assert len(fake_models) == 12  # nothing of the first session's run was reused by the second
    for at, own, other in ((first, "mine.csv", "yours.csv"), (second, "yours.csv", "mine.csv")):
        texts = " ".join(str(e.value) for kind in ("caption", "markdown", "info", "success", "warning")
                         for e in getattr(at, kind))
        assert own in texts and other not in texts and "From the cache" not in texts
        ds = at.session_state["dataset"]
        assert data_key(first, ds) != data_key(second, ds)
    # Each session still hits its own cache.
    second.button(key=RUN).click().run()
    assert len(fake_models) == 12 and any("From the cache" in c.value for c in second.caption)


def test_sessions_do_not_see_each_others_data(tiny_csv):
    first = upload(open_page("Data"), "tiny.csv", tiny_csv)
    second = open_page("Compare")
    assert first.session_state["dataset"] is not None
    assert second.session_state["dataset"] is None and "No dataset" in second.info[0].value


def test_a_run_that_did_not_finish_is_reported_not_restarted(fake_models):
    from dllab.config import RunConfig

    ds = _tiny_dataset()
    at = _with_dataset(open_page("Compare"), ds)
    config = RunConfig(budget="quick", n_folds=2)
    key = data_key(at, ds)
    at.session_state["requested"] = {key: config}
    at.session_state["running"] = (key, config.key())  # as left by a stopped script run
    at.session_state["last_progress"] = "2 of 6 fits"
    at.run()
    assert not at.exception and fake_models == []
    assert "stopped after 2 of 6 fits" in at.warning[0].value
    assert not at.dataframe


def test_unavailable_cuda_is_an_error_not_a_crash(fake_models):
    from dllab.ui.run import local_device

    if local_device() == "cuda":
        pytest.skip("this machine has a GPU")
    at = _with_dataset(open_page("Compare"), _tiny_dataset()).run()
    at.button_group(key="device").set_value("cuda")
    at.button(key=RUN).click().run()
    assert not at.exception and "no CUDA GPU" in at.error[0].value and fake_models == []
