"""Validation of the transport-independent part of a device profile (see the package docstring).

Unknown keys are errors, not warnings: a typo such as ``verfied_on_hardware`` would otherwise
silently fall back to a default. The helpers here are shared by the transport modules so every
broken profile is reported the same way, as a :class:`ProfileError` with path, field and advice.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from devices.errors import DeviceError

__all__ = [
    "KINDS",
    "TRANSPORTS",
    "Profile",
    "ProfileError",
    "SourceRef",
    "check_keys",
    "opt_bool",
    "opt_int_list",
    "opt_str",
    "opt_str_list",
    "parse_common",
    "req_str",
    "table",
    "table_list",
]

KINDS = ("blood_pressure", "glucose", "weight", "body_composition")
TRANSPORTS = ("ble", "serial")

_PROFILE_KEYS = {
    "id",
    "name",
    "kind",
    "transport",
    "manufacturer",
    "models",
    "notes",
    "verified_on_hardware",
}
TOP_LEVEL_KEYS = {"profile", "match", "procedure", "quirks", "example", "must_not_match"}


class ProfileError(DeviceError):
    """A profile file is missing, unreadable or does not follow the schema."""

    advice = "Fix the named field in the profile file; `kiosk devices decode` helps check examples."

    def __init__(
        self, message: str, *, path: str, field: str | None = None, advice: str | None = None
    ) -> None:
        where = f"{path}: {field}: " if field else f"{path}: "
        super().__init__(where + message, advice=advice)
        self.path = path
        self.field = field


@dataclass(frozen=True, slots=True)
class SourceRef:
    """Where a profile (or one of its entries) was written: file and 1-based line."""

    path: str
    line: int = 1

    def error(self, message: str, field: str | None = None) -> ProfileError:
        return ProfileError(message, path=f"{self.path}:{self.line}", field=field)


@dataclass(frozen=True, slots=True)
class Profile:
    """One validated profile. ``section`` is what the transport's ``parse_section`` returned
    (its parsed ``[match]``, ``[procedure]`` and ``[quirks]``)."""

    id: str
    name: str
    kind: str
    transport: str
    manufacturer: str
    models: tuple[str, ...]
    notes: str
    verified_on_hardware: bool
    source: SourceRef
    section: Any
    examples: tuple[Mapping[str, Any], ...] = ()
    must_not_match: tuple[Mapping[str, Any], ...] = ()
    example_lines: tuple[int, ...] = field(default=())


def check_keys(doc: Mapping[str, Any], allowed: Iterable[str], where: SourceRef, ctx: str) -> None:
    unknown = sorted(set(doc) - set(allowed))
    if unknown:
        raise where.error(f"unknown key(s) {', '.join(unknown)}", ctx)


def table(doc: Mapping[str, Any], key: str, where: SourceRef, *, required: bool = True) -> Any:
    value = doc.get(key)
    if value is None:
        if required:
            raise where.error("missing table", f"[{key}]")
        return {}
    if not isinstance(value, dict):
        raise where.error("must be a table", f"[{key}]")
    return value


def table_list(doc: Mapping[str, Any], key: str, where: SourceRef) -> list[dict[str, Any]]:
    value = doc.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise where.error("must be an array of tables", f"[[{key}]]")
    return value


def req_str(doc: Mapping[str, Any], key: str, where: SourceRef, ctx: str) -> str:
    value = doc.get(key)
    if not isinstance(value, str) or not value.strip():
        raise where.error("required non-empty string", f"{ctx}.{key}")
    return value


def opt_str(doc: Mapping[str, Any], key: str, where: SourceRef, ctx: str, default: str = "") -> str:
    value = doc.get(key, default)
    if not isinstance(value, str):
        raise where.error("must be a string", f"{ctx}.{key}")
    return value


def opt_bool(
    doc: Mapping[str, Any], key: str, where: SourceRef, ctx: str, default: bool = False
) -> bool:
    value = doc.get(key, default)
    if not isinstance(value, bool):
        raise where.error("must be true or false", f"{ctx}.{key}")
    return value


def opt_str_list(doc: Mapping[str, Any], key: str, where: SourceRef, ctx: str) -> tuple[str, ...]:
    value = doc.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise where.error("must be a list of strings", f"{ctx}.{key}")
    return tuple(value)


def opt_int_list(doc: Mapping[str, Any], key: str, where: SourceRef, ctx: str) -> tuple[int, ...]:
    value = doc.get(key, [])
    if not isinstance(value, list) or not all(
        isinstance(v, int) and not isinstance(v, bool) for v in value
    ):
        raise where.error("must be a list of integers", f"{ctx}.{key}")
    return tuple(value)


def parse_common(doc: Mapping[str, Any], path: Path, where: SourceRef) -> dict[str, Any]:
    """Validate ``[profile]`` and the top-level layout; return Profile keyword arguments."""
    check_keys(doc, TOP_LEVEL_KEYS, where, "top level")
    head = table(doc, "profile", where)
    check_keys(head, _PROFILE_KEYS, where, "[profile]")
    profile_id = req_str(head, "id", where, "profile")
    if profile_id != path.stem:
        raise where.error(f"{profile_id!r} must equal the file name {path.stem!r}", "profile.id")
    kind = req_str(head, "kind", where, "profile")
    if kind not in KINDS:
        raise where.error(f"{kind!r} is not one of {', '.join(KINDS)}", "profile.kind")
    transport = req_str(head, "transport", where, "profile")
    if transport not in TRANSPORTS:
        raise where.error(
            f"{transport!r} is not one of {', '.join(TRANSPORTS)}", "profile.transport"
        )
    if path.parent.name != transport:
        raise where.error(
            f"a {transport!r} profile belongs in firmware_configs/{transport}/", "profile.transport"
        )
    if "verified_on_hardware" not in head:
        raise where.error(
            "required (false until checked on a real device)", "profile.verified_on_hardware"
        )
    return {
        "id": profile_id,
        "name": req_str(head, "name", where, "profile"),
        "kind": kind,
        "transport": transport,
        "manufacturer": req_str(head, "manufacturer", where, "profile"),
        "models": opt_str_list(head, "models", where, "profile"),
        "notes": opt_str(head, "notes", where, "profile"),
        "verified_on_hardware": opt_bool(head, "verified_on_hardware", where, "profile"),
        "source": where,
        "examples": tuple(table_list(doc, "example", where)),
        "must_not_match": tuple(table_list(doc, "must_not_match", where)),
    }
