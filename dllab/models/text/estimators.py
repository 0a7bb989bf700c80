"""The text estimators: one classifier and one regressor per family.

- ``TextLinear*``: TF-IDF of word 1-2-grams and character 2-5-grams, with the
  other columns, into logistic (ridge) regression.
- ``TextGBM*``: the same TF-IDF reduced by truncated SVD (latent semantic
  analysis), with the other columns, into XGBoost.
- ``TextNet*`` (deep, from scratch): hashed word uni- and bigrams, an
  ``EmbeddingBag`` (mean), the other columns, and an MLP head.
- ``Transfer*``: frozen all-MiniLM-L6-v2 sentence embeddings (cached on disk)
  and the other columns into a trained logistic (ridge) head.

Every estimator builds its representation of the text columns inside ``fit``
(see :mod:`dllab.models.text.inputs`); torch is imported only by the ones that
use it.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.decomposition import TruncatedSVD
from sklearn.linear_model import LogisticRegressionCV, RidgeCV
from sklearn.model_selection import StratifiedKFold
from sklearn.preprocessing import StandardScaler
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted

from .._validation import check_target, encode_classes
from .embeddings import MINILM_ID, EmbeddingCache, MiniLMEncoder
from .inputs import OtherColumns, Tfidf, batch_bags, hashed_bags, split_text

__all__ = ["TextLinearClassifier", "TextLinearRegressor", "TextGBMClassifier", "TextGBMRegressor",
           "TextNetClassifier", "TextNetRegressor", "TransferClassifier", "TransferRegressor"]


class _TextBase(BaseEstimator):
    """Target checks and the fit/predict skeleton shared by every text family."""

    _classifier = False

    def _check_y(self, y, n):
        target = encode_classes(self, y) if self._classifier else check_target(y, self, classifier=False)
        if len(target) != n:
            raise ValueError(f"X has {n} rows but y has {len(target)}; pass one label per row.")
        return target

    def fit(self, X, y):
        cols, texts, other = split_text(X, self.text_columns)
        self.text_columns_ = cols
        self.n_features_in_ = X.shape[1]
        target = self._check_y(y, len(other))
        self.other_ = OtherColumns().fit(other)
        self._fit(texts, self.other_.transform(other), target)
        return self

    def _features(self, X):
        check_is_fitted(self, "text_columns_")
        _, texts, other = split_text(X, self.text_columns_)
        return texts, self.other_.transform(other)

    @available_if(lambda est: est._classifier)  # regressors have no predict_proba (hasattr says so)
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

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True  # X holds free text
        tags.input_tags.allow_nan = True  # missing text is "", missing numbers are imputed
        return tags


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
        self.tfidf_ = Tfidf(self.max_features)
        Z = self._design(texts, other, fit=True)
        _fit_linear_head(self, Z, target)

    def _predict_proba(self, texts, other):
        return self.model_.predict_proba(self._design(texts, other, fit=False))

    def _predict_values(self, texts, other):
        return self.model_.predict(self._design(texts, other, fit=False))

    def transform_inputs(self, X):
        """``X`` as the head sees it: each text column's TF-IDF, then the other columns' coding (sparse CSR)."""
        return self._design(*self._features(X), fit=False)

    def input_sources(self) -> list:
        """The column of ``X`` behind every column of :meth:`transform_inputs` (a text column owns its terms)."""
        check_is_fitted(self, "tfidf_")
        return self.tfidf_.sources(self.text_columns_) + self.other_.sources()


class TextLinearClassifier(ClassifierMixin, _TextLinearBase):
    """TF-IDF (word 1-2-grams + char 2-5-grams) + other columns into logistic regression.

    ``C`` is chosen from ``Cs`` by inner stratified CV on log loss.

    Examples
    --------
    >>> import pandas as pd
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
            self.tfidf_ = Tfidf(self.max_features)
            tf = self.tfidf_.fit_transform(texts)
            if tf.shape[1] < 2:  # fewer than 2 terms (e.g. every text empty): nothing to reduce, the terms are kept
                self.svd_ = None
                lsa = tf.toarray()
            else:
                k = int(max(1, min(self.n_components, tf.shape[1] - 1, tf.shape[0] - 1)))
                self.svd_ = TruncatedSVD(k, random_state=0 if self.random_state is None else int(self.random_state))
                lsa = self.svd_.fit_transform(tf)
        else:
            tf = self.tfidf_.transform(texts)
            lsa = tf.toarray() if self.svd_ is None else self.svd_.transform(tf)
        return np.hstack([lsa, other])

    def _fit(self, texts, other, target):
        from ..gbm import GBMClassifier, GBMRegressor

        cls = GBMClassifier if self._classifier else GBMRegressor
        self.model_ = cls(random_state=self.random_state, device=self.device, **(self.gbm_params or {}))
        self.model_.fit(self._design(texts, other, fit=True), target)
        self._device = self.model_.device_
        self.n_estimators_ = self.model_.n_estimators_

    def _predict_proba(self, texts, other):
        return self.model_.predict_proba(self._design(texts, other, fit=False))

    def _predict_values(self, texts, other):
        return self.model_.predict(self._design(texts, other, fit=False))

    def transform_inputs(self, X) -> np.ndarray:
        """``X`` as the boosted trees see it: the LSA components of the text, then the other columns' coding."""
        return self._design(*self._features(X), fit=False)

    def input_sources(self) -> list | None:
        """The column of ``X`` behind every column of :meth:`transform_inputs`.

        None with several text columns: the SVD mixes their terms, so no component belongs to one column.
        """
        check_is_fitted(self, "svd_")
        if len(self.text_columns_) > 1:
            return None
        if self.svd_ is None:
            return self.tfidf_.sources(self.text_columns_) + self.other_.sources()
        return [self.text_columns_[0]] * self.svd_.n_components + self.other_.sources()


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

    def _fit(self, texts, other, target):
        import torch
        from torch import nn

        from ..device import resolve_device
        from ..torch_utils import private_torch_rng, seeds, torch_threads

        self._device = resolve_device(self.device)
        _, shuffle_seed, torch_seed = (int(s) for s in seeds(self.random_state))
        self.n_tables_ = len(texts)
        ids, indptr = hashed_bags(texts, self.n_buckets)
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
        with torch_threads(self.n_threads, len(ids) + o.numel()), private_torch_rng(torch_seed, self._device):
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
                    out = self.module_(*batch_bags(ids, indptr, batch), o[batch])
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

        ids, indptr = hashed_bags(texts, self.n_buckets)
        o = torch.as_tensor(self.other_scale_.transform(other) if other.shape[1] else other, dtype=torch.float32)
        with torch.inference_mode():
            outs = [self.module_(*batch_bags(ids, indptr, b), o[b]) for b in torch.arange(len(o)).split(4096)]
        return torch.cat(outs).float()

    def _predict_proba(self, texts, other):
        import torch

        return torch.softmax(self._raw(texts, other), dim=1).numpy()

    def _predict_values(self, texts, other):
        return self._raw(texts, other)[:, 0].numpy() * self.y_scale_ + self.y_mean_


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
            from ..device import resolve_device

            self._device = resolve_device(self.device)
            # A MiniLMEncoder object is cheap: the model it runs is loaded once per process and device and
            # shared by every fold's and family's transfer model; the on-disk cache has each text encoded once.
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

    def __getstate__(self):  # the cache and its encoder stay behind when a fitted model is pickled
        state = self.__dict__.copy()
        state.pop("cache_", None)  # made again on the next predict (the model from the process's shared one)
        return state


class TransferClassifier(ClassifierMixin, _TransferBase):
    """Transfer learning: frozen all-MiniLM-L6-v2 sentence embeddings + logistic-regression head.

    Each text column is embedded (384-d, cached on disk by content hash, see
    :class:`EmbeddingCache`); the embeddings and the other columns feed a
    logistic regression whose ``C`` is chosen by inner CV. Only the rows given
    to ``fit`` and ``predict`` are embedded, each distinct text once across
    folds, families and the processes that share the cache. ``encoder`` may be
    any callable ``list[str] -> (n, d) array`` with a ``model_id`` (tests use a
    fake one); by default a :class:`MiniLMEncoder` on ``device``.
    """

    _classifier = True


class TransferRegressor(RegressorMixin, _TransferBase):
    """Frozen MiniLM sentence embeddings + ridge head (``alpha`` by leave-one-out CV)."""
