"""User Data Service: User Index 0x2A9A and the User Control Point 0x2A9F.

Multi-user scales tag measurements with a UDS user index, which they release only after the
kiosk proves consent (``02 <index> <consent code LE16>``). Responses arrive as indications
``20 <request op> <result> [parameter]``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from devices.errors import DecodeError

__all__ = [
    "UcpOp",
    "UcpResponse",
    "UcpResult",
    "decode_ucp_response",
    "decode_user_index",
    "encode_consent",
    "encode_register_user",
    "encode_ucp_response",
]

UCP = "2a9f"
UI = "2a9a"
_MAX_CONSENT = 9999


class UcpOp(enum.IntEnum):
    REGISTER_NEW_USER = 0x01
    CONSENT = 0x02
    DELETE_USER_DATA = 0x03
    LIST_ALL_USERS = 0x04
    RESPONSE = 0x20


class UcpResult(enum.IntEnum):
    SUCCESS = 0x01
    OP_CODE_NOT_SUPPORTED = 0x02
    INVALID_PARAMETER = 0x03
    OPERATION_FAILED = 0x04
    USER_NOT_AUTHORIZED = 0x05


@dataclass(frozen=True, slots=True)
class UcpResponse:
    request_op: int
    result: UcpResult | int
    user_index: int | None = None  # set for a successful Register New User

    @property
    def success(self) -> bool:
        return self.result == UcpResult.SUCCESS


def _consent(code: int) -> bytes:
    if not 0 <= code <= _MAX_CONSENT:
        raise ValueError(f"consent code {code} outside 0..{_MAX_CONSENT}")
    return code.to_bytes(2, "little")


def encode_register_user(consent_code: int) -> bytes:
    return bytes((UcpOp.REGISTER_NEW_USER,)) + _consent(consent_code)


def encode_consent(user_index: int, consent_code: int) -> bytes:
    if not 0 <= user_index < 0xFF:
        raise ValueError(f"user index {user_index} outside 0..254")
    return bytes((UcpOp.CONSENT, user_index)) + _consent(consent_code)


def decode_ucp_response(data: bytes | bytearray) -> UcpResponse:
    data = bytes(data)
    if len(data) < 3 or data[0] != UcpOp.RESPONSE:
        raise DecodeError(
            "not a User Control Point response (20 <op> <result> ...)",
            characteristic=UCP,
            raw=data,
            offset=0 if data[:1] != b"\x20" else len(data),
        )
    result: UcpResult | int = (
        UcpResult(data[2]) if data[2] in UcpResult._value2member_map_ else data[2]
    )
    index = None
    if data[1] == UcpOp.REGISTER_NEW_USER and result == UcpResult.SUCCESS:
        if len(data) != 4:
            raise DecodeError(
                "Register New User success must carry the new user index",
                characteristic=UCP,
                raw=data,
                offset=len(data),
            )
        index = data[3]
    elif data[1] != UcpOp.LIST_ALL_USERS and len(data) != 3:
        raise DecodeError(
            f"{len(data) - 3} unexpected parameter byte(s)", characteristic=UCP, raw=data, offset=3
        )
    return UcpResponse(request_op=data[1], result=result, user_index=index)


def encode_ucp_response(response: UcpResponse) -> bytes:
    out = bytes((UcpOp.RESPONSE, response.request_op, int(response.result)))
    return out if response.user_index is None else out + bytes((response.user_index,))


def decode_user_index(data: bytes | bytearray) -> int | None:
    """0x2A9A: uint8, 0xFF = unknown user (None)."""
    data = bytes(data)
    if len(data) != 1:
        raise DecodeError(
            f"User Index is 1 byte, got {len(data)}", characteristic=UI, raw=data, offset=0
        )
    return None if data[0] == 0xFF else data[0]
