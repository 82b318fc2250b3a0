"""IEEE 11073 SFLOAT / FLOAT against the vectors in devices.md §8.1."""

from __future__ import annotations

import math

import pytest

from devices.ieee11073 import (
    decode_float,
    decode_sfloat,
    encode_float,
    encode_sfloat,
    float_from_raw,
    sfloat_from_raw,
)


@pytest.mark.parametrize(
    ("wire", "expected"),
    [
        ("78 00", 120.0),
        ("BD F0", 18.9),
        ("6F B0", 0.00111),
        ("3E C0", 0.0062),
        ("59 F1", 34.5),
        ("D3 F4", 123.5),
        # bluetooth-sig-python's biased-exponent encoding of 120: really 120e-8.
        ("78 80", 1.2e-6),
        # Negative mantissa (0xF9C = -100) and a positive exponent.
        ("9C FF", -10.0),
        ("01 20", 100.0),
    ],
)
def test_sfloat_vectors(wire: str, expected: float) -> None:
    assert decode_sfloat(bytes.fromhex(wire)) == expected


def test_sfloat_counter_example_is_not_120() -> None:
    assert decode_sfloat(bytes.fromhex("78 80")) != 120.0


@pytest.mark.parametrize("wire", ["FF 07", "00 08", "01 08"])
def test_sfloat_nan_nres_reserved_are_nan(wire: str) -> None:
    assert math.isnan(decode_sfloat(bytes.fromhex(wire)))


def test_sfloat_infinities() -> None:
    assert decode_sfloat(bytes.fromhex("FE 07")) == math.inf
    assert decode_sfloat(bytes.fromhex("02 08")) == -math.inf


def test_sfloat_special_codes_only_with_exponent_zero() -> None:
    # Mantissa 0x7FF with exponent -1 is the number 2047e-1, not NaN.
    assert sfloat_from_raw(0xF7FF) == 204.7


def test_sfloat_reads_at_offset_and_refuses_short_input() -> None:
    assert decode_sfloat(bytes.fromhex("00 BD F0"), 1) == 18.9
    with pytest.raises(ValueError):
        decode_sfloat(b"\x78")
    with pytest.raises(ValueError):
        decode_sfloat(b"\x78\x00", 1)


@pytest.mark.parametrize(
    ("wire", "expected"),
    [
        ("6E 01 00 FF", 36.6),
        ("78 00 00 00", 120.0),
        ("FF FF FF 00", -1.0),  # 24-bit two's complement mantissa
        ("6F 00 00 FB", 0.00111),
    ],
)
def test_float_vectors(wire: str, expected: float) -> None:
    assert decode_float(bytes.fromhex(wire)) == expected


@pytest.mark.parametrize("wire", ["FF FF 7F 00", "00 00 80 00", "01 00 80 00"])
def test_float_nan_codes(wire: str) -> None:
    assert math.isnan(decode_float(bytes.fromhex(wire)))


def test_float_infinities_and_short_input() -> None:
    assert decode_float(bytes.fromhex("FE FF 7F 00")) == math.inf
    assert decode_float(bytes.fromhex("02 00 80 00")) == -math.inf
    with pytest.raises(ValueError):
        decode_float(b"\x00\x00\x00")


@pytest.mark.parametrize(
    ("value", "wire"),
    [
        (120, "78 00"),
        (18.9, "BD F0"),
        (0.00111, "6F B0"),
        (0.0062, "3E C0"),
        (11, "0B 00"),
        (15.9, "9F F0"),
        (-10, "F6 0F"),
        (3000, "2C 11"),  # too big for exponent 0: 300e1
    ],
)
def test_encode_sfloat_picks_fewest_decimals(value: float, wire: str) -> None:
    assert encode_sfloat(value) == bytes.fromhex(wire)


def test_encode_sfloat_with_explicit_exponent_rounds_half_even() -> None:
    assert encode_sfloat(18.94, -1) == bytes.fromhex("BD F0")
    assert encode_sfloat(120, -1) == (((0xF << 12) | 1200).to_bytes(2, "little"))
    assert encode_sfloat(0.25, -1) == encode_sfloat(0.2, -1)


def test_encode_specials() -> None:
    assert encode_sfloat(math.nan) == bytes.fromhex("FF 07")
    assert encode_sfloat(math.inf) == bytes.fromhex("FE 07")
    assert encode_sfloat(-math.inf) == bytes.fromhex("02 08")
    assert encode_float(math.nan) == bytes.fromhex("FF FF 7F 00")
    assert encode_float(-math.inf) == bytes.fromhex("02 00 80 00")


@pytest.mark.parametrize(
    ("value", "exponent"),
    [
        (2046, 0),  # would collide with +INFINITY
        (-2046, 0),  # would collide with -INFINITY
        (5000, 0),
        (1, 8),  # exponent outside -8..7
        (1, -9),
    ],
)
def test_encode_sfloat_refuses_what_does_not_fit(value: float, exponent: int) -> None:
    with pytest.raises(ValueError):
        encode_sfloat(value, exponent)


def test_encode_sfloat_refuses_values_without_exact_form() -> None:
    with pytest.raises(ValueError):
        encode_sfloat(1 / 3)


def test_sfloat_round_trip_over_every_finite_code() -> None:
    checked = 0
    for raw in range(0x10000):
        exponent = (raw >> 12) - 16 if raw >> 15 else raw >> 12
        mantissa = (raw & 0xFFF) - 0x1000 if raw & 0x800 else raw & 0xFFF
        if abs(mantissa) > 2045:
            continue
        value = sfloat_from_raw(raw)
        assert encode_sfloat(value, exponent) == raw.to_bytes(2, "little"), hex(raw)
        checked += 1
    assert checked == 16 * 4091


@pytest.mark.parametrize("raw", [0xFF00016E, 0x00000078, 0xFBFFFFFF, 0x80000001, 0x7F7FFFFD])
def test_float_round_trip(raw: int) -> None:
    exponent = raw >> 24
    exponent = exponent - 256 if exponent & 0x80 else exponent
    assert encode_float(float_from_raw(raw), exponent) == raw.to_bytes(4, "little")
