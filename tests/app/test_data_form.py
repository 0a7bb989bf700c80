"""The Data page's form through AppTest: an upload is checked (target, task, roles, with reasons) and changed
before it is loaded; a load that fails keeps the user's choices and says why in the app's words; changing the
data resets the choices that depended on it."""

from __future__ import annotations

import gzip
import re

import pytest

from apptools import (PAGES, ROOT, edit_roles, form_editor, open_page, press_load, shown_roles, target_picker,
                      tiny_frame, upload)
from uploads import reviews_csv

from dllab.ui.data_form import SET_BY_YOU, form_recipe, role_overrides
from dllab.datasets.recipe import DataRecipe

#: Syntax of another interface that an app message must never show.
FOREIGN = re.compile(r"--[a-z]|\b(roles|target|task|exclude|n_folds|max_rows)=|\bdllab\.[a-z]|python -m")


def _titanic() -> bytes:
    """The Titanic CSV as an analyst has it: the built-in's copy (datasets/titanic.csv.gz) unpacked."""
    bundled = ROOT / "datasets" / "titanic.csv.gz"
    if bundled.is_file():
        return gzip.decompress(bundled.read_bytes())
    shared = ROOT.parent / "shared" / "data" / "titanic.csv"
    if shared.is_file():
        return shared.read_bytes()
    pytest.skip("the Titanic CSV is not in datasets/ or ../shared/data/")


def _texts(at) -> list[str]:
    """Every message and caption the page shows."""
    return [str(e.value) for kind in ("error", "warning", "info", "success", "caption", "markdown")
            for e in getattr(at, kind)]


def _no_foreign_syntax(at):
    bad = [t for t in _texts(at) if FOREIGN.search(t)]
    assert not bad, bad


def test_upload_shows_the_form_and_loads_only_on_load(tiny_csv):
    at = upload(open_page("Data"), "tiny.csv", tiny_csv, load=False)
    assert not at.exception and not at.error
    assert at.session_state["dataset"] is None  # nothing is loaded (or trained) before Load
    assert target_picker(at).value == "target"
    assert shown_roles(at) == {"x1": "numeric", "x2": "numeric", "colour": "categorical"}
    table = form_editor(at).value
    assert table.columns.tolist()[:4] == ["column", "role", "used", "reason"] and table["reason"].str.len().min() > 0
    assert next(s for s in at.selectbox if s.label == "Task").value == "binary"
    assert any("Nothing is loaded or trained yet" in c.value for c in at.caption)
    assert not any("still the loaded" in t for t in _texts(at))  # no dataset is loaded: nothing to keep
    preview = at.dataframe[-1].value
    assert preview.shape == (160, 4) and preview.columns.tolist() == ["x1", "x2", "colour", "target"]

    press_load(at)
    ds = at.session_state["dataset"]
    assert not at.exception and not at.error
    assert (ds.name, ds.n_rows, ds.target, ds.task) == ("tiny.csv", 160, "target", "binary")
    assert [m.value for m in at.metric][:2] == ["160", "3"]
    assert "Loaded **tiny.csv**" in at.success[0].value
    assert shown_roles(at) == ds.roles  # the form now edits the loaded dataset


def test_titanic_suggests_survived_and_gives_every_column_a_reason():
    at = upload(open_page("Data"), "titanic.csv", _titanic(), load=False)
    assert not at.exception and not at.error
    assert target_picker(at).value == "Survived"
    assert any(c.value.startswith(":material/lightbulb: Suggested: ") for c in at.caption)
    table = form_editor(at).value.set_index("column")
    assert "Survived" not in table.index and len(table) == 11
    assert (table["reason"].str.len() > 0).all(), table["reason"]
    assert table.loc["PassengerId", "role"] == "identifier" and table.loc["PassengerId", "used"] == "no"
    assert table.loc["Sex", "role"] == "categorical" and table.loc["Age", "role"] == "numeric"
    press_load(at)
    assert not at.exception and not at.error
    ds = at.session_state["dataset"]
    assert (ds.target, ds.task, ds.n_rows) == ("Survived", "binary", 891)
    assert {"Pclass", "Sex", "Age", "Fare"} <= set(ds.feature_columns)
    _no_foreign_syntax(at)


