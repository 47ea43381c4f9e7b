"""Open a register file as a text stream whatever its packaging (plain or gzip), count the bytes
read from disk for a progress bar, and stream the objects of a JSON array one by one, so files
of a gigabyte load in bounded memory. Anything that makes a file unreadable part-way (a truncated
gzip, bytes that are not UTF-8, broken JSON) becomes :class:`~graphsvc.errors.ImportFailed`.
"""

from __future__ import annotations

import gzip
import io
import json
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from graphsvc.errors import ImportFailed, Text
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
    },
})

__all__ = ["GZIP_MAGIC", "Progress", "Stream", "guard", "iter_json_array", "open_stream", "peek"]

GZIP_MAGIC = b"\x1f\x8b"
Progress = Callable[[int], None]  # called with the bytes read from disk so far
_CHUNK = 1 << 16
_MAX_OBJECT = 64 << 20  # one JSON record larger than this is not a register record


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
        binary: IO[bytes] = gzip.GzipFile(fileobj=raw) if compressed else raw  # type: ignore[assignment]
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
        return ImportFailed("error.stream.json", file=name, fill={"problem": what})

    if skip_ws() != "[":
        raise broken(Text("stream.json.start"))
    pos += 1
    first = True
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
        while True:
            try:
                obj, end = decoder.raw_decode(buf, pos)
                break
            except json.JSONDecodeError as exc:
                if len(buf) - pos > _MAX_OBJECT or not more():
                    raise broken(Text("stream.json.mid") if eof else str(exc)) from exc
        pos = end
        yield obj
