"""Rollout strategy: CRM selection, mission and objectives, RACI, budgets, start overrides

A plan gets its mission and objectives (goals name the objective they serve), a CRM
selection (requirements scored per candidate, signed decisions), a RACI row per
department and phase, a budget per phase, and a record of every phase started before
the previous one was signed off. Decisions and overrides are append-only.

Revision ID: 0030_rollout_strategy
Revises: 0031_course_statistics
Create Date: 2026-12-05 04:10:00

"""

import sqlalchemy as sa
from alembic import op

from portal.database import UTCDateTime

revision = "0030_rollout_strategy"
down_revision = "0031_course_statistics"
branch_labels = None
depends_on = None


def _signed():
    return [
        sa.Column("signer_id", sa.Integer(), nullable=True),
        sa.Column("signer_name", sa.String(length=120), nullable=False),
        sa.Column("signed_at", UTCDateTime(), nullable=False),
    ]


def _fk(column, table, ondelete=None, name=None):
    return sa.ForeignKeyConstraint(
        [column], [f"{table}.id"], name=op.f(f"fk_{name}_{column}_{table}"), ondelete=ondelete
    )


def upgrade():
    op.create_table(
        "rollout_objectives",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        _fk("plan_id", "rollout_plans", "CASCADE", "rollout_objectives"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rollout_objectives")),
    )
    op.create_index(
        op.f("ix_rollout_objectives_plan_id"), "rollout_objectives", ["plan_id"], unique=False
    )
    op.create_table(
        "rollout_requirements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.Column("priority", sa.String(length=8), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.CheckConstraint(
            "priority IN ('must', 'should', 'could')",
            name=op.f("ck_rollout_requirements_known_priority"),
        ),
        _fk("department_id", "departments", "SET NULL", "rollout_requirements"),
        _fk("plan_id", "rollout_plans", "CASCADE", "rollout_requirements"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rollout_requirements")),
    )
    op.create_index(
        op.f("ix_rollout_requirements_plan_id"), "rollout_requirements", ["plan_id"], unique=False
    )
    op.create_table(
        "rollout_scores",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("requirement_id", sa.Integer(), nullable=False),
        sa.Column("candidate", sa.String(length=32), nullable=False),
        sa.Column("evaluator_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("note", sa.String(length=1000), nullable=False),
        sa.Column("scored_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("score BETWEEN 0 AND 5", name=op.f("ck_rollout_scores_score_range")),
        _fk("evaluator_id", "users", "CASCADE", "rollout_scores"),
        _fk("requirement_id", "rollout_requirements", "CASCADE", "rollout_scores"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rollout_scores")),
        sa.UniqueConstraint(
            "requirement_id",
            "candidate",
            "evaluator_id",
            name=op.f("uq_rollout_scores_requirement_id"),
        ),
    )
    op.create_index(
        op.f("ix_rollout_scores_requirement_id"), "rollout_scores", ["requirement_id"]
    )
    op.create_table(
        "rollout_selection_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("profile", sa.String(length=32), nullable=False),
        sa.Column("rationale", sa.String(length=4000), nullable=False),
        sa.Column("totals", sa.JSON(), nullable=False),
        *_signed(),
        _fk("plan_id", "rollout_plans", None, "rollout_selection_decisions"),
        _fk("signer_id", "users", "SET NULL", "rollout_selection_decisions"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rollout_selection_decisions")),
    )
    for column in ("plan_id", "signed_at"):
        op.create_index(
            op.f(f"ix_rollout_selection_decisions_{column}"),
            "rollout_selection_decisions",
            [column],
        )
    op.create_table(
        "rollout_raci",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("phase_id", sa.Integer(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=1), nullable=False),
        sa.CheckConstraint("role IN ('R', 'A', 'C', 'I')", name=op.f("ck_rollout_raci_known_role")),
        _fk("department_id", "departments", "CASCADE", "rollout_raci"),
        _fk("phase_id", "rollout_phases", "CASCADE", "rollout_raci"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rollout_raci")),
        sa.UniqueConstraint("phase_id", "department_id", name=op.f("uq_rollout_raci_phase_id")),
    )
    op.create_index(op.f("ix_rollout_raci_phase_id"), "rollout_raci", ["phase_id"])
    op.create_table(
        "rollout_start_overrides",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("phase_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=4000), nullable=False),
        *_signed(),
        _fk("phase_id", "rollout_phases", None, "rollout_start_overrides"),
        _fk("plan_id", "rollout_plans", None, "rollout_start_overrides"),
        _fk("signer_id", "users", "SET NULL", "rollout_start_overrides"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rollout_start_overrides")),
    )
    for column in ("phase_id", "plan_id"):
        op.create_index(
            op.f(f"ix_rollout_start_overrides_{column}"), "rollout_start_overrides", [column]
        )
    with op.batch_alter_table("rollout_plans") as batch_op:
        batch_op.add_column(
            sa.Column("mission", sa.String(length=500), server_default="", nullable=False)
        )
    with op.batch_alter_table("rollout_phases") as batch_op:
        batch_op.add_column(
            sa.Column("implementation", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(sa.Column("budget_planned", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("budget_approved", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("budget_approved_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            op.f("fk_rollout_phases_budget_approved_by_id_users"),
            "users",
            ["budget_approved_by_id"],
            ["id"],
            ondelete="SET NULL",
        )
    with op.batch_alter_table("rollout_goals") as batch_op:
        batch_op.add_column(sa.Column("objective_id", sa.Integer(), nullable=True))
        batch_op.create_index(op.f("ix_rollout_goals_objective_id"), ["objective_id"])
        batch_op.create_foreign_key(
            op.f("fk_rollout_goals_objective_id_rollout_objectives"),
            "rollout_objectives",
            ["objective_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade():
    with op.batch_alter_table("rollout_goals") as batch_op:
        batch_op.drop_constraint(
            op.f("fk_rollout_goals_objective_id_rollout_objectives"), type_="foreignkey"
        )
        batch_op.drop_index(op.f("ix_rollout_goals_objective_id"))
        batch_op.drop_column("objective_id")
    with op.batch_alter_table("rollout_phases") as batch_op:
        batch_op.drop_constraint(
            op.f("fk_rollout_phases_budget_approved_by_id_users"), type_="foreignkey"
        )
        for column in ("budget_approved_by_id", "budget_approved", "budget_planned"):
            batch_op.drop_column(column)
        batch_op.drop_column("implementation")
    with op.batch_alter_table("rollout_plans") as batch_op:
        batch_op.drop_column("mission")
    for table in (
        "rollout_start_overrides",
        "rollout_raci",
        "rollout_selection_decisions",
        "rollout_scores",
        "rollout_requirements",
        "rollout_objectives",
    ):
        op.drop_table(table)
