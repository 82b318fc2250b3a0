"""Record database: citizens, consents, kiosks, devices, observations, alerts, rejected messages.

A database made by the foundation's create_all (observations + rejected_messages only) is
brought up to this revision in place.

Revision ID: r0001
Revises:
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "r0001"
down_revision = None
branch_labels = None
depends_on = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    existing = set(sa.inspect(op.get_bind()).get_table_names())
    op.create_table(
        "citizens",
        sa.Column("id", sa.Text(), primary_key=True),  # pseudonymous subject reference
        sa.Column("first_seen_at", _TS, nullable=False),
    )
    op.create_table(
        "consents",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("citizen_id", sa.Text(), sa.ForeignKey("citizens.id"), nullable=False),
        sa.Column("scope", sa.Text(), nullable=False),
        sa.Column("granted_at", _TS, nullable=False),
        sa.Column("withdrawn_at", _TS, nullable=True),
    )
    op.create_index("ix_consents_citizen_id", "consents", ["citizen_id"])
    op.create_table(
        "kiosks",
        sa.Column("id", sa.Text(), primary_key=True),
        sa.Column("first_seen_at", _TS, nullable=False),
    )
    op.create_table(
        "devices",
        sa.Column("kiosk_id", sa.Text(), sa.ForeignKey("kiosks.id"), primary_key=True),
        sa.Column("identifier", sa.Text(), primary_key=True),
        sa.Column("model", sa.Text(), nullable=True),
        sa.Column("first_seen_at", _TS, nullable=False),
    )
    if "observations" not in existing:
        op.create_table(
            "observations",
            sa.Column("msg_id", sa.Text(), primary_key=True),
            sa.Column("kiosk_id", sa.Text(), nullable=False),
            sa.Column("kind", sa.Text(), nullable=False),
            sa.Column("effective_at", sa.Text(), nullable=False),
            sa.Column("received_at", _TS, nullable=False),
            sa.Column("body", _JSON, nullable=False),
        )
    with op.batch_alter_table("observations") as batch:
        batch.add_column(sa.Column("subject_ref", sa.Text(), nullable=True))
        batch.add_column(sa.Column("effective_ts", _TS, nullable=True))
        batch.add_column(sa.Column("code", sa.Text(), nullable=True))
    op.create_index("ix_observations_subject_time", "observations", ["subject_ref", "effective_ts"])
    op.create_table(
        "alerts",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("kiosk_id", sa.Text(), nullable=False),
        sa.Column("measurement_id", sa.Text(), nullable=False),
        sa.Column("level", sa.Text(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("received_at", _TS, nullable=False),
    )
    if "rejected_messages" not in existing:
        op.create_table(
            "rejected_messages",
            sa.Column("id", _ID, primary_key=True, autoincrement=True),
            sa.Column("msg_id", sa.Text(), nullable=True),
            sa.Column("topic", sa.Text(), nullable=False),
            sa.Column("reason", sa.Text(), nullable=False),
            sa.Column("payload", sa.LargeBinary(), nullable=False),
            sa.Column("received_at", _TS, nullable=False),
        )


def downgrade() -> None:
    op.drop_table("alerts")
    op.drop_index("ix_observations_subject_time", "observations")
    with op.batch_alter_table("observations") as batch:
        batch.drop_column("code")
        batch.drop_column("effective_ts")
        batch.drop_column("subject_ref")
    op.drop_table("devices")
    op.drop_table("kiosks")
    op.drop_index("ix_consents_citizen_id", "consents")
    op.drop_table("consents")
    op.drop_table("citizens")
