"""The ``graphsvc`` command: a thin shell over the library, one module per command group.

Library errors become one clear line on stderr and a non-zero exit (1: the work failed, 2: the
command line was wrong). So does any unexpected exception: a user never sees a traceback unless
they ask with ``--debug``. ``--json`` prints machine-readable output on stdout (for an error, the
API's one error shape). A command module exposes ``register(sub, common)``, which adds its
subcommands with ``set_defaults(handler=…)``.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys

import pydantic

from graphsvc import __version__
from graphsvc.cli import analysis, demo, districts, list as list_, load, merge, serve, views
from graphsvc.cli import coverage
from graphsvc.cli import keys
from graphsvc.cli._common import cli_lang, common_options, fail, unexpected
from graphsvc.errors import ConfigError, GraphsvcError, ImportFailed
from graphsvc.settings import Settings

MODULES = (demo, load, districts, merge, serve, list_, views, analysis, coverage, keys)


def build_parser() -> argparse.ArgumentParser:
    common = common_options()
    parser = argparse.ArgumentParser(
        prog="graphsvc", parents=[common],
        description="Map a community's complementary resources as a graph, connect them, "
                    "and show them.")
    parser.add_argument("--version", action="version", version=f"graphsvc {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in MODULES:
        module.register(sub, common)
    return parser


def commands() -> tuple[str, ...]:
    action = next(a for a in build_parser()._actions
                  if isinstance(a, argparse._SubParsersAction))
    return tuple(action.choices)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    as_json = getattr(args, "json", False)
    debug = getattr(args, "debug", False)
    _log_to_stderr(debug)
    lang = cli_lang(args)
    try:
        settings = _settings(args)
        lang = cli_lang(args, settings)
        return int(args.handler(args, settings, as_json) or 0)
    except ImportFailed as exc:
        fail(exc, as_json, debug, lang)
        for row in exc.rows[:50]:
            print(f"  {row.in_(lang)}", file=sys.stderr)
        return 1
    except GraphsvcError as exc:
        fail(exc, as_json, debug, lang)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader stopped early (`graphsvc list actors | head`): nothing to report, but
        # the interpreter must not complain when it flushes stdout on exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except Exception as exc:  # noqa: BLE001 - the last line of defence: no traceback by default
        fail(unexpected(exc, args.command), as_json, debug, lang)
        return 1


def _settings(args: argparse.Namespace) -> Settings:
    overrides = {"store": args.store} if hasattr(args, "store") else {}
    try:
        return Settings(**overrides)
    except pydantic.ValidationError as exc:
        first = exc.errors()[0]
        name = "GRAPHSVC_" + "_".join(str(p) for p in first["loc"]).upper()
        raise ConfigError("error.setting_invalid", setting=name,
                          fill={"problem": first["msg"]}) from exc


def _log_to_stderr(debug: bool) -> None:
    """graphsvc's own warnings on stderr; libraries' log lines (e.g. the Neo4j driver's
    'Unable to retrieve routing information' before the error that explains it) only with
    ``--debug``, so an error stays one line."""
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "graphsvc_cli", False)]:
        root.removeHandler(old)  # main() may run more than once in one process (tests)
    handler = logging.StreamHandler(sys.stderr)
    handler.graphsvc_cli = True  # type: ignore[attr-defined]
    handler.setFormatter(logging.Formatter("graphsvc: %(levelname)s: %(name)s: %(message)s"))
    if not debug:
        handler.addFilter(lambda record: record.name.split(".")[0] == "graphsvc")
    root.addHandler(handler)
    root.setLevel(logging.INFO if debug else logging.WARNING)
