"""Torch helpers shared by the torch estimators (tabular deep net, CNN, text network, text encoder).

- :func:`seeds`: the independent seeds one fit derives from its ``random_state``;
- :func:`private_torch_rng`: a seeded fork of torch's global generator(s), so
  module initialisation and dropout never touch the caller's random state;
- :func:`torch_threads`: torch's thread count for one fit or predict, restored
  afterwards.
"""

from __future__ import annotations

import contextlib

import numpy as np
import torch

from .device import available_threads, fit_threads

__all__ = ["private_torch_rng", "seeds", "torch_threads"]


@contextlib.contextmanager
def private_torch_rng(seed: int, device: str):
    """Seed torch's global generator(s) inside a fork and restore the caller's state.

    tabm/rtdl initialise parameters and ``nn.Dropout`` draws masks from the global
    generator; forking confines both to this fit without global seeding.

    Parameters
    ----------
    seed : int
    device : {"cpu", "cuda"}
        With ``"cuda"`` the current GPU's generator is forked and seeded too.

    Examples
    --------
    >>> before = torch.random.get_rng_state()
    >>> with private_torch_rng(0, "cpu"):
    ...     a = torch.rand(2)
    >>> with private_torch_rng(0, "cpu"):
    ...     b = torch.rand(2)
    >>> torch.equal(a, b), torch.equal(torch.random.get_rng_state(), before)
    (True, True)
    """
    devices = [torch.cuda.current_device()] if device == "cuda" else []
    with torch.random.fork_rng(devices=devices):
        torch.default_generator.manual_seed(seed)  # not torch.manual_seed: that seeds every GPU
        if devices:
            torch.cuda.manual_seed(seed)  # the current device only, which fork_rng restores
        yield


@contextlib.contextmanager
def torch_threads(n_threads: int | None, n_cells: int | None = None):
    """Use :func:`~dllab.models.device.fit_threads` threads and restore the caller's setting.

    Parameters
    ----------
    n_threads : int or None
        The estimator's ``n_threads`` (``None``: decide from the data and the machine).
    n_cells : int or None, default=None
        Rows x columns of the data at hand: small data gets one thread. Without it,
        every available core (honouring ``OMP_NUM_THREADS``, which joblib's workers
        set to their share of the cores, so parallel fits do not oversubscribe the
        machine).

    Examples
    --------
    >>> before = torch.get_num_threads()
    >>> with torch_threads(1):
    ...     torch.get_num_threads()
    1
    >>> torch.get_num_threads() == before
    True
    """
    previous = torch.get_num_threads()
    wanted = fit_threads(n_threads, n_cells) if n_cells is not None else (n_threads or available_threads())
    torch.set_num_threads(int(wanted))
    try:
        yield
    finally:
        torch.set_num_threads(previous)


def seeds(random_state) -> np.ndarray:
    """Three independent seeds (split or shuffling, preprocessing or augmentation, torch).

    Parameters
    ----------
    random_state : int or None
        ``None`` draws fresh entropy from the OS.

    Returns
    -------
    ndarray of shape (3,), dtype uint32

    Examples
    --------
    >>> bool((seeds(0) == seeds(0)).all()), seeds(0).shape
    (True, (3,))
    """
    entropy = None if random_state is None else int(random_state)
    return np.random.SeedSequence(entropy).generate_state(3)
