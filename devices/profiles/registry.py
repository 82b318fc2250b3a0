"""Load and validate every profile under ``firmware_configs/`` and dispatch on transport.

A transport module (``devices.profiles.ble``, ``devices.profiles.serial``) is imported only when
a profile of that transport exists, so either side can be absent while the other is written.
"""

from __future__ import annotations

import importlib
import re
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

from devices.profiles.schema import Profile, ProfileError, SourceRef, parse_common

__all__ = [
    "DEFAULT_ROOT",
    "Registry",
    "decode_example",
    "default_registry",
    "load_profile",
    "load_registry",
    "matches",
    "transport_module",
]

DEFAULT_ROOT = Path(__file__).resolve().parents[2] / "firmware_configs"

_TRANSPORT_MODULES = {"ble": "devices.profiles.ble", "serial": "devices.profiles.serial"}


def transport_module(transport: str, where: SourceRef | None = None) -> ModuleType:
    name = _TRANSPORT_MODULES.get(transport)
    try:
        if name is None:
            raise ModuleNotFoundError(transport)
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        ref = where or SourceRef("<registry>")
        raise ref.error(
            f"no parser for transport {transport!r} ({exc})", "profile.transport"
        ) from None


def _line_of(text: str, header: str, nth: int = 0) -> int:
    pattern = re.compile(rf"^[ \t]*{re.escape(header)}[ \t]*(#.*)?$", re.MULTILINE)
    found = list(pattern.finditer(text))
    if nth < len(found):
        return text.count("\n", 0, found[nth].start()) + 1
    return 1


def load_profile(path: Path) -> Profile:
    """Read and validate one profile file; raises ProfileError with path, line and field."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ProfileError(f"cannot read: {exc}", path=str(path)) from None
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(f"not valid TOML: {exc}", path=str(path)) from None
    where = SourceRef(str(path), _line_of(text, "[profile]"))
    common = parse_common(doc, path, where)
    module = transport_module(common["transport"], where)
    section = module.parse_section(doc, where)
    lines = tuple(_line_of(text, "[[example]]", i) for i in range(len(common["examples"])))
    return Profile(section=section, example_lines=lines, **common)


@dataclass(frozen=True, slots=True)
class Registry:
    profiles: tuple[Profile, ...]

    def __iter__(self) -> Iterator[Profile]:
        return iter(self.profiles)

    def __len__(self) -> int:
        return len(self.profiles)

    def get(self, profile_id: str) -> Profile:
        for profile in self.profiles:
            if profile.id == profile_id:
                return profile
        raise KeyError(profile_id)

    def for_transport(self, transport: str) -> tuple[Profile, ...]:
        return tuple(p for p in self.profiles if p.transport == transport)


def load_registry(root: Path = DEFAULT_ROOT) -> Registry:
    """Every ``<root>/<transport>/*.toml``, sorted by path; ids must be unique."""
    profiles: list[Profile] = []
    seen: dict[str, str] = {}
    for path in sorted(root.glob("*/*.toml")):
        profile = load_profile(path)
        if profile.id in seen:
            raise ProfileError(
                f"duplicate profile id {profile.id!r} (also in {seen[profile.id]})",
                path=str(path),
                field="profile.id",
            )
        seen[profile.id] = str(path)
        profiles.append(profile)
    return Registry(tuple(profiles))


@cache
def default_registry() -> Registry:
    return load_registry(DEFAULT_ROOT)


def decode_example(profile: Profile, example: Mapping[str, Any]) -> dict[str, Any]:
    """Decoded output of one ``[[example]]`` (same keys as ``kiosk devices decode``)."""
    result: dict[str, Any] = transport_module(profile.transport).decode_example(profile, example)
    return result


def matches(profile: Profile, candidate: Mapping[str, Any]) -> bool:
    """Would ``profile`` claim ``candidate`` (an advert, USB id, frame — transport-specific)?"""
    return bool(transport_module(profile.transport).matches(profile, candidate))
