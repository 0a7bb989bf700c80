"""Every analysis on every modality and family: a table with a text column, images, text only.

One :class:`dllab.Study` per modality (quick budget, 2 folds, a few hundred rows at most) runs the
families the lab runs there by default, ``transfer`` included on text (with a fake sentence encoder:
no model is loaded). Each (modality, family, analysis) case reads that family's part of the cached
result: the comparison, the data-size curve, the subgroup report, the shift test, the explanation
and the report. Then the exact text explainers by hand, the CLI report on a text CSV, and the bound
of the on-disk embedding cache.
"""

import json
import os
import sqlite3

import numpy as np
import pandas as pd
import pytest

import dllab
from dllab import families as registry
from dllab.analyses.subgroups import Slice
from dllab.config import RunConfig
from dllab.datasets import from_frame, load
from dllab.errors import ConfigError
from dllab.models.text import EmbeddingCache
from dllab.models.text import estimators as text_estimators
from dllab.models.text.embeddings import DEFAULT_MAX_BYTES, MAX_BYTES_ENV

_WORDS = {"yes": ["refund", "approved", "thanks", "great", "quick"],
          "no": ["delay", "broken", "missing", "angry", "late"]}
_FILLER = ["the", "parcel", "order", "was", "about", "my", "new", "item", "from", "shop", "today", "and"]


def _mixed_frame(n=200, seed=0):
    """A table with a free-text column (``note``, 3 to 22 words) whose words, with ``age``, drive ``outcome``."""
    rng = np.random.default_rng(seed)
    outcome = rng.choice(["yes", "no"], n)
    notes = []
    for label in outcome:
        k = int(rng.integers(3, 23))
        words = list(rng.choice(_FILLER, k - 1)) + [str(rng.choice(_WORDS[label if rng.random() < 0.85 else
                                                                         ("no" if label == "yes" else "yes")]))]
        rng.shuffle(words)
        notes.append(" ".join(words))
    return pd.DataFrame({"note": notes, "age": rng.integers(18, 80, n).astype(float),
                         "colour": rng.choice(["red", "green", "blue"], n), "outcome": outcome})


class _FakeEncoder:
    """Stands in for MiniLM (``MiniLMEncoder(device=...)``): keyword indicators and the length."""

    model_id = "fake-encoder"

    def __init__(self, **_):
        pass

    def __call__(self, texts):
        words = ("refund", "approved", "delay", "broken", "free", "call", "txt", "win", "animal", "plant")
        return np.array([[w in t.lower() for w in words] + [len(t) / 100] for t in texts], dtype=np.float32)


