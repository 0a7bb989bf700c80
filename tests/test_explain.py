"""SHAP explanations: known drivers first, additivity per family, source-column sums, seeds; contributions in
probability; finding rows by identifier or value; the what-if editor's predictions and messages."""

import json

import numpy as np
import pandas as pd
import pytest

from dllab.analyses.comparison import _MISMATCH as _MISMATCH_TEXT
from dllab.analyses.comparison import Comparison
from dllab.datasets.dataset import Dataset
from dllab.errors import ConfigError, DataError
from dllab.analyses.explain import (_BAD_CLASS, _BAD_FAMILIES, _BAD_ROW, _BAD_SPLIT, _BAD_UNITS, _NO_CLASSES, _NO_MODEL,
                                    _NOT_IMAGES, BASE_ROW, OUTPUT_ROW, PROBABILITY, VALUE_COLUMN, Condition,
                                    deep_evals_per_row, explain, find_by_identifier, matching_rows, operators_for,
                                    to_probability)
from dllab.analyses.explain import search as search_module
from dllab.analyses.explain import whatif as whatif_module
from dllab.families import default_families
from dllab.engine.runner import Task, run_tasks, task_seed
from dllab.engine.splits import make_splits
from image_runs import digits_run, signal_run

FAMILIES = default_families()  # the tabular families

# "Near zero": a useless column's mean |SHAP| below this share of the top column's.
USELESS_SHARE_OF_TOP = 0.10


def _frame(task, n=300, seed=0, with_date=False):
    """Only ``a`` and ``b`` drive the target; ``useless``, ``colour`` (and ``when``) do not."""
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({"useless": rng.normal(size=n), "a": rng.normal(size=n),
                       "colour": rng.choice(["red", "green", "blue"], n), "b": rng.normal(size=n)})
    if with_date:
        df["when"] = pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.integers(0, 900, n), unit="D")
        df.loc[::7, "useless"] = np.nan  # a column with missing values: the what-if may leave it empty
    s = 2 * df.a - 2 * df.b
    if task == "binary":
        df["target"] = np.where(rng.random(n) < 1 / (1 + np.exp(-2 * s)), "yes", "no")
    elif task == "multiclass":
        df["target"] = np.select([s < -1, s > 1], ["lo", "hi"], "mid")
    else:
        df["target"] = s + 0.1 * rng.normal(size=n)
    roles = {"useless": "numeric", "a": "numeric", "colour": "categorical", "b": "numeric"}
    if with_date:  # the binary frame also has identifiers (not model inputs) to find rows by
        roles["when"] = "datetime"
        df["cabin"] = [f"C{i % 20}" for i in range(n)]  # shared by several rows: it cannot name one
        df["passenger"] = np.arange(100, 100 + n)
        df["name"] = [f"Person {i} {'Smith' if i % 10 == 0 else 'Jones'}" for i in range(n)]
        roles.update(cabin="identifier", passenger="identifier", name="identifier")
    return Dataset(frame=df, target="target", task=task, roles=roles, name=f"two-drivers-{task}")


def _one_split_comparison(ds):
    """What ``compare(ds, RunConfig(budget="quick", n_folds=2))`` keeps, for split 0 only (half the fits)."""
    splits = make_splits(ds.y, task=ds.task, n_folds=2, random_state=0)
    tr, te = splits[0]
    tasks = [Task(family=f, split=0, train_idx=tr, test_idx=te, seed=task_seed(0, f, 0)) for f in FAMILIES]
    records = run_tasks(tasks, ds.X, ds.y, problem=ds.task, budget="quick", device="cpu")
    assert all(r.ok for r in records), [r.reason for r in records]
    return Comparison(records, y=ds.y, task=ds.task, splits=splits,
                      n_classes=None if ds.classes is None else len(ds.classes))


@pytest.fixture(scope="module")
def fitted():
    out = {}
    for task in ("binary", "multiclass", "regression"):
        # regression gets more rows: on 150 training rows XGBoost spends ~12% of its splits' worth on noise
        ds = _frame(task, n=600 if task == "regression" else 300, with_date=task == "binary")
        out[task] = ds, _one_split_comparison(ds)
    return out


@pytest.fixture(scope="module")
def explained(fitted):
    return {task: explain(cmp, ds, max_rows=150, background=60, n_boot=50, random_state=0)
            for task, (ds, cmp) in fitted.items()}


