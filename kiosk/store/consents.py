"""Consent records in the kiosk store (issues 6, 7).

A citizen's consent and its outbox message are written in ONE transaction, like a measurement:
a consent the visitor gave is always either queued for the citizen record or not stored. A
guest's consent is kept on the kiosk only (no subject, nothing to sync) and is purged with the
guest visit. Withdrawing is itself a synced message, and it takes that subject's not yet
committed measurements out of the queue so nothing more of theirs leaves the kiosk.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import delete, select, update

from kiosk.ids import new_msg_id
from kiosk.store.consent_models import Consent, ConsentPurpose
from kiosk.store.db import Store
from kiosk.store.models import Measurement, Outbox, OutboxState, Visit
from records.wire import CONSENT_KIND, ConsentMessage


@dataclass(frozen=True, slots=True)
class StoredConsent:
    id: str
    visit_id: str
    subject_ref: str | None
    purpose: str
    version: str
    granted_at: datetime
    withdrawn_at: datetime | None


def _stored(row: Consent) -> StoredConsent:
    return StoredConsent(
        id=row.id,
        visit_id=row.visit_id,
        subject_ref=row.subject_ref,
        purpose=row.purpose,
        version=row.version,
        granted_at=row.granted_at,
        withdrawn_at=row.withdrawn_at,
    )


class ConsentStore:
    """Consent rows and their outbox messages, on the kiosk's ``Store``."""

    def __init__(self, store: Store, kiosk_id: str) -> None:
        self.store = store
        self.kiosk_id = kiosk_id

    def _message(self, row: Consent) -> Outbox:
        assert row.subject_ref is not None
        msg_id = new_msg_id()
        body = ConsentMessage(
            msg_id=msg_id,
            kiosk_id=self.kiosk_id,
            consent_id=row.id,
            subject_ref=row.subject_ref,
            purpose=row.purpose,
            version=row.version,
            granted_at=row.granted_at.isoformat(),
            withdrawn_at=row.withdrawn_at.isoformat() if row.withdrawn_at else None,
        )
        return Outbox(
            msg_id=msg_id,
            kind=CONSENT_KIND,
            payload=body.to_json(),
            state=OutboxState.PENDING,
            attempts=0,
            created_at=datetime.now(UTC),
        )

    def grant(
        self,
        *,
        visit_id: str,
        subject_ref: str | None,
        purposes: Sequence[ConsentPurpose],
        version: str,
    ) -> list[StoredConsent]:
        """Record consents for a visit and stamp the visit consented. Queued only for a citizen
        (``subject_ref`` set); returns the rows written."""
        now = datetime.now(UTC)
        rows = [
            Consent(
                id=new_msg_id(),
                visit_id=visit_id,
                subject_ref=subject_ref,
                purpose=purpose.value,
                version=version,
                granted_at=now,
            )
            for purpose in purposes
        ]
        with self.store._tx() as s:
            s.execute(update(Visit).where(Visit.id == visit_id).values(consented_at=now))
            s.add_all(rows)
            if subject_ref is not None:
                s.add_all(self._message(row) for row in rows)
        return [_stored(r) for r in rows]

    def withdraw(self, subject_ref: str, purpose: ConsentPurpose) -> list[StoredConsent]:
        """Withdraw the subject's active consents for ``purpose`` and queue each withdrawal.
        Health data withdraws Open Lab too (sharing needs the data), and drops the subject's
        measurements that the record service has not committed from the queue."""
        purposes = [purpose.value]
        if purpose is ConsentPurpose.HEALTH_DATA:
            purposes.append(ConsentPurpose.OPEN_LAB.value)
        now = datetime.now(UTC)
        with self.store._tx() as s:
            rows = list(
                s.scalars(
                    select(Consent).where(
                        Consent.subject_ref == subject_ref,
                        Consent.purpose.in_(purposes),
                        Consent.withdrawn_at.is_(None),
                    )
                )
            )
            for row in rows:
                row.withdrawn_at = now
            s.add_all(self._message(row) for row in rows)
            if purpose is ConsentPurpose.HEALTH_DATA:
                theirs = (
                    select(Measurement.id)
                    .join(Visit, Visit.id == Measurement.visit_id)
                    .where(Visit.subject_ref == subject_ref)
                )
                s.execute(
                    delete(Outbox).where(
                        Outbox.msg_id.in_(theirs), Outbox.state != OutboxState.COMMITTED
                    )
                )
            return [_stored(r) for r in rows]

    def consents(
        self, *, visit_id: str | None = None, subject_ref: str | None = None
    ) -> list[StoredConsent]:
        with self.store._tx() as s:
            q = select(Consent).order_by(Consent.granted_at, Consent.id)
            if visit_id is not None:
                q = q.where(Consent.visit_id == visit_id)
            if subject_ref is not None:
                q = q.where(Consent.subject_ref == subject_ref)
            return [_stored(r) for r in s.scalars(q)]

    def is_active(self, subject_ref: str, purpose: ConsentPurpose) -> bool:
        with self.store._tx() as s:
            found = s.scalar(
                select(Consent.id)
                .where(
                    Consent.subject_ref == subject_ref,
                    Consent.purpose == purpose.value,
                    Consent.withdrawn_at.is_(None),
                )
                .limit(1)
            )
        return found is not None
