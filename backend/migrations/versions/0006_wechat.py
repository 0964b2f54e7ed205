"""WeChat Official Account: the shared access token and each customer's send window

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 20:40:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'wechat_access_tokens',
        sa.Column('appid', sa.String(length=64), nullable=False),
        sa.Column('token', sa.String(length=512), nullable=True),
        sa.Column('expires_at', sa.DateTime(), nullable=True),
        sa.Column('refreshing_until', sa.DateTime(), nullable=True),
        sa.Column('fetched_at', sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint('appid', name=op.f('pk_wechat_access_tokens')),
    )
    op.create_table(
        'wechat_contacts',
        sa.Column('conversation_id', sa.String(length=36), nullable=False),
        sa.Column('window_kind', sa.String(length=8), nullable=False),
        sa.Column('window_ends_at', sa.DateTime(), nullable=False),
        sa.Column('sends_allowed', sa.Integer(), nullable=False),
        sa.Column('sends_used', sa.Integer(), nullable=False),
        sa.Column('exhausted', sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column('options', sa.JSON(), nullable=True),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['conversation_id'], ['conversations.id'],
                                name=op.f('fk_wechat_contacts_conversation_id_conversations')),
        sa.PrimaryKeyConstraint('conversation_id', name=op.f('pk_wechat_contacts')),
    )


def downgrade() -> None:
    op.drop_table('wechat_contacts')
    op.drop_table('wechat_access_tokens')
