"""The verdict: from the evidence to "use deep learning here?", with the reasons and their numbers.

:func:`verdict` reads the result objects (nothing is refitted) and the user's
:class:`Needs`, and returns a :class:`Verdict`: a recommendation among
``"deep"``, ``"gbm"``, ``"linear"`` and ``"undecided"``, a confidence level, and
short reasons, each citing the number it rests on and the app page that shows it.

The rule
--------
1. **Families.** Order the families by simplicity: linear < gbm < deep (< transfer,
   a pretrained encoder with a trained head, reported as ``"deep"``). A family whose
   mean fit time exceeds ``Needs.max_fit_seconds`` is dropped, with a reason.
2. **Not enough evidence** (``"undecided"``: collect more data / run the thorough
   budget) when a remaining family failed on every split, when fewer than
   ``MIN_SPLITS`` splits are shared by the families, or when a more complex family
   looks better by at least the practical difference but the paired test is not
   significant *and* its 95% CI is wider than ``WIDE_CI_FACTOR`` practical differences.
3. **Scores.** The practical difference is ``Needs.min_difference``, by default
   ``DEFAULT_RATE_DIFFERENCE`` (1 point) of accuracy-type metrics and
   ``DEFAULT_RELATIVE_DIFFERENCE`` (2%) of the best error for RMSE. A family is
   *beaten* when a more complex one scores better by at least the practical
   difference with significance (the cross-validation test over the test rows,
   :func:`dllab.stats.cv_paired_test` via ``Comparison.difference``, p < ``ALPHA``).
   The recommendation is the simplest family that no more complex family beats.
4. **Reliability.** A model that fails a group does not solve the problem
   reliably. A failure is one of a family's ``FAILURE_SLICES`` worst slices that is
   significant after the multiple-testing correction (:meth:`SubgroupReport.worst`)
   and at least ``LARGE_GAP_FACTOR`` practical differences below its overall score.
   For a failure of the chosen family, a more complex family is recommended instead
   (at most ``medium`` confidence) if it scores at least ``LARGE_GAP_FACTOR``
   practical differences better on that slice, with the two 95% CIs apart; is not
   worse overall by the practical difference or more; and does not itself fail a
   slice as large or larger on which the chosen family is clearly better.
5. **Requirements override the scores.** If each decision must be explained to a
   customer or regulator, the linear model (an exact, additive explanation) is
   recommended instead unless the chosen model is ahead of it by a *large* gap:
   ``LARGE_GAP_FACTOR`` practical differences, or the linear model fails a group
   (step 4); then the trade-off is stated.
6. **Confidence** starts ``high`` and is lowered (to ``medium``, then ``low``) by:
   fewer than ``FULL_SPLITS`` splits; a deciding win with p >= ``STRONG_P`` or a
   margin under ``CLEAR_MARGIN_FACTOR`` practical differences; a kept simpler model
   whose CI still allows more than ``LARGE_GAP_FACTOR`` practical differences of gain
   (or a gain that is plausible but unconfirmed: ``low``); splits that failed; a
   curve that expects the deep net to overtake recommended boosting; image or text
   data where the deep net does not win; a significant failure slice on which another
   family is clearly better.
7. **Context** (reasons, no change of recommendation): the curve's crossover and
   slope, the recommended model's worst slice and its drop under population shift,
   the agreement of the explanations, cost (how many times faster the recommended
   model trains), and the device the deep net used when no GPU is available.

Every threshold is a constant in the block at the top of
:mod:`dllab.analyses.verdict.needs`; ``Verdict.thresholds`` records the values used.

Modules
-------
``needs``
    The thresholds, :class:`Needs` and :func:`practical_difference`.
``result``
    :class:`Verdict`, :class:`Reason` and their vocabularies.
``rule``
    :func:`verdict`: steps 1-5 and the confidence caps of the splits and scores.
``context``
    The reasons of step 7 and the confidence caps they carry.
``wording``
    How differences and scores read in the reasons.

Examples
--------
>>> from dllab.analyses.verdict import Needs
>>> Needs(explain_each_decision=True).explain_each_decision
True
"""

from .needs import (ALPHA, CLEAR_MARGIN_FACTOR, CROSSOVER_HORIZON, DECIDE_SPLITS, DEFAULT_RATE_DIFFERENCE,
                    DEFAULT_RELATIVE_DIFFERENCE, FAILURE_SLICES, FULL_SPLITS, LARGE_GAP_FACTOR, LOW_AGREEMENT,
                    MIN_SPLITS, STRONG_P, THRESHOLDS, WIDE_CI_FACTOR, Needs, practical_difference)
from .result import CONFIDENCES, EVIDENCE_PAGES, RECOMMENDATIONS, NextRun, Reason, Verdict
from .rule import next_run, verdict

__all__ = ["Needs", "Reason", "Verdict", "NextRun", "verdict", "next_run", "DECIDE_SPLITS", "THRESHOLDS", "RECOMMENDATIONS", "EVIDENCE_PAGES",
           "practical_difference", "CONFIDENCES", "ALPHA", "DEFAULT_RATE_DIFFERENCE", "DEFAULT_RELATIVE_DIFFERENCE",
           "LARGE_GAP_FACTOR", "WIDE_CI_FACTOR", "MIN_SPLITS", "FULL_SPLITS", "STRONG_P", "CLEAR_MARGIN_FACTOR",
           "LOW_AGREEMENT", "FAILURE_SLICES", "CROSSOVER_HORIZON"]
