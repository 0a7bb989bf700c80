"""SHAP explanations: known drivers first, additivity per family, source-column sums, seeds."""

import json

import numpy as np
import pandas as pd
import pytest

from dllab.comparison import _MISMATCH as _MISMATCH_TEXT
from dllab.comparison import Comparison
from dllab.datasets.dataset import Dataset
from dllab.errors import ConfigError, DataError
from dllab.explain import (_BAD_FAMILIES, _BAD_ROW, _BAD_SPLIT, _NO_MODEL, BASE_ROW, OUTPUT_ROW,
                           VALUE_COLUMN, deep_evals_per_row, explain)
from dllab.models import BASE_FAMILIES as FAMILIES
from dllab.runner import Task, run_tasks, task_seed
from dllab.splits import make_splits

# "Near zero": a useless column's mean |SHAP| below this share of the top column's.
USELESS_SHARE_OF_TOP = 0.10


def _frame(task, n=300, seed=0, with_date=False):
    """Only ``a`` and ``b`` drive the target; ``useless``, ``colour`` (and ``when``) do not."""
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({"useless": rng.normal(size=n), "a": rng.normal(size=n),
                       "colour": rng.choice(["red", "green", "blue"], n), "b": rng.normal(size=n)})
    if with_date:
        df["when"] = pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.integers(0, 900, n), unit="D")
    s = 2 * df.a - 2 * df.b
    if task == "binary":
        df["target"] = np.where(rng.random(n) < 1 / (1 + np.exp(-2 * s)), "yes", "no")
    elif task == "multiclass":
        df["target"] = np.select([s < -1, s > 1], ["lo", "hi"], "mid")
    else:
        df["target"] = s + 0.1 * rng.normal(size=n)
    roles = {"useless": "numeric", "a": "numeric", "colour": "categorical", "b": "numeric"}
    if with_date:
        roles["when"] = "datetime"
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
    assert any(w.startswith("the linear model relies on `c` far more") for w in words), words


def _stub_explanation():
    from dllab.explain import Explanation

    ex = Explanation.__new__(Explanation)
    ex.families = ["linear", "gbm", "deep"]
    ex.columns = ["a", "b", "c", "d"]
    ex.importance = pd.DataFrame({"linear": [1.0, 0.5, 3.0, 0.0], "gbm": [2.0, 1.0, 0.2, 0.1],
                                  "deep": [2.0, 1.0, 0.3, 0.05]}, index=ex.columns)
    ex._agreement()
    return ex


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
