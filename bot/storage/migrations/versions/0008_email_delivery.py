"""E-mail delivery: a municipality's e-mail address (``veiligbot municipality email``) and the Message-ID of an
e-mail delivery.

Revision ID: 0008
Revises: 0006
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0008'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('municipality_emails',
    sa.Column('municipality', sa.String(length=16), nullable=False),
    sa.Column('address', sa.String(length=254), nullable=False),
    sa.Column('only', sa.Boolean(), server_default='0', nullable=False),
    sa.Column('health', sa.String(length=16), server_default='ok', nullable=False),
    sa.Column('last_error', sa.String(length=300), nullable=True),
    sa.Column('last_error_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('municipality')
    )
    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email_message_id', sa.String(length=255), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.drop_column('email_message_id')

    op.drop_table('municipality_emails')
