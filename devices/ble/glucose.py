"""Glucose meters over bleak: RACP download of new records, merged with their context.

One ``download()`` is one visit's import: connect, subscribe (0x2A18, 0x2A34, then RACP
indications — the RACP CCCD must be set before any RACP write), optionally set the clock, ask
for records with sequence ≥ last seen + 1, wait for the RACP end-of-procedure, disconnect.

The result is all-or-nothing: if the link drops or the meter stops answering mid-transfer, the
partial records are discarded and ``last_sequence`` is not advanced, so the next attempt
fetches the same records again — nothing is lost and nothing is imported twice.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import MutableMapping
from dataclasses import dataclass, field
from datetime import datetime

from bleak import BleakClient
from bleak.backends.characteristic import BleakGATTCharacteristic
from bleak.backends.client import BaseBleakClient
from bleak.exc import BleakError

from devices.ble.link import _link_error
from devices.errors import DecodeError, DeviceError, LinkError
from devices.gatt import uuids
from devices.gatt.cts import encode_current_time
from devices.gatt.datetime import encode_date_time
from devices.gatt.dis import IDENTITY_CHARACTERISTICS, identity_from_dis
from devices.gatt.gls import (
    GlucoseContext,
    GlucoseMeasurement,
    RacpOpCode,
    RacpOperator,
    RacpRequest,
    RacpResponse,
    RacpResponseCode,
    decode_glucose_context,
    decode_glucose_measurement,
    decode_racp_response,
    encode_racp_request,
)
from devices.readings import DeviceIdentity, GlucoseReading

__all__ = ["GlucoseDownload", "GlucoseMeterLink", "isens_time_payload"]

logger = logging.getLogger(__name__)

_GM = uuids.normalize_uuid(uuids.GLUCOSE_MEASUREMENT)
_GMC = uuids.normalize_uuid(uuids.GLUCOSE_MEASUREMENT_CONTEXT)
_RACP = uuids.normalize_uuid(uuids.RECORD_ACCESS_CONTROL_POINT)
_CTS = uuids.normalize_uuid(uuids.CURRENT_TIME)
_DATE_TIME = uuids.normalize_uuid(uuids.DATE_TIME)
_ISENS_TIME = uuids.normalize_uuid("fff1")
_MAX_SEQUENCE = 0xFFFF


def isens_time_payload(now: datetime) -> bytes:
    """i-SENS vendor clock write on 0xFFF1: ``C0 03 01 00`` + Date Time (devices.md §9)."""
    return bytes((0xC0, 0x03, 0x01, 0x00)) + encode_date_time(now)


@dataclass
class GlucoseDownload:
    identity: DeviceIdentity
    readings: list[GlucoseReading] = field(default_factory=list)
    control_solution: int = 0  # control-solution tests: never a visitor's reading
    no_value: int = 0  # records without a concentration
    errors: list[DeviceError] = field(default_factory=list)
    last_sequence: int | None = None


class GlucoseMeterLink:
    """Download new glucose records from one meter.

    ``last_sequence`` is any mutable mapping address → highest imported sequence number (the
    kiosk keeps it in its database); it is updated only after a complete transfer.
    """

    def __init__(
        self,
        address: str,
        *,
        last_sequence: MutableMapping[str, int],
        client_backend: type[BaseBleakClient] | None = None,
        set_time: str = "none",
        pair: bool = False,
        timeout: float = 10.0,
    ) -> None:
        self.address = address
        self._memory = last_sequence
        self._backend = client_backend
        self._set_time = set_time
        self._pair = pair
        self._timeout = timeout

    async def download(self, now: datetime | None = None) -> GlucoseDownload:
        """Import the records newer than the remembered sequence. Raises LinkError."""
        lost = asyncio.Event()
        try:
            client = BleakClient(
                self.address,
                disconnected_callback=lambda _c: lost.set(),
                timeout=self._timeout,
                pair=self._pair,
                backend=self._backend,
            )
        except (BleakError, OSError) as exc:
            raise _link_error(exc, "connect", self.address) from exc
        try:
            async with asyncio.timeout(self._timeout):
                await client.connect()
                identity = await self._identity(client)
            return await self._transfer(client, identity, lost, now)
        except DeviceError:
            raise
        except (BleakError, OSError, TimeoutError) as exc:
            raise _link_error(exc, "glucose download", self.address) from exc
        finally:
            try:
                await client.disconnect()
            except (BleakError, OSError) as exc:
                logger.debug("disconnect %s: %r", self.address, exc)

    async def _identity(self, client: BleakClient) -> DeviceIdentity:
        values = {}
        for uuid in IDENTITY_CHARACTERISTICS:
            char = client.services.get_characteristic(uuids.normalize_uuid(uuid))
            if char is not None and "read" in char.properties:
                values[uuid] = bytes(await client.read_gatt_char(char))
        return identity_from_dis(self.address, values)

    async def _write_clock(self, client: BleakClient, now: datetime) -> None:
        if self._set_time == "cts":
            target, payload = _CTS, encode_current_time(now)
        elif self._set_time == "date_time":
            target, payload = _DATE_TIME, encode_date_time(now)
        elif self._set_time == "isens_fff1":
            target, payload = _ISENS_TIME, isens_time_payload(now)
            char = client.services.get_characteristic(target)
            if char is not None and "notify" in char.properties:
                await client.start_notify(char, lambda _c, _d: None)
        else:
            return
        char = client.services.get_characteristic(target)
        if char is None or "write" not in char.properties:
            logger.info("%s: clock %s not writable; left as is", self.address, self._set_time)
            return
        await client.write_gatt_char(char, payload, response=True)

    async def _transfer(
        self,
        client: BleakClient,
        identity: DeviceIdentity,
        lost: asyncio.Event,
        now: datetime | None,
    ) -> GlucoseDownload:
        measurements: dict[int, GlucoseMeasurement] = {}
        contexts: dict[int, GlucoseContext] = {}
        responses: asyncio.Queue[RacpResponse] = asyncio.Queue()
        result = GlucoseDownload(identity=identity)

        def on_measurement(_c: BleakGATTCharacteristic, data: bytearray) -> None:
            try:
                m = decode_glucose_measurement(data)
            except DecodeError as exc:
                result.errors.append(exc)
                return
            measurements[m.sequence] = m  # a resent record replaces, never duplicates

        def on_context(_c: BleakGATTCharacteristic, data: bytearray) -> None:
            try:
                c = decode_glucose_context(data)
            except DecodeError as exc:
                result.errors.append(exc)
                return
            contexts[c.sequence] = c

        def on_racp(_c: BleakGATTCharacteristic, data: bytearray) -> None:
            try:
                responses.put_nowait(decode_racp_response(data))
            except DecodeError as exc:
                result.errors.append(exc)

        async with asyncio.timeout(self._timeout):
            await client.start_notify(_GM, on_measurement)
            if client.services.get_characteristic(_GMC) is not None:
                await client.start_notify(_GMC, on_context)
            await client.start_notify(_RACP, on_racp)
            if now is not None:
                await self._write_clock(client, now)
        previous = self._memory.get(self.address)
        if previous is not None and previous >= _MAX_SEQUENCE:
            return result
        request = (
            RacpRequest(RacpOpCode.REPORT_RECORDS, RacpOperator.ALL)
            if previous is None
            else RacpRequest(
                RacpOpCode.REPORT_RECORDS, RacpOperator.GREATER_OR_EQUAL, low=previous + 1
            )
        )
        await client.write_gatt_char(_RACP, encode_racp_request(request), response=True)
        final = await self._await_end(client, responses, lost)
        if final.code not in (RacpResponseCode.SUCCESS, RacpResponseCode.NO_RECORDS_FOUND):
            raise LinkError(
                f"meter refused the record request ({final.code})",
                address=self.address,
                advice="Restart the meter and try again; if it repeats, report the model.",
            )
        # Notifications are delivered in order before the RACP indication that ends the
        # procedure, so every record of this transfer is in `measurements` now.
        for sequence in sorted(measurements):
            m = measurements[sequence]
            if previous is not None and sequence <= previous:
                continue  # a meter that ignores the filter must not import twice
            if m.is_control_solution:
                result.control_solution += 1
                continue
            reading = m.to_reading(identity, contexts.get(sequence))
            if reading is None:
                result.no_value += 1
                continue
            result.readings.append(reading)
        if measurements:
            highest = max(measurements)
            if previous is None or highest > previous:
                self._memory[self.address] = highest
        result.last_sequence = self._memory.get(self.address)
        return result

    async def _await_end(
        self, client: BleakClient, responses: asyncio.Queue[RacpResponse], lost: asyncio.Event
    ) -> RacpResponse:
        lost_wait = asyncio.ensure_future(lost.wait())
        try:
            async with asyncio.timeout(self._timeout):
                while True:
                    next_response = asyncio.ensure_future(responses.get())
                    done, _ = await asyncio.wait(
                        {next_response, lost_wait}, return_when=asyncio.FIRST_COMPLETED
                    )
                    if next_response not in done:
                        next_response.cancel()
                        raise LinkError(
                            f"link to {self.address} lost during the record transfer",
                            address=self.address,
                            advice="Keep the meter next to the kiosk; the transfer will restart.",
                        )
                    response = next_response.result()
                    if response.op is RacpOpCode.RESPONSE_CODE:
                        return response
        except TimeoutError:
            await self._abort(client)
            raise LinkError(
                f"meter {self.address} did not finish the record transfer in time",
                address=self.address,
            ) from None
        finally:
            lost_wait.cancel()

    async def _abort(self, client: BleakClient) -> None:
        try:
            abort = RacpRequest(RacpOpCode.ABORT, RacpOperator.NULL)
            await client.write_gatt_char(_RACP, encode_racp_request(abort), response=True)
        except (BleakError, OSError) as exc:
            logger.debug("RACP abort to %s failed: %r", self.address, exc)
