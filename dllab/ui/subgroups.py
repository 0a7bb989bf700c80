"""The Subgroups page's parts: the comparison it reads, the cached report, the shift test, and the display.

The slice analysis reads the out-of-fold predictions of the session's comparison
for this dataset (the one the Compare page ran): nothing is refitted. The shift
test trains models, so it runs only when asked, with progress. Both belong to
the :class:`~dllab.Study` of the data and the comparison's settings, which
caches them under their settings (groups, shift column).

The functions above the "widgets" banner are pure (no streamlit calls) and unit-tested.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from .. import families as registry
from ..present import plots, report
from ..config import RunConfig
from ..errors import ConfigError, DataError, message_for
from ..metrics import METRICS
from ..analyses.subgroups import slice_table
from .cache import study
from .layout import belongs_to
from .run import needed_comparison

__all__ = ["worst_table", "heatmap_table", "shift_table", "group_options",
           "subgroups_json", "subgroup_comparison", "subgroup_report_for", "show_subgroups"]

_SIDE_BY_SIDE = "side"


# =========================================================================== pure helpers
def _fmt(metric: str, v) -> str:
    if v is None or not np.isfinite(v):
        return "—"
    return f"{v:.1%}" if tuple(METRICS[metric].bounds) == (0.0, 1.0) else f"{v:.4g}"


def _fmt_gap(metric: str, v) -> str:
    if v is None or not np.isfinite(v):
        return "—"
    return f"{v * 100:+.1f} points" if tuple(METRICS[metric].bounds) == (0.0, 1.0) else f"{v:+.3g}"


def worst_table(rep, family: str) -> pd.DataFrame:
    """The ranked worst slices of ``family`` for display: rank, slice, rows, score, 95% CI, gap, q-value."""
    m = rep.metric
    w = rep.worst(family)
    return pd.DataFrame({
        "Rank": np.arange(1, len(w) + 1),
        "Slice": w["description"].astype(str).tolist(),
        "Rows": w["size"].astype(int).tolist(),
        METRICS[m].label: [_fmt(m, v) for v in w["score"]],
        "95% CI": [f"{_fmt(m, lo)} to {_fmt(m, hi)}" for lo, hi in zip(w["ci_low"], w["ci_high"])],
        "Gap to overall": [_fmt_gap(m, v) for v in w["gap"]],
        "q-value": [f"{q:.2g}" for q in w["q_value"]],
    })


def heatmap_table(rep, *, top: int = 12, max_conditions: int = 1) -> pd.DataFrame:
    """The ``top`` slices with the most harmful gap for any family, as :func:`slice_table` rows.

    Slices with fewer than ``min_size`` rows (uncertain) are left out; slices are ordered by
    their worst ``gap * sqrt(size)`` over the families, most harmful first.
    """
    wide = slice_table(rep, values="score", max_conditions=max_conditions)
    f = rep.frame
    f = f[(f.n_conditions <= max_conditions) & ~f.uncertain]
    order = f.groupby("description", sort=False)["rank_score"].min().sort_values(kind="stable")
    keep = [d for d in order.index[:top] if d in wide.index]
    return wide.loc[keep]


def shift_table(rows) -> pd.DataFrame:
    """Shift-test rows for display: group, rows, model, held-out and random-split scores, drop [95% CI]."""
    out = []
    for r in rows:
        m = r["metric"]
        if r.get("status") != "ok":
            out.append({"Held-out group": r["group"], "Rows": r["size"], "Model": registry.label(r["family"]),
                        "Held out": "—", "Random split": "—", "Drop": f"failed: {r.get('reason', '')}",
                        "Note": r.get("note", "")})
            continue
        ci = ""
        if r.get("drop_ci_low") is not None:
            ci = f" [{_fmt_gap(m, r['drop_ci_low'])} to {_fmt_gap(m, r['drop_ci_high'])}]"
        out.append({"Held-out group": r["group"], "Rows": r["size"], "Model": registry.label(r["family"]),
                    "Held out": _fmt(m, r["shift_score"]), "Random split": _fmt(m, r["random_score"]),
                    "Drop": _fmt_gap(m, r["drop"]) + ci, "Note": r.get("note", "")})
    return pd.DataFrame(out, columns=["Held-out group", "Rows", "Model", "Held out", "Random split", "Drop", "Note"])


def group_options(ds) -> dict:
    """Every column but the target, with its role: ``{column: "column (role)"}``."""
    return {c: f"{c} ({ds.roles.get(c, 'excluded')})" for c in ds.frame.columns if c != ds.target}


def subgroups_json(rep, ds, config: RunConfig, *, indent: int = 2) -> bytes:
    """The document ``python -m dllab subgroups --json`` writes: ``{"dataset", "config", "subgroups"}``."""
    payload = {"dataset": ds.summary(), "config": config.to_dict(), "subgroups": rep.to_dict()}
    return report.to_json_bytes(payload, indent=indent)


# =========================================================================== widgets
def subgroup_comparison(ds):
    """The session's comparison for ``ds``: ``(comparison, config)``, or ``(None, None)`` after saying what to do."""
    return needed_comparison(ds, what="The subgroup analysis", reads="the out-of-fold predictions of a comparison",
                             key="subgroups-quick")


