"""Hostile inputs for every loader, shared by the suite's fuzz test (tests/fuzz/) and the long
run (benchmarks/fuzz.py): the issue's cases as an explicit corpus, and mutations of the real-format
seeds in tests/fixtures/ (bytes flipped, tokens inserted, spans cut or repeated, a JSON value or a
CSV cell replaced by anything, packaging changed).

:func:`run_one` feeds one input through the public entry points (``loaders.importer.import_files``,
as ``graphsvc load`` and ``POST /imports`` do, or ``loaders.districts.apply_districts``) and says
what happened: ``ok``, ``clean`` (a one-line ``GraphsvcError`` under 300 characters naming the
file, the store exactly as before), or what went wrong: ``crash`` (any other exception),
``bad_message``, ``partial_write`` (the store changed although the import failed).
"""

from __future__ import annotations

import gzip
import io
import json
import random
import sqlite3
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graphsvc.errors import GraphsvcError
from loaders.streams import Limits

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ROOT / "tests" / "fixtures" / "sources"
DISTRICTS = ROOT / "tests" / "fixtures" / "districts"
WORKSHOP = ROOT / "tests" / "fixtures" / "workshop"

# Small limits, so a bomb or a flood costs milliseconds here; each limit is hit by the corpus.
LIMITS = Limits(max_bytes=2 << 20, max_rows=2_000, max_document=1 << 20, max_field=200_000,
                max_line=400_000)

# kind -> (the format ``--format`` names, its seed files)
KINDS: dict[str, tuple[str | None, list[Path]]] = {
    "register_csv": ("brreg", [SOURCES / "enheter.csv", SOURCES / "underenheter.csv",
                               SOURCES / "enheter_90.csv.gz"]),
    "register_json": ("brreg", [SOURCES / "enheter_page.json", SOURCES / "underenheter_page.json",
                                SOURCES / "enheter.json.gz"]),
    "frivillighet": ("frivillighet", [SOURCES / "frivillighet.json",
                                      SOURCES / "frivillighet_page.json"]),
    "kommuner": ("kommuner", [SOURCES / "kommuner.json", SOURCES / "kommuner_cp1252.csv"]),
    "opendata": ("opendata", [SOURCES / "barnehager_bom_crlf.csv",
                              SOURCES / "helsestasjoner_cp1252.csv", SOURCES / "moteplasser.tsv"]),
    "workshop_csv": ("workshop", [SOURCES / "verksted_testvik.csv", WORKSHOP / "good.csv",
                                  WORKSHOP / "one_bad_row.csv"]),
    "workshop_xlsx": ("workshop", [ROOT / "loaders" / "templates" / "workshop_template.xlsx"]),
    "district_csv": (None, [DISTRICTS / "postnummer.csv",
                            DISTRICTS / "stavanger-1103-postnummer.csv"]),
    "district_geojson": (None, [DISTRICTS / "fjordvik.geojson"]),
}
FORMAT_NAMES = ("brreg", "frivillighet", "opendata", "kommuner", "workshop")


@dataclass(frozen=True)
class Input:
    """One file to load: which loader it aims at, its name, its bytes, and how it is loaded."""

    kind: str
    name: str
    data: bytes
    fmt: str | None = None  # --format; None: detected from the content
    kommune: str | None = None  # --kommune (imports) / the districts' kommune

    def __repr__(self) -> str:  # a reproducer fits on a line; the bytes are in the file saved
        return (f"Input({self.kind!r}, {self.name!r}, <{len(self.data)} bytes "
                f"{self.data[:60]!r}…>, fmt={self.fmt!r}, kommune={self.kommune!r})")


# ---- the corpus: the cases, and each limit --------------------------------------------

_DEEP = "[" * 3000 + "]" * 3000
_REGISTER_HEADER = (SOURCES / "enheter.csv").read_text("utf-8").splitlines()[0]


def _gz(text: str | bytes) -> bytes:
    return gzip.compress(text.encode() if isinstance(text, str) else text, mtime=0)


def _xlsx_bomb() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/worksheets/sheet1.xml", b" " * (3 << 20))
    return buf.getvalue()


