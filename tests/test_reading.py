"""The data boundary of reading: encodings, NUL bytes, gzip and ZIP caps, column names, and the notices of
every rename or type change the reader makes."""

import codecs
import gzip
import io
import struct
import tracemalloc
import zipfile
import zlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from dllab.datasets import from_frame, images, load, read_csv
from dllab.datasets import reading
from dllab.datasets.images import read_image_zip
from dllab.datasets.reading import (_BAD_UNICODE, _BROKEN_GZIP, _COMPRESSED, _NOTE_BLANKS, _NOTE_CSV, _NOTE_LONG,
                                    _NOTE_NO_NAME, _NOTE_REPEATED, _NOTE_ZEROS, _NUL, _NUL_AT_LINE, _NUL_IN_CELL,
                                    _NUL_IN_NAME, _TOO_BIG, _UNREADABLE, _WIDE_BROKEN, _WIDE_UNCLEAR, CSV_ATTR)
from dllab.errors import DataError

TABLE = "name,city,n\nZoë,Oslo,1\nAndré,Rome,2\nJürgen,Lima,3\n"
HOW = "{} without a byte-order mark, judged from its zero bytes"


def _info(df):
    return df.attrs[CSV_ATTR]


def _zip(files, compression=zipfile.ZIP_STORED):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as z:
        for path, data in files.items():
            z.writestr(path, data)
    return buf.getvalue()


def _image(value, size=(6, 6), fmt="PNG"):
    buf = io.BytesIO()
    Image.new("L", size, value).save(buf, fmt)
    return buf.getvalue()


# =========================================================================== encodings
@pytest.mark.parametrize("codec, label", [("utf-16-le", "UTF-16 little-endian"), ("utf-16-be", "UTF-16 big-endian"),
                                          ("utf-32-le", "UTF-32 little-endian"), ("utf-32-be", "UTF-32 big-endian")])
def test_bomless_utf16_and_utf32_are_decoded_and_say_how(codec, label):
    df = read_csv(TABLE.encode(codec))
    assert df.to_dict("list") == {"name": ["Zoë", "André", "Jürgen"], "city": ["Oslo", "Rome", "Lima"], "n": [1, 2, 3]}
    assert _info(df)["encoding"] == codec
    assert _info(df)["notice"] == _NOTE_CSV.format(name="'the upload'",
                                                   what=f"comma-separated text ({HOW.format(label)})")


@pytest.mark.parametrize("codec", ["utf-32", "utf-32-be"])
def test_utf32_with_bom_is_not_read_as_utf16(codec):
    raw = (codecs.BOM_UTF32_BE + TABLE.encode("utf-32-be")) if codec == "utf-32-be" else TABLE.encode("utf-32")
    df = read_csv(raw)
    assert df["name"].tolist() == ["Zoë", "André", "Jürgen"]
    assert (_info(df)["encoding"], _info(df)["notice"]) == ("utf-32", "read 'the upload' as comma-separated text (UTF-32)")


def test_bomless_utf16_of_cjk_text_with_ascii_separators():
    text = "名前,都市,人口\n東京,関東,1400\n大阪,関西,880\n名古屋,中部,230\n"
    df = read_csv(text.encode("utf-16-le"))
    assert list(df.columns) == ["名前", "都市", "人口"] and df["人口"].tolist() == [1400, 880, 230]


def test_truncated_bomless_utf16_is_refused_with_the_fix():
    raw = TABLE.encode("utf-16-le")[:-1]
    with pytest.raises(DataError) as err:
        read_csv(raw, name="t.csv")
    problem = f"it is not valid UTF-16 little-endian (truncated data at byte offset {len(raw) - 1})"
    assert str(err.value) == _WIDE_BROKEN.format(name="'t.csv'", encoding="UTF-16 little-endian", problem=problem)
    assert "save it as UTF-8" in str(err.value)


def test_binary_with_a_utf16_zero_pattern_is_not_read_as_text():
    raw = np.arange(2000, dtype="<u2").astype("<u2") % 200  # small 16-bit numbers: a zero in every high byte
    raw = raw.astype("<u2").tobytes()
    with pytest.raises(DataError) as err:
        read_csv(raw, name="b.csv")
    assert str(err.value).startswith("'b.csv' looks like UTF-16 little-endian text without a byte-order mark")
    assert "control characters" in str(err.value)


