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
Source columns
    Contributions are reported per column of ``ds.feature_columns``: one-hot levels and
    missing indicators (linear) and datetime parts (``dllab.datasets.schema.source_column``) are
    summed; the deep net permutes whole source columns.
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
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import ConfigError, DataError, preview
from .. import families as registry
from ..datasets.schema import source_column

__all__ = ["Explanation", "PixelMap", "explain", "deep_evals_per_row", "MAX_DEEP_PATCHES", "ADDITIVITY_RTOL",
           "BASE_ROW", "OUTPUT_ROW", "VALUE_COLUMN"]

#: Relative additivity tolerance (float32 models): error <= ADDITIVITY_RTOL * max(1, max|output|).
ADDITIVITY_RTOL = 1e-3
#: Images: the deep net permutes single pixels up to this many, else square patches (at most this many).
MAX_DEEP_PATCHES = 64
#: Row labels that :meth:`Explanation.local` adds below the columns.
BASE_ROW, OUTPUT_ROW = "(base value)", "(output)"
#: Column of :meth:`Explanation.local` holding the row's feature values.
VALUE_COLUMN = "value"

_PAIRS = (("deep", "gbm"), ("deep", "linear"), ("gbm", "linear"))
_TOP_K = 5

_BAD_INT = "{name}={value!r} is not valid; it must be an integer between {low} and {high}."
_BAD_SPLIT = "split={value!r} is not valid; the comparison has splits 0 to {last}."
_BAD_FAMILIES = "families={value!r} is not valid; choose one or more of {families}."
_NO_MODEL = ("the comparison kept no fitted {family} model for split {split} ({reason}); run it with "
             "keep_models=True, or pick another split.")
_BAD_FAMILY = "family={value!r} is not explained here; choose one of {families}."
_BAD_ROW = "row_position={value!r} is not valid; choose a position from 0 to {last} of local_rows."
_BAD_CLASS = "target_class={value!r} is not valid; choose a class index from 0 to {last}."
_NO_TRAIN_ROWS = "split {split} has no training rows to draw a background from."
_NOT_IMAGES = ("pixel maps need an image dataset, and this explanation is of {modality} data; use local(...) to "
               "see one row's contributions per column.")
_NO_CLASSES = ("target_class={value!r} is not valid for a {task} explanation: it has one output ({output_space}); "
               "leave target_class=None.")


# =========================================================================== entry point
def explain(cmp, ds, *, split: int = 0, max_rows: int = 1000, background: int = 100, n_boot: int = 200,
            random_state: int | None = 0, families=None, n_permutations: int = 8,
            max_evals: int = 250_000) -> "Explanation":
    """Explain every family's model of one split of ``cmp`` (no refitting).

    Parameters are those of :class:`Explanation`.

    Raises
    ------
    DataError
        If ``ds`` is not the data ``cmp`` was run on.
    ConfigError
        If a setting is out of range, a family is unknown, or a family kept no model.

    Examples
    --------
    >>> from dllab.datasets import from_frame                            # doctest: +SKIP
    >>> from dllab import RunConfig, compare                               # doctest: +SKIP
    >>> cmp = compare(ds, config=RunConfig(budget="quick", n_folds=2))     # doctest: +SKIP
    >>> ex = explain(cmp, ds, max_rows=300)                                # doctest: +SKIP
    >>> ex.to_dict()["agreement"]                                          # doctest: +SKIP
    {'deep~gbm': 0.9, 'deep~linear': 0.7, 'gbm~linear': 0.8}
    """
    return Explanation(cmp, ds, split=split, max_rows=max_rows, background=background, n_boot=n_boot,
                       random_state=random_state, families=families, n_permutations=n_permutations,
                       max_evals=max_evals)


