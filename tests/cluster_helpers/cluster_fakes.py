"""Fakes the cluster tests send to Dask workers: importable there because the test puts this folder on sys.path
before the workers start (they inherit it)."""

from sklearn.ensemble import HistGradientBoostingClassifier

from dllab.models import make_model


def broken_make(family, task, **kw):
    """``make_model``, except that boosting fails (as a library might on a worker)."""
    if family == "gbm":
        raise RuntimeError("out of memory on purpose")
    return make_model(family, task, **kw)


def build_hgb(task, *, budget, random_state, device, data=None):
    """A family registered from outside: scikit-learn's histogram boosting."""
    return HistGradientBoostingClassifier(max_iter=20, random_state=random_state)
