"""The Data size page's parts: curve settings, the cached curve with live progress and stop, and its display.

How it relates to Compare
    By default every size is trained on each of the comparison's splits (one
    subsample per split) and scored on that split's held-out rows, so all rows
    are scored at every size, and the largest size *is* the comparison: its
    fits are reused, its scores, intervals and paired tests are Compare's. The
    page says so (:meth:`LearningCurve.describe_design`), and says what changes
    when only the first split is used (faster, other numbers).

Sentences
    Every sentence comes from the curve's findings (:meth:`LearningCurve.findings`):
    what is measured first, what the fitted curves extrapolate second, labelled.

Caching
    A :class:`~dllab.analyses.curves.LearningCurve` belongs to the
    :class:`~dllab.Study` of the data with the curve's run settings, cached
    there under the curve settings and which comparison (if any) stood in for
    the full-size point, since that changes the numbers.

Reuse
    When the session's comparison for this dataset (the one the Compare page
    ran) has the same budget, seed, folds, repeats and device, and holds every
    family of the curve, its fits are the curve's largest size
    (``learning_curve(..., comparison=...)``): no model is trained twice.

Stopping
    As on the Compare page (:mod:`dllab.ui.jobs`): Streamlit stops the script at
    the next ``st`` call in the progress callback; ``session_state["curve_running"]``
    tells the next script run that the last one did not finish.

The functions above the "widgets" banner are pure (no streamlit calls) and unit-tested.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import streamlit as st

from .. import families as registry
from ..present import plots, report
from ..config import BUDGETS, RunConfig
from ..analyses.curves import candidate_sizes
from ..errors import ConfigError, message_for
from ..metrics import METRICS, format_diff, format_interval, format_score
from ..present.glossary import help_for
from . import state
from .cache import data_key, studies_of, study
from .compute import training
from .data import follow_seed
from .jobs import COMPARE, CURVE
from .layout import belongs_to

__all__ = ["CurveRequest", "SIZE_PRESETS", "SPLIT_CHOICES", "TIME_BUDGETS", "WHAT_IF", "preset_sizes",
           "training_rows", "reusable_comparison", "what_if_table", "pair_table", "curve_json", "curve_settings",
           "curve", "show_curve"]

#: Size presets: label shown in the app.
SIZE_PRESETS = {"quick": "Quick: 4 sizes", "standard": "Standard: 100, 250, 500, 1k, …",
                "dense": "Dense: 5 per decade"}
#: Which of the comparison's splits every size is trained on: label shown in the app.
SPLIT_CHOICES = {"all": "All of Compare's splits", "first": "The first split only"}
#: Time budget choices in seconds (None: no limit).
TIME_BUDGETS = {None: "no limit", 60: "1 minute", 300: "5 minutes", 900: "15 minutes", 3600: "1 hour"}
#: The "what if" slider's multiples of the current training rows (log steps).
WHAT_IF = (1, 2, 5, 10, 20, 50, 100)
_DENSE = tuple(int(round(m * 10 ** e)) for e in range(1, 8) for m in (1, 1.6, 2.5, 4, 6.3))


# =========================================================================== pure helpers
@dataclass(frozen=True)
class CurveRequest:
    """What Run was pressed for: the run config, the curve settings and the comparison reused, if any."""

    config: RunConfig
    preset: str = "standard"
    n_seeds: int = 1
    time_budget: float | None = None
    reuse: str | None = None  # config key of the comparison standing in for the full-size point
    splits: str = "all"  # a key of SPLIT_CHOICES

    @property
    def folds(self) -> int | None:
        """The ``folds`` of :func:`~dllab.analyses.curves.learning_curve`: None for every split, else 1."""
        return None if self.splits == "all" else 1

    def key(self, data: str) -> tuple:
        """Run marker of this request on the data with key ``data``: everything that changes the numbers."""
        return ("curve", data, self.config.key(), self.preset, self.n_seeds, self.time_budget, self.reuse,
                self.splits)

    def settings(self) -> tuple:
        """The settings alone (to tell whether the form changed since Run)."""
        return (self.config.key(), self.preset, self.n_seeds, self.time_budget, self.splits)


def preset_sizes(preset: str, n_available: int) -> list[int] | None:
    """Training sizes of a preset for a fold of ``n_available`` training rows (None: the library default).

    ``quick`` is four doublings ending at all rows; ``dense`` is five sizes per decade
    (10, 16, 25, 40, 63, 100, …) below ``n_available`` plus all rows. Sizes too small for the
    data are dropped by :func:`dllab.analyses.curves.learning_curve`, with a note.

    Examples
    --------
    >>> preset_sizes("quick", 800), preset_sizes("standard", 800)
    ([100, 200, 400, 800], None)
    >>> preset_sizes("dense", 300)
    [16, 25, 40, 63, 100, 160, 300]
    """
    n = int(n_available)
    if preset == "standard":
        return None
    if preset == "quick":
        return sorted({max(1, int(round(n / 2 ** k))) for k in (3, 2, 1)} | {n})
    if preset == "dense":
        below = [s for s in _DENSE if 1.2 * s < n and s >= 16]
        return [*below, n]
    raise ConfigError(f"internal error: unknown size preset {preset!r}; presets are {list(SIZE_PRESETS)}")


def training_rows(ds, config: RunConfig) -> int:
    """Training rows of every split (the fewest, if they differ by a row): the curve's largest size."""
    from ..engine.splits import make_splits

    splits = make_splits(ds.y, task=ds.task, n_folds=config.resolved_folds, n_repeats=config.resolved_repeats,
                         random_state=config.seed)
    return int(min(len(train) for train, _ in splits))


