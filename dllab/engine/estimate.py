"""How long a comparison will take: seconds per fit from fit times measured here, refined by a session's runs.

The cost model
    Seconds per fit (fit + predict) of one family are a fixed cost plus a
    power law of the training rows ``n`` of a fold and the feature columns
    ``p``, with a factor for the budget and one for regression (ridge, and
    longer network training, against logistic regression and classification)::

        t = a + exp(c + s [standard] + r [regression]) * n ** alpha * p ** beta

    fitted per family to :data:`MEASURED` (least squares on the logs, so errors
    are ratios; ``0 <= alpha, beta <= 1.1``: no family here grows much faster
    than linearly in either) on first use. Over the measurements, modelled /
    measured lies between 0.27 and 2.8 (0.59 and 1.5 for the deep net) (the machine's load varied while
    measuring). The deep net's ``n`` is capped where its step budget ends
    training (:data:`DEEP_ROW_CAP`): beyond it the net trains the same number
    of steps however many rows there are. The thorough budget is the standard
    fit plus its equal-time search (:mod:`dllab.models.search`): at most
    ``SEARCH_SECONDS`` per fit, less when its 50 candidates finish sooner.

Refinement
    A comparison records its own mean fit time per family
    (``Comparison.overall["fit_seconds"]``); :func:`observed` reads them. For
    the same data the measured time replaces the model (scaled by the model's
    ratio when the folds change the training rows); for other data each
    family's measured-to-modelled ratio on this server (its speed) scales the
    model. During a run :func:`seconds_left` rescales what is left by how the
    finished fits compared with their estimates.

Families without measurements (registered ones) use the built-in family of
their kind (linear, trees -> XGBoost, deep). Image and text data use other
networks and encoders than the tables measured here: their first estimate is
rough until a run of the session refines it.

Examples
--------
>>> from dllab.config import RunConfig
>>> e = estimate(RunConfig(budget="quick", families=("linear", "gbm")), n_rows=600, n_columns=10)
>>> e.fits, e.text.endswith("(6 fits)")
(6, True)
"""

from __future__ import annotations

import functools
import heapq
import statistics
import sys
from dataclasses import dataclass, field

import numpy as np

from .. import families as registry

__all__ = ["MEASURED", "DEEP_ROW_CAP", "PER_FIT_OVERHEAD", "STARTUP", "Observed", "Estimate", "per_fit_seconds",
           "observed", "estimate", "estimate_plan", "makespan", "libraries", "seconds_left", "format_duration"]

