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
      :data:`_NESTED`: the class would be ambiguous (split folders such as
      ``train/`` and ``test/`` should be merged; the lab makes its own splits).
      Backslashes in stored paths (some Windows tools) count as folder separators.
    - Ignored, with a notice counting them: hidden files and folders (``.``,
      ``__MACOSX/``), and files whose extension is not an image
      (:data:`IMAGE_EXTENSIONS`). Files loose at the top (or in the wrapping
      folder) beside the class folders are refused (:data:`_LOOSE_FILES`).
    - Every image is converted to greyscale (``L``, ITU-R 601-2 luma) and
      kept at 0-255. Colour is not used.
    - Sizes: all images must have the same size, else :data:`_MIXED_SIZES`
      names two files of different sizes, unless ``size=(w, h)`` is given, in
      which case every image is resized to it (bilinear) with a notice.
      Images larger than :data:`MAX_PIXELS` pixels must be given a ``size``.
      Both refusals are an :class:`ImageSizeError` that suggests a size (the
      most common one, scaled down to fit :data:`MAX_PIXELS`); sizes are read
      from the image headers before any image is decoded.
    - An unreadable image (not an image, truncated) is refused with
      :data:`_UNREADABLE`, naming the file; a damaged or encrypted archive
      member with :data:`_BAD_MEMBER`; a file over :data:`MAX_FILE_BYTES`
      uncompressed with :data:`_BIG_MEMBER`; a single class with :data:`_ONE_CLASS`.
    - Caps, so that a small upload cannot take the server's memory (a "zip
      bomb"): at most :data:`MAX_MEMBERS` entries (read from the archive's end
      record before its directory is parsed, then counted), at most
      :data:`MAX_IMAGES` images, and at most :data:`MAX_TOTAL_BYTES` unpacked
      for all of them, summed from the headers before anything is extracted
      and counted again while reading (a member is read only up to what is
      left, in case its header lies). Images are read one at a time, twice
      (sizes first, then pixels), so only the pixel table is held.
Pixel CSVs (:func:`detect_pixels`)
    A table whose feature columns are all numeric, at least 64 and a perfect
    square in number, with integer values in 0-255, is read as square
    greyscale images. ``image_shape=(h, w)`` declares any other shape.