def _stored_output(cmp, ds, ex, family):
    """The comparison's own test predictions mapped to the output space (an independent reference)."""
    rec = next(r for r in cmp.records if r.family == family and r.split == 0)
    where = pd.Series(np.arange(len(rec.test_idx)), index=rec.test_idx)
    rows = ex.values(family).index
    pred = rec.prediction[where.loc[rows].to_numpy()]
    if ds.task == "regression":
        return pred[:, None]
    logp = np.log(np.clip(pred, 1e-300, 1))
    if ds.task == "binary":
        return (logp[:, 1] - logp[:, 0])[:, None]
    return logp - logp.mean(axis=1, keepdims=True)


# =========================================================================== evidence
@pytest.mark.parametrize("task", ["binary", "multiclass", "regression"])
def test_the_two_drivers_rank_first_for_every_family(explained, task):
    ex = explained[task]
    assert ex.families == ["linear", "gbm", "deep"]
    for fam in ex.families:
        top2 = set(ex.importance[fam].nlargest(2).index)
        assert top2 == {"a", "b"}, (fam, ex.importance[fam].to_dict())


def test_useless_column_importance_is_near_zero(explained):
    ex = explained["regression"]
    for fam in ex.families:
        imp = ex.importance[fam]
        assert imp["useless"] < USELESS_SHARE_OF_TOP * imp.max(), (fam, imp.to_dict())
        assert imp["colour"] < USELESS_SHARE_OF_TOP * imp.max(), (fam, imp.to_dict())


@pytest.mark.parametrize("task", ["binary", "multiclass", "regression"])
def test_additivity_holds_for_every_family(fitted, explained, task):
    ds, cmp = fitted[task]
    ex = explained[task]
    for fam in ex.families:
        assert ex.additivity_max_error[fam] <= ex.additivity_tolerance[fam], fam
        # base + contributions = the comparison's own stored prediction, in the output space
        ref = _stored_output(cmp, ds, ex, fam)
        for k in range(ref.shape[1]):
            cls = None if ds.task != "multiclass" else k
            total = ex.base_values(fam, target_class=cls) + ex.values(fam, target_class=cls).sum(axis=1)
            tol = 1e-3 * max(1.0, float(np.abs(ref).max()))
            np.testing.assert_allclose(total.to_numpy(), ref[:, k], atol=tol, err_msg=f"{fam} class {k}")


def test_linear_categorical_column_is_the_sum_of_its_one_hot_parts(fitted, explained):
    ds, cmp = fitted["binary"]
    ex = explained["binary"]
    model = cmp.models("linear")[0]
    prep, lin = model.pipeline_[0], model.pipeline_[-1]
    names = list(prep.get_feature_names_out())
    onehot = [i for i, n in enumerate(names) if n.startswith("colour_")]
    assert len(onehot) == 3  # red, green, blue

    def transform(rows):
        X = ds.X.iloc[rows].copy()
        X["colour"] = X["colour"].astype(object)
        return prep.transform(X)

    z, zb = transform(ex.rows), transform(ex.background_rows)
    by_hand = sum(lin.coef_[0][i] * (z[:, i] - zb[:, i].mean()) for i in onehot)
    np.testing.assert_allclose(ex.values("linear")["colour"].to_numpy(), by_hand, atol=1e-10)


def test_gbm_datetime_column_is_the_sum_of_its_parts(fitted, explained):
    import xgboost as xgb

    ds, cmp = fitted["binary"]
    ex = explained["binary"]
    est = cmp.models("gbm")[0].model_
    X = ds.X.iloc[ex.rows]
    parts = [i for i, c in enumerate(X.columns) if c.startswith("when.")]
    assert len(parts) == 4
    contrib = est.get_booster().predict(
        xgb.DMatrix(X.set_axis([f"f{i}" for i in range(X.shape[1])], axis=1), enable_categorical=True),
        pred_contribs=True, iteration_range=(0, est.best_iteration + 1))
    np.testing.assert_allclose(ex.values("gbm")["when"].to_numpy(), contrib[:, parts].sum(axis=1), rtol=1e-6)
    assert list(ex.values("gbm").columns) == ds.feature_columns  # user's columns, not model inputs


