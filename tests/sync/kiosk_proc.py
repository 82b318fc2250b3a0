"""A kiosk's sync half as its own process, so a test can SIGKILL it mid-drain and restart it.

python -m tests.sync.kiosk_proc DB_PATH BROKER_URL KIOSK_ID
"""

from __future__ import annotations

import sys
import time
from datetime import timedelta

from kiosk.store import Store
from kiosk.sync.publisher import OutboxPublisher, PublisherSettings


def main() -> None:
    db, broker, kiosk_id = sys.argv[1:4]
    store = Store.open(db)
    settings = PublisherSettings(
        poll_interval=0.05, resend_after=timedelta(seconds=2), window=20, batch=20
    )
    OutboxPublisher(store, kiosk_id, broker, settings).start()
    print("started", flush=True)
    while True:
        time.sleep(1)


if __name__ == "__main__":
    main()
