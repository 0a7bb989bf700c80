"""Per-family input transformers.

Models receive a DataFrame of float64 numeric columns and ``category`` columns
(``Dataset.X``) or a plain numeric array. Each family turns it into what it
needs: the linear model one-hot codes and scales, XGBoost uses categories
natively, the deep net quantile-normalises numerics and embeds categories.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import make_pipeline
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.preprocessing import OneHotEncoder, QuantileTransformer, StandardScaler
from sklearn.utils.validation import check_is_fitted

__all__ = ["as_frame", "split_columns", "linear_preprocessor", "DeepPreprocessor"]


def as_frame(X) -> pd.DataFrame:
    """``X`` as a DataFrame; arrays get columns ``x0, x1, ...`` and stay numeric.

    Object and string columns of a DataFrame become ``category`` so every family
    treats them as categorical.
    """
    if isinstance(X, pd.DataFrame):
        obj = [c for c in X.columns if not (isinstance(X[c].dtype, pd.CategoricalDtype)
                                            or pd.api.types.is_numeric_dtype(X[c]))]
        if obj:
            X = X.copy()
            for c in obj:
                X[c] = X[c].astype("string").astype("category")
        return X
    arr = np.asarray(X)
    if arr.ndim != 2:
        raise ValueError(f"Expected 2D array, got {arr.ndim}D array instead; reshape your data.")
    return pd.DataFrame(arr, columns=[f"x{i}" for i in range(arr.shape[1])])


def split_columns(X: pd.DataFrame) -> tuple[list[str], list[str]]:
    """Names of the numeric and of the categorical (category, object or string dtype) columns of ``X``."""
    cat = [c for c in X.columns if not pd.api.types.is_numeric_dtype(X[c])
           or isinstance(X[c].dtype, pd.CategoricalDtype)]
    num = [c for c in X.columns if c not in set(cat)]
    return num, cat


def linear_preprocessor(X: pd.DataFrame, *, max_levels: int = 50) -> ColumnTransformer:
    """Median-impute + missing indicator + standardise numerics; one-hot categories.

    Levels beyond the ``max_levels`` most frequent are grouped as infrequent
    (``OneHotEncoder(max_categories=...)``), and unseen levels at predict time are
    ignored, so a fold that lacks a level never fails.
    """
    num, cat = split_columns(X)
    steps = []
    if num:
        steps.append(("num", make_pipeline(SimpleImputer(strategy="median", add_indicator=True,
                                                         keep_empty_features=True),
                                           StandardScaler()), num))
    if cat:
        steps.append(("cat", make_pipeline(
            SimpleImputer(strategy="constant", fill_value="(missing)", keep_empty_features=True),
            OneHotEncoder(handle_unknown="infrequent_if_exist", max_categories=max_levels,
                          sparse_output=False)), cat))
    return ColumnTransformer(steps, remainder="drop", verbose_feature_names_out=False)


class DeepPreprocessor(TransformerMixin, BaseEstimator):
    """Inputs for the deep net: quantile-normal numerics and a flat 0/1 block.

    Numerics are median-imputed and mapped to a standard normal by a
    ``QuantileTransformer`` fitted on the data plus tiny seeded noise (as in the
    rtdl/TabM papers: the noise spreads ties of discrete columns so they do not
    collapse onto one quantile). Columns with at least three distinct values go
    to ``x_num`` (later embedded piecewise-linearly); two-valued columns,
    missing indicators and the one-hot categories (a ``(missing)`` level, the
    ``max_levels`` most frequent levels, rarer ones grouped, unseen ones all
    zeros) go to ``x_flat``. Constant columns carry no information and are dropped.

    Parameters
    ----------
    max_levels : int, default=64
        One-hot columns per categorical feature at most (rarer levels are grouped).
    noise : float, default=1e-5
        Standard deviation of the fitting noise, relative to each column's std.
    subsample : int, default=100_000
        Rows used to estimate the quantiles.
    random_state : int or None, default=None

    Attributes
    ----------
    num_columns_ : list of str
        Columns that go to ``x_num``, in order.
    flat_sizes_ : list of int
        Width of each feature's block inside ``x_flat`` (1 for a numeric or an
        indicator, the number of one-hot columns for a categorical).

    Examples
    --------
    >>> import pandas as pd
    >>> X = pd.DataFrame({"a": [0.5, 1.0, None, 3.0], "b": pd.Categorical(["u", "v", "u", None])})
    >>> x_num, x_flat = DeepPreprocessor(random_state=0).fit_transform(X)
    >>> x_num.shape, x_flat.shape
    ((4, 1), (4, 4))
    """

    def __init__(self, *, max_levels=64, noise=1e-5, subsample=100_000, random_state=None):
        self.max_levels = max_levels
        self.noise = noise
        self.subsample = subsample
        self.random_state = random_state

    def fit(self, X, y=None):
        X = as_frame(X)
        num, cat = split_columns(X)
        rng = np.random.default_rng(self.random_state)
        self.medians_ = {}
        self.quantile_ = None
        self.num_columns_, self.binary_columns_, self.indicator_columns_ = [], [], []
        if num:
            values = X[num].to_numpy(dtype=np.float64)
            missing = np.isnan(values)
            with np.errstate(all="ignore"):
                medians = np.nan_to_num(np.nanmedian(np.where(missing.all(0), 0.0, values), axis=0)
                                        if len(values) else np.zeros(len(num)))
            self.medians_ = dict(zip(num, medians))
            self.indicator_columns_ = [c for c, m in zip(num, missing.any(0)) if m]
            filled = np.where(missing, medians, values)
            n_unique = np.array([len(np.unique(col)) for col in filled.T])
            self.num_columns_ = [c for c, u in zip(num, n_unique) if u >= 3]
            self.binary_columns_ = [c for c, u in zip(num, n_unique) if u == 2]
            kept = [num.index(c) for c in self.num_columns_ + self.binary_columns_]
            if kept:
                part = filled[:, kept]
                scale = np.maximum(part.std(0), 1e-12)
                noisy = part + rng.normal(0.0, self.noise, part.shape) * scale
                n_quantiles = int(min(max(min(len(part) // 30, 1000), 10), len(part)))
                self.quantile_ = QuantileTransformer(
                    n_quantiles=n_quantiles, output_distribution="normal", subsample=self.subsample,
                    random_state=int(rng.integers(2**31 - 1))).fit(noisy)
        self.categorical_columns_ = cat
        self.onehot_ = None
        if cat:
            self.onehot_ = OneHotEncoder(handle_unknown="infrequent_if_exist", max_categories=self.max_levels,
                                         sparse_output=False, dtype=np.float32).fit(self._categories(X))
        self.flat_sizes_ = ([1] * (len(self.binary_columns_) + len(self.indicator_columns_))
                            + ([len(c) for c in self.onehot_.categories_] if cat else []))
        if cat:  # categories_ lists every level; the coded width is what transform returns
            self.flat_sizes_[len(self.flat_sizes_) - len(cat):] = self._onehot_widths()
        return self

    def _onehot_widths(self):
        enc = self.onehot_
        widths = []
        for i, levels in enumerate(enc.categories_):
            infrequent = enc.infrequent_categories_[i]
            n_inf = 0 if infrequent is None else len(infrequent)
            widths.append(len(levels) - n_inf + (1 if n_inf else 0))
        return widths

    def _categories(self, X):
        cols = self.categorical_columns_
        out = np.empty((len(X), len(cols)), dtype=object)
        for j, c in enumerate(cols):
            s = X[c].astype(object)
            out[:, j] = np.where(s.isna(), "(missing)", s.astype(str))
        return out

    def transform(self, X):
        """``(x_num, x_flat)``: two float32 arrays with as many rows as ``X``."""
        check_is_fitted(self, "flat_sizes_")
        X = as_frame(X)
        n = len(X)
        x_num = np.zeros((n, len(self.num_columns_)), dtype=np.float32)
        flat = []
        kept = self.num_columns_ + self.binary_columns_
        if kept:
            values = X[kept].to_numpy(dtype=np.float64)
            medians = np.array([self.medians_[c] for c in kept])
            z = self.quantile_.transform(np.where(np.isnan(values), medians, values)).astype(np.float32)
            x_num = z[:, :len(self.num_columns_)]
            flat.append(z[:, len(self.num_columns_):])
        if self.indicator_columns_:
            flat.append(X[self.indicator_columns_].isna().to_numpy(dtype=np.float32))
        if self.onehot_ is not None:
            flat.append(self.onehot_.transform(self._categories(X)))
        x_flat = np.concatenate(flat, axis=1) if flat else np.zeros((n, 0), dtype=np.float32)
        return np.ascontiguousarray(x_num), np.ascontiguousarray(x_flat, dtype=np.float32)
