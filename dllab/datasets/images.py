"""Image data: ZIP uploads (one folder per class), pixel CSVs, and the built-in image sets.

Every image dataset is a table of greyscale pixel columns plus a label column, so
the runner, splits, metrics and analyses treat it like any other table. The
image shape travels with the frame (``frame.attrs["dllab.image"]``) until
:func:`dllab.datasets.from_frame` turns it into ``Dataset.modality == "image"``
and ``Dataset.meta["image_shape"] == (height, width)``; the deep family then
reshapes the pixel columns into images (``dllab.models.cnn``).

Policy for ZIP files (:func:`read_image_zip`)
    - Layout: ``class_name/image.png`` at the top of the archive, or inside one
      wrapping folder (``data/class_name/image.png``, as made by zipping a
      folder). Deeper nesting (``data/train/cat/x.png``) is refused with
      :data:`_NESTED`: the class would be ambiguous.
    - Ignored, with a notice counting them: hidden files and folders (``.``,
      ``__MACOSX/``), and files whose extension is not an image
      (:data:`IMAGE_EXTENSIONS`). Files loose at the top beside the class
      folders are refused (:data:`_LOOSE_FILES`).
    - Every image is converted to greyscale (``L``, ITU-R 601-2 luma) and
      kept at 0-255. Colour is not used.
    - Sizes: all images must have the same size, else :data:`_MIXED_SIZES`
      names two files of different sizes, unless ``size=(w, h)`` is given, in
      which case every image is resized to it (bilinear) with a notice.
      Images larger than :data:`MAX_PIXELS` pixels must be given a ``size``.
    - An unreadable image (not an image, truncated) is refused with
      :data:`_UNREADABLE`, naming the file; a single class with :data:`_ONE_CLASS`.
Pixel CSVs (:func:`detect_pixels`)
    A table whose feature columns are all numeric, at least 64 and a perfect
    square in number, with integer values in 0-255, is read as square
    greyscale images. ``image_shape=(h, w)`` declares any other shape.
"""

from __future__ import annotations

import io
import math
import posixpath
import zipfile

import numpy as np
import pandas as pd

from ..errors import DataError, preview

__all__ = ["IMAGE_EXTENSIONS", "MAX_PIXELS", "IMAGE_ATTR", "read_image_zip", "pixel_columns",
           "detect_pixels", "mark_image", "image_array", "load_digits_frame", "load_mnist1d_frame"]

#: File extensions read as images (case-insensitive).
IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp")
#: Largest image (height x width) accepted without an explicit ``size``.
MAX_PIXELS = 64 * 64
#: Key in ``DataFrame.attrs`` that carries the image shape to ``from_frame``.
IMAGE_ATTR = "dllab.image"

_NOT_ZIP = "{name} is not a ZIP archive ({detail}); upload a .zip with one folder of images per class."
_EMPTY_ZIP = ("{name} holds no images (extensions {ext}); put the images in one folder per class, "
              "e.g. cat/001.png, dog/001.png.")
_UNREADABLE = ("{name}: {file!r} is not a readable image ({detail}); remove it or replace it with a "
               "PNG or JPEG file.")
_MIXED_SIZES = ("{name}: images have different sizes, e.g. {a!r} is {wa}x{ha} and {b!r} is {wb}x{hb} "
                "(width x height); resize them to one size, or pass size=(width, height) to resize "
                "every image on load.")
_TOO_LARGE = ("{name}: images are {w}x{h} = {n:,} pixels, more than the {max:,} this lab trains on; "
              "pass size=(width, height), e.g. size=(28, 28), to resize them on load.")
_ONE_CLASS = ("{name}: all images are in one class folder ({label!r}); a classifier needs at least two "
              "folders, one per class.")
_NESTED = ("{name}: {file!r} is nested {depth} folders deep; put images directly in one folder per "
           "class (class/image.png, optionally inside one wrapping folder).")
_LOOSE_FILES = ("{name}: images {files} are not inside a class folder; put every image in the folder "
                "named after its class.")
