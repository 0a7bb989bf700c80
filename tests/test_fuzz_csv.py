"""Property-based tests of the data boundary: whatever CSV file arrives, the public API loads and compares
it, or refuses it with a ``DataError``/``ConfigError``; it never escapes with another exception, and the
file is never changed.

Hypothesis generates well over 1,000 files per run (derandomized, so CI sees the same ones): small
tables with odd headers (empty, repeated, unicode, numbers) and odd cells (NaN and infinity spellings,
leading zeros, long whole numbers, quotes, separators and line breaks inside fields), written with
each separator and quoting style, in UTF-8 with and without BOM, UTF-16 and UTF-32 with and without
BOM, Latin-1 and Windows-1252, some gzip-compressed, truncated, corrupted or with NUL bytes put in;
tables with thousands of columns, fields of a few hundred thousand characters, a single row, and
arbitrary bytes. Every file that loads is compared on the quick budget (2 folds, linear and gbm);
a family that fails is a result, not an escape.

Set ``DLLAB_FUZZ_SUMMARY=path.json`` to have the run's counts (cases, clean, refused, escaped)
written there.
"""

from __future__ import annotations

import codecs
import collections
import csv
import gzip
import hashlib
import io
import itertools
import json
import os
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import dllab
from dllab import ConfigError, DataError, RunConfig

# Degenerate tables make sklearn warn (R^2 of one sample, constant features): expected here, not news.
pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning", "ignore::UserWarning")

CONFIG = RunConfig(budget="quick", n_folds=2, families=("linear", "gbm"))
COUNTS = collections.Counter()
REASONS = collections.Counter()  # refusals by the start of their message (file name and numbers left out)
_IDS = itertools.count()


def _settings(n: int):
    return settings(max_examples=n, derandomize=True, deadline=None, database=None, print_blob=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.large_base_example])


@pytest.fixture(scope="module", autouse=True)
def _summary():
    yield
    path = os.environ.get("DLLAB_FUZZ_SUMMARY")
    if path:
        with open(path, "w") as fh:
            json.dump({"counts": dict(COUNTS), "refusals": dict(REASONS.most_common())}, fh, indent=1)


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return tmp_path_factory.mktemp("fuzz")


def _check(folder, raw: bytes, *, target=None, suffix: str = ".csv") -> None:
    """Load the file (and compare what loads); anything but a Dataset/Comparison or a user error fails."""
    path = folder / f"case{next(_IDS)}{suffix}"
    path.write_bytes(raw)
    digest = hashlib.sha256(raw).hexdigest()
    COUNTS["cases"] += 1
    try:
        try:
            ds = dllab.load(path, target=target)
        except (DataError, ConfigError) as exc:
            COUNTS["refused at load"] += 1
            REASONS[re.sub(r"\d+", "#", re.sub(r"'[^']*'", "'…'", str(exc)))[:60]] += 1
            assert str(exc) and "\n" not in str(exc).strip(), str(exc)
            return
        assert type(ds).__name__ == "Dataset"
        try:
            cmp = dllab.compare(ds, config=CONFIG)
        except (DataError, ConfigError):
            COUNTS["refused at compare"] += 1
            return
        assert type(cmp).__name__ == "Comparison"
        COUNTS["clean"] += 1
        COUNTS["clean, some family failed"] += bool((cmp.overall["status"] != "ok").any())
    except BaseException:
        COUNTS["escaped"] += 1
        raise
    finally:
        assert hashlib.sha256(path.read_bytes()).hexdigest() == digest, "the input file was changed"
        path.unlink()


# =========================================================================== strategies
NA_SPELLINGS = ("", "NA", "N/A", "n/a", "nan", "NaN", "-nan", "null", "NULL", "None", "?", "#N/A", "-", ".")
INF_SPELLINGS = ("inf", "-inf", "Inf", "Infinity", "-Infinity", "1e400", "-1e999", "INF")
ODD_NUMBERS = ("0", "-0", "007", "08123", "00", "+5", " 12 ", "1,5", "1.000,5", "1 000", "0x1F", "1_000", "1e5",
               ".5", "5.", "TRUE", "false", "yes", "2024-01-31", "31/01/2024", "12:30", "9007199254740993")
