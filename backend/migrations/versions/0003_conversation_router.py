"""conversation router: queue order, holder, intent confidence, delivery of agent lines

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 18:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('held_by', sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column('waiting_since', sa.DateTime(), nullable=True))
    # Conversations already queued keep their place: they waited since their last change.
    op.execute("UPDATE conversations SET waiting_since = updated_at WHERE state = 'waiting_agent'")

    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('confidence', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('actor', sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column('awaiting_delivery', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))
        batch_op.add_column(sa.Column('delivered_at', sa.DateTime(), nullable=True))
        batch_op.create_index('ix_messages_pending', ['conversation_id', 'awaiting_delivery'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.drop_index('ix_messages_pending')
        batch_op.drop_column('delivered_at')
        batch_op.drop_column('awaiting_delivery')
        batch_op.drop_column('actor')
        batch_op.drop_column('confidence')

    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.drop_column('waiting_since')
        batch_op.drop_column('held_by')
