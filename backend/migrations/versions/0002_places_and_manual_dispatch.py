"""place aliases; tickets flagged for manual dispatch

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30 10:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('place_aliases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('alias', sa.String(length=50), nullable=False),
    sa.Column('level', sa.String(length=8), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=True),
    sa.Column('city', sa.String(length=50), nullable=True),
    sa.Column('county', sa.String(length=50), nullable=True),
    sa.Column('street', sa.String(length=50), nullable=True),
    sa.ForeignKeyConstraint(['area_id'], ['areas.id'], name=op.f('fk_place_aliases_area_id_areas'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_place_aliases'))
    )
    with op.batch_alter_table('place_aliases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_place_aliases_alias'), ['alias'], unique=False)
        batch_op.create_index(batch_op.f('ix_place_aliases_area_id'), ['area_id'], unique=False)

    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.add_column(sa.Column('needs_manual_dispatch', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.drop_column('needs_manual_dispatch')

    with op.batch_alter_table('place_aliases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_place_aliases_area_id'))
        batch_op.drop_index(batch_op.f('ix_place_aliases_alias'))

    op.drop_table('place_aliases')
