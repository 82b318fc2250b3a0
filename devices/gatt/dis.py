"""Device Information Service (0x180A) strings → :class:`DeviceIdentity`.

All DIS characteristics are optional UTF-8 strings. Devices pad with NULs or send odd bytes,
and a bad model string must not stop a measurement, so decoding never fails.
"""

from __future__ import annotations

from collections.abc import Mapping

from devices.gatt.uuids import (
    FIRMWARE_REVISION,
    MANUFACTURER_NAME,
    MODEL_NUMBER,
    SERIAL_NUMBER,
)
from devices.readings import DeviceIdentity

__all__ = ["IDENTITY_CHARACTERISTICS", "decode_dis_string", "identity_from_dis"]

# DIS characteristic → DeviceIdentity field; the order is the read order.
IDENTITY_CHARACTERISTICS: Mapping[int, str] = {
    MANUFACTURER_NAME: "manufacturer",
    MODEL_NUMBER: "model",
    SERIAL_NUMBER: "serial_number",
    FIRMWARE_REVISION: "firmware",
}


def decode_dis_string(data: bytes | bytearray) -> str | None:
    """UTF-8 text with NULs and surrounding whitespace removed; ``None`` if nothing is left."""
    text = bytes(data).decode("utf-8", errors="replace").replace("\x00", "").strip()
    return text or None


def identity_from_dis(
    address: str, values: Mapping[int, bytes], *, transport: str = "ble"
) -> DeviceIdentity:
    """Build an identity from raw DIS values keyed by 16-bit UUID (missing keys are fine)."""
    fields: dict[str, str] = {}
    for uuid, field_name in IDENTITY_CHARACTERISTICS.items():
        if uuid in values:
            text = decode_dis_string(values[uuid])
            if text is not None:
                fields[field_name] = text
    return DeviceIdentity(
        address=address,
        model=fields.get("model", "unknown"),
        manufacturer=fields.get("manufacturer"),
        serial_number=fields.get("serial_number"),
        firmware=fields.get("firmware"),
        transport=transport,
    )
