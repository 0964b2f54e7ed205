"""staff sessions' last use (idle timeout) and a lifecycle step's request hash (a reused key with another body is refused)

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29 21:40:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('staff_sessions') as batch:
        batch.add_column(sa.Column('last_seen_at', sa.DateTime(), nullable=True))
    with op.batch_alter_table('ticket_events') as batch:
        batch.add_column(sa.Column('request_hash', sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('ticket_events') as batch:
        batch.drop_column('request_hash')
    with op.batch_alter_table('staff_sessions') as batch:
        batch.drop_column('last_seen_at')
