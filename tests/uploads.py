"""Files a user might upload, built in memory: a ZIP of images, a text CSV, and broken ZIPs.

Shared by the library, CLI and AppTest modules (importable by name, like ``fakes``). Everything is
tiny (8x8 images, a few dozen rows) so that a quick comparison on it takes seconds.
"""

from __future__ import annotations

import io
import zipfile

import numpy as np
import pandas as pd

from dllab.datasets import images

#: Classes of :func:`shapes_zip` and the pattern that tells them apart.
SHAPES = ("bars", "cross", "square")


def png(pixels) -> bytes:
    """A greyscale PNG of a 2-D uint8 array (height x width)."""
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(np.asarray(pixels, dtype=np.uint8), "L").save(buf, "PNG")
    return buf.getvalue()


def zip_bytes(files: dict, *, compression=zipfile.ZIP_STORED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=compression) as z:
        for path, data in files.items():
            z.writestr(path, data)
    return buf.getvalue()


def shape_files(n_per_class: int = 20, *, classes=SHAPES, size: int = 8, prefix: str = "", seed: int = 0) -> dict:
    """``{path: png}``: one folder per class, each image a noisy drawing of its class's shape."""
    rng = np.random.default_rng(seed)
    files = {}
    for k, label in enumerate(classes):
        for i in range(n_per_class):
            a = rng.integers(0, 60, (size, size))
            if k % 3 == 0:
                a[::2, :] += 170
            elif k % 3 == 1:
                a[size // 2 - 1:size // 2 + 1, :] += 170
                a[:, size // 2 - 1:size // 2 + 1] += 170
            else:
                a[2:size - 2, 2:size - 2] += 170
            files[f"{prefix}{label}/{i:02d}.png"] = png(np.clip(a, 0, 255))
    return files


def shapes_zip(n_per_class: int = 20, **kw) -> bytes:
    return zip_bytes(shape_files(n_per_class, **kw))


def reviews_frame(n: int = 80, *, seed: int = 0) -> pd.DataFrame:
    """A mixed table: free-text ``review``, numeric ``price``, categorical ``colour``, binary ``liked``.

    The words of the review carry the signal; price and colour are noise.
    """
    rng = np.random.default_rng(seed)
    good = ["great", "lovely", "excellent", "superb", "wonderful"]
    bad = ["awful", "broken", "terrible", "poor", "dreadful"]
    filler = ["the", "item", "arrived", "today", "and", "it", "feels", "quite", "honestly", "really"]
    rows = []
    for i in range(n):
        liked = i % 2 == 1
        words = [*rng.choice(filler, 5), *rng.choice(good if liked else bad, 2)]
        rng.shuffle(words)
        rows.append({"review": " ".join(words) + f", order {i}", "price": float(rng.integers(5, 50)),
                     "colour": str(rng.choice(["red", "blue", "green"])), "liked": "yes" if liked else "no"})
    return pd.DataFrame(rows)


def reviews_csv(n: int = 80) -> bytes:
    return reviews_frame(n).to_csv(index=False).encode()


# =========================================================================== broken ZIPs
def _damaged(files: dict, member: str) -> bytes:
    """A deflated ZIP whose ``member`` has zeros in the middle of its compressed data."""
    raw = bytearray(zip_bytes(files, compression=zipfile.ZIP_DEFLATED))
    with zipfile.ZipFile(io.BytesIO(bytes(raw))) as z:
        info = z.getinfo(member)
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    middle = start + info.compress_size // 2
    raw[middle:middle + 8] = b"\0" * 8
    return bytes(raw)


def _encrypted(files: dict, member: str) -> bytes:
    """A ZIP that marks ``member`` as password protected (flag bit 0), as a zip tool with a password would."""
    raw = bytearray(zip_bytes(files))
    with zipfile.ZipFile(io.BytesIO(bytes(raw))) as z:
        info = z.getinfo(member)
    raw[info.header_offset + 6] |= 1  # local file header: general purpose flags
    name, pos = member.encode(), raw.find(b"PK\x01\x02")
    while raw[pos + 46:pos + 46 + len(name)] != name:  # the central directory entry of ``member``
        pos = raw.find(b"PK\x01\x02", pos + 4)
    raw[pos + 8] |= 1
    return bytes(raw)


def bad_zips() -> dict:
    """``{case: (content, expected)}``: each broken upload and the message it must give.

    ``content`` is the file's bytes, or ``{path: bytes}`` to zip (see :func:`bad_zip_bytes`).
    ``expected(name)`` returns the fragments of the message for a file called ``name``
    (the exact message where it does not depend on a library's wording, e.g. zlib's or Pillow's).
    """
    small = shape_files(6, classes=SHAPES[:2])
    noise = png(np.random.default_rng(1).integers(0, 256, (8, 8)))
    q = repr
    return {
        "unreadable": ({**small, "cross/notes.png": b"this is not a picture"},
                       lambda n: [images._UNREADABLE.format(name=q(n), file="cross/notes.png",
                                                            detail="not a recognised image format")]),
        "truncated": ({**small, "cross/cut.png": noise[:len(noise) // 2]},
                      lambda n: [f"{q(n)}: 'cross/cut.png' is not a readable image (",
                                 "remove it or replace it with a PNG or JPEG file."]),
        "mixed_sizes": ({**small, "cross/big.png": png(np.zeros((10, 12)))},
                        lambda n: [images._MIXED_SIZES.format(name=q(n), a="bars/00.png", wa=8, ha=8,
                                                              b="cross/big.png", wb=12, hb=10, sw=8, sh=8)]),
        "single_class": ({k: v for k, v in small.items() if k.startswith("bars/")},
                         lambda n: [images._ONE_CLASS.format(name=q(n), label="bars")]),
        "nested": ({**{f"train/{k}": v for k, v in small.items()}, **{f"test/{k}": v for k, v in small.items()}},
                   lambda n: [images._NESTED.format(name=q(n), file="test/bars/00.png", depth=2)]),
        "empty": ({}, lambda n: [images._EMPTY_ZIP.format(name=q(n), ext=", ".join(images.IMAGE_EXTENSIONS),
                                                          found="")]),
        "not_a_zip": (bytes(range(256)) * 4,
                      lambda n: [images._NOT_ZIP.format(name=q(n), detail="File is not a zip file")]),
        "csv_named_zip": (b"name,label\nthis is a CSV file renamed to .zip,1\n",
                          lambda n: [images._NOT_ZIP_TEXT.format(name=q(n), detail="File is not a zip file")]),
        "damaged": (_damaged(small, "cross/03.png"),
                    lambda n: [f"{q(n)}: 'cross/03.png' cannot be extracted (",
                               "the archive is damaged or protected. Create the ZIP again"]),
        "encrypted": (_encrypted(small, "bars/02.png"),
                      lambda n: [images._BAD_MEMBER.format(name=q(n), file="bars/02.png",
                                                           detail="it is password protected")]),
    }


def bad_zip_bytes(case: str) -> bytes:
    data, _ = bad_zips()[case]
    return data if isinstance(data, bytes) else zip_bytes(data)