def _xlsx_new_zip_version() -> bytes:
    """The workbook template claiming a ZIP version Python cannot read (found by the long run:
    ``NotImplementedError: zip file version 8.7``)."""
    data = bytearray((ROOT / "loaders" / "templates" / "workshop_template.xlsx").read_bytes())
    at = data.find(b"PK\x01\x02")
    data[at + 6] = 87
    return bytes(data)


def corpus() -> list[Input]:
    """The inputs the issue found crashing or exhausting a loader, and one past each limit."""
    friv = '{"organisasjonsnummer": "120100017", "icnpoKategorier": %s}'
    cases = [
        # JSON nested 3 000 deep: register, Frivillighetsregisteret, kommune and API-page readers.
        Input("register_json", "deep-array.json", f'[{{"organisasjonsnummer": {_DEEP}}}]'.encode(),
              "brreg"),
        Input("register_json", "deep-page.json",
              f'{{"_embedded": {{"enheter": {_DEEP}}}}}'.encode(), "brreg"),
        Input("register_json", "deep-record.json", _DEEP.encode(), "brreg"),
        Input("frivillighet", "deep-friv.json", (friv % _DEEP).encode()),
        Input("frivillighet", "deep-friv-array.json", f"[{friv % _DEEP}]".encode(),
              "frivillighet"),
        Input("kommuner", "deep-codes.json", f'{{"codes": {_DEEP}}}'.encode()),
        Input("kommuner", "unclosed-codes.json", ('{"codes": ' + "[" * 3000).encode(),
              "kommuner"),
        Input("district_geojson", "deep.geojson",
              f'{{"type": "FeatureCollection", "features": {_DEEP}}}'.encode(), kommune="0399"),
        # Types: "icnpoKategorier": 5 was a TypeError; a page whose list is a number.
        Input("frivillighet", "icnpo-number.json", f"[{friv % '5'}]".encode()),
        Input("frivillighet", "icnpo-object.json", (friv % '{"icnpoNummer": "1200"}').encode()),
        Input("frivillighet", "rank-inf.json",
              (friv % '[{"icnpoNummer": "1200", "rekkefoelge": 1e999}]').encode()),
        Input("register_json", "enheter-number.json", b'{"_embedded": {"enheter": 5}}', "brreg"),
        Input("kommuner", "codes-text.json", b'{"codes": "0301"}', "kommuner"),
        Input("kommuner", "code-object.json", b'{"codes": [{"code": {"a": 1}, "name": [1]}]}'),
        Input("district_geojson", "props-list.geojson",
              b'{"type": "Feature", "properties": [1], "geometry": {"type": "Polygon", '
              b'"coordinates": [[["a", 1]]]}}', kommune="0399"),
        # Numbers of more than 4 300 digits: int() refuses them (found by the long run).
        Input("district_geojson", "big-number.geojson",
              b'{"type": "Feature", "properties": {"navn": "X"}, "geometry": 9' + b"9" * 20_000
              + b"}", kommune="0399"),
        Input("register_json", "big-number.json",
              b'[{"organisasjonsnummer": ' + b"9" * 20_000 + b"}]", "brreg"),
        Input("frivillighet", "big-number-page.json",
              b'{"_embedded": {"x": [{"organisasjonsnummer": ' + b"9" * 20_000 + b"}]}}"),
        Input("district_geojson", "nan.geojson",
              b'{"type": "Feature", "properties": {"navn": "X"}, "geometry": {"type": "Polygon", '
              b'"coordinates": [[[10, 60], [NaN, 60.1], [10.2, 60.2], [1e308, 60], [10, 60]]]}}',
              kommune="0399"),
        # A 140 000-character CSV cell (the csv module's default limit is 131 072) loads or is a
        # row error; one past the limit is an error naming file, line and column.
        Input("register_csv", "long-cell.csv",
              f'{_REGISTER_HEADER}\n"120100017","{"X" * 140_000}","FLI"\n'.encode(), "brreg"),
        Input("register_csv", "too-long-cell-register.csv",
              f'{_REGISTER_HEADER}\n"120100017","{"X" * 250_000}","FLI"\n'.encode()),
        Input("workshop_csv", "too-long-cell.csv",
              f'aktør;type;grend\nKari;person;"{"x" * 250_000}"\n'.encode(), "workshop"),
        Input("workshop_csv", "long-line.csv", b"aktor;type\n" + b"x" * 500_000, "workshop"),
        # Sniffing was quadratic: 64 KB of '";' cost 34 s of CPU.
        Input("workshop_csv", "sniff.csv", ("aktør;type\n" + '";' * 32_000).encode()),
        Input("workshop_csv", "sniff-both.csv", ("aktør;type,tilbyr\n" + '";' * 32_000).encode()),
        Input("opendata", "sniff-one-line.csv", ("navn;lat,lon" + '";' * 32_000).encode()),
        # Bombs and floods: gzip past max_bytes, a workbook declaring more, rows past max_rows.
        Input("register_csv", "bomb.csv.gz", _gz(_REGISTER_HEADER + "\n" + "\n" * (3 << 20))),
        Input("register_json", "bomb.json.gz", _gz("[" + " " * (3 << 20) + "]"), "brreg"),
        Input("frivillighet", "blank-bomb.json.gz", _gz(" " * (3 << 20)), "frivillighet"),
        Input("workshop_xlsx", "bomb.xlsx", _xlsx_bomb()),
        Input("workshop_xlsx", "zip-version.xlsx", _xlsx_new_zip_version(), "workshop"),
        Input("workshop_csv", "many-rows.csv", b"aktor;type\n" + b"x;lag\n" * 2_500),
        Input("register_csv", "many-rows.csv",
              (_REGISTER_HEADER + "\n" + '"1","x"\n' * 2_500).encode(), "brreg"),
        Input("kommuner", "many-codes.json",
              json.dumps({"codes": [{"code": "0301", "name": "Oslo"}] * 2_500}).encode()),
        Input("frivillighet", "big-page.json", fmt="frivillighet", data=
              ('{"_embedded": {"x": [], "pad": "' + "x" * (1 << 20) + '"}}').encode()),
        # Odd files of every sort.
        Input("workshop_csv", "empty.csv", b""),
        Input("workshop_csv", "bom.csv", b"\xef\xbb\xbf"),
        Input("workshop_csv", "nul.csv", b"akt\x00r;type\n"),
        Input("workshop_csv", "utf16.csv", "aktør;type\nKari;person\n".encode("utf-16")),
        Input("workshop_csv", "quote.csv", b'aktor;type\n"Kari;person\n'),
        Input("register_csv", "truncated.csv.gz", _gz(_REGISTER_HEADER + "\n")[:-6], "brreg"),
        Input("district_csv", "blank.csv", b"\n\n\n", kommune="0399"),
        Input("district_csv", "long-name.csv",
              ("postnummer;grend\n1234;" + "Å" * 5_000 + "\n").encode(), kommune="0399"),
        Input("workshop_csv", "newline-header.csv",
              ('"akt\nør";type\n"akt\nør";x\n' + "y" * 400).encode(), "workshop"),
    ]
    return cases


