"""The ``kiosk`` command. Each command group lives in ``kiosk/commands/<name>.py`` and is
listed in COMMANDS; see ``kiosk --help``."""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence
from typing import Any

from kiosk.errors import KioskError

COMMANDS = (
    "kiosk.commands.demo",
    "kiosk.commands.devices",
    "kiosk.commands.records",
    "kiosk.commands.score",
    "kiosk.commands.staff",
    "kiosk.commands.sync",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kiosk", description="Bitgoeul health kiosk")
    parser.add_argument("-v", "--verbose", action="store_true", help="log at debug level")
    sub = parser.add_subparsers(dest="command", required=True)
    for name in COMMANDS:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    level = logging.DEBUG if args.verbose else logging.WARNING
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        result: Any = args.func(args)
    except KioskError as exc:
        print(f"error: {exc}\nadvice: {exc.advice}", file=sys.stderr)
        return 1
    return int(result)


if __name__ == "__main__":
    sys.exit(main())
