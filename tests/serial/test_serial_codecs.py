"""Byte-exact vectors for every serial codec, plus the typed rejection of damaged input."""

from __future__ import annotations

from datetime import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from devices.errors import DecodeError
from devices.readings import DeviceIdentity, GlucoseUnit, MassUnit, MealContext, SampleType
from devices.serial import caresens, otultra2, sdcodefree, tanita
from devices.serial.errors import ChecksumError
from devices.serial.framing import (
    FixedLengthFramer,
    LengthFramer,
    LineFramer,
    crc16_ccitt_false,
    sum8,
    sum16,
    xor8,
)
from tests.serial import vectors as v

DEV = DeviceIdentity(address="/dev/ttyUSB0", transport="serial")


# --- checksums ------------------------------------------------------------------------------
def test_checksum_primitives() -> None:
    assert crc16_ccitt_false(b"123456789") == 0x29B1  # the catalogued check value
    assert sum8(b"\xff\x02") == 0x01
    assert sum16(b"\xff" * 300) == (0xFF * 300) & 0xFFFF
    assert xor8(b"\x10\x30") == 0x20


# --- framers --------------------------------------------------------------------------------
def test_line_framer_joins_split_lines_and_bounds_garbage() -> None:
    f = LineFramer(b"\r\n", max_len=16)
    assert f.feed(b"ab") == []
    assert f.feed(b"c\r") == []
    assert f.feed(b"\nde\r\n") == [b"abc", b"de"]
    assert f.feed(b"x" * 20) == []
    assert f.discarded == 20 and f.pending == b""


def test_length_framer_resyncs_after_noise_and_false_start() -> None:
    f = sdcodefree.framer()
    count = sdcodefree.encode_packet(b"\x30\x00\x07" + b"\xaa" * 19, direction=0x20)
    # A false start (53 20 with a wrong end byte) and plain noise before the real frames.
    noisy = b"\x00\xff\x53\x99\x53\x20\x04\x01\x02\x03\x00" + v.SD_CHALLENGE[:3]
    assert f.feed(noisy) == []
    assert f.feed(v.SD_CHALLENGE[3:] + count) == [v.SD_CHALLENGE, count]
    assert f.discarded == 11


@given(st.binary(max_size=40), st.integers(min_value=1, max_value=6))
def test_length_framer_finds_frames_in_any_chunking(noise: bytes, chunk: int) -> None:
    noise = noise.replace(b"\x02", b"")
    stream = noise + v.CARESENS_RTIM + v.CARESENS_GLUE_1_27
    f: LengthFramer = caresens.framer()
    frames: list[bytes] = []
    for i in range(0, len(stream), chunk):
        frames += f.feed(stream[i : i + chunk])
    assert frames == [v.CARESENS_RTIM, v.CARESENS_GLUE_1_27]


def test_fixed_length_framer() -> None:
    f = FixedLengthFramer(8, start=b"\x51")
    td_connect = bytes.fromhex("51 22 00 00 00 00 A3 16")  # TaiDoc connect [src-test]
    assert f.feed(b"\x00" + td_connect[:5]) == []
    assert f.feed(td_connect[5:]) == [td_connect]
    assert f.discarded == 1


# --- Tanita ---------------------------------------------------------------------------------
def test_tanita_sc240_manual_sample() -> None:
    rec = tanita.decode_tanita_record(v.TANITA_SC240, DEV)
    assert rec.style == "sc240" and rec.model == "SC-240"
    b = rec.body
    assert (b.weight, b.unit, b.body_fat_percent) == (82.7, MassUnit.KG, 18.6)
    assert (b.fat_free_mass, b.muscle_mass, b.body_water_mass) == (67.3, 64.0, 48.0)
    assert (b.basal_metabolism_kj, b.impedance_ohm, b.height_cm) == (8255.0, 369.4, 170.0)
    assert b.measured_at is None and b.raw == v.TANITA_SC240
    assert b.device.serial_number == "00000002" and b.device.manufacturer == "Tanita"
    assert (rec.weight.weight, rec.weight.bmi) == (82.7, 28.6)


def test_tanita_mc980_field_set() -> None:
    rec = tanita.decode_tanita_record(v.TANITA_MC980, DEV)
    assert rec.style == "mc980" and rec.model == "MC-980"
    assert rec.body.measured_at == datetime(2026, 12, 4, 9, 30)
    assert (rec.body.weight, rec.body.body_fat_percent) == (58.4, 31.2)
    assert rec.fields["St"] == "0" and rec.fields["FR"] == "29.8"


def test_tanita_encoder_round_trip() -> None:
    pairs = [("{0", "16"), ("~0", "1"), ("MO", '"SC-330"'), ("Wk", "70.1"), ("FW", "22.0")]
    raw = tanita.encode_tanita_record(pairs)
    assert tanita.decode_tanita_record(raw, DEV).body.weight == 70.1


