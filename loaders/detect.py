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
from graphsvc.i18n import register_texts
from loaders.opendata import find_columns
from loaders.rows import normalise_header
from loaders.streams import GZIP_MAGIC, clip, peek
from loaders.workshop import COLUMNS as WORKSHOP_COLUMNS

__all__ = ["FORMATS", "detect_format"]

FORMATS = ("brreg", "frivillighet", "opendata", "kommuner", "workshop")
_BINARY = bytes([*range(9), 11, 12, *range(14, 26), *range(27, 32)])
_FORMATS = ", ".join(FORMATS)
TEXTS = register_texts(__name__, {
    "nb": {
        "error.detect.empty_gzip": "{file}: filen er tom (en tom gzip-fil)",
        "error.detect.gzip": "{file}: gzip-filen er avkortet eller skadet; last den ned på nytt",
        "error.detect.binary": "{file}: er en binær fil, ikke CSV, JSON eller XLSX",
        "error.detect.json": "{file}: er JSON, men ikke data fra Enhetsregisteret, "
                             "Frivillighetsregisteret eller SSB Klass; oppgi formatet med "
                             "--format ({formats})",
        "error.detect.unknown": "{file}: innholdet sier ikke hva slags fil dette er (første "
                                "rad: {first}); oppgi formatet med --format ({formats})",
    },
    "en": {
        "error.detect.empty_gzip": "{file}: the file is empty (an empty gzip)",
        "error.detect.gzip": "{file}: the gzip file is truncated or corrupt; download it again",
        "error.detect.binary": "{file}: is a binary file, not CSV, JSON or XLSX",
        "error.detect.json": "{file}: is JSON but not Enhetsregisteret, Frivillighetsregisteret "
                             "or SSB Klass data; name the format with --format ({formats})",
        "error.detect.unknown": "{file}: cannot tell what kind of file this is from its content "
                                "(first row: {first}); name the format with --format ({formats})",
    },
})


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
        raise ImportFailed("error.file.not_found", file=name, fill={"path": str(path)}) from None
    except OSError as exc:
        raise ImportFailed("error.file.unopenable", file=name,
                           fill={"problem": exc.strerror}) from exc
    if not magic:
        raise ImportFailed("error.file.empty", file=name)
    if magic.startswith((b"PK\x03\x04", b"PK\x05\x06", b"\xd0\xcf\x11\xe0")):
        return "workshop"  # a workbook; the workshop reader explains what it cannot read
    head = peek(path)
    if magic.startswith(GZIP_MAGIC) and not head:
        raise ImportFailed("error.detect.empty_gzip" if _empty_gzip(path)
                           else "error.detect.gzip", file=name)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "workshop"
    if len(head.translate(None, _BINARY)) != len(head):
        raise ImportFailed("error.detect.binary", file=name)
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff \t\r\n")
    if text.startswith(("{", "[")):
        if '"icnpoKategorier"' in text or "frivilligOrganisasjon" in text:
            return "frivillighet"
        if '"codes"' in text:
            return "kommuner"
        if '"organisasjonsnummer"' in text:
            return "brreg"
        raise ImportFailed("error.detect.json", file=name, fill={"formats": _FORMATS})
    header_line = next((ln for ln in text.splitlines() if ln.strip()), "")
    delimiter = max(";,\t", key=header_line.count)
    try:
        cells = next(csv.reader([header_line], delimiter=delimiter), [])
    except csv.Error:  # a quote the 64 KiB it looks at does not close: its cells as they stand
        cells = header_line.split(delimiter)
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
    shown = clip(", ".join(clip(c.strip(), 24) for c in cells[:8]), 120) or "no header"
    raise ImportFailed("error.detect.unknown", file=name,
                       fill={"first": shown, "formats": _FORMATS})