def reusable_comparison(asked: RunConfig | None, config: RunConfig) -> bool:
    """Whether a comparison run with ``asked`` can stand in for the curve's full-size point under ``config``.

    Examples
    --------
    >>> cmp = RunConfig(budget="quick", families=("linear", "gbm", "deep"))
    >>> reusable_comparison(cmp, RunConfig(budget="quick", families=("linear", "gbm")))
    True
    >>> reusable_comparison(cmp, RunConfig(budget="standard")), reusable_comparison(None, cmp)
    (False, False)
    """
    if asked is None:
        return False
    same = ((asked.budget, asked.seed, asked.resolved_folds, asked.resolved_repeats, asked.device)
            == (config.budget, config.seed, config.resolved_folds, config.resolved_repeats, config.device))
    return same and set(config.families) <= set(asked.families)


def what_if_table(lc, n: float) -> pd.DataFrame:
    """Every family's score at ``n`` training rows: the "what if I had more data?" read-out.

    At an observed size it is the measured mean score with its 95% interval (at the largest size,
    Compare's numbers when the curve reused Compare's fits); elsewhere the fitted curve's value
    with the 95% band of the fit.

    Columns: ``family``, ``model`` (label), ``score``, ``low``, ``high``, ``now`` (the same reading at
    the largest observed size), ``change`` (score - now), ``measured`` (bool), ``extrapolated`` (bool),
    ``text`` (formatted score and interval) and ``reason`` (why there is no value, else "").
    """
    rows = []
    n_max = float(lc.sizes.max())
    observed = bool(np.any(lc.sizes == n))
    for fam in lc.families:
        row = {"family": fam, "model": registry.label(fam), "score": np.nan, "low": np.nan,
               "high": np.nan, "now": np.nan, "change": np.nan, "measured": observed,
               "extrapolated": bool(n > n_max), "text": "—", "reason": ""}
        if observed:
            band = lc.band(fam)
            at, last = band.loc[int(n)], band.iloc[-1]
            row.update(score=at["mean"], low=at["ci_low"], high=at["ci_high"], now=last["mean"],
                       change=at["mean"] - last["mean"])
            if not np.isfinite(at["mean"]):
                row["reason"] = "every fit at this size failed"
        elif lc.fits.get(fam) is None:
            row["reason"] = f"no fitted curve ({len(lc.sizes)} size(s); a fit needs 3 with scores)"
        else:
            p, now = lc.predict(fam, float(n)), lc.predict(fam, n_max)
            row.update(score=p.score, low=p.low, high=p.high, now=now.score, change=p.score - now.score,
                       extrapolated=bool(p.extrapolated))
        if np.isfinite(row["score"]):
            band = format_interval(lc.metric, row["low"], row["high"])
            row["text"] = f"{format_score(lc.metric, row['score'])} ({band})"
        rows.append(row)
    return pd.DataFrame(rows)


def pair_table(lc) -> pd.DataFrame | None:
    """The deep net against XGBoost at every size, in words: what the curve's findings read (None without the pair).

    Columns: ``Training rows``, ``Gap`` (the challenger's score minus the incumbent's, signed so
    that a positive gap means the challenger is better), ``95% CI``, ``p``, ``Corrected p`` and
    ``Standing`` (ahead, behind or within noise).
    """
    f = lc.findings()
    if not f.available:
        return None
    t = f.table()
    return pd.DataFrame({"Training rows": [f"{n:,}" for n in t["rows"]], "Gap": t["difference"],
                         "95% CI": t["interval"], "p": t["p_value"], "Corrected p": t["q_value"],
                         "Standing": t["standing"]})


