"""Property tests for every codec: arbitrary bytes raise only the codec's DecodeError, and
encode → decode round-trips. ``make fuzz`` runs these with FUZZ_EXAMPLES=100000."""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from devices.adverts.xiaomi import (
    decode_mi_scale_v1,
    decode_mi_scale_v2,
    encode_mi_scale_v1,
    encode_mi_scale_v2,
)
from devices.decode import SUPPORTED_CHARACTERISTICS, decode_characteristic
from devices.errors import DecodeError
from devices.gatt.battery import decode_battery_level, encode_battery_level
from devices.gatt.bcs import decode_body_composition, encode_body_composition, split_packets
from devices.gatt.cts import decode_current_time, encode_current_time
from devices.gatt.gls import (
    RacpOpCode,
    RacpOperator,
    RacpRequest,
    decode_glucose_context,
    decode_glucose_feature,
    decode_glucose_measurement,
    decode_racp_request,
    decode_racp_response,
    encode_glucose_context,
    encode_glucose_measurement,
    encode_racp_request,
)
from devices.gatt.uds import decode_ucp_response, decode_user_index
from devices.gatt.wss import (
    decode_weight_measurement,
    decode_weight_scale_feature,
    encode_weight_measurement,
)
from devices.readings import MassUnit, MealContext, SampleLocation, SampleType

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "300"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    derandomize=EXAMPLES <= 1000,  # make test: reproducible; make fuzz: new inputs each run
    suppress_health_check=[HealthCheck.too_slow],
)

CODECS: dict[str, Callable[[bytes], Any]] = {
    "2a18": decode_glucose_measurement,
    "2a34": decode_glucose_context,
    "2a51": decode_glucose_feature,
    "2a52:request": decode_racp_request,
    "2a52": decode_racp_response,
    "2a9d": decode_weight_measurement,
    "2a9e": decode_weight_scale_feature,
    "2a9c": lambda data: decode_body_composition(split_packets(data)),
    "2a2b": decode_current_time,
    "2a19": decode_battery_level,
    "2a9f": decode_ucp_response,
    "2a9a": decode_user_index,
    "adv:181d": decode_mi_scale_v1,
    "adv:181b": decode_mi_scale_v2,
}

# Raw bytes, plus bytes that start with plausible flags so deeper branches are reached.
payloads = st.one_of(
    st.binary(max_size=40),
    st.builds(
        lambda head, rest: head + rest,
        st.sampled_from(
            [
                b"\x1b",
                b"\x06",
                b"\x0f",
                b"\x00\x1e",
                b"\x66\x11",
                b"\x05\x00",
                b"\x06\x00",
                b"\x20\x01",
            ]
        ),
        st.binary(max_size=30),
    ),
)


@pytest.mark.parametrize("name", sorted(CODECS))
def test_codec_raises_only_decode_error(name: str) -> None:
    codec = CODECS[name]

    @FUZZ
    @given(payloads)
    def run(data: bytes) -> None:
        try:
            codec(data)
        except DecodeError as exc:
            assert exc.raw == data or data.startswith(exc.raw) or exc.raw in data
            assert exc.characteristic == name.split(":request")[0]

    run()


@FUZZ
@given(st.sampled_from([*SUPPORTED_CHARACTERISTICS, "adv:181b", "adv:181d"]), payloads)
def test_cli_decoder_raises_only_decode_error(char: str, data: bytes) -> None:
    try:
        out = decode_characteristic(char, data)
    except DecodeError:
        return
    # Output is JSON-safe: no NaN/inf leaks into the printed object.
    for value in out.values():
        assert not (isinstance(value, float) and not math.isfinite(value))


datetimes = st.datetimes(min_value=datetime(1582, 1, 1), max_value=datetime(9999, 12, 31)).map(
    lambda d: d.replace(microsecond=0)
)


@FUZZ
@given(
    seq=st.integers(0, 0xFFFF),
    base=st.one_of(st.none(), datetimes),
    offset=st.one_of(st.none(), st.integers(-0x8000, 0x7FFF)),
    mg_dl=st.one_of(st.none(), st.integers(0, 2045)),  # the encoder keeps 2046+ for specials
    sample=st.sampled_from(list(SampleType)),
    location=st.sampled_from(list(SampleLocation)),
    status=st.one_of(st.none(), st.frozensets(st.sampled_from(["battery_low", "time_fault"]))),
    follows=st.booleans(),
)
def test_glucose_round_trip(
    seq: int,
    base: datetime | None,
    offset: int | None,
    mg_dl: int | None,
    sample: SampleType,
    location: SampleLocation,
    status: frozenset[str] | None,
    follows: bool,
) -> None:
    concentration = None if mg_dl is None else mg_dl / 100_000
    data = encode_glucose_measurement(
        sequence=seq,
        base_time=base,
        time_offset_min=offset,
        concentration=concentration,
        sample_type=sample,
        sample_location=location,
        status=status,
        context_follows=follows,
    )
    m = decode_glucose_measurement(data)
    assert (m.sequence, m.base_time, m.time_offset_min, m.context_follows) == (
        seq,
        base,
        offset,
        follows,
    )
    if mg_dl is not None:
        assert m.mg_dl() == mg_dl
        assert (m.sample_type, m.sample_location) == (sample, location)
    assert m.status == (status or frozenset())


