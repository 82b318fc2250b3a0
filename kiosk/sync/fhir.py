"""FHIR R4 Observations for kiosk readings, after the HL7 PHD IG and KR Core.

Codes: sync_records.md §1.6 (LOINC for KR Core vital signs, MDC for the PHD IG, UCUM units).
Values are sent in the unit the device used, as the PHD IG asks; KR Core fixes mm[Hg], so kPa
readings are converted here and the device value kept in a note.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from devices.readings import (
    AnyReading,
    BloodPressureReading,
    BodyCompositionReading,
    GlucoseReading,
    PressureUnit,
    WeightReading,
)
from records.wire import (
    BODY_FAT,
    BODY_WEIGHT,
    BP_DIASTOLIC,
    BP_MEAN,
    BP_PANEL,
    BP_SYSTOLIC,
    CITIZEN_SYSTEM,
    GLUCOSE_MASS,
    HEART_RATE,
    LOINC,
    MDC,
    UCUM,
)

MSG_ID_SYSTEM = "urn:gjhc:kiosk:msg-id"
DEVICE_SYSTEM = "urn:gjhc:kiosk:device"
SUBJECT_SYSTEM = CITIZEN_SYSTEM
GUEST_SYSTEM = "urn:gjhc:kiosk:guest-visit"

_VITAL_SIGNS = {
    "coding": [
        {
            "system": "http://terminology.hl7.org/CodeSystem/observation-category",
            "code": "vital-signs",
            "display": "Vital Signs",
        }
    ]
}


def _coding(system: str, code: str, display: str) -> dict[str, str]:
    return {"system": system, "code": code, "display": display}


def _mmhg(value: float) -> dict[str, Any]:
    return {"value": value, "unit": "mmHg", "system": UCUM, "code": "mm[Hg]"}


def blood_pressure_observation(
    reading: BloodPressureReading,
    *,
    msg_id: str,
    measured_at: datetime,
    subject_ref: str | None,
    visit_id: str,
) -> dict[str, Any]:
    sbp, dbp, mean = reading.in_mmhg()
    components: list[dict[str, Any]] = [
        {
            "code": {
                "coding": [
                    _coding(LOINC, BP_SYSTOLIC, "Systolic blood pressure"),
                    _coding(MDC, "150021", "MDC_PRESS_BLD_NONINV_SYS"),
                ]
            },
            "valueQuantity": _mmhg(sbp),
        },
        {
            "code": {
                "coding": [
                    _coding(LOINC, BP_DIASTOLIC, "Diastolic blood pressure"),
                    _coding(MDC, "150022", "MDC_PRESS_BLD_NONINV_DIA"),
                ]
            },
            "valueQuantity": _mmhg(dbp),
        },
    ]
    if mean is not None:
        components.append(
            {
                "code": {
                    "coding": [
                        _coding(LOINC, BP_MEAN, "Mean blood pressure"),
                        _coding(MDC, "150023", "MDC_PRESS_BLD_NONINV_MEAN"),
                    ]
                },
                "valueQuantity": _mmhg(mean),
            }
        )
    if reading.pulse_rate is not None:
        components.append(
            {
                "code": {
                    "coding": [
                        _coding(LOINC, HEART_RATE, "Heart rate"),
                        _coding(MDC, "149546", "MDC_PULS_RATE_NON_INV"),
                    ]
                },
                "valueQuantity": {
                    "value": reading.pulse_rate,
                    "unit": "/min",
                    "system": UCUM,
                    "code": "/min",
                },
            }
        )
    obs = _observation(
        reading,
        msg_id=msg_id,
        measured_at=measured_at,
        subject_ref=subject_ref,
        visit_id=visit_id,
        code=[
            _coding(LOINC, BP_PANEL, "Blood pressure panel with all children optional"),
            _coding(MDC, "150020", "MDC_PRESS_BLD_NONINV"),
        ],
        vital_sign=True,
    )
    obs["component"] = components
    if reading.status:
        obs["note"] = [{"text": "measurement status: " + ", ".join(sorted(reading.status))}]
    if reading.unit is PressureUnit.KPA:
        note = f"device reported {reading.systolic}/{reading.diastolic} kPa"
        obs.setdefault("note", []).append({"text": note})
    return obs


def _observation(
    reading: AnyReading,
    *,
    msg_id: str,
    measured_at: datetime,
    subject_ref: str | None,
    visit_id: str,
    code: list[dict[str, str]],
    vital_sign: bool,
) -> dict[str, Any]:
    obs: dict[str, Any] = {
        "resourceType": "Observation",
        "status": "final",
        "identifier": [{"system": MSG_ID_SYSTEM, "value": msg_id}],
    }
    if vital_sign:
        obs["category"] = [_VITAL_SIGNS]
    obs["code"] = {"coding": code}
    if subject_ref is not None:
        obs["subject"] = {"identifier": {"system": SUBJECT_SYSTEM, "value": subject_ref}}
    else:
        obs["subject"] = {"identifier": {"system": GUEST_SYSTEM, "value": visit_id}}
    obs["effectiveDateTime"] = measured_at.isoformat()
    obs["device"] = {
        "identifier": {"system": DEVICE_SYSTEM, "value": reading.device.address},
        "display": reading.device.model,
    }
    return obs


def _quantity(value: float, unit: str, ucum: str) -> dict[str, Any]:
    return {"value": value, "unit": unit, "system": UCUM, "code": ucum}


@dataclass(frozen=True, slots=True)
class _SingleValue:
    loinc: tuple[str, str]
    mdc: tuple[str, str]
    vital_sign: bool
    unit: str  # UCUM code, also the display unit


# Glucose goes as mg/dL: LOINC 2339-0 is Mass/volume, so the unit must match its property.
_SINGLE_VALUE = {
    GlucoseReading: _SingleValue(
        (GLUCOSE_MASS, "Glucose [Mass/volume] in Blood"),
        ("160184", "MDC_CONC_GLU_CAPILLARY_WHOLEBLOOD"),
        vital_sign=False,
        unit="mg/dL",
    ),
    WeightReading: _SingleValue(
        (BODY_WEIGHT, "Body weight"), ("188736", "MDC_MASS_BODY_ACTUAL"), True, "kg"
    ),
    BodyCompositionReading: _SingleValue(
        (BODY_FAT, "Percentage of body fat Measured"), ("188748", "MDC_BODY_FAT"), False, "%"
    ),
}


def single_value_observation(
    reading: GlucoseReading | WeightReading | BodyCompositionReading,
    *,
    msg_id: str,
    measured_at: datetime,
    subject_ref: str | None,
    visit_id: str,
) -> dict[str, Any]:
    """Glucose (mg/dL), body weight (kg) or body fat (%): one coded value each."""
    spec = _SINGLE_VALUE[type(reading)]
    obs = _observation(
        reading,
        msg_id=msg_id,
        measured_at=measured_at,
        subject_ref=subject_ref,
        visit_id=visit_id,
        code=[_coding(LOINC, *spec.loinc), _coding(MDC, *spec.mdc)],
        vital_sign=spec.vital_sign,
    )
    if isinstance(reading, GlucoseReading):
        value = round(reading.in_mg_dl(), 1)
        if reading.meal is not None:
            obs["note"] = [{"text": f"meal context: {reading.meal}"}]
    elif isinstance(reading, WeightReading):
        value = round(reading.in_kg(), 2)
    else:
        value = reading.body_fat_percent
    obs["valueQuantity"] = _quantity(value, spec.unit, spec.unit)
    return obs
