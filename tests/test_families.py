"""The family registry: the built-in records, ordering, seeds, and a family registered from outside.

The outside family is ``tests/plugins/hgb_family.py`` (scikit-learn's histogram boosting), the
README's plugin example: nothing in ``dllab/`` names it.
"""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from dllab import Study, families
from dllab.config import RunConfig
from dllab.datasets import load
from dllab.engine.runner import task_seed
from dllab.errors import ConfigError
from dllab.models import DataSpec, make_model

ROOT = Path(__file__).resolve().parents[1]
PLUGINS = ROOT / "tests" / "plugins"


@pytest.fixture
def hgb():
    """The plugin family, registered for one test and removed afterwards."""
    sys.path.insert(0, str(PLUGINS))
    try:
        module = importlib.import_module("hgb_family")
        if "hgb" not in families.names():  # an earlier test unregistered it: import it again
            importlib.reload(module)
        yield families.get("hgb")
    finally:
        families.unregister("hgb")
        sys.path.remove(str(PLUGINS))


# ---------------------------------------------------------------------------- the records
def test_builtins_keep_their_order_kinds_and_seed_keys():
    assert families.names() == ("linear", "gbm", "deep", "transfer")
    assert tuple(f.name for f in families.all_families()) == families.names()  # the records match the names
    assert [families.get(f).kind for f in families.names()] == ["linear", "trees", "deep", "deep"]
    assert [families.seed_key(f) for f in families.names()] == [0, 1, 2, 3]  # the old positions: same seeds
    assert [families.get(f).recommends_as for f in families.names()] == ["linear", "gbm", "deep", "deep"]
    assert families.get("transfer").modalities == ("text",) and families.get("transfer").kind == "deep"
    assert families.get("gbm").explainer == "tree"


def test_every_place_reads_its_words_from_the_record():
    gbm = families.get("gbm")
    assert (families.label("gbm"), families.short_label("gbm"), families.noun("gbm"), families.model_noun("gbm")) \
        == ("Gradient boosting (XGBoost)", "XGBoost", "boosting", "XGBoost")
    assert (gbm.headline, gbm.title, families.color("gbm"), families.marker("gbm")) \
        == ("gradient boosting (XGBoost)", "Gradient boosting", "#E69F00", "square")
    assert families.label("not_registered") == "not_registered"  # e.g. a family named in an old JSON file


def test_an_unknown_family_names_the_registered_ones():
    with pytest.raises(ConfigError, match="family 'svm' is not registered; choose one of linear, gbm, deep, transfer"):
        families.get("svm")
    with pytest.raises(ConfigError, match=r"families=\('deep', 'svm'\) is not valid"):
        RunConfig(families=("deep", "svm"))


@pytest.mark.parametrize("kwargs, field", [
    (dict(name="two words"), "name"), (dict(kind="forest"), "kind"), (dict(modalities=("audio",)), "modalities"),
    (dict(explainer="magic"), "explainer"), (dict(build="not callable"), "build"),
])
def test_a_bad_record_is_refused_naming_the_field(kwargs, field):
    base = dict(name="x", label="X", build=lambda task, **kw: None)
    with pytest.raises(ConfigError, match=f"Family .*: {field}="):
        families.Family(**{**base, **kwargs})


def test_a_name_is_registered_once_and_built_ins_stay(hgb):
    with pytest.raises(ConfigError, match="'hgb' is already registered"):
        families.register(hgb)
    with pytest.raises(ConfigError, match="built in"):
        families.unregister("gbm")


# ---------------------------------------------------------------------------- a family from outside
def test_a_registered_family_is_ordered_by_its_kind_and_styled(hgb):
    assert families.names()[-1] == "hgb"
    assert families.by_simplicity(["deep", "hgb", "linear", "gbm"]) == ["linear", "gbm", "hgb", "deep"]
    builtin_colors = {families.color(f) for f in ("linear", "gbm", "deep", "transfer")}
    assert families.color("hgb") not in builtin_colors and families.color("hgb") == families.color("hgb")
    assert families.marker("hgb") not in {families.marker(f) for f in ("linear", "gbm", "deep", "transfer")}
    assert families.default_families() == ("linear", "gbm", "deep", "hgb")
    assert families.default_families(DataSpec("text", text_columns=("t",))) == ("linear", "gbm", "deep", "transfer")
    with pytest.raises(ConfigError, match="does not serve text data"):
        make_model("hgb", "binary", data=DataSpec("text", text_columns=("t",)))


