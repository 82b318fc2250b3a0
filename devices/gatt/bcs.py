"""Body Composition Measurement 0x2A9C, including the two-packet form.

Layout (little-endian): flags u16 | body fat u16 (0.1 %; 0xFFFF = unsuccessful), then, in flag
order, time stamp (bit1), user id (bit2), basal metabolism kJ (bit3), muscle % (bit4), muscle
mass (bit5), fat-free mass (bit6), soft lean mass (bit7), body water (bit8), impedance 0.1 Ω
(bit9), weight (bit10), height (bit11). Masses 0.005 kg / 0.01 lb; height 0.001 m / 0.1 in.

Bit12 = multiple-packet measurement: both packets carry bit12 and start with flags + body fat,
each listing only its own fields (devices.md §5.4; from a server implementation, not the SIG
text). Packet length must equal what its flags announce, which also lets a concatenation of
packets be split unambiguously (:func:`split_packets`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal

from devices.errors import DecodeError
from devices.gatt.datetime import encode_date_time, parse_date_time
from devices.gatt.wss import M_PER_INCH, UNSUCCESSFUL, mass_value
from devices.readings import LB_PER_KG, BodyCompositionReading, DeviceIdentity, MassUnit

__all__ = [
    "BodyComposition",
    "decode_body_composition",
    "decode_body_composition_packet",
    "encode_body_composition",
    "split_packets",
]

BCM = "2a9c"
MULTI_PACKET = 0x1000
_UNKNOWN_USER = 0xFF

# (flag bit, field name, byte width); mass fields are converted by unit.
_FIELDS = (
    (0x0002, "measured_at", 7),
    (0x0004, "user_id", 1),
    (0x0008, "basal_metabolism_kj", 2),
    (0x0010, "muscle_percent", 2),
    (0x0020, "muscle_mass", 2),
    (0x0040, "fat_free_mass", 2),
    (0x0080, "soft_lean_mass", 2),
    (0x0100, "body_water_mass", 2),
    (0x0200, "impedance_ohm", 2),
    (0x0400, "weight", 2),
    (0x0800, "height", 2),
)
_MASSES = {"muscle_mass", "fat_free_mass", "soft_lean_mass", "body_water_mass", "weight"}


@dataclass(frozen=True, slots=True, kw_only=True)
class BodyComposition:
    body_fat_percent: float  # NaN when unsuccessful
    unit: MassUnit
    measured_at: datetime | None = None
    user_id: int | None = None
    basal_metabolism_kj: float | None = None
    muscle_percent: float | None = None
    muscle_mass: float | None = None
    fat_free_mass: float | None = None
    soft_lean_mass: float | None = None
    body_water_mass: float | None = None
    impedance_ohm: float | None = None
    weight: float | None = None
    height: float | None = None  # m or in, as sent
    multi_packet: bool = False
    raw: bytes = b""

    def kg(self, value: float | None) -> float | None:
        if value is None or self.unit is MassUnit.KG:
            return value
        return value / LB_PER_KG

    def height_m(self) -> float | None:
        if self.height is None or self.unit is MassUnit.KG:
            return self.height
        return float(Decimal(repr(self.height)) * Decimal(repr(M_PER_INCH)))

    def to_reading(self, device: DeviceIdentity) -> BodyCompositionReading:
        height_m = self.height_m()
        return BodyCompositionReading(
            device=device,
            measured_at=self.measured_at,
            user_id=self.user_id,
            raw=self.raw,
            body_fat_percent=self.body_fat_percent,
            unit=self.unit,
            weight=self.weight,
            basal_metabolism_kj=self.basal_metabolism_kj,
            muscle_percent=self.muscle_percent,
            muscle_mass=self.muscle_mass,
            fat_free_mass=self.fat_free_mass,
            soft_lean_mass=self.soft_lean_mass,
            body_water_mass=self.body_water_mass,
            impedance_ohm=self.impedance_ohm,
            height_cm=None if height_m is None else float(Decimal(repr(height_m)) * 100),
        )


def _expected(flags: int) -> int:
    return 4 + sum(width for bit, _, width in _FIELDS if flags & bit)


def _error(message: str, data: bytes, offset: int | None) -> DecodeError:
    return DecodeError(message, characteristic=BCM, raw=data, offset=offset)


def split_packets(data: bytes) -> list[bytes]:
    """Split concatenated 0x2A9C packets by the length each one's flags announce."""
    packets = []
    pos = 0
    while pos < len(data):
        if len(data) - pos < 2:
            raise _error("too short for flags", data, pos)
        length = _expected(int.from_bytes(data[pos : pos + 2], "little"))
        packets.append(data[pos : pos + length])
        pos += length
    if not packets:
        raise _error("empty payload", data, 0)
    return packets


