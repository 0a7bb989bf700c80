"""The Subgroups page's parts: the comparison it reads, the cached report, the shift test, and the display.

The slice analysis reads the out-of-fold predictions of the session's comparison
for this dataset (the one the Compare page ran): nothing is refitted. The shift
test trains models, so it runs only when asked, with progress, after saying how
many fits it makes and how long they should take. Both belong to the
:class:`~dllab.Study` of the data and the comparison's settings, which caches
them under their settings (groups, shift column).

The functions above the "widgets" banner are pure (no streamlit calls) and unit-tested; the
tables themselves are in :mod:`dllab.analyses.subgroups.tables` (the HTML report reads them too).
"""

from __future__ import annotations

import streamlit as st

from .. import families as registry
from ..analyses.subgroups import default_shift_column, shift_conclusion, shift_plan
from ..analyses.subgroups.shift_plan import MOSTLY_DISTINCT
from ..analyses.subgroups.tables import (CI_HEADER, Q_HEADER, WORSE_MARK, heatmap_table, shift_table,
                                         side_by_side_table, worst_table)
from ..config import RunConfig
from ..errors import ConfigError, DataError, message_for
from ..metrics import METRICS, format_diff, format_score
from ..present import plots, report
from ..present.glossary import help_for
from .cache import study
from .compute import training
from .layout import belongs_to
from .run import needed_comparison

__all__ = ["worst_table", "side_by_side_table", "heatmap_table", "shift_table", "group_options", "duration",
           "shift_caption", "shift_warning", "subgroups_json", "subgroup_comparison", "subgroup_report_for",
           "show_subgroups"]

_SIDE_BY_SIDE = "side"
_GAP_HELP = "The slice's score minus the model's score on all rows: negative means worse on the slice."


# =========================================================================== pure helpers
def group_options(ds) -> dict:
    """Every column but the target, with its role: ``{column: "column (role)"}``."""
    return {c: f"{c} ({ds.roles.get(c, 'excluded')})" for c in ds.frame.columns if c != ds.target}


def duration(seconds) -> str:
    """A rough duration in words: 'under 5 seconds', 'about 20 seconds', 'about 3 minutes'.

    Examples
    --------
    >>> duration(2.1), duration(21.0), duration(200), duration(None)
    ('under 5 seconds', 'about 20 seconds', 'about 3 minutes', 'an unknown time')
    """
    if seconds is None:
        return "an unknown time"
    if seconds < 5:
        return "under 5 seconds"
    if seconds < 90:
        return f"about {max(5, int(round(seconds / 5.0)) * 5)} seconds"
    return f"about {int(round(seconds / 60.0))} minutes"


def shift_caption(plan: dict, *, budget: str) -> str:
    """What the shift test on ``plan["column"]`` will do and cost, in words (from :func:`shift_plan`)."""
    k = len(plan["groups"])
    if k < 2:
        return ""
    groups = ", ".join(f"{g} ({n:,} rows)" for g, n in zip(plan["groups"], plan["sizes"]))
    when = (f", {duration(plan['seconds'])} on this machine (estimated from the comparison's training times)"
            if plan["seconds"] is not None else "")
    return (f"Holds out each of the {k} groups of {plan['column']} in turn: {groups}. That is {plan['n_fits']} "
            f"fits at the {budget} budget{when}; the test never makes more than {plan['max_fits']}.")


def shift_warning(ds, column: str) -> str | None:
    """Why ``column`` is a poor column to shift along, or None when its groups can be populations."""
    role = ds.roles.get(column, "excluded")
    values = ds.frame[column]
    present = int(values.notna().sum())
    if role == "identifier":
        return (f"{column} is an identifier: its groups would be arbitrary ranges of labels, not a population. "
                "A column such as a category, a region or a class says more.")
    if role == "text":
        return (f"{column} is free text: its groups are texts of different lengths (in words), not populations "
                "of their own.")
    if present and values.nunique(dropna=True) >= MOSTLY_DISTINCT * present:
        return (f"{column} has a different value in almost every row: its groups are ranges of values rather "
                "than populations.")
    if role in ("constant", "datetime"):
        return (f"{column} is a {role} column: the models do not read it as it is, so holding its groups out "
                "says little.")
    return None


def subgroups_json(rep, ds, config: RunConfig, *, indent: int = 2) -> bytes:
    """The document ``python -m dllab subgroups --json`` writes: ``{"dataset", "config", "subgroups"}``."""
    payload = {"dataset": ds.summary(), "config": config.to_dict(), "subgroups": rep.to_dict()}
    return report.to_json_bytes(payload, indent=indent)