def test_zero_bytes_in_no_clear_pattern_are_refused(message_re):
    raw = ("a,b\n" + "".join(f"{i},x{i}\n" for i in range(40))).encode("utf-16-le")
    raw = bytes(b if i % 7 else 0 for i, b in enumerate(raw))  # some low bytes zeroed too
    with pytest.raises(DataError, match=message_re(_WIDE_UNCLEAR)):
        read_csv(raw)


def test_truncated_utf16_with_bom_names_the_encoding():
    raw = TABLE.encode("utf-16")[:-1]
    with pytest.raises(DataError) as err:
        read_csv(raw, name="u.csv")
    assert str(err.value) == _BAD_UNICODE.format(name="'u.csv'", encoding="UTF-16", detail="truncated data",
                                                 offset=len(raw) - 1)


def test_latin1_is_refused_not_guessed():
    with pytest.raises(DataError, match="is not UTF-8 text: byte 0xeb"):
        read_csv(TABLE.encode("latin-1"))


# =========================================================================== NUL bytes
def test_nul_in_a_header_names_the_column():
    with pytest.raises(DataError) as err:
        read_csv(b"id,na\x00me,y\n1,a,0\n", name="n.csv")
    where = _NUL_IN_NAME.format(position=2, cell="na\x00me")
    assert str(err.value) == _NUL.format(name="'n.csv'", where=where)
    assert "'na\\x00me'" in str(err.value)  # shown escaped, on one line


def test_nul_in_a_cell_names_line_and_column():
    with pytest.raises(DataError) as err:
        read_csv(b'id,colour,y\n1,red,0\n2,"bl\nue",1\n3,gr\x00een,0\n', name="n.csv")
    # Line 5 of the file (a quoted cell spans two lines), in column 'colour'.
    assert str(err.value) == _NUL.format(name="'n.csv'", where=_NUL_IN_CELL.format(line=5, column="colour"))


def test_nul_far_into_a_file_is_located_by_line(monkeypatch):
    monkeypatch.setattr(reading, "_NUL_SCAN", 5)
    with pytest.raises(DataError) as err:
        read_csv(b"a,b\n1,2\n3,\x004\n")
    assert str(err.value) == _NUL.format(name="'the upload'", where=_NUL_AT_LINE.format(line=3))


def test_nul_in_utf16_text_is_refused_too():
    with pytest.raises(DataError, match="holds a NUL character"):
        read_csv("a,b\n1,x\x00y\n".encode("utf-16"))


# =========================================================================== compression
def _gzip_stream(prefix: bytes, chunk: bytes, times: int) -> bytes:
    z = zlib.compressobj(9, zlib.DEFLATED, 31)
    return z.compress(prefix) + b"".join(z.compress(chunk) for _ in range(times)) + z.flush()


