"""Read the rows of a CSV or XLSX file as dicts keyed by normalised header, with the line number a
user sees in a spreadsheet, so every loader maps columns by name and reports rows by line.

The format comes from the file's content, not its name (uploads often lose their extension):
a ZIP is read as XLSX (first worksheet, streamed with openpyxl's read-only mode), anything else
as delimited text. Text may be UTF-8 with or without a byte-order mark, UTF-16 with a BOM (Excel's
"Unicode text"), or Windows-1252 when UTF-8 fails; the delimiter is ``;``, ``,`` or tab.

The header is the first non-empty row; blank rows are skipped; cell text is stripped and
NFC-normalised; a line number counts records as a spreadsheet shows them (a quoted cell spanning
two text lines is still one row). Anything that makes the whole file unreadable raises
:class:`~graphsvc.errors.ImportFailed` naming the file.

In delimited text a row with more or fewer fields than the header, or a quote that is not
closed, is a :attr:`Row.problem` for the loader to reject, never a silent shift of columns. A
quote that runs on past its line swallows the lines after it; those are read again as rows of
their own, so one missing quote costs one row, not the rest of the file.

Bounded whatever the file holds (:class:`loaders.streams.Limits`): a cell of more than
``max_field`` characters (1 MiB; the csv module's own default is 131 072) or a line of more than
``max_line`` fails the file naming the line and the column; the delimiter is sniffed on at most
the first 4 KiB; every record counts against ``max_rows``; a workbook whose parts declare more
than ``max_bytes`` uncompressed is not opened.
"""

from __future__ import annotations

import codecs
import csv
import re
import unicodedata
import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any, NamedTuple

from graphsvc.errors import ImportFailed, Text
from graphsvc.i18n import register_texts
from loaders.streams import Budget, budget, clip
from loaders.streams import text_lines as bounded_lines

TEXTS = register_texts(__name__, {
    "nb": {
        "error.file.not_found": "{file}: filen finnes ikke ({path})",
        "error.file.directory": "{file}: er en mappe, ikke en CSV- eller XLSX-fil",
        "error.file.unopenable": "{file}: kan ikke åpnes ({problem})",
        "error.file.empty": "{file}: filen er tom",
        "error.file.xls": "{file}: er en gammel Excel-fil (.xls) eller en annen Office-fil; "
                          "lagre den som .xlsx eller .csv og last inn den",
        "error.file.no_header": "{file}: filen er tom (ingen overskriftsrad)",
        "error.file.column_twice": "{file}: kolonnen '{column}' står to ganger i "
                                   "overskriftsraden på linje {line}",
        "error.file.csv": "{file}: kan ikke leses som CSV etter linje {after}: {problem}",
        "error.file.csv_quote": "{file}: kan ikke leses som CSV etter linje {after}: {problem} "
                                "(et anførselstegn som aldri lukkes?)",
        "error.file.binary": "{file}: er ikke en CSV- eller XLSX-fil (den inneholder binære "
                             "data)",
        "error.file.encoding": "{file}: er verken UTF-8 eller Windows-1252; lagre den som "
                               "'CSV UTF-8' eller som .xlsx",
        "error.file.xlsx": "{file}: er ikke en lesbar .xlsx-arbeidsbok (avkortet eller "
                           "skadet: {problem})",
        "error.file.xlsx_after": "{file}: er ikke en lesbar .xlsx-arbeidsbok (avkortet eller "
                                 "skadet etter rad {after}: {problem})",
        "error.file.no_worksheet": "{file}: arbeidsboken har ikke noe regneark",
        "row.quote_open": "anførselstegnet (\") som åpner i denne cellen på linje {line}, "
                          "lukkes aldri; lukk det og last inn på nytt",
        "row.quote_runs_on": "anførselstegnet (\") som åpner i denne cellen på linje {line}, "
                             "lukkes ikke på samme linje, så linje {line} har {n} felt, men "
                             "overskriftsraden har {width}; lukk anførselstegnet og last inn "
                             "på nytt",
        "row.fields.more": "linje {line} har {n} felt, men overskriftsraden har {width} (en "
                           "verdi som inneholder {d} må stå i anførselstegn)",
        "row.fields.fewer": "linje {line} har {n} felt, men overskriftsraden har {width} "
                            "(mangler det {d}?)",
        "row.delimiter.tab": "en tabulator",
    },
    "en": {
        "error.file.not_found": "{file}: file not found ({path})",
        "error.file.directory": "{file}: is a directory, not a CSV or XLSX file",
        "error.file.unopenable": "{file}: cannot be opened ({problem})",
        "error.file.empty": "{file}: the file is empty",
        "error.file.xls": "{file}: is an old Excel .xls (or other Office binary) file; save it "
                          "as .xlsx or .csv and load that",
        "error.file.no_header": "{file}: the file is empty (no header row)",
        "error.file.column_twice": "{file}: column '{column}' appears twice in the header on "
                                   "line {line}",
        "error.file.csv": "{file}: cannot be read as CSV after line {after}: {problem}",
        "error.file.csv_quote": "{file}: cannot be read as CSV after line {after}: {problem} "
                                "(a quote that is never closed?)",
        "error.file.binary": "{file}: is not a CSV or XLSX file (it contains binary data)",
        "error.file.encoding": "{file}: is neither UTF-8 nor Windows-1252 text; save it as "
                               "'CSV UTF-8' or as .xlsx",
        "error.file.xlsx": "{file}: is not a readable .xlsx workbook (truncated or corrupt: "
                           "{problem})",
        "error.file.xlsx_after": "{file}: is not a readable .xlsx workbook (truncated or "
                                 "corrupt after row {after}: {problem})",
        "error.file.no_worksheet": "{file}: the workbook has no worksheet",
        "row.quote_open": "the quote (\") that opens in this cell on line {line} is never "
                          "closed; close it and load again",
        "row.quote_runs_on": "the quote (\") that opens in this cell on line {line} does not "
                             "close on that line, so line {line} has {n} fields, the header "
                             "has {width}; close the quote and load again",
        "row.fields.more": "line {line} has {n} fields, the header has {width} (a value that "
                           "contains {d} must be in double quotes)",
        "row.fields.fewer": "line {line} has {n} fields, the header has {width} (is {d} "
                            "missing?)",
        "row.delimiter.tab": "a tab",
    },
})

