"""Gradient boosting: XGBoost ``hist`` with native categoricals and early stopping."""

from __future__ import annotations

import numpy as np
import xgboost as xgb
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.model_selection import train_test_split
from sklearn.utils.validation import check_is_fitted

from ._validation import check_features, check_target, encode_classes
from .device import fit_threads, resolve_device

__all__ = ["GBMClassifier", "GBMRegressor"]


class _GBMBase(BaseEstimator):
    """Shared fit logic; subclasses set the objective and the label handling."""

    def __init__(self, *, n_estimators=2000, learning_rate=0.05, max_depth=6, min_child_weight=1.0,
                 subsample=0.8, colsample_bytree=0.8, reg_lambda=1.0, early_stopping_rounds=100,
                 validation_fraction=0.15, max_cat_to_onehot=4, device="cpu", n_jobs=None,
                 random_state=None):
        self.n_estimators = n_estimators
        self.learning_rate = learning_rate
        self.max_depth = max_depth
        self.min_child_weight = min_child_weight
        self.subsample = subsample
        self.colsample_bytree = colsample_bytree
        self.reg_lambda = reg_lambda
        self.early_stopping_rounds = early_stopping_rounds
        self.validation_fraction = validation_fraction
        self.max_cat_to_onehot = max_cat_to_onehot
        self.device = device
        self.n_jobs = n_jobs
        self.random_state = random_state

    def _check(self, X, *, reset):
        X = check_features(self, X, reset=reset)
        # XGBoost rejects some column names ([, ], <); positions are what matter.
        return X.set_axis([f"f{i}" for i in range(X.shape[1])], axis=1)

    def booster_input(self, X):
        """``X`` as the fitted booster sees it (columns renamed ``f0, f1, ...`` in order)."""
        check_is_fitted(self, "model_")
        return self._check(X, reset=False)

    def _fit(self, X, y, *, model_cls, stratify):
        X = self._check(X, reset=True)
        self.device_ = resolve_device(self.device)
        seed = 0 if self.random_state is None else int(self.random_state)
        params = dict(n_estimators=self.n_estimators, learning_rate=self.learning_rate,
                      max_depth=self.max_depth, min_child_weight=self.min_child_weight,
                      subsample=self.subsample, colsample_bytree=self.colsample_bytree,
                      reg_lambda=self.reg_lambda, tree_method="hist", enable_categorical=True,
                      max_cat_to_onehot=self.max_cat_to_onehot, device=self.device_,
                      n_jobs=fit_threads(self.n_jobs, X.size), random_state=seed)
        n_val = int(round(self.validation_fraction * len(X)))
        can_stop = self.early_stopping_rounds and n_val >= 10 and len(X) - n_val >= 10
        if can_stop and stratify is not None and np.bincount(stratify).min() < 2:
            stratify = None
        if can_stop:
            X_tr, X_val, y_tr, y_val = train_test_split(X, y, test_size=n_val, random_state=seed,
                                                        stratify=stratify)
            self.model_ = model_cls(early_stopping_rounds=self.early_stopping_rounds, **params)
            self.model_.fit(X_tr, y_tr, eval_set=[(X_val, y_val)], verbose=False)
            self.n_estimators_ = int(self.model_.best_iteration) + 1
        else:
            self.model_ = model_cls(**params).fit(X, y, verbose=False)
            self.n_estimators_ = int(self.n_estimators)
        return self

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        return tags


class GBMClassifier(ClassifierMixin, _GBMBase):
    """XGBoost classifier (``hist``, native categoricals), early-stopped on an inner split.

    A ``validation_fraction`` of the training rows (stratified) is held out to
    choose the number of trees; predictions use the best iteration.

    Examples
    --------
    >>> from sklearn.datasets import load_breast_cancer
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> GBMClassifier(n_estimators=50, random_state=0).fit(X, y).score(X, y) > 0.95
    True
    """

    def fit(self, X, y):
        codes = encode_classes(self, y)
        return self._fit(X, codes, model_cls=xgb.XGBClassifier, stratify=codes)

    def predict_proba(self, X):
        check_is_fitted(self, "model_")
        proba = np.asarray(self.model_.predict_proba(self._check(X, reset=False)), dtype=np.float64)
        # XGBoost returns float32 rows that miss 1 by ~1e-7; renormalise in float64.
        return proba / proba.sum(axis=1, keepdims=True)

    def predict(self, X):
        check_is_fitted(self, "model_")  # NotFittedError, not AttributeError, before fit
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]


class GBMRegressor(RegressorMixin, _GBMBase):
    """XGBoost regressor (``hist``, native categoricals), early-stopped on an inner split.

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> X, y = load_diabetes(return_X_y=True)
    >>> GBMRegressor(n_estimators=50, random_state=0).fit(X, y).score(X, y) > 0.5
    True
    """

    def fit(self, X, y):
        y = check_target(y, self, classifier=False)
        return self._fit(X, y, model_cls=xgb.XGBRegressor, stratify=None)

    def predict(self, X):
        check_is_fitted(self, "model_")
        return np.asarray(self.model_.predict(self._check(X, reset=False)), dtype=np.float64)