def subgroup_report_for(ds, cmp, config: RunConfig, *, groups, shift_column: str | None = None):
    """The report for these groups (cached), with the shift rows of ``shift_column`` if they were run."""
    s = study(ds, config)
    ran = shift_column is not None and s.shift(shift_column, cached_only=True) is not None
    settings = dict(groups=tuple(groups), shift=shift_column if ran else None)
    rep = s.subgroups(cached_only=True, **settings)
    if rep is None:
        try:
            with st.spinner("Scoring every model on every slice…"):
                rep = s.subgroups(**settings)
        except (DataError, ConfigError) as exc:
            st.error(f"The subgroup analysis could not run: {message_for(exc, 'app')}", icon=":material/error:")
            return None
    return rep


def show_subgroups(ds, cmp, config: RunConfig, *, key: str = "sg") -> None:
    """Group picker, findings, worst slices, heat map, disagreement, shift test and download."""
    belongs_to(cmp, what="Slices of the comparison on")
    options = group_options(ds)
    groups = st.multiselect(
        "Sensitive or grouping columns", list(options), format_func=options.get, key=f"{key}-groups",
        placeholder="none: slice by the model's features only",
        help="Slices are made from every feature the models use. Add columns to slice by as groups, also ones "
             "excluded from training (an identifier, a protected attribute, a region).")
    shift_column = st.session_state.get(f"{key}-shift-shown")
    rep = subgroup_report_for(ds, cmp, config, groups=groups, shift_column=shift_column)
    if rep is None:
        return
    m = rep.metric
    label = METRICS[m].label
    st.caption(f"{len(rep.slices):,} slices (one or two conditions, at least {rep.settings['min_size']} rows to be "
               f"ranked) · {label} · Welch t-test per slice, Benjamini-Hochberg at a false discovery rate of "
               f"{rep.settings['alpha']:g} · {rep.settings['repeats']}.")

    st.subheader("Findings", anchor=False)
    st.markdown("\n".join(f"- {s}" for s in rep.findings()))

    st.subheader("Worst slices", anchor=False)
    choices = [*rep.families, _SIDE_BY_SIDE]
    pick = st.segmented_control("Model", choices, default=rep.families[0], required=True, key=f"{key}-family",
                                format_func=lambda f: "Side by side" if f == _SIDE_BY_SIDE else registry.label(f))
    if pick == _SIDE_BY_SIDE:
        for col, fam in zip(st.columns(len(rep.families)), rep.families):
            col.markdown(f"**{registry.label(fam)}** · overall {_fmt(m, rep.overall.loc[fam, 'score'])}")
            table = worst_table(rep, fam)[["Rank", "Slice", "Rows", label, "Gap to overall"]]
            col.dataframe(table, hide_index=True, width="stretch", key=f"{key}-worst-{fam}")
    else:
        fam = pick or rep.families[0]
        table = worst_table(rep, fam)
        if table.empty:
            st.info(f"No slice of at least {rep.settings['min_size']} rows is significantly worse than the rest "
                    f"for the {registry.label(fam).lower()}.", icon=":material/check_circle:")
        else:
            st.dataframe(table, hide_index=True, width="stretch", key=f"{key}-worst")
        st.caption(f"Overall {label.lower() if not label.isupper() else label}: "
                   f"{_fmt(m, rep.overall.loc[fam, 'score'])}. Ranked by gap × √rows: a large deficit on "
                   "many rows first. Only significant slices are listed.")
        if not table.empty:
            st.plotly_chart(plots.worst_slices_figure(rep, fam), width="stretch", key=f"{key}-worst-chart")

    st.subheader("Score by slice and model", anchor=False)
    c1, c2 = st.columns([3, 1])
    top = c1.slider("Slices shown", min_value=5, max_value=40, value=12, step=1, key=f"{key}-top",
                    help="The slices with the most harmful gap for any model.")
    pairs = c2.toggle("Include two-condition slices", value=False, key=f"{key}-pairs")
    table = heatmap_table(rep, top=top, max_conditions=2 if pairs else 1)
    st.plotly_chart(plots.slice_heatmap_figure(table, metric=m), width="stretch", key=f"{key}-heatmap")

    if rep.pair:
        a, b = (registry.model_noun(p) for p in rep.pair)
        st.subheader(f"Where {a} and {b} disagree", anchor=False)
        st.plotly_chart(plots.disagreement_figure(rep), width="stretch", key=f"{key}-disagreement")
        st.caption(f"Per-row {rep.settings['disagreement_loss'].replace('_', ' ')} of {a} minus that of {b}, averaged "
                   f"over the slice, with a paired 95% interval. Right of zero: {a} does worse there; left: better. "
                   "Faded bars are not significant after the Benjamini-Hochberg correction.")

    _shift_section(ds, config, key=key)

    st.subheader("Download", anchor=False)
    name = f"dllab-{ds.name}-subgroups-{config.budget}-seed{config.seed}"
    st.download_button("Subgroups as JSON", data=subgroups_json(rep, ds, config), file_name=f"{name}.json",
                       mime="application/json", icon=":material/data_object:", on_click="ignore",
                       key=f"{key}-json", help="The same document as the command-line tool's subgroups writes as JSON.")


