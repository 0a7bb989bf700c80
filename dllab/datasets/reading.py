"""Reading CSV bytes into a DataFrame: unpacking, encodings, separators, and every change made noticed.

``read_csv`` only reads; :func:`dllab.datasets.loading.from_frame` validates the
table for modelling. What the reader did is kept in ``df.attrs["dllab.csv"]``
(:data:`CSV_ATTR`): ``notice``, one sentence saying how the file was read when
that was anything but plain UTF-8 comma-separated text, and ``notices``, one
sentence per change made to the columns (see below).

Decisions worth knowing:

- Compression: a gzip file is unpacked in chunks, at most
  :data:`MAX_DECOMPRESSED_BYTES` of text (twice the app's 200 MB upload limit):
  a first pass only counts the bytes, so a "gzip bomb" is refused within a
  second, holding one chunk. Other compressions (bz2, xz, zstd, 7z), gzip
  inside gzip and ZIP or Excel files are refused with what to do instead.
- Encoding: UTF-8, with or without a byte-order mark (BOM); UTF-16 and UTF-32
  with their BOM, or without one when their zero bytes show it unambiguously
  (:func:`_wide_encoding`; decoded strictly, and the notice says so). Anything
  else is a :class:`DataError` naming the first bad byte and the fix (save as
  UTF-8); there is no silent fallback to Latin-1, as a wrong guess would change
  the user's text without anyone noticing.
- NUL characters (zero bytes) are never CSV text: a file holding one is refused,
  naming the line and the column.
- Missing cells: the texts in ``dllab.datasets.schema.NA_VALUES`` (pandas' defaults
  without ``'None'``) are read as missing. ``'?'`` stays text; inference treats
  it as missing in numeric columns and as a level in categorical ones.
- Values are never changed: numbers are parsed by pandas as written, a
  semicolon-separated file whose numbers all use decimal commas is read with
  ``decimal=","`` (and says so in the notice), and nothing is trimmed or recoded.
- Column names and types pandas would change silently are kept or noticed
  (``notices``): a column with no name (or only spaces) is ``Unnamed: <i>`` as
  in pandas; a repeated name gets ``.1``, ``.2``, ... as in pandas, skipping
  names the header has (the first keeps its name, so a target or role given by
  that name means the first column); whole numbers with leading zeros
  (``08123``: zip codes, ids), and whole numbers beyond 2**53 with blanks, are
  kept as text; whole numbers with blanks become floats (exact) with a notice.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import os
import re
import warnings
import zlib
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import DataError, preview
from .schema import NA_VALUES

__all__ = ["read_csv", "CSV_ATTR", "MAX_DECOMPRESSED_BYTES"]

#: Key in ``DataFrame.attrs`` of how a CSV was read (``delimiter``, ``encoding``, ``decimal``, ``notice``, ``notices``).
CSV_ATTR = "dllab.csv"
#: Most bytes a gzip-compressed CSV may unpack to: twice the app's 200 MB upload limit, so a gzip holds
#: any table a plain upload could (about 2-4 million rows of 20 columns, far more than the 100,000 rows
#: the lab samples to), while a "gzip bomb" (a small file that unpacks to gigabytes) stops here.
MAX_DECOMPRESSED_BYTES = 400 * 2**20

# =========================================================================== messages
_FILE_NOT_FOUND = "no file at {path!r}; check the path (or pass a built-in dataset name)."
_UNREADABLE = "cannot read {path!r} ({detail}); check that it is a file you may read."
_EMPTY = ("{name} is empty (no columns or no text); choose a CSV file with a header row "
          "and at least one data row.")
_EXCEL = ("{name} looks like an Excel or zip file, not CSV text; in Excel use Save As > "
          "'CSV UTF-8 (comma delimited)' and load that file.")
_COMPRESSED = ("{name} is compressed with {kind}, which is not read here; unpack it (or compress the CSV "
               "once with gzip, as .csv.gz) and load it again.")
_BROKEN_GZIP = ("{name} is gzip-compressed but cannot be unpacked ({detail}); the file is truncated or "
                "damaged. Compress the CSV again, or load it unpacked.")
_TOO_BIG = ("{name} unpacks to more than {max_mb:,} MB of text ({mb:,.1f} MB compressed), more than the "
            "lab reads from one file; load a sample of its rows (the lab uses at most 100,000), or the "
            "columns you need.")
_NOT_UTF8 = ("{name} is not UTF-8 text: byte 0x{byte:02x} at offset {offset} (line {line}) is not valid "
             "UTF-8 (the file may be Latin-1 or Windows-1252); re-save it as UTF-8 (in Excel: "
             "'CSV UTF-8') and load it again.")
_BAD_UNICODE = ("{name} starts with the byte-order mark of {encoding} but is not valid {encoding} "
                "({detail} at byte offset {offset}); the file is truncated or damaged. Save it as UTF-8 "
                "(in Excel: 'CSV UTF-8') and load it again.")
_WIDE_BROKEN = ("{name} looks like {encoding} text without a byte-order mark (zero bytes in the pattern of "
                "that encoding), but {problem}; save it as UTF-8 (in Excel: 'CSV UTF-8') and load it again.")
_WIDE_UNCLEAR = ("{name} has {count:,} zero bytes in its first {n:,} bytes, as text saved as UTF-16 or UTF-32 "
                 "without a byte-order mark has, but their pattern fits neither; save it as UTF-8 (in Excel: "
                 "'CSV UTF-8') and load it again.")
_NUL = ("{name} holds a NUL character (a zero byte, which is never CSV text) in {where}; the file is damaged, "
        "or was saved as UTF-16 or UTF-32 and lost its byte-order mark. Save it as UTF-8 (in Excel: "
        "'CSV UTF-8') or delete the NUL characters, and load it again.")
_NO_HEADER = ("{name}: the first row ({row}) is all numbers, so it looks like data rather than "
              "column names; add a header row with one name per column.")
_PARSE_ERROR = ("{name} could not be read as CSV ({detail}); check that every row has as many "
                "fields as the header and that every quote is closed.")

# Where a NUL character is (the {where} of _NUL).
_NUL_IN_NAME = "the name of column {position} ({cell!r})"
_NUL_IN_CELL = "line {line}, column {column!r}"
_NUL_AT_LINE = "line {line}"

# Notices: how the file was read, and each change to its columns.
_NOTE_CSV = "read {name} as {what}"
_NOTE_NO_NAME = ("column {positions} had no name; it is called {names}",
                 "columns {positions} had no name; they are called {names}")
_NOTE_REPEATED = ("column {positions} repeats an earlier column's name; it is called {names}",
                  "columns {positions} repeat earlier columns' names; they are called {names}")
_NOTE_ZEROS = ("column {columns} keeps its leading zeros (e.g. {example!r}): read as text",
               "columns {columns} keep their leading zeros (e.g. {example!r}): read as text")
_NOTE_LONG = ("column {columns} has blank cells and whole numbers too long to keep exactly as decimals "
              "(e.g. {example!r}): read as text",
              "columns {columns} have blank cells and whole numbers too long to keep exactly as decimals "
              "(e.g. {example!r}): read as text")
_NOTE_BLANKS = ("column {columns} has {count:,} blank cell(s): read as numbers with missing values "
                "(whole numbers stored as decimals, unchanged)",
                "columns {columns} have {count:,} blank cells in all: read as numbers with missing values "
                "(whole numbers stored as decimals, unchanged)")

_NUMBER = re.compile(r"^\s*[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?\s*$")
_DECIMAL_COMMA = re.compile(r"^\s*[+-]?\d+,\d+\s*$")
_DECIMAL_POINT = re.compile(r"^\s*[+-]?\d*\.\d+\s*$")
_LEADING_ZERO = r"[ \t]*[+-]?0[0-9]"  # ASCII classes: pandas' numbers allow no other blanks, and RE2 is fast
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")  # not text: C0 and C1 controls but tab, CR, LF
_WHOLE = r"[ \t]*[+-]?[0-9]+[ \t]*"
_DELIMITERS = (",", ";", "\t", "|")
_DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
_SNIFF_CHARS = 65_536
_SNIFF_LINES = 20
_SNIFF_BYTES = 65_536       # bytes whose zero-byte pattern tells BOM-less UTF-16/UTF-32
_CHUNK = 1 << 18            # gzip is unpacked this many bytes at a time
_EXACT_FLOAT = 2 ** 53      # whole numbers up to this are exact as float64
_MIN_ZEROS = 8               # fewer zero bytes are NUL characters, not a UTF-16/UTF-32 pattern
_NUL_SCAN = 10_000_000      # a NUL further in is located by line only (no CSV parse of all before it)

# (byte-order mark, Python codec, name in messages): UTF-32 first, as its little-endian BOM starts with UTF-16's.
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32", "UTF-32"), (codecs.BOM_UTF32_BE, "utf-32", "UTF-32"),
         (codecs.BOM_UTF8, "utf-8-sig", "UTF-8"), (codecs.BOM_UTF16_LE, "utf-16", "UTF-16"),
         (codecs.BOM_UTF16_BE, "utf-16", "UTF-16"))
_WIDE_NAMES = {"utf-16-le": "UTF-16 little-endian", "utf-16-be": "UTF-16 big-endian",
               "utf-32-le": "UTF-32 little-endian", "utf-32-be": "UTF-32 big-endian"}
# Magic bytes of compressions that are refused (gzip is unpacked).
_OTHER_COMPRESSIONS = ((re.compile(rb"^BZh[1-9]1AY&SY"), "bzip2"), (re.compile(rb"^\xfd7zXZ\x00"), "xz"),
                       (re.compile(rb"^\x28\xb5\x2f\xfd"), "zstd"), (re.compile(rb"^7z\xbc\xaf\x27\x1c"), "7-Zip"))


# =========================================================================== read_csv
def read_csv(source, *, name: str | None = None) -> pd.DataFrame:
    """Read a CSV file into a DataFrame, refusing what it cannot read faithfully.

    The separator (comma, semicolon, tab or pipe) and the encoding (UTF-8, with
    or without BOM; UTF-16 and UTF-32, with BOM or recognised by their zero
    bytes) are sniffed; quoted fields may hold separators and line breaks;
    gzip-compressed files are unpacked (at most :data:`MAX_DECOMPRESSED_BYTES`).
    How the file was read is kept in ``df.attrs["dllab.csv"]``: ``delimiter``,
    ``encoding``, ``decimal``, ``notice`` (how it was read, if unusual) and
    ``notices`` (every column renamed or typed differently from what pandas
    would do silently); :func:`dllab.datasets.from_frame` passes them on as
    notices of the dataset.

    Parameters
    ----------
    source : str, path, bytes or file-like
        A path, the file's bytes, or an object with ``getvalue()`` or ``read()``
        (such as Streamlit's ``UploadedFile``).
    name : str, optional
        Name used in messages; default: the file's name, else ``"the upload"``.

    Returns
    -------
    DataFrame
        Columns as written in the header (unnamed and repeated ones renamed);
        values as pandas parses them, except columns kept as text to keep
        leading zeros or long whole numbers.

    Raises
    ------
    DataError
        If there is no such file, it is empty, an Excel or zip file, compressed
        other than with gzip (or unpacks to too much), not decodable as UTF-8,
        UTF-16 or UTF-32, holds a NUL character, has no header row (the first
        row is all numbers), or cannot be parsed as CSV.

    Examples
    --------
    >>> df = read_csv(b"city;price\\nOslo;1,5\\nRome;2,25\\n")
    >>> df
       city  price
    0  Oslo   1.50
    1  Rome   2.25
    >>> df.attrs["dllab.csv"]["notice"]
    "read 'the upload' as semicolon-separated text with decimal commas"
    >>> df = read_csv(b"zip,,n,n\\n08123,a,1,2\\n10001,b,,3\\n")
    >>> list(df.columns), df["zip"].tolist()
    (['zip', 'Unnamed: 1', 'n', 'n.1'], ['08123', '10001'])
    >>> for notice in df.attrs["dllab.csv"]["notices"]:
    ...     print(notice)
    column 2 had no name; it is called 'Unnamed: 1'
    column 4 repeats an earlier column's name; it is called 'n.1'
    column 'zip' keeps its leading zeros (e.g. '08123'): read as text
    column 'n' has 1 blank cell(s): read as numbers with missing values (whole numbers stored as decimals, unchanged)
    """
    raw, label = _read_bytes(source, name)
    shown = repr(label)
    raw = _unpack(raw, shown)
    if raw[:4] == b"PK\x03\x04":
        raise DataError(_EXCEL.format(name=shown))
    text, encoding, how = _decode(raw, shown)
    del raw
    if not text or text.isspace():
        raise DataError(_EMPTY.format(name=shown))
    delimiter, rows = _sniff(text)
    if "\x00" in text:
        raise DataError(_NUL.format(name=shown, where=_nul_place(text, delimiter)))
    header = rows[0]
    cells = [c for c in header if c.strip()]
    if cells and all(_NUMBER.match(c) for c in cells):
        raise DataError(_NO_HEADER.format(name=shown, row=preview(header, limit=5)))
    decimal = "," if delimiter != "," and _uses_decimal_comma(rows[1:]) else "."
    options = dict(sep=delimiter, keep_default_na=False, na_values=list(NA_VALUES), low_memory=False,
                   index_col=False)
    df = _parse(text, shown, n_names=len(header), decimal=decimal, **options)
    notices = _name_columns(df, text, options)
    notices += _keep_as_written(df, text, options)
    what = []
    if delimiter != ",":
        what.append(f"{_DELIMITER_NAMES[delimiter]}-separated text")
    if decimal == ",":
        what.append("with decimal commas")
    if how:
        what.append(f"({how})")
    if what and delimiter == ",":
        what.insert(0, "comma-separated text")
    notice = _NOTE_CSV.format(name=shown, what=" ".join(what)) if what else ""
    df.attrs[CSV_ATTR] = {"delimiter": delimiter, "encoding": encoding, "decimal": decimal, "notice": notice,
                          "notices": notices}
    return df


# =========================================================================== bytes
def _read_bytes(source, name):
    if isinstance(source, (bytes, bytearray, memoryview)):
        return bytes(source), name or "the upload"
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        if not path.is_file():
            raise DataError(_FILE_NOT_FOUND.format(path=str(source)))
        try:
            return path.read_bytes(), name or path.name
        except OSError as exc:  # no permission, a device, a file removed meanwhile
            raise DataError(_UNREADABLE.format(path=str(source), detail=exc.strerror or type(exc).__name__)) \
                from None
    if hasattr(source, "getvalue"):
        data = source.getvalue()
    elif hasattr(source, "read"):
        data = source.read()
    else:
        raise TypeError(f"read_csv needs a path, bytes or a file-like object, not {type(source).__name__}")
    if isinstance(data, str):
        data = data.encode("utf-8")
    label = name or os.path.basename(str(getattr(source, "name", "") or "")) or "the upload"
    return bytes(data), label


def _unpack(raw: bytes, shown: str):
    """``raw`` unpacked if it is gzip (bytes or bytearray); other compressions are refused."""
    for magic, kind in _OTHER_COMPRESSIONS:
        if magic.match(raw[:16]):
            raise DataError(_COMPRESSED.format(name=shown, kind=kind))
    if raw[:2] != b"\x1f\x8b":
        return raw
    # Count first, keeping nothing: a bomb is refused holding one chunk; then unpack into one buffer.
    size = _inflate(raw, shown, None)
    out = bytearray(size)
    _inflate(raw, shown, memoryview(out))
    if out[:2] == b"\x1f\x8b":
        raise DataError(_COMPRESSED.format(name=shown, kind="gzip twice"))
    return out


def _inflate(raw: bytes, shown: str, into) -> int:
    """Unpack the gzip ``raw`` chunk by chunk (into ``into`` when given); its size, refused past the cap."""
    total = 0
    chunk = memoryview(bytearray(_CHUNK)) if into is None else None
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(raw)) as stream:
            while True:
                n = stream.readinto(chunk if into is None else into[total:total + _CHUNK])
                if not n:
                    break
                total += n
                if total > MAX_DECOMPRESSED_BYTES:
                    raise DataError(_TOO_BIG.format(name=shown, max_mb=MAX_DECOMPRESSED_BYTES // 2**20,
                                                    mb=len(raw) / 2**20))
    except (OSError, EOFError, zlib.error) as exc:  # gzip.BadGzipFile is an OSError
        raise DataError(_BROKEN_GZIP.format(name=shown, detail=" ".join(str(exc).split()) or "no data")) \
            from None
    return total


# =========================================================================== encodings
def _decode(raw, shown: str) -> tuple[str, str, str]:
    """``(text, encoding, how)``: ``how`` is the encoding as the notice says it ("" for plain UTF-8)."""
    for bom, encoding, label in _BOMS:
        if not raw.startswith(bom):
            continue
        if encoding == "utf-8-sig":
            return _utf8(raw, len(bom), shown), encoding, ""
        try:
            return raw.decode(encoding), encoding, label
        except UnicodeDecodeError as exc:
            raise DataError(_BAD_UNICODE.format(name=shown, encoding=label, detail=exc.reason,
                                                offset=exc.start)) from None
    wide = _wide_encoding(raw, shown)
    if wide is not None:
        label = _WIDE_NAMES[wide]
        try:
            text = raw.decode(wide)
        except UnicodeDecodeError as exc:
            problem = f"it is not valid {label} ({exc.reason} at byte offset {exc.start})"
            raise DataError(_WIDE_BROKEN.format(name=shown, encoding=label, problem=problem)) from None
        sample = text[:_SNIFF_CHARS]
        odd = len(_CONTROL.findall(sample))
        if odd > 0.1 * len(sample):  # binary data with that zero pattern: a quarter of it reads as controls
            problem = f"read that way {odd:,} of its first {len(sample):,} characters are control characters"
            raise DataError(_WIDE_BROKEN.format(name=shown, encoding=label, problem=problem))
        return text, wide, f"{label} without a byte-order mark, judged from its zero bytes"
    return _utf8(raw, 0, shown), "utf-8", ""


def _utf8(raw, start: int, shown: str) -> str:
    try:
        return str(memoryview(raw)[start:], "utf-8")  # no copy of a large file
    except UnicodeDecodeError as exc:
        offset = start + exc.start
        raise DataError(_NOT_UTF8.format(name=shown, byte=raw[offset], offset=offset,
                                         line=raw.count(b"\n", 0, offset) + 1)) from None


def _wide_encoding(raw, shown: str) -> str | None:
    """The BOM-less UTF-16/UTF-32 codec whose zero-byte pattern ``raw`` shows, or None (read it as UTF-8).

    Text of Latin letters, digits and separators in UTF-32 has zeros in the
    three high bytes of every four (little-endian: positions 1-3; big-endian:
    0-2), in UTF-16 in the high byte of every two; UTF-8 text has none. At
    least 5% of the sampled bytes (and 8) must be zero for a pattern to count;
    UTF-16 needs zeros in 30% of the high bytes and hardly any (a tenth as
    many) in the low ones. Zeros mostly on one side of the byte pairs, but not
    in such a pattern, are refused; a few zeros are NUL characters in UTF-8.
    """
    sample = raw[:_SNIFF_BYTES]
    n = len(sample) - len(sample) % 4
    if n < 4:
        return None
    z = [sample[k:n:4].count(0) for k in range(4)]
    total, quarter = sum(z), n // 4
    if total < max(_MIN_ZEROS, 0.05 * n):
        return None
    if z[3] == quarter and z[2] >= 0.9 * quarter and z[0] <= 0.1 * quarter:
        return "utf-32-le"
    if z[0] == quarter and z[1] >= 0.9 * quarter and z[3] <= 0.1 * quarter:
        return "utf-32-be"
    odd, even = z[1] + z[3], z[0] + z[2]
    if odd >= 0.3 * 2 * quarter and even <= 0.1 * odd:
        return "utf-16-le"
    if even >= 0.3 * 2 * quarter and odd <= 0.1 * even:
        return "utf-16-be"
    if max(odd, even) >= 0.75 * total:
        raise DataError(_WIDE_UNCLEAR.format(name=shown, count=total, n=n))
    return None  # zeros everywhere: not a text encoding; the UTF-8 path refuses it, naming the place


def _nul_place(text: str, delimiter: str) -> str:
    """Where the first NUL character is: a column name, a line and column, or a line."""
    at = text.index("\x00")
    line = text.count("\n", 0, at) + 1
    if at > _NUL_SCAN:
        return _NUL_AT_LINE.format(line=line)
    end = text.find("\n", at)
    try:
        rows = list(csv.reader(io.StringIO(text[:len(text) if end < 0 else end]), delimiter=delimiter))
    except csv.Error:
        return _NUL_AT_LINE.format(line=line)
    rows = [r for r in rows if r]
    for r, row in enumerate(rows):
        for c, cell in enumerate(row):
            if "\x00" in cell:
                if r == 0:
                    return _NUL_IN_NAME.format(position=c + 1, cell=cell)
                column = rows[0][c] if c < len(rows[0]) and rows[0][c].strip() else c + 1  # its name, or number
                return _NUL_IN_CELL.format(line=line, column=column)
    return _NUL_AT_LINE.format(line=line)


# =========================================================================== separators
def _sniff(text: str) -> tuple[str, list[list[str]]]:
    """Separator giving the most consistent rows (then the most fields); and those rows."""
    end = min(len(text), _SNIFF_CHARS)
    nl = -1
    for _ in range(_SNIFF_LINES):  # at least a few whole lines, however wide
        nl = text.find("\n", nl + 1)
        if nl < 0:
            break
    if nl < 0:
        end = len(text)
    elif nl + 1 > end:
        end = nl + 1
    sample = text[:end]
    truncated = end < len(text)
    first_line = sample[:sample.find("\n")] if "\n" in sample else sample
    best, best_rows, best_score = ",", None, None
    for d in _DELIMITERS:
        cut = truncated
        try:
            rows = list(csv.reader(io.StringIO(sample), delimiter=d, quotechar='"'))
        except csv.Error:  # a field longer than the csv module's limit: judge by the header alone
            try:
                rows, cut = list(csv.reader(io.StringIO(first_line), delimiter=d, quotechar='"')), False
            except csv.Error:
                continue
        if cut and len(rows) > 1:
            rows = rows[:-1]  # may be cut in the middle
        rows = [r for r in rows if r and any(c.strip() for c in r)]
        if not rows:
            continue
        width = len(rows[0])
        consistent = sum(len(r) == width for r in rows) / len(rows)
        score = (width > 1, consistent, width)
        if best_score is None or score > best_score:
            best, best_rows, best_score = d, rows, score
    return best, best_rows or [[]]


def _uses_decimal_comma(rows) -> bool:
    commas = points = 0
    for row in rows:
        for cell in row:
            commas += bool(_DECIMAL_COMMA.match(cell))
            points += bool(_DECIMAL_POINT.match(cell))
    return commas > 0 and points == 0


# =========================================================================== parsing
def _parse(text: str, shown: str, *, n_names: int, **options) -> pd.DataFrame:
    try:
        with warnings.catch_warnings():
            # Rows wider than the header would silently become an index or lose fields.
            warnings.simplefilter("error", pd.errors.ParserWarning)
            return pd.read_csv(io.StringIO(text), **options)
    except pd.errors.EmptyDataError:
        raise DataError(_EMPTY.format(name=shown)) from None
    except pd.errors.ParserWarning:
        detail = f"data rows have more fields than the {n_names} names in the header"
        raise DataError(_PARSE_ERROR.format(name=shown, detail=detail)) from None
    except pd.errors.ParserError as exc:
        detail = " ".join(str(exc).split())
        raise DataError(_PARSE_ERROR.format(name=shown, detail=detail)) from None


def _name_columns(df: pd.DataFrame, text: str, options: dict) -> list[str]:
    """Name ``df``'s columns from the header as written (unnamed and repeated ones renamed); the notices."""
    options = {k: v for k, v in options.items() if k not in ("keep_default_na", "na_values")}
    written = []
    for source in (_head(text), text):  # the first lines hold the header, unless a quoted name is huge
        try:
            header = pd.read_csv(io.StringIO(source), header=None, nrows=1, dtype=str, na_filter=False, **options)
        except (pd.errors.ParserError, ValueError):
            continue
        written = [str(c) for c in header.iloc[0].tolist()] if len(header) else []
        if len(written) == df.shape[1]:
            break
    assert len(written) == df.shape[1], f"internal error: {len(written)} names for {df.shape[1]} columns"
    # Names written in the header win over generated ones; pandas' rule for the rest: name.1, name.2, ...
    taken = {w for w in written if w.strip()}
    used, names, unnamed, repeated = set(), [], [], []
    for i, w in enumerate(written):
        base = w if w.strip() else f"Unnamed: {i}"
        name = base if base not in used and (w.strip() or base not in taken) else None
        if name is None:
            k = 1
            while f"{base}.{k}" in taken or f"{base}.{k}" in used:
                k += 1
            name = f"{base}.{k}"
        if not w.strip():
            unnamed.append(i)
        elif name != base:
            repeated.append(i)
        used.add(name)
        names.append(name)
    df.columns = names
    notices = []
    for template, positions in ((_NOTE_NO_NAME, unnamed), (_NOTE_REPEATED, repeated)):
        if positions:
            notices.append(_plural(template, positions=", ".join(str(i + 1) for i in positions[:8])
                                   + (f", ... ({len(positions)} in all)" if len(positions) > 8 else ""),
                                   names=preview([names[i] for i in positions]), n=len(positions)))
    return notices


def _keep_as_written(df: pd.DataFrame, text: str, options: dict) -> list[str]:
    """Keep leading zeros and long whole numbers as text; say where whole numbers became decimals.

    Leading zeros matter in codes (zip codes, ids), which are whole numbers:
    integer columns and float columns of whole numbers are read again as text
    only when some field of the file may start with a zero and a digit (a fast
    test); float columns of whole numbers beyond 2**53 only when there are
    some. Whether whole numbers with blanks were written without decimals is
    judged from the first lines.
    """
    numeric = [i for i in range(df.shape[1]) if _is_number_column(df.iloc[:, i])]
    if not numeric:
        return []
    whole = [i for i in numeric if _whole_floats(df.iloc[:, i])]
    codes = [i for i in numeric if i in whole or pd.api.types.is_integer_dtype(df.iloc[:, i].dtype)]
    long = [i for i in whole if (df.iloc[:, i].abs() > _EXACT_FLOAT).any()]
    full = codes if codes and _has_leading_zero_field(text, options["sep"]) else long
    written = _written(text, full, options) if full else {}
    zeros, as_text, blanks = {}, {}, {}
    for i in full:
        leading = written[i][written[i].str.match(_LEADING_ZERO, na=False)]
        if len(leading):
            zeros[df.columns[i]] = leading.iloc[0]
        elif i in long and written[i].dropna().str.fullmatch(_WHOLE).all():
            as_text[df.columns[i]] = written[i][df.iloc[:, i].abs().to_numpy() > _EXACT_FLOAT].iloc[0]
        else:
            continue
        df.isetitem(i, written[i])
    blank = [i for i in whole if df.columns[i] not in zeros and df.columns[i] not in as_text
             and df.iloc[:, i].isna().any()]
    head = _written(_head(text), blank, options) if blank else {}
    for i in blank:
        if head.get(i) is None or head[i].dropna().str.fullmatch(_WHOLE).all():  # else written as 1.0, 2.0
            blanks[df.columns[i]] = int(df.iloc[:, i].isna().sum())
    notices = []
    for template, found in ((_NOTE_ZEROS, zeros), (_NOTE_LONG, as_text)):
        if found:
            notices.append(_plural(template, columns=preview(found), example=next(iter(found.values())),
                                   n=len(found)))
    if blanks:
        notices.append(_plural(_NOTE_BLANKS, columns=preview(blanks), count=sum(blanks.values()), n=len(blanks)))
    return notices


def _written(text: str, positions, options: dict) -> dict:
    """Column position -> its cells as written (text; missing as NaN); ``{}`` if ``text`` does not parse."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", pd.errors.ParserWarning)
            raw = pd.read_csv(io.StringIO(text), usecols=list(positions), dtype=str, **options)
    except (pd.errors.ParserError, ValueError):  # the first lines may end inside a quoted field
        return {}
    return {i: raw.iloc[:, j] for j, i in enumerate(positions)}


def _head(text: str) -> str:
    """The first whole lines of ``text``, about as many characters as the separator is sniffed from."""
    if len(text) <= _SNIFF_CHARS:
        return text
    end = text.rfind("\n", 0, _SNIFF_CHARS)
    end = end if end >= 0 else text.find("\n", _SNIFF_CHARS)
    return text if end < 0 else text[:end + 1]


def _is_number_column(s: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype)


def _whole_floats(s: pd.Series) -> bool:
    """A float column of finite whole numbers (and perhaps blanks): what pandas makes of whole numbers."""
    if not pd.api.types.is_float_dtype(s.dtype):
        return False
    values = s.to_numpy()
    present = values[~np.isnan(values)]
    return bool(len(present)) and np.isfinite(present).all() and np.array_equal(present, np.floor(present))


def _has_leading_zero_field(text: str, delimiter: str) -> bool:
    """Whether some field may start with a zero and a digit (a fast, generous test before a second read)."""
    # The literal 0 first lets the regex engine skip ahead; the look-behind then checks one character
    # (a separator, line break, quote, blank or sign): linear time, even in a field of 100,000 spaces.
    pattern = "0(?<=[" + re.escape(delimiter) + '\n" \t+-]0)[0-9]'
    return re.search(pattern, text) is not None


def _plural(templates, *, n: int, **values) -> str:
    return templates[n != 1].format(**values)
