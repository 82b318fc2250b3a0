"""``kiosk staff add-pin``: set up a staff or technician PIN; ``kiosk staff reset-lockout``:
clear a PIN lock from the console; ``kiosk audit export``: the admin audit log for support;
``kiosk settings show|set``: the technician settings of the admin screen (issue 8). A PIN is
never taken from the command line (it would sit in the shell history and the process list): it
is typed twice without echo, or read from stdin. Console access counts as the technician role:
whoever has it can already read the kiosk's files."""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from pathlib import Path

from kiosk.commands.sync import DEFAULT_DB, _open_store


def _read_pin(args: argparse.Namespace) -> str | None:
    if args.pin_stdin:
        return sys.stdin.readline().strip()
    first = getpass.getpass("new PIN (4-8 digits): ")
    if getpass.getpass("again: ") != first:
        print("error: the two PINs differ", file=sys.stderr)
        return None
    return first


def add_pin(args: argparse.Namespace) -> int:
    from kiosk.staff import Role, StaffService

    pin = _read_pin(args)
    if pin is None:
        return 1
    store = _open_store(args.db)
    try:
        StaffService(store).add_pin(pin, role=Role(args.role), label=args.label)
    finally:
        store.close()
    print(f"{args.role} PIN '{args.label}' added")
    return 0


def reset_lockout(args: argparse.Namespace) -> int:
    from kiosk.staff import StaffService

    store = _open_store(args.db)
    try:
        cleared = StaffService(store).console_reset_lockout()
    finally:
        store.close()
    print("PIN lock cleared" if cleared else "nothing to clear (not locked, no wrong PINs)")
    return 0


def settings_show(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from kiosk.settings import SettingsStore

    store = _open_store(args.db)
    try:
        values = asdict(SettingsStore(store).current)
    finally:
        store.close()
    if args.json:
        print(json.dumps(values, ensure_ascii=False))
    else:
        for key, value in values.items():
            print(f"{key:>22}: {value}")
    return 0


def settings_set(args: argparse.Namespace) -> int:
    from kiosk.settings import SettingsStore, parse_setting
    from kiosk.staff import Role, StaffService

    changes: dict[str, object] = {}
    for item in args.changes:
        name, sep, text = item.partition("=")
        if not sep:
            print(f"error: {item!r} is not name=value", file=sys.stderr)
            return 2
        changes[name.strip()] = parse_setting(name.strip(), text)
    store = _open_store(args.db)
    try:
        staff = StaffService(store)
        settings = SettingsStore(store)
        before = settings.current
        after = settings.update(changes, changed_by=Role.TECHNICIAN.value)
        for key in sorted(changes):
            old, new = getattr(before, key), getattr(after, key)
            if old != new:
                staff.audit("settings_change", Role.TECHNICIAN, f"{key}: {old} -> {new}")
    finally:
        store.close()
    print("saved; the kiosk applies it from the next visit (restart a running kiosk)")
    return 0


def audit_export(args: argparse.Namespace) -> int:
    from kiosk.staff import StaffService

    store = _open_store(args.db)
    try:
        events = StaffService(store).audit_log(limit=args.limit)
    finally:
        store.close()
    out = open(args.out, "w", encoding="utf-8") if args.out else sys.stdout  # noqa: SIM115
    try:
        for e in reversed(events):  # oldest first, one JSON object a line
            row = {"id": e.id, "at": e.at.isoformat(), "role": e.role, "action": e.action}
            print(json.dumps(row | {"detail": e.detail}, ensure_ascii=False), file=out)
    finally:
        if out is not sys.stdout:
            out.close()
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    staff = sub.add_parser("staff", help="staff PINs for the admin screen")
    ssub = staff.add_subparsers(dest="staff_command", required=True)
    p = ssub.add_parser("add-pin", help="add a staff or technician PIN (prompted, not echoed)")
    p.add_argument("--db", type=Path, default=DEFAULT_DB, help="the kiosk's SQLite file")
    p.add_argument("--role", choices=("staff", "technician"), default="staff")
    p.add_argument("--label", required=True, help="what the PIN is for, e.g. 'front desk'")
    p.add_argument("--pin-stdin", action="store_true", help="read the PIN from stdin")
    p.set_defaults(func=add_pin)
    p = ssub.add_parser("reset-lockout", help="clear the PIN lock after wrong PINs")
    p.add_argument("--db", type=Path, default=DEFAULT_DB, help="the kiosk's SQLite file")
    p.set_defaults(func=reset_lockout)

    settings = sub.add_parser("settings", help="the technician settings of the admin screen")
    tsub = settings.add_subparsers(dest="settings_command", required=True)
    p = tsub.add_parser("show", help="every setting with its current value")
    p.add_argument("--db", type=Path, default=DEFAULT_DB, help="the kiosk's SQLite file")
    p.add_argument("--json", action="store_true", help="one JSON object")
    p.set_defaults(func=settings_show)
    p = tsub.add_parser("set", help="change settings: name=value … (validated, audited)")
    p.add_argument("--db", type=Path, default=DEFAULT_DB, help="the kiosk's SQLite file")
    p.add_argument("changes", nargs="+", metavar="name=value")
    p.set_defaults(func=settings_set)

    audit = sub.add_parser("audit", help="the admin audit log")
    asub = audit.add_subparsers(dest="audit_command", required=True)
    p = asub.add_parser("export", help="print the audit log as JSON lines, oldest first")
    p.add_argument("--db", type=Path, default=DEFAULT_DB, help="the kiosk's SQLite file")
    p.add_argument("--out", type=Path, default=None, help="write to this file, not stdout")
    p.add_argument("--limit", type=int, default=100_000, help="newest N events")
    p.set_defaults(func=audit_export)
