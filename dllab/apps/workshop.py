"""Workshop mode: a guided sequence of scenarios, one lesson each (no streamlit here).

Each :class:`Scenario` names a built-in dataset, a small run (the quick budget, sized to finish in
under a minute on a laptop), the analysis whose chart carries the lesson, and the answer expected
beforehand with its justification. :func:`run_scenario` runs it end to end and returns a JSON-ready
summary (the verdict, the scores and the key chart as plotly JSON). Summaries can be kept on disk
under :func:`cache_dir` (``workshop_cache/`` beside the package, or ``$DLLAB_WORKSHOP_CACHE``) for
instant replay; they are only ever written by running, keyed by the scenario and every setting that
changes the numbers (:func:`cache_key`), and the app marks them as precomputed with a recompute button.

Examples
--------
>>> [s.id for s in scenarios()][:3]
['small_tabular', 'linear', 'smooth_big']
>>> get("linear").expected
'linear'
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

__all__ = ["Scenario", "scenarios", "get", "CHOICES", "CHOICE_LABELS", "ANALYSES", "run_scenario", "cache_dir",
           "cache_key", "cache_path", "load_cached", "save_cached", "guess_was_right", "cheapest"]

#: What the user can guess: the recommendation codes of :mod:`dllab.analyses.verdict`.
CHOICES = ("linear", "gbm", "deep")
CHOICE_LABELS = {"linear": "A linear model", "gbm": "Gradient boosting (XGBoost)", "deep": "Deep learning",
                 "undecided": "Undecided (not enough evidence)"}
#: The analysis whose chart is shown at the reveal.
ANALYSES = ("compare", "curve", "subgroups", "shift", "explain")
_BASE = ("linear", "gbm", "deep")


@dataclass(frozen=True)
class Scenario:
    """One workshop step.

    Attributes
    ----------
    id, title : str
    setup : str
        What the data is, shown with the prompt (does not give the answer away).
    lesson : str
        What the reveal teaches.
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
        The recommendation expected beforehand (one of :data:`CHOICES`).
    why : str
        The justification of ``expected``, written before running.
    needs : Needs
    shift_column : str or None
        The column whose groups are held out (``analysis == "shift"``).
    choices : tuple of str
    """

    id: str
    title: str
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
    choices: tuple = CHOICES

    @property
    def recipe(self):
        """The data of the scenario: the built-in sampled to ``max_rows``."""
        from ..datasets.recipe import DataRecipe

        return DataRecipe(self.dataset, max_rows=self.max_rows)

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
        Scenario("small_tabular", "Small tabular data",
                 "569 tumours, 30 numeric measurements each, benign or malignant.",
                 "With a few hundred clean rows a linear model is as accurate as a deep net, at a fraction of the "
                 "cost: the simplest model that is not beaten is the answer.",
                 "breast_cancer", 569, _quick(), "compare", "linear",
                 "Nearly linearly separable; every family scores ~96-98% and the differences are within noise."),
        Scenario("linear", "A simple linear relationship",
                 "Generated data: the target is a weighted sum of 10 columns plus noise.",
                 "When the truth is linear nothing beats a linear model; extra flexibility only adds variance.",
                 "linear", 600, _quick(), "compare", "linear",
                 "The data is generated linear; the linear model is the exact model class."),
        Scenario("smooth_big", "Lots of smooth data",
                 "A smooth function of oblique directions with many interactions, plus axis-aligned steps; "
                 "10,000 rows of 100,000.",
                 "Smooth, oblique interactions favour a neural net as data grows: the curve shows boosting ahead "
                 "on a few hundred rows and the deep net overtaking it as rows grow.",
                 "smooth_interactions", 10_000, _quick(), "curve", "deep",
                 "The generator is built so that boosting leads on a few hundred rows (the steps) and a network "
                 "overtakes it by ~5,000 rows (the smooth oblique half); 10,000 rows are past that point."),
    ]
    if "mnist1d" in names:
        out.append(Scenario(
            "images", "Images (signals)",
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
            "text", "Text with transfer learning",
            "One-line dictionary definitions (WordNet): is the thing defined an animal, an artifact, a body part, "
            "a food, a location, a person, a plant or a substance? 600 labelled rows.",
            "With few labelled rows, a pretrained sentence encoder (transfer learning) knows language already; "
            "TF-IDF with a linear model has to learn every word from the labels, and a network trained from "
            "scratch has even less to go on. Pretraining, not depth, is what wins.",
            "wordnet_definitions", 600,
            RunConfig(budget="quick", n_folds=5, families=("linear", "deep", "transfer")),
            "compare", "deep",
            "Definitions of one kind share few words, so TF-IDF sees mostly new words; measured on 400-1,600 rows "
            "(benchmarks/transfer.py) the encoder + head leads TF-IDF by 8-23 points (p <= 0.011). It is reported "
            "as deep learning. 5 folds: with 3 the paired test has 2 degrees of freedom."))
    out += [
        Scenario("hidden_subgroup", "A hidden subgroup failure",
                 "Customers: region, age, income, tenure, plan; did they churn? 2,000 rows.",
                 "A good overall score can hide a group where the rule is reversed (region North, age < 25): the "
                 "linear model cannot express it, boosting can. Look at the worst slices, not only the average.",
                 "planted_subgroup", 2000, _quick(("linear", "gbm")), "subgroups", "gbm",
                 "The planted subgroup is an interaction a linear model cannot represent; boosting splits on it. "
                 "Overall the two are close, so the verdict turns on the failure slice (a model that fails a group "
                 "is not reliable)."),
        Scenario("population_shift", "A population shift",
                 "The same customers; the model will be used in a region it was not trained on.",
                 "A random split overstates how well a model travels: holding out a whole region shows the drop "
                 "you would see after a population shift.",
                 "planted_subgroup", 2000, _quick(("linear", "gbm")), "shift", "gbm",
                 "Boosting is the model that does not fail the planted subgroup; the shift test shows every model "
                 "losing accuracy on the held-out region.", shift_column="region"),
        Scenario("explainability", "An explainability requirement",
                 "Census records: does the person earn more than $50K? Each decision must be explained to the "
                 "person it concerns.",
                 "Requirements can override the scores: boosting is ahead by 1-2 points, less than the large gap "
                 "that would justify giving up an exact, additive explanation, so the linear model is recommended.",
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
    """Whether ``guess`` is the recommendation the run produced."""
    return guess is not None and guess == summary["verdict"]["recommendation"]


# =========================================================================== running
def _figure(s: Scenario, study, *, progress=None):
    """Run the scenario's analysis in ``study``; returns its key figure."""
    from ..present import plots

    cmp = study.comparison
    if s.analysis == "curve":
        # Three small sizes plus the comparison's own fits (reused, not refitted) at the full training fold.
        n_train = len(cmp.splits[0][0])
        lc = study.curve(sizes=[250, 1000, 2500, n_train], n_seeds=1, progress=progress, n_boot=50)
        return plots.learning_curve_figure(lc)
    if s.analysis in ("subgroups", "shift"):
        rep = study.subgroups(shift=s.shift_column if s.analysis == "shift" else None, max_shift_groups=4,
                              n_boot=100, progress=progress)
        if s.analysis == "shift":
            return plots.shift_figure(rep.shift)
        worst = next((f for f in rep.families if len(rep.worst(f))), rep.families[0])
        return plots.worst_slices_figure(rep, worst)
    if s.analysis == "explain":
        return plots.importance_figure(study.explanation(max_rows=300, n_boot=100))
    return plots.comparison_figure(cmp)


