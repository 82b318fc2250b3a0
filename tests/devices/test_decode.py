"""The CLI decoder (devices/decode.py): ``kiosk devices decode CHAR HEX...``."""

from __future__ import annotations

import json

import pytest

from devices.decode import decode_characteristic, parse_hex_args
from devices.errors import DecodeError, DeviceError, UnsupportedCharacteristicError

B1 = bytes.fromhex("1E 8A 00 58 00 78 00 00 00 04 11 14 29 3B 3C 00 01 27 00")
B4 = bytes.fromhex("00 78 00 50 00 5A 00")


def test_b1_exact_output() -> None:
    assert decode_characteristic("2a35", B1) == {
        "kind": "blood_pressure",
        "systolic": 138.0,
        "diastolic": 88.0,
        "mean_arterial": 120.0,
        "unit": "mmHg",
        "pulse_rate": 60.0,
        "timestamp": None,
        "user_id": 1,
        "status": ["body_movement", "cuff_too_loose", "improper_position", "irregular_pulse"],
        "plausible": True,
    }


def test_b4_exact_output() -> None:
    assert decode_characteristic("0x2A35", B4) == {
        "kind": "blood_pressure",
        "systolic": 120.0,
        "diastolic": 80.0,
        "mean_arterial": 90.0,
        "unit": "mmHg",
        "pulse_rate": None,
        "timestamp": None,
        "user_id": None,
        "status": [],
        "plausible": True,
    }


def test_output_is_plain_json() -> None:
    result = decode_characteristic("2a35", B1)
    assert json.loads(json.dumps(result)) == result
    assert type(result["unit"]) is str
    assert all(type(s) is str for s in result["status"])


@pytest.mark.parametrize(
    "char", ["2a35", "2A35", "0x2a35", "0X2A35", " 2a35 ", "00002a35-0000-1000-8000-00805f9b34fb"]
)
def test_characteristic_spellings(char: str) -> None:
    assert decode_characteristic(char, B4)["systolic"] == 120.0


def test_kpa_timestamp_and_implausible() -> None:
    data = bytes.fromhex("03 BD F0 0B 00 9F F0 E2 07 04 11 0F 33 00")
    result = decode_characteristic("2a35", data)
    assert result["unit"] == "kPa"
    assert result["systolic"] == 18.9
    assert result["timestamp"] == "2018-04-17T15:51:00"
    assert result["plausible"] is True
    high = decode_characteristic("2a35", bytes.fromhex("00 40 01 50 00 5A 00"))  # 320/80
    assert high["systolic"] == 320.0
    assert high["plausible"] is False


def test_intermediate_cuff_pressure() -> None:
    assert decode_characteristic("2a36", bytes.fromhex("15 6F F0 00 00 00 00 3C 00 12 00")) == {
        "kind": "intermediate_cuff_pressure",
        "cuff_pressure": 11.1,
        "unit": "kPa",
        "pulse_rate": 60.0,
        "timestamp": None,
        "user_id": None,
        "status": ["cuff_too_loose", "pulse_below_range"],
    }


def test_feature() -> None:
    assert decode_characteristic("2a49", bytes.fromhex("05 00")) == {
        "kind": "blood_pressure_feature",
        "features": ["body_movement_detection", "irregular_pulse_detection"],
    }


def test_date_time() -> None:
    assert decode_characteristic("2a08", bytes.fromhex("E2 07 04 11 0F 33 00")) == {
        "kind": "date_time",
        "timestamp": "2018-04-17T15:51:00",
    }


@pytest.mark.parametrize(
    "char", ["2a99", "180a", "zz", "2a3", "", "12345678-1234-5678-1234-567812345678"]
)
def test_unsupported_characteristic(char: str) -> None:
    with pytest.raises(UnsupportedCharacteristicError) as info:
        decode_characteristic(char, B4)
    assert isinstance(info.value, DeviceError)
    assert not isinstance(info.value, DecodeError)


def test_unknown_characteristic_error_lists_what_is_supported() -> None:
    with pytest.raises(UnsupportedCharacteristicError) as info:
        decode_characteristic("0x2A99", B4)
    assert info.value.characteristic == "2a99"
    assert "2a35" in str(info.value)


def test_malformed_data_raises_decode_error_with_raw() -> None:
    with pytest.raises(DecodeError) as info:
        decode_characteristic("2a35", B4 + b"\x00")
    assert info.value.raw == B4 + b"\x00"
    assert info.value.offset == 7


@pytest.mark.parametrize(
    "args",
    [
        ["1E", "8A", "00"],
        ["1E 8A 00"],
        ["1e8a00"],
        ["1E:8A:00"],
        ["1E:8A", "00"],
        ["0x1E", "0x8A00"],
        ["1e-8a-00"],
        ["1E,8A,00"],
        ["  1E\t8A\n00  "],
    ],
)
def test_parse_hex_args(args: list[str]) -> None:
    assert parse_hex_args(args) == b"\x1e\x8a\x00"


@pytest.mark.parametrize("args", [[], [""], ["  "], ["1E8"], ["1E", "8"], ["zz"], ["0x"], ["1G"]])
def test_parse_hex_args_refuses_bad_input(args: list[str]) -> None:
    with pytest.raises(ValueError):
        parse_hex_args(args)


def test_hex_args_feed_the_decoder() -> None:
    data = parse_hex_args(["1E 8A 00 58 00 78 00", "00 00 04 11 14 29 3B", "3C:00:01:27:00"])
    assert decode_characteristic("2a35", data)["systolic"] == 138.0
