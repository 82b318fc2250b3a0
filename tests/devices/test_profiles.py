"""Registry-wide profile checks: every file loads, every example decodes as written, every
advert example is claimed by its own profile only, and no must-not-match advert is claimed."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest

from devices.errors import DecodeError, DeviceError
from devices.profiles import ble
from devices.profiles.registry import decode_example, load_registry, matches
from devices.profiles.schema import Profile, ProfileError

REGISTRY = load_registry()
BLE = REGISTRY.for_transport("ble")
REQUIRED = {
    "sig_bps",
    "and_ua651ble",
    "omron_ble",
    "sig_gls",
    "isens_caresens_n_premier",
    "roche_accuchek_guide",
    "sig_wss",
    "sig_bcs",
    "xiaomi_mi_scale_v1",
    "xiaomi_mi_scale_v2",
}


def _examples() -> list[Any]:
    return [
        pytest.param(p, ex, id=f"{p.id}:{line}")
        for p in BLE
        for ex, line in zip(p.examples, p.example_lines, strict=True)
    ]


def _negatives() -> list[Any]:
    return [
        pytest.param(p, c, id=f"{p.id}:{i}") for p in BLE for i, c in enumerate(p.must_not_match)
    ]


def test_required_families_present_with_examples_and_negatives() -> None:
    ids = {p.id for p in BLE}
    assert ids >= REQUIRED
    for profile in BLE:
        assert profile.examples, profile.id
        assert profile.must_not_match, profile.id
        assert any("expect" in ex for ex in profile.examples), profile.id
        assert Path(profile.source.path).stem == profile.id


def test_every_transport_loads() -> None:
    # Serial profiles (issue 4) load through the same registry when present.
    assert {p.transport for p in REGISTRY} <= {"ble", "serial"}
    assert len(REGISTRY) >= len(REQUIRED)


def _same(actual: Any, expected: Any) -> bool:
    if isinstance(expected, float) and isinstance(actual, int | float):
        return math.isclose(actual, expected, rel_tol=0, abs_tol=1e-9)
    return bool(actual == expected)


@pytest.mark.parametrize(("profile", "example"), _examples())
def test_example_decodes_as_written(profile: Profile, example: dict[str, Any]) -> None:
    if "expect_error" in example:
        with pytest.raises(DeviceError) as info:
            decode_example(profile, example)
        assert type(info.value).__name__ == example["expect_error"]
        if isinstance(info.value, DecodeError):
            assert info.value.raw  # the bytes are kept for the report
        return
    decoded = decode_example(profile, example)
    for key, value in example["expect"].items():
        assert key in decoded, key
        assert _same(decoded[key], value), (key, decoded[key], value)
    for key in example.get("expect_none", []):
        assert key in decoded and decoded[key] is None, key
    if "advert" in example:
        best = ble.best_matches(BLE, example["advert"])
        assert [p.id for p in best] == [profile.id]


@pytest.mark.parametrize(("profile", "candidate"), _negatives())
def test_must_not_match(profile: Profile, candidate: dict[str, Any]) -> None:
    assert not matches(profile, candidate)


def test_specific_profile_beats_generic() -> None:
    advert = {
        "name": "BLESmart_0000015528FFFF",
        "service_uuids": ["00001810-0000-1000-8000-00805f9b34fb"],
    }
    assert matches(REGISTRY.get("sig_bps"), advert)
    assert [p.id for p in ble.best_matches(BLE, advert)] == ["omron_ble"]


def test_manufacturer_id_rule(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "omron_fe4a",
        _GOOD.replace('service_uuids = ["1810"]', "manufacturer_ids = [0x020E]"),
    )
    profile = _load(path)
    assert matches(profile, {"manufacturer_data": {"0x020e": "01"}})
    assert not matches(profile, {"manufacturer_data": {"0x0157": "01"}})


_GOOD = """
[profile]
id = "{id}"
name = "Test cuff"
kind = "blood_pressure"
transport = "ble"
manufacturer = "Test"
verified_on_hardware = false

[match]
service_uuids = ["1810"]

