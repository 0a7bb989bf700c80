"""The Explain page's parts: the rows-explained choice, the cached explanation, and the display.

The explanation reads the models the comparison kept for one split (nothing is refitted) and
belongs to the :class:`~dllab.Study` of the data and the comparison's settings, cached there
under its split and number of rows. Contributions are shown in probability by default (log-odds
on request; see :mod:`dllab.analyses.explain.units`), with the class they are of named; one row
is found by an identifier or by column values, explained, and edited in :mod:`dllab.ui.whatif`.

The functions above the "widgets" banner are pure (no streamlit calls) and unit-tested.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from .. import families as registry
from ..analyses.explain import BASE_ROW, OUTPUT, OUTPUT_ROW, PROBABILITY, VALUE_COLUMN, explain
from ..config import RunConfig
from ..errors import ConfigError, DataError, message_for
from ..present import plots
from ..present.plots import explain as plots_explain
from ..present.glossary import help_for
from .cache import study
from .run import needed_comparison
from .whatif import row_label, show_row_finder, show_what_if

__all__ = ["cost_caption", "local_table", "row_label", "image_label", "class_choices", "row_choices",
           "row_choice_label", "default_rows", "units_caption", "class_choice_label", "pixel_caption",
           "needed_comparison", "rows_setting", "explanation_for", "show_explanation", "show_pixel_maps",
           "ROW_CHOICES", "EACH_PREDICTED", "START_LABEL", "PREDICTION_LABEL"]

#: Test rows explained at most (a seeded sample of split 0's test rows), offered up to the rows there are.
ROW_CHOICES = (200, 500, 1000)
#: Rows explained unless the person picks another number (or all of them, when there are fewer).
DEFAULT_ROWS = 500
#: Label of the class picker's first choice (``None``: every model shows the class it predicts).
EACH_PREDICTED = "Each model's predicted class"
#: The local table's last two rows: the base value and the output, in words.
START_LABEL, PREDICTION_LABEL = "Average row (starting point)", "This row's prediction"


# =========================================================================== pure helpers
def row_choices(n_test: int) -> list[int]:
    """Numbers of rows to offer: the :data:`ROW_CHOICES` below ``n_test``, then ``n_test`` itself (all of
    them) if it is not above the largest choice.

    Examples
    --------
    >>> row_choices(297), row_choices(5000), row_choices(500)
    ([200, 297], [200, 500, 1000], [200, 500])
    """
    below = [n for n in ROW_CHOICES if n < n_test]
    return below + ([int(n_test)] if n_test <= ROW_CHOICES[-1] else [])


def row_choice_label(n: int, n_test: int) -> str:
    """``"all 297"`` for every test row, else the number."""
    return f"all {n:,}" if n == n_test else f"{n:,}"


def default_rows(choices: list[int]) -> int:
    """:data:`DEFAULT_ROWS` if offered, else the largest choice below it (every row, when there are fewer)."""
    return DEFAULT_ROWS if DEFAULT_ROWS in choices else max([n for n in choices if n < DEFAULT_ROWS] or choices[:1])


def units_caption(ex, units: str) -> str:
    """What the numbers on the page are, in plain words (with the class they are of)."""
    if units == PROBABILITY:
        what = (f"how many percentage points a column adds to or takes from a model's probability of "
                f"**{ex.outcome()}**" if ex.task == "binary" else
                "how many percentage points a column adds to or takes from a model's probability of a class "
                "(each row's predicted class, unless you pick one)")
    elif ex.task == "regression":
        what = f"how much a column raises or lowers a model's **predicted {ex.target}**, in its own units"
    elif ex.task == "binary":
        what = f"how much a column raises or lowers a model's **log-odds of {ex.outcome()}**"
    else:
        what = "how much a column raises or lowers a model's log-probability of a class (centred over the classes)"
    return f"A contribution says {what}, compared with the average row. A row's contributions add up to its prediction."


def cost_caption(ex) -> str:
    """Per model: how its contributions were made, the rows, the time, and how closely they add up."""
    parts = []
    for f in ex.families:
        how = "exact values" if ex.methods[f].startswith("exact") else "values estimated by sampling"
        gap = ex.additivity_max_error[f]
        ok = gap <= ex.additivity_tolerance[f]
        parts.append(f"{registry.label(f)}: {how}, {ex.n_rows[f]:,} rows in {ex.seconds[f]:.2f} s; they add up to "
                     f"its predictions {'' if ok else 'only '}within {gap:.1g}")
    return " · ".join(parts) + "."


def local_table(ex, row_position: int, *, target_class: int | None = None, units: str = OUTPUT) -> pd.DataFrame:
    """One row side by side: its value and every model's contribution per column, then base and output, as text.

    Largest contributions first; the last two rows are the starting point (:data:`START_LABEL`) and the
    row's prediction (:data:`PREDICTION_LABEL`). In probability, contributions read "+12.3 points" and the
    two ends "38.4%"; otherwise three significant digits. ``target_class`` (multiclass) is passed to
    :meth:`~dllab.analyses.explain.Explanation.local`.
    """
    local = ex.local(row_position, target_class=target_class, units=units)
    prob = units == PROBABILITY
    step = plots_explain.points_text if prob else (lambda v: plots_explain.number_text(v, signed=True))
    end = plots_explain.probability_text if prob else plots_explain.number_text
    contrib = local.drop(index=[BASE_ROW, OUTPUT_ROW])[ex.families].astype(float)
    order = contrib.abs().max(axis=1).sort_values(ascending=False, kind="stable").index.tolist()
    out = pd.DataFrame({"Column": [str(c) for c in order] + [START_LABEL, PREDICTION_LABEL],
                        "Value": [plots.short_value(local.loc[c, VALUE_COLUMN]) for c in order] + ["", ""]})
    for f in ex.families:
        v = local[f].astype(float)
        out[registry.label(f)] = [step(v[c]) for c in order] + [end(v[BASE_ROW]), end(v[OUTPUT_ROW])]
    return out


def image_label(ex, row: int) -> str:
    """How an image is offered in the picker: its row, its label, and what each model predicts (or outputs)."""
    position = int(np.flatnonzero(ex.local_rows == row)[0])
    maps = [ex.pixel_map(f, position) for f in ex.families]
    if ex.classes:
        said = ", ".join(f"{plots.short_value(ex.classes[m.predicted_class])} ({registry.short_label(m.family)})"
                         for m in maps)
        return f"{ex.row_name(row)}: label {plots.short_value(maps[0].target)}; predicted {said}"
    said = ", ".join(f"{m.output:+.2f} ({registry.short_label(m.family)})" for m in maps)
    return f"{ex.row_name(row)}: label {plots.short_value(maps[0].target)}; output {said}"


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
    what = "output for the class shown" if ex.classes else ex.describe()
    patch = ex.settings.get("deep_patch", 1) if "deep" in ex.families else 1
    coarse = (f" The deep net's map has the resolution of {patch}x{patch}-pixel patches: on images this large its "
              "explainer moves patches, not single pixels." if patch > 1 else "")
    return (f"Red pixels push each model's {what} up, blue ones down; white: no effect. One colour "
            f"scale for every model (±{limit:.3g}), so the same colour means the same contribution. Each map adds up "
            f"to its model's output minus its base value: {sums}.{coarse}")


# =========================================================================== widgets
def rows_setting(cmp, *, key: str = "explain-rows") -> int:
    """The rows-explained choice, offered only up to the first split's test rows (and saying how many)."""
    n_test = len(cmp.splits[0][1])
    choices = row_choices(n_test)
    return int(st.segmented_control(
        f"Rows explained (the first split has {n_test:,} test rows)", choices, default=default_rows(choices),
        format_func=lambda n: row_choice_label(n, n_test), required=True, key=f"{key}-{n_test}",
        help="A seeded sample of the test rows of the first split: rows the models did not see in training. "
             "The deep net may explain fewer (its cost grows with the columns).") or default_rows(choices))


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