def test_deep_rows_are_capped_by_the_evaluation_budget(fitted):
    ds, cmp = fitted["regression"]
    per_row = deep_evals_per_row(len(ds.feature_columns), 2)
    ex = explain(cmp, ds, max_rows=100, n_boot=20, n_permutations=2, max_evals=30 * per_row,
                 families=["deep", "linear"])
    assert ex.n_rows == {"linear": 100, "deep": 30}
    assert set(ex.values("deep").index) <= set(ex.shown_rows.index)
    assert len(ex.local_rows) == 30
    assert ex.additivity_max_error["deep"] <= ex.additivity_tolerance["deep"]


def test_same_seed_same_explanation(fitted, explained):
    ds, cmp = fitted["binary"]
    again = explain(cmp, ds, max_rows=150, background=60, n_boot=50, random_state=0)
    first = explained["binary"]
    np.testing.assert_array_equal(again.rows, first.rows)
    for fam in first.families:
        pd.testing.assert_frame_equal(again.values(fam), first.values(fam))
    pd.testing.assert_frame_equal(again.importance_low, first.importance_low)
    other = explain(cmp, ds, max_rows=150, background=60, n_boot=50, random_state=1, families=["linear"])
    assert not np.array_equal(other.background_rows, first.background_rows)


# =========================================================================== views
def test_importance_band_contains_the_estimate(explained):
    ex = explained["binary"]
    assert (ex.importance_low <= ex.importance + 1e-12).all().all()
    assert (ex.importance <= ex.importance_high + 1e-12).all().all()
    assert np.allclose(ex.shares.sum(axis=0), 1.0)


def test_local_puts_the_families_side_by_side(explained):
    ex = explained["multiclass"]
    loc = ex.local(0)
    assert list(loc.columns) == [VALUE_COLUMN, *ex.families]
    assert list(loc.index) == ex.columns + [BASE_ROW, OUTPUT_ROW]
    row = loc.attrs["row"]
    assert loc.loc["colour", VALUE_COLUMN] == ex.shown_rows.loc[row, "colour"]
    for fam in ex.families:
        np.testing.assert_allclose(loc[fam].iloc[:-2].sum() + loc.loc[BASE_ROW, fam], loc.loc[OUTPUT_ROW, fam],
                                   rtol=1e-3, atol=1e-3)


def test_values_align_with_shown_rows(explained):
    ex = explained["multiclass"]
    v = ex.values("gbm")
    assert v.shape == (150, 4) and v.index.equals(ex.shown_rows.index)
    assert list(ex.shown_rows.columns) == ex.columns
    assert ex.values("gbm", target_class=2).shape == v.shape


def test_to_dict_has_the_contract_keys(explained):
    ex = explained["binary"]
    d = json.loads(json.dumps(ex.to_dict()))
    assert {"models", "agreement", "rows_explained"} <= set(d)
    assert d["rows_explained"] == 150
    assert set(d["agreement"]) == {"deep~gbm", "deep~linear", "gbm~linear"}
    for m in d["models"]:
        assert {"name", "importance", "seconds", "additivity_max_error"} <= set(m)
        assert set(m["importance"]) == {"useless", "a", "colour", "b", "when"}
        assert m["seconds"] > 0
    rho = d["agreement"]["deep~gbm"]
    assert rho is None or -1 <= rho <= 1


def test_statements_name_the_families_and_columns():
    ex = _stub_explanation()
    words = ex.statements()
    assert words[0] == "boosting and the deep net agree on the top 2 features (rank correlation 1.00)"
    assert any(w.startswith("the linear model relies on “c” far more") for w in words), words
    assert not any("`" in w for w in words)  # plain words: the app and the report show them as they are


def _stub_explanation():
    from dllab.analyses.explain import Explanation

    ex = Explanation.__new__(Explanation)
    ex.families = ["linear", "gbm", "deep"]
    ex.columns = ["a", "b", "c", "d"]
    ex.importance = pd.DataFrame({"linear": [1.0, 0.5, 3.0, 0.0], "gbm": [2.0, 1.0, 0.2, 0.1],
                                  "deep": [2.0, 1.0, 0.3, 0.05]}, index=ex.columns)
    ex._agreement()
    return ex