def test_tanita_bad_checksum_is_typed_and_keeps_raw() -> None:
    bad = v.TANITA_SC240.replace(b"Wk,82.7", b"Wk,82.8")
    with pytest.raises(ChecksumError) as exc:
        tanita.decode_tanita_record(bad, DEV)
    assert exc.value.raw == bad and (exc.value.expected, exc.value.actual) == (0xFD, 0xFE)
    assert "measure again" in exc.value.advice


@pytest.mark.parametrize(
    ("record", "fragment"),
    [
        (b"Wk,82.7,CS,00\r\n", "does not start"),
        (b"{0,16,Wk,82.7\r\n", "no CS"),
        (tanita.encode_tanita_record([("{0", "16"), ("Wk", "abc"), ("FW", "1")]), "not a number"),
        (tanita.encode_tanita_record([("{0", "16"), ("FW", "18.0")]), "no weight"),
        (b"{0,16,CS,ZZ\r\n", "not hex"),
    ],
)
def test_tanita_rejects_unparsable(record: bytes, fragment: str) -> None:
    with pytest.raises(DecodeError, match=fragment) as exc:
        tanita.decode_tanita_record(record, DEV)
    assert exc.value.raw == record


# --- OneTouch Ultra 2 -----------------------------------------------------------------------
def test_otultra2_command_bytes() -> None:
    assert otultra2.encode_command("DMP") == b"\x11\rDMP\r"
    assert otultra2.encode_reply_line("?P02.00.00 30/08/06") == v.OTU2_VERSION


def test_otultra2_dump() -> None:
    assert otultra2.strip_checksum(v.OTU2_VERSION) == "?P02.00.00 30/08/06"
    header = otultra2.decode_dump_header(v.OTU2_HEADER)
    assert (header.count, header.serial_number, header.display_unit) == (
        2,
        "ABC12345Y",
        GlucoseUnit.MG_DL,
    )
    r = otultra2.decode_dump_record(v.OTU2_RECORD_1, DEV)
    assert (r.concentration, r.unit, r.meal, r.sample_type) == (
        104.0,
        GlucoseUnit.MG_DL,
        MealContext.PREPRANDIAL,
        None,
    )
    assert r.measured_at == datetime(2026, 12, 2, 8, 15, 0)
    c = otultra2.decode_dump_record(v.OTU2_RECORD_CONTROL + b"\n", DEV)
    assert (c.concentration, c.sample_type, c.meal) == (
        131.0,
        SampleType.CONTROL_SOLUTION,
        MealContext.POSTPRANDIAL,
    )


def test_otultra2_rejects_bad_checksum_and_parity_flag() -> None:
    with pytest.raises(ChecksumError) as exc:
        otultra2.decode_dump_record(v.OTU2_RECORD_1.replace(b"104", b"105"), DEV)
    assert (exc.value.expected, exc.value.actual) == (0x0994, 0x0995)
    flagged = otultra2.encode_reply_line('P "WED","12/02/26","08:15:00   ","  104?","B","00", 00')
    with pytest.raises(DecodeError, match="parity"):
        otultra2.decode_dump_record(flagged, DEV)
    with pytest.raises(DecodeError, match="no checksum"):
        otultra2.strip_checksum(b"garbage\r")
    with pytest.raises(DecodeError, match="impossible date"):
        otultra2.decode_dump_record(
            otultra2.encode_reply_line('P "WED","13/02/26","08:15:00   ","  104 ","B","00", 00'),
            DEV,
        )


# --- i-SENS CareSens ------------------------------------------------------------------------
def test_caresens_request_frames_byte_exact() -> None:
    assert caresens.encode_frame("RTIM") == v.CARESENS_RTIM
    assert caresens.encode_frame("NCOT") == v.CARESENS_NCOT
    assert caresens.encode_frame("GLUE", bytes([0x00, 0x01, 27])) == v.CARESENS_GLUE_1_27
    frame = caresens.decode_frame(v.CARESENS_GLUE_1_27, check_crc=True)
    assert (frame.command, frame.payload) == ("GLUE", b"\x00\x01\x1b")


def test_caresens_probe_and_count() -> None:
    assert caresens.probe_protocol(b"\x2e") == 3
    assert caresens.probe_protocol(b"\x00\x2f") == 2
    with pytest.raises(DecodeError):
        caresens.probe_protocol(b"\x00")
    reply = caresens.encode_frame("NCOT", b"\x01\x2c")
    assert caresens.decode_count(caresens.decode_frame(reply)) == 300


