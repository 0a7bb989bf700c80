"""Loading data into the session: built-ins (cached), uploads (session only), and edits.

A :class:`~dllab.DataRecipe` says how the current dataset was built (which
source, target, task, role overrides, row limit, sampling seed); every edit on
the Data page makes a new recipe and rebuilds. A rebuild that raises :class:`~dllab.errors.DataError` leaves the
previous dataset in place and shows the message.
"""

from __future__ import annotations

import hashlib

import streamlit as st

from .. import datasets
from ..datasets.recipe import DEFAULT_MAX_ROWS, DataRecipe
from ..errors import ConfigError, DataError, message_for
from . import state
from .tables import data_warnings, role_changes, role_table

__all__ = ["build", "apply", "follow_seed", "load_builtin", "use_upload", "builtin_cards", "builtin_picker",
           "upload_panel", "dataset_overview", "edit_panel", "CSV_TYPES", "DEFAULT_MAX_ROWS"]

CSV_TYPES = ["csv", "tsv", "txt", "zip"]  # zip: images in one folder per class (datasets.images)

_RESIZE_TOO_BIG = ("{w}x{h} = {n:,} pixels per image is more than the {max:,} this lab trains on; choose a "
                   "smaller width or height, e.g. {sw}x{sh}.")


# =========================================================================== building
@st.cache_resource(max_entries=16, show_spinner="Loading the built-in dataset…")
def _builtin(recipe: DataRecipe):
    # Global and shared by sessions: a built-in is public, and the Dataset is read-only.
    return recipe.build()


def build(recipe: DataRecipe):
    """The dataset of ``recipe`` (raises DataError or ConfigError)."""
    if recipe.source != "upload":
        return _builtin(recipe)
    upload = st.session_state.get("upload")
    if not upload or upload["sha"] != recipe.upload_sha or upload["frame"] is None:
        raise DataError(f"the uploaded file {recipe.name!r} is no longer in this session; upload it again.")
    return recipe.build(upload["frame"])


def follow_seed(seed: int) -> bool:
    """Rebuild the session's data with ``seed`` if it was made with another; True when the rows changed.

    The seed of a run also seeds the sampling (and a synthetic built-in's data), as in the CLI,
    so the app and ``python -m dllab --seed`` train on the same rows.
    """
    recipe, ds = st.session_state.get("recipe"), state.dataset()
    if recipe is None or recipe.seed == seed:
        return False
    if not apply(recipe.changed(seed=int(seed))):
        return False
    return state.dataset().sha256 != ds.sha256


def apply(recipe: DataRecipe) -> bool:
    """Build ``recipe`` and make it the session's dataset; on error keep the old one and show why."""
    try:
        ds = build(recipe)
    except (DataError, ConfigError) as exc:
        state.flash("error", f"{message_for(exc, 'app')}  \nThe previous dataset is still loaded.")
        st.session_state["nonce"] += 1  # fresh edit widgets: they show the dataset that is still loaded
        return False
    st.session_state["dataset"], st.session_state["recipe"] = ds, recipe
    return True


def load_builtin(name: str) -> bool:
    """Load the built-in ``name`` with its default target and task."""
    return apply(DataRecipe(name, max_rows=DEFAULT_MAX_ROWS))


def use_upload(file) -> None:
    """Read a newly uploaded file and load it; the same file is handled once.

    The frame stays in this session only. Read errors are stored with the upload
    and shown while the file is in the uploader; the previous dataset stays. A
    ZIP of images of mixed or too large sizes also stores the suggested size
    (``upload["resize"]``), and :func:`upload_panel` offers to resize on load.
    """
    raw = file.getvalue()
    sha = hashlib.sha256(raw).hexdigest()
    upload = st.session_state.get("upload")
    if upload and upload["sha"] == sha:
        return
    upload = {"name": file.name, "sha": sha, "frame": None, "error": None, "resize": None}
    st.session_state["upload"] = upload
    _read_upload(upload, raw)


def _is_zip(name: str) -> bool:
    return name.lower().endswith(".zip")


def _read_upload(upload: dict, raw: bytes, *, size=None) -> bool:
    """Read ``raw`` into ``upload`` and make it the session's dataset; on error store why and keep the old one."""
    from ..datasets.images import LABEL_COLUMN, ImageSizeError, read_image_zip

    name, zipped = upload["name"], _is_zip(upload["name"])
    try:
        if zipped:
            frame = read_image_zip(raw, name=name, size=size)
        else:
            frame = datasets.read_csv(raw, name=name)
    except ImageSizeError as exc:
        upload["error"], upload["resize"] = message_for(exc, "app"), exc.suggested
        return False
    except (DataError, ConfigError) as exc:
        upload["error"] = message_for(exc, "app")
        return False
    upload["frame"], upload["error"], upload["resize"] = frame, None, None
    # A ZIP's class column is made by the reader: it is the target, with no "no target given" notice.
    recipe = DataRecipe("upload", name=name, upload_sha=upload["sha"], target=LABEL_COLUMN if zipped else None)
    try:
        ds = build(recipe)
    except (DataError, ConfigError) as exc:
        upload["error"] = message_for(exc, "app")
        return False
    st.session_state["dataset"], st.session_state["recipe"] = ds, recipe
    return True