def _n_sizes(ds, sizes, n_available: int) -> int:
    # As learning_curve counts them (sizes too small for the classes are dropped).
    floor = 20 if ds.classes is None else max(20, 5 * len(ds.classes))
    try:
        return len(candidate_sizes(n_available, sizes=sizes, min_size=floor)[0])
    except ConfigError:
        return 0


def curve_json(lc, *, indent: int = 2) -> bytes:
    """The document ``python -m dllab curve --json`` writes: ``{"dataset", "config", "curve"}``."""
    payload = {"dataset": lc.dataset, "config": lc.config, "curve": lc.to_dict()}
    return report.to_json_bytes(payload, indent=indent)


# =========================================================================== widgets
def curve_settings(ds) -> tuple[CurveRequest, bool]:
    """The curve settings form; returns the request it shows and whether Run was pressed.

    Budget, families and seed start from the session's comparison for this dataset
    (so its fits can be the largest size), else the quick budget with every family.
    """
    asked = COMPARE.asked(data_key(ds))
    base = asked or RunConfig(budget="quick", families=registry.default_families(ds))
    with st.form("curve-settings", border=True):
        st.markdown("**Curve settings**")
        c1, c2 = st.columns([3, 7])
        budget = c1.segmented_control("Budget", list(BUDGETS), default=base.budget, required=True,
                                      key="curve-budget", persist_state="session",
                                      help="Per fit, as on the Compare page. Keep it equal to the comparison's, "
                                           "and the largest size is Compare's own result.")
        preset = c2.segmented_control("Sizes", list(SIZE_PRESETS), default="standard", required=True,
                                      format_func=SIZE_PRESETS.get, key="curve-sizes", persist_state="session",
                                      help="Training rows per point, log-spaced, always ending at all the "
                                           "training rows of a split.")
        c3, c4, c5, c6 = st.columns([4, 2, 2, 2])
        splits = c3.segmented_control("Splits", list(SPLIT_CHOICES), default="all", required=True,
                                      format_func=SPLIT_CHOICES.get, key="curve-splits", persist_state="session",
                                      help="All of Compare's splits: every row is scored at every size, and "
                                           "the largest size is Compare's own result. The first split only: a "
                                           "third of the fits or less, but its numbers differ from Compare's.")
        n_seeds = c4.number_input("Subsamples per size", min_value=1, max_value=10, value=1, step=1,
                                  key="curve-seeds", persist_state="session",
                                  help="On each split, each size is trained on this many different random "
                                       "subsamples of its training rows; more give a steadier curve.")
        budget_s = c5.selectbox("Time budget", list(TIME_BUDGETS), index=2, format_func=TIME_BUDGETS.get,
                                key="curve-time", persist_state="session",
                                help="Sizes whose estimated cost would overrun it are skipped (with a note).")
        seed = c6.number_input("Seed", min_value=0, max_value=2**31 - 1, value=int(base.seed), step=1,
                               key="curve-seed", persist_state="session")
        options = list(dict.fromkeys([*registry.default_families(ds), *base.families]))
        families = st.multiselect("Model families", options, default=list(base.families),
                                  format_func=registry.label, key="curve-families", persist_state="session")
        submitted = st.form_submit_button("Run data-size curve", type="primary", icon=":material/play_arrow:")
    try:
        config = RunConfig(budget=budget or base.budget, n_folds=base.n_folds, repeats=base.repeats,
                           seed=int(seed), device=base.device, families=tuple(families) or base.families)
    except ConfigError as exc:
        st.error(message_for(exc, "app"))
        st.stop()
    reuse = asked.key() if reusable_comparison(asked, config) else None
    request = CurveRequest(config=config, preset=preset or "standard", n_seeds=int(n_seeds),
                           time_budget=budget_s, reuse=reuse, splits=splits or "all")
    st.caption(settings_caption(ds, request))
    return request, submitted