_BAD_SHAPE = ("image_shape={shape!r} does not fit {n} pixel columns; give (height, width) with "
              "height * width == {n}.")
_NOT_PIXELS = ("column {column!r} is not a pixel column: pixel columns must be numbers (found {value!r}); "
               "drop it or declare fewer pixel columns.")
_NOTE_ZIP = "read {n:,} images in {k} classes from {name} as {h}x{w} greyscale ({what})"
_NOTE_RESIZED = "resized {n:,} of {total:,} images to {w}x{h} (bilinear)"
_NOTE_SKIPPED = "ignored {n:,} file(s) that are hidden or not images, e.g. {files}"
_NOTE_PIXELS = "read {n} numeric columns as {h}x{w} greyscale images (pixel values 0-255)"


# =========================================================================== shape helpers
def pixel_columns(shape) -> list[str]:
    """Column names of a ``(height, width)`` image: ``px{row}_{col}`` in row-major order.

    Examples
    --------
    >>> pixel_columns((2, 2))
    ['px0_0', 'px0_1', 'px1_0', 'px1_1']
    """
    h, w = shape
    return [f"px{r}_{c}" for r in range(h) for c in range(w)]


def mark_image(frame: pd.DataFrame, shape, notices=()) -> pd.DataFrame:
    """Record on ``frame.attrs`` that its non-target columns are pixels of ``shape`` images."""
    frame.attrs[IMAGE_ATTR] = {"shape": (int(shape[0]), int(shape[1])), "notices": tuple(notices)}
    return frame


def image_array(X, shape) -> np.ndarray:
    """Pixel columns as a float32 ``(n, 1, height, width)`` array (row-major pixels).

    Examples
    --------
    >>> image_array(pd.DataFrame([[0, 1, 2, 3]]), (2, 2)).shape
    (1, 1, 2, 2)
    """
    arr = np.asarray(X, dtype=np.float32)
    h, w = shape
    if arr.ndim != 2 or arr.shape[1] != h * w:
        raise DataError(_BAD_SHAPE.format(shape=tuple(shape), n=arr.shape[-1] if arr.ndim else 0))
    return arr.reshape(len(arr), 1, h, w)


def detect_pixels(frame: pd.DataFrame, feature_columns, *, image_shape=None):
    """The ``(height, width)`` of pixel columns, or None when they do not look like pixels.

    With ``image_shape`` given, the columns must be numeric and fit the shape
    (else :class:`DataError`). Without it, detection needs at least 64 numeric
    columns, a perfect-square count and integer values in 0-255.

    Examples
    --------
    >>> df = pd.DataFrame(np.arange(64 * 3).reshape(3, 64) % 256)
    >>> detect_pixels(df, list(df.columns))
    (8, 8)
    >>> detect_pixels(df.iloc[:, :60], list(df.columns[:60])) is None
    True
    """
    cols = list(feature_columns)
    n = len(cols)
    if image_shape is not None:
        h, w = (int(v) for v in image_shape)
        if h * w != n or h < 1 or w < 1:
            raise DataError(_BAD_SHAPE.format(shape=tuple(image_shape), n=n))
        for c in cols:
            if not pd.api.types.is_numeric_dtype(frame[c]) or pd.api.types.is_bool_dtype(frame[c]):
                bad = frame[c].dropna()
                raise DataError(_NOT_PIXELS.format(column=c, value=bad.iloc[0] if len(bad) else None))
        return h, w
    side = math.isqrt(n)
    if n < 64 or side * side != n:
        return None
    if not all(pd.api.types.is_numeric_dtype(frame[c]) and not pd.api.types.is_bool_dtype(frame[c])
               for c in cols):
        return None
    values = frame[cols].to_numpy(dtype=np.float64)
    if not np.isfinite(values).all() or values.min() < 0 or values.max() > 255:
        return None
    if not np.array_equal(values, np.round(values)):
        return None
    return side, side


