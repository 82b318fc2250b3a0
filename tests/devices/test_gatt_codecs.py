"""devices.md §8 vectors for the GLS, WSS, BCS, CTS, Battery, UDS codecs and Xiaomi adverts."""

from __future__ import annotations

import math
from datetime import datetime

import pytest

from devices.adverts.xiaomi import (
    decode_mi_scale_v1,
    decode_mi_scale_v2,
    encode_mi_scale_v1,
    encode_mi_scale_v2,
)
from devices.errors import DecodeError
from devices.gatt.battery import decode_battery_level
from devices.gatt.bcs import (
    decode_body_composition,
    decode_body_composition_packet,
    encode_body_composition,
    split_packets,
)
from devices.gatt.cts import decode_current_time, encode_current_time
from devices.gatt.gls import (
    GlucoseFeature,
    RacpOpCode,
    RacpOperator,
    RacpRequest,
    RacpResponseCode,
    decode_glucose_context,
    decode_glucose_feature,
    decode_glucose_measurement,
    decode_racp_request,
    decode_racp_response,
    encode_racp_request,
)
from devices.gatt.uds import (
    UcpResult,
    decode_ucp_response,
    decode_user_index,
    encode_consent,
    encode_register_user,
)
from devices.gatt.wss import decode_weight_measurement, decode_weight_scale_feature
from devices.readings import (
    DeviceIdentity,
    GlucoseUnit,
    MassUnit,
    MealContext,
    SampleLocation,
    SampleType,
)

DEV = DeviceIdentity(address="test")


def h(text: str) -> bytes:
    return bytes.fromhex(text)


# --- 8.3 Glucose Measurement ------------------------------------------------------------------


def test_g1_full_measurement() -> None:
    m = decode_glucose_measurement(h("1B 01 00 E3 07 02 1B 0B 0A 1E FB FF 1E 00 12 05 01"))
    assert m.sequence == 1
    assert m.base_time == datetime(2019, 2, 27, 11, 10, 30)
    assert m.time_offset_min == -5
    assert m.timestamp == datetime(2019, 2, 27, 11, 5, 30)
    assert m.concentration == 30.0 and m.unit == "kg/L"
    assert m.sample_type is SampleType.CAPILLARY_PLASMA
    assert m.sample_location is SampleLocation.FINGER
    assert m.status == {"battery_low", "sample_size_insufficient", "temperature_too_low"}
    assert m.context_follows


def test_g4_mol_per_litre() -> None:
    m = decode_glucose_measurement(h("06 0A 00 E8 07 05 01 08 00 00 3E C0 11"))
    assert m.unit == "mol/L" and m.concentration == 0.0062
    assert m.mg_dl() == pytest.approx(111.6)
    reading = m.to_reading(DEV)
    assert reading is not None
    assert reading.unit is GlucoseUnit.MMOL_L and reading.concentration == 6.2


def test_kg_per_litre_is_exact_mg_dl() -> None:
    m = decode_glucose_measurement(h("02 05 00 E8 07 05 01 08 00 00 6F B0 11"))
    assert m.mg_dl() == 111.0  # not 111.00000000000001


def test_g5_missing_bytes_keep_raw() -> None:
    data = h("1B 00 00 E2 07 04 1A 0B 09 1E 1E 00 12 05 01")
    with pytest.raises(DecodeError) as info:
        decode_glucose_measurement(data)
    assert info.value.raw == data and info.value.characteristic == "2a18"


def test_glucose_special_values() -> None:
    base = "02 05 00 E8 07 05 01 08 00 00"
    assert decode_glucose_measurement(h(base + " FF 07 11")).concentration is None  # NaN
    assert decode_glucose_measurement(h(base + " 00 08 11")).concentration is None  # NRes
    high = decode_glucose_measurement(h(base + " FE 07 11"))
    assert high.concentration == math.inf and high.mg_dl() == math.inf


def test_control_solution_and_trailing_bytes_tolerated() -> None:
    m = decode_glucose_measurement(h("02 07 00 EA 07 0C 04 09 0F 00 62 B0 4A 00 00"))
    assert m.is_control_solution and m.mg_dl() == 98.0


def test_time_offset_overrun_is_not_applied() -> None:
    m = decode_glucose_measurement(h("01 05 00 E8 07 05 01 08 00 00 FF 7F"))
    assert m.timestamp == datetime(2024, 5, 1, 8, 0)


# --- 8.4 Context ----------------------------------------------------------------------------