# =========================================================================== probability
def _model_proba(cmp, ds, ex, family):
    """The comparison's stored test probabilities of the rows ``family`` explained (an independent reference)."""
    rec = next(r for r in cmp.records if r.family == family and r.split == 0)
    where = pd.Series(np.arange(len(rec.test_idx)), index=rec.test_idx)
    return rec.prediction[where.loc[ex.values(family).index].to_numpy()]


@pytest.mark.parametrize("task", ["binary", "multiclass"])
def test_probability_contributions_add_up_to_each_models_probability(fitted, explained, task):
    ds, cmp = fitted[task]
    ex = explained[task]
    assert ex.units == (PROBABILITY, "output")
    for fam in ex.families:
        proba = _model_proba(cmp, ds, ex, fam)
        for k in ([1] if task == "binary" else range(3)):
            cls = None if task == "binary" else k
            total = (ex.base_values(fam, target_class=cls, units=PROBABILITY)
                     + ex.values(fam, target_class=cls, units=PROBABILITY).sum(axis=1))
            out = ex.outputs(fam, target_class=cls, units=PROBABILITY)
            np.testing.assert_allclose(out.to_numpy(), proba[:, k], atol=1e-5, err_msg=f"{fam} class {k}")
            # base + contributions = the model's probability, up to the log-odds additivity error
            np.testing.assert_allclose(total.to_numpy(), proba[:, k], atol=ex.additivity_tolerance[fam])


def test_binary_probability_keeps_each_contributions_sign_and_rank(explained):
    ex = explained["binary"]
    for fam in ex.families:
        logodds, prob = ex.values(fam), ex.values(fam, units=PROBABILITY)
        factor = prob / logodds.where(logodds.abs() > 1e-9)
        # one factor per row (the sigmoid's secant slope), positive and at most 1/4 (the sigmoid's steepest)
        spread = factor.max(axis=1) - factor.min(axis=1)
        assert float(spread.max()) < 1e-9 and float(factor.min().min()) > 0 and float(factor.max().max()) <= 0.25
        np.testing.assert_array_equal(np.sign(prob.to_numpy()), np.sign(logodds.to_numpy()))


def test_to_probability_by_hand():
    # two classes: log-odds 0 -> 1 (columns +1.0 and -0.5 from base 0.5), scaled by (p(1) - p(0.5)) / 0.5
    phi = np.array([[1.0, -0.5]])
    p_phi, p_base, p_out = to_probability(phi, np.array([0.5]), np.array([1.0]))
    sig = lambda z: 1 / (1 + np.exp(-z))  # noqa: E731
    np.testing.assert_allclose(p_phi, phi * (sig(1.0) - sig(0.5)) / 0.5)
    assert p_base[0] == pytest.approx(sig(0.5)) and p_out[0] == pytest.approx(sig(1.0))
    # no change in log-odds: the sigmoid's slope at the base is the factor (no division by zero)
    flat, _, _ = to_probability(np.array([[0.3, -0.3]]), np.array([0.0]), np.array([0.0]))
    np.testing.assert_allclose(flat, [[0.075, -0.075]])
    # two classes written as a softmax of centred log-probabilities give the same numbers
    rng = np.random.default_rng(0)
    lo, base = rng.normal(size=(30, 4)), rng.normal(size=30)
    soft, _, _ = to_probability(np.stack([-lo / 2, lo / 2], axis=2), np.stack([-base / 2, base / 2], axis=1),
                                np.zeros((30, 2)))
    np.testing.assert_allclose(soft[:, :, 1], to_probability(lo, base, base)[0], atol=1e-12)
    # several classes, large moves: the path integral still adds up
    phi3 = rng.normal(scale=8, size=(20, 5, 4))
    b3 = rng.normal(size=(20, 4))
    c, pb, po = to_probability(phi3, b3, b3 + phi3.sum(axis=1))
    np.testing.assert_allclose(pb + c.sum(axis=1), po, atol=1e-6)


