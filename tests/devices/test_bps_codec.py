"""Blood Pressure Service and Date Time codecs against devices.md §8.2 and §8.7."""

from __future__ import annotations

from datetime import datetime

import pytest

from devices.errors import DecodeError
from devices.gatt.bps import (
    BloodPressureFeature,
    CuffPressure,
    decode_blood_pressure_feature,
    decode_blood_pressure_measurement,
    decode_intermediate_cuff_pressure,
    encode_blood_pressure_feature,
    encode_blood_pressure_measurement,
    encode_intermediate_cuff_pressure,
)
from devices.gatt.datetime import decode_date_time, encode_date_time, parse_date_time
from devices.readings import (
    BloodPressureReading,
    BloodPressureStatus,
    DeviceIdentity,
    PressureUnit,
)

S = BloodPressureStatus
DEVICE = DeviceIdentity(address="AA:BB:CC:DD:EE:FF", model="UA-651BLE")

B1 = bytes.fromhex("1E 8A 00 58 00 78 00 00 00 04 11 14 29 3B 3C 00 01 27 00")
B2 = bytes.fromhex("15 BD F0 0B 00 9F F0 3C 00 12 00")
B3 = bytes.fromhex("00 BD F0 0B 00 9F F0")
B4 = bytes.fromhex("00 78 00 50 00 5A 00")
I1 = bytes.fromhex("1E 04 00 00 00 00 00 00 00 04 11 14 29 3B 3C 00 01 27 00")
I2 = bytes.fromhex("15 6F F0 00 00 00 00 3C 00 12 00")
I3 = bytes.fromhex("00 D7 F0 00 00 00 00")
T1 = bytes.fromhex("E2 07 04 11 0F 33 00")
T2 = bytes.fromhex("00 00 00 00 12 1A 20")


def decode(data: bytes | bytearray) -> BloodPressureReading:
    return decode_blood_pressure_measurement(data, DEVICE)


# -- 0x2A35 vectors ------------------------------------------------------------------------


def test_b1_full_measurement() -> None:
    reading = decode(B1)
    assert reading == BloodPressureReading(
        device=DEVICE,
        measured_at=None,  # year 0 = unknown date
        user_id=1,
        raw=B1,
        systolic=138.0,
        diastolic=88.0,
        mean_arterial=120.0,
        unit=PressureUnit.MMHG,
        pulse_rate=60.0,
        status=frozenset(
            {S.BODY_MOVEMENT, S.CUFF_TOO_LOOSE, S.IRREGULAR_PULSE, S.IMPROPER_POSITION}
        ),
    )


def test_b2_kpa_with_pulse_and_status() -> None:
    reading = decode(B2)
    assert reading.unit is PressureUnit.KPA
    assert (reading.systolic, reading.diastolic, reading.mean_arterial) == (18.9, 11.0, 15.9)
    assert reading.pulse_rate == 60.0
    assert reading.status == frozenset({S.CUFF_TOO_LOOSE, S.PULSE_BELOW_RANGE})
    assert reading.user_id is None
    assert reading.measured_at is None
    assert reading.raw == B2


def test_b3_minimal() -> None:
    reading = decode(B3)
    assert reading.unit is PressureUnit.MMHG
    assert (reading.systolic, reading.diastolic, reading.mean_arterial) == (18.9, 11.0, 15.9)
    assert reading.pulse_rate is None
    assert reading.status == frozenset()


def test_b4_120_over_80() -> None:
    reading = decode(B4)
    assert (reading.systolic, reading.diastolic, reading.mean_arterial) == (120.0, 80.0, 90.0)
    assert reading.in_mmhg() == (120, 80, 90)
    assert reading.device is DEVICE


def test_timestamp_is_decoded() -> None:
    data = bytes.fromhex("02 78 00 50 00 5A 00") + T1
    assert decode(data).measured_at == datetime(2018, 4, 17, 15, 51, 0)


