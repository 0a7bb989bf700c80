"""Equal-time hyper-parameter search for the ``thorough`` budget.

Every family gets the same wall-clock budget per fit: the first candidate is
the family's standard configuration, then random candidates are tried on an
inner hold-out split until the next one would overrun the budget; the best is
refit on all training rows. So no family gets more tuning time than another,
and a slow family simply tries fewer candidates.
"""

from __future__ import annotations

import time

import numpy as np
from scipy.stats import loguniform, randint, uniform
from sklearn.base import BaseEstimator, clone
from sklearn.metrics import log_loss, root_mean_squared_error
from sklearn.model_selection import ParameterSampler, train_test_split
from sklearn.utils.validation import check_is_fitted

__all__ = ["SEARCH_SPACES", "SEARCH_SECONDS", "TimeBudgetSearch", "make_searched_model"]

#: Seconds of search per fit for every family (the refit comes on top).
SEARCH_SECONDS = 120.0

#: Distributions per family; keys an estimator lacks are ignored.
SEARCH_SPACES = {
    "linear": {},  # regularisation is already chosen by inner CV
    "gbm": {
        "learning_rate": loguniform(0.01, 0.3),
        "max_depth": randint(3, 11),
        "min_child_weight": loguniform(0.5, 20),
        "subsample": uniform(0.5, 0.5),
        "colsample_bytree": uniform(0.5, 0.5),
        "reg_lambda": loguniform(0.1, 10),
    },
    "deep": {
        "n_blocks": randint(1, 5),
        "d_block": [128, 256, 384, 512],
        "dropout": uniform(0.0, 0.4),
        "lr": loguniform(3e-4, 3e-3),
        "weight_decay": loguniform(1e-5, 1e-2),
    },
}


class TimeBudgetSearch(BaseEstimator):
    """Random search under a wall-clock budget, default configuration first.

    Parameters
    ----------
    estimator : estimator
        Starting configuration (always evaluated first).
    space : dict
        Parameter distributions (``scipy.stats`` objects or lists).
    time_budget : float, default=120
        Seconds for the search (the final refit is not counted).
    max_candidates : int, default=50
    validation_fraction : float, default=0.2
    random_state : int or None

    Attributes
    ----------
    best_estimator_, best_params_, n_candidates_, search_seconds_, results_
    """

    def __init__(self, estimator, *, space=None, time_budget=SEARCH_SECONDS, max_candidates=50,
                 validation_fraction=0.2, random_state=None):
        self.estimator = estimator
        self.space = space
        self.time_budget = time_budget
        self.max_candidates = max_candidates
        self.validation_fraction = validation_fraction
        self.random_state = random_state

    def fit(self, X, y):
        classify = hasattr(self.estimator, "predict_proba")
        params = self.estimator.get_params(deep=False)
        space = {k: v for k, v in (self.space or {}).items() if k in params}
        seed = 0 if self.random_state is None else int(self.random_state)
        y = np.asarray(y)
        strat = y if classify and np.unique(y, return_counts=True)[1].min() >= 2 else None
        X_tr, X_val, y_tr, y_val = train_test_split(X, y, test_size=self.validation_fraction,
                                                    random_state=seed, stratify=strat)
        candidates = [{}]
        if space:
            candidates += list(ParameterSampler(space, n_iter=self.max_candidates - 1, random_state=seed))
        start, results, slowest = time.perf_counter(), [], 0.0
        for cand in candidates:
            elapsed = time.perf_counter() - start
            if results and elapsed + slowest > self.time_budget:
                break
            t0 = time.perf_counter()
            model = clone(self.estimator).set_params(**cand).fit(X_tr, y_tr)
            loss = (log_loss(y_val, model.predict_proba(X_val), labels=model.classes_) if classify
                    else root_mean_squared_error(y_val, model.predict(X_val)))
            slowest = max(slowest, time.perf_counter() - t0)
            results.append({"params": cand, "loss": float(loss), "seconds": time.perf_counter() - t0})
        self.search_seconds_ = time.perf_counter() - start
        self.results_ = results
        best = min(results, key=lambda r: r["loss"])
        self.best_params_ = best["params"]
        self.n_candidates_ = len(results)
        self.best_estimator_ = clone(self.estimator).set_params(**self.best_params_).fit(X, y)
        for attr in ("classes_", "n_features_in_"):
            if hasattr(self.best_estimator_, attr):
                setattr(self, attr, getattr(self.best_estimator_, attr))
        self.device_ = getattr(self.best_estimator_, "device_", "cpu")
        return self

    def predict(self, X):
        check_is_fitted(self, "best_estimator_")
        return self.best_estimator_.predict(X)

    def predict_proba(self, X):
        check_is_fitted(self, "best_estimator_")
        return self.best_estimator_.predict_proba(X)


def make_searched_model(family: str, task: str, *, budget: str = "thorough", random_state=0, device="auto"):
    """``make_model``'s standard configuration wrapped in an equal-time search.

    The space is the family's ``search_space`` (:mod:`dllab.families`); a family
    without one trains its standard settings.
    """
    from .. import families
    from . import make_model

    base = make_model(family, task, budget="standard", random_state=random_state, device=device)
    space = families.get(family).search_space
    if space is None:
        return base
    return TimeBudgetSearch(base, space=space, time_budget=SEARCH_SECONDS, random_state=random_state)
