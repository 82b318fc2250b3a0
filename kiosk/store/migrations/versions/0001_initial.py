"""Initial schema: visits, measurements, outbox, quarantine.

Revision ID: 0001
Revises:
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "visits",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("visitor_kind", sa.String(16), nullable=False),
        sa.Column("subject_ref", sa.String(64), nullable=True),
        sa.Column("consented_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_table(
        "measurements",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("visit_id", sa.String(32), sa.ForeignKey("visits.id"), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("device_address", sa.String(64), nullable=False),
        sa.Column("device_model", sa.String(64), nullable=False),
        sa.Column("measured_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("values", sa.JSON(), nullable=False),
        sa.Column("category", sa.String(32), nullable=True),
        sa.Column("alert", sa.String(32), nullable=True),
        sa.Column("raw", sa.LargeBinary(), nullable=False),
    )
    op.create_index("ix_measurements_visit_id", "measurements", ["visit_id"])
    op.create_table(
        "outbox",
        sa.Column("msg_id", sa.String(32), sa.ForeignKey("measurements.id"), primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("payload", sa.LargeBinary(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
    )
    op.create_index("ix_outbox_state_created", "outbox", ["state", "created_at"])
    op.create_table(
        "quarantine",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("visit_id", sa.String(32), nullable=True),
        sa.Column("device_address", sa.String(64), nullable=True),
        sa.Column("characteristic", sa.String(64), nullable=False),
        sa.Column("raw", sa.LargeBinary(), nullable=False),
        sa.Column("error_type", sa.String(64), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("quarantine")
    op.drop_index("ix_outbox_state_created", "outbox")
    op.drop_table("outbox")
    op.drop_index("ix_measurements_visit_id", "measurements")
    op.drop_table("measurements")
    op.drop_table("visits")
