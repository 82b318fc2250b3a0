"""Decode a characteristic value given as hex, for ``kiosk devices decode CHAR HEX...``.

Returns plain JSON-ready dicts so the CLI only prints them. Staff use this with bytes copied
from logs or btsnoop captures, so hex input is accepted in the usual spellings.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from devices.adverts.xiaomi import ScaleAdvert, decode_mi_scale_v1, decode_mi_scale_v2
from devices.errors import DecodeError, UnsupportedCharacteristicError
from devices.gatt import uuids
from devices.gatt.battery import decode_battery_level
from devices.gatt.bcs import decode_body_composition, split_packets
from devices.gatt.bps import (
    decode_blood_pressure_feature,
    decode_blood_pressure_measurement,
    decode_intermediate_cuff_pressure,
)
from devices.gatt.cts import decode_current_time
from devices.gatt.datetime import decode_date_time
from devices.gatt.gls import (
    RacpOpCode,
    RacpResponseCode,
    decode_glucose_context,
    decode_glucose_feature,
    decode_glucose_measurement,
    decode_racp_request,
    decode_racp_response,
)
from devices.gatt.uds import UcpResult, decode_ucp_response, decode_user_index
from devices.gatt.wss import decode_weight_measurement, decode_weight_scale_feature
from devices.plausibility import is_plausible
from devices.reading_json import json_number, json_time, reading_to_json
from devices.readings import DeviceIdentity

__all__ = [
    "ADVERT_DECODERS",
    "SUPPORTED_CHARACTERISTICS",
    "decode_advert",
    "decode_characteristic",
    "parse_hex_args",
]

_CLI_DEVICE = DeviceIdentity(address="cli", transport="cli")


def _blood_pressure(data: bytes) -> dict[str, Any]:
    return reading_to_json(decode_blood_pressure_measurement(data, _CLI_DEVICE))


def _cuff_pressure(data: bytes) -> dict[str, Any]:
    cuff = decode_intermediate_cuff_pressure(data)
    return {
        "kind": "intermediate_cuff_pressure",
        "cuff_pressure": cuff.pressure,
        "unit": str(cuff.unit),
        "pulse_rate": cuff.pulse_rate,
        "timestamp": json_time(cuff.measured_at),
        "user_id": cuff.user_id,
        "status": sorted(str(s) for s in cuff.status),
    }


def _feature(data: bytes) -> dict[str, Any]:
    features = decode_blood_pressure_feature(data)
    return {"kind": "blood_pressure_feature", "features": sorted(str(f) for f in features)}


def _date_time(data: bytes) -> dict[str, Any]:
    return {"kind": "date_time", "timestamp": json_time(decode_date_time(data))}


def _glucose(data: bytes) -> dict[str, Any]:
    m = decode_glucose_measurement(data)
    reading = m.to_reading(_CLI_DEVICE)
    return {
        "kind": "glucose",
        "sequence": m.sequence,
        "timestamp": json_time(m.timestamp),
        "glucose_mg_dl": json_number(m.mg_dl(), 1),
        "sample_type": None if m.sample_type is None else str(m.sample_type),
        "sample_location": None if m.sample_location is None else str(m.sample_location),
        "status": sorted(m.status),
        "context_follows": m.context_follows,
        "control_solution": m.is_control_solution,
        "plausible": reading is not None and is_plausible(reading) and not m.is_control_solution,
    }


def _glucose_context(data: bytes) -> dict[str, Any]:
    c = decode_glucose_context(data)
    return {
        "kind": "glucose_context",
        "sequence": c.sequence,
        "meal": None if c.meal is None else str(c.meal),
        "carbohydrate_id": c.carbohydrate_id,
        "carbohydrate_g": json_number(c.carbohydrate_g),
        "tester": c.tester,
        "health": c.health,
        "exercise_duration_s": c.exercise_duration_s,
        "exercise_intensity_percent": c.exercise_intensity_percent,
        "medication_id": c.medication_id,
        "medication": json_number(c.medication),
        "medication_unit": c.medication_unit,
        "hba1c_percent": json_number(c.hba1c_percent),
    }


def _glucose_feature(data: bytes) -> dict[str, Any]:
    return {"kind": "glucose_feature", "features": sorted(map(str, decode_glucose_feature(data)))}


def _racp(data: bytes) -> dict[str, Any]:
    if data[:1] in (b"\x05", b"\x06"):
        r = decode_racp_response(data)
        if r.op is RacpOpCode.NUMBER_RESPONSE:
            return {"kind": "racp_response", "op": "number_of_records", "count": r.count}
        code = r.code.name.lower() if isinstance(r.code, RacpResponseCode) else r.code
        return {
            "kind": "racp_response",
            "op": "response_code",
            "request_op": r.request_op,
            "response": code,
            "success": r.success,
        }
    q = decode_racp_request(data)
    return {
        "kind": "racp_request",
        "op": q.op.name.lower(),
        "operator": q.operator.name.lower(),
        "sequence_min": q.low,
        "sequence_max": q.high,
    }


def _weight(data: bytes) -> dict[str, Any]:
    return reading_to_json(decode_weight_measurement(data).to_reading(_CLI_DEVICE))


def _weight_feature(data: bytes) -> dict[str, Any]:
    f = decode_weight_scale_feature(data)
    return {
        "kind": "weight_scale_feature",
        "time_stamp": f.time_stamp,
        "multiple_users": f.multiple_users,
        "bmi": f.bmi,
        "weight_resolution_kg": None if f.weight_resolution is None else f.weight_resolution[0],
        "height_resolution_m": None if f.height_resolution is None else f.height_resolution[0],
    }


def _body_composition(data: bytes) -> dict[str, Any]:
    # Several packets (the bit12 two-packet form) arrive concatenated; each packet's flags
    # give its length, so the split is unambiguous.
    m = decode_body_composition(split_packets(data))
    return reading_to_json(m.to_reading(_CLI_DEVICE))


def _current_time(data: bytes) -> dict[str, Any]:
    t = decode_current_time(data)
    return {
        "kind": "current_time",
        "timestamp": json_time(t.timestamp),
        "day_of_week": t.day_of_week,
        "fractions256": t.fractions256,
        "adjust_reasons": sorted(t.adjust_reasons),
    }


def _battery(data: bytes) -> dict[str, Any]:
    return {"kind": "battery_level", "battery_percent": decode_battery_level(data)}


def _user_index(data: bytes) -> dict[str, Any]:
    return {"kind": "user_index", "user_index": decode_user_index(data)}


def _user_control_point(data: bytes) -> dict[str, Any]:
    r = decode_ucp_response(data)
    result = r.result.name.lower() if isinstance(r.result, UcpResult) else r.result
    return {
        "kind": "user_control_point_response",
        "request_op": r.request_op,
        "result": result,
        "user_index": r.user_index,
        "success": r.success,
    }


_DECODERS: dict[int, Callable[[bytes], dict[str, Any]]] = {
    uuids.BLOOD_PRESSURE_MEASUREMENT: _blood_pressure,
    uuids.INTERMEDIATE_CUFF_PRESSURE: _cuff_pressure,
    uuids.BLOOD_PRESSURE_FEATURE: _feature,
    uuids.DATE_TIME: _date_time,
    uuids.GLUCOSE_MEASUREMENT: _glucose,
    uuids.GLUCOSE_MEASUREMENT_CONTEXT: _glucose_context,
    uuids.GLUCOSE_FEATURE: _glucose_feature,
    uuids.RECORD_ACCESS_CONTROL_POINT: _racp,
    uuids.WEIGHT_MEASUREMENT: _weight,
    uuids.WEIGHT_SCALE_FEATURE: _weight_feature,
    uuids.BODY_COMPOSITION_MEASUREMENT: _body_composition,
    uuids.CURRENT_TIME: _current_time,
    uuids.BATTERY_LEVEL: _battery,
    uuids.USER_INDEX: _user_index,
    uuids.USER_CONTROL_POINT: _user_control_point,
}

SUPPORTED_CHARACTERISTICS: tuple[str, ...] = tuple(f"{u:04x}" for u in sorted(_DECODERS))


def _scale_advert(advert: ScaleAdvert, kind: str) -> dict[str, Any]:
    out: dict[str, Any] = {
        "kind": kind,
        "weight_kg": json_number(advert.weight_kg()),
        "unit": advert.unit,
        "stabilized": advert.stabilized,
        "load_removed": advert.load_removed,
        "timestamp": json_time(advert.measured_at),
    }
    if advert.impedance_ohm is not None:
        out["impedance_ohm"] = advert.impedance_ohm
    out["plausible"] = is_plausible(advert.to_reading(_CLI_DEVICE))
    return out


# Advert codecs named by a profile's ``[procedure] advert_codec``.
ADVERT_DECODERS: Mapping[str, Callable[[bytes], ScaleAdvert]] = {
    "xiaomi_v1": decode_mi_scale_v1,
    "xiaomi_v2": decode_mi_scale_v2,
}


def decode_advert(service_uuid: str, data: bytes, name: str | None = None) -> dict[str, Any]:
    """Decode advertisement service data under ``service_uuid`` for the profile that claims it.

    The profile is chosen by the advertised ``name`` among the BLE profiles that list the UUID
    in ``match.service_data_uuids``; without a name the UUID must be claimed by one profile.
    """
    from devices.profiles.ble import advert_profiles  # profiles import this module

    char = f"adv:{service_uuid}"
    try:
        number = uuids.short_uuid(service_uuid)
    except ValueError:
        raise UnsupportedCharacteristicError(
            f"{service_uuid!r} is not a 16-bit service UUID", characteristic=char
        ) from None
    candidates = advert_profiles(number, name)
    if not candidates:
        who = f" advertised as {name!r}" if name else ""
        raise UnsupportedCharacteristicError(
            f"no device profile decodes service data {number:04x}{who}",
            characteristic=f"adv:{number:04x}",
        )
    if len(candidates) > 1:
        raise UnsupportedCharacteristicError(
            f"service data {number:04x} is claimed by {', '.join(p.id for p in candidates)}; "
            "give the advertised name with --name",
            characteristic=f"adv:{number:04x}",
        )
    profile = candidates[0]
    advert = ADVERT_DECODERS[profile.section.advert_codec](data)
    out = _scale_advert(advert, profile.kind)
    out["profile"] = profile.id
    return out


def decode_characteristic(
    char: str, data: bytes | bytearray, *, name: str | None = None
) -> dict[str, Any]:
    """Decode ``data`` as characteristic ``char`` ("2a35", "0x2A35" or the 128-bit form), or as
    advertisement service data with ``char="adv:181b"`` (``name`` = advertised name).

    Raises UnsupportedCharacteristicError for an unknown or malformed UUID and DecodeError
    (raw bytes kept) for malformed data.
    """
    if char.lower().startswith("adv:"):
        return decode_advert(char[4:], bytes(data), name)
    try:
        number = uuids.short_uuid(char)
    except ValueError:
        raise UnsupportedCharacteristicError(
            f"{char!r} is not a 16-bit Bluetooth characteristic UUID", characteristic=char
        ) from None
    decoder = _DECODERS.get(number)
    if decoder is None:
        raise UnsupportedCharacteristicError(
            f"no decoder for characteristic {number:04x}; "
            f"supported: {', '.join(SUPPORTED_CHARACTERISTICS)}",
            characteristic=f"{number:04x}",
        )
    data = bytes(data)
    if not data:
        raise DecodeError("no bytes", characteristic=f"{number:04x}", raw=data, offset=0)
    return decoder(data)


_SEPARATORS = re.compile(r"[\s:,\-]+")
_HEX_PAIRS = re.compile(r"(?:[0-9a-fA-F]{2})+")


def parse_hex_args(args: list[str]) -> bytes:
    """Bytes from hex given as ``["1E", "8A", "00"]``, ``["1e8a00"]``, ``["1E:8A"]`` or mixed.

    Each group may carry a ``0x`` prefix. A group with an odd number of digits is refused
    rather than guessed. Raises ValueError on bad input or when no bytes are given.
    """
    out = bytearray()
    for arg in args:
        for group in _SEPARATORS.split(arg):
            if not group:
                continue
            digits = group[2:] if group[:2].lower() == "0x" else group
            if not _HEX_PAIRS.fullmatch(digits):
                raise ValueError(f"not hex bytes: {group!r}")
            out += bytes.fromhex(digits)
    if not out:
        raise ValueError("no bytes given")
    return bytes(out)
