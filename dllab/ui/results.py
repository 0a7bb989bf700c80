"""Drawing a :class:`~dllab.analyses.comparison.Comparison`: headline, leaderboard, charts, tests, diagnostics.

Every score is shown next to the baseline (a model that ignores the columns),
with the same format in the cards, the leaderboard and the charts
(:func:`dllab.metrics.format_score`). The tables come from
:mod:`dllab.ui.tables` (pure, unit-tested); this module only lays them out.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from .. import families as registry
from ..metrics import METRICS, format_diff, format_interval, format_score
from ..present import plots, report
from ..present.glossary import help_for
from .layout import belongs_to
from .tables import baseline_gaps, leaderboard, leaderboard_best, paired_tests_table, run_summary

__all__ = ["show_comparison"]

_BEST_STYLE = "background-color: rgba(0, 158, 115, 0.16); font-weight: 600"
_FAILED_STYLE = "color: #B00020"
_BASELINE_STYLE = "color: #5F6368"


def show_comparison(cmp, *, key: str = "cmp") -> None:
    """Everything a user needs to read one comparison, in reading order."""
    belongs_to(cmp)
    _headline(cmp)
    _failures(cmp)
    _leaderboard(cmp, key=key)
    _charts(cmp, key=key)
    _tests(cmp, key=key)
    _diagnostics(cmp, key=key)
    _downloads(cmp, key=key)


def _column_config(columns) -> dict:
    out = {}
    for name, c in columns.items():
        if c.kind == "number":
            out[name] = st.column_config.NumberColumn(c.label, help=c.help or None, format=c.format, step=c.step,
                                                      pinned=c.pinned or None, width=c.width)
        else:
            out[name] = st.column_config.TextColumn(c.label, help=c.help or None, pinned=c.pinned or None,
                                                    width=c.width)
    return out


def _baseline(cmp):
    base = getattr(cmp, "baseline", None)
    return base.iloc[0] if base is not None and len(base) else None


# ---------------------------------------------------------------------------- headline
def _headline(cmp) -> None:
    m = cmp.metric
    base = _baseline(cmp)
    floor = float(base[m]) if base is not None else float("nan")
    cols = st.columns([3] * (len(cmp.families) + (base is not None)) + [2])
    for col, fam in zip(cols, cmp.families):
        r = cmp.overall.loc[fam]
        v = float(r[m])
        delta = None
        if np.isfinite(v) and np.isfinite(floor):
            delta = format_diff(m, v - floor, signed=True)
        col.metric(registry.label(fam), format_score(m, v), delta=delta,
                   delta_color="normal" if cmp.higher_is_better else "inverse",
                   help=f"{METRICS[m].label}, mean over {len(cmp.splits)} splits"
                        + (f" ({delta} against the baseline)" if delta else "") + ". 95% CI "
                        f"{format_interval(m, float(r[f'{m}_low']), float(r[f'{m}_high']))}: {help_for('ci')} "
                        f"Trained on {r['device']}.", border=True)
    if base is not None:
        cols[len(cmp.families)].metric(str(base["label"]), format_score(m, floor), border=True,
                                       help=f"{METRICS[m].label} of the baseline. {help_for('baseline')}")
    devices = sorted({str(d) for d in cmp.overall["device"]})
    cols[-1].metric("Device used", ", ".join(devices), border=True,
                    help="Where the deep net (and XGBoost) trained; the linear model always uses the CPU.")
    if base is not None:
        label = METRICS[m].label if METRICS[m].label.isupper() else METRICS[m].label.lower()
        st.caption(f"Mean {label} over the splits; under each, how far it is from the baseline, a model that "
                   "ignores the columns.")


def _failures(cmp) -> None:
    for fam in cmp.families:
        r = cmp.overall.loc[fam]
        if r["status"] == "ok":
            continue
        n = int(r["n_failed"]) if "n_failed" in r else 0
        what = "failed on every split" if r["status"] == "failed" else f"failed on {n} of {len(cmp.splits)} splits"
        st.warning(f"**{registry.label(fam)}** {what}: {r['reason']}  \nThe other families' results are below.",
                   icon=":material/warning:")


# ---------------------------------------------------------------------------- leaderboard and charts
def _leaderboard(cmp, *, key: str) -> None:
    st.subheader("Leaderboard", anchor=False)
    every = st.toggle("Show the 95% interval of every measure", key=f"{key}-every-ci",
                      help="By default only the main measure has its interval beside it.")
    frame, columns = leaderboard(cmp, every_interval=every)
    mask = leaderboard_best(cmp, frame).to_numpy()
    baseline_rows = ~frame.index.isin(cmp.families)

    def shade(data):
        css = np.where(mask, _BEST_STYLE, "").astype(object)
        css[baseline_rows, :] = _BASELINE_STYLE
        return css

    styled = frame.style.apply(shade, axis=None).map(
        lambda v: _FAILED_STYLE if str(v).startswith("failed") else "", subset=["status"])
    st.dataframe(styled, width="stretch", hide_index=True, key=f"{key}-table", column_config=_column_config(columns),
                 placeholder="—")
    gaps = baseline_gaps(cmp)
    st.markdown(gaps if gaps else "No baseline was computed for this comparison.")
    st.caption("Each score is the mean over the test folds; 95% CI: its confidence interval, which counts both "
               "the luck of which rows were tested and the variation between training sets (for accuracy and "
               "RMSE over every test row, for the other measures over the splits). Click a column header to sort. Shaded: the best "
               "family on each measure, and the fastest to train. Times are mean seconds per split. "
               + run_summary(cmp) + ".")


def _charts(cmp, *, key: str) -> None:
    labels = {METRICS[m].label: m for m in cmp.metric_names}
    chosen = st.selectbox("Measure for the charts", list(labels), index=cmp.metric_names.index(cmp.metric),
                          key=f"{key}-metric")
    metric = labels[chosen]
    left, right = st.columns(2)
    left.plotly_chart(plots.comparison_figure(cmp, metric=metric), width="stretch", key=f"{key}-scores")
    right.plotly_chart(plots.cost_figure(cmp, metric=metric), width="stretch", key=f"{key}-cost")
    with st.expander("Score on every split (the pairs the tests compare)"):
        st.plotly_chart(plots.split_scores_figure(cmp, metric=metric), width="stretch", key=f"{key}-splits")


# ---------------------------------------------------------------------------- paired tests
def _tests(cmp, *, key: str) -> None:
    st.subheader("Is the difference real?", anchor=False)
    if not cmp.tests:
        st.caption("Run at least two model families to test them against each other.")
        return
    st.markdown("\n".join(f"- {s[0].upper()}{s[1:]}." for s in cmp.statements()))
    frame, columns = paired_tests_table(cmp)
    st.markdown("**Paired tests**: every pair the verdict weighs, the more complex family first.",
                help=help_for("paired test"))
    st.dataframe(frame, width="stretch", hide_index=True, key=f"{key}-tests", column_config=_column_config(columns))
    label = METRICS[cmp.metric].label
    st.caption(f"Each row compares two families on {label if label.isupper() else label.lower()} over the same "
               f"{len(cmp.splits)} splits. Significant means p < 0.05: {help_for('p')} Not significant means the "
               "data cannot tell the two apart at this budget; more repeats narrow the intervals.")


# ---------------------------------------------------------------------------- diagnostics
def _diagnostics(cmp, *, key: str) -> None:
    regression = cmp.task == "regression"
    title = ("Diagnostics: predicted against actual, and residuals" if regression else
             "Diagnostics: confusion matrix, ROC, precision-recall and calibration")
    with st.expander(title, icon=":material/query_stats:"):
        st.caption("From the out-of-fold predictions: each row is predicted by the model of the split that held "
                   "it out" + (" (the first repeat)" if cmp.splits.n_repeats > 1 else "") + ".")
        best = cmp.best()
        c1, c2 = st.columns(2)
        family = c1.selectbox("Model family", cmp.families, format_func=registry.label, key=f"{key}-diag-family",
                              index=cmp.families.index(best) if best in cmp.families else 0)
        if regression:
            left, right = st.columns(2)
            left.plotly_chart(plots.predicted_actual_figure(cmp, family), width="stretch", key=f"{key}-diag-pva")
            right.plotly_chart(plots.residuals_figure(cmp, family), width="stretch", key=f"{key}-diag-resid")
            return
        names = plots.class_names(cmp)
        positive = plots.default_class(cmp)
        if cmp.task != "binary":
            positive = c2.selectbox("Class (against the rest)", range(len(names)), format_func=names.__getitem__,
                                    key=f"{key}-diag-class",
                                    help="ROC, precision-recall and calibration look at one class at a time.")
        else:
            c2.markdown(f"Positive class: **{names[positive]}**",
                        help="ROC, precision-recall and calibration treat this class as the positive one.")
        cm, roc, pr, cal = st.tabs(["Confusion matrix", "ROC curve", "Precision-recall", "Calibration"])
        cm.plotly_chart(plots.confusion_figure(cmp, family), width="stretch", key=f"{key}-diag-cm")
        roc.plotly_chart(plots.roc_figure(cmp, [family], positive=positive), width="stretch", key=f"{key}-diag-roc")
        roc.caption("Each point is one threshold on the predicted probability: the share of positives found "
                    "against the share of negatives wrongly flagged. The area under the curve (AUC) is 1 for a "
                    "perfect ranking and 0.5 for chance.")
        pr.plotly_chart(plots.pr_figure(cmp, [family], positive=positive), width="stretch", key=f"{key}-diag-pr")
        pr.caption("Of the rows flagged at each threshold, the share that are positive, against the share of "
                   "positives found. Average precision (AP) sums the curve; flagging every row scores the class's "
                   "share of rows.")
        cal.plotly_chart(plots.calibration_figure(cmp, [family], positive=positive), width="stretch",
                         key=f"{key}-diag-cal")
        cal.caption(help_for("calibration") + " Rows are grouped into ten bins of predicted probability.")


# ---------------------------------------------------------------------------- downloads
def _downloads(cmp, *, key: str) -> None:
    st.subheader("Download", anchor=False)
    name = f"dllab-{cmp.dataset.get('name', 'data')}-{cmp.config.get('budget', '')}-seed{cmp.config.get('seed', 0)}"
    c1, c2, c3 = st.columns(3)
    c1.download_button("Results as JSON", data=report.comparison_json(cmp), file_name=f"{name}.json",
                       mime="application/json", icon=":material/data_object:", on_click="ignore",
                       key=f"{key}-json", help="The same document as the command-line tool's compare writes as JSON.")
    c2.download_button("Summary table as CSV", data=report.comparison_csv(cmp), file_name=f"{name}.csv",
                       mime="text/csv", icon=":material/table:", on_click="ignore", key=f"{key}-csv")
    c3.download_button("Per-split scores as CSV", data=report.split_scores_csv(cmp), file_name=f"{name}-splits.csv",
                       mime="text/csv", icon=":material/table_rows:", on_click="ignore", key=f"{key}-splits-csv")