def _column_config(metric: str) -> dict:
    return {"Rank": st.column_config.NumberColumn("Rank", width="small"),
            "Slice": st.column_config.TextColumn("Slice", width="large"),
            "Rows": st.column_config.NumberColumn("Rows", width="small", format="%d"),
            METRICS[metric].label: st.column_config.TextColumn(METRICS[metric].label, width="small"),
            CI_HEADER: st.column_config.TextColumn(CI_HEADER, help=help_for("ci")),
            "Gap to overall": st.column_config.TextColumn("Gap to overall", help=_GAP_HELP),
            Q_HEADER: st.column_config.TextColumn(Q_HEADER, help=help_for("q"))}


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
    st.caption(f"{len(rep.slices):,} slices (one or two conditions; at least {rep.settings['min_size']} rows to be "
               f"ranked) · {label} · each slice's errors are compared with the rest of the rows, and the "
               f"p-values corrected for testing every slice at once (false discovery rate "
               f"{rep.settings['alpha']:.0%}) · {rep.settings['repeats']}.", help=help_for("corrected test"))

    st.subheader("Findings", anchor=False)
    st.markdown("\n".join(f"- {s}" for s in rep.findings()))

    _worst_section(rep, key=key)
    _heatmap_section(rep, key=key)

    if rep.pair:
        a, b = (registry.model_noun(p) for p in rep.pair)
        st.subheader(f"Where {a} and {b} disagree", anchor=False)
        st.plotly_chart(plots.disagreement_figure(rep), width="stretch", key=f"{key}-disagreement")
        st.caption(f"Per-row {rep.settings['disagreement_loss'].replace('_', ' ')} of {a} minus that of {b}, averaged "
                   f"over the slice, with a paired 95% interval. Right of zero: {a} does worse there; left: better. "
                   "Faded bars are not significant once the p-values are corrected for testing every slice.",
                   help=help_for("corrected test"))

    _shift_section(ds, cmp, config, key=key)

    st.subheader("Download", anchor=False)
    name = f"dllab-{ds.name}-subgroups-{config.budget}-seed{config.seed}"
    st.download_button("Subgroups as JSON", data=subgroups_json(rep, ds, config), file_name=f"{name}.json",
                       mime="application/json", icon=":material/data_object:", on_click="ignore",
                       key=f"{key}-json", help="The same document as the command-line tool writes for subgroups.")


def _worst_section(rep, *, key: str) -> None:
    m = rep.metric
    label = METRICS[m].label
    st.subheader("Worst slices", anchor=False)
    choices = [*rep.families, _SIDE_BY_SIDE]
    pick = st.segmented_control("Model", choices, default=rep.families[0], required=True, key=f"{key}-family",
                                format_func=lambda f: "Side by side" if f == _SIDE_BY_SIDE else registry.label(f))
    config = _column_config(m)
    if pick == _SIDE_BY_SIDE:
        table = side_by_side_table(rep)
        if table.empty:
            st.info(f"No slice of at least {rep.settings['min_size']} rows is significantly worse than the rest "
                    "for any model.", icon=":material/check_circle:")
            return
        cols = {registry.label(f): st.column_config.TextColumn(
            registry.label(f), help=f"{label} of {registry.model_noun(f)} on the slice, and its gap to "
                                    f"{format_score(m, rep.overall.loc[f, 'score'])} on all rows.")
            for f in rep.families}
        st.dataframe(table, hide_index=True, width="stretch", key=f"{key}-worst-side",
                     column_config={"Slice": config["Slice"], "Rows": config["Rows"], **cols})
        st.caption(f"One row per slice that is significantly worse than the rest for at least one model, the most "
                   f"harmful first. Each cell: the score on the slice (its gap to that model's score on all rows); "
                   f"{WORSE_MARK} marks the models for which the slice is significantly worse.")
        return
    fam = pick or rep.families[0]
    table = worst_table(rep, fam)
    if table.empty:
        st.info(f"No slice of at least {rep.settings['min_size']} rows is significantly worse than the rest "
                f"for {registry.model_noun(fam)}.", icon=":material/check_circle:")
    else:
        st.dataframe(table, hide_index=True, width="stretch", key=f"{key}-worst", column_config=config)
    st.caption(f"{label} of {registry.model_noun(fam)} on all rows: {format_score(m, rep.overall.loc[fam, 'score'])}. "
               "Ranked by gap × √rows: a large deficit on many rows first. Only significant slices are listed.")
    if not table.empty:
        st.plotly_chart(plots.worst_slices_figure(rep, fam), width="stretch", key=f"{key}-worst-chart")


