import numpy as np
import pytest

from dllab.analyses.comparison import Comparison
from dllab.config import RunConfig
from dllab.models import make_model
from dllab.engine.runner import RunCancelled, Task, compare, run_tasks, task_seed
from dllab.engine.splits import make_splits

QUICK = dict(budget="quick", n_folds=3, families=("linear", "gbm"))


def test_every_family_gets_identical_splits(binary_ds):
    cmp = compare(binary_ds, config=RunConfig(**QUICK))
    by_split = {}
    for r in cmp.records:
        by_split.setdefault(r.split, []).append(r)
    assert len(by_split) == 3
    for recs in by_split.values():
        assert {r.family for r in recs} == {"linear", "gbm"}
        assert all(np.array_equal(recs[0].test_idx, r.test_idx) for r in recs)
        assert all(r.n_train == len(binary_ds.y) - len(r.test_idx) for r in recs)


def test_same_seed_same_numbers_and_other_seed_differs(binary_ds):
    a = compare(binary_ds, config=RunConfig(seed=7, **QUICK)).scores
    b = compare(binary_ds, config=RunConfig(seed=7, **QUICK)).scores
    c = compare(binary_ds, config=RunConfig(seed=8, **QUICK)).scores
    assert a.equals(b)
    assert not a.equals(c)


def test_dropping_a_family_leaves_the_others_numbers_unchanged(binary_ds):
    both = compare(binary_ds, config=RunConfig(**QUICK)).scores
    gbm_only = compare(binary_ds, config=RunConfig(budget="quick", n_folds=3, families=("gbm",))).scores
    assert np.array_equal(both[both.family == "gbm"]["accuracy"].to_numpy(), gbm_only["accuracy"].to_numpy())


def test_task_seed_depends_only_on_family_and_split():
    seeds = {task_seed(0, f, s) for f in ("linear", "gbm", "deep") for s in range(5)}
    assert len(seeds) == 15


def test_progress_callback_reports_every_task_in_order(binary_ds):
    seen = []
    compare(binary_ds, config=RunConfig(**QUICK), progress=seen.append)
    assert [p.done for p in seen] == list(range(1, 7))
    assert all(p.total == 6 for p in seen)
    assert seen[0].task.label == "Linear model, fold 1/3" and seen[0].next_label.startswith("Gradient boosting")
    assert seen[-1].fraction == 1.0 and "6/6" in seen[-1].text


def test_should_stop_cancels_between_tasks(binary_ds):
    calls = []
    with pytest.raises(RunCancelled, match="stopped after 2 of 6 fits"):
        compare(binary_ds, config=RunConfig(**QUICK), progress=calls.append, should_stop=lambda: len(calls) >= 2)
    assert len(calls) == 2


def _broken_make(family, task, **kw):
    if family == "gbm":
        raise RuntimeError("out of memory on purpose")
    return make_model(family, task, **kw)


def test_a_failing_model_is_reported_and_the_others_finish(binary_ds):
    X, y = binary_ds.X, binary_ds.y
    splits = make_splits(y, task="binary", n_folds=3)
    tasks = [Task(family=f, split=i, train_idx=tr, test_idx=te, seed=i, label=f"{f} {i}")
             for i, (tr, te) in enumerate(splits) for f in ("linear", "gbm")]
    records = run_tasks(tasks, X, y, problem="binary", budget="quick", device="cpu", make=_broken_make)
    cmp = Comparison(records, y=y, task="binary", splits=splits, n_classes=2)
    assert cmp.overall.loc["gbm", "status"] == "failed"
    assert cmp.overall.loc["gbm", "reason"] == "RuntimeError: out of memory on purpose"
    assert np.isnan(cmp.overall.loc["gbm", "mean"])
    assert cmp.overall.loc["linear", "status"] == "ok" and cmp.overall.loc["linear", "mean"] > 0.6
    gbm_json = next(m for m in cmp.to_dict()["models"] if m["name"] == "gbm")
    assert gbm_json["mean"] is None and gbm_json["status"] == "failed"


def test_n_jobs_does_not_change_results(binary_ds):
    one = compare(binary_ds, config=RunConfig(n_jobs=1, **QUICK)).scores
    two = compare(binary_ds, config=RunConfig(n_jobs=2, **QUICK)).scores
    assert np.allclose(one[["accuracy", "log_loss"]].to_numpy(), two[["accuracy", "log_loss"]].to_numpy())


def test_regression_comparison_scores_match_sklearn_on_oof(regression_ds):
    from sklearn.metrics import root_mean_squared_error

    cmp = compare(regression_ds, config=RunConfig(**QUICK))
    assert cmp.metric == "rmse" and not cmp.higher_is_better
    for r in cmp.records:
        expected = root_mean_squared_error(regression_ds.y[r.test_idx], r.prediction)
        got = cmp.scores[(cmp.scores.family == r.family) & (cmp.scores.split == r.split)]["rmse"].item()
        assert got == pytest.approx(expected)
    oof = cmp.oof["linear"][0]
    assert oof.shape == (len(regression_ds.y),) and np.isfinite(oof).all()
