"""Workshop mode: a guided sequence of scenarios, one lesson each (no streamlit here).

Each :class:`Scenario` names a built-in dataset, a small run (the quick budget, sized to finish in
under a minute on a laptop), the analysis whose chart carries the lesson, and the answer expected
beforehand with its justification. :func:`run_scenario` runs it end to end and returns a JSON-ready
summary: the verdict, the scores, the key chart as plotly JSON, and the deciding evidence (every
trained family on the rows that decide: the failing slice, the held-out group, the sizes of the
curve). :func:`finding` turns that evidence into the sentence the lesson starts with, so the lesson
quotes the numbers (and the slice) of the run. Summaries can be kept on disk under :func:`cache_dir`
(``workshop_cache/`` beside the package, or ``$DLLAB_WORKSHOP_CACHE``) for instant replay; they are
only ever written by running, keyed by the scenario and every setting that changes the numbers
(:func:`cache_key`), and the app marks them as precomputed with a recompute button.

Examples
--------
>>> [s.id for s in scenarios()][:3]
['small_tabular', 'linear', 'smooth_big']
>>> get("linear").expected, get("hidden_subgroup").choices
('linear', ('linear', 'gbm'))
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from .. import families
from ..config import RunConfig
from ..analyses.verdict import Needs
from ..metrics import METRICS, format_diff, format_score

__all__ = ["Scenario", "scenarios", "get", "ANALYSES", "CURVE_SIZES", "SHIFT_GROUPS", "UNDECIDED", "run_scenario",
           "finding", "lesson_text", "answer_label", "cache_dir", "cache_key", "cache_path", "load_cached",
           "save_cached", "guess_was_right", "cheapest"]

#: The analysis whose chart is shown at the reveal.
ANALYSES = ("compare", "curve", "subgroups", "shift", "explain")
#: How the reveal names an undecided verdict.
UNDECIDED = "Undecided (not enough evidence)"
_BASE = ("linear", "gbm", "deep")
#: The data-size curve's sizes besides the full training fold (whose fits the comparison made already).
CURVE_SIZES = (250, 1000, 2500)
#: Groups of the shift column held out (the largest ones), each also against a random split of its size.
SHIFT_GROUPS = 4
# Bumped when the summary gains keys: a summary saved by older code is recomputed, not replayed half-empty.
_SUMMARY_VERSION = 2


@dataclass(frozen=True)
class Scenario:
    """One workshop step.

    Attributes
    ----------
    id, title : str
    brief : str
        The lesson in one line, for the list of scenarios.
    setup : str
        What the data is, shown with the prompt (does not give the answer away).
    lesson : str
        The principle the reveal teaches. It holds no numbers of the run: the reveal puts
        :func:`finding` (the run's own numbers) in front of it.
    prompt : str
    dataset : str
        A built-in name (:func:`dllab.datasets.builtin_names`).
    max_rows : int
        Rows sampled from it (seeded with the run's seed).
    config : RunConfig
        The quick budget with 3 folds (the verdict needs at least 3 shared splits; the text scenario
        uses 5, where a 3-fold paired test with 2 degrees of freedom was too fragile).
    analysis : str
        One of :data:`ANALYSES`.
    expected : str
        The recommendation expected beforehand (``linear``, ``gbm`` or ``deep``, as the verdict says it).
    why : str
        The justification of ``expected``, written before running.
    needs : Needs
    shift_column : str or None
        The column whose groups are held out (``analysis == "shift"``).
    answer : str or None
        The family expected to be recommended, where two trained families share the kind of
        ``expected`` (the text scenario: the pretrained encoder, not the network from scratch).
    """

    id: str
    title: str
    brief: str
    setup: str
    lesson: str
    dataset: str
    max_rows: int
    config: RunConfig
    analysis: str
    expected: str
    why: str
    prompt: str = "Predict which approach wins."
    needs: Needs = field(default_factory=Needs)
    shift_column: str | None = None
    answer: str | None = None

    @property
    def recipe(self):
        """The data of the scenario: the built-in sampled to ``max_rows`` with the run's seed."""
        from ..datasets.recipe import DataRecipe

        return DataRecipe(self.dataset, max_rows=self.max_rows, seed=self.config.seed)

    @property
    def choices(self) -> tuple:
        """What the user can guess: the families the scenario trains (the verdict picks one of them)."""
        return tuple(families.ordered(self.config.families))

    @property
    def expected_family(self) -> str:
        """The family expected to be recommended: ``answer``, else the trained family of ``expected``'s kind."""
        if self.answer is not None:
            return self.answer
        return next(f for f in families.by_simplicity(self.config.families)
                    if families.get(f).recommends_as == self.expected)

    def plan(self) -> list[tuple[str, float]]:
        """Every fit the scenario makes, as ``(family, training rows)`` pairs (for the time estimate).

        The shift test's training rows assume held-out groups of about equal size.
        """
        k, fams = self.config.resolved_folds, self.config.families
        n_train = self.max_rows * (k - 1) / k
        out = [(f, n_train) for f in fams for _ in range(k * self.config.resolved_repeats)]
        if self.analysis == "curve":
            out += [(f, float(n)) for n in CURVE_SIZES if n < n_train for f in fams]
        if self.analysis == "shift":
            out += [(f, self.max_rows * (1 - 1 / SHIFT_GROUPS)) for _ in range(2 * SHIFT_GROUPS) for f in fams]
        return out

    def cost(self) -> float:
        """A rough cost: rows x fits, the deep net (and the encoder) counting 10 times a fast model."""
        weight = sum(10 if families.get(f).kind == "deep" else 1 for f in self.config.families)
        extra = {"compare": 1.0, "explain": 1.1, "subgroups": 1.0, "curve": 1.6, "shift": 3.0}[self.analysis]
        return self.max_rows * weight * self.config.resolved_folds * extra


def _quick(families=_BASE, **kw) -> RunConfig:
    return RunConfig(budget="quick", n_folds=3, families=tuple(families), **kw)


def scenarios() -> list[Scenario]:
    """The workshop, in order. Images and text are included when their built-ins exist."""
    from ..datasets import builtin_names

    names = set(builtin_names())
    out = [
        Scenario("small_tabular", "Small tabular data", "Few clean rows: when the scores tie, cost decides.",
                 "569 tumours, 30 numeric measurements each, benign or malignant.",
                 "With a few hundred clean rows, the model that no more complex one beats is the answer: it costs "
                 "a fraction to train and is the easiest to trust.",
                 "breast_cancer", 569, _quick(), "compare", "linear",
                 "Nearly linearly separable; every family scores ~96-98% and the differences are within noise."),
        Scenario("linear", "A simple linear relationship", "When the truth is simple, flexibility only adds noise.",
                 "Generated data: the target is a weighted sum of 10 columns plus noise.",
                 "When the truth is linear nothing beats a linear model; extra flexibility only adds variance.",
                 "linear", 600, _quick(), "compare", "linear",
                 "The data is generated linear; the linear model is the exact model class."),
        Scenario("smooth_big", "Lots of smooth data", "Which model is best can change as the data grows.",
                 "A smooth function of oblique directions with many interactions, plus axis-aligned steps; "
                 "10,000 rows of 100,000.",
                 "Smooth, oblique interactions favour a neural net as data grows: boosting's axis-aligned splits "
                 "catch the steps early, while the network needs rows to learn the smooth part. Read the curve, "
                 "not one point of it.",
                 "smooth_interactions", 10_000, _quick(), "curve", "deep",
                 "The generator is built so that boosting leads on a few hundred rows (the steps) and a network "
                 "overtakes it by ~5,000 rows (the smooth oblique half); 10,000 rows are past that point."),
    ]
    if "mnist1d" in names:
        out.append(Scenario(
            "images", "Images (signals)", "Structure in the input is what convolutional networks exploit.",
            "4,000 one-dimensional 'digit' signals of 40 samples each: the ten digit templates, shifted, scaled, "
            "sheared and blurred at random, with noise (the MNIST-1D benchmark).",
            "Neighbouring samples belong together and a pattern can appear anywhere: a convolutional network "
            "shares one detector across positions; a linear model and boosting on raw samples must learn each "
            "position separately.",
            "mnist1d", 4000, _quick(), "compare", "deep",
            "MNIST-1D was built to separate convolutional networks from simpler models: its authors report "
            "94% for a CNN against 32% for logistic regression and 68% for an MLP (the package README)."))
    if "wordnet_definitions" in names:
        out.append(Scenario(
            "text", "Text with transfer learning", "With few labels, pretraining helps more than depth.",
            "One-line dictionary definitions (WordNet): is the thing defined an animal, an artifact, a body part, "
            "a food, a location, a person, a plant or a substance? 600 labelled rows.",
            "With few labelled rows, a pretrained sentence encoder (transfer learning) knows language already; "
            "TF-IDF with a linear model has to learn every word from the labels, and a network trained from "
            "scratch has even less to go on. Pretraining, not depth, is what wins.",
            "wordnet_definitions", 600,
            RunConfig(budget="quick", n_folds=5, families=("linear", "deep", "transfer")),
            "compare", "deep",
            "Definitions of one kind share few words, so TF-IDF sees mostly new words; measured on 400-1,600 rows "
            "(the project's transfer benchmark) the encoder + head leads TF-IDF by 8-23 points, significantly each "
            "time. It is reported as deep learning. 5 folds: with 3 the paired test has too few splits to be "
            "reliable.", answer="transfer"))
    out += [
        Scenario("hidden_subgroup", "A hidden subgroup failure", "A good average can hide a group that fails.",
                 "Customers: region, age, income, tenure, plan; did they churn? 2,000 rows.",
                 "A good overall score can hide a group where the rule is reversed: a linear model cannot express "
                 "such an interaction, boosting can. Look at the worst slices, not only the average.",
                 "planted_subgroup", 2000, _quick(("linear", "gbm")), "subgroups", "gbm",
                 "The planted subgroup is an interaction a linear model cannot represent; boosting splits on it. "
                 "Overall the two are close, so the verdict turns on the failure slice (a model that fails a group "
                 "is not reliable)."),
        Scenario("population_shift", "A population shift", "A random split overstates how well a model travels.",
                 "The same customers; the model will be used in a region it was not trained on.",
                 "A random split overstates how well a model travels: holding out a whole region shows the drop "
                 "you would see after a population shift.",
                 "planted_subgroup", 2000, _quick(("linear", "gbm")), "shift", "gbm",
                 "Boosting is the model that does not fail the planted subgroup; the shift test shows every model "
                 "losing accuracy on the held-out region.", shift_column="region"),
        Scenario("explainability", "An explainability requirement",
                 "A requirement can outweigh a small gain in accuracy.",
                 "Census records: does the person earn more than $50K? Each decision must be explained to the "
                 "person it concerns.",
                 "Requirements can override the scores: when each decision must be explained, an exact, additive "
                 "explanation is worth more than a gain smaller than the large gap.",
                 "adult", 3000, _quick(("linear", "gbm")), "explain", "linear",
                 "Boosting beats the linear model by ~1-2 points on adult: below 3 practical differences, so the "
                 "explainability need keeps the linear model.", needs=Needs(explain_each_decision=True)),
    ]
    return out


def get(scenario_id: str) -> Scenario:
    """The scenario called ``scenario_id``."""
    for s in scenarios():
        if s.id == scenario_id:
            return s
    raise KeyError(f"no workshop scenario {scenario_id!r}; choose one of {[s.id for s in scenarios()]}")


def cheapest(items=None) -> Scenario:
    """The scenario with the lowest :meth:`Scenario.cost`."""
    return min(items or scenarios(), key=lambda s: s.cost())


def guess_was_right(guess: str | None, summary: dict) -> bool:
    """Whether ``guess`` (a family name) is the family the run recommended."""
    return guess is not None and guess == summary["verdict"].get("family") \
        and summary["verdict"]["recommendation"] != "undecided"


def answer_label(summary: dict) -> str:
    """The recommended family's label (:func:`dllab.families.label`), or :data:`UNDECIDED`."""
    v = summary["verdict"]
    if v["recommendation"] == "undecided" or not v.get("family"):
        return UNDECIDED
    return families.label(v["family"])


# =========================================================================== evidence
def _cell(score, low=None, high=None) -> dict:
    return {"score": score, "low": low, "high": high}


def _compare_evidence(cmp) -> dict:
    o = cmp.overall
    return {"kind": "compare", "metric": cmp.metric, "splits": len(cmp.splits),
            "rows": [{"label": f"All rows, mean over {len(cmp.splits)} splits", "n": int(len(cmp.y)),
                      "scores": {f: _cell(o.loc[f, "mean"], o.loc[f, "ci_low"], o.loc[f, "ci_high"])
                                 for f in cmp.families}}],
            "fit_seconds": {f: float(o.loc[f, "fit_seconds"]) for f in cmp.families}}


def _curve_evidence(lc) -> dict:
    rows = []
    for n in lc.sizes:
        band = lc.summary[lc.summary["size"] == n].set_index("family")
        rows.append({"label": f"{int(n):,} training rows", "n": int(n),
                     "scores": {f: _cell(band.loc[f, "mean"], band.loc[f, "ci_low"], band.loc[f, "ci_high"])
                                for f in lc.families}})
    return {"kind": "curve", "metric": lc.metric, "rows": rows}


def _slice_evidence(rep, focus) -> dict:
    overall = rep.overall
    rows = [{"label": f"All rows (n = {int(overall['n'].iloc[0]):,})", "n": int(overall["n"].iloc[0]),
             "scores": {f: _cell(overall.loc[f, "score"], overall.loc[f, "ci_low"], overall.loc[f, "ci_high"])
                        for f in rep.families}}]
    out = {"kind": "subgroups", "metric": rep.metric, "focus": focus, "slice": None, "rows": rows,
           "slices_checked": len(rep.slices)}
    worst = rep.worst(focus, top_k=1) if focus else None
    if worst is not None and not worst.empty:
        i = int(worst.iloc[0]["slice"])
        on = rep.frame[rep.frame.slice == i].set_index("family")
        out["slice"] = rep.slices[i].description
        rows.append({"label": f"{rep.slices[i].description} (n = {int(worst.iloc[0]['size']):,})",
                     "n": int(worst.iloc[0]["size"]),
                     "scores": {f: _cell(on.loc[f, "score"], on.loc[f, "ci_low"], on.loc[f, "ci_high"])
                                for f in rep.families}})
    return out


def _shift_evidence(rows_in: list) -> dict:
    ok = [r for r in rows_in if r.get("status") == "ok" and r.get("drop") is not None]
    out = {"kind": "shift", "metric": ok[0]["metric"] if ok else None, "group": None, "rows": []}
    if not ok:
        return out
    key = max(ok, key=lambda r: r["drop"])  # the group where some family drops most
    same = [r for r in ok if r["group"] == key["group"]]
    out.update(group=key["group"], column=key["column"], size=key["size"])
    out["rows"] = [
        {"label": f"Random split of the same size ({key['size']:,} rows)", "n": key["size"],
         "scores": {r["family"]: _cell(r["random_score"]) for r in same}},
        {"label": f"Trained without {key['group']}, tested on it", "n": key["size"],
         "scores": {r["family"]: _cell(r["shift_score"]) for r in same}},
    ]
    out["drops"] = {r["family"]: {"drop": r["drop"], "low": r.get("drop_ci_low"), "high": r.get("drop_ci_high")}
                    for r in same}
    return out


def _explain_evidence(cmp, verdict) -> dict:
    from ..analyses.verdict.needs import LARGE_GAP_FACTOR

    out = _compare_evidence(cmp)
    simple = families.by_simplicity(cmp.families)[0]
    sign = 1.0 if cmp.higher_is_better else -1.0
    others = [f for f in cmp.families if f != simple]
    best = max(others, key=lambda f: sign * cmp.overall.loc[f, "mean"]) if others else None
    out.update(kind="explain", simple=simple, best=best, min_difference=verdict.min_difference,
               large_gap=LARGE_GAP_FACTOR * verdict.min_difference, large_gap_factor=LARGE_GAP_FACTOR,
               gap=None if best is None else sign * (cmp.overall.loc[best, "mean"] - cmp.overall.loc[simple, "mean"]))
    return out


def _analysis(s: Scenario, study, *, progress=None):
    """Run the scenario's analysis in ``study``; returns its key figure and its deciding evidence."""
    from ..present import plots

    cmp = study.comparison
    if s.analysis == "curve":
        # Three small sizes plus the comparison's own fits (reused, not refitted) at the full training fold.
        n_train = len(cmp.splits[0][0])
        lc = study.curve(sizes=[*CURVE_SIZES, n_train], n_seeds=1, progress=progress, n_boot=50)
        return plots.learning_curve_figure(lc), _curve_evidence(lc)
    if s.analysis in ("subgroups", "shift"):
        rep = study.subgroups(shift=s.shift_column if s.analysis == "shift" else None,
                              max_shift_groups=SHIFT_GROUPS, n_boot=100, progress=progress)
        if s.analysis == "shift":
            return plots.shift_figure(rep.shift), _shift_evidence(rep.shift)
        worst = next((f for f in rep.families if len(rep.worst(f))), None)
        return plots.worst_slices_figure(rep, worst or rep.families[0]), _slice_evidence(rep, worst)
    if s.analysis == "explain":
        return plots.importance_figure(study.explanation(max_rows=300, n_boot=100)), None
    return plots.comparison_figure(cmp), _compare_evidence(cmp)


def run_scenario(s: Scenario, *, progress=None) -> dict:
    """Run ``s`` end to end as a :class:`~dllab.Study`: load, compare, its analysis, the verdict.

    Returns a JSON-ready summary. Keys: ``scenario``, ``cache_key``, ``dataset`` (name, sha256,
    rows, columns, task), ``config``, ``verdict`` (``Verdict.to_dict()``), ``scores`` (family -> primary
    metric), ``fit_seconds`` and ``predict_seconds`` (family -> mean seconds per split), ``metric``,
    ``figure`` (plotly JSON),
    ``evidence`` (the deciding evidence: ``rows`` of every family's score, see :func:`finding`),
    ``seconds``, ``computed_at``.
    """
    from ..present.report import to_json_ready
    from ..study import Study

    t0 = time.perf_counter()
    study = Study(s.recipe, config=s.config)
    cmp = study.run(progress=progress)
    fig, evidence = _analysis(s, study, progress=progress)
    v = study.verdict(s.needs)
    if evidence is None:
        evidence = _explain_evidence(cmp, v)
    ds = study.dataset
    summary = {
        "scenario": s.id, "cache_key": cache_key(s), "expected": s.expected, "expected_family": s.expected_family,
        "dataset": {"name": s.dataset, "sha256": ds.sha256, "rows": int(ds.n_rows),
                    "columns": len(ds.feature_columns), "task": ds.task},
        "config": s.config.to_dict(), "metric": cmp.metric,
        "scores": {f: float(cmp.overall.loc[f, cmp.metric]) for f in cmp.families},
        "fit_seconds": {f: float(cmp.overall.loc[f, "fit_seconds"]) for f in cmp.families},
        "predict_seconds": {f: float(cmp.overall.loc[f, "predict_seconds"]) for f in cmp.families},
        "verdict": v.to_dict(), "figure": json.loads(fig.to_json()), "evidence": evidence,
        "seconds": time.perf_counter() - t0, "computed_at": time.strftime("%Y-%m-%d %H:%M:%S"),
    }
    return to_json_ready(summary)


# =========================================================================== the finding in words
def _metric_words(metric: str) -> str:
    label = METRICS[metric].label
    return label if label[:2].isupper() else label.lower()


def _score(ev: dict, row: int, family: str) -> str:
    cell = ev["rows"][row]["scores"].get(family) or {}
    return format_score(ev["metric"], cell.get("score"))


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _seconds(v) -> str:
    return "—" if v is None else (f"{v:.2f} s" if v < 1 else f"{v:.1f} s")


def finding(summary: dict) -> str:
    """What this run found, in one or two sentences with its numbers (every trained family).

    Read from ``summary["evidence"]`` (:func:`run_scenario`), so the slice, the group, the sizes
    and the scores are the run's own. "" when the summary has no evidence.
    """
    ev = summary.get("evidence") or {}
    if not ev.get("rows") or not ev.get("metric"):
        return ""
    kind, metric = ev["kind"], ev["metric"]
    words = _metric_words(metric)
    fams = families.ordered(ev["rows"][0]["scores"])
    if kind in ("compare", "explain"):
        secs = ev.get("fit_seconds", {})
        parts = ", ".join(f"{families.noun(f)} {_score(ev, 0, f)} ({_seconds(secs.get(f))} per fit)" for f in fams)
        text = f"Mean {words} over {ev['splits']} splits: {parts}."
        if kind == "explain" and ev.get("best") is not None and ev.get("gap") is not None:
            gap = format_diff(metric, ev["gap"])
            large = format_diff(metric, ev["large_gap"])
            lead = (f"{_cap(families.noun(ev['best']))} is {gap} ahead of {families.noun(ev['simple'])}"
                    if ev["gap"] > 0 else f"{_cap(families.noun(ev['simple']))} is not behind")
            rule = (f"below the {large} ({ev['large_gap_factor']:g} times the smallest difference that matters) "
                    f"that would outweigh an exact explanation of each decision" if ev["gap"] < ev["large_gap"]
                    else f"at least the {large} that outweighs an exact explanation of each decision")
            text += f" {lead}: {rule}."
        return text
    if kind == "curve":
        last = len(ev["rows"]) - 1

        def at(i):
            return ", ".join(f"{families.noun(f)} {_score(ev, i, f)}" for f in fams)

        direction = "higher" if METRICS[metric].higher_is_better else "lower"
        return (f"{_cap(words)} ({direction} is better) at {ev['rows'][0]['n']:,} training rows: {at(0)}; "
                f"at {ev['rows'][last]['n']:,} rows: {at(last)}.")
    if kind == "subgroups":
        if ev.get("slice") is None:
            return (f"No slice of the {ev['slices_checked']:,} checked is significantly worse for any model: "
                    + ", ".join(f"{families.noun(f)} scores {_score(ev, 0, f)} overall" for f in fams) + ".")
        focus = ev["focus"]
        n = ev["rows"][1]["n"]
        rest = "; ".join(f"{families.noun(f)} scores {_score(ev, 1, f)} there ({_score(ev, 0, f)} on all rows)"
                         for f in fams if f != focus)
        return (f"On rows with {ev['slice']} (n = {n:,}), {families.noun(focus)}'s {words} is "
                f"{_score(ev, 1, focus)} against {_score(ev, 0, focus)} on all rows"
                + (f"; {rest}." if rest else "."))
    if kind == "shift":
        parts = "; ".join(f"{families.noun(f)} scores {_score(ev, 1, f)} against {_score(ev, 0, f)}" for f in fams)
        return (f"Trained without {ev['group']} and tested on it (n = {ev['size']:,}), against a random split of "
                f"the same size: {parts}.")
    return ""


def lesson_text(s: Scenario, summary: dict) -> str:
    """The lesson as the reveal shows it: this run's :func:`finding`, then the principle (``s.lesson``)."""
    found = finding(summary)
    return f"{found} {s.lesson}" if found else s.lesson


# =========================================================================== disk cache
def cache_dir() -> Path:
    """``$DLLAB_WORKSHOP_CACHE`` or ``workshop_cache/`` beside the ``dllab`` package."""
    return Path(os.environ.get("DLLAB_WORKSHOP_CACHE") or Path(__file__).resolve().parents[1] / "workshop_cache")


def cache_key(s: Scenario) -> str:
    """Scenario id + a hash of every setting that changes the numbers (and of the summary's layout)."""
    parts = repr((s.id, s.dataset, s.max_rows, s.config.key(), s.analysis, s.shift_column,
                  sorted(s.needs.to_dict().items()), _SUMMARY_VERSION))
    return f"{s.id}-{hashlib.sha256(parts.encode()).hexdigest()[:12]}"


def cache_path(s: Scenario) -> Path:
    return cache_dir() / f"{cache_key(s)}.json"


def load_cached(s: Scenario) -> dict | None:
    """The summary saved for ``s`` with the same settings, or None."""
    path = cache_path(s)
    try:
        summary = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return summary if summary.get("cache_key") == cache_key(s) else None


def save_cached(s: Scenario, summary: dict) -> Path | None:
    """Write ``summary`` for ``s``; returns the path, or None when the folder is not writable."""
    path = cache_path(s)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(summary), encoding="utf-8")
        tmp.replace(path)
    except OSError:
        return None
    return path
