"""Simulated scales: a SIG scale (WSS + BCS + UDS + Battery) and Xiaomi advert-only scales.

The SIG scale indicates 0x2A9D and 0x2A9C when someone steps on; body composition can be sent
in the two-packet form (``split=True``), and the user index is released only after a correct
UDS consent, as on Beurer/Sanitas-class scales. Xiaomi scales only advertise.
"""

from __future__ import annotations

from datetime import datetime

from devices.adverts.xiaomi import encode_mi_scale_v1, encode_mi_scale_v2
from devices.gatt import uuids
from devices.gatt.battery import encode_battery_level
from devices.gatt.bcs import encode_body_composition
from devices.gatt.uds import UcpOp, UcpResponse, UcpResult, encode_ucp_response
from devices.gatt.wss import encode_weight_measurement
from devices.sim.ble import SimulatedCharacteristic, SimulatedPeripheral, SimulatedService

__all__ = ["SimulatedSigScale", "SimulatedXiaomiScale"]


def _u(value: int) -> str:
    return f"{value:04x}"


class SimulatedSigScale(SimulatedPeripheral):
    def __init__(
        self,
        *,
        address: str = "C0:FF:EE:00:02:01",
        name: str = "BCS SIM-1",
        rssi: int = -58,
        battery: int = 87,
        users: dict[int, int] | None = None,
    ) -> None:
        super().__init__(
            address=address,
            name=name,
            rssi=rssi,
            advertised_service_uuids=[
                _u(uuids.BODY_COMPOSITION_SERVICE),
                _u(uuids.WEIGHT_SCALE_SERVICE),
            ],
            services=[
                SimulatedService(
                    _u(uuids.WEIGHT_SCALE_SERVICE),
                    [
                        SimulatedCharacteristic(_u(uuids.WEIGHT_MEASUREMENT), ("indicate",)),
                        SimulatedCharacteristic(
                            _u(uuids.WEIGHT_SCALE_FEATURE), ("read",), bytes.fromhex("A7010000")
                        ),
                    ],
                ),
                SimulatedService(
                    _u(uuids.BODY_COMPOSITION_SERVICE),
                    [
                        SimulatedCharacteristic(
                            _u(uuids.BODY_COMPOSITION_MEASUREMENT), ("indicate",)
                        )
                    ],
                ),
                SimulatedService(
                    _u(uuids.USER_DATA_SERVICE),
                    [
                        SimulatedCharacteristic(_u(uuids.USER_INDEX), ("read",), b"\xff"),
                        SimulatedCharacteristic(
                            _u(uuids.USER_CONTROL_POINT), ("write", "indicate")
                        ),
                    ],
                ),
                SimulatedService(
                    _u(uuids.BATTERY_SERVICE),
                    [
                        SimulatedCharacteristic(
                            _u(uuids.BATTERY_LEVEL),
                            ("read", "notify"),
                            encode_battery_level(battery),
                        )
                    ],
                ),
            ],
        )
        self.users: dict[int, int] = dict(users or {})  # user index → consent code
        self.current_user: int | None = None

    def on_write(self, char: SimulatedCharacteristic, data: bytes, response: bool) -> None:
        if char.uuid != uuids.normalize_uuid(uuids.USER_CONTROL_POINT):
            super().on_write(char, data, response)
            return
        op = data[0] if data else 0
        if op == UcpOp.CONSENT and len(data) == 4:
            index, code = data[1], int.from_bytes(data[2:4], "little")
            ok = self.users.get(index) == code
            self.current_user = index if ok else None
            result = UcpResult.SUCCESS if ok else UcpResult.USER_NOT_AUTHORIZED
            self._ucp(UcpResponse(op, result))
        elif op == UcpOp.REGISTER_NEW_USER and len(data) == 3:
            index = max(self.users, default=-1) + 1
            self.users[index] = int.from_bytes(data[1:3], "little")
            self._ucp(UcpResponse(op, UcpResult.SUCCESS, index))
        else:
            self._ucp(UcpResponse(op, UcpResult.OP_CODE_NOT_SUPPORTED))

    def _ucp(self, response: UcpResponse) -> None:
        self.send(uuids.USER_CONTROL_POINT, encode_ucp_response(response))

    async def step_on(
        self,
        weight_kg: float,
        *,
        body_fat_percent: float | None = None,
        impedance_ohm: float | None = None,
        at: datetime | None = None,
        split: bool = False,
    ) -> list[bytes]:
        """Measure; returns the indications sent (weight, then 1 or 2 body-composition packets)."""
        user = 0xFF if self.current_user is None else self.current_user
        sent = [encode_weight_measurement(weight_kg, timestamp=at, user_id=user)]
        if body_fat_percent is not None:
            if split:
                sent.append(
                    encode_body_composition(
                        body_fat_percent, multi_packet=True, measured_at=at, user_id=user
                    )
                )
                sent.append(
                    encode_body_composition(
                        body_fat_percent,
                        multi_packet=True,
                        impedance_ohm=impedance_ohm,
                        weight=weight_kg,
                    )
                )
            else:
                sent.append(
                    encode_body_composition(
                        body_fat_percent,
                        measured_at=at,
                        user_id=user,
                        impedance_ohm=impedance_ohm,
                        weight=weight_kg,
                    )
                )
        self.send(uuids.WEIGHT_MEASUREMENT, sent[0])
        for packet in sent[1:]:
            self.send(uuids.BODY_COMPOSITION_MEASUREMENT, packet)
        await self.flush()
        return sent


class SimulatedXiaomiScale(SimulatedPeripheral):
    """Advert-only scale: ``show()`` changes the service data the scanner sees."""

    def __init__(
        self, *, version: int = 2, address: str = "C0:FF:EE:00:03:01", rssi: int = -62
    ) -> None:
        self.version = version
        super().__init__(
            address=address, name="MIBFS" if version == 2 else "MI_SCALE", rssi=rssi, services=[]
        )

    def show(
        self,
        weight_kg: float,
        *,
        stabilized: bool = True,
        removed: bool = False,
        impedance_ohm: int | None = None,
        at: datetime | None = None,
    ) -> bytes:
        if self.version == 2:
            data = encode_mi_scale_v2(
                weight_kg,
                stabilized=stabilized,
                removed=removed,
                impedance_ohm=impedance_ohm,
                measured_at=at,
            )
            self.service_data = {"181b": data}
        else:
            data = encode_mi_scale_v1(
                weight_kg, stabilized=stabilized, removed=removed, measured_at=at
            )
            self.service_data = {"181d": data}
        return data

    def show_raw(self, uuid: str, data: bytes) -> None:
        """Malformed/noisy advert payloads."""
        self.service_data = {uuid: data}
