"""``kiosk sync``: the outbox for staff and operators; ``kiosk bench sync``: the throughput
run; ``kiosk certs``: the kiosk PKI (all three belong to issue 6, hence one module)."""

from __future__ import annotations

import argparse
import json
import socket
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

DEFAULT_DB = Path.home() / ".local" / "share" / "bitgoeul-kiosk" / "kiosk.db"


def _broker_state(url: str | None, timeout: float = 2.0) -> str:
    """ "reachable" / "unreachable" / "not configured": a TCP connect, no MQTT session (a second
    session with the kiosk's client id would throw the running kiosk off)."""
    if not url:
        return "not configured"
    from kiosk.sync.publisher import parse_broker_url

    addr = parse_broker_url(url)
    try:
        with socket.create_connection((addr.host, addr.port), timeout=timeout):
            return "reachable"
    except OSError:
        return "unreachable"


def _open_store(path: Path) -> Any:
    from kiosk.errors import StorageError
    from kiosk.store import Store

    if not path.exists():
        raise StorageError(
            f"no kiosk database at {path}",
            advice="Pass --db with the kiosk's data folder file (…/kiosk.db).",
        )
    return Store.open(path)


def status(args: argparse.Namespace) -> int:
    store = _open_store(args.db)
    try:
        counts = store.outbox_counts()
        oldest = store.oldest_unsettled()
        rejected = store.rejected_rows()
    finally:
        store.close()
    report = {
        "broker": _broker_state(args.broker),
        "queue_depth": counts.pending + counts.sent,
        "pending": counts.pending,
        "sent_awaiting_ack": counts.sent,
        "committed": counts.committed,
        "rejected": counts.rejected,
        "oldest_pending": oldest.isoformat() if oldest else None,
        "oldest_pending_age_s": (
            round((datetime.now(UTC) - oldest).total_seconds(), 1) if oldest else None
        ),
        "rejected_ids": [{"msg_id": m, "reason": r} for m, r in rejected],
    }
    if args.json:
        print(json.dumps(report, ensure_ascii=False))
    else:
        for key, value in report.items():
            if key != "rejected_ids":
                print(f"{key:>20}: {value}")
        for item in report["rejected_ids"]:
            print(f"{'rejected':>20}: {item['msg_id']}  {item['reason']}")
    return 0


def retry(args: argparse.Namespace) -> int:
    store = _open_store(args.db)
    try:
        ok = store.retry_rejected(args.rejected)
    finally:
        store.close()
    if not ok:
        print(f"error: {args.rejected} is not a rejected outbox row", file=sys.stderr)
        return 1
    print(f"{args.rejected} queued again; the running kiosk sends it on its next drain")
    return 0


def bench(args: argparse.Namespace) -> int:
    from kiosk.sync.bench import run

    if args.observations < 1:
        print("error: --observations must be 1 or more", file=sys.stderr)
        return 2
    progress = None if args.json else print
    report = run(args.observations, db_url=args.db, progress=progress)
    if args.json:
        print(json.dumps(report))
    else:
        for key, value in report.items():
            print(f"{key:>22}: {value}")
    return 0 if report["lost"] == 0 and report["duplicated"] == 0 else 1


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    sync = sub.add_parser("sync", help="the kiosk's outbox to the citizen record")
    ssub = sync.add_subparsers(dest="sync_command", required=True)
    p = ssub.add_parser("status", help="broker state, queue depth, oldest pending, rejected")
    p.add_argument("--db", type=Path, default=DEFAULT_DB, help="the kiosk's SQLite file")
    p.add_argument("--broker", default=None, help="mqtt://host:port to check reachability")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=status)
    p = ssub.add_parser("retry", help="queue a rejected row again after fixing its cause")
    p.add_argument("--db", type=Path, default=DEFAULT_DB, help="the kiosk's SQLite file")
    p.add_argument("--rejected", required=True, metavar="MSG_ID", help="the rejected row's id")
    p.set_defaults(func=retry)

    benches = sub.add_parser("bench", help="benchmarks")
    bsub = benches.add_subparsers(dest="bench_command", required=True)
    p = bsub.add_parser("sync", help="outbox → broker → records → commit → ack vs bare QoS 1")
    p.add_argument("--observations", type=int, default=20_000, help="backlog size")
    p.add_argument("--db", default=None, help="record database URL (default: a temp SQLite)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=bench)

    register_certs(sub)


def certs(args: argparse.Namespace) -> int:
    from kiosk import certs as pki
    from records.wire import WireError

    try:
        if args.certs_command == "ca":
            path = pki.issue_ca(args.out, days=args.days)
        elif args.certs_command == "server":
            path = pki.issue_server(args.out, args.host, days=args.days)
        else:
            path = pki.issue_client(args.out, args.cn, days=args.days)
    except WireError as exc:
        print(f"error: {exc.reason}", file=sys.stderr)
        return 2
    print(path)
    return 0


def register_certs(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("certs", help="issue the kiosk CA, broker and client certificates")
    csub = p.add_subparsers(dest="certs_command", required=True)
    for name, text in (
        ("ca", "a new dedicated kiosk CA"),
        ("server", "the broker's certificate"),
        ("client", "a kiosk's (CN = kiosk id) or the record service's certificate"),
    ):
        c = csub.add_parser(name, help=text)
        c.add_argument("--out", type=Path, required=True, help="folder holding the CA")
        c.add_argument("--days", type=int, default=825, help="validity")
        if name == "server":
            c.add_argument("--host", action="append", required=True, help="DNS name or IP")
        if name == "client":
            c.add_argument("--cn", required=True, help="kiosk id, or e.g. records-ingest")
        c.set_defaults(func=certs)
