"""The Verdict page's parts: the analyses found for this dataset + config, the needs widgets, the verdict
and the report downloads.

The verdict only reads results already in the server's :func:`~dllab.ui.cache.results` store (the
comparison, and whichever of the data-size curve, subgroup report and explanation exist for the same
data and settings), so changing a need recomputes it at once, without training.

The functions above the "widgets" banner are pure (no streamlit calls) and unit-tested.
"""

from __future__ import annotations

import json

import streamlit as st

from .. import families as registry
from ..present import report
from ..errors import ConfigError, message_for
from ..metrics import METRICS
from ..analyses.verdict import Needs, verdict
from .cache import data_key, studies_of, study
from .compute import training
from .layout import belongs_to

__all__ = ["find_analyses", "needs_from", "report_html", "report_json_bytes", "evidence_path", "ANALYSES",
           "show_verdict"]

#: Optional analyses: (name in the Study, page label, page path, what it adds).
ANALYSES = (
    ("curve", "Data size", "pages/3_Data_size.py", "whether more data would change the answer"),
    ("subgroups", "Subgroups", "pages/4_Subgroups.py", "the recommended model's worst slice and shift"),
    ("explanation", "Explain", "pages/5_Explain.py", "whether the models rely on the same columns"),
)
_PAGE_PATHS = {"Home": "app.py", "Data": "pages/1_Data.py", "Compare": "pages/2_Compare.py",
               "Data size": "pages/3_Data_size.py", "Subgroups": "pages/4_Subgroups.py",
               "Explain": "pages/5_Explain.py", "Verdict": "pages/6_Verdict.py"}
_CONFIDENCE_ICONS = {"high": ":material/verified:", "medium": ":material/check:", "low": ":material/warning:"}


# =========================================================================== pure helpers
def evidence_path(page_label: str) -> str:
    """The script of the page called ``page_label``."""
    return _PAGE_PATHS.get(page_label, "pages/2_Compare.py")


def find_analyses(studies, config) -> dict:
    """The analyses the verdict reads: ``{"curve": lc or None, "subgroups": ..., "explanation": ...}``.

    ``studies`` are the stored :class:`~dllab.Study` objects of one dataset, least recently used
    first. The subgroup report and the explanation come from the Study with ``config``. A curve
    has its own run settings: the one of the Study with ``config`` is preferred, else the most
    recent curve of the data.
    """
    own = next((s for s in studies if s.config.key() == config.key()), None)
    found = own.analyses() if own is not None else {name: None for name, *_ in ANALYSES}
    if found["curve"] is None:
        found["curve"] = next((s.cached("curve") for s in reversed(studies) if s.cached("curve") is not None), None)
    return found


def needs_from(metric: str, *, explain_each_decision: bool, min_difference, max_fit_seconds) -> Needs:
    """:class:`Needs` from the widgets: ``min_difference`` in points for rate metrics (1 = 0.01), in the
    metric's units otherwise; None or 0 means the default / no limit."""
    rate = tuple(METRICS[metric].bounds) == (0.0, 1.0)
    diff = None
    if min_difference:
        diff = float(min_difference) / 100 if rate else float(min_difference)
    return Needs(explain_each_decision=bool(explain_each_decision), min_difference=diff,
                 max_fit_seconds=float(max_fit_seconds) if max_fit_seconds else None)


def report_html(ds, config, cmp, v, analyses: dict) -> bytes:
    """The self-contained HTML report (what ``python -m dllab report`` writes), as bytes."""
    return report.html_report(dataset=ds, config=config, comparison=cmp, verdict=v, **analyses).encode("utf-8")


def report_json_bytes(ds, config, cmp, v, analyses: dict) -> bytes:
    """The JSON report with its ``verdict`` key, as bytes."""
    doc = report.report_json(dataset=ds, config=config, comparison=cmp, verdict=v, **analyses)
    return json.dumps(doc, indent=2, ensure_ascii=False).encode("utf-8")


def _answer_word(v) -> str:
    """'Yes', 'No', 'Not yet' or 'Not run': the short answer to the lab's question."""
    if not v.answer or "not part of this run" in v.answer:
        return "Not run"
    if v.recommendation == "undecided":
        return "Not yet"
    return "Yes" if registry.get(v.family).kind == "deep" else "No"


def _reason_groups(v) -> tuple[list, list, list]:
    """The reasons as (the deep net's standing, the recommendation's reasons, the confidence's)."""
    conf = [r for r in v.reasons if r.kind == "confidence"]
    rest = [r for r in v.reasons if r.kind != "confidence"]
    return rest[:1], rest[1:], conf


# =========================================================================== widgets
def _decide_box(ds, config, run, *, key: str) -> None:
    """The way out of a verdict the evidence cannot settle: one button that runs ``run``, keeping every fit."""
    with st.container(border=True):
        st.markdown(f"**The evidence is too thin to settle this.** To decide it, {run.text}. Only the new repeats "
                    "are trained; every model already trained is kept, and Compare then shows the longer run.")
        if not st.button("Decide it", type="primary", icon=":material/gavel:", key=f"{key}-decide",
                         help="Runs the extra repeats now, with a progress bar; Stop keeps the current results."):
            return
        with st.status(f"Training {run.new_fits} more models…", expanded=True) as box, training():
            bar = st.progress(0.0, text="starting…")

            def progress(p):
                bar.progress(p.fraction, text=p.text)
                box.update(label=f"{p.done}/{p.total} fits done in {p.elapsed:.0f} s")

            try:
                study(ds, config).decide(run, progress=progress)
            except (ConfigError, ValueError) as exc:
                box.update(label="The extra run failed", state="error")
                st.error(message_for(exc, "app"))
                return
            box.update(label="Done: the verdict below reads the longer run", state="complete", expanded=False)
        st.rerun()



