"""hotline IVR turns: the answer given per (call_id, seq)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 19:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'ivr_turns',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('call_id', sa.String(length=128), nullable=False),
        sa.Column('seq', sa.Integer(), nullable=False),
        sa.Column('event', sa.String(length=16), nullable=False),
        sa.Column('answer', sa.JSON(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_ivr_turns')),
        sa.UniqueConstraint('call_id', 'seq', name=op.f('uq_ivr_turns_call_id')),
    )


def downgrade() -> None:
    op.drop_table('ivr_turns')