def _heatmap_section(rep, *, key: str) -> None:
    m = rep.metric
    st.subheader("Score by slice and model", anchor=False)
    c1, c2 = st.columns([3, 1], vertical_alignment="bottom")
    top = c1.slider("Slices shown", min_value=5, max_value=40, value=12, step=1, key=f"{key}-top",
                    help="The slices with the most harmful gap for any model.")
    pairs = c2.toggle("Include two-condition slices", value=False, key=f"{key}-pairs")
    table = heatmap_table(rep, top=top, max_conditions=2 if pairs else 1)
    fig = plots.slice_heatmap_figure(table, metric=m)
    st.plotly_chart(fig, width="stretch", key=f"{key}-heatmap")
    heat = fig.data[0]
    st.caption(f"White is {format_score(m, heat.zmid)}, the models' mean score on all rows; orange is worse and "
               f"purple better, at full colour {format_diff(m, heat.zmax - heat.zmid)} away. The HTML report "
               "colours it the same way. Slices with fewer than "
               f"{rep.settings['min_size']} rows are left out.")


def _shift_section(ds, cmp, config: RunConfig, *, key: str) -> None:
    st.subheader("Shift test: what if the population changes?", anchor=False)
    st.caption("For each of the largest groups of a column: train on every other group, test on the held-out one, "
               "and compare with a random split of the same size. Unlike the slices above this trains models.")
    options = group_options(ds)
    names = list(options)
    default = default_shift_column(ds)
    c1, c2 = st.columns([3, 1], vertical_alignment="bottom")
    column = c1.selectbox("Column to hold groups out of", names, format_func=options.get, key=f"{key}-shift-column",
                          index=names.index(default) if default in names else None, placeholder="choose a column",
                          help="Chosen for you: a category (or a number with few values) with the most groups of "
                               "at least 30 rows. Identifiers and free text make poor choices.")
    if column is None:
        c2.button("Run shift test", icon=":material/science:", key=f"{key}-shift-run", disabled=True)
        st.info("Choose a column whose groups are populations (a category, a region, a class).",
                icon=":material/play_circle:")
        return
    plan = shift_plan(ds, column, families=config.families, comparison=cmp)
    can_run = len(plan["groups"]) >= 2
    run = c2.button("Run shift test", icon=":material/science:", key=f"{key}-shift-run", disabled=not can_run)
    warning = shift_warning(ds, column)
    if warning:
        st.warning(warning, icon=":material/warning:")
    if not can_run:
        st.warning(f"{column} has fewer than two groups of at least 30 rows each, and the test needs two: choose "
                   "another column.", icon=":material/warning:")
        return
    st.caption(shift_caption(plan, budget=config.budget))
    s = study(ds, config)
    rows = s.shift(column, cached_only=True)
    if run and rows is None:
        try:
            with st.status(f"Shift test on {column}…", expanded=True) as box, training():
                bar = st.progress(0.0, text="starting…")

                def progress(p):
                    bar.progress(p.fraction, text=p.text)

                rows = s.shift(column, progress=progress)
                box.update(label=f"Shift test on {column}: done", state="complete", expanded=False)
        except (DataError, ConfigError) as exc:
            st.error(f"The shift test could not run: {message_for(exc, 'app')}", icon=":material/error:")
            return
    if rows is None:
        st.info("Press **Run shift test** to train the models this way.", icon=":material/play_circle:")
        return
    if st.session_state.get(f"{key}-shift-shown") != column:
        st.session_state[f"{key}-shift-shown"] = column  # the findings above pick it up
        st.rerun()
    st.markdown(f"**Conclusion.** {shift_conclusion(rows)}", help=help_for("corrected test"))
    st.plotly_chart(plots.shift_figure(rows), width="stretch", key=f"{key}-shift-chart")
    st.dataframe(shift_table(rows), hide_index=True, width="stretch", key=f"{key}-shift-table",
                 column_config={"Held-out group": st.column_config.TextColumn("Held-out group"),
                                CI_HEADER: st.column_config.TextColumn(CI_HEADER, help=help_for("ci")),
                                Q_HEADER: st.column_config.TextColumn(Q_HEADER, help=help_for("q")),
                                "Beyond noise": st.column_config.TextColumn(
                                    "Beyond noise", help="Yes when the change is unlikely to be chance once the "
                                                         "p-values of every group and model are corrected "
                                                         "together: worse (a drop) or better.")})
    st.caption("The interval covers which rows land in the two test sets; each model is fitted once per group, "
               "so the randomness of refitting is not in it.")