def test_bytearray_input_is_kept_as_bytes() -> None:
    reading = decode(bytearray(B4))  # bleak hands out bytearrays
    assert reading.raw == B4
    assert type(reading.raw) is bytes


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        (0x0001, {S.BODY_MOVEMENT}),
        (0x0002, {S.CUFF_TOO_LOOSE}),
        (0x0004, {S.IRREGULAR_PULSE}),
        (0x0008, {S.PULSE_ABOVE_RANGE}),
        (0x0010, {S.PULSE_BELOW_RANGE}),
        (0x0018, set()),  # pulse range 3 is RFU
        (0x0020, {S.IMPROPER_POSITION}),
        (0xFFC0, set()),  # RFU bits
    ],
)
def test_status_bits(word: int, expected: set[BloodPressureStatus]) -> None:
    data = bytes.fromhex("10 78 00 50 00 5A 00") + word.to_bytes(2, "little")
    assert decode(data).status == frozenset(expected)


def test_unknown_user_is_none_and_other_ids_are_kept() -> None:
    assert decode(bytes.fromhex("08 78 00 50 00 5A 00 FF")).user_id is None
    assert decode(bytes.fromhex("08 78 00 50 00 5A 00 00")).user_id == 0
    assert decode(bytes.fromhex("08 78 00 50 00 5A 00 FE")).user_id == 254


def test_rfu_flag_bits_are_ignored() -> None:
    assert decode(bytes.fromhex("E0 78 00 50 00 5A 00")).systolic == 120.0


@pytest.mark.parametrize("map_wire", ["FF 07", "00 08", "01 08"])
def test_missing_mean_arterial_is_none(map_wire: str) -> None:
    reading = decode(bytes.fromhex("00 78 00 50 00") + bytes.fromhex(map_wire))
    assert reading.mean_arterial is None
    assert reading.in_mmhg() == (120, 80, None)


def test_missing_pulse_is_none() -> None:
    assert decode(bytes.fromhex("04 78 00 50 00 5A 00 FF 07")).pulse_rate is None


# -- 0x2A35 negatives ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hex_data", "offset"),
    [
        ("01 02 03 04 05 06", 6),  # B7: too short
        ("03 02 03 04 05 06 07", 7),  # B7: flags say time stamp, bytes missing
        ("", 0),
        ("1E 8A 00 58 00 78 00 00 00 04 11 14 29 3B 3C 00 01 27", 18),  # B1 minus a byte
    ],
)
def test_too_short_is_a_decode_error(hex_data: str, offset: int) -> None:
    data = bytes.fromhex(hex_data)
    with pytest.raises(DecodeError) as info:
        decode(data)
    assert info.value.raw == data
    assert info.value.offset == offset
    assert info.value.characteristic == "2a35"


@pytest.mark.parametrize("vector", [B1, B2, B3, B4])
def test_trailing_bytes_are_a_decode_error(vector: bytes) -> None:
    data = vector + b"\x00"
    with pytest.raises(DecodeError) as info:
        decode(data)
    assert info.value.offset == len(vector)
    assert info.value.raw == data
    assert "trailing" in str(info.value)


@pytest.mark.parametrize(
    ("hex_data", "offset"),
    [
        ("00 FF 07 50 00 5A 00", 1),  # systolic NaN
        ("00 00 08 50 00 5A 00", 1),  # systolic NRes
        ("00 78 00 FE 07 5A 00", 3),  # diastolic +INF
        ("00 78 00 50 00 02 08", 5),  # MAP -INF: a claim beyond range, not "no value"
        ("04 78 00 50 00 5A 00 FE 07", 7),  # pulse +INF
    ],
)
def test_non_finite_required_values_are_decode_errors(hex_data: str, offset: int) -> None:
    data = bytes.fromhex(hex_data)
    with pytest.raises(DecodeError) as info:
        decode(data)
    assert info.value.offset == offset
    assert info.value.raw == data


