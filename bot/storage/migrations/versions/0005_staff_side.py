"""Staff side: staff registry, link codes, the message outbox, staff compose and resident replies; report
assignee and follow-up fields; topic mode per staff chat; a CHECK constraint on the report status.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Written out, not imported: a migration must not change when the code does.
STATUS_SQL = "'new', 'in_progress', 'reaction_requested', 'reaction_received', 'forwarded', 'closed', 'cancelled', 'reopened'"


def upgrade() -> None:
    op.create_table('link_codes',
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('municipality', sa.String(length=16), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('code')
    )
    op.create_table('staff_members',
    sa.Column('user_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('municipality', sa.String(length=16), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('user_id', 'municipality')
    )
    op.create_table('outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('chat_id', sa.BigInteger(), nullable=True),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.String(length=300), nullable=True),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('message_id', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['report_id'], ['reports.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbox_report_id'), ['report_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_state'), ['state'], unique=False)

    op.create_table('resident_replies',
    sa.Column('chat_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['report_id'], ['reports.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('chat_id')
    )
    op.create_table('staff_compose',
    sa.Column('user_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('chat_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=16), nullable=False),
    sa.Column('expected_status', sa.String(length=24), nullable=False),
    sa.Column('text', sa.Text(), nullable=True),
    sa.Column('extra', sa.String(length=32), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['report_id'], ['reports.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'chat_id')
    )
    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('thread_id', sa.BigInteger(), nullable=True))

    with op.batch_alter_table('municipality_links', schema=None) as batch_op:
        batch_op.add_column(sa.Column('topics', sa.Boolean(), server_default='0', nullable=False))

    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.add_column(sa.Column('assignee_id', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('resident_unreachable', sa.Boolean(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('crisis', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('feedback', sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('question_asked_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('question_reminded_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('reopen_requested_at', sa.DateTime(timezone=True), nullable=True))
        # The workflow's statuses (bot.workflow.transitions.Status); the batch copies the table on SQLite.
        batch_op.create_check_constraint('ck_reports_status', f'status IN ({STATUS_SQL})')



def downgrade() -> None:
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.drop_constraint('ck_reports_status', type_='check')
        batch_op.drop_column('reopen_requested_at')
        batch_op.drop_column('question_reminded_at')
        batch_op.drop_column('question_asked_at')
        batch_op.drop_column('closed_at')
        batch_op.drop_column('feedback')
        batch_op.drop_column('crisis')
        batch_op.drop_column('resident_unreachable')
        batch_op.drop_column('assignee_id')

    with op.batch_alter_table('municipality_links', schema=None) as batch_op:
        batch_op.drop_column('topics')

    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.drop_column('thread_id')

    op.drop_table('staff_compose')
    op.drop_table('resident_replies')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_state'))
        batch_op.drop_index(batch_op.f('ix_outbox_report_id'))

    op.drop_table('outbox')
    op.drop_table('staff_members')
    op.drop_table('link_codes')
