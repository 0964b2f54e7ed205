"""satisfaction surveys (chat and ticket), and the customers an outage cut off as recorded

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 00:30:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'surveys',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('subject', sa.String(length=16), nullable=False),
        sa.Column('ticket_id', sa.Integer(), nullable=True),
        sa.Column('conversation_id', sa.String(length=36), nullable=True),
        sa.Column('channel', sa.String(length=16), nullable=False),
        sa.Column('unit_id', sa.String(length=32), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=True),
        sa.Column('offer_key', sa.String(length=80), nullable=True),
        sa.Column('line_id', sa.Integer(), nullable=True),
        sa.Column('awaiting', sa.String(length=8), nullable=True),
        sa.Column('rating', sa.String(length=20), nullable=True),
        sa.Column('comment', sa.Text(), nullable=True),
        sa.Column('offered_at', sa.DateTime(), nullable=False),
        sa.Column('answered_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_surveys_ticket_id_tickets'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['conversation_id'], ['conversations.id'],
                                name=op.f('fk_surveys_conversation_id_conversations')),
        sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_surveys_unit_id_units')),
        sa.ForeignKeyConstraint(['line_id'], ['messages.id'], name=op.f('fk_surveys_line_id_messages')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_surveys')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_surveys_token_hash')),
        sa.UniqueConstraint('offer_key', name=op.f('uq_surveys_offer_key')),
    )
    op.create_index('ix_surveys_ticket_id', 'surveys', ['ticket_id'])
    op.create_index('ix_surveys_unit_answered', 'surveys', ['unit_id', 'answered_at'])
    op.create_index('ix_surveys_conversation_offered', 'surveys', ['conversation_id', 'offered_at'])
    # As the outage record states it (e.g. from the distribution system); NULL: counted from
    # the accounts in the outage's scope (backend/reliability.py).
    with op.batch_alter_table('outages') as batch:
        batch.add_column(sa.Column('customers_interrupted', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('outages') as batch:
        batch.drop_column('customers_interrupted')
    op.drop_table('surveys')