def settings_caption(ds, request: CurveRequest) -> str:
    """What the settings will train, in one line: rows, splits, fits, and what the largest size will be."""
    config = request.config
    n_avail = training_rows(ds, config)
    n_splits = config.resolved_folds * config.resolved_repeats
    used = n_splits if request.splits == "all" else 1
    n_sizes = _n_sizes(ds, preset_sizes(request.preset, n_avail), n_avail)
    # With several splits every full-size slot is the comparison's; on one split only the first subsample's.
    reused = ((request.n_seeds * used if used > 1 else 1) * len(config.families)) if request.reuse else 0
    n_fits = n_sizes * request.n_seeds * used * len(config.families) - reused
    where = (f"on each of Compare's {n_splits} splits, scored on its held-out rows (all {ds.n_rows:,} rows are "
             f"scored at every size)" if used > 1 else
             f"on the first of Compare's {n_splits} splits, scored on its {ds.n_rows - n_avail:,} held-out rows")
    if request.reuse and used == n_splits:
        largest = "the largest size is Compare's own result (its fits are reused, so its numbers are Compare's)."
    elif request.reuse:
        largest = "the largest size reuses Compare's fits on that split, so its numbers differ from Compare's."
    else:
        largest = ("no comparison with these settings to reuse: run one on **Compare** with the same budget and "
                   "seed, and the largest size will be Compare's own result.")
    return f"Up to {n_avail:,} training rows, {where} · about {n_fits} fits · {largest}"


def curve(ds, request: CurveRequest, *, submitted: bool):
    """The curve to show for ``ds``: the last one Run was pressed for, trained or from the cache.

    Returns None (after saying why) when there is nothing to show.
    """
    if submitted and follow_seed(request.config.seed):  # other rows for this seed: run on them
        CURVE.ask(data_key(state.dataset()), request)
        st.rerun()
    key = data_key(ds)
    return CURVE.run(key, request, submitted=submitted, key_of=lambda r: r.key(key),
                     same=lambda r: r.settings() == request.settings(),
                     lookup=lambda r: study(ds, r.config).curve(cached_only=True, **_curve_settings(ds, r)),
                     train=lambda r: _train(ds, r))


def _reused(ds, request: CurveRequest):
    # The comparison whose fits stand in for the full-size point (its Study must hold it).
    if request.reuse is None:
        return None
    return next((s.cached("comparison") for s in studies_of(data_key(ds))
                 if s.config.key() == request.reuse and s.cached("comparison") is not None), None)


def _curve_settings(ds, request: CurveRequest) -> dict:
    # What Study.curve is asked with, so that the lookup finds what _train stored.
    comparison = _reused(ds, request)
    return dict(sizes=preset_sizes(request.preset, training_rows(ds, request.config)), n_seeds=request.n_seeds,
                folds=request.folds, time_budget=request.time_budget, comparison=comparison)


def _train(ds, request: CurveRequest):
    settings = _curve_settings(ds, request)
    with st.status(f"Training on growing subsamples of {ds.n_rows:,} rows…", expanded=True) as box, training():
        bar = st.progress(0.0, text="starting…")

        def progress(p):
            # Each st call here is also where Streamlit stops the script when asked to.
            CURVE.note(p)
            bar.progress(p.fraction, text=p.text)
            nxt = (f"training {p.next_label}…" if p.next_label else
                   "training the rest…" if p.done < p.total else "fitting the curves…")
            box.update(label=f"{p.done}/{p.total} fits done in {p.elapsed:.0f} s · {nxt}")

        lc = study(ds, request.config).curve(progress=progress, **settings)
        wall = lc.design.get("wall_seconds") or 0.0
        box.update(label=f"Curve ready: {len(lc.sizes)} sizes × {len(lc.families)} families in {wall:.0f} s",
                   state="complete", expanded=False)
    return lc


