"""LifeScan OneTouch Ultra 2 (glucometerutils ``drivers/otultra2.py``): 9600 8N1, polled.

Command: ``0x11 0x0D`` + ASCII command + ``0x0D``. Every reply line is ``<text> XXXX`` + CR,
XXXX = 16-bit sum of the ASCII bytes of <text>, upper-case hex. Values are always mg/dL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from devices.errors import DecodeError
from devices.readings import DeviceIdentity, GlucoseReading, GlucoseUnit, MealContext, SampleType
from devices.serial.errors import ChecksumError
from devices.serial.framing import sum16

__all__ = [
    "DumpHeader",
    "decode_dump_header",
    "decode_dump_record",
    "encode_command",
    "encode_reply_line",
    "strip_checksum",
]

CHARACTERISTIC = "serial:otultra2"
_LINE = re.compile(rb"^(.+) ([0-9A-F]{4})$")
_HEADER = re.compile(r'^P (\d{3}),"([0-9A-Z]{9})","(MG/DL |MMOL/L)"$')
_RECORD = re.compile(
    r'^P "[A-Z]{3}","(\d\d)/(\d\d)/(\d\d)","(\d\d):(\d\d):(\d\d)   ",'
    r'"([C ]) (\d{3})([? ])","([NBA])","(0\d|1[01])", 00$'
)
_MEAL = {"N": None, "B": MealContext.PREPRANDIAL, "A": MealContext.POSTPRANDIAL}


def encode_command(command: str) -> bytes:
    return b"\x11\r" + command.encode("ascii") + b"\r"


def encode_reply_line(text: str) -> bytes:
    """``text`` + space + checksum + CR, as the meter sends it; for simulators and tests."""
    data = text.encode("ascii")
    return data + f" {sum16(data):04X}\r".encode("ascii")


def strip_checksum(line: bytes) -> str:
    """Verify a reply line's checksum and return its text. LF/CR around it are ignored."""
    body = line.strip(b"\r\n")
    match = _LINE.match(body)
    if match is None:
        raise DecodeError("reply line has no checksum", characteristic=CHARACTERISTIC, raw=line)
    text, given_hex = match.groups()
    given, actual = int(given_hex, 16), sum16(text)
    if given != actual:
        raise ChecksumError(
            f"line checksum {given:04X} does not match computed {actual:04X}",
            characteristic=CHARACTERISTIC,
            raw=line,
            expected=given,
            actual=actual,
        )
    try:
        return text.decode("ascii")
    except UnicodeDecodeError:
        raise DecodeError("reply is not ASCII", characteristic=CHARACTERISTIC, raw=line) from None


@dataclass(frozen=True, slots=True)
class DumpHeader:
    count: int
    serial_number: str
    display_unit: GlucoseUnit


def decode_dump_header(line: bytes) -> DumpHeader:
    text = strip_checksum(line)
    match = _HEADER.match(text)
    if match is None:
        raise DecodeError(
            f"not a DMP dump header: {text!r}", characteristic=CHARACTERISTIC, raw=line
        )
    count, serial, unit = match.groups()
    display = GlucoseUnit.MG_DL if unit == "MG/DL " else GlucoseUnit.MMOL_L
    return DumpHeader(int(count), serial, display)


def decode_dump_record(line: bytes, device: DeviceIdentity) -> GlucoseReading:
    """One ``P "DDD","MM/DD/YY","HH:MM:SS   ","C VVV?","M","CC", 00 XXXX`` record."""
    text = strip_checksum(line)
    match = _RECORD.match(text)
    if match is None:
        raise DecodeError(f"not a DMP record: {text!r}", characteristic=CHARACTERISTIC, raw=line)
    mo, dd, yy, hh, mi, ss, control, value, parity, meal, _comment = match.groups()
    if parity == "?":
        raise DecodeError(
            "the meter flagged a parity error on this record",
            characteristic=CHARACTERISTIC,
            raw=line,
        )
    try:
        # Two-digit year, as the meter sends it (not Y2K safe, +2000).
        when = datetime(2000 + int(yy), int(mo), int(dd), int(hh), int(mi), int(ss))
    except ValueError:
        raise DecodeError(
            f"impossible date in record: {text!r}", characteristic=CHARACTERISTIC, raw=line
        ) from None
    return GlucoseReading(
        device=device,
        measured_at=when,
        raw=bytes(line),
        concentration=float(int(value)),
        unit=GlucoseUnit.MG_DL,
        sample_type=SampleType.CONTROL_SOLUTION if control == "C" else None,
        meal=_MEAL[meal],
    )
