"""IEEE 11073-20601 SFLOAT-16 and FLOAT-32, as used by the Bluetooth health profiles.

Both are ``mantissa × 10**exponent`` with two's-complement fields, little-endian on the wire.
Special values exist only with exponent 0: NaN, NRes and the reserved value decode to
``math.nan``; +INFINITY / -INFINITY to ``±math.inf``.

Decoding divides exact integers (Python's int / int is correctly rounded), so ``0xF0BD`` gives
the same float as the literal ``18.9`` rather than ``189 * 0.1``.
"""

from __future__ import annotations

import math
from decimal import Decimal

__all__ = [
    "FLOAT_NAN",
    "FLOAT_NEGATIVE_INFINITY",
    "FLOAT_NRES",
    "FLOAT_POSITIVE_INFINITY",
    "FLOAT_RESERVED",
    "SFLOAT_NAN",
    "SFLOAT_NEGATIVE_INFINITY",
    "SFLOAT_NRES",
    "SFLOAT_POSITIVE_INFINITY",
    "SFLOAT_RESERVED",
    "decode_float",
    "decode_sfloat",
    "encode_float",
    "encode_sfloat",
    "float_from_raw",
    "sfloat_from_raw",
]

# Raw (integer) special values, exponent 0.
SFLOAT_NAN = 0x07FF
SFLOAT_NRES = 0x0800
SFLOAT_POSITIVE_INFINITY = 0x07FE
SFLOAT_NEGATIVE_INFINITY = 0x0802
SFLOAT_RESERVED = 0x0801

FLOAT_NAN = 0x007FFFFF
FLOAT_NRES = 0x00800000
FLOAT_POSITIVE_INFINITY = 0x007FFFFE
FLOAT_NEGATIVE_INFINITY = 0x00800002
FLOAT_RESERVED = 0x00800001

_SFLOAT_SPECIAL = {
    SFLOAT_NAN: math.nan,
    SFLOAT_NRES: math.nan,
    SFLOAT_RESERVED: math.nan,
    SFLOAT_POSITIVE_INFINITY: math.inf,
    SFLOAT_NEGATIVE_INFINITY: -math.inf,
}
_FLOAT_SPECIAL = {
    FLOAT_NAN: math.nan,
    FLOAT_NRES: math.nan,
    FLOAT_RESERVED: math.nan,
    FLOAT_POSITIVE_INFINITY: math.inf,
    FLOAT_NEGATIVE_INFINITY: -math.inf,
}

# Largest finite mantissa an encoder may emit: the top codes of each width are the specials.
_SFLOAT_MAX_MANTISSA = 0x07FD
_FLOAT_MAX_MANTISSA = 0x007FFFFD
_SFLOAT_EXPONENT_RANGE = (-8, 7)
_FLOAT_EXPONENT_RANGE = (-128, 127)


def _signed(value: int, bits: int) -> int:
    return value - (1 << bits) if value & (1 << (bits - 1)) else value


def _scale(mantissa: int, exponent: int) -> float:
    power: int = 10 ** abs(exponent)  # int ** int is typed Any (it may be a float)
    return float(mantissa * power) if exponent >= 0 else mantissa / power


def sfloat_from_raw(raw: int) -> float:
    """Value of a 16-bit SFLOAT given as an integer (bits 15..12 exponent, 11..0 mantissa)."""
    if not 0 <= raw <= 0xFFFF:
        raise ValueError(f"SFLOAT raw value out of range: {raw:#x}")
    if raw in _SFLOAT_SPECIAL:
        return _SFLOAT_SPECIAL[raw]
    return _scale(_signed(raw & 0x0FFF, 12), _signed(raw >> 12, 4))


def float_from_raw(raw: int) -> float:
    """Value of a 32-bit FLOAT given as an integer (byte 3 exponent, bytes 0..2 mantissa)."""
    if not 0 <= raw <= 0xFFFFFFFF:
        raise ValueError(f"FLOAT raw value out of range: {raw:#x}")
    if raw in _FLOAT_SPECIAL:
        return _FLOAT_SPECIAL[raw]
    return _scale(_signed(raw & 0xFFFFFF, 24), _signed(raw >> 24, 8))


