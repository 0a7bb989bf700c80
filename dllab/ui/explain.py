"""The Explain page's parts: the comparison it reads, the cached explanation, and the display.

The explanation reads the models the comparison kept for one split (nothing is refitted) and is
stored in the server's :func:`~dllab.ui.cache.results` store under :func:`explanation_key`:
``("explain", sha256, RunConfig.key(), split, rows)``.

The functions above the "widgets" banner are pure (no streamlit calls) and unit-tested.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from .. import plots
from ..config import RunConfig
from ..errors import ConfigError, DataError
from ..explain import BASE_ROW, OUTPUT_ROW, VALUE_COLUMN, explain
from ..models import FAMILY_LABELS
from .cache import results
from .run import comparison

__all__ = ["explanation_key", "cost_caption", "local_table", "row_label", "needed_comparison",
           "explanation_for", "show_explanation", "ROW_CHOICES"]

#: Test rows explained at most (a seeded sample of split 0's test rows).
ROW_CHOICES = (200, 500, 1000)


# =========================================================================== pure helpers
def explanation_key(sha: str, config: RunConfig, split: int, rows: int) -> tuple:
    """Result-store key of an explanation."""
    return ("explain", sha, config.key(), int(split), int(rows))


def cost_caption(ex) -> str:
    """Time taken, rows explained and additivity error per model, in one line."""
    parts = []
    for f in ex.families:
        ok = ex.additivity_max_error[f] <= ex.additivity_tolerance[f]
        parts.append(f"{FAMILY_LABELS.get(f, f)}: {ex.seconds[f]:.2f} s for {ex.n_rows[f]:,} rows, additivity "
                     f"error {ex.additivity_max_error[f]:.1e} ({'ok' if ok else 'above tolerance'})")
    return " · ".join(parts)


def row_label(ex, row: int) -> str:
    """How a row is offered in the picker: its position in the data and its first values."""
    values = ex.shown_rows.loc[row]
    head = ", ".join(f"{c}={plots._short_value(values[c])}" for c in ex.columns[:3])
    return f"row {row} ({head}{', …' if len(ex.columns) > 3 else ''})"


def local_table(ex, row_position: int) -> pd.DataFrame:
    """One row side by side: its value and every model's contribution per column, then base and output."""
    local = ex.local(row_position)
    out = pd.DataFrame({"Column": local.index.astype(str)})
    out["Value"] = ["" if v is None else plots._short_value(v) for v in local[VALUE_COLUMN]]
    for f in ex.families:
        out[FAMILY_LABELS.get(f, f)] = local[f].astype(float).round(4).to_numpy()
    contrib = local.drop(index=[BASE_ROW, OUTPUT_ROW])[ex.families].astype(float)
    order = contrib.abs().max(axis=1).sort_values(ascending=False, kind="stable").index.tolist()
    return out.set_index("Column").loc[order + [BASE_ROW, OUTPUT_ROW]].reset_index()


# =========================================================================== widgets
def needed_comparison(ds, *, what: str, key: str):
    """The session's comparison for ``ds`` (from the cache, or trained), or ``(None, None)`` after saying
    what to do: a link to Compare and a button for a quick run (every default family, 3 folds)."""
    asked = st.session_state["requested"].get(ds.sha256)
    if asked is None:
        st.info(f"{what} reads a comparison, and none has been run for this dataset yet. Run one on the Compare "
                "page, or a quick one here.", icon=":material/info:")
        c1, c2, _ = st.columns([1, 1, 3])
        c1.page_link("pages/2_Compare.py", label="Go to Compare", icon=":material/leaderboard:")
        if not c2.button("Run a quick comparison", icon=":material/play_arrow:", type="primary", key=key):
            return None, None
        from .run import default_families

        asked = RunConfig(budget="quick", n_folds=3, families=tuple(default_families(ds)),
                          max_rows=getattr(st.session_state.get("recipe"), "max_rows", 100_000))
        cmp = comparison(ds, asked, submitted=True)
    else:
        cmp = comparison(ds, asked, submitted=False)
    return (cmp, asked) if cmp is not None else (None, None)


def explanation_for(ds, cmp, config: RunConfig, *, split: int = 0, rows: int = 500):
    """The explanation of ``cmp``'s models on split ``split`` (cached), or None after an error."""
    store = results()
    key = explanation_key(ds.sha256, config, split, rows)
    ex = store.get(key)
    if ex is not None:
        return ex
    ok = [f for f in cmp.families if cmp.overall.loc[f, "status"] != "failed"]
    try:
        with st.spinner(f"Explaining every model on up to {rows:,} rows…"):
            try:
                ex = explain(cmp, ds, split=split, max_rows=rows, random_state=config.seed, families=ok)
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
                ex = explain(cmp, ds, split=split, max_rows=rows, random_state=config.seed, families=usable)
    except (DataError, ConfigError) as exc:
        st.error(f"The explanation could not run: {exc}", icon=":material/error:")
        return None
    store.put(key, ex)
    return ex


def show_explanation(ex, *, key: str = "ex") -> None:
    """Importance bars, agreement in words, dependence per model, one row's waterfalls, costs."""
    missing = [f for f in ("linear", "gbm", "deep") if f not in ex.families]
    st.caption(f"SHAP values in one output space for every model: **{ex.output_space}**. "
               f"{ex.rows_explained:,} test rows of split {ex.split + 1}; nothing was retrained."
               + (f" Not explained: {', '.join(FAMILY_LABELS.get(f, f) for f in missing)} (not in this comparison)."
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
