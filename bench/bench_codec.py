"""Codec speed: Blood Pressure Measurement decode against a bare struct.unpack baseline of the
same bytes, measured in the same run.

    .venv/bin/python bench/bench_codec.py
"""

from __future__ import annotations

import struct
import timeit

from devices.gatt.bps import decode_blood_pressure_measurement
from devices.readings import DeviceIdentity

B1 = bytes.fromhex("1E8A0058007800000004111429 3B3C00012700".replace(" ", ""))
DEVICE = DeviceIdentity(address="C0:FF:EE:00:00:01")
LAYOUT = struct.Struct("<BHHH7sHBH")


def main() -> None:
    n = 50_000
    codec = min(
        timeit.repeat(lambda: decode_blood_pressure_measurement(B1, DEVICE), number=n, repeat=5)
    )
    base = min(timeit.repeat(lambda: LAYOUT.unpack(B1), number=n, repeat=5))
    print(f"decode 0x2A35 (19 B, all fields) {n / codec:10.0f} /s")
    print(f"baseline struct.unpack           {n / base:10.0f} /s")
    print(f"ratio codec / baseline time      {codec / base:10.1f}x")


if __name__ == "__main__":
    main()
