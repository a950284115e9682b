"""rollout: plans, phases, milestones, goals, waves, gates, sign-offs; readiness indexes

Revision ID: 0004_rollout
Revises: 0002_learning
Create Date: 2026-11-24 08:39:17.529344

"""
from alembic import op
import sqlalchemy as sa

import portal.database


# revision identifiers, used by Alembic.
revision = '0004_rollout'
down_revision = '0003_sandbox'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('rollout_plans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('target_go_live', sa.Date(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', portal.database.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_rollout_plans_created_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rollout_plans'))
    )
    op.create_table('rollout_goals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('horizon', sa.String(length=8), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('metric', sa.String(length=32), nullable=False),
    sa.Column('target', sa.Float(), nullable=False),
    sa.Column('manual_value', sa.Float(), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.CheckConstraint("horizon IN ('short', 'medium', 'long')", name=op.f('ck_rollout_goals_known_horizon')),
    sa.ForeignKeyConstraint(['plan_id'], ['rollout_plans.id'], name=op.f('fk_rollout_goals_plan_id_rollout_plans'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rollout_goals'))
    )
    with op.batch_alter_table('rollout_goals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rollout_goals_plan_id'), ['plan_id'], unique=False)

    op.create_table('rollout_phases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=True),
    sa.Column('ends_on', sa.Date(), nullable=True),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.CheckConstraint("status IN ('planned', 'in_progress', 'done')", name=op.f('ck_rollout_phases_known_status')),
    sa.CheckConstraint('ends_on IS NULL OR starts_on IS NULL OR ends_on >= starts_on', name=op.f('ck_rollout_phases_ends_after_start')),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_rollout_phases_owner_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['plan_id'], ['rollout_plans.id'], name=op.f('fk_rollout_phases_plan_id_rollout_plans'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rollout_phases'))
    )
    with op.batch_alter_table('rollout_phases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rollout_phases_plan_id'), ['plan_id'], unique=False)

    op.create_table('rollout_waves',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('go_live_on', sa.Date(), nullable=False),
    sa.Column('lead_days', sa.Integer(), nullable=False),
    sa.Column('created_at', portal.database.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['plan_id'], ['rollout_plans.id'], name=op.f('fk_rollout_waves_plan_id_rollout_plans'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rollout_waves'))
    )
    with op.batch_alter_table('rollout_waves', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rollout_waves_plan_id'), ['plan_id'], unique=False)

    op.create_table('rollout_gate_criteria',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('wave_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('threshold', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['wave_id'], ['rollout_waves.id'], name=op.f('fk_rollout_gate_criteria_wave_id_rollout_waves'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rollout_gate_criteria')),
    sa.UniqueConstraint('wave_id', 'kind', name=op.f('uq_rollout_gate_criteria_wave_id'))
    )
    op.create_table('rollout_milestones',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('phase_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('done_at', portal.database.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_rollout_milestones_owner_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['phase_id'], ['rollout_phases.id'], name=op.f('fk_rollout_milestones_phase_id_rollout_phases'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rollout_milestones'))
    )
    with op.batch_alter_table('rollout_milestones', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rollout_milestones_phase_id'), ['phase_id'], unique=False)

    op.create_table('rollout_signoffs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('phase_id', sa.Integer(), nullable=True),
    sa.Column('wave_id', sa.Integer(), nullable=True),
    sa.Column('signer_id', sa.Integer(), nullable=True),
    sa.Column('signer_name', sa.String(length=120), nullable=False),
    sa.Column('signed_at', portal.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('decision', sa.String(length=16), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('gate_status', sa.String(length=8), nullable=True),
    sa.Column('evidence', sa.JSON(), nullable=False),
    sa.CheckConstraint("decision IN ('go', 'no_go', 'override')", name=op.f('ck_rollout_signoffs_known_decision')),
    sa.CheckConstraint('(phase_id IS NULL) <> (wave_id IS NULL)', name=op.f('ck_rollout_signoffs_phase_or_wave')),
    sa.ForeignKeyConstraint(['phase_id'], ['rollout_phases.id'], name=op.f('fk_rollout_signoffs_phase_id_rollout_phases')),
    sa.ForeignKeyConstraint(['plan_id'], ['rollout_plans.id'], name=op.f('fk_rollout_signoffs_plan_id_rollout_plans')),
    sa.ForeignKeyConstraint(['signer_id'], ['users.id'], name=op.f('fk_rollout_signoffs_signer_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['wave_id'], ['rollout_waves.id'], name=op.f('fk_rollout_signoffs_wave_id_rollout_waves')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rollout_signoffs'))
    )
    with op.batch_alter_table('rollout_signoffs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rollout_signoffs_phase_id'), ['phase_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_rollout_signoffs_plan_id'), ['plan_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_rollout_signoffs_wave_id'), ['wave_id'], unique=False)

    op.create_table('rollout_wave_departments',
    sa.Column('wave_id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_rollout_wave_departments_department_id_departments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['wave_id'], ['rollout_waves.id'], name=op.f('fk_rollout_wave_departments_wave_id_rollout_waves'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('wave_id', 'department_id', name=op.f('pk_rollout_wave_departments'))
    )
    with op.batch_alter_table('rollout_wave_departments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rollout_wave_departments_department_id'), ['department_id'], unique=False)

    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.create_foreign_key(batch_op.f('fk_assignments_wave_id_rollout_waves'), 'rollout_waves', ['wave_id'], ['id'], ondelete='SET NULL')

    # Covering indexes for the readiness queries (declared in portal/rollout/models.py).
    with op.batch_alter_table('lesson_progress', schema=None) as batch_op:
        batch_op.create_index('ix_lesson_progress_scored', ['user_id', 'lesson_id', 'best_score', 'completed_at'], unique=False, sqlite_where=sa.text('best_score IS NOT NULL'), postgresql_where=sa.text('best_score IS NOT NULL'))

    with op.batch_alter_table('quiz_attempts', schema=None) as batch_op:
        batch_op.create_index('ix_quiz_attempts_user_id_submitted_at', ['user_id', 'submitted_at'], unique=False)

    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.create_index('ix_certificates_user_issued_course', ['user_id', 'issued_at', 'course_id'], unique=False)

    with op.batch_alter_table('exercise_attempts', schema=None) as batch_op:
        batch_op.create_index('ix_exercise_attempts_passed_user_lesson', ['passed', 'user_id', 'lesson_id'], unique=False)
        batch_op.create_index('ix_exercise_attempts_user_id_started_at', ['user_id', 'started_at'], unique=False)



def downgrade():
    with op.batch_alter_table('exercise_attempts', schema=None) as batch_op:
        batch_op.drop_index('ix_exercise_attempts_user_id_started_at')
        batch_op.drop_index('ix_exercise_attempts_passed_user_lesson')

    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.drop_index('ix_certificates_user_issued_course')

    with op.batch_alter_table('quiz_attempts', schema=None) as batch_op:
        batch_op.drop_index('ix_quiz_attempts_user_id_submitted_at')

    with op.batch_alter_table('lesson_progress', schema=None) as batch_op:
        batch_op.drop_index('ix_lesson_progress_scored')

    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_assignments_wave_id_rollout_waves'), type_='foreignkey')

    with op.batch_alter_table('rollout_wave_departments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rollout_wave_departments_department_id'))

    op.drop_table('rollout_wave_departments')
    with op.batch_alter_table('rollout_signoffs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rollout_signoffs_wave_id'))
        batch_op.drop_index(batch_op.f('ix_rollout_signoffs_plan_id'))
        batch_op.drop_index(batch_op.f('ix_rollout_signoffs_phase_id'))

    op.drop_table('rollout_signoffs')
    with op.batch_alter_table('rollout_milestones', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rollout_milestones_phase_id'))

    op.drop_table('rollout_milestones')
    op.drop_table('rollout_gate_criteria')
    with op.batch_alter_table('rollout_waves', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rollout_waves_plan_id'))

    op.drop_table('rollout_waves')
    with op.batch_alter_table('rollout_phases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rollout_phases_plan_id'))

    op.drop_table('rollout_phases')
    with op.batch_alter_table('rollout_goals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rollout_goals_plan_id'))

    op.drop_table('rollout_goals')
    op.drop_table('rollout_plans')
