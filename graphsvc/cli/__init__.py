"""The ``graphsvc`` command: a thin shell over the library, one module per command group.

Library errors become one clear line on stderr and a non-zero exit (1: the work failed, 2: the
command line was wrong). ``--json`` prints machine-readable output on stdout. A command module
exposes ``register(sub, common)``, which adds its subcommands with ``set_defaults(handler=…)``.
"""

from __future__ import annotations

import argparse
import sys

from graphsvc import __version__
from graphsvc.cli import analysis, demo, load, serve, views
from graphsvc.cli._common import common_options, fail
from graphsvc.errors import GraphsvcError, ImportFailed
from graphsvc.settings import Settings

MODULES = (demo, load, serve, views, analysis)


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
    try:
        overrides = {"store": args.store} if hasattr(args, "store") else {}
        settings = Settings(**overrides)
        return int(args.handler(args, settings, as_json) or 0)
    except ImportFailed as exc:
        fail(exc, as_json)
        for row in exc.rows[:50]:
            print(f"  {row}", file=sys.stderr)
        return 1
    except GraphsvcError as exc:
        fail(exc, as_json)
        return 1
    except KeyboardInterrupt:
        return 130
