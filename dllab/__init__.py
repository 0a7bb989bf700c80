"""DL Decision Lab: should I use deep learning on this data? Answered with evidence.

The library runs a deep network, gradient boosting and a linear baseline on the
same splits and keeps everything later analyses need. Nothing runs at import.

Examples
--------
>>> import dllab
>>> study = dllab.Study(dllab.DataRecipe("breast_cancer"), config=dllab.RunConfig(budget="quick"))  # doctest: +SKIP
>>> study.comparison.overall                                                                     # doctest: +SKIP
>>> study.verdict().headline                                                                     # doctest: +SKIP
"""

from .config import RunConfig
from .errors import ConfigError, DataError

__all__ = ["RunConfig", "DataError", "ConfigError", "Study", "DataRecipe", "load", "compare", "Comparison", "Dataset",
           "learning_curve", "LearningCurve", "subgroup_report", "SubgroupReport", "shift_test",
           "explain", "Explanation"]

_LAZY = {
    "Study": "study", "DataRecipe": "datasets.recipe", "load": "datasets", "Dataset": "datasets", "compare": "engine.runner", "Comparison": "analyses.comparison",
    "learning_curve": "analyses.curves", "LearningCurve": "analyses.curves",
    "subgroup_report": "analyses.subgroups", "SubgroupReport": "analyses.subgroups",
    "shift_test": "analyses.subgroups", "explain": "analyses.explain", "Explanation": "analyses.explain",
}
__version__ = "0.1.0"


def __getattr__(name):
    # Lazy re-exports: importing dllab stays cheap (no torch, no xgboost, no data).
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module 'dllab' has no attribute {name!r}")