__all__ = ["Row", "Table", "normalise_header", "open_table"]

DELIMITERS = ";,\t"
_CHUNK = 1 << 20
_SNIFF_CHARS = 64 * 1024  # where the header line is looked for
_SNIFF_SAMPLE = 4 * 1024  # what csv.Sniffer sees: its cost grows with the square of this
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls (and .doc, .msg)
# C0 control bytes never found in a text spreadsheet; tab, LF, CR and Ctrl-Z (old DOS EOF) are.
_BINARY_BYTES = bytes([*range(0, 9), 11, 12, *range(14, 26), *range(27, 32)])


class Row(NamedTuple):
    """One data row: its spreadsheet line, its values by normalised header (``""`` when empty),
    any non-empty cells that have no header, and ``problem``: why the row's cells cannot be
    trusted to be in their columns, as ``(header as written or None, reason)``, or None."""

    line: int
    values: dict[str, str]
    surplus: tuple[str, ...] = ()
    problem: tuple[str | None, str] | None = None


class _Record(NamedTuple):
    """One record as the file holds it. ``fields`` is None for a workbook (no delimiters);
    ``runaway`` is the column of a quote that did not close on its line (``None``: none),
    ``closed`` whether it closed at all before the end of the file."""

    line: int
    cells: list[str]
    fields: int | None = None
    runaway: int | None = None
    closed: bool = True
    delimiter: str = ""


@dataclass
class Table:
    """An open file: where its header is, its headers (normalised → as written), and its rows."""

    source: str
    header_line: int
    headers: dict[str, str]
    rows: Iterator[Row]


def normalise_header(text: str) -> str:
    """The key a header is matched by: case, spacing and Unicode form do not matter.

    >>> normalise_header("  Aktør ")
    'aktør'
    >>> normalise_header("Age band") == normalise_header("age-band") == "age_band"
    True
    """
    text = unicodedata.normalize("NFC", text).strip().casefold()
    return re.sub(r"[\s\-]+", "_", text)