#: Seconds per fit (fit + predict, the mean of the 2 folds of a 2-fold run) measured on this project's
#: development machine: 2 shared CPU cores, one thread per fit (OMP_NUM_THREADS=1), torch 2.13 CPU,
#: load average 2-8 (other engineers' runs; the full-adult rows at 5-8), so an idle machine is faster: the
#: refinement corrects it. Built-ins sampled to 178-48,842 rows (2 folds: half of them train).
#: Rows: (family, budget, built-in, task, training rows of a fold, feature columns, seconds).
#: breast_cancer's quick XGBoost and deep fits are the second fold's: the first fit of a process also
#: pays about 1 s of start-up (library loading), once per server.
MEASURED = (
    ("linear", "quick", "adult", "binary", 1000, 14, 0.101),
    ("linear", "quick", "adult", "binary", 4000, 14, 0.171),
    ("linear", "quick", "adult", "binary", 24421, 14, 1.49),
    ("linear", "quick", "breast_cancer", "binary", 284, 30, 0.057),
    ("linear", "quick", "california_housing", "regression", 2000, 8, 0.011),
    ("linear", "quick", "california_housing", "regression", 6000, 8, 0.018),
    ("linear", "quick", "smooth_interactions", "regression", 5000, 32, 0.107),
    ("linear", "quick", "smooth_interactions", "regression", 15000, 32, 0.252),
    ("linear", "quick", "wine", "multiclass", 89, 13, 0.05),
    ("gbm", "quick", "adult", "binary", 1000, 14, 0.04),
    ("gbm", "quick", "adult", "binary", 4000, 14, 0.07),
    ("gbm", "quick", "adult", "binary", 24421, 14, 2.76),
    ("gbm", "quick", "breast_cancer", "binary", 284, 30, 0.045),
    ("gbm", "quick", "california_housing", "regression", 2000, 8, 0.082),
    ("gbm", "quick", "california_housing", "regression", 6000, 8, 0.173),
    ("gbm", "quick", "smooth_interactions", "regression", 5000, 32, 4.198),
    ("gbm", "quick", "smooth_interactions", "regression", 15000, 32, 3.68),
    ("gbm", "quick", "wine", "multiclass", 89, 13, 0.035),
    # the deep rows: re-measured for issue 16 (bfloat16 autocast; standard on a cosine schedule over 30
    # epochs), by `OMP_NUM_THREADS=1 python benchmarks/fit_times.py --families deep`, at load ~2
    ("deep", "quick", "adult", "binary", 1000, 14, 0.275),
    ("deep", "quick", "adult", "binary", 4000, 14, 1.3),
    ("deep", "quick", "adult", "binary", 24421, 14, 2.86),
    ("deep", "quick", "breast_cancer", "binary", 284, 30, 0.227),
    ("deep", "quick", "california_housing", "regression", 2000, 8, 0.855),
    ("deep", "quick", "california_housing", "regression", 6000, 8, 1.59),
    ("deep", "quick", "smooth_interactions", "regression", 5000, 32, 3.18),
    ("deep", "quick", "smooth_interactions", "regression", 15000, 32, 3.73),
    ("deep", "quick", "wine", "multiclass", 89, 13, 0.169),
    ("deep", "standard", "adult", "binary", 1000, 14, 0.827),
    ("deep", "standard", "adult", "binary", 4000, 14, 2.54),
    ("deep", "standard", "adult", "binary", 24421, 14, 12.9),
    ("deep", "standard", "breast_cancer", "binary", 284, 30, 0.502),
    ("deep", "standard", "california_housing", "regression", 2000, 8, 2.77),
    ("deep", "standard", "california_housing", "regression", 6000, 8, 7.98),
    ("deep", "standard", "smooth_interactions", "regression", 5000, 32, 7.55),
    ("deep", "standard", "smooth_interactions", "regression", 15000, 32, 26.1),
    ("deep", "standard", "wine", "multiclass", 89, 13, 0.368),
    ("linear", "standard", "adult", "binary", 1000, 14, 0.187),
    ("linear", "standard", "adult", "binary", 4000, 14, 0.495),
    ("linear", "standard", "adult", "binary", 24421, 14, 12.6),
    ("linear", "standard", "breast_cancer", "binary", 284, 30, 0.106),
    ("linear", "standard", "california_housing", "regression", 2000, 8, 0.01),
    ("linear", "standard", "california_housing", "regression", 6000, 8, 0.014),
    ("linear", "standard", "smooth_interactions", "regression", 5000, 32, 0.06),
    ("linear", "standard", "wine", "multiclass", 89, 13, 0.113),
    ("gbm", "standard", "adult", "binary", 1000, 14, 0.09),
    ("gbm", "standard", "adult", "binary", 4000, 14, 0.304),
    ("gbm", "standard", "adult", "binary", 24421, 14, 11.6),
    ("gbm", "standard", "breast_cancer", "binary", 284, 30, 0.105),
    ("gbm", "standard", "california_housing", "regression", 2000, 8, 0.236),
    ("gbm", "standard", "california_housing", "regression", 6000, 8, 0.431),
    ("gbm", "standard", "smooth_interactions", "regression", 5000, 32, 8.17),
    ("gbm", "standard", "wine", "multiclass", 89, 13, 0.122),
)

