"""Battery Level 0x2A19: one uint8, percent 0..100; anything else is an error."""

from __future__ import annotations

from devices.errors import DecodeError

__all__ = ["decode_battery_level", "encode_battery_level"]

BL = "2a19"


def decode_battery_level(data: bytes | bytearray) -> int:
    data = bytes(data)
    if len(data) != 1:
        raise DecodeError(
            f"Battery Level is 1 byte, got {len(data)}",
            characteristic=BL,
            raw=data,
            offset=min(len(data), 1),
        )
    if data[0] > 100:
        raise DecodeError(
            f"battery level {data[0]} % above 100", characteristic=BL, raw=data, offset=0
        )
    return data[0]


def encode_battery_level(percent: int) -> bytes:
    if not 0 <= percent <= 100:
        raise ValueError(f"battery level {percent} outside 0..100")
    return bytes((percent,))