def test_probability_importance_and_words(fitted, explained):
    ex = explained["binary"]
    imp, low, high = ex.importance_in(PROBABILITY)
    assert list(imp.columns) == ex.families and list(imp.index) == ex.columns
    assert (low <= imp + 1e-12).all().all() and (imp <= high + 1e-12).all().all()
    assert float(imp.max().max()) < 0.6  # probability points, not log-odds
    assert set(imp["linear"].nlargest(2).index) == {"a", "b"}
    assert ex.outcome() == "target = yes" and ex.describe(PROBABILITY) == "probability of target = yes"
    assert ex.describe() == "log-odds of target = yes" and ex.unit_label() == "log-odds"
    multi = explained["multiclass"]
    assert multi.describe(PROBABILITY, 0) == "probability of target = hi"
    assert multi.describe() == "log-probability of the predicted class"
    reg = explained["regression"]
    assert reg.units == ("output",) and reg.describe() == "predicted target"
    assert reg.predictions().shape == (150, 3)


def test_regression_has_no_probability(explained, message_re):
    ex = explained["regression"]
    with pytest.raises(ConfigError, match=message_re(_BAD_UNITS)):
        ex.values("linear", units=PROBABILITY)
    with pytest.raises(ConfigError, match=message_re(_BAD_UNITS)):
        ex.importance_in(PROBABILITY)


# =========================================================================== finding rows
def test_rows_are_named_by_their_first_identifier(fitted, explained):
    ds, _ = fitted["binary"]
    ex = explained["binary"]
    row = int(ex.local_rows[3])
    assert ex.identifier_columns == ["cabin", "passenger", "name"]
    assert ex.name_column == "passenger"  # the first identifier with one row each (not the shared cabin)
    assert ex.row_name(row) == f"passenger {100 + row}"
    assert explained["regression"].row_name(5) == "row 6"  # no identifier: counted from 1


def test_find_by_identifier_exact_numbers_and_contained_names(fitted, explained):
    ds, _ = fitted["binary"]
    ex = explained["binary"]
    row = int(ex.local_rows[4])
    found = find_by_identifier(ex, str(100 + row), ds=ds)
    assert found.rows.tolist() == [row] and found.elsewhere == 0
    training_row = int(np.setdiff1d(np.arange(ds.n_rows), ex.local_rows)[0])
    missed = find_by_identifier(ex, str(100 + training_row), ds=ds)
    assert missed.rows.tolist() == [] and missed.elsewhere == 1  # in the data, not explained: said so
    smiths = find_by_identifier(ex, "SMITH", ds=ds)  # case ignored, contained
    expected = [r for r in ex.local_rows if r % 10 == 0]
    assert smiths.rows.tolist() == expected
    assert smiths.elsewhere == len([r for r in range(ds.n_rows) if r % 10 == 0]) - len(expected)
    exact = find_by_identifier(ex, f"person {row} jones", ds=ds).rows
    assert exact.tolist() == ([row] if row % 10 else [])
    assert find_by_identifier(ex, "  ", ds=ds).rows.tolist() == []
    # without the dataset: the explained rows only
    assert find_by_identifier(ex, "smith").rows.tolist() == expected


def test_matching_rows_meet_every_condition(explained, message_re):
    ex = explained["binary"]
    values = ex.shown_rows.loc[ex.local_rows]
    rows = matching_rows(ex, [Condition("colour", "is", "red"), Condition("a", "below", 0)])
    expected = values.index[(values["colour"] == "red") & (values["a"] < 0)]
    assert rows.tolist() == expected.tolist() and 0 < len(rows) < len(values)
    assert matching_rows(ex, [Condition("colour", "is not", "red")]).tolist() == \
        values.index[values["colour"] != "red"].tolist()
    assert matching_rows(ex, [Condition("a", "at least", 0.5)]).tolist() == values.index[values["a"] >= 0.5].tolist()
    assert matching_rows(ex, []).tolist() == ex.local_rows.tolist()
    # a missing value meets only "is not"
    nan_rows = values.index[values["useless"].isna()]
    assert len(nan_rows) and not set(nan_rows) & set(matching_rows(ex, [Condition("useless", "below", 99)]))
    assert operators_for(ex, "a") == search_module.NUMBER_OPERATORS
    assert operators_for(ex, "colour") == search_module.LEVEL_OPERATORS
    with pytest.raises(DataError, match=message_re(search_module._NOT_A_NUMBER)):
        matching_rows(ex, [Condition("a", "below", "ten")])
    with pytest.raises(ConfigError, match=message_re(search_module._BAD_OPERATOR)):
        matching_rows(ex, [Condition("colour", "below", 3)])