@contextmanager
def open_table(
    path: str | Path, *, source: str | None = None, zero_pad: Mapping[str, int] | None = None
) -> Iterator[Table]:
    """Open ``path`` and yield a :class:`Table` whose rows stream from the file.

    ``source`` is the name used in messages (default: the file name). ``zero_pad`` maps a
    normalised header to a width: all-digit values shorter than that get their leading zeros
    back (a kommunenummer typed as the number 301 is ``"0301"``).
    """
    path = Path(path)
    name = source or path.name
    rows = budget()
    records = _xlsx_records(path, name, rows) if _is_zip(path, name) \
        else _text_records(path, name, rows)
    try:
        yield _table(name, records, zero_pad or {})
    finally:
        records.close()


def _is_zip(path: Path, name: str) -> bool:
    try:
        with path.open("rb") as fh:
            head = fh.read(len(_OLE2_MAGIC))
    except FileNotFoundError:
        raise ImportFailed("error.file.not_found", file=name, fill={"path": str(path)}) from None
    except IsADirectoryError:
        raise ImportFailed("error.file.directory", file=name) from None
    except OSError as exc:
        raise ImportFailed("error.file.unopenable", file=name,
                           fill={"problem": exc.strerror}) from exc
    if not head:
        raise ImportFailed("error.file.empty", file=name)
    if head.startswith(_OLE2_MAGIC):
        raise ImportFailed("error.file.xls", file=name)
    return head.startswith(_ZIP_MAGIC)


def _table(name: str, records: Iterator[_Record], zero_pad: Mapping[str, int]) -> Table:
    for header_line, cells, width, *_ in records:
        if any(cells):
            break
    else:
        raise ImportFailed("error.file.no_header", file=name)
    headers: dict[str, str] = {}
    positions: list[tuple[int, str]] = []
    for col, text in enumerate(cells):
        key = normalise_header(text)
        if not key:
            continue  # an unnamed column; values in it are reported as surplus
        if key in headers:
            raise ImportFailed("error.file.column_twice", file=name, line=header_line,
                               fill={"column": clip(text, 60)})
        headers[key] = text
        positions.append((col, key))
    named_cols = {col for col, _ in positions}
    header_cells = list(cells)

    def rows() -> Iterator[Row]:
        for record in records:
            line, cells = record.line, record.cells
            if not any(cells):
                continue
            cells = [unicodedata.normalize("NFC", c) for c in cells]  # macOS may type "å" as a+°
            values = {
                key: _pad(key, cells[col], zero_pad) if col < len(cells) else ""
                for col, key in positions
            }
            surplus = tuple(c for i, c in enumerate(cells) if c and i not in named_cols)
            yield Row(line, values, surplus, _problem(record, width, header_cells))

    return Table(name, header_line, headers, rows())


def _problem(
    record: _Record, width: int | None, header: list[str]
) -> tuple[str | None, Text] | None:
    """Why this record's cells may not be in their columns, or None."""
    line, n = record.line, record.fields
    if record.runaway is not None:
        col = record.runaway
        where = (header[col] or None) if col < len(header) else None
        if not record.closed:
            return where, Text("row.quote_open", line=line)
        return where, Text("row.quote_runs_on", line=line, n=n, width=width)
    if n is None or width is None or n == width:
        return None
    d = Text("row.delimiter.tab") if record.delimiter == "\t" else f"'{record.delimiter}'"
    return None, Text("row.fields.more" if n > width else "row.fields.fewer", line=line, n=n,
                      width=width, d=d)


def _pad(key: str, value: str, zero_pad: Mapping[str, int]) -> str:
    width = zero_pad.get(key)
    if width and value.isascii() and value.isdigit() and len(value) < width:
        return value.zfill(width)
    return value


# --- delimited text -------------------------------------------------------------------------


# Fed to the csv reader after the last text line: if it ends up inside a cell, that cell's quote
# was still open at the end of the file. U+FFFF is a noncharacter: no text file holds it.
_END = "\uffff"


