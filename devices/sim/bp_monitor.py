"""A simulated Bluetooth blood-pressure cuff (Blood Pressure Service 0x1810 + DIS 0x180A).

Like real cuffs it keeps measurements until a central enables indications on 0x2A35, then
sends them oldest first, each as the exact spec bytes.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from devices.gatt import uuids
from devices.gatt.bps import (
    BloodPressureFeature,
    encode_blood_pressure_feature,
    encode_blood_pressure_measurement,
    encode_intermediate_cuff_pressure,
)
from devices.readings import BloodPressureStatus, PressureUnit
from devices.sim.ble import SimulatedCharacteristic, SimulatedPeripheral, SimulatedService

__all__ = ["SimulatedBloodPressureMonitor", "estimate_mean_arterial"]

_DEFAULT_FEATURES = frozenset(
    {
        BloodPressureFeature.BODY_MOVEMENT_DETECTION,
        BloodPressureFeature.CUFF_FIT_DETECTION,
        BloodPressureFeature.IRREGULAR_PULSE_DETECTION,
    }
)


def estimate_mean_arterial(systolic: float, diastolic: float, unit: PressureUnit) -> float:
    """MAP ≈ DBP + (SBP − DBP) / 3, at the resolution a cuff shows (1 mmHg, 0.1 kPa)."""
    value = diastolic + (systolic - diastolic) / 3
    return float(round(value)) if unit is PressureUnit.MMHG else round(value, 1)


class SimulatedBloodPressureMonitor(SimulatedPeripheral):
    def __init__(
        self,
        *,
        address: str = "C0:FF:EE:00:00:01",
        name: str = "BPM SIM-1",
        model: str = "SIM-BP1",
        manufacturer: str = "Bitgoeul Sim",
        serial_number: str = "SIM0001",
        firmware: str = "1.0.0",
        rssi: int = -55,
        features: Iterable[BloodPressureFeature] = _DEFAULT_FEATURES,
        live_cuff: bool = False,
        clock: bool = False,
    ) -> None:
        """``live_cuff`` adds 0x2A36 (notify); ``clock`` adds a writable Current Time 0x2A2B,
        whose writes land in ``clock_writes``."""
        self.clock_writes: list[bytes] = []
        self.model = model
        self.manufacturer = manufacturer
        self.serial_number = serial_number
        self.firmware = firmware
        super().__init__(
            address=address,
            name=name,
            rssi=rssi,
            advertised_service_uuids=[f"{uuids.BLOOD_PRESSURE_SERVICE:04x}"],
            services=[
                SimulatedService(
                    f"{uuids.BLOOD_PRESSURE_SERVICE:04x}",
                    [
                        SimulatedCharacteristic(
                            f"{uuids.BLOOD_PRESSURE_MEASUREMENT:04x}", ("indicate",)
                        ),
                        SimulatedCharacteristic(
                            f"{uuids.BLOOD_PRESSURE_FEATURE:04x}",
                            ("read",),
                            encode_blood_pressure_feature(features),
                        ),
                        *(
                            [
                                SimulatedCharacteristic(
                                    f"{uuids.INTERMEDIATE_CUFF_PRESSURE:04x}", ("notify",)
                                )
                            ]
                            if live_cuff
                            else []
                        ),
                    ],
                ),
                *(
                    [
                        SimulatedService(
                            f"{uuids.CURRENT_TIME_SERVICE:04x}",
                            [
                                SimulatedCharacteristic(
                                    f"{uuids.CURRENT_TIME:04x}", ("read", "write", "notify")
                                )
                            ],
                        )
                    ]
                    if clock
                    else []
                ),
                SimulatedService(
                    f"{uuids.DEVICE_INFORMATION_SERVICE:04x}",
                    [
                        _dis(uuids.MANUFACTURER_NAME, manufacturer),
                        _dis(uuids.MODEL_NUMBER, model),
                        _dis(uuids.SERIAL_NUMBER, serial_number),
                        _dis(uuids.FIRMWARE_REVISION, firmware),
                    ],
                ),
            ],
        )

    async def measure(
        self,
        *,
        systolic: float,
        diastolic: float,
        pulse: float | None = None,
        unit: PressureUnit | str = PressureUnit.MMHG,
        mean_arterial: float | None = None,
        timestamp: datetime | None = None,
        user_id: int | None = None,
        status: Iterable[BloodPressureStatus] = frozenset(),
    ) -> bytes:
        """Take a measurement; returns the 0x2A35 bytes sent (or stored for the next subscribe).

        Absent options are left out of the payload; the status word is sent only when some
        status bit is set. ``mean_arterial`` defaults to :func:`estimate_mean_arterial`.
        """
        pressure_unit = PressureUnit(unit)
        if mean_arterial is None:
            mean_arterial = estimate_mean_arterial(systolic, diastolic, pressure_unit)
        flags = frozenset(status)
        data = encode_blood_pressure_measurement(
            systolic=systolic,
            diastolic=diastolic,
            mean_arterial=mean_arterial,
            unit=pressure_unit,
            timestamp=timestamp,
            pulse_rate=pulse,
            user_id=user_id,
            status=flags or None,
        )
        self.send_raw(data)
        await self.flush()
        return data

    def on_write(self, char: SimulatedCharacteristic, data: bytes, response: bool) -> None:
        if char.uuid == uuids.normalize_uuid(uuids.CURRENT_TIME):
            self.clock_writes.append(data)
        super().on_write(char, data, response)

    async def inflate(self, pressures: Iterable[float]) -> None:
        """Send live cuff pressures on 0x2A36 (mmHg), as during inflation."""
        for value in pressures:
            self.send(uuids.INTERMEDIATE_CUFF_PRESSURE, encode_intermediate_cuff_pressure(value))
        await self.flush()

    def send_raw(self, data: bytes) -> None:
        """Send arbitrary bytes on 0x2A35 (malformed-input tests); queued like a measurement."""
        self.send(uuids.BLOOD_PRESSURE_MEASUREMENT, data)


def _dis(uuid: int, text: str) -> SimulatedCharacteristic:
    return SimulatedCharacteristic(f"{uuid:04x}", ("read",), text.encode("utf-8"))
