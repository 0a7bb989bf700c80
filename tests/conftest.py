"""Shared fixtures: small datasets built by hand (fast, no files)."""

import numpy as np
import pandas as pd
import pytest

from dllab.datasets.dataset import Dataset


def _binary_frame(n=240, seed=0):
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({"x1": rng.normal(size=n), "x2": rng.normal(size=n),
                       "colour": rng.choice(["red", "green", "blue"], n)})
    logit = 1.5 * df.x1 - df.x2 + (df.colour == "red") * 1.0
    df["target"] = np.where(rng.random(n) < 1 / (1 + np.exp(-logit)), "yes", "no")
    return df


@pytest.fixture
def binary_ds():
    df = _binary_frame()
    return Dataset(frame=df, target="target", task="binary", name="toy",
                   roles={"x1": "numeric", "x2": "numeric", "colour": "categorical"})


@pytest.fixture
def regression_ds():
    rng = np.random.default_rng(1)
    n = 200
    df = pd.DataFrame({"a": rng.normal(size=n), "b": rng.uniform(size=n)})
    df["target"] = 2 * df.a + np.sin(3 * df.b) + rng.normal(scale=0.3, size=n)
    return Dataset(frame=df, target="target", task="regression", name="toyreg",
                   roles={"a": "numeric", "b": "numeric"})