def test_gzip_bomb_is_refused_early_holding_one_chunk(monkeypatch, tmp_path):
    monkeypatch.setattr(reading, "MAX_DECOMPRESSED_BYTES", 8 * 2**20)
    path = tmp_path / "bomb.csv.gz"
    path.write_bytes(_gzip_stream(b"a,b\n", b"0,0\n" * 2**16, 128))  # 32 MiB of rows in about 32 kB
    tracemalloc.start()
    try:
        with pytest.raises(DataError) as err:
            read_csv(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert str(err.value) == _TOO_BIG.format(name="'bomb.csv.gz'", max_mb=8, mb=path.stat().st_size / 2**20)
    assert peak < 2 * 2**20  # never the 8 MiB allowed, let alone the 32 MiB it unpacks to


def test_gzip_under_the_cap_multi_member_and_exact(monkeypatch):
    monkeypatch.setattr(reading, "MAX_DECOMPRESSED_BYTES", 3 * 2**20)
    body = "".join(f"{i},{i % 7}\n" for i in range(300_000))  # about 2.5 MiB, unpacked in several chunks
    raw = gzip.compress(b"a,b\n") + gzip.compress(body.encode())  # two members, as `cat x.gz y.gz` makes
    df = read_csv(raw)
    assert df.shape == (300_000, 2) and df["a"].iloc[-1] == 299_999 and df["b"].sum() == sum(i % 7 for i in range(300_000))


@pytest.mark.parametrize("raw, detail", [
    (gzip.compress(b"a,b\n1,2\n")[:-6], "Compressed file ended before the end-of-stream marker was reached"),
    (gzip.compress(b"a,b\n1,2\n")[:-8] + b"\0\0\0\0" + gzip.compress(b"a,b\n1,2\n")[-4:], "CRC check failed"),
])
def test_broken_gzip_says_so(raw, detail):
    with pytest.raises(DataError) as err:
        read_csv(raw, name="g.csv.gz")
    assert str(err.value).startswith(_BROKEN_GZIP.split("(")[0].format(name="'g.csv.gz'") + "(" + detail)
    assert str(err.value).endswith("the file is truncated or damaged. Compress the CSV again, or load it unpacked.")


@pytest.mark.parametrize("make, kind", [(lambda b: gzip.compress(gzip.compress(b)), "gzip twice"),
                                        (lambda b: __import__("bz2").compress(b), "bzip2"),
                                        (lambda b: __import__("lzma").compress(b), "xz")])
def test_other_compressions_are_named(make, kind):
    with pytest.raises(DataError) as err:
        read_csv(make(b"a,b\n1,2\n"), name="c.csv")
    assert str(err.value) == _COMPRESSED.format(name="'c.csv'", kind=kind)


def test_unreadable_file_is_a_data_error(monkeypatch, tmp_path):
    path = tmp_path / "locked.csv"
    path.write_bytes(b"a,b\n1,2\n")

    def denied(self):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "read_bytes", denied)
    with pytest.raises(DataError) as err:
        read_csv(path)
    assert str(err.value) == _UNREADABLE.format(path=str(path), detail="Permission denied")


# =========================================================================== column names and types
def test_unnamed_columns_keep_pandas_names_and_say_so():
    df = read_csv(b"a,,  ,y\n1,2,3,4\n")
    assert list(df.columns) == ["a", "Unnamed: 1", "Unnamed: 2", "y"]
    assert _info(df)["notices"] == [_NOTE_NO_NAME[1].format(positions="2, 3", names="'Unnamed: 1', 'Unnamed: 2'")]
    one = read_csv(b"a,,y\n1,2,3\n")
    assert _info(one)["notices"] == ["column 2 had no name; it is called 'Unnamed: 1'"]


def test_repeated_names_get_suffixes_that_the_header_does_not_use():
    df = read_csv(b"a,b,a,a.1,a,,Unnamed: 5\n1,2,3,4,5,6,7\n")
    assert list(df.columns) == ["a", "b", "a.2", "a.1", "a.3", "Unnamed: 5.1", "Unnamed: 5"]
    assert df["a.2"].tolist() == [3] and df["Unnamed: 5"].tolist() == [7]  # names written keep their column
    assert _info(df)["notices"] == [
        "column 6 had no name; it is called 'Unnamed: 5.1'",
        _NOTE_REPEATED[1].format(positions="3, 5", names="'a.2', 'a.3'")]


def test_repeated_name_singular_notice_and_target_by_name():
    df = read_csv(b"x,x,y\n" + b"".join(b"%d,%d,%s\n" % (i, 10 * i, b"ab"[i % 2:i % 2 + 1]) for i in range(20)))
    assert _info(df)["notices"] == ["column 2 repeats an earlier column's name; it is called 'x.1'"]
    ds = from_frame(df, target="y")
    assert "column 2 repeats an earlier column's name; it is called 'x.1'" in ds.notices
    assert ds.frame["x"].tolist() == list(range(20))  # 'x' is the first column


def test_column_names_are_always_text():
    df = read_csv(b"1,a,2.5,y\n1,x,0.5,p\n2,y,1.5,q\n")
    assert list(df.columns) == ["1", "a", "2.5", "y"] and all(type(c) is str for c in df.columns)


def test_mixed_type_names_hash():
    df = pd.DataFrame({0: np.arange(20) % 4 * 1.5, "a": ["x", "y"] * 10, "y": ["p", "q", "q", "p"] * 5})
    ds = from_frame(df, target="y")
    assert len(ds.sha256) == 64 and ds.summary()["roles"] == {"0": "numeric", "a": "categorical"}


