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


@pytest.fixture
def message_re():
    """Regex for a message constant: its literal text, with ``.+?`` for each ``{slot}``.

    ``pytest.raises(DataError, match=message_re(_TEMPLATE))`` fails if any other
    message (or a changed constant) is raised.
    """
    import re
    import string

    def pattern(template: str) -> str:
        parts = []
        for literal, field, _, _ in string.Formatter().parse(template):
            parts.append(re.escape(literal))
            if field is not None:
                parts.append(".+?")
        return "^" + "".join(parts) + "$"

    return pattern


@pytest.fixture
def mixed_frame():
    """30 rows with one column per inferred role, and a binary target ``y``."""
    n = 30
    return pd.DataFrame({
        "id": range(n),
        "age": [20 + i % 7 for i in range(n)],
        "weight": [50.5 + i for i in range(n)],
        "city": ["Oslo", "Rome", "Lima"] * 10,
        "price": ["1.5", "2", "3.25"] * 10,
        "when": ["2024-01-%02d" % (1 + i % 28) for i in range(n)],
        "unit": ["kg"] * n,
        "note": ["the parcel number %d arrived late and slightly damaged" % i for i in range(n)],
        "code": ["C%04d" % (7 * i) for i in range(n)],
        "flag": [True, False] * 15,
        "y": ["yes", "no", "no"] * 10,
    })
