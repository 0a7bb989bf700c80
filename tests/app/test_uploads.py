"""Unstructured uploads through the app: a ZIP of images and a text CSV end to end, and broken ZIPs.

The uploads go through the real ``st.file_uploader`` (AppTest can drive it in 1.67, see
STREAMLIT-NOTES.md section 2); the comparisons are real quick runs on tiny data (2 folds).
"""

from __future__ import annotations

import pytest

from dllab.datasets import images

from apptools import PAGES, open_page, press_load, session_study, shown_roles, target_picker
from uploads import bad_zip_bytes, bad_zips, png, reviews_csv, shape_files, shapes_zip, zip_bytes

RUN = "FormSubmitter:settings-Run comparison"
ZIP = "application/zip"


def _run_quick(at, *, folds=2):
    at.button_group(key="budget").set_value("quick")
    at.number_input(key="folds").set_value(folds)
    return at.button(key=RUN).click().run()


def _submit(at, label):
    """Click the form submit button whose label is ``label`` (its key ends with it)."""
    return at.button(key=next(b.key for b in at.button if b.key and b.key.endswith(label))).click().run()


def _comparison(at):
    ds = at.session_state["dataset"]
    (config,) = at.session_state["requested"].values()
    return session_study(at, ds, config).cached("comparison")


def _scores(at):
    """Accuracy per family of the leaderboard (its last row, the baseline, left out)."""
    table = at.dataframe[0].value.iloc[:-1]
    return dict(zip(table["model"], table["accuracy"]))


def test_zip_of_images_end_to_end():
    at = open_page("Data")
    at.file_uploader(key="csv").upload("shapes.zip", shapes_zip(16), ZIP).run()
    assert not at.exception and not at.error
    ds = at.session_state["dataset"]
    assert (ds.name, ds.n_rows, ds.target, ds.task, ds.modality) == ("shapes.zip", 48, "label", "multiclass", "image")
    assert ds.meta["image_shape"] == (8, 8) and list(ds.classes) == ["bars", "cross", "square"]
    assert [m.value for m in at.metric] == ["48", "64", "label", "multiclass (3 classes)"]
    notices = [i.value for i in at.info]
    assert "Read 48 images in 3 classes from 'shapes.zip' as 8x8 greyscale (as stored)." in notices
    assert not any("No target given" in n for n in notices)  # the reader names the class column

    at.switch_page(PAGES["Compare"]).run()
    assert at.multiselect(key="families").value == ["linear", "gbm", "deep"]
    _run_quick(at)
    assert not at.exception and not at.error and not at.warning
    table = at.dataframe[0].value
    assert table["model"].tolist() == ["Linear model", "Gradient boosting (XGBoost)", "Deep network",
                                       "Baseline (majority class)"]
    assert (table["status"] == "ok").all()
    scores = _scores(at)
    assert all(0.6 < s <= 1.0 for s in scores.values()), scores  # chance is 1/3; the shapes are easy
    cmp = _comparison(at)
    assert type(cmp.models("deep")[0]).__name__ == "CNNClassifier"  # the deep family is a CNN on images
    assert cmp.splits.n_folds == 2 and at.status[0].state == "complete"


def test_text_csv_end_to_end(monkeypatch, tmp_path):
    monkeypatch.setenv("DLLAB_CACHE_DIR", str(tmp_path))  # the transfer family's embedding cache
    at = open_page("Data")
    at.file_uploader(key="csv").upload("reviews.csv", reviews_csv(80), "text/csv").run()
    assert not at.exception and not at.error and at.session_state["dataset"] is None  # the form waits for Load
    assert shown_roles(at)["review"] == "text"
    target_picker(at).set_value("liked").run()
    press_load(at)
    assert not at.exception and not at.error
    ds = at.session_state["dataset"]
    assert (ds.target, ds.task, ds.modality, ds.n_rows) == ("liked", "binary", "text", 80)
    assert ds.roles == {"review": "text", "price": "numeric", "colour": "categorical"}
    roles = at.data_editor[0].value
    assert dict(zip(roles["column"], roles["role"])) == ds.roles  # the role shown is the role used
    assert any(i.value.startswith("Used as free text: 'review'") for i in at.info)

    at.switch_page(PAGES["Compare"]).run()
    assert at.multiselect(key="families").value == ["linear", "gbm", "deep", "transfer"]
    _run_quick(at)
    assert not at.exception and not at.error and not at.warning
    table = at.dataframe[0].value
    assert table["model"].tolist() == ["Linear model", "Gradient boosting (XGBoost)", "Deep network",
                                       "Pretrained encoder + head (transfer)", "Baseline (majority class)"]
    assert (table["status"] == "ok").all()
    scores = _scores(at)
    assert all(0.6 < s <= 1.0 for s in scores.values()), scores  # the review words decide the label
    assert (tmp_path / "embeddings.sqlite").is_file()  # transfer ran, and cached under DLLAB_CACHE_DIR