def _pending_upload():
    """The uploaded file that is not (yet) the loaded dataset, if any."""
    upload, recipe = st.session_state.get("upload"), st.session_state.get("recipe")
    if not upload or (recipe is not None and recipe.upload_sha == upload["sha"]):
        return None
    return upload


# =========================================================================== widgets
def builtin_cards(*, columns: int = 3, kind: str | None = None, go_to: str | None = None) -> None:
    """The built-in datasets as cards with their lesson and a Load button.

    ``go_to`` is the page to switch to after a successful load.
    """
    infos = [b for b in datasets.catalogue() if kind is None or b.kind == kind]
    current = st.session_state.get("recipe")
    for start in range(0, len(infos), columns):
        for col, info in zip(st.columns(columns), infos[start:start + columns]):
            with col.container(border=True, height="stretch"):
                st.markdown(f"**{info.title}**")
                st.markdown(f":blue-badge[{info.task}] :gray-badge[{info.rows:,} rows × {info.columns} columns] "
                            f":orange-badge[{info.size}]")
                st.caption(info.lesson)
                loaded = current is not None and current.source == info.name
                if st.button("Loaded" if loaded else "Load", key=f"load-{info.name}",
                             icon=":material/check:" if loaded else ":material/download:",
                             type="secondary" if loaded else "primary", help=f"{info.source}. Licence: {info.licence}."):
                    if load_builtin(info.name):
                        state.flash("success", f"Loaded the built-in dataset **{info.title}**.")
                        if go_to:
                            st.switch_page(go_to)
                    st.rerun()


def builtin_picker() -> None:
    """A built-in dataset picker with a Load button (the Home page shows them as cards)."""
    infos = {b.name: b for b in datasets.catalogue()}
    current = st.session_state.get("recipe")
    names = list(infos)
    index = names.index(current.source) if current is not None and current.source in names else 0
    with st.form("builtin", border=False):
        name = st.selectbox("Or pick a built-in dataset", names, index=index, key="builtin-name",
                            format_func=lambda n: f"{infos[n].title} ({infos[n].rows:,} rows, {infos[n].task})")
        st.caption(infos[name].lesson)
        if st.form_submit_button("Load built-in", icon=":material/download:"):
            if load_builtin(name):
                state.flash("success", f"Loaded the built-in dataset **{infos[name].title}**.")
            st.rerun()


def dataset_overview(ds) -> None:
    """Name, size, target and task of the loaded dataset, with notices and warnings."""
    st.subheader(f"{ds.name}", anchor=False)
    if ds.lesson:
        st.caption(f"Lesson: {ds.lesson}")
    c1, c2, c3, c4 = st.columns(4)
    sampled = ds.n_rows_total != ds.n_rows
    c1.metric("Rows used", f"{ds.n_rows:,}", help=f"of {ds.n_rows_total:,} in the source" if sampled else None,
              delta=f"sampled from {ds.n_rows_total:,}" if sampled else None, delta_color="off", border=True)
    c2.metric("Feature columns", len(ds.feature_columns), border=True,
              help=f"of {ds.frame.shape[1] - 1} columns besides the target")
    c3.metric("Target", str(ds.target), border=True)
    task = ds.task + (f" ({len(ds.classes)} classes)" if ds.classes is not None else "")
    c4.metric("Task", task, border=True)
    for notice in ds.notices:
        st.info(notice[0].upper() + notice[1:] + ".", icon=":material/info:")
    for warning in data_warnings(ds):
        st.warning(warning, icon=":material/warning:")


def upload_panel(*, max_mb: int) -> None:
    """Drag-and-drop upload of a CSV or a ZIP of images, plus what a file that cannot be used as is needs:
    the target picker, or (images of mixed sizes) the size to resize them to."""
    file = st.file_uploader(
        "Upload a CSV file or a ZIP of images", type=CSV_TYPES, key="csv",
        help=(f"Up to {max_mb} MB. Comma, semicolon, tab or pipe separated; a header row is required. "
              f"Tables longer than the row limit are sampled, with a notice. Or a ZIP of images in one "
              f"folder per class, e.g. cat/001.png, dog/001.png (read as greyscale; images of different "
              f"sizes can be resized on load)."))
    if file is not None:
        use_upload(file)
    pending = _pending_upload()
    if pending is None:
        return
    if file is None and pending["frame"] is None:
        st.session_state["upload"] = None  # the broken file was removed from the uploader
        return
    if pending["error"]:
        st.error(f"**{pending['name']}** cannot be used as it is: {pending['error']}  \n"
                 + ("The previous dataset is still loaded." if state.dataset() is not None else ""),
                 icon=":material/error:")
    if pending.get("resize") and file is not None:
        _resize_form(pending, file)
    elif pending["frame"] is not None and not _is_zip(pending["name"]):  # a ZIP's target is its class folders
        columns = [str(c) for c in pending["frame"].columns]
        with st.form(f"pending-{pending['sha'][:12]}", border=True):
            st.markdown(f"Choose what to predict in **{pending['name']}**:")
            target = st.selectbox("Target column", columns, index=len(columns) - 1)
            task = st.selectbox("Task", ["infer from the target", "binary", "multiclass", "regression"])
            if st.form_submit_button("Load this file", type="primary"):
                recipe = DataRecipe("upload", name=pending["name"], upload_sha=pending["sha"], target=target,
                                task=None if task.startswith("infer") else task)
                if apply(recipe):
                    pending["error"] = None
                    state.flash("success", f"Loaded **{pending['name']}** with target `{target}`.")
                st.rerun()