# =========================================================================== what if
def test_what_if_predicts_the_edited_row_with_the_kept_models(fitted, explained):
    ds, cmp = fitted["binary"]
    ex = explained["binary"]
    p = ex.predictions(units=PROBABILITY)
    row = int((p["linear"] - 0.5).abs().idxmin())  # an undecided row: moving a moves every model
    a = float(ds.frame.loc[row, "a"])
    w = ex.what_if(row, {"a": a + 2.0, "b": ds.frame.loc[row, "b"]})  # b: unchanged, so not a change
    assert list(w.changes) == ["a"] and w.changes["a"] == (a, a + 2.0)
    assert w.units == "probability" and w.outcome == "probability of target = yes"
    before = pd.Series({f: ex.outputs(f, units=PROBABILITY).loc[row] for f in ex.families})
    np.testing.assert_allclose(w.table["before"], before.loc[w.table.index], atol=1e-6)
    # by hand: the comparison's own model on the edited inputs
    X = ds.X.iloc[[row]].reset_index(drop=True)
    X["a"] = a + 2.0
    for fam in ex.families:
        model = cmp.models(fam)[0]
        assert w.table.loc[fam, "after"] == pytest.approx(model.predict_proba(X)[0, 1], abs=1e-6)
    # a drives the target up: no model goes down (a tree may not split there), the linear model by far
    assert (w.table["after"] >= w.table["before"] - 1e-9).all() and w.table.loc["linear", "change"] > 0.2
    assert w.table["change"].to_numpy() == pytest.approx((w.table["after"] - w.table["before"]).to_numpy())
    none = ex.what_if(row, {})
    assert none.changes == {} and np.allclose(none.table["before"], none.table["after"])


def test_what_if_categories_dates_missing_values_and_regression(fitted, explained):
    ds, _ = fitted["binary"]
    ex = explained["binary"]
    row = int(ex.local_rows[1])
    other = next(c for c in ex.levels["colour"] if c != ds.frame.loc[row, "colour"])
    w = ex.what_if(row, {"colour": other, "when": "2021-06-15", "useless": None})
    assert set(w.changes) >= {"colour", "when"}
    assert set(w.table["predicted_after"]) <= {"no", "yes"}
    reg = explained["regression"]
    r = int(reg.local_rows[0])
    rw = reg.what_if(r, {"a": 3.0})
    assert rw.units == "value" and rw.outcome == "predicted target"
    assert (rw.table["after"] > rw.table["before"]).all()  # the target rises with a
    multi = explained["multiclass"]
    mw = multi.what_if(int(multi.local_rows[0]), {"a": 5.0, "b": -5.0}, target_class=0)
    assert mw.target_class == 0 and mw.outcome == "probability of target = hi"
    assert (mw.table["predicted_after"] == "hi").all()


def test_what_if_messages_are_plain_and_name_the_value(explained, message_re):
    ex = explained["binary"]
    row = int(ex.local_rows[0])
    with pytest.raises(DataError) as err:
        ex.what_if(row, {"a": "abc", "colour": "purple", "b": ""})
    text = str(err.value)
    assert "a: “abc” is not a number. Type a number such as" in text
    assert "colour: “purple” is not one of its values (blue, green, red). Pick one of them." in text
    assert text.endswith(whatif_module._NEVER_MISSING.format(column="b"))  # b is never missing in the data
    assert "=" not in text and "None" not in text
    with pytest.raises(DataError, match=message_re(whatif_module._NOT_A_DATE)):
        ex.what_if(row, {"when": "soon"})
    with pytest.raises(DataError, match=message_re(whatif_module._NOT_A_COLUMN)):
        ex.what_if(row, {"passenger": 3})  # an identifier: the models do not read it
    training_row = int(np.setdiff1d(np.arange(300), ex.rows)[0])
    with pytest.raises(DataError, match=message_re(whatif_module._NOT_EXPLAINED)):
        ex.what_if(training_row, {"a": 1.0})
    w = ex.what_if(row, {"a": 1e6})
    low, high = ex.training_ranges["a"]
    assert w.notes == (whatif_module._OUTSIDE.format(column="a", value="1e+06", low=f"{low:.6g}",
                                                     high=f"{high:.6g}"),)