@pytest.fixture(scope="module", autouse=True)
def _offline_encoder(tmp_path_factory):
    """The transfer family embeds with :class:`_FakeEncoder`, cached under a temporary folder."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(text_estimators, "MiniLMEncoder", _FakeEncoder)
        mp.setenv("DLLAB_CACHE_DIR", str(tmp_path_factory.mktemp("dllab-cache")))
        yield


# modality -> (dataset, shift column); each small enough for a quick run
_DATA = {
    "table+text": (lambda: from_frame(_mixed_frame(), target="outcome", roles={"note": "text"}, n_folds=2), "note"),
    "images": (lambda: load("digits", max_rows=300, n_folds=2), "px3_4"),
    "text": (lambda: load("sms_spam", max_rows=160, n_folds=2), "text"),
    "text-multiclass": (lambda: load("wordnet_definitions", max_rows=160, n_folds=2), "definition"),
}
#: What the lab runs by default on each (checked against the registry below).
FAMILIES = {"table+text": ("linear", "gbm", "deep", "transfer"), "images": ("linear", "gbm", "deep"),
            "text": ("linear", "gbm", "deep", "transfer"), "text-multiclass": ("linear", "gbm", "deep", "transfer")}
CASES = [(m, f) for m, fams in FAMILIES.items() for f in fams]

# The settings every test asks for, so each analysis is computed once per study and the report reads them.
_SUBGROUPS = dict(min_size=15, n_boot=50)
_SHIFT = dict(max_groups=2, min_size=20)
_EXPLAIN = dict(max_rows=40, background=30, n_boot=20)


class _Studies(dict):
    """One Study per modality, built (and its comparison run) on first use."""

    def __missing__(self, modality):
        ds = _DATA[modality][0]()
        study = dllab.Study(ds, config=RunConfig(budget="quick", n_folds=2, device="cpu", families=None))
        study.run()
        self[modality] = study
        return study


@pytest.fixture(scope="module")
def studies():
    return _Studies()


def _curve(study):
    n_train = len(study.comparison.splits[0][0])
    return study.curve(sizes=(50, n_train), n_seeds=1, n_boot=20)


# =========================================================================== the families run
@pytest.mark.parametrize("modality", list(FAMILIES))
def test_the_cases_cover_every_family_the_lab_runs(studies, modality):
    study = studies[modality]
    assert tuple(study.config.families) == FAMILIES[modality] == registry.default_families(study.dataset)
    expected = "image" if modality == "images" else "text"
    assert study.dataset.modality == expected


# =========================================================================== comparison
@pytest.mark.parametrize("modality,family", CASES)
def test_comparison(studies, modality, family):
    cmp = studies[modality].comparison
    records = [r for r in cmp.records if r.family == family]
    assert len(records) == 2 and all(r.ok for r in records), [r.reason for r in records]
    row = cmp.overall.loc[family]
    assert row["status"] == "ok" and np.isfinite(row["mean"])
    if family == "linear" and modality in ("table+text", "text"):
        assert row["mean"] > 0.75  # the words carry the label


# =========================================================================== data-size curve
@pytest.mark.parametrize("modality,family", CASES)
def test_curve(studies, modality, family):
    lc = _curve(studies[modality])
    assert family in lc.families and len(lc.sizes) == 2
    band = lc.band(family)
    assert (band["n_ok"] >= 1).all() and np.isfinite(band["mean"]).all(), band
    assert family in [m["name"] for m in lc.to_dict()["models"]]


# =========================================================================== subgroups
@pytest.mark.parametrize("modality,family", CASES)
def test_subgroups(studies, modality, family):
    study = studies[modality]
    rep = study.subgroups(**_SUBGROUPS)
    assert family in rep.families and np.isfinite(rep.overall.loc[family, "score"])
    mine = rep.frame[rep.frame.family == family]
    assert len(mine) == len(rep.slices) > 0
    assert np.isfinite(mine.loc[mine["size"] > 0, "score"]).all()
    assert isinstance(rep.findings(), list)


@pytest.mark.parametrize("modality", list(FAMILIES))
def test_subgroup_slices_fit_the_modality(studies, modality):
    study = studies[modality]
    ds = study.dataset
    rep = study.subgroups(**_SUBGROUPS)
    columns = {c for s in rep.slices for c in s.columns}
    if modality == "images":  # by class, never by pixel
        assert columns == {ds.target}
        assert {s.description for s in rep.slices} >= {f"{ds.target} = {k}" for k in range(10)}
    elif modality == "table+text":
        assert columns == {"note", "age", "colour"}
    else:
        assert columns == set(ds.feature_columns)
    for s in rep.to_dict()["slices"]:  # JSON conditions re-apply to the data
        assert Slice(s["conditions"]).mask(ds.frame).sum() == s["size"]
    for col in ds.meta.get("text_columns", ()):  # a text column is sliced by its words per text
        words = [s for s in rep.slices if s.columns == (col,)]
        assert len(words) >= 3 and all(c.get("measure") == "words" for s in words for c in s.conditions)
        assert all(f"words in {col} " in s.description for s in words), [s.description for s in words]


@pytest.mark.parametrize("modality,family", CASES)
def test_shift_test(studies, modality, family):
    study = studies[modality]
    column = _DATA[modality][1]
    rows = [r for r in study.shift(column, **_SHIFT) if r["family"] == family]
    assert len(rows) == 2 and all(r["status"] == "ok" for r in rows), [r["reason"] for r in rows]
    assert all(np.isfinite(r["drop"]) and r["size"] >= 20 for r in rows)
    if column in study.dataset.meta.get("text_columns", ()):  # held out by length: short texts, long texts
        assert all("words in" in r["group"] for r in rows)


# =========================================================================== explanation
@pytest.mark.parametrize("modality,family", CASES)
def test_explanation(studies, modality, family):
    study = studies[modality]
    ds = study.dataset
    ex = study.explanation(**_EXPLAIN)
    assert family in ex.families and ex.columns == list(ds.feature_columns)
    assert ex.additivity_max_error[family] <= ex.additivity_tolerance[family], ex.methods[family]
    values = ex.values(family)
    assert list(values.columns) == ex.columns and np.isfinite(values.to_numpy()).all()
    assert ex.n_rows[family] >= min(10, ex.rows_explained)
    method = ex.methods[family]
    if ds.modality == "text":  # one value per text column, by the method the family's model allows
        expected = {"linear": "exact linear SHAP", "gbm": "exact TreeSHAP"}.get(family, "antithetic permutation sampling")
        assert method.startswith(expected) and "text" in method, method
    else:
        m = ex.pixel_map(family, 0)
        assert m.attribution.shape == ds.meta["image_shape"] and m.additivity_error <= ex.additivity_tolerance[family]
    local = ex.local(0)
    assert family in local.columns and len(local) == len(ex.columns) + 2


def test_the_words_drive_the_text_models_explanations(studies):
    ex = studies["table+text"].explanation(**_EXPLAIN)
    for family in ("linear", "gbm"):  # the note decides 85% of the labels; age and colour nothing
        assert ex.importance[family].idxmax() == "note", (family, ex.importance[family].to_dict())


# =========================================================================== report
@pytest.mark.parametrize("modality", list(FAMILIES))
def test_report(studies, modality):
    from dllab.present.report import to_json_bytes

    study = studies[modality]
    _curve(study), study.subgroups(**_SUBGROUPS), study.explanation(**_EXPLAIN)
    html = study.to_html()
    for section in ('id="explain"', "Subgroups", "Data size"):
        assert section in html, section
    for family in FAMILIES[modality]:
        assert registry.label(family) in html
    doc = json.loads(to_json_bytes(study.to_dict()))
    assert {m["name"] for m in doc["explanations"]["models"]} == set(FAMILIES[modality])
    assert set(doc["subgroups"]["families"]) == set(FAMILIES[modality])


def test_cli_report_on_a_text_csv_exits_0(tmp_path, capsys):
    from dllab.apps import cli

    csv = tmp_path / "notes.csv"
    _mixed_frame(120).rename(columns={"outcome": "label"})[["note", "label"]].to_csv(csv, index=False)
    out = tmp_path / "report.html"
    rc = cli.main(["report", str(csv), "--target", "label", "--role", "note=text", "--budget", "quick",
                   "--folds", "2", "--out", str(out), "--quiet"])
    assert rc == 0, capsys.readouterr().err
    html = out.read_text(encoding="utf-8")
    assert 'id="explain"' in html and registry.label("transfer") in html


# =========================================================================== the text explainers by hand
def test_text_linear_shap_of_a_text_column_is_its_whole_interventional_effect(studies):
    """phi(note) = f(row) - mean over the background of f(row with the background's note), exactly (linear f)."""
    study = studies["table+text"]
    ds = study.dataset
    ex = study.explanation(**_EXPLAIN)
    model = study.comparison.models("linear")[0]

    def logit(X):
        p = model.predict_proba(X)
        return np.log(p[:, 1]) - np.log(p[:, 0])

    bg = ex.background_rows
    for row in ex.rows[:5]:
        X = ds.X.iloc[[row] * len(bg)].reset_index(drop=True)
        X["note"] = ds.X["note"].iloc[bg].to_numpy()
        by_hand = logit(ds.X.iloc[[row]])[0] - logit(X).mean()
        assert ex.values("linear").loc[row, "note"] == pytest.approx(by_hand, abs=1e-6)


def test_boosting_on_two_text_columns_says_it_falls_back_to_sampling():
    df = _mixed_frame(160)
    df["title"] = df["note"].str.split().str[:2].str.join(" ")
    ds = from_frame(df, target="outcome", roles={"note": "text", "title": "text"}, n_folds=2)
    study = dllab.Study(ds, config=RunConfig(budget="quick", n_folds=2, device="cpu", families=("linear", "gbm")))
    ex = study.explanation(**_EXPLAIN)
    assert ex.methods["gbm"].startswith("no exact TreeSHAP per column (one SVD mixes the text columns' terms)")
    assert "antithetic permutation sampling" in ex.methods["gbm"]
    assert ex.methods["linear"].startswith("exact linear SHAP")  # TF-IDF terms belong to one column each
    for family in ex.families:
        assert ex.additivity_max_error[family] <= ex.additivity_tolerance[family]
        assert set(ex.importance[family].index) == {"note", "title", "age", "colour"}


# =========================================================================== the embedding cache's bound
def _vectors(calls):
    def encode(texts):
        calls.append(list(texts))
        return np.ones((len(texts), 256), dtype=np.float32)  # 1 KiB per embedding
    return encode


def test_embedding_cache_stays_within_its_bound_and_evicts_the_least_recently_used(tmp_path):
    calls = []
    path = tmp_path / "emb.sqlite"
    cache = EmbeddingCache(_vectors(calls), model_id="fake", path=path, max_bytes=100_000)
    cache.embed([f"a{i}" for i in range(30)])
    assert cache.n_evicted == 0 and path.stat().st_size <= 100_000
    cache.embed(["a0"])  # a0 is now the most recently used of the a's
    cache.embed([f"b{i}" for i in range(40)])  # more than the bound holds
    assert cache.n_evicted > 0 and path.stat().st_size <= 100_000
    calls.clear()
    cache.embed(["a0", "a1", "b39"])
    assert calls == [["a1"]]  # a1 (used longest ago) was evicted; a0 and the newest b's were kept
    for k in range(10):
        cache.embed([f"c{k}-{i}" for i in range(50)])
        assert path.stat().st_size <= 100_000


def test_embedding_cache_bound_comes_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.delenv(MAX_BYTES_ENV, raising=False)
    assert EmbeddingCache(_vectors([]), model_id="f", path=tmp_path / "e.sqlite").max_bytes == DEFAULT_MAX_BYTES == 2**30
    monkeypatch.setenv(MAX_BYTES_ENV, "200K")
    assert EmbeddingCache(_vectors([]), model_id="f", path=tmp_path / "e.sqlite").max_bytes == 200 * 1024
    monkeypatch.setenv(MAX_BYTES_ENV, "12345")
    assert EmbeddingCache(_vectors([]), model_id="f", path=tmp_path / "e.sqlite").max_bytes == 12345
    monkeypatch.setenv(MAX_BYTES_ENV, "lots")
    with pytest.raises(ConfigError, match=f"{MAX_BYTES_ENV}='lots' is not a size"):
        EmbeddingCache(_vectors([]), model_id="f", path=tmp_path / "e.sqlite")


def test_embedding_cache_from_before_the_bound_is_bounded_too(tmp_path):
    path = tmp_path / "old.sqlite"
    con = sqlite3.connect(path)  # the old layout: no recency column, no incremental vacuum
    con.execute("CREATE TABLE emb (key TEXT PRIMARY KEY, dim INTEGER, vec BLOB)")
    con.executemany("INSERT INTO emb VALUES (?, ?, ?)",
                    [(f"k{i}", 256, np.ones(256, np.float32).tobytes()) for i in range(300)])
    con.commit()
    con.close()
    assert os.path.getsize(path) > 300_000
    calls = []
    cache = EmbeddingCache(_vectors(calls), model_id="fake", path=path, max_bytes=100_000)
    assert cache.embed(["new text"]).shape == (1, 256) and calls == [["new text"]]
    assert cache.n_evicted > 0 and os.path.getsize(path) <= 100_000
    calls.clear()
    cache.embed(["new text"])
    assert calls == []  # the newest entry survived the eviction


def test_boosting_fits_and_explains_a_text_column_with_no_terms():
    """Every text empty: no term to reduce, so no SVD (which needs 2 terms); the other columns still count."""
    from dllab.models.text import TextGBMClassifier

    rng = np.random.default_rng(0)
    X = pd.DataFrame({"note": [""] * 80, "age": rng.normal(size=80)})
    y = (X["age"] > 0).astype(int).to_numpy()
    model = TextGBMClassifier(text_columns=["note"], gbm_params=dict(n_estimators=30)).fit(X, y)
    assert model.svd_ is None and model.input_sources() == ["age"]
    assert model.transform_inputs(X).shape == (80, 1) and (model.predict(X) == y).mean() > 0.9
