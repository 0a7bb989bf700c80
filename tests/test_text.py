"""Text data: schema detection, per-family text models, the embedding cache, runner and CLI."""

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from dllab.config import RunConfig
from dllab.datasets import from_frame, load
from dllab.errors import ConfigError
from dllab.models import DataSpec, default_families, make_model
from dllab.models import text as text_models
from dllab.models.text import EmbeddingCache, TextNetClassifier, TransferClassifier
from dllab.runner import compare

_GOOD = ["lovely tasty snack, will buy again", "great flavour and fresh, my kids love it",
         "excellent coffee, smooth and rich taste", "best tea I have had, wonderful aroma",
         "really good value and delicious cookies"]
_BAD = ["stale and bland, would not buy again", "awful taste, arrived broken and late",
        "terrible smell, threw it in the bin", "too salty and dry, very disappointed",
        "cheap plastic taste, not worth the money"]


def _reviews(n_each=12):
    rows = []
    for i in range(n_each):
        rows += [(f"{_GOOD[i % 5]} (order {i})", i % 3, "good"), (f"{_BAD[i % 5]} (order {i})", i % 4, "bad")]
    return pd.DataFrame(rows, columns=["review", "stars_seen", "label"])


class _FakeEncoder:
    """Counts calls; embeds by a few keyword indicators (no model needed)."""

    model_id = "fake-encoder"

    def __init__(self):
        self.calls = []

    def __call__(self, texts):
        self.calls.append(len(texts))
        words = ("good", "great", "love", "bad", "awful", "not")
        return np.array([[w in t for w in words] + [len(t) / 100] for t in texts], dtype=np.float32)


def test_text_column_makes_a_text_dataset_with_text_features():
    ds = from_frame(_reviews(), target="label")
    assert ds.modality == "text" and ds.meta["text_columns"] == ["review"]
    assert ds.feature_columns == ["review", "stars_seen"]
    assert pd.api.types.is_string_dtype(ds.X["review"]) and ds.X["review"].iloc[0].startswith("lovely")
    assert any("used as free text: 'review'" in n for n in ds.notices)
    assert default_families(ds) == ("linear", "gbm", "deep", "transfer")
    as_category = from_frame(_reviews(), target="label", roles={"review": "categorical"})
    assert as_category.modality == "tabular"


def test_transfer_is_refused_on_tabular_data():
    with pytest.raises(ConfigError, match="needs free text"):
        make_model("transfer", "binary", budget="quick")


@pytest.mark.parametrize("family", ["linear", "gbm", "deep"])
def test_each_text_family_fits_mixed_text_and_numeric_columns(family):
    ds = from_frame(_reviews(), target="label")
    model = make_model(family, ds.task, budget="quick", random_state=0, device="cpu",
                       data=DataSpec("text", text_columns=("review",)))
    proba = model.fit(ds.X.iloc[:16], ds.y[:16]).predict_proba(ds.X.iloc[16:])
    assert proba.shape == (8, 2) and np.allclose(proba.sum(1), 1)
    if family == "linear":  # the words separate the classes
        assert (proba.argmax(1) == ds.y[16:]).mean() == 1.0


def test_text_net_is_deterministic_for_a_seed():
    ds = from_frame(_reviews(), target="label")
    kw = dict(text_columns=["review"], max_epochs=3, d_embedding=8, n_buckets=2**10, random_state=5)
    p1 = TextNetClassifier(**kw).fit(ds.X, ds.y).predict_proba(ds.X)
    p2 = TextNetClassifier(**kw).fit(ds.X, ds.y).predict_proba(ds.X)
    assert np.array_equal(p1, p2)


def test_embedding_cache_encodes_each_text_once(tmp_path):
    enc = _FakeEncoder()
    cache = EmbeddingCache(enc, model_id=enc.model_id, path=tmp_path / "emb.sqlite")
    first = cache.embed(["a good one", "a bad one", "a good one"])
    again = EmbeddingCache(enc, model_id=enc.model_id, path=tmp_path / "emb.sqlite").embed(["a bad one"])
    assert enc.calls == [2] and cache.n_encoded == 2
    assert np.array_equal(first[1], again[0]) and np.array_equal(first[0], first[2])
    other = EmbeddingCache(enc, model_id="another-model", path=tmp_path / "emb.sqlite")
    other.embed(["a bad one"])
    assert enc.calls == [2, 1]  # keys include the model id


def test_transfer_head_uses_cached_embeddings_across_fits(tmp_path):
    ds = from_frame(_reviews(), target="label")
    enc = _FakeEncoder()
    kw = dict(text_columns=["review"], encoder=enc, cache_path=tmp_path / "e.sqlite", cv=2, random_state=0)
    clf = TransferClassifier(**kw).fit(ds.X.iloc[:16], ds.y[:16])
    assert clf.predict_proba(ds.X.iloc[16:]).shape == (8, 2)
    assert sum(enc.calls) == 24
    TransferClassifier(**kw).fit(ds.X, ds.y).predict_proba(ds.X)
    assert sum(enc.calls) == 24  # second fit: every text was cached


def test_minilm_loads_offline_from_the_package(tmp_path):
    enc = text_models.MiniLMEncoder(device="cpu")
    cache = EmbeddingCache(enc, model_id=enc.model_id, path=tmp_path / "e.sqlite")
    e = cache.embed(["the tea was lovely", "the tea was lovely", "terrible, stale biscuits"])
    assert e.shape == (3, 384) and np.allclose(np.linalg.norm(e, axis=1), 1, atol=1e-4)
    assert cache.n_encoded == 2
    assert float(e[0] @ e[2]) < 0.9


def test_text_csv_end_to_end_through_compare_and_cli(tmp_path):
    path = tmp_path / "reviews.csv"
    _reviews().to_csv(path, index=False)
    ds = load(path, target="label")
    cmp = compare(ds, config=RunConfig(budget="quick", device="cpu", n_folds=2, families=("linear", "gbm")))
    assert (cmp.overall["status"] == "ok").all() and cmp.overall.loc["linear", "mean"] > 0.7
    assert type(cmp.models("linear")[0]).__name__ == "TextLinearClassifier"
    out = tmp_path / "out.json"
    run = subprocess.run([sys.executable, "-m", "dllab", "compare", str(path), "--target", "label",
                          "--budget", "quick", "--families", "linear", "--json", str(out), "--quiet"],
                         capture_output=True, text=True, timeout=240)
    assert run.returncode == 0, run.stderr
    result = json.loads(out.read_text())
    assert result["dataset"]["modality"] == "text"
    assert [m["name"] for m in result["models"]] == ["linear"]
    assert all(m["status"] == "ok" for m in result["models"])