# =========================================================================== the result
class Explanation:
    """SHAP values of every family on the same rows, importances, agreement and local views.

    Computed once at construction (use :func:`explain`); accessors only read. See the
    module docstring for the method.

    Parameters
    ----------
    cmp : Comparison
        Run with ``keep_models=True`` (the default).
    ds : Dataset
        The dataset the comparison was run on (same rows, same order).
    split : int, default=0
        Which split's models (fitted on its training rows) explain its test rows.
    max_rows : int, default=1000
        Test rows explained at most (a seeded sample).
    background : int, default=100
        Training rows in the background sample at most.
    n_boot : int, default=200
        Bootstrap replicates of the importance bands.
    random_state : int or None, default=0
    families : sequence of str, optional
        Families to explain (default: every family of the comparison).
    n_permutations : int, default=8
        Deep net: background references per row, each with a permutation and its reverse.
    max_evals : int, default=250_000
        Deep net: model evaluations at most (caps its explained rows); images of more than
        ``MAX_DEEP_PATCHES`` pixels get ``max_evals * MAX_DEEP_PATCHES / pixels``.

    Attributes
    ----------
    families : list of str
    task : str
    output_space : str
        What the contributions add up to (see the module docstring).
    rows : ndarray
        Positions (in ``ds``) of the explained rows.
    shown_rows : DataFrame
        Their original feature values (``ds.feature_columns``), indexed by position.
    targets : Series
        Their target values (as in the data), same index.
    modality : str
        ``ds.modality``: "tabular", "image" or "text".
    image_shape : (int, int) or None
        ``(height, width)`` of an image dataset's pixel columns (see :meth:`pixel_map`).
    columns : list of str
        The user's columns (``ds.feature_columns``).
    classes : list or None
        Class labels (multiclass) whose contributions are explained.
    importance : DataFrame
        Mean ``|SHAP|``: one row per column, one column per family.
    importance_low, importance_high : DataFrame
        The 95% bootstrap band, same shape.
    agreement : dict of str to float
        Spearman correlation of importances per pair (``"deep~gbm"`` ...); NaN when undefined.
    disagreements : dict of str to list of str
        Per pair, the columns with the largest difference in importance share, largest first.
    seconds, additivity_max_error : dict of str to float
        Per family.
    n_rows : dict of str to int
        Rows explained per family.
    settings : dict
        Every choice (sample sizes, seeds, methods, tolerance).
    """

    def __init__(self, cmp, ds, *, split=0, max_rows=1000, background=100, n_boot=200, random_state=0,
                 families=None, n_permutations=8, max_evals=250_000):
        t0 = time.perf_counter()
        self._check(cmp, ds, split=split, max_rows=max_rows, background=background, n_boot=n_boot,
                    n_permutations=n_permutations, max_evals=max_evals)
        self.families = self._resolve_families(cmp, families)
        self.task = ds.task
        self.split = int(split)
        self.columns = list(ds.feature_columns)
        self.classes = list(ds.classes) if ds.task == "multiclass" else None
        self.output_space = _OUTPUT_SPACE[ds.task]
        self.modality = ds.modality
        self.image_shape = tuple(int(v) for v in ds.meta["image_shape"]) if ds.modality == "image" else None
        seeds = np.random.SeedSequence(random_state).spawn(4)
        train_idx, test_idx = cmp.splits[split]
        if len(train_idx) == 0:
            raise DataError(_NO_TRAIN_ROWS.format(split=split))
        row_rng, bg_rng, deep_seed, boot_seed = seeds
        deep_rows_seed, deep_perm_seed = deep_seed.spawn(2)
        n = min(max_rows, len(test_idx))
        self.rows = np.sort(np.random.default_rng(row_rng).choice(test_idx, n, replace=False))
        n_bg = min(background, len(train_idx))
        self.background_rows = np.sort(np.random.default_rng(bg_rng).choice(train_idx, n_bg, replace=False))
        self.shown_rows = ds.frame[self.columns].iloc[self.rows].set_axis(pd.Index(self.rows, name="row"))
        self.targets = ds.frame[ds.target].iloc[self.rows].set_axis(pd.Index(self.rows, name="row"))
        self._groups = _column_groups(ds)

        self._phi, self._base, self._output, self._row_pos = {}, {}, {}, {}
        self.seconds, self.additivity_max_error, self.n_rows, self.methods = {}, {}, {}, {}
        deep_settings = {}
        for fam in self.families:
            model = _unwrap(_model_of(cmp, fam, split))
            start = time.perf_counter()
            pos = np.arange(n)
            how = registry.get(fam).explainer if fam in registry.names() else "permutation"
            if callable(how):  # a registered family's own explainer
                phi, base, out = (np.asarray(v, dtype=float) for v in how(model, ds, self.rows, self.background_rows))
                self.methods[fam] = (how.__doc__ or getattr(how, "__name__", "own explainer")).strip().splitlines()[0]
            elif how == "tree":
                phi, base, out = _explain_gbm(model, ds, self.rows, self._groups, self.columns)
                self.methods[fam] = "exact TreeSHAP (XGBoost pred_contribs, path-dependent)"
            elif how == "linear":
                phi, base, out = _explain_linear(model, ds, self.rows, self.background_rows, self.columns)
                self.methods[fam] = "exact linear SHAP (coef x (value - background mean))"
            else:
                groups, patch, deep_budget = self._groups, 1, int(max_evals)
                if self.image_shape is not None:
                    pixels = self.image_shape[0] * self.image_shape[1]
                    deep_budget = int(max_evals) if pixels <= MAX_DEEP_PATCHES else \
                        max(1, int(max_evals) * MAX_DEEP_PATCHES // pixels)
                    patch = _patch_side(self.image_shape)
                    if patch > 1:
                        groups, pixel_patch = _patch_groups(self.image_shape, patch, self._groups)
                per_row = deep_evals_per_row(len(groups), n_permutations)
                n_deep = int(min(n, max(min(10, n), deep_budget // per_row)))
                pos = np.sort(np.random.default_rng(deep_rows_seed).choice(n, n_deep, replace=False))
                phi, base, out = _explain_deep(model, ds, self.rows[pos], self.background_rows,
                                               groups, n_permutations=n_permutations,
                                               seed=deep_perm_seed)
                unit = ""
                if patch > 1:
                    phi = _spread(phi, pixel_patch)
                    unit = f" over {len(groups)} patches of {patch}x{patch} pixels, shared equally by their pixels"
                self.methods[fam] = (f"antithetic permutation sampling{unit} ({n_permutations} references x 2 "
                                     f"permutations per row, {per_row} evaluations per row)")
                deep_settings = {"deep_max_evals": deep_budget, "deep_patch": patch}
            self.seconds[fam] = time.perf_counter() - start
            self._phi[fam], self._base[fam], self._output[fam], self._row_pos[fam] = phi, base, out, pos
            err = np.abs(base + phi.sum(axis=1) - out)
            self.additivity_max_error[fam] = float(err.max()) if err.size else 0.0
            self.n_rows[fam] = len(pos)
        self.additivity_tolerance = {f: ADDITIVITY_RTOL * max(1.0, float(np.abs(self._output[f]).max(initial=0)))
                                     for f in self.families}
        self._importance(n_boot=n_boot, seed=boot_seed)
        self._agreement()
        self.settings = {
            "split": self.split, "max_rows": int(max_rows), "rows_sampled": int(n),
            "test_rows": int(len(test_idx)), "background": int(n_bg), "train_rows": int(len(train_idx)),
            "n_boot": int(n_boot), "random_state": random_state, "n_permutations": int(n_permutations),
            "max_evals": int(max_evals), "output_space": self.output_space,
            "additivity_rtol": ADDITIVITY_RTOL, "methods": dict(self.methods),
            **deep_settings,
        }
        self.total_seconds = time.perf_counter() - t0

    # ------------------------------------------------------------------ construction
    @staticmethod
    def _check(cmp, ds, *, split, max_rows, background, n_boot, n_permutations, max_evals):
        cmp.check_dataset(ds)
        if isinstance(split, bool) or not isinstance(split, (int, np.integer)) or not 0 <= split < len(cmp.splits):
            raise ConfigError(_BAD_SPLIT.format(value=split, last=len(cmp.splits) - 1))
        _check_int("max_rows", max_rows, 1, 10**7)
        _check_int("background", background, 1, 10**5)
        _check_int("n_boot", n_boot, 10, 100_000)
        _check_int("n_permutations", n_permutations, 1, 1000)
        _check_int("max_evals", max_evals, 1, 10**10)

    @staticmethod
    def _resolve_families(cmp, families):
        if families is None:
            return list(cmp.families)
        wanted = [families] if isinstance(families, str) else list(families)
        if not wanted or any(f not in cmp.families for f in wanted):
            raise ConfigError(_BAD_FAMILIES.format(value=families, families=", ".join(cmp.families)))
        return registry.ordered(wanted)

    def _abs_per_row(self, fam):
        a = np.abs(self._phi[fam])  # (n, M) or (n, M, K)
        return a.mean(axis=2) if a.ndim == 3 else a

    def _importance(self, *, n_boot, seed):
        imp, low, high = {}, {}, {}
        for fam in self.families:
            a = self._abs_per_row(fam)
            imp[fam] = a.mean(axis=0)
            # One child per family, keyed by its seed_key: adding a family changes no other band.
            child = np.random.SeedSequence(seed.entropy, spawn_key=(*seed.spawn_key, registry.seed_key(fam)))
            rng = np.random.default_rng(child)
            n = len(a)
            boot = np.empty((n_boot, a.shape[1]))
            for b in range(n_boot):
                boot[b] = np.bincount(rng.integers(0, n, n), minlength=n) @ a / n
            low[fam], high[fam] = np.percentile(boot, [2.5, 97.5], axis=0)
        idx = pd.Index(self.columns, name="column")
        self.importance = pd.DataFrame(imp, index=idx)[self.families]
        self.importance_low = pd.DataFrame(low, index=idx)[self.families]
        self.importance_high = pd.DataFrame(high, index=idx)[self.families]

    def _agreement(self):
        self.agreement, self.disagreements = {}, {}
        share = self.shares
        for a, b in _PAIRS:
            if a not in self.families or b not in self.families:
                continue
            key = f"{a}~{b}"
            x, y = self.importance[a].to_numpy(), self.importance[b].to_numpy()
            rho = np.nan
            if len(x) >= 2 and np.ptp(x) > 0 and np.ptp(y) > 0:
                rho = float(stats.spearmanr(x, y).statistic)
            self.agreement[key] = rho
            gap = (share[a] - share[b]).abs().sort_values(ascending=False, kind="stable")
            self.disagreements[key] = [c for c in gap.index[:3] if gap[c] > 0]

    # ------------------------------------------------------------------ reading
    @property
    def shares(self) -> pd.DataFrame:
        """Importance shares: each family's importances divided by their sum (columns sum to 1)."""
        tot = self.importance.sum(axis=0).replace(0.0, np.nan)
        return (self.importance / tot).fillna(0.0)

    @property
    def rows_explained(self) -> int:
        """Rows sampled for explanation (XGBoost and linear explain all; see ``n_rows``)."""
        return len(self.rows)

    def _check_family(self, family):
        if family not in self.families:
            raise ConfigError(_BAD_FAMILY.format(value=family, families=", ".join(self.families)))

    def _class_pick(self, fam, target_class):
        """(rows,) class index per explained row of ``fam``: the given one or the predicted one."""
        out = self._output[fam]
        if target_class is None:
            return np.argmax(out, axis=1)
        k = out.shape[1]
        if isinstance(target_class, bool) or not isinstance(target_class, (int, np.integer)) \
                or not 0 <= target_class < k:
            raise ConfigError(_BAD_CLASS.format(value=target_class, last=k - 1))
        return np.full(len(out), int(target_class))

    def values(self, family: str, *, target_class: int | None = None) -> pd.DataFrame:
        """SHAP values of ``family``: rows x columns, indexed like :attr:`shown_rows`.

        The deep net may explain a subset of the rows: align with
        ``shown_rows.loc[values.index]``. For multiclass, the contributions to each
        row's predicted class (by that family), or to ``target_class`` (a class index).
        """
        self._check_family(family)
        phi = self._phi[family]
        if phi.ndim == 3:
            cls = self._class_pick(family, target_class)
            phi = phi[np.arange(len(phi)), :, cls]
        idx = pd.Index(self.rows[self._row_pos[family]], name="row")
        return pd.DataFrame(phi, index=idx, columns=self.columns)

    def base_values(self, family: str, *, target_class: int | None = None) -> pd.Series:
        """Base value per explained row of ``family`` (constant except for the deep net)."""
        self._check_family(family)
        base = self._base[family]
        if base.ndim == 2:
            base = base[np.arange(len(base)), self._class_pick(family, target_class)]
        return pd.Series(base, index=pd.Index(self.rows[self._row_pos[family]], name="row"), name=family)

    def outputs(self, family: str, *, target_class: int | None = None) -> pd.Series:
        """The model's output (in :attr:`output_space`) per explained row of ``family``."""
        self._check_family(family)
        out = self._output[family]
        if out.ndim == 2:
            out = out[np.arange(len(out)), self._class_pick(family, target_class)]
        return pd.Series(out, index=pd.Index(self.rows[self._row_pos[family]], name="row"), name=family)

    @property
    def local_rows(self) -> np.ndarray:
        """Positions (in ``ds``) of the rows every family explained: the choices of :meth:`local`."""
        common = self.rows
        for fam in self.families:
            common = np.intersect1d(common, self.rows[self._row_pos[fam]])
        return common

    def local(self, row_position: int, *, target_class: int | None = None) -> pd.DataFrame:
        """One row explained by every family, side by side.

        Parameters
        ----------
        row_position : int
            Position in :attr:`local_rows` (0 is its first row).
        target_class : int, optional
            Multiclass: class index explained (default: the class with the highest mean
            probability over the families for this row).

        Returns
        -------
        DataFrame
            Index: the columns, then ``BASE_ROW`` and ``OUTPUT_ROW``; columns:
            ``VALUE_COLUMN`` (the row's original values) and one per family
            (contributions; base value; output). Contributions + base = output.
        """
        row, where = self._local_row(row_position)
        if self.task == "multiclass" and target_class is None:
            proba = np.mean([_softmax(self._output[f][where[f]]) for f in self.families], axis=0)
            target_class = int(np.argmax(proba))
        data = {VALUE_COLUMN: list(self.shown_rows.loc[row, self.columns]) + [None, None]}
        for f in self.families:
            i = where[f]
            phi, base, out = self._phi[f][i], self._base[f][i], self._output[f][i]
            if phi.ndim == 2:
                self._class_pick(f, target_class)  # checks the index
                phi, base, out = phi[:, target_class], base[target_class], out[target_class]
            data[f] = list(phi) + [float(base), float(out)]
        frame = pd.DataFrame(data, index=pd.Index(self.columns + [BASE_ROW, OUTPUT_ROW], name="column"))
        frame.attrs.update(row=int(row), target_class=target_class)
        return frame

    def _local_row(self, row_position):
        """The row at ``row_position`` of :attr:`local_rows`, and its index in each family's arrays."""
        rows = self.local_rows
        if isinstance(row_position, bool) or not isinstance(row_position, (int, np.integer)) \
                or not 0 <= row_position < len(rows):
            raise ConfigError(_BAD_ROW.format(value=row_position, last=len(rows) - 1))
        row = int(rows[row_position])
        return row, {f: int(np.flatnonzero(self.rows[self._row_pos[f]] == row)[0]) for f in self.families}

    def pixel_map(self, family: str, row_position: int, *, target_class: int | None = None) -> "PixelMap":
        """One image's per-pixel SHAP values for ``family``, in the image's shape, with the image itself.

        Parameters
        ----------
        family : str
            One of :attr:`families`.
        row_position : int
            Position in :attr:`local_rows` (0 is its first row), as for :meth:`local`.
        target_class : int, optional
            Multiclass: the class index explained (default: the class ``family`` predicts for
            this row). Binary and regression explanations have one output: leave it None.

        Returns
        -------
        PixelMap
            ``attribution`` and ``image`` have shape :attr:`image_shape`; the attribution plus the
            base value adds up to the output for this row and class.

        Raises
        ------
        ConfigError
            If the data are not images, ``family`` was not explained, ``row_position`` is out of
            range, or ``target_class`` is not a class index (or given without classes).

        Examples
        --------
        >>> ex = explain(cmp, ds)                                    # doctest: +SKIP
        >>> m = ex.pixel_map("deep", 0)                              # doctest: +SKIP
        >>> m.attribution.shape, m.target_class == m.predicted_class  # doctest: +SKIP
        ((8, 8), True)
        >>> m.base_value + m.attribution.sum() - m.output            # doctest: +SKIP
        0.0
        """
        if self.image_shape is None:
            raise ConfigError(_NOT_IMAGES.format(modality=self.modality))
        self._check_family(family)
        row, where = self._local_row(row_position)
        i = where[family]
        phi, base, out = self._phi[family][i], self._base[family][i], self._output[family][i]
        predicted = None
        if phi.ndim == 2:  # multiclass: (columns, classes)
            predicted = int(np.argmax(out))
            k = predicted if target_class is None else int(self._class_pick(family, target_class)[0])
            phi, base, out = phi[:, k], base[k], out[k]
        elif target_class is not None:
            raise ConfigError(_NO_CLASSES.format(value=target_class, task=self.task, output_space=self.output_space))
        else:
            k = None
        image = self.shown_rows.loc[row, self.columns].to_numpy(dtype=np.float64).reshape(self.image_shape)
        return PixelMap(family=family, row=row, target_class=k,
                        class_label=None if k is None else self.classes[k], predicted_class=predicted,
                        attribution=np.asarray(phi, dtype=np.float64).reshape(self.image_shape), image=image,
                        base_value=float(base), output=float(out), output_space=self.output_space,
                        target=self.targets.loc[row])

    def statements(self) -> list[str]:
        """Agreement in plain words: shared top features, and columns one family relies on far more."""
        out = []
        k = min(_TOP_K, max(1, len(self.columns) // 2))
        for a, b in _PAIRS:
            key = f"{a}~{b}"
            if key not in self.agreement:
                continue
            ta = set(self.importance[a].nlargest(k).index)
            tb = set(self.importance[b].nlargest(k).index)
            both = len(ta & tb)
            rho = self.agreement[key]
            tail = f" (rank correlation {rho:.2f})" if np.isfinite(rho) else ""
            if both == k:
                out.append(f"{registry.noun(b)} and {registry.noun(a)} agree on the top {k} features{tail}")
            else:
                out.append(f"{registry.noun(b)} and {registry.noun(a)} share {both} of their top {k} features{tail}")
        share = self.shares
        if len(self.families) >= 2:
            for f in self.families:
                others = share[[g for g in self.families if g != f]].mean(axis=1)
                excess = share[f] - others
                col = excess.idxmax()
                if excess[col] >= 0.10 and share.loc[col, f] >= 2 * others[col]:
                    out.append(f"{registry.noun(f)} relies on `{col}` far more ({share.loc[col, f]:.0%} of its "
                               f"importance vs {others[col]:.0%} for the others)")
        return out

    # ------------------------------------------------------------------ export
    def to_dict(self) -> dict:
        """The ``explanations`` block of ``python -m dllab explain --json``."""
        models = []
        for f in self.families:
            models.append({
                "name": f,
                "label": registry.label(f),
                "importance": {c: float(v) for c, v in self.importance[f].items()},
                "importance_low": {c: float(v) for c, v in self.importance_low[f].items()},
                "importance_high": {c: float(v) for c, v in self.importance_high[f].items()},
                "seconds": float(self.seconds[f]),
                "additivity_max_error": float(self.additivity_max_error[f]),
                "additivity_tolerance": float(self.additivity_tolerance[f]),
                "rows": int(self.n_rows[f]),
                "seconds_per_row": float(self.seconds[f] / max(self.n_rows[f], 1)),
                "base_value": float(np.mean(self._base[f])),
                "method": self.methods[f],
            })
        return {
            "models": models,
            "agreement": {k: (float(v) if np.isfinite(v) else None) for k, v in self.agreement.items()},
            "rows_explained": int(self.rows_explained),
            "disagreements": {k: list(v) for k, v in self.disagreements.items()},
            "output_space": self.output_space,
            "background_rows": int(len(self.background_rows)),
            "split": self.split,
            "statements": self.statements(),
            "settings": dict(self.settings),
        }

    def __repr__(self):
        return (f"Explanation(task={self.task!r}, families={self.families}, rows={self.n_rows}, "
                f"split={self.split})")


@dataclass(frozen=True, eq=False)  # arrays inside: compare fields explicitly
class PixelMap:
    """One family's SHAP values for one image and class, laid out as the image (see :meth:`Explanation.pixel_map`).

    Attributes
    ----------
    family : str
    row : int
        Position of the image in the dataset.
    target_class : int or None
        Class index explained (multiclass), else None (the single output).
    class_label : object or None
        Its label (``Explanation.classes[target_class]``).
    predicted_class : int or None
        Multiclass: the class index ``family`` predicts for this image.
    attribution : ndarray of shape (height, width)
        SHAP value of each pixel, in ``output_space``.
    image : ndarray of shape (height, width)
        The pixel values as in the data.
    base_value, output : float
        ``base_value + attribution.sum() == output`` up to ``additivity_error``.
    output_space : str
    target : object
        The image's target value (its true label).
    """

    family: str
    row: int
    target_class: int | None
    class_label: object
    predicted_class: int | None
    attribution: np.ndarray
    image: np.ndarray
    base_value: float
    output: float
    output_space: str
    target: object = None

    @property
    def additivity_error(self) -> float:
        """``|base_value + attribution.sum() - output|``."""
        return abs(self.base_value + float(self.attribution.sum()) - self.output)


_OUTPUT_SPACE = {
    "regression": "predicted value",
    "binary": "log-odds of the positive class",
    "multiclass": "centred log-probability per class (log p_c - mean_k log p_k)",
}


# =========================================================================== helpers
def _check_int(name, value, low, high):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not low <= value <= high:
        raise ConfigError(_BAD_INT.format(name=name, value=value, low=low, high=high))


def _model_of(cmp, family, split):
    rec = next((r for r in cmp.records if r.family == family and r.split == split), None)
    if rec is None or rec.model is None:
        reason = "not run" if rec is None else (rec.reason or "the models were not kept")
        raise ConfigError(_NO_MODEL.format(family=family, split=split, reason=reason))
    return rec.model


def _unwrap(model):
    """The fitted estimator inside a ``thorough`` search wrapper (or the model itself)."""
    return getattr(model, "best_estimator_", model)


def _column_groups(ds) -> list[np.ndarray]:
    """For each of ``ds.feature_columns``, the positions of its model inputs in ``ds.X``."""
    src = [source_column(c, ds.roles) for c in ds.X.columns]
    return [np.flatnonzero(np.array([s == col for s in src], dtype=bool)) for col in ds.feature_columns]


def _to_source(phi: np.ndarray, groups) -> np.ndarray:
    """Sum contributions of ``ds.X`` columns (axis 1) back to source columns."""
    return np.stack([phi[:, g].sum(axis=1) for g in groups], axis=1)


def _centre(a: np.ndarray, axis: int) -> np.ndarray:
    return a - a.mean(axis=axis, keepdims=True)


def _patch_side(shape) -> int:
    """Smallest square patch side that cuts a ``(h, w)`` image into at most ``MAX_DEEP_PATCHES`` patches.

    Examples
    --------
    >>> _patch_side((8, 8)), _patch_side((1, 40)), _patch_side((28, 28)), _patch_side((64, 64))
    (1, 1, 4, 8)
    """
    h, w = shape
    side = 1
    while -(-h // side) * -(-w // side) > MAX_DEEP_PATCHES:
        side += 1
    return side


def _patch_groups(shape, side, groups):
    """Model-input positions of each ``side x side`` patch (row-major), and each pixel's patch index.

    ``groups`` holds each pixel column's positions in ``ds.X`` (pixels in row-major order).
    """
    h, w = shape
    rr, cc = np.divmod(np.arange(h * w), w)
    pixel_patch = (rr // side) * -(-w // side) + cc // side
    patches = [np.concatenate([groups[p] for p in np.flatnonzero(pixel_patch == g)])
               for g in range(int(pixel_patch.max()) + 1)]
    return patches, pixel_patch


def _spread(phi: np.ndarray, pixel_patch: np.ndarray) -> np.ndarray:
    """Per-patch contributions (axis 1) to per-pixel ones: each pixel gets an equal share (sums unchanged)."""
    share = 1.0 / np.bincount(pixel_patch)[pixel_patch]
    share = share[None, :, None] if phi.ndim == 3 else share[None, :]
    return phi[:, pixel_patch] * share


def _softmax(z):
    e = np.exp(z - z.max())
    return e / e.sum()


# =========================================================================== XGBoost
def _explain_gbm(model, ds, rows, groups, columns):
    import xgboost as xgb

    X = model.booster_input(ds.X.iloc[rows])
    est = model.model_
    booster = est.get_booster()
    try:
        best = int(est.best_iteration)
        iters = (0, best + 1)
    except AttributeError:  # no early stopping: every tree
        iters = (0, 0)
    dm = xgb.DMatrix(X, enable_categorical=True)
    contrib = booster.predict(dm, pred_contribs=True, iteration_range=iters).astype(np.float64)
    margin = booster.predict(dm, output_margin=True, iteration_range=iters).astype(np.float64)
    if contrib.ndim == 3:  # multiclass: (n, K, M + 1) -> centred over classes, (n, M, K)
        contrib = _centre(contrib, axis=1).transpose(0, 2, 1)
        phi = np.stack([_to_source(contrib[:, :-1, k], groups) for k in range(contrib.shape[2])], axis=2)
        return phi, contrib[:, -1, :], _centre(margin, axis=1)
    return _to_source(contrib[:, :-1], groups), contrib[:, -1], margin


# =========================================================================== linear
def _linear_layout(prep):
    """Source column of every output column of the linear ``ColumnTransformer``."""
    owner = [None] * sum(s.stop - s.start for s in prep.output_indices_.values())
    for name, trans, cols in prep.transformers_:
        if name == "remainder" or trans == "drop":
            continue
        sl = prep.output_indices_[name]
        cols = list(cols)
        if name == "num":
            imputer = trans[0]
            names = cols + ([cols[i] for i in imputer.indicator_.features_] if imputer.add_indicator else [])
        else:
            enc = trans[-1]
            names = []
            for i, levels in enumerate(enc.categories_):
                inf = enc.infrequent_categories_[i] if hasattr(enc, "infrequent_categories_") else None
                n_inf = 0 if inf is None else len(inf)
                names += [cols[i]] * (len(levels) - n_inf + (1 if n_inf else 0))
        assert len(names) == sl.stop - sl.start, "internal error: linear output layout"
        owner[sl] = names
    return owner


def _explain_linear(model, ds, rows, bg_rows, columns):
    pipe = model.pipeline_
    prep, lin = pipe[0], pipe[-1]
    Z = model.transform_inputs(ds.X.iloc[rows])
    Zb = model.transform_inputs(ds.X.iloc[bg_rows])
    mean = Zb.mean(axis=0)
    owner = _linear_layout(prep)
    src = np.array([columns.index(source_column(c, ds.roles)) for c in owner])
    # owner -> source column index matrix (outputs x columns)
    P = np.zeros((Z.shape[1], len(columns)))
    P[np.arange(Z.shape[1]), src] = 1.0
    coef = np.atleast_2d(np.asarray(lin.coef_, dtype=np.float64))  # (K or 1, p)
    intercept = np.atleast_1d(np.asarray(lin.intercept_, dtype=np.float64))
    dev = Z - mean
    if coef.shape[0] == 1:
        phi = (dev * coef[0]) @ P
        base = np.full(len(Z), float(intercept[0] + coef[0] @ mean))
        out = Z @ coef[0] + intercept[0]
        return phi, base, out
    coef_c, int_c = _centre(coef, axis=0), _centre(intercept, axis=0)  # centred log-probability
    phi = np.einsum("np,kp,pm->nmk", dev, coef_c, P)
    base = np.tile(int_c + coef_c @ mean, (len(Z), 1))
    out = Z @ coef_c.T + int_c
    return phi, base, out


# =========================================================================== deep net
def _encode(X: pd.DataFrame) -> tuple[np.ndarray, dict]:
    """Numeric matrix of ``X`` with categorical columns as integer codes (NaN when missing)."""
    A = np.empty(X.shape, dtype=np.float64)
    cats = {}
    for j, c in enumerate(X.columns):
        s = X[c]
        if isinstance(s.dtype, pd.CategoricalDtype):
            codes = s.cat.codes.to_numpy().astype(np.float64)
            codes[codes < 0] = np.nan
            A[:, j] = codes
            cats[j] = s.cat.categories
        else:
            A[:, j] = s.to_numpy(dtype=np.float64)
    return A, cats


def _decode(A: np.ndarray, columns, cats) -> pd.DataFrame:
    data = {}
    for j, c in enumerate(columns):
        if j in cats:
            codes = np.where(np.isnan(A[:, j]), -1, A[:, j]).astype(np.int64)
            data[c] = pd.Categorical.from_codes(codes, categories=cats[j])
        else:
            data[c] = A[:, j]
    return pd.DataFrame(data)


_TINY = float(np.finfo(np.float32).tiny)  # probabilities below float32's range count as this


def _deep_output(model, task):
    """``f(encoded array) -> output`` in the shared output space."""
    def f(A, columns, cats):
        X = _decode(A, columns, cats)
        if task == "regression":
            return np.asarray(model.predict(X), dtype=np.float64)
        # log p1 - log p0, not logit(p1): near p1 = 1 a float32 probability keeps its
        # precision in the small column only.
        logp = np.log(np.clip(np.asarray(model.predict_proba(X), dtype=np.float64), _TINY, 1.0))
        if task == "binary":
            return logp[:, 1] - logp[:, 0]
        return _centre(logp, axis=1)
    return f


def deep_evals_per_row(n_columns: int, n_permutations: int) -> int:
    """Model evaluations the deep net's sampling explainer spends on one row.

    Examples
    --------
    >>> deep_evals_per_row(50, 8)
    816
    """
    return 2 * n_permutations * (n_columns + 1)


def _explain_deep(model, ds, rows, bg_rows, groups, *, n_permutations, seed, chunk_evals=65_536):
    f = _deep_output(model, ds.task)
    A, cats = _encode(ds.X)
    names = list(ds.X.columns)
    X, B = A[rows], A[bg_rows]
    m, n, p = len(groups), len(rows), X.shape[1]
    fx = f(X, names, cats)  # the model's output, from its own call: the additivity reference
    d = 1 if fx.ndim == 1 else fx.shape[1]
    rng = np.random.default_rng(seed)
    refs = rng.integers(0, len(B), (n, n_permutations))
    ranks = np.argsort(rng.random((n, n_permutations, m)), axis=2).argsort(axis=2)  # rank of each column
    owner = np.empty(p, dtype=np.int64)
    for g, cols in enumerate(groups):
        owner[cols] = g
    phi = np.zeros((n, m, d))
    base = np.zeros((n, d))
    steps = np.arange(m + 1)  # coalition sizes 0 (the reference) .. m (the row)
    rows_per_chunk = max(1, chunk_evals // deep_evals_per_row(m, n_permutations))
    for s in range(0, n, rows_per_chunk):
        e = min(n, s + rows_per_chunk)
        r = ranks[s:e]                                           # (c, P, m)
        order = np.stack([r, m - 1 - r], axis=2)                 # (c, P, 2, m): forward and reversed
        mask = order[:, :, :, None, :] < steps[None, None, None, :, None]  # (c, P, 2, m+1, m)
        mask = mask[..., owner]                                  # per model input
        xs = X[s:e][:, None, None, None, :]
        bs = B[refs[s:e]][:, :, None, None, :]
        Z = np.where(mask, xs, bs).reshape(-1, p)
        F = f(Z, names, cats).reshape(e - s, n_permutations, 2, m + 1, d)
        D = np.diff(F, axis=3)                                   # step t adds the column of rank t
        contrib = np.take_along_axis(D, order[..., None], axis=3)  # (c, P, 2, m, d)
        phi[s:e] = contrib.mean(axis=(1, 2))
        base[s:e] = F[:, :, :, 0, :].mean(axis=(1, 2))
    if fx.ndim == 1:
        return phi[..., 0], base[:, 0], fx
    return phi, base, fx
