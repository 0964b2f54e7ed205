"""customer turns of the web chat and WeChat: the answer given per (channel, sender, key)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 20:30:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'customer_turns',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('channel', sa.String(length=16), nullable=False),
        sa.Column('sender', sa.String(length=128), nullable=False),
        sa.Column('turn_key', sa.String(length=128), nullable=False),
        sa.Column('answer', sa.JSON(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_customer_turns')),
        sa.UniqueConstraint('channel', 'sender', 'turn_key', name=op.f('uq_customer_turns_channel')),
    )


def downgrade() -> None:
    op.drop_table('customer_turns')
