"""The built-in families' records and their builders: how a budget becomes an estimator.

One builder per family; each knows the family's presets for tabular data and
hands image and text data to :mod:`dllab.models.cnn` and :mod:`dllab.models.text`.
:func:`builtin_families` gives the records :mod:`dllab.families` starts with.
"""

from __future__ import annotations

from ..errors import ConfigError
from .spec import DataSpec

__all__ = ["build_linear", "build_gbm", "build_deep", "build_transfer", "builtin_families"]

_NO_TRANSFER = ("family 'transfer' needs free text (a pretrained text encoder); this data is {modality}. "
                "Choose linear, gbm or deep, or give a text column the role 'text'.")

# Budget presets. ``thorough`` starts from the standard settings and searches (dllab.models.search).
_GBM = {
    "quick": dict(n_estimators=300, learning_rate=0.15, early_stopping_rounds=30),
    "standard": dict(n_estimators=2000, learning_rate=0.05, early_stopping_rounds=100),
}
_LINEAR = {
    "quick": dict(classifier=dict(Cs=6, cv=3), regressor=dict()),
    "standard": dict(classifier=dict(Cs=10, cv=5), regressor=dict()),
}


def _base(budget: str) -> str:
    # Image and text models and every search's starting point use the standard settings for thorough.
    return "standard" if budget == "thorough" else budget


def _text(family, task, *, budget, random_state, device, data):
    from .text import text_model

    return text_model(family, task, text_columns=data.text_columns, budget=_base(budget),
                      random_state=random_state, device=device)


def build_linear(task, *, budget="standard", random_state=0, device="auto", data=None):
    """Logistic regression with CV-chosen ``C`` (classification) or ridge (regression); TF-IDF on text."""
    data = data or DataSpec()
    if data.modality == "text":
        return _text("linear", task, budget=budget, random_state=random_state, device=device, data=data)
    from .linear import LinearClassifier, LinearRegressor  # estimators load when one is built

    classify = task != "regression"
    kwargs = _LINEAR[_base(budget)]["classifier" if classify else "regressor"]
    cls = LinearClassifier if classify else LinearRegressor
    return cls(random_state=random_state, **kwargs)


def build_gbm(task, *, budget="standard", random_state=0, device="auto", data=None):
    """XGBoost with early stopping; TF-IDF + SVD features on text."""
    data = data or DataSpec()
    if data.modality == "text":
        return _text("gbm", task, budget=budget, random_state=random_state, device=device, data=data)
    from .gbm import GBMClassifier, GBMRegressor

    cls = GBMClassifier if task != "regression" else GBMRegressor
    return cls(random_state=random_state, device=device, **_GBM[_base(budget)])


def build_deep(task, *, budget="standard", random_state=0, device="auto", data=None):
    """TabM-mini on tables, a CNN on image classification, a small text network on text."""
    data = data or DataSpec()
    if data.modality == "text":
        return _text("deep", task, budget=budget, random_state=random_state, device=device, data=data)
    if data.modality == "image" and task != "regression":
        from .cnn import cnn_model

        return cnn_model(task, image_shape=data.image_shape, budget=_base(budget), random_state=random_state,
                         device=device)
    from .deep import deep_model  # torch is imported only when a deep model is asked for

    return deep_model(task, budget=_base(budget), random_state=random_state, device=device)


def build_transfer(task, *, budget="standard", random_state=0, device="auto", data=None):
    """A frozen pretrained sentence encoder (MiniLM) + a linear head; text only."""
    data = data or DataSpec()
    if data.modality != "text":
        raise ConfigError(_NO_TRANSFER.format(modality=data.modality))
    return _text("transfer", task, budget=budget, random_state=random_state, device=device, data=data)


def builtin_families() -> tuple:
    """The four built-in :class:`~dllab.families.Family` records, in their historical order.

    Their ``seed_key`` is their historical position (0-3), so every seed, and so
    every number, is what it was before the registry existed.
    """
    from ..families import Family
    from .search import SEARCH_SPACES

    return (
        Family("linear", "Linear model", build_linear, kind="linear", short_label="linear",
               noun="the linear model", headline="a linear model", title="Linear model", explainer="linear",
               color="#0072B2", marker="circle", search_space=SEARCH_SPACES["linear"], seed_key=0),
        Family("gbm", "Gradient boosting (XGBoost)", build_gbm, kind="trees", short_label="XGBoost",
               noun="boosting", model_noun="XGBoost", headline="gradient boosting (XGBoost)",
               title="Gradient boosting", explainer="tree", color="#E69F00", marker="square",
               search_space=SEARCH_SPACES["gbm"], seed_key=1),
        Family("deep", "Deep network", build_deep, kind="deep", short_label="deep", noun="the deep net",
               headline="deep learning (a deep network)", title="Deep learning", explainer="permutation",
               color="#009E73", marker="diamond", search_space=SEARCH_SPACES["deep"], seed_key=2),
        Family("transfer", "Pretrained encoder + head (transfer)", build_transfer, kind="deep",
               short_label="transfer", noun="the pretrained encoder + head",
               headline="deep learning (a pretrained encoder + head)", title="Deep learning",
               modalities=("text",), explainer="permutation", color="#CC79A7", marker="triangle-up", seed_key=3),
    )