def test_context_vectors() -> None:
    c1 = decode_glucose_context(h("03 0D 00 01 5A 00 02"))
    assert (c1.sequence, c1.carbohydrate_id, c1.carbohydrate_g) == (13, 1, 90.0)
    assert c1.meal is MealContext.POSTPRANDIAL
    c2 = decode_glucose_context(h("0F 0E 00 01 5A 00 02 42 08 07 4B"))
    assert (c2.tester, c2.health, c2.exercise_duration_s, c2.exercise_intensity_percent) == (
        2,
        4,
        1800,
        75,
    )
    c3 = decode_glucose_context(h("5F 0F 00 01 5A 00 02 42 08 07 4B 02 0F 00 06 00"))
    assert (c3.medication_id, c3.medication, c3.medication_unit, c3.hba1c_percent) == (
        2,
        15.0,
        "mg",
        6.0,
    )
    c4 = decode_glucose_context(h("00 01 00") + bytes(14))  # Nordic pads to 17 bytes
    assert c4.sequence == 1 and c4.meal is None
    c5 = decode_glucose_context(h("FF 00 00 B3 03 64 00 04 12 3C 00 32 04 D3 F4 59 F1"))
    assert (c5.carbohydrate_id, c5.carbohydrate_g, c5.meal) == (3, 100.0, MealContext.CASUAL)
    assert (c5.tester, c5.health, c5.exercise_duration_s) == (2, 1, 60)
    assert (c5.medication_id, c5.medication, c5.medication_unit) == (4, 123.5, "mL")
    assert c5.hba1c_percent == 34.5


def test_context_merges_meal_by_sequence() -> None:
    m = decode_glucose_measurement(h("12 0D 00 E8 07 05 01 08 00 00 6F B0 11"))
    c = decode_glucose_context(h("03 0D 00 01 5A 00 02"))
    reading = m.to_reading(DEV, c)
    assert reading is not None and reading.meal is MealContext.POSTPRANDIAL
    other = decode_glucose_context(h("03 0E 00 01 5A 00 02"))
    assert (r := m.to_reading(DEV, other)) is not None and r.meal is None


def test_glucose_feature() -> None:
    features = decode_glucose_feature(h("F0 03"))
    assert features == {
        GlucoseFeature.STRIP_TYPE_ERROR_DETECTION,
        GlucoseFeature.RESULT_HIGH_LOW_DETECTION,
        GlucoseFeature.TEMPERATURE_HIGH_LOW_DETECTION,
        GlucoseFeature.READ_INTERRUPT_DETECTION,
        GlucoseFeature.GENERAL_DEVICE_FAULT,
        GlucoseFeature.TIME_FAULT,
    }


# --- 8.5 RACP -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hex_", "req"),
    [
        ("01 01", RacpRequest(RacpOpCode.REPORT_RECORDS, RacpOperator.ALL)),
        ("04 01", RacpRequest(RacpOpCode.REPORT_NUMBER, RacpOperator.ALL)),
        (
            "01 03 01 0F 00",
            RacpRequest(RacpOpCode.REPORT_RECORDS, RacpOperator.GREATER_OR_EQUAL, low=15),
        ),
        (
            "01 04 01 01 00 0A 00",
            RacpRequest(RacpOpCode.REPORT_RECORDS, RacpOperator.WITHIN_RANGE, low=1, high=10),
        ),
        ("01 06", RacpRequest(RacpOpCode.REPORT_RECORDS, RacpOperator.LAST)),
        ("01 05", RacpRequest(RacpOpCode.REPORT_RECORDS, RacpOperator.FIRST)),
        ("02 01", RacpRequest(RacpOpCode.DELETE_RECORDS, RacpOperator.ALL)),
        ("03 00", RacpRequest(RacpOpCode.ABORT, RacpOperator.NULL)),
    ],
)
def test_racp_requests_round_trip(hex_: str, req: RacpRequest) -> None:
    assert encode_racp_request(req) == h(hex_)
    assert decode_racp_request(h(hex_)) == req


def test_racp_responses() -> None:
    assert decode_racp_response(h("05 00 0A 00")).count == 10
    assert decode_racp_response(h("05 00 02 01")).count == 258
    assert decode_racp_response(h("05 00 01")).count == 1
    assert decode_racp_response(h("05 00 04 03 02 01")).count == 16909060
    ok = decode_racp_response(h("06 00 01 01"))
    assert ok.success and ok.request_op == 1
    assert decode_racp_response(h("06 00 01 06")).code is RacpResponseCode.NO_RECORDS_FOUND
    assert decode_racp_response(h("06 00 0C 02")).code is RacpResponseCode.OP_CODE_NOT_SUPPORTED
    assert decode_racp_response(h("06 00 03 07")).code is RacpResponseCode.ABORT_UNSUCCESSFUL
    assert decode_racp_response(h("06 00 02 09")).code is RacpResponseCode.OPERAND_NOT_SUPPORTED