def _needs_widgets(cmp, *, key: str) -> Needs:
    metric = cmp.metric
    rate = tuple(METRICS[metric].bounds) == (0.0, 1.0)
    with st.container(border=True):
        st.markdown("**Your needs**: change them and the verdict updates at once (nothing is retrained).")
        explain_each = st.checkbox("Each decision must be explained to a customer or regulator", key=f"{key}-explain",
                                   help="Then the linear model (an exact, additive explanation) is preferred unless "
                                        "a more complex model is ahead by a large gap.")
        c2, c3 = st.columns(2)
        diff = c2.number_input(
            "Smallest difference that matters" + (" (points)" if rate else f" ({METRICS[metric].label})"),
            min_value=0.0, value=None, step=0.5 if rate else None, key=f"{key}-difference",
            placeholder="default: 1 point" if rate else "default: 2% of the best error",
            help=f"In {METRICS[metric].label}: a more complex model must win by at least this much, significantly.")
        seconds = c3.number_input("Longest acceptable training time per fit (s)", min_value=0.0, value=None,
                                  key=f"{key}-seconds", placeholder="no limit",
                                  help="Families whose mean fit time is above it are left out.")
    try:
        return needs_from(metric, explain_each_decision=explain_each, min_difference=diff, max_fit_seconds=seconds)
    except ConfigError as exc:
        st.error(message_for(exc, "app"))
        return Needs(explain_each_decision=bool(explain_each))


def show_verdict(ds, cmp, config, *, key: str = "vd") -> None:
    """Recommendation and confidence, the reasons with links to their evidence, the needs, what is missing,
    and the report downloads."""
    analyses = find_analyses(studies_of(data_key(ds)), config)
    belongs_to(cmp, what="Verdict for")
    top = st.container()
    needs = _needs_widgets(cmp, key=key)
    v = verdict(cmp, dataset=ds, needs=needs, **analyses)

    with top:
        st.header(v.headline, anchor=False)
        c1, c2, c3 = st.columns([3, 2, 3])
        c1.metric("Recommendation", registry.get(v.family).title if v.family else "Undecided", border=True)
        c2.metric("Confidence", v.confidence.capitalize(), border=True)
        c3.metric("Deep learning here?", _answer_word(v), border=True, help=v.answer[:1].upper() + v.answer[1:] + ".")
        deep, why, conf = _reason_groups(v)
        n = 0
        for title, group in (("Deep learning here?", deep), ("Why this recommendation", why),
                             ("Why this confidence", conf)):
            if not group:
                continue
            st.subheader(title, anchor=False)
            for r in group:
                n += 1
                a, b = st.columns([6, 1], vertical_alignment="center")
                a.markdown(f"{n}. {r.text[0].upper()}{r.text[1:]}" + ("" if r.text.endswith(".") else "."))
                b.page_link(evidence_path(r.evidence_page), label=r.evidence_page, icon=":material/arrow_forward:",
                            help=f"The evidence is on the {r.evidence_page} page.")
        if v.next_run is not None:
            _decide_box(ds, config, v.next_run, key=key)

    missing = [(page, path, adds) for name, page, path, adds in ANALYSES if analyses[name] is None]
    if missing:
        st.subheader("Evidence not used yet", anchor=False)
        st.caption("The verdict uses every analysis that exists for this data and these settings. Run these to "
                   "add to it:")
        for page, path, adds in missing:
            a, b = st.columns([6, 1], vertical_alignment="center")
            a.markdown(f"- **{page}**: {adds}.")
            b.page_link(path, label=f"Go to {page}", icon=":material/arrow_forward:")
    words = {"curve": "the data-size curve", "subgroups": "the subgroup report", "explanation": "the explanation"}
    used = [words[name] for name, *_ in ANALYSES if analyses[name] is not None]
    st.caption("Used: the comparison" + "".join(f", {w}" for w in used) + ". The rule and its thresholds "
               "are documented in the README, section *The verdict*.")

    st.subheader("Download the report", anchor=False)
    name = f"dllab-{ds.name}-report-{config.budget}-seed{config.seed}"
    c1, c2, _ = st.columns([1, 1, 2])
    # Built only on click, outside the script thread: pass everything as default arguments (NOTES §8).
    c1.download_button("Report (HTML)", data=lambda d=ds, c=config, m=cmp, vv=v, a=dict(analyses):
                       report_html(d, c, m, vv, a), file_name=f"{name}.html", mime="text/html",
                       icon=":material/description:", on_click="ignore", key=f"{key}-html",
                       help="One self-contained file: the verdict first, then the evidence; works offline.")
    c2.download_button("Report (JSON)", data=lambda d=ds, c=config, m=cmp, vv=v, a=dict(analyses):
                       report_json_bytes(d, c, m, vv, a), file_name=f"{name}.json", mime="application/json",
                       icon=":material/data_object:", on_click="ignore", key=f"{key}-json",
                       help="The same document as the command-line tool's report writes as JSON, with its verdict.")
