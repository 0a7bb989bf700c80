"""Deep family: TabM-mini (an efficient ensemble of MLPs) with piecewise-linear embeddings.

The network follows Gorishniy et al. (TabM, ICLR 2025): numerics are
quantile-normalised and embedded piecewise-linearly (``rtdl_num_embeddings``,
version "B"), categories are one-hot coded, and ``k`` MLPs that share all their
weights except one multiplicative adapter are trained in parallel on the same
batches; the prediction is the mean of the ``k`` members. Because the members
share the weights, a batch of ``B`` rows becomes one ``(B * k, d)`` matmul per
layer, which keeps a CPU busy with large matmuls rather than Python overhead.
``arch="mlp"`` gives a plain MLP with the same embeddings, for comparison.

Randomness never touches the caller's state: shuffling and the inner split use
their own generators, and module initialisation and dropout (which draw from
torch's global generator) run inside
:func:`~dllab.models.torch_utils.private_torch_rng`, which seeds a forked copy and
restores the caller's state afterwards.
"""

from __future__ import annotations

import contextlib
import math
import time
import warnings

import numpy as np
import torch
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.model_selection import train_test_split
from sklearn.utils.validation import check_is_fitted
from torch import nn

from ..errors import ConfigError
from .preprocessing import DeepPreprocessor
from ._validation import check_features, check_target, encode_classes
from .device import resolve_device
from .torch_utils import private_torch_rng, seeds, torch_threads

__all__ = ["DeepTabularClassifier", "DeepTabularRegressor", "deep_model"]

_BAD_ARCH = "arch={arch!r} is not valid; choose 'tabm-mini' or 'mlp'."
_BAD_BUDGET = "budget={budget!r} is not valid here; choose 'quick' or 'standard'."

# Budget presets, chosen by measurement on 2 CPU cores (issues 3 and 16).
# No dropout: on CPU drawing the masks (bernoulli_) costs about as much as the layer's
# matmul (k=8, 2x256, batch 512: 31 ms/step without, 42-45 ms with dropout 0.1), and
# the ensemble + weight decay + early stopping regularise enough.
#
# Cost is bounded by optimisation steps or epochs, not seconds: a wall-clock cap made the
# same seed give different models on a busy machine (and so broke the cache key and the
# "same seed, same numbers" rule). ``quick``'s 300 steps of 512 rows take ~10 s on
# 33,000 x 20 rows on 2 quiet cores in float32.
#
# ``standard`` (issue 16): one fit of fold 0 of California's 5-fold split, one thread, against
# XGBoost's 0.444 RMSE in 2.2 s on the same fold (RMSE x 100k; fit seconds):
#   the former preset (batch 512, constant lr 2e-3, patience 16, <= 4,000 steps)  0.454  121 s
#   cosine decay over 30 epochs, batch 512, float32                              0.498   39 s
#     ... in bfloat16 autocast (same RMSE to 4 digits)                           0.498   18 s
#   bfloat16, cosine 40 epochs: batch 256 0.473 (22 s), 128 0.457 (23 s), 64 0.447 (28 s)
#   bfloat16, batch 128, cosine 40 epochs, lr 1e-3 / 2e-3 / 4e-3      0.479 / 0.457 / 0.445  21-25 s
#   bfloat16, batch 128, constant lr 2e-3, patience 8 (48 epochs)                0.456   32 s
#   bfloat16, batch 64, lr 3e-3, cosine 30 epochs (the preset's settings)       0.445   18 s
#   d_block 128 instead of 256 (batch 128, 40 epochs)                            0.475   12 s
# Small batches help most: about 200 steps per epoch (batch "auto": n / 200, a power of two)
# with a cosine decay to zero reaches the former quality in a seventh of the time, and bfloat16
# autocast (AVX512-BF16 here) halves each step at the same RMSE. On Adult (fold 0, XGBoost
# 0.875 in 1.9 s) batch 64 / 128 / 256 with lr 3e-3 / 4e-3 / 6e-3 gave 0.864 / 0.863 / 0.863 in
# 48 / 41 / 38 s, with the best epoch at 9: patience 8 ends those fits at about epoch 17.
# min_steps keeps small tables (8 steps per epoch) training about as long as before.
_PRESETS = {
    "quick": dict(arch="tabm-mini", k=8, n_blocks=2, d_block=128, d_embedding=8, n_bins=32, dropout=0.0,
                  batch_size=512, lr=3e-3, max_epochs=40, patience=6, max_steps=300, precision="auto"),
    "standard": dict(arch="tabm-mini", k=8, n_blocks=2, d_block=256, d_embedding=16, n_bins=48,
                     dropout=0.0, batch_size="auto", lr=3e-3, lr_schedule="cosine", warmup=0.05, max_epochs=30,
                     min_steps=1500, patience=8, max_steps=None, precision="auto"),
}


