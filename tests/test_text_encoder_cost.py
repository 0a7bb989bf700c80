"""What the text encoder is asked to do: only the rows a run uses, each distinct text once, one model per process.

No model is loaded: ``embeddings._load_model`` is replaced by :class:`_FakeModel`, which counts
its loads and the texts it encodes, so the real :class:`MiniLMEncoder` (its batching, its shared
model) and :class:`EmbeddingCache` (its claims) run as they do in a compare.
"""

import collections
import pickle
import threading
import zlib

import numpy as np
import pandas as pd
import pytest

import dllab
from dllab.config import RunConfig
from dllab.datasets.recipe import DataRecipe
from dllab.models.text import EmbeddingCache, MiniLMEncoder, TransferClassifier
from dllab.models.text import embeddings

_WORDS = ("good", "great", "fresh", "bad", "awful", "stale")


def _vector(text: str) -> np.ndarray:
    """A text's stand-in embedding: its keywords, its length and a hash (each text its own vector)."""
    return np.array([w in text for w in _WORDS] + [len(text) / 100, zlib.crc32(text.encode()) % 1000 / 1000],
                    dtype=np.float32)


class _FakeModel:
    """Stands in for the loaded SentenceTransformer; records every text it encodes and every batch."""

    tokenizer = None  # the encoder then orders texts by characters

    def __init__(self, log):
        self.log = log
        self.lock = threading.Lock()  # cannot be pickled: a pickled model must not carry it

    def encode(self, texts, *, batch_size, **_):
        assert len(texts) <= batch_size
        self.log["batches"].append(list(texts))
        self.log["texts"] += list(texts)
        return np.stack([_vector(t) for t in texts])


@pytest.fixture
def fake_model(monkeypatch, tmp_path):
    """The process's model cache emptied and every load counted; embeddings cached under ``tmp_path``."""
    log = {"loads": [], "batches": [], "texts": []}

    def load(device, max_seq_length):
        log["loads"].append((device, max_seq_length))
        return _FakeModel(log)

    monkeypatch.setattr(embeddings, "_MODELS", {})
    monkeypatch.setattr(embeddings, "_load_model", load)
    monkeypatch.setenv("DLLAB_CACHE_DIR", str(tmp_path / "cache"))
    return log


