"""Subgroup analysis: planted failure found, no false discoveries, metrics equal sklearn's, shift drop."""

import json
import pickle

import numpy as np
import pandas as pd
import pytest
from sklearn import metrics as skm

from dllab.analyses.comparison import _MISMATCH as _MISMATCH_TEXT
from dllab.analyses.comparison import Comparison, FitRecord
from dllab.config import RunConfig
from dllab.datasets import from_frame, load_builtin
from dllab.errors import ConfigError, DataError
from dllab.metrics import METRICS
from dllab.stats import benjamini_hochberg, bootstrap_ci
from dllab.engine.runner import compare
from dllab.engine.splits import make_splits
from dllab.analyses.subgroups import (Slice, default_shift_column, shift_conclusion, shift_plan, shift_summary,
                                      shift_test, slice_table, subgroup_report)
from dllab.analyses.subgroups._common import _BAD_INT, _UNKNOWN_COLUMN
from dllab.analyses.subgroups.report import _BAD_PAIR
from dllab.analyses.subgroups.shift import _FEW_GROUPS

QUICK_LINEAR = RunConfig(budget="quick", families=("linear",), n_folds=3, n_jobs=1)


def _fake_cmp(ds, preds: dict, *, n_repeats=1, n_folds=3):
    """A Comparison whose out-of-fold prediction of every row is given (per family, per repeat)."""
    splits = make_splits(ds.y, task=ds.task, n_folds=n_folds, n_repeats=n_repeats, random_state=0)
    recs = []
    for fam, per_repeat in preds.items():
        per_repeat = per_repeat if isinstance(per_repeat, list) else [per_repeat] * n_repeats
        for i, (tr, te) in enumerate(splits):
            rep, _ = splits.label(i)
            recs.append(FitRecord(family=fam, split=i, status="ok", test_idx=te,
                                  prediction=np.asarray(per_repeat[rep])[te], n_train=len(tr)))
    n_classes = None if ds.task == "regression" else len(ds.classes)
    return Comparison(recs, y=ds.y, task=ds.task, splits=splits, n_classes=n_classes)


def _proba(labels, k=2, confidence=0.8):
    p = np.full((len(labels), k), (1 - confidence) / (k - 1))
    p[np.arange(len(labels)), labels] = confidence
    return p


# --------------------------------------------------------------------------- planted subgroup
@pytest.fixture(scope="module")
def planted():
    ds = load_builtin("planted_subgroup", max_rows=3000)
    cmp = compare(ds, config=QUICK_LINEAR, keep_models=False)
    return ds, cmp, subgroup_report(cmp, ds, n_boot=200)


def test_planted_subgroup_is_the_linear_models_top_failure(planted):
    ds, cmp, report = planted
    top = report.worst("linear").iloc[0]
    conds = report.slices[int(top["slice"])].conditions
    by_col = {c["column"]: c for c in conds}
    assert set(by_col) == {"region", "age"} and len(conds) == 2
    assert by_col["region"]["op"] == "==" and by_col["region"]["value"] == "North"
    assert by_col["age"]["op"] == "<" and 24 <= by_col["age"]["value"] <= 28  # the right side of 25
    planted_rows = Slice(ds.meta["planted"]["conditions"]).mask(ds.frame)
    found = report.slices[int(top["slice"])].mask(ds.frame)
    assert (found & planted_rows).sum() / (found | planted_rows).sum() > 0.8  # the same rows
    assert top["significant"] and top["gap"] < -0.25 and top["q_value"] < 1e-6
    assert top["ci_high"] < report.overall.loc["linear", "ci_low"]


def test_json_contract_and_findings(planted):
    ds, cmp, report = planted
    d = json.loads(json.dumps(report.to_dict()))
    assert {"slices", "worst", "disagreement", "shift"} <= set(d)
    assert set(d["worst"]) == {"linear"} and d["worst"]["linear"][0]["description"].startswith("region = North")
    for s in d["slices"][:30]:
        assert set(s) >= {"description", "conditions", "size", "models", "significant"}
        assert set(s["models"]["linear"]) >= {"score", "ci_low", "ci_high", "gap"}
        assert Slice(s["conditions"]).mask(ds.frame).sum() == s["size"]  # conditions re-apply
    assert d["disagreement"] == [] and d["disagreement_pair"] is None  # one family only
    first = report.findings()[0]
    assert first.startswith("On rows with region = North and age < ") and "the linear model's accuracy" in first


