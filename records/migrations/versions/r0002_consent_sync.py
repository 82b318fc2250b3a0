"""Consents synced from kiosks: the kiosk's consent id (idempotency key), kiosk and text version.

Revision ID: r0002
Revises: r0001
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "r0002"
down_revision = "r0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("consents") as batch:
        batch.add_column(sa.Column("consent_key", sa.Text(), nullable=True))
        batch.add_column(sa.Column("kiosk_id", sa.Text(), nullable=True))
        batch.add_column(sa.Column("version", sa.Text(), nullable=True))
    # A re-sent grant or withdrawal meets this key and changes nothing.
    op.create_index("ux_consents_consent_key", "consents", ["consent_key"], unique=True)


def downgrade() -> None:
    op.drop_index("ux_consents_consent_key", "consents")
    with op.batch_alter_table("consents") as batch:
        batch.drop_column("version")
        batch.drop_column("kiosk_id")
        batch.drop_column("consent_key")
