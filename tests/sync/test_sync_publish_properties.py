"""The publisher packs its PUBLISH properties itself (paho's Properties was the drain loop's
largest cost); the bytes must be exactly what paho would have packed."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from kiosk.sync.publisher import _ObsProperties
from records.wire import SCHEMA


def _paho(msg_id: str, expiry_s: int) -> bytes:
    props = Properties(PacketTypes.PUBLISH)  # type: ignore[no-untyped-call]
    props.UserProperty = [("msg_id", msg_id), ("schema", SCHEMA)]
    props.ContentType = "application/json"
    props.MessageExpiryInterval = expiry_s
    packed: bytes = props.pack()  # type: ignore[no-untyped-call]
    return packed


# Long ids cross 127 bytes of properties, where the length prefix grows to two bytes.
@given(
    msg_id=st.one_of(st.from_regex(r"[0-9a-f]{32}", fullmatch=True), st.text(max_size=300)),
    expiry_s=st.integers(min_value=0, max_value=2**32 - 1),
)
def test_packed_properties_match_paho(msg_id: str, expiry_s: int) -> None:
    ours = _ObsProperties(msg_id, expiry_s)
    assert ours.pack() == _paho(msg_id, expiry_s)
    # Readable like paho's, for logs and the tests that inspect a sent message.
    assert ours.UserProperty == [("msg_id", msg_id), ("schema", SCHEMA)]
    assert ours.MessageExpiryInterval == expiry_s


def test_a_long_msg_id_needs_a_two_byte_length() -> None:
    packed = _ObsProperties("x" * 200, 3600).pack()
    assert packed[0] & 0x80  # continuation bit of the variable byte integer
    assert packed == _paho("x" * 200, 3600)
