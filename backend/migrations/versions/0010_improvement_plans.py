"""improvement plans (整改计划) and their progress entries

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 00:50:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'improvement_plans',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('plan_no', sa.String(length=24), nullable=True),
        sa.Column('indicator', sa.String(length=40), nullable=False),
        sa.Column('unit_id', sa.String(length=32), nullable=False),
        sa.Column('period_from', sa.Date(), nullable=False),
        sa.Column('period_to', sa.Date(), nullable=False),
        sa.Column('problem', sa.Text(), nullable=False),
        sa.Column('baseline_value', sa.Float(), nullable=True),
        sa.Column('baseline_numerator', sa.Float(), nullable=True),
        sa.Column('baseline_denominator', sa.Float(), nullable=True),
        sa.Column('target_op', sa.String(length=2), nullable=False),
        sa.Column('target_value', sa.Float(), nullable=False),
        sa.Column('measures', sa.Text(), nullable=False),
        sa.Column('responsible_unit_id', sa.String(length=32), nullable=False),
        sa.Column('due_date', sa.Date(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('created_by', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.Column('completed_at', sa.DateTime(), nullable=True),
        sa.Column('completed_by', sa.Integer(), nullable=True),
        sa.Column('completion_note', sa.Text(), nullable=True),
        sa.Column('completion_value', sa.Float(), nullable=True),
        sa.Column('completion_numerator', sa.Float(), nullable=True),
        sa.Column('completion_denominator', sa.Float(), nullable=True),
        sa.Column('completion_from', sa.Date(), nullable=True),
        sa.Column('completion_to', sa.Date(), nullable=True),
        sa.Column('withdrawn_at', sa.DateTime(), nullable=True),
        sa.Column('withdrawn_by', sa.Integer(), nullable=True),
        sa.Column('withdraw_reason', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_improvement_plans_unit_id_units')),
        sa.ForeignKeyConstraint(['responsible_unit_id'], ['units.id'],
                                name=op.f('fk_improvement_plans_responsible_unit_id_units')),
        sa.ForeignKeyConstraint(['created_by'], ['staff_users.id'],
                                name=op.f('fk_improvement_plans_created_by_staff_users')),
        sa.ForeignKeyConstraint(['completed_by'], ['staff_users.id'],
                                name=op.f('fk_improvement_plans_completed_by_staff_users')),
        sa.ForeignKeyConstraint(['withdrawn_by'], ['staff_users.id'],
                                name=op.f('fk_improvement_plans_withdrawn_by_staff_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_improvement_plans')),
        sa.UniqueConstraint('plan_no', name=op.f('uq_improvement_plans_plan_no')),
    )
    op.create_index('ix_improvement_plans_responsible_status', 'improvement_plans',
                    ['responsible_unit_id', 'status'])
    op.create_index('ix_improvement_plans_unit_indicator', 'improvement_plans', ['unit_id', 'indicator'])
    op.create_table(
        'improvement_progress',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('plan_id', sa.Integer(), nullable=False),
        sa.Column('author_id', sa.Integer(), nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['plan_id'], ['improvement_plans.id'],
                                name=op.f('fk_improvement_progress_plan_id_improvement_plans'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['author_id'], ['staff_users.id'],
                                name=op.f('fk_improvement_progress_author_id_staff_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_improvement_progress')),
    )
    op.create_index('ix_improvement_progress_plan_id', 'improvement_progress', ['plan_id'])


def downgrade() -> None:
    op.drop_table('improvement_progress')
    op.drop_table('improvement_plans')
