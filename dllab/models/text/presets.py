"""Budget presets of the text families and :func:`text_model`, which builds one."""

from __future__ import annotations

from ...errors import ConfigError
from .estimators import (TextGBMClassifier, TextGBMRegressor, TextLinearClassifier, TextLinearRegressor,
                         TextNetClassifier, TextNetRegressor, TransferClassifier, TransferRegressor)

__all__ = ["text_model"]

_BAD_BUDGET = "budget={budget!r} is not valid here; choose 'quick' or 'standard'."
_BAD_FAMILY = "family={family!r} has no text model; choose one of linear, gbm, deep, transfer."

_PRESETS = {
    "linear": {"quick": dict(Cs=6, cv=3), "standard": dict(Cs=10, cv=5)},
    "gbm": {"quick": dict(n_components=100, gbm_params=dict(n_estimators=300, learning_rate=0.15,
                                                            early_stopping_rounds=30)),
            "standard": dict(n_components=200, gbm_params=dict(n_estimators=2000, learning_rate=0.05,
                                                               early_stopping_rounds=100))},
    "deep": {"quick": dict(max_epochs=8, d_embedding=32), "standard": dict(max_epochs=20, d_embedding=64)},
    "transfer": {"quick": dict(Cs=6, cv=3), "standard": dict(Cs=10, cv=5)},
}
_CLASSES = {"linear": (TextLinearClassifier, TextLinearRegressor), "gbm": (TextGBMClassifier, TextGBMRegressor),
            "deep": (TextNetClassifier, TextNetRegressor), "transfer": (TransferClassifier, TransferRegressor)}


def text_model(family: str, task: str, *, text_columns, budget: str = "standard",
               random_state: int | None = 0, device: str = "auto"):
    """The text estimator of ``family`` for ``task`` with the ``budget``'s settings.

    Examples
    --------
    >>> text_model("gbm", "binary", text_columns=["t"], budget="quick").n_components
    100
    """
    if family not in _CLASSES:
        raise ConfigError(_BAD_FAMILY.format(family=family))
    if budget not in _PRESETS[family]:
        raise ConfigError(_BAD_BUDGET.format(budget=budget))
    cls = _CLASSES[family][0 if task != "regression" else 1]
    kwargs = dict(_PRESETS[family][budget])
    if family in ("gbm", "deep", "transfer"):
        kwargs["device"] = device
    return cls(text_columns=list(text_columns), random_state=random_state, **kwargs)
