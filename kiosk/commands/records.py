"""``kiosk records``: the citizen-record service."""

from __future__ import annotations

import argparse


def serve(args: argparse.Namespace) -> int:
    from records.service import TlsFiles
    from records.service import serve as serve_records

    tls = TlsFiles(args.ca, args.cert, args.key) if args.ca and args.cert and args.key else None
    return serve_records(args.broker, args.db, tls)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    records = sub.add_parser("records", help="citizen-record service")
    rsub = records.add_subparsers(dest="records_command", required=True)
    p = rsub.add_parser("serve", help="ingest observations from the broker")
    p.add_argument("--broker", required=True, help="mqtt://host:port or mqtts://host:port")
    p.add_argument("--db", required=True, help="postgresql://… or sqlite:///path")
    p.add_argument("--ca", help="kiosk CA certificate (mqtts://)")
    p.add_argument("--cert", help="this service's certificate, CN = its broker user (mqtts://)")
    p.add_argument("--key", help="this service's private key (mqtts://)")
    p.set_defaults(func=serve)
