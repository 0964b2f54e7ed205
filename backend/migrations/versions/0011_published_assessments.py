"""published monthly assessments (定期公布考核结果): one frozen table per month and version

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 01:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'published_assessments',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('month', sa.String(length=7), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('root_unit_id', sa.String(length=32), nullable=False),
        sa.Column('published_at', sa.DateTime(), nullable=False),
        sa.Column('published_by', sa.String(length=64), nullable=False),
        sa.Column('publisher_name', sa.String(length=100), nullable=False),
        sa.Column('reason', sa.String(length=500), nullable=True),
        sa.Column('indicators', sa.JSON(), nullable=False),
        sa.Column('rows', sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(['root_unit_id'], ['units.id'],
                                name=op.f('fk_published_assessments_root_unit_id_units')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_published_assessments')),
        # Two publishers of the same month at once: the second insert fails instead of both being version N.
        sa.UniqueConstraint('month', 'version', name='uq_published_assessments_month_version'),
    )


def downgrade() -> None:
    op.drop_table('published_assessments')
