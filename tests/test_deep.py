"""The deep family: it learns, copes with messy inputs, stops early, and is reproducible."""

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.datasets import make_classification, make_regression

from dllab.errors import ConfigError
from dllab.models import make_model
from dllab.models.deep import _BAD_ARCH, DeepTabularClassifier, DeepTabularRegressor, deep_model

TINY = dict(k=4, n_blocks=1, d_block=32, d_embedding=4, n_bins=8, max_epochs=25, patience=25,
            n_threads=1)  # tiny tensors: one thread avoids sync overhead on a busy machine


@pytest.fixture(scope="module")
def binary():
    return make_classification(400, 6, n_informative=4, random_state=0)


def _messy_frame(n, seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    colour = rng.choice(["red", "green", "blue"], size=n)
    X = pd.DataFrame({"x": x, "noise": rng.normal(size=n),
                      "colour": pd.Categorical(colour)})
    y = np.where((colour == "red") ^ (x > 0), "yes", "no")
    X.loc[rng.random(n) < 0.1, "x"] = np.nan
    X.loc[rng.random(n) < 0.1, "colour"] = np.nan
    return X, y


def test_classifier_learns_clearly_better_than_majority(binary):
    X, y = binary
    clf = DeepTabularClassifier(**TINY, random_state=0).fit(X[:300], y[:300])
    majority = max(np.mean(y[300:]), 1 - np.mean(y[300:]))
    assert clf.score(X[300:], y[300:]) > majority + 0.25
    assert clf.predict_proba(X[300:]).shape == (100, 2)
    assert np.allclose(clf.predict_proba(X[300:]).sum(1), 1.0)


def test_categorical_and_missing_inputs_and_an_unseen_level():
    X, y = _messy_frame(400, 0)
    clf = DeepTabularClassifier(**TINY, random_state=0).fit(X[:300], y[:300])
    assert clf.score(X[300:], y[300:]) > 0.8  # needs both the category and x
    new = X[300:310].copy()
    new["colour"] = pd.Categorical(["purple"] * 10)  # never seen in fit
    proba = clf.predict_proba(new)
    assert proba.shape == (10, 2) and np.isfinite(proba).all()
    assert set(clf.classes_) == {"no", "yes"}


def test_regression_target_scale_is_undone():
    X, y = make_regression(400, 5, noise=1.0, random_state=0)
    y = 1e4 + 30 * y  # far from zero mean / unit variance
    reg = DeepTabularRegressor(**TINY, random_state=0).fit(X[:300], y[:300])
    pred = reg.predict(X[300:])
    assert abs(pred.mean() - y[300:].mean()) < 0.3 * y.std()
    assert reg.score(X[300:], y[300:]) > 0.8
    assert reg.y_mean_ == pytest.approx(y[:300].mean())


def test_early_stopping_restores_the_best_epoch():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(300, 4)), rng.normal(size=300)  # pure noise: validation loss soon rises
    params = dict(TINY, d_block=64, lr=1e-2, max_epochs=100, patience=4, random_state=0)
    reg = DeepTabularRegressor(**params).fit(X, y)
    val = reg.history_["val_loss"]
    assert len(val) == len(reg.history_["train_loss"]) == reg.n_epochs_
    assert reg.n_epochs_ == reg.best_epoch_ + 1 + 4 < 100  # stopped by patience
    assert val[reg.best_epoch_] == min(val)
    # A run that simply ends at the best epoch holds the restored weights.
    short = DeepTabularRegressor(**dict(params, max_epochs=reg.best_epoch_ + 1)).fit(X, y)
    np.testing.assert_array_equal(reg.predict(X), short.predict(X))


def test_same_seed_same_predictions_other_seed_other_predictions(binary):
    X, y = binary
    params = dict(TINY, max_epochs=3, dropout=0.1)  # dropout draws from the (forked) global RNG
    a = DeepTabularClassifier(**params, random_state=1).fit(X, y).predict_proba(X)
    b = DeepTabularClassifier(**params, random_state=1).fit(X, y).predict_proba(X)
    c = DeepTabularClassifier(**params, random_state=2).fit(X, y).predict_proba(X)
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c)


def test_fit_leaves_global_random_state_and_threads_alone(binary):
    X, y = binary
    torch_state, np_state, threads = torch.get_rng_state(), np.random.get_state(), torch.get_num_threads()
    DeepTabularClassifier(**dict(TINY, max_epochs=2, dropout=0.1), random_state=0).fit(X, y)
    assert torch.equal(torch.get_rng_state(), torch_state)
    assert np.array_equal(np.random.get_state()[1], np_state[1])
    assert torch.get_num_threads() == threads


