"""Devices: the kiosk's allowlist of paired devices (issue 3).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-04
"""

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass  # filled in by the Bluetooth devices work


def downgrade() -> None:
    pass
