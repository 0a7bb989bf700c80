"""The CLI on unstructured files: a ZIP of images and a text CSV end to end, broken ZIPs, --image-size."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from dllab.apps import cli
from dllab.apps.cli import main
from dllab.datasets import images

from uploads import bad_zip_bytes, bad_zips, png, reviews_csv, shape_files, shapes_zip, zip_bytes

ROOT = Path(__file__).resolve().parents[1]
QUICK = ["--budget", "quick", "--folds", "2", "--quiet"]


def test_zip_of_images_compare_end_to_end(tmp_path, capsys):
    data, out = tmp_path / "shapes.zip", tmp_path / "out.json"
    data.write_bytes(shapes_zip(12))
    assert main(["compare", str(data), "--target", "label", *QUICK, "--json", str(out)]) == 0
    captured = capsys.readouterr()
    assert "note: read 36 images in 3 classes from 'shapes.zip' as 8x8 greyscale (as stored)" in captured.err
    assert captured.out.startswith("shapes.zip: 36 rows, 64 features, task multiclass; budget quick")
    d = json.loads(out.read_text())
    assert (d["dataset"]["rows"], d["dataset"]["target"], d["dataset"]["task"]) == (36, "label", "multiclass")
    assert [m["name"] for m in d["models"]] == ["linear", "gbm", "deep"]  # the image default: deep is the CNN
    for m in d["models"]:
        assert m["status"] == "ok", m["reason"]
        assert len(m["scores"]) == 2 and 0.6 < m["mean"] <= 1.0  # chance is 1/3


def test_text_csv_compare_end_to_end(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("DLLAB_CACHE_DIR", str(tmp_path / "cache"))
    data, out = tmp_path / "reviews.csv", tmp_path / "out.json"
    data.write_bytes(reviews_csv(80))
    assert main(["compare", str(data), "--target", "liked", *QUICK, "--json", str(out)]) == 0
    err = capsys.readouterr().err
    assert "note: used as free text: 'review'" in err
    d = json.loads(out.read_text())
    assert (d["dataset"]["rows"], d["dataset"]["task"]) == (80, "binary")
    assert [m["name"] for m in d["models"]] == ["linear", "gbm", "deep", "transfer"]  # the text default
    for m in d["models"]:
        assert m["status"] == "ok", m["reason"]
        assert len(m["scores"]) == 2 and 0.6 < m["mean"] <= 1.0
    assert (tmp_path / "cache" / "embeddings.sqlite").is_file()


@pytest.mark.parametrize("case", sorted(bad_zips()))
def test_broken_zip_exits_2_with_one_line(case, tmp_path, capsys):
    data = tmp_path / f"{case}.zip"
    data.write_bytes(bad_zip_bytes(case))
    assert main(["compare", str(data), "--target", "label", *QUICK]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1, err
    for fragment in bad_zips()[case][1](data.name):
        assert fragment in err, err


def test_damaged_zip_from_the_command_line_has_no_traceback(tmp_path):
    data = tmp_path / "damaged.zip"
    data.write_bytes(bad_zip_bytes("damaged"))
    proc = subprocess.run([sys.executable, "-m", "dllab", "compare", str(data), "--target", "label"], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.startswith("error: 'damaged.zip': 'cross/03.png' cannot be extracted (")
    assert "Traceback" not in proc.stderr and proc.stderr.count("\n") == 1


def test_image_size_resizes_a_zip_of_mixed_sizes(tmp_path, capsys):
    files = shape_files(6, classes=("bars", "cross"))
    files["cross/big.png"] = png([[0] * 12] * 10)
    data, out = tmp_path / "mixed.zip", tmp_path / "out.json"
    data.write_bytes(zip_bytes(files))
    assert main(["compare", str(data), "--target", "label", *QUICK]) == 2
    assert "--image-size 8x8 on the command line" in capsys.readouterr().err  # the fix, with a size
    assert main(["compare", str(data), "--image-size", "8x8", "--families", "linear", *QUICK, "--json", str(out)]) == 0
    err = capsys.readouterr().err
    assert "note: resized 1 of 13 images to 8x8 (bilinear)" in err
    d = json.loads(out.read_text())
    assert (d["dataset"]["rows"], d["dataset"]["columns"]) == (13, 64) and d["models"][0]["status"] == "ok"


@pytest.mark.parametrize("value", ["0x8", "8x", "big", "65x65", "8x8x8"])
def test_bad_image_size_exits_2(value, tmp_path, capsys):
    data = tmp_path / "shapes.zip"
    data.write_bytes(shapes_zip(6))
    assert main(["compare", str(data), "--image-size", value, *QUICK]) == 2
    err = capsys.readouterr().err.strip()
    assert err == "error: " + cli._BAD_IMAGE_SIZE.format(value=value, max=images.MAX_PIXELS)


def test_image_size_needs_a_zip(capsys):
    assert main(["compare", "penguins", "--image-size", "8x8", *QUICK]) == 2
    assert capsys.readouterr().err.strip() == "error: " + cli._IMAGE_SIZE_NOT_ZIP.format(data="penguins")
