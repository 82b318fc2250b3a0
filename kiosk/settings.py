"""Settings a technician may change on the kiosk (issue 8 §6), read by the visitor flow and the UI.

Defaults live here; the kiosk DB keeps only what was changed (``kiosk_settings``). Every value
is validated on load and on save: a bad row (hand-edited DB, older version) falls back to the
default with a warning instead of stopping the kiosk.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.errors import KioskError
from kiosk.observable import Signal
from kiosk.store.db import Store, transaction
from kiosk.store.settings_models import SettingRow

log = logging.getLogger(__name__)


class SettingsError(KioskError):
    """A setting value outside what the kiosk accepts; ``field`` names the setting."""

    def __init__(self, field: str, value: object, allowed: str) -> None:
        super().__init__(
            f"setting {field!r}: {value!r} is not allowed ({allowed})",
            advice=f"Choose {allowed} for {field}.",
        )
        self.field = field
        self.value = value
        self.allowed = allowed


LANGUAGES = ("ko", "en")
TEXT_SIZES = ("normal", "large")
CONTRASTS = ("standard", "high")


@dataclass(frozen=True, slots=True)
class KioskSettings:
    language_default: str = "ko"  # "ko" | "en": the language each new visit starts in
    text_size: str = "normal"  # "normal" | "large": the default for each new visit
    contrast: str = "standard"  # "standard" | "high"
    # Seconds without a touch before the privacy-reset warning; the warning itself adds 30 s.
    inactivity_timeout_s: int = 180
    voice_volume: int = 70  # 0–100, each visit starts here; 0 means silent
    voice_enabled: bool = True
    guest_retention_hours: int = 24

    def validated(self) -> KioskSettings:
        _one_of("language_default", self.language_default, LANGUAGES)
        _one_of("text_size", self.text_size, TEXT_SIZES)
        _one_of("contrast", self.contrast, CONTRASTS)
        _within("inactivity_timeout_s", self.inactivity_timeout_s, 60, 900)
        _within("voice_volume", self.voice_volume, 0, 100)
        # Guests are told their readings are deleted within a day (consent and finish screens):
        # the setting may shorten that promise, never break it.
        _within("guest_retention_hours", self.guest_retention_hours, 1, 24)
        if not isinstance(self.voice_enabled, bool):
            raise SettingsError("voice_enabled", self.voice_enabled, "true or false")
        return self


def _one_of(field: str, value: object, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise SettingsError(field, value, " | ".join(allowed))


def _within(field: str, value: object, low: int, high: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise SettingsError(field, value, f"a whole number from {low} to {high}")


_FIELDS = {f.name: f for f in dataclasses.fields(KioskSettings)}


def _encode(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _decode(name: str, text: str) -> Any:
    kind = _FIELDS[name].type
    if kind == "bool":
        if text not in ("true", "false"):
            raise SettingsError(name, text, "true or false")
        return text == "true"
    if kind == "int":
        try:
            return int(text)
        except ValueError:
            raise SettingsError(name, text, "a whole number") from None
    return text


def parse_setting(name: str, text: str) -> object:
    """A value typed as text (``kiosk settings set name=value``) in the setting's own type."""
    if name not in _FIELDS:
        raise SettingsError(name, text, f"one of {', '.join(_FIELDS)}")
    return _decode(name, text.strip())


class SettingsStore:
    """Loads and saves :class:`KioskSettings` in the kiosk DB; ``changed`` carries the new value.

    Thread-safe as the Store is; the runtime calls it from its own thread, the admin UI through
    ``runtime.submit``.
    """

    def __init__(self, store: Store) -> None:
        self._engine = store.engine
        self.changed: Signal[KioskSettings] = Signal()
        self._current = self._load()

    @property
    def current(self) -> KioskSettings:
        return self._current

    def _tx(self) -> AbstractContextManager[Session]:
        return transaction(self._engine, "kiosk settings")

    def _load(self) -> KioskSettings:
        with self._tx() as s:
            rows = {r.key: r.value for r in s.scalars(select(SettingRow))}
        values = KioskSettings()
        for name, text in rows.items():
            if name not in _FIELDS:
                log.warning("ignoring unknown kiosk setting %r", name)
                continue
            try:
                candidate = dataclasses.replace(values, **{name: _decode(name, text)})
                values = candidate.validated()
            except SettingsError as e:
                log.warning("kiosk setting %s ignored, default kept: %s", name, e)
        return values

    def update(self, changes: Mapping[str, object], *, changed_by: str | None) -> KioskSettings:
        """Validate and store ``changes`` in one transaction; returns the new settings."""
        unknown = set(changes) - set(_FIELDS)
        if unknown:
            raise SettingsError(sorted(unknown)[0], None, "not a kiosk setting")
        fields: dict[str, Any] = dict(changes)
        new = dataclasses.replace(self._current, **fields).validated()
        now = datetime.now(UTC)
        with self._tx() as s:
            for name, value in changes.items():
                row = s.get(SettingRow, name)
                if row is None:
                    s.add(
                        SettingRow(
                            key=name, value=_encode(value), changed_at=now, changed_by=changed_by
                        )
                    )
                else:
                    row.value, row.changed_at, row.changed_by = _encode(value), now, changed_by
        self._current = new
        self.changed.emit(new)
        return new

    def subscribe(self, fn: Callable[[KioskSettings], None]) -> None:
        self.changed.connect(fn)