def _shift_section(ds, config: RunConfig, *, key: str) -> None:
    st.subheader("Shift test: what if the population changes?", anchor=False)
    st.caption("For each of the largest groups of a column: train on every other group, test on the held-out one, "
               "and compare with a random split of the same size. Unlike the slices above this trains models "
               f"(about {2 * 5 * len(config.families)} fits at the {config.budget} budget).")
    options = group_options(ds)
    with st.form(f"{key}-shift", border=False):
        c1, c2 = st.columns([3, 1], vertical_alignment="bottom")
        column = c1.selectbox("Column to hold groups out of", list(options), format_func=options.get,
                              key=f"{key}-shift-column")
        run = c2.form_submit_button("Run shift test", icon=":material/science:")
    s = study(ds, config)
    rows = s.shift(column, cached_only=True)
    if run and rows is None:
        try:
            with st.status(f"Shift test on {column}…", expanded=True) as box:
                bar = st.progress(0.0, text="starting…")

                def progress(p):
                    bar.progress(p.fraction, text=p.text)

                rows = s.shift(column, progress=progress)
                box.update(label=f"Shift test on {column}: done", state="complete", expanded=False)
        except (DataError, ConfigError) as exc:
            st.error(f"The shift test could not run: {message_for(exc, 'app')}", icon=":material/error:")
            return
    if rows is None:
        st.info("Pick a column and press **Run shift test**.", icon=":material/play_circle:")
        return
    if st.session_state.get(f"{key}-shift-shown") != column:
        st.session_state[f"{key}-shift-shown"] = column  # the findings above pick it up
        st.rerun()
    st.plotly_chart(plots.shift_figure(rows), width="stretch", key=f"{key}-shift-chart")
    st.dataframe(shift_table(rows), hide_index=True, width="stretch", key=f"{key}-shift-table")
