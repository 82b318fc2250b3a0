"""Export for support (issue 8 §3): one zip a technician hands to support, with no personal data.

It holds what support asks for on the phone: sync counts and rejected items with the record
service's reason, the device table, the technician settings, software and model versions and
the tail of the audit log. It holds no visits, values, subjects, alert notes or PIN labels
(a centre may label a PIN with a person's name despite the advice): those stay on the kiosk.
"""

from __future__ import annotations

import json
import platform
import re
import zipfile
from dataclasses import asdict
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kiosk.errors import KioskError
from kiosk.staff import AdminSession, Permission, StaffService

if TYPE_CHECKING:
    from kiosk.device_admin import DeviceRow
    from kiosk.scoring.service import ScoringService
    from kiosk.settings import KioskSettings
    from kiosk.store import Store

__all__ = ["SupportExportError", "collect", "export_targets", "write_export"]

AUDIT_TAIL = 500
_PACKAGES = ("bitgoeul-kiosk", "PySide6", "bleak", "paho-mqtt", "SQLAlchemy", "onnxruntime")
# "label=…" (a PIN's label) and "visit=…" (a visit's alias) in audit details, up to the next
# field: support needs neither, and an alias links the export back to a visit on this kiosk.
_PRIVATE = re.compile(r"\b(label|visit)=.*?(?= \w+=|$)")


class SupportExportError(KioskError):
    advice = "Choose the kiosk's support folder or a USB stick that is plugged in and writable."


def _versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for name in _PACKAGES:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = "not installed"
    return out


def _redact(detail: str) -> str:
    return _PRIVATE.sub(lambda m: f"{m.group(1)}=<redacted>", detail)


def collect(
    *,
    kiosk_id: str,
    broker: str,
    store: Store,
    staff: StaffService,
    settings: KioskSettings,
    scoring: ScoringService,
    devices: list[DeviceRow],
) -> dict[str, Any]:
    """The export's content as JSON-ready data. Reads the DB: call on the runtime thread."""
    counts = store.outbox_counts()
    oldest = store.oldest_unsettled()
    return {
        "format": "bitgoeul-kiosk-support/1",
        "created_at": datetime.now(UTC).isoformat(),
        "kiosk_id": kiosk_id,
        "broker": broker,
        "versions": _versions(),
        "models": {
            **{
                n: {"version": m.version, "sha256": m.sha256, "status": "ok"}
                for n, m in sorted(scoring.model_set.models.items())
            },
            **{n: {"status": "refused", "reason": r} for n, r in scoring.unavailable.items()},
        },
        "settings": asdict(settings),
        "outbox": {
            "pending": counts.pending,
            "sent_awaiting_ack": counts.sent,
            "committed": counts.committed,
            "rejected": counts.rejected,
            "oldest_pending": None if oldest is None else oldest.isoformat(),
        },
        "rejected": [{"msg_id": m, "reason": r} for m, r in store.rejected_rows()],
        "devices": [
            {
                "address": d.address,
                "kind": d.kind,
                "paired": d.paired,
                "model": d.model,
                "firmware": d.firmware,
                "state": d.state,
                "battery_percent": d.battery_percent,
                "rssi": d.rssi,
                "last_seen_at": None if d.last_seen_at is None else d.last_seen_at.isoformat(),
                "last_error": d.last_error,
            }
            for d in devices
        ],
        "audit_tail": [
            {
                "at": e.at.isoformat(),
                "role": e.role,
                "action": e.action,
                "detail": _redact(e.detail),
            }
            for e in reversed(staff.audit_log(AUDIT_TAIL))
        ],
    }


def export_targets(data_dir: Path) -> list[Path]:
    """Where an export may go: the kiosk's support folder, and each USB stick the kiosk's
    mount rules put under ``<data dir>/usb/`` (docs/admin.md). Nothing outside the data dir."""
    targets = [data_dir / "support"]
    usb = data_dir / "usb"
    if usb.is_dir():
        targets += sorted(p for p in usb.iterdir() if p.is_dir())
    return targets


def write_export(
    session: AdminSession,
    staff: StaffService,
    content: dict[str, Any],
    target: Path,
    *,
    data_dir: Path,
) -> Path:
    """Write ``kiosk-support-<kiosk>-<time>.zip`` into ``target`` (under ``data_dir``); audited."""
    staff.check(session, Permission.EXPORT_SUPPORT)
    root = data_dir.resolve()
    folder = target.resolve()
    if not folder.is_relative_to(root):
        raise SupportExportError(f"{target} is outside the kiosk's data folder")
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = folder / f"kiosk-support-{content['kiosk_id']}-{stamp}.zip"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
            z.writestr("support.json", json.dumps(content, ensure_ascii=False, indent=2))
    except OSError as exc:
        staff.audit("support_export", session.role, f"failed: {exc.__class__.__name__}")
        raise SupportExportError(f"could not write {path.name}: {exc.strerror or exc}") from exc
    staff.audit("support_export", session.role, f"file={path.relative_to(root)}")
    return path
