"""The three model families, one module each, and the budget presets that configure them.

``make_model(family, task, budget=..., random_state=..., device=...)`` is the one
place that turns a budget into hyper-parameters, so every caller (runner, curves,
benchmarks) gets the same models.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import ConfigError
from .gbm import GBMClassifier, GBMRegressor
from .linear import LinearClassifier, LinearRegressor

__all__ = ["FAMILIES", "FAMILY_LABELS", "BASE_FAMILIES", "MODALITIES", "DataSpec", "data_spec",
           "default_families", "make_model", "GBMClassifier", "GBMRegressor",
           "LinearClassifier", "LinearRegressor"]

#: Model families. Seeds derive from the position here, so new families go at the end.
#: ``transfer`` (a frozen pretrained encoder + a trained head) exists for text data only.
FAMILIES = ("linear", "gbm", "deep", "transfer")
FAMILY_LABELS = {"linear": "Linear model", "gbm": "Gradient boosting (XGBoost)", "deep": "Deep network",
                 "transfer": "Pretrained encoder + head (transfer)"}
#: Families that apply to every modality; ``default_families`` adds ``transfer`` for text.
BASE_FAMILIES = ("linear", "gbm", "deep")
MODALITIES = ("tabular", "image", "text")

_NO_TRANSFER = ("family 'transfer' needs free text (a pretrained text encoder); this data is {modality}. "
                "Choose linear, gbm or deep, or give a text column the role 'text'.")

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


@dataclass(frozen=True)
class DataSpec:
    """What a model factory needs to know about the data besides the task.

    Attributes
    ----------
    modality : {"tabular", "image", "text"}
    image_shape : (int, int) or None
        ``(height, width)`` of image data (pixel columns in row-major order).
    text_columns : tuple of str
        The free-text columns of text data.
    """

    modality: str = "tabular"
    image_shape: tuple | None = None
    text_columns: tuple = ()


def data_spec(ds) -> DataSpec:
    """The :class:`DataSpec` of a :class:`~dllab.datasets.Dataset`.

    Examples
    --------
    >>> from dllab.datasets import load
    >>> data_spec(load("digits"))
    DataSpec(modality='image', image_shape=(8, 8), text_columns=())
    """
    modality = getattr(ds, "modality", "tabular")
    meta = getattr(ds, "meta", {}) or {}
    if modality == "image":
        return DataSpec("image", image_shape=tuple(meta["image_shape"]))
    if modality == "text":
        return DataSpec("text", text_columns=tuple(meta.get("text_columns", ())))
    return DataSpec()


def default_families(data=None) -> tuple:
    """Families to run by default: linear, gbm and deep, plus transfer for text data.

    Examples
    --------
    >>> default_families(DataSpec("text", text_columns=("review",)))
    ('linear', 'gbm', 'deep', 'transfer')
    """
    modality = data.modality if isinstance(data, DataSpec) else getattr(data, "modality", "tabular")
    return FAMILIES if modality == "text" else BASE_FAMILIES


def make_model(family: str, task: str, *, budget: str = "standard", random_state: int | None = 0,
               device: str = "auto", data: DataSpec | None = None):
    """An unfitted estimator of ``family`` for ``task`` with the ``budget``'s settings.

    Parameters
    ----------
    family : {"linear", "gbm", "deep", "transfer"}
    task : {"binary", "multiclass", "regression"}
    budget : {"quick", "standard", "thorough"}, default="standard"
        Image and text models have no search yet: ``thorough`` uses ``standard``.
    random_state : int or None, default=0
    device : {"auto", "cpu", "cuda"}, default="auto"
        Used by the deep net and by XGBoost; the linear model always runs on CPU.
    data : DataSpec, optional
        The data's modality (see :func:`data_spec`); default tabular. Images:
        the deep family is a CNN (:mod:`dllab.models.cnn`) for classification
        (the tabular net for regression), the others take the flat pixels.
        Text: every family builds its own text representation
        (:mod:`dllab.models.text`), and ``transfer`` is available.

    Examples
    --------
    >>> make_model("gbm", "binary", budget="quick").learning_rate
    0.15
    >>> type(make_model("deep", "multiclass", data=DataSpec("image", image_shape=(8, 8)))).__name__
    'CNNClassifier'
    """
    classify = task != "regression"
    base = "standard" if budget == "thorough" else budget
    modality = data.modality if data is not None else "tabular"
    if modality == "text":
        from .text import text_model

        return text_model(family, task, text_columns=data.text_columns, budget=base,
                          random_state=random_state, device=device)
    if family == "transfer":
        raise ConfigError(_NO_TRANSFER.format(modality=modality))
    if modality == "image" and family == "deep" and classify:
        from .cnn import cnn_model

        return cnn_model(task, image_shape=data.image_shape, budget=base, random_state=random_state,
                         device=device)
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
