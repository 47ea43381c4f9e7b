"""Open a register file as a text stream whatever its packaging (plain or gzip), count the bytes
read from disk for a progress bar, and stream the objects of a JSON array one by one, so files
of a gigabyte load in bounded memory. Anything that makes a file unreadable part-way (a truncated
gzip, bytes that are not UTF-8, broken JSON) becomes :class:`~graphsvc.errors.ImportFailed`.

The limits every loader keeps (:class:`Limits`, docs/loaders.md "Limits") live here too:
decompressed bytes per file, rows per import, JSON nesting depth, the size of one JSON document,
one CSV cell and one text line. An import puts them in force with :func:`limits_in_force`; a
loader called on its own keeps the defaults, counted per file. :func:`clip` and
:func:`one_line` keep every message one line of fewer than 300 characters whatever the file
held.
"""

from __future__ import annotations

import gzip
import io
import json
import re
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace
from itertools import accumulate
from pathlib import Path
from typing import IO, Any

from graphsvc.errors import GraphsvcError, ImportFailed, RowError, Text
from graphsvc.i18n import register_texts

TEXTS = register_texts(__name__, {
    "nb": {
        "error.stream.gzip": "{file}: gzip-filen er avkortet eller skadet ({problem}); last den "
                             "ned på nytt",
        "error.stream.utf8": "{file}: er ikke UTF-8-tekst (byte {byte} ved posisjon {offset} i "
                             "en blokk); er det riktig fil?",
        "error.stream.json": "{file}: er ikke en JSON-liste med poster ({problem})",
        "stream.json.start": "den begynner ikke med '['",
        "stream.json.found": "ventet ',' eller ']', men fant {found}",
        "stream.json.early": "den slutter for tidlig",
        "stream.json.mid": "den slutter midt i en post",
        "error.limit.bytes": "{file}: er mer enn {limit} byte pakket ut (grensen for én fil); "
                             "del den opp, eller hev grensen",
        "error.limit.rows": "{file}: linje {line} er over grensen på {limit} rader for én "
                            "innlasting; del filen opp, eller hev grensen",
        "error.limit.records": "{file}: linje {line} er over grensen på {limit} poster som "
                               "lagres i én innlasting; last inn én kommune om gangen, "
                               "del filen opp, eller hev grensen",
        "error.limit.depth": "{file}: JSON-en er nøstet dypere enn {limit} nivåer ({where}); "
                             "ingen registerfil er det",
        "error.limit.document": "{file}: JSON-dokumentet er større enn {limit} tegn; gi "
                                "postene som en JSON-liste",
        "error.limit.line": "{file}: linje {line} er lengre enn {limit} tegn",
        "error.limit.field": "{file}: linje {line} felt '{field}': cellen er lengre enn "
                             "{limit} tegn",
        "error.limit.type": "{file}: post {record} felt '{field}': ventet {expected}, fant "
                            "{found}",
        "error.limit.type_document": "{file}: felt '{field}': ventet {expected}, fant {found}",
        "limit.where.record": "post {record}",
        "limit.where.document": "hele dokumentet",
        "json.type.list": "en liste",
        "json.type.object": "et objekt",
        "json.type.text": "tekst",
        "json.type.number": "et tall",
        "json.type.boolean": "true/false",
        "json.type.null": "null",
    },
    "en": {
        "error.stream.gzip": "{file}: the gzip file is truncated or corrupt ({problem}); "
                             "download it again",
        "error.stream.utf8": "{file}: is not UTF-8 text (byte {byte} at offset {offset} of a "
                             "block); is it the right file?",
        "error.stream.json": "{file}: is not a JSON array of records ({problem})",
        "stream.json.start": "it does not start with '['",
        "stream.json.found": "expected ',' or ']' but found {found}",
        "stream.json.early": "it ends early",
        "stream.json.mid": "it ends in the middle of a record",
        "error.limit.bytes": "{file}: is more than {limit} bytes decompressed (the limit for one "
                             "file); split it, or raise the limit",
        "error.limit.rows": "{file}: line {line} is past the limit of {limit} rows for one "
                            "import; split the file, or raise the limit",
        "error.limit.records": "{file}: line {line} is past the limit of {limit} records to "
                               "write in one import; load one municipality at a time, "
                               "split the file, or raise the limit",
        "error.limit.depth": "{file}: the JSON is nested deeper than {limit} levels ({where}); "
                             "no register file is",
        "error.limit.document": "{file}: the JSON document is larger than {limit} characters; "
                                "give the records as a JSON array",
        "error.limit.line": "{file}: line {line} is longer than {limit} characters",
        "error.limit.field": "{file}: line {line} field '{field}': the cell is longer than "
                             "{limit} characters",
        "error.limit.type": "{file}: record {record} field '{field}': expected {expected}, "
                            "found {found}",
        "error.limit.type_document": "{file}: field '{field}': expected {expected}, found {found}",
        "limit.where.record": "record {record}",
        "limit.where.document": "the whole document",
        "json.type.list": "a list",
        "json.type.object": "an object",
        "json.type.text": "text",
        "json.type.number": "a number",
        "json.type.boolean": "true/false",
        "json.type.null": "null",
    },
})

