"""Loading data into the session: built-ins (cached), uploads (session only), and rebuilding after edits.

A :class:`~dllab.DataRecipe` says how the current dataset was built (which
source, target, task, role overrides, excluded columns, row limit, sampling
seed); the Data page's form (:mod:`dllab.ui.data_form`) makes a new recipe and
:func:`apply` builds it. A build that raises :class:`~dllab.errors.DataError`
leaves the loaded dataset (if any) in place and says why.

An uploaded CSV is only read here: nothing is inferred for good and nothing is
trained until the user presses Load in the form. A ZIP of images loads at once
(its target is its class folders), or offers to resize images of mixed sizes.
"""

from __future__ import annotations

import hashlib

import streamlit as st

from .. import datasets
from ..datasets.recipe import DEFAULT_MAX_ROWS, DataRecipe
from ..errors import ConfigError, DataError, message_for
from . import state
from .tables import data_warnings

__all__ = ["build", "try_build", "apply", "still_loaded", "follow_seed", "load_builtin", "use_upload",
           "pending_upload", "reading_notices", "builtin_cards", "builtin_picker", "upload_panel",
           "dataset_overview", "CSV_TYPES", "DEFAULT_MAX_ROWS"]

CSV_TYPES = ["csv", "tsv", "txt", "zip"]  # zip: images in one folder per class (datasets.images)

_RESIZE_TOO_BIG = ("{w}x{h} = {n:,} pixels per image is more than the {max:,} this lab trains on; choose a "
                   "smaller width or height, e.g. {sw}x{sh}.")
_GONE = ("the uploaded file {name!r} is no longer in this session (the page was reloaded or the server "
         "restarted); upload it again.")


# =========================================================================== building
@st.cache_resource(max_entries=16, show_spinner="Loading the built-in dataset…")
def _builtin(recipe: DataRecipe):
    # Global and shared by sessions: a built-in is public, and the Dataset is read-only.
    return recipe.build()


def _upload_frame(sha: str):
    # The frame of an upload of this session: the latest file, or the one the loaded dataset was made from.
    for key in ("upload", "loaded-upload"):
        upload = st.session_state.get(key)
        if upload and upload["sha"] == sha and upload["frame"] is not None:
            return upload["frame"]
    return None


def build(recipe: DataRecipe):
    """The dataset of ``recipe`` (raises DataError or ConfigError)."""
    if recipe.source != "upload":
        return _builtin(recipe)
    frame = _upload_frame(recipe.upload_sha)
    if frame is None:
        raise DataError(_GONE.format(name=recipe.name))
    return recipe.build(frame)


def try_build(recipe: DataRecipe):
    """``(dataset, None)``, or ``(None, message)`` with the reason in the app's words."""
    try:
        return build(recipe), None
    except (DataError, ConfigError) as exc:
        return None, message_for(exc, "app")


def still_loaded() -> str:
    """The sentence that says which dataset stays loaded after a failed load ("" when none is loaded)."""
    ds = state.dataset()
    return "" if ds is None else f"**{ds.name}** is still the loaded dataset."


def apply(recipe: DataRecipe) -> str | None:
    """Build ``recipe`` and make it the session's dataset. Returns None, or why it failed (the dataset that
    was loaded, if any, stays)."""
    ds, problem = try_build(recipe)
    if problem is not None:
        return problem
    if recipe.source == "upload":
        upload = st.session_state.get("upload")
        if upload and upload["sha"] == recipe.upload_sha:
            st.session_state["loaded-upload"] = upload
    else:
        st.session_state["loaded-upload"] = None
        _dismiss_upload()  # a built-in replaces a file that was waiting in the form
    st.session_state["dataset"], st.session_state["recipe"] = ds, recipe
    return None


def follow_seed(seed: int) -> bool:
    """Rebuild the session's data with ``seed`` if it was made with another; True when the rows changed.

    The seed of a run also seeds the sampling (and a synthetic built-in's data), as in the CLI,
    so the app and ``python -m dllab --seed`` train on the same rows.
    """
    recipe, ds = st.session_state.get("recipe"), state.dataset()
    if recipe is None or recipe.seed == seed:
        return False
    problem = apply(recipe.changed(seed=int(seed)))
    if problem is not None:
        state.flash("error", f"The data could not be made with seed {seed}: {problem}")
        return False
    return state.dataset().sha256 != ds.sha256