# ======================================================================================
# Network
# ======================================================================================
class _TabularNet(nn.Module):
    """Embeddings + (TabM-mini or plain) MLP backbone + one head per member.

    **Shape**

    - Input: ``x_num (B, n_num)``, ``x_flat (B, n_flat)``
    - Output: ``(B, k, d_out)`` (``k`` is 1 for ``arch="mlp"``)
    """

    def __init__(self, *, bins, flat_sizes, d_out, arch, k, n_blocks, d_block, dropout, d_embedding):
        import rtdl_num_embeddings
        import tabm

        super().__init__()
        self.num = None
        d_features = list(flat_sizes)
        if bins:
            with warnings.catch_warnings():  # one-bin features are fine (a min-max scaled column)
                warnings.simplefilter("ignore", UserWarning)
                self.num = rtdl_num_embeddings.PiecewiseLinearEmbeddings(
                    bins, d_embedding, activation=False, version="B")
            d_features = [d_embedding] * len(bins) + d_features
        d_in = sum(d_features)
        self.k = k if arch == "tabm-mini" else 1
        if arch == "tabm-mini":
            # All layers shared; a per-member scaling of the input (initialised one
            # value per feature chunk, as TabM.make does) makes the members differ.
            self.ensemble = tabm.EnsembleView(k=k)
            self.backbone = tabm.make_tabm_backbone(
                d_in=d_in, n_blocks=n_blocks, d_block=d_block, dropout=dropout, k=k,
                arch_type="tabm-mini", start_scaling_init="normal",
                start_scaling_init_chunks=d_features)
            self.head = tabm.LinearEnsemble(d_block, d_out, k=k)
        else:
            self.ensemble = None
            self.backbone = tabm.MLPBackbone(d_in=d_in, n_blocks=n_blocks, d_block=d_block,
                                             dropout=dropout)
            self.head = nn.Linear(d_block, d_out)
        if dropout == 0:  # nn.Dropout(0) still draws a mask, which costs as much as a matmul on CPU
            for block in self.backbone.blocks:
                block[2] = nn.Identity()
        # Forward FLOPs per row of the matmuls (embeddings, backbone, head).
        flops = 0
        if bins:
            flops += 2 * len(bins) * (self.num.impl.get_max_n_bins() + 1) * d_embedding
        widths = [d_in] + [d_block] * n_blocks
        flops += 2 * self.k * sum(a * b for a, b in zip(widths[:-1], widths[1:]))
        flops += 2 * self.k * d_block * d_out
        self.forward_flops = flops

    def forward(self, x_num, x_flat):
        parts = []
        if self.num is not None:
            parts.append(self.num(x_num).flatten(1))
        if x_flat.shape[1]:
            parts.append(x_flat)
        x = torch.cat(parts, dim=1) if len(parts) > 1 else parts[0]
        x = self.ensemble(x) if self.ensemble is not None else x[:, None]
        return self.head(self.backbone(x))


def _batch_size(batch_size, n_rows: int) -> int:
    """``batch_size``, or for ``"auto"`` the power of two nearest ``n_rows / 200`` within [32, 512]: about
    200 steps per epoch whatever the size (measured on California and Adult: see ``_PRESETS``)."""
    if batch_size == "auto":
        return int(min(512, max(32, 2 ** round(math.log2(max(1.0, n_rows / 200))))))
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
        raise ConfigError(f"batch_size={batch_size!r} is not valid; give a whole number of rows (1 or more) or 'auto'.")
    return int(batch_size)


def _schedule(kind: str, warmup: float, horizon: int):
    """The learning-rate factor per step: linear warm-up over ``warmup`` of ``horizon`` steps, then
    constant or a cosine decay to zero at ``horizon``."""
    if kind not in ("constant", "cosine"):
        raise ConfigError(f"lr_schedule={kind!r} is not valid; choose 'constant' or 'cosine'.")
    n_warm = max(0, int(round(warmup * horizon)))

    def factor(step: int) -> float:
        if step < n_warm:
            return (step + 1) / n_warm
        if kind == "constant":
            return 1.0
        return 0.5 * (1.0 + math.cos(math.pi * min(1.0, (step - n_warm) / max(1, horizon - n_warm))))

    return factor


