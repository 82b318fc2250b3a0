"""``kiosk demo``: the whole stack on simulated devices, with or without a window."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from importlib.metadata import entry_points
from pathlib import Path

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


def run(args: argparse.Namespace) -> int:
    from kiosk.demo import DemoStack, headless_report

    if args.headless:
        if args.visitors < 0 or args.guests < 0:
            print("error: --visitors and --guests must be 0 or more", file=sys.stderr)
            return 2
        report = headless_report(
            args.visitors,
            guests=args.guests,
            data_dir=args.data_dir,
            timeout=args.timeout,
            seed=args.seed,
        )
        if args.json:
            print(json.dumps(report, ensure_ascii=False))
        else:
            for key, value in report.items():
                print(f"{key:>14}: {value}")
        return 0 if report["pending"] == 0 and report["rejected"] == 0 else 1
    run_window = _frontend("qt")
    data_dir = args.data_dir or DEFAULT_DATA_DIR
    stack = DemoStack(data_dir, seed=args.seed)
    try:
        # The window shows at once; the simulated devices are found in the background.
        stack.start(wait_for_devices=False)
        if stack.broker_problem:
            print(f"warning: {stack.broker_problem}", file=sys.stderr)
        assert stack.runtime is not None
        if stack.demo_pins:
            pins = ", ".join(f"{role} {pin}" for role, pin in stack.demo_pins.items())
            print(f"staff screen: hold the top-left corner 3 s; demo PINs: {pins}")
        return int(run_window(stack.runtime, fullscreen=args.fullscreen))
    finally:
        stack.stop()


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    demo = sub.add_parser("demo", help="run the kiosk on simulated devices")
    demo.add_argument("--headless", action="store_true", help="no window; simulated visitors")
    demo.add_argument(
        "--visitors", type=int, default=5, help="citizen-app visitors, synced (headless)"
    )
    demo.add_argument(
        "--guests", type=int, default=0, help="extra guest visitors; kept on the kiosk (headless)"
    )
    demo.add_argument("--json", action="store_true", help="print one JSON object (headless)")
    demo.add_argument("--data-dir", type=Path, default=None, help="where the demo keeps data")
    demo.add_argument("--timeout", type=float, default=60.0, help="seconds to wait for sync")
    demo.add_argument("--seed", type=int, default=None, help="seed for simulated readings")
    demo.add_argument("--fullscreen", action="store_true", help="fill the screen (window)")
    demo.set_defaults(func=run)
