"""The three model families, one module each, and the budget presets that configure them.

``make_model(family, task, budget=..., random_state=..., device=...)`` is the one
place that turns a budget into hyper-parameters, so every caller (runner, curves,
benchmarks) gets the same models.
"""

from __future__ import annotations

from ..errors import ConfigError
from .gbm import GBMClassifier, GBMRegressor
from .linear import LinearClassifier, LinearRegressor

__all__ = ["FAMILIES", "FAMILY_LABELS", "make_model", "GBMClassifier", "GBMRegressor",
           "LinearClassifier", "LinearRegressor"]

FAMILIES = ("linear", "gbm", "deep")
FAMILY_LABELS = {"linear": "Linear model", "gbm": "Gradient boosting (XGBoost)", "deep": "Deep network"}

# Budget presets. ``thorough`` uses the standard settings as the starting point of
# an equal-time random search (see ``dllab.models.search``).
_GBM = {
    "quick": dict(n_estimators=300, learning_rate=0.15, early_stopping_rounds=30),
    "standard": dict(n_estimators=2000, learning_rate=0.05, early_stopping_rounds=100),
}
_LINEAR = {
    "quick": dict(classifier=dict(Cs=6, cv=3), regressor=dict()),
    "standard": dict(classifier=dict(Cs=10, cv=5), regressor=dict()),
}


def make_model(family: str, task: str, *, budget: str = "standard", random_state: int | None = 0,
               device: str = "auto"):
    """An unfitted estimator of ``family`` for ``task`` with the ``budget``'s settings.

    Parameters
    ----------
    family : {"linear", "gbm", "deep"}
    task : {"binary", "multiclass", "regression"}
    budget : {"quick", "standard", "thorough"}, default="standard"
    random_state : int or None, default=0
    device : {"auto", "cpu", "cuda"}, default="auto"
        Used by the deep net and by XGBoost; the linear model always runs on CPU.

    Examples
    --------
    >>> make_model("gbm", "binary", budget="quick").learning_rate
    0.15
    """
    classify = task != "regression"
    base = "standard" if budget == "thorough" else budget
    if family == "linear":
        kwargs = _LINEAR[base]["classifier" if classify else "regressor"]
        cls = LinearClassifier if classify else LinearRegressor
        return cls(random_state=random_state, **kwargs)
    if family == "gbm":
        cls = GBMClassifier if classify else GBMRegressor
        return cls(random_state=random_state, device=device, **_GBM[base])
    if family == "deep":
        from .deep import deep_model  # torch is imported only when a deep model is asked for

        return deep_model(task, budget=base, random_state=random_state, device=device)
    raise ConfigError(f"family={family!r} is not valid; choose one of {', '.join(FAMILIES)}.")
