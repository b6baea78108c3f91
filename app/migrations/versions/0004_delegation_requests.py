"""Delegation requests

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 19:06:55.495454
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "delegation_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("requester_account_id", sa.Integer(), nullable=False),
        sa.Column("services", sa.JSON(), nullable=False),
        sa.Column("message", sa.String(length=1000), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by_account_id", sa.Integer(), nullable=True),
        sa.Column("delegation_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["companies.id"],
            name=op.f("fk_delegation_requests_company_id_companies"),
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_account_id"],
            ["accounts.id"],
            name=op.f("fk_delegation_requests_decided_by_account_id_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["delegation_id"],
            ["delegations.id"],
            name=op.f("fk_delegation_requests_delegation_id_delegations"),
        ),
        sa.ForeignKeyConstraint(
            ["requester_account_id"],
            ["accounts.id"],
            name=op.f("fk_delegation_requests_requester_account_id_accounts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delegation_requests")),
    )
    with op.batch_alter_table("delegation_requests", schema=None) as batch_op:
        batch_op.create_index(
            "ix_delegation_requests_company", ["company_id", "status", "id"], unique=False
        )
        batch_op.create_index(
            "uq_delegation_requests_pending",
            ["company_id", "requester_account_id"],
            unique=True,
            sqlite_where=sa.text("status = 'PENDING'"),
            postgresql_where=sa.text("status = 'PENDING'"),
        )


def downgrade() -> None:
    with op.batch_alter_table("delegation_requests", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_delegation_requests_pending",
            sqlite_where=sa.text("status = 'PENDING'"),
            postgresql_where=sa.text("status = 'PENDING'"),
        )
        batch_op.drop_index("ix_delegation_requests_company")

    op.drop_table("delegation_requests")
