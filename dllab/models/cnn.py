"""Deep family for images: a small convolutional network over the pixel columns.

The estimator takes the same flat pixel table as the linear model and XGBoost
(``Dataset.X`` of an image dataset) and reshapes it to ``(n, 1, height, width)``
itself. Images with one row (``height == 1``, e.g. MNIST-1D) get 1-D
convolutions. Training is bounded by epochs, not wall-clock time (same seed,
same numbers): AdamW with a one-cycle cosine schedule, light augmentation by
random shifts of up to ``max_shift`` pixels (zero padding), no early stopping.
Randomness uses private generators (shuffling, shifts) and a forked torch
generator (initialisation), as the tabular deep net does.
"""

from __future__ import annotations

import time

import numpy as np
import torch
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.validation import check_array, check_is_fitted
from torch import nn

from ..errors import ConfigError
from ._validation import encode_classes
from .device import resolve_device
from .torch_utils import private_torch_rng, seeds, torch_threads

__all__ = ["CNNClassifier", "cnn_model"]

_BAD_SHAPE = ("image_shape={shape!r} does not fit X with {n} columns; pass (height, width) with "
              "height * width == {n}.")
_BAD_BUDGET = "budget={budget!r} is not valid here; choose 'quick' or 'standard'."

_PRESETS = {
    "quick": dict(channels=(16, 32), d_hidden=64, max_epochs=12, batch_size=128, lr=3e-3),
    "standard": dict(channels=(32, 64), d_hidden=128, max_epochs=30, batch_size=128, lr=3e-3),
}


