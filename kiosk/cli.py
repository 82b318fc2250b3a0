"""The ``kiosk`` command.

kiosk demo [--headless --visitors N --json]   the whole stack on simulated devices
kiosk devices decode CHAR HEX...               decode one characteristic value to JSON
kiosk records serve --broker URL --db URL      run the citizen-record ingest service
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable, Sequence
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

from devices.decode import decode_characteristic, parse_hex_args
from devices.errors import DeviceError
from kiosk.errors import KioskError

FRONTEND_GROUP = "bitgoeul_kiosk.frontends"
DEFAULT_DATA_DIR = Path.home() / ".local" / "share" / "bitgoeul-kiosk" / "demo"


def _frontend(name: str) -> Callable[..., int]:
    """The Qt window is found through an entry point: kiosk/ never imports ui/."""
    for ep in entry_points(group=FRONTEND_GROUP):
        if ep.name == name:
            loaded: Callable[..., int] = ep.load()
            return loaded
    raise KioskError(
        f"front end {name!r} is not installed",
        advice="Install the project with `make venv` (pip install -e .) so its entry points exist.",
    )


def cmd_demo(args: argparse.Namespace) -> int:
    from kiosk.demo import DemoStack, headless_report

    if args.headless:
        report = headless_report(
            args.visitors, data_dir=args.data_dir, timeout=args.timeout, seed=args.seed
        )
        if args.json:
            print(json.dumps(report, ensure_ascii=False))
        else:
            for key, value in report.items():
                print(f"{key:>14}: {value}")
        return 0 if report["pending"] == 0 and report["rejected"] == 0 else 1
    run_window = _frontend("qt")
    data_dir = args.data_dir or DEFAULT_DATA_DIR
    with DemoStack(data_dir, seed=args.seed) as stack:
        if stack.broker_problem:
            print(f"warning: {stack.broker_problem}", file=sys.stderr)
        assert stack.runtime is not None
        return int(run_window(stack.runtime, fullscreen=args.fullscreen))


def cmd_devices_decode(args: argparse.Namespace) -> int:
    try:
        data = parse_hex_args(args.hex)
        decoded = decode_characteristic(args.char, data)
    except (DeviceError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(decoded, ensure_ascii=False))
    return 0


def cmd_records_serve(args: argparse.Namespace) -> int:
    from records.service import serve

    return serve(args.broker, args.db)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kiosk", description="Bitgoeul health kiosk")
    parser.add_argument("-v", "--verbose", action="store_true", help="log at debug level")
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo", help="run the kiosk on simulated devices")
    demo.add_argument("--headless", action="store_true", help="no window; simulated visitors")
    demo.add_argument("--visitors", type=int, default=5, help="simulated visitors (headless)")
    demo.add_argument("--json", action="store_true", help="print one JSON object (headless)")
    demo.add_argument("--data-dir", type=Path, default=None, help="where the demo keeps data")
    demo.add_argument("--timeout", type=float, default=60.0, help="seconds to wait for sync")
    demo.add_argument("--seed", type=int, default=None, help="seed for simulated readings")
    demo.add_argument("--fullscreen", action="store_true", help="fill the screen (window)")
    demo.set_defaults(func=cmd_demo)

    devices = sub.add_parser("devices", help="device tools")
    dsub = devices.add_subparsers(dest="devices_command", required=True)
    decode = dsub.add_parser("decode", help="decode a characteristic value")
    decode.add_argument("char", help="16-bit characteristic UUID, e.g. 2a35 or 0x2A35")
    decode.add_argument("hex", nargs="+", help="value bytes in hex, e.g. 00 78 00 50 00 5A 00")
    decode.set_defaults(func=cmd_devices_decode)

    records = sub.add_parser("records", help="citizen-record service")
    rsub = records.add_subparsers(dest="records_command", required=True)
    serve = rsub.add_parser("serve", help="ingest observations from the broker")
    serve.add_argument("--broker", required=True, help="mqtt://host:port")
    serve.add_argument("--db", required=True, help="postgresql://… or sqlite:///path")
    serve.set_defaults(func=cmd_records_serve)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    level = logging.DEBUG if args.verbose else logging.WARNING
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if args.command == "demo" and args.headless and args.visitors < 0:
        print("error: --visitors must be 0 or more", file=sys.stderr)
        return 2
    try:
        result: Any = args.func(args)
    except KioskError as exc:
        print(f"error: {exc}\nadvice: {exc.advice}", file=sys.stderr)
        return 1
    return int(result)


if __name__ == "__main__":
    sys.exit(main())