def test_slice_scores_equal_sklearn_on_the_masked_rows(planted):
    ds, cmp, report = planted
    labels = cmp.oof["linear"][0].argmax(axis=1)
    f = report.frame.set_index("slice")
    for i in [0, 3, 7, len(report.slices) // 2, len(report.slices) - 1]:
        rows = report.slices[i].mask(ds.frame)
        r = f.loc[i]
        assert r["size"] == rows.sum()
        assert r["score"] == pytest.approx(skm.accuracy_score(ds.y[rows], labels[rows]), abs=1e-12)
        assert r["secondary"] == pytest.approx(skm.balanced_accuracy_score(ds.y[rows], labels[rows]), abs=1e-12)
        assert r["ci_low"] <= r["score"] <= r["ci_high"]
        _, lo, hi = bootstrap_ci(METRICS["accuracy"], ds.y[rows], cmp.oof["linear"][0][rows], n_boot=300)
        assert abs(r["ci_low"] - lo) < 0.03 and abs(r["ci_high"] - hi) < 0.03  # Poisson ≈ classic bootstrap


def test_heat_map_table(planted):
    ds, cmp, report = planted
    wide = slice_table(report, max_conditions=1)
    assert list(wide.columns) == ["size", "linear", "uncertain"]
    assert wide.loc["region = North", "linear"] == pytest.approx(
        report.frame.query("description == 'region = North'")["score"].iloc[0])
    ranked = slice_table(report, values="gap", sort_by="linear")
    assert ranked.index[0].startswith("region = North and age <")
    # what a figure needs to colour the table as the whole report, whichever rows it draws
    assert wide.attrs == {"metric": "accuracy", "values": "score",
                          "overall": {"linear": pytest.approx(report.overall.loc["linear", "score"])}}


# --------------------------------------------------------------------------- no false discoveries
@pytest.mark.parametrize("seed", range(5))
def test_shuffled_labels_give_no_significant_slice(seed):
    frame = load_builtin("planted_subgroup", max_rows=1500).frame.copy()
    frame["target"] = np.random.default_rng(seed).permutation(frame["target"].to_numpy())
    ds = from_frame(frame, target="target", name="shuffled")
    rng = np.random.default_rng(100 + seed)  # predictions that know nothing about the labels or the rows
    p1, p2 = rng.uniform(0.2, 0.8, (2, len(ds.y)))  # two exchangeable families: no true disagreement either
    cmp = _fake_cmp(ds, {"linear": np.c_[1 - p1, p1], "gbm": np.c_[1 - p2, p2]})
    report = subgroup_report(cmp, ds, n_boot=50, random_state=seed)
    assert not report.frame["significant"].any()
    assert not report.disagreement_table()["significant"].any()
    assert all(report.worst(f).empty for f in report.families)


def test_shuffled_labels_with_a_real_model():
    frame = load_builtin("planted_subgroup", max_rows=1500).frame.copy()
    frame["target"] = np.random.default_rng(7).permutation(frame["target"].to_numpy())
    ds = from_frame(frame, target="target", name="shuffled")
    report = subgroup_report(compare(ds, config=QUICK_LINEAR, keep_models=False), ds, n_boot=50)
    assert not report.frame["significant"].any()


def test_tiny_slices_are_uncertain_never_significant():
    rng = np.random.default_rng(0)
    n = 600
    site = np.where(np.arange(n) < 8, "tiny", np.where(np.arange(n) < 208, "big", "rest"))
    df = pd.DataFrame({"x": rng.normal(size=n), "site": site, "target": rng.integers(0, 2, n)})
    ds = from_frame(df, target="target", exclude=["site"])
    assert ds.roles["site"] == "excluded"
    wrong = (site != "rest")  # always wrong on 'tiny' (8 rows) and 'big' (200 rows)
    labels = np.where(wrong, 1 - ds.y, ds.y)
    report = subgroup_report(_fake_cmp(ds, {"linear": _proba(labels)}), ds, groups=["site"], min_size=30)
    f = report.frame.set_index("description")
    assert f.loc["site = tiny", "uncertain"] and not f.loc["site = tiny", "significant"]
    assert f.loc["site = tiny", "score"] == 0.0 and np.isnan(f.loc["site = tiny", "p_value"])
    assert f.loc["site = big", "significant"] and not f.loc["site = big", "uncertain"]
    worst = report.worst("linear")["description"].tolist()
    assert worst[0] == "site = big" and "site = tiny" not in worst
    d = report.to_dict()
    tiny = next(s for s in d["slices"] if s["description"] == "site = tiny")
    assert tiny["uncertain"] and not tiny["significant"]


def test_benjamini_hochberg_matches_the_step_up_rule():
    p = np.array([0.001, 0.008, 0.039, 0.041, 0.042, 0.06, 0.074, 0.205, np.nan])
    q = benjamini_hochberg(p)
    assert np.isnan(q[-1])
    assert (q[:-1] < 0.05).sum() == 2  # the textbook example: two discoveries at 5%
    assert q[0] == pytest.approx(0.008) and q[1] == pytest.approx(0.008 * 8 / 2)  # min over later steps


# --------------------------------------------------------------------------- disagreement, repeats, regression
def test_disagreement_finds_where_one_family_is_worse():
    rng = np.random.default_rng(1)
    n = 900
    df = pd.DataFrame({"g": rng.choice(["a", "b", "c"], n), "x": rng.normal(size=n),
                       "target": rng.integers(0, 2, n)})
    ds = from_frame(df, target="target")
    y, g = ds.y, ds.frame["g"].to_numpy()
    good = _proba(y, confidence=0.8)
    bad_in_b = np.where((g == "b")[:, None], _proba(y, confidence=0.4), good)
    cmp = _fake_cmp(ds, {"linear": good, "gbm": bad_in_b})
    report = subgroup_report(cmp, ds, n_boot=50)
    assert report.pair == ("gbm", "linear")
    above = report.disagreement(direction="above")
    assert above.iloc[0]["description"] == "g = b"
    expected = np.log(0.8) - np.log(0.4)  # per-row log loss of gbm minus linear on g = b
    assert above.iloc[0]["mean_diff"] == pytest.approx(expected)
    assert report.disagreement(direction="below").empty
    d = report.to_dict()["disagreement"][0]
    assert d["a"] == "gbm" and d["b"] == "linear" and d["direction"] == "above" and d["loss"] == "log_loss"


def test_repeats_are_averaged_per_row():
    rng = np.random.default_rng(2)
    n = 400
    df = pd.DataFrame({"g": rng.choice(["a", "b"], n), "target": rng.integers(0, 3, n)})
    ds = from_frame(df, target="target", task="multiclass")
    reps = [_proba(rng.integers(0, 3, n), k=3), _proba(np.where(rng.random(n) < 0.7, ds.y, 0), k=3)]
    cmp = _fake_cmp(ds, {"linear": reps}, n_repeats=2)
    report = subgroup_report(cmp, ds, n_boot=50, max_conditions=1)
    rows = Slice([{"column": "g", "op": "==", "value": "b"}]).mask(ds.frame)
    row = report.frame.query("description == 'g = b'").iloc[0]
    accs = [skm.accuracy_score(ds.y[rows], p[rows].argmax(1)) for p in reps]
    bals = [skm.balanced_accuracy_score(ds.y[rows], p[rows].argmax(1)) for p in reps]
    assert row["score"] == pytest.approx(np.mean(accs)) and row["secondary"] == pytest.approx(np.mean(bals))


def test_regression_slices_equal_sklearn():
    rng = np.random.default_rng(3)
    n = 600
    df = pd.DataFrame({"a": rng.normal(size=n), "b": rng.uniform(size=n)})
    df["target"] = 2 * df.a + np.sin(3 * df.b) + rng.normal(scale=0.3, size=n)
    ds = from_frame(df, target="target")
    pred = ds.y + rng.normal(scale=np.where(ds.frame["a"].to_numpy() > 0.8, 2.0, 0.3))  # bad for large a
    report = subgroup_report(_fake_cmp(ds, {"gbm": pred}), ds, n_boot=50)
    assert report.metric == "rmse" and report.secondary_metric == "mae" and not report.higher_is_better
    for i, s in enumerate(report.slices[:6]):
        rows = s.mask(ds.frame)
        r = report.frame.set_index("slice").loc[i]
        assert r["score"] == pytest.approx(skm.root_mean_squared_error(ds.y[rows], pred[rows]))
        assert r["secondary"] == pytest.approx(skm.mean_absolute_error(ds.y[rows], pred[rows]))
        assert np.sign(r["gap"]) == -np.sign(r["score"] - report.overall.loc["gbm", "score"])  # negative = worse
    assert report.worst("gbm").iloc[0]["description"].startswith("a ≥")


def test_a_failed_fit_leaves_its_rows_out_for_that_model_only(binary_ds):
    ds = binary_ds
    cmp = _fake_cmp(ds, {"linear": _proba(ds.y), "gbm": _proba(1 - ds.y)})
    failed = next(r for r in cmp.records if r.family == "gbm" and r.split == 1)
    failed.status, failed.prediction, failed.reason = "failed", None, "ValueError: boom"
    cmp = Comparison(cmp.records, y=ds.y, task="binary", splits=cmp.splits, n_classes=2)
    report = subgroup_report(cmp, ds, n_boot=20, max_conditions=1)
    o = report.overall
    assert o.loc["gbm", "n"] == ds.n_rows - len(failed.test_idx) and o.loc["linear", "n"] == ds.n_rows
    assert o.loc["gbm", "score"] == 0.0 and o.loc["linear", "score"] == 1.0


def test_same_seed_same_intervals_and_pickles(binary_ds):
    ds = binary_ds
    cmp = _fake_cmp(ds, {"linear": _proba(np.random.default_rng(0).integers(0, 2, ds.n_rows))})
    a = subgroup_report(cmp, ds, n_boot=50, random_state=4)
    b = subgroup_report(cmp, ds, n_boot=50, random_state=4)
    pd.testing.assert_frame_equal(a.frame, b.frame)
    c = subgroup_report(cmp, ds, n_boot=50, random_state=5)
    assert not np.allclose(a.frame.ci_low.fillna(0), c.frame.ci_low.fillna(0))  # the seed is used
    restored = pickle.loads(pickle.dumps(a))  # Streamlit's cache_data pickles results
    assert restored.to_dict() == a.to_dict() and restored.slices == a.slices
    with pytest.raises(AttributeError):
        a.slices[0].description = "changed"  # read-only


# --------------------------------------------------------------------------- bad input
def test_bad_inputs_name_the_value(binary_ds, regression_ds, message_re):
    cmp = _fake_cmp(binary_ds, {"linear": _proba(binary_ds.y)})
    with pytest.raises(DataError, match=message_re(_MISMATCH_TEXT)):
        subgroup_report(cmp, regression_ds)
    with pytest.raises(DataError, match=message_re(_UNKNOWN_COLUMN)):
        subgroup_report(cmp, binary_ds, groups=["nope"])
    with pytest.raises(ConfigError, match=message_re(_BAD_INT)):
        subgroup_report(cmp, binary_ds, max_conditions=3)
    with pytest.raises(DataError, match=message_re(_UNKNOWN_COLUMN)):
        shift_test(binary_ds, column="nope", config=QUICK_LINEAR)
    with pytest.raises(ConfigError, match=message_re(_BAD_PAIR)):
        subgroup_report(cmp, binary_ds, pair=("deep", "linear"))


# --------------------------------------------------------------------------- shift test
def _two_rule_data(n=600, seed=0):
    rng = np.random.default_rng(seed)
    site = rng.choice(["a", "b", "c"], n, p=[0.4, 0.35, 0.25])
    x = rng.normal(size=n)
    rule = np.where(site == "c", -x, x)  # site c follows the opposite rule
    target = np.where(rng.random(n) < 1 / (1 + np.exp(-4 * rule)), "yes", "no")
    return pd.DataFrame({"x": x, "noise": rng.normal(size=n), "site": site, "target": target})


def test_shift_test_held_out_group_drops():
    ds = from_frame(_two_rule_data(), target="target", exclude=["site"])
    rows = shift_test(ds, column="site", config=QUICK_LINEAR)
    assert sorted(r["group"] for r in rows) == ["site = a", "site = b", "site = c"]
    assert [r["size"] for r in rows] == sorted((r["size"] for r in rows), reverse=True)  # largest first
    by = {r["group"]: r for r in rows}
    c = by["site = c"]
    assert c["status"] == "ok" and c["family"] == "linear" and c["metric"] == "accuracy"
    assert c["shift_score"] < 0.3 and c["random_score"] > 0.55  # trained on a and b, c is reversed
    assert c["drop"] == pytest.approx(c["random_score"] - c["shift_score"]) and c["drop"] > 0.3
    assert c["drop"] > by["site = a"]["drop"] + 0.2
    assert 0 < c["drop_ci_low"] < c["drop"] < c["drop_ci_high"]
    # the drop is tested against noise, corrected over every (group, family) of the test
    assert c["drop_q"] < 0.001 and c["beyond_noise"]
    assert [r["drop_q"] for r in rows] == pytest.approx(benjamini_hochberg([r["drop_p"] for r in rows]).tolist())
    report = subgroup_report(_fake_cmp(ds, {"linear": _proba(ds.y)}), ds, shift=rows, n_boot=20)
    said = [f for f in report.findings() if f.startswith("Holding out each group of site")]
    assert said == [shift_conclusion(rows)]
    assert "the linear model drops most: trained without site = c and tested on it" in said[0]
    assert f"({c['size']:,} rows)" in said[0] and f"{c['shift_score']:.1%} against {c['random_score']:.1%}" in said[0]
    assert said[0].endswith("beyond noise, even after correcting for the 3 comparisons made.")
    assert c["size"] == (ds.frame["site"] == "c").sum() and c["n_train"] == ds.n_rows - c["size"]
    json.dumps(rows)


def test_shift_test_notes_missing_classes_and_few_groups(message_re):
    df = _two_rule_data(300, seed=1)
    # batch p holds every 'yes' row; q and r split the 'no' rows
    df["batch"] = np.where(df["target"] == "yes", "p", np.where(np.arange(len(df)) % 2 == 0, "q", "r"))
    ds = from_frame(df, target="target", exclude=["site", "batch"])
    rows = {r["group"]: r for r in shift_test(ds, column="batch", config=QUICK_LINEAR)}
    p, q = rows["batch = p"], rows["batch = q"]
    assert p["status"] == "failed" and "at least 2 classes" in p["reason"] and p["drop"] is None
    assert "the training rows have no class(es) 'yes'" in p["note"]
    assert q["status"] == "ok" and "the held-out group has no rows of class(es) 'yes'" in q["note"]
    assert q["shift_score"] is not None and q["drop"] == pytest.approx(q["random_score"] - q["shift_score"])
    with pytest.raises(DataError, match=message_re(_FEW_GROUPS)):
        shift_test(ds, column="batch", config=QUICK_LINEAR, min_size=290)


# --------------------------------------------------------------------------- shift: default column, cost, words
def _titanic_like(n=300, seed=0):
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "PassengerId": np.arange(1, n + 1),                               # identifier (counts the rows)
        "Name": [f"Passenger Number{i}, Mr. Given Name" for i in range(n)],  # mostly distinct strings
        "Sex": rng.choice(["male", "female"], n),                         # 2 groups
        "Pclass": rng.choice([1, 2, 3], n, p=[0.3, 0.3, 0.4]),            # numeric, 3 values: 3 groups
        "Embarked": rng.choice(["S", "C", "Q"], n, p=[0.7, 0.2, 0.1]),    # 3 groups, the smallest ~30
        "Fare": rng.lognormal(3, 1, n),                                   # continuous: as many values as rows
        "Age": rng.integers(1, 80, n).astype(float),                      # numeric, binned
        "target": rng.integers(0, 2, n)})