class _Lines:
    """The text lines of a file for ``csv.reader``, then ``_END``; remembers the lines of the
    record being read, and can take lines back to be read again."""

    def __init__(self, fh: Iterator[str]) -> None:
        self._fh = fh
        self._again: list[str] = []
        self._ended = False
        self.taken: list[str] = []

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        if self._again:
            line = self._again.pop()
        else:
            line = next(self._fh, None)  # type: ignore[arg-type]
            if line is None:
                if self._ended:
                    raise StopIteration
                self._ended = True
                line = _END
        self.taken.append(line)
        return line

    def read_again(self, lines: list[str]) -> None:
        self._again.extend(reversed(lines))
        self._ended = False


def _text_records(path: Path, name: str, rows: Budget) -> Iterator[_Record]:
    encoding = _detect_encoding(path, name)
    limits = rows.limits
    with path.open(encoding=encoding, newline="") as fh:
        delimiter = _sniff_delimiter(fh.read(_SNIFF_CHARS))
        fh.seek(0)
        lines = _Lines(bounded_lines(fh, name, limits.max_line))
        csv.field_size_limit(limits.max_field)  # process-wide; every reader here sets it
        reader = csv.reader(lines, delimiter=delimiter)
        line = 0
        width: int | None = None  # fields in the header: the first record with a value
        header: list[str] = []
        while True:
            lines.taken = []
            try:
                record = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                if "field limit" in str(exc):
                    col = _long_field("".join(lines.taken), delimiter, limits.max_field)
                    raise ImportFailed("error.limit.field", file=name, line=line + 1, fill={
                        "field": clip(header[col] if col < len(header) else f"#{col + 1}", 40),
                        "limit": limits.max_field}) from exc
                raise ImportFailed(
                    "error.file.csv_quote" if len(lines.taken) > 1 else "error.file.csv",
                    file=name, line=line + 1, fill={"after": line, "problem": clip(exc, 80)},
                ) from exc
            if record == [_END]:
                return
            closed = not (record and record[-1].endswith(_END))
            if not closed:
                record[-1] = record[-1].removesuffix(_END)
            text_lines = [t for t in lines.taken if t != _END]
            line += 1
            # A quoted cell may span lines; keep its breaks as a spreadsheet cell does (LF).
            cells = [cell.replace("\r\n", "\n").strip() for cell in record]
            rows.row(name, line)
            if width is None and any(cells):
                width = len(record)
                header = cells
            runaway = None
            if not closed or (len(text_lines) > 1 and len(record) != width):
                # A quote ran on over the lines after it: blame the row it opened in, and read
                # the lines it swallowed again as rows of their own.
                runaway = next((i for i, c in enumerate(record) if "\n" in c or "\r" in c),
                               len(record) - 1)
                lines.read_again(text_lines[1:])
                reader = csv.reader(lines, delimiter=delimiter)
            yield _Record(line, cells, len(record), runaway, closed, delimiter)


def _long_field(text: str, delimiter: str, limit: int) -> int:
    """The column (from 0) of the first cell in the record ``text`` longer than ``limit``.

    >>> _long_field('a;"b;""' + "x" * 9 + '";c', ";", 5)
    1
    """
    col = size = 0
    quoted = False
    i, end = 0, len(text)
    while i < end:
        ch = text[i]
        if quoted:
            if ch == '"' and text.startswith('"', i + 1):
                i += 1
            elif ch == '"':
                quoted = False
                size -= 1
        elif ch == '"':
            quoted = True
            size -= 1
        elif ch == delimiter:
            col, size = col + 1, -1
        elif ch in "\r\n":
            size -= 1
        size += 1
        if size > limit:
            return col
        i += 1
    return col


def _detect_encoding(path: Path, name: str) -> str:
    """Read the whole file once, in chunks, to choose an encoding before any row is yielded: a
    bad byte near the end must not switch encodings halfway through an import."""
    with path.open("rb") as fh:
        head = fh.read(4)
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return "utf-16"
        fh.seek(0)
        decoders = {enc: codecs.getincrementaldecoder(enc)() for enc in ("utf-8-sig", "cp1252")}
        while chunk := fh.read(_CHUNK):
            if len(chunk.translate(None, _BINARY_BYTES)) != len(chunk):
                raise ImportFailed("error.file.binary", file=name)
            for enc, decoder in list(decoders.items()):
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    del decoders[enc]
        for enc, decoder in decoders.items():  # in order of preference
            try:
                decoder.decode(b"", final=True)
                return enc
            except UnicodeDecodeError:
                continue
    raise ImportFailed("error.file.encoding", file=name)


