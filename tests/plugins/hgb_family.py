"""A model family from outside the package: scikit-learn's histogram gradient boosting.

Importing this module registers it (``python -m dllab report DATA --plugin hgb_family``, with this
folder on ``PYTHONPATH``). It is the README's plugin example, tested by ``tests/test_families.py``:
nothing in ``dllab/`` names it.
"""

from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor

from dllab import families


def build_hgb(task, *, budget, random_state, device, data):
    """Histogram gradient boosting; the lab's categorical columns are pandas categories, which it splits on."""
    cls = HistGradientBoostingRegressor if task == "regression" else HistGradientBoostingClassifier
    return cls(max_iter=100 if budget == "quick" else 500, early_stopping=True, random_state=random_state,
               categorical_features="from_dtype")


families.register(families.Family("hgb", "Histogram boosting (scikit-learn)", build_hgb, kind="trees",
                                  short_label="HGB", noun="histogram boosting", modalities=("tabular",)))
