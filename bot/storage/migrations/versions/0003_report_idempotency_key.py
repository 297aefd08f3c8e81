"""Reports: the draft's idempotency key, unique, so that a repeated Send files nothing twice.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Existing reports keep NULL: NULLs never collide under a unique constraint (SQLite and PostgreSQL).
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.add_column(sa.Column('idempotency_key', sa.String(length=32), nullable=True))
        batch_op.create_unique_constraint('uq_reports_idempotency_key', ['idempotency_key'])


def downgrade() -> None:
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.drop_constraint('uq_reports_idempotency_key', type_='unique')
        batch_op.drop_column('idempotency_key')
