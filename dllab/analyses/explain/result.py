"""The :class:`Explanation` of every family on one split, and :func:`explain` that builds it.

Sampling the rows and the background, running each family's explainer (the family registry's
``explainer``), additivity, and reading the values (per family, one row side by side, pixel maps).
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from ... import families as registry
from ...datasets.schema import CATEGORICAL, IDENTIFIER, NUMERIC
from ...errors import ConfigError, DataError
from ._common import _column_groups
from .agreement import _bootstrap_importance, _rank_agreement, _shares, _statements
from .dispatch import _explain_family, _model_of, _resolve_families, _unwrap
from .pixels import PixelMap
from .units import OUTPUT, PROBABILITY, to_probability

#: Relative additivity tolerance (float32 models): error <= ADDITIVITY_RTOL * max(1, max|output|).
ADDITIVITY_RTOL = 1e-3
#: Row labels that :meth:`Explanation.local` adds below the columns.
BASE_ROW, OUTPUT_ROW = "(base value)", "(output)"
#: Column of :meth:`Explanation.local` holding the row's feature values.
VALUE_COLUMN = "value"

_BAD_INT = "{name}={value!r} is not valid; it must be an integer between {low} and {high}."
_BAD_SPLIT = "split={value!r} is not valid; the comparison has splits 0 to {last}."
_BAD_FAMILY = "family={value!r} is not explained here; choose one of {families}."
_BAD_ROW = "row_position={value!r} is not valid; choose a position from 0 to {last} of local_rows."
_BAD_CLASS = "target_class={value!r} is not valid; choose a class index from 0 to {last}."
_NO_TRAIN_ROWS = "split {split} has no training rows to draw a background from."
_NOT_IMAGES = ("pixel maps need an image dataset, and this explanation is of {modality} data; use local(...) to "
               "see one row's contributions per column.")
_NO_CLASSES = ("target_class={value!r} is not valid for a {task} explanation: it has one output ({output_space}); "
               "leave target_class=None.")
_BAD_UNITS = "units={value!r} is not valid for this explanation; choose one of {units}."


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
    :mod:`dllab.analyses.explain` docstring for the method.

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
    target : str
        The target column (it names what the contributions are of: :meth:`describe`).
    class_labels : list or None
        Every class label (classification, two classes included); ``class_labels[1]`` is the positive
        class of a binary explanation.
    units : tuple of str
        The units the readers offer: ``"probability"`` (classification, not images: see
        :mod:`dllab.analyses.explain.units`) and ``"output"`` (:attr:`output_space`).
    identifier_columns : list of str
        The data's identifier columns (not model inputs), to find rows by.
    identifiers : DataFrame
        Their values for the explained rows, indexed like :attr:`shown_rows`.
    name_column : str or None
        The first identifier column with a different value in every row: what :meth:`row_name` reads.
    training_ranges : dict of str to (float, float)
        Numeric columns: the smallest and largest value in the split's training rows (empty for images).
    levels : dict of str to list of str
        Categorical columns: their levels, as the models know them.
    missing_seen : set of str
        Columns with missing values in the data: the what-if may leave them empty.
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
        self.families = _resolve_families(cmp, families)
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
        index = pd.Index(self.rows, name="row")
        self.shown_rows = ds.frame[self.columns].iloc[self.rows].set_axis(index)
        self.targets = ds.frame[ds.target].iloc[self.rows].set_axis(index)
        self._groups = _column_groups(ds)
        self._describe_data(ds, train_idx, index)

        self._phi, self._base, self._output, self._row_pos, self._models = {}, {}, {}, {}, {}
        self.seconds, self.additivity_max_error, self.n_rows, self.methods = {}, {}, {}, {}
        deep_settings = {}
        for fam in self.families:
            model = self._models[fam] = _unwrap(_model_of(cmp, fam, split))
            start = time.perf_counter()
            phi, base, out, pos, self.methods[fam], extra = _explain_family(
                fam, model, ds, self.rows, self.background_rows, self._groups, self.columns, self.image_shape,
                n_permutations=n_permutations, max_evals=max_evals, rows_seed=deep_rows_seed,
                perm_seed=deep_perm_seed)
            deep_settings.update(extra)  # permutation sampling: its budget and patch side
            self.seconds[fam] = time.perf_counter() - start
            self._phi[fam], self._base[fam], self._output[fam], self._row_pos[fam] = phi, base, out, pos
            err = np.abs(base + phi.sum(axis=1) - out)
            self.additivity_max_error[fam] = float(err.max()) if err.size else 0.0
            self.n_rows[fam] = len(pos)
        self.additivity_tolerance = {f: ADDITIVITY_RTOL * max(1.0, float(np.abs(self._output[f]).max(initial=0)))
                                     for f in self.families}
        # Probability: the exact values carried through the link (no model call; see .units).
        self._probability = {f: to_probability(self._phi[f], self._base[f], self._output[f]) for f in self.families} \
            if PROBABILITY in self.units else {}
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

    def _describe_data(self, ds, train_idx, index):
        """What names the rows and the outcome, and what the what-if editor checks edits against."""
        self.target = ds.target
        self.class_labels = None if ds.task == "regression" else list(ds.classes)
        self.units = (PROBABILITY, OUTPUT) if ds.task != "regression" and ds.modality != "image" else (OUTPUT,)
        self.identifier_columns = ds.columns_with_role(IDENTIFIER)
        self.identifiers = ds.frame[self.identifier_columns].iloc[self.rows].set_axis(index)
        # Rows are named by the first identifier that names one row each (not a plane's tail number).
        self.name_column = next((c for c in self.identifier_columns
                                 if ds.frame[c].notna().all() and ds.frame[c].is_unique), None)
        self.roles = {c: ds.roles.get(c) for c in self.columns}
        self._inputs = ds.X.iloc[self.rows].set_axis(index)  # what the models read: the what-if's start
        self.training_ranges, self.levels, self.missing_seen = {}, {}, set()
        if ds.modality == "image":  # pixels are not edited one by one
            return
        for c in self.columns:
            if self.roles[c] == NUMERIC and c in ds.X.columns:
                v = ds.X[c].to_numpy(dtype=np.float64)[train_idx]  # one column at a time: no copy of the table
                if np.isfinite(v).any():
                    self.training_ranges[c] = (float(np.nanmin(v)), float(np.nanmax(v)))
            elif self.roles[c] == CATEGORICAL and c in ds.X.columns:
                self.levels[c] = [str(v) for v in ds.X[c].cat.categories]
            if ds.frame[c].isna().any():
                self.missing_seen.add(c)

    def _importance(self, *, n_boot, seed):
        self._importances = {OUTPUT: _bootstrap_importance({f: self._phi[f] for f in self.families}, self.columns,
                                                           n_boot=n_boot, seed=seed)}
        if self._probability:  # the same bootstrap rows, so the two views' bands are comparable
            self._importances[PROBABILITY] = _bootstrap_importance(
                {f: self._probability[f][0] for f in self.families}, self.columns, n_boot=n_boot, seed=seed)
        self.importance, self.importance_low, self.importance_high = self._importances[OUTPUT]

    def _agreement(self):
        self.agreement, self.disagreements = _rank_agreement(self.importance, self.families)

    # ------------------------------------------------------------------ reading
    @property
    def shares(self) -> pd.DataFrame:
        """Importance shares: each family's importances divided by their sum (columns sum to 1)."""
        return _shares(self.importance)

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

    def _arrays(self, family, units):
        """``(phi, base, output)`` of ``family`` in ``units``."""
        self._check_family(family)
        if units == OUTPUT:
            return self._phi[family], self._base[family], self._output[family]
        if units not in self.units:
            raise ConfigError(_BAD_UNITS.format(value=units, units=", ".join(self.units)))
        return self._probability[family]

    def values(self, family: str, *, target_class: int | None = None, units: str = OUTPUT) -> pd.DataFrame:
        """SHAP values of ``family``: rows x columns, indexed like :attr:`shown_rows`.

        The deep net may explain a subset of the rows: align with
        ``shown_rows.loc[values.index]``. For multiclass, the contributions to each
        row's predicted class (by that family), or to ``target_class`` (a class index).
        ``units="probability"`` gives them as probabilities (one of :attr:`units`).
        """
        phi = self._arrays(family, units)[0]
        if phi.ndim == 3:
            cls = self._class_pick(family, target_class)
            phi = phi[np.arange(len(phi)), :, cls]
        idx = pd.Index(self.rows[self._row_pos[family]], name="row")
        return pd.DataFrame(phi, index=idx, columns=self.columns)

    def base_values(self, family: str, *, target_class: int | None = None, units: str = OUTPUT) -> pd.Series:
        """Base value per explained row of ``family`` (constant except for the deep net)."""
        base = self._arrays(family, units)[1]
        if base.ndim == 2:
            base = base[np.arange(len(base)), self._class_pick(family, target_class)]
        return pd.Series(base, index=pd.Index(self.rows[self._row_pos[family]], name="row"), name=family)

    def outputs(self, family: str, *, target_class: int | None = None, units: str = OUTPUT) -> pd.Series:
        """The model's output (in :attr:`output_space`, or its probability) per explained row of ``family``."""
        out = self._arrays(family, units)[2]
        if out.ndim == 2:
            out = out[np.arange(len(out)), self._class_pick(family, target_class)]
        return pd.Series(out, index=pd.Index(self.rows[self._row_pos[family]], name="row"), name=family)

    def importance_in(self, units: str = OUTPUT) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
        """``(importance, low, high)``: mean ``|SHAP|`` per column and family in ``units``, with its 95% band.

        ``units="output"`` is :attr:`importance`, :attr:`importance_low`, :attr:`importance_high`.
        """
        if units not in self._importances:
            raise ConfigError(_BAD_UNITS.format(value=units, units=", ".join(self.units)))
        return self._importances[units]

    @property
    def local_rows(self) -> np.ndarray:
        """Positions (in ``ds``) of the rows every family explained: the choices of :meth:`local`."""
        common = self.rows
        for fam in self.families:
            common = np.intersect1d(common, self.rows[self._row_pos[fam]])
        return common

    def local(self, row_position: int, *, target_class: int | None = None, units: str = OUTPUT) -> pd.DataFrame:
        """One row explained by every family, side by side.

        Parameters
        ----------
        row_position : int
            Position in :attr:`local_rows` (0 is its first row).
        target_class : int, optional
            Multiclass: class index explained (default: the class with the highest mean
            probability over the families for this row).
        units : {"output", "probability"}, default="output"
            One of :attr:`units`.

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
            phi, base, out = (a[i] for a in self._arrays(f, units))
            if phi.ndim == 2:
                self._class_pick(f, target_class)  # checks the index
                phi, base, out = phi[:, target_class], base[target_class], out[target_class]
            data[f] = list(phi) + [float(base), float(out)]
        frame = pd.DataFrame(data, index=pd.Index(self.columns + [BASE_ROW, OUTPUT_ROW], name="column"))
        frame.attrs.update(row=int(row), target_class=target_class, units=units)
        return frame

    def predictions(self, *, units: str = OUTPUT, target_class: int | None = None) -> pd.DataFrame:
        """Every family's output for each of :attr:`local_rows`: rows x families.

        With ``units="probability"``: the probability of the positive class (binary), or of
        ``target_class`` (multiclass; default: each family's predicted class).
        """
        rows = self.local_rows
        return pd.DataFrame({f: self.outputs(f, target_class=target_class, units=units).loc[rows]
                             for f in self.families}, index=pd.Index(rows, name="row"))

    # ------------------------------------------------------------------ words
    def outcome(self, target_class: int | None = None) -> str:
        """What a classification's probability is of: ``"Survived = 1"``; the target for regression.

        Binary: the positive class (``class_labels[1]``); multiclass: ``target_class`` or, if None,
        "the predicted class".
        """
        if self.task == "regression":
            return str(self.target)
        if self.task == "binary":
            return f"{self.target} = {self.class_labels[1]}"
        if target_class is None:
            return "the predicted class"
        self._class_pick(self.families[0], target_class)  # checks the index
        return f"{self.target} = {self.class_labels[target_class]}"

    def unit_label(self, units: str = OUTPUT) -> str:
        """The short name of ``units``: "probability", "log-odds", "log-probability" or "predicted value"."""
        if units == PROBABILITY:
            return "probability"
        return {"binary": "log-odds", "multiclass": "log-probability", "regression": "predicted value"}[self.task]

    def describe(self, units: str = OUTPUT, target_class: int | None = None) -> str:
        """What the contributions in ``units`` add up to, in words: "probability of Survived = 1",
        "log-odds of Survived = 1", "log-probability of species = Adelie" (centred over the classes),
        "predicted price"."""
        if units not in self.units:
            raise ConfigError(_BAD_UNITS.format(value=units, units=", ".join(self.units)))
        if self.task == "regression":
            return f"predicted {self.target}"
        return f"{self.unit_label(units)} of {self.outcome(target_class)}"

    def row_name(self, row: int) -> str:
        """A row as people find it: by its identifier ("PassengerId 42", :attr:`name_column`), else by its
        number in the data counted from 1 ("row 42")."""
        if self.name_column is not None and row in self.identifiers.index:
            return f"{self.name_column} {self.identifiers.loc[row, self.name_column]}"
        return f"row {int(row) + 1}"

    def what_if(self, row: int, edits: dict, *, target_class: int | None = None):
        """Every family's prediction for ``row`` as it is and with ``edits`` (column -> new value).

        The models are the ones explained (nothing is refitted); see :func:`~dllab.analyses.explain.whatif.what_if`.
        """
        from .whatif import what_if

        return what_if(self, row, edits, target_class=target_class)

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
        return _statements(self.importance, self.agreement, self.families, self.columns)

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


_OUTPUT_SPACE = {
    "regression": "predicted value",
    "binary": "log-odds of the positive class",
    "multiclass": "centred log-probability per class (log p_c - mean_k log p_k)",
}


# =========================================================================== helpers
def _check_int(name, value, low, high):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not low <= value <= high:
        raise ConfigError(_BAD_INT.format(name=name, value=value, low=low, high=high))


def _softmax(z):
    e = np.exp(z - z.max())
    return e / e.sum()

