"""What staff do with devices on the admin screen (issue 8): scan → choose → pair, rename,
forget, "test read", and the device table, Qt-free.

Every action is permission-checked and audited through :class:`~kiosk.staff.StaffService`.
The coroutines run on the runtime loop (where the hub lives); the plain methods read the
kiosk DB and run on the runtime thread too (the admin screen posts them with ``submit``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from devices.errors import DeviceError
from devices.profiles.registry import Registry, default_registry
from devices.profiles.schema import Profile
from devices.readings import DeviceIdentity
from kiosk.errors import KioskError
from kiosk.hub import DeviceHub, DeviceStatus
from kiosk.staff import AdminSession, Permission, StaffService
from kiosk.store.devices import AllowlistEntry, DeviceAllowlist

__all__ = [
    "DeviceAdmin",
    "DeviceAdminError",
    "DeviceRow",
    "NearbyDevice",
    "PairingHelp",
    "TestRead",
    "pairing_help",
]

log = logging.getLogger(__name__)


class DeviceAdminError(KioskError):
    advice = "Check the device is switched on and near the kiosk, then try again."


@dataclass(frozen=True, slots=True)
class NearbyDevice:
    """A device seen in a staff scan that matches one of the kiosk's profiles."""

    address: str
    name: str | None
    rssi: int
    kind: str
    profile_id: str
    profile_name: str
    models: tuple[str, ...]
    pairing: str  # none | just_works | passkey | os_bond (the profile's [quirks])
    paired: bool  # already on this kiosk's allowlist


@dataclass(frozen=True, slots=True)
class PairingHelp:
    """What staff must do on the device before the kiosk pairs, in plain words."""

    needs_steps: bool  # False: nothing to do on the device (no code, no button)
    steps: str
    detail: str  # the profile's own note, for a technician on the phone with support


@dataclass(frozen=True, slots=True)
class DeviceRow:
    """One line of the devices page: the allowlist merged with the hub's live status."""

    address: str
    name: str
    kind: str
    paired: bool
    model: str | None
    state: str  # a hub state (connecting, connected, reading, idle, error) or "unseen"
    battery_percent: int | None
    rssi: int | None
    last_seen_at: datetime | None
    firmware: str | None
    last_reading_at: datetime | None
    last_error: str | None
    advice: str | None


@dataclass(frozen=True, slots=True)
class TestRead:
    address: str
    identity: DeviceIdentity
    battery_percent: int | None


_STEPS = {
    "none": (
        False,
        "기기에서 할 일은 없습니다. 기기를 켜 두고 '연결'을 누르세요.\n"
        "Nothing to do on the device: keep it switched on and press 'Pair'.",
    ),
    "just_works": (
        True,
        "1. 기기 설명서대로 기기를 '연결 모드'로 두세요 (블루투스 표시가 깜박임).\n"
        "2. '연결'을 누르세요. 번호를 넣을 필요는 없습니다.\n"
        "1. Put the device in pairing mode as its manual says (the Bluetooth mark blinks).\n"
        "2. Press 'Pair'. No code is needed.",
    ),
    "os_bond": (
        True,
        "1. 기기의 블루투스(또는 전원) 버튼을 화면에 'P'가 깜박일 때까지 길게 누르세요.\n"
        "2. 깜박이는 동안 '연결'을 누르세요. 한 번만 하면 됩니다.\n"
        "1. Hold the device's Bluetooth (or power) button until a 'P' blinks on its screen.\n"
        "2. While it blinks, press 'Pair'. This is needed only once.",
    ),
    "passkey": (
        True,
        "1. 기기를 '연결 모드'로 두세요 (설명서 참고).\n"
        "2. '연결'을 누르면 기기 화면에 6자리 번호가 나옵니다.\n"
        "3. 키오스크에 번호 입력 창이 뜨면 그 번호를 넣으세요. 창이 뜨지 않고 실패하면 기술 "
        "담당자에게 연락하세요.\n"
        "1. Put the device in pairing mode (see its manual).\n"
        "2. Press 'Pair': the device shows a 6-digit code.\n"
        "3. When the kiosk asks for a code, type that code. If no box appears and pairing "
        "fails, call the technician.",
    ),
}