def test_caresens_glue_records() -> None:
    payload = bytes([26, 12, 4, 7, 5, 9, 0x10, 0x00, 0x6E]) + bytes(
        [26, 12, 4, 13, 0, 0, 0x80 | 0x08, 0x02, 0x58 + 1]
    )
    # GLUE replies carry no valid CRC: a zero CRC must still be accepted.
    frame = caresens.decode_frame(caresens.encode_frame("GLUE", payload)[:-3] + b"\x00\x00\x03")
    first, second = caresens.decode_glue_records(frame.payload, DEV, first_index=5)
    assert (first.concentration, first.meal, first.sequence_number) == (
        110.0,
        MealContext.FASTING,
        5,
    )
    assert first.measured_at == datetime(2026, 12, 4, 7, 5, 9)
    assert (second.concentration, second.sequence_number) == (601.0, 6)


def test_caresens_rejects_damage() -> None:
    bad = bytearray(v.CARESENS_NCOT)
    bad[-2] ^= 0x01
    with pytest.raises(ChecksumError) as exc:
        caresens.decode_frame(bytes(bad))
    assert exc.value.raw == bytes(bad) and exc.value.expected == 0xBB7E
    with pytest.raises(DecodeError, match="length byte"):
        caresens.decode_frame(v.CARESENS_RTIM[:5] + b"\x08" + v.CARESENS_RTIM[6:])
    with pytest.raises(DecodeError, match="20-600"):
        caresens.decode_glue_records(bytes([26, 12, 4, 7, 5, 9, 0x00, 0x27, 0x10]), DEV)
    with pytest.raises(DecodeError, match="whole 9-byte"):
        caresens.decode_glue_records(b"\x00" * 10, DEV)


# --- SD CodeFree ----------------------------------------------------------------------------
def test_sdcodefree_frames_byte_exact() -> None:
    assert sdcodefree.encode_packet(sdcodefree.CHALLENGE_ACK) == v.SD_ACK
    assert sdcodefree.encode_packet(sdcodefree.FETCH) == v.SD_FETCH
    challenge = sdcodefree.decode_packet(v.SD_CHALLENGE)
    assert (challenge.direction, challenge.message) == (sdcodefree.TO_HOST, b"\x10\x30")


def test_sdcodefree_count_and_reading() -> None:
    count = sdcodefree.encode_packet(b"\x30\x00\x07" + b"\xaa" * 19, direction=0x20)
    assert sdcodefree.decode_count(sdcodefree.decode_packet(count)) == 7
    msg = b"\x00\x00" + bytes([26, 12, 4, 8, 45]) + b"\x00\xb4" + b"\x20" + b"\x00" * 7
    r = sdcodefree.decode_reading(
        sdcodefree.decode_packet(sdcodefree.encode_packet(msg, direction=0x20)), DEV
    )
    assert (r.concentration, r.meal, r.measured_at) == (
        180.0,
        MealContext.POSTPRANDIAL,
        datetime(2026, 12, 4, 8, 45),
    )


def test_sdcodefree_rejects_damage() -> None:
    with pytest.raises(ChecksumError) as exc:
        sdcodefree.decode_packet(bytes.fromhex("53 20 04 10 30 21 AA"))
    assert (exc.value.expected, exc.value.actual) == (0x21, 0x20)
    with pytest.raises(DecodeError, match="not an SD"):
        sdcodefree.decode_packet(bytes.fromhex("53 20 05 10 30 20 AA"))
    bad_meal = b"\x00\x00" + bytes([26, 12, 4, 8, 45]) + b"\x00\xb4" + b"\x33" + b"\x00" * 7
    with pytest.raises(DecodeError, match="meal"):
        sdcodefree.decode_reading(sdcodefree.SdPacket(0x20, bad_meal), DEV)


# --- any bytes: a typed error or a reading, never another exception -------------------------
@given(st.binary(max_size=64))
def test_codecs_raise_only_decode_errors(data: bytes) -> None:
    attempts = [
        lambda: tanita.decode_tanita_record(b"{0," + data, DEV),
        lambda: otultra2.decode_dump_record(data, DEV),
        lambda: caresens.decode_frame(b"\x02iSPc" + data),
        lambda: caresens.decode_glue_records(data, DEV),
        lambda: sdcodefree.decode_packet(b"\x53\x20" + data),
        lambda: sdcodefree.decode_reading(sdcodefree.SdPacket(0x20, data), DEV),
    ]
    for attempt in attempts:
        try:
            attempt()
        except DecodeError as exc:
            assert exc.raw is not None and exc.advice


@given(st.binary(min_size=1, max_size=40), st.integers(min_value=0, max_value=7))
def test_tanita_any_single_bit_flip_is_caught_or_harmless(payload: bytes, bit: int) -> None:
    # A flipped bit in the covered text changes the byte sum, so it cannot pass unnoticed.
    record = bytearray(v.TANITA_SC240)
    at = len(payload) % (len(record) - 12) + 3
    record[at] ^= 1 << bit
    with pytest.raises(DecodeError):
        tanita.decode_tanita_record(bytes(record), DEV)
