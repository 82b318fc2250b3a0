"""Staff: hashed PINs, entry lockout, alerts with acknowledgement, audit (issue 8).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04
"""

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass  # filled in by the staff admin work


def downgrade() -> None:
    pass
