"""Drawing a :class:`~dllab.analyses.comparison.Comparison`: headline, table, charts, tests, downloads."""

from __future__ import annotations

import numpy as np
import streamlit as st

from .. import families as registry
from ..present import plots, report
from ..metrics import METRICS
from .layout import belongs_to
from .tables import best_cells, results_table, run_summary

__all__ = ["show_comparison"]

_BEST_STYLE = "background-color: rgba(0, 158, 115, 0.16); font-weight: 600"
_FAILED_STYLE = "color: #B00020"


def _fmt(metric: str, value: float) -> str:
    if not np.isfinite(value):
        return "—"
    return f"{value:.1%}" if tuple(METRICS[metric].bounds) == (0.0, 1.0) else f"{value:.4g}"


def show_comparison(cmp, *, key: str = "cmp") -> None:
    """Everything a user needs to read one comparison, in reading order."""
    belongs_to(cmp)
    _headline(cmp)
    _failures(cmp)
    st.subheader("Results", anchor=False)
    table = results_table(cmp)
    mask = best_cells(cmp).drop(columns=["model"]).T.to_numpy()
    styled = table.style.apply(lambda _: np.where(mask, _BEST_STYLE, ""), axis=None) \
                        .map(lambda v: _FAILED_STYLE if str(v).startswith(("failed", "partial")) else "")
    st.dataframe(styled, width="stretch", key=f"{key}-table",
                 column_config={"_index": st.column_config.TextColumn("Measure", width="medium")})
    st.caption("Each score: mean over the splits [95% confidence interval, corrected for overlapping training "
               "sets (Nadeau & Bengio)]. Shaded: the best family on each metric, and the fastest to train. "
               "Times are mean seconds per split. " + run_summary(cmp) + ".")

    labels = {METRICS[m].label: m for m in cmp.metric_names}
    chosen = st.selectbox("Metric for the charts", list(labels), index=cmp.metric_names.index(cmp.metric),
                          key=f"{key}-metric")
    metric = labels[chosen]
    left, right = st.columns(2)
    left.plotly_chart(plots.comparison_figure(cmp, metric=metric), width="stretch", key=f"{key}-scores")
    right.plotly_chart(plots.cost_figure(cmp, metric=metric), width="stretch", key=f"{key}-cost")
    with st.expander("Score on every split (the pairs the tests compare)"):
        st.plotly_chart(plots.split_scores_figure(cmp, metric=metric), width="stretch", key=f"{key}-splits")

    st.subheader("Is the difference real?", anchor=False)
    statements = cmp.statements()
    if statements:
        st.markdown("\n".join(f"- {s[0].upper()}{s[1:]}." for s in statements))
        st.caption(f"Paired corrected t-tests on {METRICS[cmp.metric].label.lower()} over the same "
                   f"{len(cmp.splits)} splits; significant means p < 0.05. Not significant means the data cannot "
                   "tell the two apart at this budget; more repeats narrow the intervals.")
    else:
        st.caption("Include the deep network in the run to test it against the other families.")

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


def _headline(cmp) -> None:
    m = cmp.metric
    best = cmp.best(m)
    cols = st.columns(len(cmp.families) + 1)
    for col, fam in zip(cols, cmp.families):
        r = cmp.overall.loc[fam]
        delta = None
        if best is not None and fam != best and np.isfinite(r[m]):
            gap = float(r[m] - cmp.overall.loc[best, m])
            delta = (f"{gap * 100:+.1f} points vs best" if tuple(METRICS[m].bounds) == (0.0, 1.0)
                     else f"{gap:+.3g} vs best")
        col.metric(registry.label(fam), _fmt(m, float(r[m])), delta=delta,
                   delta_color="normal" if cmp.higher_is_better else "inverse",
                   help=f"{METRICS[m].label}, 95% CI {_fmt(m, float(r['ci_low']))} to {_fmt(m, float(r['ci_high']))}; "
                        f"trained on {r['device']}", border=True)
    devices = sorted({str(d) for d in cmp.overall["device"]})
    cols[-1].metric("Device used", ", ".join(devices), border=True,
                    help="Where the deep net (and XGBoost) trained; the linear model always uses the CPU.")


def _failures(cmp) -> None:
    for fam in cmp.families:
        r = cmp.overall.loc[fam]
        if r["status"] == "ok":
            continue
        n = int(r["n_failed"]) if "n_failed" in r else 0
        what = "failed on every split" if r["status"] == "failed" else f"failed on {n} of {len(cmp.splits)} splits"
        st.warning(f"**{registry.label(fam)}** {what}: {r['reason']}  \nThe other families' results are below.",
                   icon=":material/warning:")
