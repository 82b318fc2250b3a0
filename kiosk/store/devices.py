"""Store methods for the device allowlist: staff add/forget, presence updates, and the
per-meter last glucose sequence (a MutableMapping, as ``GlucoseMeterLink`` expects)."""

from __future__ import annotations

from collections.abc import Iterator, MutableMapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kiosk.errors import StorageError
from kiosk.store.db import Store, transaction
from kiosk.store.device_models import AllowedDevice
from kiosk.store.models import Measurement

__all__ = ["MAX_ALIAS", "AllowlistEntry", "DeviceAllowlist", "LastSequenceMemory"]

MAX_ALIAS = 64  # the column's width (0006)


@dataclass(frozen=True, slots=True)
class AllowlistEntry:
    address: str
    profile_id: str
    kind: str
    label: str
    added_at: datetime
    last_sequence: int | None
    uds_user_index: int | None
    last_seen_at: datetime | None
    rssi: int | None
    battery_percent: int | None
    alias: str | None = None  # staff's own name for it (0006)

    @property
    def name(self) -> str:
        return self.alias or self.label


def _entry(row: AllowedDevice) -> AllowlistEntry:
    return AllowlistEntry(
        address=row.address,
        profile_id=row.profile_id,
        kind=row.kind,
        label=row.label,
        added_at=row.added_at,
        last_sequence=row.last_sequence,
        uds_user_index=row.uds_user_index,
        last_seen_at=row.last_seen_at,
        rssi=row.rssi,
        battery_percent=row.battery_percent,
        alias=row.alias,
    )


class DeviceAllowlist:
    def __init__(self, store: Store) -> None:
        self._engine = store.engine

    def _tx(self) -> AbstractContextManager[Session]:
        return transaction(self._engine, "device allowlist")

    @staticmethod
    def _key(address: str) -> str:
        return address.strip().upper()

    def add(
        self, address: str, *, profile_id: str, kind: str, label: str, added_by: str | None = None
    ) -> AllowlistEntry:
        """Allow a device (idempotent: re-adding updates profile and label, keeps history)."""
        key = self._key(address)
        with self._tx() as s:
            row = s.get(AllowedDevice, key)
            if row is None:
                row = AllowedDevice(address=key, added_at=datetime.now(UTC), added_by=added_by)
                s.add(row)
            row.profile_id, row.kind, row.label = profile_id, kind, label
            s.flush()
            return _entry(row)

    def forget(self, address: str) -> bool:
        with self._tx() as s:
            row = s.get(AllowedDevice, self._key(address))
            if row is None:
                return False
            s.delete(row)
            return True

    def rename(self, address: str, alias: str | None) -> AllowlistEntry:
        """Give a device the centre's own name ("cuff by the window"); None or blank clears it."""
        alias = (alias or "").strip() or None
        if alias is not None and len(alias) > MAX_ALIAS:
            raise StorageError(
                f"a device name is at most {MAX_ALIAS} characters",
                advice="Use a shorter name, e.g. the place: 'by the window'.",
            )
        with self._tx() as s:
            row = s.get(AllowedDevice, self._key(address))
            if row is None:
                raise StorageError(
                    f"{address} is not a paired device",
                    advice="Refresh the device list; it may have been forgotten.",
                )
            row.alias = alias
            s.flush()
            return _entry(row)

    def last_readings(self) -> dict[str, datetime]:
        """address (upper case) → when its newest stored measurement was taken."""
        with self._tx() as s:
            rows = s.execute(
                select(Measurement.device_address, func.max(Measurement.measured_at)).group_by(
                    Measurement.device_address
                )
            ).all()
        return {self._key(a): at for a, at in rows if a and at is not None}

    def get(self, address: str) -> AllowlistEntry | None:
        with self._tx() as s:
            row = s.get(AllowedDevice, self._key(address))
            return None if row is None else _entry(row)

    def entries(self) -> list[AllowlistEntry]:
        with self._tx() as s:
            return [
                _entry(r) for r in s.scalars(select(AllowedDevice).order_by(AllowedDevice.label))
            ]

    def seen(
        self, address: str, *, rssi: int | None = None, battery_percent: int | None = None
    ) -> bool:
        """Note that an allowed device advertised or connected; False if it is not allowed."""
        with self._tx() as s:
            row = s.get(AllowedDevice, self._key(address))
            if row is None:
                return False
            row.last_seen_at = datetime.now(UTC)
            if rssi is not None:
                row.rssi = rssi
            if battery_percent is not None:
                row.battery_percent = battery_percent
            return True

    def last_sequences(self) -> LastSequenceMemory:
        return LastSequenceMemory(self)


class LastSequenceMemory(MutableMapping[str, int]):
    """address → last imported glucose sequence, persisted in the allowlist row."""

    def __init__(self, allowlist: DeviceAllowlist) -> None:
        self._allowlist = allowlist

    def __getitem__(self, address: str) -> int:
        entry = self._allowlist.get(address)
        if entry is None or entry.last_sequence is None:
            raise KeyError(address)
        return entry.last_sequence

    def __setitem__(self, address: str, value: int) -> None:
        with self._allowlist._tx() as s:
            row = s.get(AllowedDevice, DeviceAllowlist._key(address))
            if row is None:
                raise KeyError(f"{address} is not on the allowlist")
            row.last_sequence = value

    def __delitem__(self, address: str) -> None:
        with self._allowlist._tx() as s:
            row = s.get(AllowedDevice, DeviceAllowlist._key(address))
            if row is None or row.last_sequence is None:
                raise KeyError(address)
            row.last_sequence = None

    def __iter__(self) -> Iterator[str]:
        return iter([e.address for e in self._allowlist.entries() if e.last_sequence is not None])

    def __len__(self) -> int:
        return sum(1 for _ in self)