#: Training rows beyond which the deep net's step budget ends training before early stopping: quick's
#: max_steps of dllab/models/deep.py (300 batches of 512) * 512 / (0.8 * epochs), with the median epochs of
#: its fits above (28; 0.8: the share of rows it trains on). ``standard`` trains 30 epochs (a cosine
#: schedule over them) whatever the size: no cap.
DEEP_ROW_CAP = {"quick": 300 * 512 / (0.8 * 28), "standard": float("inf")}
#: Seconds per fit besides fit and predict (splitting, scoring), measured as wall minus fit and predict above.
PER_FIT_OVERHEAD = 0.05
#: The first fit of a family in a process also loads its library: (module, seconds to import it, measured here
#: at load 7). Counted once, while the module is not loaded yet.
STARTUP = {"linear": ("sklearn.linear_model", 1.2), "gbm": ("xgboost", 2.3), "deep": ("torch", 1.7)}
# The thorough search (dllab.models.search): candidates tried at most, share of rows they train on.
_SEARCH_CANDIDATES, _SEARCH_TRAIN_SHARE = 50, 0.8
_KIND_STAND_IN = {"linear": "linear", "trees": "gbm", "deep": "deep"}


@dataclass(frozen=True)
class Observed:
    """A family's mean seconds per fit (fit + predict) measured in a run of this session."""

    family: str
    budget: str
    n_train: float
    n_columns: int
    seconds: float
    task: str = "binary"


@dataclass(frozen=True)
class Estimate:
    """The expected wall time of a comparison.

    Attributes
    ----------
    seconds : float
        The wall time: all fits, ``workers`` at a time in the order the runner starts them.
    fits : int
    per_fit : dict of str to float
        Expected seconds of one fit of each family.
    refined : bool
        Whether a run of this session's measured times went into it.
    startup : float
        Seconds of it for loading libraries no fit of this process has loaded yet (:data:`STARTUP`).
    workers : int
        Fits at a time (:func:`dllab.engine.runner.fits_at_a_time`).
    work : float or None
        Seconds of all fits one after another (None: ``seconds - startup``, one worker).
    """

    seconds: float
    fits: int
    per_fit: dict = field(default_factory=dict)
    refined: bool = False
    startup: float = 0.0
    workers: int = 1
    work: float | None = None

    @property
    def text(self) -> str:
        """E.g. ``"about 20 s (9 fits)"``."""
        return f"{format_duration(self.seconds)} ({self.fits:,} fit{'s' if self.fits != 1 else ''})"


def format_duration(seconds: float) -> str:
    """A duration in words, rounded as an estimate should be.

    Examples
    --------
    >>> [format_duration(s) for s in (0.4, 7.2, 23, 95, 1300, 5400)]
    ['under a second', 'about 7 s', 'about 25 s', 'about 1.5 min', 'about 22 min', 'about 1.5 h']
    """
    if seconds < 1:
        return "under a second"
    if seconds < 10:
        return f"about {round(seconds)} s"
    if seconds < 60:
        return f"about {int(5 * round(seconds / 5))} s"
    minutes = seconds / 60
    if minutes < 10:
        return f"about {round(minutes * 2) / 2:g} min"
    if minutes < 60:
        return f"about {round(minutes)} min"
    return f"about {round(seconds / 3600 * 2) / 2:g} h"


# =========================================================================== the model
def _effective_rows(family: str, budget: str, n_train: float) -> float:
    return min(n_train, DEEP_ROW_CAP[budget]) if family == "deep" else n_train


def _law(x, *, n, p, standard, regression):
    a, c, s, r, alpha, beta = x
    return np.exp(a) + np.exp(c + s * standard + r * regression + alpha * np.log(n) + beta * np.log(p))


@functools.lru_cache(maxsize=None)
def _coefficients(family: str) -> tuple:
    """``(log a, c, s, r, alpha, beta)`` of the cost model, fitted to the rows of :data:`MEASURED` of ``family``."""
    from scipy.optimize import least_squares

    rows = [r for r in MEASURED if r[0] == family]
    data = dict(n=np.array([_effective_rows(family, b, n) for _, b, _, _, n, _, _ in rows]),
                p=np.array([p for *_, p, _ in rows], dtype=float),
                standard=np.array([b == "standard" for _, b, *_ in rows], dtype=float),
                regression=np.array([t == "regression" for _, _, _, t, *_ in rows], dtype=float))
    seconds = np.array([t for *_, t in rows])
    fit = least_squares(lambda x: np.log(_law(x, **data)) - np.log(seconds), x0=[np.log(0.03), -10, 0, 0, 1, 0.5],
                        bounds=([-10, -40, -5, -5, 0, 0], [2, 10, 5, 5, 1.1, 1.1]))
    return tuple(float(v) for v in fit.x)


