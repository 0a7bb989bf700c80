"""A family registered from outside (``$DLLAB_PLUGINS``) is offered and run by the app like a built-in."""

from __future__ import annotations

import importlib

import pytest
from apptools import ROOT, open_page

from dllab import families
from dllab.datasets import load

RUN = "FormSubmitter:settings-Run comparison"


@pytest.fixture
def plugin_env(monkeypatch):
    monkeypatch.syspath_prepend(str(ROOT / "tests" / "plugins"))
    monkeypatch.setenv("DLLAB_PLUGINS", "hgb_family")
    if "hgb_family" in importlib.sys.modules and "hgb" not in families.names():
        importlib.reload(importlib.sys.modules["hgb_family"])  # an earlier test unregistered it
    yield
    families.unregister("hgb")


def test_compare_offers_runs_and_shows_the_plugin_family(plugin_env):
    at = open_page("Compare")
    at.session_state["dataset"] = load("penguins")
    at.run()
    picker = at.multiselect(key="families")
    assert "Histogram boosting (scikit-learn)" in picker.options and picker.value == ["linear", "gbm", "deep", "hgb"]
    picker.set_value(["linear", "hgb"])
    at.button_group(key="budget").set_value("quick")
    at.number_input(key="folds").set_value(2)
    at.button(key=RUN).click().run()
    assert not at.exception and not at.error
    assert at.dataframe[0].value["model"].tolist() == ["Linear model", "Histogram boosting (scikit-learn)",
                                                       "Baseline (majority class)"]


def test_a_plugin_that_cannot_be_imported_is_one_clear_message(monkeypatch):
    monkeypatch.setenv("DLLAB_PLUGINS", "no_such_plugin_module")
    at = open_page("Home")
    assert not at.exception
    assert "no_such_plugin_module" in at.error[0].value and "DLLAB_PLUGINS" in at.error[0].value
