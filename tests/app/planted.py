"""The planted-subgroup data (1,500 rows) and one real quick comparison of it, made once per test process.

Shared by the Data size and Subgroups AppTests (importable by name: tests/app/conftest.py puts this
folder on sys.path). The comparison runs the linear model and XGBoost on 2 folds: a few seconds.
"""

from __future__ import annotations

import dataclasses
import functools

import numpy as np


@functools.lru_cache(maxsize=1)
def planted():
    """``(ds, config, cmp)``: the data has an extra column ``site`` that the models never see (excluded)."""
    from dllab.engine import runner
    from dllab.config import RunConfig
    from dllab.datasets import load

    base = load("planted_subgroup", max_rows=1500)
    df = base.frame.copy()
    inside = ((df["region"] == "North") & (df["age"] < 25)).to_numpy()
    rng = np.random.default_rng(0)
    # An excluded grouping column: site B holds the planted subgroup, the others are random.
    df["site"] = np.where(inside, "B", rng.choice(["A", "C"], len(df)))
    ds = dataclasses.replace(base, frame=df, roles=dict(base.roles), name="planted")
    config = RunConfig(budget="quick", n_folds=2, families=("linear", "gbm"))
    cmp = runner.compare(ds, config=config, keep_models=False)
    return ds, config, cmp


def with_comparison(at):
    """Put the planted data in ``at``'s session and its comparison in the result store, as after a run."""
    from apptools import with_study

    return with_study(at, *planted())
