"""Role and task inference (dllab.datasets.schema)."""

import numpy as np
import pandas as pd
import pytest

from dllab.errors import DataError
from dllab.datasets.schema import (_NO_VALUES, _ONE_VALUE, CATEGORICAL, CONSTANT, DATETIME, IDENTIFIER, MAX_INTEGER_CLASSES,
                          NUMERIC, TEXT, feature_frame, infer_role, infer_roles, infer_task, is_missing,
                          non_dates, non_numeric)


# =========================================================================== roles
def test_infer_roles_on_mixed_frame(mixed_frame):
    roles = infer_roles(mixed_frame, target="y")
    assert roles == {
        "id": IDENTIFIER, "age": NUMERIC, "weight": NUMERIC, "city": CATEGORICAL, "price": NUMERIC,
        "when": DATETIME, "unit": CONSTANT, "note": TEXT, "code": IDENTIFIER, "flag": CATEGORICAL,
    }
    assert list(roles) == [c for c in mixed_frame.columns if c != "y"]


def test_infer_roles_leaves_frame_unchanged(mixed_frame):
    before = mixed_frame.copy()
    infer_roles(mixed_frame, target="y")
    pd.testing.assert_frame_equal(mixed_frame, before)


@pytest.mark.parametrize("values, name, role", [
    (list(range(50)), "x", IDENTIFIER),                 # 0..n-1 in row order
    (list(range(1, 51)), "x", IDENTIFIER),              # 1..n
    (list(range(1950, 2000)), "year", NUMERIC),         # consecutive but not a row count
    ([5, 3, 9, 1] * 5, "customer_id", NUMERIC),         # id-named but mostly repeated
    ([17, 3, 99, 42], "customerId", IDENTIFIER),        # camelCase id, all distinct
    ([17.5, 3.0, 99.0, 42.0], "paid", NUMERIC),         # 'paid' is not an id name
    ([1, 2, 3, 1, 2, 3], "rating", NUMERIC),            # integer codes stay numeric
    (["a1", "a2", "a3"], "user_id", IDENTIFIER),        # id-named strings
    ([f"tok{i}" for i in range(25)], "ticket", IDENTIFIER),  # unique per row, no spaces
    ([f"tok{i}" for i in range(10)], "ticket", CATEGORICAL),  # too few rows to call an id
    ([" 1.5", "2 ", "-3e2", "NA", "?"], "v", NUMERIC),   # numeric-looking strings, NA spellings
    (["1", "2", "3", "oops"], "v", CATEGORICAL),        # mostly numeric with words: codes (issue 13)
    (["1", "x", "y", "z"], "v", CATEGORICAL),           # mostly not numeric
    (["2024-01-31", "2023-12-01 10:30", "2022-02-02T08:00:00Z"], "d", DATETIME),
    (["31/01/2024", "01/02/2024", None], "d", DATETIME),
    (["May", "June", "May"], "d", CATEGORICAL),         # month names are levels, not dates
    ([7, 7, 7], "c", CONSTANT),
    ([None, None], "c", CONSTANT),
    (["", "NA", "?"], "c", CONSTANT),                   # all missing spellings
    (["yes", None, "yes"], "c", CATEGORICAL),           # value + gaps is an indicator
    ([1.0, np.nan, 1.0], "c", NUMERIC),
    ([True, False, True], "b", CATEGORICAL),
])
def test_infer_role_rules(values, name, role):
    assert infer_role(pd.Series(values, name=name)) == role


def test_infer_role_datetime_and_category_dtypes():
    assert infer_role(pd.Series(pd.date_range("2024-01-01", periods=3), name="t")) == DATETIME
    assert infer_role(pd.Series(pd.Categorical(["a", "b", "a"]), name="c")) == CATEGORICAL


def test_text_needs_long_mostly_distinct_values():
    sentences = [f"customer {i} wrote a long complaint about the service" for i in range(40)]
    assert infer_role(pd.Series(sentences, name="review")) == TEXT
    repeated = ["a short phrase with words here"] * 20 + ["another short phrase with words"] * 20
    assert infer_role(pd.Series(repeated, name="review")) == CATEGORICAL


def test_infer_roles_without_target_covers_every_column(mixed_frame):
    assert set(infer_roles(mixed_frame, target=None)) == set(mixed_frame.columns)


# =========================================================================== task
@pytest.mark.parametrize("values, task", [
    (["yes", "no", "yes"], "binary"),
    ([0, 1, 1, 0], "binary"),
    ([0.0, 1.0, np.nan], "binary"),
    ([True, False], "binary"),
    ([1, 2, 3, 3], "multiclass"),
    (list(range(MAX_INTEGER_CLASSES)) * 2, "multiclass"),
    (list(range(MAX_INTEGER_CLASSES + 1)), "regression"),
    ([1.5, 2.0, 3.0], "regression"),
    (["a", "b", "c", None], "multiclass"),
    ([f"c{i}" for i in range(300)], "multiclass"),  # from_frame refuses > 100 classes
    (["1.5", "2.25", "3.0", "?"], "regression"),    # numeric strings, '?' missing
])
def test_infer_task(values, task):
    assert infer_task(pd.Series(values, name="y")) == task


def test_infer_task_refuses_no_values_and_one_value(message_re):
    with pytest.raises(DataError, match=message_re(_NO_VALUES)):
        infer_task(pd.Series([None, "NA"], name="y"))
    with pytest.raises(DataError, match=message_re(_ONE_VALUE)) as info:
        infer_task(pd.Series(["a", "a", None], name="y"))
    assert "'a'" in str(info.value)


# =========================================================================== helpers
def test_is_missing_spellings():
    s = pd.Series(["x", "", "  ", "NA", "N/A", "null", "?", "None", np.nan])
    assert is_missing(s).tolist() == [False, True, True, True, True, True, True, False, True]
    assert is_missing(pd.Series([1.0, np.nan])).tolist() == [False, True]


def test_non_numeric_and_non_dates():
    assert non_numeric(pd.Series(["1", "2.5", "n/a", "x", "?", "y"])).tolist() == ["x", "y"]
    assert non_numeric(pd.Series([1.0, np.inf])).empty
    assert non_dates(pd.Series(["2024-01-01", "bad", None])).tolist() == ["bad"]


def test_feature_frame_handles_time_zones():
    df = pd.DataFrame({"t": ["2013-01-01T10:00:00Z", "2013-02-03T11:00:00+01:00", None], "y": [0, 1, 0]})
    X = feature_frame(df, {"t": DATETIME})
    assert X["t.month"].tolist()[:2] == [1.0, 2.0]
    assert X["t.dayofweek"].tolist()[:2] == [1.0, 6.0]  # 2013-01-01 was a Tuesday
    assert np.isnan(X["t.year"].iloc[2])