__all__ = ["GZIP_MAGIC", "Budget", "Limits", "Progress", "Stream", "budget", "clip",
           "guard", "iter_json_array", "json_type_error", "limits_in_force", "load_json",
           "one_line", "open_stream", "peek", "text_lines"]

GZIP_MAGIC = b"\x1f\x8b"
Progress = Callable[[int], None]  # called with the bytes read from disk so far
_CHUNK = 1 << 16
_MAX_OBJECT = 64 << 20  # one JSON record larger than this is not a register record


# --- limits ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Limits:
    """What one import may cost; each bound fails the import cleanly (nothing written) with a
    message naming the file and, where there is one, the line. docs/loaders.md "Limits".

    ``max_bytes``: bytes one file gives after decompression (gzip; a workbook's parts as the
    ZIP declares them). ``max_rows``: rows (records) read in one import, all files together.
    ``max_records``: records kept to be written in one import (what memory holds until the
    one write; a national file filtered to a kommune reads a million rows but keeps few).
    ``max_depth``: JSON nesting. ``max_document``: characters of a JSON file read whole (an API
    page, a code list, GeoJSON; arrays stream record by record). ``max_field``: characters in
    one CSV cell. ``max_line``: characters in one text line."""

    max_bytes: int = 4 << 30
    max_rows: int = 3_000_000
    max_records: int = 1_000_000
    max_depth: int = 64
    max_document: int = 256 << 20
    max_field: int = 1 << 20
    max_line: int = 4 << 20

    def but(self, **changes: Any) -> Limits:
        """These limits with some changed (``None`` keeps a limit as it is)."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


class Budget:
    """The limits in force and the rows read against them so far."""

    def __init__(self, limits: Limits | None = None) -> None:
        self.limits = limits or Limits()
        self.rows = 0
        self.records = 0

    def row(self, name: str, line: int) -> None:
        """Count one row of ``name``; past ``max_rows`` the import fails."""
        self.rows += 1
        if self.rows > self.limits.max_rows:
            raise ImportFailed("error.limit.rows", file=clip(name, 80), line=line,
                               fill={"limit": self.limits.max_rows})

    def keep(self, name: str, line: int, n: int = 1) -> None:
        """Count ``n`` records of ``name`` kept to be written; past ``max_records`` the import
        fails."""
        self.records += n
        if self.records > self.limits.max_records:
            raise ImportFailed("error.limit.records", file=clip(name, 80), line=line,
                               fill={"limit": self.limits.max_records})


_IN_FORCE: ContextVar[Budget | None] = ContextVar("graphsvc_loader_limits", default=None)


@contextmanager
def limits_in_force(limits: Limits | None = None) -> Iterator[Budget]:
    """Every file read inside this block keeps ``limits`` and counts its rows in one budget."""
    token = _IN_FORCE.set(Budget(limits))
    try:
        yield _IN_FORCE.get()  # type: ignore[misc]
    finally:
        _IN_FORCE.reset(token)


def budget() -> Budget:
    """The budget of the import in progress, or a fresh one with the defaults (one file)."""
    return _IN_FORCE.get() or Budget()


class _Capped(io.BufferedIOBase):
    """A decompressing stream that fails once it has given more than ``limit`` bytes."""

    def __init__(self, inner: IO[bytes], limit: int, name: str) -> None:
        super().__init__()
        self._inner = inner
        self._limit = limit
        self._name = name
        self._given = 0

    def _count(self, data: bytes) -> bytes:
        self._given += len(data)
        if self._given > self._limit:
            raise ImportFailed("error.limit.bytes", file=clip(self._name, 80),
                               fill={"limit": self._limit})
        return data

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        return self._count(self._inner.read(size if size is not None else -1))

    def read1(self, size: int = -1) -> bytes:
        return self._count(self._inner.read1(size))  # type: ignore[attr-defined]

    def seek(self, offset: int, whence: int = 0) -> int:
        pos = self._inner.seek(offset, whence)
        self._given = pos
        return pos

    def tell(self) -> int:
        return self._inner.tell()


def text_lines(text: IO[str], name: str, max_line: int | None = None) -> Iterator[str]:
    """The lines of ``text`` (ends kept), failing on one longer than ``max_line`` characters
    instead of reading it whole however long it is."""
    limit = max_line or budget().limits.max_line
    n = 0
    while line := text.readline(limit + 1):
        n += 1
        if len(line) > limit:
            raise ImportFailed("error.limit.line", file=clip(name, 80), line=n,
                               fill={"limit": limit})
        yield line


# --- one line, fewer than 300 characters ------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")


def clip(value: Any, limit: int = 60) -> str:
    """``value`` as text of at most ``limit`` characters on one line: line breaks and other
    control characters are shown escaped, and a longer text is cut with "…".

    >>> clip("Kari\\nNordmann"), clip("x" * 100, 10)
    ('Kari\\\\nNordmann', 'xxxxxxxxx…')
    """
    text = _CONTROL.sub(lambda m: repr(m.group())[1:-1], str(value))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _clipped(value: Any, limit: int) -> Any:
    if isinstance(value, RowError):
        return RowError(clip(value.file, limit), value.line,
                        clip(value.field, limit) if value.field else value.field,
                        value.reason_code,
                        {k: _clipped(v, limit) for k, v in value.values.items()})
    if isinstance(value, Text):
        return Text(value.key, **{k: _clipped(v, limit) for k, v in value.values.items()})
    if isinstance(value, GraphsvcError):
        return _clipped(value.text, limit)
    if isinstance(value, list | tuple):
        return [_clipped(v, limit) for v in value[:8]] + (["…"] if len(value) > 8 else [])
    if isinstance(value, str) and hasattr(value, "in_"):
        return value  # a text the code gives (a rule's reason), not the file's
    if isinstance(value, str):
        return clip(value, limit)
    return value


_LONGEST = 299


def _fits(said: Any) -> bool:
    return all(len(out) <= _LONGEST and "\n" not in out and "\r" not in out
               for out in (said.in_("nb"), said.in_("en")))


def one_line(item: Any) -> Any:
    """A row error, text or error whose message is one line of fewer than 300 characters in
    both languages: the values it shows from the file are clipped as far as needed. An error is
    changed in place (its message; its ``detail`` keeps the values) and returned."""
    text = item.text if isinstance(item, GraphsvcError) else item
    if _fits(text):
        return item
    for limit in (80, 40, 16, 6):
        text = _clipped(text, limit)
        if _fits(text):
            break
    if isinstance(item, GraphsvcError):
        item.text = text
        item.args = (item.message,)
        return item
    return text


class Stream:
    """An open file: ``text`` to read, ``position()`` in bytes read from disk (compressed)."""

    def __init__(self, raw: IO[bytes], text: IO[str], compressed: bool) -> None:
        self._raw = raw
        self.text = text
        self.compressed = compressed

    def position(self) -> int:
        return self._raw.tell()


def peek(path: Path, size: int = 64 * 1024) -> bytes:
    """The first ``size`` bytes of the file's content (decompressed if it is gzip); a
    truncated gzip gives what could be decompressed."""
    with path.open("rb") as fh:
        head = fh.read(2)
        fh.seek(0)
        if head != GZIP_MAGIC:
            return fh.read(size)
        out = b""
        try:
            with gzip.GzipFile(fileobj=fh) as gz:
                out = gz.read(size)
        except (EOFError, OSError, zlib.error):
            d = zlib.decompressobj(wbits=31)
            fh.seek(0)
            try:
                out = d.decompress(fh.read(size * 4), size)
            except zlib.error:
                out = b""
        return out


@contextmanager
def open_stream(path: Path, name: str, *, encoding: str = "utf-8-sig") -> Iterator[Stream]:
    """Open ``path`` for reading as text, through gzip if its content starts with the gzip
    magic bytes (whatever the file is called). ``newline=""`` so the csv module sees CRLF."""
    try:
        raw = path.open("rb")
    except FileNotFoundError:
        raise ImportFailed("error.file.not_found", file=name, fill={"path": str(path)}) from None
    except OSError as exc:
        raise ImportFailed("error.file.unopenable", file=name,
                           fill={"problem": exc.strerror}) from exc
    try:
        compressed = raw.read(2) == GZIP_MAGIC
        raw.seek(0)
        binary: IO[bytes] = _Capped(gzip.GzipFile(fileobj=raw), budget().limits.max_bytes,
                                    name) if compressed else raw  # type: ignore[assignment]
        text = io.TextIOWrapper(binary, encoding=encoding, newline="")  # type: ignore[arg-type]
        with guard(name):
            yield Stream(raw, text, compressed)
    finally:
        raw.close()


@contextmanager
def guard(name: str) -> Iterator[None]:
    """Turn the errors a damaged file raises while it is being read into ``ImportFailed``."""
    try:
        yield
    except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
        raise ImportFailed("error.stream.gzip", file=name, fill={"problem": str(exc)}) from exc
    except UnicodeDecodeError as exc:
        raise ImportFailed("error.stream.utf8", file=name, fill={
            "byte": repr(exc.object[exc.start:exc.start + 1]), "offset": exc.start}) from exc


# --- JSON: depth and types ---------------------------------------------------------------------

# A JSON string (escapes included); what is left without strings holds the brackets that nest.
_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.S)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


def json_depth(text: str) -> int:
    """How deep the brackets of the JSON ``text`` nest (strings do not count), without parsing
    it: the decoder would recurse once per level and fail on deep input.

    >>> json_depth('{"a": [1, {"b": "[[[["}]}'), json_depth("[]"), json_depth("3")
    (3, 1, 0)
    """
    brackets = _NOT_BRACKET.sub("", _JSON_STRING.sub("", text))
    return max(accumulate(map(_STEP.__getitem__, brackets)), default=0)


def _too_deep(name: str, limit: int, record: int | None = None) -> ImportFailed:
    where = Text("limit.where.record", record=record) if record else \
        Text("limit.where.document")
    return ImportFailed("error.limit.depth", file=clip(name, 80), line=record or 0,
                        fill={"limit": limit, "where": where})


def _check_depth(text: str, name: str, limit: int, record: int | None = None) -> None:
    # Cheap first: fewer brackets than the limit cannot nest deeper than it.
    if text.count("[") + text.count("{") > limit and json_depth(text) > limit:
        raise _too_deep(name, limit, record)


def load_json(text: IO[str], name: str) -> Any:
    """The one JSON document ``text`` holds (an API page, a code list, GeoJSON), read whole,
    within the limits in force: its size (``max_document``) and nesting (``max_depth``)."""
    limits = budget().limits
    doc = text.read(limits.max_document + 1)
    if len(doc) > limits.max_document:
        raise ImportFailed("error.limit.document", file=clip(name, 80),
                           fill={"limit": limits.max_document})
    _check_depth(doc, name, limits.max_depth)
    try:
        return json.loads(doc)
    except ValueError as exc:  # broken JSON, or a number of more than 4 300 digits
        raise ImportFailed("error.json.invalid", file=clip(name, 80),
                           line=getattr(exc, "lineno", 0),
                           fill={"problem": clip(exc, 120)}) from exc
    except RecursionError as exc:  # unbalanced brackets the depth check could not pair
        raise _too_deep(name, limits.max_depth) from exc


def _json_type(value: Any) -> Text:
    kind = ("null" if value is None else "boolean" if isinstance(value, bool)
            else "number" if isinstance(value, int | float) else "text"
            if isinstance(value, str) else "list" if isinstance(value, list) else "object")
    return Text(f"json.type.{kind}")


def json_type_error(name: str, record: int, field: str, expected: str,
                    found: Any) -> ImportFailed:
    """A value of the wrong JSON type where a whole file depends on it (``expected`` is
    ``list``, ``object``, ``text`` or ``number``); ``record`` 0: the document itself."""
    return ImportFailed("error.limit.type" if record else "error.limit.type_document",
                        file=clip(name, 80), line=record,
                        fill={"record": record, "field": clip(field, 40),
                              "expected": Text(f"json.type.{expected}"),
                              "found": _json_type(found)})


def iter_json_array(text: IO[str], name: str) -> Iterator[Any]:
    """The elements of the JSON array ``text`` holds, decoded one at a time.

    >>> list(iter_json_array(io.StringIO(' [ {"a": 1}, {"b": [2, 3]} ] '), "x.json"))
    [{'a': 1}, {'b': [2, 3]}]
    """
    decoder = json.JSONDecoder()
    buf, pos, eof = "", 0, False

    def more() -> bool:
        nonlocal buf, pos, eof
        if eof:
            return False
        chunk = text.read(_CHUNK)
        if not chunk:
            eof = True
            return False
        buf, pos = buf[pos:] + chunk, 0
        return True

    def skip_ws() -> str:
        nonlocal pos
        while True:
            while pos < len(buf) and buf[pos] in " \t\r\n":
                pos += 1
            if pos < len(buf):
                return buf[pos]
            if not more():
                return ""

    def broken(what: Text | str) -> ImportFailed:
        return ImportFailed("error.stream.json", file=clip(name, 80),
                            fill={"problem": clip(what, 120) if not isinstance(what, Text)
                                  else what})

    depth = budget().limits.max_depth

    if skip_ws() != "[":
        raise broken(Text("stream.json.start"))
    pos += 1
    first = True
    n = 0
    while True:
        ch = skip_ws()
        if ch == "]":
            return
        if not first:
            if ch != ",":
                raise broken(Text("stream.json.found", found=repr(ch)) if ch
                             else Text("stream.json.early"))
            pos += 1
            skip_ws()
        first = False
        n += 1
        while True:
            try:
                obj, end = decoder.raw_decode(buf, pos)
                break
            except json.JSONDecodeError as exc:
                if len(buf) - pos > _MAX_OBJECT or not more():
                    raise broken(Text("stream.json.mid") if eof else str(exc)) from exc
            except ValueError as exc:  # a number of more than 4 300 digits
                raise broken(str(exc)) from exc
            except RecursionError as exc:
                raise _too_deep(name, depth, n) from exc
        _check_depth(buf[pos:end], name, depth, n)
        pos = end
        yield obj
