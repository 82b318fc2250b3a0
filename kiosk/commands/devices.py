"""``kiosk devices``: tools for staff and technicians."""

from __future__ import annotations

import argparse
import json
import sys

from devices.decode import decode_characteristic, parse_hex_args
from devices.errors import DeviceError
from kiosk.commands import devices_serial


def decode(args: argparse.Namespace) -> int:
    try:
        data = parse_hex_args(args.hex)
        decoded = decode_characteristic(args.char, data)
    except (DeviceError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(decoded, ensure_ascii=False))
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    devices = sub.add_parser("devices", help="device tools")
    dsub = devices.add_subparsers(dest="devices_command", required=True)
    p = dsub.add_parser("decode", help="decode a characteristic value")
    p.add_argument("char", help="16-bit characteristic UUID, e.g. 2a35 or 0x2A35")
    p.add_argument("hex", nargs="+", help="value bytes in hex, e.g. 00 78 00 50 00 5A 00")
    p.set_defaults(func=decode)
    devices_serial.register_into(dsub)
