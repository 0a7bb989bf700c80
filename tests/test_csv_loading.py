"""read_csv: sniffing separators and encodings, and refusing what it cannot read faithfully."""

import gzip
import io

import numpy as np
import pandas as pd
import pytest

from dllab.datasets import from_frame, load, read_csv
from dllab.datasets.loading import _NO_ROWS, _ONE_COLUMN
from dllab.datasets.reading import _EMPTY, _EXCEL, _FILE_NOT_FOUND, _NO_HEADER, _NOT_UTF8, _PARSE_ERROR
from dllab.errors import DataError

EXPECTED = pd.DataFrame({"city": ["Oslo", "Rome", "Lima"], "temp": [3.5, 18.0, 19.25], "rain": [1, 0, 0]})


def _table(sep):
    return sep.join(EXPECTED.columns) + "\n" + "\n".join(
        sep.join(str(v) for v in row) for row in EXPECTED.itertuples(index=False)) + "\n"


# =========================================================================== sniffing
@pytest.mark.parametrize("sep", [",", ";", "\t", "|"])
def test_sniffs_separator(sep):
    df = read_csv(_table(sep).encode())
    pd.testing.assert_frame_equal(df, EXPECTED, check_dtype=False)
    assert df.attrs["dllab.csv"]["delimiter"] == sep


def test_notice_only_for_unusual_reading():
    assert read_csv(_table(",").encode()).attrs["dllab.csv"]["notice"] == ""
    assert read_csv(_table(";").encode()).attrs["dllab.csv"]["notice"] == \
        "read 'the upload' as semicolon-separated text"


def test_quoted_fields_keep_separators_quotes_and_newlines():
    text = ('name,comment,score\n'
            '"Smith, J","said ""hi"", then left",1\n'
            '"Doe; K","two\nlines",2\n')
    df = read_csv(text.encode())
    assert df.shape == (2, 3)
    assert df["name"].tolist() == ["Smith, J", "Doe; K"]
    assert df["comment"].tolist() == ['said "hi", then left', "two\nlines"]


def test_semicolon_with_commas_in_text_is_not_comma_separated():
    text = "a;b;note\n1;2;x, y and z\n3;4;p, q\n"
    df = read_csv(text.encode())
    assert list(df.columns) == ["a", "b", "note"]
    assert df["note"].tolist() == ["x, y and z", "p, q"]


def test_decimal_commas_with_semicolons():
    df = read_csv(b"x;y\n1,5;2\n-0,25;3\n")
    assert df["x"].tolist() == [1.5, -0.25]
    assert df.attrs["dllab.csv"]["decimal"] == ","
    assert "decimal commas" in df.attrs["dllab.csv"]["notice"]


def test_utf8_bom_is_dropped_from_first_name():
    df = read_csv(b"\xef\xbb\xbf" + "prénom,y\nZoë,1\nAndré,0\n".encode())
    assert list(df.columns) == ["prénom", "y"]
    assert df["prénom"].tolist() == ["Zoë", "André"]
    assert df.attrs["dllab.csv"]["encoding"] == "utf-8-sig"


def test_utf16_with_bom():
    df = read_csv("a\tb\n1\tü\n".encode("utf-16"))
    assert df["b"].tolist() == ["ü"]
    assert "UTF-16" in df.attrs["dllab.csv"]["notice"]


def test_two_thousand_columns():
    rng = np.random.default_rng(0)
    values = rng.integers(0, 100, size=(50, 2000))
    text = ",".join(f"c{i}" for i in range(2000)) + "\n" + "\n".join(",".join(map(str, r)) for r in values)
    df = read_csv(text.encode())
    assert df.shape == (50, 2000)
    assert df["c1999"].tolist() == values[:, 1999].tolist()
    ds = from_frame(df.assign(c0=np.arange(50) % 2), target="c0")
    assert ds.task == "binary" and len(ds.feature_columns) == 1999


def test_values_are_not_altered():
    text = "code,label,amount\n A1 ,x y,0.1\nB2,None,1e3\n"
    df = read_csv(text.encode())
    assert df["code"].tolist() == [" A1 ", "B2"]          # spaces kept
    assert df["label"].tolist() == ["x y", "None"]        # 'None' is a value, not missing
    assert df["amount"].tolist() == [0.1, 1000.0]


def test_crlf_and_trailing_separator():
    df = read_csv(b"a,b,\r\n1,2,\r\n3,4,\r\n")
    assert df[["a", "b"]].to_dict("list") == {"a": [1, 3], "b": [2, 4]}
    assert df["Unnamed: 2"].isna().all()


