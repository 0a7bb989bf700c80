"""Image data: ZIP uploads, pixel CSVs, the CNN, and image datasets through the runner."""

import io
import zipfile

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from dllab.config import RunConfig
from dllab.datasets import from_frame, load
from dllab.datasets import images
from dllab.datasets.images import read_image_zip
from dllab.errors import DataError
from dllab.models import DataSpec, make_model
from dllab.models.cnn import CNNClassifier
from dllab.engine.runner import compare

from uploads import bad_zip_bytes, bad_zips


def _png(value, size=(6, 6), mode="L"):
    buf = io.BytesIO()
    img = Image.new(mode, size, value if mode == "L" else (value, value, value))
    img.save(buf, "PNG")
    return buf.getvalue()


def _zip(files):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for path, data in files.items():
            z.writestr(path, data)
    return buf.getvalue()


def _class_zip(n=12, prefix="", size=(6, 6)):
    rng = np.random.default_rng(0)
    files = {}
    for label, base in (("dark", 30), ("light", 220)):
        for i in range(n):
            files[f"{prefix}{label}/{i:03d}.png"] = _png(int(base + rng.integers(-20, 20)), size=size)
    return files


# =========================================================================== ZIP
def test_zip_of_class_folders_reads_pixels_labels_and_shape():
    files = _class_zip(prefix="photos/")  # one wrapping folder is allowed
    files["photos/.DS_Store"] = b"junk"
    files["__MACOSX/photos/._x.png"] = b"junk"
    files["photos/readme.txt"] = b"notes"
    df = read_image_zip(_zip(files), name="pets.zip")
    assert df.shape == (24, 37)
    assert df.attrs[images.IMAGE_ATTR]["shape"] == (6, 6)
    assert sorted(df["label"].unique()) == ["dark", "light"]
    notices = df.attrs[images.IMAGE_ATTR]["notices"]
    assert "24 images in 2 classes" in notices[0] and "ignored 3 file(s)" in notices[1]
    ds = from_frame(df, target="label", name="pets.zip")
    assert ds.modality == "image" and ds.meta["image_shape"] == (6, 6)
    assert ds.X.shape == (24, 36) and ds.feature_columns == images.pixel_columns((6, 6))


def test_colour_images_become_greyscale():
    files = {f"{c}/{i}.png": _png(v, mode="RGB") for c, v in (("a", 10), ("b", 200)) for i in range(3)}
    df = read_image_zip(_zip(files))
    assert df.filter(like="px").to_numpy().max() == 200 and df.shape[1] == 37


def test_unreadable_image_is_refused_with_its_name():
    files = _class_zip(3)
    files["dark/broken.png"] = b"not a png at all"
    with pytest.raises(DataError) as err:
        read_image_zip(_zip(files), name="x.zip")
    assert str(err.value).startswith(images._UNREADABLE.split("{file")[0].format(name="'x.zip'"))
    assert "'dark/broken.png'" in str(err.value)


def test_mixed_sizes_are_refused_unless_a_size_is_given():
    files = _class_zip(3)
    files["light/big.png"] = _png(200, size=(8, 5))
    with pytest.raises(DataError) as err:
        read_image_zip(_zip(files), name="x.zip")
    assert str(err.value) == images._MIXED_SIZES.format(name="'x.zip'", a="dark/000.png", wa=6, ha=6,
                                                        b="light/big.png", wb=8, hb=5, sw=6, sh=6)
    assert isinstance(err.value, images.ImageSizeError) and err.value.suggested == (6, 6)  # the common size
    df = read_image_zip(_zip(files), size=(4, 4))
    assert df.attrs[images.IMAGE_ATTR]["shape"] == (4, 4) and df.shape == (7, 17)
    assert "resized 7 of 7 images to 4x4" in df.attrs[images.IMAGE_ATTR]["notices"][1]


def test_single_class_nested_folders_loose_files_and_non_zip():
    with pytest.raises(DataError) as err:
        read_image_zip(_zip({f"cats/{i}.png": _png(9) for i in range(3)}), name="x.zip")
    assert str(err.value) == images._ONE_CLASS.format(name="'x.zip'", label="cats")
    nested = {"a/train/1.png": _png(1), "a/test/2.png": _png(2), "b/x/3.png": _png(3)}
    with pytest.raises(DataError) as err:
        read_image_zip(_zip(nested), name="x.zip")
    assert str(err.value) == images._NESTED.format(name="'x.zip'", file="a/test/2.png", depth=2)
    with pytest.raises(DataError, match="not inside a class folder"):
        read_image_zip(_zip({**_class_zip(2), "loose.png": _png(5)}))
    with pytest.raises(DataError, match="not a ZIP archive"):
        read_image_zip(b"hello", name="x.zip")
    with pytest.raises(DataError, match="holds no images"):
        read_image_zip(_zip({"a/notes.txt": b"x"}))


