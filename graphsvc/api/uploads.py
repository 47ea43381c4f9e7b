"""Request bodies and uploaded files, bounded while they arrive.

- :class:`BodyLimit` (ASGI middleware) counts the bytes of every request body as they stream
  in: a ``Content-Length`` over the limit is refused with 413 before one byte is read, a body
  without one (chunked) as soon as it passes the limit. Uploads (``/imports``, ``/districts``)
  may carry ``GRAPHSVC_MAX_UPLOAD_MB``, every other body ``GRAPHSVC_MAX_BODY_MB``. Starlette
  spools an upload to a temporary file in chunks, so the limit also bounds what reaches /tmp.
- :func:`save_upload` checks the client's file name (a base name, not ``.``/``..``, no control
  character, at most 255 bytes) and copies the upload in 1 MB chunks, limit checked again.
- :func:`import_slot` bounds how many imports run at once: one more is refused at once (503
  ``import_busy`` with ``Retry-After``) rather than queued, so a waiting upload holds no worker
  thread and no temporary file.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from fastapi import Request, UploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from graphsvc.errors import GraphsvcError, Text, ValidationError, error_body
from loaders.streams import Limits

MB = 2**20
UPLOAD_PATHS = ("/imports", "/districts")  # the routes that take files
MAX_NAME_BYTES = 255  # the longest file name a Linux file system takes
CHUNK = MB
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class BodyTooLarge(StarletteHTTPException):
    """A request body over its limit. An HTTPException so FastAPI passes it on untouched from
    inside its body parsing (any other exception there becomes a 400)."""

    def __init__(self, limit_mb: int, setting: str) -> None:
        super().__init__(status_code=413, detail=f"larger than {limit_mb} MB")
        self.limit_mb = limit_mb
        self.setting = setting

    def body(self, lang: str | None) -> dict:
        text = Text("error.body_too_large", mb=self.limit_mb, setting=self.setting)
        return error_body("payload_too_large", text.in_(lang),
                          {"limit_mb": self.limit_mb, "setting": self.setting})


class ImportBusy(GraphsvcError):
    """Every import slot is taken; try again shortly."""

    status = 503
    code = "import_busy"
    headers = {"Retry-After": "5"}


def body_limit(path: str, settings) -> tuple[int, str]:
    """The largest body a request to ``path`` may send (MB) and the setting that says so."""
    if path.rstrip("/") in UPLOAD_PATHS:
        return settings.max_upload_mb, "GRAPHSVC_MAX_UPLOAD_MB"
    return settings.max_body_mb, "GRAPHSVC_MAX_BODY_MB"


class BodyLimit:
    """Refuse a request body over its limit while it streams, never after reading it."""

    def __init__(self, app: ASGIApp, settings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit_mb, setting = body_limit(scope["path"], self.settings)
        limit = limit_mb * MB
        too_large = BodyTooLarge(limit_mb, setting)
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await _refuse(scope, send, too_large, self.settings)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise too_large
            return message

        await self.app(scope, counted, send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _refuse(scope: Scope, send: Send, exc: BodyTooLarge, settings) -> None:
    from graphsvc.api.deps import accept_language

    headers = dict(scope.get("headers", ()))
    lang = accept_language(headers.get(b"accept-language", b"").decode("latin-1")) \
        or settings.lang
    body = json.dumps(exc.body(lang), ensure_ascii=False).encode("utf-8")
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})


def upload_name(raw: str | None, default_name: str) -> str:
    """The base name of an uploaded file as the client named it, or a 422 that says why not.

    >>> upload_name("C:\\\\Users\\\\kari\\\\frivillige.csv", "upload.csv")
    'frivillige.csv'
    >>> upload_name(None, "upload.csv")
    'upload.csv'
    """
    if not raw:
        return default_name
    shown = raw if len(raw) <= 60 else raw[:57] + "..."
    shown = _CONTROL.sub("?", shown)
    if _CONTROL.search(raw):
        raise ValidationError("error.upload_name.control", file=shown)
    name = re.split(r"[/\\]", raw)[-1]
    if name in ("", ".", ".."):
        raise ValidationError("error.upload_name.no_name", file=shown)
    if len(name.encode("utf-8")) > MAX_NAME_BYTES:
        raise ValidationError("error.upload_name.too_long", file=shown,
                              fill={"max": MAX_NAME_BYTES})
    return name


def save_upload(upload: UploadFile, folder: Path, default_name: str, limit_mb: int,
                prefix: str = "") -> tuple[str, Path]:
    """Copy an upload into ``folder`` in chunks, as ``prefix + its name``: (name, path)."""
    name = upload_name(upload.filename, default_name)
    path = folder / f"{prefix}{name}"
    left = limit_mb * MB
    upload.file.seek(0)
    with path.open("wb") as out:
        while chunk := upload.file.read(CHUNK):
            left -= len(chunk)
            if left < 0:
                raise ValidationError("error.upload_too_large", file=name,
                                      fill={"mb": limit_mb})
            out.write(chunk)
    return name, path


def import_slots(settings) -> threading.BoundedSemaphore:
    return threading.BoundedSemaphore(settings.max_concurrent_imports)


@contextmanager
def import_slot(request: Request) -> Iterator[None]:
    """Hold one of the app's import slots for the block, or refuse at once (503)."""
    slots: threading.BoundedSemaphore = request.app.state.import_slots
    if not slots.acquire(blocking=False):
        raise ImportBusy("error.import_busy",
                         running=request.app.state.settings.max_concurrent_imports,
                         fill={"setting": "GRAPHSVC_MAX_CONCURRENT_IMPORTS"})
    try:
        yield
    finally:
        slots.release()


def import_limits(settings) -> Limits:
    """The loader limits an import keeps, from the settings (``GRAPHSVC_MAX_IMPORT_ROWS``,
    ``GRAPHSVC_MAX_IMPORT_RECORDS``, ``GRAPHSVC_MAX_DECOMPRESSED_MB``)."""
    return Limits().but(max_rows=settings.max_import_rows,
                        max_records=settings.max_import_records,
                        max_bytes=settings.max_decompressed_mb << 20)
