"""Devices: the kiosk's allowlist of paired devices (issue 3).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "device_allowlist",
        sa.Column("address", sa.String(64), primary_key=True),
        sa.Column("profile_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("label", sa.String(64), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("added_by", sa.String(64), nullable=True),
        sa.Column("last_sequence", sa.Integer(), nullable=True),
        sa.Column("uds_user_index", sa.Integer(), nullable=True),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("rssi", sa.Integer(), nullable=True),
        sa.Column("battery_percent", sa.Integer(), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("device_allowlist")