def test_leading_zeros_are_kept_as_text():
    rows = "".join(f"{z},{i},{i % 2}\n" for i, z in enumerate(["10001", "02134", "94105", "00501"]))
    df = read_csv(("zip,n,y\n" + rows).encode())
    assert df["zip"].tolist() == ["10001", "02134", "94105", "00501"]
    assert df["n"].tolist() == [0, 1, 2, 3]  # no leading zeros: numbers as before
    assert _info(df)["notices"] == [_NOTE_ZEROS[0].format(columns="'zip'", example="02134")]


@pytest.mark.parametrize("cells, kept", [(['"007"', '"12"'], ["007", "12"]), (["-05", "3"], ["-05", "3"]),
                                         ([" 0012", "5"], [" 0012", "5"]), (["0012", ""], ["0012", None])])
def test_leading_zeros_quoted_signed_spaced_or_with_blanks(cells, kept):
    df = read_csv(f"code,y\n{cells[0]},a\n{cells[1]},b\n".encode())
    assert df["code"].astype(object).where(df["code"].notna(), None).tolist() == kept
    assert len(_info(df)["notices"]) == 1


@pytest.mark.parametrize("cells", [["0", "12"], ["0.5", "-0.25"], ["0e5", "1"], ["10", "200"], ["00.5", "1.5"]])
def test_zero_itself_and_decimals_are_numbers(cells):  # leading zeros of a decimal number carry nothing
    df = read_csv(f"v;y\n{cells[0]};a\n{cells[1]};b\n".encode())
    assert pd.api.types.is_numeric_dtype(df["v"]) and _info(df)["notices"] == []


def test_leading_zeros_far_below_the_sniffed_rows_are_found():
    rows = "".join(f"{1000 + i},{i % 2}\n" for i in range(5000)) + "01234,1\n"
    df = read_csv(("id,y\n" + rows).encode())
    assert df["id"].iloc[-1] == "01234" and df["id"].iloc[0] == "1000"


def test_whole_numbers_with_blanks_stay_exact_and_say_so():
    df = read_csv(b"count,rate,y\n3,0.5,a\n,1.5,b\n7,,a\nNA,2.0,b\n")
    assert df["count"].tolist()[::2] == [3.0, 7.0] and df["count"].isna().sum() == 2
    assert _info(df)["notices"] == [_NOTE_BLANKS[0].format(columns="'count'", count=2)]  # not 'rate': decimals


def test_whole_numbers_written_as_decimals_with_blanks_need_no_notice():
    assert _info(read_csv(b"v,y\n1.0,a\n,b\n2.0,a\n"))["notices"] == []


def test_long_whole_numbers_with_blanks_are_kept_as_text():
    df = read_csv(b"id,y\n12345678901234567,a\n,b\n3,a\n")
    assert df["id"].tolist()[0] == "12345678901234567" and df["id"].isna().tolist() == [False, True, False]
    assert _info(df)["notices"] == [_NOTE_LONG[0].format(columns="'id'", example="12345678901234567")]
    assert read_csv(b"id,y\n12345678901234567,a\n3,a\n")["id"].tolist() == [12345678901234567, 3]  # int64: exact


def test_notices_reach_the_dataset(tmp_path):
    path = tmp_path / "z.csv"
    path.write_text("zip,,y\n" + "".join(f"0{1000 + i % 5},{i % 4},{'ab'[i % 2]}\n" for i in range(20)))
    ds = load(path, target="y")
    assert ds.frame["zip"].iloc[:2].tolist() == ["01000", "01001"]
    for notice in ("column 2 had no name; it is called 'Unnamed: 1'",
                   "column 'zip' keeps its leading zeros (e.g. '01000'): read as text"):
        assert notice in ds.notices


def test_a_field_of_many_spaces_reads_quickly():  # a quadratic regex once took 45 s here
    df = read_csv(b"n,note,y\n1," + b" " * 100_000 + b",a\n2,x,b\n")
    assert len(df["note"].iloc[0]) == 100_000


def test_separator_is_sniffed_past_a_field_longer_than_the_csv_limit():
    df = read_csv(b"a;b\n" + b"x" * 200_000 + b";1\n")
    assert _info(df)["delimiter"] == ";" and df["b"].tolist() == [1]


# =========================================================================== ZIP caps
def test_zip_end_record_entry_count_is_read_before_parsing():
    raw = _zip({f"a/{i}.png": b"x" for i in range(7)})
    assert images._declared_entries(raw) == 7 and images._declared_entries(b"no zip here") == 0