def pairing_help(profile: Profile) -> PairingHelp:
    pairing = _pairing(profile)
    if _advert_only(profile):
        return PairingHelp(
            False,
            "이 체중계는 연결하지 않고 신호만 받습니다. '연결'을 누르면 목록에 추가됩니다.\n"
            "This scale is never connected: the kiosk only listens to it. 'Pair' adds it.",
            profile.notes.strip(),
        )
    needs, steps = _STEPS.get(pairing, _STEPS["just_works"])
    return PairingHelp(needs, steps, profile.notes.strip())


def _pairing(profile: Profile) -> str:
    quirks = getattr(profile.section, "quirks", None)
    return str(getattr(quirks, "pairing", "none"))


def _advert_only(profile: Profile) -> bool:
    return getattr(profile.section, "advert_codec", None) is not None


class DeviceAdmin:
    def __init__(
        self,
        hub: DeviceHub,
        allowlist: DeviceAllowlist,
        staff: StaffService,
        *,
        registry: Registry | None = None,
        scan_seconds: float = 5.0,
    ) -> None:
        self._hub = hub
        self._allowlist = allowlist
        self._staff = staff
        self._registry = registry or default_registry()
        self.scan_seconds = scan_seconds
        # Last seen: kept in the allowlist row, so it survives a restart.
        hub.status_changed.connect(self._note_seen)

    def _note_seen(self, status: DeviceStatus) -> None:
        if not (status.connected or status.rssi is not None or status.identity is not None):
            return
        try:
            self._allowlist.seen(
                status.address, rssi=status.rssi, battery_percent=status.battery_percent
            )
        except KioskError:
            log.exception("device presence could not be stored")

    def profile(self, profile_id: str) -> Profile:
        try:
            return self._registry.get(profile_id)
        except KeyError:
            raise DeviceAdminError(
                f"no device profile {profile_id!r}",
                advice="The kiosk has no profile for this device; forget it and pair it again.",
            ) from None

    # --- the table ------------------------------------------------------------------------
    def rows(self) -> list[DeviceRow]:
        """Paired devices first (by name), then devices the hub holds without being paired
        (first start, serial cables). Reads the DB: call on the runtime thread."""
        live = {a.upper(): s for a, s in dict(self._hub.status).items()}
        last = self._allowlist.last_readings()
        rows = [self._row(e, live.pop(e.address, None), last) for e in self._allowlist.entries()]
        for address, st in sorted(live.items()):
            rows.append(
                DeviceRow(
                    address=address,
                    name=address,
                    kind=st.kind,
                    paired=False,
                    model=None if st.identity is None else st.identity.model,
                    state=st.state if not st.connected else "connected",
                    battery_percent=st.battery_percent,
                    rssi=st.rssi,
                    last_seen_at=None,
                    firmware=None if st.identity is None else st.identity.firmware,
                    last_reading_at=last.get(address),
                    last_error=st.last_error,
                    advice=st.advice,
                )
            )
        return rows

    @staticmethod
    def _row(e: AllowlistEntry, st: DeviceStatus | None, last: dict[str, datetime]) -> DeviceRow:
        identity = None if st is None else st.identity
        battery = st.battery_percent if st is not None and st.battery_percent is not None else None
        rssi = st.rssi if st is not None and st.rssi is not None else None
        return DeviceRow(
            address=e.address,
            name=e.name,
            kind=e.kind,
            paired=True,
            model=None if identity is None else identity.model,
            state="unseen" if st is None else ("connected" if st.connected else st.state),
            battery_percent=battery if battery is not None else e.battery_percent,
            rssi=rssi if rssi is not None else e.rssi,
            last_seen_at=e.last_seen_at,
            firmware=None if identity is None else identity.firmware,
            last_reading_at=last.get(e.address),
            last_error=None if st is None else st.last_error,
            advice=None if st is None else st.advice,
        )

    # --- scan → choose → pair -------------------------------------------------------------
    async def scan(self, session: AdminSession) -> list[NearbyDevice]:
        """Devices advertising now that match a profile, strongest signal first."""
        self._staff.check(session, Permission.PAIR_DEVICE)
        try:
            found = await self._hub.scan_nearby(
                self._registry.for_transport("ble"), self.scan_seconds
            )
        except DeviceError as exc:
            self._staff.audit("device_scan", session.role, f"failed: {exc}")
            raise DeviceAdminError(str(exc), advice=exc.advice) from exc
        paired = {e.address for e in self._allowlist.entries()}
        out = []
        for r in found:
            if not r.profiles:
                continue  # a phone or a neighbour's headset: nothing the kiosk can use
            profile = self._registry.get(r.profiles[0])
            out.append(
                NearbyDevice(
                    address=r.address.upper(),
                    name=r.name,
                    rssi=r.rssi,
                    kind=profile.kind,
                    profile_id=profile.id,
                    profile_name=profile.name,
                    models=profile.models,
                    pairing=_pairing(profile),
                    paired=r.address.upper() in paired,
                )
            )
        self._staff.audit("device_scan", session.role, f"found={len(out)}")
        return out

    def help_for(self, device: NearbyDevice) -> PairingHelp:
        return pairing_help(self.profile(device.profile_id))

    async def pair(
        self, session: AdminSession, device: NearbyDevice, label: str | None = None
    ) -> AllowlistEntry:
        """Connect (bonding where the profile needs it), read the device's identity, allow it
        and start using it. Advert-only scales are allowed without a connection."""
        self._staff.check(session, Permission.PAIR_DEVICE)
        profile = self.profile(device.profile_id)
        identity: DeviceIdentity | None = None
        battery: int | None = None
        if not _advert_only(profile):
            try:
                probe = await self._hub.probe(
                    device.address, profile.kind, pair=_pairing(profile) != "none"
                )
            except DeviceError as exc:
                if self._allowlist.get(device.address) is None:
                    await self._hub.release(device.address)  # no stray row for a stranger
                self._staff.audit(
                    "device_pair", session.role, f"address={device.address} failed: {exc}"
                )
                raise DeviceAdminError(str(exc), advice=exc.advice) from exc
            identity, battery = probe.identity, probe.battery_percent
        name = (label or "").strip() or (identity.model if identity else None) or profile.name
        entry = self._allowlist.add(
            device.address,
            profile_id=profile.id,
            kind=profile.kind,
            label=name[:64],
            added_by=session.role.value,
        )
        self._allowlist.seen(device.address, rssi=device.rssi, battery_percent=battery)
        model = identity.model if identity else "advert"
        self._staff.audit(
            "device_pair",
            session.role,
            f"address={device.address} profile={profile.id} model={model}",
        )
        await self._hub.hold(device.address, profile.kind)
        return self._allowlist.get(device.address) or entry

    # --- rename, forget, test read --------------------------------------------------------
    def rename(self, session: AdminSession, address: str, alias: str | None) -> AllowlistEntry:
        self._staff.check(session, Permission.RENAME_DEVICE)
        entry = self._allowlist.rename(address, alias)
        self._staff.audit(
            "device_rename", session.role, f"address={entry.address} name={entry.name}"
        )
        return entry

    async def forget(self, session: AdminSession, address: str) -> bool:
        self._staff.check(session, Permission.FORGET_DEVICE)
        forgotten = self._allowlist.forget(address)
        await self._hub.release(address.upper())
        if forgotten:
            self._staff.audit("device_forget", session.role, f"address={address.upper()}")
        return forgotten

    async def test_read(self, session: AdminSession, address: str) -> TestRead:
        """Connect and read the device's identity and battery: proves the kiosk reaches it."""
        self._staff.check(session, Permission.TEST_DEVICE)
        entry = self._allowlist.get(address)
        if entry is None:
            raise DeviceAdminError(
                f"{address} is not paired", advice="Refresh the list; pair the device first."
            )
        profile = self.profile(entry.profile_id)
        if _advert_only(profile):
            self._staff.audit("device_test", session.role, f"address={entry.address} advert")
            raise DeviceAdminError(
                f"{entry.name} only broadcasts; the kiosk never connects to it",
                advice="Step on the scale: its weight appears on the visitor screen when a "
                "visit is open.",
            )
        try:
            probe = await self._hub.probe(entry.address, entry.kind)
        except DeviceError as exc:
            self._staff.audit("device_test", session.role, f"address={entry.address} failed: {exc}")
            raise DeviceAdminError(str(exc), advice=exc.advice) from exc
        self._allowlist.seen(entry.address, battery_percent=probe.battery_percent)
        self._staff.audit(
            "device_test", session.role, f"address={entry.address} ok model={probe.identity.model}"
        )
        return TestRead(entry.address, probe.identity, probe.battery_percent)