[procedure]
type = "bps"

[[example]]
characteristic = "2a35"
hex = "00 78 00 50 00 5A 00"
expect = {{ systolic = 120.0 }}

[[must_not_match]]
service_uuids = ["1808"]
"""


def _write(root: Path, stem: str, text: str) -> Path:
    path = root / "ble" / f"{stem}.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text.replace("{id}", stem).replace("{{", "{").replace("}}", "}"))
    return path


def _load(path: Path) -> Profile:
    from devices.profiles.registry import load_profile

    return load_profile(path)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (("verified_on_hardware = false", "verfied_on_hardware = false"), "[profile]"),
        (('kind = "blood_pressure"', 'kind = "thermometer"'), "profile.kind"),
        (('service_uuids = ["1810"]', ""), "[match]"),
        (('service_uuids = ["1810"]', 'service_uuids = ["not-a-uuid"]'), "match.service_uuids"),
        (('service_uuids = ["1810"]', 'name_patterns = ["(unclosed"]'), "match.name_patterns"),
        (('type = "bps"', 'type = "gls_racp"'), "procedure.type"),
        (('type = "bps"', 'type = "bps"\nadvert_codec = "xiaomi_v2"'), "procedure.advert_codec"),
        (("expect = {{ systolic = 120.0 }}", ""), "example[0]"),
        (('service_uuids = ["1808"]', ""), "must_not_match[0]"),
        (('transport = "ble"', 'transport = "serial"'), "profile.transport"),
    ],
)
def test_broken_profile_is_refused_with_field(
    tmp_path: Path, change: tuple[str, str], field: str
) -> None:
    old, new = change
    assert old in _GOOD
    path = _write(tmp_path, "broken", _GOOD.replace(old, new, 1))
    with pytest.raises(ProfileError) as info:
        _load(path)
    assert info.value.field == field
    assert str(path) in info.value.path
    assert info.value.advice


def test_id_must_equal_file_name(tmp_path: Path) -> None:
    path = _write(tmp_path, "cuff", _GOOD.replace('id = "{id}"', 'id = "other"'))
    with pytest.raises(ProfileError) as info:
        _load(path)
    assert info.value.field == "profile.id"


def test_invalid_toml_and_duplicate_ids(tmp_path: Path) -> None:
    bad = _write(tmp_path, "bad", "[profile\n")
    with pytest.raises(ProfileError, match="not valid TOML"):
        _load(bad)
    bad.unlink()
    _write(tmp_path, "one", _GOOD)
    assert len(load_registry(tmp_path)) == 1
    (tmp_path / "ble" / "one.toml").rename(tmp_path / "ble" / "two.toml")
    with pytest.raises(ProfileError) as info:
        load_registry(tmp_path)
    assert info.value.field == "profile.id"  # id "one" in two.toml


def test_error_points_at_the_profile_line(tmp_path: Path) -> None:
    path = _write(
        tmp_path, "lined", "# comment\n\n" + _GOOD.replace('kind = "blood_pressure"', 'kind = "x"')
    )
    with pytest.raises(ProfileError) as info:
        _load(path)
    assert info.value.path.endswith(":4")  # [profile] is on line 4


def test_docs_worked_example_is_a_valid_profile(tmp_path: Path) -> None:
    doc = (Path(__file__).parents[2] / "docs" / "devices.md").read_text(encoding="utf-8")
    start = doc.index("# firmware_configs/ble/sanitas_sbf70.toml")
    text = doc[start : doc.index("```", start)]
    path = tmp_path / "ble" / "sanitas_sbf70.toml"
    path.parent.mkdir()
    path.write_text(text, encoding="utf-8")
    registry = load_registry(tmp_path)
    (profile,) = registry.profiles
    for example in profile.examples:
        decoded = decode_example(profile, example)
        assert all(_same(decoded[k], v) for k, v in example["expect"].items())
        assert all(decoded[k] is None for k in example.get("expect_none", []))
    assert ble.best_matches(registry, profile.examples[0]["advert"]) == [profile]
    assert not matches(profile, profile.must_not_match[0])
