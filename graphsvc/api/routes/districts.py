"""Districts: upload a kommune's district definition (CSV ``postnummer;district`` and/or GeoJSON
polygons, several files at once); it is stored and the kommune's actors get their districts.
Answers the same report as ``graphsvc districts``; a bad file stores nothing (422)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, File, Query, Request, UploadFile

from graphsvc.api.deps import LangDep, SettingsDep, StoreDep
from graphsvc.api.uploads import import_slot, save_upload
from loaders.districts import apply_districts

router = APIRouter(tags=["districts"])


@router.post("/districts")
def upload_districts(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    lang: LangDep,
    files: Annotated[list[UploadFile], File(min_length=1, description="CSV postnummer;district (optionally "
                                            "kommunenummer) and/or GeoJSON polygons with a "
                                            "navn/name property, WGS84")],
    kommune: Annotated[str | None, Query(description="the kommune the districts belong to, "
                                         "unless the files name it")] = None,
) -> dict[str, Any]:
    with import_slot(request), tempfile.TemporaryDirectory() as tmp:
        paths, names = [], {}
        for i, upload in enumerate(files):
            name, path = save_upload(upload, Path(tmp), f"districts-{i + 1}",
                                     settings.max_upload_mb, prefix=f"{i}-")
            paths.append(path)
            names[str(path)] = name
        return apply_districts(store, paths, kommune=kommune, names=names, lang=lang)