def test_na_spellings_read_as_missing_but_question_mark_kept():
    df = read_csv(b"a,b\n1,NA\n2,\n3,?\n4,null\n")
    assert df["b"].isna().tolist() == [True, True, False, True]
    assert df["b"].iloc[2] == "?"


# =========================================================================== sources
def test_sources_path_bytes_filelike_and_upload(tmp_path):
    data = _table(",").encode()
    path = tmp_path / "weather.csv"
    path.write_bytes(data)

    class Upload(io.BytesIO):  # like Streamlit's UploadedFile
        name = "up.csv"

    for source in (path, str(path), data, io.BytesIO(data), io.StringIO(data.decode()), Upload(data)):
        pd.testing.assert_frame_equal(read_csv(source), EXPECTED, check_dtype=False)
    assert list(read_csv(Upload(b"a,a\n1,2\n")).columns) == ["a", "a.1"]
    with pytest.raises(DataError, match="^'up.csv' is empty"):
        read_csv(Upload(b""))


def test_gzip(tmp_path):
    path = tmp_path / "w.csv.gz"
    path.write_bytes(gzip.compress(_table(";").encode()))
    pd.testing.assert_frame_equal(read_csv(path), EXPECTED, check_dtype=False)


def test_load_csv_path(tmp_path):
    path = tmp_path / "w.csv"
    path.write_text("a;b;y\n" + "".join(f"{i};{i % 3};{'yn'[i % 2]}\n" for i in range(20)))
    ds = load(path, target="y")
    assert (ds.name, ds.source, ds.task, ds.n_rows) == ("w.csv", str(path), "binary", 20)
    assert ds.notices[0] == "read 'w.csv' as semicolon-separated text"


# =========================================================================== errors
def test_missing_file(message_re, tmp_path):
    with pytest.raises(DataError, match=message_re(_FILE_NOT_FOUND)):
        read_csv(tmp_path / "nope.csv")


@pytest.mark.parametrize("raw", [b"", b"\n\n  \n", b"\xef\xbb\xbf"])
def test_empty_file(raw, message_re):
    with pytest.raises(DataError, match=message_re(_EMPTY)):
        read_csv(raw, name="e.csv")


def test_header_only(message_re):
    df = read_csv(b"a,b,y\n")
    assert df.shape == (0, 3)
    with pytest.raises(DataError, match=message_re(_NO_ROWS)):
        from_frame(df, target="y")


def test_no_header(message_re):
    with pytest.raises(DataError, match=message_re(_NO_HEADER)) as info:
        read_csv(b"1,2.5,-3\n4,5,6\n", name="n.csv")
    assert "'1', '2.5', '-3'" in str(info.value)


def test_header_with_some_numbers_is_fine():
    assert list(read_csv(b"2019,2020,name\n1,2,x\n").columns) == ["2019", "2020", "name"]


def test_duplicate_columns_from_raw_header_are_renamed_with_a_notice():
    # Issue 13: repeated names are renamed as pandas users know them, and the notice says so.
    df = read_csv(b"a,b,a,c,b\n1,2,3,4,5\n", name="d.csv")
    assert list(df.columns) == ["a", "b", "a.1", "c", "b.1"]
    assert df.attrs["dllab.csv"]["notices"] == ["columns 3, 5 repeat earlier columns' names; they are called 'a.1', 'b.1'"]


def test_one_column(message_re):
    df = read_csv(b"value\n1\n2\n")
    with pytest.raises(DataError, match=message_re(_ONE_COLUMN)):
        from_frame(df, target="value", name="o.csv")


def test_non_utf8_names_byte_and_line(message_re):
    raw = "name,y\nabc,1\ncafé,0\n".encode("latin-1")
    with pytest.raises(DataError, match=message_re(_NOT_UTF8)) as info:
        read_csv(raw, name="l.csv")
    offset = raw.index(b"\xe9")
    assert str(info.value) == _NOT_UTF8.format(name="'l.csv'", byte=0xE9, offset=offset, line=3)


def test_non_utf8_after_bom_counts_the_bom():
    raw = b"\xef\xbb\xbfa,b\n\xff,1\n"
    with pytest.raises(DataError, match="offset 7 \\(line 2\\)"):
        read_csv(raw)


def test_excel_file(message_re):
    with pytest.raises(DataError, match=message_re(_EXCEL)):
        read_csv(b"PK\x03\x04\x14\x00rest-of-a-zip", name="book.xlsx")


@pytest.mark.parametrize("raw", [b"a,b\n1,2\n3,4,5\n", b"a,b\n1,2\n\"3,4\n", b"a,b\n1,2,3\n4,5,6\n"])
def test_ragged_rows_or_open_quote(raw, message_re):
    with pytest.raises(DataError, match=message_re(_PARSE_ERROR)):
        read_csv(raw)