def test_max_steps_caps_training_deterministically(binary):
    X, y = binary
    clf = DeepTabularClassifier(**dict(TINY, max_epochs=1000, patience=1000), max_steps=7, random_state=0).fit(X, y)
    again = DeepTabularClassifier(**dict(TINY, max_epochs=1000, patience=1000), max_steps=7, random_state=0).fit(X, y)
    assert clf.n_steps_ == 7 and clf.n_epochs_ == again.n_epochs_
    assert np.array_equal(clf.predict_proba(X), again.predict_proba(X))


def test_max_time_caps_training(binary):
    X, y = binary
    clf = DeepTabularClassifier(**dict(TINY, max_epochs=1000), max_time=1e-6, random_state=0).fit(X, y)
    assert clf.n_epochs_ == 1
    assert clf.predict(X).shape == (400,)


def test_learned_attributes(binary):
    X, y = binary
    clf = DeepTabularClassifier(**dict(TINY, max_epochs=2), random_state=0).fit(X, y)
    assert clf.device_ == "cpu" and clf.n_features_in_ == 6
    assert clf.flops_per_row_ > 0 and clf.batch_size_ <= 512


def test_bad_arch_names_the_value(binary):
    X, y = binary
    with pytest.raises(ConfigError, match="arch='resnet'"):
        DeepTabularClassifier(arch="resnet").fit(X, y)
    assert "'tabm-mini'" in _BAD_ARCH


def test_presets_and_make_model():
    quick = deep_model("binary", budget="quick", random_state=3, device="cpu")
    assert isinstance(quick, DeepTabularClassifier) and quick.random_state == 3
    standard = make_model("deep", "regression", budget="thorough", random_state=0, device="cpu")
    assert isinstance(standard, DeepTabularRegressor) and standard.max_steps is None and quick.max_steps == 300
    assert standard.lr_schedule == "cosine" and standard.max_epochs == 30 and standard.batch_size == "auto"
    assert quick.max_time is None and standard.max_time is None  # seconds would make results load-dependent
    with pytest.raises(ConfigError, match="budget='huge'"):
        deep_model("binary", budget="huge")


def test_auto_batch_size_gives_about_200_steps_per_epoch():
    from dllab.models.deep import _batch_size

    assert [_batch_size("auto", n) for n in (300, 9_000, 13_209, 31_259, 500_000)] == [32, 32, 64, 128, 512]
    assert _batch_size(100, 10) == 100
    with pytest.raises(ConfigError, match="batch_size='big' is not valid; give a whole number of rows"):
        _batch_size("big", 10)


def test_cosine_schedule_warms_up_then_decays_to_zero_over_the_planned_steps():
    from dllab.models.deep import _schedule

    f = _schedule("cosine", 0.1, 100)
    assert f(0) == pytest.approx(0.1) and f(9) == pytest.approx(1.0) and f(10) == pytest.approx(1.0)
    assert f(55) == pytest.approx(0.5) and f(100) == pytest.approx(0.0) and f(50) > f(60) > f(90)
    assert _schedule("constant", 0.0, 100)(99) == 1.0
    with pytest.raises(ConfigError, match="lr_schedule='step' is not valid"):
        _schedule("step", 0.0, 10)


def test_min_steps_trains_small_data_longer_within_max_steps(binary):
    X, y = binary
    short = DeepTabularClassifier(**dict(TINY, max_epochs=2, patience=100), random_state=0).fit(X, y)
    longer = DeepTabularClassifier(**dict(TINY, max_epochs=2, patience=100), min_steps=40, random_state=0).fit(X, y)
    capped = DeepTabularClassifier(**dict(TINY, max_epochs=2, patience=100), min_steps=40, max_steps=25,
                                   random_state=0).fit(X, y)
    per_epoch = short.n_steps_ // 2
    assert longer.n_steps_ == per_epoch * -(-40 // per_epoch) and capped.n_steps_ == 25


def test_bfloat16_training_is_reproducible_and_predicts_in_float32(binary):
    X, y = binary
    a = DeepTabularClassifier(**TINY, precision="bfloat16", lr_schedule="cosine", random_state=0).fit(X, y)
    b = DeepTabularClassifier(**TINY, precision="bfloat16", lr_schedule="cosine", random_state=0).fit(X, y)
    assert a.precision_ == "bfloat16" and np.array_equal(a.predict_proba(X), b.predict_proba(X))
    assert a.predict_proba(X).dtype == np.float64 and a.score(X, y) > 0.8
    auto = DeepTabularClassifier(**dict(TINY, max_epochs=1), precision="auto", random_state=0).fit(X, y)
    assert auto.precision_ in ("bfloat16", "float32")
    with pytest.raises(ConfigError, match="precision='half' is not valid"):
        DeepTabularClassifier(**TINY, precision="half").fit(X, y)
