"""i-SENS CareSens protocol 3 (Tidepool uploader ``lib/drivers/i-sens/careSens.js``).

Frame: ``STX 'iSPc' len cmd(4 ASCII) payload CRC(BE16) ETX``, len = 7 + payload length,
CRC-16/CCITT-FALSE over the frame without the CRC field (STX…payload plus ETX). GLUE replies
carry no valid CRC (per Tidepool), so their records are range-checked instead.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from datetime import datetime

from devices.errors import DecodeError
from devices.readings import DeviceIdentity, GlucoseReading, GlucoseUnit, MealContext, SampleType
from devices.serial.errors import ChecksumError
from devices.serial.framing import LengthFramer, crc16_ccitt_false

__all__ = [
    "PROBE",
    "CareSensFrame",
    "decode_frame",
    "decode_glue_records",
    "encode_frame",
    "framer",
    "probe_protocol",
]

CHARACTERISTIC = "serial:caresens"
STX, ETX = 0x02, 0x03
MAGIC = b"iSPc"
PROBE = b"\x80"
RECORD_SIZE = 9
MAX_RECORDS_PER_GLUE = 27

FLAG_CONTROL = 0x01
FLAG_POST_MEAL = 0x02
FLAG_LO = 0x04
FLAG_HI = 0x08
FLAG_FASTING = 0x10
FLAG_HILO_VALID = 0x80


@dataclass(frozen=True, slots=True)
class CareSensFrame:
    command: str
    payload: bytes


def framer() -> LengthFramer:
    return LengthFramer(bytes([STX]) + MAGIC, length_index=5, total=lambda n: n + 6, end=b"\x03")


def probe_protocol(reply: bytes) -> int:
    """Protocol number from the reply to ``0x80``: 3 (``0x2E``), 2 (``0x2F``) or 1 (``0x20``)."""
    if 0x2E in reply:
        return 3
    if 0x2F in reply:
        return 2
    if 0x20 in reply:
        return 1
    raise DecodeError("no protocol marker in probe reply", characteristic=CHARACTERISTIC, raw=reply)


def encode_frame(command: str, payload: bytes = b"") -> bytes:
    cmd = command.encode("ascii")
    if len(cmd) != 4:
        raise ValueError("CareSens commands are 4 ASCII characters")
    head = bytes([STX]) + MAGIC + bytes([7 + len(payload)]) + cmd + payload
    crc = crc16_ccitt_false(head + bytes([ETX]))
    return head + struct.pack(">H", crc) + bytes([ETX])


def decode_frame(raw: bytes, *, check_crc: bool | None = None) -> CareSensFrame:
    """Parse and verify one frame. ``check_crc`` defaults to True except for GLUE replies."""
    if len(raw) < 13 or raw[0] != STX or raw[1:5] != MAGIC or raw[-1] != ETX:
        raise DecodeError("not an iSPc frame", characteristic=CHARACTERISTIC, raw=raw)
    if raw[5] + 6 != len(raw):
        raise DecodeError(
            f"length byte {raw[5]} does not fit a {len(raw)}-byte frame",
            characteristic=CHARACTERISTIC,
            raw=raw,
            offset=5,
        )
    try:
        command = raw[6:10].decode("ascii")
    except UnicodeDecodeError:
        raise DecodeError("command is not ASCII", characteristic=CHARACTERISTIC, raw=raw) from None
    if check_crc is None:
        check_crc = command != "GLUE"
    if check_crc:
        given = struct.unpack(">H", raw[-3:-1])[0]
        actual = crc16_ccitt_false(raw[:-3] + raw[-1:])
        if given != actual:
            raise ChecksumError(
                f"CRC {given:04X} does not match computed {actual:04X}",
                characteristic=CHARACTERISTIC,
                raw=raw,
                expected=given,
                actual=actual,
            )
    return CareSensFrame(command, bytes(raw[10:-3]))


def decode_count(frame: CareSensFrame) -> int:
    if frame.command != "NCOT" or len(frame.payload) != 2:
        raise DecodeError("not an NCOT reply", characteristic=CHARACTERISTIC, raw=frame.payload)
    return int(struct.unpack(">H", frame.payload)[0])


def decode_glue_records(
    payload: bytes, device: DeviceIdentity, *, first_index: int = 1
) -> list[GlucoseReading]:
    """Records of 9 bytes: Y-2000, M, D, h, m, s, flags, value BE16 (mg/dL)."""
    if len(payload) % RECORD_SIZE:
        raise DecodeError(
            f"GLUE payload of {len(payload)} bytes is not whole 9-byte records",
            characteristic=CHARACTERISTIC,
            raw=payload,
        )
    out: list[GlucoseReading] = []
    for i in range(0, len(payload), RECORD_SIZE):
        rec = payload[i : i + RECORD_SIZE]
        y, mo, d, h, mi, s, flags = rec[:7]
        value = struct.unpack(">H", rec[7:9])[0]
        try:
            when = datetime(2000 + y, mo, d, h, mi, s)
        except ValueError:
            raise DecodeError(
                f"record {first_index + i // RECORD_SIZE} has an impossible date",
                characteristic=CHARACTERISTIC,
                raw=rec,
                offset=i,
            ) from None
        if not flags & (FLAG_LO | FLAG_HI) and not 20 <= value <= 600:
            # Without a valid CRC on GLUE, an out-of-range unflagged value means damage.
            raise DecodeError(
                f"record value {value} mg/dL outside the meter's 20-600 range without a HI/LO flag",
                characteristic=CHARACTERISTIC,
                raw=rec,
                offset=i,
            )
        meal = None
        if flags & FLAG_POST_MEAL:
            meal = MealContext.POSTPRANDIAL
        elif flags & FLAG_FASTING:
            meal = MealContext.FASTING
        out.append(
            GlucoseReading(
                device=device,
                measured_at=when,
                raw=bytes(rec),
                concentration=float(value),
                unit=GlucoseUnit.MG_DL,
                sample_type=SampleType.CONTROL_SOLUTION if flags & FLAG_CONTROL else None,
                meal=meal,
                sequence_number=first_index + i // RECORD_SIZE,
            )
        )
    return out