# =========================================================================== ZIP
def read_image_zip(source, *, name: str | None = None, size=None) -> pd.DataFrame:
    """Read a ZIP of images in one folder per class into a pixel table.

    Parameters
    ----------
    source : str, path, bytes or file-like
        The archive.
    name : str, optional
        Name used in messages (default: the file's name or "the upload").
    size : (int, int), optional
        ``(width, height)`` to resize every image to; without it all images must
        share one size of at most :data:`MAX_PIXELS` pixels.

    Returns
    -------
    DataFrame
        Columns ``px{row}_{col}`` (float64, 0-255) and ``label`` (the folder
        name), one row per image in archive order sorted by path; ``attrs``
        carry the shape and notices for :func:`dllab.datasets.from_frame`.

    Raises
    ------
    DataError
        Not a ZIP, no images, an unreadable image, mixed sizes (without
        ``size``), images too large, nested folders, loose files, one class.

    Examples
    --------
    >>> from PIL import Image
    >>> buf = io.BytesIO()
    >>> with zipfile.ZipFile(buf, "w") as z:
    ...     for label, value in (("a", 0), ("b", 255)):
    ...         for i in range(2):
    ...             img = io.BytesIO(); Image.new("L", (3, 2), value).save(img, "PNG")
    ...             z.writestr(f"{label}/{i}.png", img.getvalue())
    >>> df = read_image_zip(buf.getvalue())
    >>> df.shape, df.attrs["dllab.image"]["shape"], df["label"].tolist()
    ((4, 7), (2, 3), ['a', 'a', 'b', 'b'])
    """
    from PIL import Image, UnidentifiedImageError

    raw, label = _zip_bytes(source, name)
    shown = repr(label)
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
    except zipfile.BadZipFile as exc:
        raise DataError(_NOT_ZIP.format(name=shown, detail=exc)) from None
    entries, skipped = [], []
    with archive:
        for info in sorted(archive.infolist(), key=lambda i: i.filename):
            if info.is_dir():
                continue
            path = info.filename
            parts = [p for p in path.split("/") if p]
            if any(p.startswith(".") or p == "__MACOSX" for p in parts) \
                    or posixpath.splitext(path)[1].lower() not in IMAGE_EXTENSIONS:
                skipped.append(path)
                continue
            entries.append((parts, info))
        if not entries:
            raise DataError(_EMPTY_ZIP.format(name=shown, ext=", ".join(IMAGE_EXTENSIONS)))
        # One wrapping folder (zip of a folder) is dropped when every image sits under it.
        tops = {parts[0] for parts, _ in entries}
        if len(tops) == 1 and all(len(parts) >= 3 for parts, _ in entries):
            entries = [(parts[1:], info) for parts, info in entries]
        loose = [info.filename for parts, info in entries if len(parts) == 1]
        if loose:
            raise DataError(_LOOSE_FILES.format(name=shown, files=preview(loose, limit=3)))
        deep = next(((parts, info) for parts, info in entries if len(parts) > 2), None)
        if deep is not None:
            raise DataError(_NESTED.format(name=shown, file=deep[1].filename, depth=len(deep[0]) - 1))
        labels = [parts[0] for parts, _ in entries]
        if len(set(labels)) < 2:
            raise DataError(_ONE_CLASS.format(name=shown, label=labels[0]))
        images, sizes = [], []
        for parts, info in entries:
            try:
                with Image.open(io.BytesIO(archive.read(info))) as img:
                    img.load()
                    sizes.append(img.size)
                    images.append(img.convert("L"))
            except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
                raise DataError(_UNREADABLE.format(name=shown, file=info.filename,
                                                   detail=" ".join(str(exc).split())[:120])) from None
    notices = []
    if size is None:
        first = sizes[0]
        odd = next((i for i, s in enumerate(sizes) if s != first), None)
        if odd is not None:
            (wa, ha), (wb, hb) = first, sizes[odd]
            raise DataError(_MIXED_SIZES.format(name=shown, a=entries[0][1].filename, wa=wa, ha=ha,
                                                b=entries[odd][1].filename, wb=wb, hb=hb))
        w, h = first
        if w * h > MAX_PIXELS:
            raise DataError(_TOO_LARGE.format(name=shown, w=w, h=h, n=w * h, max=MAX_PIXELS))
        what = "as stored"
    else:
        w, h = (int(v) for v in size)
        n_resized = sum(s != (w, h) for s in sizes)
        images = [img if img.size == (w, h) else img.resize((w, h), Image.Resampling.BILINEAR)
                  for img in images]
        what = f"resized to {w}x{h}" if n_resized else "as stored"
        if n_resized:
            notices.append(_NOTE_RESIZED.format(n=n_resized, total=len(images), w=w, h=h))
    pixels = np.stack([np.asarray(img, dtype=np.float64).reshape(-1) for img in images])
    frame = pd.DataFrame(pixels, columns=pixel_columns((h, w)))
    frame["label"] = pd.Series(labels, dtype=object)
    notices.insert(0, _NOTE_ZIP.format(n=len(frame), k=len(set(labels)), name=shown, h=h, w=w, what=what))
    if skipped:
        notices.append(_NOTE_SKIPPED.format(n=len(skipped), files=preview(skipped, limit=3)))
    return mark_image(frame, (h, w), notices)