def show_explanation(ex, ds=None, *, key: str = "ex") -> None:
    """Units and class, importance bars, agreement in words, dependence per model, one row found, explained
    and edited (the what-if), and how the numbers were made.

    ``ds`` (the explained data) lets an identifier search say when a row exists but was not explained.
    """
    missing = [f for f in registry.default_families(ex) if f not in ex.families]
    units = _units(ex, key=key)
    st.caption(units_caption(ex, units) + f" {ex.rows_explained:,} test rows of split {ex.split + 1}; nothing was "
               "retrained." + (f" Not explained: {', '.join(registry.label(f) for f in missing)} (not in this "
                               "comparison)." if missing else ""), help=help_for("shap"))

    st.subheader("What each model relies on", anchor=False)
    st.plotly_chart(plots.importance_figure(ex, top_k=15, units=units), width="stretch", key=f"{key}-importance")
    statements = ex.statements()
    st.markdown("\n".join(f"- {s[0].upper()}{s[1:]}." for s in statements) if statements
                else "- Only one model was explained: there is nothing to compare it with.")
    st.caption("Agreement compares the order of the columns by importance (rank correlation: 1 is the same order, "
               "0 no relation). Bars are the average size of a column's contribution over the explained rows, "
               "with a 95% bootstrap band.", help=help_for("ci"))

    st.subheader("How one column moves each model", anchor=False)
    order = plots.importance_order(ex, top_k=len(ex.columns), units=units)
    column = st.selectbox("Column", order, index=0, key=f"{key}-column",
                          help="Columns ordered by importance. Each point is one explained row.")
    st.plotly_chart(plots.dependence_figure(ex, column, units=units), width="stretch", key=f"{key}-dependence")

    if ex.image_shape is not None:
        # Images: the pixel maps take the place of the one-row waterfalls (64+ pixels read better as a map).
        show_pixel_maps(ex, key=key)
        _show_method(ex, units)
        return

    st.subheader("One row, explained by every model", anchor=False)
    target = _class(ex, key=key)
    row = show_row_finder(ex, ds, key=key, target_class=target)
    if row is not None:
        position = int(np.flatnonzero(ex.local_rows == row)[0])
        st.plotly_chart(plots.local_figure(ex, position, units=units, target_class=target), width="stretch",
                        key=f"{key}-local")
        st.dataframe(local_table(ex, position, target_class=target, units=units), hide_index=True, width="stretch",
                     key=f"{key}-local-table", height=min(420, 38 + 35 * (len(ex.columns) + 2)))
        cls = ex.local(position, target_class=target).attrs.get("target_class")
        unit = "percent, contributions in percentage points" if units == PROBABILITY else ex.unit_label(units)
        st.caption(f"The row's own values beside each model's contributions ({unit}) to its "
                   f"{ex.describe(units, cls)}: from the average row to this row's prediction"
                   + (" (the class most probable for this row)." if ex.classes and target is None else "."))
        show_what_if(ex, row, key=key, target_class=cls)
    _show_method(ex, units)


