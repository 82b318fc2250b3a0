"""The Bluetooth LE part of a device profile: ``[match]``, ``[procedure]``, ``[quirks]``.

``[match]`` (every listed criterion must hold; within one criterion any entry will do)::

    service_uuids = ["1810"]          advertised service UUIDs (16-bit or 128-bit text)
    service_data_uuids = ["181b"]     UUIDs that carry advertisement service data
    name_patterns = ["MIBFS", "MIBCS"]  regular expressions, matched against the whole name
    manufacturer_ids = [0x020E]       company ids in manufacturer data
    priority = 1                      tie-break between equally specific profiles (default 0)

A profile with more criteria is more specific; the scanner picks the most specific match, so
"A&D UA-651BLE" (service + name) wins over "generic BPS" (service only) for an A&D advert.

``[procedure]``: ``type`` = bps | gls_racp | wss | bcs | advert; ``advert_codec`` (advert only,
a key of ``devices.decode.ADVERT_DECODERS``); ``set_time`` = none | cts | date_time | isens_fff1;
``incremental`` (glucose: fetch only sequence ≥ last seen + 1); ``user_data`` = none | consent.

``[quirks]``: ``pairing`` = none | just_works | passkey | os_bond, ``indications`` (measurement
arrives by indication rather than notification), ``vendor_services`` (128/16-bit UUIDs),
``notes``.

Examples: ``characteristic`` ("2a35" or "adv:181b"), ``hex`` (a string, or a list of packets),
optional ``name`` (advertised name), ``expect`` (a table of decoded keys, compared one by one)
plus ``expect_none`` (keys that must decode to null; TOML has no null), or
``expect_error = "DecodeError"``; optional ``advert`` (a candidate this profile must be the
best match for). Must-not-match entries are candidates: ``name``, ``service_uuids``,
``service_data`` (uuid → hex), ``manufacturer_data`` (company id as text → hex).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from devices.gatt.uuids import normalize_uuid, short_uuid
from devices.profiles.schema import (
    Profile,
    SourceRef,
    check_keys,
    opt_bool,
    opt_int_list,
    opt_str,
    opt_str_list,
    table,
)

__all__ = [
    "BleMatch",
    "BleProcedure",
    "BleQuirks",
    "BleSection",
    "advert_profiles",
    "best_matches",
    "decode_example",
    "matches",
    "parse_section",
    "short",
    "specificity",
]

PROCEDURES = ("bps", "gls_racp", "wss", "bcs", "advert")
SET_TIME = ("none", "cts", "date_time", "isens_fff1")
PAIRING = ("none", "just_works", "passkey", "os_bond")
USER_DATA = ("none", "consent")
_KIND_PROCEDURES = {
    "blood_pressure": ("bps",),
    "glucose": ("gls_racp",),
    "weight": ("wss", "advert"),
    "body_composition": ("bcs", "advert"),
}
EXAMPLE_KEYS = {
    "characteristic",
    "hex",
    "name",
    "expect",
    "expect_none",
    "expect_error",
    "advert",
    "note",
}
CANDIDATE_KEYS = {"name", "service_uuids", "service_data", "manufacturer_data", "note"}


@dataclass(frozen=True, slots=True)
class BleMatch:
    service_uuids: tuple[str, ...]  # lowercase 128-bit
    service_data_uuids: tuple[str, ...]
    name_patterns: tuple[re.Pattern[str], ...]
    manufacturer_ids: tuple[int, ...]
    priority: int = 0


@dataclass(frozen=True, slots=True)
class BleProcedure:
    type: str
    advert_codec: str | None
    set_time: str
    incremental: bool
    user_data: str


@dataclass(frozen=True, slots=True)
class BleQuirks:
    pairing: str
    indications: bool
    vendor_services: tuple[str, ...]
    notes: str


@dataclass(frozen=True, slots=True)
class BleSection:
    match: BleMatch
    procedure: BleProcedure
    quirks: BleQuirks

    @property
    def advert_codec(self) -> str | None:
        return self.procedure.advert_codec


def _uuids(values: Iterable[str], where: SourceRef, field: str) -> tuple[str, ...]:
    out = []
    for value in values:
        try:
            out.append(normalize_uuid(value))
        except ValueError:
            raise where.error(f"{value!r} is not a Bluetooth UUID", field) from None
    return tuple(out)


def _int(doc: Mapping[str, Any], key: str, where: SourceRef, ctx: str) -> int:
    value = doc.get(key, 0)
    if not isinstance(value, int) or isinstance(value, bool):
        raise where.error("must be an integer", f"{ctx}.{key}")
    return value


def _choice(
    doc: Mapping[str, Any],
    key: str,
    options: tuple[str, ...],
    where: SourceRef,
    ctx: str,
    default: str,
) -> str:
    value = opt_str(doc, key, where, ctx, default)
    if value not in options:
        raise where.error(f"{value!r} is not one of {', '.join(options)}", f"{ctx}.{key}")
    return value


def parse_section(doc: Mapping[str, Any], where: SourceRef) -> BleSection:
    m = table(doc, "match", where)
    check_keys(
        m,
        {"service_uuids", "service_data_uuids", "name_patterns", "manufacturer_ids", "priority"},
        where,
        "[match]",
    )
    patterns = []
    for text in opt_str_list(m, "name_patterns", where, "match"):
        try:
            patterns.append(re.compile(text))
        except re.error as exc:
            raise where.error(
                f"bad regular expression {text!r}: {exc}", "match.name_patterns"
            ) from None
    match = BleMatch(
        service_uuids=_uuids(
            opt_str_list(m, "service_uuids", where, "match"), where, "match.service_uuids"
        ),
        service_data_uuids=_uuids(
            opt_str_list(m, "service_data_uuids", where, "match"), where, "match.service_data_uuids"
        ),
        name_patterns=tuple(patterns),
        manufacturer_ids=opt_int_list(m, "manufacturer_ids", where, "match"),
        priority=_int(m, "priority", where, "match"),
    )
    if not (
        match.service_uuids
        or match.service_data_uuids
        or match.name_patterns
        or match.manufacturer_ids
    ):
        raise where.error("needs at least one rule, or it would claim every advert", "[match]")

    p = table(doc, "procedure", where)
    check_keys(
        p, {"type", "advert_codec", "set_time", "incremental", "user_data"}, where, "[procedure]"
    )
    kind = doc["profile"]["kind"]
    ptype = _choice(p, "type", PROCEDURES, where, "procedure", "")
    if ptype not in _KIND_PROCEDURES[kind]:
        raise where.error(f"{ptype!r} cannot produce {kind} readings", "procedure.type")
    codec = p.get("advert_codec")
    if ptype == "advert":
        from devices.decode import ADVERT_DECODERS

        if codec not in ADVERT_DECODERS:
            raise where.error(
                f"must be one of {', '.join(ADVERT_DECODERS)}", "procedure.advert_codec"
            )
        if not match.service_data_uuids:
            raise where.error("an advert profile must name its service_data_uuids", "[match]")
    elif codec is not None:
        raise where.error('only for type = "advert"', "procedure.advert_codec")
    procedure = BleProcedure(
        type=ptype,
        advert_codec=codec,
        set_time=_choice(p, "set_time", SET_TIME, where, "procedure", "none"),
        incremental=opt_bool(p, "incremental", where, "procedure"),
        user_data=_choice(p, "user_data", USER_DATA, where, "procedure", "none"),
    )

    q = table(doc, "quirks", where, required=False)
    check_keys(q, {"pairing", "indications", "vendor_services", "notes"}, where, "[quirks]")
    quirks = BleQuirks(
        pairing=_choice(q, "pairing", PAIRING, where, "quirks", "none"),
        indications=opt_bool(q, "indications", where, "quirks", ptype in ("bps", "wss", "bcs")),
        vendor_services=_uuids(
            opt_str_list(q, "vendor_services", where, "quirks"), where, "quirks.vendor_services"
        ),
        notes=opt_str(q, "notes", where, "quirks"),
    )
    section = BleSection(match, procedure, quirks)
    for i, example in enumerate(doc.get("example", [])):
        check_keys(example, EXAMPLE_KEYS, where, f"example[{i}]")
        if not isinstance(example.get("characteristic"), str):
            raise where.error("required string", f"example[{i}].characteristic")
        if ("expect" in example) == ("expect_error" in example):
            raise where.error("give exactly one of expect / expect_error", f"example[{i}]")
        if "hex" not in example:
            raise where.error("required", f"example[{i}].hex")
        opt_str_list(example, "expect_none", where, f"example[{i}]")
        if "advert" in example:
            _check_candidate(example["advert"], where, f"example[{i}].advert")
    for i, candidate in enumerate(doc.get("must_not_match", [])):
        _check_candidate(candidate, where, f"must_not_match[{i}]")
    return section


def _check_candidate(candidate: Any, where: SourceRef, ctx: str) -> None:
    if not isinstance(candidate, dict):
        raise where.error("must be a table", ctx)
    check_keys(candidate, CANDIDATE_KEYS, where, ctx)
    if not set(candidate) - {"note"}:
        raise where.error("an empty advert matches nothing and tests nothing", ctx)


def _hex(value: Any) -> bytes:
    from devices.decode import parse_hex_args

    return parse_hex_args([value] if isinstance(value, str) else list(value))


def decode_example(profile: Profile, example: Mapping[str, Any]) -> dict[str, Any]:
    from devices.decode import decode_characteristic

    return decode_characteristic(
        example["characteristic"], _hex(example["hex"]), name=example.get("name")
    )


def _section(profile: Profile) -> BleSection:
    if not isinstance(profile.section, BleSection):
        raise TypeError(f"{profile.id} is not a BLE profile")
    return profile.section


def _candidate_uuids(values: Iterable[Any]) -> set[str]:
    out = set()
    for value in values:
        try:
            out.add(normalize_uuid(value))
        except ValueError:
            continue
    return out


def matches(profile: Profile, candidate: Mapping[str, Any]) -> bool:
    """Does ``profile`` claim ``candidate`` (an advert as in ``must_not_match``)?"""
    if profile.transport != "ble":
        return False
    m = _section(profile).match
    name = candidate.get("name") or ""
    if m.name_patterns and not any(p.fullmatch(name) for p in m.name_patterns):
        return False
    if m.service_uuids and not set(m.service_uuids) & _candidate_uuids(
        candidate.get("service_uuids", ())
    ):
        return False
    if m.service_data_uuids and not set(m.service_data_uuids) & _candidate_uuids(
        candidate.get("service_data", {})
    ):
        return False
    if m.manufacturer_ids:
        ids = {
            int(k, 0) if isinstance(k, str) else int(k)
            for k in candidate.get("manufacturer_data", {})
        }
        if not set(m.manufacturer_ids) & ids:
            return False
    return True


def specificity(profile: Profile) -> int:
    m = _section(profile).match
    return sum(
        bool(x)
        for x in (m.service_uuids, m.service_data_uuids, m.name_patterns, m.manufacturer_ids)
    )


def best_matches(profiles: Iterable[Profile], candidate: Mapping[str, Any]) -> list[Profile]:
    """The most specific BLE profiles claiming ``candidate`` (more than one = ambiguous)."""
    found = [p for p in profiles if p.transport == "ble" and matches(p, candidate)]
    if not found:
        return []

    def rank(p: Profile) -> tuple[int, int]:
        return (specificity(p), _section(p).match.priority)

    top = max(rank(p) for p in found)
    return [p for p in found if rank(p) == top]


def advert_profiles(service_uuid: int, name: str | None) -> list[Profile]:
    """Advert-decoding profiles for service data under ``service_uuid`` (and ``name``)."""
    from devices.profiles.registry import default_registry

    wanted = normalize_uuid(service_uuid)
    out = []
    for profile in default_registry().for_transport("ble"):
        section = _section(profile)
        if section.advert_codec is None or wanted not in section.match.service_data_uuids:
            continue
        if (
            name is not None
            and section.match.name_patterns
            and not any(p.fullmatch(name) for p in section.match.name_patterns)
        ):
            continue
        out.append(profile)
    return out


def short(uuid: str) -> str:
    """``"1810"`` for a SIG UUID, else the 128-bit text (for listings)."""
    try:
        return f"{short_uuid(uuid):04x}"
    except ValueError:
        return uuid
