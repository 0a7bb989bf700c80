"""Input checks shared by the estimators (every classifier encodes its labels here), with scikit-learn's messages."""

from __future__ import annotations

import numpy as np
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import (_check_feature_names, _check_n_features, check_array, column_or_1d,
                                      validate_data)

from .preprocessing import as_frame

__all__ = ["check_features", "check_target", "encode_classes"]

_ONE_CLASS = "Classifier needs at least 2 classes; got 1 class: {label!r}."
_EMPTY = "Found array with 0 sample(s) (shape={shape}) while a minimum of 1 is required by {name}."


def check_features(estimator, X, *, reset: bool):
    """``X`` as a DataFrame; sets or checks ``n_features_in_`` and ``feature_names_in_``.

    DataFrames keep their ``category`` columns; arrays go through ``validate_data``
    (NaN allowed: every family handles missing values itself).
    """
    if hasattr(X, "columns"):
        _check_feature_names(estimator, X, reset=reset)
        _check_n_features(estimator, X, reset=reset)
        if len(X) == 0:
            raise ValueError(_EMPTY.format(shape=X.shape, name=type(estimator).__name__))
        return as_frame(X)
    return as_frame(validate_data(estimator, X, reset=reset, ensure_all_finite="allow-nan", dtype=np.float64))


def check_target(y, estimator, *, classifier: bool):
    """``y`` as a 1d array, with scikit-learn's messages for None, 2d and continuous labels."""
    if y is None:
        raise ValueError(f"{type(estimator).__name__} requires y to be passed, but the target y is None.")
    y = column_or_1d(check_array(y, ensure_2d=False, dtype=None if classifier else np.float64), warn=True)
    if classifier:
        check_classification_targets(y)  # "Unknown label type: continuous" for float targets
    return y


def encode_classes(estimator, y) -> np.ndarray:
    """Check a classifier's ``y``, set ``estimator.classes_`` and return class indices (0..k-1)."""
    y = check_target(y, estimator, classifier=True)
    classes, codes = np.unique(y, return_inverse=True)
    if len(classes) < 2:
        raise ValueError(_ONE_CLASS.format(label=classes[0]))
    estimator.classes_ = classes
    return codes.astype(np.int64)
