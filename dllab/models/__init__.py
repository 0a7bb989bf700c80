"""Estimators of the built-in families, one module each, and the one place a budget becomes a model.

``make_model(family, task, budget=..., random_state=..., device=..., data=...)``
asks the family's record in :mod:`dllab.families` to build the estimator, so
every caller (runner, curves, benchmarks) gets the same models, and a
registered family is built the same way as a built-in one.
"""

from __future__ import annotations

from ..errors import ConfigError
from .spec import DataSpec, data_spec

__all__ = ["DataSpec", "data_spec", "default_families", "make_model", "GBMClassifier", "GBMRegressor",
           "LinearClassifier", "LinearRegressor"]

# The estimators load on first use: the family registry imports this package to validate a RunConfig,
# which must not pull in XGBoost and scikit-learn (about 1 s) for that.
_LAZY = {"GBMClassifier": "gbm", "GBMRegressor": "gbm", "LinearClassifier": "linear", "LinearRegressor": "linear"}


def __getattr__(name):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


_WRONG_MODALITY = ("family {name!r} ({label}) does not serve {modality} data (it serves {serves}); "
                   "choose one of {others}.")


def default_families(data=None) -> tuple:
    """Families run by default on ``data``: see :func:`dllab.families.default_families`.

    Examples
    --------
    >>> default_families(DataSpec("text", text_columns=("review",)))
    ('linear', 'gbm', 'deep', 'transfer')
    """
    from .. import families

    return families.default_families(data)


def make_model(family: str, task: str, *, budget: str = "standard", random_state: int | None = 0,
               device: str = "auto", data: DataSpec | None = None):
    """An unfitted estimator of ``family`` for ``task`` with the ``budget``'s settings.

    Parameters
    ----------
    family : str
        A registered family (built in: "linear", "gbm", "deep", "transfer").
    task : {"binary", "multiclass", "regression"}
    budget : {"quick", "standard", "thorough"}, default="standard"
        The built-ins build their standard settings for ``thorough``; the runner
        wraps them in the equal-time search (:mod:`dllab.models.search`).
    random_state : int or None, default=0
    device : {"auto", "cpu", "cuda"}, default="auto"
        Used by the deep net and by XGBoost; the linear model always runs on CPU.
    data : DataSpec, optional
        The data's modality (see :func:`data_spec`); default tabular. Images:
        the deep family is a CNN (:mod:`dllab.models.cnn`) for classification
        (the tabular net for regression), the others take the flat pixels.
        Text: every family builds its own text representation
        (:mod:`dllab.models.text`), and ``transfer`` is available.

    Raises
    ------
    ConfigError
        If ``family`` is not registered, or does not serve the data's modality.

    Examples
    --------
    >>> make_model("gbm", "binary", budget="quick").learning_rate
    0.15
    >>> type(make_model("deep", "multiclass", data=DataSpec("image", image_shape=(8, 8)))).__name__
    'CNNClassifier'
    """
    from .. import families

    fam = families.get(family)
    modality = (data or DataSpec()).modality
    if modality not in fam.modalities and fam.name != "transfer":  # transfer's own message names the fix
        raise ConfigError(_WRONG_MODALITY.format(name=fam.name, label=fam.label, modality=modality,
                                                 serves=", ".join(fam.modalities),
                                                 others=", ".join(families.serving(modality))))
    return fam.build(task, budget=budget, random_state=random_state, device=device, data=data)
