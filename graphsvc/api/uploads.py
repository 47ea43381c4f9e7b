"""Uploaded files, read the same way by every route that takes one: a safe file name, and a
size limit checked before anything is written."""

from __future__ import annotations

from pathlib import Path

from fastapi import UploadFile

from graphsvc.errors import ValidationError

MAX_UPLOAD = 50 * 1024 * 1024


def read_upload(upload: UploadFile, default_name: str) -> tuple[str, bytes]:
    """The upload's base name (no folders) and its bytes; larger than ``MAX_UPLOAD`` is an error."""
    name = Path(upload.filename or default_name).name
    data = upload.file.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        raise ValidationError("error.upload_too_large", file=name,
                              fill={"mb": MAX_UPLOAD // 2**20})
    return name, data