# ---- mutations ---------------------------------------------------------------------------------

TOKENS = [b'"', b";", b",", b"\t", b"\n", b"\r\n", b"\r", b"{", b"}", b"[", b"]", b":", b"\x00",
          b"\xff", b"\xc3", b"\xef\xbb\xbf", b'""', b'"\n"', b"null", b"true", b"1e999", b"-0",
          b"9" * 400, b"NaN", b"\\u0000", b"\\ud800", b'"\\', b"[" * 200, b"{\"a\":" * 100,
          "Æøå".encode(), "\u2028".encode(), b"\x1f\x8b", b"PK\x03\x04", b"/n", b"=cmd|",
          b"0301", b"120100017", b"true;false", b"icnpoKategorier", b"_embedded"]
_TEXTS = ["", " ", "x" * 500, "Kari\nNordmann", '"', '";"', "0301", "12 01 00017", "1e999",
          "\u0000", "💥", "ÆØÅ", "-1", "9" * 30, "true", "null", "lag", "enkeltperson",
          "2001-02-30", "59,91", "a" * 5000, "\t", "/n/n"]


def _rand_json(rnd: random.Random, depth: int = 0) -> Any:
    pick = rnd.randrange(11 if depth < 4 else 7)
    if pick == 0:
        return None
    if pick == 1:
        return rnd.choice([True, False])
    if pick == 2:
        return rnd.choice([0, -1, 1, 1200, 2**63, -(2**70), 10**400])
    if pick == 3:
        return rnd.choice([0.5, -0.0, 1e308, 59.91, float("1e-320")])
    if pick in (4, 5, 6):
        return rnd.choice(_TEXTS)
    if pick in (7, 8):
        return [_rand_json(rnd, depth + 1) for _ in range(rnd.randrange(4))]
    if pick == 9 and rnd.random() < 0.2:  # deep now and then
        value: Any = 1
        for _ in range(rnd.choice([30, 70, 200, 600])):
            value = [value] if rnd.random() < 0.5 else {"a": value}
        return value
    keys = ["organisasjonsnummer", "navn", "icnpoKategorier", "icnpoNummer", "rekkefoelge",
            "code", "name", "codes", "_embedded", "enheter", "type", "geometry", "properties",
            "coordinates", "features", "navn", "kommunenummer", "x"]
    return {rnd.choice(keys): _rand_json(rnd, depth + 1) for _ in range(rnd.randrange(4))}