def test_invalid_embedded_timestamp_points_into_the_payload() -> None:
    data = bytes.fromhex("02 78 00 50 00 5A 00 E2 07 0D 11 0F 33 00")  # month 13
    with pytest.raises(DecodeError) as info:
        decode(data)
    assert info.value.offset == 9
    assert info.value.raw == data
    assert info.value.characteristic == "2a35"


# -- 0x2A35 encoder ------------------------------------------------------------------------


def test_encoder_reproduces_b2_b3_b4() -> None:
    assert (
        encode_blood_pressure_measurement(
            systolic=18.9,
            diastolic=11,
            mean_arterial=15.9,
            unit="kPa",
            pulse_rate=60,
            status={S.CUFF_TOO_LOOSE, S.PULSE_BELOW_RANGE},
        )
        == B2
    )
    assert (
        encode_blood_pressure_measurement(
            systolic=18.9, diastolic=11, mean_arterial=15.9, unit=PressureUnit.MMHG
        )
        == B3
    )
    assert encode_blood_pressure_measurement(systolic=120, diastolic=80, mean_arterial=90) == B4


def test_encoder_full_layout() -> None:
    data = encode_blood_pressure_measurement(
        systolic=138,
        diastolic=88,
        mean_arterial=120,
        timestamp=datetime(2018, 4, 17, 15, 51, 0),
        pulse_rate=60,
        user_id=1,
        status={S.BODY_MOVEMENT, S.CUFF_TOO_LOOSE, S.IRREGULAR_PULSE, S.IMPROPER_POSITION},
    )
    assert data == bytes.fromhex("1E 8A 00 58 00 78 00") + T1 + bytes.fromhex("3C 00 01 27 00")
    reading = decode(data)
    assert reading.measured_at == datetime(2018, 4, 17, 15, 51, 0)
    assert reading.pulse_rate == 60.0
    assert reading.user_id == 1


def test_encoder_mean_arterial_none_sends_nan_and_empty_status_sends_zero_word() -> None:
    data = encode_blood_pressure_measurement(
        systolic=120, diastolic=80, mean_arterial=None, status=frozenset()
    )
    assert data == bytes.fromhex("10 78 00 50 00 FF 07 00 00")
    assert decode(data).mean_arterial is None


def test_encoder_rejects_contradictory_pulse_range_and_bad_user() -> None:
    with pytest.raises(ValueError):
        encode_blood_pressure_measurement(
            systolic=120,
            diastolic=80,
            mean_arterial=90,
            status={S.PULSE_ABOVE_RANGE, S.PULSE_BELOW_RANGE},
        )
    with pytest.raises(ValueError):
        encode_blood_pressure_measurement(systolic=120, diastolic=80, mean_arterial=90, user_id=256)


# -- 0x2A36 and 0x2A49 ---------------------------------------------------------------------


def test_i1_i2_i3_cuff_pressure() -> None:
    i1 = decode_intermediate_cuff_pressure(I1)
    assert (i1.pressure, i1.unit, i1.pulse_rate, i1.user_id) == (4.0, PressureUnit.MMHG, 60.0, 1)
    assert i1.status == {S.BODY_MOVEMENT, S.CUFF_TOO_LOOSE, S.IRREGULAR_PULSE, S.IMPROPER_POSITION}
    assert i1.raw == I1
    assert decode_intermediate_cuff_pressure(I2) == CuffPressure(
        pressure=11.1,
        unit=PressureUnit.KPA,
        pulse_rate=60.0,
        status=frozenset({S.CUFF_TOO_LOOSE, S.PULSE_BELOW_RANGE}),
        raw=I2,
    )
    i3 = decode_intermediate_cuff_pressure(I3)
    assert (i3.pressure, i3.unit, i3.pulse_rate) == (21.5, PressureUnit.MMHG, None)


def test_cuff_pressure_encoder_matches_vectors() -> None:
    assert encode_intermediate_cuff_pressure(21.5) == I3
    assert (
        encode_intermediate_cuff_pressure(
            11.1, unit="kPa", pulse_rate=60, status={S.CUFF_TOO_LOOSE, S.PULSE_BELOW_RANGE}
        )
        == I2
    )


