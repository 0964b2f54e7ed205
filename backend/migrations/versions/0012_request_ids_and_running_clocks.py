"""request ids on ticket events and transcript lines; indexes for the operations metrics

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 06:30:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

RUNNING = "met_at IS NULL AND cancelled_at IS NULL"


def upgrade() -> None:
    with op.batch_alter_table('ticket_events') as batch:
        batch.add_column(sa.Column('request_id', sa.String(length=64), nullable=True))
        batch.create_index(batch.f('ix_ticket_events_request_id'), ['request_id'])
    with op.batch_alter_table('messages') as batch:
        batch.add_column(sa.Column('request_id', sa.String(length=64), nullable=True))
        batch.create_index(batch.f('ix_messages_request_id'), ['request_id'])
        batch.create_index('ix_messages_awaiting_created', ['awaiting_delivery', 'created_at'])
    op.create_index('ix_ticket_deadlines_running', 'ticket_deadlines', ['ticket_id'],
                    sqlite_where=sa.text(RUNNING), postgresql_where=sa.text(RUNNING))


def downgrade() -> None:
    op.drop_index('ix_ticket_deadlines_running', table_name='ticket_deadlines')
    with op.batch_alter_table('messages') as batch:
        batch.drop_index('ix_messages_awaiting_created')
        batch.drop_index(batch.f('ix_messages_request_id'))
        batch.drop_column('request_id')
    with op.batch_alter_table('ticket_events') as batch:
        batch.drop_index(batch.f('ix_ticket_events_request_id'))
        batch.drop_column('request_id')