# =========================================================================== bad input
def test_bad_inputs_name_the_value(fitted, message_re):
    ds, cmp = fitted["regression"]
    with pytest.raises(ConfigError, match=message_re(_BAD_SPLIT)):
        explain(cmp, ds, split=5)
    with pytest.raises(ConfigError, match=message_re(_NO_MODEL)):
        explain(cmp, ds, split=1)  # the helper fitted split 0 only
    with pytest.raises(ConfigError, match=message_re(_BAD_FAMILIES)):
        explain(cmp, ds, families=["forest"])
    other = _frame("regression", n=50)
    with pytest.raises(DataError, match=message_re(_MISMATCH_TEXT)):
        explain(cmp, other)
    ex = explain(cmp, ds, max_rows=20, n_boot=10, families="linear")
    with pytest.raises(ConfigError, match=message_re(_BAD_ROW)):
        ex.local(20)


# =========================================================================== images: pixel maps
@pytest.fixture(scope="module")
def digits_ex():
    ds, _, cmp = digits_run()
    return ds, cmp, explain(cmp, ds, max_rows=30, background=30, n_boot=20, n_permutations=2, random_state=0)


def test_pixel_map_is_the_rows_shap_values_laid_out_as_the_image(digits_ex):
    ds, _, ex = digits_ex
    assert ex.image_shape == (8, 8) and ex.modality == "image"
    row = int(ex.local_rows[4])
    for fam in ex.families:
        m = ex.pixel_map(fam, 4)
        assert m.family == fam and m.row == row
        assert m.attribution.shape == m.image.shape == (8, 8)
        # pixel (r, c) is column px{r}_{c}: the image is the row's pixels, the map its SHAP values
        assert m.image[2, 5] == ds.frame.loc[row, "px2_5"]
        np.testing.assert_array_equal(m.image.ravel(), ds.frame.loc[row, ex.columns].to_numpy(dtype=float))
        assert m.attribution[2, 5] == ex.values(fam).loc[row, "px2_5"]  # the predicted class, as values()
        assert m.target == ds.frame.loc[row, "digit"]


def test_pixel_map_adds_up_to_the_output_for_every_family_and_class(digits_ex):
    _, _, ex = digits_ex
    for fam in ex.families:
        for k in range(3):
            for pos in range(len(ex.local_rows)):
                m = ex.pixel_map(fam, pos, target_class=k)
                assert m.target_class == k and m.class_label == ex.classes[k]
                assert m.output == ex.outputs(fam, target_class=k).loc[m.row]
                # linear and TreeSHAP are exact; the deep net's sampling telescopes to the same sum
                tol = 1e-4 if fam != "deep" else ex.additivity_tolerance[fam]
                assert m.base_value + m.attribution.sum() == pytest.approx(m.output, abs=tol), (fam, k, pos)
                assert m.additivity_error <= tol


def test_pixel_map_defaults_to_the_class_the_model_predicts(digits_ex):
    ds, cmp, ex = digits_ex
    picked = {}
    for fam in ex.families:
        model = cmp.models(fam)[0]
        for pos, row in enumerate(ex.local_rows):
            m = ex.pixel_map(fam, pos)
            label = model.predict(ds.X.iloc[[row]])[0]
            assert m.target_class == m.predicted_class == ds.classes.index(label), (fam, row)
            picked[fam, pos] = m.target_class
        assert len({v for (f, _), v in picked.items() if f == fam}) > 1  # not one class for every image
    # another class is another map
    m = ex.pixel_map("linear", 0)
    other = ex.pixel_map("linear", 0, target_class=(m.target_class + 1) % 3)
    assert other.predicted_class == m.predicted_class and not np.allclose(other.attribution, m.attribution)


def test_pixel_map_bad_row_class_family_name_the_value(digits_ex, message_re):
    _, _, ex = digits_ex
    n = len(ex.local_rows)
    with pytest.raises(ConfigError, match=message_re(_BAD_ROW)) as err:
        ex.pixel_map("gbm", n)
    assert f"row_position={n}" in str(err.value) and f"0 to {n - 1}" in str(err.value)
    with pytest.raises(ConfigError, match=message_re(_BAD_ROW)):
        ex.pixel_map("gbm", -1)
    with pytest.raises(ConfigError, match=message_re(_BAD_CLASS)) as err:
        ex.pixel_map("gbm", 0, target_class=3)
    assert "target_class=3" in str(err.value) and "0 to 2" in str(err.value)
    with pytest.raises(ConfigError, match=message_re(_BAD_CLASS)):
        ex.pixel_map("gbm", 0, target_class="2")
    with pytest.raises(ConfigError, match="family='forest' is not explained here"):
        ex.pixel_map("forest", 0)