NAMES = ("", " ", "a", "a", "b", "y", "target", "label", "id", "Unnamed: 1", "a.1", "1", "2.5", "x y", "名前",
         "naïve", 'say "hi"', "a,b", "a;b", "tab\there", "line\nbreak", "NA", "None", "\u200b", "é" * 40)

name = st.one_of(st.sampled_from(NAMES), st.text(max_size=8))
small_int = st.integers(-3, 3).map(str)
wide_int = st.integers(-10**9, 10**9).map(str)
big_int = st.integers(2**53 - 2, 2**70).map(str)
decimal = st.floats(-1e6, 1e6, allow_nan=False).map(lambda v: f"{v:.3f}")
any_float = st.floats(allow_nan=True, allow_infinity=True).map(repr)
category = st.sampled_from(("red", "green", "blue", "Red ", "None", "é", "日本"))
leading_zero = st.integers(0, 99_999).map(lambda v: f"{v:05d}")
free_text = st.text(max_size=30)
odd = st.sampled_from(NA_SPELLINGS + INF_SPELLINGS + ODD_NUMBERS)

COLUMN_KINDS = {
    "class": st.one_of(small_int.filter(lambda v: v in ("0", "1")), st.sampled_from(("yes", "no"))),
    "small_int": small_int, "wide_int": wide_int, "big_int": big_int, "decimal": decimal, "float": any_float,
    "category": category, "zip": leading_zero, "text": free_text, "odd": odd,
}


@st.composite
def column(draw, n_rows: int):
    kind = draw(st.sampled_from(sorted(COLUMN_KINDS)))
    blanks = draw(st.floats(0, 0.5)) if draw(st.booleans()) else 0.0
    values = []
    for _ in range(n_rows):
        if blanks and draw(st.floats(0, 1)) < blanks:
            values.append(draw(st.sampled_from(NA_SPELLINGS[:4])))
        elif draw(st.integers(0, 19)) == 0:  # now and then any odd cell
            values.append(draw(st.one_of(odd, free_text)))
        else:
            values.append(draw(COLUMN_KINDS[kind]))
    return values


@st.composite
def tables(draw, *, max_cols: int = 5, max_rows: int = 30):
    """``(header, rows, target)``: the target is the last name when it is a usable, unique one."""
    n_cols = draw(st.integers(2, max_cols))
    n_rows = draw(st.sampled_from((1, 2, 5, 12, 12, max_rows, max_rows)) if draw(st.booleans())
                  else st.integers(1, max_rows))
    header = draw(st.lists(name, min_size=n_cols, max_size=n_cols))
    columns = [draw(column(n_rows)) for _ in range(n_cols - 1)]
    kind = draw(st.sampled_from(("pair", "pair", "class", "decimal", "any")))
    if kind == "pair":  # two classes taking turns: a target that can be modelled
        pair = draw(st.sampled_from((("a", "b"), ("0", "1"), ("yes", "no"), ("1.5", "2.5"), ("Ja", "Nein"))))
        columns.append([pair[i % 2] for i in range(n_rows)])
    else:
        cells = COLUMN_KINDS["class"] if kind == "class" else decimal if kind == "decimal" else column(n_rows)
        columns.append(draw(cells) if kind == "any" else draw(st.lists(cells, min_size=n_rows, max_size=n_rows)))
    rows = [list(r) for r in zip(*columns)]
    last = header[-1]
    target = last if last.strip() and header.count(last) == 1 and "\x00" not in last else None
    return header, rows, target


ENCODINGS = ("utf-8", "utf-8", "utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le",
             "utf-32-be", "latin-1", "cp1252")


def _write(header, rows, *, delimiter: str, quoting: int, newline: str) -> str:
    buf = io.StringIO()
    if quoting < 0:  # no quoting at all: separators and quotes in fields make the file malformed
        buf.write(newline.join(delimiter.join(r) for r in [header, *rows]) + newline)
    else:
        csv.writer(buf, delimiter=delimiter, quoting=quoting, lineterminator=newline).writerows([header, *rows])
    return buf.getvalue()