def test_default_shift_column_is_a_population_never_an_identifier():
    ds = from_frame(_titanic_like(), target="target")
    assert ds.roles["PassengerId"] == "identifier" and ds.roles["Name"] == "identifier"
    # categorical or few-valued numeric first; then most groups; then the largest smallest group
    assert default_shift_column(ds) == "Pclass"
    only = from_frame(_titanic_like()[["PassengerId", "Name", "Fare", "target"]], target="target")
    assert default_shift_column(only) is None  # an identifier, names and a column with a value per row
    binned = from_frame(_titanic_like()[["PassengerId", "Fare", "Age", "target"]], target="target")
    assert default_shift_column(binned) == "Age"  # no category: a numeric column, binned
    assert default_shift_column(load_builtin("digits", max_rows=300)) is None  # pixels are no population


def test_shift_plan_counts_fits_and_scales_the_comparisons_time():
    ds = from_frame(_titanic_like(), target="target")
    fake = _fake_cmp(ds, {"linear": _proba(ds.y), "gbm": _proba(ds.y)})
    for r in fake.records:  # 3 folds of 200 training rows: linear 0.2 s, gbm 1 s per fit
        r.fit_seconds = 0.2 if r.family == "linear" else 1.0
    fake.wall_seconds = 0.5 * sum(r.fit_seconds for r in fake.records)  # two workers in parallel
    plan = shift_plan(ds, "Pclass", families=("linear", "gbm"), comparison=fake)
    sizes = ds.frame["Pclass"].value_counts().tolist()
    assert plan["groups"] == [f"Pclass = {v}" for v in ds.frame["Pclass"].value_counts().index]
    assert plan["sizes"] == sizes and plan["n_fits"] == 2 * 3 * 2 and plan["max_fits"] == 2 * 5 * 2
    per_row = 0.2 / 200 + 1.0 / 200
    assert plan["seconds"] == pytest.approx(0.5 * per_row * sum(2 * (ds.n_rows - s) for s in sizes))
    assert shift_plan(ds, "Pclass", families=("linear",))["seconds"] is None  # no comparison: no estimate