def _sniff_delimiter(sample: str) -> str:
    """``csv.Sniffer`` limited to ; , and tab, checked against the header line.

    The sniffer alone fails on real sheets (free text full of commas in a semicolon file), and
    headers hold no delimiters of their own, so the header line settles what the sniffer cannot.

    >>> _sniff_delimiter('aktør;type;tilbyr\\nKari;person;"a, b; c"\\n')
    ';'
    >>> _sniff_delimiter("aktør\\nKari\\n")
    ','
    """
    header = next((ln for ln in sample.splitlines() if ln.strip()), "")
    present = [d for d in DELIMITERS if d in header]
    if len(present) < 2:  # nothing for the sniffer to settle
        return present[0] if present else ","
    sample = sample[:_SNIFF_SAMPLE]
    if "\n" in sample.rstrip("\r\n"):
        sample = sample[: sample.rfind("\n") + 1]  # the last line may be cut off mid-record
    try:
        sniffed = csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        sniffed = None
    if sniffed in present:
        return sniffed  # type: ignore[return-value]
    if present:
        return max(present, key=header.count)
    return ","  # a single column


# --- xlsx -----------------------------------------------------------------------------------


@contextmanager
def _quiet_openpyxl() -> Iterator[None]:
    # openpyxl warns about workbook parts it drops (missing default style, data-validation
    # extensions, drawings). Only cell values matter here, so those warnings are noise, and
    # under ``-W error`` they would fail a perfectly readable sheet. Scoped to openpyxl calls.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=UserWarning, module=r"openpyxl(\.|$)")
        yield


def _unpacked_size(fh: Any) -> int:
    """What the workbook's parts add up to uncompressed, as its ZIP directory declares (the zip
    module stops reading a part at its declared size), or 0 if it cannot be read."""
    import zipfile

    try:
        with zipfile.ZipFile(fh) as zf:
            return sum(info.file_size for info in zf.infolist())
    except Exception:  # noqa: BLE001 — BadZipFile, NotImplementedError (zip version), …
        return 0  # openpyxl says what is wrong with it
    finally:
        fh.seek(0)


def _xlsx_records(path: Path, name: str, budget_: Budget) -> Iterator[_Record]:
    from openpyxl import load_workbook

    # Open the file ourselves so it is closed even when openpyxl fails half-way through.
    with path.open("rb") as fh:
        if _unpacked_size(fh) > budget_.limits.max_bytes:
            raise ImportFailed("error.limit.bytes", file=name,
                               fill={"limit": budget_.limits.max_bytes})
        try:
            with _quiet_openpyxl():
                wb = load_workbook(fh, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises anything from BadZipFile to KeyError
            raise ImportFailed("error.file.xlsx", file=name,
                               fill={"problem": _describe(exc)}) from exc
        try:
            if not wb.worksheets:
                raise ImportFailed("error.file.no_worksheet", file=name)
            ws = wb.worksheets[0]
            ws.reset_dimensions()  # stored dimensions can be wrong; read every row there is
            rows = ws.iter_rows(min_row=1, values_only=True)
            line = 0
            while True:
                try:
                    with _quiet_openpyxl():
                        values = next(rows)
                except StopIteration:
                    return
                except Exception as exc:
                    raise ImportFailed(
                        "error.file.xlsx_after", file=name, line=line + 1,
                        fill={"after": line, "problem": _describe(exc)},
                    ) from exc
                line += 1
                budget_.row(name, line)
                yield _Record(line, [_cell_text(v) for v in values])
        finally:
            wb.close()


def _describe(exc: Exception) -> str:
    return clip(f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__, 100)


def _cell_text(value: Any) -> str:
    """A cell as the text a user typed: 301.0 → "301", dates as ISO 8601.

    >>> [_cell_text(v) for v in (None, 301.0, 2.5, True, " Kari ")]
    ['', '301', '2.5', 'true', 'Kari']
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return str(value).strip()
