"""AppTest fixtures: fresh caches per test, small data, and a fast stand-in for the model factory."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import streamlit as st
from sklearn.dummy import DummyClassifier, DummyRegressor

# pytest runs with --import-mode=importlib, which puts no test folder on sys.path;
# the AppTest modules share helpers through apptools.py beside this file.
sys.path.insert(0, str(Path(__file__).resolve().parent))
from apptools import tiny_frame  # noqa: E402


@pytest.fixture(autouse=True)
def _fresh_caches():
    # Caches belong to the process and outlive one AppTest (STREAMLIT-NOTES.md section 4).
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture
def tiny_csv() -> bytes:
    return tiny_frame().to_csv(index=False).encode()


class _Failing(DummyClassifier):
    def fit(self, X, y, sample_weight=None):
        raise RuntimeError("out of memory (simulated)")


@pytest.fixture
def fake_models(monkeypatch):
    """Replace the model factory with instant dummies; the deep net fails. Counts fits."""
    import dllab.engine.runner

    calls = []

    def make(family, task, *, budget="standard", random_state=0, device="auto"):
        calls.append(family)
        if family == "deep":
            return _Failing()
        if task == "regression":
            return DummyRegressor()
        return DummyClassifier(strategy="prior" if family == "linear" else "stratified", random_state=random_state)

    monkeypatch.setattr(dllab.engine.runner, "make_model", make)
    return calls


@pytest.fixture
def count_fits(monkeypatch):
    """Count real fits (the runner's fit_predict) without changing them."""
    import dllab.engine.runner

    calls = []
    real = dllab.engine.runner.fit_predict

    def counting(task, *args, **kwargs):
        calls.append(task.family)
        return real(task, *args, **kwargs)

    monkeypatch.setattr(dllab.engine.runner, "fit_predict", counting)
    return calls
