"""Serial-device subcommands of ``kiosk devices`` (issue 4): read, ports, profiles."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from devices.errors import DeviceError
from devices.profiles import serial as serial_profiles
from devices.profiles.registry import default_registry
from devices.reading_json import reading_to_json
from devices.serial.transport import SerialTransport, list_serial_ports


def _fail(exc: DeviceError) -> int:
    print(f"error: {exc}\nadvice: {exc.advice}", file=sys.stderr)
    return 1


def read(args: argparse.Namespace) -> int:
    try:
        registry = default_registry()
        profile = registry.get(args.profile)
    except KeyError:
        ids = ", ".join(p.id for p in default_registry().for_transport("serial"))
        print(f"error: no profile {args.profile!r}; serial profiles: {ids}", file=sys.stderr)
        return 2
    except DeviceError as exc:
        return _fail(exc)
    if profile.transport != "serial":
        print(f"error: {profile.id} is a {profile.transport} profile", file=sys.stderr)
        return 2
    section = profile.section
    timeout = args.timeout if args.timeout is not None else section.procedure.timeout_s
    try:
        auto = args.port == "auto"
        port = None if auto else args.port
        usb_ids = section.match.usb_ids if auto else ()
        if auto and not usb_ids:
            print(f"error: {profile.id} has no USB ids to look for; give --port", file=sys.stderr)
            return 2
        with SerialTransport(port, section.procedure.settings, usb_ids=usb_ids) as transport:
            result = serial_profiles.driver_for(profile, transport).read_session(timeout)
    except DeviceError as exc:
        return _fail(exc)
    for bad in result.rejected:
        raw = getattr(bad, "raw", b"")
        print(f"rejected: {type(bad).__name__}: {bad} raw={raw.hex(' ')}", file=sys.stderr)
    for reading in result.readings:
        out = reading_to_json(reading)
        if args.json:
            print(json.dumps(out, ensure_ascii=False))
        else:
            values = ", ".join(
                f"{k}={v}" for k, v in out.items() if k != "kind" and v not in (None, [], False)
            )
            print(f"{out['kind']}: {values}")
    return 0 if result.readings else 1


def ports(args: argparse.Namespace) -> int:
    try:
        serial_ones = default_registry().for_transport("serial")
    except DeviceError as exc:
        return _fail(exc)
    rows: list[dict[str, Any]] = []
    for info in list_serial_ports():
        rows.append(
            {
                "device": info.device,
                "usb_id": info.usb_id,
                "description": info.description,
                "profiles": serial_profiles.profiles_for_usb_id(serial_ones, info.usb_id),
            }
        )
    for row in rows:
        if args.json:
            print(json.dumps(row, ensure_ascii=False))
        else:
            matched = ", ".join(row["profiles"]) or "-"
            print(f"{row['device']}\t{row['usb_id'] or '-'}\t{row['description']}\t{matched}")
    return 0


def profiles(args: argparse.Namespace) -> int:
    try:
        registry = default_registry()
    except DeviceError as exc:
        return _fail(exc)
    for p in registry:
        row = {
            "id": p.id,
            "transport": p.transport,
            "kind": p.kind,
            "name": p.name,
            "verified_on_hardware": p.verified_on_hardware,
        }
        if args.json:
            print(json.dumps(row, ensure_ascii=False))
        else:
            mark = "" if p.verified_on_hardware else "  (not verified on hardware)"
            print(f"{p.id}\t{p.transport}\t{p.kind}\t{p.name}{mark}")
    return 0


def register_into(dsub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``read``, ``ports`` and ``profiles`` to the ``kiosk devices`` group."""
    p = dsub.add_parser("read", help="read one measurement session from a serial port")
    p.add_argument(
        "--port",
        required=True,
        help="port path, e.g. /dev/ttyUSB0, or 'auto' (first port with the profile's USB id)",
    )
    p.add_argument("--profile", required=True, help="profile id (see `kiosk devices profiles`)")
    p.add_argument("--timeout", type=float, default=None, help="seconds (default: profile's)")
    p.add_argument("--json", action="store_true", help="one JSON object per reading per line")
    p.set_defaults(func=read)
    p = dsub.add_parser("ports", help="list serial ports, their USB ids and matching profiles")
    p.add_argument("--json", action="store_true", help="one JSON object per port per line")
    p.set_defaults(func=ports)
    p = dsub.add_parser("profiles", help="list device profiles")
    p.add_argument("--json", action="store_true", help="one JSON object per profile per line")
    p.set_defaults(func=profiles)