def _units(ex, *, key) -> str:
    """The units toggle: probability by default, where it applies (classification, not images)."""
    if len(ex.units) < 2:
        return OUTPUT
    return st.segmented_control(
        "Show contributions as", list(ex.units), default=PROBABILITY, format_func=ex.unit_label, required=True,
        key=f"{key}-units", help="Probability: percentage points of the predicted probability, which is what the "
        "models' answers mean to a person. " + ex.unit_label(OUTPUT).capitalize() + ": the scale the models "
        "compute on, where each column's push is the same wherever the row starts.") or PROBABILITY


def _class(ex, *, key) -> int | None:
    """Several classes (not images): whose probability one row's contributions explain."""
    choices = class_choices(ex)
    if not choices:
        return None
    c1, _ = st.columns([2, 3])
    return c1.selectbox("Class", choices, index=0, key=f"{key}-tabular-class",
                        format_func=lambda k: class_choice_label(ex, k),
                        help="Whose probability the row's contributions and the what-if explain: the class most "
                             "probable for the row, or one class for every row.")


def _show_method(ex, units):
    with st.expander("How these numbers were made"):
        st.caption(cost_caption(ex))
        if PROBABILITY in ex.units:
            st.caption("Contributions in probability: each model's exact (or sampled) contributions on its own scale "
                       f"({ex.unit_label(OUTPUT)}) carried over to the probability, so that they add up to the change "
                       "from the average row's probability to this row's. With two classes every contribution of a "
                       "row is multiplied by the same factor: its sign and its rank among the columns stay the same.")


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
