"""Serial-device subcommands of ``kiosk devices`` (issue 4): read, ports, profiles."""

from __future__ import annotations

import argparse


def register_into(dsub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add serial subcommands to the ``kiosk devices`` group (none yet)."""