def _zip_bytes(source, name):
    import os
    from pathlib import Path

    if isinstance(source, (bytes, bytearray, memoryview)):
        return bytes(source), name or "the upload"
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        if not path.is_file():
            raise DataError(f"no file at {str(source)!r}; check the path.")
        return path.read_bytes(), name or path.name
    data = source.getvalue() if hasattr(source, "getvalue") else source.read()
    label = name or os.path.basename(str(getattr(source, "name", "") or "")) or "the upload"
    return bytes(data), label


# =========================================================================== built-ins
def load_digits_frame() -> pd.DataFrame:
    """scikit-learn's handwritten digits: 1,797 images of 8x8 pixels (values 0-16), label ``digit``.

    Examples
    --------
    >>> df = load_digits_frame()
    >>> df.shape, df.attrs["dllab.image"]["shape"]
    ((1797, 65), (8, 8))
    """
    from sklearn.datasets import load_digits

    bunch = load_digits()
    frame = pd.DataFrame(bunch.data.astype(np.float64), columns=pixel_columns((8, 8)))
    frame["digit"] = bunch.target.astype(np.int64)
    return mark_image(frame, (8, 8))


def load_mnist1d_frame(n_rows: int = 4000, *, random_state: int | None = 0) -> pd.DataFrame:
    """MNIST-1D (Greydanus & Steinbach, 2020): 1-D digit signals of length 40, procedurally generated.

    Uses the ``mnist1d`` package's generator (``make_dataset``) with its default
    arguments except the number of samples and the seed; nothing is downloaded.
    The generator seeds NumPy's and Python's global generators, so their states
    are saved and restored around it. Signals are treated as 1x40 images.

    Examples
    --------
    >>> df = load_mnist1d_frame(100, random_state=1)
    >>> df.shape, df.attrs["dllab.image"]["shape"], df["digit"].nunique()
    ((100, 41), (1, 40), 10)
    """
    import random

    from mnist1d.data import get_dataset_args, make_dataset

    args = get_dataset_args()
    args.num_samples = int(n_rows)
    args.train_split = 1.0
    args.seed = 0 if random_state is None else int(random_state)
    np_state, py_state = np.random.get_state(), random.getstate()
    try:
        data = make_dataset(args)
    finally:
        np.random.set_state(np_state)
        random.setstate(py_state)
    x = np.asarray(data["x"], dtype=np.float64)
    frame = pd.DataFrame(x, columns=pixel_columns((1, x.shape[1])))
    frame["digit"] = np.asarray(data["y"], dtype=np.int64)
    return mark_image(frame, (1, x.shape[1]))