"""

from __future__ import annotations

import io
import math
import posixpath
import re
import zipfile
import zlib
from collections import Counter

import numpy as np
import pandas as pd

from ..errors import DataError, preview
from .reading import MAX_DECOMPRESSED_BYTES

__all__ = ["IMAGE_EXTENSIONS", "MAX_PIXELS", "MAX_FILE_BYTES", "MAX_MEMBERS", "MAX_IMAGES", "MAX_TOTAL_BYTES",
           "IMAGE_ATTR", "LABEL_COLUMN", "ImageSizeError",
           "read_image_zip", "pixel_columns", "detect_pixels", "NOTE_PIXELS", "mark_image", "image_array",
           "load_digits_frame", "load_mnist1d_frame"]

#: File extensions read as images (case-insensitive).
IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp")
#: Largest image (height x width) accepted without an explicit ``size``.
MAX_PIXELS = 64 * 64
#: Key in ``DataFrame.attrs`` that carries the image shape to ``from_frame``.
IMAGE_ATTR = "dllab.image"
#: Largest image file (uncompressed bytes) read from a ZIP; guards against zip bombs.
MAX_FILE_BYTES = 50 * 1024 * 1024
#: Most entries (files and folders, hidden ones included) a ZIP may hold: twice :data:`MAX_IMAGES`, room
#: for the folders and the ``__MACOSX/`` copies some tools add.
MAX_MEMBERS = 20_000
#: Most images read from one ZIP: their pixel table is then at most 10,000 x 64 x 64 float64 values (328 MB).
MAX_IMAGES = 10_000
#: Most bytes the images of one ZIP may unpack to: the reader's one cap on unpacked uploads, twice the
#: app's 200 MB upload limit (PNG and JPEG files hardly shrink in a ZIP, so any upload of them fits; raw
#: BMP or TIFF may need converting).
MAX_TOTAL_BYTES = MAX_DECOMPRESSED_BYTES
#: Name of the class column of a ZIP's table (the folder names).
LABEL_COLUMN = "label"

_NOT_ZIP = "{name} is not a ZIP archive ({detail}); upload a .zip with one folder of images per class."
_NOT_ZIP_TEXT = ("{name} is not a ZIP archive ({detail}) but text; if it is a table, name it .csv and load it "
                 "as a CSV, else upload a .zip with one folder of images per class.")
_EMPTY_ZIP = ("{name} holds no images (extensions {ext}){found}; put the images in one folder per class, "
              "e.g. cat/001.png, dog/001.png.")
_EMPTY_FOUND = "; it has {n:,} other file(s): {files}"
_EMPTY_TABLE = " (to load a table, unzip it and upload the CSV itself)"
_UNREADABLE = ("{name}: {file!r} is not a readable image ({detail}); remove it or replace it with a "
               "PNG or JPEG file.")
_BIG_MEMBER = ("{name}: {file!r} is {mb:,.0f} MB uncompressed, more than the {max_mb:,.0f} MB an image file may "
               "be here; shrink or remove it.")
_TOO_MANY_MEMBERS = ("{name} holds {n:,} files and folders, more than the {max:,} read from one ZIP; upload "
                     "a ZIP of fewer images (e.g. a sample of each class folder).")
_TOO_MANY_IMAGES = ("{name} holds {n:,} images, more than the {max:,} read from one ZIP; upload a sample, e.g. "
                    "{per:,} per class folder.")
_TOO_BIG_TOTAL = ("{name}: its {n:,} images unpack to {size}, more than the {max_mb:,.0f} MB read from one ZIP; "
                  "upload fewer images, or smaller ones (resized, or saved as PNG or JPEG).")
_BAD_MEMBER = ("{name}: {file!r} cannot be extracted ({detail}); the archive is damaged or protected. "
               "Create the ZIP again (without a password) and upload it.")
# Both size refusals end with how to have images resized on load, in each place one can ask for it.
_RESIZE_FIX = ("have every image resized on load, e.g. to {sw}x{sh}: size=({sw}, {sh}) in Python, "
               "--image-size {sw}x{sh} on the command line, or 'Resize and load' on the Data page.")
_MIXED_SIZES = ("{name}: images have different sizes, e.g. {a!r} is {wa}x{ha} and {b!r} is {wb}x{hb} "
                "(width x height); resize them to one size, or " + _RESIZE_FIX)
_TOO_LARGE = ("{name}: images are {w}x{h} = {n:,} pixels, more than the {max:,} this lab trains on; "
              + _RESIZE_FIX)
_BAD_SIZE = ("size={size!r} is not valid; give (width, height) as two whole numbers of at least 1 with "
             "width * height at most {max:,}, e.g. (28, 28).")
_ONE_CLASS = ("{name}: all images are in one class folder ({label!r}); a classifier needs at least two "
              "folders, one per class.")
_NESTED = ("{name}: {file!r} is {depth} folders deep, so its class is ambiguous; put images directly in "
           "one folder per class (class/image.png, optionally inside one wrapping folder). If the outer "
           "folders are splits such as train/ and test/, merge them: the lab makes its own splits.")
_LOOSE_FILES = ("{name}: images {files} are not inside a class folder; put every image in the folder "
                "named after its class.")
_BAD_SHAPE = ("image_shape={shape!r} does not fit {n} pixel columns; give (height, width) with "
              "height * width == {n}.")
_NOT_PIXELS = ("column {column!r} is not a pixel column: pixel columns must be numbers (found {value!r}); "
               "drop it or declare fewer pixel columns.")
_NOTE_ZIP = "read {n:,} images in {k} classes from {name} as {h}x{w} greyscale ({what})"
_NOTE_RESIZED = "resized {n:,} of {total:,} images to {w}x{h} (bilinear)"
_NOTE_SKIPPED = "ignored {n:,} file(s) that are hidden or not images, e.g. {files}"
#: The notice of a table whose columns :func:`detect_pixels` reads as pixels (``from_frame`` gives it).
NOTE_PIXELS = "read {n} numeric columns as {h}x{w} greyscale images (pixel values 0-255)"


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
class ImageSizeError(DataError):
    """Images of mixed sizes, or too large, without a ``size`` to resize them to.

    Attributes
    ----------
    suggested : (int, int)
        A ``(width, height)`` to resize to: the most common size, scaled down
        (keeping its aspect ratio) to at most :data:`MAX_PIXELS` pixels.
    """

    def __init__(self, message: str, *, suggested):
        super().__init__(message)
        self.suggested = (int(suggested[0]), int(suggested[1]))


def read_image_zip(source, *, name: str | None = None, size=None) -> pd.DataFrame:
    """Read a ZIP of images in one folder per class into a pixel table.

    Parameters
    ----------
    source : str, path, bytes or file-like
        The archive.
    name : str, optional
        Name used in messages (default: the file's name or "the upload").
    size : (int, int), optional
        ``(width, height)`` to resize every image to (at most :data:`MAX_PIXELS`
        pixels); without it all images must share one size of at most
        :data:`MAX_PIXELS` pixels.

    Returns
    -------
    DataFrame
        Columns ``px{row}_{col}`` (float64, 0-255) and ``label`` (the folder
        name), one row per image in archive order sorted by path; ``attrs``
        carry the shape and notices for :func:`dllab.datasets.from_frame`.

    Raises
    ------
    DataError
        Not a ZIP, no images, an unreadable image, a damaged or encrypted
        member, nested folders, loose files, one class, a bad ``size``; more
        than :data:`MAX_MEMBERS` entries, :data:`MAX_IMAGES` images or
        :data:`MAX_TOTAL_BYTES` unpacked.
    ImageSizeError
        Mixed sizes or images too large, without ``size`` (a :class:`DataError`
        that suggests a size).

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
    from PIL import Image

    if size is not None:
        size = _check_size(size)
    raw, label = _zip_bytes(source, name)
    shown = repr(label)
    declared = _declared_entries(raw)
    if declared > MAX_MEMBERS:
        raise DataError(_TOO_MANY_MEMBERS.format(name=shown, n=declared, max=MAX_MEMBERS))
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
    except zipfile.BadZipFile as exc:
        raise DataError((_NOT_ZIP_TEXT if _looks_like_text(raw) else _NOT_ZIP).format(name=shown, detail=exc)) \
            from None
    with archive:
        if len(archive.infolist()) > MAX_MEMBERS:  # the end record understated them
            raise DataError(_TOO_MANY_MEMBERS.format(name=shown, n=len(archive.infolist()), max=MAX_MEMBERS))
        entries, skipped = _image_entries(archive, shown)
        labels = [parts[0] for parts, _ in entries]
        if len(set(labels)) < 2:
            raise DataError(_ONE_CLASS.format(name=shown, label=labels[0]))
        if len(entries) > MAX_IMAGES:
            raise DataError(_TOO_MANY_IMAGES.format(name=shown, n=len(entries), max=MAX_IMAGES,
                                                    per=MAX_IMAGES // len(set(labels))))
        declared_bytes = sum(info.file_size for _, info in entries)
        if declared_bytes > MAX_TOTAL_BYTES:
            size_mb = f"{declared_bytes / 2**20:,.1f} MB"
            raise DataError(_TOO_BIG_TOTAL.format(name=shown, n=len(entries), size=size_mb,
                                                  max_mb=MAX_TOTAL_BYTES / 2**20))
        # Pass 1: sizes from the image headers, so a size problem is found before decoding anything.
        sizes, budget = [], MAX_TOTAL_BYTES
        for _, info in entries:
            blob = _member(archive, info, shown, budget=budget, n_images=len(entries))
            budget -= len(blob)
            with _open_image(blob, info.filename, shown) as img:
                sizes.append(img.size)
        if size is None:
            _check_sizes(sizes, [info.filename for _, info in entries], shown)
        w, h = size if size is not None else sizes[0]
        # Pass 2: read each image again, decode, greyscale, resize; one image held at a time.
        pixels = np.empty((len(entries), h * w), dtype=np.float64)
        for i, (_, info) in enumerate(entries):
            blob = _member(archive, info, shown, budget=MAX_TOTAL_BYTES, n_images=len(entries))
            with _open_image(blob, info.filename, shown) as img:
                try:
                    grey = img.convert("L")
                except (OSError, SyntaxError, ValueError) as exc:
                    raise DataError(_UNREADABLE.format(name=shown, file=info.filename,
                                                       detail=_detail(exc))) from None
            if grey.size != (w, h):
                grey = grey.resize((w, h), Image.Resampling.BILINEAR)
            pixels[i] = np.asarray(grey, dtype=np.float64).reshape(-1)
    frame = pd.DataFrame(pixels, columns=pixel_columns((h, w)), copy=False)  # no second pixel table
    frame[LABEL_COLUMN] = pd.Series(labels, dtype=object)
    n_resized = sum(s != (w, h) for s in sizes)
    what = f"resized to {w}x{h}" if n_resized else "as stored"
    notices = [_NOTE_ZIP.format(n=len(frame), k=len(set(labels)), name=shown, h=h, w=w, what=what)]
    if n_resized:
        notices.append(_NOTE_RESIZED.format(n=n_resized, total=len(frame), w=w, h=h))
    if skipped:
        notices.append(_NOTE_SKIPPED.format(n=len(skipped), files=preview(skipped, limit=3)))
    return mark_image(frame, (h, w), notices)


def _looks_like_text(raw: bytes) -> bool:
    head = raw[:4096]
    if not head.strip() or b"\0" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start >= len(head) - 3  # a character cut at the end of the sample
    return True


def _check_size(size) -> tuple[int, int]:
    try:
        w, h = size
        ok = all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in (w, h))
    except (TypeError, ValueError):
        ok = False
    if not ok or w < 1 or h < 1 or w * h > MAX_PIXELS:
        raise DataError(_BAD_SIZE.format(size=size, max=MAX_PIXELS))
    return int(w), int(h)


def _image_entries(archive, shown):
    """``([(parts, info)], skipped)``: the images with their class-relative path parts, layout checked."""
    entries, skipped, others = [], [], []
    for info in sorted(archive.infolist(), key=lambda i: i.filename):
        if info.is_dir():
            continue
        path = info.filename
        parts = [p for p in path.replace("\\", "/").split("/") if p]
        if not parts:
            continue
        if any(p.startswith(".") or p == "__MACOSX" for p in parts):
            skipped.append(path)
        elif posixpath.splitext(parts[-1])[1].lower() not in IMAGE_EXTENSIONS:
            skipped.append(path)
            others.append(path)
        else:
            entries.append((parts, info))
    if not entries:
        found = _EMPTY_FOUND.format(n=len(others), files=preview(others, limit=3)) if others else ""
        if any(posixpath.splitext(p)[1].lower() in (".csv", ".tsv", ".txt") for p in others):
            found += _EMPTY_TABLE
        raise DataError(_EMPTY_ZIP.format(name=shown, ext=", ".join(IMAGE_EXTENSIONS), found=found))
    # One wrapping folder (zip of a folder) is dropped when every image sits under it and some
    # sit in a folder inside it; images directly in it are then loose files.
    tops = {parts[0] for parts, _ in entries}
    if len(tops) == 1 and all(len(p) >= 2 for p, _ in entries) and any(len(p) >= 3 for p, _ in entries):
        entries = [(parts[1:], info) for parts, info in entries]
    loose = [info.filename for parts, info in entries if len(parts) == 1]
    if loose:
        raise DataError(_LOOSE_FILES.format(name=shown, files=preview(loose, limit=3)))
    deep = next((info for parts, info in entries if len(parts) > 2), None)
    if deep is not None:
        depth = len([p for p in deep.filename.replace("\\", "/").split("/") if p]) - 1
        raise DataError(_NESTED.format(name=shown, file=deep.filename, depth=depth))
    return entries, skipped


def _member(archive, info, shown, *, budget: int, n_images: int) -> bytes:
    """The bytes of ``info``, refused past :data:`MAX_FILE_BYTES` or ``budget`` (what the ZIP has left).

    Both are counted while reading, in case the header understates the size.
    """
    if info.flag_bits & 0x1:
        raise DataError(_BAD_MEMBER.format(name=shown, file=info.filename, detail="it is password protected"))
    if info.file_size > MAX_FILE_BYTES:
        raise DataError(_BIG_MEMBER.format(name=shown, file=info.filename, mb=info.file_size / 2**20,
                                           max_mb=MAX_FILE_BYTES / 2**20))
    limit = min(MAX_FILE_BYTES, budget)
    try:
        with archive.open(info) as member:
            blob = member.read(limit + 1)  # reaching the end checks the CRC
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as exc:
        # NotImplementedError: a compression method Python cannot read (e.g. Deflate64).
        raise DataError(_BAD_MEMBER.format(name=shown, file=info.filename, detail=_detail(exc))) from None
    if len(blob) > limit:
        if limit == MAX_FILE_BYTES:
            raise DataError(_BIG_MEMBER.format(name=shown, file=info.filename, mb=len(blob) / 2**20,
                                               max_mb=MAX_FILE_BYTES / 2**20))
        raise DataError(_TOO_BIG_TOTAL.format(name=shown, n=n_images, size="more than their headers say",
                                              max_mb=MAX_TOTAL_BYTES / 2**20))
    return blob


def _declared_entries(raw: bytes) -> int:
    """Entries the ZIP's end record declares (0 if it has none), read before the directory is parsed."""
    at = raw.rfind(b"PK\x05\x06", max(0, len(raw) - 22 - 65_535))  # the record, then a comment of up to 64 KiB
    if at < 0 or len(raw) < at + 22:
        return 0
    count = int.from_bytes(raw[at + 10:at + 12], "little")
    if count == 0xFFFF and at >= 20 and raw[at - 20:at - 16] == b"PK\x06\x07":  # ZIP64: the count is elsewhere
        offset = int.from_bytes(raw[at - 12:at - 4], "little")
        if raw[offset:offset + 4] == b"PK\x06\x06":
            count = int.from_bytes(raw[offset + 32:offset + 40], "little")
    return count


def _open_image(blob: bytes, file: str, shown: str):
    """The image in ``blob``, opened lazily (header read, pixels not yet decoded)."""
    from PIL import Image, UnidentifiedImageError

    try:
        return Image.open(io.BytesIO(blob))
    except UnidentifiedImageError:
        detail = "not a recognised image format"
    except (Image.DecompressionBombError, OSError, SyntaxError, ValueError) as exc:
        detail = _detail(exc)
    raise DataError(_UNREADABLE.format(name=shown, file=file, detail=detail))


def _detail(exc) -> str:
    # One line, no object reprs such as "<_io.BytesIO object at 0x...>".
    text = re.sub(r"<[^<>]* at 0x[0-9a-fA-F]+>", "the data", " ".join(str(exc).split()))
    return (text or type(exc).__name__)[:120]


def _check_sizes(sizes, files, shown) -> None:
    """Refuse mixed or too large sizes with an :class:`ImageSizeError` that suggests a size."""
    common = Counter(sizes).most_common(1)[0][0]
    cw, ch = common
    scale = min(1.0, math.sqrt(MAX_PIXELS / (cw * ch)))
    sw, sh = max(1, int(cw * scale)), max(1, int(ch * scale))
    if sw * sh > MAX_PIXELS:  # a thin strip: the short side was rounded up to 1
        sw, sh = (MAX_PIXELS // sh, sh) if sw > sh else (sw, MAX_PIXELS // sw)
    suggested = (sw, sh)
    first = sizes[0]
    odd = next((i for i, s in enumerate(sizes) if s != first), None)
    if odd is not None:
        (wa, ha), (wb, hb) = first, sizes[odd]
        raise ImageSizeError(_MIXED_SIZES.format(name=shown, a=files[0], wa=wa, ha=ha, b=files[odd], wb=wb,
                                                 hb=hb, sw=sw, sh=sh), suggested=suggested)
    if cw * ch > MAX_PIXELS:
        raise ImageSizeError(_TOO_LARGE.format(name=shown, w=cw, h=ch, n=cw * ch, max=MAX_PIXELS, sw=sw, sh=sh),
                             suggested=suggested)


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