def _encode(text: str, encoding: str) -> bytes:
    if encoding in ("utf-8", "utf-8-sig") or encoding.startswith("utf-"):
        return text.encode(encoding, errors="surrogatepass")
    return text.encode(encoding, errors="replace")


@st.composite
def mutated(draw, raw: bytes) -> bytes:
    """``raw`` after 0-2 of: gzip, truncation, a flipped byte, a NUL byte put in."""
    for step in draw(st.lists(st.sampled_from(("gzip", "truncate", "flip", "nul")), max_size=2)):
        if step == "gzip":
            raw = gzip.compress(raw, mtime=0)
        elif raw and step == "truncate":
            raw = raw[:draw(st.integers(0, len(raw) - 1))]
        elif raw and step == "flip":
            at = draw(st.integers(0, len(raw) - 1))
            raw = raw[:at] + bytes([raw[at] ^ draw(st.integers(1, 255))]) + raw[at + 1:]
        elif step == "nul":
            at = draw(st.integers(0, len(raw)))
            raw = raw[:at] + b"\x00" + raw[at:]
    return raw


@st.composite
def csv_files(draw):
    header, rows, target = draw(tables())
    text = _write(header, rows, delimiter=draw(st.sampled_from((",", ";", "\t", "|"))),
                  quoting=draw(st.sampled_from((csv.QUOTE_MINIMAL, csv.QUOTE_MINIMAL, csv.QUOTE_ALL, -1))),
                  newline=draw(st.sampled_from(("\n", "\r\n"))))
    if draw(st.booleans()):
        text = text.rstrip("\r\n")  # no final line break
    raw = draw(mutated(_encode(text, draw(st.sampled_from(ENCODINGS)))))
    suffix = ".csv.gz" if raw[:2] == b"\x1f\x8b" else draw(st.sampled_from((".csv",) * 6 + (".txt", ".tsv", ".zip")))
    return raw, target, suffix


# =========================================================================== properties
@_settings(900)
@given(case=csv_files())
def test_any_csv_loads_and_compares_or_is_refused(folder, case):
    raw, target, suffix = case
    _check(folder, raw, target=target, suffix=suffix)


@_settings(300)
@given(raw=st.one_of(st.binary(max_size=600),
                     st.tuples(st.sampled_from((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE,
                                                codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE, b"\x1f\x8b", b"PK\x03\x04",
                                                b"BZh91AY&SY", b"a,b\n", b"")),
                               st.binary(max_size=300)).map(b"".join)),
       target=st.sampled_from((None, "a", "b")))
def test_arbitrary_bytes_are_refused_or_loaded(folder, raw, target):
    _check(folder, raw, target=target)


@_settings(5)  # a clean one costs seconds (inference and two families on 2,000 columns)
@given(n_cols=st.integers(1000, 3000), n_rows=st.sampled_from((1, 3, 10)), seed=st.integers(0, 2**16),
       delimiter=st.sampled_from((",", ";", "\t")))
def test_thousands_of_columns(folder, n_cols, n_rows, seed, delimiter):
    header = [f"c{i}" for i in range(n_cols - 1)] + ["y"]
    rows = [[str((seed * (r + 1) + 7 * c) % 97) for c in range(n_cols - 1)] + ["ab"[r % 2]] for r in range(n_rows)]
    _check(folder, _write(header, rows, delimiter=delimiter, quoting=csv.QUOTE_MINIMAL, newline="\n").encode(),
           target="y")


@_settings(30)
@given(length=st.integers(10_000, 400_000), char=st.sampled_from(("x", "é", " ", ",", "\n", '"')),
       n_rows=st.integers(1, 12), quoted=st.booleans())
def test_very_long_fields(folder, length, char, n_rows, quoted):
    rows = [[str(r % 3), char * length if r == 0 else "short", "ab"[r % 2]] for r in range(n_rows)]
    text = _write(["n", "note", "y"], rows, delimiter=",", quoting=csv.QUOTE_MINIMAL if quoted else -1,
                  newline="\n")
    _check(folder, text.encode(), target="y")
