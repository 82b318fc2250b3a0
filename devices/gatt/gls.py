"""Glucose Service codecs: 0x2A18 measurement, 0x2A34 context, 0x2A51 feature, 0x2A52 RACP.

Glucose Measurement (little-endian)::

    flags u8 | sequence u16 | base time (7 B) | [time offset s16 min, bit0]
    [concentration SFLOAT + type/location nibbles, bit1; unit bit2: 0 kg/L, 1 mol/L]
    [sensor status u16, bit3]                 bit4 = a 0x2A34 with the same sequence follows

Bytes after the announced fields are ignored for 0x2A18/0x2A34: meters pad (Nordic's test pads
context to 17 bytes) and GLS reserves the rest for extension. Too few bytes is an error.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from devices.errors import DecodeError
from devices.gatt.datetime import encode_date_time, parse_date_time
from devices.ieee11073 import decode_sfloat, encode_sfloat
from devices.readings import (
    MGDL_PER_MMOLL,
    DeviceIdentity,
    GlucoseReading,
    GlucoseUnit,
    MealContext,
    SampleLocation,
    SampleType,
)

__all__ = [
    "GlucoseContext",
    "GlucoseFeature",
    "GlucoseMeasurement",
    "RacpOpCode",
    "RacpOperator",
    "RacpRequest",
    "RacpResponse",
    "RacpResponseCode",
    "decode_glucose_context",
    "decode_glucose_feature",
    "decode_glucose_measurement",
    "decode_racp_request",
    "decode_racp_response",
    "encode_glucose_context",
    "encode_glucose_feature",
    "encode_glucose_measurement",
    "encode_racp_request",
    "encode_racp_response",
]

GM = "2a18"
GMC = "2a34"
GF = "2a51"
RACP = "2a52"

_SAMPLE_TYPES = dict(enumerate(SampleType, start=1))  # 1..10 in spec order
_SAMPLE_LOCATIONS = {
    1: SampleLocation.FINGER,
    2: SampleLocation.ALTERNATE_SITE,
    3: SampleLocation.EARLOBE,
    4: SampleLocation.CONTROL_SOLUTION,
    15: SampleLocation.NOT_AVAILABLE,
}
_MEALS = dict(enumerate(MealContext, start=1))
_TIME_OFFSET_INVALID = (0x7FFF, -0x8000)  # overrun / underrun

SENSOR_STATUS = (
    "battery_low",
    "sensor_malfunction",
    "sample_size_insufficient",
    "strip_insertion_error",
    "strip_type_incorrect",
    "result_too_high",
    "result_too_low",
    "temperature_too_high",
    "temperature_too_low",
    "read_interrupted",
    "general_device_fault",
    "time_fault",
)


class GlucoseFeature(enum.StrEnum):
    LOW_BATTERY_DETECTION = "low_battery_detection"
    SENSOR_MALFUNCTION_DETECTION = "sensor_malfunction_detection"
    SAMPLE_SIZE = "sample_size"
    STRIP_INSERTION_ERROR_DETECTION = "strip_insertion_error_detection"
    STRIP_TYPE_ERROR_DETECTION = "strip_type_error_detection"
    RESULT_HIGH_LOW_DETECTION = "result_high_low_detection"
    TEMPERATURE_HIGH_LOW_DETECTION = "temperature_high_low_detection"
    READ_INTERRUPT_DETECTION = "read_interrupt_detection"
    GENERAL_DEVICE_FAULT = "general_device_fault"
    TIME_FAULT = "time_fault"
    MULTIPLE_BOND = "multiple_bond"


def _error(message: str, char: str, data: bytes, offset: int | None) -> DecodeError:
    return DecodeError(message, characteristic=char, raw=data, offset=offset)


def _need(data: bytes, end: int, char: str, what: str) -> None:
    if len(data) < end:
        raise _error(f"too short: {what} needs {end} bytes, got {len(data)}", char, data, len(data))


@dataclass(frozen=True, slots=True, kw_only=True)
class GlucoseMeasurement:
    """One 0x2A18 record as sent. ``concentration`` is in ``unit`` ("kg/L" or "mol/L")."""

    sequence: int
    base_time: datetime | None
    time_offset_min: int | None = None
    concentration: float | None = None
    unit: str = "kg/L"
    sample_type: SampleType | None = None
    sample_location: SampleLocation | None = None
    status: frozenset[str] = frozenset()
    context_follows: bool = False
    raw: bytes = b""

    @property
    def timestamp(self) -> datetime | None:
        """User-facing time: base time + offset (an overrun/underrun offset is not applied)."""
        if self.base_time is None or self.time_offset_min is None:
            return self.base_time
        if self.time_offset_min in _TIME_OFFSET_INVALID:
            return self.base_time
        return self.base_time + timedelta(minutes=self.time_offset_min)

    def mg_dl(self) -> float | None:
        """Concentration in mg/dL (kg/L × 100 000; mol/L × 1000 × 18); None when absent."""
        if self.concentration is None:
            return None
        if math.isinf(self.concentration):  # beyond the meter's range: keep the direction
            return self.concentration
        # Decimal keeps 0.00111 kg/L at exactly 111 mg/dL instead of 111.00000000000001.
        exact = Decimal(repr(self.concentration))
        if self.unit == "kg/L":
            return float(exact.scaleb(5))
        return float(exact.scaleb(3) * Decimal(repr(MGDL_PER_MMOLL)))

    @property
    def is_control_solution(self) -> bool:
        return (
            self.sample_type is SampleType.CONTROL_SOLUTION
            or self.sample_location is SampleLocation.CONTROL_SOLUTION
        )

    def to_reading(
        self, device: DeviceIdentity, context: GlucoseContext | None = None
    ) -> GlucoseReading | None:
        """The neutral reading (mg/dL or mmol/L), or None when no concentration was sent."""
        if self.concentration is None:
            return None
        if self.unit == "kg/L":
            mg_dl = self.mg_dl()
            value, unit = (math.nan if mg_dl is None else mg_dl), GlucoseUnit.MG_DL
        else:
            value = self.concentration * 1000
            if math.isfinite(value):
                value = float(Decimal(repr(self.concentration)).scaleb(3))
            unit = GlucoseUnit.MMOL_L
        meal = context.meal if context is not None and context.sequence == self.sequence else None
        return GlucoseReading(
            device=device,
            measured_at=self.timestamp,
            raw=self.raw,
            concentration=value,
            unit=unit,
            sample_type=self.sample_type,
            sample_location=self.sample_location,
            meal=meal,
            sequence_number=self.sequence,
        )


def decode_glucose_measurement(data: bytes | bytearray) -> GlucoseMeasurement:
    """Decode one 0x2A18 notification; DecodeError (raw kept) when fields are missing."""
    data = bytes(data)
    _need(data, 10, GM, "flags + sequence + base time")
    flags = data[0]
    sequence = int.from_bytes(data[1:3], "little")
    base_time = parse_date_time(data, 3, characteristic=GM)
    pos = 10
    offset = None
    if flags & 0x01:
        _need(data, pos + 2, GM, "time offset")
        offset = int.from_bytes(data[pos : pos + 2], "little", signed=True)
        pos += 2
    concentration = None
    sample_type = None
    location = None
    if flags & 0x02:
        _need(data, pos + 3, GM, "concentration + type/location")
        concentration = decode_sfloat(data, pos)
        if math.isnan(concentration):
            concentration = None
        nibbles = data[pos + 2]
        sample_type = _SAMPLE_TYPES.get(nibbles & 0x0F)
        location = _SAMPLE_LOCATIONS.get(nibbles >> 4)
        pos += 3
    status: frozenset[str] = frozenset()
    if flags & 0x08:
        _need(data, pos + 2, GM, "sensor status")
        word = int.from_bytes(data[pos : pos + 2], "little")
        status = frozenset(name for bit, name in enumerate(SENSOR_STATUS) if word >> bit & 1)
        pos += 2
    return GlucoseMeasurement(
        sequence=sequence,
        base_time=base_time,
        time_offset_min=offset,
        concentration=concentration,
        unit="mol/L" if flags & 0x04 else "kg/L",
        sample_type=sample_type,
        sample_location=location,
        status=status,
        context_follows=bool(flags & 0x10),
        raw=data,
    )


def encode_glucose_measurement(
    *,
    sequence: int,
    base_time: datetime | None,
    time_offset_min: int | None = None,
    concentration: float | None = None,
    unit: str = "kg/L",
    sample_type: SampleType | None = None,
    sample_location: SampleLocation | None = None,
    status: frozenset[str] | None = None,
    context_follows: bool = False,
) -> bytes:
    """Spec bytes for 0x2A18. kg/L values use exponent −5 (mantissa = mg/dL), as meters do."""
    flags = 0x04 if unit == "mol/L" else 0
    body = sequence.to_bytes(2, "little") + encode_date_time(base_time)
    if time_offset_min is not None:
        flags |= 0x01
        body += time_offset_min.to_bytes(2, "little", signed=True)
    if concentration is not None:
        flags |= 0x02
        exponent = -5 if unit == "kg/L" and math.isfinite(concentration) else None
        type_code = (
            {v: k for k, v in _SAMPLE_TYPES.items()}.get(sample_type, 0) if sample_type else 0
        )
        loc_code = (
            {v: k for k, v in _SAMPLE_LOCATIONS.items()}.get(sample_location, 0)
            if sample_location
            else 0
        )
        body += encode_sfloat(concentration, exponent) + bytes(((loc_code << 4) | type_code,))
    if status is not None:
        flags |= 0x08
        word = sum(1 << SENSOR_STATUS.index(name) for name in status)
        body += word.to_bytes(2, "little")
    if context_follows:
        flags |= 0x10
    return bytes((flags,)) + body


@dataclass(frozen=True, slots=True, kw_only=True)
class GlucoseContext:
    """One 0x2A34 record. Carbohydrate in grams, medication in mg or mL, HbA1c in %."""

    sequence: int
    carbohydrate_id: int | None = None
    carbohydrate_g: float | None = None
    meal: MealContext | None = None
    tester: int | None = None
    health: int | None = None
    exercise_duration_s: int | None = None
    exercise_intensity_percent: int | None = None
    medication_id: int | None = None
    medication: float | None = None
    medication_unit: str | None = None
    hba1c_percent: float | None = None
    raw: bytes = b""


def decode_glucose_context(data: bytes | bytearray) -> GlucoseContext:
    data = bytes(data)
    _need(data, 3, GMC, "flags + sequence")
    flags = data[0]
    fields: dict[str, object] = {"sequence": int.from_bytes(data[1:3], "little")}
    pos = 3
    if flags & 0x80:  # extended flags, all RFU
        _need(data, pos + 1, GMC, "extended flags")
        pos += 1
    if flags & 0x01:
        _need(data, pos + 3, GMC, "carbohydrate")
        fields["carbohydrate_id"] = data[pos]
        fields["carbohydrate_g"] = decode_sfloat(data, pos + 1)
        pos += 3
    if flags & 0x02:
        _need(data, pos + 1, GMC, "meal")
        fields["meal"] = _MEALS.get(data[pos])
        pos += 1
    if flags & 0x04:
        _need(data, pos + 1, GMC, "tester/health")
        fields["tester"] = data[pos] & 0x0F
        fields["health"] = data[pos] >> 4
        pos += 1
    if flags & 0x08:
        _need(data, pos + 3, GMC, "exercise")
        fields["exercise_duration_s"] = int.from_bytes(data[pos : pos + 2], "little")
        fields["exercise_intensity_percent"] = data[pos + 2]
        pos += 3
    if flags & 0x10:
        _need(data, pos + 3, GMC, "medication")
        fields["medication_id"] = data[pos]
        fields["medication"] = decode_sfloat(data, pos + 1)
        fields["medication_unit"] = "mL" if flags & 0x20 else "mg"
        pos += 3
    if flags & 0x40:
        _need(data, pos + 2, GMC, "HbA1c")
        fields["hba1c_percent"] = decode_sfloat(data, pos)
        pos += 2
    return GlucoseContext(raw=data, **fields)  # type: ignore[arg-type]


def encode_glucose_context(
    *, sequence: int, meal: MealContext | None = None, carbohydrate: tuple[int, float] | None = None
) -> bytes:
    """Spec bytes for 0x2A34 with the fields simulators use (carbohydrate, meal)."""
    flags = 0
    body = sequence.to_bytes(2, "little")
    if carbohydrate is not None:
        flags |= 0x01
        body += bytes((carbohydrate[0],)) + encode_sfloat(carbohydrate[1])
    if meal is not None:
        flags |= 0x02
        body += bytes(({v: k for k, v in _MEALS.items()}[meal],))
    return bytes((flags,)) + body


def decode_glucose_feature(data: bytes | bytearray) -> frozenset[GlucoseFeature]:
    """0x2A51, exactly 2 bytes; RFU bits ignored."""
    data = bytes(data)
    if len(data) != 2:
        raise _error(f"Glucose Feature is 2 bytes, got {len(data)}", GF, data, min(len(data), 2))
    word = int.from_bytes(data, "little")
    return frozenset(f for bit, f in enumerate(GlucoseFeature) if word >> bit & 1)


def encode_glucose_feature(features: frozenset[GlucoseFeature]) -> bytes:
    order = list(GlucoseFeature)
    return sum(1 << order.index(f) for f in features).to_bytes(2, "little")


# --- Record Access Control Point -------------------------------------------------------------


class RacpOpCode(enum.IntEnum):
    REPORT_RECORDS = 0x01
    DELETE_RECORDS = 0x02
    ABORT = 0x03
    REPORT_NUMBER = 0x04
    NUMBER_RESPONSE = 0x05
    RESPONSE_CODE = 0x06


class RacpOperator(enum.IntEnum):
    NULL = 0x00
    ALL = 0x01
    LESS_OR_EQUAL = 0x02
    GREATER_OR_EQUAL = 0x03
    WITHIN_RANGE = 0x04
    FIRST = 0x05
    LAST = 0x06


class RacpResponseCode(enum.IntEnum):
    SUCCESS = 0x01
    OP_CODE_NOT_SUPPORTED = 0x02
    INVALID_OPERATOR = 0x03
    OPERATOR_NOT_SUPPORTED = 0x04
    INVALID_OPERAND = 0x05
    NO_RECORDS_FOUND = 0x06
    ABORT_UNSUCCESSFUL = 0x07
    PROCEDURE_NOT_COMPLETED = 0x08
    OPERAND_NOT_SUPPORTED = 0x09


FILTER_SEQUENCE = 0x01
FILTER_USER_FACING_TIME = 0x02
_REQUESTS = (RacpOpCode.REPORT_RECORDS, RacpOpCode.DELETE_RECORDS, RacpOpCode.REPORT_NUMBER)


@dataclass(frozen=True, slots=True)
class RacpRequest:
    """Client → meter. ``low``/``high`` are sequence numbers (filter type 0x01 only)."""

    op: RacpOpCode
    operator: RacpOperator
    low: int | None = None
    high: int | None = None


@dataclass(frozen=True, slots=True)
class RacpResponse:
    """Meter → client: a record count (op 0x05) or a response code to ``request_op`` (0x06)."""

    op: RacpOpCode
    count: int | None = None
    request_op: int | None = None
    code: RacpResponseCode | int | None = None

    @property
    def success(self) -> bool:
        return self.op is RacpOpCode.NUMBER_RESPONSE or self.code == RacpResponseCode.SUCCESS


def encode_racp_request(request: RacpRequest) -> bytes:
    out = bytes((request.op, request.operator))
    if request.operator in (RacpOperator.LESS_OR_EQUAL, RacpOperator.GREATER_OR_EQUAL):
        value = request.high if request.operator is RacpOperator.LESS_OR_EQUAL else request.low
        if value is None:
            raise ValueError(f"{request.operator.name} needs a sequence number")
        out += bytes((FILTER_SEQUENCE,)) + value.to_bytes(2, "little")
    elif request.operator is RacpOperator.WITHIN_RANGE:
        if request.low is None or request.high is None:
            raise ValueError("WITHIN_RANGE needs low and high")
        out += bytes((FILTER_SEQUENCE,))
        out += request.low.to_bytes(2, "little") + request.high.to_bytes(2, "little")
    return out


def decode_racp_request(data: bytes | bytearray) -> RacpRequest:
    """Parse a client request (simulators, logs). Only the sequence-number filter is supported."""
    data = bytes(data)
    _need(data, 2, RACP, "op code + operator")
    try:
        op = RacpOpCode(data[0])
        operator = RacpOperator(data[1])
    except ValueError:
        raise _error(f"unknown RACP op/operator {data[:2].hex(' ')}", RACP, data, 0) from None
    if op is RacpOpCode.ABORT:
        if operator is not RacpOperator.NULL or len(data) != 2:
            raise _error("abort is exactly 03 00", RACP, data, 1)
        return RacpRequest(op, operator)
    if op not in _REQUESTS or operator is RacpOperator.NULL:
        raise _error(f"{op.name} with {operator.name} is not a request", RACP, data, 0)
    if operator in (RacpOperator.ALL, RacpOperator.FIRST, RacpOperator.LAST):
        if len(data) != 2:
            raise _error("operator takes no operand", RACP, data, 2)
        return RacpRequest(op, operator)
    width = 5 if operator is RacpOperator.WITHIN_RANGE else 3
    if len(data) != 2 + width:
        raise _error(f"operand must be {width} bytes, got {len(data) - 2}", RACP, data, len(data))
    if data[2] != FILTER_SEQUENCE:
        raise _error(f"filter type {data[2]:#04x} not supported", RACP, data, 2)
    first = int.from_bytes(data[3:5], "little")
    if operator is RacpOperator.GREATER_OR_EQUAL:
        return RacpRequest(op, operator, low=first)
    if operator is RacpOperator.LESS_OR_EQUAL:
        return RacpRequest(op, operator, high=first)
    return RacpRequest(op, operator, low=first, high=int.from_bytes(data[5:7], "little"))


def decode_racp_response(data: bytes | bytearray) -> RacpResponse:
    """Parse a meter indication: ``05 00 <count>`` or ``06 00 <request op> <code>``.

    The count is uint16 in GLS; 1- and 4-byte counts are accepted as Nordic does, 3 is not.
    """
    data = bytes(data)
    _need(data, 3, RACP, "op code + operator + operand")
    if data[1] != 0:
        raise _error(f"response operator must be 00, got {data[1]:#04x}", RACP, data, 1)
    if data[0] == RacpOpCode.NUMBER_RESPONSE:
        if len(data) - 2 not in (1, 2, 4):
            raise _error(f"record count of {len(data) - 2} bytes", RACP, data, 2)
        return RacpResponse(RacpOpCode.NUMBER_RESPONSE, count=int.from_bytes(data[2:], "little"))
    if data[0] == RacpOpCode.RESPONSE_CODE:
        if len(data) != 4:
            raise _error(f"response code is 4 bytes, got {len(data)}", RACP, data, len(data))
        code_value = data[3]
        code: RacpResponseCode | int = (
            RacpResponseCode(code_value)
            if code_value in RacpResponseCode._value2member_map_
            else code_value
        )
        return RacpResponse(RacpOpCode.RESPONSE_CODE, request_op=data[2], code=code)
    raise _error(f"op code {data[0]:#04x} is not a RACP response", RACP, data, 0)


def encode_racp_response(response: RacpResponse) -> bytes:
    if response.op is RacpOpCode.NUMBER_RESPONSE:
        return bytes((0x05, 0x00)) + (response.count or 0).to_bytes(2, "little")
    if response.request_op is None or response.code is None:
        raise ValueError("a response code needs request_op and code")
    return bytes((0x06, 0x00, response.request_op, int(response.code)))
