"""Where a model trains: ``auto`` picks CUDA when torch sees a GPU."""

from __future__ import annotations

from ..errors import ConfigError

__all__ = ["resolve_device"]

_NO_CUDA = ("device='cuda' was asked for, but no CUDA GPU is available here (torch {version}); "
            "use device='auto' or 'cpu'.")


def resolve_device(device: str) -> str:
    """``"cpu"`` or ``"cuda"`` for a requested ``"auto"``, ``"cpu"`` or ``"cuda"``.

    Raises
    ------
    ConfigError
        When CUDA is requested but not available, or the name is unknown.
    """
    if device == "cpu":
        return "cpu"
    import torch  # imported lazily: probing devices is work, not for import time

    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device == "cuda":
        if not torch.cuda.is_available():
            raise ConfigError(_NO_CUDA.format(version=torch.__version__))
        return "cuda"
    raise ConfigError(f"device={device!r} is not valid; choose one of auto, cpu, cuda.")