def test_zip_path_loads_through_dllab_load(tmp_path):
    path = tmp_path / "shapes.zip"
    path.write_bytes(_zip(_class_zip(5)))
    ds = load(path)
    assert ds.modality == "image" and ds.target == "label" and ds.n_rows == 10


# =========================================================================== pixel CSV
def test_pixel_csv_is_detected_by_shape_and_declared_shapes_are_checked(tmp_path):
    rng = np.random.default_rng(0)
    pix = rng.integers(0, 256, size=(30, 64))
    pix[:, 0] = 0  # a constant border pixel is still a pixel
    df = pd.DataFrame(pix, columns=[f"p{i}" for i in range(64)])
    df["label"] = ["a", "b", "c"] * 10
    path = tmp_path / "pixels.csv"
    df.to_csv(path, index=False)
    ds = load(path, target="label")
    assert ds.modality == "image" and ds.meta["image_shape"] == (8, 8) and ds.X.shape == (30, 64)
    assert any("8x8 greyscale" in n for n in ds.notices)
    assert images.detect_pixels(df, [f"p{i}" for i in range(64)], image_shape=(4, 16)) == (4, 16)
    with pytest.raises(DataError) as err:
        images.detect_pixels(df, [f"p{i}" for i in range(64)], image_shape=(5, 5))
    assert str(err.value) == images._BAD_SHAPE.format(shape=(5, 5), n=64)
    tabular = df.iloc[:, list(range(10)) + [64]]
    assert from_frame(tabular, target="label").modality == "tabular"


# =========================================================================== CNN
def _digits_small(n=240):
    ds = load("digits")
    return ds.X.iloc[:n], ds.y[:n]


def test_cnn_is_deterministic_and_leaves_global_rng_alone():
    import torch

    X, y = _digits_small()
    before = torch.random.get_rng_state().clone()
    kw = dict(image_shape=(8, 8), channels=(4, 8), d_hidden=16, max_epochs=2, random_state=3)
    p1 = CNNClassifier(**kw).fit(X, y).predict_proba(X.iloc[:20])
    p2 = CNNClassifier(**kw).fit(X, y).predict_proba(X.iloc[:20])
    assert np.array_equal(p1, p2)
    assert torch.equal(before, torch.random.get_rng_state())
    p3 = CNNClassifier(**{**kw, "random_state": 4}).fit(X, y).predict_proba(X.iloc[:20])
    assert not np.array_equal(p1, p3)


def test_cnn_learns_digits_and_handles_1d_signals():
    X, y = _digits_small(400)
    clf = CNNClassifier(image_shape=(8, 8), channels=(8, 16), d_hidden=32, max_epochs=15, random_state=0)
    assert clf.fit(X.iloc[:300], y[:300]).score(X.iloc[300:], y[300:]) > 0.7  # chance is 0.1
    rng = np.random.default_rng(0)
    sig = rng.normal(size=(80, 12)); lab = (sig[:, :6].sum(1) > 0).astype(int)
    one_d = CNNClassifier(image_shape=(1, 12), channels=(4,), d_hidden=8, max_epochs=2, random_state=0)
    assert one_d.fit(sig, lab).predict_proba(sig).shape == (80, 2)


def test_make_model_picks_the_cnn_for_images_only():
    spec = DataSpec("image", image_shape=(8, 8))
    assert isinstance(make_model("deep", "multiclass", budget="quick", data=spec), CNNClassifier)
    assert type(make_model("gbm", "multiclass", budget="quick", data=spec)).__name__ == "GBMClassifier"
    assert type(make_model("deep", "multiclass", budget="quick")).__name__ == "DeepTabularClassifier"


