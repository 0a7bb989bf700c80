"""What a model builder needs to know about the data besides the task: :class:`DataSpec`."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DataSpec", "data_spec"]


@dataclass(frozen=True)
class DataSpec:
    """What a model factory needs to know about the data besides the task.

    Attributes
    ----------
    modality : {"tabular", "image", "text"}
    image_shape : (int, int) or None
        ``(height, width)`` of image data (pixel columns in row-major order).
    text_columns : tuple of str
        The free-text columns of text data.
    """

    modality: str = "tabular"
    image_shape: tuple | None = None
    text_columns: tuple = ()


def data_spec(ds) -> DataSpec:
    """The :class:`DataSpec` of a :class:`~dllab.datasets.Dataset`.

    Examples
    --------
    >>> from dllab.datasets import load
    >>> data_spec(load("digits"))
    DataSpec(modality='image', image_shape=(8, 8), text_columns=())
    """
    modality = getattr(ds, "modality", "tabular")
    meta = getattr(ds, "meta", {}) or {}
    if modality == "image":
        return DataSpec("image", image_shape=tuple(meta["image_shape"]))
    if modality == "text":
        return DataSpec("text", text_columns=tuple(meta.get("text_columns", ())))
    return DataSpec()
