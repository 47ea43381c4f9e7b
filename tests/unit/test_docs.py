"""Every CLI command and option, and every setting, is documented in the README."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from graphsvc.cli import build_parser, commands
from graphsvc.settings import Settings

README = (Path(__file__).parents[2] / "README.md").read_text("utf-8")


def _subparsers() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def test_every_command_is_wired_and_documented():
    assert set(_subparsers()) == set(commands())
    for command in commands():
        assert f"`graphsvc {command}" in README, f"README does not document 'graphsvc {command}'"


@pytest.mark.parametrize("command", commands())
def test_every_option_is_documented(command):
    parser = _subparsers()[command]
    section = README[README.index("## Command line"):README.index("## Configuration")]
    for action in parser._actions:
        for flag in action.option_strings:
            if flag in ("-h", "--help") or not flag.startswith("--"):
                continue
            assert flag in section, f"'graphsvc {command} {flag}' is not in the README"


def test_every_setting_is_documented():
    for name in Settings.model_fields:
        assert f"GRAPHSVC_{name.upper()}" in README, f"GRAPHSVC_{name.upper()} not in README"


def test_the_readme_test_command_is_what_ci_runs():
    ci = (Path(__file__).parents[2] / ".ci" / "run").read_text("utf-8")
    command = re.search(r"\*\*\(b\).*?```sh\n(.*?)\n```", README, re.S).group(1).strip()
    assert command in ci