def _modelled(family: str, budget: str, task: str, n_train: float, n_columns: int) -> float:
    n = max(_effective_rows(family, budget, n_train), 1.0)
    return float(_law(_coefficients(family), n=n, p=max(int(n_columns), 1), standard=float(budget == "standard"),
                      regression=float(task == "regression")))


def libraries(family_names) -> tuple:
    """The modules the fits of ``family_names`` load (:data:`STARTUP`'s, by kind for registered families).

    Examples
    --------
    >>> libraries(["linear", "deep"])
    ('sklearn.linear_model', 'torch')
    """
    return tuple(sorted({STARTUP[_stand_in(f)][0] for f in family_names}))


def _stand_in(family: str) -> str:
    if any(f == family for f, *_ in MEASURED):
        return family
    kind = registry.get(family).kind if family in registry.names() else "trees"
    return _KIND_STAND_IN.get(kind, "gbm")


def per_fit_seconds(family: str, budget: str, *, n_train: float, n_columns: int, task: str = "binary") -> float:
    """Modelled seconds of one fit (fit + predict) of ``family`` at ``budget`` on ``n_train`` rows x
    ``n_columns`` features of a ``task`` problem, on the measured machine.

    Examples
    --------
    >>> per_fit_seconds("deep", "quick", n_train=4000, n_columns=14) > per_fit_seconds("linear", "quick",
    ...                                                                                n_train=4000, n_columns=14)
    True
    """
    fam = _stand_in(family)
    if budget != "thorough":
        return _modelled(fam, budget, task, n_train, n_columns)
    from ..models.search import SEARCH_SECONDS

    refit = _modelled(fam, "standard", task, n_train, n_columns)
    searched = family in registry.names() and registry.get(family).search_space is not None
    if not searched:
        return refit
    candidate = _modelled(fam, "standard", task, _SEARCH_TRAIN_SHARE * n_train, n_columns)
    return min(SEARCH_SECONDS, _SEARCH_CANDIDATES * candidate) + refit


# =========================================================================== refinement
def observed(cmp) -> list[Observed]:
    """The measured mean seconds per fit (fit + predict) of each family of the comparison ``cmp`` that ran."""
    budget = cmp.config.get("budget")
    n_columns = int(cmp.dataset.get("columns") or 0)
    out = []
    for fam in cmp.families:
        ok = [r for r in cmp.records if r.family == fam and r.ok]
        seconds = cmp.overall.loc[fam, "fit_seconds"] + cmp.overall.loc[fam, "predict_seconds"]
        if not ok or budget is None or not np.isfinite(seconds):
            continue
        out.append(Observed(fam, budget, float(np.mean([r.n_train for r in ok])), n_columns, float(seconds),
                            task=cmp.task))
    return out


def _speed(family: str, seen) -> float | None:
    # This server against the measured machine: the median of measured / modelled over the session's runs.
    ratios = [o.seconds / m for o in seen if o.family == family
              and (m := per_fit_seconds(o.family, o.budget, n_train=o.n_train, n_columns=o.n_columns,
                                        task=o.task)) > 0]
    return statistics.median(ratios) if ratios else None


def estimate(config, *, n_rows: int, n_columns: int, task: str = "binary", same_data=(),
             other_data=(), workers: int | None = None) -> Estimate:
    """The expected wall time of the comparison ``config`` on ``n_rows`` rows x ``n_columns`` features.

    Parameters
    ----------
    config : RunConfig
        With its families set (``config.for_data(ds)``).
    task : {"binary", "multiclass", "regression"}
    same_data : sequence of Observed
        Measured in this session on the same data (any settings).
    other_data : sequence of Observed
        Measured in this session on other data.
    workers : int, optional
        Fits at a time; default: as the runner decides on this machine for ``config.n_jobs``
        (:func:`dllab.engine.runner.fits_at_a_time`).
    """
    k = config.resolved_folds
    n_train = n_rows * (k - 1) / k
    plan = [(f, n_train) for _ in range(k * config.resolved_repeats) for f in (config.families or ())]
    return estimate_plan(plan, budget=config.budget, n_columns=n_columns, task=task, same_data=same_data,
                         other_data=other_data, workers=workers, n_jobs=config.n_jobs)