def test_adding_a_family_changes_no_other_familys_numbers():
    ds = load("planted_subgroup", max_rows=400)
    config = RunConfig(budget="quick", n_folds=3, families=("linear", "gbm"))
    before = Study(ds, config=config)
    seeds = [task_seed(0, f, i) for f in ("linear", "gbm") for i in range(3)]
    sys.path.insert(0, str(PLUGINS))
    try:
        module = importlib.import_module("hgb_family")
        if "hgb" not in families.names():
            importlib.reload(module)
        after = Study(ds, config=RunConfig(budget="quick", n_folds=3, families=("linear", "gbm", "hgb")))
        for s in (before, after):
            s.curve(sizes=[100, 200], n_seeds=1, n_boot=20)
            s.shift("region", max_groups=2)
        assert [task_seed(0, f, i) for f in ("linear", "gbm") for i in range(3)] == seeds
        for fam in ("linear", "gbm"):
            np.testing.assert_array_equal(before.comparison.split_scores(fam), after.comparison.split_scores(fam))
            np.testing.assert_array_equal(before.cached("curve").scores[fam], after.cached("curve").scores[fam])
        shift_before = {(r["family"], r["group"]): r["drop"] for r in before.cached("shift")}
        shift_after = {(r["family"], r["group"]): r["drop"] for r in after.cached("shift") if r["family"] != "hgb"}
        assert shift_before == shift_after and any(r["family"] == "hgb" for r in after.cached("shift"))
    finally:
        families.unregister("hgb")
        sys.path.remove(str(PLUGINS))


def test_a_registered_family_runs_in_every_analysis(hgb):
    from dllab.present import plots

    study = Study(load("penguins"), config=RunConfig(budget="quick", n_folds=3, families=("linear", "hgb")))
    cmp = study.comparison
    assert cmp.families == ["linear", "hgb"] and (cmp.overall["status"] == "ok").all()
    assert study.curve(sizes=[60, 120], n_seeds=1, n_boot=20).families == ["linear", "hgb"]
    rep = study.subgroups(shift="island", max_shift_groups=2, n_boot=50)
    assert list(rep.families) == ["linear", "hgb"] and {r["family"] for r in rep.shift} == {"linear", "hgb"}
    ex = study.explanation(max_rows=30, background=20, n_boot=20)
    assert list(ex.families) == ["linear", "hgb"] and ex.methods["hgb"].startswith("antithetic permutation")
    assert ex.additivity_max_error["hgb"] <= ex.additivity_tolerance["hgb"]
    v = study.verdict()
    assert list(v.families) == ["linear", "hgb"] and v.recommendation in ("linear", "gbm")
    fig = plots.comparison_figure(cmp)
    assert {t.name: t.marker.color for t in fig.data} == {"Linear model": families.color("linear"),
                                                         "Histogram boosting (scikit-learn)": families.color("hgb")}
    doc = study.to_dict()
    assert [m["name"] for m in doc["models"]] == ["linear", "hgb"] and doc["verdict"]["families"][1]["kind"] == "trees"
    assert "Histogram boosting (scikit-learn)" in study.to_html()


def test_plugin_option_runs_the_report_end_to_end(tmp_path):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(PLUGINS), str(ROOT)]), OMP_NUM_THREADS="1")
    out, js = tmp_path / "report.html", tmp_path / "report.json"
    proc = subprocess.run([sys.executable, "-m", "dllab", "report", "penguins", "--plugin", "hgb_family",
                           "--budget", "quick", "--families", "linear,gbm,hgb", "--out", str(out), "--json", str(js),
                           "--quiet"], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=600)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(js.read_text())
    assert [m["name"] for m in doc["models"]] == ["linear", "gbm", "hgb"]
    assert "hgb" in [m["name"] for m in doc["curve"]["models"]]
    assert "hgb" in doc["subgroups"]["families"]
    assert "hgb" in [m["name"] for m in doc["explanations"]["models"]]
    assert [f["name"] for f in doc["verdict"]["families"]] == ["linear", "gbm", "hgb"]
    assert "Histogram boosting (scikit-learn)" in out.read_text()
    # No file of the package had to change for it.
    assert not any("hgb" in p.read_text() or "Histogram boosting" in p.read_text()
                   for p in (ROOT / "dllab").rglob("*.py"))


def test_a_plugin_that_cannot_be_imported_is_one_clear_error(capsys):
    from dllab.apps.cli import main

    assert main(["compare", "penguins", "--plugin", "no_such_plugin_module"]) == 2
    err = capsys.readouterr().err
    assert "plugin module 'no_such_plugin_module' (from --plugin) could not be imported" in err
