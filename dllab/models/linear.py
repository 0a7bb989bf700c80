"""Linear baseline: logistic or ridge regression, regularisation chosen by inner CV."""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.linear_model import LogisticRegressionCV, RidgeCV
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted

from .preprocessing import as_frame, linear_preprocessor
from ._validation import check_features, check_target, encode_classes

__all__ = ["LinearClassifier", "LinearRegressor", "preprocessor_sources"]


def preprocessor_sources(prep) -> list:
    """The input column behind every output column of a fitted :func:`~dllab.models.preprocessing.linear_preprocessor`.

    A numeric column owns its scaled value and its missing indicator; a categorical column
    owns its one-hot levels (and the "infrequent" level, when there is one).

    Examples
    --------
    >>> import pandas as pd
    >>> from dllab.models.preprocessing import linear_preprocessor
    >>> X = pd.DataFrame({"n": [1.0, None, 3.0], "c": ["a", "b", "a"]})
    >>> preprocessor_sources(linear_preprocessor(X).fit(X))
    ['n', 'n', 'c', 'c']
    """
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


def _prepare(X):
    """DataFrame with categories as object arrays (what the imputer + one-hot expect)."""
    X = as_frame(X)
    cat = [c for c in X.columns if str(X[c].dtype) == "category"]
    if cat:
        X = X.copy()
        for c in cat:
            X[c] = X[c].astype(object).where(X[c].notna(), None)
    return X


class _LinearBase(BaseEstimator):
    def _check(self, X, *, reset):
        return _prepare(check_features(self, X, reset=reset))

    def transform_inputs(self, X) -> np.ndarray:
        """``X`` in the space the linear model is fitted in (after imputation, one-hot coding, scaling)."""
        check_is_fitted(self, "pipeline_")
        return np.asarray(self.pipeline_[0].transform(self._check(X, reset=False)), dtype=np.float64)

    def input_sources(self) -> list:
        """The input column behind every column of :meth:`transform_inputs` (one-hot levels, missing indicators)."""
        check_is_fitted(self, "pipeline_")
        return preprocessor_sources(self.pipeline_[0])

    @property
    def device_(self):
        return "cpu"


class LinearClassifier(ClassifierMixin, _LinearBase):
    """Logistic regression with imputation, one-hot coding and scaling.

    The inverse regularisation strength ``C`` is chosen from ``Cs`` by inner
    stratified cross-validation on log loss.

    Parameters
    ----------
    Cs : int or list of float, default=10
        Candidate values (or how many on a log grid from 1e-4 to 1e4).
    cv : int, default=5
        Inner folds used to choose ``C``.
    max_iter : int, default=1000
    random_state : int or None, default=None

    Examples
    --------
    >>> from sklearn.datasets import load_breast_cancer
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> LinearClassifier(cv=3, random_state=0).fit(X, y).score(X, y) > 0.95
    True
    """

    def __init__(self, *, Cs=10, cv=5, max_iter=1000, random_state=None):
        self.Cs = Cs
        self.cv = cv
        self.max_iter = max_iter
        self.random_state = random_state

    def fit(self, X, y):
        X = self._check(X, reset=True)
        codes = encode_classes(self, y)
        n_splits = int(max(2, min(self.cv, np.bincount(codes).min())))
        inner = StratifiedKFold(n_splits, shuffle=True, random_state=self.random_state) \
            if np.bincount(codes).min() >= 2 else 2
        self.pipeline_ = Pipeline([
            ("prep", linear_preprocessor(X)),
            ("model", LogisticRegressionCV(Cs=self.Cs, cv=inner, scoring="neg_log_loss", l1_ratios=(0.0,),
                                           use_legacy_attributes=False, max_iter=self.max_iter,
                                           random_state=self.random_state)),
        ]).fit(X, codes)
        self.C_ = float(np.ravel(self.pipeline_[-1].C_)[0])
        self.n_iter_ = int(np.max(self.pipeline_[-1].n_iter_))  # sklearn: estimators with max_iter report it
        return self

    def predict_proba(self, X):
        check_is_fitted(self, "pipeline_")
        return self.pipeline_.predict_proba(self._check(X, reset=False))

    def predict(self, X):
        check_is_fitted(self, "pipeline_")  # NotFittedError, not AttributeError, before fit
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        return tags


class LinearRegressor(RegressorMixin, _LinearBase):
    """Ridge regression with imputation, one-hot coding and scaling.

    ``alpha`` is chosen from ``alphas`` by efficient leave-one-out CV (``RidgeCV``).

    Parameters
    ----------
    alphas : array-like, default=np.logspace(-3, 4, 15)
    random_state : int or None, default=None
        Unused (ridge is deterministic); kept so every family takes one.

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> X, y = load_diabetes(return_X_y=True)
    >>> round(LinearRegressor().fit(X, y).score(X, y), 2)
    0.52
    """

    def __init__(self, *, alphas=None, random_state=None):
        self.alphas = alphas
        self.random_state = random_state

    def fit(self, X, y):
        X = self._check(X, reset=True)
        y = check_target(y, self, classifier=False)
        alphas = np.logspace(-3, 4, 15) if self.alphas is None else self.alphas
        self.pipeline_ = Pipeline([("prep", linear_preprocessor(X)), ("model", RidgeCV(alphas=alphas))]).fit(X, y)
        self.alpha_ = float(self.pipeline_[-1].alpha_)
        return self

    def predict(self, X):
        check_is_fitted(self, "pipeline_")
        return self.pipeline_.predict(self._check(X, reset=False))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        return tags
