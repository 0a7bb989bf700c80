import numpy as np
from sklearn.datasets import make_classification
from sklearn.metrics import r2_score

from dllab.models import GBMClassifier, LinearRegressor
from dllab.models.search import SEARCH_SPACES, TimeBudgetSearch


def test_search_tries_default_first_and_refits_best():
    X, y = make_classification(300, 6, random_state=0)
    s = TimeBudgetSearch(GBMClassifier(n_estimators=30, early_stopping_rounds=0), space=SEARCH_SPACES["gbm"],
                         time_budget=60, max_candidates=4, random_state=0).fit(X, y)
    assert s.n_candidates_ == 4 and s.results_[0]["params"] == {}
    best = min(s.results_, key=lambda r: r["loss"])
    assert s.best_params_ == best["params"]
    assert s.best_estimator_.n_features_in_ == 6 and list(s.classes_) == [0, 1]
    assert s.predict_proba(X).shape == (300, 2)


def test_time_budget_stops_the_search_but_always_fits_one():
    X, y = make_classification(300, 6, random_state=0)
    s = TimeBudgetSearch(GBMClassifier(n_estimators=30), space=SEARCH_SPACES["gbm"], time_budget=0.0,
                         max_candidates=10, random_state=0).fit(X, y)
    assert s.n_candidates_ == 1


def test_search_is_seeded():
    X, y = make_classification(200, 5, random_state=1)
    make = lambda: TimeBudgetSearch(GBMClassifier(n_estimators=20), space=SEARCH_SPACES["gbm"],  # noqa: E731
                                    time_budget=60, max_candidates=3, random_state=5).fit(X, y)
    assert make().best_params_ == make().best_params_
    assert np.array_equal(make().predict_proba(X), make().predict_proba(X))


def test_params_unknown_to_the_estimator_are_ignored():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(100, 3))
    y = X @ [1.0, 2.0, 0.0]
    s = TimeBudgetSearch(LinearRegressor(), space=SEARCH_SPACES["gbm"], max_candidates=3).fit(X, y)
    assert s.n_candidates_ == 1 and s.predict(X).shape == (100,)
    assert r2_score(y, s.predict(X)) > 0.999
