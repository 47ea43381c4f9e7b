"""Write the blank workshop templates (``workshop_template.csv`` and ``.xlsx``) next to this file
from the loader's own column list, the category taxonomy and the tie kinds, so the templates
cannot drift from what ``loaders.workshop`` accepts. Regenerate with::

    python -m loaders.templates.make_template

The output is byte-for-byte reproducible (fixed timestamps), so a regeneration that changes
nothing shows no diff.
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import datetime
from pathlib import Path

from graphsvc.taxonomy import load_taxonomy
from loaders.workshop import (
    COLUMNS,
    INITIATIVE_ALIASES,
    KIND_ALIASES,
    TEMPLATE_HEADERS,
    TIE_ALIASES,
)

HERE = Path(__file__).parent
_FIXED = datetime(2024, 1, 1)

# field -> (required, what to write, example), in template order; the text is bokmål.
COLUMN_HELP: dict[str, tuple[bool, str, str]] = {
    "name": (True, "Navnet på aktøren (person, lag, institusjon …)", "Fjordvik helselag"),
    "kind": (True, "Hva slags aktør: se «Typer» nedenfor", "lag/forening"),
    "district": (False, "Grend eller bydel", "Nordbygda"),
    "kommunenummer": (False, "Fire siffer, med null foran (0301 er Oslo)", "0301"),
    "offers": (False, "Det aktøren kan bidra med: kategorikode, gjerne med kolon og "
                      "beskrivelse; flere skilles med semikolon", "help.transport: har bil; "
                      "social.visit"),
    "needs": (False, "Det aktøren trenger, på samme måte som «tilbyr»", "help.digital"),
    "ties": (False, "Koblinger til andre: TYPE:navn eller id; flere skilles med semikolon. "
                    "Navnet må stå i kolonnen «aktør» i samme ark, eller bruk en id",
             "medlem_av:Fjordvik helselag; kjenner:Ola Eksempel"),
    "age_band": (False, "Aldersgruppe (bare om det trengs)", "67-79"),
    "consent": (False, "For enkeltpersoner: formålet personen har samtykket til", "Kobling til "
                       "frivillige aktiviteter i Fjordvik"),
    "orgnr": (False, "Organisasjonsnummer, 9 siffer (gir id brreg:<orgnr>)", "998877660"),
    "id": (False, "Fast id om aktøren har en fra før (f.eks. ws:kari); ellers lages den av "
                  "orgnr eller navnet", "ws:ola-eksempel"),
    "workshop": (False, "Verkstedet raden ble samlet inn på, likt på hver rad. To personer med "
                        "samme navn fra ulike verksted holdes adskilt; uten verksted skilles "
                        "personer bare på kommune og navn", "Nordbygda mai 2024"),
}
assert list(COLUMN_HELP) == list(COLUMNS), "COLUMN_HELP must follow loaders.workshop.COLUMNS"

# Clearly invented: the municipality Fjordvik does not exist, so no kommunenummer is given.
EXAMPLES: list[dict[str, str]] = [
    {"name": "Fjordvik frivilligsentral", "kind": "frivilligsentral", "district": "Sentrum",
     "offers": "knowledge.coordination: koordinerer besøksvenner; space.room: møterom",
     "needs": "help.transport: sjåfører til legetimer",
     "ties": "samarbeider_med:Fjordvik helselag; koordinerer:Sykling uten alder – Nordbygda",
     "workshop": "Nordbygda mai 2024"},
    {"name": "Fjordvik helselag", "kind": "lag/forening", "district": "Nordbygda",
     "offers": "social.meetingplace: treff hver tirsdag; activity.walk",
     "needs": "help.digital: noen som kan lære bort nettbank", "workshop": "Nordbygda mai 2024"},
    {"name": "Ola Eksempel", "kind": "enkeltperson", "district": "Nordbygda",
     "offers": "help.transport: har bil; reuse.repair: fikser sykler",
     "needs": "social.visit",
     "ties": "medlem_av:Fjordvik helselag; frivillig_ved:Fjordvik frivilligsentral; "
             "deltar_i:Sykling uten alder – Nordbygda",
     "age_band": "67-79", "consent": "Kobling til frivillige aktiviteter i Fjordvik",
     "workshop": "Nordbygda mai 2024"},
    {"name": "Sykling uten alder – Nordbygda", "kind": "initiativ", "district": "Nordbygda",
     "needs": "activity.cycling; space.vehicle: en rickshaw-sykkel",
     "workshop": "Nordbygda mai 2024"},
]

TIE_HELP = {
    "MEMBER_OF": "er medlem av", "VOLUNTEERS_AT": "er frivillig ved", "WORKS_AT": "jobber ved",
    "KNOWS": "kjenner", "PARTNERS_WITH": "samarbeider med", "COORDINATES": "koordinerer",
    "FUNDS": "finansierer / støtter økonomisk", "PARTICIPATES_IN": "deltar i (tiltak)",
    "PART_OF": "er en del av",
}
KIND_HELP = {
    "individual": "en enkeltperson",
    "association": "lag, forening, menighet, frivillig organisasjon",
    "institution": "skole, barnehage, sykehjem, bibliotek, seniorsenter …",
    "frivilligsentral": "frivilligsentral", "municipality": "kommunen eller en kommunal tjeneste",
    "business": "bedrift, butikk, næringsdrivende",
}

INITIATIVE_HELP = ("et initiativ eller tiltak (f.eks. Sykling uten alder): «trenger» er "
                   "kategoriene det krever, og deltakerne skriver deltar_i:<navnet> i «kontakter»")


def template_rows() -> list[list[str]]:
    fields = list(COLUMNS)
    return [list(TEMPLATE_HEADERS)] + [[ex.get(f, "") for f in fields] for ex in EXAMPLES]


def write_csv(path: Path = HERE / "workshop_template.csv") -> Path:
    """UTF-8 with BOM, semicolons, CRLF: what Norwegian Excel opens with æøå intact."""
    lines = [";".join(_csv_cell(c) for c in row) for row in template_rows()]
    path.write_bytes(b"\xef\xbb\xbf" + "\r\n".join(lines).encode("utf-8") + b"\r\n")
    return path


def _csv_cell(text: str) -> str:
    return f'"{text.replace(chr(34), chr(34) * 2)}"' if re.search(r'[;"\r\n]', text) else text


def write_xlsx(path: Path = HERE / "workshop_template.xlsx") -> Path:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    ws = wb.active
    ws.title = "Aktører"  # the loader reads the first sheet
    for row in template_rows():
        ws.append(row)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "A2"
    for col, header in zip(ws.iter_cols(min_row=1, max_row=1), TEMPLATE_HEADERS):
        ws.column_dimensions[col[0].column_letter].width = 40 if header in (
            "tilbyr", "trenger", "kontakter", "samtykke") else 22
    kinds = DataValidation(
        type="list",
        formula1='"enkeltperson,lag/forening,institusjon,frivilligsentral,kommune,bedrift,initiativ"',
        allow_blank=True, showErrorMessage=True, errorStyle="warning",
        errorTitle="Ukjent type", error="Se arket «Veiledning» for typene som godtas.",
    )
    ws.add_data_validation(kinds)
    kinds.add("B2:B1000")

    guide = wb.create_sheet("Veiledning")
    bold = Font(bold=True)

    def section(title: str, header: list[str], rows: list[list[str]]) -> None:
        guide.append([])
        guide.append([title])
        guide.cell(guide.max_row, 1).font = Font(bold=True, size=13)
        guide.append(header)
        for cell in guide[guide.max_row]:
            cell.font = bold
        for row in rows:
            guide.append(row)

    guide.append(["Ressurskartlegging – mal for verksted (ABCD)"])
    guide.cell(1, 1).font = Font(bold=True, size=15)
    for text in (
        "Én rad per aktør i arket «Aktører». Slett de tre eksempelradene (fra den oppdiktede "
        "kommunen Fjordvik) før du fyller inn.",
        "Kolonnene finnes igjen på navnet i første rad, ikke på plasseringen; store og små "
        "bokstaver spiller ingen rolle. Navnene under «Godtas også» (også engelske) virker "
        "like godt.",
        "Lagre som .xlsx, eller som CSV (UTF-8). En rad med feil blir ikke lastet inn, men "
        "rapportert med linjenummer og grunn; resten lastes inn. En kobling med feil i "
        "«kontakter» blir utelatt, men resten av raden lastes inn. I CSV må en verdi med "
        "semikolon stå i anførselstegn.",
        "Å laste inn det samme arket på nytt (også under et annet filnavn) endrer ingenting.",
        "Personvern: skriv bare det som trengs om enkeltpersoner, og formålet de har samtykket "
        "til i «samtykke». Medlemskap i trossamfunn, partier, fagforeninger eller "
        "pasientforeninger er sensitive opplysninger. Andre kolonner (telefon, e-post …) "
        "blir ikke lest inn.",
    ):
        guide.append([text])
    section("Kolonner", ["Kolonne", "Påkrevd", "Hva", "Eksempel", "Godtas også"], [
        [COLUMNS[f][0], "ja" if req else "", what, example, ", ".join(COLUMNS[f][1:])]
        for f, (req, what, example) in COLUMN_HELP.items()
    ])
    section("Typer (kolonnen «type»)", ["Skriv", "Betyr", "Godtas også"], [
        [aliases[0], KIND_HELP[kind], ", ".join(_others(aliases, kind))]
        for kind, aliases in KIND_ALIASES.items()
    ] + [[INITIATIVE_ALIASES[0], INITIATIVE_HELP, ", ".join(INITIATIVE_ALIASES[1:])]])
    section("Kategorikoder (kolonnene «tilbyr» og «trenger»)", ["Kode", "Norsk", "English"], [
        [c.code, c.name_nb, c.name_en] for c in load_taxonomy()
    ])
    section("Koblinger (kolonnen «kontakter»)", ["Skriv", "Betyr", "Godtas også"], [
        [aliases[0], TIE_HELP[kind], ", ".join(_others(aliases, kind))]
        for kind, aliases in TIE_ALIASES.items()
    ])
    for letter, width in zip("ABCDE", (34, 60, 60, 40, 40)):
        guide.column_dimensions[letter].width = width
    for row in guide.iter_rows():
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")

    wb.properties.creator = "graphsvc"
    wb.properties.created = _FIXED
    buf = io.BytesIO()
    wb.save(buf)
    path.write_bytes(_reproducible(buf.getvalue()))
    return path


def _others(aliases: tuple[str, ...], code: str) -> list[str]:
    return [a for a in (*aliases[1:], code) if a != aliases[0]]


def _reproducible(data: bytes) -> bytes:
    """Pin the timestamps openpyxl writes (zip entry times, docProps modified)."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            content = src.read(info)
            if info.filename == "docProps/core.xml":
                stamp = _FIXED.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
                content = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>" + stamp, content)
            fixed = zipfile.ZipInfo(info.filename, date_time=_FIXED.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            dst.writestr(fixed, content)
    return out.getvalue()


if __name__ == "__main__":
    for written in (write_csv(), write_xlsx()):
        print(written)
