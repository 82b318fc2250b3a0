"""A record worker that SIGKILLs itself right after its first database COMMIT and before it
publishes the ack or PUBACKs: the worst moment for a crash (the row is stored, nobody knows).

    python -m tests.sync.record_proc BROKER_URL DB_URL
"""

from __future__ import annotations

import os
import signal
import sys
from typing import Any

from records import service


class CommitThenDie(service.RecordService):
    def _with_db_retry(self, batch: Any) -> Any:
        outcomes = super()._with_db_retry(batch)  # committed when this returns
        os.kill(os.getpid(), signal.SIGKILL)
        return outcomes


def main() -> None:
    service.RecordService = CommitThenDie  # type: ignore[misc]
    sys.exit(service.serve(sys.argv[1], sys.argv[2]))


if __name__ == "__main__":
    main()