def test_zip64_end_record_count():
    # Python writes ZIP64 end records only past 65,535 entries; build a minimal one by hand.
    zip64 = struct.pack("<4sQHHIIQQQQ", b"PK\x06\x06", 44, 45, 45, 0, 0, 70_000, 70_000, 0, 0)
    locator = struct.pack("<4sIQI", b"PK\x06\x07", 0, 0, 1)
    end = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, 0xFFFF, 0xFFFF, 0, 0, 0)
    assert images._declared_entries(zip64 + locator + end) == 70_000


def test_too_many_members_are_refused_before_reading(monkeypatch):
    monkeypatch.setattr(images, "MAX_MEMBERS", 5)
    files = {f"{c}/{i}.png": _image(9) for c in "ab" for i in range(3)}
    with pytest.raises(DataError) as err:
        read_image_zip(_zip(files), name="m.zip")
    assert str(err.value) == images._TOO_MANY_MEMBERS.format(name="'m.zip'", n=6, max=5)


def test_too_many_images_suggests_a_sample_per_class(monkeypatch):
    monkeypatch.setattr(images, "MAX_IMAGES", 4)
    files = {f"{c}/{i}.png": _image(9) for c in "ab" for i in range(3)}
    with pytest.raises(DataError) as err:
        read_image_zip(_zip(files), name="m.zip")
    assert str(err.value) == images._TOO_MANY_IMAGES.format(name="'m.zip'", n=6, max=4, per=2)


def test_too_many_unpacked_bytes_are_refused_from_the_headers(monkeypatch):
    monkeypatch.setattr(images, "MAX_TOTAL_BYTES", 10_000)
    files = {f"{c}/{i}.bmp": _image(9, size=(64, 64), fmt="BMP") for c in "ab" for i in range(2)}  # 5 kB each
    raw = _zip(files, zipfile.ZIP_DEFLATED)
    total = sum(len(v) for v in files.values())
    with pytest.raises(DataError) as err:
        read_image_zip(raw, name="b.zip")
    assert str(err.value) == images._TOO_BIG_TOTAL.format(name="'b.zip'", n=4, size=f"{total / 2**20:,.1f} MB",
                                                          max_mb=10_000 / 2**20)


def test_a_member_is_read_only_up_to_what_is_left():
    raw = _zip({"a/0.png": _image(9), "b/0.png": _image(99)})
    with zipfile.ZipFile(io.BytesIO(raw)) as archive:
        info = archive.getinfo("a/0.png")
        assert images._member(archive, info, "'x.zip'", budget=info.file_size, n_images=2) == _image(9)
        with pytest.raises(DataError) as err:
            images._member(archive, info, "'x.zip'", budget=info.file_size - 1, n_images=2)
    assert str(err.value) == images._TOO_BIG_TOTAL.format(name="'x.zip'", n=2, size="more than their headers say",
                                                          max_mb=images.MAX_TOTAL_BYTES / 2**20)


def test_a_header_that_understates_a_size_is_refused():
    raw = bytearray(_zip({"a/0.png": _image(9), "b/0.png": _image(99)}))
    central = raw.index(b"PK\x01\x02")  # first central directory entry: its uncompressed size is at +24
    struct.pack_into("<I", raw, central + 24, 10)
    with pytest.raises(DataError, match="'a/0.png' cannot be extracted"):
        read_image_zip(bytes(raw))


def test_images_are_held_one_at_a_time():
    # 20 BMPs of 512x512 (256 kB each, 5 MB in all) resized to 8x8: only one image file is held at a time.
    files = {f"{c}/{i}.bmp": _image(10 * i, size=(512, 512), fmt="BMP") for c in "ab" for i in range(10)}
    raw = _zip(files, zipfile.ZIP_DEFLATED)
    tracemalloc.start()
    try:
        df = read_image_zip(raw, size=(8, 8))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert df.shape == (20, 65)
    assert peak < 2 * 2**20, peak  # was > 5 MB: every file was kept until all were decoded


def test_the_pixel_table_is_not_copied():
    files = {f"{c}/{i:03d}.png": _image(i % 256, size=(64, 64)) for c in "ab" for i in range(150)}
    raw = _zip(files)
    table = 300 * 64 * 64 * 8
    tracemalloc.start()
    try:
        df = read_image_zip(raw)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert df.shape == (300, 64 * 64 + 1) and peak < 1.5 * table, peak  # was twice the table
