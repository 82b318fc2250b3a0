"""``kiosk records``: the citizen-record service."""

from __future__ import annotations

import argparse


def serve(args: argparse.Namespace) -> int:
    from records.service import serve as serve_records

    return serve_records(args.broker, args.db)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    records = sub.add_parser("records", help="citizen-record service")
    rsub = records.add_subparsers(dest="records_command", required=True)
    p = rsub.add_parser("serve", help="ingest observations from the broker")
    p.add_argument("--broker", required=True, help="mqtt://host:port")
    p.add_argument("--db", required=True, help="postgresql://… or sqlite:///path")
    p.set_defaults(func=serve)