def _precision(precision: str, device_type: str) -> str:
    """``"bfloat16"`` or ``"float32"`` for a requested ``"auto"``, ``"bfloat16"`` or ``"float32"``.

    ``auto`` is bfloat16 where the hardware computes it natively (a CUDA GPU that supports it; a CPU
    with AVX512-BF16 or AMX), float32 elsewhere, where bfloat16 would be emulated and slower.
    """
    if precision not in ("auto", "float32", "bfloat16"):
        raise ConfigError(f"precision={precision!r} is not valid; choose 'auto', 'float32' or 'bfloat16'.")
    if precision != "auto":
        return precision
    if device_type == "cuda":
        return "bfloat16" if torch.cuda.is_bf16_supported() else "float32"
    native = any(getattr(torch.cpu, probe, lambda: False)()
                 for probe in ("_is_avx512_bf16_supported", "_is_amx_tile_supported"))
    return "bfloat16" if native else "float32"


def _autocast(precision: str, device_type: str):
    """A context for the forward pass: bfloat16 autocast for ``"bfloat16"``, else nothing."""
    if precision == "float32":
        return contextlib.nullcontext
    return lambda: torch.autocast(device_type=device_type, dtype=torch.bfloat16)


# ======================================================================================
# Estimators
# ======================================================================================
class _DeepBase(BaseEstimator):
    """Shared preprocessing, training loop and prediction; subclasses set the loss."""

    _classifier = False

    def __init__(self, *, arch="tabm-mini", k=8, n_blocks=2, d_block=256, dropout=0.1, d_embedding=16,
                 n_bins=48, lr=2e-3, weight_decay=3e-4, batch_size=512, max_epochs=200, patience=16,
                 max_steps=None, min_steps=0, max_time=None, lr_schedule="constant", warmup=0.0,
                 precision="float32", validation_fraction=0.2, device="cpu", n_threads=None, random_state=None):
        self.arch = arch
        self.k = k
        self.n_blocks = n_blocks
        self.d_block = d_block
        self.dropout = dropout
        self.d_embedding = d_embedding
        self.n_bins = n_bins
        self.lr = lr
        self.weight_decay = weight_decay
        self.batch_size = batch_size
        self.max_epochs = max_epochs
        self.patience = patience
        self.max_steps = max_steps
        self.min_steps = min_steps
        self.max_time = max_time
        self.lr_schedule = lr_schedule
        self.warmup = warmup
        self.precision = precision
        self.validation_fraction = validation_fraction
        self.device = device
        self.n_threads = n_threads
        self.random_state = random_state

    # -- input checks ----------------------------------------------------------------
    def _check_X(self, X, *, reset):
        return check_features(self, X, reset=reset)

    def _check_y(self, y):
        return check_target(y, self, classifier=self._classifier)

    # -- training --------------------------------------------------------------------
    def _fit(self, X, y, *, d_out, stratify):
        if self.arch not in ("tabm-mini", "mlp"):
            raise ConfigError(_BAD_ARCH.format(arch=self.arch))
        self.device_ = resolve_device(self.device)
        split_seed, prep_seed, torch_seed = (int(s) for s in seeds(self.random_state))
        start = time.perf_counter()

        n_val = int(round(self.validation_fraction * len(X))) if self.validation_fraction else 0
        use_val = n_val >= 10 and len(X) - n_val >= 10
        if use_val and stratify is not None and np.bincount(stratify).min() < 2:
            stratify = None
        if use_val:
            idx_tr, idx_val = train_test_split(np.arange(len(X)), test_size=n_val,
                                               random_state=split_seed, stratify=stratify)
        else:
            idx_tr, idx_val = np.arange(len(X)), np.arange(0)

        self.preprocessor_ = DeepPreprocessor(random_state=prep_seed).fit(X.iloc[idx_tr])
        # Too few rows for quantile bins: the numbers go to the flat block as they are.
        self._use_num = bool(self.preprocessor_.num_columns_) and len(idx_tr) >= 3
        x_num, x_flat = self._inputs(X)
        bins = None
        if self._use_num:
            from rtdl_num_embeddings import compute_bins

            n_bins = int(min(self.n_bins, len(idx_tr) - 1))
            bins = compute_bins(torch.as_tensor(x_num[idx_tr]), n_bins=n_bins)
        flat_sizes = [1] * (x_flat.shape[1] - sum(self.preprocessor_.flat_sizes_)) \
            + list(self.preprocessor_.flat_sizes_)

        dev = torch.device(self.device_)
        t_num, t_flat, t_y = (torch.as_tensor(a).to(dev) for a in (x_num, x_flat, y))
        cells = x_num.size + x_flat.size
        with torch_threads(self.n_threads, cells), private_torch_rng(torch_seed, self.device_):
            self.module_ = _TabularNet(
                bins=bins, flat_sizes=flat_sizes, d_out=d_out, arch=self.arch, k=self.k,
                n_blocks=self.n_blocks, d_block=self.d_block, dropout=self.dropout,
                d_embedding=self.d_embedding).to(dev)
            self._train(t_num, t_flat, t_y, torch.as_tensor(idx_tr), torch.as_tensor(idx_val),
                        seed=torch_seed, start=start)
        self.flops_per_row_ = 3 * self.module_.forward_flops  # backward ~ 2 x forward
        return self

    def _train(self, x_num, x_flat, y, idx_tr, idx_val, *, seed, start):
        module = self.module_
        # fused: one kernel for all parameters instead of a dozen small ops per tensor
        optimizer = torch.optim.AdamW(module.parameters(), lr=self.lr, weight_decay=self.weight_decay,
                                      fused=True)
        shuffle = torch.Generator().manual_seed(seed)
        # Small data gets smaller batches (at least ~8 steps per epoch), else a few
        # hundred rows would train on one step per epoch.
        batch_size = int(max(1, min(_batch_size(self.batch_size, len(idx_tr)), max(32, math.ceil(len(idx_tr) / 8)))))
        self.batch_size_ = batch_size
        # Small data trains at least min_steps (whole epochs), however few rows an epoch has.
        per_epoch = math.ceil(len(idx_tr) / batch_size)
        max_epochs = max(int(self.max_epochs), math.ceil(int(self.min_steps or 0) / per_epoch))
        horizon = max_epochs * per_epoch
        if self.max_steps is not None:
            horizon = min(horizon, int(self.max_steps))
        scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, _schedule(self.lr_schedule, self.warmup, horizon))
        self.precision_ = _precision(self.precision, x_num.device.type)
        autocast = _autocast(self.precision_, x_num.device.type)
        best_loss, best_state, bad_epochs = math.inf, None, 0
        self.history_ = {"train_loss": [], "val_loss": []}
        self.best_epoch_, self.n_epochs_, self.n_steps_ = 0, 0, 0
        out_of_time = out_of_steps = False
        for epoch in range(max_epochs):
            module.train()
            total, seen = 0.0, 0
            for batch in idx_tr[torch.randperm(len(idx_tr), generator=shuffle)].split(batch_size):
                batch = batch.to(x_num.device)
                with autocast():
                    out = module(x_num[batch], x_flat[batch])  # (B, k, d_out)
                loss = self._member_loss(out.float(), y[batch])
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                optimizer.step()
                scheduler.step()
                total += loss.detach() * len(batch)  # no .item() per step: no device sync
                seen += len(batch)
                self.n_steps_ += 1
                if self.max_steps is not None and self.n_steps_ >= self.max_steps:
                    out_of_steps = True
                    break
                if self.max_time is not None and time.perf_counter() - start > self.max_time:
                    out_of_time = True
                    break
            self.n_epochs_ = epoch + 1
            self.history_["train_loss"].append(float(total) / max(seen, 1))
            if len(idx_val):
                with autocast():  # the training's precision: in float32 this pass cost ~15% of an epoch
                    out = self._raw_predict(x_num[idx_val.to(x_num.device)], x_flat[idx_val.to(x_num.device)])
                val = self._mean_loss(out.float(), y[idx_val.to(y.device)])
            else:
                val = float("nan")
            self.history_["val_loss"].append(val)
            if len(idx_val) == 0 or val < best_loss:
                best_loss, bad_epochs, self.best_epoch_ = val, 0, epoch
                best_state = {n: t.detach().clone() for n, t in module.state_dict().items()}
            else:
                bad_epochs += 1
            if out_of_time or out_of_steps or bad_epochs >= self.patience:
                break
        if best_state is not None:  # restore the best checkpoint
            module.load_state_dict(best_state)
        module.eval()

    @torch.inference_mode()
    def _raw_predict(self, x_num, x_flat):
        """Members' outputs ``(n, k, d_out)`` in large eval batches."""
        self.module_.eval()
        step = max(1024, 65536 // self.module_.k)
        outs = [self.module_(x_num[i:i + step], x_flat[i:i + step]) for i in range(0, len(x_num), step)]
        return torch.cat(outs) if outs else torch.zeros((0, self.module_.k, 1))

    def _inputs(self, X):
        """``(x_num, x_flat)`` arrays as the module expects them."""
        x_num, x_flat = self.preprocessor_.transform(X)
        if not self._use_num:
            x_flat = np.concatenate([x_num, x_flat], axis=1)
            x_num = x_num[:, :0]
        if x_num.shape[1] + x_flat.shape[1] == 0:  # only constant columns: feed one zero
            x_flat = np.zeros((len(X), 1), dtype=np.float32)
        return x_num, x_flat

    def _predict_members(self, X):
        check_is_fitted(self, "module_")
        X = self._check_X(X, reset=False)
        x_num, x_flat = self._inputs(X)
        dev = torch.device(self.device_)
        with torch_threads(self.n_threads, x_num.size + x_flat.size):
            return self._raw_predict(torch.as_tensor(x_num).to(dev), torch.as_tensor(x_flat).to(dev))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        return tags


class DeepTabularClassifier(ClassifierMixin, _DeepBase):
    """TabM-mini classifier with piecewise-linear embeddings, early-stopped on an inner split.

    Parameters
    ----------
    arch : {"tabm-mini", "mlp"}, default="tabm-mini"
        ``tabm-mini``: ``k`` weight-sharing MLPs trained together and averaged;
        ``mlp``: one plain MLP (``k`` is ignored).
    k : int, default=8
        Ensemble members.
    n_blocks : int, default=2
        Hidden layers (Linear-ReLU-Dropout).
    d_block : int, default=256
        Hidden width.
    dropout : float, default=0.1
    d_embedding : int, default=16
        Size of each numeric feature's piecewise-linear embedding.
    n_bins : int, default=48
        Quantile bins per numeric feature for the embedding.
    lr : float, default=2e-3
        AdamW's peak learning rate.
    weight_decay : float, default=3e-4
    batch_size : int, default=512
        Rows per step; smaller when the data would give fewer than ~8 steps
        per epoch (see ``batch_size_``).
    max_epochs : int, default=200
    patience : int, default=16
        Epochs without a better validation loss before stopping.
    max_steps : int or None, default=None
        Optimisation steps after which training stops (the epoch in progress
        is validated first). The budgets bound cost this way because it is
        deterministic.
    min_steps : int, default=0
        Train at least this many steps (whole epochs, still within
        ``max_steps``): on small data ``max_epochs`` alone would be a few
        hundred steps.
    lr_schedule : {"constant", "cosine"}, default="constant"
        ``cosine`` decays the learning rate to zero over the planned steps
        (``max_epochs`` epochs, or ``min_steps``/``max_steps`` where they bind).
    warmup : float, default=0.0
        Share of the planned steps over which the learning rate rises linearly
        from ~0 to ``lr``.
    precision : {"float32", "bfloat16", "auto"}, default="float32"
        The forward pass's number format (autocast; the loss, the weights and
        the optimiser stay float32). ``auto``: bfloat16 where the hardware has
        it natively (AVX512-BF16 or AMX CPUs, recent GPUs), else float32.
        Prediction is float32 either way.
    max_time : float or None, default=None
        Seconds after which training stops (checked after every batch); the
        best checkpoint so far is kept. A safety cap for interactive use: it
        makes the result depend on the machine's load, so no budget sets it.
    validation_fraction : float, default=0.2
        Stratified share of the training rows held out for early stopping
        (none when it would leave fewer than 10 rows on either side).
    device : {"cpu", "auto", "cuda"}, default="cpu"
    n_threads : int or None, default=None
        Torch threads during fit/predict (default: the cores available); the
        caller's setting is restored afterwards.
    random_state : int or None, default=None

    Attributes
    ----------
    classes_ : ndarray
    n_features_in_ : int
    module_ : torch.nn.Module
    device_ : {"cpu", "cuda"}
    n_epochs_ : int
        Epochs run (the last one may be cut short by ``max_steps`` or ``max_time``).
    n_steps_ : int
        Optimisation steps taken.
    best_epoch_ : int
        0-based epoch whose weights were restored.
    history_ : dict
        ``train_loss`` and ``val_loss`` (ensemble log loss) per epoch.
    batch_size_ : int
        Batch size used.
    precision_ : {"float32", "bfloat16"}
        The forward pass's number format in training.
    flops_per_row_ : int
        Training FLOPs (forward + backward) per row, for throughput figures.

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> X, y = make_classification(300, 5, random_state=0)
    >>> clf = DeepTabularClassifier(d_block=32, max_epochs=20, random_state=0).fit(X, y)
    >>> clf.predict_proba(X[:2]).shape, clf.score(X, y) > 0.85
    ((2, 2), True)
    """

    _classifier = True

    def fit(self, X, y):
        X = self._check_X(X, reset=True)
        codes = encode_classes(self, y)
        if len(codes) != len(X):
            raise ValueError(f"X has {len(X)} rows but y has {len(codes)}; pass one label per row.")
        return self._fit(X, codes, d_out=len(self.classes_), stratify=codes)

    @staticmethod
    def _member_loss(out, y):
        k = out.shape[1]
        return nn.functional.cross_entropy(out.flatten(0, 1), y.repeat_interleave(k))

    @staticmethod
    def _mean_loss(out, y):
        proba = torch.softmax(out, dim=-1).mean(1)
        return float(nn.functional.nll_loss(torch.log(proba.clamp_min(1e-12)), y))

    def predict_proba(self, X):
        """Class probabilities, the mean of the members' softmax outputs."""
        out = self._predict_members(X)
        return torch.softmax(out.float(), dim=-1).mean(1).cpu().numpy().astype(np.float64)

    def predict(self, X):
        check_is_fitted(self, "module_")  # before reading classes_
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]


