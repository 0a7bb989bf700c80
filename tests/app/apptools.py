"""Helpers shared by the AppTest modules (importable by name: tests/app/conftest.py puts this folder on sys.path)."""

from __future__ import annotations

import functools
import re
from pathlib import Path

import numpy as np
import pandas as pd
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
PAGES = {"Home": "app.py", "Data": "pages/1_Data.py", "Compare": "pages/2_Compare.py",
         "Data size": "pages/3_Data_size.py", "Subgroups": "pages/4_Subgroups.py",
         "Explain": "pages/5_Explain.py", "Verdict": "pages/6_Verdict.py", "Workshop": "pages/7_Workshop.py"}
#: Generous: two shared CPU cores; a real quick run on ~200 rows takes 15-30 s there.
TIMEOUT = 240


#: The Compare form's Run button (a form submit button's key).
RUN_COMPARISON = "FormSubmitter:settings-Run comparison"


def run_compare(at, ds, *, folds: int = 2):
    """Put ``ds`` in the session, choose quick with ``folds`` folds on the Compare form, and press Run."""
    at.session_state["dataset"] = ds
    at.run()
    at.button_group(key="budget").set_value("quick")
    at.number_input(key="folds").set_value(folds)
    return at.button(key=RUN_COMPARISON).click().run()


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
    from fakes import fake_comparison

    return fake_comparison(task, fail=fail, seconds=seconds)


@functools.lru_cache(maxsize=1)
def kept():
    """``(ds, config, cmp)``: a real quick comparison (linear + XGBoost, 3 folds) of 600 planted-subgroup rows
    that keeps its models (the Explain page needs them). Made once per test process: a few seconds."""
    from dllab.engine import runner
    from dllab.config import RunConfig
    from dllab.datasets import load

    ds = load("planted_subgroup", max_rows=600)
    config = RunConfig(budget="quick", n_folds=3, families=("linear", "gbm"))
    return ds, config, runner.compare(ds, config=config, keep_models=True)


def data_key(at, ds) -> str:
    """The key of ``ds`` in ``at``'s session (its run requests and the result store)."""
    from dllab.ui.cache import data_key as key

    return key(ds, session=at.session_state["sid"])


def session_study(at, ds, config):
    """The Study of ``ds`` with ``config`` as ``at``'s session finds it."""
    from dllab.ui.cache import study

    return study(ds, config, session=at.session_state["sid"])


def with_study(at, ds, config, cmp):
    """Put ``ds`` in ``at``'s session and ``cmp`` in its Study in the result store, as after a run.

    ``at`` must have run once (its session id is made then)."""
    session_study(at, ds, config).adopt(cmp)
    at.session_state["dataset"] = ds
    at.session_state["requested"] = {data_key(at, ds): config}
    return at


# ---------------------------------------------------------------------------- the Data page's form
def form_editor(at):
    """The Data page's column table (its data editor)."""
    return next(e for e in at.data_editor if str(e.key).startswith("roles-"))


def edit_roles(at, roles: dict):
    """Change roles in the column table (``{column: role}``), as a user would, and rerun."""
    editor = form_editor(at)
    rows = editor.value["column"].tolist()
    edits = {rows.index(c): {"role": r} for c, r in roles.items()}
    at.session_state[editor.key] = {"edited_rows": edits, "added_rows": [], "deleted_rows": []}
    return at.run()


def shown_roles(at) -> dict:
    """``{column: role}`` as the column table shows it (with the edits not loaded yet)."""
    table = form_editor(at).value
    return dict(zip(table["column"], table["role"]))


def target_picker(at):
    return next(s for s in at.selectbox if s.label == "Target column (what to predict)")


def press_load(at):
    """Press the form's Load (or Apply changes) button."""
    key = next(b.key for b in at.button if b.key and re.fullmatch(r"load-[ud][0-9a-f]{10}", b.key))
    return at.button(key=key).click().run()


def upload(at, name: str, raw: bytes, *, load: bool = True):
    """Upload ``raw`` as ``name`` on the Data page and (by default) press Load with the lab's guesses."""
    at.file_uploader(key="csv").upload(name, raw, "text/csv").run()
    return press_load(at) if load else at


def with_kept(at):
    """Put :func:`kept`'s data in ``at``'s session and its comparison in the result store, as after a run."""
    return with_study(at, *kept())


def margin_comparison(gap_points: int = 2, *, n: int = 1000):
    """A hand-made binary Comparison (5 folds, no training): XGBoost is right on ``gap_points`` more rows
    in every 100 than the linear model (85%), the same on every split, so its win is significant."""
    from dllab.analyses.comparison import Comparison, FitRecord
    from dllab.engine.splits import make_splits

    rng = np.random.default_rng(1)
    y = rng.integers(0, 2, n)
    perm = rng.permutation(n)  # which rows each model gets right, spread over the splits
    splits = make_splits(y, task="binary", n_folds=5, n_repeats=1, random_state=0)
    right = {"linear": (perm % 100) < 85, "gbm": (perm % 100) < 85 + gap_points}
    records = []
    for i, (_, te) in enumerate(splits):
        for fam, ok in right.items():
            p1 = np.where(ok[te] == (y[te] == 1), 0.8, 0.2)
            records.append(FitRecord(family=fam, split=i, status="ok", test_idx=te,
                                     prediction=np.column_stack([1 - p1, p1]),
                                     fit_seconds={"linear": 0.05, "gbm": 0.8}[fam], predict_seconds=0.01))
    return Comparison(records, y=y, task="binary", splits=splits)
