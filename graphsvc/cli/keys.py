"""``graphsvc keys create|list|revoke`` and ``graphsvc audit``: API keys with a role, and the
audit log, in the auth database (``GRAPHSVC_AUTH_DB``; see graphsvc/auth/db.py).

A key is printed once, when it is made; only its Argon2id hash is kept. Key changes are
recorded in the audit log as done by ``local`` (whoever can run this command on the server).
"""

from __future__ import annotations

import argparse
import sys

from graphsvc import i18n
from graphsvc.auth import LOCAL_WHO, ROLES, audit, open_auth
from graphsvc.auth.keys import create_key, list_keys, revoke_key
from graphsvc.auth.texts import role_name
from graphsvc.cli._common import cli_lang, emit
from graphsvc.settings import Settings

MESSAGES = i18n.register(__name__, {
    "nb": {
        "created": "API-nøkkelen '{name}' ({role}) er laget. Den vises bare nå; ta vare på "
                   "den:\n{key}",
        "where": "(lagret i {path})",
        "revoked": "API-nøkkelen '{name}' ({role}) er trukket tilbake; innlogginger med den "
                   "er avsluttet",
        "none": "ingen API-nøkler ennå: alle på denne maskinen har alle rettigheter",
        "row": "{id}  {name}  {role}  laget {created}{state}",
        "state.revoked": ", trukket tilbake {at}",
        "state.used": ", sist brukt {at}",
        "audit.none": "loggen er tom",
        "audit.row": "{at}  {who}  {action}  {method} {path}{target}  {status}{revision}",
        "audit.revision": "  revisjon {revision}",
    },
    "en": {
        "created": "API key '{name}' ({role}) created. It is shown only now; keep it "
                   "safe:\n{key}",
        "where": "(stored in {path})",
        "revoked": "API key '{name}' ({role}) revoked; its sessions have ended",
        "none": "no API keys yet: everyone on this machine has every right",
        "row": "{id}  {name}  {role}  created {created}{state}",
        "state.revoked": ", revoked {at}",
        "state.used": ", last used {at}",
        "audit.none": "the log is empty",
        "audit.row": "{at}  {who}  {action}  {method} {path}{target}  {status}{revision}",
        "audit.revision": "  revision {revision}",
    },
})

LANG_HELP = "language of the answer (default nb, bokmål; env GRAPHSVC_LANG)"


def register(sub, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("keys", parents=[common], help="create, list and revoke API keys")
    actions = p.add_subparsers(dest="keys_command", required=True, metavar="ACTION")
    c = actions.add_parser("create", parents=[common], help="make a key (printed once)")
    c.add_argument("--name", required=True, help="who or what the key is for, e.g. 'Kari "
                   "Planlegger' or 'rapport-jobb'; shown in the audit log")
    c.add_argument("--role", required=True, choices=ROLES,
                   help="viewer (pseudonyms only), planner (names), editor (writes and "
                        "imports), admin (erasure, export, keys, audit)")
    c.add_argument("--lang", choices=i18n.LANGS, default=None, help=LANG_HELP)
    c.set_defaults(handler=cmd_create)
    ls = actions.add_parser("list", parents=[common], help="every key, active and revoked")
    ls.add_argument("--lang", choices=i18n.LANGS, default=None, help=LANG_HELP)
    ls.set_defaults(handler=cmd_list)
    r = actions.add_parser("revoke", parents=[common], help="revoke a key at once")
    r.add_argument("key", metavar="NAME_OR_ID", help="the key's name or id")
    r.add_argument("--lang", choices=i18n.LANGS, default=None, help=LANG_HELP)
    r.set_defaults(handler=cmd_revoke)

    a = sub.add_parser("audit", parents=[common], help="the audit log, newest first")
    a.add_argument("--limit", type=int, default=50, help="how many entries (default 50)")
    a.add_argument("--action", choices=audit.ACTIONS, default=None, help="only this action")
    a.add_argument("--lang", choices=i18n.LANGS, default=None, help=LANG_HELP)
    a.set_defaults(handler=cmd_audit)


def _role(role: str, lang: str) -> str:
    return role_name(role).in_(lang)


def cmd_create(args, settings: Settings, as_json: bool) -> int:
    db = open_auth(settings)
    try:
        key, row = create_key(db, args.name, args.role)
        audit.record(db, who=LOCAL_WHO, role="admin", action="key_create", method="CLI",
                     path="graphsvc keys create", target=row.id)
    finally:
        db.close()
    t = MESSAGES.bind(cli_lang(args, settings))
    emit({**row.public(), "key": key, "auth_db": str(db.path)}, as_json,
         t("created", name=row.name, role=_role(row.role, cli_lang(args, settings)), key=key))
    if not as_json:
        print(t("where", path=db.path), file=sys.stderr)
    return 0


def cmd_list(args, settings: Settings, as_json: bool) -> int:
    db = open_auth(settings)
    try:
        rows = list_keys(db)
    finally:
        db.close()
    lang = cli_lang(args, settings)
    t = MESSAGES.bind(lang)

    def state(row) -> str:
        if row.revoked_at:
            return t("state.revoked", at=row.revoked_at)
        return t("state.used", at=row.last_used_at) if row.last_used_at else ""

    text = "\n".join(t("row", id=r.id, name=r.name, role=_role(r.role, lang),
                       created=r.created_at, state=state(r)) for r in rows) or t("none")
    emit({"data": [r.public() for r in rows]}, as_json, text)
    return 0


def cmd_revoke(args, settings: Settings, as_json: bool) -> int:
    db = open_auth(settings)
    try:
        row = revoke_key(db, args.key)
        audit.record(db, who=LOCAL_WHO, role="admin", action="key_revoke", method="CLI",
                     path="graphsvc keys revoke", target=row.id)
    finally:
        db.close()
    lang = cli_lang(args, settings)
    emit(row.public(), as_json,
         MESSAGES("revoked", lang, name=row.name, role=_role(row.role, lang)))
    return 0


def cmd_audit(args, settings: Settings, as_json: bool) -> int:
    db = open_auth(settings)
    try:
        rows = audit.entries(db, limit=max(1, args.limit), action=args.action)
    finally:
        db.close()
    t = MESSAGES.bind(cli_lang(args, settings))
    text = "\n".join(t("audit.row", at=e["at"], who=e["who"] or "-", action=e["action"],
                       method=e["method"], path=e["path"],
                       target=f" {e['target']}" if e["target"] else "",
                       status=e["status"] if e["status"] is not None else "-",
                       revision=t("audit.revision", revision=e["revision"])
                       if e["revision"] is not None else "")
                     for e in rows) or t("audit.none")
    emit({"data": rows}, as_json, text)
    return 0
