"""The record's consent upserts: idempotent, order-independent, one kiosk per consent id."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from records.db import consents, create_schema, make_engine, upsert_consents
from records.wire import ConsentMessage


def message(n: int, *, kiosk: str = "kiosk-a", withdrawn: str | None = None) -> ConsentMessage:
    return ConsentMessage(
        msg_id=f"{n:032x}",
        kiosk_id=kiosk,
        consent_id="c" * 32,
        subject_ref="pseudo-r-0001",
        purpose="open_lab",
        version="2026-12-v1",
        granted_at="2026-12-04T22:00:00+09:00",
        withdrawn_at=withdrawn,
    )


def test_repeats_out_of_order_and_foreign_kiosks_leave_one_correct_row(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'records.db'}")
    create_schema(engine)
    withdrawal = message(2, withdrawn="2026-12-04T23:00:00+09:00")
    with engine.begin() as conn:
        # The withdrawal arrives first, then the grant, then both again.
        assert upsert_consents(conn, [withdrawal]) == {withdrawal.msg_id}
        assert upsert_consents(conn, [message(1), withdrawal]) == {
            message(1).msg_id,
            withdrawal.msg_id,
        }
        # Another kiosk reusing the consent id neither changes the row nor is acked.
        assert upsert_consents(conn, [message(3, kiosk="kiosk-b", withdrawn=None)]) == set()
        rows = conn.execute(
            select(consents.c.kiosk_id, consents.c.scope, consents.c.version,
                   consents.c.withdrawn_at)
        ).all()  # fmt: skip
    engine.dispose()
    assert len(rows) == 1
    kiosk_id, scope, version, withdrawn_at = rows[0]
    assert (kiosk_id, scope, version) == ("kiosk-a", "open_lab", "2026-12-v1")
    assert withdrawn_at is not None and withdrawn_at.hour == 14  # 23:00+09:00 in UTC