def decode_body_composition_packet(data: bytes | bytearray) -> BodyComposition:
    """Decode one packet (which may be half of a two-packet measurement)."""
    data = bytes(data)
    if len(data) < 4:
        raise _error(f"too short: need at least 4 bytes, got {len(data)}", data, len(data))
    flags = int.from_bytes(data[:2], "little")
    expected = _expected(flags)
    if len(data) != expected:
        raise _error(
            f"flags {flags:#06x} need {expected} bytes, got {len(data)}",
            data,
            min(len(data), expected),
        )
    imperial = bool(flags & 0x0001)
    fat_raw = int.from_bytes(data[2:4], "little")
    if fat_raw == UNSUCCESSFUL and flags & 0x0FF8:
        raise _error("unsuccessful measurement may carry only time stamp and user id", data, 0)
    values: dict[str, object] = {}
    pos = 4
    for bit, name, width in _FIELDS:
        if not flags & bit:
            continue
        if name == "measured_at":
            values[name] = parse_date_time(data, pos, characteristic=BCM)
        elif name == "user_id":
            values[name] = None if data[pos] == _UNKNOWN_USER else data[pos]
        else:
            raw = int.from_bytes(data[pos : pos + width], "little")
            if name in _MASSES:
                values[name] = mass_value(raw, imperial)
            elif name == "height":
                values[name] = float(Decimal(raw) / (10 if imperial else 1000))
            elif name in ("muscle_percent", "impedance_ohm"):
                values[name] = float(Decimal(raw) / 10)
            else:
                values[name] = float(raw)
        pos += width
    return BodyComposition(
        body_fat_percent=math.nan if fat_raw == UNSUCCESSFUL else float(Decimal(fat_raw) / 10),
        unit=MassUnit.LB if imperial else MassUnit.KG,
        multi_packet=bool(flags & MULTI_PACKET),
        raw=data,
        **values,  # type: ignore[arg-type]
    )


def decode_body_composition(packets: list[bytes]) -> BodyComposition:
    """One measurement from one packet, or from the two packets of the bit12 form.

    A second packet must also carry bit12, the same unit and the same body fat, and may not
    repeat a field of the first (nor carry time stamp / user id).
    """
    if not packets:
        raise _error("no packets", b"", 0)
    first = decode_body_composition_packet(packets[0])
    if len(packets) == 1:
        if first.multi_packet:
            raise _error("first of two packets; the second is missing", first.raw, len(first.raw))
        return first
    if len(packets) > 2:
        raise _error(
            f"{len(packets)} packets; at most 2 form one measurement", b"".join(packets), 0
        )
    second = decode_body_composition_packet(packets[1])
    joined = first.raw + second.raw
    if not (first.multi_packet and second.multi_packet):
        raise _error("two packets without the multiple-packet flag", joined, 0)
    if first.unit is not second.unit:
        raise _error("packets disagree on the unit", joined, len(first.raw))
    same_fat = first.body_fat_percent == second.body_fat_percent or (
        math.isnan(first.body_fat_percent) and math.isnan(second.body_fat_percent)
    )
    if not same_fat:
        raise _error("packets disagree on body fat", joined, len(first.raw) + 2)
    merged = first
    for _, name, _ in _FIELDS:
        value = getattr(second, name)
        if value is None:
            continue
        if name in ("measured_at", "user_id") or getattr(first, name) is not None:
            raise _error(f"second packet repeats {name}", joined, len(first.raw))
        merged = replace(merged, **{name: value})
    return replace(merged, raw=joined)


def encode_body_composition(
    body_fat_percent: float,
    *,
    unit: MassUnit = MassUnit.KG,
    multi_packet: bool = False,
    **fields: object,
) -> bytes:
    """Spec bytes for one 0x2A9C packet with the given fields (names as in BodyComposition)."""
    imperial = unit is MassUnit.LB
    flags = (0x0001 if imperial else 0) | (MULTI_PACKET if multi_packet else 0)
    fat = (
        UNSUCCESSFUL
        if math.isnan(body_fat_percent)
        else round(Decimal(repr(body_fat_percent)) * 10)
    )
    body = int(fat).to_bytes(2, "little")
    unknown = set(fields) - {name for _, name, _ in _FIELDS}
    if unknown:
        raise ValueError(f"unknown field(s) {sorted(unknown)}")
    for bit, name, _ in _FIELDS:
        value = fields.get(name)
        if value is None:
            continue
        flags |= bit
        if name == "measured_at":
            assert isinstance(value, datetime)
            body += encode_date_time(value)
            continue
        assert isinstance(value, int | float)
        if name == "user_id":
            body += bytes((int(value),))
            continue
        if name in _MASSES:
            scale = Decimal(100) if imperial else Decimal(200)
        elif name == "height":
            scale = Decimal(10) if imperial else Decimal(1000)
        elif name in ("muscle_percent", "impedance_ohm"):
            scale = Decimal(10)
        else:
            scale = Decimal(1)
        body += int((Decimal(repr(float(value))) * scale).to_integral_value()).to_bytes(2, "little")
    return flags.to_bytes(2, "little") + body
