"""``graphsvc serve``: the API and the map over HTTP.

Listening beyond this machine (any ``--host``/``GRAPHSVC_HOST`` other than localhost,
127.0.0.1, ::1) needs an active API key (``graphsvc keys create``; then every request needs a
key or a signed-in session), or else ``GRAPHSVC_ALLOW_REMOTE_WITHOUT_KEYS=true`` in the
environment or ``--allow-remote-without-keys``; either way ``serve`` says so in a warning line
(without keys, naming where each of the two settings came from). A ``.env`` file may not open the server: one that sets
``GRAPHSVC_ALLOW_REMOTE_WITHOUT_KEYS`` to true stops ``serve`` with an error naming the file (a
file left in a working directory must not silently expose the service to the network).
"""

from __future__ import annotations

import argparse
import sys

from graphsvc.auth import open_auth
from graphsvc.cli._common import cli_lang, serve_options
from graphsvc.errors import ConfigError
from graphsvc.i18n import register as register_texts
from graphsvc.settings import LOCAL_HOSTS, Settings, dotenv_value, setting_source

ALLOW = "GRAPHSVC_ALLOW_REMOTE_WITHOUT_KEYS"

MESSAGES = register_texts(__name__, {
    "nb": {"serving": "Svarer på http://{host}:{port}/  (kart: /maps/network.html, "
                      "API-dokumentasjon: /docs)",
           "remote": "graphsvc: advarsel: lytter på {host}:{port}, så andre maskiner i nettet "
                     "når tjenesten, uten API-nøkler ({host_setting} fra {host_source}; "
                     "{allow_setting} fra {allow_source}); svarer bare vertsnavnene {allowed}",
           "remote_keys": "graphsvc: advarsel: lytter på {host}:{port}, så andre maskiner i "
                          "nettet når tjenesten; hver forespørsel krever en API-nøkkel eller "
                          "innlogging ({keys} {keys:aktiv nøkkel|aktive nøkler} i {auth_db}); "
                          "svarer bare vertsnavnene {allowed}",
           "source.env": "miljøvariabelen {where}",
           "source.dotenv": ".env-filen {where}",
           "source.flag": "flagget {where}",
           "source.default": "standardverdien"},
    "en": {"serving": "Serving on http://{host}:{port}/  (map: /maps/network.html, "
                      "API docs: /docs)",
           "remote": "graphsvc: warning: listening on {host}:{port}, reachable from other "
                     "machines on the network, with no API keys ({host_setting} from "
                     "{host_source}; {allow_setting} from {allow_source}); answering only the "
                     "host names {allowed}",
           "remote_keys": "graphsvc: warning: listening on {host}:{port}, reachable from other "
                          "machines on the network; every request needs an API key or a "
                          "signed-in session ({keys} active {keys:key|keys} in {auth_db}); "
                          "answering only the host names {allowed}",
           "source.env": "environment variable {where}",
           "source.dotenv": ".env file at {where}",
           "source.flag": "command-line flag {where}",
           "source.default": "the default"},
})


def register(sub, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("serve", parents=[common], help="serve the API and the map")
    serve_options(p)
    p.add_argument("--allow-remote-without-keys", action="store_true", default=False,
                   help=f"listen beyond localhost with no API keys (only behind a proxy that "
                        f"authenticates; env {ALLOW}=true, never from a .env file)")
    p.set_defaults(handler=cmd_serve)


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in ("1", "true", "yes", "on", "y", "t")


def cmd_serve(args, settings: Settings, as_json: bool, store=None) -> int:
    import uvicorn

    from graphsvc.api import create_app

    lang = cli_lang(args, settings)
    host = args.host or settings.host
    port = args.port or settings.port
    host_source = ("flag", "--host") if args.host else setting_source("host")
    flag = getattr(args, "allow_remote_without_keys", False)
    allow_source = ("flag", "--allow-remote-without-keys") if flag \
        else setting_source("allow_remote_without_keys")
    if allow_source[0] == "dotenv" and _truthy(dotenv_value("allow_remote_without_keys")):
        raise ConfigError("error.dotenv_opens_server", path=allow_source[1], setting=ALLOW)
    allowed = flag or settings.allow_remote_without_keys
    remote = host.strip("[]").lower() not in LOCAL_HOSTS
    auth = open_auth(settings)
    keys = auth.active_keys()
    if remote and not allowed and not keys and not settings.require_keys:
        raise ConfigError("error.remote_without_keys", host=host,
                          fill={"setting": f"{ALLOW}=true", "command":
                                "'graphsvc keys create --name NAME --role admin'"})
    settings = settings.model_copy(update={"host": host, "allow_remote_without_keys": allowed})
    app = create_app(settings, store=store, auth=auth)
    if remote and auth.keys_required():
        print(MESSAGES("remote_keys", lang, host=host, port=port, keys=keys,
                       auth_db=auth.path.resolve(), allowed=", ".join(settings.trusted_hosts())),
              file=sys.stderr, flush=True)
    elif remote:
        print(MESSAGES("remote", lang, host=host, port=port, host_setting="GRAPHSVC_HOST",
                       host_source=_said(host_source, lang), allow_setting=ALLOW,
                       allow_source=_said(allow_source, lang),
                       allowed=", ".join(settings.trusted_hosts())),
              file=sys.stderr, flush=True)
    print(MESSAGES("serving", lang, host=host, port=port), file=sys.stderr, flush=True)
    uvicorn.run(app, host=host, port=port,
                log_level="info" if getattr(args, "debug", False) else "warning")
    return 0


def _said(source: tuple[str, str], lang: str) -> str:
    kind, where = source
    return MESSAGES(f"source.{kind}", lang, where=where)