def test_role_edits_survive_a_target_change_and_are_loaded(tiny_csv):
    at = upload(open_page("Data"), "tiny.csv", tiny_csv, load=False)
    edit_roles(at, {"x2": "excluded"})
    table = form_editor(at).value.set_index("column")
    assert table.loc["x2", "role"] == "excluded" and table.loc["x2", "reason"] == SET_BY_YOU
    assert table.loc["x2", "used"] == "no"
    target_picker(at).set_value("colour").run()  # another target: the table follows, the edit stays
    assert shown_roles(at) == {"x1": "numeric", "x2": "excluded", "target": "categorical"}
    assert next(s for s in at.selectbox if s.label == "Task").value == "multiclass"
    target_picker(at).set_value("target").run()
    press_load(at)
    ds = at.session_state["dataset"]
    assert (ds.target, ds.feature_columns) == ("target", ["x1", "colour"])
    assert at.session_state["recipe"].exclude == ("x2",)


def test_a_load_that_fails_keeps_the_choices_and_can_be_fixed(tiny_csv):
    at = upload(open_page("Data"), "tiny.csv", tiny_csv, load=False)
    edit_roles(at, {"colour": "numeric"})  # words in a numeric column: the load fails
    press_load(at)
    assert not at.exception and at.session_state["dataset"] is None
    error = at.error[0].value
    assert error.startswith("**tiny.csv** could not be loaded with these choices: ") and "colour" in error
    assert "still the loaded" not in error  # nothing was loaded before
    _no_foreign_syntax(at)
    assert shown_roles(at)["colour"] == "numeric"  # the choice is kept, to be fixed
    edit_roles(at, {"colour": "categorical"})
    assert not at.error  # the message belonged to the choices that failed
    press_load(at)
    assert not at.error and at.session_state["dataset"].roles["colour"] == "categorical"


def test_a_failed_change_keeps_the_loaded_dataset_and_names_it(tiny_csv):
    at = upload(open_page("Data"), "tiny.csv", tiny_csv)
    before = at.session_state["dataset"].sha256
    edit_roles(at, {"x1": "excluded", "x2": "excluded", "colour": "excluded"})
    assert any("not loaded yet" in w.value for w in at.warning)
    press_load(at)
    assert not at.exception
    assert "no usable feature" in at.error[0].value and "**tiny.csv** is still the loaded dataset." in at.error[0].value
    assert at.session_state["dataset"].sha256 == before
    _no_foreign_syntax(at)


def test_a_target_that_cannot_be_predicted_is_said_before_loading():
    df = tiny_frame()
    df["unit"] = "kg"
    at = upload(open_page("Data"), "units.csv", df.to_csv(index=False).encode(), load=False)
    target_picker(at).set_value("unit").run()
    assert not at.exception and "single value" in at.error[0].value
    load = next(b for b in at.button if re.fullmatch(r"load-u[0-9a-f]{10}", b.key or ""))
    assert load.disabled
    _no_foreign_syntax(at)


def test_row_limit_and_task_are_loaded_as_chosen(tiny_csv):
    at = upload(open_page("Data"), "tiny.csv", tiny_csv, load=False)
    next(n for n in at.number_input if n.label.startswith("Row limit")).set_value(100).run()
    press_load(at)
    ds = at.session_state["dataset"]
    assert (ds.n_rows, ds.n_rows_total) == (100, 160) and any("sampled" in n for n in ds.notices)


def test_broken_csv_shows_error_and_keeps_previous_dataset(tiny_csv):
    at = upload(open_page("Data"), "tiny.csv", tiny_csv)
    before = at.session_state["dataset"].sha256
    at.file_uploader(key="csv").upload("broken.csv", b"PK\x03\x04\x14\x00\x00\x00binary", "text/csv").run()
    assert not at.exception
    assert "broken.csv" in at.error[0].value and "**tiny.csv** is still the loaded dataset." in at.error[0].value
    assert at.session_state["dataset"].sha256 == before
    at.run()  # the error stays while the broken file is in the uploader
    assert at.error and at.session_state["dataset"].sha256 == before


def test_no_stale_error_without_a_dataset():
    at = open_page("Data")
    at.file_uploader(key="csv").upload("broken.csv", b"PK\x03\x04\x14\x00\x00\x00binary", "text/csv").run()
    assert len(at.error) == 1 and "still" not in at.error[0].value  # nothing was loaded: nothing stays
    at.selectbox(key="builtin-name").set_value("wine")
    at.button(key="FormSubmitter:builtin-Load built-in").click().run()
    assert not at.exception and not at.error  # the broken file's message is gone with the new data
    assert at.session_state["dataset"].name == "wine"


