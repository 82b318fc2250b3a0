"""Tanita professional body-composition output: one ASCII record per measurement, pushed by
the analyser (SC-240/SC-330 and MC-980 style field sets), e.g.
``{0,16,~0,1,~1,1,~2,1,MO,"SC-240",…,CS,FD`` + CR LF.

Checksum (devices.md §10, [derived], unverified on hardware): byte sum mod 256 of everything
from ``{`` through the comma just before ``CS``. It matches the one manual sample; XOR did not.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from devices.errors import DecodeError
from devices.readings import (
    BodyCompositionReading,
    DeviceIdentity,
    MassUnit,
    WeightReading,
)
from devices.serial.errors import ChecksumError
from devices.serial.framing import sum8

__all__ = ["TanitaRecord", "decode_tanita_record", "encode_tanita_record"]

CHARACTERISTIC = "serial:tanita"
_CONTROL = {"{0", "~0", "~1", "~2"}


@dataclass(frozen=True, slots=True)
class TanitaRecord:
    fields: dict[str, str]
    body: BodyCompositionReading
    weight: WeightReading

    @property
    def model(self) -> str:
        return self.fields.get("MO", "unknown")

    @property
    def style(self) -> str:
        """``mc980`` when the MC-980 extras (status ``St``) are present, else ``sc240``."""
        return "mc980" if "St" in self.fields else "sc240"

    def readings(self) -> list[BodyCompositionReading | WeightReading]:
        return [self.body, self.weight]


def _split(text: str) -> list[str]:
    # Values are quoted when they are strings; a quoted value never contains a quote.
    out: list[str] = []
    cur: list[str] = []
    quoted = False
    for ch in text:
        if ch == '"':
            quoted = not quoted
            cur.append(ch)
        elif ch == "," and not quoted:
            out.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    out.append("".join(cur))
    return out


def encode_tanita_record(pairs: list[tuple[str, str]]) -> bytes:
    """Build a record (with checksum and CR LF) from header/value pairs; for simulators."""
    body = ",".join(f"{k},{v}" for k, v in pairs).encode("ascii") + b","
    return body + f"CS,{sum8(body):02X}\r\n".encode("ascii")


def _err(msg: str, raw: bytes, offset: int | None = None) -> DecodeError:
    return DecodeError(msg, characteristic=CHARACTERISTIC, raw=raw, offset=offset)


def decode_tanita_record(raw: bytes, device: DeviceIdentity) -> TanitaRecord:
    """Decode one record (CR LF optional). Raises ChecksumError or DecodeError, raw kept."""
    line = raw.rstrip(b"\r\n")
    if not line.startswith(b"{0,"):
        raise _err("record does not start with '{0,'", raw, 0)
    cs_at = line.rfind(b",CS,")
    if cs_at < 0:
        raise _err("record has no CS checksum field", raw)
    covered = line[: cs_at + 1]
    given_text = line[cs_at + 4 :]
    try:
        given = int(given_text, 16)
    except ValueError:
        raise _err(f"checksum {given_text!r} is not hex", raw, cs_at + 4) from None
    if len(given_text) != 2:
        raise _err(f"checksum {given_text!r} is not two hex digits", raw, cs_at + 4)
    actual = sum8(covered)
    if actual != given:
        raise ChecksumError(
            f"checksum {given:02X} does not match computed {actual:02X}",
            characteristic=CHARACTERISTIC,
            raw=raw,
            expected=given,
            actual=actual,
        )
    try:
        text = covered[:-1].decode("ascii")
    except UnicodeDecodeError as exc:
        raise _err("record is not ASCII", raw, exc.start) from None
    tokens = _split(text)
    if len(tokens) % 2:
        raise _err("record has an odd number of header/value tokens", raw)
    fields: dict[str, str] = {}
    for key, value in zip(tokens[::2], tokens[1::2], strict=True):
        if key in _CONTROL:
            continue
        fields[key] = value.strip('"')
    return _build(fields, raw, device)


def _num(fields: dict[str, str], key: str, raw: bytes) -> float | None:
    value = fields.get(key)
    if value is None or value == "":
        return None
    try:
        return float(value)
    except ValueError:
        raise _err(f"field {key}={value!r} is not a number", raw) from None


def _when(fields: dict[str, str], raw: bytes) -> datetime | None:
    date, time = fields.get("Da"), fields.get("TI")
    if not date:
        return None
    try:
        return datetime.strptime(f"{date} {time or '00:00'}", "%d/%m/%Y %H:%M")
    except ValueError:
        raise _err(f"date/time {date!r} {time!r} is not dd/mm/yyyy hh:mm", raw) from None


def _build(fields: dict[str, str], raw: bytes, device: DeviceIdentity) -> TanitaRecord:
    if "Wk" in fields:
        weight, unit = _num(fields, "Wk", raw), MassUnit.KG
    elif "Wp" in fields:
        weight, unit = _num(fields, "Wp", raw), MassUnit.LB
    else:
        raise _err("record has no weight (Wk or Wp)", raw)
    fat = _num(fields, "FW", raw)
    if weight is None or fat is None:
        raise _err("record has no weight or body fat % (FW)", raw)
    identity = DeviceIdentity(
        address=device.address,
        model=fields.get("MO", device.model),
        manufacturer="Tanita",
        serial_number=fields.get("SN") or device.serial_number,
        firmware=device.firmware,
        transport="serial",
    )
    when = _when(fields, raw)
    height = _num(fields, "Hm", raw)
    bmr_kj = _num(fields, "rb", raw)
    if bmr_kj is None and (kcal := _num(fields, "rB", raw)) is not None:
        bmr_kj = round(kcal * 4.184, 1)
    body = BodyCompositionReading(
        device=identity,
        measured_at=when,
        raw=bytes(raw),
        body_fat_percent=fat,
        unit=unit,
        weight=weight,
        basal_metabolism_kj=bmr_kj,
        muscle_mass=_num(fields, "mW", raw),
        fat_free_mass=_num(fields, "MW", raw),
        body_water_mass=_num(fields, "wW", raw),
        impedance_ohm=_num(fields, "ZF", raw),
        height_cm=height,
    )
    scale = WeightReading(
        device=identity,
        measured_at=when,
        raw=bytes(raw),
        weight=weight,
        unit=unit,
        height_cm=height,
        bmi=_num(fields, "MI", raw),
    )
    return TanitaRecord(fields=fields, body=body, weight=scale)
