"""Plain-words help for the statistical terms the pages and the report show.

One text per term, so the app's help tooltips, the report's footnotes and the
captions say the same thing. Each reads on its own, without the others.
"""

from __future__ import annotations

__all__ = ["GLOSSARY", "help_for"]

GLOSSARY: dict[str, str] = {
    "ci": ("95% confidence interval: the range of scores compatible with these splits. Had the data been drawn "
           "again, intervals made this way would contain the true score 95 times in 100. Narrow means the "
           "number is precise; two intervals that overlap a lot do not tell the models apart."),
    "p": ("p-value: how often a difference at least this large would appear by chance if the two models were "
          "in truth equally good. Below 0.05 the difference is called significant: chance is an unlikely "
          "explanation. It says nothing about whether the difference is large enough to matter."),
    "paired test": ("Paired test: both models are scored on the same rows of the same splits, and the test looks "
                    "at their difference row by row, so the luck of which rows landed in a test set cancels out. "
                    "It accounts for the rows being reused across folds (a cross-validation test), so it does "
                    "not claim more certainty than the data gives."),
    "corrected test": ("Corrected test: when one table is tested many times (one test per subgroup), a few "
                       "tests come out 'significant' by chance alone. The correction (false discovery rate, "
                       "Benjamini and Hochberg) raises each p-value so that, of the findings it calls "
                       "significant, at most 5% in expectation are flukes."),
    "q": ("q-value: a p-value after the correction for testing many subgroups at once. Below 0.05 the gap is "
          "unlikely to be a fluke of searching many slices."),
    "practical difference": ("Practical difference: the smallest gap worth acting on (by default 1 point of "
                             "accuracy, or 2% of the error). A significant gap smaller than this is real but "
                             "too small to prefer the more complex model."),
    "baseline": ("Baseline: a model that ignores the columns and always predicts the most common class (or the "
                 "mean). A model that does not beat it clearly has learned nothing useful."),
    "mcc": ("MCC (Matthews correlation): agreement between predictions and truth from -1 to 1, 0 for guessing. "
            "Unlike accuracy it stays honest when one class is rare."),
    "precision": ("Precision: of the rows a model calls positive, the share that are (for several classes, the "
                  "average over classes)."),
    "recall": ("Recall: of the rows that are positive, the share the model finds (for several classes, the "
               "average over classes)."),
    "calibration": ("Calibration: whether a predicted 70% comes true 70% of the time. A well calibrated model's "
                    "curve follows the diagonal."),
    "beyond noise": ("Beyond noise: the paired test says the gap is unlikely to be chance (p below 0.05, after the "
                     "correction when several sizes or groups are tested at once). Within noise: the data cannot "
                     "tell the two apart; it does not mean they are equal."),
    "extrapolated": ("Extrapolated: read from curves fitted to the measured points and extended beyond the data. "
                     "It is a forecast, weaker evidence than a measurement; the lab says so wherever it differs from "
                     "what was measured."),
    "shap": ("Contribution (SHAP value): how much a column moved this prediction away from the average "
             "prediction. The contributions of all columns add up to the prediction."),
}


def help_for(term: str) -> str:
    """The plain-words help of ``term`` (a key of :data:`GLOSSARY`, any case).

    Examples
    --------
    >>> help_for("CI").startswith("95% confidence interval")
    True
    """
    try:
        return GLOSSARY[term.lower()]
    except KeyError:
        raise KeyError(f"no help for {term!r}; known terms: {', '.join(GLOSSARY)}") from None
