"""FHIR R4 Observations for kiosk readings, after the HL7 PHD IG and KR Core.

Codes: sync_records.md §1.6 (LOINC for KR Core vital signs, MDC for the PHD IG, UCUM units).
Values are sent in the unit the device used, as the PHD IG asks; KR Core fixes mm[Hg], so kPa
readings are converted here and the device value kept in a note.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from devices.readings import BloodPressureReading, PressureUnit
from records.wire import (
    BP_DIASTOLIC,
    BP_MEAN,
    BP_PANEL,
    BP_SYSTOLIC,
    HEART_RATE,
    LOINC,
    MDC,
    UCUM,
)

MSG_ID_SYSTEM = "urn:gjhc:kiosk:msg-id"
DEVICE_SYSTEM = "urn:gjhc:kiosk:device"
SUBJECT_SYSTEM = "urn:gjhc:citizen-record:pseudonym"
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
    obs: dict[str, Any] = {
        "resourceType": "Observation",
        "status": "final",
        "identifier": [{"system": MSG_ID_SYSTEM, "value": msg_id}],
        "category": [_VITAL_SIGNS],
        "code": {
            "coding": [
                _coding(LOINC, BP_PANEL, "Blood pressure panel with all children optional"),
                _coding(MDC, "150020", "MDC_PRESS_BLD_NONINV"),
            ]
        },
        "effectiveDateTime": measured_at.isoformat(),
        "device": {
            "identifier": {"system": DEVICE_SYSTEM, "value": reading.device.address},
            "display": reading.device.model,
        },
        "component": components,
    }
    if subject_ref is not None:
        obs["subject"] = {"identifier": {"system": SUBJECT_SYSTEM, "value": subject_ref}}
    else:
        obs["subject"] = {"identifier": {"system": GUEST_SYSTEM, "value": visit_id}}
    if reading.status:
        obs["note"] = [{"text": "measurement status: " + ", ".join(sorted(reading.status))}]
    if reading.unit is PressureUnit.KPA:
        note = f"device reported {reading.systolic}/{reading.diastolic} kPa"
        obs.setdefault("note", []).append({"text": note})
    return obs
