"""Sync: consent records, guest retention, rejected-row reasons (issue 6).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04
"""

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass  # filled in by the sync work


def downgrade() -> None:
    pass