def test_image_dataset_flows_through_compare():
    ds = load("digits", max_rows=150)
    cmp = compare(ds, config=RunConfig(budget="quick", device="cpu", n_folds=2, families=("linear", "deep")))
    assert list(cmp.overall.index) == ["linear", "deep"]
    assert (cmp.overall["status"] == "ok").all()
    assert type(cmp.models("deep")[0]).__name__ == "CNNClassifier"
    assert cmp.overall.loc["deep", "mean"] > 0.5


# =========================================================================== ZIP: broken and odd layouts
@pytest.mark.parametrize("case", sorted(bad_zips()))
def test_every_broken_zip_gives_its_message(case):
    _, expected = bad_zips()[case]
    with pytest.raises(DataError) as err:
        read_image_zip(bad_zip_bytes(case), name=f"{case}.zip")
    message = str(err.value)
    assert all(fragment in message for fragment in expected(f"{case}.zip")), message
    assert "\n" not in message and " at 0x" not in message  # one line, no object reprs


def test_loose_images_in_the_wrapping_folder_are_loose_not_nested():
    files = {**_class_zip(2, prefix="photos/"), "photos/stray.png": _png(5)}
    with pytest.raises(DataError) as err:
        read_image_zip(_zip(files), name="x.zip")
    assert str(err.value) == images._LOOSE_FILES.format(name="'x.zip'", files="'photos/stray.png'")


def test_nested_depth_counts_the_wrapping_folder():
    files = {**_class_zip(2, prefix="data/"), "data/train/dark/9.png": _png(5)}
    with pytest.raises(DataError) as err:
        read_image_zip(_zip(files), name="x.zip")
    assert str(err.value) == images._NESTED.format(name="'x.zip'", file="data/train/dark/9.png", depth=3)


def test_backslash_paths_from_windows_tools_are_folders():
    files = {path.replace("/", "\\"): data for path, data in _class_zip(3).items()}
    df = read_image_zip(_zip(files))
    assert df["label"].tolist() == ["dark"] * 3 + ["light"] * 3


def test_large_images_suggest_a_size_that_fits_and_resize_on_request():
    files = {f"{c}/{i}.png": _png(v, size=(200, 100)) for c, v in (("a", 10), ("b", 200)) for i in range(3)}
    with pytest.raises(images.ImageSizeError) as err:
        read_image_zip(_zip(files), name="x.zip")
    # 200x100 scaled to at most 64*64 pixels, aspect kept: 90x45.
    assert err.value.suggested == (90, 45)
    assert str(err.value) == images._TOO_LARGE.format(name="'x.zip'", w=200, h=100, n=20_000, max=images.MAX_PIXELS,
                                                      sw=90, sh=45)
    df = read_image_zip(_zip(files), size=err.value.suggested)
    assert df.attrs[images.IMAGE_ATTR]["shape"] == (45, 90) and df.shape == (6, 45 * 90 + 1)
    assert df.filter(like="px").iloc[:3].to_numpy().max() == 10  # a flat image stays flat when resized


@pytest.mark.parametrize("size", [(0, 4), (4, -1), (65, 65), (4.5, 4), "28x28", (4,)])
def test_bad_resize_size_is_refused(size):
    with pytest.raises(DataError) as err:
        read_image_zip(_zip(_class_zip(2)), size=size)
    assert str(err.value) == images._BAD_SIZE.format(size=size, max=images.MAX_PIXELS)


def test_zip_without_images_lists_what_it_holds():
    with pytest.raises(DataError) as err:
        read_image_zip(_zip({"data.csv": b"a,b\n1,2\n", "notes.md": b"x"}), name="x.zip")
    found = images._EMPTY_FOUND.format(n=2, files="'data.csv', 'notes.md'") + images._EMPTY_TABLE
    assert str(err.value) == images._EMPTY_ZIP.format(name="'x.zip'", ext=", ".join(images.IMAGE_EXTENSIONS),
                                                      found=found)


def test_an_image_file_too_big_to_be_one_is_refused_before_it_is_extracted(monkeypatch):
    monkeypatch.setattr(images, "MAX_FILE_BYTES", 1000)  # a zip bomb without building a big file
    huge = _png(9) + b"\0" * 5000
    with pytest.raises(DataError) as err:
        read_image_zip(_zip({**_class_zip(2), "light/huge.png": huge}), name="x.zip")
    assert str(err.value) == images._BIG_MEMBER.format(name="'x.zip'", file="light/huge.png",
                                                       mb=len(huge) / 2**20, max_mb=1000 / 2**20)