def _paths(value: Any, at: tuple = ()) -> list[tuple]:
    out = [at]
    if len(at) > 12:
        return out
    if isinstance(value, dict):
        for k, v in list(value.items())[:40]:
            out.extend(_paths(v, (*at, k)))
    elif isinstance(value, list):
        for i, v in enumerate(value[:40]):
            out.extend(_paths(v, (*at, i)))
    return out


def _set(doc: Any, path: tuple, value: Any) -> Any:
    if not path:
        return value
    target = doc
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return doc


def _mutate_json(text: str, rnd: random.Random) -> bytes | None:
    try:
        doc = json.loads(text)
    except ValueError:
        return None
    for _ in range(rnd.randrange(1, 4)):
        paths = _paths(doc)
        path = rnd.choice(paths)
        if path and rnd.random() < 0.3 and isinstance(doc, dict | list):
            parent = doc
            for step in path[:-1]:
                parent = parent[step]
            if isinstance(parent, dict):
                parent.pop(path[-1], None)
                continue
        doc = _set(doc, path, _rand_json(rnd))
    return json.dumps(doc, ensure_ascii=rnd.random() < 0.5).encode()


def _mutate_csv(text: str, rnd: random.Random) -> bytes:
    lines = text.split("\n")
    delim = max(";,\t", key=lines[0].count)
    for _ in range(rnd.randrange(1, 4)):
        i = rnd.randrange(len(lines))
        cells = lines[i].split(delim)
        j = rnd.randrange(len(cells))
        cells[j] = rnd.choice(_TEXTS) if rnd.random() < 0.7 else rnd.choice(
            ['"' + rnd.choice(_TEXTS) + '"', "", cells[j] * 3, delim.join(cells)])
        lines[i] = delim.join(cells)
    return "\n".join(lines).encode(rnd.choice(["utf-8", "utf-8", "cp1252"]), errors="replace")


def _mutate_bytes(data: bytes, rnd: random.Random) -> bytes:
    buf = bytearray(data)
    for _ in range(rnd.randrange(1, 6)):
        at = rnd.randrange(len(buf) + 1)
        op = rnd.randrange(6)
        if op == 0 and buf:  # flip bytes
            for _ in range(rnd.randrange(1, 8)):
                buf[rnd.randrange(len(buf))] = rnd.randrange(256)
        elif op == 1:  # insert a token
            buf[at:at] = rnd.choice(TOKENS) * rnd.choice([1, 1, 2, 50])
        elif op == 2:  # cut a span
            del buf[at:at + rnd.randrange(1, 200)]
        elif op == 3:  # repeat a span
            span = bytes(buf[at:at + rnd.randrange(1, 120)])
            buf[at:at] = span * rnd.randrange(1, 40)
        elif op == 4:  # truncate
            del buf[at:]
        else:  # swap two lines
            lines = bytes(buf).split(b"\n")
            if len(lines) > 2:
                a, b = rnd.randrange(len(lines)), rnd.randrange(len(lines))
                lines[a], lines[b] = lines[b], lines[a]
                buf = bytearray(b"\n".join(lines))
    return bytes(buf)