def show_curve(lc, *, key: str = "lc") -> None:
    """How the numbers relate to Compare, the conclusion (measured, then extrapolated), the "what if"
    read-out, the two charts, the tables, notes and the download."""
    belongs_to(lc, what="Curve for")
    design = lc.describe_design()
    if design:
        with st.container(border=True):
            st.markdown("**How these numbers relate to Compare**", help=help_for("paired test"))
            st.markdown("\n".join(f"- {line}" for line in design))
    parts = lc.conclusion_parts()
    with st.container(border=True):
        st.markdown("**Measured** · " + " ".join(parts["measured"]),
                    help="Beyond noise: the paired test at that size finds the gap unlikely to be chance. "
                         + help_for("corrected test"))
        if parts["extrapolated"]:
            st.markdown("**Beyond the data** · " + " ".join(parts["extrapolated"]),
                        help="Read off the fitted curves beyond the largest size: a forecast, not a measurement. "
                             "Its band covers the fit's uncertainty, not whether the curve keeps its shape.")
        for note in lc.notes:
            st.caption(f":material/info: {note[:1].upper()}{note[1:]}.")
    n_mark = _what_if(lc, key=key)
    st.plotly_chart(plots.learning_curve_figure(lc, mark_n=n_mark if n_mark > lc.sizes.max() else None),
                    width="stretch", key=f"{key}-scores")
    st.caption("Points: the mean score at each size, the shaded band its 95% interval (as on Compare). Dotted: the "
               "fitted curve; dashed, in the grey area: its extrapolation beyond the data, not measured. A red line "
               "marks a crossover only where the findings support one: solid where measured (the gap changes side "
               "beyond noise), dashed where extrapolated.", help=help_for("ci"))
    pairs = pair_table(lc)
    if pairs is not None:
        f = lc.findings()
        title = f"{registry.label(f.challenger)} against {registry.label(f.incumbent)} at each size"
        with st.expander(title, icon=":material/compare_arrows:"):
            st.dataframe(pairs, hide_index=True, width="stretch", key=f"{key}-pairs", column_config={
                "Gap": st.column_config.TextColumn(
                    "Gap", help=f"{_cap(registry.model_noun(f.challenger))}'s mean score minus "
                                f"{registry.model_noun(f.incumbent)}'s: positive when it is better."),
                "95% CI": st.column_config.TextColumn("95% CI", help=help_for("ci")),
                "p": st.column_config.NumberColumn("p", format="%.3f", help=help_for("p")),
                "Corrected p": st.column_config.NumberColumn(
                    "Corrected p", format="%.3f",
                    help=help_for("q") + " Here the sizes below the largest are corrected together; the largest "
                                         "size keeps its own p, which is Compare's test when it is Compare's "
                                         "setting."),
                "Standing": st.column_config.TextColumn("Standing")})
    with st.expander("Scores at every size", icon=":material/table_rows:"):
        st.dataframe(lc.table(), hide_index=True, width="stretch", key=f"{key}-table")
    st.plotly_chart(plots.fit_time_figure(lc), width="stretch", key=f"{key}-time")
    name = f"dllab-{lc.dataset.get('name', 'data')}-curve-{lc.config.get('budget', '')}-seed{lc.config.get('seed', 0)}"
    st.download_button("Curve as JSON", data=curve_json(lc), file_name=f"{name}.json", mime="application/json",
                       icon=":material/data_object:", on_click="ignore", key=f"{key}-json",
                       help="The same document as the command-line tool's curve writes as JSON.")


def _what_if(lc, *, key: str) -> int:
    """The "what if I had more data?" slider and read-out; returns the rows it reads the curves at."""
    n_max = int(lc.sizes.max())
    st.subheader("What if I had more data?", anchor=False)
    mult = st.select_slider("Training rows, as a multiple of today's", options=list(WHAT_IF), value=1,
                            key=f"{key}-what-if",
                            format_func=lambda m: f"{m}× ({m * n_max:,} rows)",
                            help=f"Reads every family's fitted curve at that many training rows; today's "
                                 f"largest size is {n_max:,} rows. Beyond it the value is an extrapolation.")
    n = mult * n_max
    table = what_if_table(lc, n)
    cols = st.columns(len(table))
    for col, r in zip(cols, table.itertuples(index=False)):
        if not np.isfinite(r.score):
            col.metric(r.model, "—", help=r.reason, border=True)
            continue
        if r.measured:
            col.metric(r.model, format_score(lc.metric, r.score), border=True,
                       help=f"{METRICS[lc.metric].label} measured at {n:,} training rows: {r.text}, with its 95% "
                            f"interval.")
            continue
        col.metric(r.model + (" · extrapolated" if r.extrapolated else ""), format_score(lc.metric, r.score),
                   delta=f"{format_diff(lc.metric, r.change, signed=True)} vs today",
                   delta_color="normal" if lc.higher_is_better else "inverse", border=True,
                   help=f"{METRICS[lc.metric].label} at {n:,} training rows, read off the fitted curve: {r.text}, "
                        f"the 95% band of the fit. The change is along the fitted curve from {n_max:,} rows.")
    if table["extrapolated"].any():
        st.warning(f"**Extrapolated** to {n:,} rows ({mult}× the largest observed size): this is the fitted curve, "
                   "not a measurement; the band covers the fit's uncertainty, not whether the curve keeps its "
                   "shape.", icon=":material/trending_up:")
    else:
        same = " (Compare's numbers)" if lc.design.get("matches_comparison") else ""
        st.caption(f"At {n:,} rows, the largest size: the measured scores{same}. Move the slider to read the fitted "
                   "curves beyond the data.")
    return n


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:]
