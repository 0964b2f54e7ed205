"""audit log: who did what to which record, when, from where and why

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29 21:10:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'audit_log',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.Column('actor', sa.String(length=64), nullable=False),
        sa.Column('action', sa.String(length=48), nullable=False),
        sa.Column('target_type', sa.String(length=32), nullable=False),
        sa.Column('target_id', sa.String(length=64), nullable=False),
        sa.Column('unit_id', sa.String(length=32), nullable=True),
        sa.Column('reason', sa.String(length=500), nullable=True),
        sa.Column('client', sa.String(length=16), nullable=True),
        sa.Column('details', sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log')),
    )
    op.create_index('ix_audit_log_at', 'audit_log', ['at'])
    op.create_index('ix_audit_log_actor_at', 'audit_log', ['actor', 'at'])
    op.create_index('ix_audit_log_action_target', 'audit_log', ['action', 'target_id', 'at'])
    op.create_index('ix_audit_log_action_client', 'audit_log', ['action', 'client', 'at'])


def downgrade() -> None:
    op.drop_table('audit_log')
