"""Related reports: the open report a new one resembles (a hint on its card) and the main report it is linked to.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.add_column(sa.Column('similar_to_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('related_to_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_reports_related_to_id'), ['related_to_id'], unique=False)
        batch_op.create_foreign_key(
            'fk_reports_similar_to_id_reports', 'reports', ['similar_to_id'], ['id'], ondelete='SET NULL'
        )
        batch_op.create_foreign_key(
            'fk_reports_related_to_id_reports', 'reports', ['related_to_id'], ['id'], ondelete='SET NULL'
        )


def downgrade() -> None:
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.drop_constraint('fk_reports_related_to_id_reports', type_='foreignkey')
        batch_op.drop_constraint('fk_reports_similar_to_id_reports', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_reports_related_to_id'))
        batch_op.drop_column('related_to_id')
        batch_op.drop_column('similar_to_id')
