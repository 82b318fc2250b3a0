"""A simulated Bluetooth glucose meter: Glucose Service with RACP, DIS, optional i-SENS clock.

Like a real meter it stores records and sends them only when asked over RACP (0x2A52): each
record is a 0x2A18 notification, followed by a 0x2A34 notification when it has a context, then
an RACP indication ends the procedure. Misbehaviour on request: ``drop_after`` drops the link
after that many records of the next transfer; ``silent`` never answers RACP (timeout tests).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime

from bleak.exc import BleakGATTProtocolError, BleakGATTProtocolErrorCode

from devices.errors import DecodeError
from devices.gatt import uuids
from devices.gatt.gls import (
    GlucoseFeature,
    RacpOpCode,
    RacpOperator,
    RacpResponse,
    RacpResponseCode,
    decode_racp_request,
    encode_glucose_context,
    encode_glucose_feature,
    encode_glucose_measurement,
    encode_racp_response,
)
from devices.readings import MealContext, SampleLocation, SampleType
from devices.sim.ble import SimulatedCharacteristic, SimulatedPeripheral, SimulatedService

__all__ = ["ISENS_TIME_CHAR", "ISENS_TIME_SERVICE", "SimulatedGlucoseMeter", "StoredRecord"]

ISENS_TIME_SERVICE = "fff0"
ISENS_TIME_CHAR = "fff1"


@dataclass(frozen=True, slots=True)
class StoredRecord:
    sequence: int
    measurement: bytes
    context: bytes | None = None


class SimulatedGlucoseMeter(SimulatedPeripheral):
    def __init__(
        self,
        *,
        address: str = "C0:FF:EE:00:01:01",
        name: str = "GLS SIM-1",
        model: str = "SIM-GL1",
        manufacturer: str = "Bitgoeul Sim",
        rssi: int = -60,
        isens_clock: bool = False,
    ) -> None:
        services = [
            SimulatedService(
                f"{uuids.GLUCOSE_SERVICE:04x}",
                [
                    SimulatedCharacteristic(f"{uuids.GLUCOSE_MEASUREMENT:04x}", ("notify",)),
                    SimulatedCharacteristic(
                        f"{uuids.GLUCOSE_MEASUREMENT_CONTEXT:04x}", ("notify",)
                    ),
                    SimulatedCharacteristic(
                        f"{uuids.GLUCOSE_FEATURE:04x}",
                        ("read",),
                        encode_glucose_feature(frozenset({GlucoseFeature.LOW_BATTERY_DETECTION})),
                    ),
                    SimulatedCharacteristic(
                        f"{uuids.RECORD_ACCESS_CONTROL_POINT:04x}", ("write", "indicate")
                    ),
                ],
            ),
            SimulatedService(
                f"{uuids.DEVICE_INFORMATION_SERVICE:04x}",
                [
                    SimulatedCharacteristic(
                        f"{uuids.MANUFACTURER_NAME:04x}", ("read",), manufacturer.encode()
                    ),
                    SimulatedCharacteristic(f"{uuids.MODEL_NUMBER:04x}", ("read",), model.encode()),
                ],
            ),
        ]
        if isens_clock:
            services.append(
                SimulatedService(
                    ISENS_TIME_SERVICE,
                    [SimulatedCharacteristic(ISENS_TIME_CHAR, ("write", "notify"))],
                )
            )
        super().__init__(
            address=address,
            name=name,
            rssi=rssi,
            services=services,
            advertised_service_uuids=[f"{uuids.GLUCOSE_SERVICE:04x}"],
        )
        self.records: list[StoredRecord] = []
        self.racp_requests: list[bytes] = []  # every RACP write received, for assertions
        self.clock_writes: list[bytes] = []
        self.drop_after: int | None = None
        self.silent = False
        self._tasks: set[asyncio.Task[None]] = set()

    def add_record(
        self,
        mg_dl: int,
        *,
        at: datetime,
        meal: MealContext | None = None,
        sample_type: SampleType = SampleType.CAPILLARY_PLASMA,
        sample_location: SampleLocation = SampleLocation.FINGER,
    ) -> int:
        """Store a reading (kg/L, as meters send); returns its sequence number."""
        sequence = self.records[-1].sequence + 1 if self.records else 1
        measurement = encode_glucose_measurement(
            sequence=sequence,
            base_time=at,
            time_offset_min=0,
            concentration=mg_dl / 100_000,
            sample_type=sample_type,
            sample_location=sample_location,
            context_follows=meal is not None,
        )
        context = None if meal is None else encode_glucose_context(sequence=sequence, meal=meal)
        self.records.append(StoredRecord(sequence, measurement, context))
        return sequence

    def on_write(self, char: SimulatedCharacteristic, data: bytes, response: bool) -> None:
        if char.uuid == uuids.normalize_uuid(ISENS_TIME_CHAR):
            self.clock_writes.append(data)
            return
        if char.uuid != uuids.normalize_uuid(uuids.RECORD_ACCESS_CONTROL_POINT):
            super().on_write(char, data, response)
            return
        if not self.is_subscribed(uuids.RECORD_ACCESS_CONTROL_POINT):
            raise BleakGATTProtocolError(BleakGATTProtocolErrorCode.CCCD_IMPROPERLY_CONFIGURED)
        self.racp_requests.append(data)
        if self.silent:
            return
        task = asyncio.get_running_loop().create_task(self._answer(data))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _respond(self, request_op: int, code: RacpResponseCode) -> None:
        self.send(
            uuids.RECORD_ACCESS_CONTROL_POINT,
            encode_racp_response(
                RacpResponse(RacpOpCode.RESPONSE_CODE, request_op=request_op, code=code)
            ),
        )

    def _selected(
        self, operator: RacpOperator, low: int | None, high: int | None
    ) -> list[StoredRecord]:
        if operator is RacpOperator.ALL:
            return list(self.records)
        if operator is RacpOperator.FIRST:
            return self.records[:1]
        if operator is RacpOperator.LAST:
            return self.records[-1:]
        lo = 0 if low is None else low
        hi = 0xFFFF if high is None else high
        return [r for r in self.records if lo <= r.sequence <= hi]

    async def _answer(self, data: bytes) -> None:
        try:
            request = decode_racp_request(data)
        except DecodeError:
            self._respond(data[0] if data else 0, RacpResponseCode.INVALID_OPERATOR)
            return
        if request.op is RacpOpCode.ABORT:
            self._respond(request.op, RacpResponseCode.SUCCESS)
            return
        selected = self._selected(request.operator, request.low, request.high)
        if request.op is RacpOpCode.REPORT_NUMBER:
            self.send(
                uuids.RECORD_ACCESS_CONTROL_POINT,
                encode_racp_response(RacpResponse(RacpOpCode.NUMBER_RESPONSE, count=len(selected))),
            )
            return
        if request.op is not RacpOpCode.REPORT_RECORDS:
            self._respond(request.op, RacpResponseCode.OP_CODE_NOT_SUPPORTED)
            return
        if not selected:
            self._respond(request.op, RacpResponseCode.NO_RECORDS_FOUND)
            return
        for index, record in enumerate(selected):
            if self.drop_after is not None and index == self.drop_after:
                self.drop_after = None
                self.drop_connection()
                return
            self.send(uuids.GLUCOSE_MEASUREMENT, record.measurement)
            if record.context is not None:
                self.send(uuids.GLUCOSE_MEASUREMENT_CONTEXT, record.context)
            await self.flush()
        self._respond(request.op, RacpResponseCode.SUCCESS)