def test_a_builtin_replaces_a_file_waiting_in_the_form(tiny_csv):
    at = upload(open_page("Data"), "tiny.csv", tiny_csv, load=False)
    at.selectbox(key="builtin-name").set_value("wine")
    at.button(key="FormSubmitter:builtin-Load built-in").click().run()
    assert not at.exception and at.session_state["dataset"].name == "wine"
    assert target_picker(at).value == "cultivar"  # the form edits the built-in now
    assert "Check and load tiny.csv" in [b.label for b in at.button]
    at.button(key="undismiss").click().run()
    assert target_picker(at).value == "target" and at.session_state["dataset"].name == "wine"  # tiny.csv again
    assert any("tiny.csv" in s.value for s in at.subheader)


def test_editing_a_builtin_keeps_its_default_target_and_task():
    at = open_page("Data")
    at.selectbox(key="builtin-name").set_value("penguins")
    at.button(key="FormSubmitter:builtin-Load built-in").click().run()
    assert not any("not loaded yet" in w.value for w in at.warning)  # the form shows the dataset as loaded
    edit_roles(at, {"island": "excluded"})
    press_load(at)
    recipe = at.session_state["recipe"]
    assert (recipe.target, recipe.task, recipe.exclude) == (None, None, ("island",))
    assert "island" not in at.session_state["dataset"].feature_columns


def test_changing_the_data_resets_the_families_on_compare(monkeypatch, tmp_path):
    """Text data offers the text families; once the text column is excluded, they are neither offered nor
    selected (a kept selection would fail on every split)."""
    monkeypatch.setenv("DLLAB_CACHE_DIR", str(tmp_path))
    at = upload(open_page("Data"), "reviews.csv", reviews_csv(80), load=False)
    target_picker(at).set_value("liked").run()
    press_load(at)
    assert at.session_state["dataset"].modality == "text"
    at.switch_page(PAGES["Compare"]).run()
    assert at.multiselect(key="families").value == ["linear", "gbm", "deep", "transfer"]
    at.switch_page(PAGES["Data"]).run()
    edit_roles(at, {"review": "excluded"})
    press_load(at)
    assert at.session_state["dataset"].modality == "tabular"
    at.switch_page(PAGES["Compare"]).run()
    assert not at.exception
    picker = at.multiselect(key="families")
    assert picker.value == ["linear", "gbm", "deep"] and "transfer" not in picker.options


# ---------------------------------------------------------------------------- pure helpers
def test_form_recipe_splits_roles_and_exclusions_and_drops_the_target():
    base = DataRecipe("upload", name="t.csv", upload_sha="abc", roles={"a": "numeric"})
    r = form_recipe(base, target="y", task="regression", max_rows=500,
                    overrides={**role_overrides(base), "b": "excluded", "y": "categorical"})
    assert (r.target, r.task, r.max_rows, r.roles, r.exclude) == ("y", "regression", 500, (("a", "numeric"),), ("b",))
    assert r.upload_sha == "abc" and r.name == "t.csv"
    assert form_recipe(r, target=None, task=None, max_rows=500, overrides=role_overrides(r)).exclude == ("b",)


def test_every_app_message_template_is_free_of_cli_and_python_syntax():
    """The strings the pages and dllab.ui show (not the fix words of other interfaces) never carry a flag,
    a keyword argument or a module path."""
    import ast

    bad = []
    sources = [*sorted((ROOT / "dllab" / "ui").glob("*.py")), *sorted((ROOT / "pages").glob("*.py")), ROOT / "app.py"]
    for path in sources:
        tree = ast.parse(path.read_text())
        docstrings = {id(n.body[0].value) for n in ast.walk(tree)
                      if isinstance(n, (ast.Module, ast.FunctionDef, ast.ClassDef)) and n.body
                      and isinstance(n.body[0], ast.Expr) and isinstance(n.body[0].value, ast.Constant)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
                text = node.value
                if " " in text and FOREIGN.search(text):  # sentences only: not keys such as "dllab.csv"
                    bad.append(f"{path.name}: {text!r}")
    assert not bad, bad
