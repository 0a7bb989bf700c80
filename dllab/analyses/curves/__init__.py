"""Data-size (learning) curves: how each family improves with more rows, and where the deep net catches up.

:func:`learning_curve` trains every family of a :class:`~dllab.config.RunConfig`
on nested, seeded subsamples of a training fold at log-spaced sizes, always
scoring on the same held-out test fold, and returns a :class:`LearningCurve`.
The curve object does all its statistics when built (like fairlearn's
``MetricFrame``) and is read-only afterwards; the same constructor takes scores
computed elsewhere, so everything after training can be tested on made-up numbers.

Design, in short (each point is documented where it is implemented):

- **Which rows.** The data is split exactly as :func:`dllab.compare` splits it
  (``make_splits`` with the config's folds, repeats and seed). By default every
  split is used (``folds=None``), one subsample per split and size: a curve
  costs ``folds x n_seeds x n_sizes x n_families`` fits, the small sizes nearly
  free, and every row is scored at every size.
- **Replicates.** For each used split and seed index there is one seeded
  permutation of the training fold (stratified for classification, binned on
  the target for regression); the rows for size ``n`` are its first ``n`` rows,
  so the subsamples are nested. Every family sees the same subsample; each fit
  gets its own seed from :func:`dllab.engine.runner.task_seed`.
- **Full size.** The largest default size is the whole training fold. When a
  :class:`~dllab.analyses.comparison.Comparison` of the same config is passed, its
  records for the used splits *are* that point (replicate 0 of each split; the
  other seed slots stay empty, because the subsample is the whole fold and only
  the model seed would differ). With every split used, the largest size's
  scores and paired tests are then exactly Compare's.
- **Findings.** At each size a paired test of the deep net against XGBoost
  (over the test rows, as Compare's; over the replicates for a curve built from
  scores) says ahead, behind or tied beyond noise; "ahead at every size" and a
  crossover are said only where those tests support them, and what the fitted
  curves add beyond the data is labelled as extrapolated, with whether it
  agrees with the measured points (:meth:`LearningCurve.findings`).
- **Bands.** Per size, the 95% interval Compare gives a score: over the test
  rows, with the spread between splits (:func:`dllab.stats.cv_paired_test`).
  A curve built from scores alone has a t interval over its replicates
  instead, which shows how much the score moves with the choice of rows and
  the model seed, not test-set sampling error.
- **Fits.** A saturating power law per family, weighted by the per-size
  standard errors, with uncertainty from ``n_boot`` resamples of the
  replicates (drawn independently per size, jointly across families because
  the families share each replicate's rows).

Modules: ``sizes`` (candidate sizes, nested subsamples), ``powerlaw`` (the
saturating power law and its fits), ``analysis`` (per-size bands and the shared
bootstrap of the fits), ``rows`` (per-row scores and the paired test at a size),
``findings`` (:class:`CurveFindings`), ``crossover`` (where the deep net
overtakes gradient boosting, read off the findings), ``wording`` (the other
sentences), ``result`` (:class:`LearningCurve`, :class:`Prediction`) and ``run``
(:func:`learning_curve`, the training).
"""

from .crossover import Crossover, find_crossover
from .findings import CurveFindings, Extrapolation, SizeFinding
from .powerlaw import PowerLaw, fit_power_law
from .result import LearningCurve, Prediction
from .rows import RowScores
from .run import learning_curve
from .sizes import DEFAULT_SIZES, candidate_sizes, nested_order

__all__ = ["DEFAULT_SIZES", "candidate_sizes", "nested_order", "PowerLaw", "fit_power_law", "Crossover",
           "find_crossover", "CurveFindings", "SizeFinding", "Extrapolation", "RowScores", "Prediction",
           "LearningCurve", "learning_curve"]
