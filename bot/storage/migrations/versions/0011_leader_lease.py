"""Active/standby: the leader lease, and a claim (who, until when) on every outbox row.

Revision ID: 0011
Revises: 0012
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0011'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('leader_lease',
    sa.Column('name', sa.String(length=32), nullable=False),
    sa.Column('holder', sa.String(length=64), nullable=False),
    sa.Column('acquired_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('name')
    )
    for table in ('deliveries', 'outbox'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('claimed_by', sa.String(length=64), nullable=True))
            batch_op.add_column(sa.Column('claimed_until', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    for table in ('outbox', 'deliveries'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('claimed_until')
            batch_op.drop_column('claimed_by')
    op.drop_table('leader_lease')