def _reviews(n: int, *, distinct: int) -> pd.DataFrame:
    """``n`` rows of ``distinct`` different reviews (so some rows share a text), labelled by their words."""
    rng = np.random.default_rng(0)
    good = [f"{rng.choice(['good', 'great', 'fresh'])} snack number {i}" for i in range(distinct // 2)]
    bad = [f"{rng.choice(['bad', 'awful', 'stale'])} snack number {i}" for i in range(distinct - distinct // 2)]
    texts = (good + bad) * (n // distinct + 1)
    labels = (["good"] * len(good) + ["bad"] * len(bad)) * (n // distinct + 1)
    return pd.DataFrame({"review": texts[:n], "label": labels[:n]})


def test_a_compare_on_a_sampled_table_encodes_only_the_sampled_rows_distinct_texts_once(fake_model, tmp_path):
    path = tmp_path / "reviews.csv"
    frame = _reviews(1200, distinct=900)
    frame.to_csv(path, index=False)
    config = RunConfig(budget="quick", n_folds=3, n_jobs=1, device="cpu", families=("linear", "transfer"))
    study = dllab.Study(DataRecipe(str(path), target="label", max_rows=150), config=config)
    cmp = study.run()
    assert (cmp.overall["status"] == "ok").all()
    used = study.dataset.X["review"]
    assert len(used) == 150 and used.nunique() < 150  # sampled; some sampled rows share a text
    encoded = collections.Counter(fake_model["texts"])
    assert set(encoded) == set(used)  # the sampled rows only, not the file's 1,200 ...
    assert max(encoded.values()) == 1  # ... each distinct text once, over every fold's fit and predict
    assert fake_model["loads"] == [("cpu", 256)]


def test_the_model_is_loaded_once_per_process_and_device_for_every_transfer_model(fake_model, tmp_path):
    frame = _reviews(60, distinct=60)
    X, y = frame[["review"]], frame["label"].to_numpy()
    for i in range(3):  # separate caches: every model must encode, and each makes its own encoder
        TransferClassifier(cv=2, cache_path=tmp_path / f"e{i}.sqlite", device="cpu").fit(X, y)
    assert fake_model["loads"] == [("cpu", 256)]
    assert len(fake_model["texts"]) == 3 * 60
    MiniLMEncoder(device="cpu", max_seq_length=128)(["another length limit, another model"])
    assert fake_model["loads"] == [("cpu", 256), ("cpu", 128)]


def test_a_fitted_transfer_model_pickles_without_the_encoder_and_predicts_the_same(fake_model, tmp_path):
    frame = _reviews(60, distinct=60)
    X, y = frame[["review"]], frame["label"].to_numpy()
    model = TransferClassifier(cv=2, cache_path=tmp_path / "e.sqlite", device="cpu").fit(X, y)
    before = model.predict_proba(X)
    blob = pickle.dumps(model)  # _FakeModel holds a lock: this fails if the model travels with it
    again = pickle.loads(blob)
    assert not hasattr(again, "cache_")
    np.testing.assert_array_equal(again.predict_proba(X), before)
    encoder = MiniLMEncoder(device="cpu")
    encoder(["load it"])
    assert pickle.loads(pickle.dumps(encoder))._model is None
    assert len(fake_model["loads"]) == 1 and len(fake_model["texts"]) == 61  # the predictions came from the cache


def test_the_encoder_batches_texts_of_one_length_within_its_budget_and_returns_the_given_order(fake_model):
    rng = np.random.default_rng(1)
    texts = [" ".join(["word"] * int(k)) for k in rng.integers(1, 120, 300)]
    out = MiniLMEncoder(device="cpu")(texts)
    np.testing.assert_array_equal(out, np.stack([_vector(t) for t in texts]))
    batches = fake_model["batches"]
    lengths = [len(t) for b in batches for t in b]
    assert lengths == sorted(lengths)  # shortest first
    assert all(len({len(t) for t in b}) == 1 for b in batches)  # one length a batch: nothing padded
    assert all(len(b) == 1 or len(b) * len(b[0]) <= embeddings.CPU_BATCH_TOKENS for b in batches)
    assert max(map(len, batches)) > 1  # texts of one length do share a batch
    fake_model["batches"].clear()
    MiniLMEncoder(device="cpu", batch_size=7)(texts)
    assert [len(b) for b in fake_model["batches"]] == [7] * 42 + [6]


def test_processes_sharing_the_cache_encode_each_text_once(tmp_path, monkeypatch):
    """Two callers at once (threads here; processes alike), half their texts in common, small chunks."""
    monkeypatch.setattr(embeddings, "_CHUNK", 8)
    encoded, go = [], threading.Barrier(2)

    def slow(texts):
        encoded.extend(texts)
        threading.Event().wait(0.02)  # long enough for the other caller to want the same texts
        return np.stack([_vector(t) for t in texts])

    texts = [f"text {i}" for i in range(120)]
    jobs = {"a": texts[:80], "b": texts[40:]}
    out = {}

    def run(name):
        cache = EmbeddingCache(slow, model_id="fake", path=tmp_path / "e.sqlite")
        go.wait()
        out[name] = cache.embed(jobs[name])

    threads = [threading.Thread(target=run, args=(name,)) for name in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(encoded) == sorted(texts)  # each text once, none twice
    for name, asked in jobs.items():
        np.testing.assert_array_equal(out[name], np.stack([_vector(t) for t in asked]))


def _claim(path, text, *, pid, at):
    cache = EmbeddingCache(lambda t: None, model_id="fake", path=path)
    with cache._db() as con:
        con.execute("INSERT INTO claim (key, owner, host, pid, at) VALUES (?, 'other', ?, ?, ?)",
                    (cache._key(text), embeddings.socket.gethostname(), pid, at))
        con.commit()
    return cache


def test_a_claim_of_a_stopped_or_stale_process_does_not_hold_the_text(tmp_path, monkeypatch):
    import subprocess
    import sys

    def no_wait(_):
        raise AssertionError("waited for a claim that is void")

    monkeypatch.setattr(embeddings.time, "sleep", no_wait)
    encoded = []

    def encode(texts):
        encoded.extend(texts)
        return np.stack([_vector(t) for t in texts])

    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    path = tmp_path / "e.sqlite"
    _claim(path, "left by a killed run", pid=gone.pid, at=embeddings.time.time())
    _claim(path, "claimed long ago", pid=embeddings.os.getppid(), at=embeddings.time.time() - 2 * 3600)
    # a live process that started after the claim only has the number of the one that made it
    reused = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        _claim(path, "its number reused", pid=reused.pid, at=embeddings.time.time() - 60)
        EmbeddingCache(encode, model_id="fake", path=path).embed(["left by a killed run", "claimed long ago",
                                                                  "its number reused"])
    finally:
        reused.kill()
        reused.wait()
    assert sorted(encoded) == ["claimed long ago", "its number reused", "left by a killed run"]


def test_a_text_another_live_process_is_encoding_is_waited_for_not_encoded_again(tmp_path, monkeypatch):
    path = tmp_path / "e.sqlite"
    other = _claim(path, "theirs", pid=embeddings.os.getppid(), at=embeddings.time.time())
    encoded, waits = [], []

    def the_other_one_finishes(_):  # stands in for time.sleep: meanwhile the other process stores its text
        waits.append(1)
        with other._db() as con:
            con.execute("INSERT INTO emb (key, dim, vec, used) VALUES (?, ?, ?, 1)",
                        (other._key("theirs"), 8, _vector("theirs").tobytes()))
            con.execute("DELETE FROM claim WHERE owner = 'other'")
            con.commit()

    monkeypatch.setattr(embeddings.time, "sleep", the_other_one_finishes)

    def encode(texts):
        encoded.extend(texts)
        return np.stack([_vector(t) for t in texts])

    out = EmbeddingCache(encode, model_id="fake", path=path).embed(["mine", "theirs"])
    assert encoded == ["mine"] and waits == [1]
    np.testing.assert_array_equal(out, np.stack([_vector("mine"), _vector("theirs")]))
