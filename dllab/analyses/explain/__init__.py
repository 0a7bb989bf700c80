"""SHAP explanations for every family, in one output space, and how far the families agree.

:func:`explain` reads the models a :class:`~dllab.analyses.comparison.Comparison` kept for one split
(nothing is refitted) and builds an :class:`Explanation`: per-row contributions of the
user's original columns, global importances with bootstrap bands, rank agreement between
families, local (one-row) explanations side by side, and sentences that say what differs.

Method (every choice is also recorded in ``Explanation.settings``)
------------------------------------------------------------------
Rows
    The explained rows are a seeded sample of at most ``max_rows`` of the split's test
    rows; the background is a seeded sample of at most ``background`` of its training
    rows. XGBoost and the linear model explain every sampled row. The deep net is
    explained by sampling (below) whose cost is ``2 * n_permutations * (M + 1)``
    model evaluations per row for ``M`` columns (:func:`deep_evals_per_row`); it explains a seeded subset of the
    sampled rows so that it stays within ``max_evals`` evaluations (at least
    ``min(10, n)`` rows), and ``rows`` per model says how many each explained.
Output space (the same for every family)
    regression: the predicted value. Binary: the log-odds of the positive class
    (XGBoost's margin, the logistic regression's ``decision_function``, the logit of the
    deep net's probability). Multiclass: per class, the centred log-probability
    ``log p_c - mean_k log p_k`` (the softmax logits with their free constant fixed:
    XGBoost's margins and the logistic regression's decision values minus their row
    mean). Centring is linear, so exact contributions stay exact. Importances average
    ``|SHAP|`` over rows and classes; ``values()`` shows each row's predicted class.
Probability (``units="probability"``, classification except images)
    Every reader also gives the values in probability: each row's contributions carried through
    the sigmoid (or softmax) along the straight path from its base value to its output, so they
    add up to ``p(row) - p(base)``; for two classes that is each log-odds contribution times
    ``(p(row) - p(base)) / (log-odds(row) - log-odds(base))``. Why this method: ``units``.
XGBoost
    Exact TreeSHAP from the booster (``pred_contribs=True``, the trees up to the early-
    stopped best iteration, native categoricals): path-dependent, so its base value is
    the cover-weighted mean margin of the training rows rather than the background mean.
Linear model
    Exact linear SHAP in the pipeline's output space: ``coef * (z - mean_background(z))``
    for every standardised column, missing indicator and one-hot level ``z``, summed back
    to its source column; base value ``intercept + coef . mean_background(z)``.
Deep net
    Antithetic permutation sampling (Strumbelj & Kononenko 2014; the forward and
    reversed permutation, as ``shap.PermutationExplainer`` does), vectorised over rows:
    every row gets ``n_permutations`` background references, each with one random
    permutation of the source columns and its reverse, and the model sees the rows
    where the first ``t`` columns come from the row and the rest from the reference.
    Contributions telescope, so ``base + sum = f(row)`` holds up to the model's batch-to-
    batch float noise (the check compares with a separate prediction of the row), with the
    row's base value the mean of ``f`` over its references; the forward+reverse pair is exact
    for models with at most pairwise interactions. Categorical columns travel as integer
    codes and are decoded to a categorical frame before the model's ``predict_proba``.
    (Gradient SHAP on the embedded inputs costs less per row for many columns but only
    adds up in expectation; exact additivity was preferred.)

    Why our own sampler and not ``shap.PermutationExplainer`` (measured with
    ``benchmarks/shap_agreement.py``: seed 0, 50 rows, 100 background rows, 4 datasets):
    at :func:`explain`'s default budget, shap (on an 8-row background, to spend the same
    evaluations) was not closer to the reference (RMSE / scale, own vs shap: breast_cancer
    0.027 vs 0.021, adult 0.054 vs 0.072, california_housing 0.186 vs 0.228, flights 0.103
    vs 0.104); shap on the full background needs 7-12x the model evaluations; and shap
    0.51 seeds numpy's global generator (``np.random.seed`` in its constructor), which the
    lab's no-global-seeding rule forbids. dllab does not depend on shap.
Source columns
    Contributions are reported per column of ``ds.feature_columns``: one-hot levels and
    missing indicators (linear) and datetime parts (``dllab.datasets.schema.source_column``) are
    summed; the deep net permutes whole source columns.
Text
    A free-text column gets one value per row: its whole contribution. The linear model's is
    exact: the sum of ``coef * (tfidf - mean_background(tfidf))`` over the column's TF-IDF terms
    (kept sparse), which for a linear output equals ``f(row) - mean_b f(row with b's text)``.
    XGBoost's is exact TreeSHAP on the LSA components (truncated SVD of the TF-IDF) summed to
    their text column; with several text columns one SVD mixes their terms, so no component
    belongs to one column and boosting is explained by permutation sampling instead (its method
    says so). The deep text net and the pretrained encoder + head are explained by permutation
    sampling with each text column as one player: its whole text comes from the row or from the
    reference row. Every method's name in ``Explanation.methods`` says which applied.
Additivity
    ``additivity_max_error`` is ``max |base + sum(contributions) - output|`` over the
    explained rows and classes, with ``output`` from a separate prediction call; the
    tolerance is ``ADDITIVITY_RTOL * max(1, max |output|)`` (float32 models).
Images
    Image datasets (``ds.modality == "image"``) are explained like any table: their columns
    are the pixels in row-major order, each family's SHAP value of a pixel column is that
    pixel's attribution, and :meth:`Explanation.pixel_map` reshapes one row's values to the
    image shape ``ds.meta["image_shape"]``. The deep net (a CNN) permutes single pixels
    against background images while the image has at most ``MAX_DEEP_PATCHES`` pixels
    (digits' 8x8, MNIST-1D's 1x40); larger images are permuted in square patches, the
    smallest side that leaves at most ``MAX_DEEP_PATCHES`` patches (4x4 for 28x28), and each
    pixel gets an equal share of its patch's value, so maps stay additive at patch
    resolution. One evaluation of an image costs about its pixel count, so for images of
    more than ``MAX_DEEP_PATCHES`` pixels the evaluation budget is ``max_evals *
    MAX_DEEP_PATCHES / pixels`` (``settings["deep_max_evals"]``).
Importance and agreement
    Importance is the mean ``|SHAP|`` per column, with a 95% percentile bootstrap band over
    the explained rows (``n_boot`` replicates). Agreement between two families is the
    Spearman rank correlation of their importances; the columns on which they disagree
    most are those with the largest difference in importance share (importance / sum).

Modules
-------
``result``
    :func:`explain` and :class:`Explanation`: the sampled rows, additivity, the readers.
``dispatch``
    Which families, which kept model, and which explainer the family registry names.
``tree``, ``linear``, ``permutation``
    XGBoost's exact TreeSHAP, exact linear SHAP (tabular and TF-IDF), and the permutation sampler
    with its budget (the deep families, and boosting on several text columns).
``pixels``
    Image patches, spreading patch values to pixels, and :class:`PixelMap`.
``agreement``
    Importance with bootstrap bands, rank agreement, and the statements.
``units``
    Contributions in probability (integrated gradients of the link), and why.
``search``
    Finding explained rows by an identifier or by conditions on column values.
``whatif``
    One row edited and predicted again by every family's kept model (:class:`WhatIf`).
``_common``
    Each source column's model inputs, and centring over classes.
"""

from .dispatch import _BAD_FAMILIES, _NO_MODEL
from .permutation import deep_evals_per_row
from .pixels import MAX_DEEP_PATCHES, PixelMap
from .result import (_BAD_CLASS, _BAD_ROW, _BAD_SPLIT, _BAD_UNITS, _NO_CLASSES, _NOT_IMAGES, ADDITIVITY_RTOL,
                     BASE_ROW, OUTPUT_ROW, VALUE_COLUMN, Explanation, explain)
from .search import Condition, Found, find_by_identifier, matching_rows, operators_for
from .units import OUTPUT, PROBABILITY, to_probability
from .whatif import WhatIf, what_if

__all__ = ["Explanation", "PixelMap", "explain", "deep_evals_per_row", "MAX_DEEP_PATCHES", "ADDITIVITY_RTOL",
           "BASE_ROW", "OUTPUT_ROW", "VALUE_COLUMN", "OUTPUT", "PROBABILITY", "to_probability", "WhatIf", "what_if",
           "Condition", "Found", "find_by_identifier", "matching_rows", "operators_for"]
