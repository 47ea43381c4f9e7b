"""Tell a file's format from its content (uploads and downloads lose or mangle their names):
gzip is looked through, JSON is told apart by its keys, CSV by its header row, and a ZIP is a
workshop workbook. A file that fits no format fails with a message saying what was seen.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import zlib
from pathlib import Path

from graphsvc.errors import ImportFailed
from loaders.opendata import find_columns
from loaders.rows import normalise_header
from loaders.streams import GZIP_MAGIC, peek
from loaders.workshop import COLUMNS as WORKSHOP_COLUMNS

__all__ = ["FORMATS", "detect_format"]

FORMATS = ("brreg", "frivillighet", "opendata", "kommuner", "workshop")
_BINARY = bytes([*range(9), 11, 12, *range(14, 26), *range(27, 32)])
_HINT = "; name the format with --format (" + ", ".join(FORMATS) + ")"


def _empty_gzip(path: Path) -> bool:
    if path.stat().st_size > 4096:  # an empty gzip is a few dozen bytes
        return False
    try:
        return gzip.decompress(path.read_bytes()) == b""
    except (EOFError, OSError, zlib.error):
        return False


def detect_format(path: str | Path, name: str | None = None) -> str:
    path = Path(path)
    name = name or path.name
    try:
        with path.open("rb") as fh:
            magic = fh.read(8)
    except FileNotFoundError:
        raise ImportFailed(f"{name}: file not found ({path})", file=name) from None
    except OSError as exc:
        raise ImportFailed(f"{name}: cannot be opened ({exc.strerror})", file=name) from exc
    if not magic:
        raise ImportFailed(f"{name}: the file is empty", file=name)
    if magic.startswith((b"PK\x03\x04", b"PK\x05\x06", b"\xd0\xcf\x11\xe0")):
        return "workshop"  # a workbook; the workshop reader explains what it cannot read
    head = peek(path)
    if magic.startswith(GZIP_MAGIC) and not head:
        raise ImportFailed(f"{name}: " + ("the file is empty (an empty gzip)" if _empty_gzip(path)
                                          else "the gzip file is truncated or corrupt; "
                                               "download it again"), file=name)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "workshop"
    if len(head.translate(None, _BINARY)) != len(head):
        raise ImportFailed(f"{name}: is a binary file, not CSV, JSON or XLSX", file=name)
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff \t\r\n")
    if text.startswith(("{", "[")):
        if '"icnpoKategorier"' in text or "frivilligOrganisasjon" in text:
            return "frivillighet"
        if '"codes"' in text:
            return "kommuner"
        if '"organisasjonsnummer"' in text:
            return "brreg"
        raise ImportFailed(f"{name}: is JSON but not Enhetsregisteret, Frivillighetsregisteret "
                           "or SSB Klass data" + _HINT, file=name)
    header_line = next((ln for ln in text.splitlines() if ln.strip()), "")
    delimiter = max(";,\t", key=header_line.count)
    cells = next(csv.reader([header_line], delimiter=delimiter), [])
    keys = {normalise_header(c) for c in cells}
    if any(k.startswith(("organisasjonsform.", "forretningsadresse.", "beliggenhetsadresse.",
                         "naeringskode1.")) for k in keys):
        return "brreg"  # its reader names a missing required column
    if {"code", "name"} <= keys and keys & {"level", "parentcode", "validfrom"}:
        return "kommuner"
    found = find_columns(keys)
    if {"name", "lat", "lon"} <= found.keys():
        return "opendata"
    if keys & {*WORKSHOP_COLUMNS["name"], *WORKSHOP_COLUMNS["kind"]}:
        return "workshop"  # its reader names a missing required column
    shown = ", ".join(c.strip() for c in cells[:8]) or "no header"
    raise ImportFailed(f"{name}: cannot tell what kind of file this is from its content "
                       f"(first row: {shown})" + _HINT, file=name)
