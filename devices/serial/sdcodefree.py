"""SD Biosensor SD CodeFree (glucometerutils ``drivers/sdcodefree.py``): 38400 8N1.

Packet ``53 <dir> <len> <msg…> <xor(msg)> AA``; dir 0x20 meter→host, 0x10 host→meter;
len = msg length + 2. The meter opens with a challenge; the host answers ``10 40``, reads the
count message, then fetches each record with ``10 60``.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from datetime import datetime

from devices.errors import DecodeError
from devices.readings import DeviceIdentity, GlucoseReading, GlucoseUnit, MealContext
from devices.serial.errors import ChecksumError
from devices.serial.framing import LengthFramer, xor8

__all__ = [
    "CHALLENGE_ACK",
    "FETCH",
    "SdPacket",
    "decode_count",
    "decode_packet",
    "decode_reading",
    "encode_packet",
    "framer",
]

CHARACTERISTIC = "serial:sdcodefree"
START, END = 0x53, 0xAA
TO_HOST, TO_METER = 0x20, 0x10
CHALLENGE_ACK = b"\x10\x40"
FETCH = b"\x10\x60"
_MEAL = {0x00: None, 0x10: MealContext.PREPRANDIAL, 0x20: MealContext.POSTPRANDIAL}


@dataclass(frozen=True, slots=True)
class SdPacket:
    direction: int
    message: bytes


def framer(direction: int = TO_HOST) -> LengthFramer:
    # Start and direction together: a lone 0x53 in noise must not claim a long frame.
    return LengthFramer(
        bytes([START, direction]),
        length_index=2,
        total=lambda n: n + 3,
        end=bytes([END]),
        max_len=32,
    )


def encode_packet(message: bytes, *, direction: int = TO_METER) -> bytes:
    return bytes([START, direction, len(message) + 2]) + message + bytes([xor8(message), END])


def decode_packet(raw: bytes) -> SdPacket:
    if len(raw) < 5 or raw[0] != START or raw[-1] != END or raw[2] + 3 != len(raw):
        raise DecodeError("not an SD CodeFree packet", characteristic=CHARACTERISTIC, raw=raw)
    if raw[1] not in (TO_HOST, TO_METER):
        raise DecodeError(
            f"unknown direction byte {raw[1]:02X}", characteristic=CHARACTERISTIC, raw=raw, offset=1
        )
    message = raw[3:-2]
    given, actual = raw[-2], xor8(message)
    if given != actual:
        raise ChecksumError(
            f"XOR {given:02X} does not match computed {actual:02X}",
            characteristic=CHARACTERISTIC,
            raw=raw,
            expected=given,
            actual=actual,
        )
    return SdPacket(raw[1], bytes(message))


def decode_count(packet: SdPacket) -> int:
    """First message after the challenge: ``30 <count BE16> AA×19``."""
    msg = packet.message
    if len(msg) < 3 or msg[0] != 0x30:
        raise DecodeError("not a record-count message", characteristic=CHARACTERISTIC, raw=msg)
    return int(struct.unpack(">H", msg[1:3])[0])


def decode_reading(packet: SdPacket, device: DeviceIdentity) -> GlucoseReading:
    """2 unknown bytes, YY, MM, DD, hh, mm, value BE16, meal, 7 unknown bytes (17 bytes)."""
    msg = packet.message
    if len(msg) != 17:
        raise DecodeError(
            f"reading message has {len(msg)} bytes, expected 17",
            characteristic=CHARACTERISTIC,
            raw=msg,
        )
    yy, mo, dd, hh, mi = msg[2:7]
    value = struct.unpack(">H", msg[7:9])[0]
    if msg[9] not in _MEAL:
        raise DecodeError(
            f"unknown meal byte {msg[9]:02X}", characteristic=CHARACTERISTIC, raw=msg, offset=9
        )
    try:
        when = datetime(2000 + yy, mo, dd, hh, mi)
    except ValueError:
        raise DecodeError(
            "reading has an impossible date", characteristic=CHARACTERISTIC, raw=msg
        ) from None
    return GlucoseReading(
        device=device,
        measured_at=when,
        raw=bytes(msg),
        concentration=float(value),
        unit=GlucoseUnit.MG_DL,
        meal=_MEAL[msg[9]],
    )
