"""The Explain page's parts: the comparison it reads, the cached explanation, and the display.

The explanation reads the models the comparison kept for one split (nothing is refitted) and
belongs to the :class:`~dllab.Study` of the data and the comparison's settings, cached there
under its split and number of rows.

The functions above the "widgets" banner are pure (no streamlit calls) and unit-tested.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from .. import families as registry
from ..present import plots
from ..config import RunConfig
from ..errors import ConfigError, DataError, message_for
from ..analyses.explain import BASE_ROW, OUTPUT_ROW, VALUE_COLUMN, explain
from .cache import study
from .run import needed_comparison

__all__ = ["cost_caption", "local_table", "row_label", "image_label", "class_choices",
           "class_choice_label", "pixel_caption", "needed_comparison", "explanation_for", "show_explanation",
           "show_pixel_maps", "ROW_CHOICES", "EACH_PREDICTED"]

#: Test rows explained at most (a seeded sample of split 0's test rows).
ROW_CHOICES = (200, 500, 1000)
#: Label of the class picker's first choice (``None``: every model shows the class it predicts).
EACH_PREDICTED = "Each model's predicted class"


# =========================================================================== pure helpers
def cost_caption(ex) -> str:
    """Time taken, rows explained and additivity error per model, in one line."""
    parts = []
    for f in ex.families:
        ok = ex.additivity_max_error[f] <= ex.additivity_tolerance[f]
        parts.append(f"{registry.label(f)}: {ex.seconds[f]:.2f} s for {ex.n_rows[f]:,} rows, additivity "
                     f"error {ex.additivity_max_error[f]:.1e} ({'ok' if ok else 'above tolerance'})")
    return " · ".join(parts)


def row_label(ex, row: int) -> str:
    """How a row is offered in the picker: its position in the data and its first values."""
    values = ex.shown_rows.loc[row]
    head = ", ".join(f"{c}={plots.short_value(values[c])}" for c in ex.columns[:3])
    return f"row {row} ({head}{', …' if len(ex.columns) > 3 else ''})"


def local_table(ex, row_position: int, *, target_class: int | None = None) -> pd.DataFrame:
    """One row side by side: its value and every model's contribution per column, then base and output.

    ``target_class`` (multiclass) is passed to :meth:`~dllab.analyses.explain.Explanation.local`.
    """
    local = ex.local(row_position, target_class=target_class)
    out = pd.DataFrame({"Column": local.index.astype(str)})
    out["Value"] = ["" if v is None else plots.short_value(v) for v in local[VALUE_COLUMN]]
    for f in ex.families:
        out[registry.label(f)] = local[f].astype(float).round(4).to_numpy()
    contrib = local.drop(index=[BASE_ROW, OUTPUT_ROW])[ex.families].astype(float)
    order = contrib.abs().max(axis=1).sort_values(ascending=False, kind="stable").index.tolist()
    return out.set_index("Column").loc[order + [BASE_ROW, OUTPUT_ROW]].reset_index()


def image_label(ex, row: int) -> str:
    """How an image is offered in the picker: its row, its label, and what each model predicts (or outputs)."""
    position = int(np.flatnonzero(ex.local_rows == row)[0])
    maps = [ex.pixel_map(f, position) for f in ex.families]
    if ex.classes:
        said = ", ".join(f"{plots.short_value(ex.classes[m.predicted_class])} ({registry.short_label(m.family)})"
                         for m in maps)
        return f"row {row}: label {plots.short_value(maps[0].target)}; predicted {said}"
    said = ", ".join(f"{m.output:+.2f} ({registry.short_label(m.family)})" for m in maps)
    return f"row {row}: label {plots.short_value(maps[0].target)}; output {said}"


def class_choices(ex) -> list:
    """Choices of the class picker: ``None`` (each model's predicted class), then every class index.
    Empty when the explanation has a single output (binary, regression)."""
    return [None, *range(len(ex.classes))] if ex.classes else []


def class_choice_label(ex, choice) -> str:
    """A class picker choice in words."""
    return EACH_PREDICTED if choice is None else f"class {plots.short_value(ex.classes[choice])}"


def pixel_caption(ex, row_position: int, target_class: int | None = None) -> str:
    """What the pixel maps show, with each model's map total (= output - base value)."""
    maps = [ex.pixel_map(f, row_position, target_class=target_class) for f in ex.families]
    limit = max(float(np.abs(m.attribution).max()) for m in maps)
    sums = ", ".join(f"{registry.label(m.family)} {m.attribution.sum():+.3g}" for m in maps)
    what = "the class shown" if ex.classes else f"the output ({ex.output_space})"
    patch = ex.settings.get("deep_patch", 1) if "deep" in ex.families else 1
    coarse = (f" The deep net's map has the resolution of {patch}x{patch}-pixel patches: on images this large its "
              "explainer moves patches, not single pixels." if patch > 1 else "")
    return (f"Red pixels push each model's output for {what} up, blue ones down; white: no effect. One colour "
            f"scale for every model (±{limit:.3g}), so the same colour means the same contribution. Each map adds up "
            f"to its model's output minus its base value: {sums}.{coarse}")


# =========================================================================== widgets
def explanation_for(ds, cmp, config: RunConfig, *, split: int = 0, rows: int = 500):
    """The explanation of ``cmp``'s models on split ``split`` (cached), or None after an error."""
    s = study(ds, config)
    ex = s.cached("explanation")
    if ex is not None and (ex.split, ex.settings["max_rows"]) == (split, rows):
        return ex
    ok = [f for f in cmp.families if cmp.overall.loc[f, "status"] != "failed"]
    try:
        with st.spinner(f"Explaining every model on up to {rows:,} rows…"):
            try:
                ex = s.explanation(split=split, max_rows=rows, families=ok)
            except ConfigError:
                # A family without a model on this split (failed, or not explainable): explain the others.
                usable = []
                for f in ok:
                    try:
                        explain(cmp, ds, split=split, max_rows=5, n_boot=1, families=[f], max_evals=1000)
                        usable.append(f)
                    except (ConfigError, DataError, NotImplementedError):
                        continue
                if not usable:
                    raise
                ex = s.explanation(split=split, max_rows=rows, families=usable)
    except (DataError, ConfigError) as exc:
        st.error(f"The explanation could not run: {message_for(exc, 'app')}", icon=":material/error:")
        return None
    return ex


def show_explanation(ex, *, key: str = "ex") -> None:
    """Importance bars, agreement in words, dependence per model, one row's waterfalls, costs."""
    missing = [f for f in registry.default_families(ex) if f not in ex.families]
    st.caption(f"SHAP values in one output space for every model: **{ex.output_space}**. "
               f"{ex.rows_explained:,} test rows of split {ex.split + 1}; nothing was retrained."
               + (f" Not explained: {', '.join(registry.label(f) for f in missing)} (not in this comparison)."
                  if missing else ""))

    st.subheader("What each model relies on", anchor=False)
    st.plotly_chart(plots.importance_figure(ex, top_k=15), width="stretch", key=f"{key}-importance")
    statements = ex.statements()
    st.markdown("\n".join(f"- {s[0].upper()}{s[1:]}." for s in statements) if statements
                else "- Only one model was explained: there is nothing to compare it with.")
    st.caption("Agreement is the rank correlation of the importances (1: same order). Bars are the mean |SHAP| "
               "with a 95% bootstrap band over the explained rows.")

    st.subheader("How one column moves each model", anchor=False)
    order = plots.importance_order(ex, top_k=len(ex.columns))
    column = st.selectbox("Column", order, index=0, key=f"{key}-column",
                          help="Columns ordered by importance. Each point is one explained row.")
    st.plotly_chart(plots.dependence_figure(ex, column), width="stretch", key=f"{key}-dependence")

    if ex.image_shape is not None:
        # Images: the pixel maps take the place of the one-row waterfalls (64+ pixels read better as a map).
        show_pixel_maps(ex, key=key)
        st.caption(":material/timer: " + cost_caption(ex))
        return

    st.subheader("One row, explained by every model", anchor=False)
    rows = [int(r) for r in ex.local_rows]
    if not rows:
        st.info("No row was explained by every model.", icon=":material/info:")
    else:
        row = st.selectbox("Row", rows, index=0, key=f"{key}-row", format_func=lambda r: row_label(ex, r),
                           help="Test rows that every model explained.")
        position = rows.index(int(row)) if row in rows else 0
        st.plotly_chart(plots.local_figure(ex, position), width="stretch", key=f"{key}-local")
        st.dataframe(local_table(ex, position), hide_index=True, width="stretch", key=f"{key}-local-table",
                     height=min(420, 38 + 35 * (len(ex.columns) + 2)))
        cls = ex.local(position).attrs.get("target_class")
        st.caption("Each model's contributions add up from its base value (average output) to its output "
                   "for this row" + (f", for class **{ex.classes[cls]}** (the most probable)." if ex.classes and
                                     cls is not None else "."))
    st.caption(":material/timer: " + cost_caption(ex))


def show_pixel_maps(ex, *, key: str = "ex") -> None:
    """Image datasets: an image picker, a class picker (multiclass), the image beside each model's pixel map,
    and the chosen image's contributions as a table."""
    st.subheader("Which pixels mattered", anchor=False)
    rows = [int(r) for r in ex.local_rows]
    if not rows:
        st.info("No image was explained by every model.", icon=":material/info:")
        return
    c1, c2 = st.columns([3, 2])
    row = c1.selectbox("Image", rows, index=0, key=f"{key}-image", format_func=lambda r: image_label(ex, r),
                       help="Test images that every model explained: their label and each model's prediction.")
    position = rows.index(int(row)) if row in rows else 0
    choices = class_choices(ex)
    target = None
    if choices:
        target = c2.selectbox("Class", choices, index=0, key=f"{key}-class",
                              format_func=lambda k: class_choice_label(ex, k),
                              help="Whose evidence to show: each model's own prediction, or one class for all.")
    st.plotly_chart(plots.pixel_map_figure(ex, position, target_class=target), width="stretch", key=f"{key}-pixels")
    st.caption(pixel_caption(ex, position, target))
    with st.expander("The same image as a table (every pixel, every model)"):
        table = local_table(ex, position, target_class=target)
        st.dataframe(table, hide_index=True, width="stretch", key=f"{key}-pixel-table", height=420)
        cls = ex.local(position, target_class=target).attrs.get("target_class")
        if ex.classes and cls is not None:
            st.caption(f"Contributions to class **{plots.short_value(ex.classes[cls])}**"
                       + (" (the most probable on average over the models)." if target is None else "."))
