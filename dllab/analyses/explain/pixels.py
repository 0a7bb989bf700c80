"""Images: the deep net's square patches, spreading patch values back to pixels, and :class:`PixelMap`."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: Images: the deep net permutes single pixels up to this many, else square patches (at most this many).
MAX_DEEP_PATCHES = 64


def _patch_side(shape) -> int:
    """Smallest square patch side that cuts a ``(h, w)`` image into at most ``MAX_DEEP_PATCHES`` patches.

    Examples
    --------
    >>> _patch_side((8, 8)), _patch_side((1, 40)), _patch_side((28, 28)), _patch_side((64, 64))
    (1, 1, 4, 8)
    """
    h, w = shape
    side = 1
    while -(-h // side) * -(-w // side) > MAX_DEEP_PATCHES:
        side += 1
    return side


def _patch_groups(shape, side, groups):
    """Model-input positions of each ``side x side`` patch (row-major), and each pixel's patch index.

    ``groups`` holds each pixel column's positions in ``ds.X`` (pixels in row-major order).
    """
    h, w = shape
    rr, cc = np.divmod(np.arange(h * w), w)
    pixel_patch = (rr // side) * -(-w // side) + cc // side
    patches = [np.concatenate([groups[p] for p in np.flatnonzero(pixel_patch == g)])
               for g in range(int(pixel_patch.max()) + 1)]
    return patches, pixel_patch


def _spread(phi: np.ndarray, pixel_patch: np.ndarray) -> np.ndarray:
    """Per-patch contributions (axis 1) to per-pixel ones: each pixel gets an equal share (sums unchanged)."""
    share = 1.0 / np.bincount(pixel_patch)[pixel_patch]
    share = share[None, :, None] if phi.ndim == 3 else share[None, :]
    return phi[:, pixel_patch] * share


@dataclass(frozen=True, eq=False)  # arrays inside: compare fields explicitly
class PixelMap:
    """One family's SHAP values for one image and class, laid out as the image.

    Built by :meth:`~dllab.analyses.explain.Explanation.pixel_map`.

    Attributes
    ----------
    family : str
    row : int
        Position of the image in the dataset.
    target_class : int or None
        Class index explained (multiclass), else None (the single output).
    class_label : object or None
        Its label (``Explanation.classes[target_class]``).
    predicted_class : int or None
        Multiclass: the class index ``family`` predicts for this image.
    attribution : ndarray of shape (height, width)
        SHAP value of each pixel, in ``output_space``.
    image : ndarray of shape (height, width)
        The pixel values as in the data.
    base_value, output : float
        ``base_value + attribution.sum() == output`` up to ``additivity_error``.
    output_space : str
    target : object
        The image's target value (its true label).
    """

    family: str
    row: int
    target_class: int | None
    class_label: object
    predicted_class: int | None
    attribution: np.ndarray
    image: np.ndarray
    base_value: float
    output: float
    output_space: str
    target: object = None

    @property
    def additivity_error(self) -> float:
        """``|base_value + attribution.sum() - output|``."""
        return abs(self.base_value + float(self.attribution.sum()) - self.output)