def _resize_form(pending: dict, file) -> None:
    """Width and height to resize every image of a ZIP to, and a button that reads it again with them."""
    from ..datasets.images import MAX_PIXELS

    sw, sh = pending["resize"]
    with st.form(f"resize-{pending['sha'][:12]}", border=True):
        st.markdown(f"Resize every image in **{pending['name']}** on load (bilinear, greyscale); the file "
                    f"itself is not changed. At most {MAX_PIXELS:,} pixels per image.")
        c1, c2 = st.columns(2)
        width = c1.number_input("Width (pixels)", min_value=1, max_value=MAX_PIXELS, value=sw, step=1,
                                key=f"resize-w-{pending['sha'][:12]}")
        height = c2.number_input("Height (pixels)", min_value=1, max_value=MAX_PIXELS, value=sh, step=1,
                                 key=f"resize-h-{pending['sha'][:12]}")
        if st.form_submit_button("Resize and load", type="primary", icon=":material/photo_size_select_large:"):
            w, h = int(width), int(height)
            if w * h > MAX_PIXELS:
                pending["error"] = _RESIZE_TOO_BIG.format(w=w, h=h, n=w * h, max=MAX_PIXELS, sw=sw, sh=sh)
            # use_upload ran earlier in this script run, so ``pending`` is the file in the uploader.
            elif _read_upload(pending, file.getvalue(), size=(w, h)):
                state.flash("success", f"Loaded **{pending['name']}** with every image resized to {w}x{h}.")
            st.rerun()


def edit_panel(ds, recipe: DataRecipe) -> None:
    """Target, task, row limit and per-column roles of the loaded dataset, all editable."""
    from ..datasets.schema import ROLES, TASKS

    tag = f"{ds.sha256[:12]}-{st.session_state['nonce']}"  # new widgets for each dataset version
    columns = [str(c) for c in ds.frame.columns]
    c1, c2, c3 = st.columns([2, 2, 2])
    target = c1.selectbox("Target column (what to predict)", columns, index=columns.index(str(ds.target)),
                          key=f"target-{tag}")
    task = c2.selectbox("Task", list(TASKS), index=list(TASKS).index(ds.task), key=f"task-{tag}",
                        help="Inferred from the target; change it if the guess is wrong.")
    max_rows = c3.number_input("Row limit (larger data is sampled)", min_value=100, max_value=10_000_000,
                               value=recipe.max_rows, step=10_000, key=f"rows-{tag}",
                               help="Seeded and stratified by the target; the notice above says when it applies.")
    st.markdown("**Column roles** — change a role in the table; `excluded` leaves a column out of the models.")
    edited = st.data_editor(
        role_table(ds), key=f"roles-{tag}", hide_index=True, width="stretch",
        disabled=["column", "dtype", "missing", "distinct", "examples"],
        column_config={
            "column": st.column_config.TextColumn("Column"),
            "role": st.column_config.SelectboxColumn("Role", options=list(ROLES), required=True,
                                                     help=("numeric, categorical and datetime columns are features; "
                                                           "choose text for free text (each family builds "
                                                           "its own text representation)")),
            "dtype": st.column_config.TextColumn("Type in file"),
            "missing": st.column_config.TextColumn("Missing"),
            "distinct": st.column_config.NumberColumn("Distinct values", format="%d"),
            "examples": st.column_config.TextColumn("Examples"),
        })
    new = None
    if target != str(ds.target):
        roles = {c: r for c, r in recipe.roles if str(c) != target}
        new = recipe.changed(target=_column(ds, target), task=None, roles=roles)
    elif task != ds.task:
        new = recipe.changed(target=ds.target, task=task)
    elif int(max_rows) != recipe.max_rows:
        new = recipe.changed(target=ds.target, task=ds.task, max_rows=int(max_rows))
    else:
        changes = role_changes(ds, edited)
        if changes:
            new = recipe.changed(target=ds.target, task=ds.task, roles={**dict(recipe.roles), **changes})
    if new is not None:
        if apply(new):
            state.flash("success", "Dataset updated.")
        st.rerun()


def _column(ds, name: str):
    # Widgets return strings; map back to the frame's own column label.
    return next(c for c in ds.frame.columns if str(c) == name)