def test_cuff_pressure_errors_name_0x2a36() -> None:
    with pytest.raises(DecodeError) as info:
        decode_intermediate_cuff_pressure(bytes.fromhex("00 FF 07 00 00 00 00"))
    assert info.value.characteristic == "2a36"
    assert info.value.offset == 1
    with pytest.raises(DecodeError):
        decode_intermediate_cuff_pressure(I3 + b"\x00")


def test_feature() -> None:
    assert decode_blood_pressure_feature(bytes.fromhex("01 00")) == {
        BloodPressureFeature.BODY_MOVEMENT_DETECTION
    }
    assert decode_blood_pressure_feature(bytes.fromhex("3F 00")) == set(BloodPressureFeature)
    assert decode_blood_pressure_feature(bytes.fromhex("C0 FF")) == frozenset()  # RFU only
    assert encode_blood_pressure_feature(
        {BloodPressureFeature.CUFF_FIT_DETECTION, BloodPressureFeature.MULTIPLE_BOND}
    ) == bytes.fromhex("22 00")


@pytest.mark.parametrize("hex_data", ["", "01", "01 00 00"])
def test_feature_length_is_exact(hex_data: str) -> None:
    with pytest.raises(DecodeError) as info:
        decode_blood_pressure_feature(bytes.fromhex(hex_data))
    assert info.value.characteristic == "2a49"


# -- Date Time 0x2A08 ----------------------------------------------------------------------


def test_t1_t2_date_time() -> None:
    assert decode_date_time(T1) == datetime(2018, 4, 17, 15, 51, 0)
    assert decode_date_time(T2) is None


@pytest.mark.parametrize(
    "hex_data",
    [
        "E2 07 00 11 0F 33 00",  # month unknown
        "E2 07 04 00 0F 33 00",  # day unknown
        "00 00 04 11 14 29 3B",  # year unknown (as in B1)
    ],
)
def test_any_unknown_date_field_gives_none(hex_data: str) -> None:
    assert decode_date_time(bytes.fromhex(hex_data)) is None


@pytest.mark.parametrize(
    ("hex_data", "offset"),
    [
        ("E8 03 04 11 0F 33 00", 0),  # year 1000 < 1582
        ("E2 07 0D 11 0F 33 00", 2),  # month 13
        ("E2 07 04 20 0F 33 00", 3),  # day 32
        ("E2 07 04 11 18 33 00", 4),  # hour 24
        ("E2 07 04 11 0F 3C 00", 5),  # minute 60
        ("E2 07 04 11 0F 33 3C", 6),  # second 60
        ("00 00 00 00 18 00 00", 4),  # time is checked even when the date is unknown
        ("E3 07 02 1E 00 00 00", 3),  # 30 February 2019
    ],
)
def test_invalid_date_time(hex_data: str, offset: int) -> None:
    data = bytes.fromhex(hex_data)
    with pytest.raises(DecodeError) as info:
        decode_date_time(data)
    assert info.value.offset == offset
    assert info.value.raw == data
    assert info.value.characteristic == "2a08"


@pytest.mark.parametrize("hex_data", ["E2 07 04 11 0F 33", "E2 07 04 11 0F 33 00 00"])
def test_date_time_length_is_exact(hex_data: str) -> None:
    with pytest.raises(DecodeError):
        decode_date_time(bytes.fromhex(hex_data))


def test_parse_date_time_short_buffer() -> None:
    with pytest.raises(DecodeError) as info:
        parse_date_time(b"\x00" * 10, 5)
    assert info.value.offset == 10


def test_date_time_encoder() -> None:
    assert encode_date_time(datetime(2018, 4, 17, 15, 51, 0)) == T1
    assert encode_date_time(datetime(2024, 3, 15, 14, 30, 45, 999_000)) == bytes.fromhex(
        "E8 07 03 0F 0E 1E 2D"
    )
    assert encode_date_time(None) == bytes(7)
    with pytest.raises(ValueError):
        encode_date_time(datetime(1500, 1, 1))
