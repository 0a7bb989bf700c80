import pytest

from dllab.config import RunConfig
from dllab.errors import ConfigError


@pytest.mark.parametrize("kwargs, fragment", [
    ({"budget": "huge"}, "budget='huge' is not valid; choose one of quick, standard, thorough"),
    ({"device": "tpu"}, "device='tpu' is not valid"),
    ({"n_folds": 1}, "n_folds=1 is not valid; it must be an integer between 2 and 20"),
    ({"repeats": 0}, "repeats=0 is not valid"),
    ({"seed": -1}, "seed=-1 is not valid"),
    ({"seed": 1.5}, "seed=1.5 is not valid"),
    ({"families": ("deep", "svm")}, "families=('deep', 'svm') is not valid"),
])
def test_bad_settings_name_the_value(kwargs, fragment):
    with pytest.raises(ConfigError, match=fragment.replace("(", r"\(").replace(")", r"\)")):
        RunConfig(**kwargs)


def test_budget_defaults_for_folds_and_repeats():
    assert (RunConfig(budget="quick").resolved_folds, RunConfig(budget="quick").resolved_repeats) == (3, 1)
    assert (RunConfig().resolved_folds, RunConfig().resolved_repeats) == (5, 1)
    assert RunConfig(budget="thorough").resolved_repeats == 2
    assert RunConfig(n_folds=4, repeats=3).to_dict()["n_folds"] == 4


def test_cache_key_ignores_parallelism_only():
    assert RunConfig(n_jobs=1).key() == RunConfig(n_jobs=2).key()
    assert RunConfig(seed=1).key() != RunConfig(seed=2).key()
