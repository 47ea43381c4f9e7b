"""``graphsvc serve``: the API and the map over HTTP."""

from __future__ import annotations

import argparse
import sys

from graphsvc.cli._common import cli_lang, serve_options
from graphsvc.errors import ConfigError
from graphsvc.i18n import register as register_texts

MESSAGES = register_texts(__name__, {
    "nb": {"serving": "Svarer på http://{host}:{port}/  (kart: /maps/network.html, "
                      "API-dokumentasjon: /docs)"},
    "en": {"serving": "Serving on http://{host}:{port}/  (map: /maps/network.html, "
                      "API docs: /docs)"},
})
from graphsvc.settings import Settings


def register(sub, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("serve", parents=[common], help="serve the API and the map")
    serve_options(p)
    p.set_defaults(handler=cmd_serve)


def cmd_serve(args, settings: Settings, as_json: bool, store=None) -> int:
    import uvicorn

    from graphsvc.api import create_app

    host = args.host or settings.host
    port = args.port or settings.port
    if host not in ("127.0.0.1", "localhost", "::1") and not settings.allow_remote_without_keys:
        raise ConfigError("error.remote_without_keys", host=host,
                          fill={"setting": "GRAPHSVC_ALLOW_REMOTE_WITHOUT_KEYS=true"})
    app = create_app(settings, store=store)
    print(MESSAGES("serving", cli_lang(args, settings), host=host, port=port),
          file=sys.stderr, flush=True)
    uvicorn.run(app, host=host, port=port,
                log_level="info" if getattr(args, "debug", False) else "warning")
    return 0


