"""Consents: versioned health-data and Open Lab consents with withdrawal (issues 6, 7).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04
"""

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass  # filled in by the consent work


def downgrade() -> None:
    pass
