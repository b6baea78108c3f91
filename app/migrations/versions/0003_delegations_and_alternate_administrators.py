"""Delegations and alternate administrators

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 18:56:05.295462
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "delegations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("delegate_account_id", sa.Integer(), nullable=False),
        sa.Column("grantor_account_id", sa.Integer(), nullable=False),
        sa.Column("services", sa.JSON(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"], ["companies.id"], name=op.f("fk_delegations_company_id_companies")
        ),
        sa.ForeignKeyConstraint(
            ["delegate_account_id"],
            ["accounts.id"],
            name=op.f("fk_delegations_delegate_account_id_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["grantor_account_id"],
            ["accounts.id"],
            name=op.f("fk_delegations_grantor_account_id_accounts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delegations")),
    )
    with op.batch_alter_table("delegations", schema=None) as batch_op:
        batch_op.create_index("ix_delegations_company", ["company_id", "id"], unique=False)
        batch_op.create_index(
            "ix_delegations_delegate", ["delegate_account_id", "id"], unique=False
        )
        batch_op.create_index("ix_delegations_grantor", ["grantor_account_id", "id"], unique=False)
        batch_op.create_index(
            "uq_delegations_live",
            ["company_id", "delegate_account_id"],
            unique=True,
            sqlite_where=sa.text("revoked_at IS NULL"),
            postgresql_where=sa.text("revoked_at IS NULL"),
        )

    op.create_table(
        "delegation_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("delegation_id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("delegate_account_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["companies.id"],
            name=op.f("fk_delegation_changes_company_id_companies"),
        ),
        sa.ForeignKeyConstraint(
            ["delegate_account_id"],
            ["accounts.id"],
            name=op.f("fk_delegation_changes_delegate_account_id_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["delegation_id"],
            ["delegations.id"],
            name=op.f("fk_delegation_changes_delegation_id_delegations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delegation_changes")),
    )
    with op.batch_alter_table("delegation_changes", schema=None) as batch_op:
        batch_op.create_index("ix_delegation_changes_company", ["company_id", "id"], unique=False)
        batch_op.create_index(
            "ix_delegation_changes_delegate", ["delegate_account_id", "id"], unique=False
        )

    with op.batch_alter_table("company_roles", schema=None) as batch_op:
        batch_op.add_column(sa.Column("suspended_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(
            "uq_company_roles_alternate",
            ["company_id"],
            unique=True,
            sqlite_where=sa.text("role = 'ALTERNATE_ADMINISTRATOR'"),
            postgresql_where=sa.text("role = 'ALTERNATE_ADMINISTRATOR'"),
        )


def downgrade() -> None:
    with op.batch_alter_table("company_roles", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_company_roles_alternate",
            sqlite_where=sa.text("role = 'ALTERNATE_ADMINISTRATOR'"),
            postgresql_where=sa.text("role = 'ALTERNATE_ADMINISTRATOR'"),
        )
        batch_op.drop_column("suspended_at")

    with op.batch_alter_table("delegation_changes", schema=None) as batch_op:
        batch_op.drop_index("ix_delegation_changes_delegate")
        batch_op.drop_index("ix_delegation_changes_company")

    op.drop_table("delegation_changes")
    with op.batch_alter_table("delegations", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_delegations_live",
            sqlite_where=sa.text("revoked_at IS NULL"),
            postgresql_where=sa.text("revoked_at IS NULL"),
        )
        batch_op.drop_index("ix_delegations_grantor")
        batch_op.drop_index("ix_delegations_delegate")
        batch_op.drop_index("ix_delegations_company")

    op.drop_table("delegations")