def decode_sfloat(data: bytes | bytearray, offset: int = 0) -> float:
    """Decode the SFLOAT at ``data[offset:offset + 2]``; ValueError if the bytes are missing."""
    if offset < 0 or len(data) < offset + 2:
        raise ValueError(f"need 2 bytes at offset {offset}, have {len(data)} bytes")
    return sfloat_from_raw(int.from_bytes(data[offset : offset + 2], "little"))


def decode_float(data: bytes | bytearray, offset: int = 0) -> float:
    """Decode the FLOAT at ``data[offset:offset + 4]``."""
    if offset < 0 or len(data) < offset + 4:
        raise ValueError(f"need 4 bytes at offset {offset}, have {len(data)} bytes")
    return float_from_raw(int.from_bytes(data[offset : offset + 4], "little"))


def _mantissa_for(
    value: float, exponent: int | None, max_mantissa: int, exponent_range: tuple[int, int]
) -> tuple[int, int]:
    low, high = exponent_range
    # repr() gives the shortest decimal that round-trips, so 18.9 is scaled as "18.9", not as
    # the binary approximation 18.899999999999998578...
    exact = Decimal(repr(float(value)))
    if exponent is None:
        # Fewest decimals that represent the value exactly and fit the mantissa.
        for candidate in [*range(0, low - 1, -1), *range(1, high + 1)]:
            scaled = exact.scaleb(-candidate)
            if scaled == scaled.to_integral_value() and abs(scaled) <= max_mantissa:
                return int(scaled), candidate
        raise ValueError(f"{value!r} has no exact representation; pass an exponent")
    if not low <= exponent <= high:
        raise ValueError(f"exponent {exponent} outside {low}..{high}")
    mantissa = int(exact.scaleb(-exponent).to_integral_value())  # round half to even
    if abs(mantissa) > max_mantissa:
        raise ValueError(f"{value!r} does not fit with exponent {exponent}")
    return mantissa, exponent


def _special_raw(value: float, nan: int, pinf: int, ninf: int) -> int | None:
    if math.isnan(value):
        return nan
    if math.isinf(value):
        return pinf if value > 0 else ninf
    return None


def encode_sfloat(value: float, exponent: int | None = None) -> bytes:
    """Encode ``value`` as ``mantissa × 10**exponent`` in 2 bytes (little-endian).

    With ``exponent=None`` the fewest decimals that represent ``value`` exactly are used
    (120 → exponent 0, 18.9 → exponent -1). With an explicit exponent the mantissa is rounded
    half to even. NaN and ±inf become the special values. Raises ValueError if it does not fit.
    """
    special = _special_raw(value, SFLOAT_NAN, SFLOAT_POSITIVE_INFINITY, SFLOAT_NEGATIVE_INFINITY)
    if special is not None:
        return special.to_bytes(2, "little")
    mantissa, exp = _mantissa_for(value, exponent, _SFLOAT_MAX_MANTISSA, _SFLOAT_EXPONENT_RANGE)
    raw = ((exp & 0x0F) << 12) | (mantissa & 0x0FFF)
    return raw.to_bytes(2, "little")


def encode_float(value: float, exponent: int | None = None) -> bytes:
    """Encode ``value`` as a 4-byte FLOAT; same rules as :func:`encode_sfloat`."""
    special = _special_raw(value, FLOAT_NAN, FLOAT_POSITIVE_INFINITY, FLOAT_NEGATIVE_INFINITY)
    if special is not None:
        return special.to_bytes(4, "little")
    mantissa, exp = _mantissa_for(value, exponent, _FLOAT_MAX_MANTISSA, _FLOAT_EXPONENT_RANGE)
    raw = ((exp & 0xFF) << 24) | (mantissa & 0xFFFFFF)
    return raw.to_bytes(4, "little")
