import json
import subprocess
import sys
from pathlib import Path

import pytest

from dllab.apps.cli import main
from dllab.datasets import builtin_names

ROOT = Path(__file__).resolve().parents[1]


def test_compare_end_to_end_writes_the_json_contract(tmp_path):
    out = tmp_path / "out.json"
    proc = subprocess.run([sys.executable, "-m", "dllab", "compare", "breast_cancer", "--budget", "quick",
                           "--folds", "2", "--json", str(out)], cwd=ROOT, capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert "Linear model" in proc.stdout and "Deep network" in proc.stdout and "XGBoost" in proc.stdout
    assert "the deep net is" in proc.stdout
    d = json.loads(out.read_text())
    assert d["dataset"] == {**d["dataset"], "name": "breast_cancer", "rows": 569, "columns": 30, "task": "binary"}
    assert d["metric"] == "accuracy" and d["higher_is_better"] is True
    assert [m["name"] for m in d["models"]] == ["linear", "gbm", "deep"]
    for m in d["models"]:
        assert m["status"] == "ok", m["reason"]
        assert len(m["scores"]) == 2 and m["ci_low"] <= m["mean"] <= m["ci_high"]
        assert 0.85 < m["mean"] <= 1.0 and m["fit_seconds"] > 0 and m["device"] == "cpu"
    assert d["config"]["seed"] == 0 and d["config"]["budget"] == "quick"
    assert [(t["a"], t["b"]) for t in d["tests"]] == [("gbm", "linear"), ("deep", "linear"), ("deep", "gbm")]


def test_csv_with_target(tmp_path, capsys):
    csv = tmp_path / "my data.csv"
    sizes = [(7 * i) % 61 for i in range(60)]  # not a row id: shuffled values
    rows = ["size;colour;price"] + [f"{s};{'red' if s % 2 else 'blue'};{2 * s + 3 * (s % 2)}" for s in sizes]
    csv.write_text("\n".join(rows))
    out = tmp_path / "r.json"
    assert main(["compare", str(csv), "--target", "price", "--budget", "quick", "--families", "linear,gbm",
                 "--json", str(out), "--quiet"]) == 0
    d = json.loads(out.read_text())
    assert d["dataset"]["task"] == "regression" and d["metric"] == "rmse" and d["higher_is_better"] is False
    assert d["models"][0]["mean"] < 1.0  # price is linear in size and colour


@pytest.mark.parametrize("argv, fragment", [
    (["compare", "no_such_dataset"], "is neither a built-in dataset nor an existing file"),
    (["compare", "penguins", "--target", "nope"], "target column 'nope' is not in the data"),
    (["compare", "penguins", "--folds", "1"], "n_folds=1 is not valid"),
    (["compare", "penguins", "--families", "deep,svm"], "families=('deep', 'svm') is not valid"),
])
def test_bad_input_exits_2_with_one_line(argv, fragment, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and fragment in err and "\n" not in err


def test_bad_csv_exits_2_from_the_command_line(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"a,b\n1,\xff\xfe\n2,3\n")
    proc = subprocess.run([sys.executable, "-m", "dllab", "compare", str(bad), "--target", "a"], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert proc.stderr.startswith("error: ") and "Traceback" not in proc.stderr


def test_datasets_lists_every_builtin(capsys):
    assert main(["datasets"]) == 0
    out = capsys.readouterr().out
    for name in builtin_names():
        assert f"\n{name} " in out
    assert "lesson" in out.splitlines()[0]


def test_curve_writes_the_curve_contract(tmp_path, capsys):
    out = tmp_path / "curve.json"
    assert main(["curve", "breast_cancer", "--budget", "quick", "--families", "linear,gbm", "--sizes", "60,120,240",
                 "--seeds", "2", "--json", str(out), "--quiet"]) == 0
    d = json.loads(out.read_text())["curve"]
    assert d["conclusion"] in capsys.readouterr().out
    assert d["sizes"] == [60, 120, 240]
    assert [m["name"] for m in d["models"]] == ["linear", "gbm"]
    for m in d["models"]:
        # 2 subsamples on each of the quick budget's 3 splits, at each of the 3 sizes
        assert len(m["scores"]) == 3 and all(len(s) == 2 * 3 for s in m["scores"])
        assert len(m["mean"]) == len(m["ci_low"]) == len(m["ci_high"]) == len(m["fit_seconds"]) == 3
    assert set(d["crossover"]) >= {"observed_n", "extrapolated_n", "ci", "statement"}


def test_curve_rejects_bad_sizes(capsys):
    assert main(["curve", "penguins", "--sizes", "10,abc"]) == 2
    assert "--sizes '10,abc' is not valid" in capsys.readouterr().err


def test_subgroups_writes_the_subgroups_contract(tmp_path, capsys):
    out = tmp_path / "sub.json"
    assert main(["subgroups", "planted_subgroup", "--budget", "quick", "--families", "linear", "--max-rows", "2000",
                 "--json", str(out), "--quiet"]) == 0
    d = json.loads(out.read_text())["subgroups"]
    assert set(d) >= {"slices", "worst", "disagreement", "shift"}
    top = d["worst"]["linear"][0]
    assert {c["column"] for c in top["conditions"]} == {"region", "age"}  # the planted rule
    s = d["slices"][0]
    assert set(s) >= {"description", "conditions", "size", "models", "significant"}
    assert set(s["models"]["linear"]) >= {"score", "ci_low", "ci_high", "gap"}
    assert "Worst slices for linear" in capsys.readouterr().out


def test_subgroups_unknown_group_column_exits_2(capsys):
    assert main(["subgroups", "penguins", "--budget", "quick", "--families", "linear", "--group", "planet",
                 "--quiet"]) == 2
    assert "planet" in capsys.readouterr().err


def test_explain_writes_the_explanations_contract(tmp_path, capsys):
    out = tmp_path / "ex.json"
    assert main(["explain", "penguins", "--budget", "quick", "--folds", "2", "--families", "linear,gbm",
                 "--rows", "40", "--json", str(out), "--quiet"]) == 0
    d = json.loads(out.read_text())["explanations"]
    assert [m["name"] for m in d["models"]] == ["linear", "gbm"]
    for m in d["models"]:
        assert set(m) >= {"name", "importance", "seconds", "additivity_max_error"}
        assert m["additivity_max_error"] < 1e-3
        assert set(m["importance"]) <= {"island", "bill_length_mm", "bill_depth_mm", "flipper_length_mm",
                                        "body_mass_g", "sex", "year"}
    assert set(d["agreement"]) == {"gbm~linear"} and d["rows_explained"] == 40
    assert "Mean |SHAP|" in capsys.readouterr().out
