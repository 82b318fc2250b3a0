"""Sync throughput (issue 6): drain a backlog of 20,000 observations end to end (outbox →
mosquitto → `kiosk records serve` → PostgreSQL commit → ack → outbox marked) and, in the same
run on the same broker, bare paho QoS 1 publish/receive with the same payloads.

    .venv/bin/python bench/bench_sync.py [--observations 20000] [--sqlite]

Target: ratio = end-to-end / raw >= 0.5, with 0 lost and 0 duplicated. PostgreSQL is a private
throwaway cluster (tests/servers.py, fsync=off); `--sqlite` uses a SQLite record database.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for tests.servers

from kiosk.sync.bench import run
from tests.servers import PrivatePostgres


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--observations", type=int, default=20_000)
    parser.add_argument("--sqlite", action="store_true", help="SQLite record database")
    args = parser.parse_args()
    if args.sqlite:
        report = run(args.observations, progress=print)
    else:
        with PrivatePostgres() as pg:
            url = pg.create_database("bench_sync")
            report = run(args.observations, db_url=url, progress=print)
    print(f"observations                 {report['observations']}")
    print(f"raw QoS 1 publish/receive    {report['raw_qos1_msgs_per_s']:8.0f} msgs/s")
    print(f"end to end (committed+acked) {report['end_to_end_obs_per_s']:8.0f} obs/s")
    print(f"ratio end-to-end / raw       {report['ratio']:8.3f}   (target >= 0.5)")
    print(f"lost / duplicated            {report['lost']} / {report['duplicated']}")
    print(json.dumps(report))
    if report["lost"] or report["duplicated"]:
        raise SystemExit("sync lost or duplicated observations")


if __name__ == "__main__":
    main()