@pytest.mark.parametrize("hex_", ["06 01 01", "01 03 01 02 00", "01 01", "05 00 03 02 01"])
def test_racp_r14_rejected(hex_: str) -> None:
    with pytest.raises(DecodeError) as info:
        decode_racp_response(h(hex_))
    assert info.value.raw == h(hex_)


# --- 8.6 Weight -----------------------------------------------------------------------------


def test_weight_vectors() -> None:
    w1 = decode_weight_measurement(h("00 B0 36"))
    assert (w1.weight, w1.unit) == (70.0, MassUnit.KG)
    w2 = decode_weight_measurement(h("01 54 3D"))
    assert (w2.weight, w2.unit) == (157.0, MassUnit.LB)
    assert w2.weight_kg() == pytest.approx(71.214, abs=1e-3)
    w3 = decode_weight_measurement(h("02 B0 36 E7 07 0C 19 0E 1E 2D"))
    assert w3.measured_at == datetime(2023, 12, 25, 14, 30, 45)
    w4 = decode_weight_measurement(h("0C B0 36 05 F5 00 D6 06"))
    assert (w4.user_id, w4.bmi, w4.height) == (5, 24.5, 1.75)
    w5 = decode_weight_measurement(h("0F 54 3D E7 07 0C 19 0E 1E 2D 03 F5 00 A8 02"))
    assert (w5.user_id, w5.bmi, w5.height) == (3, 24.5, 68.0)
    assert w5.height_m() == pytest.approx(1.7272)
    assert math.isnan(decode_weight_measurement(h("00 FF FF")).weight)


@pytest.mark.parametrize("hex_", ["", "00 B0", "02 B0 36 E7 07", "00 B0 36 00", "04 B0 36"])
def test_weight_length_must_match_flags(hex_: str) -> None:
    with pytest.raises(DecodeError):
        decode_weight_measurement(h(hex_))


def test_weight_scale_feature() -> None:
    f = decode_weight_scale_feature(h("A7 01 00 00"))
    assert (f.time_stamp, f.multiple_users, f.bmi) == (True, True, True)
    assert f.weight_resolution == (0.05, 0.1) and f.height_resolution == (0.001, 0.1)


# --- 8.7 Time -------------------------------------------------------------------------------


def test_current_time_t3_both_ways() -> None:
    t = decode_current_time(h("E8 07 03 0F 0E 1E 2D 05 00 00"))
    assert t.timestamp == datetime(2024, 3, 15, 14, 30, 45) and t.day_of_week == 5
    assert encode_current_time(datetime(2024, 3, 15, 14, 30, 45)) == h(
        "E8 07 03 0F 0E 1E 2D 05 00 00"
    )
    manual = decode_current_time(h("E8 07 03 0F 0E 1E 2D 05 80 01"))
    assert manual.adjust_reasons == {"manual_update"} and manual.fractions256 == 128


@pytest.mark.parametrize("hex_", ["E8 07 03 0F 0E 1E 2D 05 00", "E8 07 03 0F 0E 1E 2D 04 00 00"])
def test_current_time_rejects_short_or_wrong_weekday(hex_: str) -> None:
    with pytest.raises(DecodeError):
        decode_current_time(h(hex_))


# --- 8.8 Body composition -------------------------------------------------------------------


def test_body_composition_vectors() -> None:
    bc1 = decode_body_composition_packet(h("00 00 32 00"))
    assert bc1.body_fat_percent == 5.0
    bc2 = decode_body_composition_packet(h("03 00 96 00 E8 07 06 14 0A 1E 00"))
    assert bc2.unit is MassUnit.LB and bc2.measured_at == datetime(2024, 6, 20, 10, 30)
    bc3 = decode_body_composition_packet(h("0C 00 78 00 05 40 06"))
    assert (bc3.body_fat_percent, bc3.user_id, bc3.basal_metabolism_kj) == (12.0, 5, 1600.0)
    bc4 = decode_body_composition_packet(h("30 00 64 00 C8 00 B8 0B"))
    assert (bc4.muscle_percent, bc4.muscle_mass) == (20.0, 15.0)
    bc5 = decode_body_composition_packet(h("C0 01 50 00 E0 2E 10 27 40 1F"))
    assert (bc5.fat_free_mass, bc5.soft_lean_mass, bc5.body_water_mass) == (60.0, 50.0, 40.0)
    bc6 = decode_body_composition_packet(h("00 0E 46 00 40 1F B0 36 E8 03"))
    assert (bc6.impedance_ohm, bc6.weight, bc6.height) == (800.0, 70.0, 1.0)
    assert math.isnan(decode_body_composition_packet(h("00 00 FF FF")).body_fat_percent)


