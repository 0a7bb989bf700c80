"""Subgroup failure analysis: per-slice metrics, slice discovery, model disagreement and a shift test.

"99% accurate overall, systematically wrong for one group" is a failure one score
hides. :class:`SubgroupReport` finds it from the out-of-fold predictions a
:class:`~dllab.analyses.comparison.Comparison` already holds (nothing is refitted);
:func:`shift_test` is the one analysis here that trains models.

Method (every choice is also recorded in ``SubgroupReport.settings``)
--------------------------------------------------------------------
Slices
    One-condition slices for every column of the original data that the models
    use (numeric: quantile bins with rounded edges, e.g. ``age < 26``,
    ``26 ≤ age < 34``; categorical: one slice per level, levels with fewer than
    ``min_size`` rows grouped into one "other" slice; a "missing" slice where a
    column has gaps), plus the user's ``groups`` columns (treated as categorical
    even when excluded from training; a numeric one with more than
    ``max_levels`` values is binned). A free-text column is sliced by its length:
    quantile bins of the words per text (``words in review < 12``; the condition
    carries ``"measure": "words"``, and a missing text counts 0 words), named in
    ``groups`` or not. Images are sliced by their class (``digit = 8``: the
    accuracy there is that class's recall; quantile bins of the target for
    regression), not by their pixels: one pixel is no subgroup, and pairs of
    pixel bins grow with the square of the pixel count (a 64x64 image would
    give about 2 x 10^8 pairs). Datetime, identifier, constant and excluded columns
    are skipped unless named in ``groups``. Two-condition slices are every pair of one-condition slices on
    different columns with at least ``min_size`` rows (smaller pairs are not
    listed: with so few rows their scores are noise); a pair equal to one of its
    parents is dropped. A slice is ``uncertain`` when it has fewer than
    ``min_size`` rows; uncertain slices are never tested or ranked.
Repeats
    With several repeats of the k-fold every row has one out-of-fold prediction
    per repeat. Per-row losses (0/1 error, log loss, squared and absolute error)
    are averaged over the repeats that predicted the row, and slice scores are
    computed from these averages. For accuracy, balanced accuracy, MAE and log
    loss this equals the mean over repeats of the per-repeat slice score; RMSE
    is the root of the mean squared error pooled over repeats.
Scores and intervals
    The slice's score is the metric on the slice's rows (the same number sklearn
    gives on the masked rows); ``gap`` is the slice's score minus the model's
    score on all rows, signed so that negative means worse whatever the
    metric's direction. 95% intervals come from a seeded Poisson bootstrap
    (every row gets a Poisson(1) weight per replicate, shared by all slices and
    models), so each slice costs one small matrix product instead of a loop of
    ``bootstrap_ci`` calls (about 3 s for 1,082 slices x 3 models on 20,000
    rows on a busy 2-core machine). The Poisson bootstrap approximates the
    classic one; the tests check both intervals agree within 0.03.
Discovery
    For each model and slice, a Welch t-test compares the per-row loss inside
    the slice with the rest of the rows (0/1 error for classification, squared
    error for regression). P-values are corrected with Benjamini-Hochberg over
    all slices tested for that model; a slice is significant for a model when
    its q-value is below ``alpha``. The worst slices of a model are its
    significant slices with a negative gap, ranked by ``gap * sqrt(size)``: the
    gap weighted by the square root of the support, which grows like the
    gap's t-statistic and so favours a large deficit on a well-supported slice
    over a larger deficit on a handful of rows, and a precise subgroup over a
    big slice that merely contains it.
Disagreement
    For a pair of families (deep net vs XGBoost by default; XGBoost vs linear
    when there is no deep net), the per-row difference of losses (log loss for
    classification, squared error for regression) is averaged within each slice,
    with a paired t interval and a paired t-test of "mean difference = 0",
    Benjamini-Hochberg corrected over the slices tested. Slices are ranked by
    ``mean difference * sqrt(size)`` in each direction. The test is against
    zero, not against the all-rows difference: when one family is worse
    everywhere, most large slices say so; the all-rows mean difference is
    reported beside them (``disagreement_overall``) for comparison.
Shift test
    See :func:`shift_test`. A text column's held-out groups are its bins of words
    per text (train on the shorter texts, test on the longest, ...).
    :func:`shift_conclusion` says which family drops most and whether the drop is
    beyond noise; :func:`default_shift_column` picks a column that describes a
    population (never an identifier or free text) and :func:`shift_plan` gives
    the number of fits and the expected time before it runs.
Tables
    :mod:`.tables` writes the results as tables in words for the page and the report.
"""

from .report import SubgroupReport, slice_table, subgroup_report
from .shift import NOISE_ALPHA, shift_conclusion, shift_summary, shift_test
from .shift_plan import default_shift_column, shift_plan
from .slices import MEASURES, OPS, Slice

__all__ = ["Slice", "SubgroupReport", "subgroup_report", "slice_table", "shift_test", "shift_summary",
           "shift_conclusion", "default_shift_column", "shift_plan", "NOISE_ALPHA", "OPS", "MEASURES"]
