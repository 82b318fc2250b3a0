"""Message ids: UUIDv7 layout (time-ordered), written as 32 lowercase hex digits.

Time order keeps the outbox draining oldest-first by primary key; uniqueness comes from 74
random bits. Python 3.11 has no uuid.uuid7, hence this.
"""

from __future__ import annotations

import os
import time


def new_msg_id() -> str:
    ms = time.time_ns() // 1_000_000
    rand = int.from_bytes(os.urandom(10), "big")
    value = (ms & ((1 << 48) - 1)) << 80
    value |= 0x7 << 76  # version 7
    value |= ((rand >> 64) & 0xFFF) << 64  # rand_a
    value |= 0b10 << 62  # RFC 9562 variant
    value |= rand & ((1 << 62) - 1)  # rand_b
    return f"{value:032x}"