@pytest.mark.parametrize("case", sorted(bad_zips()))
def test_broken_zip_shows_error_and_keeps_previous_dataset(case):
    at = open_page("Data")
    at.file_uploader(key="csv").upload("good.zip", shapes_zip(6), ZIP).run()
    before = at.session_state["dataset"].sha256
    name = f"{case}.zip"
    at.file_uploader(key="csv").upload(name, bad_zip_bytes(case), ZIP).run()
    assert not at.exception
    shown = at.error[0].value
    assert shown.startswith(f"**{name}** cannot be used as it is: ")
    assert shown.endswith("**good.zip** is still the loaded dataset.")
    for fragment in bad_zips()[case][1](name):
        assert fragment in shown, shown
    assert at.session_state["dataset"].sha256 == before
    assert at.metric[0].value == "18"  # the page still shows the good ZIP
    assert not [s for s in at.selectbox if s.label.startswith("Target column")]  # good.zip's target is its folders


def test_mixed_sizes_can_be_resized_on_load():
    files = shape_files(6, classes=("bars", "cross"))
    files["cross/big.png"] = png([[0] * 12] * 10)  # 12x10 among 8x8 images
    at = open_page("Data")
    at.file_uploader(key="csv").upload("mixed.zip", zip_bytes(files), ZIP).run()
    assert not at.exception and at.session_state["dataset"] is None
    assert images._MIXED_SIZES.split("{a")[0].format(name="'mixed.zip'") in at.error[0].value
    width, height = (at.number_input(key=k) for k in [n.key for n in at.number_input if n.key.startswith("resize-")])
    assert (width.value, height.value) == (8, 8)  # the most common size

    width.set_value(70)
    height.set_value(70)
    _submit(at, "Resize and load")
    assert not at.exception and at.session_state["dataset"] is None
    assert "70x70 = 4,900 pixels per image is more than the 4,096" in at.error[0].value

    at.number_input(key=width.key).set_value(6)
    at.number_input(key=height.key).set_value(4)
    _submit(at, "Resize and load")
    assert not at.exception and not at.error
    ds = at.session_state["dataset"]
    assert (ds.n_rows, ds.meta["image_shape"], len(ds.feature_columns)) == (13, (4, 6), 24)
    assert "Loaded **mixed.zip** with every image resized to 6x4." in at.success[0].value
    assert "Resized 13 of 13 images to 6x4 (bilinear)." in [i.value for i in at.info]
    at.run()  # the file stays in the uploader: it is not read again, and no error comes back
    assert not at.error and at.session_state["dataset"].sha256 == ds.sha256


def test_zip_with_a_class_too_small_for_the_folds_drops_it_with_a_notice():
    files = shape_files(6, classes=("bars", "cross"))
    files.update({f"square/{i}.png": files[f"bars/0{i}.png"] for i in range(3)})
    at = open_page("Data")
    at.file_uploader(key="csv").upload("rare.zip", zip_bytes(files), ZIP).run()
    assert not at.exception and not at.error
    ds = at.session_state["dataset"]
    assert list(ds.classes) == ["bars", "cross"] and ds.n_rows == 12
    assert any("'square' (3 rows)" in i.value for i in at.info)  # the notice names the class and its rows
    assert not [s for s in at.selectbox if s.label.startswith("Target column")]  # a ZIP's target is its folders
    assert not [e for e in at.data_editor if str(e.key).startswith("roles-")]  # every pixel is a feature