@FUZZ
@given(seq=st.integers(0, 0xFFFF), meal=st.one_of(st.none(), st.sampled_from(list(MealContext))))
def test_glucose_context_round_trip(seq: int, meal: MealContext | None) -> None:
    c = decode_glucose_context(
        encode_glucose_context(sequence=seq, meal=meal, carbohydrate=(1, 45.0))
    )
    assert (c.sequence, c.meal, c.carbohydrate_g) == (seq, meal, 45.0)


@FUZZ
@given(
    op=st.sampled_from(
        [RacpOpCode.REPORT_RECORDS, RacpOpCode.REPORT_NUMBER, RacpOpCode.DELETE_RECORDS]
    ),
    operator=st.sampled_from([o for o in RacpOperator if o is not RacpOperator.NULL]),
    a=st.integers(0, 0xFFFF),
    b=st.integers(0, 0xFFFF),
)
def test_racp_round_trip(op: RacpOpCode, operator: RacpOperator, a: int, b: int) -> None:
    low = a if operator in (RacpOperator.GREATER_OR_EQUAL, RacpOperator.WITHIN_RANGE) else None
    high = b if operator in (RacpOperator.LESS_OR_EQUAL, RacpOperator.WITHIN_RANGE) else None
    req = RacpRequest(op, operator, low, high)
    assert decode_racp_request(encode_racp_request(req)) == req


@FUZZ
@given(
    raw=st.integers(0, 0xFFFE),
    imperial=st.booleans(),
    stamp=st.one_of(st.none(), datetimes),
    user=st.one_of(st.none(), st.integers(0, 254)),
    bmi_height=st.one_of(st.none(), st.tuples(st.integers(0, 0xFFFF), st.integers(0, 0xFFFF))),
)
def test_weight_round_trip(
    raw: int,
    imperial: bool,
    stamp: datetime | None,
    user: int | None,
    bmi_height: tuple[int, int] | None,
) -> None:
    weight = raw / 100 if imperial else raw / 200
    bmi = height = None
    if bmi_height is not None:
        bmi = bmi_height[0] / 10
        height = bmi_height[1] / 10 if imperial else bmi_height[1] / 1000
    data = encode_weight_measurement(
        weight,
        unit=MassUnit.LB if imperial else MassUnit.KG,
        timestamp=stamp,
        user_id=user,
        bmi=bmi,
        height=height,
    )
    m = decode_weight_measurement(data)
    assert (m.weight, m.measured_at, m.user_id, m.bmi, m.height) == (
        weight,
        stamp,
        user,
        bmi,
        height,
    )


@FUZZ
@given(
    fat=st.integers(0, 1000),
    user=st.integers(0, 254),
    weight_raw=st.integers(0, 0xFFFE),
    impedance_raw=st.integers(0, 0xFFFF),
    muscle_raw=st.integers(0, 0xFFFE),
    split=st.booleans(),
)
def test_body_composition_round_trip(
    fat: int, user: int, weight_raw: int, impedance_raw: int, muscle_raw: int, split: bool
) -> None:
    fields: dict[str, Any] = {
        "user_id": user,
        "muscle_mass": muscle_raw / 200,
        "impedance_ohm": impedance_raw / 10,
        "weight": weight_raw / 200,
    }
    if split:
        first = encode_body_composition(
            fat / 10, multi_packet=True, user_id=user, muscle_mass=fields["muscle_mass"]
        )
        second = encode_body_composition(
            fat / 10,
            multi_packet=True,
            impedance_ohm=fields["impedance_ohm"],
            weight=fields["weight"],
        )
        data = first + second
    else:
        data = encode_body_composition(fat / 10, **fields)
    m = decode_body_composition(split_packets(data))
    assert m.body_fat_percent == fat / 10
    assert (m.user_id, m.muscle_mass, m.impedance_ohm, m.weight) == (
        user,
        fields["muscle_mass"],
        fields["impedance_ohm"],
        fields["weight"],
    )


@FUZZ
@given(stamp=datetimes)
def test_current_time_round_trip(stamp: datetime) -> None:
    assert decode_current_time(encode_current_time(stamp)).timestamp == stamp


@FUZZ
@given(
    raw=st.integers(0, 0xFFFF),
    unit=st.sampled_from(["kg", "lb", "jin"]),
    stabilized=st.booleans(),
    removed=st.booleans(),
    impedance=st.integers(1, 0xFFFF),
    stamp=st.one_of(st.none(), datetimes),
)
def test_xiaomi_round_trip(
    raw: int, unit: str, stabilized: bool, removed: bool, impedance: int, stamp: datetime | None
) -> None:
    weight = raw / 200 if unit == "kg" else raw / 100
    v1 = decode_mi_scale_v1(
        encode_mi_scale_v1(
            weight, unit=unit, stabilized=stabilized, removed=removed, measured_at=stamp
        )
    )
    assert (v1.weight, v1.unit, v1.stabilized, v1.measured_at) == (
        weight,
        unit,
        stabilized and not removed,
        stamp,
    )
    v2 = decode_mi_scale_v2(
        encode_mi_scale_v2(
            weight,
            unit=unit,
            stabilized=stabilized,
            removed=removed,
            impedance_ohm=impedance,
            measured_at=stamp,
        )
    )
    assert (v2.weight, v2.unit, v2.impedance_ohm, v2.load_removed) == (
        weight,
        unit,
        impedance,
        removed,
    )


@FUZZ
@given(st.integers(0, 100))
def test_battery_round_trip(percent: int) -> None:
    assert decode_battery_level(encode_battery_level(percent)) == percent