def test_pixel_map_of_one_row_binary_signals():
    ds, _, cmp = signal_run()
    ex = explain(cmp, ds, max_rows=20, background=20, n_boot=10, random_state=0)
    assert ex.image_shape == (1, 40) and ex.classes is None
    for fam in ex.families:
        m = ex.pixel_map(fam, 0)
        assert m.attribution.shape == m.image.shape == (1, 40)
        assert m.target_class is None and m.predicted_class is None
        assert m.base_value + m.attribution.sum() == pytest.approx(m.output, abs=1e-4)
        assert m.output == ex.outputs(fam).loc[m.row]  # the log-odds of the positive class


def test_pixel_map_refuses_a_class_without_classes_and_tabular_data(message_re):
    ds, _, cmp = signal_run()
    ex = explain(cmp, ds, max_rows=5, background=20, n_boot=10, random_state=0, families=["linear"])
    with pytest.raises(ConfigError, match=message_re(_NO_CLASSES)) as err:
        ex.pixel_map("linear", 0, target_class=1)
    assert "binary explanation" in str(err.value)
    tabular = _stub_explanation()
    tabular.image_shape, tabular.modality = None, "tabular"
    with pytest.raises(ConfigError, match=message_re(_NOT_IMAGES)) as err:
        tabular.pixel_map("linear", 0)
    assert "tabular data" in str(err.value)


def test_deep_net_permutes_patches_of_large_images_and_shares_them_among_their_pixels():
    from dllab.datasets import from_frame
    from dllab.datasets.images import mark_image, pixel_columns
    from dllab.analyses.explain import MAX_DEEP_PATCHES
    from image_runs import one_split

    rng = np.random.default_rng(0)
    X = rng.integers(0, 256, (80, 144)).astype(float)  # 12x12 images: 144 pixels > 64, so 2x2 patches (36)
    frame = pd.DataFrame(X, columns=pixel_columns((12, 12)))
    frame["label"] = np.where(X[:, :72].mean(axis=1) > X[:, 72:].mean(axis=1), "top", "bottom")
    ds = from_frame(mark_image(frame, (12, 12)), target="label")
    _, cmp = one_split(ds, ("linear", "deep"))
    budget = 30 * deep_evals_per_row(36, 2) * 144 // MAX_DEEP_PATCHES  # 30 rows once scaled by 64 / 144
    ex = explain(cmp, ds, max_rows=40, background=20, n_boot=10, n_permutations=2, max_evals=budget)
    assert ex.settings["deep_patch"] == 2 and ex.settings["deep_max_evals"] == budget * MAX_DEEP_PATCHES // 144
    assert ex.n_rows == {"linear": 40, "deep": 30} and "36 patches of 2x2 pixels" in ex.methods["deep"]
    m = ex.pixel_map("deep", 0)
    assert m.attribution.shape == (12, 12)
    patches = m.attribution.reshape(6, 2, 6, 2).transpose(0, 2, 1, 3).reshape(36, 4)
    np.testing.assert_allclose(patches, patches[:, :1].repeat(4, axis=1))  # one value per 2x2 patch
    assert not np.allclose(patches[:, 0], patches[0, 0])
    assert m.base_value + m.attribution.sum() == pytest.approx(m.output, abs=ex.additivity_tolerance["deep"])
    assert ex.additivity_max_error["deep"] <= ex.additivity_tolerance["deep"]
    lin = ex.pixel_map("linear", 0).attribution.reshape(6, 2, 6, 2).transpose(0, 2, 1, 3).reshape(36, 4)
    assert not np.allclose(lin, lin[:, :1])  # the exact explainers stay per pixel


def test_small_images_are_permuted_pixel_by_pixel(digits_ex):
    _, _, ex = digits_ex
    assert ex.settings["deep_patch"] == 1 and ex.settings["deep_max_evals"] == 250_000
    assert "patches" not in ex.methods["deep"]
