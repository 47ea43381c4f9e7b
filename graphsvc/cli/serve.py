"""``graphsvc serve``: the API and the map over HTTP."""

from __future__ import annotations

import argparse
import sys

from graphsvc.cli._common import serve_options
from graphsvc.errors import ConfigError
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
        raise ConfigError(
            f"refusing to listen on {host}: no API keys are configured, so graphsvc serves "
            "localhost only (set GRAPHSVC_ALLOW_REMOTE_WITHOUT_KEYS=true behind a proxy that "
            "authenticates)")
    app = create_app(settings, store=store)
    print(f"Serving on http://{host}:{port}/  (map: /maps/network.html, API docs: /docs)",
          file=sys.stderr, flush=True)
    uvicorn.run(app, host=host, port=port,
                log_level="info" if getattr(args, "debug", False) else "warning")
    return 0


