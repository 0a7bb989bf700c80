"""Helpers shared by the AppTest modules (importable by name: tests/app/conftest.py puts this folder on sys.path)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
PAGES = {"Home": "app.py", "Data": "pages/1_Data.py", "Compare": "pages/2_Compare.py",
         "Data size": "pages/3_Data_size.py", "Subgroups": "pages/4_Subgroups.py"}
#: Generous: two shared CPU cores; a real quick run on ~200 rows takes 15-30 s there.
TIMEOUT = 240


def open_page(label: str) -> AppTest:
    """A new session opened directly on ``label`` (no visit to Home first)."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    if label != "Home":
        at.switch_page(PAGES[label])
    return at.run()


def tiny_frame(n: int = 160, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({"x1": rng.normal(size=n), "x2": rng.normal(size=n),
                       "colour": rng.choice(["red", "green", "blue"], n)})
    df["target"] = np.where(df.x1 - df.x2 + rng.normal(scale=0.5, size=n) > 0, "yes", "no")
    return df


def make_comparison(task="binary", *, fail=(), seconds=None):
    """A Comparison from hand-made predictions (no training): 3 folds x 2 repeats on 120 rows."""
    from dllab.comparison import Comparison, FitRecord
    from dllab.models import FAMILIES
    from dllab.splits import make_splits

    rng = np.random.default_rng(0)
    n = 120
    y = rng.integers(0, 2, n) if task == "binary" else rng.normal(size=n)
    splits = make_splits(y, task=task, n_folds=3, n_repeats=2, random_state=0)
    seconds = seconds or {"linear": 0.05, "gbm": 0.8, "deep": 12.0}
    records = []
    for i, (_, te) in enumerate(splits):
        for k, fam in enumerate(FAMILIES):
            if fam in fail:
                records.append(FitRecord(family=fam, split=i, status="failed", test_idx=te, reason="boom"))
                continue
            if task == "binary":
                p1 = np.clip(0.5 + (2 * y[te] - 1) * (0.1 + 0.1 * k) + rng.normal(0, 0.2, len(te)), 0.01, 0.99)
                pred = np.column_stack([1 - p1, p1])
            else:
                pred = y[te] + rng.normal(0, 1.0 - 0.2 * k, len(te))
            records.append(FitRecord(family=fam, split=i, status="ok", test_idx=te, prediction=pred,
                                     fit_seconds=seconds[fam], predict_seconds=0.01))
    return Comparison(records, y=y, task=task, splits=splits)
