"""Sync: guest retention lookup and the rejected-row queue for staff (issue 6).

Guest visits never leave the kiosk and are purged by (visitor_kind, ended_at); staff list
rejected outbox rows by state (reasons live in outbox.last_error).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_visits_kind_ended", "visits", ["visitor_kind", "ended_at"])
    op.create_index("ix_quarantine_visit_id", "quarantine", ["visit_id"])


def downgrade() -> None:
    op.drop_index("ix_quarantine_visit_id", "quarantine")
    op.drop_index("ix_visits_kind_ended", "visits")