def _row(group, family, drop, lo, hi, *, beyond, size=100):
    return {"column": "port", "group": group, "size": size, "family": family, "metric": "accuracy", "status": "ok",
            "shift_score": 0.8 - drop, "random_score": 0.8, "drop": drop, "drop_ci_low": lo, "drop_ci_high": hi,
            "beyond_noise": beyond}


def test_shift_conclusion_names_the_family_that_drops_most_with_its_interval():
    rows = [_row("port = S", "linear", 0.02, -0.03, 0.07, beyond=False),
            _row("port = S", "gbm", 0.01, -0.04, 0.06, beyond=False),
            _row("port = Q", "linear", 0.04, -0.02, 0.10, beyond=False, size=60),
            _row("port = Q", "gbm", 0.15, 0.03, 0.27, beyond=True, size=60)]
    s = shift_summary(rows)
    assert s["most"] == "gbm" and s["families"]["gbm"]["group"] == "port = Q" and s["n_groups"] == 2
    assert s["families"]["linear"]["drop"] == 0.04 and s["families"]["gbm"]["n_beyond_noise"] == 1
    assert shift_conclusion(rows) == (
        "Holding out each group of port in turn (2 groups), XGBoost drops most: trained without port = Q and "
        "tested on it (60 rows), its accuracy is 65.0% against 80.0% on a random split of the same size, 15.0 points "
        "lower (95% CI +3.0 to +27.0 points): beyond noise, even after correcting for the 4 comparisons made. "
        "Of the others, the linear model drops at most 4.0 points, on port = Q (95% CI -2.0 to +10.0 points, within "
        "noise).")
    within = [dict(r, beyond_noise=False) for r in rows]
    assert "15.0 points lower (95% CI +3.0 to +27.0 points): within noise" in shift_conclusion(within)
    better = [dict(r, drop=-abs(r["drop"])) for r in rows]
    assert shift_conclusion(better).startswith("No model scores worse on a held-out group of port")
    failed = [dict(r, status="failed", drop=None) for r in rows]
    assert shift_conclusion(failed).startswith("The shift test on port has no scores: every fit failed")
    assert shift_conclusion([]) == "" and shift_summary(failed) is None


def test_heat_map_scale_is_centred_on_the_overall_score_whatever_the_rows_drawn():
    from dllab.present import plots

    rng = np.random.default_rng(3)
    n = 600
    df = pd.DataFrame({"a": rng.normal(size=n), "g": rng.choice(list("pqrs"), n)})
    df["target"] = 2 * df.a + rng.normal(scale=0.3, size=n)
    ds = from_frame(df, target="target")
    report = subgroup_report(_fake_cmp(ds, {"gbm": ds.y + rng.normal(scale=0.5, size=n)}), ds, n_boot=20)
    table = slice_table(report, max_conditions=1)
    full, part = (plots.slice_heatmap_figure(t, metric="rmse").data[0] for t in (table, table.iloc[:3]))
    overall = report.overall.loc["gbm", "score"]
    # RMSE has no upper bound: half of the overall score either side, lower (better) drawn purple
    assert full.zmid == part.zmid == pytest.approx(overall)
    assert (full.zmin, full.zmax) == (part.zmin, part.zmax)
    assert (full.zmin, full.zmax) == (pytest.approx(overall / 2), pytest.approx(1.5 * overall))
    assert full.reversescale is True and full.colorbar.ticktext[2].endswith("all rows")
