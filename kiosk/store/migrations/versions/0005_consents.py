"""Consents: versioned health-data and Open Lab consents with withdrawal (issues 6, 7).

The outbox also carries consent messages now, so its msg_id no longer references a measurement
(the table is rebuilt without that foreign key; rows and the state index are kept).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_TS = sa.DateTime(timezone=True)


def _outbox(with_fk: bool) -> sa.Table:
    msg_id_args: list[sa.ForeignKey] = [sa.ForeignKey("measurements.id")] if with_fk else []
    return sa.Table(
        "outbox",
        sa.MetaData(),
        sa.Column("msg_id", sa.String(32), *msg_id_args, primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("payload", sa.LargeBinary(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("sent_at", _TS, nullable=True),
        sa.Column("done_at", _TS, nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Index("ix_outbox_state_created", "state", "created_at"),
    )


def upgrade() -> None:
    op.create_table(
        "consents",
        sa.Column("id", sa.String(32), primary_key=True),
        # Guest visits are purged with their consents.
        sa.Column(
            "visit_id",
            sa.String(32),
            sa.ForeignKey("visits.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("subject_ref", sa.String(64), nullable=True),  # null for guests
        sa.Column("purpose", sa.String(16), nullable=False),  # health_data | open_lab
        sa.Column("version", sa.String(32), nullable=False),
        sa.Column("granted_at", _TS, nullable=False),
        sa.Column("withdrawn_at", _TS, nullable=True),
    )
    op.create_index("ix_consents_visit_id", "consents", ["visit_id"])
    op.create_index("ix_consents_subject_purpose", "consents", ["subject_ref", "purpose"])
    with op.batch_alter_table("outbox", recreate="always", copy_from=_outbox(False)):
        pass


def downgrade() -> None:
    op.execute("DELETE FROM outbox WHERE kind = 'consent'")
    with op.batch_alter_table("outbox", recreate="always", copy_from=_outbox(True)):
        pass
    op.drop_index("ix_consents_subject_purpose", "consents")
    op.drop_index("ix_consents_visit_id", "consents")
    op.drop_table("consents")
