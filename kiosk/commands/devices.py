"""``kiosk devices``: tools for staff and technicians."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import Any

from devices.decode import decode_characteristic, parse_hex_args
from devices.errors import DeviceError
from kiosk.commands import devices_serial
from kiosk.errors import KioskError, StorageError

DEFAULT_DB = Path.home() / ".local" / "share" / "bitgoeul-kiosk" / "kiosk.db"


def decode(args: argparse.Namespace) -> int:
    try:
        data = parse_hex_args(args.hex)
        decoded = decode_characteristic(args.char, data, name=args.name)
    except (DeviceError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(decoded, ensure_ascii=False))
    return 0


def _allowlist(path: Path, *, create: bool = False) -> Any:
    from kiosk.store import Store
    from kiosk.store.devices import DeviceAllowlist

    if not create and not path.exists():
        raise StorageError(
            f"no kiosk database at {path}",
            advice="Pass --db with the kiosk's data folder file (…/kiosk.db).",
        )
    return DeviceAllowlist(Store.open(path))


def scan(args: argparse.Namespace, *, scanner_backend: Any = None) -> int:
    """Scan and print every device seen with the profiles that claim it (JSON lines)."""
    from devices.ble.scanner import scan_profiles
    from devices.profiles.registry import default_registry

    allowed: set[str] = set()
    if args.db is not None and Path(args.db).exists():
        allowed = {e.address for e in _allowlist(Path(args.db)).entries()}
    try:
        found = asyncio.run(
            scan_profiles(default_registry(), args.seconds, scanner_backend=scanner_backend)
        )
    except DeviceError as exc:
        print(f"error: {exc}\nadvice: {exc.advice}", file=sys.stderr)
        return 1
    for r in found:
        row = {
            "address": r.address,
            "name": r.name,
            "rssi": r.rssi,
            "kind": r.kind,
            "profiles": list(r.profiles),
            "allowed": r.address.upper() in allowed,
        }
        print(json.dumps(row, ensure_ascii=False))
    return 0


def list_allowed(args: argparse.Namespace) -> int:
    rows = _allowlist(Path(args.db)).entries()
    for e in rows:
        row = {
            "address": e.address,
            "label": e.label,
            "alias": e.alias,  # the name staff gave it on the admin screen
            "profile": e.profile_id,
            "kind": e.kind,
            "last_seen_at": None if e.last_seen_at is None else e.last_seen_at.isoformat(),
            "rssi": e.rssi,
            "battery_percent": e.battery_percent,
            "last_sequence": e.last_sequence,
        }
        print(json.dumps(row, ensure_ascii=False))
    if not rows:
        print("no devices on the allowlist; add one with `kiosk devices add`", file=sys.stderr)
    return 0


def add(args: argparse.Namespace) -> int:
    from devices.profiles.registry import default_registry

    try:
        profile = default_registry().get(args.profile)
    except KeyError:
        raise KioskError(
            f"no device profile {args.profile!r}",
            advice="See `kiosk devices profiles` for the ids.",
        ) from None
    entry = _allowlist(Path(args.db), create=True).add(
        args.address, profile_id=profile.id, kind=profile.kind, label=args.label or profile.name
    )
    print(json.dumps({"added": entry.address, "profile": entry.profile_id, "label": entry.label}))
    return 0


def forget(args: argparse.Namespace) -> int:
    if not _allowlist(Path(args.db)).forget(args.address):
        print(f"error: {args.address} is not on the allowlist", file=sys.stderr)
        return 1
    print(json.dumps({"forgotten": args.address.upper()}))
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    devices = sub.add_parser("devices", help="device tools")
    dsub = devices.add_subparsers(dest="devices_command", required=True)
    p = dsub.add_parser("decode", help="decode a characteristic value or advert service data")
    p.add_argument("--name", help="advertised name; selects the profile for adv:XXXX (e.g. MIBFS)")
    p.add_argument(
        "char", help="16-bit characteristic UUID (2a35, 0x2A35) or adv:XXXX for service data"
    )
    p.add_argument(
        "hex",
        nargs="+",
        help="value bytes in hex, e.g. 00 78 00 50 00 5A 00; successive packets of one "
        "measurement (0x2A9C two-packet form) may follow each other",
    )
    p.set_defaults(func=decode)
    p = dsub.add_parser("scan", help="scan for Bluetooth devices and match them to profiles")
    p.add_argument("--seconds", type=float, default=5.0)
    p.add_argument("--db", type=Path, default=None, help="kiosk.db, to mark allowed devices")
    p.set_defaults(func=scan)
    p = dsub.add_parser("list", help="the kiosk's allowlist of paired devices, with state")
    p.add_argument("--db", type=Path, default=DEFAULT_DB)
    p.set_defaults(func=list_allowed)
    p = dsub.add_parser("add", help="allow a paired device (staff)")
    p.add_argument("address")
    p.add_argument("--profile", required=True, help="profile id, e.g. sig_gls")
    p.add_argument("--label", help="name shown to staff (default: the profile's name)")
    p.add_argument("--db", type=Path, default=DEFAULT_DB)
    p.set_defaults(func=add)
    p = dsub.add_parser("forget", help="remove a device from the allowlist (staff)")
    p.add_argument("address")
    p.add_argument("--db", type=Path, default=DEFAULT_DB)
    p.set_defaults(func=forget)
    devices_serial.register_into(dsub)