class DeepTabularRegressor(RegressorMixin, _DeepBase):
    """TabM-mini regressor with piecewise-linear embeddings, early-stopped on an inner split.

    The target is standardised with the training rows' mean and std for
    training and mapped back at predict. Parameters and attributes are those of
    :class:`DeepTabularClassifier` (``history_`` holds the MSE of the
    standardised target).

    Examples
    --------
    >>> from sklearn.datasets import make_regression
    >>> X, y = make_regression(300, 5, noise=1.0, random_state=0)
    >>> reg = DeepTabularRegressor(d_block=32, max_epochs=30, random_state=0).fit(X, y)
    >>> reg.predict(X[:3]).shape, reg.score(X, y) > 0.8
    ((3,), True)
    """

    def fit(self, X, y):
        X = self._check_X(X, reset=True)
        y = np.asarray(self._check_y(y), dtype=np.float64)
        if len(y) != len(X):
            raise ValueError(f"X has {len(X)} rows but y has {len(y)}; pass one target per row.")
        if not np.isfinite(y).all():
            raise ValueError("Input y contains NaN or infinity; drop those rows or impute the target.")
        self.y_mean_ = float(y.mean())
        self.y_scale_ = float(y.std()) or 1.0
        z = ((y - self.y_mean_) / self.y_scale_).astype(np.float32)
        return self._fit(X, z, d_out=1, stratify=None)

    @staticmethod
    def _member_loss(out, y):
        return nn.functional.mse_loss(out[..., 0], y[:, None].expand(-1, out.shape[1]))

    @staticmethod
    def _mean_loss(out, y):
        return float(nn.functional.mse_loss(out[..., 0].mean(1), y))

    def predict(self, X):
        """Mean of the members' predictions, in the target's units."""
        out = self._predict_members(X)[..., 0].mean(1).cpu().numpy().astype(np.float64)
        return out * self.y_scale_ + self.y_mean_


# ======================================================================================
# Budget presets
# ======================================================================================
def deep_model(task: str, *, budget: str = "standard", random_state: int | None = 0, device: str = "auto"):
    """The deep estimator for ``task`` configured for ``budget`` ("quick" or "standard").

    Parameters
    ----------
    task : {"binary", "multiclass", "regression"}
    budget : {"quick", "standard"}, default="standard"
        ``quick`` fits 33,000 x 20 in ~2.5 s on one thread in bfloat16 (300
        steps; benchmarks/speed.py); ``standard`` trains 30 epochs of about 200 steps on a cosine
        schedule (California: ~15 s on one thread; early stopping may end it
        sooner). Budgets count steps and epochs, never seconds, so a seed
        always gives the same model.
    random_state : int or None, default=0
    device : {"auto", "cpu", "cuda"}, default="auto"

    Examples
    --------
    >>> deep_model("regression", budget="quick").max_steps
    300
    """
    if budget not in _PRESETS:
        raise ConfigError(_BAD_BUDGET.format(budget=budget))
    cls = DeepTabularRegressor if task == "regression" else DeepTabularClassifier
    return cls(random_state=random_state, device=device, **_PRESETS[budget])