def load_builtin(name: str) -> bool:
    """Load the built-in ``name`` with its default target and task; on failure queue the reason."""
    problem = apply(DataRecipe(name, max_rows=DEFAULT_MAX_ROWS))
    if problem is not None:
        state.flash("error", f"The built-in dataset {name!r} could not be loaded: {problem}  \n{still_loaded()}")
    return problem is None


# =========================================================================== uploads
def use_upload(file) -> None:
    """Read a newly uploaded file; the same file is handled once.

    The frame stays in this session only. A CSV waits in the Data page's form
    (:func:`pending_upload`) until the user presses Load; a ZIP of images loads
    at once. Read errors are stored with the upload and shown while the file is
    in the uploader; the loaded dataset stays. A ZIP of images of mixed or too
    large sizes also stores the suggested size (``upload["resize"]``), and
    :func:`upload_panel` offers to resize on load.
    """
    raw = file.getvalue()
    sha = hashlib.sha256(raw).hexdigest()
    upload = st.session_state.get("upload")
    if upload and upload["sha"] == sha and upload["name"] == file.name:
        return
    upload = {"name": file.name, "sha": sha, "frame": None, "error": None, "resize": None, "dismissed": False}
    st.session_state["upload"] = upload
    _read_upload(upload, raw)


def _is_zip(name: str) -> bool:
    return name.lower().endswith(".zip")


def _read_upload(upload: dict, raw: bytes, *, size=None) -> bool:
    """Read ``raw`` into ``upload`` (a ZIP is also loaded); on error store why and keep the loaded dataset."""
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
    if not zipped:
        return True  # the Data page's form shows it; Load builds it
    # A ZIP's class column is made by the reader: it is the target, with no "no target given" notice.
    problem = apply(DataRecipe("upload", name=name, upload_sha=upload["sha"], target=LABEL_COLUMN))
    upload["error"] = problem
    return problem is None


def pending_upload():
    """The uploaded file that is waiting to be loaded (read, not the loaded dataset, not dismissed), or None."""
    upload, recipe = st.session_state.get("upload"), st.session_state.get("recipe")
    if not upload or upload.get("dismissed"):
        return None
    if recipe is not None and recipe.source == "upload" and recipe.upload_sha == upload["sha"] \
            and recipe.name == upload["name"]:
        return None
    return upload


def _dismiss_upload() -> None:
    upload = st.session_state.get("upload")
    if upload and pending_upload() is upload:
        upload["dismissed"] = True


def reading_notices(frame) -> list[str]:
    """What the CSV reader changed or decided while reading ``frame``, as sentences."""
    info = frame.attrs.get("dllab.csv", {})
    out = [info["notice"]] if info.get("notice") else []
    out += [n for n in info.get("notices", ()) if n and n not in out]
    return out


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
        st.info(notice[0].upper() + notice[1:] + ("" if notice.endswith(".") else "."), icon=":material/info:")
    for warning in data_warnings(ds):
        st.warning(warning, icon=":material/warning:")


def upload_panel(*, max_mb: int) -> None:
    """Drag-and-drop upload of a CSV or a ZIP of images; shows why a file cannot be read, offers to resize
    images of mixed sizes, and to bring back a file that a built-in replaced in the form."""
    file = st.file_uploader(
        "Upload a CSV file or a ZIP of images", type=CSV_TYPES, key="csv",
        help=(f"Up to {max_mb} MB. Comma, semicolon, tab or pipe separated; a header row is required. "
              f"You check the target and every column's role before anything is loaded; tables longer than "
              f"the row limit are sampled, with a notice. Or a ZIP of images in one folder per class, e.g. "
              f"cat/001.png, dog/001.png (read as greyscale; images of different sizes can be resized on load)."))
    if file is not None:
        use_upload(file)
    upload = st.session_state.get("upload")
    if upload and upload.get("dismissed"):
        if file is not None and file.name == upload["name"]:
            st.caption(f"**{upload['name']}** is in the uploader but not loaded.")
            if st.button(f"Check and load {upload['name']}", icon=":material/edit_note:", key="undismiss"):
                upload["dismissed"] = False
                st.rerun()
        return
    pending = pending_upload()
    if pending is None:
        return
    if file is None and pending["frame"] is None:
        st.session_state["upload"] = None  # the unreadable file was removed from the uploader
        return
    if pending["error"]:
        st.error(f"**{pending['name']}** cannot be used as it is: {pending['error']}"
                 + (f"  \n{still_loaded()}" if still_loaded() else ""), icon=":material/error:")
    if pending.get("resize") and file is not None:
        _resize_form(pending, file)


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