def test_unsuccessful_body_fat_may_not_carry_values() -> None:
    with pytest.raises(DecodeError):
        decode_body_composition_packet(h("00 04 FF FF B0 36"))


def test_two_packet_form_merges() -> None:
    p1 = encode_body_composition(
        23.4,
        multi_packet=True,
        measured_at=datetime(2024, 6, 20, 10, 30),
        user_id=1,
        muscle_mass=50.5,
    )
    p2 = encode_body_composition(23.4, multi_packet=True, impedance_ohm=512.3, weight=66.85)
    assert split_packets(p1 + p2) == [p1, p2]
    merged = decode_body_composition([p1, p2])
    assert (merged.user_id, merged.muscle_mass, merged.impedance_ohm, merged.weight) == (
        1,
        50.5,
        512.3,
        66.85,
    )
    assert merged.raw == p1 + p2


def test_two_packet_inconsistencies_rejected() -> None:
    p1 = encode_body_composition(23.4, multi_packet=True, user_id=1)
    with pytest.raises(DecodeError, match="second is missing"):
        decode_body_composition([p1])
    with pytest.raises(DecodeError, match="body fat"):
        decode_body_composition([p1, encode_body_composition(20.0, multi_packet=True, weight=70)])
    with pytest.raises(DecodeError, match="repeats"):
        decode_body_composition([p1, encode_body_composition(23.4, multi_packet=True, user_id=2)])
    with pytest.raises(DecodeError, match="without the multiple-packet"):
        decode_body_composition([p1, encode_body_composition(23.4, weight=70)])


# --- 8.9 Xiaomi -----------------------------------------------------------------------------


def test_xiaomi_vectors() -> None:
    x2 = decode_mi_scale_v2(h("02 04 B2 07 01 01 12 10 1A 00 00 A8 52"))
    assert (x2.weight, x2.unit, x2.stabilized, x2.impedance_ohm) == (105.8, "kg", False, None)
    x3 = decode_mi_scale_v2(h("02 82 B2 07 05 04 0F 02 01 00 00 00 00"))
    assert (x3.weight, x3.load_removed, x3.stabilized) == (0.0, True, False)
    x5 = decode_mi_scale_v1(h("A2 20 44 B2 07 01 01 0A 1A 15"))
    assert (x5.weight, x5.stabilized, x5.load_removed) == (87.2, False, True)
    assert x5.measured_at == datetime(1970, 1, 1, 10, 26, 21)


def test_xiaomi_units_and_round_trip() -> None:
    stamp = datetime(2026, 12, 4, 9, 30, 5)
    v2 = decode_mi_scale_v2(encode_mi_scale_v2(66.85, impedance_ohm=480, measured_at=stamp))
    assert (v2.weight_kg(), v2.impedance_ohm, v2.stabilized) == (66.85, 480.0, True)
    jin = decode_mi_scale_v1(encode_mi_scale_v1(133.7, unit="jin", measured_at=stamp))
    assert jin.unit == "jin" and jin.weight_kg() == 66.85
    lb = decode_mi_scale_v1(encode_mi_scale_v1(147.38, unit="lb"))
    assert lb.unit == "lb" and lb.weight_kg() == pytest.approx(66.85, abs=0.01)


# --- Battery, UDS ---------------------------------------------------------------------------


def test_battery_level() -> None:
    assert decode_battery_level(b"\x64") == 100
    for bad in (b"", b"\x65", b"\x10\x00"):
        with pytest.raises(DecodeError):
            decode_battery_level(bad)


def test_user_data_flow_bytes() -> None:
    assert encode_register_user(1234) == h("01 D2 04")
    assert encode_consent(3, 1234) == h("02 03 D2 04")
    registered = decode_ucp_response(h("20 01 01 03"))
    assert registered.success and registered.user_index == 3
    refused = decode_ucp_response(h("20 02 05"))
    assert not refused.success and refused.result is UcpResult.USER_NOT_AUTHORIZED
    assert decode_user_index(b"\xff") is None and decode_user_index(b"\x03") == 3
    with pytest.raises(ValueError):
        encode_consent(1, 10000)
    with pytest.raises(DecodeError):
        decode_ucp_response(h("20 01 01"))  # success without the new index
