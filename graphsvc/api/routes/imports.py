"""Imports: upload a file (any format ``graphsvc load`` reads), get the import report. A file
that cannot be read, or whose rows were all rejected, writes nothing and answers 422 with the
rejected rows in ``error.detail.rows``."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Query, Request, UploadFile

from graphsvc.api.deps import LangDep, SettingsDep, StoreDep
from graphsvc.api.uploads import import_limits, import_slot, save_upload
from loaders.importer import FORMATS, import_files

router = APIRouter(tags=["imports"])

Format = Literal[tuple(FORMATS)]  # type: ignore[valid-type]


@router.post("/imports")
def upload(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    lang: LangDep,
    file: Annotated[UploadFile, File(description="an Enhetsregisteret CSV/JSON (may be gzip), "
                                     "Frivillighetsregisteret JSON, open-data CSV, SSB Klass "
                                     "kommune codes, or a workshop sheet (.csv or .xlsx)")],
    strict: Annotated[bool, Query(description="reject the whole file if any row is bad")] = False,
    workshop: Annotated[str | None, Query(description="workshop sheets: the workshop of rows "
                                          "that do not name one; it scopes people's ids")
                        ] = None,
    fmt: Annotated[Format | None, Query(alias="format", description="default: detected from "
                                        "the content")] = None,
    kommune: Annotated[list[str] | None, Query(description="keep only these kommuner")] = None,
    kind: Annotated[str | None, Query(description="open data: the kind of every row")] = None,
    category: Annotated[str | None, Query(description="open data: a category for every row")
                        ] = None,
    include: Annotated[list[Literal["business"]] | None, Query(
        description="Enhetsregisteret: also load these kinds, otherwise counted (business)")
    ] = None,
) -> dict[str, Any]:
    with import_slot(request), tempfile.TemporaryDirectory() as tmp:
        name, path = save_upload(file, Path(tmp), "upload.csv", settings.max_upload_mb)
        return import_files(store, [path], fmt=fmt, strict=strict, names={str(path): name},
                            kommuner=kommune, kind=kind, category=category, workshop=workshop,
                            include=include, lang=lang, limits=import_limits(settings))
