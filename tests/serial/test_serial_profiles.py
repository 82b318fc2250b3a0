"""Registry checks over every serial profile, the profile-defined line protocol, broken
serial profiles refused with their field, and USB VID:PID matching."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest

from devices.errors import DecodeError, DeviceError
from devices.profiles import serial as sp
from devices.profiles.registry import decode_example, load_profile, load_registry, matches
from devices.profiles.schema import Profile, ProfileError
from devices.readings import DeviceIdentity
from devices.serial.transport import PortInfo, find_port

SERIAL = load_registry().for_transport("serial")
REQUIRED = {
    "tanita_pro_body_composition",
    "lifescan_onetouch_ultra2",
    "isens_caresens_serial",
    "sdbiosensor_codefree",
    "example_bp_keyvalue",
    "example_body_composition_keyvalue",
}


def _same(actual: Any, expected: Any) -> bool:
    if isinstance(expected, float) and isinstance(actual, int | float):
        return math.isclose(actual, expected, rel_tol=0, abs_tol=1e-9)
    return bool(actual == expected)


def test_every_protocol_has_a_profile_with_examples_and_negatives() -> None:
    assert {p.id for p in SERIAL} >= REQUIRED
    assert {p.section.procedure.protocol for p in SERIAL} == set(sp.PROTOCOLS)
    for profile in SERIAL:
        assert any("expect" in ex for ex in profile.examples), profile.id
        assert any("expect_error" in ex for ex in profile.examples), profile.id
        assert profile.must_not_match, profile.id
        # Nothing here has been checked on a real device yet: the flag must say so.
        assert profile.verified_on_hardware is False, profile.id
        if profile.id.startswith("example_"):
            assert profile.name.startswith("EXAMPLE"), profile.id


@pytest.mark.parametrize(
    ("profile", "example"),
    [
        pytest.param(p, ex, id=f"{p.id}:{line}")
        for p in SERIAL
        for ex, line in zip(p.examples, p.example_lines, strict=True)
    ],
)
def test_serial_example_decodes_as_written(profile: Profile, example: dict[str, Any]) -> None:
    if "expect_error" in example:
        with pytest.raises(DeviceError) as info:
            decode_example(profile, example)
        assert type(info.value).__name__ == example["expect_error"]
        assert isinstance(info.value, DecodeError) and info.value.raw
        return
    decoded = decode_example(profile, example)
    for key, value in example["expect"].items():
        assert key in decoded, key
        assert _same(decoded[key], value), (key, decoded[key], value)


@pytest.mark.parametrize(
    ("profile", "candidate"),
    [pytest.param(p, c, id=f"{p.id}:{i}") for p in SERIAL for i, c in enumerate(p.must_not_match)],
)
def test_serial_must_not_match(profile: Profile, candidate: dict[str, Any]) -> None:
    assert not matches(profile, candidate)


def test_usb_id_matching_and_port_lookup() -> None:
    ultra = next(p for p in SERIAL if p.id == "lifescan_onetouch_ultra2")
    assert matches(ultra, {"usb_id": "067B:2303"})
    assert not matches(ultra, {})
    assert sp.profiles_for_usb_id(SERIAL, "10c4:ea60") == ["sdbiosensor_codefree"]
    assert sp.profiles_for_usb_id(SERIAL, None) == []
    ports = [
        PortInfo("/dev/ttyS0", "n/a", None, None),
        PortInfo("/dev/ttyUSB3", "CP2102", 0x10C4, 0xEA60),
    ]
    assert find_port(["10C4:EA60"], ports) == "/dev/ttyUSB3"
    assert find_port(["0403:6001"], ports) is None


_CSV = """
[profile]
id = "{id}"
name = "EXAMPLE: CSV scale"
kind = "weight"
transport = "serial"
manufacturer = "Test"
verified_on_hardware = false

[match]
usb_ids = ["1a86:7523"]

[procedure]
protocol = "line"
baudrate = 2400
bytesize = 7
parity = "E"
unit = "kg"
delimiter = "\\r\\n"
csv_separator = ";"
record_pattern = '^W;'

[[procedure.field]]
name = "weight"
column = 1
scale = 0.1

[[procedure.field]]
name = "height_cm"
column = 2

[[example]]
text = "W;0712;168\\r\\n"
expect = {{ weight_kg = 71.2 }}

[[must_not_match]]
text = "X;1;2\\r\\n"
"""


def _write(root: Path, stem: str, text: str) -> Path:
    path = root / "serial" / f"{stem}.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text.replace("{id}", stem).replace("{{", "{").replace("}}", "}"))
    return path


def test_csv_line_protocol_with_scale_and_line_settings(tmp_path: Path) -> None:
    profile = load_profile(_write(tmp_path, "csv_scale", _CSV))
    settings = profile.section.procedure.settings
    assert (settings.baudrate, settings.bytesize, settings.parity) == (2400, 7, "E")
    out = decode_example(profile, profile.examples[0])
    assert (out["kind"], out["weight_kg"], out["height_m"]) == ("weight", 71.2, 1.68)
    assert not matches(profile, profile.must_not_match[0])
    dev = DeviceIdentity(address="t", transport="serial")
    with pytest.raises(DecodeError, match="not a number") as info:
        sp.decode_frame(profile, b"W;07x2;168", dev)
    assert info.value.raw == b"W;07x2;168"
    with pytest.raises(DecodeError, match="lacks weight"):
        sp.decode_frame(profile, b"W;", dev)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (('protocol = "line"', 'protocol = "modbus"'), "procedure.protocol"),
        (('usb_ids = ["1a86:7523"]', 'usb_ids = ["1a86-7523"]'), "match.usb_ids"),
        (('parity = "E"', 'parity = "X"'), "procedure"),
        (("baudrate = 2400", "baudrate = 0"), "procedure.baudrate"),
        (('unit = "kg"', 'unit = "stone"'), "procedure.unit"),
        (('delimiter = "\\r\\n"', 'delimiter = ""'), "procedure.delimiter"),
        (("record_pattern = '^W;'", "record_pattern = '(^W'"), "procedure.record_pattern"),
        (('name = "weight"', 'name = "systolic"'), "procedure.field[0].name"),
        (("column = 1\n", "column = 1\nregex = '(x)'\n"), "procedure.field[0]"),
        (("scale = 0.1", "scale = 0"), "procedure.field[0].scale"),
        (('csv_separator = ";"', ""), "procedure.field[0].column"),
        (('name = "weight"\ncolumn = 1', 'name = "bmi"\ncolumn = 1'), "procedure.field"),
        (
            ('[[procedure.field]]\nname = "height_cm"', '[[procedure.field]]\nnam = "x"'),
            "procedure.field[1]",
        ),
        (('text = "W;0712;168\\r\\n"', 'text = "a"\nhex = "00"'), "example[0]"),
    ],
)
def test_broken_serial_profile_is_refused_with_field(
    tmp_path: Path, change: tuple[str, str], field: str
) -> None:
    old, new = change
    assert old in _CSV
    path = _write(tmp_path, "broken", _CSV.replace(old, new, 1))
    with pytest.raises(ProfileError) as info:
        load_profile(path)
    assert info.value.field == field
    assert str(path) in info.value.path and info.value.advice


def test_protocol_specific_keys_refused_outside_line(tmp_path: Path) -> None:
    text = _CSV.replace('protocol = "line"', 'protocol = "tanita"', 1)
    with pytest.raises(ProfileError, match="only for protocol = 'line'"):
        load_profile(_write(tmp_path, "tanita_like", text))
