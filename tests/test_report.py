"""dllab.present.report: the JSON and CSV downloads (the bytes the app's buttons serve)."""

from __future__ import annotations

import io
import json

import pandas as pd
import pytest

from fakes import fake_comparison

from dllab.present import report
from dllab.families import default_families

FAMILIES = default_families()  # tabular: "transfer" (text data only) is not faked here



def _comparison(*, fail=()):
    # Hand-made predictions, no training: 3 folds x 2 repeats on 120 rows.
    return fake_comparison("binary", fail=fail, seconds={"linear": 0.1, "gbm": 0.2, "deep": 0.3})


def test_json_is_the_comparison_contract_and_strict_json():
    cmp = _comparison(fail=("deep",))
    doc = json.loads(report.comparison_json(cmp))
    assert doc["metric"] == "accuracy" and doc["higher_is_better"] is True
    assert [m["name"] for m in doc["models"]] == list(FAMILIES)
    deep = doc["models"][2]
    assert deep["status"] == "failed" and deep["reason"] == "boom" and deep["mean"] is None
    assert doc["models"][0]["mean"] == pytest.approx(cmp.overall.loc["linear", "mean"])
    assert b"NaN" not in report.comparison_json(cmp)


def test_summary_csv_one_row_per_family_with_ci():
    cmp = _comparison()
    df = pd.read_csv(io.BytesIO(report.comparison_csv(cmp)))
    assert df["family"].tolist() == list(FAMILIES)
    for m in cmp.metric_names:
        assert {m, f"{m}_ci_low", f"{m}_ci_high"} <= set(df.columns)
    assert df["accuracy"].tolist() == pytest.approx(cmp.overall["accuracy"].tolist())
    assert (df["accuracy_ci_low"] <= df["accuracy"]).all()
    assert df.columns[-5:].tolist() == ["fit_seconds", "predict_seconds", "device", "status", "reason"]


def test_split_csv_one_row_per_family_and_split():
    cmp = _comparison()
    df = pd.read_csv(io.BytesIO(report.split_scores_csv(cmp)))
    assert len(df) == 3 * 6
    assert df[["repeat", "fold"]].drop_duplicates().shape[0] == 6
    assert df.loc[df.family == "gbm", "accuracy"].tolist() == pytest.approx(cmp.split_scores("gbm").tolist())