def estimate_plan(plan, *, budget: str, n_columns: int, task: str = "binary", same_data=(),
                  other_data=(), workers: int | None = None, n_jobs: int | None = None) -> Estimate:
    """The expected wall time of the fits in ``plan``: ``(family, training rows)`` pairs, one per fit,
    in the order a run lists its tasks.

    Other parameters as :func:`estimate`. ``per_fit`` of the result is each family's mean over its fits.
    """
    everything = list(same_data) + list(other_data)
    speeds = {f: _speed(f, everything) for f in dict.fromkeys(f for f, _ in plan)}
    seconds, refined, each = {}, False, []
    for fam, n_train in plan:
        model = per_fit_seconds(fam, budget, n_train=n_train, n_columns=n_columns, task=task)
        same = [o for o in same_data if o.family == fam and o.budget == budget]
        if same:  # measured on this data: scale it by the model's ratio of rows
            o = same[-1]
            then = per_fit_seconds(fam, o.budget, n_train=o.n_train, n_columns=o.n_columns, task=o.task)
            t, refined = o.seconds * (model / then if then > 0 else 1.0), True
        else:
            t = model * (speeds[fam] if speeds[fam] is not None else 1.0)
            refined = refined or speeds[fam] is not None
        seconds.setdefault(fam, []).append(t + PER_FIT_OVERHEAD)
        each.append(t + PER_FIT_OVERHEAD)
    startup = sum(STARTUP[_stand_in(f)][1] for f in seconds if STARTUP[_stand_in(f)][0] not in sys.modules)
    from .runner import fits_at_a_time, submission_order

    if workers is None:
        workers = fits_at_a_time(len(plan), sum(each), n_jobs=n_jobs)
    wall = makespan([each[i] for i in submission_order([f for f, _ in plan], each)], workers)
    return Estimate(seconds=wall + startup, fits=len(plan), per_fit={f: float(np.mean(v)) for f, v in seconds.items()},
                    refined=refined, startup=startup, workers=int(workers), work=float(sum(each)))


def makespan(seconds, workers: int) -> float:
    """Wall seconds of tasks taking ``seconds``, started in that order, each on the first free of ``workers``.

    Examples
    --------
    >>> makespan([1, 1, 4, 2], 1), makespan([1, 1, 4, 2], 2), makespan([4, 2, 1, 1], 2)
    (8.0, 5.0, 4.0)
    """
    free = [0.0] * max(1, int(workers))
    for s in seconds:
        heapq.heapreplace(free, free[0] + float(s))
    return float(max(free))


def seconds_left(est: Estimate, done, elapsed: float) -> float:
    """Seconds left in a run, rescaled by how its finished fits compared with the estimate.

    Parameters
    ----------
    est : Estimate
    done : sequence of str
        The family of every finished fit.
    elapsed : float
        Seconds since the run started.

    Examples
    --------
    >>> e = Estimate(seconds=40.0, fits=4, per_fit={"linear": 5.0, "deep": 15.0})
    >>> seconds_left(e, ["linear", "linear"], elapsed=20.0)  # twice as slow as expected: 30 s x 2
    60.0
    """
    planned = sum(est.per_fit.get(f, 0.0) for f in done)
    work = est.work if est.work is not None else est.seconds - est.startup
    left = max(work - planned, 0.0) / est.workers
    spent = elapsed - est.startup  # loading the libraries happened once, in the first fits
    # the finished fits took `spent` of wall time where `planned / workers` was expected
    return left * (spent * est.workers / planned) if planned > 0 and spent > 0 else left
