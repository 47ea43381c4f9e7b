"""What every command shares: common options, output, errors, opening the store."""

from __future__ import annotations

import argparse
import json
import os
import sys
import traceback
from typing import Any

from graphsvc.errors import GraphsvcError
from graphsvc.i18n import DEFAULT_LANG, LANGS, register
from graphsvc.settings import Settings
from graphsvc.store.base import GraphStore


def common_options() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--store", default=argparse.SUPPRESS, metavar="URL",
                        help="sqlite:///path.db or neo4j://host:7687 (env GRAPHSVC_STORE; "
                             "default sqlite:///graphsvc.db)")
    common.add_argument("--json", action="store_true", default=argparse.SUPPRESS,
                        help="machine-readable output on stdout")
    common.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                        help="on an error, print the traceback too")
    return common


MESSAGES = register(__name__, {
    "nb": {"error": "graphsvc: feil: {message}"},
    "en": {"error": "graphsvc: error: {message}"},
})


def cli_lang(args: argparse.Namespace, settings: Settings | None = None) -> str:
    """The language a command speaks: its ``--lang``, else ``GRAPHSVC_LANG``, else bokmål (also
    when the settings themselves cannot be read, so that error is said in it too)."""
    lang = getattr(args, "lang", None) or (settings.lang if settings else None) \
        or os.environ.get("GRAPHSVC_LANG")
    return lang if lang in LANGS else DEFAULT_LANG


def fail(exc: GraphsvcError, as_json: bool, debug: bool = False,
         lang: str = DEFAULT_LANG) -> None:
    """Report an error in ``lang``: its traceback first with ``--debug``, then one line on
    stderr (and the one JSON error shape on stdout with ``--json``)."""
    if debug:
        # An error made by ``unexpected`` was never raised: its trace is its cause's.
        shown = exc if exc.__traceback__ is not None else (exc.__cause__ or exc)
        traceback.print_exception(shown, file=sys.stderr)
    if as_json:
        print(json.dumps(exc.to_dict(lang), ensure_ascii=False))
    print(MESSAGES("error", lang, message=exc.message_in(lang)), file=sys.stderr)


def unexpected(exc: BaseException, command: str) -> GraphsvcError:
    """A bug or an environment failure nobody anticipated, as one line that says what failed
    and how to see more; the original stays attached as ``__cause__`` for ``--debug``."""
    text = " ".join(str(exc).split()) or "no message"
    error = GraphsvcError("error.unexpected", exception=type(exc).__name__,
                          fill={"command": command, "text": text})
    error.__cause__ = exc
    return error


def emit(data: Any, as_json: bool, text: str) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2, default=str) if as_json else text)


def open_store(settings: Settings) -> GraphStore:
    from graphsvc.store import open_store as _open

    return _open(settings.store, settings)


def read_graph(settings: Settings):
    store = open_store(settings)
    try:
        return store.to_networkx()
    finally:
        store.close()


def step(message: str, as_json: bool) -> None:
    """Progress on stderr (never on stdout, which may be JSON)."""
    if not as_json:
        print(message, file=sys.stderr, flush=True)


def serve_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--host", default=None, help="default 127.0.0.1 (env GRAPHSVC_HOST)")
    p.add_argument("--port", type=int, default=None, help="default 8000 (env GRAPHSVC_PORT)")


def view_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--district", help="only this district")
    p.add_argument("--lang", choices=["nb", "en"], default=None, help="default nb (bokmål)")
