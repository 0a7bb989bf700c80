"""Datasets: the built-in catalogue, CSV loading with validation, and synthetic generators.

Nothing is loaded at import; ``load`` reads a built-in or a CSV file when called.

Examples
--------
>>> from dllab import datasets
>>> ds = datasets.load("penguins")
>>> ds.summary()["rows"], ds.target
(344, 'species')
>>> [info.name for info in datasets.catalogue() if info.size == "large"]
['flights', 'smooth_interactions']
"""

from .catalogue import BuiltinInfo, builtin_names, catalogue, load_builtin, size_of
from .dataset import Dataset
from .dispatch import load
from .loading import from_frame, read_csv
from .synthetic import make_linear, make_planted_subgroup, make_smooth_interactions, planted_subgroup_rule

__all__ = ["Dataset", "BuiltinInfo", "catalogue", "builtin_names", "load_builtin", "load", "from_frame",
           "read_csv", "size_of", "make_linear", "make_smooth_interactions", "make_planted_subgroup",
           "planted_subgroup_rule"]
