"""The Data page's form: check what the lab guessed about a table, change any of it, and load it.

It shows, before anything is trained: a preview, the target the lab suggests
(:func:`dllab.datasets.schema.rank_targets`, with its reason), the task, the row
limit, and every column's role with the reason it was given
(:func:`dllab.datasets.schema.explain_roles`). All of it is editable; one button
builds the dataset (:func:`dllab.ui.data.apply`). The same form edits the
loaded dataset, so a file whose first guess cannot be modelled is fixed here.

Choices not loaded yet are kept per form in ``session_state["drafts"]``, so
they survive a change of target and a visit to another page. A failed load keeps
them and says why; the loaded dataset (if any) stays.

The functions above the "widgets" banner are pure (no streamlit calls) and unit-tested.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from ..datasets.recipe import DEFAULT_MAX_ROWS, DataRecipe
from ..datasets.schema import EXCLUDED, ROLES, TASKS, explain_roles, infer_task, rank_targets
from ..errors import DataError, message_for
from . import state
from .cache import data_key
from .data import apply, dataset_overview, pending_upload, reading_notices, still_loaded
from .tables import column_table

__all__ = ["Subject", "form_recipe", "role_overrides", "data_form", "SET_BY_YOU", "PREVIEW_ROWS"]

#: The reason shown for a role the user chose.
SET_BY_YOU = "set by you"
#: Rows shown in the preview.
PREVIEW_ROWS = 200

_ROLE_HELP = ("numeric, categorical and datetime columns are features of every model; text is free text (each "
              "family builds its own representation of it); identifier and constant columns are left out; "
              "excluded leaves any column out of the models.")


# =========================================================================== pure helpers
@dataclass(frozen=True)
class Subject:
    """What the form edits: a table, the recipe it is loaded with, and the dataset made from it (if loaded).

    Attributes
    ----------
    tag : str
        Part of every widget key of this form (new widgets for each table and version).
    key : str
        Content key of ``frame`` for the inference cache.
    frame : DataFrame
        The rows to preview and to guess from (an upload's whole file).
    recipe : DataRecipe
        How it is (or would be) loaded.
    loaded : Dataset or None
        The dataset made from it, when it is the loaded one.
    """

    tag: str
    key: str
    frame: pd.DataFrame
    recipe: DataRecipe
    loaded: object = None

    @property
    def is_upload(self) -> bool:
        return self.recipe.source == "upload"


def role_overrides(recipe: DataRecipe) -> dict:
    """The roles the user chose in ``recipe``, excluded columns included: ``{column: role}``.

    Examples
    --------
    >>> role_overrides(DataRecipe("upload", roles={"Ticket": "categorical"}, exclude=("Name",)))
    {'Ticket': 'categorical', 'Name': 'excluded'}
    """
    return {**dict(recipe.roles), **{c: EXCLUDED for c in recipe.exclude}}


def form_recipe(base: DataRecipe, *, target, task: str | None, max_rows: int, overrides: dict) -> DataRecipe:
    """The recipe the form describes: ``base`` with this target (None: the built-in's), task (None: the
    built-in's or inferred), row limit and role choices (``{column: role}``, ``excluded`` meaning left out);
    the target gets no role.

    Examples
    --------
    >>> r = form_recipe(DataRecipe("upload", name="t.csv"), target="Survived", task=None, max_rows=5000,
    ...                 overrides={"Name": "excluded", "Ticket": "categorical", "Survived": "numeric"})
    >>> r.target, r.task, r.max_rows, r.roles, r.exclude
    ('Survived', None, 5000, (('Ticket', 'categorical'),), ('Name',))
    """
    roles = {c: r for c, r in overrides.items() if c != target and r != EXCLUDED}
    exclude = tuple(c for c, r in overrides.items() if c != target and r == EXCLUDED)
    return base.changed(target=target, task=task, max_rows=int(max_rows), roles=roles, exclude=exclude)


def _infer(series: pd.Series):
    # (task, None) or (None, why the column cannot be a target) in the app's words.
    try:
        return infer_task(series), None
    except DataError as exc:
        return None, message_for(exc, "app")


# =========================================================================== widgets
@st.cache_data(max_entries=64, show_spinner=False)
def _ranking(key: str, _frame: pd.DataFrame) -> list:
    # Keyed by the content (an upload's bytes, a dataset's sha256): the guesses come from the values only.
    return rank_targets(_frame)


@st.cache_data(max_entries=256, show_spinner=False)
def _guesses(key: str, target: str, _frame: pd.DataFrame) -> dict:
    column = next(c for c in _frame.columns if str(c) == target)
    return explain_roles(_frame, target=column)


def _digest(*parts) -> str:
    # Ten hex digits naming one table as this session sees it (the same bytes under two names are two tables).
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:10]


def _subject() -> Subject | None:
    """The pending upload if there is one (a CSV), else the loaded dataset, else None."""
    pending = pending_upload()
    if pending is not None and pending["frame"] is not None and not pending["name"].lower().endswith(".zip"):
        recipe = DataRecipe("upload", name=pending["name"], upload_sha=pending["sha"], max_rows=DEFAULT_MAX_ROWS)
        return Subject(tag="u" + _digest(pending["sha"], pending["name"]), key=pending["sha"], frame=pending["frame"],
                       recipe=recipe)
    ds, recipe = state.dataset(), st.session_state.get("recipe")
    if ds is None or recipe is None:
        return None
    frame = ds.frame
    if recipe.source == "upload":
        loaded = st.session_state.get("loaded-upload")
        if loaded and loaded["sha"] == recipe.upload_sha and loaded["frame"] is not None:
            frame = loaded["frame"]  # the whole file, as read: the guesses for another target come from it
    return Subject(tag="d" + _digest(data_key(ds)), key=ds.sha256 if frame is ds.frame else recipe.upload_sha,
                   frame=frame, recipe=recipe, loaded=ds)


def _base_roles(subject: Subject, target) -> dict:
    """``{column: (role, reason)}`` before this form's edits: the loaded dataset's, or the guesses with the
    recipe's own choices on top."""
    ds = subject.loaded
    if ds is not None and str(target) == str(ds.target):
        return {c: (ds.roles.get(c, EXCLUDED), ds.role_reasons.get(c, "")) for c in ds.frame.columns
                if c != ds.target}
    out = {c: (g.role, g.reason) for c, g in _guesses(subject.key, str(target), subject.frame).items()}
    for c, r in role_overrides(subject.recipe).items():
        if c in out:
            out[c] = (r, SET_BY_YOU)
    return out


def data_form() -> None:
    """The Data page below the pickers: the pending upload's form, or the loaded dataset and its form."""
    subject = _subject()
    if subject is None:
        st.info("No dataset loaded yet: upload a CSV file or pick a built-in above.", icon=":material/info:")
        return
    st.divider()
    if subject.loaded is not None:
        dataset_overview(subject.loaded)
    else:
        _pending_header(subject)
    drafts = st.session_state.setdefault("drafts", {})
    draft = drafts.setdefault(subject.tag, {})
    if subject.loaded is not None and subject.loaded.modality == "image":
        _image_form(subject, draft)
        return
    target = _target_picker(subject, draft)
    if target is None:
        st.info("Choose the column to predict above: the task and the column roles follow from it.",
                icon=":material/info:")
        _preview(subject)
        return
    inferred, problem = _infer(subject.frame[target])
    c1, c2 = st.columns(2)
    task = _task_picker(c1, subject, draft, target, inferred, problem)
    n_file = len(subject.frame)
    max_rows = c2.number_input("Row limit (larger data is sampled)", min_value=100, max_value=10_000_000,
                               value=int(draft.get("max_rows", subject.recipe.max_rows)), step=10_000,
                               key=f"rows-{subject.tag}",
                               help=f"The table has {n_file:,} rows. Longer tables are sampled to this many, "
                                    "seeded and stratified by the target, with a notice.")
    draft["max_rows"] = int(max_rows)
    overrides = _role_editor(subject, draft, target)

    loaded = subject.loaded
    if loaded is not None and str(target) == str(loaded.target):
        # As loaded: keep the recipe's own words (a built-in's default target and task stay defaults).
        target_arg = subject.recipe.target
        task_arg = subject.recipe.task if task == loaded.task else task
    else:
        target_arg, task_arg = target, (None if task == inferred else task)
    recipe = form_recipe(subject.recipe, target=target_arg, task=task_arg, max_rows=int(max_rows),
                         overrides=overrides)
    _load_button(subject, recipe, blocked=problem)
    _preview(subject)
    st.page_link("pages/2_Compare.py", label="Next: compare the models", icon=":material/arrow_forward:")


def _image_form(subject: Subject, draft: dict) -> None:
    """Images: the target is the class folders and every pixel is a feature; only the row limit is a choice."""
    ds = subject.loaded
    h, w = ds.meta.get("image_shape", ("?", "?"))
    st.caption(f"A ZIP of images: the target is **{ds.target}** (the class folders) and each of the "
               f"{len(ds.feature_columns):,} pixels ({w}x{h}) is a feature.")
    max_rows = st.number_input("Row limit (more images are sampled)", min_value=100, max_value=10_000_000,
                               value=int(draft.get("max_rows", subject.recipe.max_rows)), step=10_000,
                               key=f"rows-{subject.tag}", help="Seeded and stratified by the class, with a notice.")
    draft["max_rows"] = int(max_rows)
    _load_button(subject, subject.recipe.changed(max_rows=int(max_rows)), blocked=None)


def _pending_header(subject: Subject) -> None:
    frame = subject.frame
    st.subheader(subject.recipe.name, anchor=False)
    ds = state.dataset()
    st.caption(f"Read {len(frame):,} rows × {frame.shape[1]} columns. Nothing is loaded or trained yet: check "
               "the target and the column roles below, then press **Load**."
               + (f" Until then the pages use **{ds.name}**." if ds is not None else ""))
    for notice in reading_notices(frame):
        st.info(notice[0].upper() + notice[1:] + ("" if notice.endswith(".") else "."), icon=":material/info:")


def _target_picker(subject: Subject, draft: dict):
    """The target selectbox, pre-selected from the ranking (an upload) or the loaded dataset; its reason."""
    frame = subject.frame
    columns = [str(c) for c in frame.columns]
    ranking = _ranking(subject.key, frame) if subject.is_upload else []
    best = str(ranking[0].column) if ranking else None
    if "target" in draft and draft["target"] in columns:
        default = draft["target"]
    elif subject.loaded is not None:
        default = str(subject.loaded.target)
    elif subject.recipe.target is not None:
        default = str(subject.recipe.target)
    else:
        default = best
    name = st.selectbox("Target column (what to predict)", columns,
                        index=columns.index(default) if default in columns else None,
                        key=f"target-{subject.tag}", placeholder="choose the column to predict",
                        format_func=lambda c: f"{c} (suggested)" if c == best else c,
                        help="Suggested by name (target, label, class, outcome, survived, price, ...), by values "
                             "that a model can predict (few classes, or a measurement) and by not being an "
                             "identifier, free text, mostly missing or constant.")
    if name is None:
        draft.pop("target", None)
        return None
    draft["target"] = name
    by_column = {str(g.column): g for g in ranking}
    if name in by_column:
        word = "Suggested" if name == best else "About this column"
        st.caption(f":material/lightbulb: {word}: {by_column[name].reason[0].upper()}{by_column[name].reason[1:]}"
                   + ("" if by_column[name].reason.endswith(".") else "."))
    if best is not None and name != best:
        st.caption(f"The lab's suggestion was **{best}**: {by_column[best].reason}")
    if len(ranking) > 1:
        with st.expander("Other candidate targets"):
            st.dataframe(pd.DataFrame([{"Column": str(g.column), "Task": g.task, "Score": round(float(g.score), 2),
                                        "Why": g.reason} for g in ranking[:8]]),
                         hide_index=True, width="stretch", key=f"ranking-{subject.tag}")
    return next(c for c in frame.columns if str(c) == name)


def _task_picker(col, subject: Subject, draft: dict, target, inferred, problem):
    tasks = draft.setdefault("tasks", {})
    loaded = subject.loaded
    if str(target) in tasks:
        default = tasks[str(target)]
    elif loaded is not None and str(target) == str(loaded.target):
        default = loaded.task
    else:
        default = inferred
    task = col.selectbox("Task", list(TASKS), index=list(TASKS).index(default) if default in TASKS else None,
                         key=f"task-{subject.tag}-{target}", placeholder="no task: choose another target",
                         help=(f"Inferred from the target: {inferred}. Change it if the guess is wrong."
                               if inferred else "The target cannot be predicted as it is."))
    if problem:
        col.error(problem, icon=":material/error:")
    if task is not None:
        tasks[str(target)] = task
    return task


def _role_editor(subject: Subject, draft: dict, target) -> dict:
    """The column table with an editable role per column; returns every role choice of the form."""
    base = _base_roles(subject, target)
    by_name = {str(c): c for c in base}
    key = f"roles-{subject.tag}-{target}"
    draft_roles = draft.setdefault("roles", {})
    # Edits made in the table since the last run, read before drawing it, so that "Used" and "Why" follow
    # them at once (the rows are in the base's order).
    names = list(by_name)
    for i, change in (st.session_state.get(key) or {}).get("edited_rows", {}).items():
        if int(i) < len(names) and change.get("role") in ROLES:
            draft_roles[names[int(i)]] = change["role"]
    chosen = {by_name[n]: r for n, r in draft_roles.items() if n in by_name and r != base[by_name[n]][0]}
    shown = {c: chosen.get(c, role) for c, (role, _) in base.items()}
    reasons = {c: (SET_BY_YOU if c in chosen else reason) for c, (_, reason) in base.items()}
    st.markdown("**Columns**: the role the lab gave each column, and why. Change a role in the table; "
                "*excluded* leaves a column out of the models.")
    table = column_table(subject.frame, target=target, roles=shown, reasons=reasons)
    edited = st.data_editor(
        table, key=key, hide_index=True, width="stretch", height=min(38 + 35 * len(table), 38 + 35 * 16),
        column_order=["column", "role", "used", "reason", "examples", "missing", "distinct", "dtype"],
        disabled=["column", "used", "reason", "dtype", "missing", "distinct", "examples"],
        column_config={
            "column": st.column_config.TextColumn("Column"),
            "role": st.column_config.SelectboxColumn("Role", options=list(ROLES), required=True, help=_ROLE_HELP),
            "used": st.column_config.TextColumn("Used", help="Whether the models see this column.", width="small"),
            "reason": st.column_config.TextColumn("Why", width=620, help="Why the lab chose this role."),
            "examples": st.column_config.TextColumn("Examples", width="medium"),
            "missing": st.column_config.TextColumn("Missing", width="small"),
            "distinct": st.column_config.NumberColumn("Distinct", format="%d", width="small"),
            "dtype": st.column_config.TextColumn("Type in file", width="small"),
        })
    now = {by_name[n]: r for n, r in zip(edited["column"], edited["role"]) if n in by_name and r in ROLES}
    # What the user changed against the base; a role set back to the base's is no longer a change.
    chosen = {c: r for c, r in now.items() if r != base[c][0]}
    # (Choices for a column that is the target now are kept for when it is not.)
    draft["roles"] = {**{n: r for n, r in draft_roles.items() if n not in by_name},
                      **{str(c): r for c, r in chosen.items()}}
    # The recipe's own choices (already in the base) stay; the changes go on top.
    return {**{c: r for c, r in role_overrides(subject.recipe).items() if c in base}, **chosen}


def _load_button(subject: Subject, recipe: DataRecipe, *, blocked: str | None) -> None:
    errors = st.session_state.setdefault("form-errors", {})
    changed = subject.loaded is None or recipe != subject.recipe
    label = "Load" if subject.loaded is None else "Apply changes"
    c1, c2, _ = st.columns([1, 1, 3])
    icon = ":material/upload:" if subject.loaded is None else ":material/sync:"
    pressed = c1.button(label, type="primary", icon=icon,
                        key=f"load-{subject.tag}", disabled=not changed or bool(blocked),
                        help="Builds the dataset from these choices; nothing is trained yet.")
    if subject.loaded is None and c2.button("Discard this file", key=f"discard-{subject.tag}",
                                            icon=":material/delete:"):
        upload = st.session_state.get("upload")
        if upload:
            upload["dismissed"] = True
        st.session_state["drafts"].pop(subject.tag, None)
        errors.pop(subject.tag, None)
        st.rerun()
    if pressed:
        problem = apply(recipe)
        if problem is None:
            errors.pop(subject.tag, None)
            st.session_state["drafts"].pop(subject.tag, None)
            ds = state.dataset()
            state.flash("success", f"{'Loaded' if subject.loaded is None else 'Updated'} **{ds.name}**: target "
                                   f"`{ds.target}` ({ds.task}), {len(ds.feature_columns)} feature columns.")
            st.rerun()
        errors[subject.tag] = (recipe, problem)
    shown = errors.get(subject.tag)
    if shown is not None and shown[0] == recipe:  # the message belongs to these choices; a change clears it
        st.error(f"**{recipe.name or subject.recipe.source}** could not be loaded with these choices: {shown[1]}"
                 + (f"  \n{still_loaded()}" if still_loaded() else ""), icon=":material/error:")
    elif changed and subject.loaded is not None:
        st.warning(f"The changes above are not loaded yet: press **{label}**. The pages still use the loaded "
                   "dataset.", icon=":material/sync_problem:")


def _preview(subject: Subject) -> None:
    frame = subject.frame if subject.loaded is None else subject.loaded.frame
    what = "rows in the file" if subject.loaded is None else "rows used"
    st.markdown(f"**Preview**: the first {min(PREVIEW_ROWS, len(frame)):,} of {len(frame):,} {what}")
    st.dataframe(frame.head(PREVIEW_ROWS), width="stretch", height=320, key=f"preview-{subject.tag}")