def _xlsx_from_rows(text: str, rnd: random.Random) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    for line in text.split("\n")[:30]:
        cells: list[Any] = line.split(";")
        if rnd.random() < 0.3:
            cells[rnd.randrange(len(cells))] = rnd.choice(
                [rnd.choice(_TEXTS).replace("\u0000", ""), 301.0, 2.5, True, -1, None])
        ws.append(cells)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


_SEED_CACHE: dict[Path, bytes] = {}


def _seed(path: Path) -> bytes:
    if path not in _SEED_CACHE:
        _SEED_CACHE[path] = path.read_bytes()
    return _SEED_CACHE[path]


def mutated(kind: str, rnd: random.Random) -> Input:
    """A mutation of one of ``kind``'s seeds, loaded with its format or detected."""
    fmt, seeds = KINDS[kind]
    seed_path = rnd.choice(seeds)
    raw = _seed(seed_path)
    packed = raw[:2] == b"\x1f\x8b"
    plain = gzip.decompress(raw) if packed else raw
    how = rnd.randrange(10)
    if kind == "workshop_xlsx":
        data = _xlsx_from_rows(_seed(SOURCES / "verksted_testvik.csv").decode(), rnd) \
            if how < 5 else _mutate_bytes(plain, rnd)
    elif how < 4 and seed_path.suffix in (".json", ".geojson", ".gz") and \
            plain.lstrip()[:1] in (b"{", b"["):
        data = _mutate_json(plain.decode("utf-8"), rnd) or _mutate_bytes(plain, rnd)
    elif how < 7 and plain.lstrip()[:1] not in (b"{", b"["):
        text = plain.decode("utf-8", errors="replace")
        data = _mutate_csv(text, rnd)
    else:
        data = _mutate_bytes(plain, rnd)
    if kind != "workshop_xlsx" and (packed or rnd.random() < 0.1):
        data = _gz(data)
        if rnd.random() < 0.1:
            data = data[: rnd.randrange(len(data) + 1)]
    ext = rnd.choice(["", ".csv", ".json", ".gz", ".xlsx", ".txt", seed_path.suffix])
    name = f"fuzz-{kind}{ext}"
    chosen = None if kind.startswith("district") else (
        fmt if rnd.random() < 0.5 else rnd.choice([None, None, None, *FORMAT_NAMES]))
    kommune = rnd.choice([None, None, "0399", "1103"])
    if kind.startswith("district") and kommune is None and rnd.random() < 0.7:
        kommune = "0399"
    return Input(kind, name, data, chosen, kommune)


# ---- running one input -------------------------------------------------------------------------


def dump(db: Path) -> str:
    """Everything the SQLite store file holds, as SQL text (another connection, read only)."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return "\n".join(conn.iterdump())
    finally:
        conn.close()


@dataclass
class Outcome:
    verdict: str  # ok | clean | crash | bad_message | partial_write
    detail: str
    cpu_s: float


def run_one(store: Any, db: Path, item: Input, folder: Path,
            limits: Limits | None = LIMITS) -> Outcome:
    """Load ``item`` into ``store`` (whose file is ``db``) through the public entry point, with
    ``limits`` (default: the small :data:`LIMITS`; ``None``: the loaders' defaults)."""
    from loaders.districts import apply_districts
    from loaders.importer import import_files

    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "input"
    path.write_bytes(item.data)
    before = dump(db)
    started = time.process_time()
    try:
        if item.kind.startswith("district"):
            apply_districts(store, [path], kommune=item.kommune, names={str(path): item.name},
                            limits=limits)
        else:
            import_files(store, [path], fmt=item.fmt, names={str(path): item.name},
                         kommuner=[item.kommune] if item.kommune else None, limits=limits)
    except GraphsvcError as exc:
        cpu = time.process_time() - started
        for lang in ("nb", "en"):
            message = exc.message_in(lang)
            if "\n" in message or "\r" in message or len(message) >= 300 \
                    or item.name not in message:
                return Outcome("bad_message", f"{lang}: {message[:400]!r}", cpu)
        if dump(db) != before:
            return Outcome("partial_write", exc.message, cpu)
        return Outcome("clean", exc.message, cpu)
    except Exception as exc:  # noqa: BLE001 — what this is here to find
        return Outcome("crash", f"{type(exc).__name__}: {str(exc)[:300]}",
                       time.process_time() - started)
    return Outcome("ok", "", time.process_time() - started)