def run_scenario(s: Scenario, *, progress=None) -> dict:
    """Run ``s`` end to end as a :class:`~dllab.Study`: load, compare, its analysis, the verdict.

    Returns a JSON-ready summary. Keys: ``scenario``, ``cache_key``, ``dataset`` (name, sha256,
    rows), ``config``, ``verdict`` (``Verdict.to_dict()``), ``scores`` (family -> primary metric),
    ``metric``, ``figure`` (plotly JSON), ``seconds``, ``computed_at``.
    """
    from ..present.report import to_json_ready
    from ..study import Study

    t0 = time.perf_counter()
    study = Study(s.recipe, config=s.config)
    cmp = study.run(progress=progress)
    fig = _figure(s, study, progress=progress)
    v = study.verdict(s.needs)
    ds = study.dataset
    summary = {
        "scenario": s.id, "cache_key": cache_key(s), "expected": s.expected,
        "dataset": {"name": s.dataset, "sha256": ds.sha256, "rows": int(ds.n_rows)},
        "config": s.config.to_dict(), "metric": cmp.metric,
        "scores": {f: float(cmp.overall.loc[f, cmp.metric]) for f in cmp.families},
        "verdict": v.to_dict(), "figure": json.loads(fig.to_json()),
        "seconds": time.perf_counter() - t0, "computed_at": time.strftime("%Y-%m-%d %H:%M:%S"),
    }
    return to_json_ready(summary)


# =========================================================================== disk cache
def cache_dir() -> Path:
    """``$DLLAB_WORKSHOP_CACHE`` or ``workshop_cache/`` beside the ``dllab`` package."""
    return Path(os.environ.get("DLLAB_WORKSHOP_CACHE") or Path(__file__).resolve().parents[1] / "workshop_cache")


def cache_key(s: Scenario) -> str:
    """Scenario id + a hash of every setting that changes the numbers."""
    parts = repr((s.id, s.dataset, s.max_rows, s.config.key(), s.analysis, s.shift_column,
                  sorted(s.needs.to_dict().items())))
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
