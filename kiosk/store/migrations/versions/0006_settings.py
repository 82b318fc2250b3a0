"""Kiosk settings edited by technicians, and a staff-given name for each allowlisted device.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "kiosk_settings",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value", sa.String(256), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("changed_by", sa.String(16), nullable=True),
    )
    with op.batch_alter_table("device_allowlist") as batch:
        batch.add_column(sa.Column("alias", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("device_allowlist") as batch:
        batch.drop_column("alias")
    op.drop_table("kiosk_settings")