class _ConvNet(nn.Module):
    """Conv blocks (conv-BN-ReLU twice, then max-pool while the map is 4+ wide) and an MLP head.

    **Shape**

    - Input: ``(B, 1, H, W)``
    - Output: ``(B, d_out)``
    """

    def __init__(self, *, image_shape, channels, d_hidden, d_out, dropout):
        super().__init__()
        h, w = image_shape
        one_d = h == 1
        conv = nn.Conv1d if one_d else nn.Conv2d
        norm = nn.BatchNorm1d if one_d else nn.BatchNorm2d
        pool = nn.MaxPool1d if one_d else nn.MaxPool2d
        k = 5 if one_d else 3
        layers, c_in = [], 1
        size = [w] if one_d else [h, w]
        for c in channels:
            layers += [conv(c_in, c, k, padding=k // 2), norm(c), nn.ReLU(),
                       conv(c, c, k, padding=k // 2), norm(c), nn.ReLU()]
            if min(size) >= 4:  # pool only while the map is still large enough
                layers.append(pool(2))
                size = [s // 2 for s in size]
            c_in = c
        self.one_d = one_d
        self.features = nn.Sequential(*layers)
        d_flat = c_in * int(np.prod(size))
        self.head = nn.Sequential(nn.Flatten(), nn.Dropout(dropout), nn.Linear(d_flat, d_hidden), nn.ReLU(),
                                  nn.Dropout(dropout), nn.Linear(d_hidden, d_out))

    def forward(self, x):
        if self.one_d:
            x = x[:, :, 0, :]
        return self.head(self.features(x))


def _shift(x, max_shift, gen):
    """Random integer shifts of every image by up to ``max_shift`` pixels (zero fill)."""
    if max_shift <= 0:
        return x
    n, _, h, w = x.shape
    sy = max_shift if h > 1 else 0
    padded = nn.functional.pad(x, (max_shift, max_shift, sy, sy))
    dx = torch.randint(0, 2 * max_shift + 1, (n,), generator=gen)
    dy = torch.randint(0, 2 * sy + 1, (n,), generator=gen)
    rows = (dy[:, None] + torch.arange(h)[None, :]).to(x.device)   # (n, h)
    cols = (dx[:, None] + torch.arange(w)[None, :]).to(x.device)   # (n, w)
    idx = torch.arange(n, device=x.device)[:, None, None]
    return padded[:, 0][idx, rows[:, :, None], cols[:, None, :]][:, None]


class CNNClassifier(ClassifierMixin, BaseEstimator):
    """Small convolutional network for greyscale images given as flat pixel columns.

    Parameters
    ----------
    image_shape : (int, int) or None, default=None
        ``(height, width)``; ``None`` takes a square image from the column count.
    channels : tuple of int, default=(32, 64)
        Channels of each conv block (two convolutions, batch norm, max-pool).
    d_hidden : int, default=128
        Width of the hidden layer of the head.
    dropout : float, default=0.1
        Dropout in the head.
    max_shift : int, default=1
        Augmentation: each training image is shifted by up to this many pixels.
    lr : float, default=3e-3
        Peak AdamW learning rate (one-cycle cosine schedule).
    weight_decay : float, default=1e-4
    batch_size : int, default=64
    max_epochs : int, default=40
        Epochs trained (no early stopping: the budget is a number of steps).
    device : {"cpu", "auto", "cuda"}, default="cpu"
    n_threads : int or None, default=None
    random_state : int or None, default=None

    Attributes
    ----------
    classes_, n_features_in_, module_, device_, n_epochs_, history_
        As in :class:`~dllab.models.deep.DeepTabularClassifier`
        (``history_["train_loss"]`` per epoch).
    scale_ : (float, float)
        Mean and standard deviation of the training pixels (inputs are standardised).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = rng.random((60, 16)); y = (X[:, :8].sum(1) > X[:, 8:].sum(1)).astype(int)
    >>> clf = CNNClassifier(image_shape=(4, 4), channels=(4,), d_hidden=8, max_epochs=2, random_state=0)
    >>> clf.fit(X, y).predict_proba(X[:3]).shape
    (3, 2)
    """

    def __init__(self, *, image_shape=None, channels=(32, 64), d_hidden=128, dropout=0.1, max_shift=1,
                 lr=3e-3, weight_decay=1e-4, batch_size=64, max_epochs=40, device="cpu", n_threads=None,
                 random_state=None):
        self.image_shape = image_shape
        self.channels = channels
        self.d_hidden = d_hidden
        self.dropout = dropout
        self.max_shift = max_shift
        self.lr = lr
        self.weight_decay = weight_decay
        self.batch_size = batch_size
        self.max_epochs = max_epochs
        self.device = device
        self.n_threads = n_threads
        self.random_state = random_state

    def _images(self, X, *, reset):
        if hasattr(X, "columns") and reset:
            self.feature_names_in_ = np.asarray(X.columns, dtype=object)
        # The inner check refuses sparse input with scikit-learn's own message.
        arr = check_array(check_array(X, dtype=np.float64), dtype=np.float32)
        if reset:
            self.n_features_in_ = arr.shape[1]
            shape = self.image_shape
            if shape is None:
                side = int(round(np.sqrt(arr.shape[1])))
                shape = (side, side)
            if int(shape[0]) * int(shape[1]) != arr.shape[1]:
                raise ConfigError(_BAD_SHAPE.format(shape=self.image_shape, n=arr.shape[1]))
            self.image_shape_ = (int(shape[0]), int(shape[1]))
        elif arr.shape[1] != self.n_features_in_:
            raise ValueError(f"X has {arr.shape[1]} features, but {type(self).__name__} is expecting "
                             f"{self.n_features_in_} features as input.")
        return arr.reshape(len(arr), 1, *self.image_shape_)

    def fit(self, X, y):
        start = time.perf_counter()
        images = self._images(X, reset=True)
        codes = encode_classes(self, y)
        if len(codes) != len(images):
            raise ValueError(f"X has {len(images)} rows but y has {len(codes)}; pass one label per row.")
        self.device_ = resolve_device(self.device)
        _, shift_seed, torch_seed = (int(s) for s in seeds(self.random_state))
        mean, std = float(images.mean()), float(images.std()) or 1.0
        self.scale_ = (mean, std)
        dev = torch.device(self.device_)
        x = torch.as_tensor((images - mean) / std).to(dev)
        codes = torch.as_tensor(codes).to(dev)
        gen = torch.Generator().manual_seed(shift_seed)
        batch_size = int(max(8, min(self.batch_size, len(x) // 4 or 1)))
        steps = int(self.max_epochs) * int(np.ceil(len(x) / batch_size))
        with torch_threads(self.n_threads, images.size), private_torch_rng(torch_seed, self.device_):
            self.module_ = _ConvNet(image_shape=self.image_shape_, channels=tuple(self.channels),
                                    d_hidden=self.d_hidden, d_out=len(self.classes_),
                                    dropout=self.dropout).to(dev)
            opt = torch.optim.AdamW(self.module_.parameters(), lr=self.lr, weight_decay=self.weight_decay)
            sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=self.lr, total_steps=max(steps, 1))
            self.history_ = {"train_loss": []}
            self.module_.train()
            for _ in range(int(self.max_epochs)):
                total = 0.0
                for batch in torch.randperm(len(x), generator=gen).split(batch_size):
                    batch = batch.to(dev)
                    xb = _shift(x[batch], int(self.max_shift), gen)
                    loss = nn.functional.cross_entropy(self.module_(xb), codes[batch])
                    opt.zero_grad(set_to_none=True)
                    loss.backward()
                    opt.step()
                    sched.step()
                    total += float(loss.detach()) * len(batch)
                self.history_["train_loss"].append(total / len(x))
            self.module_.eval()
        self.n_epochs_ = int(self.max_epochs)
        self.fit_seconds_ = time.perf_counter() - start
        return self

    @torch.inference_mode()
    def predict_proba(self, X):
        check_is_fitted(self, "module_")
        images = self._images(X, reset=False)
        mean, std = self.scale_
        dev = torch.device(self.device_)
        x = torch.as_tensor((images - mean) / std)
        self.module_.eval()
        with torch_threads(self.n_threads, images.size):
            out = [torch.softmax(self.module_(x[i:i + 1024].to(dev)).float(), dim=1).cpu()
                   for i in range(0, len(x), 1024)]
        return torch.cat(out).numpy().astype(np.float64)

    def predict(self, X):
        check_is_fitted(self, "module_")
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]


def cnn_model(task: str, *, image_shape, budget: str = "standard", random_state: int | None = 0,
              device: str = "auto"):
    """The CNN for an image classification task configured for ``budget`` ("quick" or "standard").

    Examples
    --------
    >>> cnn_model("multiclass", image_shape=(8, 8), budget="quick").max_epochs
    12
    """
    if budget not in _PRESETS:
        raise ConfigError(_BAD_BUDGET.format(budget=budget))
    return CNNClassifier(image_shape=tuple(image_shape), random_state=random_state, device=device,
                         **_PRESETS[budget])
